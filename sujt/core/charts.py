"""Server-rendered SVG charts (DESIGN §8: no chart library, no script). Every label is escaped."""

import math
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def bar_chart_svg(
    data: Sequence[tuple[str, int]],
    *,
    title: str,
    label_width: int = 84,
    bar_height: int = 22,
    gap: int = 8,
    width: int = 560,
    id_prefix: str = "chart",
    links: Sequence[str] | None = None,
    link_text: str = "查看",
    maximum: int | None = None,
    unit: str = "",
) -> SafeString:
    """A horizontal bar chart of (label, value) pairs, scaled to the largest value, or to `maximum` when
    given (100 for shares in per cent: a bar then shows how much of the whole is done). `unit` follows
    each value ("%").

    Colours come from CSS classes (chart-bar, chart-label, chart-value), so the high-contrast mode
    restyles it; the <title> and <desc> make it readable by screen readers. `id_prefix` keeps their ids
    unique when a page shows several charts.

    `links` (one URL per row) makes each row a link, named "<label>：<value>（<link_text>）" for screen
    readers. The chart is then a group of links rather than one image: an image's content is hidden from
    assistive technology, and so would its links be.
    """
    ident = escape(id_prefix)
    value_width = 56
    plot_width = width - label_width - value_width
    largest = maximum if maximum is not None else max((value for _label, value in data), default=0)
    height = max(len(data), 1) * (bar_height + gap) + gap
    if links is not None:
        if len(links) != len(data):
            raise ValueError("bar_chart_svg: one link per row")
        # Paths on this site only: no scheme (javascript:, data:), no other host.
        if any(not link.startswith("/") or link.startswith("//") for link in links):
            raise ValueError("bar_chart_svg: links must be paths on this site")
    role = "img" if links is None else "group"
    rows = []
    for index, (label, value) in enumerate(data):
        y = gap + index * (bar_height + gap)
        length = round(plot_width * min(value, largest) / largest) if largest else 0
        middle = y + bar_height / 2
        rows.append(
            f'<g class="chart-row">'
            f'<text class="chart-label" x="{label_width - 8}" y="{middle:g}" text-anchor="end" '
            f'dominant-baseline="central">{escape(label)}</text>'
            f'<rect class="chart-track" x="{label_width}" y="{y}" width="{plot_width}" '
            f'height="{bar_height}"/>'
            f'<rect class="chart-bar" x="{label_width}" y="{y}" width="{length}" height="{bar_height}">'
            f"<title>{escape(label)}：{value}{escape(unit)}</title></rect>"
            f'<text class="chart-value" x="{min(label_width + length + 6, width - value_width + 6)}" '
            f'y="{middle:g}" dominant-baseline="central">{value}{escape(unit)}</text>'
            f"</g>"
        )
        if links is not None:
            name = f"{label}：{value}{unit}（{link_text}）"
            rows[-1] = (
                f'<a class="chart-link" href="{escape(links[index])}" aria-label="{escape(name)}">'
                f"{rows[-1]}</a>"
            )
    description = "；".join(f"{label} {value}{unit}" for label, value in data)
    svg = (
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="{role}" aria-labelledby="{ident}-title {ident}-desc" preserveAspectRatio="xMinYMin meet">'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(description)}</desc>'
        f"{''.join(rows)}</svg>"
    )
    # Every text above was escaped; the rest are numbers.
    return mark_safe(svg)


def _svg(
    *, ident: str, width: int, height: int, title: str, description: str, body: str, extra_class: str = ""
) -> SafeString:
    svg = (
        f'<svg class="chart{extra_class}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{ident}-title {ident}-desc" preserveAspectRatio="xMinYMin meet">'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(description)}</desc>{body}</svg>'
    )
    return mark_safe(svg)  # every text is escaped by the callers; the rest are numbers


