"""The module permissions behind the workspace navigation, in one query."""

from sujt.accounts.models import InstitutionUserObjectPermission, Membership
from sujt.accounts.permissions import MODULE_PERMISSION_CODES


def module_perms(*, membership: Membership) -> frozenset[str]:
    """Module permissions the member holds at the membership's institution.

    The same rule as `sujt.accounts.permissions.institution_ids_for`: an active admin holds them all; a
    staff member holds those granted on the institution.
    """
    if not membership.is_active:
        return frozenset()
    if membership.is_admin:
        return frozenset(MODULE_PERMISSION_CODES)
    return frozenset(
        InstitutionUserObjectPermission.objects.filter(
            user_id=membership.user_id,
            content_object_id=membership.institution_id,
            permission__codename__in=MODULE_PERMISSION_CODES,
        ).values_list("permission__codename", flat=True)
    )
