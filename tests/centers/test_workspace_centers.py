"""中心管理 in the workspace: who reaches the list, the export, a center's page, its files and the
申请记录 page; what the center page shows in each state (clock, acceptance, revocation, progress, next
actions, history); the list's filters, tabs and export; query counts that do not grow with rows."""

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from centers import services
from centers.choices import CenterKind, CenterLevel, TaskBookKind
from centers.models import Center, ConstructionApplication, TaskBook
from sujt.core.attachments import attachments_of
from sujt.core.workflow import Side, transition
from tests.centers.factories import (
    acceptance_submitted,
    building_center,
    change_submitted,
    construction_submitted,
    task_book_approved,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
LIST = reverse("centers:center_list")
EXPORT = reverse("centers:center_export")
APPLICATIONS = reverse("centers:application_list")


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


@pytest.fixture
def center(enabled, inst_admin, city_regulator, province_regulator):
    return building_center(enabled, inst_admin, city_regulator, province_regulator)


@pytest.fixture
def planned(center, inst_admin, city_regulator):
    task_book_approved(center, inst_admin, city_regulator)
    return center


def _rows(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=False)) for row in rows[1:]]


def _progress(center, by, regulator, values, *, approve=True):
    """A progress report on the center's current indicators: {number: actual value}."""
    indicators = {i.number: i for i in center.task_book.indicators.all()}
    report = services.progress_save(
        center=center,
        by=by,
        narrative="按计划推进。",
        entries=[
            {"indicator_id": indicators[n].pk, "actual_value": Decimal(v), "percent": None}
            for n, v in values.items()
        ],
        submit=True,
    )
    if approve:
        transition(obj=report, name="approve", by=regulator, side=Side.CITY)
    return report


# --- Who reaches each page ------------------------------------------------------------------------------

ACCESS = [
    ("anonymous", 302),
    ("inst_staff", 403),
    ("inst_admin", 200),
]


@pytest.mark.parametrize(("who", "expected"), ACCESS)
@pytest.mark.parametrize("url", [LIST, EXPORT, APPLICATIONS])
def test_the_lists_are_for_members_holding_the_permission(client_for, enabled, url, who, expected):
    response = client_for(who).get(url)
    assert response.status_code == expected
    if who == "anonymous":
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("url", [LIST, EXPORT, APPLICATIONS])
def test_another_institution_sees_only_its_own_empty_lists(client_for, center, other_enabled, url):
    response = client_for("other_inst_admin").get(url)
    assert response.status_code == 200
    if url == EXPORT:
        assert _rows(response) == []
    else:
        assert center.name not in response.content.decode()


@pytest.mark.parametrize("url", [LIST, EXPORT, APPLICATIONS])
def test_an_institution_not_enabled_has_no_lists(client_for, institution, inst_admin, url):
    assert client_for("inst_admin").get(url).status_code == 404


@pytest.mark.parametrize(
    ("who", "expected"),
    [*ACCESS, ("other_inst_admin", 404)],
)
def test_a_center_page_and_its_files_are_only_for_its_institution(
    client_for, center, other_enabled, who, expected
):
    application = ConstructionApplication.objects.get(center=center)
    report = attachments_of(application).get()
    for url in (center.get_absolute_url(), reverse("centers:file", args=[report.pk])):
        assert client_for(who).get(url).status_code == expected


def test_a_center_page_is_gone_when_the_module_is_switched_off(client_for, center, institution):
    institution.centers_enabled = False
    institution.save()
    assert client_for("inst_admin").get(center.get_absolute_url()).status_code == 404


def test_a_file_of_another_module_is_not_served_here(client_for, center, institution, inst_admin):
    from sujt.core.attachments import attachment_create
    from tests.core.samples import PDF_BYTES, upload

    stranger = attachment_create(
        owner=institution, file=upload("其他.pdf", PDF_BYTES, "application/pdf"), kinds=["pdf"], by=inst_admin
    )
    assert client_for("inst_admin").get(reverse("centers:file", args=[stranger.pk])).status_code == 404


# --- The center page ---------------------------------------------------------------------------------


