"""信用承诺书 (module 05): the template, the yearly upload (PDF or image, replaced by a new upload), its
file for the institution and its regulators only, K01 once after the deadline for who has none, the
dashboard's checklist item and to-do, and the regulators' list and 未上传的机构."""

import datetime
import io
import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from credit.choices import EventSource
from credit.letters import (
    commitment_due,
    commitment_missing_record,
    letter_upload,
    letter_visible_to,
    letters_missing,
)
from credit.models import CommitmentLetter, CreditEvent
from credit.services import credit_nightly
from sujt.core.attachments import attachments_of
from sujt.core.models import Attachment
from tests.core.samples import PDF_BYTES, jpeg_bytes, ooxml_bytes, png_bytes, upload
from tests.factories import CertificateFactory, InstitutionFactory, make_cma_number

PAGE = reverse("credit:commitment")
TEMPLATE = reverse("credit:commitment_template")
TODAY = timezone.localdate()
YEAR = TODAY.year


def pdf(name: str = "信用承诺书.pdf"):
    return upload(name, PDF_BYTES, "application/pdf")


def jiangsu_certificate(institution, **kwargs):
    return CertificateFactory(institution=institution, number=make_cma_number(authority="10"), **kwargs)


@pytest.fixture(autouse=True)
def _k01_applies_this_year(settings):
    """The tests' years count (the platform's own first year is a setting)."""
    settings.CREDIT_COMMITMENT_FIRST_YEAR = 2000


@pytest.fixture
def jiangsu(institution):
    jiangsu_certificate(institution)
    return institution


@pytest.fixture
def due_today(settings):
    """The deadline is today: still in time."""
    settings.CREDIT_COMMITMENT_DUE = TODAY.strftime("%m-%d")


def file_url(letter) -> str:
    return reverse("credit:commitment_file", args=[letter.pk])


# --- who may open it ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("inst_staff", 403), ("other_inst_admin", 404), ("inst_admin", 200)],
)
@pytest.mark.parametrize("url", [PAGE, TEMPLATE])
def test_only_members_with_the_permission_of_a_jiangsu_institution_open_it(
    jiangsu, client_for, who, status, url
):
    # other_inst_admin's institution holds no Jiangsu-issued certificate: module 05 does not exist there.
    response = client_for(who).get(url)
    assert response.status_code == status
    if who == "anonymous":
        assert response["Location"].startswith(reverse("accounts:login"))


def test_a_staff_member_granted_manage_credit_may(jiangsu, inst_staff, grant, client_for):
    grant(inst_staff, jiangsu, "manage_credit")
    assert client_for("inst_staff").get(PAGE).status_code == 200


def test_an_institution_with_a_national_certificate_only_gets_404(institution, client_for):
    CertificateFactory(institution=institution, number=make_cma_number(authority="00"))
    assert client_for("inst_admin").get(PAGE).status_code == 404


def test_another_institutions_letter_file_does_not_exist(
    jiangsu, other_institution, other_inst_admin, client_for
):
    jiangsu_certificate(other_institution)
    theirs = letter_upload(institution=other_institution, file=pdf(), by=other_inst_admin)
    assert client_for("inst_admin").get(file_url(theirs)).status_code == 404
    assert client_for("other_inst_admin").get(file_url(theirs)).status_code == 200


def test_the_core_download_view_does_not_serve_letters(jiangsu, inst_admin, client_for):
    # The letter's own views apply its rule; the generic view knows no rule for it and must refuse.
    letter = letter_upload(institution=jiangsu, file=pdf(), by=inst_admin)
    attachment = attachments_of(letter).get()
    assert (
        client_for("inst_admin").get(reverse("core:attachment_download", args=[attachment.pk])).status_code
        == 404
    )


# --- the page and the upload -------------------------------------------------------------------------


def test_before_an_upload_the_page_says_what_is_due(jiangsu, client_for, due_today):
    html = client_for("inst_admin").get(PAGE).content.decode()
    assert f"{YEAR} 年度信用承诺书" in html
    assert "未上传" in html and "今天是截止日期" in html
    assert f'href="{TEMPLATE}"' in html
    assert "暂无往年信用承诺书" in html


