"""The seeded catalogue: loaded once and idempotently, its procedures published for the Amanah,
its fees exact per type, class and stage, its data shaped as the parts need it."""

import itertools
import re
from decimal import Decimal

import pytest
from django.apps import apps

from amanah.enums import OwningApp
from amanah.models import EService
from payments.models import FeeSchedule
from permits.catalogue import CHECKLISTS, DISTRICTS, ROUTE_PATTERN, catalogue_load
from permits.enums import FeeStage, FieldKind, FiledBy, InspectionPurpose, PartyRole
from permits.models import (
    Checklist,
    District,
    PermitFeeRule,
    PermitType,
    PermitTypeField,
    ZoneRule,
)
from permits.procedures import permit_procedure
from tests.factories import EServiceFactory
from workflow.enums import VersionStatus
from workflow.models import DefinitionVersion
from workflow.services.definitions import (
    definition_import,
    definition_resolve,
    version_validate,
)

from .catalogue_world import catalogue_world_make

pytestmark = pytest.mark.django_db

CODES = ["building_permit", "building_addition", "demolition_permit", "fence_permit",
         "occupancy_certificate", "excavation_permit"]


@pytest.fixture
def world():
    return catalogue_world_make()


@pytest.fixture
def loaded(world):
    lines = []
    catalogue_load(log=lines.append)
    return lines


def _every_table() -> dict[str, list[dict]]:
    return {model._meta.label: list(model._default_manager.order_by("pk").values())
            for model in apps.get_models()}


def test_a_second_load_writes_nothing_not_even_history(loaded):
    # given the catalogue loaded once
    before = _every_table()
    # when it is loaded again
    lines = []
    catalogue_load(log=lines.append)
    # then every table, history tables included, is exactly as it was
    after = _every_table()
    assert {label: len(rows) for label, rows in after.items()} == {
        label: len(rows) for label, rows in before.items()}
    for label, rows in before.items():
        assert after[label] == rows, label
    assert lines == [
        "checklists: 4 unchanged; items: 32 unchanged",
        "zone limits: 4 unchanged",
        "districts: 12 unchanged",
        "permit e-services: 2 kept (core catalogue), 4 unchanged",
        "permit types: 6 unchanged; fields: 42 unchanged; documents: 22 unchanged; "
        "parties: 22 unchanged; fee rules: 30 unchanged",
        "permit fee schedules: 150 kept",
        "permit procedures @ EPA: 6 kept",
        "objection procedure @ EPA: kept",
        "certificate types: 1 unchanged",  # part EXCAVATION: the clearance certificate
        # issue 10: the licensing catalogue (tests/permits/licences/test_catalogue_licences.py)
        "licence checklist: unchanged; items: 8 unchanged",
        "licence e-services: 2 kept (core catalogue), 3 unchanged",
        "licence types: 5 unchanged; fields: 16 unchanged; documents: 6 unchanged; "
        "parties: 10 unchanged; fee rules: 23 unchanged",
        "licence fee schedules: 145 kept",
        "activities: 21 unchanged; their documents: 11 unchanged; sub-permit lists: "
        "21 unchanged",
        "licence procedures @ EPA: skipped (no department licensing)",
    ]


def test_the_first_load_writes_the_six_types_and_their_parts(loaded):
    # then the six types exist with their e-services, prefixes and history
    # (the clearance certificate, never applied for, is tested in test_excavation.py)
    types = {t.code: t for t in PermitType.objects.select_related("eservice")
             .filter(code__in=CODES)}  # issue 10's licence types: test_catalogue_licences.py
    assert sorted(types) == sorted(CODES)
    assert {code: t.number_prefix for code, t in types.items()} == {
        "building_permit": "BP", "building_addition": "BA", "demolition_permit": "DM",
        "fence_permit": "FN", "occupancy_certificate": "OC", "excavation_permit": "EX"}
    assert all(t.eservice.code == code and t.workflow_code == code
               and t.eservice.owning_app == OwningApp.PERMITS for code, t in types.items())
    assert all(t.history.count() == 1 for t in types.values())
    assert FeeSchedule.objects.filter(eservice__code__in=CODES).count() == 150
    assert "permit procedures @ EPA: 6 published" in loaded
    assert "objection procedure @ EPA: published" in loaded
    assert DefinitionVersion.objects.get(definition__code="permit_objection").status == \
        VersionStatus.PUBLISHED


