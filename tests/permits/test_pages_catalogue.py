"""The public service cards and fee calculator: shown only for types rolled out to the visitor,
exact fees per municipality, bad figures refused next to the field in Arabic and English."""

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from amanah.enums import RolloutState, StaffRole
from amanah.models import EService, EServiceRollout
from permits.catalogue import catalogue_load
from permits.models import PermitType
from tests.factories import CitizenFactory, DepartmentFactory, StaffMembershipFactory

from .catalogue_world import catalogue_world_make

pytestmark = pytest.mark.django_db

SERVICES = "/{lang}/permits/services/"
CARD = "/{lang}/permits/services/{code}/"
FEES = "/{lang}/permits/fees/"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The catalogue loaded once for the module and rolled back after it; each test runs in a
    savepoint inside, so its rollouts and changes are its own."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            world = catalogue_world_make()
            catalogue_load(log=lambda _: None)
            yield world
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _rollout(world, code: str, municipality: str, state: str) -> None:
    EServiceRollout.objects.update_or_create(
        eservice=EService.objects.get(code=code), municipality=world.branches[municipality],
        defaults={"state": state})


@pytest.fixture
def rolled_out(world):
    """Building live in Khobar and Qatif, excavation live in Khobar, the fence piloted in
    Khobar, demolition off there; the other types have no rollout at all."""
    _rollout(world, "building_permit", "KHB", RolloutState.LIVE)
    _rollout(world, "building_permit", "QTF", RolloutState.LIVE)
    _rollout(world, "excavation_permit", "KHB", RolloutState.LIVE)
    _rollout(world, "fence_permit", "KHB", RolloutState.PILOT)
    _rollout(world, "demolition_permit", "KHB", RolloutState.OFF)
    return world


def _text(response) -> str:
    """The page's main content as text, whitespace squeezed."""
    html = response.content.decode()
    main = html[html.index("<main"):html.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)).replace("&#x27;", "'")


def _card_links(response) -> list[str]:
    return re.findall(r'href="/\w\w/permits/services/([a-z_]+)/"', response.content.decode())


def _visitor(client, world, who: str):
    if who == "anonymous":
        return client
    if who == "khobar_resident":
        user = CitizenFactory(municipality=world.branches["KHB"]).user
    elif who == "qatif_resident":
        user = CitizenFactory(municipality=world.branches["QTF"]).user
    else:
        membership = StaffMembershipFactory(
            department=DepartmentFactory(municipality=world.branches["KHB"], code="licensing"),
            role=StaffRole.CLERK)
        user = membership.user
    client.force_login(user)
    return client


@pytest.mark.parametrize(("who", "listed"), [
    ("anonymous", ["building_permit", "excavation_permit"]),
    ("khobar_resident", ["building_permit", "fence_permit", "excavation_permit"]),
    ("qatif_resident", ["building_permit", "excavation_permit"]),
    ("khobar_staff", ["building_permit", "fence_permit", "excavation_permit"]),
])
def test_cards_are_listed_only_for_types_rolled_out_to_the_visitor(client, rolled_out, who,
                                                                   listed):
    # given building and excavation live, the fence piloted in Khobar, demolition off
    visitor = _visitor(client, rolled_out, who)
    # when the visitor opens the list of services
    response = visitor.get(SERVICES.format(lang="en"))
    # then exactly the types they could start somewhere are listed, in display order
    assert response.status_code == 200
    assert _card_links(response) == listed
    # and each other type's card is not found, even by its code
    for code in ("building_permit", "building_addition", "demolition_permit", "fence_permit",
                 "occupancy_certificate", "excavation_permit"):
        status = visitor.get(CARD.format(lang="en", code=code)).status_code
        assert status == (200 if code in listed else 404), code


def test_a_type_switched_off_in_the_catalogue_has_no_card(client, rolled_out):
    # given the live building type made inactive
    PermitType.objects.filter(code="building_permit").update(is_active=False)
    # then it is neither listed nor shown
    assert _card_links(client.get(SERVICES.format(lang="en"))) == ["excavation_permit"]
    assert client.get(CARD.format(lang="en", code="building_permit")).status_code == 404
    assert client.get(CARD.format(lang="en", code="no_such_type")).status_code == 404


def test_nothing_rolled_out_says_so(client, world):
    response = client.get(SERVICES.format(lang="ar"))
    assert _card_links(response) == []
    assert "لا يمكن التقدم إلكترونيًا لأي رخصة بعد." in _text(response)


