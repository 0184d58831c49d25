"""The notification texts (admins) and a person's own notification history."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from .errors import DomainError
from .models import NotificationTemplate
from .notify import (
    EVENTS,
    TEMPLATE_FIELDS,
    example_values,
    notification_list_for_person,
    notification_template_may_edit,
    notification_template_update,
    template_text_check,
    text_render,
)
from .page_access import forbidden
from .permissions import is_portal_admin, person_for_user

HISTORY_SHOWN = 20
MY_NOTIFICATIONS_PAGE = 50


class NotificationTemplateForm(forms.Form):
    subject_ar = forms.CharField(label=gettext_lazy("Email subject (Arabic)"), max_length=200,
                                 required=False)
    subject_en = forms.CharField(label=gettext_lazy("Email subject (English)"), max_length=200,
                                 required=False)
    body_ar = forms.CharField(label=gettext_lazy("Text (Arabic)"), max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 4, "dir": "rtl"}))
    body_en = forms.CharField(label=gettext_lazy("Text (English)"), max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 4, "dir": "ltr"}))
    is_active = forms.BooleanField(label=gettext_lazy("Send this message"), required=False)

    def __init__(self, *args, channel: str, read_only: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if channel == "email":
            for name, direction in (("subject_ar", "rtl"), ("subject_en", "ltr")):
                self.fields[name].required = True
                self.fields[name].widget.attrs["dir"] = direction
        else:
            del self.fields["subject_ar"], self.fields["subject_en"]
        for field in self.fields.values():
            field.disabled = read_only


def _language() -> str:
    return "en" if (get_language() or "ar").startswith("en") else "ar"


def _event_rows(templates: list[NotificationTemplate], language: str) -> list[dict]:
    by_event: dict[str, dict] = {}
    for template in templates:
        spec = EVENTS.get(template.event)
        if spec is None:
            continue
        row = by_event.setdefault(template.event, {
            "code": template.event, "label": spec.label(language),
            "audience": spec.audience(language), "templates": []})
        row["templates"].append(template)
    return [by_event[code] for code in EVENTS if code in by_event]


@login_required
def notification_templates(request):
    """Every event's texts, by event and channel."""
    if not is_portal_admin(request.user):
        return forbidden(request)
    language = _language()
    templates = list(NotificationTemplate.objects.order_by("event", "channel"))
    return render(request, "amanah/notifications/template_list.html", {
        "events": _event_rows(templates, language),
        "may_edit": notification_template_may_edit(request.user)})


def _preview(event: str, language_texts: dict) -> dict:
    """The texts rendered with example values, or None for a text that does not check."""
    shown = {}
    for field, text in language_texts.items():
        language = "en" if field.endswith("_en") else "ar"
        try:
            template_text_check(event=event, text=text, field=field)
        except DomainError:
            shown[field] = None
            continue
        shown[field] = text_render(text, example_values(event, language))
    return shown


@login_required
def notification_template_edit(request, template_id: int):
    """One text: its placeholders explained, a preview with example values, its history."""
    if not is_portal_admin(request.user):
        return forbidden(request)
    template = NotificationTemplate.objects.filter(pk=template_id).first()
    if template is None or template.event not in EVENTS:
        raise Http404
    may_edit = notification_template_may_edit(request.user)
    spec = EVENTS[template.event]
    initial = {name: getattr(template, name) for name in TEMPLATE_FIELDS}
    initial["is_active"] = template.is_active
    preview = None
    if request.method == "POST" and may_edit:
        form = NotificationTemplateForm(request.POST, channel=template.channel, read_only=False)
        if form.is_valid():
            texts = {name: form.cleaned_data.get(name, "") for name in TEMPLATE_FIELDS}
            if request.POST.get("op") == "preview":
                preview = _preview(template.event, texts)
            else:
                try:
                    notification_template_update(template_id=template.pk, actor=request.user,
                                                 is_active=form.cleaned_data["is_active"],
                                                 **texts)
                except DomainError as error:
                    # A refusal names its field; a branch admin's (no field) goes on top.
                    form.add_error(error.field if error.field in form.fields else None,
                                   error.message)
                else:
                    from django.contrib import messages

                    messages.success(request, _("The text was saved. Messages from now on use "
                                                "it."))
                    return redirect("amanah:notification_template_edit", template_id=template.pk)
    else:
        form = NotificationTemplateForm(initial=initial, channel=template.channel,
                                        read_only=not may_edit)
        preview = _preview(template.event, {name: initial[name] for name in TEMPLATE_FIELDS})
    language = _language()
    placeholders = [{"name": "{" + name + "}",
                     "meaning": p.meaning_en if language == "en" else p.meaning_ar,
                     "example": p.example_en if language == "en" else p.example_ar}
                    for name, p in spec.placeholders.items()]
    history = list(template.history.select_related("history_user")
                   .order_by("-history_date", "-history_id")[:HISTORY_SHOWN])
    return render(request, "amanah/notifications/template_edit.html", {
        "template": template, "event_label": spec.label(language),
        "audience": spec.audience(language), "form": form, "placeholders": placeholders,
        "preview": preview, "history": history, "may_edit": may_edit,
        "is_email": template.channel == "email"})


@login_required
def my_notifications(request):
    """Everything the portal sent (or tried to send) this person, newest first."""
    person = person_for_user(request.user)
    queryset = notification_list_for_person(person=person, user=request.user, limit=None)
    page = Paginator(queryset, MY_NOTIFICATIONS_PAGE).get_page(request.GET.get("page"))
    return render(request, "amanah/notifications/my_notifications.html", {"page": page})
