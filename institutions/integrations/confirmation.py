"""Registrations for the confirmation area of module 02 (imported by InstitutionsConfig.ready)."""
