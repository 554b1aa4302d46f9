"""Formats of the platform's one language: numeric dates as Chinese government forms write them.

Display formats use Django's date syntax (templates: |date, |date:"DATETIME_FORMAT"; Python text:
sujt.core.dates). Whatever is not set here (separators, first day of the week) comes from Django's
own zh_Hans module.
"""

DATE_FORMAT = "Y-m-d"  # 2026-11-23
DATETIME_FORMAT = "Y-m-d H:i"  # 2026-11-23 08:05
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
# Seconds where a time of day is shown on its own (the sync watermark).
TIME_FORMAT = "H:i:s"  # 08:05:09
YEAR_MONTH_FORMAT = "Y-m"  # 2026-11 (admin date drill-down)
MONTH_DAY_FORMAT = "m-d"  # 11-23

# Input formats use strftime syntax. The first one is also how form widgets write a value back, so it
# is the display format's. "T" is what <input type="datetime-local"> sends.
DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # 2026-11-23, and what <input type="date"> sends
    "%Y/%m/%d",  # 2026/11/23
    "%Y年%m月%d日",  # 2026年11月23日
]
# Seconds first: the admin's time box writes the value back with the first format, and Django's own
# zh_Hans "%H:%M" would silently drop the seconds of every datetime saved from a change form.
TIME_INPUT_FORMATS = ["%H:%M:%S", "%H:%M", "%H:%M:%S.%f"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d",
]
