"""The inspector's pages (issue 11): the day, a new inspection, starting a planned one, the
checklist with a photo per item and the fine each "no" would propose, submitting after a
confirmation, and what was recorded — for inspectors of the municipality only."""

import pytest
from django.urls import reverse

from amanah.enums import StaffRole
from tests.permits.factories import staff_make
from violations.enums import Answer, InspectionKind, InspectionStatus, ViolationStatus
from violations.models import Checklist, EvidencePhoto, Finding, Inspection, Violation

from ..factories import findings_make, inspection_make, submitted_inspection_make
from .helpers import field_world, photo_file, rows, signed_in, unassigned

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(clock):
    return field_world(clock)


def _page(inspection):
    return reverse("violations:inspection", args=[inspection.number])


def _text(response) -> str:
    return response.content.decode()


# --- access ----------------------------------------------------------------------------------


def _pages(world, inspection):
    return [("get", reverse("violations:inspector_day"), {}),
            ("get", reverse("violations:inspection_new"), {}),
            ("post", reverse("violations:inspection_new"), {"client_key": "k" * 12}),
            ("get", _page(inspection), {}),
            ("post", _page(inspection), {"action": "save"}),
            ("post", reverse("violations:inspection_start", args=[inspection.number]), {}),
            ("post", reverse("violations:inspection_cancel", args=[inspection.number]),
             {"reason": "no"})]


NOT_INSPECTOR = [403, 403, 403, 404, 404, 404, 404]


@pytest.mark.parametrize(("who", "expected"), [
    ("citizen", NOT_INSPECTOR), ("delegate", NOT_INSPECTOR),
    ("legal_reviewer", NOT_INSPECTOR), ("cashier", NOT_INSPECTOR),
    # an inspector elsewhere has a day of their own; this municipality's inspection is 404
    ("other_inspector", [200, 200, 400, 404, 404, 404, 404])])
def test_only_inspectors_of_the_municipality_reach_the_pages(world, who, expected):
    # given a draft with answers in the world's municipality
    inspection = inspection_make(world)
    findings_make(inspection, no=("FINE",))
    client = signed_in(getattr(world, who))
    before = rows()
    # when the visitor opens or posts to each page
    statuses = []
    for method, url, data in _pages(world, inspection):
        response = getattr(client, method)(url, data)
        statuses.append(response.status_code)
        # no page shows the inspection to them (a page may repeat the address asked for)
        if inspection.number not in url:
            assert inspection.number not in _text(response)
    # then each answers exactly as expected, and nothing changed
    assert statuses == expected
    assert rows() == before
    assert Inspection.objects.get().status == InspectionStatus.DRAFT


def test_anonymous_visitors_are_sent_to_sign_in(world):
    response = signed_in(None).get(reverse("violations:inspector_day"))
    assert response.status_code == 302
    assert "/account/" in response["Location"]


# --- the day ---------------------------------------------------------------------------------


def test_the_day_shows_the_plan_by_risk_my_drafts_and_my_week(world, clock):
    # given a planned routine inspection and a planned complaint for an offender with fines
    routine = unassigned(inspection_make(world, status=InspectionStatus.PLANNED,
                                         offender="place"))
    submitted_inspection_make(world, no=("FINE",))  # a fine for the establishment
    risky = inspection_make(world, status=InspectionStatus.PLANNED,
                            kind=InspectionKind.COMPLAINT, source_reference="CMP-77")
    draft = inspection_make(world, offender="person")
    response = signed_in(world.inspector).get(reverse("violations:inspector_day"))
    assert response.status_code == 200
    day = response.context["day"]
    # then the establishment with a fine last year comes first, then the unassigned place
    assert [i.number for i in day.planned] == [risky.number, routine.number]
    assert [i.earlier_fines for i in day.planned] == [1, 0]
    assert [i.number for i in day.drafts] == [draft.number]
    assert [i.status for i in day.submitted] == [InspectionStatus.SUBMITTED]
    text = _text(response)
    assert "CMP-77" in text
    assert reverse("violations:inspection_start", args=[risky.number]) in text
    assert "غرامة واحدة في آخر سنة" in text


def test_an_inspection_submitted_more_than_a_week_ago_leaves_the_day(world, clock):
    submitted_inspection_make(world, no=())
    clock.advance(days=8)
    response = signed_in(world.inspector).get(reverse("violations:inspector_day"))
    assert response.context["day"].submitted == []


def test_the_menu_shows_inspections_to_inspectors_only(world):
    url = reverse("violations:inspector_day")
    assert f'href="{url}"' in _text(signed_in(world.inspector).get(reverse(
        "violations:inspection_new")))
    home = signed_in(world.citizen).get("/")
    assert f'href="{url}"' not in _text(home)


# --- a new inspection, a planned one started -------------------------------------------------


