"""The Django admin's rollout screens: no unlabelled selects in the list, and a change made
there meets the same pilot gate as the portal's matrix."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from amanah.enums import RolloutState, ThresholdBound
from amanah.models import EServiceRollout, PilotThreshold, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser():
    return User.objects.create_superuser("epa.admin.test", "admin@example.sa", "Admin-Pass-2026")


def _khobar(world, eservice):
    return EServiceRollout.objects.get(eservice=eservice, municipality=world.branch)


def test_the_rollout_list_has_no_select_without_a_label(client, world, superuser):
    client.force_login(superuser)
    html = client.get(reverse("admin:amanah_eservicerollout_changelist")).content.decode()
    # the list edits nothing in place: the only selects are the admin's own labelled action
    selects = re.findall(r"<select[^>]*>", html)
    assert all('name="action"' in select for select in selects)
    assert 'name="form-0-state"' not in html


def test_a_pilot_below_its_threshold_is_not_switched_live_in_the_admin(client, world, eservice,
                                                                      superuser):
    rollout = _khobar(world, eservice)
    EServiceRollout.objects.filter(pk=rollout.pk).update(state=RolloutState.PILOT)
    PilotThreshold.objects.create(eservice=eservice, metric="cases", bound=ThresholdBound.MIN,
                                  value=Decimal("5"), min_cases=5)
    history_before = rollout.history.count()
    client.force_login(superuser)
    with translation.override("en"):
        url = reverse("admin:amanah_eservicerollout_change", args=[rollout.pk])
    response = client.post(url, {"state": RolloutState.LIVE, "_save": "Save"})
    assert response.status_code == 200
    assert "the pilot is below its thresholds" in response.content.decode()
    assert _khobar(world, eservice).state == RolloutState.PILOT
    assert _khobar(world, eservice).history.count() == history_before
