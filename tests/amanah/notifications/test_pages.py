"""The notification texts page (admins) and a person's notification history (account page)."""

import pytest

from amanah.enums import MunicipalityKind, StaffRole
from amanah.models import Notification, NotificationTemplate
from amanah.notify import Recipient, notification_request
from tests.factories import (
    CitizenFactory,
    DepartmentFactory,
    MunicipalityFactory,
    StaffMembershipFactory,
    StaffUserFactory,
)

pytestmark = pytest.mark.django_db

URL = "/{lang}/staff/notifications/"


def _admin(kind=MunicipalityKind.AMANAH):
    municipality = MunicipalityFactory(kind=kind)
    membership = StaffMembershipFactory(role=StaffRole.ADMIN,
                                        department=DepartmentFactory(municipality=municipality))
    return membership.user


def _template(event="bill.paid", channel="sms"):
    return NotificationTemplate.objects.get(event=event, channel=channel)


def _post(template, **changes):
    data = {"body_ar": template.body_ar, "body_en": template.body_en, "is_active": "on",
            "subject_ar": template.subject_ar, "subject_en": template.subject_en,
            "op": "save", **changes}
    return data


@pytest.mark.parametrize(("who", "status"), [("citizen", 403), ("clerk", 403),
                                             ("branch_admin", 200), ("amanah_admin", 200),
                                             ("superuser", 200)])
def test_the_texts_page_is_for_admins(client, who, status):
    user = {"citizen": lambda: CitizenFactory().user,
            "clerk": lambda: StaffMembershipFactory(role=StaffRole.CLERK).user,
            "branch_admin": lambda: _admin(MunicipalityKind.BRANCH),
            "amanah_admin": _admin,
            "superuser": lambda: StaffUserFactory(is_superuser=True)}[who]()
    client.force_login(user)
    assert client.get(URL.format(lang="en")).status_code == status


def test_the_list_shows_every_event_by_channel_in_english_and_arabic(client):
    client.force_login(_admin())
    english = client.get(URL.format(lang="en")).content.decode()
    assert "Bill about to expire" in english and "Transaction overdue" in english
    assert "we received the payment of bill {bill_number}" in english
    arabic = client.get(URL.format(lang="ar")).content.decode()
    assert "قرب انتهاء فاتورة" in arabic and "استلمنا سداد الفاتورة {bill_number}" in arabic


def test_an_admin_edits_a_text_and_the_history_says_who_and_when(client):
    admin = _admin()
    template = _template()
    client.force_login(admin)
    response = client.post(f"{URL.format(lang='en')}{template.pk}/", _post(
        template, body_en="Amanah: bill {bill_number} is paid ({amount}). Thank you."))
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.body_en == "Amanah: bill {bill_number} is paid ({amount}). Thank you."
    latest = template.history.order_by("-history_date").first()
    assert latest.history_user == admin
    page = client.get(f"{URL.format(lang='en')}{template.pk}/").content.decode()
    assert "History of changes" in page and admin.get_full_name() in page
    # and the next message uses the new words
    person = CitizenFactory(language="en")
    notification_request(event="bill.paid", key="k1", recipients=[Recipient.of_person(person)],
                         context={"bill_number": "1017", "amount": "SAR 5.00"})
    assert Notification.objects.get(person=person, channel="sms").body == (
        "Amanah: bill 1017 is paid (SAR 5.00). Thank you.")


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_an_unknown_placeholder_is_refused_next_to_its_field_and_nothing_is_saved(client, lang):
    template = _template()
    before = (template.body_ar, template.body_en, template.history.count())
    client.force_login(_admin())
    response = client.post(f"{URL.format(lang=lang)}{template.pk}/", _post(
        template, body_ar="أمانة: الفاتورة {bill_number} مسددة يا {customer_name}"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["body_ar"]
    expected = ("The placeholder {customer_name} is not available for this event." if lang == "en"
                else "العنصر «{customer_name}» غير متاح لهذا الحدث.")
    assert expected in errors["body_ar"][0]
    assert "field-error" in response.content.decode()
    template.refresh_from_db()
    assert (template.body_ar, template.body_en, template.history.count()) == before


def test_a_preview_shows_the_text_with_example_facts_and_saves_nothing(client):
    template = _template()
    before = template.history.count()
    client.force_login(_admin())
    response = client.post(f"{URL.format(lang='en')}{template.pk}/", _post(
        template, op="preview", body_en="Paid: {bill_number}, {amount}."))
    assert response.status_code == 200
    assert response.context["preview"]["body_en"] == "Paid: 100000000017, SAR 1,000.00."
    template.refresh_from_db()
    assert template.body_en != "Paid: {bill_number}, {amount}."
    assert template.history.count() == before


def test_a_branch_admin_reads_the_texts_but_cannot_change_them(client):
    template = _template()
    client.force_login(_admin(MunicipalityKind.BRANCH))
    response = client.post(f"{URL.format(lang='en')}{template.pk}/",
                           _post(template, body_en="Changed {bill_number}"))
    assert response.status_code == 200
    assert "Save the texts" not in response.content.decode()
    template.refresh_from_db()
    assert template.body_en != "Changed {bill_number}"


def test_the_account_page_shows_the_persons_notifications_newest_first(client):
    person = CitizenFactory(language="en")
    for number in ("111", "222"):
        notification_request(event="bill.paid", key=f"bill.paid:{number}",
                             recipients=[Recipient.of_person(person)],
                             context={"bill_number": number, "amount": "SAR 1.00"})
    other = CitizenFactory()
    notification_request(event="bill.paid", key="other", recipients=[Recipient.of_person(other)],
                         context={"bill_number": "999", "amount": "SAR 1.00"})
    client.force_login(person.user)
    page = client.get("/en/account/").content.decode()
    assert "My notifications" in page
    first, second = page.index("bill 222"), page.index("bill 111")
    assert first < second
    assert "bill 999" not in page
    assert "Waiting to be sent" in page
    full = client.get("/en/account/notifications/")
    assert full.status_code == 200
    assert [n.body for n in full.context["page"].object_list if n.channel == "sms"] == [
        "Amanah: we received the payment of bill 222, SAR 1.00. Thank you.",
        "Amanah: we received the payment of bill 111, SAR 1.00. Thank you."]
