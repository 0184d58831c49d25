"""The public status check: the number and the applicant's ID give the status; an unknown
number and a wrong ID give the very same answer."""

import re

from .factories import case_new


def _result_block(html: str) -> str:
    match = re.search(r'<div class="error-summary wf-alert"[^>]*id="status-result">.*?</div>',
                      html, re.S)
    return match.group(0) if match else ""


def test_the_right_number_and_id_show_the_status(client, world):
    # given a routed case
    case = case_new(world)
    # when anyone (not signed in) checks it with the applicant's ID, in English
    response = client.post("/en/transactions/status/", {
        "number": case.number.lower(), "national_id": world.applicant.national_id})
    # then the step is shown, with the steps so far
    assert response.status_code == 200
    result = response.context["result"]
    assert (result.number, result.state_en, result.category) == (case.number, "In review",
                                                                  "in_review")
    assert [s.name_en for s in result.steps] == ["Submitted", "In review"]
    assert "In review" in response.content.decode()


def test_unknown_number_and_wrong_id_give_the_same_answer(client, world):
    # given a case
    case = case_new(world)
    # when someone tries an unknown number with the right ID, and the right number with a
    # wrong ID (another citizen's)
    unknown = client.post("/ar/transactions/status/", {
        "number": "KHB-1448-999999", "national_id": world.applicant.national_id})
    wrong_id = client.post("/ar/transactions/status/", {
        "number": case.number, "national_id": world.other_citizen.national_id})
    # then both get the same status and the same words, and nothing about the case
    assert unknown.status_code == wrong_id.status_code == 404
    assert unknown.context["result"] is None and wrong_id.context["result"] is None
    assert _result_block(unknown.content.decode()) == _result_block(wrong_id.content.decode())
    assert "لم نجد معاملة بهذا الرقم لهذه الهوية" in _result_block(unknown.content.decode())
    assert case.subject not in wrong_id.content.decode()


def test_an_empty_form_is_asked_again_not_a_500(client, world):
    response = client.post("/ar/transactions/status/", {"number": "", "national_id": ""})
    assert response.status_code == 400
    assert response.context["form"].errors.keys() == {"number", "national_id"}


def test_too_many_checks_from_one_address_are_refused(client, world, settings):
    # given a limit of 2 checks a minute per address
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "status_check": "address=2/m,id=10/h"}
    address = "10.20.30.40"
    case = case_new(world)
    right = {"number": case.number, "national_id": world.applicant.national_id}
    # when the address checks three times, the third time with the right data
    first = client.post("/ar/transactions/status/", {**right, "national_id": "1000000008"},
                        REMOTE_ADDR=address)
    second = client.post("/ar/transactions/status/", {**right, "national_id": "1000000016"},
                         REMOTE_ADDR=address)
    third = client.post("/ar/transactions/status/", right, REMOTE_ADDR=address)
    # then the third is refused without looking anything up, in the page shell
    assert (first.status_code, second.status_code, third.status_code) == (404, 404, 429)
    assert "result" not in third.context
    assert "طلبات كثيرة" in third.content.decode()
    assert case.number not in third.content.decode()
