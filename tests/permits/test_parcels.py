"""A draft's parcel: confirmed by the deed registry, inside its district, owned by the owner the
application names. Every refusal leaves nothing written."""

import datetime as dt
from decimal import Decimal

import pytest

from amanah.errors import Conflict, DomainError, NotFound, PermissionDenied
from amanah.events import audit_verify
from permits.enums import ApplicationEventKind, ApplicationStatus
from permits.models import ApplicationEvent, District, Parcel
from permits.services.applications import application_lock, application_status_change
from permits.services.parcels import application_parcel_set, parcel_confirm
from tests.factories import CitizenFactory, MunicipalityFactory
from tests.permits.factories import application_draft_make, deed_make, permits_world

from .parties_factories import snapshot

pytestmark = pytest.mark.django_db

NEW_DEED = "310199990001"


@pytest.fixture
def world():
    world = permits_world()
    # a second parcel of the same owner, not yet known to the portal
    deed_make(owner_id=world.owner.national_id, municipality_code=world.municipality.code,
              number=NEW_DEED, area="750.00")
    return world


@pytest.fixture
def draft(world):
    return application_draft_make(world, with_parcel=False)


def _set(world, draft, *, user=None, **changes):
    values = {"deed_number": NEW_DEED, "deed_date": dt.date(2019, 3, 14),
              "district_code": "north", "latitude": "26.250000", "longitude": "50.150000",
              **changes}
    return application_parcel_set(application_id=draft.pk,
                                  user=user or world.office_worker.user, **values)


def test_the_office_sets_the_parcel_of_a_deed_the_registry_confirms(world, draft):
    # when the office sets the parcel of the owner's deed, with a point inside the district
    parcel = _set(world, draft, latitude="٢٦٫٢٢٥", longitude="50.1754321")
    # then a parcel is recorded as the registry states it, at the point given (six places)
    assert (parcel.deed_number, parcel.owner_id, parcel.area_m2, parcel.zone,
            parcel.plan_number, parcel.district) == (
        NEW_DEED, world.owner.national_id, Decimal("750.00"), "res-a", "2145", world.district)
    assert (parcel.latitude, parcel.longitude) == (Decimal("26.225000"), Decimal("50.175432"))
    # and the draft sits on it, with one chained event saying so
    draft.refresh_from_db()
    assert (draft.parcel, draft.row_version) == (parcel, 2)
    event = ApplicationEvent.objects.get(application=draft)
    assert (event.kind, event.actor, event.payload) == (
        ApplicationEventKind.PARCEL_SET, world.office_worker.user,
        {"deed_number": NEW_DEED, "district": "north", "latitude": "26.225000",
         "longitude": "50.175432"})
    assert [r.ok for r in audit_verify(chain="permit_application")] == [True]


def test_confirming_a_known_deed_again_refreshes_its_one_parcel(world, draft):
    # given the parcel of the world's deed, already known at 26.25 / 50.15
    known = world.parcel
    # when a draft is set on the same deed at another point
    parcel = _set(world, draft, deed_number=world.deed.deed_number, latitude="26.280000",
                  longitude="50.110000")
    # then it is the same row, moved, and there is still one parcel per deed
    assert parcel.pk == known.pk
    known.refresh_from_db()
    assert (known.latitude, known.longitude) == (Decimal("26.280000"), Decimal("50.110000"))
    assert Parcel.objects.filter(deed_number=world.deed.deed_number).count() == 1
    assert ApplicationEvent.objects.get(application=draft).payload["deed_number"] == (
        world.deed.deed_number)


def test_changing_the_parcel_names_the_previous_deed(world, draft):
    _set(world, draft, deed_number=world.deed.deed_number)
    _set(world, draft, expected_version=2)
    draft.refresh_from_db()
    assert draft.parcel.deed_number == NEW_DEED
    last = ApplicationEvent.objects.filter(application=draft).order_by("seq").last()
    assert last.payload["previous_deed_number"] == world.deed.deed_number


def _other_owner_deed(world):
    return deed_make(owner_id=CitizenFactory().national_id,
                     municipality_code=world.municipality.code, number="310177770001").deed_number


def _inactive_deed(world):
    return deed_make(owner_id=world.owner.national_id, municipality_code=world.municipality.code,
                     number="310177770002", is_active=False).deed_number


def _elsewhere_deed(world):
    MunicipalityFactory(code="M901")
    return deed_make(owner_id=world.owner.national_id, municipality_code="M901",
                     number="310177770003").deed_number


