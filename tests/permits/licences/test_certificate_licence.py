"""The certificate of a commercial licence (issue 10) prints the trade name, the establishment
and its unified number, the activities with their codes and names in both languages, the shop
and signage areas and the period; a sub-permit's prints the licence it hangs from."""

import datetime as dt

import pytest

from permits.certificates import (
    CertificateActivity,
    certificate_html,
    permit_certificate_content,
)
from permits.enums import PermitStatus
from permits.models import Permit

from .factories import BARBER, GROCERY, licence_issue_make, licence_world

pytestmark = pytest.mark.django_db

RELATED = ("permit_type", "municipality__parent", "holder_person", "holder_establishment",
           "parcel__district", "parent")


def _loaded(permit: Permit) -> Permit:
    return Permit.objects.select_related(*RELATED).get(pk=permit.pk)


def test_a_licence_prints_its_establishment_activities_and_shop_details():
    # given a licence for a grocery with a barber's corner, 60 m², a 3 m² sign, one year
    world = licence_world()
    licence = _loaded(licence_issue_make(world, activities=(GROCERY, BARBER)))
    # when its certificate content and page are made
    content = permit_certificate_content(licence)
    html = certificate_html(content)
    # then the activities are printed in the order chosen, each with its code and both names
    assert content.activities == (CertificateActivity("471101", "بقالة", "Grocery"),
                                  CertificateActivity("960201", "حلاقة رجالية", "Men's barber"))
    assert ('<td class="id ltr">471101</td><td>بقالة</td><td class="en" colspan="2">Grocery'
            '</td>') in html
    assert ('<td class="id ltr">960201</td><td>حلاقة رجالية</td><td class="en" colspan="2">'
            "Men&#x27;s barber</td>") in html
    assert "الأنشطة المرخصة" in html and "Licensed activities" in html
    # and the establishment is the holder, with its unified number
    assert (content.holder_name_ar, content.holder_id, content.holder_is_establishment) == (
        "مؤسسة النخيل التجارية", world.establishment.unified_number, True)
    assert "<td>مؤسسة النخيل التجارية</td>" in html
    assert f'<td class="id ltr" colspan="2">{world.establishment.unified_number}</td>' in html
    assert "الرقم الموحد" in html and "Unified number" in html
    # and the trade name, areas and period are approved details, in the form's order
    rows = {row.label_en: (row.value_ar, row.value_en) for row in content.details}
    assert rows == {"Trade name": ("بقالة النخيل", "بقالة النخيل"),
                    "Commercial registration number": ("1010123456", "1010123456"),
                    "Lease contract number": ("LS-2026-0001", "LS-2026-0001"),
                    "Shop area": ("60 م²", "60 m²"), "Signage area": ("3 م²", "3 m²"),
                    "Licence period": ("سنة", "1 year")}
    assert "<td>بقالة النخيل</td>" in html
    # and the activities list is not printed again as a raw detail row
    assert "['471101', '960201']" not in html and ">activities<" not in html
    # and it is called a licence in English
    assert "Licence number" in html and "Licence holder" in html
    # and, not being a sub-permit, it names no parent licence
    assert content.parent_number == "" and "Parent licence" not in html


def test_a_sub_permit_prints_the_licence_it_hangs_from():
    # given a signage permit issued under a licence
    world = licence_world()
    licence = licence_issue_make(world)
    sign = Permit.objects.create(
        number="SG-1448-000001", permit_type=world.signage_type, municipality=world.municipality,
        status=PermitStatus.VALID, holder_establishment=world.establishment,
        parcel=world.parcel, parent=licence, details={"sign_area_m2": "3.00"},
        issued_on=dt.date(2026, 12, 1), valid_from=dt.date(2026, 12, 1),
        valid_until=licence.valid_until)
    # when its certificate page is made
    content = permit_certificate_content(_loaded(sign))
    html = certificate_html(content)
    # then it names its parent licence, and has no activities of its own
    assert content.parent_number == licence.number
    assert f'<div class="v ltr parent">{licence.number}</div>' in html
    assert "Valid only with shop licence number" in html
    assert content.activities == ()
    assert "Licensed activities" not in html
    assert "Permit number" in html


def test_an_activity_no_longer_in_the_catalogue_prints_under_its_code():
    world = licence_world()
    licence = licence_issue_make(world)
    Permit.objects.filter(pk=licence.pk).update(
        details={**licence.details, "activities": [GROCERY, "999999"]})
    content = permit_certificate_content(_loaded(licence))
    assert content.activities == (CertificateActivity("471101", "بقالة", "Grocery"),
                                  CertificateActivity("999999", "999999", "999999"))


def test_the_licence_pdf_is_one_page_with_the_activities_in_its_text():
    import io

    from pypdf import PdfReader

    from permits.certificates import certificate_pdf_render

    world = licence_world()
    content = permit_certificate_content(_loaded(licence_issue_make(world,
                                                                    activities=(GROCERY,
                                                                                BARBER))))
    reader = PdfReader(io.BytesIO(certificate_pdf_render(content)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) == 1
    for fact in ("471101", "960201", "Grocery", "Men's barber", "Licensed activities",
                 world.establishment.unified_number, "Licence number", "60 m²", "3 m²"):
        assert fact in text, fact
