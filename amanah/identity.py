"""Saudi identity formats: national ID / iqama, establishment unified number, mobile numbers.

Every function accepts Arabic-Indic (٠-٩) and Eastern Arabic-Indic (۰-۹) digits and works on
the normalised ASCII form, which is what is stored.
"""

import re

from .enums import IdType
from .errors import DomainError

_DIGIT_MAP = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def digits_normalise(value: str) -> str:
    """Arabic-Indic digits become ASCII; surrounding spaces go."""
    return (value or "").translate(_DIGIT_MAP).strip()


def luhn_is_valid(number: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def luhn_check_digit(payload: str) -> str:
    """The digit that, appended to `payload`, makes the whole number pass Luhn."""
    for candidate in "0123456789":
        if luhn_is_valid(payload + candidate):
            return candidate
    raise AssertionError("unreachable: one of ten digits always completes a Luhn number")


# The first digit of an official number says whose it is; the one place this rule is written.
_ID_TYPE_BY_FIRST_DIGIT = {
    "1": IdType.NATIONAL_ID,
    "2": IdType.IQAMA,
    "7": IdType.UNIFIED_NUMBER,
}
PERSON_ID_TYPES = frozenset({IdType.NATIONAL_ID, IdType.IQAMA})


def official_id_type(number: str) -> IdType | None:
    """What an official number is by its first digit: a national ID (1), an iqama (2) or an
    establishment's unified number (7); None for any other. The format is not checked."""
    return _ID_TYPE_BY_FIRST_DIGIT.get(digits_normalise(number)[:1])


def national_id_normalise(value: str) -> str:
    """A valid national ID (first digit 1) or iqama (first digit 2), as 10 ASCII digits."""
    number = digits_normalise(value)
    if not re.fullmatch(r"\d{10}", number):
        raise DomainError(
            "identity.bad_length",
            "رقم الهوية أو الإقامة يتكون من ١٠ أرقام.",
            "A national ID or iqama number has 10 digits.",
            field="national_id",
        )
    if official_id_type(number) not in PERSON_ID_TYPES:
        raise DomainError(
            "identity.bad_prefix",
            "رقم الهوية الوطنية يبدأ بـ ١ ورقم الإقامة يبدأ بـ ٢.",
            "A national ID starts with 1 and an iqama number with 2.",
            field="national_id",
        )
    if not luhn_is_valid(number):
        raise DomainError(
            "identity.bad_check_digit",
            "رقم الهوية غير صحيح، تأكد من الأرقام.",
            "This ID number is not valid; please check the digits.",
            field="national_id",
        )
    return number


def unified_number_normalise(value: str) -> str:
    """An establishment's unified number (الرقم الموحد): 10 ASCII digits starting with 7."""
    number = digits_normalise(value)
    if not re.fullmatch(r"\d{10}", number):
        raise DomainError(
            "identity.unified_bad_length",
            "الرقم الموحد للمنشأة يتكون من ١٠ أرقام.",
            "An establishment's unified number has 10 digits.",
            field="unified_number",
        )
    if official_id_type(number) != IdType.UNIFIED_NUMBER:
        raise DomainError(
            "identity.unified_bad_prefix",
            "الرقم الموحد للمنشأة يبدأ بالرقم ٧.",
            "An establishment's unified number starts with 7.",
            field="unified_number",
        )
    return number


def mobile_normalise(value: str) -> str:
    """A Saudi mobile number in E.164 (+9665 and eight digits), from 05…, 5…, 9665… or +9665…."""
    raw = re.sub(r"[\s\-()]", "", digits_normalise(value))
    if raw.startswith("+"):
        raw = raw[1:]
    elif raw.startswith("00"):
        raw = raw[2:]
    if re.fullmatch(r"05\d{8}", raw):
        raw = "966" + raw[1:]
    elif re.fullmatch(r"5\d{8}", raw):
        raw = "966" + raw
    if not re.fullmatch(r"9665\d{8}", raw):
        raise DomainError(
            "identity.bad_mobile",
            "رقم الجوال غير صحيح. اكتبه مثل 0551234567.",
            "This mobile number is not valid. Write it like 0551234567.",
            field="mobile",
        )
    return "+" + raw
