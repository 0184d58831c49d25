"""Counter service: a clerk files a request for a walk-in citizen, recorded as filed at the
counter by that clerk. Every refusal proves nothing was written, no case number was used and
nothing was queued."""

import pytest

from amanah import clock
from amanah.enums import RolloutState, StaffRole
from amanah.errors import DomainError
from amanah.models import EServiceRollout
from tests.factories import CitizenFactory, PersonFactory
from workflow.enums import ActorKind, CaseChannel, CaseEventKind
from workflow.models import Case, CaseCounter, CaseEvent
from workflow.services import case_submit, case_submit_at_counter

FILE = "/{lang}/transactions/counter/person/{person}/file/"
NOT_COUNTER_AR = ("لا تخدم كاونتر هذه البلدية: يلزم دور موظف أو رئيس قسم (أو أمين صندوق للرسوم) "
                  "في إدارة نشطة فيها أو في أمانتها.")
NOT_COUNTER_EN = ("You do not serve this municipality's counter: it takes a clerk's or head's "
                  "role (or a cashier's, for fees) in an active department there or at its "
                  "Amanah.")


@pytest.fixture
def clerk(world):
    """A customer-service clerk of the branch who is also a citizen with a Person of their own:
    at the counter they still act as staff, never as the applicant."""
    user = world.staff("customer_service", StaffRole.CLERK)
    PersonFactory(user=user, municipality=world.branch, name_ar="موظف الكاونتر",
                  mobile_confirmed_at=clock.now())
    return user


@pytest.fixture
def walk_in(world):
    """A citizen of the branch who has a portal account but came to the counter."""
    return CitizenFactory(municipality=world.branch, name_ar="سعاد الغامدي",
                          name_en="Suad Alghamdi")


def _post(client, person, lang="en", **data):
    body = {"kind": "general_correspondence", "subject": "طلب إفادة عن مخطط",
            "description": "حضر المواطن إلى الكاونتر"}
    body.update(data)
    return client.post(FILE.format(lang=lang, person=person.pk), body)


def _nothing_written():
    return (Case.objects.count(), CaseEvent.objects.count(), CaseCounter.objects.count())


def test_a_clerk_files_for_a_walk_in_citizen_and_the_case_records_the_counter(
        client, world, clerk, walk_in, django_capture_on_commit_callbacks):
    client.force_login(clerk)
    # given the form offers what the citizen could file online where they live
    form = client.get(FILE.format(lang="en", person=walk_in.pk)).context["form"]
    assert [code for code, _ in form.fields["kind"].choices] == [
        "complaint", "general_correspondence"]
    # when the clerk files a request for them
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = _post(client, walk_in)
    # then the case is the citizen's, filed at the counter by the clerk acting as staff
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/en/transactions/counter/filed/{case.pk}/"
    assert (case.channel, case.submitted_by, case.applicant_person, case.municipality) == (
        CaseChannel.COUNTER, clerk, walk_in, world.branch)
    submitted = case.events.get(kind=CaseEventKind.SUBMITTED)
    assert (submitted.actor, submitted.actor_kind, submitted.actor_role,
            submitted.department, submitted.payload) == (
        clerk, ActorKind.STAFF, StaffRole.CLERK,
        world.department("customer_service"), {"channel": "counter"})
    # routed after the commit, and the citizen told (SMS and email) that it was received
    assert sorted(callback.task_name for callback in callbacks) == [
        "amanah.notification_send", "amanah.notification_send", "workflow.case_route"]
    assert case.routed_at is not None
    # and the confirmation gives the number to hand over and the way to the case
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert case.number in page.content.decode()
    assert "Give this number to the citizen." in page.content.decode()
    assert f'href="/en/transactions/cases/{case.pk}/"' in page.content.decode()


