"""Two audiences, one presenter each. What an applicant is shown of a case — its fields, which
events and which fields of each, its documents — is defined once and is the same on their case
page and in the API; staff of the holding department see everything, internal notes included.
Staff actions carry an internal note (staff only) and an optional message to the applicant,
shown on the applicant's page and in the API and sent by SMS."""

import html
import json
import re

import pytest
from django.db import connection
from rest_framework.test import APIClient

from amanah.enums import StaffRole
from amanah.events import REWRITE_SETTING, audit_verify
from amanah.notifications import LocmemSmsBackend
from tests import samples
from workflow.enums import CaseEventKind, StatusCategory
from workflow.models import Case, CaseEvent, Transition
from workflow.services import (
    case_assign,
    case_attachment_add,
    case_claim,
    case_comment_add,
    case_return_to_applicant,
    case_transfer,
    case_transition,
)

from .factories import case_new
from .pages_helpers import snapshot

NOTE = "NOTE: the deed looks altered; legal should check it before anyone calls him"
MESSAGE = "Your request is now with the engineering department, which will study it."


def _named(user, first: str, last: str):
    user.first_name, user.last_name = first, last
    user.save(update_fields=["first_name", "last_name"])
    return user


def _api_client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _api(user, case) -> dict:
    response = _api_client(user).get(f"/api/v1/workflow/cases/{case.pk}/")
    assert response.status_code == 200
    return response.json()


def _page(client, user, case, *, language: str = "en"):
    client.force_login(user)
    page = "mine" if user.username.isdigit() else "cases"  # citizens sign in with their ID
    response = client.get(f"/{language}/transactions/{page}/{case.pk}/")
    assert response.status_code == 200
    return response


def _main_text(response) -> str:
    """The words of the page's main content: no tags, no attributes, no site header, and no
    labels or section headings (they name what is shown — "Submitted on" — and are no fact)."""
    body = response.content.decode()
    main = body[body.index("<main"):body.index("</main>")]
    main = re.sub(r"<(dt|label|h2)\b.*?</\1>", " ", main, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", main))


def _strings(value) -> list[str]:
    """Every text in a JSON answer, however deep."""
    if isinstance(value, dict):
        return [*value.keys(), *(s for v in value.values() for s in _strings(v))]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return [value] if isinstance(value, str) else []


def _keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for item in value for k in _keys(item)}
    return set()


def _pdf(name: str):
    return samples.upload(name, samples.pdf(), "application/pdf")


@pytest.fixture
def busy(world):
    """A case that has met everything staff and applicant do to one, with names to look for:
    claimed, commented (internally and not), documents (internal, and one corrected),
    assigned, transferred with a note, and returned to the applicant for correction."""
    case = case_new(world, subject="Fence height question")
    clerk = _named(world.staff("customer_service", StaffRole.CLERK), "Noura", "Clerkwoman")
    head = _named(world.staff("customer_service", StaffRole.HEAD), "Faisal", "Headman")
    reviewer = _named(world.staff("engineering", StaffRole.REVIEWER), "Huda", "Reviewerova")
    case_claim(case_id=case.pk, actor=clerk)
    case_comment_add(case_id=case.pk, actor=clerk, body="Internal: call the surveyor first",
                     is_internal=True)
    case_comment_add(case_id=case.pk, actor=clerk, body="We have received your papers")
    case_comment_add(case_id=case.pk, actor=world.applicant.user, body="Thank you, waiting")
    case_attachment_add(case_id=case.pk, actor=clerk, document=_pdf("surveyor-memo.pdf"),
                        is_internal=True)
    deed = case_attachment_add(case_id=case.pk, actor=world.applicant.user,
                               document=_pdf("deed-scan.pdf"))
    case_attachment_add(case_id=case.pk, actor=world.applicant.user,
                        document=_pdf("deed-scan-clear.pdf"), replaces_id=deed.pk)
    case_assign(case_id=case.pk, actor=head, assignee=head)
    case_transfer(case_id=case.pk, actor=head, department_code="engineering",
                  note="Transfer note: engineering owns fences")
    case_return_to_applicant(case_id=case.pk, actor=reviewer,
                             comment="Please attach the site plan")
    case = Case.objects.get(pk=case.pk)
    case.staff = {"clerk": clerk, "head": head, "reviewer": reviewer}
    return case


