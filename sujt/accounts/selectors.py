"""Permission-filtered reads about users and memberships."""

from datetime import datetime

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import DateTimeField, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone

from sujt.core.regions import PROVINCE_CODE
from sujt.core.scoping import in_scope

from .choices import InvitationStatus, MembershipRole
from .models import InstitutionUserObjectPermission, Invitation, Membership, Regulator, User
from .permissions import MODULE_PERMISSION_CODES

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


def membership_get(*, institution_id: int, pk: int) -> Membership:
    """A membership of the given institution; any other institution's membership does not exist (404)."""
    return get_object_or_404(institution_users(institution_id=institution_id), pk=pk)


def membership_search(
    *, institution_id: int, q: str = "", role: str = "", status: str = ""
) -> QuerySet[Membership]:
    """The user-management list: search by name or phone, filter by role and 启用/停用."""
    memberships = institution_users(institution_id=institution_id)
    q = q.strip()
    if q:
        memberships = memberships.filter(Q(user__name__icontains=q) | Q(user__phone__contains=q))
    if role in MembershipRole.values:
        memberships = memberships.filter(role=role)
    if status == "active":
        memberships = memberships.filter(is_active=True)
    elif status == "inactive":
        memberships = memberships.filter(is_active=False)
    return memberships


def module_perms_by_user(*, institution_id: int, user_ids: list[int]) -> dict[int, set[str]]:
    """Explicit module permission codes per user on one institution, in one query."""
    rows = InstitutionUserObjectPermission.objects.filter(
        content_object_id=institution_id,
        user_id__in=user_ids,
        permission__codename__in=MODULE_PERMISSION_CODES,
    ).values_list("user_id", "permission__codename")
    granted: dict[int, set[str]] = {user_id: set() for user_id in user_ids}
    for user_id, code in rows:
        granted[user_id].add(code)
    return granted


def users_in_region(*, scope: str | None) -> QuerySet[User]:
    """Users a regulator with `scope` oversees: members of institutions in the region, and its regulators.

    The province sees every user; no scope sees none.
    """
    users = User.objects.all()
    if scope is None:
        return users.none()
    if scope == PROVINCE_CODE:
        return users
    members = in_scope(Membership.objects.all(), scope, "institution__region_code").values("user_id")
    regulators = in_scope(Regulator.objects.all(), scope, "region_code").values("user_id")
    return users.filter(Q(pk__in=members) | Q(pk__in=regulators))


def users_regulated_by(*, user: User) -> QuerySet[User]:
    """The accounts `user` may unlock and reset: for a regulator, institution users with an active
    membership in an institution of their jurisdiction (anywhere for the province), never a regulator,
    platform or system account; a superuser may also help regulators (nobody else can). Nobody helps
    their own account or a superuser's here.

    The one place this rule is written: admin's actions and buttons and the services both read it, so a
    Nanjing regulator asking for a Suzhou user's account gets a 404 and the service refuses it anyway.
    """
    scope = getattr(user, "region_scope", None) if user.is_active else None
    if scope is None:
        return User.objects.none()
    accounts = User.objects.filter(is_superuser=False, is_system=False).exclude(pk=user.pk)
    if user.is_superuser:
        return accounts
    members = in_scope(Membership.objects.filter(is_active=True), scope, "institution__region_code")
    return accounts.filter(pk__in=members.values("user_id"), is_staff=False).exclude(
        pk__in=Regulator.objects.values("user_id")
    )


def lockout_started_after() -> datetime:
    """Failures older than this no longer count (django-axes' cool-off period)."""
    return timezone.now() - settings.AXES_COOLOFF_TIME


