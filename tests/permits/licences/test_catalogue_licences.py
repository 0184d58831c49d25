"""The seeded licensing catalogue (issue 10): the licence and its four sub-permit types, their
fee schedules per class and tariff, the procedures, about twenty activities; loaded once and
idempotently by the permits catalogue."""

from decimal import Decimal

import pytest
from django.apps import apps

from payments.models import FeeSchedule
from permits.catalogue import ZONES, catalogue_load
from permits.enums import FeeStage, FiledBy
from permits.licences.catalogue import ACTIVITIES, HEALTH_PROCEDURE
from permits.models import Activity, ActivityDocument, PermitFeeRule, PermitType
from tests.factories import DepartmentFactory
from tests.permits.catalogue_world import catalogue_world_make
from workflow.enums import VersionStatus
from workflow.models import DefinitionVersion
from workflow.services.definitions import version_validate

pytestmark = pytest.mark.django_db

LICENCE_CODES = ["commercial_license", "signage_permit", "extended_hours", "home_delivery",
                 "outdoor_seating"]


@pytest.fixture
def loaded():
    world = catalogue_world_make()
    DepartmentFactory(municipality=world.amanah, code="licensing")
    lines = []
    catalogue_load(log=lines.append)
    return lines


def _tables(labels) -> dict[str, list[dict]]:
    return {model._meta.label: list(model._default_manager.order_by("pk").values())
            for model in apps.get_models() if model._meta.label in labels}


def test_the_licence_type_is_seeded_as_the_design_says(loaded):
    licence = PermitType.objects.select_related("eservice").get(code="commercial_license")
    assert (licence.eservice.code, licence.workflow_code, licence.number_prefix) == (
        "commercial_license", "commercial_license", "CL")
    assert (licence.uses_activities, licence.is_sub_permit, licence.deed_owner_applies,
            licence.filed_by, licence.validity_months, licence.validity_years_field,
            licence.renewal_window_days, licence.late_renewal_days) == (
        True, False, False, FiledBy.ESTABLISHMENT, 12, "validity_years", 90, 180)
    assert licence.prerequisites == [
        "no_unpaid_fines", "licence_activities_chosen", "commercial_registration_valid",
        "lease_valid", "civil_defence_valid", "activities_zone_allowed",
        "activities_area_enough"]
    fields = {f.key: (f.kind, f.required, f.is_detail) for f in licence.fields.all()}
    assert fields == {
        "trade_name": ("text", True, True), "cr_number": ("text", True, True),
        "lease_contract_number": ("text", True, True),
        "civil_defence_number": ("text", False, False),
        "shop_area_m2": ("decimal", True, True), "signage_area_m2": ("decimal", False, True),
        "validity_years": ("choice", True, True)}
    assert licence.fields.get(key="cr_number").pattern == r"^[0-9]{10}$"
    assert [c["value"] for c in licence.fields.get(key="validity_years").choices] == \
        ["1", "2", "3"]
    assert {(d.kind, d.required) for d in licence.documents.all()} == {
        ("shop_photo", True), ("lease_copy", False), ("shop_layout", False)}
    rules = {r.stage: (r.quantity_field, r.per_year)
             for r in PermitFeeRule.objects.filter(permit_type=licence)}
    assert rules == {
        FeeStage.ISSUANCE: ("shop_area_m2", True), FeeStage.SIGNAGE: ("signage_area_m2", True),
        FeeStage.RENEWAL: ("shop_area_m2", True), FeeStage.LATE_RENEWAL: ("", False),
        FeeStage.AMENDMENT: ("", False), FeeStage.REPLACEMENT: ("", False),
        FeeStage.CANCELLATION: ("", False)}


def test_the_sub_permit_types_hang_from_the_licence(loaded):
    subs = PermitType.objects.filter(is_sub_permit=True).select_related("base_permit_type")
    assert sorted(s.code for s in subs) == sorted(LICENCE_CODES[1:])
    assert {s.base_permit_type.code for s in subs} == {"commercial_license"}
    assert all(s.filed_by == FiledBy.ESTABLISHMENT and s.prerequisites == [
        "base_permit_valid", "sub_permit_allowed", "no_unpaid_fines"] for s in subs)
    assert {s.code: sorted(f.key for f in s.fields.all()) for s in subs} == {
        "signage_permit": ["illuminated", "sign_height_m", "sign_text", "sign_width_m"],
        "extended_hours": ["closing_time"],
        "home_delivery": ["delivery_vehicles", "refrigerated"],
        "outdoor_seating": ["seating_area_m2", "seats"]}


