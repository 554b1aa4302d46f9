"""Accounts' registrations with the shared registries (imported by AccountsConfig.ready)."""
