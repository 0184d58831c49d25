"""Sign-in, sign-up, mobile confirmation, sign-out and the account page."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amanah import services
from amanah.enums import OneTimeCodePurpose
from amanah.errors import DomainError
from amanah.permissions import person_for_user
from amanah.selectors import staff_department_list

from .forms import CodeForm, SignInForm, SignUpForm, domain_error_to_form
from .providers import sign_in_provider

SIGN_UP_BACKEND = "amanah.auth.backends.NationalIdBackend"


def _next_url(request) -> str | None:
    candidate = request.POST.get("next") or request.GET.get("next")
    if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return candidate
    return None


def _after_sign_in(request, user):
    person = person_for_user(user)
    if person is not None and person.mobile_confirmed_at is None:
        return redirect("amanah:confirm_mobile")
    return redirect(_next_url(request) or "amanah:home")


def _render_sign_in(request, form, *, locked_out=False, status=200):
    return render(request, "amanah/auth/sign_in.html",
                  {"form": form, "next": _next_url(request) or "", "locked_out": locked_out,
                   "cooloff_minutes": round(float(settings.AXES_COOLOFF_TIME) * 60)},
                  status=status)


def sign_in(request):
    if request.user.is_authenticated and request.method == "GET":
        return redirect("amanah:home")
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = sign_in_provider().authenticate(request, **form.cleaned_data)
        if user is not None:
            login(request, user)
            return _after_sign_in(request, user)
        # When axes has just locked this name out, its middleware answers with lockout() below.
        form.add_error(None, _("The ID number (or username) or the password is not correct."))
    return _render_sign_in(request, form)


def lockout(request, credentials=None, *args, **kwargs):
    """AXES_LOCKOUT_CALLABLE: the sign-in page again, saying why, with 429 Too Many Requests."""
    form = SignInForm(initial={"username": (credentials or {}).get("username", "")})
    return _render_sign_in(request, form, locked_out=True, status=429)


@require_POST
def sign_out(request):
    logout(request)
    return redirect("amanah:home")


def sign_up(request):
    if request.user.is_authenticated:
        return redirect("amanah:home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.person_register(
                national_id=data["national_id"], name_ar=data["name_ar"],
                name_en=data["name_en"], mobile=data["mobile"], email=data["email"],
                municipality=data["municipality"], password=data["password1"])
        except DomainError as error:
            if error.field == "password":
                form.add_error("password1", error.message)
            else:
                domain_error_to_form(form, error)
        else:
            login(request, person.user, backend=SIGN_UP_BACKEND)
            messages.success(request, _("Your account is ready. We sent a code to your mobile."))
            return redirect("amanah:confirm_mobile")
    return render(request, "amanah/auth/sign_up.html", {"form": form})


def _masked(mobile: str) -> str:
    return f"{mobile[:5]}•••••{mobile[-3:]}" if len(mobile) > 8 else mobile


@login_required
def confirm_mobile(request):
    person = person_for_user(request.user)
    if person is None:
        return redirect("amanah:home")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.one_time_code_verify(person=person,
                                          purpose=OneTimeCodePurpose.MOBILE_CONFIRM,
                                          code=form.cleaned_data["code"])
        except DomainError as error:
            domain_error_to_form(form, error)
        else:
            messages.success(request, _("Your mobile number is confirmed."))
            return redirect("amanah:home")
    return render(request, "amanah/auth/confirm_mobile.html",
                  {"form": form, "person": person, "masked_mobile": _masked(person.mobile)},
                  status=200)


@login_required
@require_POST
def resend_code(request):
    person = person_for_user(request.user)
    if person is None:
        return redirect("amanah:home")
    try:
        services.one_time_code_resend(person=person, purpose=OneTimeCodePurpose.MOBILE_CONFIRM)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("A new code was sent to %(mobile)s.")
                         % {"mobile": _masked(person.mobile)})
    return redirect("amanah:confirm_mobile")


@login_required
def account(request):
    person = person_for_user(request.user)
    departments = staff_department_list(user=request.user)
    return render(request, "amanah/auth/account.html",
                  {"person": person, "departments": departments})
