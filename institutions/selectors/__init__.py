"""Reads about institutions, one module per area. The public directory's are re-exported here."""

from .public import PUBLIC_STATUSES, public_counts_by_city, public_institution_get, public_institutions

__all__ = ["PUBLIC_STATUSES", "public_counts_by_city", "public_institution_get", "public_institutions"]
