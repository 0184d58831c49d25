import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst

from amanah import clock
from amanah.enums import OneTimeCodePurpose, RolloutState, StaffRole
from amanah.models import (
    Department,
    EService,
    EServiceRollout,
    Establishment,
    Municipality,
    OneTimeCode,
    Person,
    StaffMembership,
    User,
)
from tests.factories import (
    CitizenFactory,
    DepartmentFactory,
    EServiceRolloutFactory,
    EstablishmentFactory,
    MunicipalityFactory,
    StaffMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ADMIN_MODELS = [Municipality, Department, StaffMembership, Person, Establishment, EService,
                EServiceRollout, OneTimeCode, User]
SECRET_HASH = "pbkdf2_sha256$1000000$otp-salt$c2VjcmV0LWhhc2gtbmV2ZXItc2hvd24="


@pytest.fixture
def superuser():
    return User.objects.create_superuser("epa.admin.test", "admin@example.sa", "Admin-Pass-2026")


@pytest.fixture
def admin_site_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def one_of_each():
    khobar = MunicipalityFactory(code="KHB", name_ar="بلدية الخبر", name_en="Khobar")
    membership = StaffMembershipFactory(
        department=DepartmentFactory(municipality=khobar, code="licensing",
                                     name_ar="إدارة الرخص", name_en="Licensing"),
        role=StaffRole.REVIEWER,
    )
    citizen = CitizenFactory(municipality=khobar)
    EstablishmentFactory(municipality=khobar, representatives=[citizen])
    EServiceRolloutFactory(municipality=khobar, state=RolloutState.PILOT)
    OneTimeCode.objects.create(person=citizen, purpose=OneTimeCodePurpose.MOBILE_CONFIRM,
                               code_hash=SECRET_HASH,
                               expires_at=clock.now() + dt.timedelta(minutes=5))
    return membership


def _admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda m: m.__name__)
def test_an_admin_opens_the_list_and_a_record_of_every_core_model(admin_site_client, one_of_each,
                                                                   model):
    # given one row of each model
    obj = model.objects.order_by("pk").first()
    # when the admin opens its list, its change page and its history
    changelist = admin_site_client.get(_admin_url(model, "changelist"))
    change = admin_site_client.get(_admin_url(model, "change", obj.pk))
    # then every page opens
    assert changelist.status_code == 200
    assert change.status_code == 200
    if hasattr(model, "history"):
        assert admin_site_client.get(_admin_url(model, "history", obj.pk)).status_code == 200


def test_the_admin_speaks_arabic_and_english(admin_site_client, one_of_each):
    # given an admin
    # when they open the municipality list under /ar/ and under /en/
    arabic = admin_site_client.get("/ar/admin/amanah/municipality/")
    english = admin_site_client.get("/en/admin/amanah/municipality/")
    # then each page is in its own language and direction, labels included
    assert arabic.status_code == english.status_code == 200
    arabic_html, english_html = arabic.content.decode(), english.content.decode()
    assert 'dir="rtl"' in arabic_html and 'dir="ltr"' in english_html
    assert "إدارة بوابة الأمانة" in arabic_html
    assert "Amanah Portal administration" in english_html
    labels = {}
    for language in ("ar", "en"):
        with translation.override(language):
            labels[language] = (str(Municipality._meta.verbose_name_plural),
                                str(Municipality._meta.get_field("municipality_class").verbose_name))
    assert labels["ar"] != labels["en"]
    assert all(label in arabic_html for label in labels["ar"])
    assert all(label in english_html for label in labels["en"])


def test_a_configuration_change_is_recorded_with_who_made_it(admin_site_client, superuser):
    # given a branch municipality of class 3
    khobar = MunicipalityFactory(code="KHB", name_ar="بلدية الخبر", name_en="Khobar",
                                 municipality_class=3)
    # when the admin moves it to class 2 through the admin
    response = admin_site_client.post(_admin_url(Municipality, "change", khobar.pk), {
        "code": "KHB", "name_ar": "بلدية الخبر", "name_en": "Khobar", "kind": "branch",
        "parent": "", "municipality_class": "2", "is_active": "on",
    })
    # then the change is saved and its history says who changed what
    assert response.status_code == 302
    khobar.refresh_from_db()
    assert khobar.municipality_class == 2
    latest = khobar.history.order_by("-history_id").first()
    assert latest.history_user == superuser
    assert latest.history_type == "~"
    assert [c.field for c in latest.diff_against(latest.prev_record).changes] == [
        "municipality_class"]
    page = admin_site_client.get(f"/en/admin/amanah/municipality/{khobar.pk}/history/")
    html = page.content.decode()
    with translation.override("en"):
        label = capfirst(Municipality._meta.get_field("municipality_class").verbose_name)
    assert f"{superuser.username}</a>" in html
    assert f"<strong>{label}:</strong>" in html
    assert "&rarr;&nbsp;&nbsp;2" in html


