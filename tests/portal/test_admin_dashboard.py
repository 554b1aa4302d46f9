"""The regulators' dashboard on the admin home (sujt/portal/admin_dashboard.py, templates/admin/index.html):
everything scoped to the regulator's jurisdiction, every number linking to the admin list that shows
exactly the rows it counts, empty states, and a query count that does not grow with the data."""

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from institutions.models import ErrorReport
from sujt.accounts.services import regulator_group_ensure
from sujt.core.models import Notification
from tests.factories import (
    CertificateFactory,
    InstitutionFactory,
    NewsSubmissionFactory,
    RegulatorFactory,
    UserFactory,
    days_from_today,
)

HOME = "/admin/"


def submitted(hours_ago: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=hours_ago)


def error_report(institution, *, label: str, hours_ago: int = 1, status: str = "submitted") -> ErrorReport:
    return ErrorReport.objects.create(
        institution=institution,
        item_type="basic",
        item_label=label,
        description="地址有误",
        status=status,
        submitted_at=submitted(hours_ago) if status != "draft" else None,
    )


def news(institution, *, title: str, hours_ago: int = 2, status: str = "submitted"):
    return NewsSubmissionFactory(
        institution=institution, title=title, status=status, submitted_at=submitted(hours_ago)
    )


@pytest.fixture
def region_data(institution, other_institution, city_regulator, other_city_regulator):
    """Nanjing (institution, 320102) and Suzhou (other_institution, 320505), each with a waiting error
    report and news submission, a certificate expiring within 3 months and an unread message for its
    city's regulator; Nanjing also a draft (never in a queue) and a certificate expiring in a year."""
    error_report(institution, label="南京机构地址", hours_ago=3)
    news(institution, title="南京机构新闻", hours_ago=1)
    error_report(institution, label="南京草稿", status="draft")
    error_report(other_institution, label="苏州机构地址", hours_ago=2)
    news(other_institution, title="苏州机构新闻", hours_ago=4)
    CertificateFactory(institution=institution, expires_on=days_from_today(40))
    CertificateFactory(institution=institution, expires_on=days_from_today(400))
    CertificateFactory(institution=other_institution, expires_on=days_from_today(50))
    Notification.objects.create(recipient=city_regulator, title="待审核：南京消息", url="/admin/")
    Notification.objects.create(
        recipient=city_regulator, title="南京已读消息", url="/admin/", read_at=timezone.now()
    )
    Notification.objects.create(recipient=other_city_regulator, title="待审核：苏州消息", url="/admin/")


def dashboard_of(client_for, who: str):
    response = client_for(who).get(HOME)
    assert response.status_code == 200
    return response, response.context["dashboard"]


def test_a_city_regulator_sees_only_their_citys_work(client_for, region_data):
    response, dashboard = dashboard_of(client_for, "city_regulator")
    assert dashboard["region_name"] == "南京市"
    assert {queue.label: queue.count for queue in dashboard["queues"]} == {
        "机构信息纠错报告": 1,
        "整改审核": 0,
        # 04: the city's steps only (the province's 审批 queues are not theirs).
        "中心筹建初审": 0,
        "中心验收初审": 0,
        "中心任务书审核": 0,
        "任务书变更审核": 0,
        "筹建进展审核": 0,
        "系统外中心核实": 0,
        "加分审核": 0,
        "申疑审核": 0,
        "修复审核": 0,
        "机构新闻投稿": 1,
        "运营数据审核": 0,
    }
    assert dashboard["pending_total"] == 2
    # Latest first, across queues; the draft is the institution's own.
    assert [row.title for row in dashboard["latest"]] == ["南京机构新闻", "基础信息：南京机构地址"]
    assert {row.institution for row in dashboard["latest"]} == {"金陵测试检测技术有限公司"}
    (certificates,) = [d for d in dashboard["deadlines"] if d.key == "institutions.certificate_expiry"]
    assert (certificates.overdue, certificates.due_soon) == (0, 1)
    assert [item.owner for item in certificates.items] == ["金陵测试检测技术有限公司"]
    assert [item["title"] for item in dashboard["messages"]["items"]] == ["待审核：南京消息"]
    assert dashboard["messages"]["unread_count"] == 1
    assert dashboard["figures"]["total"].count == 1
    assert "cities" not in dashboard
    html = response.content.decode()
    for suzhou in ("苏州机构地址", "苏州机构新闻", "苏州消息", "姑苏示例检验检测有限公司", "各设区市情况"):
        assert suzhou not in html


def test_another_city_regulator_sees_theirs(client_for, region_data):
    _response, dashboard = dashboard_of(client_for, "other_city_regulator")
    assert dashboard["region_name"] == "苏州市"
    assert dashboard["pending_total"] == 2
    assert {row.institution for row in dashboard["latest"]} == {"姑苏示例检验检测有限公司"}
    assert [item["title"] for item in dashboard["messages"]["items"]] == ["待审核：苏州消息"]
    assert dashboard["figures"]["total"].count == 1