def test_the_citizen_sees_the_counter_case_as_theirs_and_the_clerk_does_not(
        client, world, clerk, walk_in):
    case = case_submit_at_counter(clerk=clerk, person=walk_in, kind="general_correspondence",
                                  subject="طلب إفادة")
    # the citizen finds it under my transactions, and its page says it was filed at the counter
    client.force_login(walk_in.user)
    mine = client.get("/en/transactions/mine/")
    assert [c.number for c in mine.context["cases"]] == [case.number]
    page = client.get(f"/en/transactions/mine/{case.pk}/")
    assert page.status_code == 200
    assert f"At the counter, by {clerk.get_full_name()}" in page.content.decode()
    # the clerk's own "my transactions" does not list it: they filed it for someone else
    client.force_login(clerk)
    assert list(client.get("/en/transactions/mine/").context["cases"]) == []


def test_the_staff_case_page_says_who_filed_it_at_the_counter(client, world, clerk, walk_in):
    case = case_submit_at_counter(clerk=clerk, person=walk_in, kind="general_correspondence",
                                  subject="طلب إفادة")
    holder = world.staff("customer_service", StaffRole.REVIEWER)
    client.force_login(holder)
    page = client.get(f"/ar/transactions/cases/{case.pk}/")
    assert page.status_code == 200
    assert f"في الكاونتر، بواسطة {clerk.get_full_name()}" in page.content.decode()


def test_a_central_clerk_of_the_amanah_files_for_a_branch_citizen(world, walk_in):
    central = world.staff("customer_service", StaffRole.CLERK, municipality=world.amanah)
    case = case_submit_at_counter(clerk=central, person=walk_in, kind="complaint",
                                  subject="شكوى")
    event = case.events.get(kind=CaseEventKind.SUBMITTED)
    assert (case.municipality, event.department) == (
        world.branch, world.department("customer_service", world.amanah))


def test_a_pilot_is_open_at_the_counter_to_a_resident_of_the_municipality(world, walk_in):
    EServiceRollout.objects.filter(eservice__code="complaint", municipality=world.branch) \
        .update(state=RolloutState.PILOT)
    central = world.staff("customer_service", StaffRole.CLERK, municipality=world.amanah)
    case = case_submit_at_counter(clerk=central, person=walk_in, kind="complaint",
                                  subject="شكوى")
    assert case.channel == CaseChannel.COUNTER


@pytest.mark.parametrize("who", ["citizen", "other_branch_clerk", "reviewer", "inspector"])
def test_only_a_clerk_or_head_serving_that_counter_files_and_nothing_is_written(
        world, walk_in, who, django_capture_on_commit_callbacks):
    actor = {
        "citizen": lambda: world.other_citizen.user,
        "other_branch_clerk": lambda: world.staff("customer_service", StaffRole.CLERK,
                                                  municipality=world.other_branch),
        "reviewer": lambda: world.staff("customer_service", StaffRole.REVIEWER),
        "inspector": lambda: world.staff("inspection", StaffRole.INSPECTOR),
    }[who]()
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(DomainError) as refused:
            case_submit_at_counter(clerk=actor, person=walk_in, kind="general_correspondence",
                                   subject="طلب")
    assert (refused.value.code, refused.value.message_ar, refused.value.message_en) == (
        "counter.not_counter_staff", NOT_COUNTER_AR, NOT_COUNTER_EN)
    assert _nothing_written() == (0, 0, 0)
    assert callbacks == []


def test_case_submit_itself_refuses_a_counter_filing_by_a_clerk_of_another_branch(
        world, walk_in, django_capture_on_commit_callbacks):
    other = world.staff("customer_service", StaffRole.CLERK, municipality=world.other_branch)
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(DomainError) as refused:
            case_submit(kind="general_correspondence", municipality=world.branch,
                        subject="طلب", submitted_by=other, applicant_person=walk_in,
                        channel=CaseChannel.COUNTER)
    assert refused.value.code == "counter.not_counter_staff"
    assert (_nothing_written(), callbacks) == ((0, 0, 0), [])


def test_a_counter_filing_names_its_applicant(world, clerk):
    # the clerk's own Person is never taken for the applicant at the counter
    with pytest.raises(DomainError) as refused:
        case_submit(kind="general_correspondence", municipality=world.branch, subject="طلب",
                    submitted_by=clerk, channel=CaseChannel.COUNTER)
    assert refused.value.code == "workflow.counter_applicant_required"
    assert _nothing_written() == (0, 0, 0)


