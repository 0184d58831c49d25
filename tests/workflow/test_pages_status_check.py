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
