"""Pages that prove who someone is: sign-up and password reset through Nafath (or by SMS code),
the simulated Nafath app for training, and the staff second factor."""

import base64
import io

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_otp import login as otp_login
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from amanah import services
from amanah.enums import IdentityVerificationPurpose as Purpose
from amanah.enums import IdentityVerificationStatus as Status
from amanah.errors import DomainError
from amanah.models import Person
from amanah.selectors import person_has_account

from . import nafath, recovery, second_factor, verifications
from .forms import (
    NafathSimulatorForm,
    NationalIdForm,
    NewPasswordForm,
    ResetCodeForm,
    SecondFactorForm,
    SignUpForm,
    domain_error_to_form,
)

SIGN_UP_BACKEND = "amanah.auth.backends.NationalIdBackend"
_VERIFICATION = "amanah_identity_verification"
_RESET_ID = "amanah_reset_national_id"
_NEXT_STEP = {Purpose.SIGN_UP: "amanah:sign_up_details",
              Purpose.PASSWORD_RESET: "amanah:password_reset_new"}


def _verification_start(request, form: NationalIdForm, purpose: str):
    """Ask Nafath for the ID in the form; on success the session remembers the request."""
    try:
        verification = verifications.identity_verification_start(
            national_id=form.cleaned_data["national_id"], purpose=purpose)
    except DomainError as error:
        domain_error_to_form(form, error)
        return None
    request.session[_VERIFICATION] = str(verification.token)
    return redirect("amanah:identity_verify")


def _session_verification(request):
    return verifications.identity_verification_for_token(request.session.get(_VERIFICATION))


def sign_up(request):
    """Step 1: the ID to verify. Whether it has an account is not said here (nothing is proven
    yet): every ID goes on to Nafath the same way."""
    if request.user.is_authenticated:
        return redirect("amanah:home")
    form = NationalIdForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        started = _verification_start(request, form, Purpose.SIGN_UP)
        if started is not None:
            return started
    return render(request, "amanah/auth/sign_up.html", {"form": form})


@never_cache
def identity_verify(request):
    """Step 2: the number to choose in the Nafath app, until Nafath answers."""
    verification = _session_verification(request)
    if verification is None:
        return redirect("amanah:sign_up")
    error = None
    try:
        verification = verifications.identity_verification_refresh(verification=verification)
    except DomainError as refused:
        error = refused.message
    if verification.status == Status.APPROVED:
        return redirect(_NEXT_STEP[verification.purpose])
    simulator_url = None
    if verification.status == Status.PENDING and verification.provider == "nafath_simulator":
        simulator_url = f"/{request.LANGUAGE_CODE}/account/nafath-simulator/" \
                        f"{verification.transaction_id}/"
    restart = "amanah:sign_up" if verification.purpose == Purpose.SIGN_UP \
        else "amanah:password_reset"
    return render(request, "amanah/auth/identity_verify.html",
                  {"verification": verification, "error": error,
                   "simulator_url": simulator_url, "restart": restart,
                   "is_pending": verification.status == Status.PENDING})


def sign_up_details(request):
    """Step 3, after Nafath approved: mobile, municipality and password. An ID that already
    has an account is told so now, to the person Nafath has just proven holds it."""
    if request.user.is_authenticated:
        return redirect("amanah:home")
    token = request.session.get(_VERIFICATION)
    try:
        verification = verifications.identity_proof_check(token=token, purpose=Purpose.SIGN_UP)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("amanah:sign_up")
    if person_has_account(national_id=verification.national_id):
        return render(request, "amanah/auth/sign_up_existing.html",
                      {"verification": verification})
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.person_register(
                verification_token=token, mobile=data["mobile"], email=data["email"],
                municipality=data["municipality"], password=data["password1"])
        except DomainError as error:
            if error.field == "password":
                form.add_error("password1", error.message)
            else:
                domain_error_to_form(form, error)
        else:
            request.session.pop(_VERIFICATION, None)
            login(request, person.user, backend=SIGN_UP_BACKEND)
            services.person_language_remember(person=person, language=get_language())
            messages.success(request, _("Your account is ready. We sent a code to your mobile."))
            return redirect("amanah:confirm_mobile")
    return render(request, "amanah/auth/sign_up_details.html",
                  {"form": form, "verification": verification})


@never_cache
def nafath_simulator(request, transaction_id: str):
    """The simulated Nafath app (training only): choose the number the portal shows."""
    if not nafath.is_simulated():
        raise Http404
    client = nafath.SimulatedNafathClient()
    entry = client.request_get(transaction_id=transaction_id)
    if entry is None:
        raise Http404
    known = Person.objects.filter(national_id=entry["national_id"]).first()
    form = NafathSimulatorForm(request.POST or None, initial={
        "name_ar": known.name_ar if known else "", "name_en": known.name_en if known else ""})
    decision = None
    if request.method == "POST" and form.is_valid():
        chosen = "" if "reject" in request.POST else form.cleaned_data["chosen"]
        decision = client.decide(transaction_id=transaction_id, chosen=chosen,
                                 name_ar=form.cleaned_data["name_ar"],
                                 name_en=form.cleaned_data["name_en"])
    return render(request, "amanah/auth/nafath_simulator.html",
                  {"form": form, "entry": entry, "decision": decision or (
                      entry["decision"] if entry["decision"] != nafath.WAITING else None)})


