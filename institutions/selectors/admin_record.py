"""Reads behind the regulators' institution record in admin (institutions/admin/institution.py).

The admin's own queryset already applies the regulator's region scope; these functions take an
institution (or a queryset) that came from it, so nothing here widens what a regulator may see. Each
read costs a fixed number of queries whatever the number of rows: the change page and the Excel export
of the whole filtered list must not grow with the data.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from sujt.accounts.choices import MembershipRole
from sujt.accounts.models import Membership
from sujt.accounts.permissions import MODULE_PERMISSION_CODES, MODULE_PERMISSION_LABELS
from sujt.accounts.selectors import institution_users, module_perms_by_user

from ..models import Certificate, Institution, Patent, SoftwareCopyright, Trademark

# A search box is typed by a person: a few words of a name, a number, a phone. More than this is not a
# search, and each word costs two EXISTS subqueries.
SEARCH_MAX_WORDS = 5
SEARCH_MAX_WORD_CHARS = 50
# The change page lists this many IP rows of each kind and links to the full list for the rest.
IP_LISTING_LIMIT = 20


# --- Search ------------------------------------------------------------------------------------------------


def search_words(term: str) -> list[str]:
    """The words of a search box value, bounded in number and length."""
    return [word[:SEARCH_MAX_WORD_CHARS] for word in term.split()[:SEARCH_MAX_WORDS]]


def institution_search_q(*, term: str) -> Q:
    """Institutions matching every word of `term` by name, 统一社会信用代码, a CMA certificate number, or the
    name or phone of one of their active admins (机构管理员).

    Certificates and admins are tested with EXISTS, not joins, so an institution matches once however
    many of its certificates or admins match, and the admin list needs no DISTINCT.
    """
    condition = Q()
    for word in search_words(term):
        certificates = Certificate.objects.filter(institution=OuterRef("pk"), number__icontains=word)
        admins = Membership.objects.filter(
            Q(user__phone__contains=word) | Q(user__name__icontains=word),
            institution=OuterRef("pk"),
            role=MembershipRole.ADMIN,
            is_active=True,
        )
        condition &= Q(name__icontains=word) | Q(uscc__icontains=word) | Exists(certificates) | Exists(admins)
    return condition


# --- Members -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberRow:
    """One user of the institution as the regulator sees it (no ID card number)."""

    name: str
    phone: str
    role: str
    is_admin: bool
    is_active: bool
    last_login: datetime.datetime | None
    joined_at: datetime.datetime
    modules: list[str] = field(default_factory=list)


def institution_members(*, institution_id: int) -> list[MemberRow]:
    """The institution's users, admins first, each with the modules they may use and their last login.
    Two queries: the memberships with their users, and the module permissions of all of them."""
    memberships = list(institution_users(institution_id=institution_id))
    granted = module_perms_by_user(
        institution_id=institution_id, user_ids=[membership.user_id for membership in memberships]
    )
    rows = []
    for membership in memberships:
        # An admin holds every module permission (DESIGN §5); the table says so instead of listing them.
        codes = MODULE_PERMISSION_CODES if membership.is_admin else sorted(granted[membership.user_id])
        rows.append(
            MemberRow(
                name=membership.user.name,
                phone=membership.user.phone,
                role=membership.get_role_display(),
                is_admin=membership.is_admin,
                is_active=membership.is_active and membership.user.is_active,
                last_login=membership.user.last_login,
                joined_at=membership.created_at,
                modules=[
                    MODULE_PERMISSION_LABELS[code] for code in codes if code in MODULE_PERMISSION_LABELS
                ],
            )
        )
    return rows


# --- Intellectual property ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class IpListing:
    """The first rows of one kind of IP and how many there are."""

    key: str  # the admin's model name, for its change and list URLs
    title: str
    headers: list[str]
    rows: list[tuple[int, list[object]]]  # (pk, cells)
    total: int


def _listing(key: str, title: str, headers: list[str], queryset: QuerySet, cells) -> IpListing:
    objects = list(queryset[: IP_LISTING_LIMIT + 1])
    total = len(objects) if len(objects) <= IP_LISTING_LIMIT else queryset.count()
    return IpListing(
        key=key,
        title=title,
        headers=headers,
        rows=[(obj.pk, cells(obj)) for obj in objects[:IP_LISTING_LIMIT]],
        total=total,
    )


def institution_ip(*, institution_id: int) -> list[IpListing]:
    """软件著作权, 专利, 商标 the institution entered (its own 完善信息), newest first; three queries (a
    count more for a kind past IP_LISTING_LIMIT)."""
    return [
        _listing(
            "softwarecopyright",
            "软件著作权",
            ["软件名称", "登记号", "版本号", "登记日期"],
            SoftwareCopyright.objects.filter(institution_id=institution_id).order_by("-registered_on", "pk"),
            lambda obj: [obj.name, obj.registration_number, obj.version or "—", obj.registered_on],
        ),
        _listing(
            "patent",
            "专利",
            ["专利名称", "专利类型", "专利号", "申请日", "授权公告日"],
            Patent.objects.filter(institution_id=institution_id).order_by("-applied_on", "pk"),
            lambda obj: [
                obj.name,
                obj.get_patent_type_display(),
                obj.patent_number,
                obj.applied_on,
                obj.granted_on or "—",
            ],
        ),
        _listing(
            "trademark",
            "商标",
            ["商标名称", "注册号", "类别", "专用权期限止"],
            Trademark.objects.filter(institution_id=institution_id).order_by("-valid_until", "pk"),
            lambda obj: [obj.name, obj.registration_number, obj.nice_class, obj.valid_until],
        ),
    ]


# --- Export ------------------------------------------------------------------------------------------------


def institutions_for_export(*, queryset: QuerySet[Institution]) -> QuerySet[Institution]:
    """The admin list's rows with what the export's columns read joined or prefetched: the confirming
    user, the declared fields, the certificates, the active admins (`active_admins`) and the count of
    active members (`member_count`). Read with .iterator(chunk_size=…), the prefetches run once per chunk,
    so the query count depends on the number of chunks only."""
    member_count = (
        Membership.objects.filter(institution=OuterRef("pk"), is_active=True)
        .order_by()
        .values("institution")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return (
        queryset.select_related("info_confirmed_by")
        # Long texts no column reads: a few KB a row that would only be fetched and dropped.
        .defer("introduction", "business_scope")
        .annotate(member_count=Coalesce(Subquery(member_count, output_field=IntegerField()), 0))
        .prefetch_related(
            "fields",
            Prefetch(
                "certificates",
                queryset=Certificate.objects.only(
                    "institution_id", "number", "status", "issued_on", "expires_on"
                ).order_by("expires_on", "number"),
            ),
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(role=MembershipRole.ADMIN, is_active=True)
                .select_related("user")
                .only("institution_id", "user__name", "user__phone")
                .order_by("user__phone"),
                to_attr="active_admins",
            ),
        )
    )
