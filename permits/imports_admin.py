"""The admin's "Import from paper records" page for permits (the same import as
`manage.py permits_import`, permits/imports.py). The permit admin (permits/admin.py) takes it by
inheriting the mixin: `class PermitAdmin(PermitImportAdminMixin, ReadOnlyAdmin)`."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from .imports import permits_import

MAX_IMPORT_BYTES = 5 * 1024 * 1024
IMPORT_PERMISSION = "permits.add_permit"


class PaperImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"),
                           help_text=_("UTF-8, comma-separated, with a header line; at most "
                                       "5 MB."))
    dry_run = forms.BooleanField(label=_("Only check the file, import nothing"),
                                 required=False, initial=True)


def paper_import_view(request, *, model_admin):
    """Upload, check every line, and import all of them or none."""
    if not request.user.has_perm(IMPORT_PERMISSION):
        raise PermissionDenied
    form = PaperImportForm(request.POST if request.method == "POST" else None,
                           request.FILES or None)
    report, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > MAX_IMPORT_BYTES:
                form.add_error("file", gettext("The file is larger than 5 MB."))
            else:
                report = permits_import(data=upload.read(), actor=request.user,
                                        dry_run=form.cleaned_data["dry_run"])
                if report.ok and not report.dry_run:
                    model_admin.message_user(request, gettext(
                        "%(count)s paper permits were imported.") % {
                        "count": len(report.imported)}, messages.SUCCESS)
        status = 400 if form.errors or (report is not None and not report.ok) else 200
    language = get_language() or "ar"
    context = {
        **model_admin.admin_site.each_context(request), "form": form, "report": report,
        "problems": [(p.line, p.column, p.message(language)) for p in report.problems]
        if report else [],
        "opts": model_admin.model._meta, "title": gettext("Import permits from paper records"),
    }
    return TemplateResponse(request, "admin/permits/permit/paper_import.html", context,
                            status=status)


class PermitImportAdminMixin:
    """Adds the import page (admin:permits_permit_import) and a link to it on the list."""

    change_list_template = "admin/permits/permit/paper_import_change_list.html"

    def get_urls(self):
        return [path("import/", self.admin_site.admin_view(self.paper_import),
                     name="permits_permit_import"),
                *super().get_urls()]

    def paper_import(self, request):
        return paper_import_view(request, model_admin=self)
