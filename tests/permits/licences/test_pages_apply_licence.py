"""Applying for a licence through the pages: which establishment, the activities step (first),
the fees under the activities' tariffs, and the review page's path and declaration — in
Arabic and English, errors next to the field, nothing written on a refusal."""

import datetime as dt
from decimal import Decimal

import pytest

from amanah.dates import RIYADH
from permits.models import Application, ApplicationActivity, ApplicationEvent
from tests.factories import EstablishmentFactory

from .factories import GROCERY, RESTAURANT, licence_draft_make, licence_world

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=RIYADH)


@pytest.fixture
def world(clock):
    clock.set(NOW)
    return licence_world()


def _rows():
    return (list(Application.objects.order_by("pk").values_list("pk", "status", "row_version")),
            list(ApplicationActivity.objects.values_list("application_id", "activity_id")),
            ApplicationEvent.objects.count())


def test_the_start_page_asks_which_establishment_when_there_are_several(client, world):
    EstablishmentFactory(municipality=world.municipality, representatives=[world.delegate])
    client.force_login(world.delegate.user)
    response = client.get("/en/permits/apply/?type=commercial_license")
    body = response.content.decode()
    assert response.status_code == 200
    assert "For which establishment?" in body
    assert f"({world.establishment.unified_number})" in body
    arabic = client.get("/ar/permits/apply/").content.decode()
    assert "لأي منشأة؟" in arabic


def test_the_start_page_does_not_ask_with_one_establishment(client, world):
    client.force_login(world.delegate.user)
    body = client.get("/en/permits/apply/").content.decode()
    assert 'name="establishment"' not in body


def test_starting_a_licence_for_the_chosen_establishment(client, world):
    second = EstablishmentFactory(municipality=world.municipality,
                                  representatives=[world.delegate])
    client.force_login(world.delegate.user)
    response = client.post("/en/permits/apply/", {
        "permit_type": "commercial_license", "municipality": world.municipality.code,
        "establishment": str(second.pk)})
    draft = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/en/permits/applications/{draft.reference}/activities/"
    assert draft.owner_establishment_id == second.pk


def test_the_activities_step_lists_the_catalogue_with_badges_in_arabic(client, world):
    # given a licence draft with the grocery chosen
    draft = licence_draft_make(world)
    client.force_login(world.delegate.user)
    # when the delegate opens its first page
    response = client.get(f"/ar/permits/applications/{draft.reference}/activities/")
    body = response.content.decode()
    # then every activity is offered, the grocery ticked, with its path, area and zones
    assert response.status_code == 200
    assert "<legend>ما الأنشطة التي سيزاولها المحل؟</legend>" in body
    assert f'value="{GROCERY}" checked' in body
    assert f'value="{RESTAURANT}">' in body
    assert body.count('<span class="badge badge-ok">تصدر فوراً</span>') == 2
    assert '<span class="badge">تُراجع</span>' in body
    assert "يجب ألا تقل مساحة المحل عن 40.00 م²." in body
    assert "مسموح في هذه المناطق فقط: com-a." in body
    assert "يتطلب شهادة الدفاع المدني." in body


def test_the_activities_step_in_english_is_first_in_the_journey(client, world):
    draft = licence_draft_make(world)
    client.force_login(world.delegate.user)
    response = client.get(f"/en/permits/applications/{draft.reference}/activities/")
    body = response.content.decode()
    assert "<legend>Which activities will the shop carry on?</legend>" in body
    assert response.context["progress"]["number"] == 1
    assert [p["key"] for p in response.context["progress"]["pages"]][:2] == ["activities",
                                                                             "step-1"]


def test_others_do_not_reach_the_activities_step(client, world):
    draft = licence_draft_make(world)
    for user in (world.other_delegate.user, world.citizen.user):
        client.force_login(user)
        assert client.get(f"/en/permits/applications/{draft.reference}/"
                          "activities/").status_code == 404


def test_choosing_no_activity_is_refused_next_to_the_field(client, world):
    draft = licence_draft_make(world)
    client.force_login(world.delegate.user)
    before = _rows()
    response = client.post(f"/en/permits/applications/{draft.reference}/activities/",
                           {"expected_version": draft.row_version})
    assert response.status_code == 400
    assert '<p class="field-error" id="activities_error">' in response.content.decode()
    assert _rows() == before


