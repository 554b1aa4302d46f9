"""Declared workspace lists (sujt.core.lists) served by the generic list and export views.

The list is declared here on the Equipment model of module 02, behind the workspace guard, and mounted
on a test URLconf that also includes the project's URLs (the workspace layout links to them).
"""

import io
import re

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import include, path
from openpyxl import load_workbook

from institutions.models import Equipment
from sujt.accounts.decorators import institution_required
from sujt.core.excel import ExcelColumn
from sujt.core.list_views import list_urls
from sujt.core.lists import (
    Column,
    ConditionFilter,
    ListFilterSet,
    OptionFilter,
    SearchFilter,
    WorkspaceList,
)
from tests.factories import EquipmentFactory, SiteFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

LIST_URL = "/test-lists/equipment/"
EXPORT_URL = "/test-lists/equipment/export/"


def _sites(request):
    return [(site.pk, site.name) for site in request.institution.sites.order_by("name")]


class EquipmentFilter(ListFilterSet):
    q = SearchFilter(fields=("name", "model_spec"), label="设备名称或型号")
    site = OptionFilter("site_id", options=_sites, integer=True, label="场所", empty_label="全部场所")


def _mark(rows):
    for row in rows:
        row.marked = f"已读取：{row.name}"
    return rows


EQUIPMENT = WorkspaceList(
    key="test_equipment",
    title="测试设备",
    selector=lambda request: Equipment.objects.filter(institution=request.institution),
    filterset=EquipmentFilter,
    columns=[
        Column("name", "设备名称", sort="name"),
        Column("model_spec", "型号", wrap=True),
        Column("valid_until", "有效期至", sort=("valid_until",)),
        Column("site", "场所", value="site.name"),
        Column("marked", "标记", essential=True),
    ],
    ordering=("name", "pk"),
    page_size=3,
    select_related=("site",),
    prepare_rows=lambda request, rows: _mark(rows),
    row_attrs=lambda row: {"data-equipment": row.pk},
    export_columns=[
        ExcelColumn("设备名称", "name"),
        ExcelColumn("场所", "site.name"),
        ExcelColumn("标记", "marked"),
    ],
    empty_text="暂无测试设备",
    empty_hint="同步后显示。",
    permission="manage_profile",
    access=institution_required,
    available=lambda request: not request.institution.name.startswith("停用"),
)

urlpatterns = [
    path("", include("sujt.urls")),
    *list_urls(EQUIPMENT, path_prefix="test-lists/equipment/", name="test_list", export_name="test_export"),
]


def names(response) -> list[str]:
    return [row.name for row in response.context["rows"]]


def sheet(response) -> list[tuple]:
    return list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))


@pytest.fixture
def equipment(institution, other_institution):
    lab = SiteFactory(institution=institution, name="理化室")
    field = SiteFactory(institution=institution, name="现场")
    rows = {
        "A天平": EquipmentFactory(institution=institution, name="A天平", model_spec="ME204", site=lab),
        "B烘箱": EquipmentFactory(institution=institution, name="B烘箱", model_spec="DHG-9070", site=field),
        "C色谱仪": EquipmentFactory(institution=institution, name="C色谱仪", model_spec="LC-20", site=lab),
    }
    EquipmentFactory(institution=other_institution, name="他机构天平")
    return {"lab": lab, "field": field, **rows}


def test_the_list_shows_the_selectors_rows_in_the_default_order(client_for, equipment):
    response = client_for("inst_admin").get(LIST_URL)
    assert response.status_code == 200
    assert names(response) == sorted(["A天平", "B烘箱", "C色谱仪"])
    html = response.content.decode()
    assert f'data-equipment="{equipment["A天平"].pk}"' in html
    assert "已读取：A天平" in html  # prepare_rows ran on the page
    assert '<td class="cell-wrap">ME204</td>' in html


def test_search_and_option_filters_narrow_the_rows(client_for, equipment):
    client = client_for("inst_admin")
    assert names(client.get(LIST_URL, {"q": "DHG"})) == ["B烘箱"]
    assert sorted(names(client.get(LIST_URL, {"site": equipment["lab"].pk}))) == ["A天平", "C色谱仪"]
    assert names(client.get(LIST_URL, {"site": equipment["lab"].pk, "q": "LC"})) == ["C色谱仪"]


def test_an_invalid_filter_value_is_ignored_and_a_foreign_id_matches_nothing(
    client_for, equipment, other_institution
):
    client = client_for("inst_admin")
    assert len(names(client.get(LIST_URL, {"site": "not-a-number"}))) == 3
    foreign_site = SiteFactory(institution=other_institution)
    assert names(client.get(LIST_URL, {"site": foreign_site.pk})) == []


