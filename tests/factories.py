"""Shared factory-boy factories for the core domain. Other apps' tests import these.

Every person gets a valid national ID (Luhn check digit) and a valid Saudi mobile; every
establishment a valid unified number. Passwords default to `DEFAULT_PASSWORD`.
"""

import factory
from factory.django import DjangoModelFactory

from amanah import clock
from amanah.enums import MunicipalityKind, OwningApp, RolloutState, StaffRole
from amanah.identity import luhn_check_digit
from amanah.models import (
    Department,
    EService,
    EServiceRollout,
    Establishment,
    Municipality,
    Person,
    StaffMembership,
    User,
)

DEFAULT_PASSWORD = "Khobar-Corniche-2026"  # a test password only


def national_id_for(n: int, *, first_digit: str = "1") -> str:
    """The n-th valid ID number starting with `first_digit` (1 national ID, 2 iqama)."""
    payload = f"{first_digit}{n:08d}"
    return payload + luhn_check_digit(payload)


def unified_number_for(n: int) -> str:
    return f"7{n:09d}"


class MunicipalityFactory(DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"M{n:03d}")
    name_ar = factory.Sequence(lambda n: f"بلدية رقم {n}")
    name_en = factory.Sequence(lambda n: f"Municipality {n}")
    kind = MunicipalityKind.BRANCH
    municipality_class = 3
    is_active = True


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department

    municipality = factory.SubFactory(MunicipalityFactory)
    code = factory.Sequence(lambda n: f"dept-{n}")
    name_ar = factory.Sequence(lambda n: f"إدارة {n}")
    name_en = factory.Sequence(lambda n: f"Department {n}")
    is_active = True


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = ""
    last_name = ""
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.sa")
    is_active = True

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or DEFAULT_PASSWORD)
        if create:
            self.save(update_fields=["password"])


class StaffUserFactory(UserFactory):
    """A staff account (username like `staff7`); give it roles with StaffMembershipFactory."""

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = factory.Sequence(lambda n: f"Staff {n}")


class StaffMembershipFactory(DjangoModelFactory):
    class Meta:
        model = StaffMembership

    user = factory.SubFactory(StaffUserFactory)
    department = factory.SubFactory(DepartmentFactory)
    role = StaffRole.CLERK
    is_active = True


class PersonFactory(DjangoModelFactory):
    """A person without an account. Use CitizenFactory for one who can sign in."""

    class Meta:
        model = Person
        django_get_or_create = ("national_id",)

    national_id = factory.Sequence(lambda n: national_id_for(n + 1000))
    name_ar = factory.Sequence(lambda n: f"مواطن تجريبي {n}")
    name_en = factory.Sequence(lambda n: f"Demo Citizen {n}")
    mobile = factory.Sequence(lambda n: f"+9665{n % 100000000:08d}")
    email = factory.Sequence(lambda n: f"citizen{n}@example.sa")
    municipality = factory.SubFactory(MunicipalityFactory)
    mobile_confirmed_at = None
    user = None


class CitizenFactory(PersonFactory):
    """A person with a sign-in account whose username is their ID; mobile already confirmed."""

    mobile_confirmed_at = factory.LazyFunction(clock.now)
    user = factory.SubFactory(
        UserFactory,
        username=factory.SelfAttribute("..national_id"),
        first_name=factory.SelfAttribute("..name_ar"),
    )


class EstablishmentFactory(DjangoModelFactory):
    class Meta:
        model = Establishment
        django_get_or_create = ("unified_number",)
        skip_postgeneration_save = True

    unified_number = factory.Sequence(lambda n: unified_number_for(n + 1000))
    name_ar = factory.Sequence(lambda n: f"مؤسسة تجريبية {n}")
    name_en = factory.Sequence(lambda n: f"Demo Establishment {n}")
    municipality = factory.SubFactory(MunicipalityFactory)

    @factory.post_generation
    def representatives(self, create, extracted, **kwargs):
        if create and extracted:
            self.representatives.add(*extracted)


class EServiceFactory(DjangoModelFactory):
    class Meta:
        model = EService
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"SVC{n:03d}")
    name_ar = factory.Sequence(lambda n: f"خدمة {n}")
    name_en = factory.Sequence(lambda n: f"Service {n}")
    description_ar = "وصف الخدمة"
    description_en = "What the service does"
    owning_app = OwningApp.PERMITS
    url_name = ""
    display_order = factory.Sequence(lambda n: n)


class EServiceRolloutFactory(DjangoModelFactory):
    class Meta:
        model = EServiceRollout
        django_get_or_create = ("eservice", "municipality")

    eservice = factory.SubFactory(EServiceFactory)
    municipality = factory.SubFactory(MunicipalityFactory)
    state = RolloutState.LIVE
