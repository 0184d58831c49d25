"""Exact fees of every seeded type per municipality class and stage, priced by payments
(fee_calculate, one component per stage) from the catalogue's fee schedules."""

from decimal import Decimal

import pytest
from django.db import transaction

from permits.catalogue import catalogue_load
from permits.enums import FeeStage
from permits.models import PermitType
from permits.service_cards import fee_estimate, municipality_of_class

from .catalogue_world import catalogue_world_make

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The catalogue loaded once for the module, rolled back after it (each test runs in a
    savepoint inside)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            world = catalogue_world_make()
            catalogue_load(log=lambda _: None)
            yield world
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# type, municipality class, stage, quantity typed, amount billed
FEES = [
    ("building_permit", 1, FeeStage.APPLICATION, None, "300.00"),
    ("building_permit", 2, FeeStage.APPLICATION, None, "250.00"),
    ("building_permit", 3, FeeStage.APPLICATION, None, "200.00"),
    ("building_permit", 4, FeeStage.APPLICATION, None, "150.00"),
    ("building_permit", 5, FeeStage.APPLICATION, None, "100.00"),
    ("building_permit", 1, FeeStage.ISSUANCE, "420", "1260.00"),
    ("building_permit", 2, FeeStage.ISSUANCE, "420", "1050.00"),
    ("building_permit", 2, FeeStage.ISSUANCE, "150", "500.00"),     # 375.00 < the minimum
    ("building_permit", 3, FeeStage.ISSUANCE, "1000.50", "2001.00"),
    ("building_permit", 4, FeeStage.ISSUANCE, "200", "300.00"),     # at the minimum
    ("building_permit", 5, FeeStage.ISSUANCE, "100", "200.00"),     # 100.00 < the minimum
    ("building_permit", 1, FeeStage.RENEWAL, None, "500.00"),
    ("building_permit", 3, FeeStage.LATE_RENEWAL, None, "600.00"),
    ("building_permit", 2, FeeStage.AMENDMENT, None, "300.00"),
    ("building_permit", 5, FeeStage.REPLACEMENT, None, "50.00"),
    ("building_addition", 1, FeeStage.APPLICATION, None, "200.00"),
    ("building_addition", 2, FeeStage.ISSUANCE, "80", "300.00"),    # 200.00 < the minimum
    ("building_addition", 4, FeeStage.ISSUANCE, "400", "600.00"),
    ("building_addition", 3, FeeStage.LATE_RENEWAL, None, "400.00"),
    ("demolition_permit", 1, FeeStage.ISSUANCE, None, "1000.00"),
    ("demolition_permit", 3, FeeStage.ISSUANCE, None, "600.00"),
    ("demolition_permit", 5, FeeStage.APPLICATION, None, "80.00"),
    ("fence_permit", 1, FeeStage.ISSUANCE, None, "200.00"),
    ("fence_permit", 2, FeeStage.ISSUANCE, None, "150.00"),
    ("fence_permit", 5, FeeStage.ISSUANCE, None, "50.00"),
    ("fence_permit", 4, FeeStage.REPLACEMENT, None, "30.00"),
    ("occupancy_certificate", 1, FeeStage.APPLICATION, None, "300.00"),
    ("occupancy_certificate", 4, FeeStage.ISSUANCE, None, "400.00"),
    ("excavation_permit", 1, FeeStage.APPLICATION, None, "300.00"),
    ("excavation_permit", 1, FeeStage.ISSUANCE, "120", "1200.00"),
    ("excavation_permit", 2, FeeStage.ISSUANCE, "75.5", "800.00"),  # 604.00 < the minimum
    ("excavation_permit", 3, FeeStage.ISSUANCE, "50", "600.00"),    # 300.00 < the minimum
    ("excavation_permit", 5, FeeStage.ISSUANCE, "500", "2000.00"),
    ("excavation_permit", 4, FeeStage.RENEWAL, None, "250.00"),
    ("excavation_permit", 2, FeeStage.AMENDMENT, None, "250.00"),
]
# The stages each type bills (the others it does not have at all).
STAGES = {
    "building_permit": ["application", "issuance", "renewal", "late_renewal", "amendment",
                        "replacement"],
    "building_addition": ["application", "issuance", "renewal", "late_renewal", "amendment",
                          "replacement"],
    "demolition_permit": ["application", "issuance", "renewal", "late_renewal",
                          "replacement"],
    "fence_permit": ["issuance", "renewal", "late_renewal", "replacement"],
    "occupancy_certificate": ["application", "issuance", "replacement"],
    "excavation_permit": ["application", "issuance", "renewal", "late_renewal", "amendment",
                          "replacement"],
}
QUANTITY_FIELDS = {"building_permit": "built_area_m2", "building_addition": "added_area_m2",
                   "excavation_permit": "route_length_m"}


@pytest.mark.parametrize(("code", "klass", "stage", "quantity", "amount"), FEES,
                         ids=[f"{c}-{k}-{s}-{q}" for c, k, s, q, _ in FEES])
def test_each_seeded_type_bills_the_exact_fee_per_class_and_stage(world, code, klass, stage,
                                                                  quantity, amount):
    # given a type of the catalogue
    permit_type = PermitType.objects.get(code=code)
    quantities = {QUANTITY_FIELDS[code]: Decimal(quantity)} if quantity else {
        QUANTITY_FIELDS.get(code, "-"): Decimal("1")}
    # when its fees are priced by payments in a municipality of the class
    estimate = fee_estimate(permit_type=permit_type, municipality=municipality_of_class(klass),
                            quantities=quantities)
    # then the stage costs exactly this, and the type bills exactly its own stages
    by_stage = {line.stage: line for line in estimate.stages}
    assert list(by_stage) == STAGES[code]
    assert by_stage[stage].quote.amount == Decimal(amount)
    assert by_stage[stage].refusal is None


def test_a_real_branch_is_priced_by_its_class(world):
    # given Khobar (class 1) and Qatif (class 2)
    building = PermitType.objects.get(code="building_permit")
    quantities = {"built_area_m2": Decimal("420")}
    # then the same building costs what its municipality's class says
    khobar = fee_estimate(permit_type=building, municipality=world.branches["KHB"],
                          quantities=quantities)
    qatif = fee_estimate(permit_type=building, municipality=world.branches["QTF"],
                         quantities=quantities)
    assert khobar.to_obtain == Decimal("1560.00")
    assert qatif.to_obtain == Decimal("1300.00")
    assert khobar.stages[1].snapshot["municipality"] == "KHB"
