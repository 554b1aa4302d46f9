"""Dates and times in text written for people (messages, to-dos, notes, __str__).

Templates use the |date filter with a named format; Python text goes through these helpers, so both read
the same project formats (sujt/formats) and both show the platform's local time. An aware datetime
formatted as it is reads in UTC: between 00:00 and 08:00 in Jiangsu that is the previous day.

Machine formats (file names, ISO 8601 in attributes and APIs, <input type="date"> values) are protocol,
not display, and do not belong here.

The calendar arithmetic of due dates lives here too: `add_months`, `due_after`, `days_left`, `days_overdue`.
"""

import argparse
import calendar
import datetime

from django.conf import settings
from django.utils import dateformat, formats, timezone, translation


def _format(value: datetime.date | datetime.datetime, name: str) -> str:
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    # Outside a request (a worker, a command that deactivated translations) no language may be active;
    # formats would then fall back to Django's English defaults instead of the project's.
    lang = translation.get_language() or settings.LANGUAGE_CODE
    return dateformat.format(value, formats.get_format(name, lang=lang))


def format_date(value: datetime.date | datetime.datetime | None) -> str:
    """The calendar date (DATE_FORMAT, e.g. 2026-11-23); an aware datetime's date where the platform is."""
    return "" if value is None else _format(value, "DATE_FORMAT")


def format_datetime(value: datetime.datetime | None) -> str:
    """Date and time of day in local time (DATETIME_FORMAT, e.g. 2026-11-23 08:05)."""
    return "" if value is None else _format(value, "DATETIME_FORMAT")


# --- Calendar arithmetic ---------------------------------------------------------------------------------
# Due dates count calendar days and calendar months in the platform's local calendar: no working-day
# rules (public holidays and adjusted working days are set by decree each year and not in our hands).


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (earlier when negative), or the month's last day when it is shorter
    (01-31 + 1 → 02-28)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def due_after(start: datetime.date, *, days: int = 0, months: int = 0) -> datetime.date:
    """The due date `months` calendar months and then `days` days after `start` (before it when negative):
    a task book due 3 months after approval is `due_after(approved_on, months=3)`."""
    return add_months(start, months) + datetime.timedelta(days=days)


def days_overdue(due_on: datetime.date, today: datetime.date | None = None) -> int:
    """Whole days past `due_on` on `today` (the local date by default); 0 on or before the due date."""
    today = today or timezone.localdate()
    return max((today - due_on).days, 0)


def days_left(due_on: datetime.date, today: datetime.date | None = None) -> int:
    """Whole days from `today` (the local date by default) to `due_on`: 0 on the day, negative once past."""
    today = today or timezone.localdate()
    return (due_on - today).days


def day_argument(value: str) -> datetime.date:
    """The `type=` of a management command's --date option (YYYY-MM-DD), for catching up a missed day."""
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError("日期格式应为 YYYY-MM-DD。") from error