def _east_district(world):
    District.objects.create(municipality=world.municipality, code="east", name_ar="حي الشرق",
                            name_en="East district", south=Decimal("26.2"),
                            north=Decimal("26.3"), west=Decimal("50.2"), east=Decimal("50.3"))
    return "east"


REFUSALS = [
    # (what is wrong, changes (a value or a function of the world), code, field)
    ("deed owner mismatch", {"deed_number": _other_owner_deed}, "permits.deed_owner_mismatch",
     "deed_number"),
    ("unknown deed", {"deed_number": "310100000000"}, "permits.deed_unknown", "deed_number"),
    ("deed number malformed", {"deed_number": "31-AB"}, "permits.deed_number_malformed",
     "deed_number"),
    ("deed inactive", {"deed_number": _inactive_deed}, "permits.deed_inactive", "deed_number"),
    ("deed date mismatch", {"deed_date": dt.date(2019, 3, 15)}, "permits.deed_date_mismatch",
     "deed_date"),
    ("no deed date", {"deed_date": None}, "permits.deed_date_required", "deed_date"),
    ("deed in another municipality", {"deed_number": _elsewhere_deed},
     "permits.deed_other_municipality", "deed_number"),
    ("district unknown", {"district_code": "south"}, "permits.district_unknown",
     "district_code"),
    ("district not the deed's", {"district_code": _east_district},
     "permits.district_not_deeds", "district_code"),
    ("latitude not a number", {"latitude": "26,25"}, "permits.coordinates_malformed",
     "latitude"),
    ("latitude beyond the pole", {"latitude": "91"}, "permits.coordinates_malformed",
     "latitude"),
    ("longitude not finite", {"longitude": "NaN"}, "permits.coordinates_malformed",
     "longitude"),
    ("longitude empty", {"longitude": ""}, "permits.coordinates_malformed", "longitude"),
    ("latitude south of the district", {"latitude": "26.199999"},
     "permits.location_outside_district", "latitude"),
    ("longitude east of the district", {"longitude": "50.200001"},
     "permits.location_outside_district", "longitude"),
    ("a point in the sea, far outside the municipality", {"latitude": "27.5",
                                                          "longitude": "51.9"},
     "permits.location_outside_district", "latitude"),
]


@pytest.mark.parametrize(("what", "changes", "code", "field"), REFUSALS,
                         ids=[r[0] for r in REFUSALS])
def test_a_refused_parcel_leaves_nothing_written(world, draft, what, changes, code, field):
    # given a draft without a parcel, and the deed or district the case needs
    values = {k: v(world) if callable(v) else v for k, v in changes.items()}
    before = snapshot(draft)
    # when the office sets its parcel with what is wrong
    with pytest.raises(DomainError) as refused:
        _set(world, draft, **values)
    # then it is refused with the reason, next to the field, in both languages
    assert (refused.value.code, refused.value.field) == (code, field)
    assert refused.value.message_ar and refused.value.message_en
    # and no parcel, event or change was written
    assert snapshot(draft) == before


def test_the_owner_mismatch_says_so_in_both_languages(world, draft):
    with pytest.raises(DomainError) as refused:
        _set(world, draft, deed_number=_other_owner_deed(world))
    assert refused.value.message_en == (
        "The owner on the deed is not the owner named on the application.")
    assert refused.value.message_ar == "المالك في الصك ليس المالك المذكور في الطلب."


def test_an_establishment_owner_is_matched_by_its_unified_number(world, draft):
    # given a draft owned by an establishment, and its deed
    from amanah.models import Establishment
    from permits.enums import PartyRole
    from tests.factories import EstablishmentFactory

    company: Establishment = EstablishmentFactory(municipality=world.municipality)
    draft.parties.filter(role=PartyRole.OWNER).update(person=None, establishment=company)
    number = deed_make(owner_id=company.unified_number, municipality_code="M900",
                       number="310155550001").deed_number
    # when the office sets the company's parcel: accepted; the individual's: refused
    assert _set(world, draft, deed_number=number).owner_id == company.unified_number
    with pytest.raises(DomainError) as refused:
        _set(world, draft, deed_number=NEW_DEED)
    assert refused.value.code == "permits.deed_owner_mismatch"