def test_the_filter_bar_offers_only_the_users_own_options(client_for, equipment, other_institution):
    SiteFactory(institution=other_institution, name="姑苏场所")
    response = client_for("inst_admin").get(LIST_URL)
    assert set(response.context["site_choices"]) == {
        (equipment["lab"].pk, "理化室"),
        (equipment["field"].pk, "现场"),
    }
    html = response.content.decode()
    assert '<label for="filter-q">设备名称或型号</label>' in html
    assert "姑苏场所" not in html


def test_an_overlong_search_is_cut_not_rejected(client_for, equipment):
    assert names(client_for("inst_admin").get(LIST_URL, {"q": "A天平" + "x" * 200})) == []
    assert names(client_for("inst_admin").get(LIST_URL, {"q": "A天平" + " " * 200})) == ["A天平"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", sorted(["A天平", "B烘箱", "C色谱仪"])),
        ("-name", sorted(["A天平", "B烘箱", "C色谱仪"], reverse=True)),
    ],
)
def test_sortable_headers_order_the_rows(client_for, equipment, sort, expected):
    response = client_for("inst_admin").get(LIST_URL, {"sort": sort})
    assert names(response) == expected
    assert response.context["sort"] == sort


@pytest.mark.parametrize("sort", ["model_spec", "site__name", "-institution__name", "password", "?"])
def test_an_ordering_outside_the_allow_list_is_ignored(client_for, equipment, sort):
    response = client_for("inst_admin").get(LIST_URL, {"sort": sort})
    assert response.status_code == 200
    assert names(response) == sorted(["A天平", "B烘箱", "C色谱仪"])
    assert response.context["sort"] == ""


def test_a_sortable_header_links_to_the_other_direction_and_keeps_the_filters(client_for, equipment):
    html = client_for("inst_admin").get(LIST_URL, {"sort": "name", "q": "天"}).content.decode()
    assert 'aria-sort="ascending"><a class="sort-link" href="?q=%E5%A4%A9&amp;sort=-name">设备名称' in html
    assert 'href="?q=%E5%A4%A9&amp;sort=valid_until"' in html
    assert ">型号</th>" in html  # not sortable: no link


def test_pagination_splits_by_the_declared_page_size(client_for, institution):
    for n in range(7):
        EquipmentFactory(institution=institution, name=f"设备{n}")
    client = client_for("inst_admin")
    first = client.get(LIST_URL)
    assert names(first) == ["设备0", "设备1", "设备2"]
    assert first.context["page"].paginator.num_pages == 3
    assert names(client.get(LIST_URL, {"page": 3})) == ["设备6"]
    assert names(client.get(LIST_URL, {"page": "999"})) == ["设备6"]


def test_the_empty_states_differ_with_and_without_filters(client_for, institution):
    client = client_for("inst_admin")
    html = client.get(LIST_URL).content.decode()
    assert "暂无测试设备" in html and "同步后显示。" in html
    assert "清除条件" not in html
    filtered = client.get(LIST_URL, {"q": "不存在"}).content.decode()
    assert "没有符合条件的记录" in filtered and "暂无测试设备" not in filtered
    assert f'href="{LIST_URL}">清除条件' in filtered


def test_the_export_has_the_declared_columns_and_the_lists_filters_and_order(client_for, equipment):
    client = client_for("inst_admin")
    page = client.get(LIST_URL, {"site": equipment["lab"].pk, "sort": "-name"})
    export_url = page.context["export_url"]
    assert export_url == f"{EXPORT_URL}?site={equipment['lab'].pk}&sort=-name"
    response = client.get(export_url)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "%E9%87%91%E9%99%B5" in response["Content-Disposition"]  # the institution's name (金陵…)
    assert sheet(response) == [
        ("设备名称", "场所", "标记"),
        ("C色谱仪", "理化室", "已读取：C色谱仪"),
        ("A天平", "理化室", "已读取：A天平"),
    ]


def test_the_export_reads_all_rows_not_one_page(client_for, institution):
    for n in range(7):
        EquipmentFactory(institution=institution, name=f"设备{n}")
    assert len(sheet(client_for("inst_admin").get(EXPORT_URL))) == 8


@pytest.mark.parametrize("url", [LIST_URL, EXPORT_URL])
@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("inst_staff", 403), ("city_regulator", 404), ("inst_admin", 200)],
)
def test_the_access_guard_protects_the_list_and_its_export(client_for, equipment, url, who, status):
    assert client_for(who).get(url).status_code == status