def test_a_center_being_built_shows_its_facts_clock_and_first_step(client_for, center):
    html = client_for("inst_admin").get(center.get_absolute_url()).content.decode()
    for text in (
        center.name,
        "省级",
        "质检中心",
        "筹建中",
        "系统内筹建申请",
        center.institution.name,
        center.product_scope,
        center.industry,
        center.approval_number,
        "任务书提交期限",
        f"还剩 {(center.task_book_due_on - TODAY).days} 天",
        f"还剩 {(center.construction_due_on - TODAY).days} 天",
        "尚无审核通过的任务书",
    ):
        assert text in html, text
    assert reverse("centers:taskbook_create", args=[center.pk]) in html
    for name in ("taskbook_change", "progress_create", "acceptance_create"):
        assert reverse(f"centers:{name}", args=[center.pk]) not in html


def test_a_late_task_book_and_an_overdue_center_say_by_how_much(client_for, center):
    Center.objects.filter(pk=center.pk).update(
        task_book_due_on=TODAY - datetime.timedelta(days=3),
        construction_due_on=TODAY - datetime.timedelta(days=5),
    )
    services.center_mark_overdue(center=Center.objects.get(pk=center.pk))
    html = client_for("inst_admin").get(center.get_absolute_url()).content.decode()
    assert "筹建超期" in html and "已逾期 3 天" in html and "已超期 5 天" in html


def test_a_task_book_under_review_is_pointed_to(client_for, center, inst_admin):
    from tests.centers.factories import indicator_rows

    book = services.taskbook_save(
        center=center, by=inst_admin, indicators=indicator_rows(center), submit=True
    )
    html = client_for("inst_admin").get(center.get_absolute_url()).content.decode()
    assert "任务书正在审核" in html and book.get_absolute_url() in html
    # Once one is on its way, 填写任务书 is no longer offered.
    assert reverse("centers:taskbook_create", args=[center.pk]) not in html


def test_progress_shows_as_bars_with_pending_figures_and_the_next_actions(
    client_for, planned, inst_admin, city_regulator
):
    _progress(planned, inst_admin, city_regulator, {1: 60, 2: 300})
    _progress(planned, inst_admin, city_regulator, {1: 90}, approve=False)
    html = client_for("inst_admin").get(planned.get_absolute_url()).content.decode()
    # 60/120 = 50 %, 300/1200 = 25 %: overall 38 % (37.5 rounded half up); 90/120 = 75 % waits for review.
    assert 'class="chart chart-progress"' in html and 'role="img"' in html
    assert "新增检测能力：50%（另有待审核的进展：75%）" in html
    assert "仪器设备投入：25%" in html and "总体 38%" in html and "待审核：75%" in html
    assert "任务书提交期限" not in html  # the task book is approved: its deadline no longer runs
    for name in ("progress_create", "taskbook_change", "acceptance_create"):
        assert reverse(f"centers:{name}", args=[planned.pk]) in html
    assert reverse("centers:taskbook_create", args=[planned.pk]) not in html


def test_the_next_actions_follow_the_services_refusals(client_for, planned, inst_admin):
    change_submitted(planned, inst_admin)
    planned.refresh_from_db()
    html = client_for("inst_admin").get(planned.get_absolute_url()).content.decode()
    assert services.taskbook_refusal(planned, kind=TaskBookKind.CHANGE)
    assert reverse("centers:taskbook_change", args=[planned.pk]) not in html
    assert (reverse("centers:acceptance_create", args=[planned.pk]) in html) == (
        services.acceptance_refusal(planned) == ""
    )


def test_the_history_links_every_application_and_task_book_version(
    client_for, planned, inst_admin, city_regulator
):
    change = change_submitted(planned, inst_admin)
    report = _progress(planned, inst_admin, city_regulator, {1: 30})
    html = client_for("inst_admin").get(planned.get_absolute_url()).content.decode()
    v1 = TaskBook.objects.get(center=planned, version=1)
    assert "任务书 第 1 版" in html and v1.get_absolute_url() in html
    assert "任务书变更" in html and change.get_absolute_url() in html
    assert report.get_absolute_url() in html
    assert ConstructionApplication.objects.get(center=planned).get_absolute_url() in html
    assert "筹建申请中 → 筹建中" in html  # the center's own transition log