@pytest.mark.parametrize("who", ["province_regulator", "superuser"])
def test_the_province_sees_everything_and_the_breakdown_by_city(client_for, region_data, who):
    response, dashboard = dashboard_of(client_for, who)
    assert dashboard["is_province"]
    assert dashboard["pending_total"] == 4
    assert [row.title for row in dashboard["latest"]] == [
        "南京机构新闻",
        "基础信息：苏州机构地址",
        "基础信息：南京机构地址",
        "苏州机构新闻",
    ]
    assert dashboard["figures"]["total"].count == 2
    cities = {line.code: line for line in dashboard["cities"]}
    assert len(cities) == 13
    centers = [
        "中心筹建审批",
        "中心验收审批",
        "中心任务书审核",
        "任务书变更审核",
        "筹建进展审核",
        "系统外中心核实",
    ]
    if who == "superuser":  # a superuser sees every queue, the city steps too
        centers = ["中心筹建初审", "中心筹建审批", "中心验收初审", "中心验收审批", *centers[2:]]
    labels = [
        "机构信息纠错报告",
        "整改审核",
        *centers,
        "加分审核",
        "申疑审核",
        "修复审核",
        "机构新闻投稿",
        "运营数据审核",
    ]
    assert dashboard["city_queue_labels"] == labels
    nanjing, suzhou, wuxi = cities["320100"], cities["320500"], cities["320200"]
    pending = [1 if label in ("机构信息纠错报告", "机构新闻投稿") else 0 for label in labels]
    assert (nanjing.institutions.count, [p.count for p in nanjing.pending]) == (1, pending)
    assert nanjing.certificates_expiring.count == 1
    assert (suzhou.institutions.count, suzhou.certificates_expiring.count, suzhou.incomplete.count) == (
        1,
        1,
        1,
    )
    assert (wuxi.institutions.count, [p.count for p in wuxi.pending]) == (0, [0] * len(labels))
    assert "各设区市情况" in response.content.decode()


