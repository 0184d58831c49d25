"""The licences API (issue 10, part D): the public activity catalogue and fee preview, a
licence application's state, a licence's detail and its public verification — exact shapes and
every error code."""

import pytest

from permits.licences.api import LICENCE_CODE

from .api_helpers import API, api_world, as_user
from .factories import BARBER, GROCERY, RESTAURANT, licence_draft_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(clock):
    return api_world(clock)


def _preview(client, **changes):
    body = {"municipality": "M910", "activities": [GROCERY], "shop_area_m2": "60.00",
            "signage_area_m2": "3.00", "years": 2, **changes}
    return client.post(f"{API}/fee-preview/", body, content_type="application/json")


# --- Activities ---------------------------------------------------------------------------


def test_anyone_reads_the_activity_catalogue(client, world):
    response = client.get(f"{API}/activities/")
    assert response.status_code == 200
    body = response.json()
    assert [a["code"] for a in body] == [GROCERY, RESTAURANT, BARBER]  # display order, code
    grocery = body[0]
    assert grocery == {
        "code": GROCERY, "name_ar": "بقالة", "name_en": "Grocery", "instant": True,
        "min_area_m2": "20.00", "allowed_zones": ["com-a"], "civil_defence_required": False,
        "fee_tariff": "", "self_declaration_ar": "أقر بأن محل بقالة مستوفٍ للاشتراطات البلدية.",
        "self_declaration_en": "I declare that the grocery meets the municipal requirements.",
        "documents": [],
        "sub_permits": [{"code": "signage_permit", "name_ar": "رخصة لوحة تجارية",
                         "name_en": "Shop sign permit"}]}
    restaurant = body[1]
    assert (restaurant["instant"], restaurant["civil_defence_required"],
            restaurant["fee_tariff"]) == (False, True, "food")


def test_an_inactive_activity_is_not_listed(client, world):
    world.activities[BARBER].is_active = False
    world.activities[BARBER].save()
    assert [a["code"] for a in client.get(f"{API}/activities/").json()] == [GROCERY,
                                                                           RESTAURANT]


# --- Fee preview -------------------------------------------------------------------------


def test_fee_preview_prices_the_shop_and_the_sign_per_year(client, world):
    response = _preview(client)
    assert response.status_code == 200
    body = response.json()
    assert [(line["stage"], line["amount"], line["rate"], line["quantity"], line["years"],
             line["tariff"]) for line in body["lines"]] == [
        ("issuance", "1200.00", "10.00", "120.00", 2, ""),
        ("signage", "1200.00", "200.00", "6.00", 2, "")]
    assert body["total"] == "2400.00"


def test_fee_preview_takes_the_highest_tariff_of_the_activities(client, world):
    body = _preview(client, activities=[GROCERY, RESTAURANT], signage_area_m2="0",
                    years=1).json()
    assert [(line["stage"], line["amount"], line["rate"], line["minimum_applied"],
             line["tariff"]) for line in body["lines"]] == [
        ("issuance", "900.00", "15.00", False, "food")]
    assert body["total"] == "900.00"


def test_fee_preview_applies_the_minimum(client, world):
    body = _preview(client, shop_area_m2="12.00", signage_area_m2="0", years=1).json()
    assert [(line["amount"], line["minimum_applied"]) for line in body["lines"]] == [
        ("300.00", True)]


@pytest.mark.parametrize(("changes", "status", "code", "field"), [
    ({"activities": ["999999"]}, 400, "licences.activity_unknown", "activities"),
    ({"activities": [GROCERY, GROCERY]}, 400, "licences.activity_repeated", "activities"),
    ({"municipality": "NOPE"}, 404, "permits.municipality_not_found", "municipality"),
])
def test_fee_preview_refusals_name_the_field(client, world, changes, status, code, field):
    response = _preview(client, **changes)
    body = response.json()
    assert (response.status_code, body["code"], body["field"]) == (status, code, field)
    assert body["detail_ar"] and body["detail_en"]


@pytest.mark.parametrize(("changes", "field"), [
    ({"activities": []}, "activities"),
    ({"activities": [GROCERY, BARBER, RESTAURANT, "1", "2", "3"]}, "activities"),
    ({"years": 4}, "years"),
    ({"shop_area_m2": "0"}, "shop_area_m2"),
    ({"signage_area_m2": "-1"}, "signage_area_m2"),
])
def test_fee_preview_validation_errors(client, world, changes, field):
    response = _preview(client, **changes)
    body = response.json()
    assert (response.status_code, body["code"], list(body["errors"])) == (
        400, "validation_error", [field])


def test_fee_preview_without_the_licence_type_is_404(client, world):
    world.licence_type.is_active = False
    world.licence_type.save()
    body = _preview(client).json()
    assert body["code"] == "permits.type_not_found"


