"""The home pages: anonymous landing, citizen home, staff home."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from amanah.permissions import is_admin, is_staff_member, person_for_user
from amanah.selectors import eservice_list_for_person, staff_department_list
from amanah.staff_tools import staff_tools_for


def url_or_none(name: str, *args, **kwargs) -> str | None:
    """reverse(), but a URL name that does not exist (yet) gives None instead of a 500."""
    if not name:
        return None
    try:
        return reverse(name, args=args or None, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


# Public services other apps provide; shown on the anonymous home once their URL exists.
PUBLIC_SERVICE_URL_NAMES = (
    ("payments:bill_inquiry", "bill_inquiry"),
    ("workflow:status_check", "status_check"),
    ("permits:service_list", "permit_services"),
    ("permits:fee_calculator", "permit_fees"),
)


def home(request):
    user = request.user
    if not user.is_authenticated:
        public = [(key, url) for name, key in PUBLIC_SERVICE_URL_NAMES
                  if (url := url_or_none(name))]
        return render(request, "amanah/home_anonymous.html", {"public_services": public})
    person = person_for_user(user)
    if person is None:
        if is_staff_member(user) or user.is_superuser:
            return redirect("amanah:staff_home")
        return render(request, "amanah/home_citizen.html", {"person": None, "offers": []})
    offers = [(offer, url_or_none(offer.eservice.url_name))
              for offer in eservice_list_for_person(person=person)]
    return render(request, "amanah/home_citizen.html",
                  {"person": person, "offers": offers, "municipality": person.municipality})


@login_required
def staff_home(request):
    user = request.user
    if not (is_staff_member(user) or user.is_superuser):
        return render(request, "amanah/forbidden.html", status=403)
    departments = [(d, url_or_none("workflow:queue", d.department_id))
                   for d in staff_department_list(user=user)]
    return render(request, "amanah/staff_home.html",
                  {"departments": departments, "tool_groups": staff_tools_for(user),
                   "may_open_admin": is_admin(user) and user.is_staff})
