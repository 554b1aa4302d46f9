"""Error reports through review: regulators decide them in admin, the institution sees the outcome, changes
and resubmits a returned one, or withdraws one not yet decided."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from institutions.choices import ErrorItemType
from institutions.models import ErrorReport
from institutions.services.confirmation import error_report_submit
from sujt.core.choices import ReviewStatus
from sujt.core.models import Attachment, Notification
from sujt.core.workflow import review_return, transitions_of
from tests.core.samples import PDF_BYTES, png_bytes, upload
from tests.factories import CertificateFactory, SiteFactory

CHANGELIST = reverse("admin:institutions_errorreport_changelist")


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def evidence_pdf(name: str = "证明.pdf"):
    return upload(name, PDF_BYTES, "application/pdf")


@pytest.fixture
def certificate(institution):
    return CertificateFactory(institution=institution)


@pytest.fixture
def make_report(inst_admin):
    def make(institution, **fields):
        return error_report_submit(
            institution=institution,
            by=fields.pop("by", inst_admin),
            item_type=fields.pop("item_type", ErrorItemType.BASIC),
            item_id=fields.pop("item_id", None),
            item_label=fields.pop("item_label", "法定代表人"),
            description=fields.pop("description", "法定代表人已于今年变更。"),
            evidence=fields.pop("evidence", [evidence_pdf()]),
        )

    return make


@pytest.fixture
def report(make_report, institution, certificate):
    return make_report(institution, item_type=ErrorItemType.CERTIFICATE, item_id=certificate.pk)


def review(client, action, reports, **extra):
    data = {"action": action, "_selected_action": [r.pk for r in reports], "review_confirm": "yes", **extra}
    return client.post(CHANGELIST, data)


def detail_url(report) -> str:
    return reverse("institutions:error_report_detail", args=[report.pk])


def test_a_regulator_approves_and_the_institution_sees_the_outcome(
    client_for, report, inst_admin, city_regulator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = review(
            client_for("city_regulator"), "review_approve_selected", [report], comment="情况属实"
        )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.status_changed_by, report.review_comment) == (
        ReviewStatus.APPROVED,
        city_regulator,
        "情况属实",
    )
    told = Notification.objects.get(recipient=inst_admin, title__startswith="审核通过")
    assert told.url == detail_url(report)

    page = client_for("inst_admin").get(detail_url(report))
    html = page.content.decode()
    assert 'data-status="approved"' in html and "情况属实" in html
    assert [t.to_status for t in page.context["transitions"]] == ["submitted", "approved"]
    assert "修改并重新提交" not in html and "撤回" not in html


def test_returned_then_changed_and_resubmitted(
    client_for, report, institution, inst_admin, city_regulator, django_capture_on_commit_callbacks
):
    review(client_for("city_regulator"), "review_return_selected", [report], comment="请附发证机关文件")
    report.refresh_from_db()
    assert report.status == ReviewStatus.RETURNED
    client = client_for("inst_admin")
    detail = client.get(detail_url(report)).content.decode()
    assert (
        "请附发证机关文件" in detail and reverse("institutions:error_report_edit", args=[report.pk]) in detail
    )

    edit_url = reverse("institutions:error_report_edit", args=[report.pk])
    page = client.get(edit_url)
    assert page.status_code == 200 and "请附发证机关文件" in page.content.decode()
    old = Attachment.objects.get(object_id=report.pk, purpose="evidence")
    site = SiteFactory(institution=institution)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{edit_url}?type=site",
            {
                "item_type": "site",
                "item_id": site.pk,
                "description": "场所地址有误，附发证机关文件。",
                "remove_evidence": [old.pk],
                "evidence": upload("文件.png", png_bytes(), "image/png"),
            },
        )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.item_type, report.item_id) == (ReviewStatus.SUBMITTED, "site", site.pk)
    assert report.description == "场所地址有误，附发证机关文件。"
    assert [a.original_name for a in Attachment.objects.filter(object_id=report.pk)] == ["文件.png"]
    assert [t.to_status for t in transitions_of(report)] == ["submitted", "returned", "submitted"]
    assert Notification.objects.filter(recipient=city_regulator, title__startswith="重新提交待审核").exists()


def test_a_resubmission_keeps_at_least_one_piece_of_evidence(client_for, report, city_regulator):
    review_return(obj=report, by=city_regulator, comment="请补充")
    old = Attachment.objects.get(object_id=report.pk)
    response = client_for("inst_admin").post(
        reverse("institutions:error_report_edit", args=[report.pk]),
        {
            "item_type": "certificate",
            "item_id": report.item_id,
            "description": "补充",
            "remove_evidence": [old.pk],
        },
    )
    assert response.status_code == 200
    assert "请至少上传一份证明材料" in response.content.decode()
    report.refresh_from_db()
    assert report.status == ReviewStatus.RETURNED
    assert Attachment.objects.filter(pk=old.pk).exists()


def test_only_a_returned_report_can_be_edited(client_for, report):
    edit_url = reverse("institutions:error_report_edit", args=[report.pk])
    response = client_for("inst_admin").post(
        edit_url, {"item_type": "basic", "item_label": "改", "description": "改", "evidence": evidence_pdf()}
    )
    assert response.status_code == 302 and response.url == detail_url(report)
    assert "只有被退回的报告可以修改" in messages_of(response)[0]
    report.refresh_from_db()
    assert report.item_type == "certificate" and report.description == "法定代表人已于今年变更。"


def test_a_submitted_report_is_withdrawn_once(
    client_for, report, city_regulator, django_capture_on_commit_callbacks
):
    client = client_for("inst_admin")
    url = reverse("institutions:error_report_withdraw", args=[report.pk])
    assert "撤回" in client.get(detail_url(report)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert messages_of(response) == ["错误报告已撤回。"]
    report.refresh_from_db()
    assert report.status == ReviewStatus.WITHDRAWN
    assert Notification.objects.filter(recipient=city_regulator, title__startswith="已撤回").exists()
    again = client.post(url)
    assert "不能撤回" in messages_of(again)[-1]
    assert client.get(url).status_code == 405


def test_a_decided_report_cannot_be_withdrawn(client_for, report, city_regulator):
    review(client_for("city_regulator"), "review_reject_selected", [report], comment="信息无误")
    response = client_for("inst_admin").post(reverse("institutions:error_report_withdraw", args=[report.pk]))
    assert "当前状态为「未通过」" in messages_of(response)[0]
    report.refresh_from_db()
    assert report.status == ReviewStatus.REJECTED


# --- The review queue in admin -----------------------------------------------------------------------


def test_the_queue_is_scoped_to_the_regulators_region(
    client_for, make_report, institution, other_institution
):
    nanjing = make_report(institution)
    suzhou = make_report(other_institution, by=None)
    listed = lambda who: set(client_for(who).get(CHANGELIST).context["cl"].result_list)  # noqa: E731
    assert listed("city_regulator") == {nanjing}
    assert listed("other_city_regulator") == {suzhou}
    assert listed("province_regulator") == {nanjing, suzhou}
    change = reverse("admin:institutions_errorreport_change", args=[suzhou.pk])
    assert client_for("city_regulator").get(change).status_code == 302


def test_a_regulator_cannot_decide_another_regions_report(client_for, make_report, other_institution):
    suzhou = make_report(other_institution, by=None)
    review(client_for("city_regulator"), "review_approve_selected", [suzhou])
    suzhou.refresh_from_db()
    assert suzhou.status == ReviewStatus.SUBMITTED


def test_the_queue_filters_by_status_city_and_item_type(
    client_for, make_report, institution, other_institution, report
):
    basic = make_report(institution)
    make_report(other_institution, by=None)
    client = client_for("province_regulator")
    rows = lambda **params: set(client.get(CHANGELIST, params).context["cl"].result_list)  # noqa: E731
    assert rows(city="320100") == {basic, report}
    assert rows(city="320100", item_type__exact="certificate") == {report}
    assert rows(status__exact="approved") == set()


def test_the_change_page_lists_the_evidence_with_download_links_and_the_item(client_for, report):
    evidence = Attachment.objects.get(object_id=report.pk)
    client = client_for("city_regulator")
    html = client.get(reverse("admin:institutions_errorreport_change", args=[report.pk])).content.decode()
    download = reverse("core:attachment_download", args=[evidence.pk])
    assert download in html and evidence.original_name in html
    assert reverse("admin:institutions_certificate_change", args=[report.item_id]) in html
    assert 'name="_save"' not in html
    assert client.get(download).status_code == 200


def test_the_report_cannot_be_edited_or_added_in_admin(client_for, report):
    client = client_for("city_regulator")
    change = reverse("admin:institutions_errorreport_change", args=[report.pk])
    assert client.post(change, {"description": "监管改写"}).status_code == 403
    assert client.get(reverse("admin:institutions_errorreport_add")).status_code == 403
    report.refresh_from_db()
    assert report.description == "法定代表人已于今年变更。"
    assert ErrorReport.objects.count() == 1
