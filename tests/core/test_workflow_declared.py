"""A declared two-step workflow (tests/core/workflow_app Report: institution → city → province, and a
system 逾期) run by the core engine: transitions, sides, who is told at each step, labels and badges read
from the declaration, and the regulators' daily digest."""

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models
from django.template import Context, Template

from sujt.core.models import DigestItem, Notification, ReviewTransition
from sujt.core.notifications import notification_preference_set, review_digest_send
from sujt.core.workflow import (
    REVIEW_WORKFLOW,
    InvalidTransition,
    Side,
    Transition,
    Workflow,
    regulator_side,
    transition,
    transitions_of,
)
from tests.core.workflow_app.models import REPORT_WORKFLOW, Report
from tests.core.workflow_app.models import ReportStatus as R

pytestmark = pytest.mark.django_db


@pytest.fixture
def make_report(institution):
    def make(status: str = R.DRAFT, **kwargs) -> Report:
        kwargs.setdefault("institution", institution)
        kwargs.setdefault("title", "2026年度运营数据报表")
        return Report.objects.create(status=status, **kwargs)

    return make


@pytest.fixture
def everyone(
    inst_admin,
    inst_staff,
    other_inst_admin,
    city_regulator,
    other_city_regulator,
    province_regulator,
    district_regulator,
    other_district_regulator,
):
    """Every party that could be told, so a test sees who is not."""


def told(title_part: str = "") -> set[str]:
    return set(
        Notification.objects.filter(title__contains=title_part).values_list("recipient__name", flat=True)
    )


# --- The engine runs the declaration ----------------------------------------------------------------


def test_the_two_step_path_logs_each_action_with_its_labels(
    make_report, inst_staff, city_regulator, province_regulator
):
    report = make_report()
    transition(obj=report, name="submit", by=inst_staff, side=Side.INSTITUTION)
    assert report.status == R.CITY_REVIEW and report.submitted_at is not None
    transition(obj=report, name="city_approve", by=city_regulator, comment="同意", side=Side.CITY)
    transition(obj=report, name="province_approve", by=province_regulator, side=Side.PROVINCE)

    report.refresh_from_db()
    assert report.status == R.APPROVED
    logs = list(transitions_of(report))
    assert [(t.action, t.from_status, t.to_status, t.by) for t in logs] == [
        ("submit", R.DRAFT, R.CITY_REVIEW, inst_staff),
        ("city_approve", R.CITY_REVIEW, R.PROVINCE_REVIEW, city_regulator),
        ("province_approve", R.PROVINCE_REVIEW, R.APPROVED, province_regulator),
    ]
    assert [str(t) for t in logs] == ["草稿 → 待市局审核", "待市局审核 → 待省局审核", "待省局审核 → 已通过"]
    assert [t.get_action_display() for t in logs] == ["提交", "市局审核通过", "省局审核通过"]
    assert [t.side for t in logs] == [Side.INSTITUTION, Side.CITY, Side.PROVINCE]
    history = list(report.history.order_by("history_date", "history_id"))
    assert [(h.status, h.history_user) for h in history][1:] == [
        (R.CITY_REVIEW, inst_staff),
        (R.PROVINCE_REVIEW, city_regulator),
        (R.APPROVED, province_regulator),
    ]
    assert history[-1].history_change_reason == "待省局审核 → 已通过"


@pytest.mark.parametrize(
    ("start", "name", "side"),
    [
        (R.PROVINCE_REVIEW, "province_approve", Side.CITY),  # a city regulator cannot take the province step
        (R.CITY_REVIEW, "city_approve", Side.INSTITUTION),  # nor an institution a regulator's step
        (R.DRAFT, "submit", Side.CITY),  # nor a regulator the institution's
        (R.DRAFT, "overdue", Side.INSTITUTION),  # nor anyone the scheduled job's
    ],
)
def test_a_side_may_take_only_its_own_transitions(start, name, side, make_report, city_regulator):
    report = make_report(status=start)
    with pytest.raises(InvalidTransition, match=r"须由.*办理"):
        transition(obj=report, name=name, by=city_regulator, side=side)
    report.refresh_from_db()
    assert report.status == start
    assert not ReviewTransition.objects.exists()


