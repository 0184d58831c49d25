"""The staff search page: one box, results grouped by kind, each within what the user may see."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .page_access import forbidden
from .permissions import is_staff_member
from .search import search_run

RESULTS_PER_KIND = 20


@login_required
@require_GET
def staff_search(request):
    user = request.user
    if not (user.is_superuser or is_staff_member(user)):
        return forbidden(request)
    text = request.GET.get("q", "")
    results = search_run(user=user, text=text, limit_per_kind=RESULTS_PER_KIND) \
        if text.strip() else None
    nothing_found = ""
    if results is not None and results.query.is_searchable and not results.groups:
        # Built here, not in the template: a translated sentence with a placeholder and
        # the text typed inside it.
        nothing_found = _("Nothing found for “%(text)s”, searched as %(kind)s, among what "
                          "you may see.") % {"text": results.query.text,
                                             "kind": results.query.kind_label}
    searched_as = (_("Searched as %(kind)s.") % {"kind": results.query.kind_label}
                   if results is not None and results.query.is_searchable else "")
    return render(request, "amanah/search/search.html", {
        "text": text, "results": results, "nothing_found": nothing_found,
        "searched_as": searched_as,
    })
