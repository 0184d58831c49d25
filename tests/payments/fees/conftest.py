"""People and places of the fee schedule page tests."""

import pytest

from amanah.enums import MunicipalityKind, StaffRole
from tests.factories import (
    DepartmentFactory,
    EServiceFactory,
    MunicipalityFactory,
    StaffMembershipFactory,
)


@pytest.fixture
def amanah():
    return MunicipalityFactory(code="AMN", kind=MunicipalityKind.AMANAH, parent=None,
                               municipality_class=1, name_en="The Amanah")


@pytest.fixture
def branch(amanah):
    return MunicipalityFactory(code="BR2", parent=amanah, municipality_class=2,
                               name_en="Branch Two")


@pytest.fixture
def other_branch(amanah):
    return MunicipalityFactory(code="BR3", parent=amanah, municipality_class=2,
                               name_en="Branch Three")


def admin_of(municipality):
    return StaffMembershipFactory(department=DepartmentFactory(municipality=municipality),
                                  role=StaffRole.ADMIN).user


@pytest.fixture
def amanah_admin(amanah):
    return admin_of(amanah)


@pytest.fixture
def branch_admin(branch):
    return admin_of(branch)


@pytest.fixture
def clerk(branch):
    return StaffMembershipFactory(department=DepartmentFactory(municipality=branch),
                                  role=StaffRole.CLERK).user


@pytest.fixture
def service():
    return EServiceFactory(code="misc_fee", name_en="Miscellaneous fee",
                           name_ar="رسوم متنوعة", owning_app="payments")
