"""The instant path's settlement: a licence application billed without a case (every
activity instant, the self-declaration signed at submission) is issued as soon as its last fee
is paid — by the lifecycle settler of kind NEW, which the paid task and its sweeper call with
the application locked — then told to the parties and sampled for an inspection afterwards."""

from ..enums import ApplicationKind, ApplicationStatus, PartyRole
from ..models import Application
from ..notify import party_sms_schedule
from ..services.applications import application_status_change
from ..services.fees import application_activities
from ..services.lifecycle import lifecycle_settler_register
from ..services.permits import permit_issue
from .sampling import licence_sample


@lifecycle_settler_register(ApplicationKind.NEW)
def licence_instant_settle(application: Application, *, actor=None) -> None:
    """Issue the licence of a paid instant application (locked by the caller, awaiting its
    fee, no case); anything else of kind NEW is not this settler's and is left alone."""
    if not application.permit_type.uses_activities or application.case_id is not None:
        return
    permit = permit_issue(application=application, actor=actor)  # certificate after commit
    application_status_change(application=application, to_status=ApplicationStatus.ISSUED,
                              actor=actor, payload={"permit": permit.number, "instant": True})
    party_sms_schedule(application_id=application.pk, template="issued",
                       roles=PartyRole.values, context={"permit": permit.number})
    licence_sample(permit=permit, activities=application_activities(application))
