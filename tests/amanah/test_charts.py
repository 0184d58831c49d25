"""The server-drawn SVG charts both apps use: round axis values, mirroring for right-to-left
pages, and labels escaped."""

import re
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from amanah.charts import (
    HEIGHT,
    PAIRED_LABEL_WIDTH,
    PAIRED_PLOT_WIDTH,
    WIDTH,
    axis_value,
    bar_chart_svg,
    mirror_anchor,
    mirror_index,
    mirror_x,
    nice_ceiling,
    paired_bars_layout,
)

BAR_X = re.compile(r'<rect class="chart-bar" x="([\d.]+)"[^>]*><title>([^<]*):')
AXIS = re.compile(r'<text class="chart-axis" x="(\d+)" y="[\d.]+" text-anchor="(\w+)">([\d,.]+)<')


@pytest.mark.parametrize(("value", "expected"), [
    (Decimal("0"), Decimal("1")),
    (Decimal("-5"), Decimal("1")),
    (Decimal("0.4"), Decimal("1")),
    (Decimal("1"), Decimal("1")),
    (Decimal("1.5"), Decimal("2")),
    (Decimal("3"), Decimal("5")),
    (Decimal("7"), Decimal("10")),
    (Decimal("10"), Decimal("10")),
    (Decimal("150.00"), Decimal("200")),
    (Decimal("480"), Decimal("500")),
    (Decimal("501"), Decimal("1000")),
    (Decimal("12345.67"), Decimal("20000")),
])
def test_nice_ceiling_is_the_next_1_2_or_5_times_a_power_of_ten(value, expected):
    assert nice_ceiling(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (Decimal("0"), "0"),
    (Decimal("0.5"), "0.5"),
    (Decimal("100"), "100"),
    (Decimal("2500.0"), "2,500"),
    (Decimal("10000"), "10,000"),
])
def test_axis_values_are_whole_unless_they_are_halves(value, expected):
    assert axis_value(value) == expected


def test_mirroring_is_the_identity_left_to_right_and_a_reflection_right_to_left():
    # a span 10..30 of a 100-wide canvas, its start label and a slot of five
    assert mirror_x(10, span=20, canvas_width=100, rtl=False) == 10
    assert mirror_x(10, span=20, canvas_width=100, rtl=True) == 70
    assert mirror_x(10, canvas_width=100, rtl=True) == 90
    assert [mirror_anchor(a, rtl=False) for a in ("start", "end", "middle")] == [
        "start", "end", "middle"]
    assert [mirror_anchor(a, rtl=True) for a in ("start", "end", "middle")] == [
        "end", "start", "middle"]
    assert [mirror_index(i, 5, rtl=False) for i in range(5)] == [0, 1, 2, 3, 4]
    assert [mirror_index(i, 5, rtl=True) for i in range(5)] == [4, 3, 2, 1, 0]


DAYS = [("11-01", Decimal("150.00")), ("11-02", Decimal("0.00")), ("11-03", Decimal("75.50"))]


def test_bar_chart_reads_left_to_right_with_the_axis_on_the_left():
    # when the chart is drawn for an English page
    svg = bar_chart_svg(DAYS, title="Collections", rtl=False)
    # then the bars run from the left in order, and the axis (0, 100, 200) sits on the left
    bars = [(float(x), label) for x, label in BAR_X.findall(svg)]
    assert [label for _, label in sorted(bars)] == ["11-01", "11-02", "11-03"]
    assert AXIS.findall(svg) == [("58", "end", "0"), ("58", "end", "100"),
                                 ("58", "end", "200")]
    assert f'viewBox="0 0 {WIDTH} {HEIGHT}"' in svg and 'direction="ltr"' in svg


def test_bar_chart_is_mirrored_right_to_left():
    # given the same bars drawn both ways
    ltr = dict((label, float(x)) for x, label in BAR_X.findall(bar_chart_svg(DAYS, title="t")))
    rtl_svg = bar_chart_svg(DAYS, title="t", rtl=True)
    rtl = dict((label, float(x)) for x, label in BAR_X.findall(rtl_svg))
    # then the first bar is the rightmost, each bar is the mirror of its left-to-right self,
    assert sorted(rtl, key=rtl.get) == ["11-03", "11-02", "11-01"]
    bar_width = float(re.search(r'class="chart-bar" x="[\d.]+" y="[\d.]+" width="([\d.]+)"',
                                rtl_svg)[1])
    for label in ltr:
        assert rtl[label] == pytest.approx(WIDTH - ltr[label] - bar_width, abs=0.1)
    # and the value axis is on the right, its labels starting there
    assert AXIS.findall(rtl_svg) == [("662", "start", "0"), ("662", "start", "100"),
                                     ("662", "start", "200")]
    # while the SVG itself stays a left-to-right drawing
    assert 'direction="ltr"' in rtl_svg