# Everything about `busy` someone might look for, and only the applicant's share of it may
# reach the applicant. Staff names, internal texts and internal or superseded documents are
# among them, so that both views are checked for what they must not say as well.
def _facts(world, case) -> set[str]:
    version = case.version
    staff = case.staff.values()
    return {
        case.number, case.subject, *[u.username for u in staff],
        *[u.get_full_name() for u in staff],
        "Internal: call the surveyor first", "We have received your papers",
        "Thank you, waiting", "Transfer note: engineering owns fences",
        "Please attach the site plan", "surveyor-memo.pdf", "deed-scan.pdf",
        "deed-scan-clear.pdf", *[d.name_en for d in world.departments.values()],
        *version.states.values_list("name_en", flat=True),
        *Transition.objects.filter(version=version).values_list("name_en", flat=True),
    }


def test_the_applicant_page_and_the_api_show_the_applicant_the_same_facts(client, world, busy):
    # given a case that has been through everything
    facts = _facts(world, busy)
    # when its applicant opens their page (in English) and asks the API for the case
    page = _main_text(_page(client, world.applicant.user, busy))
    api = _api(world.applicant.user, busy)
    answer = _strings(api)
    # then both tell the applicant exactly the same facts
    on_page = {fact for fact in facts if fact in page}
    in_api = {fact for fact in facts if any(fact in text for text in answer)}
    assert sorted(on_page - in_api) == []
    assert sorted(in_api - on_page) == []
    # (which are a good many: the comparison is not between two empty sets)
    assert on_page >= {busy.number, "Fence height question", "We have received your papers",
                       "Thank you, waiting", "Please attach the site plan", "deed-scan.pdf",
                       "deed-scan-clear.pdf", "Dept customer_service", "Dept engineering",
                       "Awaiting the applicant", "Return to the applicant for correction",
                       "Resubmit after correction", "Withdraw"}
    # and the same events, in the same order
    page_kinds = re.findall(r'class="wf-event wf-event-(\w+)"',
                            _page(client, world.applicant.user, busy).content.decode())
    assert [e["kind"] for e in api["events"]] == page_kinds == [
        "submitted", "routed", "commented", "commented", "attachment_added",
        "attachment_added", "transferred", "transition"]


def test_the_applicant_is_never_told_who_holds_the_case_or_what_staff_wrote_to_each_other(
        client, world, busy):
    # when the applicant reads the case in the API, alone and in their list
    detail = _api(world.applicant.user, busy)
    listing = _api_client(world.applicant.user).get("/api/v1/workflow/cases/").json()
    for answer in (detail, listing):
        text = json.dumps(answer, ensure_ascii=False)
        # then no member of staff is named, and no internal text or document shows
        for user in busy.staff.values():
            assert user.username not in text
            assert user.get_full_name() not in text
        for internal in ("Internal: call the surveyor first", "surveyor-memo.pdf",
                         "Transfer note: engineering owns fences"):
            assert internal not in text
        # and the answer has no field that could say any of it
        assert not _keys(answer) & {"assignee", "actor", "actor_role", "internal_note",
                                    "is_internal", "priority", "sla_status", "state_due_at",
                                    "can_claim", "can_assign", "transfer_departments"}
    # nor any claim, assignment or deadline event
    assert not {e["kind"] for e in detail["events"]} & {
        CaseEventKind.CLAIMED, CaseEventKind.ASSIGNED, CaseEventKind.SLA_AT_RISK,
        CaseEventKind.SLA_OVERDUE, CaseEventKind.ESCALATED}
    assert [d["name"] for d in detail["attachments"]] == ["deed-scan-clear.pdf"]
    assert detail["viewer"] == listing["results"][0]["viewer"] == "applicant"


def test_staff_see_the_holder_the_claims_and_the_internal_texts(client, world, busy):
    # (returned to the applicant, the case is customer service's again)
    head = busy.staff["head"]
    body = _api(head, busy)
    assert body["viewer"] == "staff"
    assert [e["kind"] for e in body["events"]] == [
        "submitted", "routed", "claimed", "commented", "commented", "commented",
        "attachment_added", "attachment_added", "attachment_added", "assigned", "transferred",
        "transition"]
    transfer = next(e for e in body["events"] if e["kind"] == "transferred")
    assert (transfer["internal_note"], transfer["message"], transfer["actor"]) == (
        "Transfer note: engineering owns fences", "", busy.staff["head"].username)
    assert {d["name"] for d in body["attachments"]} == {
        "surveyor-memo.pdf", "deed-scan.pdf", "deed-scan-clear.pdf"}
    page = _main_text(_page(client, head, busy))
    assert "Transfer note: engineering owns fences" in page
    assert "Internal: call the surveyor first" in page


def _sms_outbox(settings):
    settings.SMS_BACKEND = "amanah.notifications.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()
    return LocmemSmsBackend.outbox


