"""The page title says "Error:" when the page shows form errors (GOV.UK's pattern): a screen
reader announces the title first, so the user hears that the submission failed."""

from django import template
from django.forms import BaseForm
from django.forms.formsets import BaseFormSet
from django.utils.translation import gettext

register = template.Library()


def _has_errors(value) -> bool:
    # type(), not isinstance(): isinstance() asks a lazy object (the context's csrf_token) for
    # its __class__, which evaluates it — and a CSRF token evaluated on a page without a form
    # sets a cookie on every answer, error pages and machine refusals included.
    kind = type(value)
    if issubclass(kind, BaseForm):
        return value.is_bound and bool(value.errors)
    if issubclass(kind, BaseFormSet):
        return value.is_bound and value.total_error_count() > 0
    return False


@register.simple_tag(takes_context=True)
def page_error_prefix(context) -> str:
    """"Error: " when any bound form (or formset) in the context has errors, or the view set
    `page_has_errors` (pages whose errors come from a service rather than a form)."""
    values = context.flatten().values()
    if context.get("page_has_errors") or any(_has_errors(value) for value in values):
        return gettext("Error: ")
    return ""
