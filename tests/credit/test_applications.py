"""加分申请, 申疑 and 信用修复: the institution files them in the workspace, regulators decide them in their
review queues, and the ledger follows in the same transaction as each decision (DESIGN §7)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from credit import applications as apps
from credit.choices import Direction, EventSource, EventState
from credit.models import BonusApplication, CreditEvent, CreditItem, CreditObjection, CreditRepair
from credit.selectors import credit_result
from credit.services import calendar_states_update, event_record, events_rectified
from sujt.core.choices import ReviewStatus
from sujt.core.models import ReviewTransition
from sujt.core.registries import review_queues
from sujt.core.workflow import InvalidTransition, Side
from tests.core.samples import PDF_BYTES, upload
from tests.factories import CertificateFactory, make_cma_number

TODAY = timezone.localdate()


def pdf(name: str = "证明材料.pdf"):
    return upload(name, PDF_BYTES, "application/pdf")


def score(institution, day: datetime.date | None = None) -> Decimal:
    return credit_result(institution_id=institution.pk, day=day).score.score


def record(institution, code: str = "K03", *, key: str = "test:k03", days_ago: int = 10) -> CreditEvent:
    return event_record(
        institution_id=institution.pk,
        item_code=code,
        occurred_on=TODAY - datetime.timedelta(days=days_ago),
        source=EventSource.MANUAL,
        source_key=key,
    )


def state(event: CreditEvent) -> str:
    return CreditEvent.objects.get(pk=event.pk).state


@pytest.fixture
def jiangsu(institution):
    CertificateFactory(institution=institution, number=make_cma_number(authority="10"))
    return institution


@pytest.fixture
def deduction(jiangsu):
    return record(jiangsu)  # K03 责令限期整改, 5 points for 12 months


@pytest.fixture
def objection(deduction, jiangsu, inst_admin):
    return apps.objection_submit(
        institution=jiangsu, event=deduction, by=inst_admin, reason="该整改通知已撤销。", evidence=[pdf()]
    )


def rectified(event: CreditEvent) -> CreditEvent:
    events_rectified(source_keys=[event.source_key], rectified_on=TODAY)
    event.refresh_from_db()
    return event


# --- 申疑 ------------------------------------------------------------------------------------------


def test_a_submitted_objection_flags_the_deduction_which_still_counts(objection, deduction, jiangsu):
    assert objection.status == ReviewStatus.SUBMITTED
    assert state(deduction) == EventState.OBJECTED
    assert score(jiangsu) == Decimal("95")
    assert apps.evidence_of(objection).get().original_name == "证明材料.pdf"
    assert deduction.history.first().history_change_reason == "机构提出申疑"


def test_an_approved_objection_voids_the_deduction_and_restores_the_points(
    objection, deduction, jiangsu, city_regulator
):
    apps.objection_approve(objection=objection, by=city_regulator, comment="核实无误。", side=Side.CITY)
    assert state(deduction) == EventState.VOIDED
    assert score(jiangsu) == Decimal("100")
    objection.refresh_from_db()
    assert objection.status == ReviewStatus.APPROVED and objection.review_comment == "核实无误。"
    latest = CreditEvent.history.filter(id=deduction.pk).order_by("-history_id").first()
    assert latest.state == EventState.VOIDED and latest.history_user == city_regulator


def test_a_rejected_objection_puts_the_deduction_back_to_counting(
    objection, deduction, jiangsu, city_regulator
):
    apps.objection_reject(objection=objection, by=city_regulator, comment="证据不足。", side=Side.CITY)
    assert state(deduction) == EventState.COUNTING
    assert score(jiangsu) == Decimal("95")


def test_a_returned_objection_counts_until_resubmitted(objection, deduction, inst_admin, city_regulator):
    apps.objection_return(objection=objection, by=city_regulator, comment="请补充撤销文件。")
    assert state(deduction) == EventState.COUNTING
    # Still open: a second objection is refused, the returned one is to be changed instead.
    with pytest.raises(ValidationError, match="已被退回"):
        apps.objection_submit(
            institution=objection.institution, event=deduction, by=inst_admin, reason="再议", evidence=[pdf()]
        )
    apps.objection_resubmit(
        objection=objection, by=inst_admin, reason="已补充撤销文件。", evidence=[pdf("撤销.pdf")]
    )
    assert objection.status == ReviewStatus.SUBMITTED
    assert state(deduction) == EventState.OBJECTED
    assert apps.evidence_of(objection).count() == 2


def test_a_withdrawn_objection_puts_the_deduction_back_to_counting(objection, deduction, inst_admin):
    apps.objection_withdraw(objection=objection, by=inst_admin)
    assert objection.status == ReviewStatus.WITHDRAWN
    assert state(deduction) == EventState.COUNTING


def test_only_one_objection_at_a_time_and_only_on_a_counting_deduction(
    objection, deduction, jiangsu, inst_admin
):
    with pytest.raises(ValidationError, match="已有申疑正在审核"):
        apps.objection_submit(
            institution=jiangsu, event=deduction, by=inst_admin, reason="再议", evidence=[pdf()]
        )
    bonus = record(jiangsu, "J02", key="test:j02")
    with pytest.raises(ValidationError):
        apps.objection_submit(institution=jiangsu, event=bonus, by=inst_admin, reason="?", evidence=[pdf()])
    assert CreditObjection.objects.count() == 1


def test_an_objection_needs_a_reason_and_evidence_and_saves_nothing_otherwise(deduction, jiangsu, inst_admin):
    with pytest.raises(ValidationError) as error:
        apps.objection_submit(
            institution=jiangsu, event=deduction, by=inst_admin, reason="有异议", evidence=[]
        )
    assert "evidence" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        apps.objection_submit(
            institution=jiangsu, event=deduction, by=inst_admin, reason="  ", evidence=[pdf()]
        )
    assert "reason" in error.value.error_dict
    assert not CreditObjection.objects.exists() and state(deduction) == EventState.COUNTING


def test_another_institutions_deduction_cannot_be_objected_to(deduction, other_institution, other_inst_admin):
    with pytest.raises(ValidationError):
        apps.objection_submit(
            institution=other_institution, event=deduction, by=other_inst_admin, reason="x", evidence=[pdf()]
        )
    assert state(deduction) == EventState.COUNTING


def test_two_reviewers_cannot_both_decide(objection, deduction, city_regulator, province_regulator):
    stale = CreditObjection.objects.get(pk=objection.pk)
    apps.objection_approve(objection=objection, by=city_regulator, side=Side.CITY)
    with pytest.raises(InvalidTransition):
        apps.objection_reject(
            objection=stale, by=province_regulator, comment="不予通过。", side=Side.PROVINCE
        )
    assert state(deduction) == EventState.VOIDED
    decisions = ReviewTransition.objects.filter(object_id=objection.pk, action__in=["approve", "reject"])
    assert [t.action for t in decisions] == ["approve"]


# --- 信用修复 ---------------------------------------------------------------------------------------


def test_a_repair_needs_the_rectification_accepted(deduction, jiangsu, inst_admin):
    with pytest.raises(ValidationError, match="整改尚未通过验收"):
        apps.repair_submit(
            institution=jiangsu, event=deduction, by=inst_admin, reason="已整改", evidence=[pdf()]
        )
    repair = apps.repair_submit(
        institution=jiangsu, event=rectified(deduction), by=inst_admin, reason="已整改", evidence=[pdf()]
    )
    assert repair.status == ReviewStatus.SUBMITTED
    assert state(deduction) == EventState.COUNTING  # nothing changes until it is approved
    with pytest.raises(ValidationError, match="正在审核"):
        apps.repair_submit(
            institution=jiangsu, event=deduction, by=inst_admin, reason="再次", evidence=[pdf()]
        )
    # A repair under review also keeps objections away: its approval needs the deduction 计分中.
    with pytest.raises(ValidationError, match="修复申请正在审核"):
        apps.objection_submit(
            institution=jiangsu, event=deduction, by=inst_admin, reason="x", evidence=[pdf()]
        )


def test_an_objected_deduction_cannot_be_repaired(objection, deduction, jiangsu, inst_admin):
    with pytest.raises(ValidationError, match="正在申疑中"):
        apps.repair_submit(
            institution=jiangsu, event=rectified(deduction), by=inst_admin, reason="已整改", evidence=[pdf()]
        )


def test_a_veto_item_cannot_be_repaired_while_valid_but_can_after(jiangsu, inst_admin, city_regulator):
    valid = rectified(record(jiangsu, "K08", key="test:k08-valid", days_ago=30))  # 36 months valid
    with pytest.raises(ValidationError, match="一票否决事项在有效期内"):
        apps.repair_submit(institution=jiangsu, event=valid, by=inst_admin, reason="已整改", evidence=[pdf()])
    past = rectified(record(jiangsu, "K08", key="test:k08-past", days_ago=365 * 3 + 30))
    assert past.valid_until < TODAY
    repair = apps.repair_submit(
        institution=jiangsu, event=past, by=inst_admin, reason="已整改", evidence=[pdf()]
    )
    apps.repair_approve(repair=repair, by=city_regulator, side=Side.CITY)
    assert state(past) == EventState.REPAIRED
    assert state(valid) == EventState.COUNTING


def test_an_approved_repair_returns_the_points_when_the_validity_ends(
    deduction, jiangsu, inst_admin, city_regulator
):
    other = record(jiangsu, "K02", key="test:k02-unrepaired")  # 2 points, never repaired
    repair = apps.repair_submit(
        institution=jiangsu, event=rectified(deduction), by=inst_admin, reason="已整改到位", evidence=[pdf()]
    )
    apps.repair_approve(repair=repair, by=city_regulator, comment="同意修复。", side=Side.CITY)
    assert state(deduction) == EventState.REPAIRED
    assert score(jiangsu) == Decimal("93")  # still counted while valid
    after = deduction.valid_until + datetime.timedelta(days=1)
    calendar_states_update(today=after)
    assert state(deduction) == EventState.RETURNED
    # The repaired points are back; the deduction that was never repaired keeps counting.
    assert score(jiangsu, day=after) == Decimal("98")
    assert state(other) == EventState.COUNTING


def test_a_returned_repair_is_changed_and_resubmitted(deduction, jiangsu, inst_admin, city_regulator):
    from sujt.core.workflow import review_return

    repair = apps.repair_submit(
        institution=jiangsu, event=rectified(deduction), by=inst_admin, reason="已整改", evidence=[pdf()]
    )
    review_return(obj=repair, by=city_regulator, comment="请附验收报告。")
    old = apps.evidence_of(repair).get()
    apps.repair_resubmit(
        repair=repair,
        by=inst_admin,
        reason="已整改，附验收报告。",
        evidence=[pdf("验收报告.pdf")],
        remove_evidence_ids=[old.pk],
    )
    assert repair.status == ReviewStatus.SUBMITTED and repair.reason == "已整改，附验收报告。"
    assert [a.original_name for a in apps.evidence_of(repair)] == ["验收报告.pdf"]


# --- 加分申请 ---------------------------------------------------------------------------------------


def bonus(institution, by, **changes) -> BonusApplication:
    values = {
        "item": CreditItem.objects.get(code="J02"),
        "achieved_on": TODAY - datetime.timedelta(days=20),
        "reason": "取得高新技术企业证书。",
        "evidence": [pdf("高新技术企业证书.pdf")],
        "submit": True,
    }
    values.update(changes)
    return apps.bonus_application_save(institution=institution, by=by, **values)


def test_bonus_approval_records_one_bonus_event(jiangsu, inst_admin, city_regulator):
    application = bonus(jiangsu, inst_admin)
    assert application.status == ReviewStatus.SUBMITTED and application.event is None
    apps.bonus_application_approve(application=application, by=city_regulator, side=Side.CITY)
    event = application.event
    assert event.direction == Direction.BONUS and event.source == EventSource.BONUS_APPLICATION
    assert event.source_key == f"credit.bonus_application:{application.pk}"
    assert event.occurred_on == application.achieved_on and event.source_object == application
    assert score(jiangsu) == Decimal("102")
    # Once only: the same key records nothing new, and the approval cannot be taken twice.
    again = event_record(
        institution_id=jiangsu.pk,
        item_code="J02",
        occurred_on=TODAY,
        source=EventSource.BONUS_APPLICATION,
        source_key=event.source_key,
    )
    assert again == event
    with pytest.raises(InvalidTransition):
        apps.bonus_application_approve(application=application, by=city_regulator)
    assert CreditEvent.objects.filter(direction=Direction.BONUS).count() == 1


def test_a_bonus_draft_needs_no_evidence_until_it_is_submitted(jiangsu, inst_admin):
    draft = bonus(jiangsu, inst_admin, evidence=[], submit=False)
    assert draft.status == ReviewStatus.DRAFT
    with pytest.raises(ValidationError, match="至少上传一份证明材料"):
        apps.bonus_application_submit(application=draft, by=inst_admin)
    apps.bonus_application_save(
        institution=jiangsu,
        by=inst_admin,
        application=draft,
        item=draft.item,
        achieved_on=draft.achieved_on,
        reason=draft.reason,
        evidence=[pdf()],
    )
    apps.bonus_application_submit(application=draft, by=inst_admin)
    assert draft.status == ReviewStatus.SUBMITTED


def test_a_bonus_is_refused_for_a_future_date_or_an_expired_one(jiangsu, inst_admin):
    with pytest.raises(ValidationError) as error:
        bonus(jiangsu, inst_admin, achieved_on=TODAY + datetime.timedelta(days=1))
    assert "achieved_on" in error.value.error_dict
    with pytest.raises(ValidationError, match="到期"):
        bonus(jiangsu, inst_admin, achieved_on=TODAY - datetime.timedelta(days=400))  # J02: 12 months
    with pytest.raises(ValidationError) as error:
        bonus(jiangsu, inst_admin, item=CreditItem.objects.get(code="K03"))
    assert "item" in error.value.error_dict
    assert not BonusApplication.objects.exists()


def test_a_bonus_of_an_item_stopped_meanwhile_cannot_be_approved(jiangsu, inst_admin, city_regulator):
    application = bonus(jiangsu, inst_admin)
    CreditItem.objects.filter(code="J02").update(active=False)
    with pytest.raises(ValidationError, match="已停用"):
        apps.bonus_application_approve(application=application, by=city_regulator)
    application.refresh_from_db()
    assert application.status == ReviewStatus.SUBMITTED  # the whole decision rolled back


# --- The workspace ---------------------------------------------------------------------------------


def _pages(objection, deduction) -> list[str]:
    return [
        reverse("credit:bonus_list"),
        reverse("credit:bonus_add"),
        reverse("credit:repair_list"),
        reverse("credit:objection_add", args=[deduction.pk]),
        reverse("credit:repair_add", args=[deduction.pk]),
        reverse("credit:objection_detail", args=[objection.pk]),
    ]


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("inst_staff", 403), ("other_inst_admin", 404), ("inst_admin", 200)],
)
def test_the_pages_need_manage_credit_of_the_institution(
    objection, deduction, other_institution, client_for, who, status
):
    # Module 05 applies to the other institution too: its admin still gets a 404 for our objects.
    CertificateFactory(institution=other_institution, number=make_cma_number(authority="10"))
    client = client_for(who)
    for url in _pages(objection, deduction)[3:]:
        assert client.get(url).status_code == status, url


@pytest.mark.parametrize(("who", "status"), [("anonymous", 302), ("inst_staff", 403), ("inst_admin", 200)])
def test_the_list_pages_need_manage_credit(objection, deduction, client_for, who, status):
    for url in _pages(objection, deduction)[:3]:
        assert client_for(who).get(url).status_code == status, url


def test_a_staff_member_granted_manage_credit_may_use_them(
    objection, deduction, jiangsu, inst_staff, grant, client_for
):
    grant(inst_staff, jiangsu, "manage_credit")
    for url in _pages(objection, deduction):
        assert client_for("inst_staff").get(url).status_code == 200, url


def test_evidence_is_served_to_the_institution_only(objection, other_institution, client_for):
    CertificateFactory(institution=other_institution, number=make_cma_number(authority="10"))
    attachment = apps.evidence_of(objection).get()
    url = reverse("credit:evidence_file", args=[attachment.pk])
    response = client_for("inst_admin").get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF_BYTES
    assert client_for("other_inst_admin").get(url).status_code == 404
    # Never through core's generic download (the applications define no visibility rule of their own).
    assert (
        client_for("inst_admin").get(reverse("core:attachment_download", args=[attachment.pk])).status_code
        == 404
    )


def test_the_repair_page_offers_what_each_deduction_allows(deduction, jiangsu, client_for):
    veto = rectified(record(jiangsu, "K08", key="test:k08"))
    html = client_for("inst_admin").get(reverse("credit:repair_list")).content.decode()
    assert reverse("credit:objection_add", args=[deduction.pk]) in html
    assert reverse("credit:repair_add", args=[deduction.pk]) not in html
    assert "整改尚未通过验收" in html
    assert reverse("credit:repair_add", args=[veto.pk]) not in html
    assert "一票否决事项在有效期内" in html
    assert "暂无申疑" in html and "暂无信用修复申请" in html


def test_the_institution_files_an_objection_in_the_workspace(deduction, client_for):
    client = client_for("inst_admin")
    url = reverse("credit:objection_add", args=[deduction.pk])
    # Without evidence: the page comes back with the error in Chinese and the reason kept.
    response = client.post(url, {"reason": "该问题已在检查当日当场更正。"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "请至少上传一份证明材料" in html and "该问题已在检查当日当场更正。" in html
    response = client.post(url, {"reason": "该问题已在检查当日当场更正。", "evidence": pdf("更正记录.pdf")})
    objection = CreditObjection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("credit:objection_detail", args=[objection.pk])
    assert state(deduction) == EventState.OBJECTED
    page = client.get(reverse("credit:repair_list")).content.decode()
    assert "异议中" in page and "查看申疑" in page


def test_the_institution_saves_a_bonus_draft_then_submits_it(jiangsu, client_for):
    client = client_for("inst_admin")
    item = CreditItem.objects.get(code="J03")
    data = {"item": item.pk, "achieved_on": "", "reason": "主持制定行业标准一项。", "action": "save"}
    response = client.post(reverse("credit:bonus_add"), data)
    assert response.status_code == 400 and "请填写取得日期" in response.content.decode()
    assert "主持制定行业标准一项。" in response.content.decode()
    data["achieved_on"] = (TODAY - datetime.timedelta(days=3)).isoformat()
    response = client.post(reverse("credit:bonus_add"), data)
    application = BonusApplication.objects.get()
    assert response.status_code == 302 and application.status == ReviewStatus.DRAFT
    submit = reverse("credit:bonus_edit", args=[application.pk])
    client.post(submit, {**data, "action": "submit", "evidence": pdf("标准发布公告.pdf")})
    application.refresh_from_db()
    assert application.status == ReviewStatus.SUBMITTED
    assert "待审核" in client.get(reverse("credit:bonus_list")).content.decode()


def test_the_bonus_list_has_an_empty_state(jiangsu, client_for):
    assert "暂无加分申请" in client_for("inst_admin").get(reverse("credit:bonus_list")).content.decode()


def test_a_submitted_objection_is_withdrawn_from_its_page(objection, deduction, client_for):
    url = reverse("credit:objection_withdraw", args=[objection.pk])
    response = client_for("inst_admin").post(url)
    assert response.status_code == 302
    assert state(deduction) == EventState.COUNTING


# --- Admin: the review queues ------------------------------------------------------------------------


def test_the_three_review_queues_are_registered():
    labels = {queue.key: queue.label for queue in review_queues()}
    assert labels["credit.bonus_applications"] == "加分审核"
    assert labels["credit.objections"] == "申疑审核"
    assert labels["credit.repairs"] == "修复审核"


def test_a_regulator_approves_an_objection_on_its_page(objection, deduction, jiangsu, client_for):
    url = reverse("admin:credit_creditobjection_change", args=[objection.pk])
    client = client_for("city_regulator")
    page = client.get(url)
    assert page.status_code == 200 and "证明材料.pdf" in page.content.decode()
    response = client.post(url, {"review_transition": "approve", "review-comment": "属实。"})
    assert response.status_code == 302
    assert state(deduction) == EventState.VOIDED
    assert score(jiangsu) == Decimal("100")


def test_a_regulator_returns_an_objection_with_a_comment(objection, deduction, client_for):
    url = reverse("admin:credit_creditobjection_change", args=[objection.pk])
    client = client_for("city_regulator")
    assert client.post(url, {"review_transition": "return", "review-comment": ""}).status_code == 200
    assert state(deduction) == EventState.OBJECTED  # refused without a comment: nothing changed
    client.post(url, {"review_transition": "return", "review-comment": "请补充材料。"})
    assert state(deduction) == EventState.COUNTING


def test_a_regulator_refusing_a_veto_repair_sees_why(jiangsu, inst_admin, client_for):
    event = rectified(record(jiangsu, "K03"))
    repair = apps.repair_submit(
        institution=jiangsu, event=event, by=inst_admin, reason="已整改", evidence=[pdf()]
    )
    CreditItem.objects.filter(code="K03").update(veto=True)  # made a veto item after submission
    url = reverse("admin:credit_creditrepair_change", args=[repair.pk])
    response = client_for("city_regulator").post(url, {"review_transition": "approve", "review-comment": ""})
    assert response.status_code == 200 and "一票否决事项在有效期内" in response.content.decode()
    assert state(event) == EventState.COUNTING


def test_the_queues_are_scoped_to_the_region(objection, client_for):
    evidence = apps.evidence_of(objection).get()
    file_url = reverse("admin:credit_creditobjection_evidence", args=[objection.pk, evidence.pk])
    changelist = reverse("admin:credit_creditobjection_changelist")
    assert client_for("city_regulator").get(file_url).status_code == 200
    assert client_for("province_regulator").get(file_url).status_code == 200
    assert client_for("other_city_regulator").get(file_url).status_code == 404
    assert str(objection) not in client_for("other_city_regulator").get(changelist).content.decode()
    assert client_for("inst_admin").get(file_url).status_code == 302  # to admin's login


def test_a_bonus_draft_is_not_in_the_queue(jiangsu, inst_admin, client_for):
    draft = bonus(jiangsu, inst_admin, submit=False)
    url = reverse("admin:credit_bonusapplication_change", args=[draft.pk])
    assert client_for("city_regulator").get(url).status_code == 302  # admin: "does not exist"
    submitted = bonus(jiangsu, inst_admin)
    url = reverse("admin:credit_bonusapplication_change", args=[submitted.pk])
    response = client_for("city_regulator").post(url, {"review_transition": "approve", "review-comment": ""})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.event is not None and submitted.status == ReviewStatus.APPROVED


def test_the_repair_queue_lists_the_deduction(jiangsu, inst_admin, client_for):
    event = rectified(record(jiangsu, "K03"))
    apps.repair_submit(institution=jiangsu, event=event, by=inst_admin, reason="已整改", evidence=[pdf()])
    html = client_for("city_regulator").get(reverse("admin:credit_creditrepair_changelist")).content.decode()
    assert "K03 责令限期整改" in html
    assert CreditRepair.objects.get().status == ReviewStatus.SUBMITTED