def test_a_transfers_note_stays_with_staff_and_its_message_reaches_the_applicant(
        client, world, settings, django_capture_on_commit_callbacks):
    outbox = _sms_outbox(settings)
    case = case_new(world)
    clerk = world.staff("customer_service", StaffRole.CLERK)
    # when the clerk transfers the case with an internal note and a message to the applicant
    with django_capture_on_commit_callbacks(execute=True):
        case_transfer(case_id=case.pk, actor=clerk, department_code="engineering", note=NOTE,
                      message=MESSAGE)
    # then the applicant's page and API show the message, never the note
    page = _main_text(_page(client, world.applicant.user, case))
    api = json.dumps(_api(world.applicant.user, case), ensure_ascii=False)
    assert MESSAGE in page and MESSAGE in api
    assert NOTE not in page and NOTE not in api
    # and the SMS carries the message, and not the note
    assert [(m.to, m.body) for m in outbox] == [(
        world.applicant.mobile, f"أمانة: معاملتكم {case.number}: قيد الدراسة.\n{MESSAGE}")]
    # and engineering's staff see both, each marked for whom it is
    reviewer = world.staff("engineering", StaffRole.REVIEWER)
    staff_page = _page(client, reviewer, case)
    entry = next(e for e in staff_page.context["timeline"] if e.kind == "transferred")
    assert (entry.comment, entry.comment_label, entry.internal_note) == (
        MESSAGE, "Message to the applicant", NOTE)
    text = _main_text(staff_page)
    assert NOTE in text and MESSAGE in text
    event = next(e for e in _api(reviewer, case)["events"] if e["kind"] == "transferred")
    assert (event["internal_note"], event["message"]) == (NOTE, MESSAGE)


def test_a_transfer_without_a_message_sends_no_sms_and_shows_the_applicant_no_reason(
        client, world, settings, django_capture_on_commit_callbacks):
    # given a transfer with only its note, as every transfer was written before messages
    outbox = _sms_outbox(settings)
    case = case_new(world)
    with django_capture_on_commit_callbacks(execute=True):
        case_transfer(case_id=case.pk, actor=world.staff("customer_service", StaffRole.CLERK),
                      department_code="engineering", note=NOTE)
    # then the applicant sees that it moved, not why; and no SMS is sent
    response = _page(client, world.applicant.user, case)
    entry = next(e for e in response.context["timeline"] if e.kind == "transferred")
    assert (entry.title, entry.comment) == (
        "Referred from Dept customer_service to Dept engineering", "")
    assert NOTE not in response.content.decode()
    assert NOTE not in json.dumps(_api(world.applicant.user, case), ensure_ascii=False)
    assert outbox == []


def test_a_return_for_correction_carries_a_message_and_an_internal_note(
        client, world, settings, django_capture_on_commit_callbacks):
    outbox = _sms_outbox(settings)
    case = case_new(world)
    clerk = world.staff("customer_service", StaffRole.CLERK)
    # when the clerk returns the case from its page, with both texts
    client.force_login(clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/en/transactions/cases/{case.pk}/", {
            "op": "transition", "action": "return_to_applicant",
            "comment": "Please attach the site plan", "internal_note": NOTE,
            "expected_version": case.row_version})
    assert response.status_code == 302
    event = CaseEvent.objects.filter(case=case).order_by("-seq").first()
    assert (event.kind, event.reason, event.payload) == (
        CaseEventKind.TRANSITION, "Please attach the site plan", {"internal_note": NOTE})
    # then the applicant reads the message, on the page, in the API and by SMS, and not the note
    page = _main_text(_page(client, world.applicant.user, case))
    api = _api(world.applicant.user, case)
    assert "Please attach the site plan" in page
    assert api["events"][-1]["message"] == "Please attach the site plan"
    assert NOTE not in page and NOTE not in json.dumps(api, ensure_ascii=False)
    assert [m.body for m in outbox] == [
        f"أمانة: أُعيدت معاملتكم {case.number} إليكم لاستكمالها: بانتظار استكمال مقدم الطلب."
        "\nPlease attach the site plan"]
    # and staff see both
    assert NOTE in _main_text(_page(client, clerk, case))


