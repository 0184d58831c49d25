"""The scorecards' chart: one bar per municipality for a chosen figure, drawn on the server
as SVG. Pilots and live municipalities differ by pattern (hatched or solid) AND colour (amber
or green), so the difference survives colour blindness and greyscale print; every bar carries
its value as text, and the whole chart's content is its accessible name."""

from decimal import Decimal

from django.utils.html import format_html
from django.utils.safestring import mark_safe

from .charts import axis_value, mirror_anchor, mirror_index, mirror_x, nice_ceiling

WIDTH, HEIGHT = 720, 296
# The top margin keeps a full bar's value clear of the legend above it.
MARGIN_START, MARGIN_END, MARGIN_TOP, MARGIN_BOTTOM = 64, 12, 56, 44
LIVE_FILL, PILOT_FILL, PILOT_STRIPE = "#1f6f43", "#f6d58b", "#8a5a00"


def _n(value: float) -> str:
    return f"{value:.1f}"


def scorecard_chart_svg(bars: list[dict], *, title: str, legend_pilot: str, legend_live: str,
                        rtl: bool = False) -> str:
    """`bars`: {"label", "value" (Decimal or None: no bar), "shown" (the value as text),
    "is_pilot"}. Drawn in the page's reading direction. Labels and texts are escaped."""
    values = [b["value"] for b in bars if b["value"] is not None]
    top = nice_ceiling(max(values, default=Decimal(0)))
    plot_w = WIDTH - MARGIN_START - MARGIN_END
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    slot = plot_w / max(len(bars), 1)
    bar_w = min(slot * 0.6, 90)
    plot_left = mirror_x(MARGIN_START, span=plot_w, canvas_width=WIDTH, rtl=rtl)
    axis_x = mirror_x(MARGIN_START - 6, canvas_width=WIDTH, rtl=rtl)
    summary = "; ".join(f"{b['label']}: {b['shown']}" for b in bars)
    parts = [
        format_html('<svg class="chart scorecard-chart" viewBox="0 0 {} {}" role="img" '
                    'aria-label="{}" direction="ltr" xmlns="http://www.w3.org/2000/svg">',
                    WIDTH, HEIGHT, f"{title}. {summary}"),
        format_html("<title>{}</title>", title),
        format_html('<defs><pattern id="scorecard-pilot-hatch" width="8" height="8" '
                    'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
                    '<rect width="8" height="8" fill="{}"/>'
                    '<rect width="3" height="8" fill="{}"/></pattern></defs>',
                    PILOT_FILL, PILOT_STRIPE),
    ]
    # The legend: a swatch of each kind with its word, at the top, in reading order.
    for index, (label, fill) in enumerate(((legend_pilot, "url(#scorecard-pilot-hatch)"),
                                           (legend_live, LIVE_FILL))):
        x = MARGIN_START + index * 160
        swatch_x = mirror_x(x, span=16, canvas_width=WIDTH, rtl=rtl)
        text_x = mirror_x(x + 22, canvas_width=WIDTH, rtl=rtl)
        parts.append(format_html(
            '<rect x="{}" y="10" width="16" height="16" fill="{}" stroke="#333"/>'
            '<text class="chart-axis" x="{}" y="23" text-anchor="{}">{}</text>',
            _n(swatch_x), fill, _n(text_x), mirror_anchor("start", rtl=rtl), label))
    for fraction in (0, Decimal("0.5"), 1):
        y = MARGIN_TOP + plot_h - float(fraction) * plot_h
        parts.append(format_html(
            '<line class="chart-grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
            '<text class="chart-axis" x="{}" y="{}" text-anchor="{}">{}</text>',
            _n(plot_left), _n(plot_left + plot_w), _n(y), _n(y), _n(axis_x), _n(y + 4),
            mirror_anchor("end", rtl=rtl), axis_value(top * fraction)))
    for index, bar in enumerate(bars):
        value = bar["value"]
        height = float(value / top) * plot_h if value is not None and top else 0.0
        x = plot_left + mirror_index(index, len(bars), rtl=rtl) * slot + (slot - bar_w) / 2
        y = MARGIN_TOP + plot_h - height
        fill = "url(#scorecard-pilot-hatch)" if bar["is_pilot"] else LIVE_FILL
        parts.append(format_html(
            '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="#333" '
            'stroke-width="{}"><title>{}: {}</title></rect>'
            '<text class="chart-axis" x="{}" y="{}" text-anchor="middle">{}</text>'
            '<text class="chart-axis" x="{}" y="{}" text-anchor="middle">{}</text>',
            _n(x), _n(y), _n(bar_w), _n(height), fill, "1" if height else "0", bar["label"],
            bar["shown"], _n(x + bar_w / 2), _n(y - 6), bar["shown"], _n(x + bar_w / 2),
            HEIGHT - MARGIN_BOTTOM + 18, bar["label"]))
    parts.append("</svg>")
    # Every part above came out of format_html, which escaped the labels and values.
    return mark_safe("".join(str(p) for p in parts))  # noqa: S308
