"""The objections world: a fine issued to the establishment, with the approval part's
procedures (among them "violation_objection") published in the municipality."""

from tests.violations.factories import fine_issued_make, procedures_make, violations_world


def objection_world(*, no=("FINE", "SERIOUS"), **values):
    world = violations_world()
    assert "violation_objection" in procedures_make(world)
    fine = fine_issued_make(world, no=no, **values)
    return world, fine


def lines_by_item(fine) -> dict:
    return {line.item_code: line for line in fine.lines.all()}