def test_an_edited_word_is_put_back_and_an_admins_own_rows_stay(loaded):
    # given an admin who reworded a label, added a field of their own and repriced a fee
    field = PermitTypeField.objects.get(permit_type__code="fence_permit", key="length_m")
    field.label_en = "Edited"
    field.save()
    PermitTypeField.objects.create(permit_type=field.permit_type, key="gate", kind="boolean",
                                   label_ar="بوابة", label_en="Gate", required=False)
    FeeSchedule.objects.filter(eservice__code="fence_permit", municipality_class=1,
                               component=FeeStage.ISSUANCE).update(amount=Decimal("250.00"))
    # when the catalogue is loaded again
    lines = []
    catalogue_load(log=lines.append)
    # then the seeded label is back (one more history row), the admin's field stays, and the
    # fee in force is not repriced by the seed
    field.refresh_from_db()
    assert field.label_en == "Length of the wall"
    assert field.history.count() == 3
    assert PermitTypeField.objects.filter(permit_type=field.permit_type, key="gate").exists()
    assert FeeSchedule.objects.get(eservice__code="fence_permit", municipality_class=1,
                                   component=FeeStage.ISSUANCE).amount == Decimal("250.00")
    assert "permit types: 6 unchanged; fields: 41 unchanged, 1 updated; documents: 22 " \
           "unchanged; parties: 22 unchanged; fee rules: 30 unchanged" in lines


def test_every_procedure_is_published_for_the_amanah_and_every_branch_inherits_it(loaded, world):
    # then each type's procedure has one published version at the Amanah, which validates
    for code in CODES:
        version = DefinitionVersion.objects.get(definition__code=code,
                                                definition__municipality=world.amanah)
        assert version.status == VersionStatus.PUBLISHED
        assert version_validate(version=version) == []
        assert version.definition.eservice.code == code
        # and a branch, having none of its own, resolves to it
        assert definition_resolve(code=code, municipality=world.branches["QTF"]) == version


def test_a_procedure_the_amanah_already_publishes_is_not_replaced(world):
    # given the Amanah's own building procedure, published before the catalogue came
    EServiceFactory(code="building_permit", owning_app=OwningApp.PERMITS)
    own = definition_import(data=permit_procedure(
        code="building_permit", eservice="building_permit", name_ar="رخصة بناء",
        name_en="Building permit", sla_hours=140), municipality=world.amanah, publish=True)
    # when the catalogue is loaded
    lines = []
    catalogue_load(log=lines.append)
    # then that version stays the published one, and only the five others are published
    assert DefinitionVersion.objects.filter(definition__code="building_permit").get() == own
    assert DefinitionVersion.objects.filter(definition__code__in=CODES).count() == 6
    assert "permit procedures @ EPA: 1 kept, 5 published" in lines


def test_procedures_follow_each_types_own_path(loaded):
    def states(code):
        version = DefinitionVersion.objects.get(definition__code=code)
        return {s.code: s.sla_hours for s in version.states.all()}

    # then types inspected before approval have an inspection step, the others do not
    for code in ("building_permit", "building_addition", "demolition_permit",
                 "occupancy_certificate"):
        assert "inspection" in states(code)
    for code in ("fence_permit", "excavation_permit"):
        assert "inspection" not in states(code)
    # and an excavation is reviewed within one working day (the 24-hour promise)
    assert states("excavation_permit")["review"] == 7
    assert states("building_permit")["review"] == 35


def test_the_types_are_shaped_as_the_issue_asks(loaded):
    types = {t.code: t for t in PermitType.objects.filter(code__in=CODES)}
    building, addition = types["building_permit"], types["building_addition"]
    demolition, fence = types["demolition_permit"], types["fence_permit"]
    occupancy, excavation = types["occupancy_certificate"], types["excavation_permit"]
    # new building: an office files, the owner consents, plans checked, site inspected, 3 years
    assert (building.filed_by, building.owner_consent_required, building.plan_check,
            building.inspection_checklist.code, building.validity_months) == (
        FiledBy.DESIGN_OFFICE, True, True, "building-site", 36)
    # addition: on a valid building permit, filed by an office
    assert (addition.base_permit_type, addition.filed_by, addition.prerequisites) == (
        building, FiledBy.DESIGN_OFFICE, ["no_unpaid_fines", "base_permit_valid"])
    # demolition: the building declared empty (a yes that must be yes), a structural report
    empty = demolition.fields.get(key="building_is_empty")
    assert (empty.kind, empty.required) == (FieldKind.BOOLEAN, True)
    assert demolition.documents.get(kind="structural_report").content_types == [
        "application/pdf"]
    # fence: the owner files, small fixed fees, no inspection, no office
    assert (fence.filed_by, fence.inspection_checklist, fence.owner_consent_required) == (
        FiledBy.OWNER, None, False)
    assert set(fence.parties.values_list("role", flat=True)) == {PartyRole.OWNER,
                                                                 PartyRole.AGENT}
    # occupancy certificate: a compliance visit from its checklist, no plan check, no expiry
    assert (occupancy.inspection_purpose, occupancy.inspection_checklist.code,
            occupancy.plan_check, occupancy.validity_months) == (
        InspectionPurpose.COMPLIANCE, "occupancy-compliance", False, 0)
    # excavation: a contractor files, emergency within 24 hours, a reinstatement checklist
    assert (excavation.filed_by, excavation.emergency_allowed, excavation.emergency_hours,
            excavation.clearance_checklist.code) == (
        FiledBy.CONTRACTOR, True, 24, "excavation-reinstatement")
    # every type refuses an applicant with unpaid fines
    assert all("no_unpaid_fines" in t.prerequisites for t in types.values())
    # documents: plans as PDF, photos as JPEG or PNG, each with a size limit
    for document in itertools.chain.from_iterable(t.documents.all() for t in types.values()):
        assert document.content_types in (["application/pdf"], ["image/jpeg", "image/png"],
                                          ["application/pdf", "image/jpeg", "image/png"])
        assert 1024 * 1024 <= document.max_bytes <= 20 * 1024 * 1024


