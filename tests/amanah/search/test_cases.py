"""Staff search finds cases by each key, only among the cases the user may read: held by their
department, or worked on by it before; never another branch's or another department's."""

import pytest

from amanah.enums import StaffRole
from amanah.search import search_query_parse, search_run
from tests.factories import CitizenFactory, EstablishmentFactory, national_id_for
from workflow.models import Case
from workflow.search import case_search
from workflow.services import case_route, case_submit, case_transfer

MOBILE = "+966551230099"


def _filed(world, *, person=None, establishment=None, municipality=None,
           subject="طلب إفادة") -> Case:
    submitter = person or establishment.representatives.first()
    case = case_submit(kind="general_correspondence", municipality=municipality or world.branch,
                       subject=subject, submitted_by=submitter.user, applicant_person=person,
                       applicant_establishment=establishment)
    case_route(case_id=case.pk)
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def people(world):
    """A Saudi citizen, an iqama holder and an establishment, each with a case in Khobar."""
    citizen = CitizenFactory(national_id=national_id_for(4242), municipality=world.branch,
                             name_ar="فاطمة الزهراني", name_en="Fatimah Alzahrani",
                             mobile=MOBILE)
    resident = CitizenFactory(national_id=national_id_for(4343, first_digit="2"),
                              municipality=world.branch, name_ar="راجيش كومار",
                              name_en="Rajesh Kumar")
    owner = CitizenFactory(municipality=world.branch, name_ar="سعد القحطاني",
                           name_en="Saad Alqahtani")
    establishment = EstablishmentFactory(unified_number="7001234567", municipality=world.branch,
                                         name_ar="مؤسسة البحر للمقاولات",
                                         name_en="Albahr Contracting",
                                         representatives=[owner])
    return {"citizen": _filed(world, person=citizen), "resident": _filed(world, person=resident),
            "establishment": _filed(world, establishment=establishment)}


def _found(user, text: str) -> list[str]:
    results = search_run(user=user, text=text)
    return [hit.number for group in results.groups if group.kind == "case" for hit in group.hits]


@pytest.mark.parametrize("key,text", [
    ("citizen", "number"),
    ("citizen", national_id_for(4242)),
    ("resident", national_id_for(4343, first_digit="2")),
    ("establishment", "7001234567"),
    ("citizen", "فاطمة الزهراني"),
    ("citizen", "فاطمه"),  # taa marbuta written as haa
    ("citizen", "fatimah alz"),
    ("establishment", "البحر"),
    ("establishment", "albahr contracting"),
    ("citizen", "0551230099"),
    ("citizen", "551230099"),
    ("citizen", "966551230099"),
    ("citizen", "+966551230099"),
    ("citizen", "+966 55 123 0099"),
])
def test_a_clerk_finds_the_case_by_each_key(world, people, key, text):
    clerk = world.staff("customer_service", StaffRole.CLERK)
    case = people[key]
    assert _found(clerk, case.number.lower() if text == "number" else text) == [case.number]


def test_the_english_name_of_the_establishment_finds_only_its_case(world, people):
    clerk = world.staff("customer_service", StaffRole.CLERK)
    assert _found(clerk, "Contracting") == [people["establishment"].number]


@pytest.mark.parametrize("text", ["number", national_id_for(4242), "فاطمة", "Fatimah",
                                  "0551230099"])
def test_a_clerk_of_another_branch_finds_nothing_by_any_key(world, people, text):
    case = _filed(world, person=people["citizen"].applicant_person,
                  municipality=world.other_branch)
    khobar_clerk = world.staff("customer_service", StaffRole.CLERK)
    dammam_clerk = world.staff("customer_service", StaffRole.CLERK,
                               municipality=world.other_branch)
    query = case.number if text == "number" else text
    # the Dammam clerk finds the Dammam case only; the Khobar clerk never finds it
    assert case.number not in _found(khobar_clerk, query)
    assert _found(dammam_clerk, query) == [case.number]


def test_another_department_finds_the_case_only_once_it_worked_on_it(world, people):
    case = people["citizen"]
    clerk = world.staff("customer_service", StaffRole.CLERK)
    engineer = world.staff("engineering", StaffRole.REVIEWER)
    lawyer = world.staff("legal", StaffRole.REVIEWER)
    assert _found(engineer, case.number) == []
    assert _found(engineer, national_id_for(4242)) == []
    # when customer service transfers it to engineering
    case_transfer(case_id=case.pk, actor=clerk, department_code="engineering", note="للاختصاص")
    # then engineering finds it, customer service still finds it, legal still does not
    assert _found(engineer, national_id_for(4242)) == [case.number]
    assert _found(clerk, national_id_for(4242)) == [case.number]
    assert _found(lawyer, case.number) == []


def test_the_provider_answers_in_one_query_whatever_it_finds(world, people,
                                                             django_assert_num_queries):
    clerk = world.staff("customer_service", StaffRole.CLERK)
    for _ in range(3):
        _filed(world, person=people["citizen"].applicant_person)
    query = search_query_parse(national_id_for(4242))
    # the parties and the memberships are read first, once per search (search_run does it)
    from amanah.permissions import staff_memberships
    from amanah.search import search_parties_resolve
    staff_memberships(clerk)
    query = search_parties_resolve(query)
    with django_assert_num_queries(1):
        hits = case_search(query=query, user=clerk, limit=3)
    assert len(hits) == 3
    with django_assert_num_queries(1):
        assert len(case_search(query=query, user=clerk, limit=10)) == 4


def test_hits_are_newest_first_and_capped_per_kind(world, people):
    clerk = world.staff("customer_service", StaffRole.CLERK)
    for _ in range(3):
        _filed(world, person=people["citizen"].applicant_person)
    results = search_run(user=clerk, text=national_id_for(4242), limit_per_kind=2)
    (group,) = results.groups
    assert len(group.hits) == 2 and group.is_capped
    newest = list(Case.objects.filter(applicant_person=people["citizen"].applicant_person)
                  .order_by("-submitted_at", "-id").values_list("number", flat=True)[:2])
    assert [hit.number for hit in group.hits] == newest