# --- Applications ------------------------------------------------------------------------


def test_the_delegate_reads_a_draft_with_its_path(client, world):
    draft = licence_draft_make(world, activities=(GROCERY, RESTAURANT))
    response = as_user(client, world.delegate.user).get(
        f"{API}/applications/{draft.reference}/")
    assert response.status_code == 200
    assert response.json() == {
        "reference": draft.reference, "status": "draft",
        "permit_type": {"code": LICENCE_CODE, "name_ar": "رخصة محل تجاري",
                        "name_en": "Commercial shop licence"},
        "municipality": {"code": "M910", "name_ar": world.municipality.name_ar,
                         "name_en": world.municipality.name_en},
        "establishment": {"unified_number": world.establishment.unified_number,
                          "name_ar": "مؤسسة النخيل التجارية", "name_en": "Al Nakheel Trading"},
        "activities": [{"code": GROCERY, "name_ar": "بقالة", "name_en": "Grocery"},
                       {"code": RESTAURANT, "name_ar": "مطعم", "name_en": "Restaurant"}],
        "path": "reviewed", "case_number": None, "bills": [], "licence_number": None}


def test_an_issued_application_names_its_licence(client, world):
    body = as_user(client, world.delegate.user).get(
        f"{API}/applications/{world.application.reference}/").json()
    assert (body["status"], body["path"], body["licence_number"]) == (
        "issued", "instant", world.licence.number)


def test_an_application_of_another_type_is_not_found_here(client, world):
    from permits.models import Application

    Application.objects.filter(pk=world.application.pk).update(permit_type=world.signage_type)
    # a sub-permit's application is answered; a non-licence type's is not
    world.signage_type.is_sub_permit = False
    world.signage_type.save()
    response = as_user(client, world.delegate.user).get(
        f"{API}/applications/{world.application.reference}/")
    assert (response.status_code, response.json()["code"]) == (
        404, "permits.application_not_found")


# --- Licences ----------------------------------------------------------------------------


def test_the_delegate_reads_the_licence_with_activities_and_sub_permits(client, world):
    licence = world.licence
    response = as_user(client, world.delegate.user).get(f"{API}/licences/{licence.number}/")
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "number": licence.number,
        "permit_type": {"code": LICENCE_CODE, "name_ar": "رخصة محل تجاري",
                        "name_en": "Commercial shop licence"},
        "status": "valid",
        "municipality": {"code": "M910", "name_ar": world.municipality.name_ar,
                         "name_en": world.municipality.name_en},
        "holder_name_ar": "مؤسسة النخيل التجارية", "holder_name_en": "Al Nakheel Trading",
        "holder_id_masked": "••••••" + world.establishment.unified_number[-4:],
        "issued_on": "2026-12-01", "valid_from": "2026-12-01",
        "valid_until": str(licence.valid_until), "version": 1,
        "details": [
            {"key": "trade_name", "label_ar": "الاسم التجاري", "label_en": "Trade name",
             "value": "بقالة النخيل"},
            {"key": "cr_number", "label_ar": "رقم السجل التجاري",
             "label_en": "Commercial registration number", "value": "1010123456"},
            {"key": "lease_contract_number", "label_ar": "رقم عقد الإيجار",
             "label_en": "Lease contract number", "value": "LS-2026-0001"},
            {"key": "shop_area_m2", "label_ar": "مساحة المحل", "label_en": "Shop area",
             "value": "60.00"},
            {"key": "signage_area_m2", "label_ar": "مساحة اللوحة", "label_en": "Signage area",
             "value": "3.00"},
            {"key": "validity_years", "label_ar": "مدة الرخصة", "label_en": "Licence period",
             "value": "1"}],
        "activities": [{"code": GROCERY, "name_ar": "بقالة", "name_en": "Grocery"}],
        "parent_number": None,
        "sub_permits": [{"number": "SG-M910-1448-000001",
                         "permit_type": {"code": "signage_permit",
                                         "name_ar": "رخصة لوحة تجارية",
                                         "name_en": "Shop sign permit"},
                         "status": "valid", "valid_until": str(licence.valid_until)}],
        "verification_token": licence.verification_token}


def test_a_sub_permit_names_its_licence(client, world):
    body = as_user(client, world.delegate.user).get(
        f"{API}/licences/{world.sign.number}/").json()
    assert (body["parent_number"], body["activities"], body["sub_permits"]) == (
        world.licence.number, [], [])


def test_an_unknown_licence_is_404(client, world):
    response = as_user(client, world.delegate.user).get(f"{API}/licences/CL-NOPE/")
    assert (response.status_code, response.json()["code"]) == (404, "permits.permit_not_found")


