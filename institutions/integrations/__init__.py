"""Module 02 registrations with the shared registries (navigation, checklist, to-dos), one per area."""
