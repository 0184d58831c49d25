"""What production settings refuse to start with: demo features outside a training deployment,
and SADAD keys that are weak, shipped with the source, used for two roles, or from the other
kind of deployment.

Plain functions of the configured values, called by production.py while it is imported: a
refusal there stops gunicorn, the Celery worker and beat and every manage.py command before
anything is served. (A system check would not: gunicorn never runs them.) The messages name
the setting and never quote the secret, so they can go to any log.

How a training key is told from a production one: every SADAD key of a training deployment
starts with `training-` (its random part after the mark), and a production deployment refuses
any key that does. The two sets are disjoint by construction, so a production key copied into
a training portal stops it at start-up, and a training key can never sign for production. The
mark is part of the key itself (HMAC takes the whole string), which costs nothing: HMAC keys
are agreed, not issued, and the training portal's simulator signs with its own anyway.
"""

import math
from collections import Counter

PRODUCTION = "production"
TRAINING = "training"
DEPLOYMENTS = (PRODUCTION, TRAINING)
TRAINING_KEY_MARK = "training-"

# The keys this repository ships (base.py's `make run` defaults and test.py's): public, so a
# portal that accepted them would accept forged payments.
DEMO_INBOUND_KEY = "demo-inbound-key"
DEMO_OUTBOUND_KEY = "demo-outbound-key"
DEMO_SIMULATOR_KEY = "demo-simulator-key"
TEST_INBOUND_KEYS = ["test-inbound-key", "test-inbound-key-old"]
TEST_OUTBOUND_KEY = "test-outbound-key"
TEST_SIMULATOR_KEY = "test-simulator-key"
SHIPPED_KEYS = frozenset({DEMO_INBOUND_KEY, DEMO_OUTBOUND_KEY, DEMO_SIMULATOR_KEY,
                          *TEST_INBOUND_KEYS, TEST_OUTBOUND_KEY, TEST_SIMULATOR_KEY})

# HMAC-SHA256 wants a key of 32 random bytes (RFC 2104: not shorter than the hash). Characters
# are counted, not bytes, since keys are configured as text: `secrets.token_hex(32)` (64
# characters, ~244 bits by the estimate below) and `token_urlsafe(32)` (43, ~208) both pass.
KEY_MIN_CHARACTERS = 32
KEY_MIN_BITS = 128
KEY_ADVICE = "use 32 random bytes, e.g. python -c 'import secrets; print(secrets.token_hex(32))'"


def entropy_bits(secret: str) -> float:
    """An upper bound on the key's randomness from its character frequencies: a key made of
    few distinct characters ("1111…", "abab…") scores low whatever its length."""
    total = len(secret)
    return -sum(count * math.log2(count / total) for count in Counter(secret).values())


def _repeats_a_block(secret: str) -> bool:
    """"0123456789abcdef" four times has many distinct characters and is still no secret."""
    return any(secret == (secret[:period] * (len(secret) // period + 1))[:len(secret)]
               for period in range(1, len(secret) // 2 + 1))


def key_problems(where: str, key: str, *, deployment: str) -> list[str]:
    """Why this one key may not be used in this deployment (nothing when it may)."""
    if key in SHIPPED_KEYS:
        return [f"{where} is a demo key shipped with the portal's source; {KEY_ADVICE}"]
    secret = key
    if deployment == TRAINING:
        if not key.startswith(TRAINING_KEY_MARK):
            return [f"{where} is not marked for training: with AMANAH_DEPLOYMENT=training every "
                    f"SADAD key starts with '{TRAINING_KEY_MARK}' followed by its random part, so "
                    "that no production key can be used there"]
        secret = key[len(TRAINING_KEY_MARK):]
    elif key.startswith(TRAINING_KEY_MARK):
        return [f"{where} is marked for training ('{TRAINING_KEY_MARK}…'), which a production "
                "deployment refuses"]
    if len(secret) < KEY_MIN_CHARACTERS:
        return [f"{where} is too short ({len(secret)} characters, at least "
                f"{KEY_MIN_CHARACTERS}); {KEY_ADVICE}"]
    if entropy_bits(secret) < KEY_MIN_BITS or _repeats_a_block(secret):
        return [f"{where} is too predictable (repeated or few distinct characters); "
                f"{KEY_ADVICE}"]
    return []


def sadad_key_problems(*, roles: dict[str, list[str]], deployment: str,
                       secret_key: str = "") -> list[str]:
    """Every reason the SADAD keys, by role (setting name → its keys), may not be used: each
    key on its own, then any key held by two roles (or equal to DJANGO_SECRET_KEY) — a key that
    leaks from one role must not let anyone sign for another."""
    problems = []
    holders: dict[str, list[str]] = {}
    for setting, keys in roles.items():
        for index, key in enumerate(keys, start=1):
            where = setting if len(keys) == 1 else f"{setting} (key {index} of {len(keys)})"
            problems += key_problems(where, key, deployment=deployment)
            if setting not in holders.setdefault(key, []):
                holders[key].append(setting)
    for key, settings in holders.items():
        if len(settings) > 1:
            problems.append(f"{' and '.join(settings)} hold the same key: each role needs its "
                            "own")
        if secret_key and key == secret_key:
            problems.append(f"{settings[0]} holds the same value as DJANGO_SECRET_KEY: each "
                            "role needs its own")
    return problems
