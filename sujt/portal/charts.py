"""Server-rendered SVG charts (DESIGN §8: no chart library, no script). Every label is escaped."""

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
) -> SafeString:
    """A horizontal bar chart of (label, value) pairs, scaled to the largest value.

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
    largest = max((value for _label, value in data), default=0)
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
        length = round(plot_width * value / largest) if largest else 0
        middle = y + bar_height / 2
        rows.append(
            f'<g class="chart-row">'
            f'<text class="chart-label" x="{label_width - 8}" y="{middle:g}" text-anchor="end" '
            f'dominant-baseline="central">{escape(label)}</text>'
            f'<rect class="chart-track" x="{label_width}" y="{y}" width="{plot_width}" '
            f'height="{bar_height}"/>'
            f'<rect class="chart-bar" x="{label_width}" y="{y}" width="{length}" height="{bar_height}">'
            f"<title>{escape(label)}：{value}</title></rect>"
            f'<text class="chart-value" x="{label_width + length + 6}" y="{middle:g}" '
            f'dominant-baseline="central">{value}</text>'
            f"</g>"
        )
        if links is not None:
            name = f"{label}：{value}（{link_text}）"
            rows[-1] = (
                f'<a class="chart-link" href="{escape(links[index])}" aria-label="{escape(name)}">'
                f"{rows[-1]}</a>"
            )
    description = "；".join(f"{label} {value}" for label, value in data)
    svg = (
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="{role}" aria-labelledby="{ident}-title {ident}-desc" preserveAspectRatio="xMinYMin meet">'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(description)}</desc>'
        f"{''.join(rows)}</svg>"
    )
    # Every text above was escaped; the rest are numbers.
    return mark_safe(svg)