def password_reset(request):
    """Choose how: a code to the confirmed mobile, or Nafath. Staff: an administrator."""
    if request.user.is_authenticated:
        return redirect("amanah:home")
    how = request.POST.get("how")
    sms_form = NationalIdForm(request.POST if how == "sms" else None, prefix="sms")
    nafath_form = NationalIdForm(request.POST if how == "nafath" else None, prefix="nafath")
    if how == "sms" and sms_form.is_valid():
        number = sms_form.cleaned_data["national_id"]
        recovery.password_reset_request(national_id=number)
        request.session[_RESET_ID] = number
        return redirect("amanah:password_reset_code")
    if how == "nafath" and nafath_form.is_valid():
        started = _verification_start(request, nafath_form, Purpose.PASSWORD_RESET)
        if started is not None:
            return started
    return render(request, "amanah/auth/password_reset.html",
                  {"sms_form": sms_form, "nafath_form": nafath_form})


def password_reset_code(request):
    """The same page whether or not the ID has an account."""
    number = request.session.get(_RESET_ID)
    if not number:
        return redirect("amanah:password_reset")
    form = ResetCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            recovery.password_reset_with_code(national_id=number,
                                              code=form.cleaned_data["code"],
                                              password=form.cleaned_data["password1"])
        except DomainError as error:
            if error.field == "password":
                form.add_error("password1", error.message)
            else:
                domain_error_to_form(form, error)
        else:
            request.session.pop(_RESET_ID, None)
            messages.success(request, _("Your password is changed. Sign in with it."))
            return redirect("amanah:sign_in")
    return render(request, "amanah/auth/password_reset_code.html", {"form": form})


def password_reset_new(request):
    """After Nafath proved the ID: the new password."""
    token = request.session.get(_VERIFICATION)
    try:
        verification = verifications.identity_proof_check(token=token,
                                                          purpose=Purpose.PASSWORD_RESET)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("amanah:password_reset")
    has_account = person_has_account(national_id=verification.national_id)
    form = NewPasswordForm(request.POST or None)
    if has_account and request.method == "POST" and form.is_valid():
        try:
            recovery.password_reset_with_proof(verification_token=token,
                                               password=form.cleaned_data["password1"])
        except DomainError as error:
            form.add_error("password1" if error.field == "password" else None, error.message)
        else:
            request.session.pop(_VERIFICATION, None)
            messages.success(request, _("Your password is changed. Sign in with it."))
            return redirect("amanah:sign_in")
    return render(request, "amanah/auth/password_reset_new.html",
                  {"form": form, "has_account": has_account, "verification": verification})


# --- Staff second factor -------------------------------------------------------------------

def _second_factor_done(request, device):
    otp_login(request, device)
    # A new factor on the session: a new session key, so an earlier copy of it is worth nothing.
    request.session.cycle_key()


def second_factor_enrol(request):
    """Staff without an authenticator: scan the QR code, type the first code; recovery codes
    are then shown once."""
    user = request.user
    if not user.is_authenticated or not second_factor.needs_second_factor(user):
        return redirect("amanah:home")
    if second_factor.has_second_factor(user):
        return redirect("amanah:second_factor_verify")
    device = second_factor.totp_device_pending(user=user)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = second_factor.totp_enrol_confirm(user=user,
                                                             token=form.cleaned_data["token"])
        except DomainError as error:
            domain_error_to_form(form, error)
        else:
            _second_factor_done(request, device)
            response = render(request, "amanah/auth/recovery_codes.html", {"codes": codes})
            response["Cache-Control"] = "no-store"
            return response
    secret = base64.b32encode(device.bin_key).decode("ascii")
    response = render(request, "amanah/auth/second_factor_enrol.html",
                      {"form": form, "secret": secret})
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def second_factor_qr(request):
    """The pending authenticator's key as a QR code (SVG drawn here, no outside service)."""
    user = request.user
    if not user.is_authenticated or not second_factor.needs_second_factor(user) \
            or second_factor.has_second_factor(user):
        raise Http404
    device = second_factor.totp_device_pending(user=user)
    buffer = io.BytesIO()
    segno.make(device.config_url, error="m").save(buffer, kind="svg", scale=5, border=2)
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "no-store"
    return response


def second_factor_verify(request):
    user = request.user
    if not user.is_authenticated or not second_factor.needs_second_factor(user):
        return redirect("amanah:home")
    if not second_factor.has_second_factor(user):
        return redirect("amanah:second_factor_enrol")
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = second_factor.second_factor_verify(user=user,
                                                        token=form.cleaned_data["token"])
        except DomainError as error:
            domain_error_to_form(form, error)
        else:
            _second_factor_done(request, device)
            return redirect("amanah:home")
    return render(request, "amanah/auth/second_factor_verify.html",
                  {"form": form, "demo_code": _demo_code(user)})


def _demo_code(user) -> str | None:
    """In demo mode only, for demo staff whose authenticator has the documented demo secret:
    the current code, so a reviewer can sign in without an authenticator app."""
    if not settings.DEMO_MODE:
        return None
    from amanah.demo import DEMO_TOTP_KEY_HEX

    device = TOTPDevice.objects.filter(user=user, confirmed=True, key=DEMO_TOTP_KEY_HEX).first()
    if device is None:
        return None
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
