"""Every workflow page renders real Arabic (right to left) under /ar/ and English under /en/."""

import re

import pytest

from amanah.enums import StaffRole

from .factories import case_new
from .pages_helpers import user_for

# page → (who opens it, Arabic heading, English heading); None heading = the case subject.
PAGES = {
    "queue": ("department_staff", "قائمة عمل إدارة customer_service",
              "Queue of Dept customer_service"),
    "case": ("department_staff", None, None),
    "my_case": ("applicant", None, None),
    "my_cases": ("applicant", "معاملاتي", "My transactions"),
    "case_new": ("applicant", "معاملة جديدة", "New transaction"),
    "status_check": ("anonymous", "الاستعلام عن معاملة", "Check a transaction"),
    "analytics": ("admin", "تحليلات الإجراءات", "Procedure analytics"),
}


def _path(page: str, case) -> str:
    return {"queue": f"queue/{case.department_id}/", "case": f"cases/{case.pk}/",
            "my_case": f"mine/{case.pk}/", "my_cases": "mine/", "case_new": "mine/new/",
            "status_check": "status/", "analytics": "analytics/"}[page]


@pytest.mark.parametrize("page", list(PAGES))
def test_page_in_arabic_and_english(client, world, page):
    case = case_new(world, subject="طلب إفادة")
    who, heading_ar, heading_en = PAGES[page]
    user = user_for(world, who, case)
    if user is not None:
        client.force_login(user)
    for language, direction, heading, label in (
            ("ar", "rtl", heading_ar, "سجل المعاملة"),
            ("en", "ltr", heading_en, "Timeline")):
        response = client.get(f"/{language}/transactions/{_path(page, case)}")
        html = response.content.decode()
        assert response.status_code == 200
        assert f'<html lang="{language}" dir="{direction}">' in html
        h1 = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1).strip()
        assert h1 == (heading or case.subject)
        if heading is None:
            assert label in html


def test_the_english_case_page_has_no_arabic_interface_text(client, world):
    # given a case whose own data (subject, department names) is Arabic-free
    case = case_new(world, subject="Plan inquiry")
    client.force_login(world.staff("customer_service", StaffRole.HEAD))
    html = client.get(f"/en/transactions/cases/{case.pk}/").content.decode()
    main = html[html.index("<main"):html.index("</main>")]
    # then nothing in the page body is in Arabic, apart from the state and action labels
    # that the procedure defines in both languages (shown here in English)
    assert re.findall(r"[\u0600-\u06FF]+", main) == []
