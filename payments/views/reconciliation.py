"""Finance pages for reconciliation (spec §4): the runs, and a run's report with its exceptions."""

from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amanah.errors import DomainError

from .. import selectors
from ..reconciliation.enums import ReconCategory, ReviewStatus
from ..reconciliation.review import recon_item_review
from .access import finance_required

PAGE_SIZE = 25


class ReviewForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=gettext_lazy("Review note"), max_length=500,
                           widget=forms.TextInput(attrs={"autocomplete": "off"}))


@dataclass(frozen=True)
class CategoryRow:
    category: str
    label: str
    count: int
    amount: Decimal
    banks: list[tuple[str, int, Decimal]]


def _report(run) -> list[CategoryRow]:
    """Counts and amounts per category, and within each per bank, from the stored report."""
    rows = []
    for category in ReconCategory:
        banks = [(bank, figures["count"], Decimal(figures["amount"]))
                 for bank, figures in sorted((run.amounts or {}).get(category.value, {}).items())]
        rows.append(CategoryRow(
            category=category.value, label=category.label,
            count=(run.counts or {}).get(category.value, 0),
            amount=sum((amount for _bank, _n, amount in banks), Decimal("0.00")), banks=banks))
    return rows


def _may_review(scope) -> bool:
    # The file covers every municipality of the biller, so the Amanah's finance desk reviews it.
    return scope.municipality_ids is None


@finance_required
def runs(request):
    page = Paginator(selectors.recon_run_list_for_staff(), PAGE_SIZE).get_page(
        request.GET.get("page"))
    open_items = selectors.recon_exception_open_count()
    return render(request, "payments/finance/reconciliation_runs.html",
                  {"page": page, "open_items": open_items})


@finance_required
def run_report(request, run_id: int):
    run = selectors.recon_run_get_for_staff(pk=run_id)
    if run is None:
        raise Http404
    may_review = _may_review(request.finance)
    form, status = None, 200
    if request.method == "POST":
        if not may_review:
            raise Http404
        form = ReviewForm(request.POST)
        if form.is_valid():
            item = selectors.recon_run_exception_item_get(run=run,
                                                          item_id=form.cleaned_data["item"])
            if item is None:
                raise Http404
            try:
                recon_item_review(item_id=item.pk, actor=request.user,
                                  note=form.cleaned_data["note"])
            except DomainError as exc:
                form.add_error("note" if exc.field == "note" else None, exc.message)
            else:
                messages.success(request, _("The exception was marked as reviewed."))
                return redirect("payments:finance_reconciliation_run", run_id=run.pk)
        status = 400
    items = Paginator(selectors.recon_run_exception_items(run=run), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "payments/finance/reconciliation_run.html", {
        "run": run, "report": _report(run), "items": items, "may_review": may_review,
        "review_form": form, "failed_item": form.data.get("item") if form else None,
        "OPEN": ReviewStatus.OPEN,
    }, status=status)
