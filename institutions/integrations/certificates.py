"""Registrations for the certificates area of module 02 (imported by InstitutionsConfig.ready)."""