def test_each_rate_stage_multiplies_a_numeric_answer_of_its_type(loaded):
    for rule in PermitFeeRule.objects.filter(permit_type__code__in=CODES).exclude(
            quantity_field="").select_related("permit_type"):
        field = rule.permit_type.fields.get(key=rule.quantity_field)
        assert field.kind in (FieldKind.DECIMAL, FieldKind.INTEGER)
        assert field.required and field.min_value > 0
    assert set(PermitFeeRule.objects.filter(permit_type__code__in=CODES).exclude(
            quantity_field="").values_list(
        "permit_type__code", "stage", "quantity_field")) == {
        ("building_permit", "issuance", "built_area_m2"),
        ("building_addition", "issuance", "added_area_m2"),
        ("excavation_permit", "issuance", "route_length_m")}


@pytest.mark.parametrize(("route", "matches"), [
    ("26.2951,50.2042\n26.2954,50.2053", True),
    ("26.295100, 50.204200\r\n26.295400,50.205300\n26.295900,50.206100\n", True),
    ("26.2951,50.2042", False),                       # one point is not a route
    ("26.2951;50.2042\n26.2954;50.2053", False),
    ("north of the mosque\nsouth of the school", False),
    ("", False),
])
def test_the_route_is_two_or_more_coordinate_lines(loaded, route, matches):
    field = PermitTypeField.objects.get(permit_type__code="excavation_permit", key="route")
    assert field.pattern == ROUTE_PATTERN
    assert (re.fullmatch(field.pattern, route) is not None) is matches


def test_checklists_have_six_to_ten_items_and_zones_real_limits(loaded):
    for checklist in Checklist.objects.prefetch_related("items"):
        assert 6 <= checklist.items.count() <= 10, checklist.code
    # issue 10 adds the licence's shop compliance checklist
    assert set(Checklist.objects.values_list("code", flat=True)) == {*CHECKLISTS,
                                                                     "shop-compliance"}
    zones = {z.zone: z for z in ZoneRule.objects.filter(municipality=None)}
    assert sorted(zones) == ["commercial", "industrial", "res-a", "res-b"]
    assert (zones["res-a"].max_floors, zones["res-a"].max_coverage_percent) == (
        3, Decimal("60.00"))


def test_districts_lie_in_their_town_and_never_overlap(loaded, world):
    # Khobar and Dammam's districts sit in the boxes the issue gives for them
    boxes = {"KHB": ("26.2", "26.35", "50.15", "50.23"),
             "DMM": ("26.38", "26.47", "50.05", "50.14")}
    districts = list(District.objects.select_related("municipality"))
    assert len(districts) == sum(len(d) for d in DISTRICTS.values())
    for district in districts:
        if district.municipality.code in boxes:
            south, north, west, east = map(Decimal, boxes[district.municipality.code])
            assert south <= district.south < district.north <= north
            assert west <= district.west < district.east <= east
    for one, other in itertools.combinations(districts, 2):
        apart = (one.north < other.south or other.north < one.south
                 or one.east < other.west or other.east < one.west)
        assert apart, (one.code, other.code)


def test_districts_of_a_municipality_not_yet_there_are_skipped():
    # given no municipalities at all
    lines = []
    catalogue_load(log=lines.append)
    # then no district is written, and the log says why; the rest still loads
    assert District.objects.count() == 0
    assert "districts: 12 skipped (no such municipality)" in lines
    assert "permit procedures: no Amanah to publish them for; skipped" in lines
    assert PermitType.objects.filter(code__in=CODES).count() == 6


def test_the_core_catalogues_e_services_are_found_not_rewritten(world):
    # given the core catalogue's building e-service, as the core demo words it
    EServiceFactory(code="building_permit", name_en="Building permit (core)",
                    owning_app=OwningApp.PERMITS)
    # when the catalogue is loaded
    catalogue_load(log=lambda _: None)
    # then the permit type serves it, and its words are the core's
    assert PermitType.objects.get(code="building_permit").eservice.name_en == \
        "Building permit (core)"
    assert EService.objects.filter(code="building_permit").count() == 1


def test_the_clearance_certificate_type_is_seeded_with_nothing_to_apply_for(loaded):
    # part EXCAVATION: issued by the municipality, never started by anyone
    clearance = PermitType.objects.select_related("eservice").get(code="excavation_clearance")
    assert (clearance.number_prefix, clearance.validity_months, clearance.eservice.code) == (
        "EC", 0, "excavation_clearance")
    assert (clearance.fields.count(), clearance.fee_rules.count(), clearance.documents.count(),
            clearance.eservice.rollouts.count()) == (0, 0, 0, 0)
    assert not DefinitionVersion.objects.filter(definition__code="excavation_clearance").exists()
