"""A licence's fees follow its activities' tariffs and the years chosen (the seams issue 10
added to payments' schedules and permits' fee rules)."""

from decimal import Decimal

import pytest
from django.db import transaction

from payments.models import Bill
from permits.enums import FeeStage
from permits.services.applications import application_lock
from permits.services.fees import application_fee_bill, fee_preview, fee_total

from .factories import (
    BARBER,
    GOOD_LICENCE_ANSWERS,
    GROCERY,
    RESTAURANT,
    licence_draft_make,
    licence_world,
)

pytestmark = pytest.mark.django_db

STAGES = (FeeStage.ISSUANCE, FeeStage.SIGNAGE)


def _preview(world, codes, **answers):
    return fee_preview(permit_type=world.licence_type, municipality=world.municipality,
                       answers={**GOOD_LICENCE_ANSWERS, **answers}, stages=STAGES,
                       activities=[world.activities[c] for c in codes])


def test_the_standard_tariff_prices_area_and_signage_per_year():
    # given a grocery of 60 m² with a 3 m² sign, for two years
    world = licence_world()
    # when its fees are previewed
    lines = _preview(world, [GROCERY], validity_years="2")
    # then 60 × 2 × 10.00 and 3 × 2 × 200.00, each counted on 120 and 6 "m²-years"
    assert [(line.stage, line.amount, line.quantity, line.years, line.variant)
            for line in lines] == [
        (FeeStage.ISSUANCE, Decimal("1200.00"), Decimal("120.00"), 2, ""),
        (FeeStage.SIGNAGE, Decimal("1200.00"), Decimal("6.00"), 2, ""),
    ]
    assert fee_total(lines) == Decimal("2400.00")


def test_the_highest_tariff_of_the_activities_applies():
    # given a grocery that also runs a restaurant (the "food" tariff: 15.00 a m², at least 500)
    world = licence_world()
    # when its fees are previewed for one year
    lines = _preview(world, [GROCERY, RESTAURANT])
    # then the area is priced at the food tariff; the sign, which food does not price
    # differently, at the standard one
    assert [(line.amount, line.rate, line.variant) for line in lines] == [
        (Decimal("900.00"), Decimal("15.00"), "food"), (Decimal("600.00"), Decimal("200.00"), "")]
    # and a smaller shop pays the food tariff's minimum, not the standard one's
    assert _preview(world, [BARBER, RESTAURANT], shop_area_m2="20")[0].amount == Decimal("500.00")


def test_a_missing_years_answer_says_what_the_fee_depends_on():
    world = licence_world()
    lines = _preview(world, [GROCERY], validity_years="")
    assert [(line.amount, line.pending_en) for line in lines] == [
        (None, "Depends on “Licence period”"), (None, "Depends on “Licence period”")]


def test_a_billed_stage_records_the_tariff_and_years_on_the_bill():
    # given a draft for a grocery with a restaurant, for three years
    world = licence_world()
    application = licence_draft_make(world, activities=(GROCERY, RESTAURANT),
                                     answers={**GOOD_LICENCE_ANSWERS, "validity_years": "3"})
    # when its issuance stage is billed
    with transaction.atomic():
        fee = application_fee_bill(application=application_lock(application.pk),
                                   stage=FeeStage.ISSUANCE)
    # then the bill is 60 × 3 × 15.00 and its snapshot names the food tariff and the quantity
    bill = Bill.objects.get(pk=fee.bill_id)
    assert (bill.amount, bill.fee_snapshot["variant"], bill.fee_snapshot["quantity"],
            bill.fee_snapshot["component"]) == (Decimal("2700.00"), "food", "180.00",
                                                "issuance")
