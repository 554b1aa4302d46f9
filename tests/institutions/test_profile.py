"""概览 and 完善信息 of module 02: permissions, the form's rules, uploads, completeness."""

import io
import os
import re

import pytest
from django.urls import NoReverseMatch, reverse
from PIL import Image

from institutions.models import Institution, InstitutionField
from institutions.services.completeness import completeness_score
from sujt.core.attachments import attachments_of
from sujt.core.models import Attachment
from tests.core.samples import PDF_BYTES, jpeg_bytes, png_bytes, upload
from tests.factories import MembershipFactory

OVERVIEW = reverse("institutions:overview")
EDIT = reverse("institutions:profile_edit")


def form_data(**overrides) -> dict:
    """A valid 完善信息 submission without files (not high-tech, not listed)."""
    data = {
        "is_high_tech": "False",
        "high_tech_obtained_on": "",
        "legal_person_type": "enterprise",
        "unit_type": "third_party",
        "supervising_department": "01",
        "ownership": "private",
        "is_listed": "False",
        "listed_market": "",
        "stock_code": "",
        "investor_type": "private",
        "fields": ["00", "13"],
        "business_scope": "<p>食品、水质检验检测</p>",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def png_upload(name: str = "logo.png") -> object:
    return upload(name, png_bytes((32, 32)), "image/png")


def post(client, data: dict, **files):
    return client.post(EDIT, {**data, **files})


def errors_of(response) -> dict:
    return response.context["form"].errors


# --- permissions ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [OVERVIEW, EDIT])
def test_anonymous_users_are_sent_to_log_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("url", [OVERVIEW, EDIT])
@pytest.mark.parametrize(
    ("who", "expected"),
    [("inst_staff", 403), ("city_regulator", 404), ("inst_admin", 200), ("other_inst_admin", 200)],
)
def test_permission_matrix(client_for, url, who, expected):
    assert client_for(who).get(url).status_code == expected


@pytest.mark.parametrize("url", [OVERVIEW, EDIT])
def test_staff_granted_manage_profile_may_open_the_pages(client_for, inst_staff, institution, grant, url):
    grant(inst_staff, institution, "manage_profile")
    assert client_for("inst_staff").get(url).status_code == 200


def test_staff_without_the_permission_cannot_post_either(client_for, institution):
    response = client_for("inst_staff").post(EDIT, form_data())
    assert response.status_code == 403
    institution.refresh_from_db()
    assert institution.legal_person_type == ""


def test_pages_show_only_the_current_institution(client_for, institution, other_institution):
    for url in (OVERVIEW, EDIT):
        html = client_for("other_inst_admin").get(url).content.decode()
        assert other_institution.name in html
        assert institution.name not in html


def test_a_forged_institution_in_the_session_is_not_followed(
    client, inst_admin, institution, other_institution
):
    client.force_login(inst_admin)
    session = client.session
    session["current_institution_id"] = other_institution.pk  # not a member there
    session.save()
    assert post(client, form_data()).status_code == 302
    institution.refresh_from_db()
    other_institution.refresh_from_db()
    assert institution.legal_person_type == "enterprise"
    assert other_institution.legal_person_type == ""


def test_synced_and_computed_fields_cannot_be_posted(client_for, institution):
    name, uscc = institution.name, institution.uscc
    forged = form_data(
        name="伪造的机构名称",
        uscc="91320100MA1XXXXXXX",
        status="revoked",
        completeness="100",
        contact_phone="13912345678",
        info_confirmed_at="2026-01-01 00:00",
        centers_enabled="on",
    )
    assert post(client_for("inst_admin"), forged).status_code == 302
    institution.refresh_from_db()
    assert (institution.name, institution.uscc, institution.status) == (name, uscc, "normal")
    assert institution.contact_phone == ""
    assert institution.info_confirmed_at is None
    assert institution.centers_enabled is False
    assert institution.completeness == completeness_score(institution=institution)


# --- the form --------------------------------------------------------------------------------------------


def test_every_field_of_the_manual_is_on_the_form(client_for):
    html = client_for("inst_admin").get(EDIT).content.decode()
    for label in [
        "是否高新技术企业",
        "高新技术企业获得时间",
        "高新技术企业证书扫描件",
        "机构Logo",
        "法人类型",
        "单位类型",
        "所属厅局",
        "所有制结构",
        "是否上市公司",
        "所属市场",
        "股票代码",
        "出资人类型",
        "检验检测领域",
        "业务范围",
    ]:
        assert label in html, label
    assert 'enctype="multipart/form-data"' in html
    assert 'type="date"' in html
    assert html.count('type="checkbox" name="fields"') == 22
    assert "django_ckeditor_5" in html  # the rich-text editor and its assets
    for anchor in ["id_is_high_tech", "id_logo", "id_legal_person_type", "id_is_listed", "id_fields"]:
        assert f'id="{anchor}"' in html, anchor


def test_saving_updates_the_profile_and_syncs_testing_fields(client_for, institution, inst_admin):
    response = post(client_for("inst_admin"), form_data())
    assert response.status_code == 302 and response["Location"] == OVERVIEW
    institution.refresh_from_db()
    assert institution.legal_person_type == "enterprise"
    assert institution.supervising_department == "01"
    assert institution.is_high_tech is False and institution.is_listed is False
    assert sorted(institution.fields.values_list("code", flat=True)) == ["00", "13"]

    post(client_for("inst_admin"), form_data(fields=["13", "20"]))
    assert sorted(institution.fields.values_list("code", flat=True)) == ["13", "20"]
    assert InstitutionField.history.filter(institution_id=institution.pk, history_type="-").count() == 1
    assert institution.history.first().history_user == inst_admin


@pytest.mark.parametrize("missing", ["legal_person_type", "investor_type", "is_high_tech", "is_listed"])
def test_the_manuals_required_answers_are_required(client_for, missing):
    response = post(client_for("inst_admin"), form_data(**{missing: None}))
    assert response.status_code == 200
    assert missing in errors_of(response)


def test_high_tech_yes_needs_the_date_and_the_scan_on_their_fields(client_for, institution):
    response = post(client_for("inst_admin"), form_data(is_high_tech="True"))
    assert response.status_code == 200
    errors = errors_of(response)
    assert errors["high_tech_obtained_on"] == ["选择“是”高新技术企业时，必须填写获得时间。"]
    assert errors["high_tech_certificate"] == ["选择“是”高新技术企业时，必须上传高新技术企业证书扫描件。"]
    html = response.content.decode()
    assert "错误：选择“是”高新技术企业时，必须填写获得时间。" in html
    institution.refresh_from_db()
    assert institution.is_high_tech is None


@pytest.mark.parametrize(
    ("scan", "content_type"), [("证书.pdf", "application/pdf"), ("证书.png", "image/png")]
)
def test_high_tech_yes_with_date_and_scan_is_saved(client_for, institution, inst_admin, scan, content_type):
    content = PDF_BYTES if scan.endswith(".pdf") else png_bytes()
    response = post(
        client_for("inst_admin"),
        form_data(is_high_tech="True", high_tech_obtained_on="2021-02-01"),
        high_tech_certificate=upload(scan, content, content_type),
    )
    assert response.status_code == 302
    institution.refresh_from_db()
    assert institution.is_high_tech is True
    assert str(institution.high_tech_obtained_on) == "2021-02-01"
    attachment = institution.high_tech_certificate
    assert attachment.owner == institution
    assert attachment.purpose == "high_tech_certificate"
    assert attachment.original_name == scan
    assert attachment.uploaded_by == inst_admin


def test_a_stored_scan_satisfies_the_rule_without_a_new_upload(client_for, institution):
    client = client_for("inst_admin")
    post(
        client,
        form_data(is_high_tech="True", high_tech_obtained_on="2021-02-01"),
        high_tech_certificate=upload("证书.pdf", PDF_BYTES, "application/pdf"),
    )
    response = post(client, form_data(is_high_tech="True", high_tech_obtained_on="2022-03-04"))
    assert response.status_code == 302
    institution.refresh_from_db()
    assert str(institution.high_tech_obtained_on) == "2022-03-04"
    assert institution.high_tech_certificate_id is not None


def test_answering_no_removes_the_date_and_the_scan(client_for, institution):
    client = client_for("inst_admin")
    post(
        client,
        form_data(is_high_tech="True", high_tech_obtained_on="2021-02-01"),
        high_tech_certificate=upload("证书.pdf", PDF_BYTES, "application/pdf"),
    )
    assert (
        post(client, form_data(is_high_tech="False", high_tech_obtained_on="2021-02-01")).status_code == 302
    )
    institution.refresh_from_db()
    assert institution.high_tech_obtained_on is None and institution.high_tech_certificate_id is None
    assert not attachments_of(institution, purpose="high_tech_certificate").exists()


def test_high_tech_date_cannot_be_in_the_future(client_for):
    response = post(
        client_for("inst_admin"),
        form_data(is_high_tech="True", high_tech_obtained_on="2999-01-01"),
        high_tech_certificate=upload("证书.pdf", PDF_BYTES, "application/pdf"),
    )
    assert errors_of(response)["high_tech_obtained_on"] == ["获得时间不能晚于今天。"]
    assert not Attachment.objects.exists()


def test_a_scan_must_be_an_image_or_a_pdf(client_for):
    response = post(
        client_for("inst_admin"),
        form_data(is_high_tech="True", high_tech_obtained_on="2021-02-01"),
        high_tech_certificate=upload("证书.pdf", b"not a pdf at all", "application/pdf"),
    )
    assert "文件内容不是有效的PDF 文件" in errors_of(response)["high_tech_certificate"][0]


def test_listed_needs_market_and_stock_code(client_for, institution):
    response = post(client_for("inst_admin"), form_data(is_listed="True"))
    errors = errors_of(response)
    assert errors["listed_market"] == ["上市公司必须选择所属市场。"]
    assert errors["stock_code"] == ["上市公司必须填写股票代码。"]
    assert "错误：上市公司必须填写股票代码。" in response.content.decode()


def test_listed_with_market_and_code_is_saved_and_the_code_uppercased(client_for, institution):
    response = post(
        client_for("inst_admin"), form_data(is_listed="True", listed_market="star", stock_code=" 688abc ")
    )
    assert response.status_code == 302
    institution.refresh_from_db()
    assert (institution.is_listed, institution.listed_market, institution.stock_code) == (
        True,
        "star",
        "688ABC",
    )


def test_a_malformed_stock_code_is_refused(client_for):
    response = post(
        client_for("inst_admin"), form_data(is_listed="True", listed_market="star", stock_code="12-3")
    )
    assert errors_of(response)["stock_code"] == ["股票代码应为4–8位数字或大写字母。"]


def test_not_listed_clears_market_and_code(client_for, institution):
    client = client_for("inst_admin")
    post(client, form_data(is_listed="True", listed_market="star", stock_code="688001"))
    post(client, form_data(is_listed="False", listed_market="star", stock_code="688001"))
    institution.refresh_from_db()
    assert (institution.listed_market, institution.stock_code) == ("", "")


def test_unknown_testing_field_is_refused(client_for):
    response = post(client_for("inst_admin"), form_data(fields=["00", "99"]))
    assert "fields" in errors_of(response)


def test_business_scope_is_sanitised(client_for, institution):
    dirty = (
        '<p onclick="steal()">食品检测<script>alert(1)</script></p>'
        '<img src="x" onerror="alert(2)"><a href="javascript:alert(3)">链接</a>'
    )
    post(client_for("inst_admin"), form_data(business_scope=dirty))
    institution.refresh_from_db()
    scope = institution.business_scope
    assert "食品检测" in scope
    for bad in ["<script", "onclick", "onerror", "javascript:", "alert(1)"]:
        assert bad not in scope
    html = client_for("inst_admin").get(OVERVIEW).content.decode()
    assert "<p>食品检测</p>" in html and "<script>alert(1)" not in html


# --- logo ------------------------------------------------------------------------------------------------


def test_a_text_file_renamed_png_is_refused_as_logo_with_a_clear_message(client_for, institution):
    response = post(
        client_for("inst_admin"), form_data(), logo=upload("logo.png", b"just some text\n", "image/png")
    )
    assert response.status_code == 200
    message = errors_of(response)["logo"][0]
    assert message == "文件内容不是有效的图片（文件扩展名为 .png）。请确认文件未损坏，且确为该类型。"
    assert f"错误：{message}" in response.content.decode()
    institution.refresh_from_db()
    assert institution.logo_id is None and institution.legal_person_type == ""
    assert not Attachment.objects.exists()


def test_a_pdf_is_not_a_logo(client_for):
    response = post(
        client_for("inst_admin"), form_data(), logo=upload("logo.pdf", PDF_BYTES, "application/pdf")
    )
    assert "不支持的文件类型（.pdf）" in errors_of(response)["logo"][0]


def test_a_logo_over_two_megabytes_is_refused(client_for):
    buffer = io.BytesIO()
    Image.frombytes("RGB", (1000, 1000), os.urandom(3_000_000)).save(buffer, format="PNG")
    assert buffer.tell() > 2 * 1024 * 1024
    response = post(
        client_for("inst_admin"), form_data(), logo=upload("big.png", buffer.getvalue(), "image/png")
    )
    assert "超过了 2 MB 的上限" in errors_of(response)["logo"][0]


def test_a_new_logo_replaces_the_previous_one(client_for, institution, django_capture_on_commit_callbacks):
    client = client_for("inst_admin")
    assert post(client, form_data(), logo=png_upload("first.png")).status_code == 302
    institution.refresh_from_db()
    first = institution.logo
    assert first.purpose == "logo" and first.owner == institution and first.mime_type == "image/png"
    first_path = first.file.path
    assert os.path.exists(first_path)

    jpeg = upload("second.jpg", jpeg_bytes(), "image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, form_data(), logo=jpeg).status_code == 302
    institution.refresh_from_db()
    assert institution.logo.original_name == "second.jpg"
    assert list(attachments_of(institution, purpose="logo")) == [institution.logo]
    assert not Attachment.objects.filter(pk=first.pk).exists()
    assert not os.path.exists(first_path)


def test_saving_without_a_new_logo_keeps_the_stored_one(client_for, institution):
    client = client_for("inst_admin")
    post(client, form_data(), logo=png_upload())
    institution.refresh_from_db()
    logo_id = institution.logo_id
    post(client, form_data(legal_person_type="public"))
    institution.refresh_from_db()
    assert institution.logo_id == logo_id and institution.legal_person_type == "public"


def test_existing_uploads_are_shown_on_the_form(client_for, institution):
    client = client_for("inst_admin")
    post(
        client,
        form_data(is_high_tech="True", high_tech_obtained_on="2021-02-01"),
        logo=png_upload(),
        high_tech_certificate=upload("高企证书.pdf", PDF_BYTES, "application/pdf"),
    )
    institution.refresh_from_db()
    html = client.get(EDIT).content.decode()
    logo_url = f"{reverse('institutions:logo', args=[institution.pk])}?v={institution.logo_id}"
    assert f'src="{logo_url}"' in html
    scan_url = reverse("core:attachment_download", args=[institution.high_tech_certificate_id])
    assert f'href="{scan_url}">高企证书.pdf</a>' in html
    assert client.get(scan_url).status_code == 200
    assert client.get(logo_url).status_code == 200


def test_the_certificate_scan_stays_private_to_the_institution(client_for, institution):
    post(
        client_for("inst_admin"),
        form_data(is_high_tech="True", high_tech_obtained_on="2021-02-01"),
        high_tech_certificate=upload("证书.pdf", PDF_BYTES, "application/pdf"),
    )
    institution.refresh_from_db()
    url = reverse("core:attachment_download", args=[institution.high_tech_certificate_id])
    assert client_for("inst_admin").get(url).status_code == 200
    assert client_for("other_inst_admin").get(url).status_code == 404
    assert client_for("anonymous").get(url).status_code == 302
    # Nor is it a logo: the public logo address serves only the logo attachment.
    type(institution).objects.filter(pk=institution.pk).update(logo=institution.high_tech_certificate)
    assert client_for("anonymous").get(reverse("institutions:logo", args=[institution.pk])).status_code == 404


def test_a_failed_form_keeps_what_was_typed_and_asks_for_the_file_again(client_for, institution):
    response = post(
        client_for("inst_admin"),
        form_data(is_listed="True", business_scope="<p>环境监测</p>", legal_person_type="public"),
        logo=png_upload(),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "本次提交未保存，浏览器不会保留已选择的文件：请重新选择该文件。" in html
    assert "环境监测" in html
    assert re.search(r'<option value="public" selected>', html)
    assert "完善信息未保存" in html
    assert not Attachment.objects.exists()
    institution.refresh_from_db()
    assert institution.logo_id is None


# --- overview and completeness ---------------------------------------------------------------------------


def overview_score(html: str) -> int:
    return int(re.search(r"<span class=\"completeness-value\" data-completeness>(\d+)</span>", html).group(1))


def test_completeness_goes_up_after_saving_and_is_stored(client_for, institution):
    client = client_for("inst_admin")
    before = overview_score(client.get(OVERVIEW).content.decode())
    assert before == 0
    post(
        client,
        form_data(is_high_tech="True", high_tech_obtained_on="2021-02-01"),
        logo=png_upload(),
        high_tech_certificate=upload("证书.pdf", PDF_BYTES, "application/pdf"),
    )
    institution = Institution.objects.get(pk=institution.pk)
    after = overview_score(client.get(OVERVIEW).content.decode())
    # Every 完善信息 item is now done: 5+5+5+4+4+4+4+4+6+6.
    assert after == before + 47
    assert institution.completeness == after == completeness_score(institution=institution)


def test_overview_shows_the_weighted_checklist_with_links_to_fix(client_for, institution):
    institution.phone = "025-83456789"
    institution.save()
    html = client_for("inst_admin").get(OVERVIEW).content.decode()
    for group in ["基础信息", "完善信息", "资质与确认"]:
        assert f"<h3>{group} " in html
    assert re.search(r'data-item="phone">\s*<span class="status status-ok">已完成</span>', html)
    assert re.search(r'data-item="logo">\s*<span class="status status-off">未完成</span>', html)
    assert f'href="{EDIT}#id_logo"' in html
    assert f'href="{EDIT}#id_fields"' in html
    assert f'href="{OVERVIEW}#basic"' in html and 'id="basic"' in html
    assert overview_score(html) == 5


def test_overview_says_basic_info_is_read_only(client_for, institution):
    institution.legal_representative = "王法人"
    institution.contact_person = "李联系"
    institution.save()
    html = client_for("inst_admin").get(OVERVIEW).content.decode()
    assert "基础信息同步自江苏省检验检测资质认定审批系统，不能在此修改" in html
    assert "确认机构信息" in html and "报告错误" in html
    assert "王法人" in html and "李联系" in html
    assert "<form" not in html.split('id="basic"')[1].split("</section>")[0]


def test_overview_counts_link_to_their_lists(client_for, institution, other_institution):
    from institutions.models import Certificate, Trademark

    Certificate.objects.create(
        institution=institution, number="231000010001", issued_on="2023-01-01", expires_on="2029-01-01"
    )
    Certificate.objects.create(
        institution=other_institution, number="231000010002", issued_on="2023-01-01", expires_on="2029-01-01"
    )
    Trademark.objects.create(
        institution=institution,
        name="苏检",
        registration_number="12345678",
        nice_class=42,
        valid_from="2020-01-01",
        valid_until="2030-01-01",
    )
    html = client_for("inst_admin").get(OVERVIEW).content.decode()
    figures = dict(
        (label, int(count))
        for count, label in re.findall(
            r'<span class="figure-value">(\d+)</span>\s*<(?:a|span) class="figure-label"[^>]*>([^<]+)<', html
        )
    )
    assert figures == {
        "资质证书": 1,
        "检验检测场所": 0,
        "检验检测能力": 0,
        "仪器设备": 0,
        "授权签字人": 0,
        "检验检测人员": 0,
        "知识产权": 1,
    }
    try:
        certificate_list = reverse("institutions:certificate_list")
    except NoReverseMatch:  # the list is another area's: until it is installed the figure is plain text
        assert '<span class="figure-label">资质证书</span>' in html
    else:
        assert f'<a class="figure-label" href="{certificate_list}">资质证书</a>' in html


def test_overview_queries_do_not_grow_with_the_data(client_for, institution, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("inst_admin")
    client.get(OVERVIEW)

    def add(n: int, start: int) -> None:
        from institutions.models import Certificate

        for i in range(start, start + n):
            MembershipFactory(institution=institution)
            InstitutionField.objects.get_or_create(institution=institution, code=f"{i % 22:02d}")
            Certificate.objects.create(
                institution=institution,
                number=f"23100001{i:04d}",
                issued_on="2023-01-01",
                expires_on="2029-01-01",
            )

    add(3, 0)
    with CaptureQueriesContext(connection) as small:
        client.get(OVERVIEW)
    add(6, 3)
    with django_assert_max_num_queries(16), CaptureQueriesContext(connection) as large:
        client.get(OVERVIEW)
    assert len(large) == len(small)
