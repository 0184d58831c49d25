"""The holiday calendar page: upcoming and past holidays, add a day or a range, remove one
(confirmed). Admins of any municipality read it; the Amanah's admins change it."""


from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from amanah import clock
from amanah.dates import FIRST_SHOWABLE_DATE, LAST_SHOWABLE_DATE, business_date, dual_date_format
from amanah.errors import DomainError, PermissionDenied
from amanah.page_access import forbidden, portal_admin_required
from amanah.permissions import is_amanah_admin

from ..models import Holiday
from ..services.holidays import holiday_add, holiday_remove

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PAST_SHOWN = 30


class HolidayForm(forms.Form):
    date_from = forms.DateField(label=gettext_lazy("First day"), input_formats=["%Y-%m-%d"],
                                widget=DATE_WIDGET)
    date_to = forms.DateField(label=gettext_lazy("Last day"), input_formats=["%Y-%m-%d"],
                              widget=DATE_WIDGET, required=False,
                              help_text=gettext_lazy("Empty: a single day"))
    name_ar = forms.CharField(label=gettext_lazy("Name (Arabic)"), max_length=200,
                              widget=forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}))
    name_en = forms.CharField(label=gettext_lazy("Name (English)"), max_length=200,
                              widget=forms.TextInput(attrs={"dir": "ltr", "lang": "en"}))

    def clean(self):
        data = super().clean()
        for name in ("date_from", "date_to"):
            day = data.get(name)
            if day and not FIRST_SHOWABLE_DATE <= day <= LAST_SHOWABLE_DATE:
                self.add_error(name, _("Enter a date the Hijri calendar can show."))
        return data


def _language() -> str:
    return (get_language() or "ar")[:2]


@portal_admin_required
def holiday_list(request):
    today = business_date(clock.now())
    may_change = is_amanah_admin(request.user)
    form = HolidayForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not may_change:
            return forbidden(request)
        if form.is_valid():
            data = form.cleaned_data
            try:
                added = holiday_add(date_from=data["date_from"], date_to=data["date_to"],
                                    name_ar=data["name_ar"], name_en=data["name_en"],
                                    actor=request.user)
            except PermissionDenied:
                return forbidden(request)
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None,
                               error.message)
            else:
                language = _language()
                if len(added) == 1:
                    said = _("%(day)s is now a holiday; the SLA clock will not count it.") % {
                        "day": dual_date_format(added[0].date, language)}
                else:
                    said = _("%(count)s days from %(first)s to %(last)s are now holidays; the "
                             "SLA clock will not count them.") % {
                        "count": len(added), "first": dual_date_format(added[0].date, language),
                        "last": dual_date_format(added[-1].date, language)}
                messages.success(request, said)
                return redirect("workflow:holiday_list")
        status = 400
    upcoming = list(Holiday.objects.filter(date__gte=today).order_by("date"))
    past = list(Holiday.objects.filter(date__lt=today).order_by("-date")[:PAST_SHOWN])
    return render(request, "workflow/holidays/holiday_list.html", {
        "form": form, "upcoming": upcoming, "past": past, "may_change": may_change,
        "today": today,
    }, status=status)


@portal_admin_required
def holiday_delete(request, holiday_id: int):
    holiday = Holiday.objects.filter(pk=holiday_id).first()
    if holiday is None:
        raise Http404
    if not is_amanah_admin(request.user):
        return forbidden(request)
    error = None
    if request.method == "POST":
        try:
            holiday_remove(holiday_id=holiday.pk, actor=request.user)
        except PermissionDenied:
            return forbidden(request)
        except DomainError as refused:
            error = refused.message
        else:
            messages.success(request, _("%(day)s is no longer a holiday; the SLA clock counts "
                                        "it again.") % {
                "day": dual_date_format(holiday.date, _language())})
            return redirect("workflow:holiday_list")
    return render(request, "workflow/holidays/holiday_delete.html", {
        "holiday": holiday, "error": error,
        "is_past": holiday.date < business_date(clock.now()),
    }, status=400 if error else 200)