def changelist_count(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    assert "e=1" not in response.get("Location", ""), url  # an unknown filter parameter
    return response.context["cl"].result_count


def test_every_figure_and_queue_links_to_a_list_showing_the_counted_rows(client_for, region_data):
    client = client_for("city_regulator")
    dashboard = client.get(HOME).context["dashboard"]
    figures = dashboard["figures"]
    links = [
        figures["total"],
        *figures["by_status"],
        *figures["by_completeness"],
        *figures["confirmation"],
        *figures["certificates"],
        *dashboard["queues"],
    ]
    assert {link.count for link in links} >= {0, 1}
    for link in links:
        assert changelist_count(client, link.url) == link.count, link.label
    (certificates,) = [d for d in dashboard["deadlines"] if d.key == "institutions.certificate_expiry"]
    assert changelist_count(client, certificates.list_url) == certificates.total


def test_the_figures_link_the_admin_lists_own_filters(client_for, region_data):
    _response, dashboard = dashboard_of(client_for, "city_regulator")
    figures = dashboard["figures"]
    institutions = reverse("admin:institutions_institution_changelist")
    certificates = reverse("admin:institutions_certificate_changelist")
    assert figures["by_status"][0].url == f"{institutions}?status__exact=normal"
    assert [f.url for f in figures["by_completeness"]] == [
        f"{institutions}?completeness={bucket}" for bucket in ("lt60", "60-79", "80-99", "100")
    ]
    assert [f.url for f in figures["confirmation"]] == [
        f"{institutions}?confirmed=yes",
        f"{institutions}?confirmed=no",
    ]
    assert figures["certificates"][0].url == f"{certificates}?expiry=3m"


def test_the_province_breakdown_links_each_city_to_its_filtered_lists(client_for, region_data):
    client = client_for("province_regulator")
    cities = {line.code: line for line in client.get(HOME).context["dashboard"]["cities"]}
    for code in ("320100", "320500", "320200"):
        line = cities[code]
        for link in (line.institutions, line.certificates_expiring, line.incomplete, *line.pending):
            assert f"city={code}" in link.url
            assert changelist_count(client, link.url) == link.count, (code, link.label)


def test_a_city_sees_its_districts_each_linked_to_the_list_filtered_by_district(client_for, region_data):
    InstitutionFactory(region_code="320115", name="江宁检测有限公司")
    InstitutionFactory(region_code="320100", name="区县未填写检测有限公司")  # no district recorded
    client = client_for("city_regulator")
    dashboard = client.get(HOME).context["dashboard"]
    districts = {line["name"]: line for line in dashboard["districts"]}
    assert list(districts)[:2] == ["玄武区", "秦淮区"]  # code order, the city's districts only
    assert "姑苏区" not in districts
    assert districts["玄武区"]["institutions"].count == 1
    assert districts["江宁区"]["institutions"].url.endswith("?district=320115")
    for name in ("玄武区", "江宁区", "鼓楼区"):
        for key in ("institutions", "incomplete", "unconfirmed"):
            link = districts[name][key]
            assert changelist_count(client, link.url) == link.count, (name, link.label)
    unknown = districts["未填写区县"]
    assert (unknown["institutions"].count, unknown["institutions"].url) == (1, "")


def test_the_province_and_districts_get_no_district_table(client_for, region_data):
    assert "districts" not in dashboard_of(client_for, "province_regulator")[1]
    district = RegulatorFactory(region_code="320102", user__name="玄武监管员").user
    district.groups.add(regulator_group_ensure())
    client = Client()
    client.force_login(district)
    dashboard = client.get(HOME).context["dashboard"]
    assert dashboard["region_name"] == "南京市玄武区"
    assert "districts" not in dashboard
    assert dashboard["figures"]["total"].count == 1
    assert dashboard["pending_total"] == 2


def test_each_latest_submission_and_deadline_item_opens_its_admin_page(client_for, region_data):
    client = client_for("city_regulator")
    dashboard = client.get(HOME).context["dashboard"]
    urls = [row.url for row in dashboard["latest"]]
    urls += [item.url for deadline in dashboard["deadlines"] for item in deadline.items]
    assert len(urls) == 3
    for url in urls:
        assert re.fullmatch(r"/admin/(institutions|news)/\w+/\d+/change/", url)
        assert client.get(url).status_code == 200


def test_submission_times_show_in_local_time(client_for, institution, city_regulator):
    moment = datetime.datetime(2026, 11, 23, 0, 30, tzinfo=datetime.UTC)  # 08:30 in Nanjing
    report = error_report(institution, label="时间显示")
    ErrorReport.objects.filter(pk=report.pk).update(submitted_at=moment)
    html = client_for("city_regulator").get(HOME).content.decode()
    assert "2026-11-23 08:30" in html


def test_unread_messages_link_to_their_detail_and_the_notification_centre(client_for, city_regulator):
    messages = [
        Notification.objects.create(recipient=city_regulator, title=f"待审核：第{n}条", url="")
        for n in range(7)
    ]
    response, dashboard = dashboard_of(client_for, "city_regulator")
    box = dashboard["messages"]
    assert box["unread_count"] == 7
    assert len(box["items"]) == 5
    assert box["items"][0]["url"] == reverse("portal:notification_open", args=[messages[-1].pk])
    html = response.content.decode()
    assert f'href="{reverse("portal:notifications")}">全部消息（7 未读）</a>' in html
    assert client_for("city_regulator").get(box["items"][0]["url"]).status_code == 200


def test_empty_states(client_for, city_regulator):
    html = client_for("city_regulator").get(HOME).content.decode()
    assert "暂无待审核事项" in html
    assert "暂无未读消息" in html
    assert "3个月内暂无到期或逾期事项" in html
    assert "全部消息（0 未读）" in html


def test_staff_without_a_jurisdiction_get_a_note_instead(client):
    client.force_login(UserFactory(is_staff=True, name="无辖区职员"))
    response = client.get(HOME)
    assert response.status_code == 200
    assert response.context["dashboard"] is None
    assert "您的账号未设置监管辖区" in response.content.decode()


def test_the_page_loads_its_own_stylesheet_and_no_inline_style_or_script(client_for, region_data):
    html = client_for("province_regulator").get(HOME).content.decode()
    assert "/static/css/admin_dashboard.css" in html
    assert " style=" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)


def add_region_data(n: int) -> None:
    """n more institutions in each of two cities, each with waiting work, certificates and messages."""
    for city in ("320102", "320505"):
        for _ in range(n):
            institution = InstitutionFactory(region_code=city)
            error_report(institution, label="地址")
            news(institution, title="新闻")
            CertificateFactory(institution=institution, expires_on=days_from_today(30))
            CertificateFactory(institution=institution, expires_on=days_from_today(-1))


# What a page costs: session, user, regulator profile, 2 for permissions, the figure aggregates, the
# districts' grouped query (a city) or the province's breakdown by city, unread messages and their count;
# one query counting every review queue (shared with the sidebar) and, for the province, one grouping
# them by city; per queue the regulator sees, its latest waiting rows (one query each); per declared
# deadline, its counts and most urgent items. Module 04 added 6 queues a regulator sees and 2 deadlines;
# the queue counts became one query for all queues then. Module 07/08 added a queue and a deadline.
# None of it grows with the data.
@pytest.mark.parametrize(("who", "most"), [("city_regulator", 31), ("province_regulator", 35)])
def test_the_home_page_queries_do_not_grow_with_the_data(
    client_for, region_data, who, most, django_assert_max_num_queries, request
):
    client = client_for(who)
    user = request.getfixturevalue(who)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(HOME).status_code == 200
        return len(captured)

    add_region_data(3)
    Notification.objects.bulk_create(Notification(recipient=user, title="消息") for _ in range(6))
    before = queries()
    add_region_data(6)
    Notification.objects.bulk_create(Notification(recipient=user, title="消息") for _ in range(12))
    assert queries() == before
    with django_assert_max_num_queries(most):
        client.get(HOME)
