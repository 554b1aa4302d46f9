import datetime
import io

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from institutions.choices import InstitutionStatus
from institutions.models import Institution
from sujt.core.excel import XLSX_CONTENT_TYPE
from tests.factories import InstitutionFactory

LIST_URL = reverse("admin:institutions_institution_changelist")
# The first columns of the institution export (the full header is checked in
# test_admin_institution_record.py).
HEADER_START = ("机构名称", "统一社会信用代码", "所在城市", "所在地区")


def export(client, *, selected=(), select_across=False, query: str = ""):
    """POSTs the action like the change list does; with "select all", the browser still sends the
    checkboxes of the page shown, so Django wants at least one."""
    if select_across and not selected:
        selected = Institution.objects.values_list("pk", flat=True)[:1]
    data = {
        "action": "export_xlsx",
        "index": "0",
        "select_across": "1" if select_across else "0",
        ACTION_CHECKBOX_NAME: [str(pk) for pk in selected],
    }
    return client.post(f"{LIST_URL}{query}", data)


def rows_of(response) -> list[tuple]:
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    return list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))


def names_in(response) -> set[str]:
    rows = rows_of(response)
    assert rows[0][: len(HEADER_START)] == HEADER_START
    return {row[0] for row in rows[1:]}


@pytest.fixture
def jiangning(db):
    return InstitutionFactory(
        name="江宁示例质检有限公司",
        region_code="320115",
        status=InstitutionStatus.SUSPENDED,
        centers_enabled=True,
    )


def test_the_export_action_is_offered_to_regulators(client_for, institution):
    response = client_for("city_regulator").get(LIST_URL)
    choices = dict(response.context["action_form"].fields["action"].choices)
    assert choices["export_xlsx"] == "导出所选为 Excel"


def test_a_city_regulator_exports_only_their_region_even_when_selecting_all(
    client_for, institution, other_institution, jiangning
):
    names = names_in(export(client_for("city_regulator"), select_across=True))
    assert names == {institution.name, jiangning.name}
    assert other_institution.name not in names


def test_a_posted_id_from_another_region_is_not_exported(client_for, institution, other_institution):
    response = export(client_for("city_regulator"), selected=[institution.pk, other_institution.pk])
    assert names_in(response) == {institution.name}


def test_the_other_city_regulator_exports_only_suzhou(client_for, institution, other_institution):
    assert names_in(export(client_for("other_city_regulator"), select_across=True)) == {
        other_institution.name
    }


def test_the_province_exports_every_city(client_for, institution, other_institution, jiangning):
    names = names_in(export(client_for("province_regulator"), select_across=True))
    assert names == {institution.name, other_institution.name, jiangning.name}


def test_select_all_follows_the_lists_filters(client_for, institution, jiangning):
    response = export(client_for("city_regulator"), select_across=True, query="?status__exact=suspended")
    assert names_in(response) == {jiangning.name}


def test_only_the_selected_rows_are_exported(client_for, institution, jiangning):
    assert names_in(export(client_for("city_regulator"), selected=[jiangning.pk])) == {jiangning.name}


def test_the_exported_row_reads_like_the_list(client_for, jiangning):
    stamp = datetime.datetime(2026, 1, 5, 23, 30, tzinfo=datetime.UTC)
    Institution.objects.filter(pk=jiangning.pk).update(updated_at=stamp)
    response = export(client_for("city_regulator"), selected=[jiangning.pk])
    header, row = rows_of(response)
    values = dict(zip(header, row, strict=True))
    assert {name: values[name] for name in ("机构名称", "统一社会信用代码", "所在地区", "状态")} == {
        "机构名称": "江宁示例质检有限公司",
        "统一社会信用代码": jiangning.uscc,
        "所在地区": "南京市江宁区",
        "状态": "暂停",
    }
    assert values["开通中心建设"] == "是"
    assert values["更新时间"] == datetime.datetime(2026, 1, 6, 7, 30)  # Shanghai local time
    disposition = response["Content-Disposition"]
    assert "filename*=UTF-8''" in disposition
    assert timezone.localdate().strftime("%Y%m%d") in disposition


def test_nothing_selected_exports_nothing(client_for, institution):
    response = export(client_for("city_regulator"))
    assert response.status_code == 302


def test_institution_users_cannot_export(client_for, institution):
    response = export(client_for("inst_admin"), select_across=True)
    assert response.status_code == 302
    assert "/admin/login/" in response.url


def test_an_export_larger_than_a_sheet_is_refused_with_a_message(
    client_for, institution, jiangning, monkeypatch
):
    monkeypatch.setattr("sujt.core.admin_tools.MAX_DATA_ROWS", 1)
    response = export(client_for("city_regulator"), select_across=True)
    assert response.status_code == 302
    texts = [str(m) for m in response.wsgi_request._messages]
    assert any("超过 Excel 单表上限" in text for text in texts)


@pytest.mark.parametrize("count", [5, 10])
def test_the_export_queries_do_not_grow_with_rows(client_for, count, django_assert_max_num_queries):
    InstitutionFactory.create_batch(count, region_code="320104")
    client = client_for("city_regulator")
    shown = list(Institution.objects.values_list("pk", flat=True)[:1])
    with django_assert_max_num_queries(12):
        response = export(client, selected=shown, select_across=True)
    assert len(rows_of(response)) == count + 1
