"""Reads of issued permits. Who may see a permit is decided here, once: its holder (a person,
or the representatives of a holding establishment), the parties of the application that issued
it, and the staff of its municipality. Everyone else gets 404, whatever number they guess.
The public verification page reads only what the certificate prints."""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet

from amanah import clock
from amanah.dates import business_date
from amanah.errors import DomainError
from amanah.permissions import person_for_user
from payments.services.fees import fee_calculate

from .enums import APPLICATION_OPEN, ApplicationKind, FeeStage, FieldKind, PermitStatus
from .models import Application, ApplicationFee, Permit, PermitEvent, PermitObjection
from .selectors import application_party_filter, staff_municipality_ids

PERMIT_RELATED = ("permit_type", "municipality", "parcel__district", "holder_person",
                  "holder_establishment")
# token_urlsafe(24): 32 characters; anything else is not a token we made.
_VERIFY_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


def _person_condition(person) -> Q:
    # The establishments' ids are read first (one small query), as workflow's "my cases" does,
    # so the condition stays a few plain ones on indexed columns.
    establishment_ids = list(person.establishments.values_list("pk", flat=True))
    party_of = Application.objects.filter(application_party_filter(person)).values("pk")
    return (Q(holder_person_id=person.pk) | Q(holder_establishment_id__in=establishment_ids)
            | Q(application_id__in=party_of))


def permit_list_for_person(*, user) -> QuerySet[Permit]:
    """"My permits": held by the user (or an establishment they represent), or issued on an
    application they are a party to (the office that prepared it), newest first."""
    person = person_for_user(user)
    if person is None:
        return Permit.objects.none()
    return (Permit.objects.filter(_person_condition(person)).select_related(*PERMIT_RELATED)
            .order_by("-issued_on", "-id"))


def permits_visible_to(user) -> QuerySet[Permit]:
    """Every permit `user` may open: as holder or party, or as staff of its municipality."""
    if not getattr(user, "is_authenticated", False):
        return Permit.objects.none()
    condition = Q(pk__in=[])
    person = person_for_user(user)
    if person is not None:
        condition |= _person_condition(person)
    municipalities = staff_municipality_ids(user)
    if municipalities:
        condition |= Q(municipality_id__in=municipalities)
    return Permit.objects.filter(condition)


def permit_get_for(user, number: str) -> Permit | None:
    """The permit by its number if `user` may see it, else None (→ 404)."""
    return (permits_visible_to(user).select_related(*PERMIT_RELATED, "permit_type__eservice")
            .filter(number=number).first())


def application_get_for_party(user, reference: str) -> Application | None:
    """The application by its reference if `user` is a party to it (staff who only see it
    are not: an objection is the applicant side's), else None (→ 404)."""
    person = person_for_user(user)
    if person is None:
        return None
    return (Application.objects.filter(application_party_filter(person), reference=reference)
            .select_related("permit_type", "municipality").first())


def permit_sub_permits(permit: Permit) -> list[Permit]:
    """The permits hanging from this one (signage on a shop licence), which follow its
    suspension and cancellation."""
    return list(permit.sub_permits.select_related("permit_type").order_by("number"))


def permit_get_for_verification(*, token: str) -> Permit | None:
    """The permit a QR code points to, or None for a malformed or unknown token (the two look
    alike to the caller)."""
    if not _VERIFY_TOKEN.fullmatch(token or ""):
        return None
    return (Permit.objects.select_related("permit_type", "municipality", "parcel__district",
                                          "holder_person", "holder_establishment")
            .filter(verification_token=token).first())


def permit_status_today(permit: Permit, today: dt.date | None = None) -> str:
    """The status a reader should be told: a permit past its last day is expired even before
    the nightly job has written it so."""
    today = today or business_date(clock.now())
    if (permit.status in (PermitStatus.VALID, PermitStatus.SUSPENDED)
            and permit.valid_until is not None and permit.valid_until < today):
        return PermitStatus.EXPIRED
    return permit.status


def masked_id(value: str) -> str:
    """All but the last four digits hidden: enough to match a paper, not to reuse the ID."""
    value = value or ""
    return "•" * max(len(value) - 4, 0) + value[-4:]


