import hashlib
from pathlib import Path

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse

from sujt.core.attachments import (
    attachment_create,
    attachment_delete,
    attachments_of,
    content_disposition,
    sanitize_filename,
    validate_upload,
)
from sujt.core.choices import AttachmentKind as K
from sujt.core.forms import ContentCheckedFileField
from sujt.core.models import Attachment
from tests.core.samples import PDF_BYTES, jpeg_bytes, ooxml_bytes, png_bytes, upload
from tests.factories import RegulatorFactory

ALL_KINDS = [K.IMAGE, K.PDF, K.XLSX, K.DOCX]


def refused(file, *, kinds=ALL_KINDS, max_bytes=None) -> ValidationError:
    with pytest.raises(ValidationError) as excinfo:
        validate_upload(file, kinds=kinds, max_bytes=max_bytes)
    return excinfo.value


# --- content checks -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("公章.png", png_bytes(), K.IMAGE),
        ("photo.JPG", jpeg_bytes(), K.IMAGE),
        ("承诺书.pdf", PDF_BYTES, K.PDF),
        ("运营数据.xlsx", ooxml_bytes("xl/workbook.xml"), K.XLSX),
        ("说明.docx", ooxml_bytes("word/document.xml"), K.DOCX),
    ],
)
def test_real_files_are_accepted_as_their_kind(name, content, kind):
    assert validate_upload(upload(name, content), kinds=ALL_KINDS) == kind


def test_a_text_file_named_png_is_refused_with_a_clear_message():
    error = refused(upload("证书.png", b"just some text, not an image"))
    assert error.code == "content"
    assert error.messages == ["文件内容不是有效的图片（文件扩展名为 .png）。请确认文件未损坏，且确为该类型。"]


@pytest.mark.parametrize(
    ("name", "content", "label"),
    [
        ("report.pdf", b"<html>%PDF-1.4</html>", "PDF 文件"),
        ("report.pdf", png_bytes(), "PDF 文件"),
        ("data.xlsx", b"PK\x03\x04 broken zip", "Excel 工作簿（.xlsx）"),
        ("data.xlsx", ooxml_bytes("word/document.xml"), "Excel 工作簿（.xlsx）"),  # a docx renamed
        ("doc.docx", ooxml_bytes("xl/workbook.xml"), "Word 文档（.docx）"),  # an xlsx renamed
        ("truncated.png", png_bytes()[:40], "图片"),
        ("scan.gif", PDF_BYTES, "图片"),
    ],
)
def test_content_not_matching_the_extension_is_refused(name, content, label):
    error = refused(upload(name, content))
    assert error.code == "content"
    assert f"文件内容不是有效的{label}" in error.messages[0]


def test_a_zip_without_content_types_is_not_an_office_file():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("xl/workbook.xml", "<x/>")
    assert refused(upload("data.xlsx", buffer.getvalue())).code == "content"


@pytest.mark.parametrize("name", ["run.exe", "page.html", "noextension", "image.svg", "a.png.exe"])
def test_unsupported_extensions_are_refused(name):
    error = refused(upload(name, png_bytes()))
    assert error.code == "extension"
    assert "不支持的文件类型" in error.messages[0]


def test_a_kind_not_asked_for_is_refused_even_if_genuine():
    error = refused(upload("a.png", png_bytes()), kinds=[K.PDF])
    assert error.code == "extension"
    assert "请上传PDF 文件，扩展名为 .pdf" in error.messages[0]


def test_an_oversize_file_is_refused(settings):
    settings.UPLOAD_MAX_BYTES = 1024
    error = refused(upload("big.pdf", PDF_BYTES + b"0" * 2000))
    assert error.code == "too_large"
    assert error.messages == ["文件大小为 2 KB，超过了 1 KB 的上限。"]


def test_a_per_call_limit_can_only_be_smaller(settings):
    settings.UPLOAD_MAX_BYTES = 10_000
    assert refused(upload("a.pdf", PDF_BYTES), max_bytes=50).code == "too_large"
    assert validate_upload(upload("a.pdf", PDF_BYTES), kinds=[K.PDF], max_bytes=10**9) == K.PDF
    settings.UPLOAD_MAX_BYTES = 50
    assert refused(upload("a.pdf", PDF_BYTES), max_bytes=10**9).code == "too_large"


def test_an_empty_file_is_refused():
    assert refused(upload("a.pdf", b"")).code == "empty"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\张三\\桌面\\承诺书.PDF", "承诺书.pdf"),
        ("evil\x00name\r\n.png", "evilname.png"),
        ("a\u202egnp.exe", "agnp.exe"),  # right-to-left override removed
        ('re<po>rt:"x"|?.pdf', "re_po_rt__x___.pdf"),
        ("...hidden.pdf", "hidden.pdf"),
        ("   ", "未命名"),
        (".pdf", "pdf"),
        ("x" * 300 + ".pdf", "x" * 116 + ".pdf"),
    ],
)
def test_file_names_are_sanitised(raw, clean):
    assert sanitize_filename(raw) == clean


