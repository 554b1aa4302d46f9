"""Dates and times in text written for people (messages, to-dos, notes, __str__).

Templates use the |date filter with a named format; Python text goes through these helpers, so both read
the same project formats (sujt/formats) and both show the platform's local time. An aware datetime
formatted as it is reads in UTC: between 00:00 and 08:00 in Jiangsu that is the previous day.

Machine formats (file names, ISO 8601 in attributes and APIs, <input type="date"> values) are protocol,
not display, and do not belong here.
"""

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
