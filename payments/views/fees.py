"""Fee schedule pages: every fee with its period in force, a fee's history, a new period from
a date (with a confirmation in words), and a preview of what a fee comes to."""


from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from amanah import clock
from amanah.dates import business_date, dual_date_format
from amanah.errors import DomainError, PermissionDenied
from amanah.money import sar_format
from amanah.page_access import portal_admin_required
from amanah.permissions import admin_municipalities

from .. import selectors_fees
from ..enums import FeeRuleKind
from ..fee_forms import FeeFilterForm, FeePeriodForm, FeePreviewForm
from ..services.fee_periods import fee_period_add, fee_period_plan, fee_schedule_may_change
from ..services.fees import fee_calculate
from .access import forbidden


def _language() -> str:
    return (get_language() or "ar")[:2]


def _money(value) -> str:
    return sar_format(value, _language())


def _rule_words(period) -> str:
    """'1,000.00 SAR' or '2.75 SAR per m², at least 100.00 SAR', in the page's language."""
    english = _language() == "en"
    unit = period.unit_en if english else (period.unit_ar or period.unit_en)
    if period.kind == FeeRuleKind.FIXED:
        words = _money(period.amount)
    elif unit:
        words = _("%(rate)s per %(unit)s") % {"rate": _money(period.amount), "unit": unit}
    else:
        words = _("%(rate)s per unit") % {"rate": _money(period.amount)}
    if period.minimum is not None:
        words = _("%(rule)s, at least %(minimum)s") % {"rule": words,
                                                       "minimum": _money(period.minimum)}
    return words


@portal_admin_required
def fee_list(request):
    today = business_date(clock.now())
    filters = FeeFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    eservice = chosen.get("eservice")
    rows = selectors_fees.fee_list(today=today, eservice_id=eservice.pk if eservice else None,
                                   municipality_class=chosen.get("municipality_class"))
    for row in rows:
        row.rule_words = _rule_words(row.shown)
    own = list(admin_municipalities(request.user).order_by("kind", "code"))
    return render(request, "payments/fees/fee_list.html", {
        "rows": rows, "filters": filters, "today": today,
        "classes": selectors_fees.municipalities_by_class(),
        "own_municipalities": own if len(own) <= 50 else own[:50],
        "may_change": fee_schedule_may_change(request.user),
    })


@portal_admin_required
def fee_detail(request, fee_id: int):
    found = selectors_fees.fee_detail(fee_id=fee_id)
    if found is None:
        raise Http404
    fee, periods = found
    today = business_date(clock.now())
    for usage in periods:
        usage.rule_words = _rule_words(usage.period)
        usage.is_current = (usage.period.effective_from <= today
                            and (usage.period.effective_to is None
                                 or usage.period.effective_to >= today))
    return render(request, "payments/fees/fee_detail.html", {
        "fee": fee, "periods": periods, "may_change": fee_schedule_may_change(request.user),
        "bills_url": reverse("payments:finance_bills"),
    })


class _PlanPeriod:
    """The planned period, shaped like a FeeSchedule for `_rule_words`."""

    def __init__(self, plan, unit_ar: str = "", unit_en: str = ""):
        self.kind, self.amount, self.minimum = plan.kind, plan.amount, plan.minimum
        self.unit_ar, self.unit_en = unit_ar, unit_en


