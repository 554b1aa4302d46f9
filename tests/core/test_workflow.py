import pytest
from django.core.exceptions import ValidationError

from sujt.core import workflow
from sujt.core.choices import ReviewStatus as S
from sujt.core.models import Notification, ReviewTransition
from sujt.core.tasks import notify_transition_task
from sujt.core.workflow import (
    InvalidTransition,
    notices,
    review_approve,
    review_reject,
    review_resubmit,
    review_return,
    review_submit,
    review_withdraw,
    transitions_of,
)
from tests.factories import MembershipFactory, RegulatorFactory

pytestmark = pytest.mark.django_db

# service, the states it starts from, the state it leads to
SERVICES = {
    "submit": (review_submit, {S.DRAFT}, S.SUBMITTED),
    "resubmit": (review_resubmit, {S.RETURNED}, S.SUBMITTED),
    "approve": (review_approve, {S.SUBMITTED}, S.APPROVED),
    "return": (review_return, {S.SUBMITTED}, S.RETURNED),
    "reject": (review_reject, {S.SUBMITTED}, S.REJECTED),
    "withdraw": (review_withdraw, {S.DRAFT, S.SUBMITTED}, S.WITHDRAWN),
}
ALLOWED = [(name, start) for name, (_f, starts, _to) in SERVICES.items() for start in sorted(starts)]
FORBIDDEN = [
    (name, start) for name, (_f, starts, _to) in SERVICES.items() for start in S.values if start not in starts
]


def test_the_transition_table_is_the_designed_one():
    assert len(ALLOWED) == 7
    assert len(FORBIDDEN) == 6 * 6 - 7


@pytest.mark.parametrize(("name", "start"), ALLOWED)
def test_allowed_transition_changes_status_and_logs_it(name, start, make_submission, inst_admin):
    service, _starts, target = SERVICES[name]
    submission = make_submission(status=start)

    log = service(obj=submission, by=inst_admin, comment="意见")

    assert submission.status == target
    submission.refresh_from_db()
    assert submission.status == target
    assert submission.status_changed_by == inst_admin
    assert submission.status_changed_at is not None
    assert list(transitions_of(submission)) == [log]
    assert (log.from_status, log.to_status, log.by, log.comment) == (start, target, inst_admin, "意见")


@pytest.mark.parametrize(("name", "start"), FORBIDDEN)
def test_forbidden_transition_raises_and_changes_nothing(name, start, make_submission, inst_admin):
    service, _starts, _target = SERVICES[name]
    submission = make_submission(status=start)

    with pytest.raises(InvalidTransition) as excinfo:
        service(obj=submission, by=inst_admin, comment="意见")

    submission.refresh_from_db()
    assert submission.status == start
    assert submission.status_changed_by is None
    assert not ReviewTransition.objects.exists()
    assert f"当前状态为「{S(start).label}」" in str(excinfo.value)
    assert "请刷新后重试" in str(excinfo.value)


def test_a_stale_object_cannot_be_decided_twice(make_submission, city_regulator, province_regulator):
    submission = make_submission(status=S.SUBMITTED)
    stale_copy = type(submission).objects.get(pk=submission.pk)
    review_approve(obj=submission, by=city_regulator)

    with pytest.raises(InvalidTransition, match="已通过"):
        review_reject(obj=stale_copy, by=province_regulator, comment="材料不全")
    assert ReviewTransition.objects.count() == 1


def test_deleted_object_is_reported_as_gone(make_submission, city_regulator):
    submission = make_submission(status=S.SUBMITTED)
    type(submission).objects.filter(pk=submission.pk).delete()
    with pytest.raises(InvalidTransition, match="不存在或已被删除"):
        review_approve(obj=submission, by=city_regulator)


def test_submit_sets_submitted_at_and_decisions_keep_the_comment(draft, inst_admin, city_regulator):
    review_submit(obj=draft, by=inst_admin)
    assert draft.submitted_at is not None
    assert draft.review_comment == ""

    review_return(obj=draft, by=city_regulator, comment="  请补充盖章页  ")
    assert draft.review_comment == "请补充盖章页"