# --- Verification ------------------------------------------------------------------------


def test_anyone_verifies_a_licence_and_sees_its_activities(client, world):
    licence = world.licence
    response = client.get(f"{API}/verify/{licence.verification_token}/")
    assert response.status_code == 200
    assert response.json() == {
        "number": licence.number,
        "permit_type": {"code": LICENCE_CODE, "name_ar": "رخصة محل تجاري",
                        "name_en": "Commercial shop licence"},
        "status": "valid", "status_ar": "سارية", "status_en": "Valid",
        "holder_name_ar": "مؤسسة النخيل التجارية", "holder_name_en": "Al Nakheel Trading",
        "holder_id_masked": "••••••" + world.establishment.unified_number[-4:],
        "municipality": {"code": "M910", "name_ar": world.municipality.name_ar,
                         "name_en": world.municipality.name_en},
        "parcel": {"plan_number": world.parcel.plan_number,
                   "parcel_number": world.parcel.parcel_number,
                   "district": {"code": world.district.code, "name_ar": world.district.name_ar,
                                "name_en": world.district.name_en}},
        "issued_on": "2026-12-01", "valid_until": str(licence.valid_until), "version": 1,
        "activities": [{"code": GROCERY, "name_ar": "بقالة", "name_en": "Grocery"}],
        "parent_number": None}
    assert world.establishment.unified_number not in response.content.decode()


def test_verifying_an_unknown_token_is_404(client, world):
    response = client.get(f"{API}/verify/{'x' * 32}/")
    assert (response.status_code, response.json()["code"]) == (404, "permits.permit_not_found")


# --- Filing in one call (part A's services) ---------------------------------------------


def test_the_delegate_files_an_instant_licence_in_one_call(client, world):
    from permits.models import Application

    deed = world.deed
    body = {"establishment": world.establishment.unified_number, "municipality": "M910",
            "activities": [GROCERY],
            "deed_number": deed.deed_number, "deed_date": str(deed.deed_date),
            "district": world.district.code, "latitude": "26.250000", "longitude": "50.150000",
            "answers": {"trade_name": "بقالة النخيل", "cr_number": "1010123456",
                        "lease_contract_number": "LS-2026-0001", "shop_area_m2": "60.00",
                        "signage_area_m2": "3.00", "validity_years": "1"},
            "declaration_accepted": True}
    response = as_user(client, world.delegate.user).post(f"{API}/applications/", body,
                                                         content_type="application/json")
    assert response.status_code == 201
    answer = response.json()
    assert (answer["status"], answer["path"], answer["case_number"],
            [b["stage"] for b in answer["bills"]]) == (
        "awaiting_fee", "instant", None, ["issuance", "signage"])
    assert Application.objects.get(reference=answer["reference"]).owner_establishment == \
        world.establishment


def test_filing_without_the_declaration_is_refused_and_writes_nothing(client, world):
    from permits.models import Application

    before = Application.objects.count()
    body = {"establishment": world.establishment.unified_number, "municipality": "M910",
            "activities": [GROCERY],
            "deed_number": world.deed.deed_number, "deed_date": "2019-03-14",
            "district": world.district.code,
            "latitude": "26.250000", "longitude": "50.150000",
            "answers": {"trade_name": "بقالة", "cr_number": "1010123456",
                        "lease_contract_number": "LS-2026-0001", "shop_area_m2": "60.00",
                        "validity_years": "1"}}
    response = as_user(client, world.delegate.user).post(f"{API}/applications/", body,
                                                         content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (
        400, "permits.submission_refused")
    assert "declaration" in response.json()["errors"]
    assert Application.objects.count() == before


def test_filing_for_an_unknown_establishment_is_404_and_writes_nothing(client, world):
    from permits.models import Application

    before = Application.objects.count()
    response = as_user(client, world.delegate.user).post(
        f"{API}/applications/",
        {"establishment": "7999999999", "municipality": "M910", "activities": [GROCERY],
         "deed_number": "1", "district": "north", "latitude": "26.25", "longitude": "50.15",
         "answers": {}},
        content_type="application/json")
    assert (response.status_code, response.json()["code"], response.json()["field"]) == (
        404, "permits.establishment_not_found", "establishment")
    assert Application.objects.count() == before


def test_filing_with_an_unknown_activity_is_refused_before_anything_is_written(client, world):
    from permits.models import Application

    before = Application.objects.count()
    response = as_user(client, world.delegate.user).post(
        f"{API}/applications/",
        {"establishment": world.establishment.unified_number, "municipality": "M910",
         "activities": ["999999"], "deed_number": "1", "district": "north",
         "latitude": "26.25", "longitude": "50.15", "answers": {}},
        content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (
        400, "licences.activity_unknown")
    assert Application.objects.count() == before
