"""Production refuses to start without a real identity provider (or in a training deployment,
the simulated one). Without it nobody could sign up, and the simulator lets anyone claim any ID."""

import secrets

import pytest

from tests.test_deploy import _manage


@pytest.mark.parametrize(("overrides", "message"), [
    ({"NAFATH_BASE_URL": None}, "IDENTITY_PROVIDER=nafath needs NAFATH_BASE_URL"),
    ({"NAFATH_BASE_URL": "http://nafath.example.sa"}, "NAFATH_BASE_URL (https://"),
    ({"NAFATH_APP_ID": None}, "NAFATH_APP_ID"),
    ({"NAFATH_APP_KEY": None}, "NAFATH_APP_KEY"),
    ({"IDENTITY_PROVIDER": "nafath_simulator"},
     "allowed only with AMANAH_DEPLOYMENT=training"),
    ({"IDENTITY_PROVIDER": "password"}, "IDENTITY_PROVIDER must be nafath"),
])
def test_production_refuses_to_start_without_a_real_identity_provider(overrides, message):
    result = _manage("check", **overrides)
    assert result.returncode == 1
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_a_training_deployment_may_use_the_simulated_nafath():
    # (a training deployment also needs SADAD keys of its own, marked `training-`)
    training = "training-" + secrets.token_hex(32)
    result = _manage("check", IDENTITY_PROVIDER="nafath_simulator",
                     AMANAH_DEPLOYMENT="training", NAFATH_BASE_URL=None,
                     SADAD_INBOUND_KEYS=training + "a", SADAD_OUTBOUND_KEY=training + "b",
                     SADAD_SIMULATOR_KEY=training + "c")
    assert result.returncode == 0, result.stderr