def test_the_province_may_take_the_city_step(make_report, province_regulator):
    report = make_report(status=R.CITY_REVIEW)
    transition(
        obj=report, name="city_approve", by=province_regulator, side=regulator_side(province_regulator)
    )
    assert report.status == R.PROVINCE_REVIEW


def test_regulator_side_follows_the_jurisdiction(
    city_regulator, province_regulator, district_regulator, inst_admin
):
    assert regulator_side(city_regulator) == Side.CITY
    assert regulator_side(district_regulator) == Side.CITY
    assert regulator_side(province_regulator) == Side.PROVINCE
    assert regulator_side(inst_admin) is None


@pytest.mark.parametrize("name", ["city_return", "province_return"])
def test_a_return_needs_a_comment(name, make_report, province_regulator):
    start = R.CITY_REVIEW if name == "city_return" else R.PROVINCE_REVIEW
    report = make_report(status=start)
    with pytest.raises(ValidationError, match="必须填写审核意见"):
        transition(obj=report, name=name, by=province_regulator, comment="  ")
    transition(obj=report, name=name, by=province_regulator, comment="请补充附表")
    assert (report.status, report.review_comment) == (R.RETURNED, "请补充附表")


def test_a_transition_from_the_wrong_state_names_the_state_and_the_action(make_report, province_regulator):
    report = make_report(status=R.CITY_REVIEW)
    with pytest.raises(InvalidTransition) as excinfo:
        transition(obj=report, name="province_approve", by=province_regulator)
    assert (
        str(excinfo.value)
        == "该事项当前状态为「待市局审核」，不能省局审核通过。可能已被他人处理，请刷新后重试。"
    )


def test_the_system_marks_overdue_without_a_user(make_report, inst_admin, django_capture_on_commit_callbacks):
    report = make_report(status=R.RETURNED)
    with django_capture_on_commit_callbacks(execute=True):
        log = transition(obj=report, name="overdue", by=None, side=Side.SYSTEM)
    assert (report.status, log.by, log.action) == (R.OVERDUE, None, "overdue")
    assert report.is_editable_by_institution  # an overdue report may still be handed in
    assert told("已逾期") == {"机构管理员甲"}


def test_a_guard_refuses_with_its_reason(make_report, inst_admin, monkeypatch):
    guarded = REPORT_WORKFLOW.extend(
        name="guarded",
        transitions=[
            Transition(
                "close",
                source={R.DRAFT},
                target=R.APPROVED,
                side=Side.INSTITUTION,
                label="办结",
                guard=lambda obj, by: None if obj.title.startswith("已") else "请先填写标题。",
            )
        ],
    )
    monkeypatch.setattr(Report, "workflow", guarded)
    report = make_report()
    with pytest.raises(ValidationError, match="请先填写标题"):
        transition(obj=report, name="close", by=inst_admin)
    report.title = "已填写"
    transition(obj=report, name="close", by=inst_admin)
    assert report.status == R.APPROVED


def test_a_declaration_naming_unknown_states_or_twice_the_same_transition_is_refused():
    class States(models.TextChoices):
        A = "a", "甲"
        B = "b", "乙"

    with pytest.raises(ImproperlyConfigured, match="unknown"):
        Workflow(name="x", states=States, transitions=[Transition("go", {"a"}, "c", Side.SYSTEM, "走")])
    with pytest.raises(ImproperlyConfigured, match="twice"):
        Workflow(
            name="x",
            states=States,
            transitions=[
                Transition("go", {"a"}, "b", Side.SYSTEM, "走"),
                Transition("go", {"b"}, "a", Side.SYSTEM, "回"),
            ],
        )


def test_the_common_review_is_one_declared_workflow():
    assert {t.name: (sorted(t.source), t.target, t.side) for t in REVIEW_WORKFLOW.transitions} == {
        "submit": (["draft"], "submitted", Side.INSTITUTION),
        "resubmit": (["returned"], "submitted", Side.INSTITUTION),
        "approve": (["submitted"], "approved", Side.CITY),
        "return": (["submitted"], "returned", Side.CITY),
        "reject": (["submitted"], "rejected", Side.CITY),
        "withdraw": (["draft", "submitted"], "withdrawn", Side.INSTITUTION),
    }
    assert REVIEW_WORKFLOW.reviewers_at("submitted") == [Side.CITY]


