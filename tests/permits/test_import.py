"""Paper-era permits in from a CSV file: all or nothing, a report per line, new numbers with
the paper number kept, verifiable like new ones, never imported twice."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from amanah.models import Establishment, Person
from permits.imports import ImportProblem, date_parse, permits_import
from permits.models import Parcel, Permit, PermitEvent, PermitVersion
from tests.factories import national_id_for
from tests.permits.factories import deed_make, permits_world

from .lifecycle_helpers import day

pytestmark = pytest.mark.django_db

HEADER = ("paper_number,type_code,municipality_code,holder_id,holder_name,deed_number,"
          "plan_number,parcel_number,district_code,issued_on,valid_until,details\n")
NEW_PERSON = national_id_for(770001)


@pytest.fixture
def world(clock):
    clock.set(day(2026, 12, 1))
    return permits_world()


GOOD_DETAILS = "floors=2;built_area_m2=390;use=residential"


def _line(world, paper="1432/77", holder_id=None, holder_name="سعد بن فهد الدوسري",
          issued="2024-03-10", until="2027-03-09", details=GOOD_DETAILS,
          type_code="building_new", district="north"):
    parcel = world.parcel
    holder_id = holder_id or world.owner.national_id
    return (f"{paper},{type_code},{world.municipality.code},{holder_id},{holder_name},"
            f"{parcel.deed_number},{parcel.plan_number},{parcel.parcel_number},{district},"
            f"{issued},{until},{details}\n")


def _good_file(world) -> str:
    return (HEADER + _line(world)
            + _line(world, paper="1429/310", holder_id=NEW_PERSON, holder_name="نورة العتيبي",
                    issued="1429-02-01", until="1432-01-29", details="floors=1")
            + _line(world, paper="1440/5", holder_id="7009998881", holder_name="مؤسسة البناء",
                    details=""))


def test_a_good_file_imports_every_line_with_new_numbers(world, queued, client):
    # when a file of three paper permits is imported
    with queued() as tasks:
        report = permits_import(data=_good_file(world).encode("utf-8-sig"), actor=world.head)
    # then all three are permits with new numbers, their paper numbers kept
    assert report.ok and report.checked == 3
    imported = list(Permit.objects.order_by("pk"))
    assert [(p.number, p.paper_reference, p.is_imported) for p in imported] == [
        ("BP-M900-1448-000001", "1432/77", True), ("BP-M900-1448-000002", "1429/310", True),
        ("BP-M900-1448-000003", "1440/5", True)]
    first, second, third = imported
    # with the paper's dates (a Hijri year read as Hijri), details and holder
    assert (first.issued_on, first.valid_from, first.valid_until, first.status) == (
        dt.date(2024, 3, 10), dt.date(2024, 3, 10), dt.date(2027, 3, 9), "valid")
    assert first.details == {"floors": 2, "built_area_m2": "390.00", "use": "residential"}
    assert (first.holder_person, first.parcel, first.application) == (world.owner, world.parcel,
                                                                       None)
    assert (second.issued_on, second.valid_until) == (dt.date(2008, 2, 8), dt.date(2011, 1, 4))
    # a holder the portal did not know is recorded as on the paper
    assert Person.objects.get(national_id=NEW_PERSON).name_ar == "نورة العتيبي"
    assert third.holder_establishment == Establishment.objects.get(unified_number="7009998881")
    # the one already past its last day is expired at once
    assert second.status == "expired"
    assert list(PermitEvent.objects.filter(permit=second).values_list("kind", flat=True)) == [
        "imported", "expired"]
    event = PermitEvent.objects.get(permit=first)
    assert (event.kind, event.actor, event.payload) == (
        "imported", world.head, {"paper_reference": "1432/77", "line": 2})
    assert PermitVersion.objects.filter(version=1, application=None).count() == 3
    # and each gets a certificate whose QR code verifies like any other
    assert tasks == [("permits.certificate_ensure", {"permit_id": p.pk}) for p in imported]
    page = client.get(reverse("permits:permit_verify", args=[first.verification_token]))
    assert page.status_code == 200 and first.number in page.content.decode()


def test_one_bad_line_imports_nothing_and_the_report_says_where(world, queued):
    # given a file whose second and fourth lines are wrong
    data = (HEADER + _line(world)
            + _line(world, paper="1433/1", holder_id="1234567890", type_code="kiosk")
            + _line(world, paper="1433/2")
            + _line(world, paper="1433/3", issued="2025-13-01", details="floors=two;colour=red"))
    with queued() as tasks:
        report = permits_import(data=data)
    # then nothing is imported, and each problem is named by line and column
    assert not Permit.objects.exists() and not Person.objects.filter(
        national_id="1234567890").exists()
    assert tasks == [] and report.imported == []
    assert [(p.line, p.column) for p in report.problems] == [
        (3, "type_code"), (3, "holder_id"), (5, "issued_on"), (5, "details"), (5, "details")]
    assert report.problems[0] == ImportProblem(3, "type_code", "لا يوجد نوع رخصة بهذا الرمز.",
                                               "There is no permit type with this code.")
    assert (report.problems[3].message_ar, report.problems[3].message_en) == (
        "عدد الأدوار: يجب أن يكون رقماً.", "Number of floors: must be a number.")
    assert report.problems[4].message_en == (
        "“colour” is not a printed detail of this permit type.")


def test_the_same_paper_number_is_never_imported_twice(world):
    assert permits_import(data=_good_file(world)).ok
    # the same file again is refused line by line, and nothing more is imported
    again = permits_import(data=_good_file(world))
    assert [(p.line, p.column, p.message_en) for p in again.problems] == [
        (line, "paper_number", "This paper number was imported before.") for line in (2, 3, 4)]
    assert Permit.objects.count() == 3
    # and a file naming one paper number twice is refused at its second line
    twice = permits_import(data=HEADER + _line(world, paper="9/9") + _line(world, paper="9/9"))
    assert [(p.line, p.message_en) for p in twice.problems] == [
        (3, "The paper number is repeated in the file (line 2).")]
    assert Permit.objects.count() == 3


def test_a_dry_run_checks_and_imports_nothing(world):
    report = permits_import(data=_good_file(world), dry_run=True)
    assert (report.ok, report.checked, report.imported) == (True, 3, [])
    assert not Permit.objects.exists() and not Person.objects.filter(
        national_id=NEW_PERSON).exists()


def test_a_file_without_the_columns_is_refused_whole(world):
    report = permits_import(data="paper_number,type_code,colour\n1,building_new,red\n")
    assert [(p.line, p.column) for p in report.problems][:2] == [(1, "municipality_code"),
                                                                 (1, "holder_id")]
    assert (1, "colour", "Unknown column.") in [(p.line, p.column, p.message_en)
                                                for p in report.problems]
    assert permits_import(data=b"\xff\xfe bad").problems[0].message_en == (
        "The file is not UTF-8 text.")
    assert not Permit.objects.exists()


def test_the_parcel_must_be_the_one_the_portal_knows(world):
    report = permits_import(data=HEADER + _line(world, district="south"))
    assert [(p.line, p.column, p.message_en) for p in report.problems] == [
        (2, "district_code", "This municipality has no district with this code.")]


@pytest.mark.parametrize("text, day_", [("2024-03-10", dt.date(2024, 3, 10)),
                                        ("1445/08/29", dt.date(2024, 3, 10)),
                                        ("١٤٤٥-٠٨-٢٩", dt.date(2024, 3, 10))])
def test_dates_are_gregorian_or_hijri(text, day_):
    assert date_parse(text) == day_


def test_the_command_imports_or_says_why_not(world, tmp_path, capsys):
    good = tmp_path / "paper.csv"
    good.write_text(_good_file(world), encoding="utf-8")
    call_command("permits_import", str(good), "--dry-run")
    assert "3 line(s) checked, all good" in capsys.readouterr().out
    assert not Permit.objects.exists()
    call_command("permits_import", str(good))
    out = capsys.readouterr().out
    assert "1432/77 -> BP-M900-1448-000001" in out and "3 permit(s) imported" in out
    with pytest.raises(CommandError, match="3 problem"):
        call_command("permits_import", str(good))
    assert "line 2, paper_number: This paper number was imported before." in (
        capsys.readouterr().err)
    assert Permit.objects.count() == 3


def _new_parcel_file(world, number: str, coordinates: str) -> str:
    return (HEADER.rstrip("\n") + ",latitude,longitude\n"
            f"1441/9,building_new,{world.municipality.code},{world.owner.national_id},مالك,"
            f"{number},2145,{number[-4:]},north,2020-01-05,2023-01-04,floors=1,{coordinates}\n")


def test_a_parcel_new_to_the_portal_comes_from_the_deed_registry(world):
    # given a deed the registry knows but the portal has no parcel for yet
    deed = deed_make(owner_id=world.owner.national_id, municipality_code=world.municipality.code,
                     number="310199990001", area="750.00")
    # when a line names it, with coordinates inside the district
    report = permits_import(data=_new_parcel_file(world, deed.deed_number, "26.2512,50.1533"))
    # then the permit stands on a parcel made from the registry's deed
    assert report.ok
    parcel = Permit.objects.get().parcel
    assert (parcel.deed_number, parcel.area_m2, parcel.zone, parcel.deed_date, parcel.owner_id,
            parcel.latitude, parcel.longitude) == (
        "310199990001", Decimal("750.00"), "res-a", deed.deed_date, world.owner.national_id,
        Decimal("26.251200"), Decimal("50.153300"))


@pytest.mark.parametrize("number, coordinates, column, message", [
    ("310199990001", ",", "latitude",
     "Needed because this deed's parcel is not in the portal yet."),
    ("310199990001", "24.7000,46.7000", "latitude", "The coordinates are outside the district."),
    ("310199990009", "26.2512,50.1533", "deed_number",
     "The deed registry has no deed with this number."),
])
def test_a_new_parcel_needs_a_known_deed_and_coordinates_in_the_district(
        world, number, coordinates, column, message):
    deed_make(owner_id=world.owner.national_id, municipality_code=world.municipality.code,
              number="310199990001")
    report = permits_import(data=_new_parcel_file(world, number, coordinates))
    assert [(p.line, p.column, p.message_en) for p in report.problems][:1] == [
        (2, column, message)]
    assert not Permit.objects.exists() and not Parcel.objects.filter(
        deed_number=number).exists()
