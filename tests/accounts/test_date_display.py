"""Login audit rows are named by the local time they happened at (admin lists, history, exports)."""

import datetime

from sujt.accounts.choices import LoginEventKind
from sujt.accounts.models import LoginEvent, PasswordHistory
from tests.factories import UserFactory

# 01:00 on 23 November in Jiangsu, still 22 November in UTC.
EARLY_MORNING = datetime.datetime(2026, 11, 22, 17, 0, tzinfo=datetime.UTC)


def test_a_login_event_is_named_by_its_local_time(db):
    event = LoginEvent.objects.create(
        kind=LoginEventKind.FAILED, phone="13800000000", created_at=EARLY_MORNING
    )
    event.refresh_from_db()
    assert str(event) == "登录失败 13800000000 2026-11-23 01:00"


def test_a_password_history_row_is_named_by_its_local_time(db):
    user = UserFactory()
    row = PasswordHistory.objects.create(user=user, password="x", created_at=EARLY_MORNING)
    row.refresh_from_db()
    assert str(row) == f"{user.pk} 2026-11-23 01:00"