# --- Who is told --------------------------------------------------------------------------------------


def test_each_step_tells_the_people_who_act_next(
    make_report, everyone, inst_staff, city_regulator, province_regulator, django_capture_on_commit_callbacks
):
    report = make_report()

    with django_capture_on_commit_callbacks(execute=True):
        transition(obj=report, name="submit", by=inst_staff)
    # The city step: the institution's city bureau and its own district's, not 秦淮区, 苏州 or the province.
    assert told() == {"南京监管员", "玄武区监管员"}
    message = Notification.objects.get(recipient=city_regulator)
    assert message.title == "待市局审核：测试报表「2026年度运营数据报表」"
    assert message.url == f"/admin/workflow_app/report/{report.pk}/change/"

    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        transition(obj=report, name="city_approve", by=city_regulator)
    assert told() == {"省局监管员"}

    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        transition(obj=report, name="province_return", by=province_regulator, comment="请补充附表")
    # Back to the institution: its admins and the submitter.
    assert told() == {"机构管理员甲", "经办人乙"}
    assert "审核意见：请补充附表" in Notification.objects.get(recipient=inst_staff).body


def test_the_other_citys_institution_goes_to_its_own_city(
    make_report, everyone, other_institution, django_capture_on_commit_callbacks, other_inst_admin
):
    report = make_report(institution=other_institution)
    with django_capture_on_commit_callbacks(execute=True):
        transition(obj=report, name="submit", by=other_inst_admin)
    assert told() == {"苏州监管员"}


# --- Labels and badges from the declaration -------------------------------------------------------------


def render(source: str, **context) -> str:
    return Template("{% load workflow %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("state", "html"),
    [
        (R.CITY_REVIEW, '<span class="badge badge-info" data-status="city_review">待市局审核</span>'),
        (R.OVERDUE, '<span class="badge badge-danger" data-status="overdue">已逾期</span>'),
        (R.DRAFT, '<span class="badge badge-muted" data-status="draft">草稿</span>'),
    ],
)
def test_the_status_badge_reads_label_and_tone_from_the_declaration(state, html, make_report):
    assert render("{% status_badge report %}", report=make_report(status=state)) == html


def test_the_common_reviews_badge_too(make_submission):
    html = render("{% status_badge s %}", s=make_submission(status="returned"))
    assert html == '<span class="badge badge-warning" data-status="returned">已退回</span>'


def test_the_transitions_partial_shows_the_bureau_the_system_and_declared_labels(
    make_report, inst_staff, city_regulator
):
    report = make_report()
    transition(obj=report, name="submit", by=inst_staff)
    transition(obj=report, name="city_return", by=city_regulator, comment="请补充")
    transition(obj=report, name="overdue", by=None, side=Side.SYSTEM)
    html = render(
        '{% include "core/includes/review_transitions.html" with caption="记录" %}',
        transitions=list(transitions_of(report)),
    )
    assert "经办人乙" in html and "监管部门" in html and "系统" in html
    assert "南京监管员" not in html
    assert "待市局审核 → 已退回" in html and "已退回 → 已逾期" in html


# --- The daily digest -------------------------------------------------------------------------------------


def test_a_digest_regulator_gets_one_message_a_day_listing_the_pending_items(
    make_report, everyone, inst_admin, city_regulator, district_regulator, django_capture_on_commit_callbacks
):
    notification_preference_set(user=city_regulator, review_mode="digest")
    first, second = make_report(title="一季度报表"), make_report(title="二季度报表")
    with django_capture_on_commit_callbacks(execute=True):
        transition(obj=first, name="submit", by=inst_admin)
        transition(obj=second, name="submit", by=inst_admin)

    # The district regulator kept immediate messages; the city regulator's wait for the digest.
    assert told() == {"玄武区监管员"}
    assert DigestItem.objects.filter(recipient=city_regulator, sent_at__isnull=True).count() == 2

    assert review_digest_send() == 1
    digest = Notification.objects.get(recipient=city_regulator)
    assert digest.title == "待审核事项汇总（2 项）"
    assert "1. 待市局审核：测试报表「一季度报表」" in digest.body
    assert f"/admin/workflow_app/report/{second.pk}/change/" in digest.body
    assert not DigestItem.objects.filter(sent_at__isnull=True).exists()

    assert review_digest_send() == 0  # a second run sends nothing
    assert Notification.objects.filter(recipient=city_regulator).count() == 1


