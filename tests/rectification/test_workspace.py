"""机构整改 in the workspace (issue 14 items 2–3): the institution reads its orders, answers each finding
with measures and evidence, drafts and submits; the regulator returns and accepts; every round is kept."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from rectification import services
from rectification.choices import FindingCategory, InspectionKind, OrderStatus, RoundDecision, Severity
from rectification.models import RectificationOrder
from sujt.core.models import Attachment
from tests.core.samples import PDF_BYTES, png_bytes

LIST = reverse("rectification:order_list")


def detail_url(order) -> str:
    return reverse("rectification:order_detail", args=[order.pk])


def answer_url(order) -> str:
    return reverse("rectification:order_answer", args=[order.pk])


def make_order(institution, regulator, *, findings: int = 2) -> RectificationOrder:
    inspection = services.inspection_record(
        institution=institution,
        kind=InspectionKind.RANDOM,
        inspected_on=timezone.localdate() - datetime.timedelta(days=3),
        inspectors="张检查、李检查",
        by=regulator,
        findings=[
            {
                "category": FindingCategory.EQUIPMENT if n % 2 == 0 else FindingCategory.PERSONNEL,
                "severity": Severity.GENERAL,
                "description": f"问题描述{n}：仪器设备未按期检定。",
                "clause": "《检验检测机构资质认定管理办法》第十四条",
            }
            for n in range(findings)
        ],
    )
    return services.order_issue(
        inspection=inspection,
        findings=inspection.findings.all(),
        by=regulator,
        requirement="逐项整改并提交证明。",
    )


@pytest.fixture
def order(institution, city_regulator, inst_admin):
    return make_order(institution, city_regulator)


def answer_data(order, *, action: str, text: str = "已送检并取得检定证书。", **extra) -> dict:
    data = {"action": action}
    for finding in order.findings.all():
        data[f"measures_{finding.pk}"] = f"{text}（问题{finding.pk}）"
    data.update(extra)
    return data


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("other_inst_admin", 404), ("inst_staff", 403), ("inst_admin", 200)],
)
def test_order_pages_are_visible_only_to_its_institution_with_the_permission(
    client_for, order, who, expected
):
    for url in (detail_url(order), answer_url(order)):
        assert client_for(who).get(url).status_code == expected, url
    listing = client_for(who).get(LIST)
    # Another institution's admin has a list of their own, without this order.
    assert listing.status_code == (200 if who == "other_inst_admin" else expected)
    assert (detail_url(order) in listing.content.decode()) == (who == "inst_admin")


def test_a_staff_member_granted_the_module_may_answer(client, order, clerk, institution):
    handler = clerk(institution, "整改经办人", "handle_rectification")
    client.force_login(handler)
    assert client.get(answer_url(order)).status_code == 200


def test_the_list_shows_the_order_with_its_deadline_and_findings(client, order, inst_admin):
    client.force_login(inst_admin)
    html = client.get(LIST).content.decode()
    assert (
        str(order.inspection) in html
        and "待整改" in html
        and f"还剩 {(order.due_on - timezone.localdate()).days} 天" in html
    )
    assert client.get(LIST, {"status": "accepted"}).content.decode().count("没有该状态的整改通知") == 1


def test_the_whole_cycle_answer_return_answer_accept(client, order, inst_admin, city_regulator):
    client.force_login(inst_admin)
    first, second = order.findings.order_by("pk")
    # A draft with evidence: nothing is submitted, the evidence is kept with the draft.
    response = client.post(
        answer_url(order),
        {
            **answer_data(order, action="draft"),
            f"evidence_{first.pk}": SimpleUploadedFile(
                "检定证书.pdf", PDF_BYTES, content_type="application/pdf"
            ),
        },
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.OPEN and order.rounds.get().is_draft
    html = client.get(answer_url(order)).content.decode()
    assert "检定证书.pdf" in html and "已送检并取得检定证书" in html
    # Submit.
    response = client.post(answer_url(order), answer_data(order, action="submit"))
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.SUBMITTED
    # The regulator returns it with a comment on the second finding.
    services.order_return(
        order=order,
        by=city_regulator,
        comment="证明材料不完整。",
        finding_comments={second.pk: "缺少人员授权记录。"},
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.RETURNED
    html = client.get(answer_url(order)).content.decode()
    assert "证明材料不完整。" in html and "缺少人员授权记录。" in html
    # The new answer starts from the previous one's text; submit again with new evidence.
    assert "已送检并取得检定证书" in html
    response = client.post(
        answer_url(order),
        {
            **answer_data(order, action="submit", text="已补充人员授权记录。"),
            f"evidence_{second.pk}": SimpleUploadedFile(
                "授权记录.png", png_bytes(), content_type="image/png"
            ),
        },
    )
    assert response.status_code == 302
    services.order_accept(order=order, by=city_regulator, comment="整改到位。")
    order.refresh_from_db()
    assert order.status == OrderStatus.ACCEPTED and order.accepted_at is not None
    rounds = list(order.rounds.order_by("number"))
    assert [(r.number, r.decision) for r in rounds] == [
        (1, RoundDecision.RETURNED),
        (2, RoundDecision.ACCEPTED),
    ]
    detail = client.get(detail_url(order)).content.decode()
    assert "第 1 次答复" in detail and "第 2 次答复" in detail and "缺少人员授权记录。" in detail
    assert "检定证书.pdf" in detail and "授权记录.png" in detail and "整改完成" in detail
    assert "填写整改答复" not in detail


def test_submitting_needs_every_findings_measures_and_keeps_what_was_typed(client, order, inst_admin):
    client.force_login(inst_admin)
    first = order.findings.order_by("pk").first()
    response = client.post(answer_url(order), {"action": "submit", f"measures_{first.pk}": "已整改。"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "请填写该问题的整改措施及结果。" in html and "已整改。" in html
    order.refresh_from_db()
    assert order.status == OrderStatus.OPEN


def test_a_file_that_is_not_what_it_claims_is_refused_and_nothing_is_lost(client, order, inst_admin):
    client.force_login(inst_admin)
    first = order.findings.order_by("pk").first()
    response = client.post(
        answer_url(order),
        {
            **answer_data(order, action="draft"),
            f"evidence_{first.pk}": SimpleUploadedFile(
                "假图片.png", b"not an image", content_type="image/png"
            ),
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "假图片.png" in html and "已送检并取得检定证书" in html
    assert not Attachment.objects.exists()


def test_a_submitted_or_accepted_order_cannot_be_answered(client, order, inst_admin):
    client.force_login(inst_admin)
    client.post(answer_url(order), answer_data(order, action="submit"))
    response = client.post(answer_url(order), answer_data(order, action="draft", text="改了"))
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.SUBMITTED
    assert "改了" not in order.rounds.get().measures.first().measures


@pytest.mark.parametrize(
    ("who", "expected"), [("anonymous", 302), ("other_inst_admin", 404), ("inst_admin", 200)]
)
def test_evidence_is_private(client_for, order, inst_admin, who, expected):
    first = order.findings.order_by("pk").first()
    services.answer_save(
        order=order,
        by=inst_admin,
        measures={first.pk: "已整改"},
        evidence={first.pk: [SimpleUploadedFile("证明.pdf", PDF_BYTES, content_type="application/pdf")]},
    )
    attachment = Attachment.objects.get()
    response = client_for(who).get(reverse("core:attachment_download", args=[attachment.pk]))
    assert response.status_code == expected


def test_the_regulator_over_the_institution_may_read_the_evidence(client_for, order, inst_admin):
    first = order.findings.order_by("pk").first()
    services.answer_save(
        order=order,
        by=inst_admin,
        measures={first.pk: "已整改"},
        evidence={first.pk: [SimpleUploadedFile("证明.pdf", PDF_BYTES, content_type="application/pdf")]},
    )
    url = reverse("core:attachment_download", args=[Attachment.objects.get().pk])
    assert client_for("city_regulator").get(url).status_code == 200
    assert client_for("other_city_regulator").get(url).status_code == 404


def test_the_module_is_in_the_menu_of_those_who_may_use_it(client_for, order):
    assert LIST in client_for("inst_admin").get(reverse("portal:dashboard")).content.decode()


def test_an_open_order_is_a_to_do_on_the_dashboard(client_for, order):
    html = client_for("inst_admin").get(reverse("portal:dashboard")).content.decode()
    assert "提交整改措施和证明材料" in html and detail_url(order) in html


@pytest.mark.parametrize("orders", [2, 6])
def test_the_list_queries_do_not_grow_with_orders(
    client, institution, city_regulator, inst_admin, orders, django_assert_max_num_queries
):
    for _ in range(orders):
        make_order(institution, city_regulator, findings=3)
    client.force_login(inst_admin)
    with django_assert_max_num_queries(16):
        assert client.get(LIST).status_code == 200


def test_with_the_clock_past_the_deadline_the_daily_job_marks_it_overdue_and_the_pages_say_so(
    client, order, inst_admin, monkeypatch
):
    """A frozen clock three days after the deadline: `run_deadlines` (as beat runs it, no date given)
    marks the order 逾期, and the to-do and the order page count the days."""
    from django.core.management import call_command

    frozen = timezone.make_aware(
        datetime.datetime.combine(order.due_on, datetime.time(9))
    ) + datetime.timedelta(days=3)
    monkeypatch.setattr(timezone, "now", lambda: frozen)
    call_command("run_deadlines", verbosity=0)
    order.refresh_from_db()
    assert order.status == OrderStatus.OVERDUE and order.overdue_at == frozen
    client.force_login(inst_admin)
    assert "已逾期 3 天" in client.get(detail_url(order)).content.decode()
    assert "已逾期 3 天" in client.get(reverse("portal:dashboard")).content.decode()
    assert "逾期整改" in client.get(LIST).content.decode()
