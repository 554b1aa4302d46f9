"""progress_bars_svg: one bar per share done, scaled to 100 %, labels escaped and cut to fit, notes under
their bar, a title and description screen readers read, colours left to CSS classes."""

import re

from sujt.core.charts import progress_bars_svg


def _bars(svg: str) -> list[int]:
    return [
        int(width) for width in re.findall(r'<rect class="chart-bar[^"]*" x="0" y="\d+" width="(\d+)"', svg)
    ]


def test_each_bar_is_its_share_of_the_full_track():
    svg = progress_bars_svg([("甲", 0, ""), ("乙", 50, ""), ("丙", 100, "")], title="进度", width=420)
    track = int(re.search(r'class="chart-track" x="0" y="\d+" width="(\d+)"', svg).group(1))
    assert _bars(svg) == [0, track // 2, track]
    assert ">50%</text>" in svg and ">100%</text>" in svg


def test_values_outside_0_to_100_are_drawn_within_the_track_but_shown_as_given():
    svg = progress_bars_svg([("超额", 130, ""), ("负", -5, "")], title="t")
    track = int(re.search(r'class="chart-track" x="0" y="\d+" width="(\d+)"', svg).group(1))
    assert _bars(svg) == [track, 0]
    assert ">130%</text>" in svg and ">-5%</text>" in svg


def test_a_finished_row_is_marked_for_its_colour_and_no_colour_is_inline():
    svg = progress_bars_svg([("完成", 100, ""), ("未完成", 99, "")], title="t")
    assert svg.count("chart-bar chart-bar-done") == 1
    assert "fill=" not in svg and "style=" not in svg


def test_labels_titles_and_notes_are_escaped():
    svg = progress_bars_svg(
        [("<script>alert(1)</script>", 10, "待审核：<b>20%</b>")], title='"标题"<', id_prefix="x"
    )
    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg and "&lt;b&gt;20%&lt;/b&gt;" in svg and "&quot;标题&quot;&lt;" in svg


def test_the_chart_is_an_image_named_by_its_title_and_described_row_by_row():
    svg = progress_bars_svg(
        [("新增检测能力", 50, "另有待审核的进展：75%"), ("仪器设备投入", 25, "")],
        title="各指标进度",
        id_prefix="c-7",
    )
    assert 'role="img"' in svg and 'aria-labelledby="c-7-title c-7-desc"' in svg
    assert '<title id="c-7-title">各指标进度</title>' in svg
    assert '<desc id="c-7-desc">新增检测能力 50%（另有待审核的进展：75%）；仪器设备投入 25%</desc>' in svg
    assert '<text class="chart-note" x="0"' in svg and svg.count("chart-note") == 1


def test_a_long_label_is_cut_but_read_whole():
    name = "检验检测能力覆盖国家标准和行业标准的产品类别数量以及相应的检测参数数量"
    svg = progress_bars_svg([(name, 40, "")], title="t", label_chars=10)
    assert f">{name[:9]}…</text>" in svg
    assert f"<title>{name}：40%</title>" in svg and name in svg.split("<desc")[1]


def test_notes_make_room_for_themselves():
    plain = progress_bars_svg([("甲", 10, ""), ("乙", 20, "")], title="t")
    noted = progress_bars_svg([("甲", 10, "说明"), ("乙", 20, "")], title="t")
    height = lambda svg: int(re.search(r'viewBox="0 0 \d+ (\d+)"', svg).group(1))  # noqa: E731
    assert height(noted) > height(plain)


def test_no_rows_is_an_empty_but_valid_image():
    svg = progress_bars_svg([], title="空")
    assert svg.startswith("<svg") and svg.endswith("</svg>") and "暂无数据" in svg
