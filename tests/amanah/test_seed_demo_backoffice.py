"""The demo data the back office shows on `make run`: counter filings and a counter fee, a
pilot's 90 days, thresholds one pilot meets and one does not, a live branch to compare with,
messages already sent to the demo citizen, and a draft in the designer."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from amanah import clock
from amanah.enums import NotificationStatus, RolloutState
from amanah.models import EService, EServiceRollout, Municipality, Notification, PilotThreshold
from amanah.rollout import pilot_gate_evaluate
from payments.models import Bill
from workflow.demo import HISTORY_SUBJECTS
from workflow.enums import CaseChannel, StatusCategory, VersionStatus
from workflow.models import Case, CaseEvent, DefinitionVersion

pytestmark = pytest.mark.django_db

KHOBAR_CITIZEN = "1012345672"


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {"cases": Case.objects.count(), "events": CaseEvent.objects.count(),
            "bills": Bill.objects.count(), "notifications": Notification.objects.count(),
            "thresholds": PilotThreshold.objects.count(),
            "versions": DefinitionVersion.objects.count()}


def test_the_demo_has_counter_cases_and_a_counter_fee_filed_by_khobars_clerk():
    # given the demo data
    _seed()
    # then two of the Khobar citizen's transactions were filed at the counter by the clerk
    counter_cases = Case.objects.filter(channel=CaseChannel.COUNTER)
    assert counter_cases.count() == 2
    assert set(counter_cases.values_list("applicant_person__national_id", flat=True)) == {
        KHOBAR_CITIZEN}
    assert set(counter_cases.values_list("submitted_by__username", flat=True)) == {
        "khb.customer_service.clerk"}
    # and one fee was issued for him at the counter
    fee = Bill.objects.get(payable_ref="DEMO-COUNTER-1")
    assert fee.payer_person.national_id == KHOBAR_CITIZEN
    assert fee.issued_by.username == "khb.customer_service.clerk"


def test_the_rollout_matrix_shows_one_pilot_meeting_its_thresholds_and_one_not():
    # given the demo data
    _seed()
    complaint = EService.objects.get(code="complaint")
    # then complaints have two thresholds
    assert set(PilotThreshold.objects.filter(eservice=complaint)
               .values_list("metric", "bound", "value")) == {("cases", "min", 5),
                                                             ("sla_met", "min", 60)}
    # and Khobar's pilot meets them while Central Dammam's does not (too few complaints, and
    # the one it closed was late)
    khobar = pilot_gate_evaluate(eservice=complaint,
                                 municipality=Municipality.objects.get(code="KHB"),
                                 at=clock.now())
    dammam = pilot_gate_evaluate(eservice=complaint,
                                 municipality=Municipality.objects.get(code="DMM"),
                                 at=clock.now())
    assert khobar.passes is True
    assert dammam.passes is False
    assert [(c.metric, c.passed) for c in dammam.checks] == [("cases", False),
                                                             ("sla_met", False)]
    # and Qatif runs complaints live, the branch the scorecards compare the pilots with
    assert EServiceRollout.objects.get(eservice=complaint,
                                       municipality__code="QTF").state == RolloutState.LIVE


def test_the_scorecards_have_closed_returned_and_open_complaints_over_90_days():
    # given the demo data
    _seed()
    history = Case.objects.filter(subject__in=HISTORY_SUBJECTS)
    # then 16 complaints spread over the last 90 days in Khobar, Dammam and Qatif
    assert history.count() == 16
    assert dict(history.values_list("municipality__code").annotate(n=Count("id"))
                .order_by()) == {"KHB": 8, "DMM": 3, "QTF": 5}
    oldest = min(history.values_list("submitted_at", flat=True))
    assert 75 <= (clock.now() - oldest).days <= 90
    assert history.filter(category=StatusCategory.CLOSED).count() == 10
    assert history.filter(category=StatusCategory.AWAITING_APPLICANT).count() == 3
    # and every closed one closed after it was submitted
    for case in history.filter(category=StatusCategory.CLOSED):
        assert case.closed_at > case.submitted_at


def test_the_demo_citizen_has_sent_notifications_and_the_designer_a_draft():
    # given the demo data
    _seed()
    # then the Khobar citizen's messages were sent, none left waiting
    mine = Notification.objects.filter(person__national_id=KHOBAR_CITIZEN)
    assert mine.filter(status=NotificationStatus.SENT).count() > 0
    assert not Notification.objects.filter(status=NotificationStatus.QUEUED).exists()
    # and the complaints procedure has a draft after its published version
    versions = list(DefinitionVersion.objects.filter(definition__code="complaint",
                                                     definition__municipality__code="EPA")
                    .order_by("number").values_list("number", "status"))
    assert versions == [(1, VersionStatus.PUBLISHED), (2, VersionStatus.DRAFT)]


def test_a_second_seed_adds_none_of_the_back_office_demo():
    # given the demo data seeded once
    _seed()
    before = _counts()
    # when it is seeded again
    output = _seed()
    # then nothing was added
    assert _counts() == before
    assert "cases filed at the counter: 0 created, 2 kept" in output
    assert "pilot thresholds: 0 created, 2 kept" in output
    assert "counter fee: kept" in output
    assert "notifications of the demo's events: none waiting" in output