def test_uploading_a_pdf_stores_this_years_letter(jiangsu, inst_admin, client_for):
    client = client_for("inst_admin")
    response = client.post(PAGE, {"file": pdf()})
    assert response.status_code == 302 and response["Location"] == PAGE
    letter = CommitmentLetter.objects.get(institution=jiangsu)
    assert letter.year == YEAR and letter.uploaded_by == inst_admin
    attachment = attachments_of(letter).get()
    assert (attachment.purpose, attachment.kind, attachment.original_name) == (
        "letter",
        "pdf",
        "信用承诺书.pdf",
    )
    html = client.get(PAGE).content.decode()
    assert f"{YEAR} 年度信用承诺书已上传" in html
    assert "已上传" in html and f'href="{file_url(letter)}"' in html
    download = client.get(file_url(letter))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF_BYTES
    assert download["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(("name", "content"), [("签字页.png", png_bytes()), ("签字页.jpg", jpeg_bytes())])
def test_an_image_of_the_signed_letter_is_accepted(jiangsu, client_for, name, content):
    assert (
        client_for("inst_admin").post(PAGE, {"file": upload(name, content, "image/png")}).status_code == 302
    )
    assert attachments_of(CommitmentLetter.objects.get()).get().kind == "image"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("承诺书.docx", ooxml_bytes("word/document.xml"), "不支持的文件类型"),
        ("承诺书.txt", "我单位承诺".encode(), "不支持的文件类型"),
        ("承诺书.pdf", b"not really a pdf", "文件内容不是有效的PDF 文件"),
    ],
)
def test_anything_but_a_pdf_or_an_image_is_refused_in_chinese(jiangsu, client_for, name, content, message):
    response = client_for("inst_admin").post(PAGE, {"file": upload(name, content)})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and 'class="field-error"' in html
    assert not CommitmentLetter.objects.exists() and not Attachment.objects.exists()


def test_no_file_chosen_says_so(jiangsu, client_for):
    response = client_for("inst_admin").post(PAGE, {})
    assert response.status_code == 400
    assert "请选择要上传的信用承诺书文件。" in response.content.decode()


def test_uploading_again_replaces_the_file_and_keeps_the_history(jiangsu, inst_admin, clerk, client_for):
    letter = letter_upload(institution=jiangsu, file=pdf("初版.pdf"), by=inst_admin)
    first_file = attachments_of(letter).get()
    colleague = clerk(jiangsu, "经办人丙", "manage_credit")
    again = letter_upload(institution=jiangsu, file=upload("盖章版.png", png_bytes()), by=colleague)
    assert again.pk == letter.pk
    assert CommitmentLetter.objects.count() == 1
    current = attachments_of(again).get()
    assert current.original_name == "盖章版.png" and current.pk != first_file.pk
    assert again.uploaded_by == colleague
    assert list(again.history.order_by("history_id").values_list("uploaded_by_id", flat=True)) == [
        inst_admin.pk,
        colleague.pk,
    ]


def test_a_refused_reupload_keeps_the_letter_already_there(jiangsu, inst_admin, client_for):
    letter = letter_upload(institution=jiangsu, file=pdf(), by=inst_admin)
    response = client_for("inst_admin").post(PAGE, {"file": upload("x.exe", b"MZ")})
    assert response.status_code == 400
    assert attachments_of(letter).get().original_name == "信用承诺书.pdf"


def test_earlier_years_are_listed_with_their_files(jiangsu, inst_admin, client_for):
    old = letter_upload(
        institution=jiangsu, file=pdf("往年.pdf"), by=inst_admin, today=datetime.date(YEAR - 1, 3, 1)
    )
    CommitmentLetter.objects.filter(pk=old.pk).update(
        created_at=timezone.now().replace(year=YEAR - 1, month=3, day=1)
    )
    html = client_for("inst_admin").get(PAGE).content.decode()
    assert f"{YEAR - 1} 年度" in html and "往年.pdf" in html and f'href="{file_url(old)}"' in html
    assert "按期上传" in html


def test_the_template_fills_in_the_institution_and_the_year(jiangsu, client_for):
    response = client_for("inst_admin").get(TEMPLATE)
    html = response.content.decode()
    assert response.status_code == 200
    assert "检验检测机构信用承诺书" in html and f"（{YEAR} 年度）" in html
    assert jiangsu.name in html and jiangsu.uscc in html
    assert "独立、客观、公正" in html and "真实、准确" in html
    assert "credit/commitment.css" in html
    assert "style=" not in html and "<script" not in html and "http://" not in html and "https://" not in html


# --- K01 after the deadline ----------------------------------------------------------------------------


def k01_events():
    return CreditEvent.objects.filter(source=EventSource.COMMITMENT_MISSING)


@pytest.fixture
def due_march(settings):
    settings.CREDIT_COMMITMENT_DUE = "03-31"
    return datetime.date(YEAR, 3, 31)


def test_no_k01_on_or_before_the_deadline(jiangsu, due_march):
    assert commitment_missing_record(today=due_march) == 0
    assert commitment_missing_record(today=datetime.date(YEAR, 1, 5)) == 0
    assert not k01_events().exists()