def test_the_card_says_what_is_needed_how_long_and_what_it_costs(client, rolled_out):
    # when an anonymous visitor reads the building card for Khobar (class 1)
    text = _text(client.get(CARD.format(lang="en", code="building_permit")
                            + "?municipality=KHB"))
    # then it shows the requirements, who applies, the documents with types and sizes,
    # time and validity, and each stage's fee there
    assert "A valid title deed in the owner's name" in text
    assert ("A licensed engineering office — the owner then consents on the portal before it "
            "reaches the municipality.") in text
    assert "Architectural plans Engineering (design) office PDF 20 MB" in text.replace(
        "The engineering office", "Engineering (design) office")
    assert "A recent photo of the site (optional) The applicant JPEG, PNG 5 MB" in text
    assert "About 15 working days" in text
    assert "Valid for 36 months" in text
    assert ("Renewal From 90 days before it expires; late, with a fine, up to 180 days "
            "after") in text
    assert "Fees in Municipality" in text and "(municipality class 1)" in text
    assert "Application fee SAR 300.00" in text
    assert ("Issuance fee SAR 3.00 per m², at least SAR 500.00 charged on: Total built-up "
            "area") in text
    assert "Late renewal fine SAR 1,000.00" in text


def test_the_card_in_arabic_for_another_municipality_shows_its_class(client, rolled_out):
    # when the card is read in Arabic for Qatif (class 2)
    text = _text(client.get(CARD.format(lang="ar", code="building_permit")
                            + "?municipality=QTF"))
    # then its fees are class 2's
    assert "(بلدية من الفئة 2)" in text
    assert "رسوم الإصدار 2.50 ر.س لكل م²، وبحد أدنى 500.00 ر.س" in text
    assert "مدة الصلاحية 36 شهرًا" in text


def test_the_excavation_card_tells_of_the_emergency_path(client, rolled_out):
    text = _text(client.get(CARD.format(lang="en", code="excavation_permit")))
    assert ("In an emergency the work may start first; the application must then be filed "
            "within 24 hours.") in text
    assert "Issuance fee SAR 10.00 per m, at least SAR 1,000.00" in text


def test_a_municipality_where_the_type_is_not_offered_is_refused_on_the_card(client,
                                                                            rolled_out):
    # when the card is asked for Dammam, where the building type has no rollout
    response = client.get(CARD.format(lang="en", code="building_permit") + "?municipality=DMM")
    # then the choice is refused next to the field, and the fees shown are of a municipality
    # that offers it
    assert response.status_code == 200
    assert re.search(r'class="field-error"[^>]*>Select a valid choice', response.content.decode())
    assert "(municipality class 1)" in _text(response)


def _calculate(client, lang, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return client.get(FEES.format(lang=lang) + "?" + query)


def test_the_calculator_shows_each_stage_and_how_it_was_worked_out(client, rolled_out):
    # when 420 m² are priced for a new building in Khobar
    response = _calculate(client, "en", type="building_permit", municipality="KHB",
                          shown_type="building_permit", built_area_m2="420")
    text = _text(response)
    # then each stage is shown with its amount, the rate stage with its formula
    assert response.status_code == 200
    assert "Application fee A fixed amount SAR 300.00" in text
    assert ("Issuance fee SAR 3.00 × 420 m² = SAR 1,260.00 The minimum of SAR 500.00 is "
            "reached. SAR 1,260.00") in text
    assert "Renewal fee A fixed amount SAR 500.00" in text
    assert "To obtain it (application and issuance) SAR 1,560.00" in text


def test_the_calculator_prices_by_class_and_says_when_the_minimum_applies(client, rolled_out):
    # when 50 m of trench are priced in any municipality of class 3, in Arabic
    response = _calculate(client, "ar", type="excavation_permit", municipality_class="3",
                          shown_type="excavation_permit", route_length_m="50")
    text = _text(response)
    # then the rate gives 300.00, below the class's minimum of 600.00, which is charged
    assert "في بلدية من الفئة 3" in text
    assert ("رسوم الإصدار 6.00 ر.س × 50 م = 300.00 ر.س أقل من الحد الأدنى 600.00 ر.س، "
            "فيُحصّل الحد الأدنى. 600.00 ر.س") in text
    assert "للحصول عليها (التقديم والإصدار) 800.00 ر.س" in text


def test_a_type_with_fixed_fees_is_priced_at_once(client, rolled_out):
    # given a Khobar resident (the fence is piloted there)
    client.force_login(CitizenFactory(municipality=rolled_out.branches["KHB"]).user)
    text = _text(_calculate(client, "en", type="fence_permit", municipality="KHB"))
    assert "Issuance fee A fixed amount SAR 200.00" in text
    assert "To obtain it (application and issuance) SAR 200.00" in text


@pytest.mark.parametrize("quantity", ["0", "-5", "abc", "1e400", "1,200", "9" * 40,
                                      "420.555", "100001"])
@pytest.mark.parametrize(("lang", "message"), [
    ("en", "Enter a number greater than zero and at most 100000, with at most two decimals."),
    ("ar", "أدخل رقمًا أكبر من صفر ولا يزيد على 100000، بخانتين عشريتين على الأكثر."),
])
def test_a_bad_quantity_is_refused_next_to_its_field(client, rolled_out, quantity, lang,
                                                     message):
    # when a figure that is not a positive number of m² (at most the field's own limit) is sent
    response = _calculate(client, lang, type="building_permit", municipality="KHB",
                          shown_type="building_permit", built_area_m2=quantity)
    # then the page says why next to that field, in the page's language, and prices nothing
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<p class="field-error" id="id_built_area_m2_error">([^<]*)</p>',
                     html).group(1) == message
    assert 'class="card estimate"' not in html