def _form_refuse(form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@portal_admin_required
def fee_period_new(request, fee_id: int):
    found = selectors_fees.fee_detail(fee_id=fee_id)
    if found is None:
        raise Http404
    fee, periods = found
    if not fee_schedule_may_change(request.user):
        return forbidden(request)
    current = next((u.period for u in periods if u.period.effective_to is None), None)
    template = current or fee
    initial = {"effective_from": business_date(clock.now()), "kind": template.kind,
               "amount": template.amount, "minimum": template.minimum,
               "unit_ar": template.unit_ar, "unit_en": template.unit_en}
    form = FeePeriodForm(request.POST or None, initial=initial)
    context = {"fee": fee, "form": form, "current": current}
    if request.method != "POST":
        return render(request, "payments/fees/fee_period_new.html", context)
    if not form.is_valid():
        return render(request, "payments/fees/fee_period_new.html", context, status=400)
    data = form.cleaned_data
    try:
        if request.POST.get("confirmed") != "yes":
            plan = fee_period_plan(fee_id=fee.pk, effective_from=data["effective_from"],
                                   kind=data["kind"], amount=data["amount"],
                                   minimum=data["minimum"])
            planned = _PlanPeriod(plan, data["unit_ar"], data["unit_en"])
            context.update(plan=plan, sentence=_confirm_sentence_units(plan, planned))
            return render(request, "payments/fees/fee_period_confirm.html", context)
        new, closed = fee_period_add(fee_id=fee.pk, effective_from=data["effective_from"],
                                     kind=data["kind"], amount=data["amount"],
                                     minimum=data["minimum"], unit_ar=data["unit_ar"],
                                     unit_en=data["unit_en"], actor=request.user)
    except PermissionDenied:
        return forbidden(request)
    except DomainError as error:
        _form_refuse(form, error)
        return render(request, "payments/fees/fee_period_new.html", context, status=400)
    language = _language()
    if closed is not None:
        messages.success(request, _("A new period from %(start)s was added; the current one now "
                                    "ends on %(end)s.") % {
            "start": dual_date_format(new.effective_from, language),
            "end": dual_date_format(closed.effective_to, language)})
    else:
        messages.success(request, _("A new period from %(start)s was added.")
                         % {"start": dual_date_format(new.effective_from, language)})
    return redirect("payments:fee_detail", fee_id=new.pk)


def _confirm_sentence_units(plan, planned) -> str:
    language = _language()
    values = {"date": dual_date_format(plan.effective_from, language),
              "new": _rule_words(planned)}
    if plan.current is not None:
        values["old"] = _rule_words(plan.current)
        return _("From %(date)s the fee will be %(new)s instead of %(old)s. Bills already "
                 "issued keep their amount.") % values
    return _("From %(date)s the fee will be %(new)s. Bills already issued keep their "
             "amount.") % values


def _computation_words(quote) -> str:
    snapshot = quote.snapshot
    schedule = quote.schedule
    english = _language() == "en"
    unit = schedule.unit_en if english else (schedule.unit_ar or schedule.unit_en)
    if schedule.kind == FeeRuleKind.FIXED:
        words = _("A fixed amount: %(amount)s.") % {"amount": _money(schedule.amount)}
    else:
        words = _("%(rate)s × %(quantity)s %(unit)s = %(product)s.") % {
            "rate": _money(schedule.amount), "quantity": snapshot["quantity"],
            "unit": unit, "product": _money(schedule.amount * _decimal(snapshot["quantity"]))}
    if snapshot["minimum_applied"]:
        words += " " + _("That is below the minimum of %(minimum)s, so the minimum is charged.") \
            % {"minimum": _money(schedule.minimum)}
    return words


def _decimal(value):
    from decimal import Decimal

    return Decimal(value)


@portal_admin_required
def fee_preview(request):
    initial = {"on": business_date(clock.now())}
    # A link from the class list names only the municipality: an unasked form, pre-filled.
    asked = "eservice" in request.GET
    if not asked and request.GET.get("municipality", "").isdigit():
        initial["municipality"] = int(request.GET["municipality"])
    form = FeePreviewForm(request.GET if asked else None, initial=initial)
    context = {"form": form, "quote": None}
    status = 200
    if asked and form.is_valid():
        data = form.cleaned_data
        try:
            quote = fee_calculate(eservice=data["eservice"], municipality=data["municipality"],
                                  on=data["on"], quantity=data["quantity"],
                                  component=data["component"] or "",
                                  variant=data["variant"] or "")
        except DomainError as error:
            field = {"eservice": "eservice"}.get(error.field, error.field)
            _form_refuse(form, DomainError(error.code, error.message_ar, error.message_en,
                                           field=field))
            status = 400
        else:
            context.update(quote=quote, words=_computation_words(quote),
                           rule_words=_rule_words(quote.schedule),
                           municipality=data["municipality"], on=data["on"])
    elif asked:
        status = 400
    return render(request, "payments/fees/fee_preview.html", context, status=status)