def test_no_k01_for_years_before_the_platform_opened(jiangsu, due_march, settings):
    settings.CREDIT_COMMITMENT_FIRST_YEAR = 2027
    assert commitment_missing_record(today=datetime.date(2026, 4, 1)) == 0
    assert commitment_missing_record(today=datetime.date(2027, 4, 1)) == 1


def test_k01_once_per_institution_and_year_after_the_deadline(jiangsu, due_march):
    day_after = due_march + datetime.timedelta(days=1)
    assert commitment_missing_record(today=day_after) == 1
    assert commitment_missing_record(today=day_after + datetime.timedelta(days=30)) == 0
    event = k01_events().get()
    assert event.institution_id == jiangsu.pk and event.item.code == "K01"
    assert event.occurred_on == day_after
    assert event.source_key == f"credit.commitment:{jiangsu.pk}:{YEAR}"


def test_no_k01_for_an_institution_with_a_letter_in_time(jiangsu, inst_admin, due_march):
    letter = letter_upload(institution=jiangsu, file=pdf(), by=inst_admin)
    CommitmentLetter.objects.filter(pk=letter.pk).update(
        created_at=timezone.now().replace(year=YEAR, month=3, day=2)
    )
    assert commitment_missing_record(today=datetime.date(YEAR, 4, 1)) == 0
    assert not k01_events().exists()


def test_a_letter_first_uploaded_after_the_deadline_still_gets_k01(jiangsu, inst_admin, due_march):
    letter = letter_upload(institution=jiangsu, file=pdf(), by=inst_admin)
    CommitmentLetter.objects.filter(pk=letter.pk).update(
        created_at=timezone.now().replace(year=YEAR, month=4, day=2)
    )
    assert commitment_missing_record(today=datetime.date(YEAR, 4, 3)) == 1


def test_no_k01_where_module_05_does_not_apply(db, due_march):
    CertificateFactory(number=make_cma_number(authority="00"))  # a national certificate only
    InstitutionFactory()  # no certificate at all
    assert commitment_missing_record(today=datetime.date(YEAR, 4, 1)) == 0


def test_no_k01_for_an_institution_certified_after_the_deadline(db, due_march):
    newcomer = InstitutionFactory()
    jiangsu_certificate(newcomer, issued_on=datetime.date(YEAR, 5, 1))
    assert commitment_missing_record(today=datetime.date(YEAR, 6, 1)) == 0


# A fixed day of this year after a fixed deadline, so that the tests hold on any date (1 January too).
DEADLINE = datetime.date(YEAR, 6, 1)
DAY_AFTER = DEADLINE + datetime.timedelta(days=1)


def test_the_nightly_job_records_k01_and_scores_it(jiangsu, settings):
    settings.CREDIT_COMMITMENT_DUE = DEADLINE.strftime("%m-%d")
    credit_nightly(today=DAY_AFTER)
    assert k01_events().filter(institution=jiangsu).count() == 1
    assert jiangsu.credit_score.score < 100


def test_the_page_shows_the_k01_once_recorded(jiangsu, client_for, settings, monkeypatch):
    settings.CREDIT_COMMITMENT_DUE = DEADLINE.strftime("%m-%d")
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: DAY_AFTER)
    client = client_for("inst_admin")
    html = client.get(PAGE).content.decode()
    assert "已逾期 1 天" in html and "将按规定记录 K01" in html
    commitment_missing_record()
    assert "已按规定记录 K01 未按期上传信用承诺书（−5" in client.get(PAGE).content.decode()


# --- the dashboard -------------------------------------------------------------------------------------


def checklist_item(html: str) -> str | None:
    found = re.search(r'<li class="checklist-item([^"]*)" data-checklist="credit_commitment"', html)
    return None if found is None else found.group(1)


def test_the_checklist_item_links_to_the_upload_and_ticks_off(jiangsu, inst_admin, client_for):
    client = client_for("inst_admin")
    html = client.get(reverse("portal:dashboard")).content.decode()
    assert checklist_item(html) is not None and "is-done" not in checklist_item(html)
    assert f'href="{PAGE}"' in html
    assert f"上传 {YEAR} 年度信用承诺书" in html  # the to-do
    letter_upload(institution=jiangsu, file=pdf(), by=inst_admin)
    html = client.get(reverse("portal:dashboard")).content.decode()
    assert "is-done" in checklist_item(html)
    assert f"上传 {YEAR} 年度信用承诺书" not in html


def test_no_checklist_item_where_module_05_does_not_apply(institution, client_for):
    html = client_for("inst_admin").get(reverse("portal:dashboard")).content.decode()
    assert checklist_item(html) is None
    assert "信用承诺书" not in html