@pytest.mark.parametrize("service", [review_return, review_reject])
@pytest.mark.parametrize("comment", ["", "   "])
def test_return_and_reject_need_a_comment(service, comment, make_submission, city_regulator):
    submission = make_submission(status=S.SUBMITTED)
    with pytest.raises(ValidationError, match="必须填写审核意见"):
        service(obj=submission, by=city_regulator, comment=comment)
    submission.refresh_from_db()
    assert submission.status == S.SUBMITTED
    assert not ReviewTransition.objects.exists()


def test_returned_submission_can_be_resubmitted_and_approved(draft, inst_admin, city_regulator):
    review_submit(obj=draft, by=inst_admin)
    review_return(obj=draft, by=city_regulator, comment="请补充盖章页")
    assert draft.is_editable_by_institution
    review_resubmit(obj=draft, by=inst_admin)
    review_approve(obj=draft, by=city_regulator, comment="同意")

    steps = [(t.from_status, t.to_status, t.by) for t in transitions_of(draft)]
    assert steps == [
        (S.DRAFT, S.SUBMITTED, inst_admin),
        (S.SUBMITTED, S.RETURNED, city_regulator),
        (S.RETURNED, S.SUBMITTED, inst_admin),
        (S.SUBMITTED, S.APPROVED, city_regulator),
    ]
    assert not draft.is_editable_by_institution


def test_unsaved_edits_survive_a_transition(draft, inst_admin):
    draft.title = "尚未保存的标题"
    review_submit(obj=draft, by=inst_admin)
    assert draft.title == "尚未保存的标题"
    assert draft.status == S.SUBMITTED


def test_each_transition_leaves_a_history_row_naming_the_actor(draft, inst_admin, city_regulator):
    review_submit(obj=draft, by=inst_admin)
    review_approve(obj=draft, by=city_regulator)
    rows = list(draft.history.order_by("history_date", "history_id"))
    assert [(r.status, r.history_user) for r in rows] == [
        (S.DRAFT, None),
        (S.SUBMITTED, inst_admin),
        (S.APPROVED, city_regulator),
    ]
    assert rows[-1].history_change_reason == "待审核 → 已通过"


# --- notifications to the other side --------------------------------------------------------------


def recipients_of(title_part: str) -> set:
    return set(
        Notification.objects.filter(title__contains=title_part).values_list("recipient__name", flat=True)
    )


