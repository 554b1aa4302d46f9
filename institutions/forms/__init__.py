"""Forms of module 02, one module per area."""