# --- storing ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_attachment_is_stored_privately_under_a_random_name(institution, inst_admin, settings):
    content = png_bytes()
    attachment = attachment_create(
        owner=institution,
        file=upload("../营业执照.png", content),
        kinds=[K.IMAGE],
        purpose="license",
        by=inst_admin,
    )
    attachment.refresh_from_db()
    assert attachment.owner == institution
    assert (attachment.original_name, attachment.kind, attachment.mime_type) == (
        "营业执照.png",
        K.IMAGE,
        "image/png",
    )
    assert attachment.size == len(content)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.uploaded_by == inst_admin
    stored = Path(attachment.file.path)
    assert stored.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT))
    assert not stored.is_relative_to(Path(settings.MEDIA_ROOT))
    assert "营业执照" not in stored.name and stored.suffix == ".png"
    assert stored.read_bytes() == content
    with pytest.raises(ValueError):
        attachment.file.url  # noqa: B018 - a private file has no public URL


@pytest.mark.django_db
def test_an_image_is_stored_with_the_extension_of_its_real_format(institution, inst_admin):
    attachment = attachment_create(
        owner=institution, file=upload("photo.png", jpeg_bytes()), kinds=[K.IMAGE], purpose="", by=inst_admin
    )
    assert attachment.mime_type == "image/jpeg"
    assert attachment.file.name.endswith(".jpg")


@pytest.mark.django_db
def test_a_refused_upload_stores_nothing(institution, inst_admin, settings):
    with pytest.raises(ValidationError):
        attachment_create(owner=institution, file=upload("a.png", b"text"), kinds=[K.IMAGE], by=inst_admin)
    assert not Attachment.objects.exists()
    assert not Path(settings.PRIVATE_MEDIA_ROOT).exists() or not any(
        Path(settings.PRIVATE_MEDIA_ROOT).rglob("*.*")
    )


@pytest.mark.django_db
def test_attachments_of_lists_an_owners_files_by_purpose(
    institution, other_institution, inst_admin, django_capture_on_commit_callbacks
):
    first = attachment_create(
        owner=institution, file=upload("a.pdf", PDF_BYTES), kinds=[K.PDF], purpose="x", by=inst_admin
    )
    second = attachment_create(
        owner=institution, file=upload("b.pdf", PDF_BYTES), kinds=[K.PDF], purpose="y", by=inst_admin
    )
    attachment_create(owner=other_institution, file=upload("c.pdf", PDF_BYTES), kinds=[K.PDF], by=inst_admin)
    assert list(attachments_of(institution)) == [first, second]
    assert list(attachments_of(institution, purpose="y")) == [second]

    path = Path(second.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        attachment_delete(attachment=second)
    assert list(attachments_of(institution)) == [first]
    assert not path.exists()


def test_content_checked_form_field_reports_errors_next_to_the_field():
    class UploadForm(forms.Form):
        scan = ContentCheckedFileField(label="扫描件", kinds=[K.PDF, K.IMAGE], max_bytes=10_000)

    bad = UploadForm(data={}, files={"scan": upload("scan.pdf", b"not a pdf")})
    assert not bad.is_valid()
    assert bad.errors["scan"] == [
        "文件内容不是有效的PDF 文件（文件扩展名为 .pdf）。请确认文件未损坏，且确为该类型。"
    ]
    assert 'accept=".pdf,application/pdf,image/*"' in str(bad["scan"])

    good = UploadForm(data={}, files={"scan": upload("scan.pdf", PDF_BYTES)})
    assert good.is_valid(), good.errors
    assert good.cleaned_data["scan"].detected_kind == K.PDF


# --- download -------------------------------------------------------------------------------------


@pytest.fixture
def evidence(db, institution, inst_admin):
    return attachment_create(
        owner=institution,
        file=upload("整改证据 2026.pdf", PDF_BYTES),
        kinds=[K.PDF],
        purpose="evidence",
        by=inst_admin,
    )


@pytest.fixture
def district_regulator_elsewhere(db):
    return RegulatorFactory(region_code="320104", user__name="秦淮区监管员").user


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("inst_admin", 200),
        ("inst_staff", 404),  # the institution's files are 机构风采管理's: staff without it see none
        ("city_regulator", 200),
        ("province_regulator", 200),
        ("superuser", 200),
        ("other_inst_admin", 404),
        ("other_city_regulator", 404),
        ("district_regulator_elsewhere", 404),
    ],
)
def test_download_is_visible_only_to_who_may_see_the_owner(client_for, evidence, who, expected):
    response = client_for(who).get(reverse("core:attachment_download", args=[evidence.pk]))
    assert response.status_code == expected
    if expected == 200:
        assert b"".join(response.streaming_content) == PDF_BYTES
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"] == (
            'attachment; filename="2026.pdf"; '
            "filename*=UTF-8''%E6%95%B4%E6%94%B9%E8%AF%81%E6%8D%AE%202026.pdf"
        )


