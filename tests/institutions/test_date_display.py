"""Dates of module 02 as people read them: local time, the project's Y-m-d formats, in text and admin."""

import datetime
import re

import pytest
from django.urls import reverse

from institutions.choices import SyncMode, SyncStatus
from institutions.models import Institution, SyncRun, SyncState
from institutions.selectors.confirmation import item_label
from institutions.services.certificates import reminder_message, renewal_todo_title
from sujt.core.todos import checklist_for
from tests.factories import CertificateFactory

# 01:00 on 23 November in Jiangsu, still 22 November in UTC.
EARLY_MORNING = datetime.datetime(2026, 11, 22, 17, 0, tzinfo=datetime.UTC)


def test_a_confirmation_made_after_midnight_is_dated_that_day_on_the_checklist(inst_admin, institution):
    Institution.objects.filter(pk=institution.pk).update(info_confirmed_at=EARLY_MORNING)
    institution.refresh_from_db()
    item = next(i for i in checklist_for(inst_admin, institution) if i.key == "confirm_institution")
    assert item.note.startswith("已于 2026-11-23 确认。")


def test_a_sync_run_is_named_by_its_local_start_time(db):
    run = SyncRun.objects.create(mode=SyncMode.FULL, status=SyncStatus.SUCCEEDED)
    SyncRun.objects.filter(pk=run.pk).update(started_at=EARLY_MORNING)
    run.refresh_from_db()
    assert str(run) == "全量 2026-11-23 01:00 成功"


def test_certificate_texts_write_dates_year_month_day(institution):
    certificate = CertificateFactory(institution=institution, expires_on=datetime.date(2027, 5, 31))
    _title, body = reminder_message(certificate=certificate, months=3)
    assert "将于 2027-05-31 到期" in body and "2027-02-28 为复查换证" in body
    assert "有效期至 2027-05-31" in item_label(certificate)
    assert f"{certificate.number} 将于 2027-05-31 到期" in renewal_todo_title(certificate)


def test_admin_date_columns_show_year_month_day(client_for, institution):
    CertificateFactory(institution=institution, expires_on=datetime.date(2026, 11, 23))
    html = client_for("superuser").get(reverse("admin:institutions_certificate_changelist")).content.decode()
    assert '<td class="field-expires_on nowrap">2026-11-23</td>' in html
    assert "2026年11月23日" not in html


def test_admin_sync_runs_show_local_start_time_and_the_watermark_to_the_second(client_for, db):
    run = SyncRun.objects.create(mode=SyncMode.FULL, status=SyncStatus.SUCCEEDED)
    SyncRun.objects.filter(pk=run.pk).update(started_at=EARLY_MORNING)
    SyncState.objects.update_or_create(
        key="qualification", defaults={"watermark": EARLY_MORNING + datetime.timedelta(seconds=7)}
    )
    html = client_for("superuser").get(reverse("admin:institutions_syncrun_changelist")).content.decode()
    assert re.search(r'class="field-started_at nowrap"><a [^>]*>2026-11-23 01:00</a>', html)
    assert "当前增量水位：2026-11-23 01:00:07" in html


@pytest.mark.parametrize("months", [6, 3, 1])
def test_every_reminder_names_the_expiry_date(institution, months):
    certificate = CertificateFactory(institution=institution, expires_on=datetime.date(2027, 5, 31))
    assert "2027-05-31" in reminder_message(certificate=certificate, months=months)[1]
