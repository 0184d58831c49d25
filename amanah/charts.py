"""Charts drawn on the server as inline SVG, for every app's pages: no script, no CDN, readable
without JavaScript.

An SVG is always drawn left to right. A chart on a right-to-left page is laid out left to right
and then mirrored here, in its coordinates (`mirror_x`, `mirror_anchor`), so it reads in the
page's direction: the first bar, the axis and the labels on the right.
"""

from decimal import Decimal

from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe

_ANCHOR_MIRRORED = {"start": "end", "end": "start", "middle": "middle"}


def mirror_x(x, *, span=0, canvas_width, rtl: bool):
    """Where a shape drawn from `x` to `x + span` in a left-to-right chart starts in the same
    chart read right to left (unchanged when `rtl` is false)."""
    return canvas_width - x - span if rtl else x


def mirror_index(index: int, count: int, *, rtl: bool) -> int:
    """Which of `count` equal slots, counted from the left, the `index`-th one is in when the
    chart reads right to left: the first is then the rightmost."""
    return count - 1 - index if rtl else index


def mirror_anchor(anchor: str, *, rtl: bool) -> str:
    """The `text-anchor` of a mirrored text: what ended at its x now starts there."""
    return _ANCHOR_MIRRORED[anchor] if rtl else anchor


def nice_ceiling(value: Decimal) -> Decimal:
    """The smallest 1, 2 or 5 × 10^n at or above `value`, so the axis has round numbers."""
    if value <= 0:
        return Decimal(1)
    magnitude = Decimal(10) ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def axis_value(value: Decimal) -> str:
    """Whole numbers without decimals; the half-way mark of a small axis (0.5) keeps its own."""
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.1f}"


def _n(value: float) -> str:
    return f"{value:.1f}"


# --- Bars over time (payments' collections per day) ----------------------------------------

WIDTH, HEIGHT = 720, 240
MARGIN_START, MARGIN_END, MARGIN_TOP, MARGIN_BOTTOM = 64, 12, 16, 36


def bar_chart_svg(bars: list[tuple[str, Decimal]], *, title: str, rtl: bool = False) -> str:
    """`bars` are (label, value), earliest first, as an SVG bar chart with a value axis of
    round numbers. They run in the page's reading direction: left to right, or mirrored for
    Arabic (first bar and the value axis on the right). Labels and title are escaped."""
    top = nice_ceiling(max((value for _, value in bars), default=Decimal(0)))
    plot_w = WIDTH - MARGIN_START - MARGIN_END
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    slot = plot_w / max(len(bars), 1)
    bar_w = slot * 0.7

    def x_of(x, span=0):
        return mirror_x(x, span=span, canvas_width=WIDTH, rtl=rtl)

    plot_left = x_of(MARGIN_START, plot_w)
    axis_x, axis_anchor = x_of(MARGIN_START - 6), mirror_anchor("end", rtl=rtl)
    parts = [format_html('<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}" '
                         'direction="ltr" xmlns="http://www.w3.org/2000/svg">', WIDTH, HEIGHT,
                         title),
             format_html("<title>{}</title>", title)]
    for fraction in (0, Decimal("0.5"), 1):
        y = MARGIN_TOP + plot_h - float(fraction) * plot_h
        parts.append(format_html(
            '<line class="chart-grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
            '<text class="chart-axis" x="{}" y="{}" text-anchor="{}">{}</text>',
            plot_left, plot_left + plot_w, _n(y), _n(y), axis_x, _n(y + 4), axis_anchor,
            axis_value(top * fraction)))
    label_every = max(1, len(bars) // 12)
    for index, (label, value) in enumerate(bars):
        height = float(value / top) * plot_h if top else 0
        # Mirrored by slot (the first bar in the rightmost one) rather than by `mirror_x`: the
        # same place, without a float error that could tip a coordinate's rounding.
        x = plot_left + mirror_index(index, len(bars), rtl=rtl) * slot + slot * 0.15
        y = MARGIN_TOP + plot_h - height
        parts.append(format_html(
            '<rect class="chart-bar" x="{}" y="{}" width="{}" height="{}">'
            "<title>{}: {}</title></rect>",
            _n(x), _n(y), _n(bar_w), _n(height), label, f"{value:,.2f}"))
        if index % label_every == 0:
            parts.append(format_html(
                '<text class="chart-axis" x="{}" y="{}" text-anchor="middle">{}</text>',
                _n(x + slot * 0.35), HEIGHT - MARGIN_BOTTOM + 18, label))
    parts.append("</svg>")
    # Every part above came out of format_html, which escaped the labels and values.
    return mark_safe("".join(str(p) for p in parts))  # noqa: S308


# --- Paired horizontal bars (workflow's median and p90 per step) ---------------------------

PAIRED_BAR_HEIGHT = 22
PAIRED_GAP = 14
PAIRED_LABEL_WIDTH = 230
PAIRED_PLOT_WIDTH = 460
PAIRED_VALUE_ROOM = 70


def paired_bars_layout(rows: list[tuple[str, float, float]], *, rtl: bool) -> dict:
    """Two horizontal bars per row, (label, first value, second value), scaled to the largest
    value (at least 1), laid out for an SVG template (templates/workflow/_chart.html, whose
    autoescaping escapes the labels). Each bar carries its value, formatted for the language.

    Read right to left, the bars and their values are mirrored: they grow leftwards from the
    label column, which is on the right with its labels against the chart's right edge.
    """
    peak = max([second for _, _, second in rows] + [first for _, first, _ in rows] + [1.0])
    width = PAIRED_LABEL_WIDTH + PAIRED_PLOT_WIDTH + PAIRED_VALUE_ROOM
    bars = []
    for index, (label, first, second) in enumerate(rows):
        top = index * (2 * PAIRED_BAR_HEIGHT + PAIRED_GAP)
        parts = []
        for offset, value in ((0, first), (PAIRED_BAR_HEIGHT, second)):
            length = max(1.0, round(PAIRED_PLOT_WIDTH * value / peak, 1))
            bar_x = mirror_x(PAIRED_LABEL_WIDTH, span=length, canvas_width=width, rtl=rtl)
            value_x = mirror_x(PAIRED_LABEL_WIDTH + length + 6, canvas_width=width, rtl=rtl)
            parts.append({"x": round(bar_x, 1), "y": top + offset, "width": length,
                          "value": number_format(value, 1), "value_x": round(value_x, 1),
                          "value_y": top + offset + PAIRED_BAR_HEIGHT - 8,
                          "value_anchor": mirror_anchor("start", rtl=rtl)})
        bars.append({
            "label": label, "label_y": top + PAIRED_BAR_HEIGHT + 4,
            # Not mirrored: a label ends against the bars left to right, and against the
            # chart's edge right to left, where Arabic text lines up.
            "label_x": width - 10 if rtl else PAIRED_LABEL_WIDTH - 10,
            "label_anchor": "end", "first": parts[0], "second": parts[1],
        })
    height = max(1, len(rows)) * (2 * PAIRED_BAR_HEIGHT + PAIRED_GAP)
    return {"bars": bars, "height": height, "width": width,
            "bar_height": PAIRED_BAR_HEIGHT - 3}
