"""Issue 10 item 7: on SQLite (the `make run` default) two requests racing for one row must not answer
500 "database is locked": the loser waits for the winner and then sees the row already changed.

Each case runs on a database file of its own (whatever database the suite uses), opened with the
project's SQLite options or, for contrast, with SQLite's default DEFERRED transactions.
"""

import threading
import time

import pytest
from django.conf import settings
from django.db import OperationalError, connections, transaction
from django.db.utils import ConnectionHandler

ALIAS = "sqlite_race"


@pytest.fixture
def race_db(tmp_path, django_db_blocker):
    """Opens the file database with the given options; outside the suite's own test database."""

    def open_with(options: dict) -> str:
        database = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(tmp_path / "race.sqlite3"),
            "OPTIONS": options,
        }
        configured = ConnectionHandler({"default": database}).settings["default"]
        connections.settings[ALIAS] = configured
        with connections[ALIAS].cursor() as cursor:
            cursor.execute("CREATE TABLE review (id INTEGER PRIMARY KEY, status TEXT)")
            cursor.execute("INSERT INTO review VALUES (1, 'submitted')")
        connections[ALIAS].close()
        return ALIAS

    with django_db_blocker.unblock():
        yield open_with
        connections[ALIAS].close()
    del connections[ALIAS]
    del connections.settings[ALIAS]


def decide(alias: str, *, to: str, wrote: threading.Event | None, hold: float) -> str:
    """What a review service does: read the row, then a conditional UPDATE on the expected state."""
    try:
        with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
            cursor.execute("SELECT status FROM review WHERE id = 1")
            cursor.fetchone()
            cursor.execute("UPDATE review SET status = %s WHERE id = 1 AND status = 'submitted'", [to])
            changed = cursor.rowcount
            if wrote is not None:
                wrote.set()
                time.sleep(hold)
        return "won" if changed == 1 else "已被他人处理"
    except OperationalError as error:
        return f"error: {error}"
    finally:
        connections[alias].close()


def race(alias: str) -> list[str]:
    wrote = threading.Event()
    outcomes: dict[str, str] = {}

    def first() -> None:
        outcomes["first"] = decide(alias, to="approved", wrote=wrote, hold=0.5)

    def second() -> None:
        wrote.wait(timeout=10)
        outcomes["second"] = decide(alias, to="returned", wrote=None, hold=0)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return [outcomes["first"], outcomes["second"]]


def test_with_the_projects_options_the_loser_sees_the_winners_state(race_db):
    alias = race_db(settings.SQLITE_OPTIONS)
    assert race(alias) == ["won", "已被他人处理"]


def test_sqlites_default_transactions_would_fail_with_database_is_locked(race_db):
    """Why the option is there: with DEFERRED the second writer cannot upgrade its read transaction."""
    alias = race_db({**settings.SQLITE_OPTIONS, "transaction_mode": "DEFERRED"})
    first, second = race(alias)
    assert first == "won"
    assert second.startswith("error:") and "locked" in second
