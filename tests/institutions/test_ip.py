"""Intellectual property (知识产权): list, add/edit/delete with validation, Excel template, import, export."""

import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet._reader import WorkSheetParser

from institutions.models import Patent, SoftwareCopyright, Trademark
from institutions.services import ip as ip_services
from institutions.services.completeness import completeness_score
from institutions.services.ip import ip_create, ip_delete
from sujt.core.excel_import import BLANK_ROW_ALLOWANCE
from tests.core.xlsx_samples import blank_rows_xlsx
from tests.factories import PatentFactory, SoftwareCopyrightFactory, TrademarkFactory

KINDS = ["copyright", "patent", "trademark"]
FACTORIES = {"copyright": SoftwareCopyrightFactory, "patent": PatentFactory, "trademark": TrademarkFactory}
MODELS = {"copyright": SoftwareCopyright, "patent": Patent, "trademark": Trademark}
COPYRIGHT_HEADER = ["软件名称", "登记号", "版本号", "登记日期"]
PATENT_HEADER = ["专利名称", "专利类型", "专利号", "申请日", "授权公告日", "发明人"]


def url(name: str, *args) -> str:
    return reverse(f"institutions:{name}", args=args)


def xlsx_upload(*rows, title="软件著作权", name="导入.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


def workbook_of(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def history_users(model, **lookup) -> set:
    return set(model.history.filter(**lookup).values_list("history_user__phone", flat=True))


@pytest.fixture
def rows(institution, other_institution):
    """One row of each kind for `institution` and for the other institution."""
    ours = {kind: FACTORIES[kind](institution=institution) for kind in KINDS}
    theirs = {kind: FACTORIES[kind](institution=other_institution, name=f"他机构{kind}") for kind in KINDS}
    return {"ours": ours, "theirs": theirs}


# --- Permissions ---------------------------------------------------------------------------------


def _urls_of(kind: str, pk: int) -> list[str]:
    return [
        url(f"{kind}_add"),
        url(f"{kind}_edit", pk),
        url(f"{kind}_delete", pk),
        url(f"{kind}_template"),
        url(f"{kind}_import"),
        url(f"{kind}_export"),
    ]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("who", "status"), [("anonymous", 302), ("inst_staff", 403), ("city_regulator", 404), ("inst_admin", 200)]
)
def test_permission_matrix_of_every_ip_page(client_for, rows, kind, who, status):
    client = client_for(who)
    for page in [url("ip_list"), *_urls_of(kind, rows["ours"][kind].pk)]:
        response = client.get(page)
        assert response.status_code == status, page
        if who == "anonymous":
            assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize("kind", KINDS)
def test_a_staff_member_granted_manage_profile_may_manage_ip(
    client_for, inst_staff, institution, grant, rows, kind
):
    grant(inst_staff, institution, "manage_profile")
    client = client_for("inst_staff")
    for page in [url("ip_list"), *_urls_of(kind, rows["ours"][kind].pk)]:
        assert client.get(page).status_code == 200, page


@pytest.mark.parametrize("kind", KINDS)
def test_another_institutions_row_is_a_404_and_stays_untouched(client_for, rows, kind):
    foreign = rows["theirs"][kind]
    client = client_for("inst_admin")
    assert client.get(url(f"{kind}_edit", foreign.pk)).status_code == 404
    assert client.get(url(f"{kind}_delete", foreign.pk)).status_code == 404
    assert client.post(url(f"{kind}_edit", foreign.pk), {"name": "篡改"}).status_code == 404
    assert client.post(url(f"{kind}_delete", foreign.pk)).status_code == 404
    foreign.refresh_from_db()
    assert foreign.name == f"他机构{kind}"


# --- List ----------------------------------------------------------------------------------------


def test_the_list_has_a_tab_per_kind_with_counts_and_only_our_rows(client_for, rows, institution):
    SoftwareCopyrightFactory(institution=institution, name="第二个软件")
    client = client_for("inst_admin")
    html = text_of(client.get(url("ip_list")))
    assert "软件著作权（2）" in html and "专利（1）" in html and "商标（1）" in html
    assert "第二个软件" in html
    assert "他机构copyright" not in html
    patents = text_of(client.get(url("ip_list"), {"kind": "patent"}))
    assert rows["ours"]["patent"].patent_number in patents
    assert "他机构patent" not in patents


def test_the_list_searches_and_filters_patents_by_type(client_for, institution):
    PatentFactory(institution=institution, name="水质检测装置", patent_type="utility")
    PatentFactory(
        institution=institution, name="检测方法", patent_type="invention", patent_number="ZL202210123456.1"
    )
    client = client_for("inst_admin")

    def names(**params):
        return [p.name for p in client.get(url("ip_list"), {"kind": "patent", **params}).context["rows"]]

    assert sorted(names()) == ["检测方法", "水质检测装置"]
    assert names(patent_type="invention") == ["检测方法"]
    assert names(q="水质") == ["水质检测装置"]
    assert names(q="ZL202210123456") == ["检测方法"]


def test_an_empty_kind_shows_an_empty_state_with_what_to_do(client_for, institution):
    html = client_for("inst_admin").get(url("ip_list"), {"kind": "trademark"}).content.decode()
    assert "尚未登记商标" in html
    assert "导入模板" in html


# --- Add, edit, delete ---------------------------------------------------------------------------


def test_adding_a_copyright_saves_it_with_history_and_raises_completeness(
    client_for, institution, inst_admin
):
    before = completeness_score(institution=institution)
    response = client_for("inst_admin").post(
        url("copyright_add"),
        {
            "name": "检测报告管理系统",
            "registration_number": " 2023sr0123456 ",
            "version": "V2.0",
            "registered_on": "2023-05-12",
        },
    )
    assert response.status_code == 302
    row = SoftwareCopyright.objects.get(institution=institution)
    assert row.registration_number == "2023SR0123456"
    assert history_users(SoftwareCopyright, id=row.pk) == {inst_admin.phone}
    institution.refresh_from_db()
    assert institution.completeness == before + 5


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"registration_number": "SR123"}, "registration_number", "软件著作权登记号格式应如"),
        ({"registered_on": "2023-02-30"}, "registered_on", "有效的日期"),
        ({"registered_on": "2999-01-01"}, "registered_on", "登记日期不能晚于今天"),
        ({"name": ""}, "name", "必填"),
    ],
)
def test_copyright_validation_errors_are_shown_next_to_the_field(
    client_for, institution, data, field, message
):
    valid = {
        "name": "软件",
        "registration_number": "2023SR0123456",
        "version": "",
        "registered_on": "2023-05-12",
    }
    response = client_for("inst_admin").post(url("copyright_add"), {**valid, **data})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert message in errors[field][0]
    assert re.search(
        rf'id="id_{field}".*?<p class="field-error" role="alert">错误：[^<]*{message}', text_of(response)
    )
    assert not SoftwareCopyright.objects.exists()


