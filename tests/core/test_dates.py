"""Dates as people read them: one project format module (sujt/formats), one helper for Python text
(sujt/core/dates.py), always the platform's local time (Asia/Shanghai).

The guards at the end keep it that way: templates name a format instead of spelling one out, and project
code asks Django for the local calendar date instead of the process clock.
"""

import datetime
import os
import re
from pathlib import Path

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.template import Context, Template
from django.utils import formats, translation

from sujt.core.dates import add_months, days_left, days_overdue, due_after, format_date, format_datetime

# 01:00 on 23 November in Jiangsu is still 22 November in UTC: the hours in which a date read without
# localtime() shows yesterday.
EARLY_MORNING = datetime.datetime(2026, 11, 22, 17, 0, tzinfo=datetime.UTC)
DAY = datetime.date(2026, 11, 23)


# --- The format module ---------------------------------------------------------------------------------


def test_named_formats_are_the_numeric_ones_for_the_project_language():
    moment = datetime.datetime(2026, 11, 23, 8, 5, 9)
    assert translation.get_language() == "zh-hans"
    assert formats.date_format(DAY) == "2026-11-23"
    assert formats.date_format(DAY, "SHORT_DATE_FORMAT") == "2026-11-23"
    assert formats.date_format(moment, "DATETIME_FORMAT") == "2026-11-23 08:05"
    assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "2026-11-23 08:05"
    assert formats.time_format(moment) == "08:05:09"
    assert formats.date_format(DAY, "YEAR_MONTH_FORMAT") == "2026-11"
    assert formats.date_format(DAY, "MONTH_DAY_FORMAT") == "11-23"


def test_templates_show_named_formats_in_local_time():
    template = Template('{{ m|date }}|{{ m|date:"DATETIME_FORMAT" }}|{{ d }}|{{ m }}')
    assert template.render(Context({"m": EARLY_MORNING, "d": DAY})) == (
        "2026-11-23|2026-11-23 01:00|2026-11-23|2026-11-23 01:00"
    )


def test_date_fields_render_and_accept_year_month_day():
    assert forms.DateInput().format_value(DAY) == "2026-11-23"
    assert forms.DateField().clean("2026-11-23") == DAY
    assert forms.DateField().clean("2026/11/23") == DAY


def test_datetime_fields_accept_the_browsers_datetime_local_value_as_local_time():
    field = forms.DateTimeField()
    assert field.clean("2026-11-23T01:00") == EARLY_MORNING
    assert field.clean("2026-11-23 01:00") == EARLY_MORNING
    assert field.clean("2026-11-23 01:00:00") == EARLY_MORNING


# --- The helper ------------------------------------------------------------------------------------------


def test_an_aware_moment_is_dated_by_the_local_calendar():
    assert format_date(EARLY_MORNING) == "2026-11-23"
    assert format_datetime(EARLY_MORNING) == "2026-11-23 01:00"


def test_plain_dates_and_missing_values():
    assert format_date(DAY) == "2026-11-23"
    assert format_date(None) == ""
    assert format_datetime(None) == ""


def test_the_helper_does_not_depend_on_an_active_translation():
    # A worker or a command that deactivated translations still writes the project's format, not
    # Django's English default ("Nov. 23, 2026").
    with translation.override(None):
        assert format_date(EARLY_MORNING) == "2026-11-23"
        assert format_datetime(EARLY_MORNING) == "2026-11-23 01:00"


