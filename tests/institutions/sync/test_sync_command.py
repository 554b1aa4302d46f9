"""python manage.py sync_qualifications: the summary, the exit status, the import file."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from institutions.choices import SyncMode, SyncStatus
from institutions.models import Institution, SyncRun

pytestmark = pytest.mark.django_db


def run_command(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("sync_qualifications", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_incremental_then_full_print_the_summary(fake_api):
    out, _err = run_command()
    run = SyncRun.objects.get()
    assert f"同步记录 #{run.pk}（增量" in out
    assert "成功。页数 3，新增 12，更新 0" in out
    assert Institution.objects.count() == 12

    out, _err = run_command("--full")
    assert "（全量" in out and "新增 0，更新 0，未变 12，撤回 0，失败 0" in out
    assert SyncRun.objects.filter(mode=SyncMode.FULL, status=SyncStatus.SUCCEEDED).count() == 1


def test_a_failed_run_exits_non_zero_with_the_reason(fake_api):
    fake_api.always(401)
    err = StringIO()
    # manage.py turns a CommandError into sys.exit(returncode) (BaseCommand.run_from_argv).
    with pytest.raises(CommandError) as failed:
        call_command("sync_qualifications", stdout=StringIO(), stderr=err)
    assert failed.value.returncode == 1
    assert "失败" in str(failed.value)
    assert "HTTP 401" in err.getvalue() and "QUALIFICATION_API_TOKEN" in err.getvalue()
    assert SyncRun.objects.get().status == SyncStatus.FAILED


def test_a_transient_failure_is_reported_as_a_failed_run(fake_api):
    fake_api.always(503)
    with pytest.raises(CommandError, match="失败"):
        run_command()
    assert SyncRun.objects.get().status == SyncStatus.FAILED


def test_from_file_imports_and_reports_bad_records(fake_api, tmp_path):
    page = fake_api.respond("/api/v1/institutions?page_size=4", {"Authorization": "Bearer test-token"})[1]
    page["results"][1]["uscc"] = "123"
    path = tmp_path / "offline.json"
    path.write_text(json.dumps(page, ensure_ascii=False), encoding="utf-8")

    out, err = run_command("--from-file", str(path))

    assert "（文件导入，offline.json）：部分成功" in out and "新增 3" in out and "失败 1" in out
    assert page["results"][1]["id"] in err
    assert Institution.objects.count() == 3


def test_full_and_from_file_together_are_refused(tmp_path):
    with pytest.raises(CommandError, match="不能同时使用"):
        run_command("--full", "--from-file", str(tmp_path / "x.json"))


def test_the_nightly_beat_entry(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["qualification-sync"]
    assert entry["task"] == "institutions.tasks.sync_qualifications_task"
    assert (entry["schedule"]._orig_minute, entry["schedule"]._orig_hour) == ("30", "2")
