"""Objections: to a permit's decision by its holder, or to an application's rejection by a
party, within 60 days — a case of kind "permit_objection" for the legal department."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from amanah.dates import dual_date_format
from amanah.errors import Conflict, DomainError, PermissionDenied
from permits.models import PermitObjection
from permits.services.lifecycle import permit_objection_file, permit_suspend
from tests.factories import CitizenFactory
from tests.permits.factories import permits_world
from tests.samples import pdf
from workflow.models import Case

from .lifecycle_helpers import (
    application_rejected_make,
    day,
    objection_procedure_publish,
    permit_make,
)

pytestmark = pytest.mark.django_db

DECIDED = dt.date(2026, 12, 1)
DUE = dt.date(2027, 1, 30)  # 60 days later


@pytest.fixture
def world(clock):
    clock.set(day(2026, 12, 1))
    world = permits_world()
    objection_procedure_publish(world)
    return world


def test_an_objection_on_day_60_is_a_case_for_the_legal_department(world, clock):
    # given a permit issued on 1 December 2026
    permit = permit_make(world)
    # when its holder objects on the 60th day after, with a document
    clock.set(day(2027, 1, 30, hour=23))
    objection = permit_objection_file(
        permit_id=permit.pk, user=world.owner.user, grounds="  الارتداد المعتمد أقل من المطلوب  ",
        documents=[SimpleUploadedFile("grounds.pdf", pdf(), content_type="application/pdf")])
    # then a case of the objection procedure is opened in the legal department, in the
    # holder's name, with the grounds and the document
    case = Case.objects.select_related("definition", "department").get(pk=objection.case_id)
    assert (case.definition.code, case.department.code, case.applicant_person) == (
        "permit_objection", "legal", world.owner)
    assert case.description == "الارتداد المعتمد أقل من المطلوب"
    assert case.subject == f"اعتراض على {permit.number} / Objection to {permit.number}"
    assert case.attachments.count() == 1
    assert (objection.permit, objection.application, objection.decision_on, objection.due_on,
            objection.filed_by) == (permit, None, DECIDED, DUE, world.owner.user)


def test_an_objection_on_day_61_is_refused_with_the_date_it_was_due(world, clock):
    permit = permit_make(world)
    clock.set(day(2027, 1, 31, hour=0))
    with pytest.raises(DomainError) as refused:
        permit_objection_file(permit_id=permit.pk, user=world.owner.user, grounds="أسباب")
    assert refused.value.code == "permits.objection_too_late"
    assert refused.value.message_ar == ("انتهت مهلة الاعتراض (ستون يوماً من القرار) في "
                                        f"{dual_date_format(DUE, 'ar')}.")
    assert refused.value.message_en == ("The time to object (60 days from the decision) ended "
                                        "on 22 Shaban 1448 AH — 30 January 2027.")
    assert not Case.objects.exists() and not PermitObjection.objects.exists()


def test_the_period_runs_from_the_latest_decision(world, clock):
    # given a permit issued on 1 December 2026 and suspended on 1 March 2027
    permit = permit_make(world)
    clock.set(day(2027, 3, 1))
    permit_suspend(permit_id=permit.pk, actor=world.head, reason="مخالفة")
    # when the holder objects in April (past 60 days from the issue, inside those of the
    # suspension)
    clock.set(day(2027, 4, 20))
    objection = permit_objection_file(permit_id=permit.pk, user=world.owner.user,
                                      grounds="المخالفة أزيلت قبل الإيقاف")
    assert (objection.decision_on, objection.due_on) == (dt.date(2027, 3, 1),
                                                         dt.date(2027, 4, 30))


def test_a_second_objection_while_one_is_heard_is_refused(world):
    permit = permit_make(world)
    permit_objection_file(permit_id=permit.pk, user=world.owner.user, grounds="أسباب")
    with pytest.raises(Conflict) as refused:
        permit_objection_file(permit_id=permit.pk, user=world.owner.user, grounds="أسباب أخرى")
    assert refused.value.code == "permits.objection_open"
    assert PermitObjection.objects.count() == Case.objects.count() == 1


@pytest.mark.parametrize("who", ["stranger", "office_worker", "head"])
def test_only_the_holder_objects_to_a_permit_decision(world, who):
    permit = permit_make(world)
    user = {"stranger": CitizenFactory().user, "office_worker": world.office_worker.user,
            "head": world.head}[who]
    with pytest.raises(PermissionDenied) as refused:
        permit_objection_file(permit_id=permit.pk, user=user, grounds="أسباب")
    assert refused.value.code == "permits.not_holder"
    assert not Case.objects.exists() and not PermitObjection.objects.exists()


def test_a_party_objects_to_a_rejection(world, clock):
    # given an application rejected on 1 December 2026
    application = application_rejected_make(world)
    # when the office that filed it objects on the 60th day
    clock.set(day(2027, 1, 30))
    objection = permit_objection_file(application_id=application.pk,
                                      user=world.office_worker.user, grounds="المخطط مطابق")
    # then the case is in the owner's name, submitted by the office's person
    case = Case.objects.get(pk=objection.case_id)
    assert (case.applicant_person, case.submitted_by) == (world.owner,
                                                          world.office_worker.user)
    assert (objection.application, objection.permit, objection.due_on) == (application, None, DUE)


def test_only_a_rejection_is_objected_to_and_only_by_a_party(world):
    issued = permit_make(world).application
    with pytest.raises(Conflict) as refused:
        permit_objection_file(application_id=issued.pk, user=world.owner.user, grounds="x")
    assert refused.value.code == "permits.objection_not_rejected"
    rejected = application_rejected_make(world)
    with pytest.raises(PermissionDenied) as refused:
        permit_objection_file(application_id=rejected.pk, user=CitizenFactory().user,
                              grounds="x")
    assert refused.value.code == "permits.not_a_party"
    assert not Case.objects.exists()


def test_grounds_are_required(world):
    permit = permit_make(world)
    with pytest.raises(DomainError) as refused:
        permit_objection_file(permit_id=permit.pk, user=world.owner.user, grounds="  ")
    assert (refused.value.code, refused.value.field) == ("permits.objection_grounds_required",
                                                         "grounds")
    assert not Case.objects.exists()