def test_a_citizen_gets_the_forbidden_page_and_nothing_is_written(client, world, walk_in):
    client.force_login(world.other_citizen.user)
    response = _post(client, walk_in)
    assert response.status_code == 403
    assert _nothing_written() == (0, 0, 0)


def test_a_clerk_of_another_branch_is_refused_on_the_page_in_both_languages(
        client, world, walk_in):
    other = world.staff("customer_service", StaffRole.CLERK, municipality=world.other_branch)
    client.force_login(other)
    for lang, message in (("ar", NOT_COUNTER_AR), ("en", NOT_COUNTER_EN)):
        response = _post(client, walk_in, lang=lang)
        assert response.status_code == 400
        assert response.context["form"].non_field_errors() == [message]
    assert _nothing_written() == (0, 0, 0)


def test_a_kind_that_is_off_in_the_citizens_municipality_is_refused_next_to_the_kind(
        client, world, clerk, walk_in, django_capture_on_commit_callbacks):
    EServiceRollout.objects.filter(eservice__code="complaint", municipality=world.branch) \
        .update(state=RolloutState.OFF)
    client.force_login(clerk)
    # it is not offered
    form = client.get(FILE.format(lang="en", person=walk_in.pk)).context["form"]
    assert [code for code, _ in form.fields["kind"].choices] == ["general_correspondence"]
    # and posted anyway, it is refused next to the kind, in the page's language
    with django_capture_on_commit_callbacks() as callbacks:
        english = _post(client, walk_in, kind="complaint")
        arabic = _post(client, walk_in, lang="ar", kind="complaint")
    assert (english.status_code, arabic.status_code) == (400, 400)
    assert english.context["form"].errors["kind"] == [
        "This service is not offered in Khobar yet."]
    assert arabic.context["form"].errors["kind"] == ["هذه الخدمة غير متاحة في بلدية الخبر بعد."]
    assert (_nothing_written(), callbacks) == ((0, 0, 0), [])


def test_an_unknown_person_id_is_not_found(client, world, clerk):
    client.force_login(clerk)
    response = client.post(FILE.format(lang="en", person=987654),
                           {"kind": "general_correspondence", "subject": "طلب"})
    assert response.status_code == 404
    assert _nothing_written() == (0, 0, 0)


def test_the_confirmation_is_only_for_the_clerk_who_filed(client, world, clerk, walk_in):
    case = case_submit_at_counter(clerk=clerk, person=walk_in, kind="general_correspondence",
                                  subject="طلب إفادة")
    for other in (world.staff("customer_service", StaffRole.HEAD), walk_in.user):
        client.force_login(other)
        assert client.get(f"/en/transactions/counter/filed/{case.pk}/").status_code == 404


def test_a_clerk_of_another_department_keeps_reading_what_they_filed(client, world, walk_in):
    # the counter's department is on the submitted event, so it is a department that worked
    # on the case: the central clerk can open the case page the confirmation links to
    central = world.staff("customer_service", StaffRole.CLERK, municipality=world.amanah)
    case = case_submit_at_counter(clerk=central, person=walk_in, kind="general_correspondence",
                                  subject="طلب إفادة")
    client.force_login(central)
    page = client.get(f"/en/transactions/cases/{case.pk}/")
    assert page.status_code == 200
    assert f"At the counter, by {central.get_full_name()}" in page.content.decode()


def test_the_public_status_check_answers_the_citizen_and_not_the_clerk(client, world, clerk,
                                                                       walk_in):
    case = case_submit_at_counter(clerk=clerk, person=walk_in, kind="general_correspondence",
                                  subject="طلب إفادة")
    citizen = client.post("/en/transactions/status/", {"number": case.number,
                                                        "national_id": walk_in.national_id})
    clerks_own_id = client.post("/en/transactions/status/", {
        "number": case.number, "national_id": clerk.person.national_id})
    assert (citizen.status_code, clerks_own_id.status_code) == (200, 404)
    assert citizen.context["result"].number == case.number
