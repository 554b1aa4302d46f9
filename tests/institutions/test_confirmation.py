"""确认机构信息: the confirmation page, 确认无误, the motor-vehicle rule, and filing an error report."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from institutions.choices import CertificateStatus, ErrorItemType
from institutions.models import ErrorReport, Institution
from institutions.services.completeness import completeness_recalculate
from institutions.services.confirmation import error_report_submit
from sujt.core.choices import ReviewStatus
from sujt.core.models import Attachment, Notification
from sujt.core.todos import checklist_for, todos_for
from tests.core.samples import PDF_BYTES, png_bytes, upload
from tests.factories import CapabilityFactory, CertificateFactory, SiteFactory, make_cma_number

CONFIRM = reverse("institutions:confirm")
REPORT_ADD = reverse("institutions:error_report_add")
REPORT_LIST = reverse("institutions:error_report_list")


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def evidence_pdf(name: str = "营业执照.pdf"):
    return upload(name, PDF_BYTES, "application/pdf")


@pytest.fixture
def certificate(institution):
    return CertificateFactory(institution=institution)


@pytest.fixture
def report(institution, inst_admin, certificate):
    return error_report_submit(
        institution=institution,
        by=inst_admin,
        item_type=ErrorItemType.CERTIFICATE,
        item_id=certificate.pk,
        description="有效期至应为 2027-05-31。",
        evidence=[evidence_pdf()],
    )


@pytest.fixture
def returned_report(report, city_regulator):
    from sujt.core.workflow import review_return

    review_return(obj=report, by=city_regulator, comment="请补充发证机关的变更通知。")
    return report


@pytest.fixture
def motor_vehicle_institution(institution):
    CertificateFactory(institution=institution, number=make_cma_number(field="05"))
    return institution


# --- The permission matrix ---------------------------------------------------------------------------


def _urls(report) -> dict[str, str]:
    return {
        "confirm": CONFIRM,
        "add": REPORT_ADD,
        "list": REPORT_LIST,
        "detail": reverse("institutions:error_report_detail", args=[report.pk]),
        "edit": reverse("institutions:error_report_edit", args=[report.pk]),
    }


@pytest.mark.parametrize("page", ["confirm", "add", "list", "detail", "edit"])
@pytest.mark.parametrize(("who", "expected"), [("anonymous", 302), ("inst_staff", 403), ("inst_admin", 200)])
def test_every_page_needs_a_member_with_manage_profile(client_for, returned_report, page, who, expected):
    response = client_for(who).get(_urls(returned_report)[page])
    assert response.status_code == expected
    if who == "anonymous":
        assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize("page", ["confirm", "add", "list"])
def test_another_institution_works_on_its_own_pages(client_for, page, returned_report):
    response = client_for("other_inst_admin").get(_urls(returned_report)[page])
    assert response.status_code == 200
    assert returned_report.item_label not in response.content.decode()


@pytest.mark.parametrize("page", ["detail", "edit"])
def test_another_institutions_report_does_not_exist(client_for, returned_report, page):
    assert client_for("other_inst_admin").get(_urls(returned_report)[page]).status_code == 404


def test_another_institutions_report_cannot_be_withdrawn(client_for, report):
    url = reverse("institutions:error_report_withdraw", args=[report.pk])
    assert client_for("other_inst_admin").post(url).status_code == 404
    assert client_for("anonymous").post(url).status_code == 302
    assert client_for("inst_staff").post(url).status_code == 403
    report.refresh_from_db()
    assert report.status == ReviewStatus.SUBMITTED


def test_a_staff_member_granted_manage_profile_may_confirm(client_for, inst_staff, institution, grant):
    grant(inst_staff, institution, "manage_profile")
    assert client_for("inst_staff").get(CONFIRM).status_code == 200


# --- The confirmation page ---------------------------------------------------------------------------


def test_the_page_shows_the_synced_information_and_counts(client_for, institution, certificate):
    SiteFactory.create_batch(2, institution=institution)
    CapabilityFactory.create_batch(3, institution=institution, certificate=certificate)
    response = client_for("inst_admin").get(CONFIRM)
    html = response.content.decode()
    assert institution.uscc in html and certificate.number in html
    counts = {row["title"]: row["count"] for row in response.context["sections"]}
    assert counts == {"检验检测场所": 2, "检验检测能力": 3, "仪器设备": 0, "授权签字人": 0, "检验检测人员": 0}
    assert f'href="{reverse("institutions:capability_list")}"' in html
    assert "尚未确认" in html
    assert "确认无误" in html and f'href="{REPORT_ADD}"' in html


def test_confirming_records_who_and_when_and_raises_completeness(client_for, institution, inst_admin):
    before = completeness_recalculate(institution_id=institution.pk)
    response = client_for("inst_admin").post(CONFIRM)
    assert response.status_code == 302 and response.url == CONFIRM
    assert messages_of(response) == ["机构信息已确认。如之后发现信息有误，仍可在本页报告错误。"]
    institution.refresh_from_db()
    assert institution.info_confirmed_by == inst_admin
    assert institution.info_confirmed_at is not None
    assert institution.completeness == before + 10
    row = institution.history.order_by("-history_date").first()
    assert row.history_user == inst_admin and row.info_confirmed_at == institution.info_confirmed_at

    html = client_for("inst_admin").get(CONFIRM).content.decode()
    confirmed = re.search(r"<dd data-confirmed>(.*?)</dd>", html, re.S).group(1)
    assert f"{institution.info_confirmed_at.astimezone():%Y-%m-%d}" in confirmed
    assert inst_admin.name in confirmed


def test_confirm_answers_only_get_and_post(client_for):
    assert client_for("inst_admin").put(CONFIRM).status_code == 405


# --- 机动车安检: confirmation waits for the approval system's motor-vehicle module ---------------------


def test_a_motor_vehicle_institution_is_told_it_cannot_confirm_yet(client_for, motor_vehicle_institution):
    html = client_for("inst_admin").get(CONFIRM).content.decode()
    assert "机动车模块）尚未启用" in html
    assert "确认无误" not in html and f'action="{CONFIRM}"' not in html
    assert f'href="{REPORT_ADD}"' in html


def test_a_forged_confirmation_of_a_motor_vehicle_institution_is_refused(
    client_for, motor_vehicle_institution
):
    response = client_for("inst_admin").post(CONFIRM)
    assert response.status_code == 302
    (message,) = messages_of(response)
    assert "机动车检验检测机构审批相关信息的确认另行通知" in message
    motor_vehicle_institution.refresh_from_db()
    assert motor_vehicle_institution.info_confirmed_at is None


def test_a_revoked_motor_vehicle_certificate_does_not_hold_confirmation_back(client_for, institution):
    CertificateFactory(
        institution=institution, number=make_cma_number(field="05"), status=CertificateStatus.REVOKED
    )
    client_for("inst_admin").post(CONFIRM)
    institution.refresh_from_db()
    assert institution.info_confirmed_at is not None


def test_a_declared_motor_vehicle_field_alone_does_not_hold_confirmation_back(client_for, institution):
    institution.fields.create(code="05")
    assert "确认无误" in client_for("inst_admin").get(CONFIRM).content.decode()


def test_a_motor_vehicle_institution_can_still_report_errors(
    client_for, motor_vehicle_institution, django_capture_on_commit_callbacks
):
    response = client_for("inst_admin").post(
        f"{REPORT_ADD}?type=basic",
        {
            "item_type": "basic",
            "item_label": "法定代表人",
            "description": "法定代表人已变更。",
            "evidence": evidence_pdf(),
        },
    )
    assert response.status_code == 302
    assert ErrorReport.objects.get().status == ReviewStatus.SUBMITTED


# --- The dashboard's 首要工作 item -------------------------------------------------------------------


def _confirm_item(user, institution):
    return next(item for item in checklist_for(user, institution) if item.key == "confirm_institution")


def test_the_checklist_item_links_here_and_ticks_off_once_confirmed(client_for, inst_admin, institution):
    item = _confirm_item(inst_admin, institution)
    assert (item.done, item.url, item.title) == (False, CONFIRM, "确认机构信息")
    client_for("inst_admin").post(CONFIRM)
    institution.refresh_from_db()
    assert _confirm_item(inst_admin, institution).done is True
    html = client_for("inst_admin").get(reverse("portal:dashboard")).content.decode()
    assert re.search(r'data-checklist="confirm_institution">.*?已完成', html, re.S)


def test_the_checklist_item_of_a_motor_vehicle_institution_shows_the_waiting_note(
    inst_admin, motor_vehicle_institution
):
    item = _confirm_item(inst_admin, Institution.objects.get(pk=motor_vehicle_institution.pk))
    assert item.done is False
    assert "机动车模块）尚未启用" in item.note


# --- Filing an error report ----------------------------------------------------------------------------


def test_choosing_a_category_lists_that_categorys_items_of_the_institution(
    client_for, institution, other_institution, certificate
):
    CertificateFactory(institution=other_institution)
    response = client_for("inst_admin").get(REPORT_ADD, {"type": "certificate"})
    choices = response.context["form"].item_choices
    assert [pk for pk, _label in choices] == [certificate.pk]
    assert certificate.number in choices[0][1]


def test_capabilities_are_searched_before_they_are_offered(client_for, institution, certificate):
    water = CapabilityFactory(
        institution=institution, certificate=certificate, item="菌落总数", standard="GB 4789.2-2022"
    )
    CapabilityFactory(
        institution=institution, certificate=certificate, item="水分", standard="GB 5009.3-2016"
    )
    response = client_for("inst_admin").get(REPORT_ADD, {"type": "capability", "q": "4789"})
    assert [pk for pk, _label in response.context["form"].item_choices] == [water.pk]
    assert "共有 2 条检验检测能力" in response.content.decode()


def test_a_report_is_submitted_with_its_evidence_and_regulators_are_told(
    client_for, institution, inst_admin, certificate, city_regulator, province_regulator,
    other_city_regulator, django_capture_on_commit_callbacks,
):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("inst_admin").post(
            f"{REPORT_ADD}?type=certificate",
            {
                "item_type": "certificate",
                "item_id": certificate.pk,
                "description": "有效期至有误。",
                "evidence": [evidence_pdf(), upload("照片.png", png_bytes(), "image/png")],
            },
        )
    report = ErrorReport.objects.get()
    assert response.status_code == 302 and response.url == report.get_absolute_url()
    assert (report.status, report.item_id, report.created_by) == (
        ReviewStatus.SUBMITTED,
        certificate.pk,
        inst_admin,
    )
    assert certificate.number in report.item_label
    files = Attachment.objects.filter(object_id=report.pk, purpose="evidence")
    assert sorted(f.kind for f in files) == ["image", "pdf"]
    told = set(Notification.objects.values_list("recipient", flat=True))
    # The city step's reviewers only (issue 11): the province is not told of a city review.
    assert told == {city_regulator.pk} and province_regulator.pk not in told


def test_a_text_file_renamed_pdf_is_refused_and_nothing_is_saved(client_for, certificate):
    response = client_for("inst_admin").post(
        f"{REPORT_ADD}?type=certificate",
        {
            "item_type": "certificate",
            "item_id": certificate.pk,
            "description": "有效期至有误。",
            "evidence": upload("证明.pdf", "这不是PDF".encode(), "application/pdf"),
        },
    )
    assert response.status_code == 200
    assert "文件内容不是有效的PDF 文件" in response.content.decode()
    assert response.context["form"].errors["evidence"]
    assert not ErrorReport.objects.exists()
    assert not Attachment.objects.exists()


def test_evidence_is_required(client_for, certificate):
    response = client_for("inst_admin").post(
        f"{REPORT_ADD}?type=certificate",
        {"item_type": "certificate", "item_id": certificate.pk, "description": "有效期至有误。"},
    )
    assert "请至少上传一份证明材料（图片或 PDF）。" in response.content.decode()
    assert not ErrorReport.objects.exists()


def test_an_item_of_another_institution_is_refused(client_for, other_institution):
    foreign = CertificateFactory(institution=other_institution)
    response = client_for("inst_admin").post(
        f"{REPORT_ADD}?type=certificate",
        {
            "item_type": "certificate",
            "item_id": foreign.pk,
            "description": "越权。",
            "evidence": evidence_pdf(),
        },
    )
    assert response.status_code == 200
    assert "所选条目不是本机构的信息或已不存在，请重新选择。" in response.content.decode()
    assert not ErrorReport.objects.exists() and not Attachment.objects.exists()


def test_the_service_refuses_an_item_of_another_institution_too(institution, other_institution, inst_admin):
    from django.core.exceptions import ValidationError

    foreign = SiteFactory(institution=other_institution)
    with pytest.raises(ValidationError) as caught:
        error_report_submit(
            institution=institution, by=inst_admin, item_type="site", item_id=foreign.pk,
            description="越权。", evidence=[evidence_pdf()],
        )  # fmt: skip
    assert "item_id" in caught.value.error_dict
    assert not ErrorReport.objects.exists()


def test_basic_information_is_named_in_free_text(client_for):
    missing = client_for("inst_admin").post(
        f"{REPORT_ADD}?type=basic",
        {"item_type": "basic", "description": "地址有误。", "evidence": evidence_pdf()},
    )
    assert "请填写哪一项基础信息有误" in missing.content.decode()
    client_for("inst_admin").post(
        f"{REPORT_ADD}?type=basic",
        {"item_type": "basic", "item_label": "地址", "description": "地址有误。", "evidence": evidence_pdf()},
    )
    report = ErrorReport.objects.get()
    assert (report.item_type, report.item_label, report.item_id) == ("basic", "地址", None)


# --- The list and the to-dos -------------------------------------------------------------------------


def test_the_list_filters_by_status_and_shows_the_review_comment(
    client_for, returned_report, institution, inst_admin
):
    submitted = error_report_submit(
        institution=institution, by=inst_admin, item_type="basic", item_id=None, item_label="网站",
        description="网址有误。", evidence=[evidence_pdf()],
    )  # fmt: skip
    client = client_for("inst_admin")
    assert list(client.get(REPORT_LIST).context["page"].object_list) == [submitted, returned_report]
    returned_page = client.get(REPORT_LIST, {"status": "returned"})
    assert list(returned_page.context["page"].object_list) == [returned_report]
    assert "请补充发证机关的变更通知。" in returned_page.content.decode()
    assert list(client.get(REPORT_LIST, {"q": "网址"}).context["page"].object_list) == [submitted]


def test_the_list_is_paginated(client_for, institution, inst_admin):
    for n in range(21):
        ErrorReport.objects.create(
            institution=institution, item_type="basic", item_label=f"项{n}", description="说明",
            status=ReviewStatus.SUBMITTED,
        )  # fmt: skip
    client = client_for("inst_admin")
    assert len(client.get(REPORT_LIST).context["page"].object_list) == 20
    assert len(client.get(REPORT_LIST, {"page": 2}).context["page"].object_list) == 1


def test_an_empty_list_says_so(client_for):
    html = client_for("inst_admin").get(REPORT_LIST).content.decode()
    assert "还没有提交过错误报告" in html
    html = client_for("inst_admin").get(REPORT_LIST, {"status": "approved"}).content.decode()
    assert "没有符合条件的错误报告" in html


def test_a_returned_report_is_a_todo_linking_to_its_edit_page(returned_report, inst_admin, inst_staff):
    todos = [t for t in todos_for(inst_admin) if "错误报告被退回" in t.title]
    assert [t.url for t in todos] == [reverse("institutions:error_report_edit", args=[returned_report.pk])]
    assert todos[0].module == "02 机构风采管理"
    assert not [t for t in todos_for(inst_staff) if "错误报告被退回" in t.title]


@pytest.mark.parametrize("rows", [5, 10])
def test_the_list_queries_do_not_grow_with_rows(
    client_for, institution, inst_admin, rows, django_assert_max_num_queries
):
    for n in range(rows):
        ErrorReport.objects.create(
            institution=institution, item_type="basic", item_label=f"项{n}", description="说明",
            status=ReviewStatus.SUBMITTED, created_by=inst_admin,
        )  # fmt: skip
    client = client_for("inst_admin")
    with django_assert_max_num_queries(11):
        assert client.get(REPORT_LIST).status_code == 200
