"""The places the seeded catalogue loads into, without the rest of the demo: the Amanah with
the departments its permit procedures name, and its four branches (two of class 1, two of 2)."""

from dataclasses import dataclass

from amanah.enums import MunicipalityKind
from tests.factories import DepartmentFactory, MunicipalityFactory

PROCEDURE_DEPARTMENTS = ("engineering", "inspection", "legal")
BRANCH_CLASSES = {"KHB": 1, "DMM": 1, "QTF": 2, "JBL": 2}


@dataclass
class CatalogueWorld:
    amanah: object
    branches: dict  # code → Municipality


def catalogue_world_make() -> CatalogueWorld:
    amanah = MunicipalityFactory(code="EPA", kind=MunicipalityKind.AMANAH, municipality_class=1,
                                 name_ar="أمانة المنطقة الشرقية",
                                 name_en="Eastern Province Amanah")
    for code in PROCEDURE_DEPARTMENTS:
        DepartmentFactory(municipality=amanah, code=code)
    branches = {code: MunicipalityFactory(code=code, parent=amanah, municipality_class=klass)
                for code, klass in BRANCH_CLASSES.items()}
    return CatalogueWorld(amanah=amanah, branches=branches)