def test_a_running_center_shows_its_acceptance_and_no_clock(
    client_for, planned, inst_admin, city_regulator, province_regulator
):
    application = acceptance_submitted(planned, inst_admin)
    transition(obj=application, name="city_approve", by=city_regulator, side=Side.CITY)
    services.acceptance_pass(
        application=application, decision="pass_good", by=province_regulator, side=Side.PROVINCE
    )
    html = client_for("inst_admin").get(planned.get_absolute_url()).content.decode()
    assert "运行中" in html and "良好" in html and "验收日期" in html
    assert "还剩" not in html.split("任务书指标进度")[0]  # no deadline runs for a center in operation
    assert application.get_absolute_url() in html
    for name in ("progress_create", "taskbook_change", "acceptance_create"):
        assert reverse(f"centers:{name}", args=[planned.pk]) not in html


def test_a_revoked_center_shows_the_regulators_comment(client_for, center, province_regulator):
    services.center_revoke(
        center=center, by=province_regulator, comment="长期未开展建设工作。", side=Side.PROVINCE
    )
    html = client_for("inst_admin").get(center.get_absolute_url()).content.decode()
    assert "已撤销" in html and "长期未开展建设工作。" in html
    assert reverse("centers:taskbook_create", args=[center.pk]) not in html


def test_a_center_still_applying_says_what_comes_first(client_for, enabled, inst_admin):
    center = construction_submitted(enabled, inst_admin).center
    html = client_for("inst_admin").get(center.get_absolute_url()).content.decode()
    assert "筹建申请中" in html and "尚未批准筹建" in html and "尚未批准" in html


# --- The list ------------------------------------------------------------------------------------------


@pytest.fixture
def mixed(enabled, inst_admin, city_regulator, province_regulator):
    """Three centers: two being built (one national 计量中心), one still applying."""
    building = building_center(enabled, inst_admin, city_regulator, province_regulator, name="甲质检中心")
    national = building_center(
        enabled,
        inst_admin,
        city_regulator,
        province_regulator,
        name="乙计量中心",
        level=CenterLevel.NATIONAL,
        kind=CenterKind.METROLOGY,
    )
    applying = construction_submitted(enabled, inst_admin, name="丙质检中心").center
    return building, national, applying


def test_the_list_shows_the_columns_tabs_and_header_actions(client_for, mixed, inst_admin, city_regulator):
    building, _national, _applying = mixed
    task_book_approved(building, inst_admin, city_regulator)
    _progress(building, inst_admin, city_regulator, {1: 60})
    html = client_for("inst_admin").get(LIST).content.decode()
    for text in (
        "全部（3）",
        "筹建中（2）",
        "筹建申请中（1）",
        "运行中（0）",
        building.approval_number,
        f"还剩 {(building.construction_due_on - TODAY).days} 天",
        "25%",  # (50 % + 0 %) / 2
        reverse("centers:construction_create"),
        reverse("centers:registration_create"),
        "申请筹建中心",
        "登记系统外中心",
    ):
        assert text in html, text


@pytest.mark.parametrize(
    ("params", "shown", "hidden"),
    [
        ({"status": "building"}, ["甲质检中心", "乙计量中心"], ["丙质检中心"]),
        ({"status": "applying"}, ["丙质检中心"], ["甲质检中心"]),
        ({"level": "national"}, ["乙计量中心"], ["甲质检中心", "丙质检中心"]),
        ({"kind": "metrology"}, ["乙计量中心"], ["甲质检中心"]),
        ({"q": "丙"}, ["丙质检中心"], ["甲质检中心", "乙计量中心"]),
    ],
)
def test_the_list_filters(client_for, mixed, params, shown, hidden):
    html = client_for("inst_admin").get(LIST, params).content.decode()
    for name in shown:
        assert name in html
    for name in hidden:
        assert name not in html


def test_the_list_explains_where_to_start_when_empty(client_for, enabled):
    html = client_for("inst_admin").get(LIST).content.decode()
    assert "本机构还没有中心" in html and "申请筹建中心" in html and "登记系统外中心" in html
    html = client_for("inst_admin").get(LIST, {"q": "不存在"}).content.decode()
    assert "没有符合条件的中心" in html


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST).status_code == 200
    return len(queries)


def test_the_list_queries_stay_the_same_when_the_rows_double(
    client_for, enabled, inst_admin, city_regulator, province_regulator, django_assert_max_num_queries
):
    client = client_for("inst_admin")

    def add(count, start):
        for n in range(start, start + count):
            center = building_center(enabled, inst_admin, city_regulator, province_regulator, name=f"中心{n}")
            task_book_approved(center, inst_admin, city_regulator)
            _progress(center, inst_admin, city_regulator, {1: 12})

    add(3, 0)
    few = _list_queries(client)
    add(3, 3)
    assert _list_queries(client) == few
    with django_assert_max_num_queries(14):
        client.get(LIST)