def with_login_failures(queryset: QuerySet[User]) -> QuerySet[User]:
    """Annotates `login_failures` (the account's failed logins django-axes still counts) and
    `last_login_failure` (the newest of them), two subqueries.

    An account is locked when the count reaches AXES_FAILURE_LIMIT (see `is_locked_out`) and opens
    again AXES_COOLOFF_TIME after the newest failure; the rows are axes' own, so what admin shows is
    exactly what the login refuses.
    """
    attempts = AccessAttempt.objects.filter(
        username=OuterRef("phone"), attempt_time__gt=lockout_started_after()
    ).order_by()
    failures = attempts.values("username").annotate(total=Sum("failures_since_start")).values("total")
    newest = attempts.values("username").annotate(newest=Max("attempt_time")).values("newest")
    return queryset.annotate(
        login_failures=Coalesce(Subquery(failures, output_field=IntegerField()), 0),
        last_login_failure=Subquery(newest, output_field=DateTimeField()),
    )


def locked_out(queryset: QuerySet[User], *, locked: bool = True) -> QuerySet[User]:
    """Of users annotated by `with_login_failures`, those locked out now (or, with locked=False, not)."""
    limit = settings.AXES_FAILURE_LIMIT
    if locked:
        return queryset.filter(login_failures__gte=limit)
    return queryset.filter(login_failures__lt=limit)


def is_locked_out(user: User) -> bool:
    """Whether the account is locked now (reads the annotation when present, else asks the database)."""
    failures = getattr(user, "login_failures", None)
    if failures is None:
        failures = (
            with_login_failures(User.objects.filter(pk=user.pk))
            .values_list("login_failures", flat=True)
            .first()
            or 0
        )
    return failures >= settings.AXES_FAILURE_LIMIT


def lockout_ends_at(user: User) -> datetime | None:
    """When a locked account opens again by itself (None when it is not locked)."""
    if not is_locked_out(user):
        return None
    newest = getattr(user, "last_login_failure", None)
    if newest is None:
        newest = (
            with_login_failures(User.objects.filter(pk=user.pk))
            .values_list("last_login_failure", flat=True)
            .first()
        )
    return None if newest is None else newest + settings.AXES_COOLOFF_TIME


def module_perms_of(*, membership: Membership) -> set[str]:
    """Module permission codes explicitly granted to the member on their institution."""
    return module_perms_by_user(institution_id=membership.institution_id, user_ids=[membership.user_id])[
        membership.user_id
    ]


def account_only_here(*, user_id: int, institution_id: int) -> bool:
    """Every active membership of the user is in this institution, so the institution may act on the
    account itself (reset its password, correct its identity): nobody else depends on it."""
    return not shared_account_ids(institution_id=institution_id, user_ids=[user_id])


def shared_account_ids(*, institution_id: int, user_ids: list[int]) -> set[int]:
    """Of these users, those who are also active members of another institution (one query)."""
    return set(
        Membership.objects.filter(user_id__in=user_ids, is_active=True)
        .exclude(institution_id=institution_id)
        .values_list("user_id", flat=True)
    )


# --- Invitations --------------------------------------------------------------------------------------


def invitations_pending_for(*, user: User) -> QuerySet[Invitation]:
    """Invitations the user may still accept, newest first."""
    return (
        Invitation.objects.filter(user=user, status=InvitationStatus.PENDING, expires_at__gt=timezone.now())
        .select_related("institution", "created_by")
        .order_by("-created_at", "-id")
    )


def invitation_for_invitee(*, user: User, pk: int) -> Invitation:
    """One of the user's own invitations; anyone else's does not exist (404)."""
    return get_object_or_404(Invitation.objects.filter(user=user).select_related("institution"), pk=pk)


def institution_invitations(*, institution_id: int) -> QuerySet[Invitation]:
    """The institution's invitations still waiting for an answer (expired ones included, shown as such)."""
    return (
        Invitation.objects.filter(institution_id=institution_id, status=InvitationStatus.PENDING)
        .select_related("user", "created_by", "institution")
        .order_by("-created_at", "-id")
    )


def invitation_for_institution(*, institution_id: int, pk: int) -> Invitation:
    return get_object_or_404(institution_invitations(institution_id=institution_id), pk=pk)
