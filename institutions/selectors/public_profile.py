"""Reads for the public profile of one institution (/institutions/<id>/): no login, no personal data.

Which institutions are public is decided once, in `selectors.public`; this module only reads what the
profile shows of one of them.
"""

from ..models import Institution
from .public import public_institution_get


def public_profile_get(*, pk: int) -> Institution:
    """The public institution `pk` with what its profile header shows; else 404."""
    return public_institution_get(pk=pk)
