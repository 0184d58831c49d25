"""The workflow demo seeds published procedures and cases, and a second run changes nothing."""

from amanah import demo as amanah_demo
from amanah.events import audit_verify
from amanah.models import Person
from workflow import demo
from workflow.enums import StatusCategory, VersionStatus
from workflow.models import Case, CaseEvent, DefinitionVersion, WorkflowDefinition


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
    # (Qatif's cases are its live complaints, which the scorecards compare with the pilots)
    assert set(Case.objects.values_list("municipality__code", flat=True)) == {
        "KHB", "DMM", "QTF"}
    assert all(result.ok for result in audit_verify())



def test_demo_procedures_serve_their_e_services_and_qatif_files_only_complaints(db, client):
    # given the core and workflow demo data
    amanah_demo.seed(log=lambda message: None)
    demo.seed(log=lambda message: None)
    # then each demo procedure serves the e-service of its code
    assert set(WorkflowDefinition.objects.values_list("code", "eservice__code")) == {
        ("general_correspondence", "general_correspondence"), ("complaint", "complaint")}
    # and the demo's Qatif citizen, where only complaints are live (for the scorecards'
    # comparison), is offered complaints alone and refused the rest
    hussain = Person.objects.get(national_id="1034567899")
    client.force_login(hussain.user)
    his_cases = Case.objects.filter(applicant_person=hussain).count()  # the demo's complaints
    assert client.get("/en/transactions/mine/new/").context["form"].fields["kind"].choices == [
        ("complaint", "Complaint")]
    response = client.post("/en/transactions/mine/new/", {"kind": "general_correspondence",
                                                          "subject": "Broken street light"})
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "kind": ["This service is not offered in Qatif Municipality yet."]}
    assert Case.objects.filter(applicant_person=hussain).count() == his_cases


def test_a_reseed_links_a_demo_procedure_seeded_before_the_link(db):
    # given the demo seeded once, then its complaint procedure unlinked (as before the field)
    amanah_demo.seed(log=lambda message: None)
    demo.seed(log=lambda message: None)
    WorkflowDefinition.objects.filter(code="complaint").update(eservice=None)
    # when the workflow demo runs again, twice
    lines: list[str] = []
    demo.seed(log=lines.append)
    again: list[str] = []
    demo.seed(log=again.append)
    # then the first run linked it and the second changed nothing
    assert "definition complaint @ EPA: linked to its e-service" in lines
    assert not [line for line in again if "linked" in line]
    assert WorkflowDefinition.objects.get(code="complaint").eservice.code == "complaint"
