"""Every URL of the platform, walked from the resolver, and who may open it (DESIGN §5 and §9).

Each URL pattern is classified here, explicitly: the public portal, the login flow, Django admin
(which has its own guard), files, the rich-text editor's upload address, or the workspace. A workspace
URL names what it needs (a module permission from sujt/accounts/permissions.py, membership of an
institution, or only a login) and, when it takes an object id, how to make such an object.
The walk then checks each one:

- anonymous → a redirect to the login page;
- a member of the institution without the module permission → 403 or 404;
- an allowed user of this institution given another institution's object → 404 (never a 403 that
  confirms it exists), while their own object is found.

A private file (core:attachment_download) is also checked against the module permission of the page
that shows it. A pattern missing here fails the walk: a new module registers its URLs in this file.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RoutePattern
from django.views.static import serve

from institutions.choices import ErrorItemType
from institutions.services.confirmation import error_report_submit
from sujt.accounts.choices import MembershipRole
from sujt.accounts.permissions import MODULE_PERMISSION_CODES
from sujt.accounts.services import invitation_create
from sujt.core.attachments import attachment_create, attachments_of
from sujt.core.models import Notification
from tests.core.samples import PDF_BYTES, upload
from tests.factories import (
    CertificateFactory,
    MembershipFactory,
    NewsSubmissionFactory,
    PatentFactory,
    RegulatorFactory,
    SoftwareCopyrightFactory,
    TrademarkFactory,
    UserFactory,
    make_cma_number,
)

# --- the walk ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    key: str  # "namespace:name", or the route itself for a pattern without a name
    name: str | None
    route: str
    callback: Callable
    params: tuple[str, ...]


def _params(pattern: Any) -> list[str]:
    if isinstance(pattern.pattern, RoutePattern):
        return list(pattern.pattern.converters)
    groups = pattern.pattern.regex.groupindex
    return list(groups) or [f"_{i}" for i in range(pattern.pattern.regex.groups)]


def walk(resolver: URLResolver, prefix: str = "", namespace: str = "", params: tuple = ()) -> list[Route]:
    routes = []
    for pattern in resolver.url_patterns:
        text = str(pattern.pattern)
        # A regex pattern inside a prefix is matched without its leading anchor.
        text = text.removeprefix("^") if prefix else text
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else namespace
            routes += walk(
                pattern, prefix + text, inner or pattern.namespace or "", params + tuple(_params(pattern))
            )
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            routes.append(
                Route(
                    key=name or prefix + text,
                    name=name,
                    route=prefix + text,
                    callback=pattern.callback,
                    params=params + tuple(_params(pattern)),
                )
            )
    return routes


ROUTES = walk(get_resolver())


# --- the classification ------------------------------------------------------------------------------

# The public portal: open to everyone, nothing private behind them.
PUBLIC = {
    "portal:home",
    "portal:help",
    "portal:manual_download",
    "portal:a11y",
    "portal:healthz",
    "institutions:directory",
    # The directory's open data: its search as Excel and as JSON pages (public institutions only).
    "institutions:directory_export",
    "institutions:directory_json",
    # 谁能检: capability rows of public institutions, and its Excel and JSON.
    "capabilities:search",
    "capabilities:export",
    "capabilities:json",
    "institutions:public_detail",
    # The profile's capability schedule (能力附表) and its Excel download: public institutions only.
    "institutions:public_capabilities",
    "institutions:public_capabilities_export",
    "institutions:logo",
    # 证书核验: a certificate's public data by its number, and the QR code of that page.
    "verify:lookup",
    "verify:certificate",
    "verify:qr",
    "news:news_list",
    "news:laws_list",
    "news:notices_list",
    "news:article_detail",
    "news:article_cover",
    "news:article_file",
    "news:news_feed",
    "news:laws_feed",
    "news:notices_feed",
}
LOGIN_FLOW = {"accounts:login", "accounts:logout"}
# The rich-text editor's image upload address, kept by name for the widget: it takes no upload from anyone
# (sujt/core/richtext.py answers 404; files arrive only through the content-checked attachment forms).
EDITOR_UPLOADS = {"ck_editor_5_upload_file"}
ADMIN_PREFIX = "admin/"

# What a workspace URL needs beyond a login:
MEMBER = "member"  # membership of an institution (no module permission)
LOGGED_IN = "logged-in"  # nothing more: the user's own account, messages, files they may see


@dataclass(frozen=True)
class Access:
    needs: str  # a module permission code, MEMBER or LOGGED_IN
    obj: str | None = None  # for a URL with an object id: the key of its builder in OBJECT_BUILDERS


def _module(code: str, names: list[str], obj: str | None = None) -> dict[str, Access]:
    return {name: Access(code, obj) for name in names}


_QUALIFICATION = ["certificate", "site", "capability", "equipment", "signatory", "personnel"]
_IP_KINDS = ["copyright", "patent", "trademark"]

WORKSPACE: dict[str, Access] = {
    "portal:dashboard": Access(MEMBER),
    "portal:notifications": Access(LOGGED_IN),
    "portal:notifications_read_all": Access(LOGGED_IN),
    "portal:notification_preference": Access(LOGGED_IN),
    "portal:notification_open": Access(LOGGED_IN, "notification"),
    "accounts:password_change": Access(LOGGED_IN),
    "accounts:confirm_info": Access(LOGGED_IN),
    "accounts:switch_institution": Access(LOGGED_IN),
    # The invited person's side: their own invitations only.
    "accounts:invitations": Access(LOGGED_IN),
    "accounts:invitation_accept": Access(LOGGED_IN, "invitation_to"),
    "accounts:invitation_decline": Access(LOGGED_IN, "invitation_to"),
    # An attachment follows its owner's rule (here: an error report's evidence, of the institution).
    "core:attachment_download": Access(LOGGED_IN, "attachment"),
    # 系统管理 › 用户管理
    **_module("manage_users", ["accounts:user_list", "accounts:user_export", "accounts:user_add"]),
    **_module(
        "manage_users",
        [
            "accounts:user_edit",
            "accounts:user_disable",
            "accounts:user_enable",
            "accounts:user_reset_password",
        ],
        "membership",
    ),
    "accounts:invitation_revoke": Access("manage_users", "invitation_from"),
    # 02 机构风采管理
    **_module(
        "manage_profile",
        [
            "institutions:overview",
            "institutions:profile_edit",
            *(f"institutions:{kind}_list" for kind in _QUALIFICATION),
            *(f"institutions:{kind}_export" for kind in _QUALIFICATION),
            "institutions:ip_list",
            *(
                f"institutions:{kind}_{page}"
                for kind in _IP_KINDS
                for page in ("add", "template", "import", "export")
            ),
            "institutions:confirm",
            "institutions:error_report_add",
            "institutions:error_report_list",
        ],
    ),
    "institutions:certificate_detail": Access("manage_profile", "certificate"),
    **{
        f"institutions:{kind}_{page}": Access("manage_profile", kind)
        for kind in _IP_KINDS
        for page in ("edit", "delete")
    },
    **_module(
        "manage_profile",
        [
            "institutions:error_report_detail",
            "institutions:error_report_edit",
            "institutions:error_report_withdraw",
        ],
        "error_report",
    ),
    # 03 机构整改
    **_module("handle_rectification", ["rectification:order_list", "rectification:order_export"]),
    **_module(
        "handle_rectification",
        ["rectification:order_detail", "rectification:order_answer"],
        "rectification_order",
    ),
    # 04 中心建设 (only where a regulator enabled it; the object builders enable it)
    **_module(
        "manage_centers",
        [
            "centers:center_list",
            "centers:center_export",
            "centers:application_list",
            "centers:construction_create",
            "centers:registration_create",
        ],
    ),
    **_module(
        "manage_centers",
        [
            "centers:center_detail",
            "centers:taskbook_create",
            "centers:taskbook_change",
            "centers:progress_create",
            "centers:acceptance_create",
        ],
        "center",
    ),
    **{
        f"centers:{kind}_{page}": Access("manage_centers", f"center_{kind}")
        for kind in ("construction", "registration", "taskbook", "progress", "acceptance")
        for page in ("detail", "edit", "submit", "withdraw")
    },
    "centers:file": Access("manage_centers", "center_file"),
    # 05 信用管理 (only for institutions holding a Jiangsu-issued certificate: tests/credit/test_workspace.py)
    **_module(
        "manage_credit",
        ["credit:home", "credit:portrait", "credit:commitment", "credit:commitment_template"],
    ),
    "credit:commitment_file": Access("manage_credit", "commitment_letter"),
    **_module("manage_credit", ["credit:bonus_list", "credit:bonus_add", "credit:repair_list"]),
    **_module(
        "manage_credit",
        [f"credit:bonus_{page}" for page in ("detail", "edit", "submit", "withdraw")],
        "credit_bonus",
    ),
    **_module("manage_credit", ["credit:objection_add", "credit:repair_add"], "credit_deduction"),
    **_module(
        "manage_credit",
        [f"credit:objection_{page}" for page in ("detail", "edit", "withdraw")],
        "credit_objection",
    ),
    **_module(
        "manage_credit", [f"credit:repair_{page}" for page in ("detail", "edit", "withdraw")], "credit_repair"
    ),
    "credit:evidence_file": Access("manage_credit", "credit_evidence"),
    # 06 新闻资讯发布
    **_module("submit_news", ["news:submission_list", "news:submission_add"]),
    **_module(
        "submit_news",
        [f"news:submission_{page}" for page in ("detail", "edit", "submit", "withdraw", "delete")],
        "news_submission",
    ),
    # 07 技术机构运营数据填报 · 08 中心运营数据填报 (08 only where center construction is enabled: the
    # permission walk's institutions have it off, so 08's lists answer 404 to everyone logged in)
    **_module(
        "fill_reports",
        ["reporting:list", "reporting:export", "reporting:center_list", "reporting:center_export"],
    ),
    "reporting:assignment_detail": Access("fill_reports", "report_assignment"),
}

# Admin patterns that the project's own URLs answer first.
SHADOWED = {"admin:password_change": "sujt/urls.py sends admin/password_change/ to accounts:password_change"}
# Where admin does not answer a visitor who is not staff with a redirect to its login page:
# key -> (status, the URL name it redirects to).
ADMIN_OPEN = {
    "admin:login": (302, "accounts:login"),
    # admin_view sends a logout by someone not logged in to admin's index (and so to the login).
    "admin:logout": (302, "admin:index"),
    # The project's own redirect, listed before admin in sujt/urls.py (see SHADOWED).
    "admin/password_change/": (302, "accounts:password_change"),
}


def classify(route: Route) -> str | None:
    if route.callback is serve:
        return "files"
    if route.route.startswith(ADMIN_PREFIX):
        return "admin"
    if route.key in PUBLIC:
        return "public"
    if route.key in LOGIN_FLOW:
        return "login"
    if route.key in EDITOR_UPLOADS:
        return "editor upload"
    if route.key in WORKSPACE:
        return "workspace"
    return None


# --- objects of an institution -------------------------------------------------------------------------


def _error_report(institution, admin):
    return error_report_submit(
        institution=institution,
        by=admin,
        item_type=ErrorItemType.CERTIFICATE,
        item_id=CertificateFactory(institution=institution).pk,
        description="有效期至应为 2027-05-31。",
        evidence=[upload("证书变更通知.pdf", PDF_BYTES, "application/pdf")],
    )


def _invitation_to(user):
    inviter = MembershipFactory(role=MembershipRole.ADMIN)
    return invitation_create(institution=inviter.institution, by=inviter.user, user=user)


def _rectification_order(institution, admin):
    from rectification.services import inspection_record, order_issue

    regulator = UserFactory(name="检查录入人")
    inspection = inspection_record(
        institution=institution,
        kind="random",
        inspected_on=datetime.date(2026, 11, 2),
        inspectors="检查员甲",
        by=regulator,
        findings=[{"category": "equipment", "severity": "general", "description": "设备未检定。"}],
    )
    return order_issue(inspection=inspection, findings=inspection.findings.all(), by=regulator)


def _rectification_evidence(institution, admin):
    from rectification.services import answer_save

    order = _rectification_order(institution, admin)
    finding = order.findings.get()
    answer_save(
        order=order,
        by=admin,
        measures={finding.pk: "已送检。"},
        evidence={finding.pk: [upload("检定证书.pdf", PDF_BYTES, "application/pdf")]},
    )
    return order.rounds.get().measures.get()


def _commitment_letter(institution, admin):
    from credit.letters import letter_upload

    # Module 05 exists only for holders of a Jiangsu-issued certificate.
    CertificateFactory(institution=institution, number=make_cma_number(authority="10"))
    return letter_upload(
        institution=institution, file=upload("信用承诺书.pdf", PDF_BYTES, "application/pdf"), by=admin
    )


def _credit_deduction(institution, admin, *, rectified: bool = False):
    """A K03 deduction of an institution module 05 applies to (a Jiangsu-issued certificate)."""
    from credit.services import event_record, events_rectified

    CertificateFactory(institution=institution, number=make_cma_number(authority="10"))
    key = f"test:{institution.pk}:k03"
    event = event_record(
        institution_id=institution.pk,
        item_code="K03",
        occurred_on=datetime.date.today() - datetime.timedelta(days=10),
        source="manual",
        source_key=key,
    )
    if rectified:
        events_rectified(source_keys=[key], rectified_on=datetime.date.today())
    return event


def _credit_bonus(institution, admin):
    from credit.applications import bonus_application_save
    from credit.models import CreditItem

    CertificateFactory(institution=institution, number=make_cma_number(authority="10"))
    return bonus_application_save(
        institution=institution,
        by=admin,
        item=CreditItem.objects.get(code="J02"),
        achieved_on=datetime.date.today() - datetime.timedelta(days=5),
        reason="取得高新技术企业证书。",
    )


def _credit_objection(institution, admin):
    from credit.applications import objection_submit

    return objection_submit(
        institution=institution,
        event=_credit_deduction(institution, admin),
        by=admin,
        reason="扣分与事实不符。",
        evidence=[upload("更正记录.pdf", PDF_BYTES, "application/pdf")],
    )


def _credit_repair(institution, admin):
    from credit.applications import repair_submit

    return repair_submit(
        institution=institution,
        event=_credit_deduction(institution, admin, rectified=True),
        by=admin,
        reason="已整改。",
        evidence=[upload("验收报告.pdf", PDF_BYTES, "application/pdf")],
    )


def _news_file(institution, admin):
    submission = NewsSubmissionFactory(institution=institution, author=admin)
    file = upload("活动通知.pdf", PDF_BYTES, "application/pdf")
    return attachment_create(owner=submission, file=file, kinds=["pdf"], by=admin)


def _report_assignment(institution, admin):
    """The institution's assignment of a published task of the built-in 07 template (issued by the
    province, whose jurisdiction holds every institution)."""
    from reporting.models import ReportAssignment
    from tests.reporting.factories import task_published

    regulator = RegulatorFactory(region_code="320000", bureau="江苏省市场监督管理局").user
    task = task_published(regulator, criteria={"usccs": [institution.uscc]})
    return ReportAssignment.objects.get(task=task, institution=institution)


def _centers_enabled(institution):
    institution.centers_enabled = True
    institution.save(update_fields=["centers_enabled"])
    return institution


def _center_construction(institution, admin):
    from tests.centers.factories import construction_submitted

    return construction_submitted(_centers_enabled(institution), admin)


def _center(institution, admin):
    """A center 筹建中 with task book v1 approved (decisions taken by trusted code, no regulator side)."""
    from centers.services import construction_approve, taskbook_approve, taskbook_save
    from sujt.core.workflow import transition
    from tests.centers.factories import indicator_rows

    application = _center_construction(institution, admin)
    transition(obj=application, name="city_approve", by=None)
    construction_approve(application=application, by=None)
    center = application.center
    center.refresh_from_db()
    task_book = taskbook_save(center=center, by=admin, indicators=indicator_rows(center), submit=True)
    taskbook_approve(task_book=task_book, by=None)
    center.refresh_from_db()
    return center


def _center_registration(institution, admin):
    from centers.services import registration_save

    return registration_save(
        institution=_centers_enabled(institution),
        by=admin,
        data={
            "name": "系统外登记中心",
            "level": "provincial",
            "kind": "metrology",
            "product_scope": "计量器具",
            "industry": "计量",
            "approval_number": "苏质监函〔2018〕3号",
            "approved_on": datetime.date(2018, 3, 1),
            "stage": "running",
            "construction_due_on": None,
            "accepted_on": datetime.date(2019, 6, 1),
            "acceptance_grade": "pass",
        },
    )


def _center_progress(institution, admin):
    from centers.services import progress_save

    center = _center(institution, admin)
    indicator = center.task_book.indicators.first()
    return progress_save(
        center=center,
        by=admin,
        narrative="设备已到货。",
        entries=[{"indicator_id": indicator.pk, "actual_value": 10, "percent": None}],
    )


def _center_acceptance(institution, admin):
    from centers.services import acceptance_save
    from tests.centers.factories import evaluation_rows

    center = _center(institution, admin)
    return acceptance_save(
        center=center, by=admin, summary="已完成建设。", evaluations=evaluation_rows(center)
    )


# A private file is served under the rule of the page that shows it (DESIGN §6): owner builder -> the
# module permission of that page.
ATTACHMENT_OWNERS: dict[str, tuple[Callable[[Any, Any], int], str]] = {
    "error report evidence": (
        lambda i, admin: attachments_of(_error_report(i, admin)).get().pk,
        "manage_profile",
    ),
    "news submission file": (lambda i, admin: _news_file(i, admin).pk, "submit_news"),
    "rectification evidence": (
        lambda i, admin: attachments_of(_rectification_evidence(i, admin)).get().pk,
        "handle_rectification",
    ),
}

# key -> (institution, its admin) -> the pk a URL takes
OBJECT_BUILDERS: dict[str, Callable[[Any, Any], int]] = {
    "membership": lambda institution, admin: MembershipFactory(institution=institution).pk,
    "certificate": lambda institution, admin: CertificateFactory(institution=institution).pk,
    "copyright": lambda institution, admin: SoftwareCopyrightFactory(institution=institution).pk,
    "patent": lambda institution, admin: PatentFactory(institution=institution).pk,
    "trademark": lambda institution, admin: TrademarkFactory(institution=institution).pk,
    "error_report": lambda institution, admin: _error_report(institution, admin).pk,
    "news_submission": lambda institution, admin: (
        NewsSubmissionFactory(institution=institution, author=admin).pk
    ),
    "rectification_order": lambda institution, admin: _rectification_order(institution, admin).pk,
    "commitment_letter": lambda institution, admin: _commitment_letter(institution, admin).pk,
    "credit_deduction": lambda institution, admin: _credit_deduction(institution, admin).pk,
    "credit_bonus": lambda institution, admin: _credit_bonus(institution, admin).pk,
    "credit_objection": lambda institution, admin: _credit_objection(institution, admin).pk,
    "credit_repair": lambda institution, admin: _credit_repair(institution, admin).pk,
    # An objection's evidence: served by credit's own view, never by core's generic download.
    "credit_evidence": lambda institution, admin: (
        attachments_of(_credit_objection(institution, admin)).get().pk
    ),
    "center": lambda institution, admin: _center(institution, admin).pk,
    "center_construction": lambda institution, admin: _center_construction(institution, admin).pk,
    "center_registration": lambda institution, admin: _center_registration(institution, admin).pk,
    "center_taskbook": lambda institution, admin: _center(institution, admin).task_book_id,
    "center_progress": lambda institution, admin: _center_progress(institution, admin).pk,
    "center_acceptance": lambda institution, admin: _center_acceptance(institution, admin).pk,
    "report_assignment": lambda institution, admin: _report_assignment(institution, admin).pk,
    # A feasibility report: served by the module's own view, never by core's generic download.
    "center_file": lambda institution, admin: (
        attachments_of(_center_construction(institution, admin)).get().pk
    ),
    "notification": lambda institution, admin: (
        Notification.objects.create(recipient=admin, title="审核结果通知").pk
    ),
    "attachment": ATTACHMENT_OWNERS["error report evidence"][0],
    # An invitation the institution sent / one addressed to the admin (by a third institution).
    "invitation_from": lambda institution, admin: (
        invitation_create(institution=institution, by=admin, user=UserFactory()).pk
    ),
    "invitation_to": lambda institution, admin: _invitation_to(admin).pk,
}


def unregistered(route: Route) -> str | None:
    """Why the walk cannot check a route, or None when it can."""
    kind = classify(route)
    if kind is None:
        return f"new URL {route.key!r} ({route.route}) has no entry in the permission walk"
    if kind == "workspace":
        access = WORKSPACE[route.key]
        if access.needs not in {MEMBER, LOGGED_IN, *MODULE_PERMISSION_CODES}:
            return f"URL {route.key!r} needs an unknown module permission {access.needs!r}"
        if set(route.params) - {"pk"}:
            return f"URL {route.key!r} takes {route.params}: the permission walk cannot build it"
        if route.params and access.obj not in OBJECT_BUILDERS:
            return f"URL {route.key!r} takes an object id but has no object builder in the permission walk"
        if not route.params and access.obj is not None:
            return f"URL {route.key!r} takes no object id but names an object builder"
    return None


# --- requests ------------------------------------------------------------------------------------------


def open_url(client: Client, url: str):
    """GET, or POST for a URL that accepts only POST (the checks come before any action)."""
    response = client.get(url)
    return client.post(url) if response.status_code == 405 else response


def is_login_redirect(response, login_url: str) -> bool:
    return response.status_code == 302 and response["Location"].startswith(login_url)


def _routes(kind: str) -> list[Route]:
    return [route for route in ROUTES if classify(route) == kind and unregistered(route) is None]


def _admin_url(route: Route) -> str:
    """A concrete URL of an admin pattern: "1" for each id, the first choice of an alternation."""

    def sample(match: re.Match) -> str:
        body = match[2]
        return body.split("|")[0] if re.fullmatch(r"\w+(\|\w+)*", body) else "1"

    text = re.sub(r"\((\?P<\w+>)?([^()]*)\)", sample, route.route)
    text = re.sub(r"<(?:\w+:)?\w+>", "1", text)
    return "/" + text.removeprefix("^").removesuffix("$")


# --- the tests -----------------------------------------------------------------------------------------


def test_every_url_pattern_is_registered_in_the_permission_walk():
    problems = [problem for route in ROUTES if (problem := unregistered(route))]
    assert not problems, "\n".join(problems)


def test_the_walk_reaches_every_module():
    keys = {route.key for route in ROUTES}
    for sample in ("portal:dashboard", "accounts:user_edit", "institutions:ip_list", "news:submission_edit"):
        assert sample in keys
    assert len(_routes("admin")) > 20


def test_every_registered_name_still_exists():
    keys = {route.key for route in ROUTES}
    stale = sorted((PUBLIC | LOGIN_FLOW | EDITOR_UPLOADS | set(WORKSPACE) | set(SHADOWED)) - keys)
    assert not stale, f"registered in the permission walk but no longer a URL: {stale}"


@pytest.mark.parametrize("route", _routes("workspace"), ids=lambda route: route.key)
def test_workspace_url_needs_login_and_its_permission(
    route, client_for, institution, other_institution, inst_admin, other_inst_admin
):
    access = WORKSPACE[route.key]
    login_url = reverse("accounts:login")

    def url_for(pk: int | None) -> str:
        return reverse(route.key, kwargs={"pk": pk} if pk is not None else None)

    others = own = None
    if access.obj is not None:
        build = OBJECT_BUILDERS[access.obj]
        others = build(other_institution, other_inst_admin)
        own = build(institution, inst_admin)

    assert is_login_redirect(open_url(Client(), url_for(others)), login_url), (
        f"{route.key}: anonymous is not sent to the login page"
    )
    if access.needs == MEMBER:
        assert open_url(client_for("lone_user"), url_for(own)).status_code == 404, (
            f"{route.key}: open to a user of no institution"
        )
    elif access.needs != LOGGED_IN:
        status = open_url(client_for("inst_staff"), url_for(own)).status_code
        assert status in (403, 404), f"{route.key}: a member without {access.needs} gets {status}"
    if access.obj is not None:
        status = open_url(client_for("inst_admin"), url_for(others)).status_code
        assert status == 404, f"{route.key}: another institution's {access.obj} answers {status}"
        status = open_url(client_for("inst_admin"), url_for(own)).status_code
        assert status not in (403, 404), f"{route.key}: the institution's own {access.obj} answers {status}"


@pytest.mark.parametrize("owner", list(ATTACHMENT_OWNERS))
def test_a_private_file_needs_the_permission_of_the_page_showing_it(
    client_for, grant, institution, inst_admin, inst_staff, owner
):
    build, perm = ATTACHMENT_OWNERS[owner]
    url = reverse("core:attachment_download", args=[build(institution, inst_admin)])
    assert client_for("inst_staff").get(url).status_code == 404
    grant(inst_staff, institution, perm)
    assert client_for("inst_staff").get(url).status_code == 200


@pytest.fixture
def lone_user(db):
    return UserFactory(name="无机构用户")


@pytest.mark.parametrize("who", ["anonymous", "inst_admin"])
def test_admin_urls_send_anyone_but_staff_to_the_admin_login(client_for, who):
    client = client_for(who)
    admin_login = reverse("admin:login")
    wrong = []
    for route in _routes("admin"):
        if route.key in SHADOWED:
            continue
        url = _admin_url(route)
        if resolve(url).func is not route.callback:
            wrong.append(f"{route.key}: {url} does not reach its view")
            continue
        response = client.get(url)
        if route.key in ADMIN_OPEN:
            status, target = ADMIN_OPEN[route.key]
            ok = response.status_code == status and response.get("Location") == (target and reverse(target))
        else:
            ok = is_login_redirect(response, admin_login)
        if not ok:
            wrong.append(f"{route.key}: {url} answers {response.status_code} {response.get('Location', '')}")
    assert not wrong, "\n".join(wrong)


def test_a_shadowed_admin_url_reaches_the_project_view_instead(client):
    for key in SHADOWED:
        url = reverse(key)
        assert resolve(url).func is not next(route.callback for route in ROUTES if route.key == key)
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("accounts:password_change")


@pytest.mark.parametrize("who", ["anonymous", "inst_admin", "city_regulator"])
@pytest.mark.parametrize("route", _routes("editor upload"), ids=lambda route: route.key)
def test_the_editor_upload_takes_nothing_from_anyone(client_for, route, who):
    assert client_for(who).post(reverse(route.key)).status_code == 404


@pytest.mark.parametrize(
    "route", [route for route in _routes("public") if not route.params], ids=lambda route: route.key
)
def test_public_pages_do_not_ask_for_a_login(db, client, route):
    response = client.get(reverse(route.key))
    assert not is_login_redirect(response, reverse("accounts:login"))
    assert response.status_code != 403


def test_the_login_page_is_open(client):
    assert client.get(reverse("accounts:login")).status_code == 200


def test_an_unregistered_url_fails_the_walk():
    route = Route(
        key="credit:score", name="credit:score", route="credit/", callback=lambda r: None, params=()
    )
    assert unregistered(route) == "new URL 'credit:score' (credit/) has no entry in the permission walk"
    with_object = Route(
        key="news:submission_detail",
        name="news:submission_detail",
        route="x/<int:pk>/",
        callback=lambda r: None,
        params=("pk",),
    )
    assert unregistered(with_object) is None
    unknown_param = Route(
        key="news:submission_detail",
        name="news:submission_detail",
        route="x/<slug:token>/",
        callback=lambda r: None,
        params=("token",),
    )
    assert "cannot build" in unregistered(unknown_param)