# --- Calendar arithmetic of due dates ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (datetime.date(2026, 1, 31), 1, datetime.date(2026, 2, 28)),
        (datetime.date(2024, 1, 31), 1, datetime.date(2024, 2, 29)),
        (datetime.date(2026, 11, 23), 3, datetime.date(2027, 2, 23)),
        (datetime.date(2026, 2, 15), -3, datetime.date(2025, 11, 15)),
        (datetime.date(2026, 5, 31), -3, datetime.date(2026, 2, 28)),
        (datetime.date(2026, 12, 1), 12, datetime.date(2027, 12, 1)),
        (datetime.date(2026, 1, 15), -13, datetime.date(2024, 12, 15)),
        (datetime.date(2026, 3, 31), 0, datetime.date(2026, 3, 31)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_last_of_a_shorter_month(day, months, expected):
    assert add_months(day, months) == expected


def test_due_after_counts_calendar_months_then_calendar_days():
    approved = datetime.date(2026, 11, 30)
    assert due_after(approved, months=3) == datetime.date(2027, 2, 28)
    assert due_after(approved, months=3, days=1) == datetime.date(2027, 3, 1)
    assert due_after(approved, days=7) == datetime.date(2026, 12, 7)  # weekends and holidays count
    assert due_after(approved, days=-7) == datetime.date(2026, 11, 23)
    assert due_after(approved) == approved


def test_days_left_and_days_overdue_on_a_given_day():
    due = datetime.date(2026, 11, 23)
    assert [days_left(due, due + datetime.timedelta(days=n)) for n in (-3, 0, 2)] == [3, 0, -2]
    assert [days_overdue(due, due + datetime.timedelta(days=n)) for n in (-3, 0, 1, 40)] == [0, 0, 1, 40]


def test_days_left_defaults_to_the_local_date(monkeypatch):
    # 01:00 in Jiangsu on the 23rd is still the 22nd in UTC: the local calendar decides.
    monkeypatch.setattr("django.utils.timezone.now", lambda: EARLY_MORNING)
    assert days_left(DAY) == 0
    assert days_overdue(DAY - datetime.timedelta(days=2)) == 2


# --- Guards ------------------------------------------------------------------------------------------------

NAMED_FORMATS = {
    "DATE_FORMAT",
    "DATETIME_FORMAT",
    "SHORT_DATE_FORMAT",
    "SHORT_DATETIME_FORMAT",
    "TIME_FORMAT",
    "YEAR_MONTH_FORMAT",
    "MONTH_DAY_FORMAT",
}
# A <time datetime="..."> attribute is read by machines and must be ISO 8601 whatever the display
# format is: the only literal format a template may use, and only there.
MACHINE_READABLE = re.compile(r"""datetime=["']\{\{[^}]*\|date:["']c["']\s*\}\}["']""")
FORMAT_ARGUMENT = re.compile(r"""(?:\|(?:date|time):|\{%\s*now\s+)(?P<quote>["'])(?P<format>.*?)(?P=quote)""")


def _project_template_dirs() -> list[Path]:
    base = Path(settings.BASE_DIR).resolve()
    dirs = [Path(d).resolve() for engine in settings.TEMPLATES for d in engine.get("DIRS", [])]
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if path.is_relative_to(base) and ".venv" not in path.parts:
            dirs.append(path / "templates")
    return [d for d in dirs if d.is_dir()]


def literal_formats(source: str) -> list[str]:
    """The format arguments of |date, |time and {% now %} in a template that are not a named format."""
    source = MACHINE_READABLE.sub("", source)
    return [m["format"] for m in FORMAT_ARGUMENT.finditer(source) if m["format"] not in NAMED_FORMATS]


def test_the_template_guard_tells_literal_formats_from_named_ones():
    assert literal_formats('{{ a|date:"Y-m-d" }} {{ b|date:\'Y年n月\' }} {{ c|time:"H:i" }}') == [
        "Y-m-d",
        "Y年n月",
        "H:i",
    ]
    assert literal_formats('{{ a|date }} {{ a|date:"DATETIME_FORMAT" }} {{ a|time:"TIME_FORMAT" }}') == []
    assert literal_formats("<time datetime=\"{{ a|date:'c' }}\">{{ a|date }}</time>") == []
    assert literal_formats("<p>{{ a|date:'c' }}</p>") == ["c"]
    assert literal_formats('{% now "Y-m-d" %} {% now "DATE_FORMAT" %}') == ["Y-m-d"]


def test_templates_use_named_date_formats_only():
    dirs = _project_template_dirs()
    assert Path(settings.BASE_DIR, "templates").resolve() in dirs
    assert any(d.parent.name == "portal" for d in dirs)  # app templates are scanned too
    found = []
    for directory in dirs:
        for path in sorted(directory.rglob("*.html")):
            for line_number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                found += [f"{path}:{line_number}: {fmt}" for fmt in literal_formats(line)]
    assert found == [], 'use a named format (|date, |date:"DATETIME_FORMAT"...):\n' + "\n".join(found)


PROCESS_CLOCK = re.compile(r"\bdate\.today\(\)|\bdatetime\.now\(\)|\butcnow\(\)")
SKIPPED_DIRS = {".venv", "tests", "node_modules", "staticfiles", "media", "private_media", "__pycache__"}


def _project_python_files(base: Path) -> list[Path]:
    files = []
    for root, dirs, names in os.walk(base):
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS and not d.startswith(".")]
        files += [Path(root, name) for name in names if name.endswith(".py")]
    return sorted(files)


def test_project_code_reads_the_local_date_from_django():
    # date.today() and a bare datetime.now() read the process clock, which need not be in TIME_ZONE (a
    # worker started without Django's TZ), and bypass the clock tests control: timezone.localdate() and
    # timezone.now() are the platform's.
    base = Path(settings.BASE_DIR)
    found = []
    for path in _project_python_files(base):
        for line_number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if PROCESS_CLOCK.search(line):
                found.append(f"{path.relative_to(base)}:{line_number}: {line.strip()}")
    assert found == [], "use timezone.localdate() / timezone.now():\n" + "\n".join(found)
