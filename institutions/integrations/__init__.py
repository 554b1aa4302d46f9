"""Registrations of module 02 with the shared registries (navigation, checklist, to-dos), one module per area."""