@pytest.mark.parametrize(("latitude", "longitude", "stored"), [
    ("26.200000", "50.100000", ("26.200000", "50.100000")),  # the south-west corner
    ("26.3", "50.2", ("26.300000", "50.200000")),  # the north-east corner
    ("26.2", "50.2", ("26.200000", "50.200000")),
    ("26.3000004", "50.15", ("26.300000", "50.150000")),  # rounds onto the edge
    ("26.1999995", "50.15", ("26.200000", "50.150000")),  # a half rounds to the even digit
])
def test_points_on_the_district_edges_are_inside(world, draft, latitude, longitude, stored):
    parcel = _set(world, draft, latitude=latitude, longitude=longitude)
    assert (str(parcel.latitude), str(parcel.longitude)) == stored


@pytest.mark.parametrize(("latitude", "longitude", "field"), [
    ("26.3000006", "50.15", "latitude"),  # rounds to 26.300001
    ("26.1999994", "50.15", "latitude"),  # rounds to 26.199999
    ("26.25", "50.0999994", "longitude"),  # rounds to 50.099999
    ("26.25", "50.200001", "longitude"),
])
def test_points_just_past_the_edges_are_outside(world, draft, latitude, longitude, field):
    before = snapshot(draft)
    with pytest.raises(DomainError) as refused:
        _set(world, draft, latitude=latitude, longitude=longitude)
    assert (refused.value.code, refused.value.field) == ("permits.location_outside_district",
                                                        field)
    assert snapshot(draft) == before


def test_parcel_confirm_alone_writes_the_parcel(world):
    # REVIEW confirms a corrected parcel with the same rules, outside a draft
    parcel = parcel_confirm(municipality=world.municipality, deed_number=NEW_DEED,
                            deed_date=dt.date(2019, 3, 14), district_code="north",
                            latitude="26.21", longitude="50.11")
    assert Parcel.objects.get(deed_number=NEW_DEED) == parcel
    with pytest.raises(DomainError) as refused:
        parcel_confirm(municipality=world.municipality, deed_number=NEW_DEED,
                       deed_date=dt.date(2019, 3, 14), district_code="north",
                       latitude="26.21", longitude="50.21")
    assert refused.value.code == "permits.location_outside_district"
    parcel.refresh_from_db()
    assert parcel.longitude == Decimal("50.110000")


def test_the_registry_being_down_is_a_retry_later(world, draft, settings):
    settings.PERMITS_DEED_REGISTRY = "tests.permits.test_parcels._DownRegistry"
    before = snapshot(draft)
    with pytest.raises(DomainError) as refused:
        _set(world, draft)
    assert (refused.value.code, refused.value.status) == ("permits.deed_registry_unavailable",
                                                          503)
    assert snapshot(draft) == before


class _DownRegistry:
    def deed_lookup(self, *, deed_number):
        from permits.deeds import DeedRegistryUnavailable

        raise DeedRegistryUnavailable("timed out")


def test_no_owner_named_yet_is_refused(world, draft):
    draft.parties.all().delete()
    type(draft).objects.filter(pk=draft.pk).update(owner_person=None)
    before = snapshot(draft)
    with pytest.raises(DomainError) as refused:
        _set(world, draft)
    assert refused.value.code == "permits.owner_missing"
    assert snapshot(draft) == before


# --- who may, and when -----------------------------------------------------------------------


def test_a_stranger_gets_not_found(world, draft):
    before = snapshot(draft)
    with pytest.raises(NotFound):
        _set(world, draft, user=CitizenFactory().user)
    assert snapshot(draft) == before


def test_the_owner_does_not_prepare_an_office_filed_application(world, draft):
    before = snapshot(draft)
    with pytest.raises(PermissionDenied) as refused:
        _set(world, draft, user=world.owner.user)
    assert refused.value.code == "permits.not_the_filer"
    assert snapshot(draft) == before


def test_another_person_of_the_filing_office_may(world, draft):
    colleague = CitizenFactory(municipality=world.municipality)
    world.office.establishment.representatives.add(colleague)
    assert _set(world, draft, user=colleague.user).deed_number == NEW_DEED


def test_after_submission_the_parcel_cannot_be_set(world, draft):
    application_status_change(application=application_lock(draft.pk),
                              to_status=ApplicationStatus.IN_REVIEW)
    before = snapshot(draft)
    with pytest.raises(Conflict) as refused:
        _set(world, draft)
    assert refused.value.code == "permits.application_not_draft"
    assert snapshot(draft) == before


def test_a_stale_page_is_a_conflict(world, draft):
    before = snapshot(draft)
    with pytest.raises(Conflict) as refused:
        _set(world, draft, expected_version=7)
    assert refused.value.code == "permits.application_changed"
    assert snapshot(draft) == before
