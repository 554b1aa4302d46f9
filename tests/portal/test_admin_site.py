"""The regulators' admin in the platform's look: plain Chinese headings, the sidebar grouped by module
with pending-review badges in the user's region, the 适老化 modes, and no inline code (CSP)."""

import re

import pytest
from django.contrib import admin
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from sujt.core import modules
from sujt.core.modules import ADMIN_GROUPS, admin_group_of
from sujt.core.registries import review_queues
from tests.factories import InstitutionFactory, NewsSubmissionFactory

SUBMISSIONS = "/admin/news/newssubmission/"


def _sidebar(html: str) -> str:
    match = re.search(r'<nav class="sticky" id="nav-sidebar".*?</nav>', html, re.S)
    assert match, "the page has no admin sidebar"
    return match.group(0)


def _group_titles(html: str) -> list[str]:
    return re.findall(r'<caption>\s*<span class="section">([^<]+)</span>', html)


def _badges(html: str) -> dict[str, str]:
    """{queue url: the badge's number} of a sidebar."""
    return dict(re.findall(r'<a class="pending-badge" href="([^"]+)"[^>]*>([^<]+)<', html))


@pytest.fixture
def submitted_news(db):
    """Two submissions waiting in Nanjing (320102, 320105), one in Suzhou, and a Nanjing draft."""
    nanjing = InstitutionFactory(region_code="320102")
    make = NewsSubmissionFactory
    return [
        make(institution=nanjing, status="submitted"),
        make(institution=InstitutionFactory(region_code="320105"), status="submitted"),
        make(institution=InstitutionFactory(region_code="320505"), status="submitted"),
        make(institution=nanjing, status="draft"),
    ]


# --- Headings -------------------------------------------------------------------------------------


def test_change_list_is_headed_by_the_models_plural_name(client_for):
    html = client_for("city_regulator").get(SUBMISSIONS).content.decode()
    assert "<h1>机构新闻投稿</h1>" in html
    assert "<title>机构新闻投稿 · " in html
    assert "选择" not in re.search(r"<h1>.*?</h1>", html, re.S).group(0)


def test_list_filters_are_headed_by_what_they_filter(client_for):
    html = client_for("city_regulator").get(SUBMISSIONS).content.decode()
    assert "<summary>按状态</summary>" in html
    assert "以 " not in html
    assert '<h2 id="changelist-filter-header">筛选</h2>' in html


def test_an_empty_list_says_so(client_for):
    html = client_for("city_regulator").get(SUBMISSIONS + "?q=没有这条").content.decode()
    assert "没有符合条件的记录" in html
    assert "共 0 条" in html


def test_a_read_only_review_page_is_titled_view_and_an_editable_one_change(client_for, submitted_news):
    # A decided submission: nothing to save and no decision left (a pending one may read "审核X").
    decided = NewsSubmissionFactory(institution=submitted_news[0].institution, status="approved")
    client = client_for("city_regulator")
    review = client.get(reverse("admin:news_newssubmission_change", args=[decided.pk]))
    assert "<h1>查看机构新闻投稿</h1>" in review.content.decode()
    institution = decided.institution
    editable = client.get(reverse("admin:institutions_institution_change", args=[institution.pk]))
    assert f"<h1>修改{institution._meta.verbose_name}</h1>" in editable.content.decode()