def test_choosing_activities_saves_them_and_goes_on(client, world):
    draft = licence_draft_make(world)
    client.force_login(world.delegate.user)
    response = client.post(f"/en/permits/applications/{draft.reference}/activities/",
                           {"activities": [GROCERY, RESTAURANT],
                            "expected_version": draft.row_version})
    assert response.status_code == 302
    assert response["Location"] == f"/en/permits/applications/{draft.reference}/steps/1/"
    assert sorted(a.activity.code for a in draft.activities.all()) == sorted(
        [GROCERY, RESTAURANT])


def test_the_fees_follow_the_restaurants_food_tariff(client, world):
    # given a draft for a restaurant of 60 m² with a 3 m² sign, for one year
    draft = licence_draft_make(world, activities=(RESTAURANT,))
    client.force_login(world.delegate.user)
    # when the delegate opens the fees page
    response = client.get(f"/en/permits/applications/{draft.reference}/fees/")
    # then issuance is priced under the food tariff (15.00 × 60 = 900.00) and signage 600.00
    assert response.status_code == 200
    assert [(line.stage, line.amount) for line in response.context["fee_lines"]
            if line.amount is not None] == [("issuance", Decimal("900.00")),
                                            ("signage", Decimal("600.00"))]
    assert response.context["fee_total"] == Decimal("1500.00")


def test_the_review_of_an_instant_licence_shows_the_path_and_the_declaration(client, world):
    draft = licence_draft_make(world)
    client.force_login(world.delegate.user)
    response = client.get(f"/ar/permits/applications/{draft.reference}/review/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "تصدر فور السداد" in body
    assert "أقر بأن محل بقالة مستوفٍ للاشتراطات البلدية." in body
    assert 'name="declaration" value="yes"' in body


def test_the_review_of_a_reviewed_licence_says_how_long(client, world):
    draft = licence_draft_make(world, activities=(RESTAURANT,),
                               answers={**draft_answers(), "civil_defence_number": "CD-55501"})
    client.force_login(world.delegate.user)
    body = client.get(f"/en/permits/applications/{draft.reference}/review/").content.decode()
    assert "Reviewed by the municipality, about 5 working days." in body
    assert 'name="declaration"' not in body


def test_submitting_an_instant_licence_without_the_declaration_is_refused(client, world):
    draft = licence_draft_make(world)
    client.force_login(world.delegate.user)
    before = _rows()
    response = client.post(f"/en/permits/applications/{draft.reference}/review/",
                           {"expected_version": draft.row_version})
    assert response.status_code == 400
    assert '<p class="field-error" id="declaration_error">' in response.content.decode()
    assert _rows() == before


def test_submitting_an_instant_licence_with_the_declaration_bills_it(client, world):
    draft = licence_draft_make(world)
    client.force_login(world.delegate.user)
    response = client.post(f"/en/permits/applications/{draft.reference}/review/",
                           {"expected_version": draft.row_version, "declaration": "yes"})
    draft.refresh_from_db()
    assert response.status_code == 302
    assert (draft.status, draft.case_id) == ("awaiting_fee", None)


def draft_answers() -> dict:
    from .factories import GOOD_LICENCE_ANSWERS

    return dict(GOOD_LICENCE_ANSWERS)


def test_the_documents_page_asks_for_the_activities_documents(client, world):
    # given a restaurant's draft, the restaurant wanting its kitchen plan
    from permits.models import ActivityDocument

    ActivityDocument.objects.create(
        activity=world.activities[RESTAURANT], kind="kitchen_plan", name_ar="مخطط المطبخ",
        name_en="Kitchen plan", content_types=["application/pdf"], required=True)
    draft = licence_draft_make(world, activities=(RESTAURANT,))
    client.force_login(world.delegate.user)
    # when the delegate opens the documents page
    body = client.get(f"/en/permits/applications/{draft.reference}/documents/"
                      ).content.decode()
    # then both the type's photo and the activity's plan are asked for
    assert "Photo of the shop front" in body
    assert "Kitchen plan" in body
