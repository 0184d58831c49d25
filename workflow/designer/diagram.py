"""A procedure drawn as a picture, on the server: states as boxes in one lane per department,
columns by how far each state is from the start, transitions as labelled arrows.

Pure functions of plain data (no database, no translation machinery): `diagram_layout` places
the boxes and routes the arrows, `diagram_svg` writes the SVG. The page gives the same content
as a list beside the picture, so the SVG carries a title and a short description only.

Left to right in English; in Arabic the whole picture is mirrored, so the flow reads right to
left and lane headers sit on the right.
"""

from collections import deque
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

BOX_WIDTH = 176
BOX_HEIGHT = 70
COLUMN_GAP = 170  # room for the labels of arrows between two columns
ROW_GAP = 46  # between two boxes stacked in one lane and column
LANE_HEADER = 30
LANE_PADDING = 18
MARGIN = 36  # room for the start marker and the loops of back-edges
LABEL_LINE = 14
LABEL_CHARS = 20  # a label's line wraps after about this many characters
NAME_CHARS = 22

TEXTS = {
    "ar": {"sla": "المهلة {} ساعة عمل", "start": "بداية", "final": "نهاية",
           "no_department": "دون إدارة", "problem": "مشكلة"},
    "en": {"sla": "SLA {} h", "start": "Start", "final": "Final",
           "no_department": "No department", "problem": "Problem"},
}


@dataclass(frozen=True)
class DiagramState:
    code: str
    name: str
    department: str  # the lane: the department's name in the page's language, "" for none
    sla_hours: int | None = None
    is_start: bool = False
    is_final: bool = False
    has_problem: bool = False


@dataclass(frozen=True)
class DiagramTransition:
    key: str  # unique in the version: the transition's id
    label: str
    source: str  # state codes
    target: str
    has_problem: bool = False


@dataclass
class Box:
    state: DiagramState
    lane: int
    column: int
    row: int = 0  # among the boxes sharing its lane and column
    x: float = 0  # top-left, left to right (mirrored when drawn right to left)
    y: float = 0


@dataclass
class Arrow:
    transition: DiagramTransition
    path: list[tuple[float, float]]  # a cubic Bézier: start, control, control, end
    label_at: tuple[float, float]
    label_lines: list[str]
    kind: str  # "forward", "back" (a loop above the boxes), "down" (same column), "self"


@dataclass
class Lane:
    name: str
    y: float
    height: float


@dataclass
class Layout:
    width: float
    height: float
    lanes: list[Lane]
    boxes: dict[str, Box]
    arrows: list[Arrow] = field(default_factory=list)


def _depths(states: list[DiagramState], transitions: list[DiagramTransition]) -> dict[str, int]:
    """Breadth-first distance of each state from the start; states the start cannot reach
    come after the deepest one, in their given order."""
    outgoing: dict[str, list[str]] = {}
    for t in transitions:
        outgoing.setdefault(t.source, []).append(t.target)
    depth: dict[str, int] = {}
    starts = [s.code for s in states if s.is_start] or [s.code for s in states[:1]]
    for start in starts:
        if start in depth:
            continue
        depth[start] = 0
        todo = deque([start])
        while todo:
            here = todo.popleft()
            for nxt in outgoing.get(here, ()):
                if nxt not in depth:
                    depth[nxt] = depth[here] + 1
                    todo.append(nxt)
    unreached = max(depth.values(), default=-1) + 1
    for state in states:
        depth.setdefault(state.code, unreached)
    return depth


def _wrap(text: str, width: int, lines: int = 2) -> list[str]:
    """Break a label at spaces into at most `lines` lines; the last one ends in "…" when cut
    (the full text is in the element's title and the list beside the picture)."""
    words, out, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        out.append(line)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: width - 1].rstrip() + "…"
    return out or [""]


