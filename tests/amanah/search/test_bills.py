"""Staff search finds bills by number and by the payer's ID, unified number, name and mobile,
for finance staff within their municipalities only; staff without finance access find none."""

import pytest

from amanah.enums import StaffRole
from amanah.permissions import staff_memberships
from amanah.search import search_parties_resolve, search_query_parse, search_run
from payments.search import bill_search
from payments.services.issuing import bill_issue
from tests.factories import (
    DepartmentFactory,
    EstablishmentFactory,
    MunicipalityFactory,
    PersonFactory,
    StaffMembershipFactory,
    StaffUserFactory,
    national_id_for,
)
from tests.payments.factories import bill_make, misc_fee_service


def _staff(municipality, department_code: str, role: str):
    user = StaffUserFactory()
    StaffMembershipFactory(user=user, role=role, department=DepartmentFactory(
        municipality=municipality, code=department_code))
    return user


@pytest.fixture
def town(db):
    branch_a = MunicipalityFactory(code="BRA", municipality_class=2)
    branch_b = MunicipalityFactory(code="BRB", municipality_class=2)
    service = misc_fee_service()
    payer = PersonFactory(national_id=national_id_for(5151), name_ar="نورة الدوسري",
                          name_en="Noura Aldossari", mobile="+966561112233",
                          municipality=branch_a)
    resident = PersonFactory(national_id=national_id_for(5252, first_digit="2"),
                             name_ar="أنور حسين", name_en="Anwar Hussain")
    company = EstablishmentFactory(unified_number="7005556667", name_ar="شركة الواحة",
                                   name_en="Oasis Company")
    bills = {
        "payer": bill_make(person=payer, municipality=branch_a, eservice=service),
        "resident": bill_make(person=resident, municipality=branch_a, eservice=service),
        "company": bill_issue(payable_kind="misc_fee", payable_ref="REF-OASIS",
                              municipality=branch_a, eservice=service,
                              payer_establishment=company, amount="80.00"),
        "payer_in_b": bill_make(person=payer, municipality=branch_b, eservice=service),
    }
    return {"a": branch_a, "b": branch_b, "bills": bills, "payer": payer, "company": company,
            "service": service}


def _found(user, text: str) -> list[str]:
    return [hit.number for group in search_run(user=user, text=text).groups
            if group.kind == "bill" for hit in group.hits]


@pytest.mark.parametrize("key,text", [
    ("payer", "number"),
    ("payer", national_id_for(5151)),
    ("resident", national_id_for(5252, first_digit="2")),
    ("payer", "نوره"),
    ("payer", "noura ald"),
    ("payer", "0561112233"),
    ("payer", "561112233"),
    ("payer", "966561112233"),
    ("payer", "+966561112233"),
    ("resident", "انور"),  # written without the hamza
    ("company", "7005556667"),
    ("company", "الواحة"),
    ("company", "oasis"),
])
def test_a_cashier_finds_the_bill_by_each_key(town, key, text):
    cashier = _staff(town["a"], "finance", StaffRole.CASHIER)
    bill = town["bills"][key]
    assert _found(cashier, bill.billing_account if text == "number" else text) == [
        bill.billing_account]


@pytest.mark.parametrize("text", ["number", national_id_for(5151), "Noura", "0561112233"])
def test_a_cashier_of_branch_a_never_finds_branch_b_bills(town, text):
    cashier_a = _staff(town["a"], "finance", StaffRole.CASHIER)
    cashier_b = _staff(town["b"], "finance", StaffRole.CASHIER)
    bill_b = town["bills"]["payer_in_b"]
    query = bill_b.billing_account if text == "number" else text
    assert bill_b.billing_account not in _found(cashier_a, query)
    assert _found(cashier_b, query) == [bill_b.billing_account]


def test_staff_without_finance_access_find_no_bills(town):
    clerk = _staff(town["a"], "customer_service", StaffRole.CLERK)
    finance_clerk = _staff(town["a"], "finance", StaffRole.CLERK)  # not a finance page role
    bill = town["bills"]["payer"]
    for user in (clerk, finance_clerk):
        assert _found(user, bill.billing_account) == []
        assert _found(user, national_id_for(5151)) == []


def test_the_bill_links_to_its_page_with_amount_and_payer(town, client):
    cashier = _staff(town["a"], "finance", StaffRole.CASHIER)
    bill = town["bills"]["payer"]
    client.force_login(cashier)
    response = client.get("/en/staff/search/", {"q": bill.billing_account})
    (group,) = response.context["results"].groups
    (hit,) = group.hits
    assert hit.url == f"/en/payments/bills/{bill.billing_account}/"
    assert hit.detail_en == "Noura Aldossari · SAR 150.00"
    assert client.get(hit.url).status_code == 200


def test_the_provider_answers_in_one_query(town, django_assert_num_queries):
    cashier = _staff(town["a"], "finance", StaffRole.CASHIER)
    for _ in range(3):
        bill_make(person=town["payer"], municipality=town["a"], eservice=town["service"])
    staff_memberships(cashier)
    query = search_parties_resolve(search_query_parse(national_id_for(5151)))
    with django_assert_num_queries(1):
        assert len(bill_search(query=query, user=cashier, limit=2)) == 2
    with django_assert_num_queries(1):
        assert len(bill_search(query=query, user=cashier, limit=10)) == 4
