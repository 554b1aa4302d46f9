"""Module permissions inside an institution, and the one query that answers "may this user do X there".

Permissions are guardian object permissions on `institutions.Institution`, stored in the direct
foreign-key tables below. An active institution admin holds every module permission implicitly.
"""

from django.db.models import Q, QuerySet

from .choices import MembershipRole

MODULE_PERMISSIONS: list[tuple[str, str]] = [
    ("manage_profile", "机构风采管理"),
    ("handle_rectification", "机构整改"),
    ("manage_centers", "中心建设"),
    ("manage_credit", "信用管理"),
    ("submit_news", "新闻资讯发布"),
    ("fill_reports", "运营数据填报"),
    ("manage_users", "用户管理"),
]
MODULE_PERMISSION_CODES = [code for code, _label in MODULE_PERMISSIONS]
MODULE_PERMISSION_LABELS = dict(MODULE_PERMISSIONS)


def institution_ids_for(*, user, perm: str | None = None) -> QuerySet:
    """Ids of the institutions where `user` is an active member (holding `perm`, when given)."""
    from .models import InstitutionUserObjectPermission, Membership

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Membership.objects.none().values("institution_id")
    memberships = Membership.objects.filter(user=user, is_active=True)
    if perm is None:
        return memberships.values("institution_id")
    if perm not in MODULE_PERMISSION_CODES:
        raise ValueError(f"unknown module permission: {perm}")
    granted = InstitutionUserObjectPermission.objects.filter(user=user, permission__codename=perm).values(
        "content_object_id"
    )
    return memberships.filter(Q(role=MembershipRole.ADMIN) | Q(institution_id__in=granted)).values(
        "institution_id"
    )


def has_module_perm(*, user, institution_id: int, perm: str) -> bool:
    return institution_ids_for(user=user, perm=perm).filter(institution_id=institution_id).exists()