def diagram_layout(*, states: list[DiagramState], transitions: list[DiagramTransition],
                   no_department: str = "") -> Layout:
    """Place each state in its department's lane and its depth's column; route the arrows."""
    depth = _depths(states, transitions)
    order = sorted(states, key=lambda s: (depth[s.code], states.index(s)))
    lane_names: list[str] = []
    for state in order:  # lanes in the order the flow first reaches them
        name = state.department or no_department
        if name not in lane_names:
            lane_names.append(name)
    boxes = {s.code: Box(s, lane_names.index(s.department or no_department), depth[s.code])
             for s in order}

    # Boxes sharing a lane and a column stack; a lane is as tall as its tallest stack.
    stack: dict[tuple[int, int], list[Box]] = {}
    for box in boxes.values():
        stack.setdefault((box.lane, box.column), []).append(box)
    lanes, y = [], 0.0
    for index, name in enumerate(lane_names):
        rows = max(len(v) for (lane, _c), v in stack.items() if lane == index)
        height = LANE_HEADER + LANE_PADDING * 2 + rows * BOX_HEIGHT + (rows - 1) * ROW_GAP
        lanes.append(Lane(name, y, height))
        y += height
    columns = max((b.column for b in boxes.values()), default=0) + 1
    for (lane, column), group in stack.items():
        for row, box in enumerate(group):
            box.row = row
            box.x = MARGIN + column * (BOX_WIDTH + COLUMN_GAP)
            box.y = lanes[lane].y + LANE_HEADER + LANE_PADDING + row * (BOX_HEIGHT + ROW_GAP)
    width = MARGIN * 2 + columns * BOX_WIDTH + (columns - 1) * COLUMN_GAP
    layout = Layout(width=width, height=y + MARGIN, lanes=lanes, boxes=boxes)
    layout.arrows = _arrows(boxes, transitions)
    _labels_separate(layout)
    return layout


