"""Counter service: the clerk finds a citizen by ID, or records a walk-in the portal does not
know, with the clerk in the person's history."""

import pytest

from amanah.counter import mobile_masked, person_register_at_counter
from amanah.enums import MunicipalityKind, StaffRole
from amanah.errors import DomainError
from amanah.models import Person
from tests.factories import (
    CitizenFactory,
    DepartmentFactory,
    MunicipalityFactory,
    PersonFactory,
    StaffMembershipFactory,
    national_id_for,
)

pytestmark = pytest.mark.django_db

COUNTER = "/{lang}/staff/counter/"
NEW_ID = national_id_for(777001)


@pytest.fixture
def branch():
    amanah = MunicipalityFactory(code="EPA", kind=MunicipalityKind.AMANAH, parent=None)
    return MunicipalityFactory(code="KHB", parent=amanah, name_ar="بلدية الخبر",
                               name_en="Khobar")


def member(municipality, role=StaffRole.CLERK, code="customer_service"):
    return StaffMembershipFactory(department=DepartmentFactory(municipality=municipality,
                                                               code=code), role=role).user


def test_a_clerk_finds_a_citizen_by_id_and_sees_the_person_card(client, branch):
    person = PersonFactory(municipality=branch, name_ar="سعاد الغامدي", name_en="Suad",
                           mobile="+966551234567")
    client.force_login(member(branch))
    # the ID may be typed with Arabic-Indic digits
    typed = person.national_id.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    response = client.post(COUNTER.format(lang="en"), {"national_id": typed})
    assert response.status_code == 302
    assert response["Location"] == f"/en/staff/counter/person/{person.pk}/"
    card = client.get(response["Location"])
    html = card.content.decode()
    assert card.status_code == 200
    assert "Suad" in html and "+9665•••••567" in html and "Khobar" in html
    assert "+966551234567" not in html
    assert f'href="/en/transactions/counter/person/{person.pk}/file/"' in html
    assert f'href="/en/payments/counter/person/{person.pk}/fee/"' in html


@pytest.mark.parametrize(("typed", "ar", "en"), [
    ("12345", "رقم الهوية أو الإقامة يتكون من ١٠ أرقام.",
     "A national ID or iqama number has 10 digits."),
    ("3000000001", "رقم الهوية الوطنية يبدأ بـ ١ ورقم الإقامة يبدأ بـ ٢.",
     "A national ID starts with 1 and an iqama number with 2."),
    ("1000000000", "رقم الهوية غير صحيح، تأكد من الأرقام.",
     "This ID number is not valid; please check the digits."),
])
def test_a_malformed_id_is_refused_next_to_the_field_in_both_languages(client, branch, typed,
                                                                         ar, en):
    client.force_login(member(branch))
    for lang, message in (("ar", ar), ("en", en)):
        response = client.post(COUNTER.format(lang=lang), {"national_id": typed})
        assert response.status_code == 400
        assert response.context["find_form"].errors["national_id"] == [message]
        assert response.context["person_form"] is None


def test_an_unknown_id_offers_to_record_the_walk_in(client, branch):
    client.force_login(member(branch))
    response = client.post(COUNTER.format(lang="en"), {"national_id": NEW_ID})
    assert response.status_code == 404
    form = response.context["person_form"]
    assert (form["national_id"].value(), form["municipality"].value()) == (NEW_ID, branch.pk)
    assert Person.objects.filter(national_id=NEW_ID).count() == 0


def test_the_clerk_records_a_walk_in_and_the_history_names_them(client, branch):
    clerk = member(branch)
    client.force_login(clerk)
    response = client.post(COUNTER.format(lang="en"), {
        "op": "register", "national_id": NEW_ID, "name_ar": "فهد القحطاني", "name_en": "",
        "mobile": "0551234567", "municipality": branch.pk})
    person = Person.objects.get(national_id=NEW_ID)
    assert response.status_code == 302
    assert response["Location"] == f"/en/staff/counter/person/{person.pk}/"
    assert (person.name_ar, person.name_en, person.mobile, person.municipality, person.user) == (
        "فهد القحطاني", "", "+966551234567", branch, None)
    record = person.history.get()
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "+", clerk, "registered at the counter")


@pytest.mark.parametrize(("data", "field", "en"), [
    ({"name_ar": "  "}, "name_ar", "Enter the name in Arabic."),
    ({"mobile": "12345"}, "mobile", "This mobile number is not valid. Write it like 0551234567."),
])
def test_a_walk_in_with_bad_details_is_not_recorded(branch, data, field, en):
    values = {"national_id": NEW_ID, "name_ar": "فهد", "name_en": "", "mobile": "",
              "clerk": member(branch), "municipality": branch, **data}
    with pytest.raises(DomainError) as refused:
        person_register_at_counter(**values)
    assert (refused.value.field, refused.value.message_en) == (field, en)
    assert Person.objects.filter(national_id=NEW_ID).count() == 0


def test_a_clerk_records_only_where_they_serve(branch):
    elsewhere = MunicipalityFactory(code="DMM", parent=branch.parent)
    with pytest.raises(DomainError) as refused:
        person_register_at_counter(national_id=NEW_ID, name_ar="فهد", clerk=member(branch),
                                   municipality=elsewhere)
    assert refused.value.code == "counter.not_counter_staff"
    assert Person.objects.filter(national_id=NEW_ID).count() == 0


def test_a_known_id_is_not_recorded_twice(branch):
    known = PersonFactory(municipality=branch)
    with pytest.raises(DomainError) as refused:
        person_register_at_counter(national_id=known.national_id, name_ar="آخر",
                                   clerk=member(branch), municipality=branch)
    assert refused.value.code == "counter.person_exists"
    assert Person.objects.get(pk=known.pk).name_ar == known.name_ar


@pytest.mark.parametrize("who", ["citizen", "reviewer"])
def test_the_counter_is_for_counter_staff_only(client, branch, who):
    user = (CitizenFactory(municipality=branch).user if who == "citizen"
            else member(branch, StaffRole.REVIEWER))
    client.force_login(user)
    assert client.get(COUNTER.format(lang="en")).status_code == 403
    response = client.post(COUNTER.format(lang="en"), {
        "op": "register", "national_id": NEW_ID, "name_ar": "فهد", "municipality": branch.pk})
    assert response.status_code == 403
    assert Person.objects.filter(national_id=NEW_ID).count() == 0


def test_the_mobile_is_masked_on_the_card():
    assert (mobile_masked("+966551234567"), mobile_masked("")) == ("+9665•••••567", "")
