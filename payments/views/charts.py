"""A bar chart drawn on the server as inline SVG: no script, no CDN, readable without JS."""

from decimal import Decimal

from django.utils.html import format_html
from django.utils.safestring import mark_safe

WIDTH, HEIGHT = 720, 240
MARGIN_START, MARGIN_END, MARGIN_TOP, MARGIN_BOTTOM = 64, 12, 16, 36


def _n(value: float) -> str:
    return f"{value:.1f}"


def _nice_ceiling(value: Decimal) -> Decimal:
    """The smallest 1, 2 or 5 × 10^n at or above `value`, so the axis has round numbers."""
    if value <= 0:
        return Decimal(1)
    magnitude = Decimal(10) ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _axis_value(value: Decimal) -> str:
    """Whole numbers without decimals; the half-way mark of a small axis (0.5) keeps its own."""
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.1f}"


def bar_chart_svg(bars: list[tuple[str, Decimal]], *, title: str, rtl: bool = False) -> str:
    """`bars` are (label, value), earliest first. They run in the page's reading direction:
    left to right in English, and in Arabic mirrored (first bar and the value axis on the right),
    as the workflow analytics chart is. The mirroring is done here, in the coordinates, so the
    chart needs no script and the SVG itself is always drawn LTR."""
    top = _nice_ceiling(max((value for _, value in bars), default=Decimal(0)))
    plot_w = WIDTH - MARGIN_START - MARGIN_END
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    slot = plot_w / max(len(bars), 1)
    # The plot's left and right edges, and where the value axis's labels sit.
    plot_left = MARGIN_END if rtl else MARGIN_START
    plot_right = plot_left + plot_w
    axis_x, axis_anchor = (plot_right + 6, "start") if rtl else (plot_left - 6, "end")
    parts = [format_html('<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}" '
                         'direction="ltr" xmlns="http://www.w3.org/2000/svg">', WIDTH, HEIGHT,
                         title),
             format_html("<title>{}</title>", title)]
    for fraction in (0, Decimal("0.5"), 1):
        y = MARGIN_TOP + plot_h - float(fraction) * plot_h
        parts.append(format_html(
            '<line class="chart-grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
            '<text class="chart-axis" x="{}" y="{}" text-anchor="{}">{}</text>',
            plot_left, plot_right, _n(y), _n(y), axis_x, _n(y + 4), axis_anchor,
            _axis_value(top * fraction)))
    label_every = max(1, len(bars) // 12)
    for index, (label, value) in enumerate(bars):
        height = float(value / top) * plot_h if top else 0
        position = len(bars) - 1 - index if rtl else index
        x = plot_left + position * slot + slot * 0.15
        y = MARGIN_TOP + plot_h - height
        parts.append(format_html(
            '<rect class="chart-bar" x="{}" y="{}" width="{}" height="{}">'
            "<title>{}: {}</title></rect>",
            _n(x), _n(y), _n(slot * 0.7), _n(height), label, f"{value:,.2f}"))
        if index % label_every == 0:
            parts.append(format_html(
                '<text class="chart-axis" x="{}" y="{}" text-anchor="middle">{}</text>',
                _n(x + slot * 0.35), HEIGHT - MARGIN_BOTTOM + 18, label))
    parts.append("</svg>")
    # Every part above came out of format_html, which escaped the labels and values.
    return mark_safe("".join(str(p) for p in parts))  # noqa: S308