def test_institutions_are_told_at_once_whatever_their_preference(
    make_report, inst_admin, city_regulator, django_capture_on_commit_callbacks
):
    notification_preference_set(user=inst_admin, review_mode="digest")
    report = make_report(status=R.CITY_REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        transition(obj=report, name="city_return", by=city_regulator, comment="请补充")
    assert told("已退回") == {"机构管理员甲"}
    assert not DigestItem.objects.exists()


def test_a_regulator_chooses_the_digest_in_the_notification_centre(client_for, city_regulator):
    client = client_for("city_regulator")
    page = client.get("/notifications/")
    assert "待审核事项通知方式" in page.content.decode()

    response = client.post("/notifications/preference/", {"review_mode": "digest"})
    assert response.status_code == 302
    assert city_regulator.notification_preference.review_mode == "digest"
    assert client.get("/notifications/").context["notice_form"].initial == {"review_mode": "digest"}


def test_institution_users_have_no_review_preference(client_for, inst_admin):
    client = client_for("inst_admin")
    assert "待审核事项通知方式" not in client.get("/notifications/").content.decode()
    assert client.post("/notifications/preference/", {"review_mode": "digest"}).status_code == 404


# --- The review queue in admin offers the declared regulator steps -------------------------------------


@pytest.fixture
def report_reviewer():
    from django.contrib.auth.models import Permission

    def grant(user):
        user.user_permissions.add(
            *Permission.objects.filter(
                content_type__app_label="workflow_app", codename__in=["view_report", "change_report"]
            )
        )
        return user

    return grant


def admin_actions(client) -> dict[str, str]:
    response = client.get("/admin/workflow_app/report/")
    assert response.status_code == 200
    return dict(response.context["action_form"].fields["action"].choices)


def test_each_regulator_sees_the_steps_of_their_side(
    client, report_reviewer, city_regulator, province_regulator, make_report
):
    make_report(status=R.CITY_REVIEW)
    client.force_login(report_reviewer(city_regulator))
    city = admin_actions(client)
    assert city["review_city_approve_selected"] == "市局审核通过所选项"
    assert city["review_city_return_selected"] == "市局退回所选项（须填写意见）"
    assert "review_province_approve_selected" not in city and "review_overdue_selected" not in city

    client.force_login(report_reviewer(province_regulator))
    assert {"review_province_approve_selected", "review_city_approve_selected"} <= set(admin_actions(client))


def test_the_city_step_in_admin_moves_the_report_to_the_province(
    client, report_reviewer, city_regulator, make_report, django_capture_on_commit_callbacks
):
    report = make_report(status=R.CITY_REVIEW)
    client.force_login(report_reviewer(city_regulator))
    data = {"action": "review_city_approve_selected", "_selected_action": [report.pk]}
    confirm = client.post("/admin/workflow_app/report/", data)
    assert "只有“待市局审核”状态的事项会被处理" in confirm.content.decode()

    client.post("/admin/workflow_app/report/", {**data, "review_confirm": "yes", "comment": "同意"})
    report.refresh_from_db()
    assert report.status == R.PROVINCE_REVIEW
    assert transitions_of(report).get().comment == "同意"


def test_a_province_step_posted_by_a_city_regulator_is_refused(
    client, report_reviewer, city_regulator, make_report
):
    report = make_report(status=R.PROVINCE_REVIEW)
    client.force_login(report_reviewer(city_regulator))
    data = {
        "action": "review_province_approve_selected",
        "_selected_action": [report.pk],
        "review_confirm": "yes",
    }
    client.post("/admin/workflow_app/report/", data)
    report.refresh_from_db()
    assert report.status == R.PROVINCE_REVIEW


def test_a_state_field_that_cannot_hold_the_declared_states_fails_the_system_check(monkeypatch):
    from sujt.core.workflow.checks import workflow_fields_check
    from tests.core.workflow_app.models import Submission

    assert workflow_fields_check() == []
    # A module that attached its own workflow but kept the common review's status field.
    monkeypatch.setattr(Submission, "workflow", REPORT_WORKFLOW)
    assert [error.id for error in workflow_fields_check()] == ["core.E021"]