def _arrows(boxes: dict[str, Box], transitions: list[DiagramTransition]) -> list[Arrow]:
    arrows = []
    seen: dict[frozenset, int] = {}  # how many arrows already join this pair of states
    for t in transitions:
        if t.source not in boxes or t.target not in boxes:
            continue
        a, b = boxes[t.source], boxes[t.target]
        pair = frozenset((t.source, t.target))
        nth = seen.get(pair, 0)
        seen[pair] = nth + 1
        shift = ((nth + 1) // 2) * 14 * (1 if nth % 2 else -1)
        lines = _wrap(t.label, LABEL_CHARS)
        if a is b:
            x, y = a.x + BOX_WIDTH * 0.7, a.y
            path = [(x, y), (x + 10, y - 44), (x + 50, y - 44), (x + 40, y + 8)]
            arrows.append(Arrow(t, path, (x + 30, y - 44 - LABEL_LINE), lines, "self"))
        elif b.column > a.column:
            start = (a.x + BOX_WIDTH, a.y + BOX_HEIGHT / 2 + shift)
            end = (b.x, b.y + BOX_HEIGHT / 2 + shift)
            bend = (end[0] - start[0]) * 0.45
            path = [start, (start[0] + bend, start[1]), (end[0] - bend, end[1]), end]
            arrows.append(Arrow(t, path, _midpoint(path), lines, "forward"))
        elif b.column == a.column:
            # Stacked in one column (or lanes apart): down or up along the box's side, bowed
            # outward so the two directions do not overlap.
            downward = b.y > a.y
            x = a.x + BOX_WIDTH * (0.3 if downward else 0.7) + shift
            start = (x, a.y + BOX_HEIGHT) if downward else (x, a.y)
            end = (x, b.y) if downward else (x, b.y + BOX_HEIGHT)
            bow = -40 if downward else 40
            path = [start, (x + bow, start[1] + (end[1] - start[1]) / 3),
                    (x + bow, start[1] + 2 * (end[1] - start[1]) / 3), end]
            mid = _midpoint(path)
            arrows.append(Arrow(t, path, (mid[0], mid[1]), lines, "down"))
        elif a.lane == b.lane and a.row == b.row == 0 and a.column - b.column == 1:
            # Back to the column before, both on a lane's first row: a loop above both boxes
            # keeps the label clear of the forward arrows between them.
            top = min(a.y, b.y) - 30 - 16 * nth
            start = (a.x + BOX_WIDTH * 0.35, a.y)
            end = (b.x + BOX_WIDTH * 0.65, b.y)
            path = [start, (start[0], top - 20), (end[0], top - 20), end]
            arrows.append(Arrow(t, path, _midpoint(path), lines, "back"))
        else:
            # Back to an earlier column elsewhere: out of the source's leading side into the
            # target's trailing side, below the forward arrows' line (a loop would cross boxes).
            start = (a.x, a.y + BOX_HEIGHT / 2 + 14 + shift)
            end = (b.x + BOX_WIDTH, b.y + BOX_HEIGHT / 2 + 14 + shift)
            bend = max(40.0, (start[0] - end[0]) * 0.35)
            path = [start, (start[0] - bend, start[1]), (end[0] + bend, end[1]), end]
            arrows.append(Arrow(t, path, _midpoint(path), lines, "back"))
    return arrows


def _midpoint(path: list[tuple[float, float]]) -> tuple[float, float]:
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = path
    return (x0 + 3 * x1 + 3 * x2 + x3) / 8, (y0 + 3 * y1 + 3 * y2 + y3) / 8


def _label_box(arrow: Arrow) -> tuple[float, float, float, float]:
    width = max(len(line) for line in arrow.label_lines) * 6.6 + 10
    height = len(arrow.label_lines) * LABEL_LINE + 6
    x, y = arrow.label_at
    return x - width / 2, y - height / 2, width, height


def _overlaps(a, b) -> bool:
    return not (a[0] + a[2] <= b[0] or b[0] + b[2] <= a[0]
                or a[1] + a[3] <= b[1] or b[1] + b[3] <= a[1])


def _labels_separate(layout: Layout) -> None:
    """Move a label down (then up) until it covers neither another label nor a box."""
    taken = [(b.x, b.y, BOX_WIDTH, BOX_HEIGHT) for b in layout.boxes.values()]
    for arrow in layout.arrows:
        x, y = arrow.label_at
        for step in (0, 1, -1, 2, -2, 3, -3, 4, -4, 5, -5):
            arrow.label_at = (x, y + step * (LABEL_LINE + 4))
            if not any(_overlaps(_label_box(arrow), other) for other in taken):
                break
        else:
            arrow.label_at = (x, y)
        taken.append(_label_box(arrow))
    lowest = max((_label_box(a)[1] + _label_box(a)[3] for a in layout.arrows), default=0)
    highest = min((_label_box(a)[1] for a in layout.arrows), default=0)
    layout.height = max(layout.height, lowest + 8)
    if highest < 0:  # a loop's label above the first lane: make room
        shift = -highest + 8
        for lane in layout.lanes:
            lane.y += shift
        for box in layout.boxes.values():
            box.y += shift
        for arrow in layout.arrows:
            arrow.path = [(px, py + shift) for px, py in arrow.path]
            arrow.label_at = (arrow.label_at[0], arrow.label_at[1] + shift)
        layout.height += shift


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def diagram_svg(layout: Layout, *, language: str, title: str, description: str = "",
                element_id: str = "procedure-diagram") -> str:
    """The layout as an SVG element, mirrored for Arabic. Boxes and arrows carry ids
    (`state-<code>`, `transition-<key>`) so problems and the list beside can point at them."""
    texts = TEXTS["en" if language.startswith("en") else "ar"]
    rtl = not language.startswith("en")
    width = layout.width

    def x_of(x: float) -> float:
        return width - x if rtl else x

    def point(p: tuple[float, float]) -> str:
        return f"{_fmt(x_of(p[0]))},{_fmt(p[1])}"

    # The svg's own direction says which end "start" is: the right one in Arabic.
    anchor_start = "start"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{element_id}" class="dg-svg" '
        f'role="img" aria-labelledby="{element_id}-title {element_id}-desc" '
        f'width="{_fmt(width)}" height="{_fmt(layout.height)}" '
        f'viewBox="0 0 {_fmt(width)} {_fmt(layout.height)}" '
        f'direction="{"rtl" if rtl else "ltr"}">',
        f'<title id="{element_id}-title">{escape(title)}</title>',
        f'<desc id="{element_id}-desc">{escape(description)}</desc>',
        '<defs><marker id="dg-arrowhead" viewBox="0 0 10 10" refX="9" refY="5" '
        'markerWidth="8" markerHeight="8" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" class="dg-arrowhead"/></marker>'
        '<marker id="dg-arrowhead-problem" viewBox="0 0 10 10" refX="9" refY="5" '
        'markerWidth="8" markerHeight="8" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" class="dg-arrowhead dg-problem-fill"/></marker></defs>',
    ]
    for index, lane in enumerate(layout.lanes):
        out.append(f'<g class="dg-lane dg-lane-{index % 2}">'
                   f'<rect x="0" y="{_fmt(lane.y)}" width="{_fmt(width)}" '
                   f'height="{_fmt(lane.height)}"/>'
                   f'<text class="dg-lane-name" x="{_fmt(x_of(12))}" y="{_fmt(lane.y + 20)}" '
                   f'text-anchor="{anchor_start}">{escape(lane.name)}</text></g>')
    # Every line first, then every label, so no line runs across another arrow's label.
    for arrow in layout.arrows:
        t = arrow.transition
        p = arrow.path
        problem = " dg-problem" if t.has_problem else ""
        marker = "dg-arrowhead-problem" if t.has_problem else "dg-arrowhead"
        out.append(
            f'<g id="transition-{escape(t.key)}" class="dg-edge dg-edge-{arrow.kind}{problem}">'
            f'<title>{escape(t.label)}</title>'
            f'<path d="M{point(p[0])} C{point(p[1])} {point(p[2])} {point(p[3])}" '
            f'marker-end="url(#{marker})"/></g>')
    for arrow in layout.arrows:
        t = arrow.transition
        problem = " dg-problem" if t.has_problem else ""
        lx, _ly = arrow.label_at
        _bx, by, bw, bh = _label_box(arrow)
        label = "".join(
            f'<tspan x="{_fmt(x_of(lx))}" dy="{LABEL_LINE if i else 0}">{escape(line)}</tspan>'
            for i, line in enumerate(arrow.label_lines))
        out.append(
            f'<g class="dg-edge dg-edge-label-group{problem}">'
            f'<title>{escape(t.label)}</title>'
            f'<rect class="dg-edge-label-bg" x="{_fmt(x_of(lx) - bw / 2)}" y="{_fmt(by)}" '
            f'width="{_fmt(bw)}" height="{_fmt(bh)}" rx="4"/>'
            f'<text class="dg-edge-label" x="{_fmt(x_of(lx))}" y="{_fmt(by + LABEL_LINE)}" '
            f'text-anchor="middle">{label}</text></g>')
    for box in layout.boxes.values():
        s = box.state
        left = x_of(box.x + BOX_WIDTH) if rtl else box.x
        classes = ["dg-state"]
        if s.is_start:
            classes.append("dg-start")
        if s.is_final:
            classes.append("dg-final")
        if s.has_problem:
            classes.append("dg-problem")
        center = left + BOX_WIDTH / 2
        parts = [f'<g id="state-{escape(s.code)}" class="{" ".join(classes)}">',
                 f'<title>{escape(s.name)}</title>',
                 f'<rect class="dg-box" x="{_fmt(left)}" y="{_fmt(box.y)}" '
                 f'width="{BOX_WIDTH}" height="{BOX_HEIGHT}" rx="8"/>']
        if s.is_final:
            parts.append(f'<rect class="dg-box-inner" x="{_fmt(left + 4)}" '
                         f'y="{_fmt(box.y + 4)}" width="{BOX_WIDTH - 8}" '
                         f'height="{BOX_HEIGHT - 8}" rx="6"/>')
        if s.is_start:
            # The usual "initial" mark: a filled dot before the box, with a short line into it.
            dot_x = x_of(box.x - 22)
            edge_x = x_of(box.x)
            parts.append(f'<circle class="dg-start-dot" cx="{_fmt(dot_x)}" '
                         f'cy="{_fmt(box.y + BOX_HEIGHT / 2)}" r="7"/>'
                         f'<line class="dg-start-line" x1="{_fmt(dot_x)}" '
                         f'y1="{_fmt(box.y + BOX_HEIGHT / 2)}" x2="{_fmt(edge_x)}" '
                         f'y2="{_fmt(box.y + BOX_HEIGHT / 2)}"/>')
        name_lines = _wrap(s.name, NAME_CHARS)
        tag = texts["start"] if s.is_start else texts["final"] if s.is_final else ""
        sla = texts["sla"].format(s.sla_hours) if s.sla_hours else ""
        lines = [(line, "dg-state-name") for line in name_lines]
        small = " · ".join(x for x in (sla, tag) if x)
        if small:
            lines.append((small, "dg-state-meta"))
        top = box.y + BOX_HEIGHT / 2 - (len(lines) - 1) * 8 + 5
        for i, (line, css) in enumerate(lines):
            parts.append(f'<text class="{css}" x="{_fmt(center)}" y="{_fmt(top + i * 16)}" '
                         f'text-anchor="middle">{escape(line)}</text>')
        if s.has_problem:
            badge_x = left + BOX_WIDTH - 4 if not rtl else left + 4
            parts.append(f'<g class="dg-badge"><circle cx="{_fmt(badge_x)}" '
                         f'cy="{_fmt(box.y + 4)}" r="10"/><text x="{_fmt(badge_x)}" '
                         f'y="{_fmt(box.y + 9)}" text-anchor="middle" '
                         f'aria-label="{escape(texts["problem"])}">!</text></g>')
        parts.append("</g>")
        out.append("".join(parts))
    out.append("</svg>")
    return "".join(out)