def test_recording_a_new_inspection_opens_a_draft_once(world):
    client = signed_in(world.inspector)
    form = client.get(reverse("violations:inspection_new"))
    key = form.context["form"].initial["client_key"]
    data = {"municipality": world.municipality.code, "offender_kind": "establishment",
            "unified_number": world.establishment.unified_number, "checklist": "",
            "client_key": key, "latitude": "26.25", "longitude": "50.15"}
    first = client.post(reverse("violations:inspection_new"), data)
    again = client.post(reverse("violations:inspection_new"), data)  # a double click
    inspection = Inspection.objects.get()
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == _page(inspection)
    # the general checklist, since no licence names activities
    assert (inspection.status, inspection.checklist, inspection.establishment,
            inspection.kind) == (InspectionStatus.DRAFT, world.checklist,
                                 world.establishment, InspectionKind.ROUTINE)


def test_a_refused_new_inspection_shows_the_error_next_to_the_field(world):
    client = signed_in(world.inspector)
    before = rows()
    response = client.post(reverse("violations:inspection_new"), {
        "municipality": world.municipality.code, "offender_kind": "establishment",
        "unified_number": "7999999999", "client_key": "k" * 16})
    assert response.status_code in (400, 404)
    form = response.context["form"]
    assert form.errors
    assert rows() == before


def test_starting_a_planned_inspection_makes_it_a_draft(world):
    planned = unassigned(inspection_make(world, status=InspectionStatus.PLANNED))
    client = signed_in(world.inspector)
    response = client.post(reverse("violations:inspection_start", args=[planned.number]))
    assert response.status_code == 302
    planned.refresh_from_db()
    assert (planned.status, planned.inspector) == (InspectionStatus.DRAFT, world.inspector)


# --- the checklist -----------------------------------------------------------------------------


def test_the_checklist_page_has_a_camera_input_per_question_and_previews_the_fine(world):
    inspection = inspection_make(world)
    findings_make(inspection, no=("FINE", "WARN"))
    response = signed_in(world.inspector).get(_page(inspection))
    assert response.status_code == 200
    text = _text(response)
    for question in inspection.checklist.questions.all():
        assert (f'name="photo_{question.pk}" id="id_photo_{question.pk}" accept="image/*" '
                'capture="environment"') in text
    rows_ = {r.question.item_code: r for r in response.context["sheet"].rows}
    # FINE: small establishment, class 2: 1,000 × 50 % = 500; WARN warned first (7 days)
    assert rows_["FINE"].quote.amount == rows_["FINE"].quote.base
    assert str(rows_["FINE"].quote.amount) == "500.00"
    assert rows_["WARN"].warns_first_days == 7
    assert rows_["SERIOUS"].quote is None
    assert 'enctype="multipart/form-data"' in text
    # and the same page in English says the warning comes first, with the fine's amount
    english = _text(signed_in(world.inspector).get(
        f"/en/violations/inspections/{inspection.number}/"))
    assert "A warning first: correct within 7 days" in english
    assert "SAR 500.00" in english


def test_saving_answers_and_a_photo_records_them(world):
    inspection = inspection_make(world)
    questions = {q.item_code: q for q in inspection.checklist.questions.all()}
    client = signed_in(world.inspector)
    data = {"action": "save", "form_key": "f" * 32,
            f"answer_{questions['WARN'].pk}": "yes", f"answer_{questions['FINE'].pk}": "no",
            f"note_{questions['FINE'].pk}": "on the pavement",
            f"photo_{questions['FINE'].pk}": photo_file()}
    response = client.post(_page(inspection), data)
    assert response.status_code == 302
    assert sorted(Finding.objects.values_list("item_code", "answer", "note")) == [
        ("FINE", "no", "on the pavement"), ("WARN", "yes", "")]
    assert list(EvidencePhoto.objects.values_list("item_code", flat=True)) == ["FINE"]


def test_review_asks_for_confirmation_and_submit_records_the_notices(world):
    inspection = inspection_make(world)
    findings_make(inspection, no=("FINE",))
    client = signed_in(world.inspector)
    question = inspection.checklist.questions.get(item_code="FINE")
    client.post(_page(inspection), {"action": "save", "form_key": "g" * 32,
                                    f"photo_{question.pk}": photo_file()})
    # when the inspector asks to submit, a confirmation comes first and nothing is submitted
    review = client.post(_page(inspection), {"action": "review", "form_key": "h" * 32})
    assert review.status_code == 200
    assert review.context["confirming"] is True
    assert 'name="action" value="submit"' in _text(review)
    assert Inspection.objects.get().status == InspectionStatus.DRAFT
    # when they confirm
    done = client.post(_page(inspection), {"action": "submit"})
    assert done.status_code == 302
    result = client.get(_page(inspection))
    # then the page shows what was recorded: the fine awaiting approval
    fine = Violation.objects.get()
    assert fine.status == ViolationStatus.PENDING_APPROVAL
    assert result.context["sheet"].notices == [fine]
    assert fine.number in _text(result)


