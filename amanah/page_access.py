"""The portal's one refusal page for staff areas, and the guard the configuration pages share.

Every back-office page that refuses renders the same designed 403 (`amanah/forbidden.html`);
the configuration pages (designer excepted: it scopes by definition) all start with "signed in,
and an admin of some municipality", then check the municipality the row belongs to themselves.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .permissions import is_portal_admin


def forbidden(request):
    return render(request, "amanah/forbidden.html", status=403)


def portal_admin_required(view):
    """Signed in (else to the sign-in page), and an admin of some municipality or a superuser
    (else the 403 page). What they may change is each page's own check."""

    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not is_portal_admin(request.user):
            return forbidden(request)
        return view(request, *args, **kwargs)

    return wrapped