def test_anonymous_download_redirects_to_login(client_for, evidence):
    url = reverse("core:attachment_download", args=[evidence.pk])
    response = client_for("anonymous").get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_an_inactive_member_cannot_download(client_for, evidence, inst_staff):
    inst_staff.memberships.update(is_active=False)
    response = client_for("inst_staff").get(reverse("core:attachment_download", args=[evidence.pk]))
    assert response.status_code == 404


def test_unknown_attachment_and_owner_without_visibility_rule_are_404(client_for, evidence, inst_admin):
    client = client_for("inst_admin")
    assert client.get(reverse("core:attachment_download", args=[evidence.pk + 1000])).status_code == 404
    # A user is not an owner that defines attachments_visible_to: nobody may download its files.
    private = attachment_create(
        owner=inst_admin, file=upload("a.pdf", PDF_BYTES), kinds=[K.PDF], by=inst_admin
    )
    assert client.get(reverse("core:attachment_download", args=[private.pk])).status_code == 404


def test_download_of_a_missing_file_is_404_not_500(client_for, evidence):
    Path(evidence.file.path).unlink()
    assert (
        client_for("inst_admin").get(reverse("core:attachment_download", args=[evidence.pk])).status_code
        == 404
    )


def test_download_accepts_only_safe_methods(client_for, evidence):
    assert (
        client_for("inst_admin").post(reverse("core:attachment_download", args=[evidence.pk])).status_code
        == 405
    )


def test_content_disposition_keeps_ascii_names_and_escapes_quotes():
    assert (
        content_disposition("report.pdf")
        == "attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf"
    )
    assert content_disposition("承诺书.pdf") == (
        "attachment; filename=\"download.pdf\"; filename*=UTF-8''%E6%89%BF%E8%AF%BA%E4%B9%A6.pdf"
    )


def test_the_attachment_list_partial_links_each_file_and_has_an_empty_state(
    evidence, institution, other_institution
):
    from django.template.loader import render_to_string

    html = render_to_string("core/includes/attachments.html", {"attachments": attachments_of(institution)})
    assert f'href="/files/{evidence.pk}/"' in html
    assert "整改证据 2026.pdf" in html and "PDF 文件" in html and "机构管理员甲" in html
    empty = render_to_string(
        "core/includes/attachments.html", {"attachments": attachments_of(other_institution)}
    )
    assert "暂无附件" in empty


# --- download: a reviewed submission's files (tests/core/workflow_app) ------------------------------


@pytest.mark.parametrize(
    ("status", "submitted", "listed"),
    [
        ("draft", False, False),
        ("withdrawn", False, False),
        ("submitted", True, True),
        ("returned", True, True),
        ("withdrawn", True, True),
    ],
)
def test_a_submissions_files_follow_its_module_permission_and_the_review_queue(
    client_for,
    make_submission,
    institution,
    inst_admin,
    inst_staff,
    city_regulator,
    province_regulator,
    other_city_regulator,
    grant,
    status,
    submitted,
    listed,
):
    from django.contrib.auth.models import Permission
    from django.utils import timezone

    # The test app's admin is viewed with its own model permission, as a module's would be.
    view = Permission.objects.get(content_type__app_label="workflow_app", codename="view_submission")
    for regulator in (city_regulator, province_regulator, other_city_regulator):
        regulator.user_permissions.add(view)
    submission = make_submission(status=status, submitted_at=timezone.now() if submitted else None)
    attachment = attachment_create(
        owner=submission, file=upload("承诺书.pdf", PDF_BYTES), kinds=[K.PDF], by=inst_admin
    )
    url = reverse("core:attachment_download", args=[attachment.pk])

    def status_for(who: str) -> int:
        return client_for(who).get(url).status_code

    assert status_for("inst_admin") == 200
    assert status_for("inst_staff") == 404  # no 信用管理
    grant(inst_staff, institution, "manage_credit")
    assert status_for("inst_staff") == 200
    assert status_for("other_city_regulator") == 404
    assert status_for("other_inst_admin") == 404
    for who in ("city_regulator", "province_regulator", "superuser"):
        assert status_for(who) == (200 if listed else 404), who
    changelist = client_for("city_regulator").get(reverse("admin:workflow_app_submission_changelist"))
    assert (submission in changelist.context["cl"].result_list) is listed


def test_a_regulator_who_may_not_view_the_owners_model_in_admin_downloads_none_of_its_files(
    client_for, make_submission, inst_admin, city_regulator
):
    from django.contrib.auth.models import Permission
    from django.utils import timezone

    submission = make_submission(status="submitted", submitted_at=timezone.now())
    attachment = attachment_create(
        owner=submission, file=upload("承诺书.pdf", PDF_BYTES), kinds=[K.PDF], by=inst_admin
    )
    url = reverse("core:attachment_download", args=[attachment.pk])
    assert client_for("city_regulator").get(url).status_code == 404
    city_regulator.user_permissions.add(
        Permission.objects.get(content_type__app_label="workflow_app", codename="change_submission")
    )
    assert client_for("city_regulator").get(url).status_code == 200