def test_fee_schedules_cover_every_class_and_the_three_tariffs(loaded):
    schedules = FeeSchedule.objects.filter(eservice__code="commercial_license")
    # 7 standard stages + 3 tariffs × 2 stages (issuance, renewal), each for classes 1–5
    assert schedules.count() == (7 + 3 * 2) * 5
    assert sorted(set(schedules.values_list("variant", flat=True))) == [
        "", "food", "health", "services"]
    one = schedules.get(component=FeeStage.ISSUANCE, municipality_class=1, variant="")
    assert (one.amount, one.minimum, one.unit_en) == (Decimal("20.00"), Decimal("500.00"),
                                                      "m² a year")
    food = schedules.get(component=FeeStage.ISSUANCE, municipality_class=2, variant="food")
    assert (food.amount, food.minimum) == (Decimal("20.00"), Decimal("600.00"))
    assert schedules.get(component=FeeStage.SIGNAGE, municipality_class=5).amount == \
        Decimal("100.00")
    assert schedules.get(component=FeeStage.CANCELLATION, municipality_class=1).unit_en == \
        "month left"
    assert FeeSchedule.objects.filter(eservice__code__in=LICENCE_CODES[1:]).count() == 4 * 4 * 5


def test_twenty_one_activities_with_a_realistic_split(loaded):
    activities = {a.code: a for a in Activity.objects.prefetch_related("sub_permit_types")}
    assert len(activities) == 21 == len(ACTIVITIES)
    instant = sorted(code for code, a in activities.items() if a.is_instant)
    assert instant == ["471101", "474201", "475901", "476101", "477111", "477301", "702001",
                       "951201", "960101", "960201"]
    zones = {zone[0] for zone in ZONES}
    assert all(a.allowed_zones and set(a.allowed_zones) <= zones for a in activities.values())
    # an instant activity carries its own declaration in both languages and a sample rate
    assert all(a.self_declaration_ar and a.self_declaration_en
               and 5 <= a.sample_inspection_percent <= 30
               for a in activities.values() if a.is_instant)
    assert {code for code, a in activities.items()
            if a.procedure_code == HEALTH_PROCEDURE} == {
        "561001", "563001", "107101", "477201", "477401", "960202"}
    assert {code for code, a in activities.items() if a.civil_defence_required} == {
        "561001", "563001", "107101", "452001", "259201", "477302", "931101"}
    assert sorted(s.code for s in activities["561001"].sub_permit_types.all()) == sorted(
        LICENCE_CODES[1:])
    assert set(ActivityDocument.objects.filter(activity__code="477201")
               .values_list("kind", flat=True)) == {"pharmacist_licence",
                                                    "moh_pharmacy_licence"}


def test_the_procedures_are_published_and_the_health_one_is_longer(loaded):
    assert "licence procedures @ EPA: 6 published" in loaded
    for code in ["commercial_license", HEALTH_PROCEDURE, *LICENCE_CODES[1:]]:
        version = DefinitionVersion.objects.get(definition__code=code,
                                                definition__municipality__code="EPA")
        assert version.status == VersionStatus.PUBLISHED
        assert version_validate(version=version) == []
    standard = DefinitionVersion.objects.get(definition__code="commercial_license")
    health = DefinitionVersion.objects.get(definition__code=HEALTH_PROCEDURE)
    assert health.states.count() == standard.states.count() + 1
    assert health.states.filter(code="health_review").exists()
    assert not DefinitionVersion.objects.get(definition__code="signage_permit").states.filter(
        code="inspection").exists()


def test_a_second_load_writes_nothing(loaded):
    labels = {"permits.PermitType", "permits.HistoricalPermitType", "permits.PermitTypeField",
              "permits.PermitTypeDocument", "permits.PermitFeeRule", "permits.Activity",
              "permits.HistoricalActivity", "permits.ActivityDocument",
              "payments.FeeSchedule", "workflow.DefinitionVersion", "amanah.EService"}
    before = _tables(labels)
    lines = []
    catalogue_load(log=lines.append)
    assert _tables(labels) == before
    assert lines[-6:] == [
        "licence checklist: unchanged; items: 8 unchanged",
        "licence e-services: 2 kept (core catalogue), 3 unchanged",
        "licence types: 5 unchanged; fields: 16 unchanged; documents: 6 unchanged; "
        "parties: 10 unchanged; fee rules: 23 unchanged",
        "licence fee schedules: 145 kept",
        "activities: 21 unchanged; their documents: 11 unchanged; sub-permit lists: "
        "21 unchanged",
        "licence procedures @ EPA: 6 kept",
    ]


def test_without_a_licensing_department_the_procedures_wait():
    catalogue_world_make()
    lines = []
    catalogue_load(log=lines.append)
    assert lines[-1] == "licence procedures @ EPA: skipped (no department licensing)"
    assert PermitType.objects.filter(code__in=LICENCE_CODES).count() == 5