def test_submission_notifies_the_city_step_reviewers_only(
    draft,
    inst_staff,
    inst_admin,
    city_regulator,
    province_regulator,
    other_city_regulator,
    district_regulator,
    other_district_regulator,
    other_inst_admin,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        review_submit(obj=draft, by=inst_staff)

    # The common review is one city step: the institution's city bureau and its own district's bureau
    # are told, not the province (which may still decide it) nor another district or city.
    assert recipients_of("待审核") == {"南京监管员", "玄武区监管员"}
    notification = Notification.objects.filter(recipient=city_regulator).get()
    assert notification.title == "待审核：测试申报「2026年度信用承诺书」"
    assert "金陵测试检测技术有限公司提交了测试申报" in notification.body
    assert notification.url == f"/admin/workflow_app/submission/{draft.pk}/change/"
    assert notification.read_at is None


@pytest.mark.parametrize(
    ("service", "comment", "title", "phrase"),
    [
        (review_approve, "", "审核通过：", "已审核通过"),
        (review_return, "请补充盖章页", "已退回：", "审核意见：请补充盖章页"),
        (review_reject, "不符合申报条件", "未通过：", "审核意见：不符合申报条件"),
    ],
)
def test_decision_notifies_the_institution_admins_and_the_submitter(
    service,
    comment,
    title,
    phrase,
    draft,
    inst_staff,
    inst_admin,
    city_regulator,
    province_regulator,
    other_inst_admin,
    django_capture_on_commit_callbacks,
):
    MembershipFactory(institution=draft.institution, role="admin", is_active=False, user__name="已停用管理员")
    review_submit(obj=draft, by=inst_staff)
    Notification.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        service(obj=draft, by=city_regulator, comment=comment)

    assert recipients_of(title) == {"机构管理员甲", "经办人乙"}
    assert Notification.objects.count() == 2
    body = Notification.objects.filter(recipient=inst_admin).get().body
    assert phrase in body
    assert Notification.objects.get(recipient=inst_admin).url == draft.get_absolute_url()


def test_resubmission_says_it_is_a_resubmission(
    make_submission, inst_admin, city_regulator, django_capture_on_commit_callbacks
):
    submission = make_submission(status=S.RETURNED)
    with django_capture_on_commit_callbacks(execute=True):
        review_resubmit(obj=submission, by=inst_admin)
    notification = Notification.objects.get(recipient=city_regulator)
    assert notification.title.startswith("重新提交待审核：")
    assert "按退回意见修改后重新提交" in notification.body


def test_withdrawing_a_submission_tells_the_regulators_but_a_draft_tells_nobody(
    make_submission, inst_admin, city_regulator, django_capture_on_commit_callbacks
):
    pending, unsent = make_submission(status=S.SUBMITTED), make_submission(status=S.DRAFT, title="草稿")
    with django_capture_on_commit_callbacks(execute=True):
        review_withdraw(obj=pending, by=inst_admin)
        review_withdraw(obj=unsent, by=inst_admin)
    assert list(Notification.objects.values_list("recipient", "title")) == [
        (city_regulator.pk, "已撤回：测试申报「2026年度信用承诺书」")
    ]


def test_inactive_regulators_are_not_notified(
    draft, inst_admin, city_regulator, django_capture_on_commit_callbacks
):
    city_regulator.regulator.is_active = False
    city_regulator.regulator.save()
    with django_capture_on_commit_callbacks(execute=True):
        review_submit(obj=draft, by=inst_admin)
    assert not Notification.objects.exists()


def test_nobody_is_notified_before_the_transaction_commits(draft, inst_admin, city_regulator):
    # The test transaction never commits, so the on-commit notification never runs.
    review_submit(obj=draft, by=inst_admin)
    assert not Notification.objects.exists()


def test_the_notification_task_is_safe_to_run_twice(
    draft, inst_admin, city_regulator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        review_submit(obj=draft, by=inst_admin)
    notify_transition_task.delay("workflow_app.Submission", draft.pk, S.SUBMITTED)
    notify_transition_task("workflow_app.Submission", draft.pk, S.SUBMITTED)
    assert Notification.objects.count() == 1
    assert ReviewTransition.objects.get().notified_at is not None


def test_without_a_party_resolver_nobody_is_notified_and_nothing_breaks(
    draft, inst_admin, city_regulator, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(notices, "_party_resolver", None)
    with django_capture_on_commit_callbacks(execute=True):
        review_submit(obj=draft, by=inst_admin)
    assert draft.status == S.SUBMITTED
    assert not Notification.objects.exists()


def test_a_submitter_who_left_the_institution_is_not_told_the_decision(
    draft, inst_staff, inst_admin, city_regulator, django_capture_on_commit_callbacks
):
    review_submit(obj=draft, by=inst_staff)
    inst_staff.memberships.update(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        review_approve(obj=draft, by=city_regulator)
    assert list(Notification.objects.values_list("recipient", flat=True)) == [inst_admin.pk]


def test_the_party_resolver_finds_each_side(
    institution, inst_admin, inst_staff, other_inst_admin, district_regulator
):
    from sujt.accounts.parties import review_party_resolver

    city = RegulatorFactory(region_code="320100").user
    province = RegulatorFactory(region_code="320000").user
    RegulatorFactory(region_code="320500")  # Suzhou: not over a Nanjing institution
    RegulatorFactory(region_code="320104")  # another Nanjing district
    RegulatorFactory(region_code="320100", user__is_active=False)

    def side(name):
        return {user.pk for user in review_party_resolver(institution=institution, side=name)}

    assert side(workflow.REGULATOR_SIDE) == {city.pk, province.pk, district_regulator.pk}
    assert side(workflow.INSTITUTION_SIDE) == {inst_admin.pk}
    assert side(workflow.MEMBER_SIDE) == {inst_admin.pk, inst_staff.pk}
    with pytest.raises(ValueError):
        review_party_resolver(institution=institution, side="public")