def certificate_is_ready(permit: Permit) -> bool:
    """The stored certificate shows the permit as it is now (certificate_ensure makes it, and
    makes it again after a renewal, amendment or replacement)."""
    from .certificates import certificate_is_current

    return certificate_is_current(permit)


# --- The permit page ------------------------------------------------------------------------


@dataclass(frozen=True)
class DetailRow:
    label: str
    value: str


@dataclass(frozen=True)
class ActionOption:
    """One thing the holder can do now (or why not)."""

    code: str
    available: bool
    explanation: str
    fees: tuple = ()  # (stage, amount) the action will bill


@dataclass
class PermitPage:
    permit: Permit
    status: str
    details: list[DetailRow]
    versions: list
    events: list
    is_holder: bool
    is_staff: bool
    may_decide: bool
    certificate_ready: bool
    open_applications: list = field(default_factory=list)
    objections: list = field(default_factory=list)
    actions: list[ActionOption] = field(default_factory=list)
    decision_on: dt.date | None = None
    objection_due_on: dt.date | None = None
    renewal_opens: dt.date | None = None
    late_renewal_until: dt.date | None = None


def _value_text(type_field, value, language: str) -> str:
    if type_field is None:
        return str(value)
    if type_field.kind == FieldKind.CHOICE:
        for choice in type_field.choices:
            if str(choice.get("value")) == str(value):
                return choice.get("en" if language.startswith("en") else "ar") or str(value)
    if type_field.kind == FieldKind.BOOLEAN:
        yes = value in (True, "true", "True", "1")
        return ("Yes" if yes else "No") if language.startswith("en") else ("نعم" if yes
                                                                           else "لا")
    unit = type_field.unit_en if language.startswith("en") else type_field.unit_ar
    return f"{value} {unit}".strip()


# Kept in Permit.details but shown in a part of its own (the licence's activities).
NOT_DETAIL_ROWS = frozenset({"activities"})


def permit_detail_rows(permit: Permit, fields: list, language: str) -> list[DetailRow]:
    """The approved details with the labels of the type's fields, in form order (details the
    type no longer has a field for are shown by their key, last). A licence's activities are
    not a detail row: the licence part of the page names them."""
    by_key = {f.key: f for f in fields}
    ordered = [f.key for f in fields if f.key in permit.details]
    ordered += sorted(k for k in permit.details if k not in by_key and k not in NOT_DETAIL_ROWS)
    return [DetailRow(label=by_key[k].label(language) if k in by_key else k,
                      value=_value_text(by_key.get(k), permit.details[k], language))
            for k in ordered]


def _stage_fee(permit: Permit, stage: str, rules: dict, today: dt.date):
    """(stage, amount) the stage would bill today, or None when the type does not bill it."""
    rule = rules.get(stage)
    if rule is None:
        return None
    quantity = permit.details.get(rule.quantity_field) if rule.quantity_field else None
    try:
        quote = fee_calculate(eservice=permit.permit_type.eservice,
                              municipality=permit.municipality, on=today, quantity=quantity,
                              component=stage)
    except DomainError:
        return None  # no schedule in force: the service refuses with the reason when asked
    return (stage, quote.amount)


