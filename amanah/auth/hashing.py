"""Keyed hashes of second-factor secrets; no model imports, so models may use it too."""

from django.utils.crypto import salted_hmac


def recovery_code_hash(*, device_id: int, code: str) -> str:
    # Keyed (SECRET_KEY) and per device: the table alone does not give the codes away.
    normalised = "".join(code.split()).replace("-", "").lower()
    return salted_hmac("amanah.recovery_code", f"{device_id}:{normalised}",
                       algorithm="sha256").hexdigest()