def test_an_empty_bar_chart_has_the_axis_0_half_1():
    svg = bar_chart_svg([], title="Nothing yet")
    assert [value for _x, _anchor, value in AXIS.findall(svg)] == ["0", "0.5", "1"]
    assert "chart-bar" not in svg


def test_bar_chart_escapes_labels_and_title():
    # given a label and a title with markup in them
    svg = bar_chart_svg([('<script>alert("x")</script>', Decimal("1"))],
                        title='Sums & "totals" <b>')
    # then they are text, never markup
    assert "<script" not in svg and "<b>" not in svg
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in svg
    assert 'aria-label="Sums &amp; &quot;totals&quot; &lt;b&gt;"' in svg
    assert "<title>Sums &amp; &quot;totals&quot; &lt;b&gt;</title>" in svg


ROWS = [("Review", 2.0, 4.0), ("Inspection", 8.0, 1.0)]


def test_paired_bars_are_scaled_to_the_largest_value_left_to_right():
    # when laid out for an English page
    with translation.override("en"):
        chart = paired_bars_layout(ROWS, rtl=False)
    first, second = chart["bars"]
    # then the largest value fills the plot, the others in proportion, all from the labels
    assert (second["first"]["width"], first["second"]["width"], first["first"]["width"]) == (
        PAIRED_PLOT_WIDTH, PAIRED_PLOT_WIDTH / 2, PAIRED_PLOT_WIDTH / 4)
    assert {part["x"] for bar in chart["bars"] for part in (bar["first"], bar["second"])} == {
        PAIRED_LABEL_WIDTH}
    # and each value is written after its bar, each label ends before the bars
    assert (first["first"]["value"], first["first"]["value_x"], first["first"]["value_anchor"]) \
        == ("2.0", PAIRED_LABEL_WIDTH + 115.0 + 6, "start")
    assert (first["label"], first["label_x"], first["label_anchor"]) == (
        "Review", PAIRED_LABEL_WIDTH - 10, "end")
    assert (chart["width"], chart["height"], chart["bar_height"]) == (760, 116, 19)


def test_paired_bars_are_mirrored_right_to_left():
    # given the same rows laid out both ways
    with translation.override("en"):
        ltr = paired_bars_layout(ROWS, rtl=False)
        rtl = paired_bars_layout(ROWS, rtl=True)
    width = rtl["width"]
    for left, right in zip(ltr["bars"], rtl["bars"], strict=True):
        for key in ("first", "second"):
            # then each bar grows leftwards from the label column, the mirror of its LTR self
            assert right[key]["width"] == left[key]["width"]
            assert right[key]["x"] == pytest.approx(width - left[key]["x"] - left[key]["width"])
            # and its value is written before it, ending there
            assert right[key]["value_x"] == pytest.approx(width - left[key]["value_x"])
            assert right[key]["value_anchor"] == "end"
        # and the label sits against the chart's right edge
        assert (right["label_x"], right["label_anchor"]) == (width - 10, "end")


def test_paired_bars_never_vanish_and_an_empty_chart_keeps_a_row_of_height():
    with translation.override("en"):
        tiny = paired_bars_layout([("Waiting", 0.0, 0.001)], rtl=False)
        empty = paired_bars_layout([], rtl=True)
    assert (tiny["bars"][0]["first"]["width"], tiny["bars"][0]["second"]["width"]) == (1.0, 1.0)
    assert (empty["bars"], empty["height"]) == ([], 58)


def test_paired_bar_labels_are_escaped_where_they_are_drawn():
    # given a step whose name carries markup
    with translation.override("en"):
        chart = paired_bars_layout([('<img src=x onerror="y">', 1.0, 2.0)], rtl=False)
        html = render_to_string("workflow/_chart.html",
                                {"chart": chart, "chart_id": "c", "chart_title": "T"})
    # then the template draws it as text
    assert "<img" not in html
    assert "&lt;img src=x onerror=&quot;y&quot;&gt;" in html
