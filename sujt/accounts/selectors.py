"""Permission-filtered reads about users and memberships."""

from django.db.models import QuerySet
from django.http import HttpRequest

from .choices import MembershipRole
from .models import Membership, User

CURRENT_INSTITUTION_SESSION_KEY = "current_institution_id"


def memberships_of(*, user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user, is_active=True)
        .select_related("institution")
        .order_by("institution__name")
    )


def current_membership(*, request: HttpRequest) -> Membership | None:
    """The membership the user works under: the one chosen in this session, else the first."""
    user = request.user
    if not user.is_authenticated:
        return None
    cached = getattr(request, "_current_membership", None)
    if cached is not None:
        return cached
    memberships = memberships_of(user=user)
    chosen_id = request.session.get(CURRENT_INSTITUTION_SESSION_KEY)
    membership = None
    if chosen_id:
        membership = memberships.filter(institution_id=chosen_id).first()
    if membership is None:
        membership = memberships.first()
    request._current_membership = membership
    return membership


def institution_users(*, institution_id: int) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(institution_id=institution_id)
        .select_related("user", "institution")
        .order_by("-role", "user__phone")
    )


def active_admin_count(*, institution_id: int) -> int:
    return Membership.objects.filter(
        institution_id=institution_id, role=MembershipRole.ADMIN, is_active=True, user__is_active=True
    ).count()