def line_chart_svg(
    data: Sequence[tuple[str, float]],
    *,
    title: str,
    low: float,
    high: float,
    guides: Sequence[tuple[float, str]] = (),
    width: int = 640,
    height: int = 240,
    id_prefix: str = "line",
    sparkline: bool = False,
) -> SafeString:
    """A line of (label, value) points from left to right on a fixed scale `low`–`high` (values outside
    are clipped to the frame), with dashed horizontal `guides` (value, label) such as level thresholds.
    `sparkline` draws the line alone, small, without labels (the description still reads every point)."""
    ident = escape(id_prefix)
    left, right, top, bottom = (4, 4, 4, 4) if sparkline else (44, 16, 12, 28)
    plot_w, plot_h = width - left - right, height - top - bottom
    span = (high - low) or 1

    def y_of(value: float) -> float:
        clipped = min(max(value, low), high)
        return top + plot_h * (1 - (clipped - low) / span)

    count = len(data)
    step = plot_w / (count - 1) if count > 1 else 0
    points = [
        (left + (index * step if count > 1 else plot_w / 2), y_of(value))
        for index, (_, value) in enumerate(data)
    ]
    parts = []
    if not sparkline:
        for value, label in guides:
            y = y_of(value)
            parts.append(
                f'<line class="chart-guide" x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}"/>'
                f'<text class="chart-axis" x="{left - 6}" y="{y:.1f}" text-anchor="end" '
                f'dominant-baseline="central">{escape(label)}</text>'
            )
        label_every = max(1, count // 6)
        for index, (label, _value) in enumerate(data):
            last = index == count - 1
            # Every few points and the last one, but none crowding the last.
            if last or (index % label_every == 0 and count - 1 - index >= label_every / 2):
                # The first and last labels hang inwards so that the frame does not cut them.
                anchor = (
                    "start"
                    if index == 0 and count > 1
                    else "end"
                    if index == count - 1 and count > 1
                    else "middle"
                )
                parts.append(
                    f'<text class="chart-axis" x="{points[index][0]:.1f}" y="{height - 8}" '
                    f'text-anchor="{anchor}">{escape(label)}</text>'
                )
    if count > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline class="chart-line" points="{path}"/>')
    for (x, y), (label, value) in zip(points, data, strict=True):
        parts.append(
            f'<circle class="chart-point" cx="{x:.1f}" cy="{y:.1f}" r="{2 if sparkline else 3.5}">'
            f"<title>{escape(label)}：{value:g}</title></circle>"
        )
    description = "；".join(f"{label} {value:g}" for label, value in data) or "暂无数据"
    extra = " chart-sparkline" if sparkline else ""
    return _svg(
        ident=ident,
        width=width,
        height=height,
        title=title,
        description=description,
        body="".join(parts),
        extra_class=extra,
    )


def radar_chart_svg(
    data: Sequence[tuple[str, float]],
    *,
    title: str,
    high: float,
    size: int = 320,
    id_prefix: str = "radar",
) -> SafeString:
    """A radar (spider) chart of (axis label, value) with every axis from 0 at the centre to `high` at
    the rim (values clipped), three rings, the labels outside the rim."""
    ident = escape(id_prefix)
    margin = 64
    centre = size / 2
    radius = centre - margin
    count = max(len(data), 3)

    def point(index: int, fraction: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * index / count
        return centre + radius * fraction * math.cos(angle), centre + radius * fraction * math.sin(angle)

    parts = []
    for ring in (1 / 3, 2 / 3, 1):
        ring_points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, ring) for i in range(count)))
        parts.append(f'<polygon class="chart-ring" points="{ring_points}"/>')
    for index, (label, _value) in enumerate(data):
        x, y = point(index, 1)
        lx, ly = point(index, 1.22)
        anchor = "middle" if abs(lx - centre) < 8 else ("start" if lx > centre else "end")
        parts.append(
            f'<line class="chart-spoke" x1="{centre:.1f}" y1="{centre:.1f}" x2="{x:.1f}" y2="{y:.1f}"/>'
            f'<text class="chart-axis" x="{lx:.1f}" y="{ly:.1f}" text-anchor="{anchor}" '
            f'dominant-baseline="central">{escape(label)}</text>'
        )
    fractions = [min(max(value / high, 0), 1) if high else 0 for _label, value in data]
    shape = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, f) for i, f in enumerate(fractions)))
    parts.append(f'<polygon class="chart-area" points="{shape}"/>')
    description = "；".join(f"{label} {value:g}" for label, value in data)
    return _svg(
        ident=ident, width=size, height=size, title=title, description=description, body="".join(parts)
    )


def progress_bars_svg(
    rows: Sequence[tuple[str, int, str]],
    *,
    title: str,
    id_prefix: str = "progress",
    width: int = 420,
    label_chars: int = 26,
) -> SafeString:
    """Shares done (0–100 %), one bar per row of (label, percent, note): the label on its own line above
    its bar, so long names (a task book's indicators) fit a phone's width; the percent after the bar; a
    short note (such as "待审核：75%") under it when not empty. Every bar is scaled to 100 % (a value
    above is drawn full, one below 0 empty; the text keeps the figure); a row at 100 % or more is marked
    `chart-bar-done`.

    A label longer than `label_chars` characters is cut with "…"; the bar's <title> and the chart's
    <desc> keep it whole. Colours and sizes come from CSS classes (chart-label, chart-track, chart-bar,
    chart-bar-done, chart-value, chart-note); `id_prefix` keeps the <title>/<desc> ids unique on a page.
    """
    ident = escape(id_prefix)
    value_width = 56
    plot_width = width - value_width
    label_height, bar_height, note_height, gap = 24, 16, 22, 12
    parts = []
    y = 4
    for label, percent, note in rows:
        shown = label if len(label) <= label_chars else f"{label[: label_chars - 1]}…"
        length = round(plot_width * min(max(percent, 0), 100) / 100)
        done = " chart-bar-done" if percent >= 100 else ""
        bar_y = y + label_height + 2
        whole = f"{label}：{percent}%" + (f"（{note}）" if note else "")
        parts.append(
            f'<g class="chart-row">'
            f'<text class="chart-label" x="0" y="{y + label_height - 6}">{escape(shown)}</text>'
            f'<rect class="chart-track" x="0" y="{bar_y}" width="{plot_width}" height="{bar_height}"/>'
            f'<rect class="chart-bar{done}" x="0" y="{bar_y}" width="{length}" height="{bar_height}">'
            f"<title>{escape(whole)}</title></rect>"
            f'<text class="chart-value" x="{plot_width + 8}" y="{bar_y + bar_height / 2:g}" '
            f'dominant-baseline="central">{percent}%</text>'
        )
        y = bar_y + bar_height
        if note:
            parts.append(f'<text class="chart-note" x="0" y="{y + note_height - 5}">{escape(note)}</text>')
            y += note_height
        parts.append("</g>")
        y += gap
    description = (
        "；".join(f"{label} {percent}%" + (f"（{note}）" if note else "") for label, percent, note in rows)
        or "暂无数据"
    )
    return _svg(
        ident=ident,
        width=width,
        height=max(y, 24),
        title=title,
        description=description,
        body="".join(parts),
        extra_class=" chart-progress",
    )
