"""系统外中心登记 in the workspace: who reaches each page; a registration with its approval documents
saved, edited and submitted through the form; the stage's own requirements and missing documents come
back in Chinese with nothing saved; a regulator's verification puts the center on the institution's list."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from centers import services
from centers.choices import CenterOrigin, CenterStatus
from centers.models import Center, CenterRegistration
from sujt.core.attachments import attachments_of
from sujt.core.choices import ReviewStatus
from sujt.core.workflow import Side, transition
from tests.centers.factories import pdf
from tests.core.samples import ooxml_bytes, upload

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
CREATE = reverse("centers:registration_create")


@pytest.fixture
def enabled(institution):
    institution.centers_enabled = True
    institution.save()
    return institution


@pytest.fixture
def other_enabled(other_institution):
    other_institution.centers_enabled = True
    other_institution.save()
    return other_institution


def facts(**overrides):
    data = {
        "name": "江苏省电线电缆质量检验中心",
        "level": "provincial",
        "kind": "quality",
        "product_scope": "电线电缆及其材料",
        "industry": "机电",
        "approval_number": "苏质监〔2021〕12号",
        "approved_on": TODAY - datetime.timedelta(days=800),
        "stage": "running",
        "construction_due_on": None,
        "accepted_on": TODAY - datetime.timedelta(days=200),
        "acceptance_grade": "good",
    }
    data.update(overrides)
    return data


def form_data(**overrides):
    data = {
        key: ("" if value is None else value.isoformat() if isinstance(value, datetime.date) else value)
        for key, value in facts().items()
    }
    data["action"] = "save"
    data.update(overrides)
    return data


@pytest.fixture
def draft(enabled, inst_admin):
    return services.registration_save(
        institution=enabled, by=inst_admin, data=facts(), documents=[pdf("批准文件.pdf")]
    )


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- Who reaches each page ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("inst_staff", 403), ("other_inst_admin", 404), ("inst_admin", 200)],
)
@pytest.mark.parametrize("page", ["detail", "edit"])
def test_a_registration_is_only_for_its_institution(client_for, draft, other_enabled, page, who, expected):
    response = client_for(who).get(reverse(f"centers:registration_{page}", args=[draft.pk]))
    assert response.status_code == expected
    if who == "anonymous":
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("inst_staff", 403), ("other_inst_admin", 200), ("inst_admin", 200)],
)
def test_the_registration_form_is_for_members_holding_the_permission(
    client_for, enabled, other_enabled, who, expected
):
    assert client_for(who).get(CREATE).status_code == expected


@pytest.mark.parametrize(
    ("who", "expected", "status"),
    [
        ("anonymous", 302, ReviewStatus.DRAFT),
        ("inst_staff", 403, ReviewStatus.DRAFT),
        ("other_inst_admin", 404, ReviewStatus.DRAFT),
        ("inst_admin", 302, ReviewStatus.SUBMITTED),
    ],
)
def test_only_the_institution_submits(client_for, draft, other_enabled, who, expected, status):
    assert (
        client_for(who).post(reverse("centers:registration_submit", args=[draft.pk])).status_code == expected
    )
    draft.refresh_from_db()
    assert draft.status == status


@pytest.mark.parametrize(
    ("who", "expected", "status"),
    [
        ("anonymous", 302, ReviewStatus.DRAFT),
        ("inst_staff", 403, ReviewStatus.DRAFT),
        ("other_inst_admin", 404, ReviewStatus.DRAFT),
        ("inst_admin", 302, ReviewStatus.WITHDRAWN),
    ],
)
def test_only_the_institution_withdraws(client_for, draft, other_enabled, who, expected, status):
    response = client_for(who).post(reverse("centers:registration_withdraw", args=[draft.pk]))
    assert response.status_code == expected
    draft.refresh_from_db()
    assert draft.status == status


@pytest.mark.parametrize("url", ["registration_create", "registration_detail", "registration_edit"])
def test_an_institution_not_enabled_has_no_registration_pages(client_for, draft, institution, url):
    institution.centers_enabled = False
    institution.save()
    args = [] if url == "registration_create" else [draft.pk]
    assert client_for("inst_admin").get(reverse(f"centers:{url}", args=args)).status_code == 404


# --- Through the form ----------------------------------------------------------------------------------


def test_a_draft_then_a_submission_then_the_verified_center(client_for, enabled, city_regulator):
    client = client_for("inst_admin")
    response = client.post(CREATE, form_data(files=[pdf("批复.pdf"), pdf("证书.pdf")]))
    registration = CenterRegistration.objects.get()
    assert response.status_code == 302 and response["Location"] == registration.get_absolute_url()
    assert registration.status == ReviewStatus.DRAFT and "草稿已保存" in _messages(response)[0]

    edit = reverse("centers:registration_edit", args=[registration.pk])
    html = client.get(edit).content.decode()
    assert 'value="苏质监〔2021〕12号"' in html and "批复.pdf" in html
    wrong = attachments_of(registration).get(original_name="证书.pdf")
    response = client.post(edit, form_data(remove_files=[str(wrong.pk)], action="submit"))
    assert response.status_code == 302 and "登记申请已提交" in _messages(response)[0]
    registration.refresh_from_db()
    assert registration.status == ReviewStatus.SUBMITTED
    assert [a.original_name for a in attachments_of(registration)] == ["批复.pdf"]
    html = client.get(registration.get_absolute_url()).content.decode()
    assert "待审核" in html and "运行中（已通过验收）" in html and "良好" in html
    assert reverse("centers:registration_withdraw", args=[registration.pk]) in html
    assert reverse("centers:registration_edit", args=[registration.pk]) not in html

    center = services.registration_approve(registration=registration, by=city_regulator, side=Side.CITY)
    html = client.get(registration.get_absolute_url()).content.decode()
    assert "已核实" in html and center.get_absolute_url() in html
    html = client.get(center.get_absolute_url()).content.decode()
    assert center.status == CenterStatus.RUNNING and center.origin == CenterOrigin.REGISTERED
    assert (
        "系统外批准登记" in html and "苏质监〔2021〕12号" in html and registration.get_absolute_url() in html
    )
    assert center.name in client.get(reverse("centers:center_list")).content.decode()


def test_a_center_being_built_needs_its_deadline(client_for, enabled):
    response = client_for("inst_admin").post(
        CREATE, form_data(stage="building", accepted_on="", acceptance_grade="")
    )
    assert response.status_code == 400
    assert "筹建中的中心请填写筹建及验收期限。" in response.content.decode()
    assert not CenterRegistration.objects.exists()


def test_a_running_center_needs_its_acceptance(client_for, enabled):
    response = client_for("inst_admin").post(CREATE, form_data(accepted_on="", acceptance_grade=""))
    html = response.content.decode()
    assert response.status_code == 400
    assert "已通过验收的中心请填写验收日期。" in html and "已通过验收的中心请选择验收等级。" in html
    assert 'value="江苏省电线电缆质量检验中心"' in html  # everything typed comes back
    assert not CenterRegistration.objects.exists()


def test_missing_fields_and_bad_dates_are_named_in_chinese(client_for, enabled):
    response = client_for("inst_admin").post(
        CREATE, form_data(name="", approval_number="", approved_on="2021年3月", stage="")
    )
    html = response.content.decode()
    assert response.status_code == 400
    for text in (
        "请填写中心名称。",
        "请填写批准文号。",
        "请按 2026-03-15 的格式填写日期。",
        "请选择中心当前所处阶段。",
    ):
        assert text in html, text
    assert not CenterRegistration.objects.exists()


def test_submitting_without_documents_is_refused_and_nothing_is_kept(client_for, enabled):
    response = client_for("inst_admin").post(CREATE, form_data(action="submit"))
    assert response.status_code == 400 and "请上传中心的批准文件。" in response.content.decode()
    assert not CenterRegistration.objects.exists()


def test_a_document_of_a_refused_type_is_named(client_for, enabled):
    sheet = upload(
        "批准文件.xlsx",
        ooxml_bytes("xl/workbook.xml"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response = client_for("inst_admin").post(CREATE, form_data(files=[sheet]))
    assert response.status_code == 400 and "不支持的文件类型" in response.content.decode()
    assert not CenterRegistration.objects.exists()


def test_a_name_already_in_use_is_refused_on_submit(client_for, enabled, inst_admin):
    Center.objects.create(
        institution=enabled,
        name="江苏省电线电缆质量检验中心",
        level="provincial",
        kind="quality",
        product_scope="x",
    )
    response = client_for("inst_admin").post(CREATE, form_data(files=[pdf("批复.pdf")], action="submit"))
    assert response.status_code == 400 and "本机构已有同名中心" in response.content.decode()
    assert not CenterRegistration.objects.exists()


def test_a_returned_registration_shows_the_comment_and_is_resubmitted(client_for, draft, city_regulator):
    services.registration_submit(registration=draft, by=draft.applicant)
    transition(obj=draft, name="return", by=city_regulator, side=Side.CITY, comment="批准文件不清晰。")
    client = client_for("inst_admin")
    html = client.get(draft.get_absolute_url()).content.decode()
    assert "批准文件不清晰。" in html and "修改并重新提交" in html
    edit = reverse("centers:registration_edit", args=[draft.pk])
    assert "退回意见" in client.get(edit).content.decode()
    response = client.post(edit, form_data(files=[pdf("批复（清晰）.pdf")], action="submit"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == ReviewStatus.SUBMITTED and attachments_of(draft).count() == 2


def test_a_registration_under_review_cannot_be_edited(client_for, draft):
    services.registration_submit(registration=draft, by=draft.applicant)
    response = client_for("inst_admin").post(
        reverse("centers:registration_edit", args=[draft.pk]), form_data(name="改名")
    )
    assert response.status_code == 302 and "不能修改" in _messages(response)[0]
    draft.refresh_from_db()
    assert draft.name != "改名"
