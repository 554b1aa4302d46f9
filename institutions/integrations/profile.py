"""Registrations for the profile area of module 02 (imported by InstitutionsConfig.ready)."""
