"""Each committed .mo matches its .po, and the core pages render real Arabic and English."""

import gettext
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from amanah.enums import RolloutState, StaffRole
from tests.factories import (
    CitizenFactory,
    EServiceFactory,
    EServiceRolloutFactory,
    MunicipalityFactory,
    StaffMembershipFactory,
)

ROOT = Path(__file__).resolve().parents[2]
PO_FILES = sorted(p for p in ROOT.glob("**/locale/*/LC_MESSAGES/*.po")
                  if ".venv" not in p.parts and "node_modules" not in p.parts)


def _po_entries(path: Path) -> dict:
    """msgid → msgstr (or tuple of plural msgstrs), for translated, non-fuzzy entries."""
    entries, block = {}, []
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if line.strip():
            block.append(line)
            continue
        if block:
            fuzzy = any(b.startswith("#,") and "fuzzy" in b for b in block)
            fields, current = {}, None
            for b in block:
                match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) "(.*)"$', b)
                if match:
                    current = match.group(1)
                    fields[current] = match.group(2)
                elif b.startswith('"') and current:
                    fields[current] += b[1:-1]
            block = []
            if "msgid" not in fields or fields["msgid"] == "" or fuzzy:
                continue
            unescape = lambda s: s.encode().decode("unicode_escape").encode("latin-1").decode()  # noqa: E731
            key = unescape(fields["msgid"])
            if "msgctxt" in fields:
                key = f"{unescape(fields['msgctxt'])}\x04{key}"
            if "msgid_plural" in fields:
                forms = tuple(unescape(v) for k, v in sorted(fields.items())
                              if k.startswith("msgstr["))
                if all(forms):
                    entries[(key, unescape(fields["msgid_plural"]))] = forms
            elif fields.get("msgstr"):
                entries[key] = unescape(fields["msgstr"])
    return entries


def test_there_is_at_least_the_amanah_catalogue():
    assert ROOT / "amanah/locale/ar/LC_MESSAGES/django.po" in PO_FILES


@pytest.mark.parametrize("po", PO_FILES, ids=[str(p.relative_to(ROOT)) for p in PO_FILES])
def test_each_committed_mo_is_compiled_from_its_po(po):
    # given the .po and the .mo committed next to it
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo.relative_to(ROOT)} is missing; run msgfmt"
    with mo.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    # then every translated entry of the .po says the same in the .mo
    entries = _po_entries(po)
    stale = []
    for key, expected in entries.items():
        if isinstance(key, tuple):
            msgid, _plural = key
            # The .mo stores plural forms under (msgid, index).
            got = tuple(catalogue._catalog.get((msgid, i)) for i in range(len(expected)))
        else:
            got = catalogue._catalog.get(key)
        if got != expected:
            stale.append(key)
    assert stale == [], f"{po.relative_to(ROOT)}: recompile with msgfmt; stale: {stale[:5]}"
    # and the .mo holds nothing the .po has dropped
    mo_keys = {k if isinstance(k, str) else k[0] for k in catalogue._catalog if k}
    po_keys = {k if isinstance(k, str) else k[0] for k in entries}
    assert mo_keys - po_keys == set()


def _get(client, name: str, language: str, **kwargs):
    with translation.override(language):
        url = reverse(name, kwargs=kwargs or None)
    return client.get(url)


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "direction", "title", "switch"), [
    ("ar", "rtl", "بوابة الخدمات الإلكترونية للأمانة", 'href="/en/" lang="en"'),
    ("en", "ltr", "Amanah e-services portal", 'href="/ar/" lang="ar"'),
])
def test_anonymous_home_renders_in_each_language(client, language, direction, title, switch):
    response = _get(client, "amanah:home", language)
    body = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}" dir="{direction}">' in body
    assert f"<title>{title}</title>" in body
    assert switch in body
    assert 'class="training-banner"' in body
    assert 'href="#main"' in body


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "pilot", "welcome", "switch"), [
    ("ar", "تجريبية", "مرحباً، سارة", 'href="/en/account/"'),
    ("en", "Pilot", "Welcome, Sara", 'href="/ar/account/"'),
])
def test_citizen_home_lists_services_where_they_live_with_a_fixed_query_count(
        client, django_assert_num_queries, language, pilot, welcome, switch):
    # given a Khobar citizen; one service in pilot with a page that does not exist yet,
    # one live, one live elsewhere only
    khobar, qatif = MunicipalityFactory(code="KHB"), MunicipalityFactory(code="QTF")
    citizen = CitizenFactory(municipality=khobar, name_ar="سارة", name_en="Sara")
    EServiceRolloutFactory(state=RolloutState.PILOT, municipality=khobar, eservice=EServiceFactory(
        code="A", name_ar="رخصة بناء", name_en="Building permit", url_name="permits:nowhere"))
    EServiceRolloutFactory(state=RolloutState.LIVE, municipality=khobar, eservice=EServiceFactory(
        code="B", name_ar="رخصة محل", name_en="Shop licence", url_name="amanah:account"))
    EServiceRolloutFactory(state=RolloutState.LIVE, municipality=qatif, eservice=EServiceFactory(
        code="C", name_ar="خدمة القطيف", name_en="Qatif only"))
    client.force_login(citizen.user)
    # when the home page is opened (session, user, person, services: a fixed count)
    with django_assert_num_queries(5):
        response = _get(client, "amanah:home", language)
    body = response.content.decode()
    # then both Khobar services show, the pilot badged, the unbuilt one without a link
    assert response.status_code == 200
    assert welcome in body
    assert ("رخصة بناء" if language == "ar" else "Building permit") in body
    assert ("رخصة محل" if language == "ar" else "Shop licence") in body
    assert ("خدمة القطيف" if language == "ar" else "Qatif only") not in body
    assert f'<span class="badge badge-pilot">{pilot}</span>' in body
    assert f'<a class="card-link" href="/{language}/account/">' in body
    assert [o.eservice.code for o, _url in response.context["offers"]] == ["A", "B"]
    assert [url for _o, url in response.context["offers"]] == [None, f"/{language}/account/"]
    # and the language switch on the account page keeps the page
    assert switch in _get(client, "amanah:account", language).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "role_label"), [("ar", "مراجع"), ("en", "Reviewer")])
def test_staff_home_lists_departments_and_roles(client, language, role_label):
    membership = StaffMembershipFactory(role=StaffRole.REVIEWER,
                                        department__name_ar="إدارة الرخص",
                                        department__name_en="Licensing")
    client.force_login(membership.user)
    response = _get(client, "amanah:staff_home", language)
    body = response.content.decode()
    assert response.status_code == 200
    assert ("إدارة الرخص" if language == "ar" else "Licensing") in body
    assert f'<span class="badge">{role_label}</span>' in body
