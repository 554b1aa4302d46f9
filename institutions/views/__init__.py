"""Views of module 02, one module per area; each defines its own `urlpatterns` (see institutions/urls.py)."""
