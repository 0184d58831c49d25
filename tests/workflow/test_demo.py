"""The workflow demo seeds published procedures and cases, and a second run changes nothing."""

from amanah import demo as amanah_demo
from amanah.events import audit_verify
from workflow import demo
from workflow.enums import StatusCategory, VersionStatus
from workflow.models import Case, CaseEvent, DefinitionVersion


def test_seed_is_complete_and_idempotent(db):
    # given the core demo (municipalities, departments, staff, citizens)
    amanah_demo.seed(log=lambda message: None)
    # when the workflow demo runs twice
    demo.seed(log=lambda message: None)
    counts = (Case.objects.count(), CaseEvent.objects.count(),
              DefinitionVersion.objects.count())
    lines: list[str] = []
    demo.seed(log=lines.append)
    # then the second run changed nothing
    assert (Case.objects.count(), CaseEvent.objects.count(),
            DefinitionVersion.objects.count()) == counts
    assert "demo cases: 0 created, 7 kept" in lines
    published = set(DefinitionVersion.objects.filter(status=VersionStatus.PUBLISHED)
                    .values_list("definition__code", "definition__municipality__code"))
    assert published == {("general_correspondence", "EPA"), ("complaint", "EPA")}
    categories = set(Case.objects.values_list("category", flat=True))
    assert categories == {StatusCategory.IN_REVIEW, StatusCategory.AWAITING_APPLICANT,
                          StatusCategory.CLOSED, StatusCategory.APPROVED}
    assert set(Case.objects.values_list("municipality__code", flat=True)) == {"KHB", "DMM"}
    assert all(result.ok for result in audit_verify())