def test_an_apps_page_is_titled_by_the_module(client_for):
    response = client_for("city_regulator").get(reverse("admin:app_list", args=["news"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>新闻资讯发布</h1>" in html
    # The app's models, not the dashboard (Django's app page extends admin/index.html).
    assert f'href="{SUBMISSIONS}"' in html.split('id="content-main"', 1)[1]


# --- Sidebar --------------------------------------------------------------------------------------


def test_sidebar_groups_follow_the_manuals_order_and_leave_out_empty_ones(client_for):
    html = _sidebar(client_for("superuser").get(SUBMISSIONS).content.decode())
    populated = {admin_group_of(m._meta.app_label, m._meta.model_name).key for m in admin.site._registry}
    assert _group_titles(html) == [group.title for group in ADMIN_GROUPS if group.key in populated]
    assert "最近动作" not in html and "我的动作" not in html


def test_a_group_declared_by_an_app_takes_its_models_and_an_emptied_group_disappears(client_for, monkeypatch):
    monkeypatch.setattr(modules, "_admin_groups", {**modules._admin_groups, "news": "03"})
    titles = _group_titles(_sidebar(client_for("superuser").get(SUBMISSIONS).content.decode()))
    assert "机构整改" in titles and "新闻资讯发布" not in titles
    assert titles.index("机构风采管理") < titles.index("机构整改") < titles.index("账号与权限")


def test_a_city_regulators_badge_counts_only_their_region(client_for, submitted_news):
    queue_url = SUBMISSIONS + "?status__exact=submitted"
    city = _badges(_sidebar(client_for("city_regulator").get(SUBMISSIONS).content.decode()))
    province = _badges(_sidebar(client_for("province_regulator").get(SUBMISSIONS).content.decode()))
    assert city[queue_url] == "2"
    assert province[queue_url] == "3"
    news_page = client_for("city_regulator").get(reverse("admin:app_list", args=["news"])).content.decode()
    assert _badges(news_page.split('id="content-main"', 1)[1])[queue_url] == "2"


def test_a_queue_with_nothing_waiting_has_no_badge(client_for):
    assert _badges(_sidebar(client_for("city_regulator").get(SUBMISSIONS).content.decode())) == {}


@pytest.mark.parametrize("extra", [0, 6])
def test_the_sidebar_costs_one_query_for_every_queue(
    extra, submitted_news, city_regulator, django_assert_num_queries
):
    for _ in range(extra):
        NewsSubmissionFactory(institution=submitted_news[0].institution, status="submitted")
    User = type(city_regulator)
    queues = [queue for queue in review_queues() if queue.visible_to(User.objects.get(pk=city_regulator.pk))]
    request = RequestFactory().get(SUBMISSIONS)
    request.user = User.objects.get(pk=city_regulator.pk)  # nothing cached on it yet
    # The user's permissions (own and group's), their regulator row, then one query counting every queue
    # (a UNION ALL of one COUNT per queue).
    assert len(queues) > 10
    with django_assert_num_queries(4) as captured:
        context = admin.site.each_context(request)
        render_to_string("admin/nav_sidebar.html", context, request)
        render_to_string("admin/nav_sidebar.html", context, request)  # counted once per request
    (counting,) = [query["sql"] for query in captured.captured_queries if "COUNT(" in query["sql"].upper()]
    assert counting.upper().count("COUNT(") == len(queues)


# --- 适老化 and CSP ---------------------------------------------------------------------------------


def test_admin_pages_render_the_a11y_classes_from_the_cookie(client_for):
    client = client_for("city_regulator")
    client.cookies["sujt_a11y"] = "large.contrast"
    html = client.get(SUBMISSIONS).content.decode()
    assert re.search(r'<html lang="zh-CN"[^>]* class="a11y-large a11y-contrast"', html)
    assert 'data-a11y-option="large" aria-pressed="true"' in html
    assert "css/admin.css" in html


def test_admin_pages_without_the_cookie_have_no_a11y_class(client_for):
    html = client_for("city_regulator").get(SUBMISSIONS).content.decode()
    assert "a11y-large" not in re.search(r"<html[^>]*>", html).group(0)


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.I)


def test_admin_pages_carry_no_inline_script_or_style(client_for, submitted_news):
    client = client_for("city_regulator")
    pages = [
        reverse("admin:index"),
        reverse("admin:app_list", args=["institutions"]),
        SUBMISSIONS,
        SUBMISSIONS + "?q=没有这条",
        reverse("admin:news_newssubmission_change", args=[submitted_news[0].pk]),
        reverse("admin:institutions_institution_changelist"),
        reverse("admin:institutions_institution_change", args=[submitted_news[0].institution.pk]),
        reverse("admin:accounts_loginevent_changelist"),  # a list without actions (Django inlines a rule)
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert not INLINE_SCRIPT.search(html), url
        assert not INLINE_STYLE.search(html), url


# --- Signing in and out -----------------------------------------------------------------------------


def test_the_admin_login_is_the_platforms_login(client_for):
    response = client_for("anonymous").get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:login") + "?next=%2Fadmin%2F"


def test_a_signed_in_non_regulator_goes_home_instead_of_bouncing_between_logins(client_for):
    response = client_for("inst_admin").get(reverse("admin:index"), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("portal:dashboard")


def test_the_top_bar_links_to_the_regulators_messages_with_the_unread_count(client_for, city_regulator):
    from sujt.core.models import Notification

    Notification.objects.create(recipient=city_regulator, title="待审核：机构新闻投稿")
    Notification.objects.create(
        recipient=city_regulator, title="已读消息", read_at="2026-12-01T08:00:00+08:00"
    )
    text = (
        client_for("city_regulator")
        .get(reverse("admin:institutions_institution_changelist"))
        .content.decode()
    )
    link = re.search(r'<a href="' + re.escape(reverse("portal:notifications")) + r'"[^>]*>(.*?)</a>', text)
    assert link and "消息" in link.group(1) and ">1<" in link.group(1)
    assert 'aria-label="消息，1 条未读"' in text