def test_a_member_without_manage_credit_sees_the_item_but_no_todo(jiangsu, client_for):
    html = client_for("inst_staff").get(reverse("portal:dashboard")).content.decode()
    assert checklist_item(html) is not None and "需要“信用管理”权限" in html
    assert f"上传 {YEAR} 年度信用承诺书" not in html


def test_the_todo_is_due_on_the_deadline(jiangsu, inst_admin, due_today):
    from credit.integrations.checklist import commitment_todos

    (todo,) = commitment_todos(inst_admin)
    assert todo.due_date == commitment_due(year=YEAR) == TODAY
    assert todo.url == PAGE and todo.module == "05 信用管理"


# --- regulators ----------------------------------------------------------------------------------------


@pytest.fixture
def two_regions(jiangsu, other_institution, inst_admin, other_inst_admin):
    """A letter in 南京 (jiangsu) and one in 苏州 (other_institution), plus a 南京 institution without."""
    jiangsu_certificate(other_institution)
    missing = InstitutionFactory(name="玄武示例计量检测有限公司", region_code="320102")
    jiangsu_certificate(missing)
    return (
        letter_upload(institution=jiangsu, file=pdf(), by=inst_admin),
        letter_upload(institution=other_institution, file=pdf(), by=other_inst_admin),
        missing,
    )


def test_regulators_have_the_view_permission(city_regulator):
    assert city_regulator.has_perm("credit.view_commitmentletter")
    assert not Permission.objects.filter(
        group__user=city_regulator, codename__in=["change_commitmentletter", "add_commitmentletter"]
    ).exists()


def test_the_admin_list_is_scoped_to_the_region(two_regions, client_for):
    nanjing, suzhou, _missing = two_regions
    url = reverse("admin:credit_commitmentletter_changelist")
    html = client_for("city_regulator").get(url).content.decode()
    assert nanjing.institution.name in html and suzhou.institution.name not in html
    assert "本年度未上传的机构" in html and "导出 Excel" in html
    html = client_for("province_regulator").get(url, {"year": YEAR}).content.decode()
    assert nanjing.institution.name in html and suzhou.institution.name in html


def test_the_admin_file_follows_the_region(two_regions, client_for):
    nanjing, suzhou, _missing = two_regions
    client = client_for("city_regulator")
    assert client.get(reverse("admin:credit_commitmentletter_file", args=[nanjing.pk])).status_code == 200
    assert client.get(reverse("admin:credit_commitmentletter_file", args=[suzhou.pk])).status_code == 404
    assert client.get(reverse("admin:credit_commitmentletter_change", args=[nanjing.pk])).status_code == 200
    assert (
        client.post(reverse("admin:credit_commitmentletter_change", args=[nanjing.pk]), {}).status_code == 403
    )


def test_the_letters_rule_for_its_file(
    two_regions, inst_staff, inst_admin, city_regulator, other_city_regulator
):
    nanjing, _suzhou, _missing = two_regions
    assert letter_visible_to(letter=nanjing, user=inst_admin)
    assert letter_visible_to(letter=nanjing, user=city_regulator)
    assert not letter_visible_to(letter=nanjing, user=inst_staff)
    assert not letter_visible_to(letter=nanjing, user=other_city_regulator)


def test_the_missing_list_shows_who_has_not_uploaded_in_the_region(
    two_regions, client_for, other_city_regulator
):
    _nanjing, _suzhou, missing = two_regions
    unseen = InstitutionFactory(name="苏州未上传检测有限公司", region_code="320505")
    jiangsu_certificate(unseen)
    InstitutionFactory(name="无江苏证书检测有限公司", region_code="320102")  # module 05 does not apply
    assert set(letters_missing(year=YEAR)) == {missing, unseen}

    url = reverse("admin:credit_commitmentletter_missing")
    response = client_for("city_regulator").get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert missing.name in html and unseen.name not in html and "无江苏证书" not in html
    assert re.search(r"data-missing-count>1<", html)
    html = client_for("province_regulator").get(url, {"city": "320500"}).content.decode()
    assert unseen.name in html and missing.name not in html
    # A year without any letter: everyone module 05 applies to.
    html = client_for("province_regulator").get(url, {"year": YEAR - 1}).content.decode()
    assert re.search(r"data-missing-count>4<", html)


def test_the_missing_list_exports_to_excel(two_regions, client_for):
    _nanjing, _suzhou, missing = two_regions
    response = client_for("city_regulator").get(reverse("admin:credit_commitmentletter_missing_export"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("机构名称", "统一社会信用代码", "所在地区")
    assert [row[0] for row in rows[1:]] == [missing.name]


def test_the_missing_list_is_for_regulators_only(two_regions, client_for):
    url = reverse("admin:credit_commitmentletter_missing")
    response = client_for("inst_admin").get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