@pytest.mark.parametrize("url", [LIST_URL, EXPORT_URL])
def test_an_institution_not_eligible_gets_a_404(client_for, institution, url):
    institution.name = "停用测试机构"
    institution.save()
    assert client_for("inst_admin").get(url).status_code == 404


@pytest.mark.parametrize("url", [LIST_URL, EXPORT_URL])
def test_the_views_only_read(client_for, equipment, url):
    assert client_for("inst_admin").post(url, {"name": "伪造"}).status_code == 405


def test_another_institutions_rows_never_show(client_for, equipment):
    client = client_for("inst_admin")
    assert "他机构天平" not in names(client.get(LIST_URL, {"q": "天平"}))
    assert "他机构天平" not in {row[0] for row in sheet(client.get(EXPORT_URL))}


def _queries(client, **params) -> int:
    client.get(LIST_URL, params)  # warm the session
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST_URL, params).status_code == 200
    return len(queries)


def test_the_query_count_is_pinned_and_constant_when_rows_double(
    client_for, institution, django_assert_max_num_queries
):
    client = client_for("inst_admin")
    counts = []
    for _ in range(2):
        for n in range(6):
            EquipmentFactory(
                institution=institution, site=SiteFactory(institution=institution), name=f"设备{n}"
            )
        counts.append(_queries(client, page="2"))
    assert counts[0] == counts[1]
    # Session, user, membership, permission; the site options; count and rows (sites joined); the
    # layout's memberships and unread count; whether module 05 applies (the menu).
    with django_assert_max_num_queries(10):
        client.get(LIST_URL, {"page": "2"})
    # The rows and their sites come in one query (select_related from the declaration).
    with CaptureQueriesContext(connection) as queries:
        client.get(LIST_URL)
    row_queries = [q["sql"] for q in queries if re.search(r'FROM "institutions_equipment"', q["sql"])]
    assert any('JOIN "institutions_site"' in sql for sql in row_queries)


# --- Declarations without a view --------------------------------------------------------------------


CELL = "includes/empty_state.html"  # any template: these declarations are not rendered


def test_the_export_columns_follow_the_table_unless_declared():
    spec = WorkspaceList(
        key="derived",
        title="派生",
        selector=lambda request: Equipment.objects.none(),
        columns=[
            Column("name", "设备名称"),
            Column("badge", "状态", template="includes/empty_state.html"),  # a template: left out
            Column(
                "state", "检定状态", template="includes/empty_state.html", export_value="calibration_label"
            ),
            Column(
                "years", "年限", value=lambda row: f"{row.years} 年", export_value="years", export_width=12
            ),
            Column("secret", "内部", export=False),
            Column("only_in_sheet", "备注", table=False),
        ],
        row_actions=CELL,
    )
    assert [(c.title, c.getter, c.width) for c in spec.excel_columns] == [
        ("设备名称", "name", None),
        ("检定状态", "calibration_label", None),
        ("年限", "years", 12),
        ("备注", "only_in_sheet", None),
    ]
    assert [c.key for c in spec.table_columns] == ["name", "badge", "state", "years", "secret", "_actions"]
    assert spec.table_columns[-1].sticky
    assert WorkspaceList(key="none", title="无", selector=None, columns=[], export=False).excel_columns == []


def test_a_filter_may_not_take_the_lists_own_parameters():
    class Clashing(ListFilterSet):
        sort = SearchFilter(fields=("name",))

    with pytest.raises(ValueError, match="sort"):
        WorkspaceList(key="clash", title="冲突", selector=None, columns=[], filterset=Clashing)


def test_a_condition_filter_applies_the_named_condition_and_ignores_others(institution):
    EquipmentFactory(institution=institution, name="无日期", valid_until=None)
    EquipmentFactory(institution=institution, name="有日期")

    class ByDate(ListFilterSet):
        dated = ConditionFilter(
            choices=[("no", "未填写"), ("yes", "已填写")],
            condition=lambda value: {"no": Q(valid_until__isnull=True)}.get(value),
        )

    def names(**data) -> list[str]:
        return sorted(ByDate(data, queryset=Equipment.objects.all()).qs.values_list("name", flat=True))

    assert names(dated="no") == ["无日期"]
    assert names(dated="yes") == ["无日期", "有日期"]  # a choice without a condition filters nothing
    assert names(dated="bogus") == ["无日期", "有日期"]  # not a choice: ignored
