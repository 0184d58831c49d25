"""The configuration list pages run the same number of queries for few rows or many."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amanah.enums import StaffRole
from payments.enums import FeeRuleKind
from payments.services import fee_schedule_create
from tests.factories import (
    DepartmentFactory,
    EServiceFactory,
    MunicipalityFactory,
    StaffMembershipFactory,
)
from tests.payments.factories import bill_make
from workflow.models import Holiday

pytestmark = pytest.mark.django_db


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _fees(n: int, start: int):
    for i in range(start, start + n):
        service = EServiceFactory(code=f"svc{i}")
        fee = fee_schedule_create(eservice=service, municipality_class=1 + i % 5,
                                  kind=FeeRuleKind.FIXED, amount="100",
                                  effective_from=dt.date(2025, 1, 1))
        bill_make(amount=None, eservice=service, registered=False,
                  municipality=MunicipalityFactory(municipality_class=1 + i % 5))
    return fee


def test_the_configuration_lists_do_not_grow_in_queries(client, amanah_admin, amanah):
    client.force_login(amanah_admin)
    fee = _fees(1, 0)
    department = DepartmentFactory(municipality=amanah)
    StaffMembershipFactory(department=department, role=StaffRole.CLERK)
    Holiday.objects.create(date=dt.date(2030, 1, 1), name_ar="أ", name_en="A")
    urls = ["/en/payments/finance/fees/", f"/en/payments/finance/fees/{fee.pk}/",
            "/en/staff/config/departments/", f"/en/staff/config/departments/{department.pk}/",
            "/en/transactions/holidays/"]
    few = [_count(client, url) for url in urls]
    # when there are many more fees, bills, departments, members and holidays
    _fees(12, 1)
    for i in range(10):
        extra = DepartmentFactory(municipality=amanah)
        StaffMembershipFactory(department=extra, role=StaffRole.HEAD)
        StaffMembershipFactory(department=department, role=StaffRole.REVIEWER)
        Holiday.objects.create(date=dt.date(2030, 1, 2 + i), name_ar="ب", name_en="B")
    many = [_count(client, url) for url in urls]
    assert many == few
