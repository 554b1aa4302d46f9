"""The notification centre: list, filter, open (mark read, follow a local link), read all."""

import re

import pytest
from django.urls import reverse

from sujt.core.models import Notification


def titles(response) -> list[str]:
    return re.findall(
        r'class="notification-title"[^>]*>(?:<span[^>]*>未读</span> )?([^<]+)</a>', response.content.decode()
    )


def test_lists_only_the_users_own_messages_newest_first(
    client_for, inst_admin, other_inst_admin, make_notification
):
    make_notification(inst_admin, title="第一条")
    make_notification(inst_admin, title="第二条", read=True)
    make_notification(other_inst_admin, title="别人的")
    assert titles(client_for("inst_admin").get(reverse("portal:notifications"))) == ["第二条", "第一条"]


def test_unread_filter(client_for, inst_admin, make_notification):
    make_notification(inst_admin, title="未读的")
    make_notification(inst_admin, title="已读的", read=True)
    response = client_for("inst_admin").get(reverse("portal:notifications"), {"show": "unread"})
    assert titles(response) == ["未读的"]
    assert 'aria-current="page">未读（1）</a>' in response.content.decode()


def test_empty_states(client_for, inst_admin, make_notification):
    assert "暂无消息" in client_for("inst_admin").get(reverse("portal:notifications")).content.decode()
    make_notification(inst_admin, read=True)
    html = client_for("inst_admin").get(reverse("portal:notifications"), {"show": "unread"}).content.decode()
    assert "没有未读消息" in html


def test_pagination_keeps_the_filter(client_for, inst_admin, make_notification):
    for i in range(25):
        make_notification(inst_admin, title=f"消息{i:02d}")
    client = client_for("inst_admin")
    first = client.get(reverse("portal:notifications"), {"show": "unread"})
    assert len(titles(first)) == 20
    assert 'href="?show=unread&amp;page=2"' in first.content.decode()
    second = client.get(reverse("portal:notifications"), {"show": "unread", "page": 2})
    assert len(titles(second)) == 5
    assert client.get(reverse("portal:notifications"), {"page": "abc"}).status_code == 200


def test_opening_marks_read_and_follows_a_local_link(client_for, inst_admin, make_notification):
    notification = make_notification(inst_admin, url="/help/#modules")
    response = client_for("inst_admin").get(reverse("portal:notification_open", args=[notification.pk]))
    assert response.status_code == 302 and response["Location"] == "/help/#modules"
    notification.refresh_from_db()
    assert notification.read_at is not None


@pytest.mark.parametrize(
    "url", ["", "https://evil.example.com/x", "//evil.example.com/x", "javascript:alert(1)"]
)
def test_a_message_without_a_safe_local_link_is_shown_instead(client_for, inst_admin, make_notification, url):
    notification = make_notification(inst_admin, title="请补充材料", body="第一行\n第二行", url=url)
    response = client_for("inst_admin").get(reverse("portal:notification_open", args=[notification.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "请补充材料" in html and "第一行<br>第二行" in html
    assert f'href="{url}"' not in html or not url
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_another_users_message_is_a_404_and_stays_unread(client_for, other_inst_admin, make_notification):
    notification = make_notification(other_inst_admin, url="/help/")
    assert (
        client_for("inst_admin").get(reverse("portal:notification_open", args=[notification.pk])).status_code
        == 404
    )
    notification.refresh_from_db()
    assert notification.read_at is None


def test_read_all_marks_only_the_users_messages(client_for, inst_admin, other_inst_admin, make_notification):
    for _ in range(3):
        make_notification(inst_admin)
    make_notification(other_inst_admin)
    response = client_for("inst_admin").post(reverse("portal:notifications_read_all"), follow=True)
    assert "已将 3 条消息标为已读。" in response.content.decode()
    assert not Notification.objects.filter(recipient=inst_admin, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=other_inst_admin, read_at__isnull=True).count() == 1


def test_the_unread_count_in_the_header_follows_reading(client_for, inst_admin, make_notification):
    first = make_notification(inst_admin)
    make_notification(inst_admin)
    client = client_for("inst_admin")
    assert "data-unread-count>2<" in client.get(reverse("portal:notifications")).content.decode()
    client.get(reverse("portal:notification_open", args=[first.pk]))
    assert "data-unread-count>1<" in client.get(reverse("portal:notifications")).content.decode()


def test_a_regulator_reads_messages_without_a_workspace_navigation(
    client_for, city_regulator, make_notification
):
    make_notification(city_regulator, title="有新的审核事项")
    html = client_for("city_regulator").get(reverse("portal:notifications")).content.decode()
    assert "有新的审核事项" in html
    assert 'class="ws-nav"' not in html
    assert f'href="{reverse("admin:index")}"' in html


@pytest.mark.parametrize("rows", [10, 40])
def test_list_queries_do_not_grow_with_rows(
    rows, client_for, inst_admin, make_notification, django_assert_max_num_queries
):
    for _ in range(rows):
        make_notification(inst_admin)
    client = client_for("inst_admin")
    client.get(reverse("portal:notifications"))
    with django_assert_max_num_queries(10):
        client.get(reverse("portal:notifications"))