def test_an_api_claim_with_a_message_tells_the_applicant_without_saying_who_claimed(
        world, settings, django_capture_on_commit_callbacks):
    outbox = _sms_outbox(settings)
    case = case_new(world)
    clerk = world.staff("customer_service", StaffRole.CLERK)
    with django_capture_on_commit_callbacks(execute=True):
        response = _api_client(clerk).post(f"/api/v1/workflow/cases/{case.pk}/claim/", {
            "internal_note": NOTE, "message": "We have started on your request."},
            format="json")
    assert response.status_code == 200
    staff_event = response.json()["events"][-1]
    assert (staff_event["kind"], staff_event["internal_note"], staff_event["message"]) == (
        "claimed", NOTE, "We have started on your request.")
    # the applicant gets a message from the department, not a claim
    applicant_event = _api(world.applicant.user, case)["events"][-1]
    assert {k: applicant_event[k] for k in ("kind", "by", "message")} == {
        "kind": "message", "by": "staff", "message": "We have started on your request."}
    assert applicant_event["department"]["name_en"] == "Dept customer_service"
    assert [m.body.splitlines()[-1] for m in outbox] == ["We have started on your request."]


def test_an_applicant_cannot_write_an_internal_note(world, django_capture_on_commit_callbacks):
    case = case_new(world)
    before = snapshot(case.pk)
    with django_capture_on_commit_callbacks() as callbacks:
        response = _api_client(world.applicant.user).post(
            f"/api/v1/workflow/cases/{case.pk}/transitions/",
            {"action": "withdraw", "comment": "no longer needed", "internal_note": "psst"},
            format="json")
    assert (response.status_code, response.json()["code"], response.json()["field"]) == (
        400, "workflow.internal_note_staff_only", "internal_note")
    assert snapshot(case.pk) == before
    assert callbacks == []


def test_the_service_refuses_an_applicants_internal_note_and_changes_nothing(world):
    from amanah.errors import DomainError

    case = case_new(world)
    before = snapshot(case.pk)
    with pytest.raises(DomainError) as refused:
        case_transition(case_id=case.pk, action="withdraw", actor=world.applicant.user,
                        comment="x", internal_note="psst")
    assert (refused.value.code, refused.value.field) == ("workflow.internal_note_staff_only",
                                                         "internal_note")
    assert snapshot(case.pk) == before
    assert Case.objects.get(pk=case.pk).category == StatusCategory.IN_REVIEW


def test_notes_and_messages_are_links_of_the_audit_chain(world):
    # given events with notes and messages of every staff action, and older-style ones
    case = case_new(world)
    clerk = world.staff("customer_service", StaffRole.CLERK)
    head = world.staff("customer_service", StaffRole.HEAD)
    case_claim(case_id=case.pk, actor=clerk, internal_note="claim note", message="claim msg")
    case_assign(case_id=case.pk, actor=head, assignee=head, internal_note="assign note",
                message="assign msg")
    case_transfer(case_id=case.pk, actor=head, department_code="engineering",
                  note="transfer note", message="transfer msg")
    reviewer = world.staff("engineering", StaffRole.REVIEWER)
    case_transition(case_id=case.pk, action="answer", actor=reviewer, comment="answered",
                    internal_note="answer note")
    # then every chain holds
    assert [(r.chain, r.ok) for r in audit_verify()] == [
        ("bill", True), ("case", True), ("inspection", True), ("payment", True),
        ("permit", True), ("permit_application", True), ("violation", True)]
    # and an internal note edited behind the portal's back breaks the link that holds it
    answer = CaseEvent.objects.filter(case=case).order_by("-seq").first()
    assert answer.payload == {"internal_note": "answer note"}
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL {REWRITE_SETTING} = 'on'")
        cursor.execute("UPDATE workflow_caseevent SET payload = %s WHERE id = %s",
                       ['{"internal_note": "nothing to see"}', answer.pk])
        cursor.execute(f"SET LOCAL {REWRITE_SETTING} = 'off'")
    result = audit_verify(chain="case")[0]
    assert (result.ok, result.event_id, result.reason) == (
        False, answer.pk, "content does not match its hash")