def test_a_missing_quantity_is_asked_for_not_priced(client, rolled_out):
    response = _calculate(client, "en", type="building_permit", municipality="KHB",
                          shown_type="building_permit", built_area_m2="")
    assert "Enter the quantity to price this permit's fees." in _text(response)
    assert 'class="card estimate"' not in response.content.decode()


def test_choosing_another_type_shows_its_figures_without_refusing_them(client, rolled_out):
    # when the visitor switches from the building to the excavation (its figures not yet shown)
    response = _calculate(client, "en", type="excavation_permit", municipality="KHB",
                          shown_type="building_permit", built_area_m2="420")
    html = response.content.decode()
    # then the excavation's own figure is asked for, without an error, and nothing is priced
    assert 'name="route_length_m"' in html and 'name="built_area_m2"' not in html
    assert 'value="excavation_permit"' in html
    assert "field-error" not in html
    assert "Type the figures above, then calculate." in _text(response)


def test_where_to_price_must_be_chosen(client, rolled_out):
    response = _calculate(client, "en", type="building_permit", shown_type="building_permit",
                          built_area_m2="420")
    assert re.search(r'id="id_municipality_error">Choose a municipality, or a municipality '
                     r'class\.<', response.content.decode())
    assert 'class="card estimate"' not in response.content.decode()


@pytest.mark.parametrize("code", ["fence_permit", "demolition_permit", "no_such_type"])
def test_a_type_not_offered_to_the_visitor_cannot_be_priced(client, rolled_out, code):
    # given an anonymous visitor (the fence is only piloted, demolition is off)
    response = _calculate(client, "en", type=code, municipality_class="1", shown_type=code)
    # then the choice is refused and nothing is priced
    assert response.status_code == 200
    assert re.search(r'id="id_type_error">Select a valid choice', response.content.decode())
    assert 'class="card estimate"' not in response.content.decode()


def test_the_list_and_the_card_read_a_fixed_number_of_queries(client, rolled_out):
    def counted(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    # given the pages read with two types offered
    before = (counted(SERVICES.format(lang="en")),
              counted(CARD.format(lang="en", code="building_permit")))
    # when every type is made live (more cards, more rows on each card's type)
    for code in ("building_addition", "demolition_permit", "fence_permit",
                 "occupancy_certificate"):
        _rollout(rolled_out, code, "KHB", RolloutState.LIVE)
    # then both pages still read the same number of queries
    after = (counted(SERVICES.format(lang="en")),
             counted(CARD.format(lang="en", code="building_permit")))
    assert after == before


def test_the_card_links_to_the_start_page_with_its_type_once_there_is_one(client,
                                                                          rolled_out):
    # given the building service starting on a page of the portal (the list of services stands
    # in here for the apply part's start page), the excavation's page not built yet
    EService.objects.filter(code="building_permit").update(url_name="permits:service_list")
    EService.objects.filter(code="excavation_permit").update(url_name="permits:no_such_page")
    # then the building card offers to apply there for this type; the other says it is soon
    building = client.get(CARD.format(lang="en", code="building_permit")).content.decode()
    assert '<a class="button" href="/en/permits/services/?type=building_permit">Apply now</a>' \
        in building
    excavation = _text(client.get(CARD.format(lang="en", code="excavation_permit")))
    assert "Online applications for this service open soon on the portal." in excavation
    assert "Apply now" not in excavation


def test_the_anonymous_home_points_to_the_cards_and_the_calculator(client, world):
    html = client.get("/ar/").content.decode()
    assert 'href="/ar/permits/services/"' in html
    assert 'href="/ar/permits/fees/"' in html
    assert "حاسبة رسوم الرخص" in html


def test_a_figure_in_arabic_indic_digits_is_priced(client, rolled_out):
    # when the area is typed as an Arabic keyboard types it
    text = _text(_calculate(client, "ar", type="building_permit", municipality="KHB",
                            shown_type="building_permit", built_area_m2="٤٢٠"))
    # then it is the same 420 m²
    assert "للحصول عليها (التقديم والإصدار) 1,560.00 ر.س" in text


def test_the_card_shows_the_visitors_own_municipality_first(client, rolled_out):
    # given a Qatif resident (the building service is live in Khobar and Qatif)
    client.force_login(CitizenFactory(municipality=rolled_out.branches["QTF"]).user)
    # when they open the building card without choosing
    response = client.get(CARD.format(lang="en", code="building_permit"))
    # then the fees are Qatif's, and Qatif is the one chosen in the list
    assert "(municipality class 2)" in _text(response)
    assert re.search(r'<option value="QTF" selected>', response.content.decode())
