"""Sync with the qualification-approval system (资质认定审批系统): docs/qualification-sync.md."""
