"""Writes of module 02, one module per area (keyword-only, one transaction each)."""
