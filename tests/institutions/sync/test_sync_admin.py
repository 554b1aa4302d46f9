"""资质认定同步记录 in admin: read-only for every regulator, 立即同步 for the province and superusers."""

import pytest
from django.urls import reverse

from institutions.choices import SyncMode, SyncStatus
from institutions.models import Institution, SyncRun

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:institutions_syncrun_changelist")
SYNC = reverse("admin:institutions_syncrun_sync")


@pytest.mark.parametrize("who", ["province_regulator", "superuser"])
def test_the_province_syncs_now_and_sees_the_finished_run(who, client_for, fake_api, request,
                                                          django_capture_on_commit_callbacks):  # fmt: skip
    client = client_for(who)
    page = client.get(CHANGELIST)
    assert page.status_code == 200
    assert "立即同步（增量）" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SYNC, {"mode": SyncMode.INCREMENTAL}, follow=True)

    assert response.redirect_chain[-1][0] == CHANGELIST
    content = response.content.decode()
    assert "已提交立即同步（增量）" in content and f'href="{CHANGELIST}"' in content
    run = SyncRun.objects.get()
    assert (run.status, run.mode, run.created) == (SyncStatus.SUCCEEDED, SyncMode.INCREMENTAL, 12)
    assert run.triggered_by == request.getfixturevalue(who)
    assert Institution.objects.count() == 12
    assert "成功" in content  # the finished run is on the reloaded list


def test_full_sync_from_admin(client_for, fake_api, django_capture_on_commit_callbacks):
    client = client_for("province_regulator")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(SYNC, {"mode": SyncMode.FULL})
    assert SyncRun.objects.get().mode == SyncMode.FULL


def test_a_failed_admin_sync_is_a_failed_run_not_an_error_page(
    client_for, fake_api, django_capture_on_commit_callbacks
):
    fake_api.always(503)
    client = client_for("province_regulator")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SYNC, {"mode": SyncMode.INCREMENTAL})
    assert response.status_code == 302
    assert SyncRun.objects.get().status == SyncStatus.FAILED


def test_a_city_regulator_sees_the_runs_but_cannot_sync(client_for, fake_api,
                                                        django_capture_on_commit_callbacks):  # fmt: skip
    run = SyncRun.objects.create(mode=SyncMode.INCREMENTAL, status=SyncStatus.SUCCEEDED)
    client = client_for("city_regulator")

    page = client.get(CHANGELIST)
    assert page.status_code == 200
    content = page.content.decode()
    assert "立即同步（增量）" not in content and "仅限省级监管人员" in content
    assert client.get(reverse("admin:institutions_syncrun_change", args=[run.pk])).status_code == 200

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert client.post(SYNC, {"mode": SyncMode.INCREMENTAL}).status_code == 403
    assert callbacks == []
    assert SyncRun.objects.count() == 1


@pytest.mark.parametrize("who", ["inst_admin", "anonymous"])
def test_others_do_not_reach_the_runs(who, client_for):
    client = client_for(who)
    assert client.get(CHANGELIST).status_code in (302, 403)
    assert client.post(SYNC, {"mode": SyncMode.INCREMENTAL}).status_code in (302, 403)
    assert SyncRun.objects.count() == 0


def test_a_run_is_read_only_and_shows_its_errors(client_for):
    run = SyncRun.objects.create(
        mode=SyncMode.FULL,
        status=SyncStatus.PARTIAL,
        failed=1,
        errors=[
            {"record": "INS-000005", "message": "统一社会信用代码校验位不正确。"},
            {"page": 3, "message": "资质认定审批系统暂时不可用（HTTP 503）<b>"},
        ],
    )
    client = client_for("province_regulator")
    change = reverse("admin:institutions_syncrun_change", args=[run.pk])
    content = client.get(change).content.decode()
    assert "INS-000005" in content and "统一社会信用代码校验位不正确。" in content
    assert "第 3 页" in content and "（HTTP 503）&lt;b&gt;" in content
    assert 'name="_save"' not in content
    assert client.get(reverse("admin:institutions_syncrun_delete", args=[run.pk])).status_code == 403
    assert client.post(change, {"status": SyncStatus.SUCCEEDED}).status_code == 403
    assert client.get(reverse("admin:institutions_syncrun_add")).status_code == 403
    assert client.get(SYNC).status_code == 405
    run.refresh_from_db()
    assert run.status == SyncStatus.PARTIAL