def _actions(page: PermitPage, *, today: dt.date, rules: dict,
             open_kinds: set[str], objection_open: bool) -> list[ActionOption]:
    from django.utils.translation import gettext as _

    from .services.lifecycle import renewal_check

    permit = page.permit
    actions = []
    # Renew
    if ApplicationKind.RENEWAL in open_kinds:
        actions.append(ActionOption("renew", True, _(
            "A renewal is waiting for its fee; pay the bill shown below and the permit is "
            "renewed at once.")))
    else:
        try:
            is_late = renewal_check(permit, today=today)
        except DomainError as refusal:
            actions.append(ActionOption("renew", False, refusal.message))
        else:
            fees = [f for f in (_stage_fee(permit, FeeStage.RENEWAL, rules, today),
                                _stage_fee(permit, FeeStage.LATE_RENEWAL, rules, today)
                                if is_late else None) if f]
            months = permit.permit_type.validity_months
            text = (_("The permit expired; you can still renew it within the late renewal "
                      "period, with the late renewal fine.") if is_late else
                    _("Renewing extends the permit by %(months)s months from the day it ends.")
                    % {"months": months})
            actions.append(ActionOption("renew", True, text, tuple(fees)))
    # Amend
    if ApplicationKind.AMENDMENT in open_kinds:
        actions.append(ActionOption("amend", False, _(
            "An amendment of this permit is being reviewed; you can ask for another once it "
            "is decided.")))
    elif permit.status != PermitStatus.VALID or page.status != PermitStatus.VALID:
        actions.append(ActionOption("amend", False, _("Only a valid permit can be amended.")))
    else:
        actions.append(ActionOption("amend", True, _(
            "Change approved details (for example the number of floors). The change is "
            "reviewed like a new application; once approved the permit gets a new version "
            "and a new certificate.")))
    # Replace
    if ApplicationKind.REPLACEMENT in open_kinds:
        actions.append(ActionOption("replace", True, _(
            "A replacement certificate is waiting for its fee; pay the bill shown below.")))
    elif page.status != PermitStatus.VALID:
        actions.append(ActionOption("replace", False, _(
            "A replacement certificate is issued for a valid permit only.")))
    else:
        fee = _stage_fee(permit, FeeStage.REPLACEMENT, rules, today)
        actions.append(ActionOption("replace", True, _(
            "If the certificate was lost or damaged, a new one marked as a replacement is "
            "issued once the replacement fee is paid."), (fee,) if fee else ()))
    # Object
    if objection_open:
        actions.append(ActionOption("object", False, _(
            "Your objection to this decision is being heard by the legal department.")))
    elif today > page.objection_due_on:
        actions.append(ActionOption("object", False, _(
            "The 60 days to object to the last decision on this permit have passed.")))
    else:
        actions.append(ActionOption("object", True, _(
            "You can object to the last decision on this permit within 60 days of it; the "
            "legal department hears the objection.")))
    return actions


def permit_page_get(*, user, number: str, language: str) -> PermitPage | None:
    """Everything the permit page shows, in a fixed number of queries; None → 404."""
    from amanah.permissions import staff_memberships

    from .services.lifecycle import (
        objection_due_on,
        permit_decision_date,
        permit_is_held_by,
        permit_staff_may_decide,
        renewal_window,
    )

    permit = permit_get_for(user, number)
    if permit is None:
        return None
    today = business_date(clock.now())
    fields = list(permit.permit_type.fields.all())
    rules = {r.stage: r for r in permit.permit_type.fee_rules.all()}
    person = person_for_user(user)
    is_holder = permit_is_held_by(permit, person)
    is_staff = any(m.department.municipality_id == permit.municipality_id
                   for m in staff_memberships(user))
    open_applications = list(
        Application.objects.filter(permit=permit, status__in=APPLICATION_OPEN)
        .select_related("case")
        .prefetch_related(Prefetch("fees", queryset=ApplicationFee.objects
                                   .select_related("bill").order_by("billed_at", "id")))
        .order_by("-created_at", "-id"))
    objections = list(PermitObjection.objects.filter(permit=permit)
                      .select_related("case__state").order_by("-filed_at", "-id"))
    from workflow.enums import StatusCategory

    decision_on = permit_decision_date(permit)
    window = renewal_window(permit)
    page = PermitPage(
        permit=permit, status=permit_status_today(permit, today),
        details=permit_detail_rows(permit, fields, language),
        versions=list(permit.versions.order_by("-version")),
        events=list(PermitEvent.objects.filter(permit=permit).order_by("-seq")),
        is_holder=is_holder, is_staff=is_staff,
        may_decide=permit_staff_may_decide(user, permit),
        certificate_ready=certificate_is_ready(permit), open_applications=open_applications,
        objections=objections, decision_on=decision_on,
        objection_due_on=objection_due_on(decision_on),
        renewal_opens=window[0] if window else None,
        late_renewal_until=window[1] if window else None)
    if is_holder:
        page.actions = _actions(
            page, today=today, rules=rules,
            open_kinds={a.kind for a in open_applications},
            objection_open=any(o.case.category not in StatusCategory.terminal()
                               for o in objections))
    return page