def test_the_export_has_the_clock_progress_and_follows_the_filters(
    client_for, mixed, inst_admin, city_regulator
):
    building, national, applying = mixed
    task_book_approved(building, inst_admin, city_regulator)
    _progress(building, inst_admin, city_regulator, {1: 120, 2: 600})  # 100 % and 50 %
    response = client_for("inst_admin").get(EXPORT)
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    rows = {row["中心名称"]: row for row in _rows(response)}
    assert set(rows) == {building.name, national.name, applying.name}
    row = rows[building.name]
    assert row["状态"] == "筹建中" and row["级别"] == "省级" and row["类型"] == "质检中心"
    assert row["批准文号"] == building.approval_number and row["指标完成度"] == "75%"
    assert row["剩余时间"] == f"还剩 {(building.construction_due_on - TODAY).days} 天"
    assert rows[applying.name]["状态"] == "筹建申请中" and not rows[applying.name]["指标完成度"]
    only = _rows(client_for("inst_admin").get(EXPORT, {"level": "national"}))
    assert [row["中心名称"] for row in only] == [national.name]


# --- 申请记录 -------------------------------------------------------------------------------------------


def test_every_kind_of_application_is_listed_newest_first(
    client_for, planned, inst_admin, city_regulator, other_enabled, other_inst_admin
):
    change = change_submitted(planned, inst_admin)
    services.taskbook_withdraw(task_book=change, by=inst_admin)  # a pending change would bar acceptance
    acceptance = acceptance_submitted(planned, inst_admin)
    registration = services.registration_save(
        institution=planned.institution,
        by=inst_admin,
        data={
            "name": "登记的中心",
            "level": "provincial",
            "kind": "quality",
            "product_scope": "电线电缆",
            "industry": "机电",
            "approval_number": "苏质监〔2020〕8号",
            "approved_on": TODAY - datetime.timedelta(days=900),
            "stage": "running",
            "accepted_on": TODAY - datetime.timedelta(days=100),
            "acceptance_grade": "good",
        },
    )
    construction_submitted(other_enabled, other_inst_admin, name="他机构的中心")
    html = client_for("inst_admin").get(APPLICATIONS).content.decode()
    assert "共 5 份申请" in html and "他机构的中心" not in html
    positions = [
        html.index(obj.get_absolute_url() + '"')
        for obj in (
            registration,
            acceptance,
            change,
            TaskBook.objects.get(center=planned, version=1),
            ConstructionApplication.objects.get(center=planned),
        )
    ]
    assert positions == sorted(positions)
    assert "任务书 第 1 版" in html and "任务书变更申请" in html and "系统外中心登记" in html
    assert "草稿" in html and "未提交" in html  # the registration is a draft


@pytest.mark.parametrize(
    ("params", "count"),
    [({"stage": "review"}, 2), ({"stage": "done"}, 2), ({"kind": "taskbook"}, 2), ({"stage": "draft"}, 0)],
)
def test_the_applications_filter_by_stage_and_kind(
    client_for, planned, inst_admin, city_regulator, params, count
):
    change_submitted(planned, inst_admin)  # under review; the construction and task book v1 are done
    _progress(planned, inst_admin, city_regulator, {1: 10}, approve=False)  # under review
    html = client_for("inst_admin").get(APPLICATIONS, params).content.decode()
    if count:
        assert f"共 {count} 份符合条件的申请" in html
    else:
        assert "没有符合条件的申请" in html and "清除条件" in html


def test_the_applications_page_is_paginated_with_bounded_queries(
    client_for, enabled, inst_admin, django_assert_max_num_queries
):
    for n in range(23):
        construction_submitted(enabled, inst_admin, name=f"中心{n:02d}")
    client = client_for("inst_admin")
    with django_assert_max_num_queries(14):
        first = client.get(APPLICATIONS).content.decode()
    assert "中心22" in first and "中心02" not in first and "第 1/2 页" in first
    second = client.get(APPLICATIONS, {"page": 2}).content.decode()
    assert "中心02" in second and "中心00" in second


def test_the_applications_page_explains_when_empty(client_for, enabled):
    html = client_for("inst_admin").get(APPLICATIONS).content.decode()
    assert "还没有中心建设申请" in html