def test_the_schema_documents_both_audiences_and_the_answers_follow_it(client, world, busy):
    schema = client.get("/api/v1/schema/").json()
    components = schema["components"]["schemas"]
    detail = schema["paths"]["/api/v1/workflow/cases/{case_id}/"]["get"]["responses"]["200"]
    one_of = detail["content"]["application/json"]["schema"]
    assert one_of["$ref"] == "#/components/schemas/CaseDetail"
    assert {s["$ref"] for s in components["CaseDetail"]["oneOf"]} == {
        "#/components/schemas/ApplicantCase", "#/components/schemas/StaffCase"}
    applicant = _api(world.applicant.user, busy)
    staff = _api(busy.staff["head"], busy)
    assert set(applicant) == set(components["ApplicantCase"]["properties"])
    assert set(staff) == set(components["StaffCase"]["properties"])
    assert set(applicant["events"][0]) == set(components["ApplicantCaseEvent"]["properties"])
    assert set(staff["events"][0]) == set(components["StaffCaseEvent"]["properties"])

    def viewer(component: str) -> list:
        reference = components[component]["properties"]["viewer"]["allOf"][0]["$ref"]
        return components[reference.rsplit("/", 1)[1]]["enum"]

    assert viewer("ApplicantCase") == viewer("ApplicantCaseSummary") == ["applicant"]
    assert viewer("StaffCase") == viewer("StaffCaseSummary") == ["staff"]
    listing = schema["components"]["schemas"]["PaginatedCaseSummaryList"]
    assert listing["properties"]["results"]["items"] == {"$ref": "#/components/schemas/CaseSummary"}
    assert {s["$ref"] for s in components["CaseSummary"]["oneOf"]} == {
        "#/components/schemas/ApplicantCaseSummary", "#/components/schemas/StaffCaseSummary"}


def test_the_transfer_form_sends_a_message_and_keeps_the_note_among_staff(client, world):
    case = case_new(world)
    clerk = world.staff("customer_service", StaffRole.CLERK)
    client.force_login(clerk)
    response = client.post(f"/ar/transactions/cases/{case.pk}/", {
        "op": "transfer", "department": "engineering", "note": NOTE, "message": MESSAGE,
        "expected_version": case.row_version})
    assert response.status_code == 302
    event = CaseEvent.objects.filter(case=case).order_by("-seq").first()
    assert (event.kind, event.reason, event.payload) == (
        CaseEventKind.TRANSFERRED, NOTE, {"message": MESSAGE})
    page = _page(client, world.applicant.user, case)
    entry = page.context["timeline"][-1]
    assert (entry.kind, entry.comment, entry.internal_note) == ("transferred", MESSAGE, "")


def test_a_refused_transfer_gives_back_what_was_typed_and_changes_nothing(
        client, world, django_capture_on_commit_callbacks):
    # given a clerk who writes a message but forgets the transfer's note
    case = case_new(world)
    client.force_login(world.staff("customer_service", StaffRole.CLERK))
    before = snapshot(case.pk)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(f"/en/transactions/cases/{case.pk}/", {
            "op": "transfer", "department": "engineering", "note": " ", "message": MESSAGE,
            "expected_version": case.row_version})
    # then the note is asked for next to its field, the message is still there to send
    assert response.status_code == 400
    assert response.context["field_errors"] == {"transfer": {"note": "A note is required for "
                                                                     "this action."}}
    html_text = response.content.decode()
    assert (f'<textarea name="message" id="id_transfer_message" rows="2" maxlength="4000" '
            f'aria-describedby="transfer-message-hint">{MESSAGE}</textarea>') in html_text
    assert snapshot(case.pk) == before
    assert callbacks == []


def test_the_claim_form_carries_an_internal_note(client, world):
    case = case_new(world)
    clerk = world.staff("customer_service", StaffRole.CLERK)
    client.force_login(clerk)
    staff_page = client.get(f"/en/transactions/cases/{case.pk}/").content.decode()
    assert 'name="internal_note" id="id_claim_internal_note"' in staff_page
    response = client.post(f"/en/transactions/cases/{case.pk}/", {
        "op": "claim", "internal_note": "taking it: I know this street",
        "expected_version": case.row_version})
    assert response.status_code == 302
    event = CaseEvent.objects.filter(case=case).order_by("-seq").first()
    assert (event.kind, event.actor, event.reason, event.payload) == (
        CaseEventKind.CLAIMED, clerk, "taking it: I know this street", {"assignee": clerk.pk})
    # and the applicant hears nothing of it
    applicant = _api(world.applicant.user, case)
    assert [e["kind"] for e in applicant["events"]] == ["submitted", "routed"]


def test_my_transactions_and_the_api_list_show_the_applicant_the_same_cases(client, world, busy):
    other = case_new(world, subject="Streetlight out")
    client.force_login(world.applicant.user)
    page = client.get("/en/transactions/mine/")
    cards = [(c.number, c.subject, c.state.name_en) for c in page.context["cases"]]
    listing = _api_client(world.applicant.user).get("/api/v1/workflow/cases/").json()["results"]
    assert cards == [(c["number"], c["subject"], c["state"]["name_en"]) for c in listing] == [
        (other.number, "Streetlight out", "In review"),
        (busy.number, "Fence height question", "Awaiting the applicant")]
    assert set(listing[0]) == {"viewer", "id", "number", "kind", "subject", "state", "category",
                               "submitted_at", "due_at", "closed_at", "row_version"}