def _patent(**overrides) -> dict:
    data = {
        "name": "一种水质采样装置",
        "patent_type": "utility",
        "patent_number": "ZL202320123456.7",
        "applied_on": "2023-03-08",
        "granted_on": "2023-09-19",
        "inventors": "张明、李华",
    }
    return {**data, **overrides}


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"patent_type": "invention"}, "patent_type", "与所选专利类型不一致"),
        ({"patent_number": "CN2023201234567"}, "patent_number", "专利号格式应如"),
        ({"granted_on": "2023-01-01"}, "granted_on", "授权公告日不能早于申请日"),
        ({"applied_on": "2022-12-30", "granted_on": ""}, "applied_on", "与专利号中的申请年份（2023）不一致"),
    ],
)
def test_patent_rules_are_enforced_per_field(client_for, institution, overrides, field, message):
    response = client_for("inst_admin").post(url("patent_add"), _patent(**overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert not Patent.objects.exists()


def test_trademark_period_must_end_after_it_starts(client_for, institution):
    response = client_for("inst_admin").post(
        url("trademark_add"),
        {
            "name": "金陵检测",
            "registration_number": "61234567",
            "nice_class": "42",
            "valid_from": "2022-06-14",
            "valid_until": "2022-06-14",
        },
    )
    assert "专用权期限止应晚于期限起" in response.context["form"].errors["valid_until"][0]


def test_trademark_class_must_be_between_1_and_45(client_for, institution):
    response = client_for("inst_admin").post(
        url("trademark_add"),
        {
            "name": "金陵检测",
            "registration_number": "61234567",
            "nice_class": "46",
            "valid_from": "2022-06-14",
            "valid_until": "2032-06-13",
        },
    )
    assert "nice_class" in response.context["form"].errors


def test_a_number_already_registered_by_the_institution_is_refused_but_another_institution_may_use_it(
    client_for, institution, other_institution
):
    SoftwareCopyrightFactory(institution=institution, registration_number="2023SR0123456")
    data = {"name": "另一软件", "registration_number": "2023sr0123456", "registered_on": "2023-05-12"}
    response = client_for("inst_admin").post(url("copyright_add"), data)
    assert "本机构已登记过该登记号" in response.context["form"].errors["registration_number"][0]
    assert client_for("other_inst_admin").post(url("copyright_add"), data).status_code == 302
    assert SoftwareCopyright.objects.filter(registration_number="2023SR0123456").count() == 2


def test_editing_keeps_its_own_number_and_records_the_editor(client_for, institution, inst_admin):
    row = SoftwareCopyrightFactory(institution=institution, registration_number="2023SR0123456")
    response = client_for("inst_admin").post(
        url("copyright_edit", row.pk),
        {
            "name": "改名后的软件",
            "registration_number": "2023SR0123456",
            "version": "V3",
            "registered_on": "2023-05-12",
        },
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.name, row.version) == ("改名后的软件", "V3")
    assert row.history.latest().history_user == inst_admin


def test_editing_to_a_number_of_another_row_is_refused(client_for, institution):
    SoftwareCopyrightFactory(institution=institution, registration_number="2023SR0000001")
    row = SoftwareCopyrightFactory(institution=institution, registration_number="2023SR0000002")
    response = client_for("inst_admin").post(
        url("copyright_edit", row.pk),
        {"name": row.name, "registration_number": "2023SR0000001", "registered_on": "2023-05-12"},
    )
    assert "registration_number" in response.context["form"].errors
    row.refresh_from_db()
    assert row.registration_number == "2023SR0000002"


def test_delete_asks_for_confirmation_then_deletes_on_post(client_for, institution, inst_admin):
    row = TrademarkFactory(institution=institution, name="待删商标")
    client = client_for("inst_admin")
    confirm = client.get(url("trademark_delete", row.pk))
    assert "确定删除商标“<strong>待删商标</strong>”" in confirm.content.decode()
    assert Trademark.objects.filter(pk=row.pk).exists()
    response = client.post(url("trademark_delete", row.pk))
    assert response.status_code == 302
    assert not Trademark.objects.filter(pk=row.pk).exists()
    assert Trademark.history.filter(id=row.pk, history_type="-").get().history_user == inst_admin


def test_deleting_the_last_ip_lowers_completeness(institution, inst_admin):
    row = ip_create(
        obj=SoftwareCopyright(
            institution=institution,
            name="软件",
            registration_number="2023SR0000009",
            registered_on=datetime.date(2023, 1, 1),
        ),
        by=inst_admin,
    )
    institution.refresh_from_db()
    with_ip = institution.completeness
    ip_delete(obj=row, by=inst_admin)
    institution.refresh_from_db()
    assert institution.completeness == with_ip - 5


@pytest.mark.parametrize("kind", KINDS)
def test_list_pages_refuse_other_methods(client_for, institution, kind):
    client = client_for("inst_admin")
    assert client.post(url("ip_list")).status_code == 405
    assert client.post(url(f"{kind}_template")).status_code == 405
    assert client.post(url(f"{kind}_export")).status_code == 405
    assert client.put(url(f"{kind}_add")).status_code == 405


# --- Templates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "header"),
    [
        ("copyright", COPYRIGHT_HEADER),
        ("patent", PATENT_HEADER),
        ("trademark", ["商标名称", "注册号", "国际分类", "专用权期限起", "专用权期限止"]),
    ],
)
def test_templates_have_the_header_an_example_and_a_guide(client_for, institution, kind, header):
    workbook = workbook_of(client_for("inst_admin").get(url(f"{kind}_template")))
    data = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert list(data[0]) == header
    assert len(data) == 2 and all(value is not None for value in data[1][:2])
    guide = list(workbook["说明"].iter_rows(values_only=True))
    assert [row[0] for row in guide[1 : len(header) + 1]] == header
    assert {row[1] for row in guide[1 : len(header) + 1]} <= {"必填", "选填"}


@pytest.mark.parametrize("kind", KINDS)
def test_a_template_with_its_example_row_imports(client_for, institution, kind):
    client = client_for("inst_admin")
    template = client.get(url(f"{kind}_template")).content
    upload = SimpleUploadedFile("模板.xlsx", template)
    response = client.post(url(f"{kind}_import"), {"file": upload})
    assert response.status_code == 302, text_of(response)[-3000:]
    assert MODELS[kind].objects.filter(institution=institution).count() == 1


# --- Import --------------------------------------------------------------------------------------


def test_a_good_file_is_imported_with_history_naming_the_user(client_for, institution, inst_admin):
    before = completeness_score(institution=institution)
    upload = xlsx_upload(
        COPYRIGHT_HEADER,
        ["检测数据管理系统", "2023SR0000001", "V1.0", datetime.datetime(2023, 5, 12)],
        ["样品流转系统", "2023SR0000002", None, "2023-06-01"],
        [],
        ["报告签发系统", " 2024sr0000003 ", "V2", "2024/1/5"],
    )
    response = client_for("inst_admin").post(url("copyright_import"), {"file": upload}, follow=True)
    assert "已导入 3 条软件著作权" in response.content.decode()
    rows = SoftwareCopyright.objects.filter(institution=institution).order_by("registration_number")
    assert [(r.name, r.registration_number, r.registered_on) for r in rows] == [
        ("检测数据管理系统", "2023SR0000001", datetime.date(2023, 5, 12)),
        ("样品流转系统", "2023SR0000002", datetime.date(2023, 6, 1)),
        ("报告签发系统", "2024SR0000003", datetime.date(2024, 1, 5)),
    ]
    assert history_users(SoftwareCopyright, institution=institution) == {inst_admin.phone}
    assert SoftwareCopyright.history.filter(institution=institution, history_type="+").count() == 3
    institution.refresh_from_db()
    assert institution.completeness == before + 5


def test_a_bad_third_row_after_two_good_ones_imports_nothing_and_names_row_and_column(
    client_for, institution
):
    upload = xlsx_upload(
        PATENT_HEADER,
        ["装置一", "实用新型", "ZL202320000001.1", "2023-01-05", None, "张明"],
        ["方法二", "发明", "ZL202310000002.2", "2023-02-06", "2024-03-01", ""],
        ["外观三", "外观设计", "ZL20233000003.3", "2023-13-01", None, ""],
        title="专利",
    )
    response = client_for("inst_admin").post(url("patent_import"), {"file": upload})
    assert response.status_code == 200
    assert not Patent.objects.exists()
    errors = {(e.row_number, e.column_title) for e in response.context["result"].errors}
    assert errors == {(4, "专利号"), (4, "申请日")}
    html = text_of(response)
    assert "未导入任何数据" in html
    assert re.search(r"<td>第 4 行</td><td>申请日</td><td>不是有效的日期，当前为“2023-13-01”。</td>", html)
    assert re.search(r"<td>第 4 行</td><td>专利号</td><td>专利号格式应如", html)


def test_patent_type_mismatch_and_duplicates_in_the_file_and_in_the_database_are_reported(
    client_for, institution
):
    PatentFactory(institution=institution, patent_number="ZL202320000009.9")
    upload = xlsx_upload(
        PATENT_HEADER,
        ["装置一", "实用新型", "ZL202320000001.1", "2023-01-05"],
        ["装置一副本", "实用新型", "zl202320000001.1", "2023-01-05"],
        ["已登记的", "实用新型", "ZL202320000009.9", "2023-01-05"],
        ["类型不符", "发明", "ZL202320000004.4", "2023-01-05"],
        ["未知类型", "专利", "ZL202320000005.5", "2023-01-05"],
        title="专利",
    )
    response = client_for("inst_admin").post(url("patent_import"), {"file": upload})
    errors = [(e.row_number, e.column_title, e.message) for e in response.context["result"].errors]
    assert (3, "专利号", "与第 2 行的专利号重复。") in errors
    assert (4, "专利号", "本机构已登记过该专利号。") in errors
    assert any(row == 5 and column == "专利类型" and "不一致" in message for row, column, message in errors)
    assert any(
        row == 6 and column == "专利类型" and "发明、实用新型、外观设计" in message
        for row, column, message in errors
    )
    assert Patent.objects.filter(institution=institution).count() == 1


def test_a_file_missing_a_required_column_is_refused_naming_it(client_for, institution):
    upload = xlsx_upload(["软件名称", "版本号"], ["检测系统", "V1"])
    response = client_for("inst_admin").post(url("copyright_import"), {"file": upload})
    errors = response.context["form"].errors["file"]
    assert "“登记号”" in errors[0] and "“登记日期”" in errors[0]
    assert not SoftwareCopyright.objects.exists()


def test_a_file_that_is_not_an_xlsx_is_refused_by_content(client_for, institution):
    upload = SimpleUploadedFile("伪装.xlsx", "软件名称,登记号\n检测系统,2023SR0000001\n".encode())
    response = client_for("inst_admin").post(url("copyright_import"), {"file": upload})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not SoftwareCopyright.objects.exists()


def test_too_many_rows_are_refused(client_for, institution, monkeypatch):
    monkeypatch.setattr(ip_services, "IMPORT_MAX_ROWS", 2)
    upload = xlsx_upload(
        COPYRIGHT_HEADER, *[[f"系统{i}", f"2023SR000000{i}", "", "2023-01-01"] for i in range(1, 4)]
    )
    response = client_for("inst_admin").post(url("copyright_import"), {"file": upload})
    assert "2 行的上限" in response.context["form"].errors["file"][0]
    assert not SoftwareCopyright.objects.exists()


def test_a_file_of_endless_blank_rows_is_refused_on_the_page_without_reading_them_all(
    client_for, institution, monkeypatch
):
    rows_parsed = []
    parse_row = WorkSheetParser.parse_row
    monkeypatch.setattr(
        WorkSheetParser, "parse_row", lambda self, row: rows_parsed.append(1) or parse_row(self, row)
    )
    content = blank_rows_xlsx(COPYRIGHT_HEADER, 60_000, title="软件著作权")
    response = client_for("inst_admin").post(
        url("copyright_import"), {"file": SimpleUploadedFile("导入.xlsx", content)}
    )
    assert response.status_code == 200
    error = response.context["form"].errors["file"][0]
    assert "含空行" in error and "5000 行数据" in error
    assert error in response.content.decode()
    assert len(rows_parsed) <= ip_services.IMPORT_MAX_ROWS + BLANK_ROW_ALLOWANCE + 1
    assert not SoftwareCopyright.objects.exists()


def test_the_import_page_links_the_template_and_states_the_rules(client_for, institution):
    html = client_for("inst_admin").get(url("trademark_import")).content.decode()
    assert url("trademark_template") in html
    assert "5000" in html
    assert 'accept=".xlsx"' in html


# --- Export --------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_exports_contain_only_our_rows_under_the_template_titles(client_for, rows, kind):
    client = client_for("inst_admin")
    template_header = next(
        workbook_of(client.get(url(f"{kind}_template"))).worksheets[0].iter_rows(values_only=True)
    )
    data = list(workbook_of(client.get(url(f"{kind}_export"))).worksheets[0].iter_rows(values_only=True))
    assert data[0] == template_header
    assert len(data) == 2
    assert data[1][0] == rows["ours"][kind].name


def test_the_patent_export_shows_type_labels_and_follows_the_filters(client_for, institution):
    PatentFactory(
        institution=institution, name="方法", patent_type="invention", patent_number="ZL202210000001.1"
    )
    PatentFactory(institution=institution, name="装置", patent_type="utility")
    client = client_for("inst_admin")
    export_url = client.get(url("ip_list"), {"kind": "patent", "patent_type": "invention"}).context[
        "export_url"
    ]
    data = list(workbook_of(client.get(export_url)).worksheets[0].iter_rows(values_only=True))
    assert [(row[0], row[1]) for row in data[1:]] == [("方法", "发明")]


def test_an_export_imports_into_another_institution(client_for, rows, institution, other_institution):
    FACTORIES["trademark"](institution=institution, name="第二商标", nice_class=35)
    exported = client_for("inst_admin").get(url("trademark_export")).content
    upload = SimpleUploadedFile("商标.xlsx", exported)
    response = client_for("other_inst_admin").post(url("trademark_import"), {"file": upload})
    assert response.status_code == 302
    theirs = Trademark.objects.filter(institution=other_institution)
    assert set(theirs.values_list("name", flat=True)) == {
        rows["ours"]["trademark"].name,
        "第二商标",
        "他机构trademark",
    }


def test_the_import_page_states_the_row_limit_with_blank_rows(client_for):
    from institutions.services.ip import IMPORT_MAX_ROWS

    body = client_for("inst_admin").get(url("patent_import")).content.decode()
    assert f"一次最多 {IMPORT_MAX_ROWS} 行数据" in body
    assert f"工作表总行数不能超过 {IMPORT_MAX_ROWS + BLANK_ROW_ALLOWANCE} 行" in body
