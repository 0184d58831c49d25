"""The diagram: lanes by department, columns by reachability, every label drawn, mirrored in
Arabic, and well-formed SVG."""

import xml.etree.ElementTree as ET

from workflow.designer.diagram import (
    BOX_WIDTH,
    DiagramState,
    DiagramTransition,
    diagram_layout,
    diagram_svg,
)

SVG = "{http://www.w3.org/2000/svg}"

STATES = [
    DiagramState("submitted", "Submitted", "Customer service", 4, is_start=True),
    DiagramState("review", "In review", "Customer service", 16),
    DiagramState("inspect", "Site visit", "Inspection", 24),
    DiagramState("approved", "Approved", "Customer service", is_final=True),
    DiagramState("orphan", "Nobody reaches me", "", has_problem=True),
]
TRANSITIONS = [
    DiagramTransition("1", "Route", "submitted", "review"),
    DiagramTransition("2", "Send to the site", "review", "inspect"),
    DiagramTransition("3", "Back to review", "inspect", "review"),
    DiagramTransition("4", "Approve", "review", "approved"),
    DiagramTransition("5", "Approve after visit", "inspect", "approved", has_problem=True),
    DiagramTransition("6", "Approve at once", "review", "approved"),
]


def _layout():
    return diagram_layout(states=STATES, transitions=TRANSITIONS, no_department="No department")


def test_states_sit_in_their_department_lane_and_their_distance_column():
    layout = _layout()
    # lanes in the order the flow first reaches them; a state without one has its own lane
    assert [lane.name for lane in layout.lanes] == ["Customer service", "Inspection",
                                                    "No department"]
    placed = {code: (box.lane, box.column) for code, box in layout.boxes.items()}
    assert placed == {"submitted": (0, 0), "review": (0, 1), "inspect": (1, 2),
                      "approved": (0, 2), "orphan": (2, 3)}
    # every box lies inside its lane
    for box in layout.boxes.values():
        lane = layout.lanes[box.lane]
        assert lane.y <= box.y and box.y + 70 <= lane.y + lane.height


def test_arrows_back_to_an_earlier_column_and_twin_arrows_do_not_overlap():
    arrows = {a.transition.key: a for a in _layout().arrows}
    assert arrows["3"].kind == "back"
    assert arrows["1"].kind == arrows["4"].kind == "forward"
    # two arrows between the same pair of states leave and arrive at different heights
    assert arrows["4"].path[0] != arrows["6"].path[0]
    assert arrows["4"].label_at != arrows["6"].label_at


def _svg(language="en"):
    return diagram_svg(_layout(), language=language, title="The procedure")


def test_the_svg_parses_and_names_every_state_and_transition():
    root = ET.fromstring(_svg())
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "The procedure"
    titles = {g.get("id"): g.find(f"{SVG}title").text for g in root.iter(f"{SVG}g")
              if g.get("id")}
    assert {titles[f"state-{s.code}"] for s in STATES} == {s.name for s in STATES}
    assert {titles[f"transition-{t.key}"] for t in TRANSITIONS} == {t.label for t in TRANSITIONS}
    text = "".join(root.itertext())
    assert "SLA 16 h" in text and "Start" in text and "Final" in text
    for transition in TRANSITIONS:
        assert transition.label in text


def test_problems_are_marked_on_their_box_and_arrow():
    root = ET.fromstring(_svg())
    groups = {g.get("id"): g for g in root.iter(f"{SVG}g") if g.get("id")}
    assert "dg-problem" in groups["state-orphan"].get("class").split()
    assert "dg-problem" in groups["transition-5"].get("class").split()
    assert "dg-problem" not in groups["state-review"].get("class").split()
    assert "dg-problem" not in groups["transition-4"].get("class").split()


def _box_x(svg: str, code: str) -> float:
    root = ET.fromstring(svg)
    group = next(g for g in root.iter(f"{SVG}g") if g.get("id") == f"state-{code}")
    return float(group.find(f"{SVG}rect").get("x"))


def test_arabic_is_mirrored_so_the_flow_reads_right_to_left():
    english, arabic = _svg("en"), _svg("ar")
    width = _layout().width
    assert _box_x(english, "submitted") < _box_x(english, "review")
    assert _box_x(arabic, "submitted") > _box_x(arabic, "review")
    assert _box_x(arabic, "submitted") == width - _box_x(english, "submitted") - BOX_WIDTH
    assert ET.fromstring(arabic).get("direction") == "rtl"
    assert "المهلة 16 ساعة عمل" in "".join(ET.fromstring(arabic).itertext())
