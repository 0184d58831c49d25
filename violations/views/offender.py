"""Pages of the offender (citizen or establishment delegate): "my violations", one notice with
its evidence, bill, objections and penalties, and the evidence photo stream. Staff of the
notice's municipality see the notice page too (all photos); anyone else gets 404.

The inspector's name is internal: the offender's page says "the municipality's inspector".
Links to pages other parts own (objecting, the notice PDF) are reversed safely: a page that
does not exist yet gives no link rather than an error."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from amanah.pagination import CappedPaginator
from permits.public import district_names_in

from .. import selectors
from ..compliance import compliance_points

PAGE_SIZE = 20


def link_or_empty(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


# The objections part's page for filing an objection; the design named it "object", the part
# names it "objection_new": whichever exists is linked.
OBJECT_URL_NAMES = ("violations:object", "violations:objection_new")


def object_url(number: str) -> str:
    for name in OBJECT_URL_NAMES:
        url = link_or_empty(name, number)
        if url:
            return url
    return ""


def _language() -> str:
    return (get_language() or "ar")[:2]


def compliance_for(establishment, on, language: str) -> dict:
    """The establishment's compliance points (violations.compliance) in the page's language:
    the points, the risk band and its visiting interval, what took points off (or added
    them) and what would raise them."""
    points = compliance_points(establishment_id=establishment.pk, on=on)
    english = language == "en"
    bands = {"low": _("Low risk"), "medium": _("Medium risk"), "high": _("High risk")}
    return {
        "points": points.points, "band": bands.get(points.band, points.band),
        "interval_days": points.interval_days,
        "deductions": [(en if english else ar, -taken)
                       for ar, en, taken in points.deductions],
        "how_to_raise": [en if english else ar for ar, en in points.how_to_raise],
    }


@login_required
@require_GET
def my_violations(request):
    """The caller's notices, newest first: all, those of one establishment they represent
    (?e=<unified number>) or those against them as a person (?e=person)."""
    from amanah import clock
    from amanah.dates import business_date

    establishments = selectors.establishments_of_user(request.user)
    chosen_key = request.GET.get("e", "")[:10]
    chosen = None
    if chosen_key == "person":
        rows = selectors.violation_list_for_user(user=request.user, person_only=True)
    elif chosen_key:
        chosen = next((e for e in establishments if e.unified_number == chosen_key), None)
        if chosen is None:
            raise Http404
        rows = selectors.violation_list_for_user(user=request.user, establishment_id=chosen.pk)
    else:
        rows = selectors.violation_list_for_user(user=request.user)
    page = CappedPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    notices = [{"notice": v,
                "pay_url": link_or_empty("payments:bill_detail", v.pay_account)
                if v.pay_account else "",
                "object_url": object_url(v.number) if v.object_until else ""}
               for v in page.object_list]
    return render(request, "violations/offender/mine.html", {
        "page": page, "notices": notices, "establishments": establishments,
        "chosen": chosen, "chosen_key": chosen_key,
        "compliance": (compliance_for(chosen, business_date(clock.now()), _language())
                       if chosen else None),
        "query_prefix": f"e={chosen_key}&" if chosen_key else ""})


@login_required
@require_GET
def notice(request, number: str):
    detail = selectors.violation_detail_for_user(user=request.user, number=number)
    if detail is None:
        raise Http404
    language = _language()
    violation = detail.violation
    lines = [{"line": line,
              "question": line.finding.question if line.finding_id else None,
              "computation": selectors.computation_words(line.computation, language),
              "penalty": (selectors.penalty_words(line.penalty_shown, language)
                          if line.penalty_shown else "")}
             for line in detail.lines]
    return render(request, "violations/offender/notice.html", {
        "d": detail, "v": violation, "lines": lines,
        "districts": district_names_in([violation.municipality_id]),
        "pay_url": link_or_empty("payments:bill_detail", detail.pay_account)
        if detail.pay_account else "",
        "object_url": (object_url(violation.number)
                       if detail.object_until and detail.viewer == "offender" else ""),
        "pdf_url": link_or_empty("violations:notice_pdf", violation.number)
        if detail.has_pdf else ""})


@login_required
@require_GET
def evidence_photo(request, number: str, photo_id: str):
    """The photo's bytes from private storage, for those who may see it (never a media URL)."""
    photo = selectors.evidence_photo_for_user(user=request.user, number=number,
                                              photo_id=int(photo_id))
    if photo is None:
        raise Http404
    try:
        handle = photo.file.open("rb")
    except (FileNotFoundError, OSError) as missing:
        raise Http404 from missing
    response = FileResponse(handle, content_type=photo.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'inline; filename="evidence-{photo.pk}"'
    return response