def test_submitting_a_no_without_a_photo_shows_the_error_next_to_the_item(world):
    inspection = inspection_make(world)
    findings_make(inspection, no=("FINE",))
    before = rows()
    response = signed_in(world.inspector).post(_page(inspection), {"action": "submit"})
    assert response.status_code == 400
    question = inspection.checklist.questions.get(item_code="FINE")
    row = next(r for r in response.context["sheet"].rows if r.question.pk == question.pk)
    assert row.errors
    assert f'id="q-{question.pk}-error"' in _text(response)
    assert rows() == before
    assert Inspection.objects.get().status == InspectionStatus.DRAFT


def test_a_submitted_inspection_shows_the_warning_with_its_deadline(world):
    inspection, notices = submitted_inspection_make(world, no=("WARN",))
    response = signed_in(world.inspector).get(_page(inspection))
    assert response.status_code == 200
    text = _text(response)
    assert notices[0].number in text
    assert 'id="checklist-form"' not in text
    assert [r.answer for r in response.context["sheet"].rows] == [Answer.NO, Answer.YES,
                                                                   Answer.YES]


def test_a_colleague_of_the_municipality_sees_but_cannot_change_a_draft(world):
    inspection = inspection_make(world)
    colleague = staff_make(world.inspection_department, StaffRole.INSPECTOR)
    question = inspection.checklist.questions.first()
    client = signed_in(colleague)
    assert client.get(_page(inspection)).status_code == 200
    before = rows()
    response = client.post(_page(inspection), {"action": "save",
                                                f"answer_{question.pk}": "no"})
    assert response.status_code == 400
    assert rows() == before


def test_a_licence_number_chooses_the_checklist_of_its_activity(clock, settings, tmp_path):
    from amanah.enums import OwningApp, RolloutState
    from amanah.models import Department
    from tests.factories import EServiceFactory, EServiceRolloutFactory
    from tests.permits.licences.api_helpers import api_world
    from tests.permits.licences.factories import GROCERY

    from ..factories import catalogue_make, checklist_make

    settings.WORKFLOW_PRIVATE_ROOT = str(tmp_path / "private")
    # given a grocery licence, violations in service there, and a checklist for groceries
    world = api_world(clock)
    service = EServiceFactory(code="violation", owning_app=OwningApp.VIOLATIONS)
    EServiceRolloutFactory(eservice=service, municipality=world.municipality,
                           state=RolloutState.LIVE)
    checklist_make(catalogue_make())
    grocery = Checklist.objects.create(code="grocery", name_ar="بقالة", name_en="Grocery",
                                       activity_code=GROCERY)
    department, _ = Department.objects.get_or_create(
        municipality=world.municipality, code="inspection",
        defaults={"name_ar": "الرقابة", "name_en": "Inspection"})
    inspector = staff_make(department, StaffRole.INSPECTOR)
    client = signed_in(inspector)
    # when the inspector records an inspection of the licence, leaving the checklist to it
    response = client.post(reverse("violations:inspection_new"), {
        "municipality": world.municipality.code, "offender_kind": "establishment",
        "permit_number": world.licence.number, "checklist": "", "client_key": "c" * 16})
    # then the grocery checklist is chosen and the licence's establishment is the offender
    inspection = Inspection.objects.get()
    assert response.status_code == 302
    assert (inspection.checklist, inspection.permit_number, inspection.establishment) == (
        grocery, world.licence.number, world.establishment)


def test_a_photo_kept_from_the_offender_is_stored_so(world):
    inspection = inspection_make(world)
    question = inspection.checklist.questions.get(item_code="SERIOUS")
    response = signed_in(world.inspector).post(_page(inspection), {
        "action": "save", "form_key": "p" * 32, f"photo_{question.pk}": photo_file(),
        f"private_{question.pk}": "1"})
    assert response.status_code == 302
    assert list(EvidencePhoto.objects.values_list("item_code", "visible_to_offender")) == [
        ("SERIOUS", False)]


def test_cancelling_needs_a_reason_and_then_cancels(world):
    inspection = inspection_make(world)
    client = signed_in(world.inspector)
    url = reverse("violations:inspection_cancel", args=[inspection.number])
    # without a reason nothing changes
    assert client.post(url, {"reason": "  "}).status_code == 302
    assert Inspection.objects.get().status == InspectionStatus.DRAFT
    # with one, the inspection is cancelled
    assert client.post(url, {"reason": "The shop was closed"}).status_code == 302
    assert Inspection.objects.get().status == InspectionStatus.CANCELLED
    page = client.get(_page(inspection))
    assert 'id="checklist-form"' not in _text(page)


def test_the_day_reads_in_arabic_and_in_english(world):
    client = signed_in(world.inspector)
    arabic = _text(client.get("/ar/violations/inspections/"))
    english = _text(client.get("/en/violations/inspections/"))
    assert "يوم المفتش" in arabic and 'dir="rtl"' in arabic
    assert "Inspector&#x27;s day" in english or "Inspector's day" in english
    assert 'dir="ltr"' in english