def test_rollout_state_is_switched_from_its_form_and_recorded(admin_site_client, superuser):
    # given a service piloted in Khobar (with no pilot thresholds)
    rollout = EServiceRolloutFactory(municipality=MunicipalityFactory(code="KHB"),
                                     state=RolloutState.PILOT)
    # when the admin sets it live from the rollout's form (the list has no editable selects)
    response = admin_site_client.post(_admin_url(EServiceRollout, "change", rollout.pk), {
        "state": RolloutState.LIVE, "change_reason": "Pilot done", "_save": "Save",
    })
    # then it is live and the history names the admin and the reason
    assert response.status_code == 302
    rollout.refresh_from_db()
    assert rollout.state == RolloutState.LIVE
    latest = rollout.history.order_by("-history_id").first()
    assert (latest.history_user, latest.history_change_reason) == (superuser, "Pilot done")


def test_search_finds_a_person_by_national_id(admin_site_client):
    # given two citizens
    wanted = CitizenFactory(name_en="Wanted Person")
    other = CitizenFactory(name_en="Other Person")
    # when the admin searches the people by the first one's ID
    response = admin_site_client.get(_admin_url(Person, "changelist"),
                                     {"q": wanted.national_id})
    # then only that person is listed
    assert list(response.context["cl"].result_list) == [wanted]
    assert other.national_id not in response.content.decode()


def test_search_finds_a_staff_member_by_username(admin_site_client):
    # given two staff memberships
    wanted = StaffMembershipFactory(user=UserFactory(username="khb.licensing.clerk"))
    StaffMembershipFactory(user=UserFactory(username="dmm.finance.cashier"))
    # when the admin searches memberships for the first username
    response = admin_site_client.get(_admin_url(StaffMembership, "changelist"),
                                     {"q": "khb.licensing"})
    # then only that membership is listed
    assert list(response.context["cl"].result_list) == [wanted]


def test_one_time_codes_are_read_only_and_never_show_the_hash(admin_site_client, one_of_each):
    # given a one-time code waiting to be used
    code = OneTimeCode.objects.get()
    # when the admin opens its list and its page, and tries to change it
    listing = admin_site_client.get(_admin_url(OneTimeCode, "changelist")).content.decode()
    page = admin_site_client.get(_admin_url(OneTimeCode, "change", code.pk)).content.decode()
    attempt = admin_site_client.post(_admin_url(OneTimeCode, "change", code.pk),
                                     {"attempts": "0", "code_hash": "tampered"})
    added = admin_site_client.get(_admin_url(OneTimeCode, "add"))
    # then nothing of the hash is shown and nothing can be written
    assert "c2VjcmV0" not in listing and "otp-salt" not in listing
    assert "c2VjcmV0" not in page and "otp-salt" not in page
    assert "code_hash" not in page
    assert attempt.status_code == 403
    assert added.status_code == 403
    code.refresh_from_db()
    assert code.code_hash == SECRET_HASH
    assert OneTimeCode.objects.count() == 1


def test_a_staff_member_who_is_not_an_admin_is_refused(client, one_of_each):
    # given a licensing reviewer without admin rights
    reviewer = one_of_each.user
    client.force_login(reviewer)
    khobar = Municipality.objects.get(code="KHB")
    # when they open the admin and try to change a municipality
    index = client.get("/ar/admin/")
    changelist = client.get(_admin_url(Municipality, "changelist"))
    change = client.post(_admin_url(Municipality, "change", khobar.pk), {
        "code": "KHB", "name_ar": "x", "name_en": "x", "kind": "branch",
        "municipality_class": "1", "is_active": "on"})
    # then they are sent to the admin sign-in and nothing changed
    assert index.status_code == 302 and "/admin/login/" in index["Location"]
    assert changelist.status_code == 302 and "/admin/login/" in changelist["Location"]
    assert change.status_code == 302
    khobar.refresh_from_db()
    assert (khobar.name_ar, khobar.municipality_class) == ("بلدية الخبر", 3)
    assert khobar.history.count() == 1


def test_a_staff_account_without_permissions_gets_403_not_the_data(client):
    # given an account allowed into the admin but granted no permission
    user = UserFactory(username="epa.nobody", is_staff=True)
    client.force_login(user)
    khobar = MunicipalityFactory(code="KHB")
    # when it opens the municipality list and tries to change one
    changelist = client.get(_admin_url(Municipality, "changelist"))
    change = client.post(_admin_url(Municipality, "change", khobar.pk), {
        "code": "KHB", "name_ar": "x", "name_en": "x", "kind": "branch",
        "municipality_class": "1", "is_active": "on"})
    # then both are refused and the municipality is as it was
    assert changelist.status_code == 403
    assert change.status_code == 403
    khobar.refresh_from_db()
    assert khobar.name_ar != "x"
    assert khobar.history.count() == 1
