"""Sign-in, sign-up, mobile confirmation, sign-out and the account page."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amanah import clock, services
from amanah.enums import OneTimeCodePurpose
from amanah.errors import DomainError
from amanah.models import Person, User
from amanah.permissions import person_for_user
from amanah.selectors import staff_department_list

from .devices import device_cookie_set, device_id_from_request, device_is_known, known_device_add
from .forms import CodeForm, SignInForm, domain_error_to_form
from .providers import sign_in_provider


def _next_url(request) -> str | None:
    candidate = request.POST.get("next") or request.GET.get("next")
    if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return candidate
    return None


def _after_sign_in(request, user):
    person = person_for_user(user)
    if person is not None:
        services.person_language_remember(person=person, language=get_language())
    if person is not None and person.mobile_confirmed_at is None:
        return redirect("amanah:confirm_mobile")
    return redirect(_next_url(request) or "amanah:home")


def _render_sign_in(request, form, *, locked_out=False, status=200):
    return render(request, "amanah/auth/sign_in.html",
                  {"form": form, "next": _next_url(request) or "", "locked_out": locked_out,
                   "cooloff_minutes": round(float(settings.AXES_COOLOFF_TIME) * 60)},
                  status=status)


_PENDING = "amanah_pending_sign_in"


def sign_in(request):
    if request.user.is_authenticated and request.method == "GET":
        return redirect("amanah:home")
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = sign_in_provider().authenticate(request, **form.cleaned_data)
        if user is not None:
            person = person_for_user(user)
            # A confirmed citizen on a browser they never confirmed: the password alone does not
            # sign in; a code to their mobile must come first (the session stays anonymous).
            if person is not None and person.mobile_confirmed_at is not None \
                    and not device_is_known(person=person,
                                            device_id=device_id_from_request(request)):
                try:
                    services.one_time_code_issue(person=person,
                                                 purpose=OneTimeCodePurpose.NEW_DEVICE)
                except DomainError as error:
                    form.add_error(None, error.message)
                    return _render_sign_in(request, form, status=error.status)
                request.session.cycle_key()
                request.session[_PENDING] = {"user": user.pk, "backend": user.backend,
                                             "at": clock.now().timestamp(),
                                             "next": _next_url(request) or ""}
                return redirect("amanah:confirm_device")
            login(request, user)
            return _after_sign_in(request, user)
        # When axes has just locked this name out, its middleware answers with lockout() below.
        form.add_error(None, _("The ID number (or username) or the password is not correct."))
    return _render_sign_in(request, form)


def _pending_sign_in(request):
    """The citizen whose password was right on this browser, while the code is awaited."""
    pending = request.session.get(_PENDING)
    if not isinstance(pending, dict):
        return None, None
    if clock.now().timestamp() - pending.get("at", 0) > 2 * settings.OTP_TTL_SECONDS:
        request.session.pop(_PENDING, None)
        return None, None
    user = User.objects.filter(pk=pending.get("user"), is_active=True).first()
    person = Person.objects.filter(user=user).first() if user else None
    return (user, person) if person is not None else (None, None)


def confirm_device(request):
    """A code to the mobile confirms this browser; only then is the session signed in."""
    user, person = _pending_sign_in(request)
    if user is None:
        return redirect("amanah:sign_in")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.one_time_code_verify(person=person, purpose=OneTimeCodePurpose.NEW_DEVICE,
                                          code=form.cleaned_data["code"])
        except DomainError as error:
            domain_error_to_form(form, error)
        else:
            pending = request.session.pop(_PENDING)
            login(request, user, backend=pending["backend"])  # a new session key
            services.person_language_remember(person=person, language=get_language())
            device_id = known_device_add(person=person,
                                         device_id=device_id_from_request(request))
            response = redirect(pending.get("next") or "amanah:home")
            device_cookie_set(response, device_id)
            return response
    return render(request, "amanah/auth/confirm_device.html",
                  {"form": form, "masked_mobile": _masked(person.mobile)})


@require_POST
def confirm_device_resend(request):
    user, person = _pending_sign_in(request)
    if user is None:
        return redirect("amanah:sign_in")
    try:
        services.one_time_code_resend(person=person, purpose=OneTimeCodePurpose.NEW_DEVICE)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("A new code was sent to %(mobile)s.")
                         % {"mobile": _masked(person.mobile)})
    return redirect("amanah:confirm_device")


def lockout(request, credentials=None, *args, **kwargs):
    """AXES_LOCKOUT_CALLABLE: the sign-in page again, saying why, with 429 Too Many Requests."""
    form = SignInForm(initial={"username": (credentials or {}).get("username", "")})
    return _render_sign_in(request, form, locked_out=True, status=429)


@require_POST
def sign_out(request):
    logout(request)
    return redirect("amanah:home")


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
            # The code reached this browser's owner: it is one of their devices from now on.
            request.session.cycle_key()
            device_id = known_device_add(person=person,
                                         device_id=device_id_from_request(request))
            response = redirect("amanah:home")
            device_cookie_set(response, device_id)
            return response
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


ACCOUNT_NOTIFICATIONS_SHOWN = 10


@login_required
def account(request):
    from ..notify import notification_list_for_person

    person = person_for_user(request.user)
    departments = staff_department_list(user=request.user)
    # The newest few; the whole list is one link away (amanah:my_notifications).
    notifications = notification_list_for_person(person=person, user=request.user,
                                                 limit=ACCOUNT_NOTIFICATIONS_SHOWN + 1)
    return render(request, "amanah/auth/account.html", {
        "person": person, "departments": departments,
        "notifications": notifications[:ACCOUNT_NOTIFICATIONS_SHOWN],
        "more_notifications": len(notifications) > ACCOUNT_NOTIFICATIONS_SHOWN})
