"""Procedures (معاملات) as data — definitions, versions, states, transitions — and the cases
that run on them, with their append-only, hash-chained event trail."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from amanah.events import ChainedEvent, ChainHead
from amanah.indexes import NullsOrderedIndex
from amanah.models import Department, EService, Establishment, Municipality, Person
from amanah.process_cache import GenerationCache, TellsKeptCopies
from amanah.uploads import download_name

from .enums import (
    ActorKind,
    CaseChannel,
    CaseEventKind,
    CasePriority,
    EscalationKind,
    SlaStatus,
    StatusCategory,
    VersionStatus,
)
from .storage import attachment_upload_to, private_storage


class Holiday(TellsKeptCopies, models.Model):
    """A day off on the working-time calendar (Eid holidays, National Day, ...)."""

    date = models.DateField(_("Date"), unique=True)
    name_ar = models.CharField(_("Name (Arabic)"), max_length=200)
    name_en = models.CharField(_("Name (English)"), max_length=200)

    # Who changed the configuration, when, and what it was before (admin "History").
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Holiday")
        verbose_name_plural = _("Holidays")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name_en}"


def _holidays_load() -> frozenset:
    return frozenset(Holiday.objects.values_list("date", flat=True))


# The calendar changes a few times a year and is read for every case that enters a step: each
# process keeps all of it (a few rows) until a writer of holidays says it changed.
HOLIDAY_CALENDAR = GenerationCache(_holidays_load)
Holiday.kept_copy = HOLIDAY_CALENDAR


class WorkflowDefinition(models.Model):
    """A kind of transaction in one municipality. The Amanah's own row is the fallback
    for its branch municipalities that have none of their own."""

    code = models.SlugField(_("Code"), max_length=64,
                            help_text=_("Transaction kind, e.g. general_correspondence"))
    municipality = models.ForeignKey(Municipality, verbose_name=_("Municipality"),
                                     on_delete=models.PROTECT, related_name="workflow_definitions")
    name_ar = models.CharField(_("Name (Arabic)"), max_length=200)
    name_en = models.CharField(_("Name (English)"), max_length=200)
    description_ar = models.TextField(_("Description (Arabic)"), blank=True)
    description_en = models.TextField(_("Description (English)"), blank=True)
    case_prefix = models.CharField(
        _("Number prefix"), max_length=8, blank=True,
        help_text=_("Left empty, case numbers start with the municipality code"))
    eservice = models.ForeignKey(
        EService, verbose_name=_("E-service"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="workflow_definitions",
        help_text=_("The e-service this procedure serves; its rollout decides where a case may "
                    "be started. Empty for internal procedures that only code starts."))
    created_at = models.DateTimeField(auto_now_add=True)

    # Who changed the configuration, when, and what it was before (admin "History").
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Workflow definition")
        verbose_name_plural = _("Workflow definitions")
        ordering = ["code", "municipality__code"]
        constraints = [
            models.UniqueConstraint(fields=["code", "municipality"],
                                    name="workflow_definition_code_unique_in_municipality"),
        ]

    def __str__(self) -> str:
        return f"{self.code} @ {self.municipality.code}"


class DefinitionVersion(models.Model):
    """One edition of a definition. Edited as a draft, frozen once published; cases pin it."""

    definition = models.ForeignKey(WorkflowDefinition, verbose_name=_("Definition"),
                                   on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("Version"))
    status = models.CharField(_("Status"), max_length=10, choices=VersionStatus.choices,
                              default=VersionStatus.DRAFT)
    sla_hours = models.PositiveIntegerField(
        _("Overall SLA (working hours)"), null=True, blank=True,
        help_text=_("Working hours from submission to a final state; empty for none"))
    notes = models.TextField(_("Notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(_("Published at"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")

    # Who changed the configuration, when, and what it was before (admin "History").
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Definition version")
        verbose_name_plural = _("Definition versions")
        ordering = ["definition", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["definition", "number"],
                                    name="definition_version_number_unique"),
            models.UniqueConstraint(fields=["definition"],
                                    condition=Q(status=VersionStatus.PUBLISHED),
                                    name="definition_one_published_version"),
        ]

    def __str__(self) -> str:
        return f"{self.definition} v{self.number} ({self.status})"

    @property
    def is_editable(self) -> bool:
        return self.status == VersionStatus.DRAFT


def _localized_name(obj) -> str:
    """`name_en` on English pages (falling back to Arabic), else `name_ar`."""
    if (get_language() or "ar").startswith("en"):
        return obj.name_en or obj.name_ar
    return obj.name_ar or obj.name_en


def _version_editable_check(version_id: int | None) -> None:
    """Published and retired versions are frozen: running cases depend on them as they are."""
    if version_id and DefinitionVersion.objects.filter(pk=version_id).exclude(
            status=VersionStatus.DRAFT).exists():
        raise ValidationError(_("Only a draft version can be edited; create a new draft."),
                              code="version_not_draft")


class State(models.Model):
    """A step of a procedure: what it means (category), who holds it (department code)
    and how long it may take (working hours)."""

    version = models.ForeignKey(DefinitionVersion, verbose_name=_("Version"),
                                on_delete=models.CASCADE, related_name="states")
    code = models.SlugField(_("Code"), max_length=64)
    name_ar = models.CharField(_("Name (Arabic)"), max_length=200)
    name_en = models.CharField(_("Name (English)"), max_length=200)
    category = models.CharField(_("Status category"), max_length=20,
                                choices=StatusCategory.choices)
    department_code = models.CharField(
        _("Owning department code"), max_length=32, blank=True,
        help_text=_("Resolved in the case's municipality, else in the Amanah"))
    sla_hours = models.PositiveIntegerField(_("SLA (working hours)"), null=True, blank=True)
    is_start = models.BooleanField(_("Start state"), default=False)
    transfer_department_codes = models.JSONField(
        _("May be transferred to"), default=list, blank=True,
        help_text=_("Department codes a case in this state may be transferred to"))
    position = models.PositiveSmallIntegerField(_("Order"), default=0)

    # Who changed the configuration, when, and what it was before (admin "History").
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("State")
        verbose_name_plural = _("States")
        ordering = ["version", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"],
                                    name="state_code_unique_in_version"),
        ]

    def __str__(self) -> str:
        return f"{_localized_name(self)} ({self.code})"

    def clean(self):
        _version_editable_check(self.version_id)

    @property
    def is_terminal(self) -> bool:
        return self.category in StatusCategory.terminal()


class Transition(models.Model):
    """An action that moves a case from one state to another, and who may take it."""

    version = models.ForeignKey(DefinitionVersion, verbose_name=_("Version"),
                                on_delete=models.CASCADE, related_name="transitions")
    action = models.SlugField(_("Action code"), max_length=64)
    name_ar = models.CharField(_("Label (Arabic)"), max_length=200)
    name_en = models.CharField(_("Label (English)"), max_length=200)
    from_state = models.ForeignKey(State, verbose_name=_("From"), on_delete=models.CASCADE,
                                   related_name="outgoing")
    to_state = models.ForeignKey(State, verbose_name=_("To"), on_delete=models.CASCADE,
                                 related_name="incoming")
    allowed_roles = models.JSONField(
        _("Allowed actors"), default=list, blank=True,
        help_text=_('Roles of the owning department (e.g. "clerk", "head"), '
                    '"applicant" or "system"'))
    comment_required = models.BooleanField(_("Comment required"), default=False)
    document_required = models.BooleanField(_("Document required"), default=False)
    guards = models.JSONField(_("Guards"), default=list, blank=True)
    effects = models.JSONField(_("Effects"), default=list, blank=True)
    position = models.PositiveSmallIntegerField(_("Order"), default=0)

    # Who changed the configuration, when, and what it was before (admin "History").
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Transition")
        verbose_name_plural = _("Transitions")
        ordering = ["version", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["from_state", "action"],
                                    name="transition_action_unique_per_state"),
        ]

    def __str__(self) -> str:
        # Names, not row ids: "Refer: In review → Legal opinion" is what an admin recognises.
        return (f"{_localized_name(self)}: {_localized_name(self.from_state)} → "
                f"{_localized_name(self.to_state)}")

    def clean(self):
        _version_editable_check(self.version_id)
        for state_field in ("from_state", "to_state"):
            state_id = getattr(self, f"{state_field}_id")
            if state_id and self.version_id and not State.objects.filter(
                    pk=state_id, version_id=self.version_id).exists():
                raise ValidationError({state_field: _("Choose a state of the same version.")})


class CaseCounter(models.Model):
    """The last case number given in one municipality and Hijri year. Locked while a case
    is inserted in the same transaction, so numbers have no gaps and no duplicates."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    hijri_year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["municipality", "hijri_year"],
                                    name="case_counter_unique_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id}/{self.hijri_year}: {self.last_number}"


# Sorted, so that the partial index's predicate and the queue's filter are the same SQL in
# every process (a frozenset's order changes with the string hash seed).
TERMINAL_CATEGORIES = tuple(sorted(StatusCategory.terminal()))
# The queue's order: soonest step deadline first, cases without one last, then the oldest;
# the id makes it total. Queries must order by exactly this to read the index in order.
QUEUE_ORDER = (F("state_due_at").asc(nulls_last=True), F("submitted_at").asc(), F("id").asc())
QUEUE_ORDER_INDEXED = (F("department"), *QUEUE_ORDER)


class Case(ChainHead):
    """One transaction (معاملة) of a citizen or establishment, moving through a pinned version.

    Its events form a hash chain keyed by the case number (see amanah.events)."""

    CHAIN_KEY_FIELD = "number"

    number = models.CharField(_("Number"), max_length=32, unique=True)
    municipality = models.ForeignKey(Municipality, verbose_name=_("Municipality"),
                                     on_delete=models.PROTECT, related_name="cases")
    definition = models.ForeignKey(WorkflowDefinition, verbose_name=_("Kind"),
                                   on_delete=models.PROTECT, related_name="cases")
    version = models.ForeignKey(DefinitionVersion, verbose_name=_("Version"),
                                on_delete=models.PROTECT, related_name="cases")
    subject = models.CharField(_("Subject"), max_length=300)
    description = models.TextField(_("Details"), blank=True)
    applicant_person = models.ForeignKey(Person, verbose_name=_("Applicant"), null=True,
                                         blank=True, on_delete=models.PROTECT,
                                         related_name="cases")
    applicant_establishment = models.ForeignKey(Establishment, verbose_name=_("Establishment"),
                                                null=True, blank=True, on_delete=models.PROTECT,
                                                related_name="cases")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("Submitted by"),
                                     null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="submitted_cases")
    state = models.ForeignKey(State, verbose_name=_("State"), on_delete=models.PROTECT,
                              related_name="cases")
    # Denormalised from state.category so queues and analytics filter without a join.
    category = models.CharField(_("Status"), max_length=20, choices=StatusCategory.choices)
    department = models.ForeignKey(Department, verbose_name=_("Department"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="cases")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("Assignee"),
                                 null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="assigned_cases")
    priority = models.CharField(_("Priority"), max_length=8, choices=CasePriority.choices,
                                default=CasePriority.NORMAL)
    channel = models.CharField(_("Filed"), max_length=8, choices=CaseChannel.choices,
                               default=CaseChannel.ONLINE)
    submitted_at = models.DateTimeField(_("Submitted at"))
    state_entered_at = models.DateTimeField(_("In this step since"))
    state_due_at = models.DateTimeField(_("Step due"), null=True, blank=True)
    # When the step turns "at risk" (a share of its SLA left), worked out once on entry.
    state_at_risk_at = models.DateTimeField(_("Step at risk from"), null=True, blank=True)
    due_at = models.DateTimeField(_("Expected completion"), null=True, blank=True)
    sla_status = models.CharField(_("SLA"), max_length=10, choices=SlaStatus.choices,
                                  default=SlaStatus.ON_TRACK)
    routed_at = models.DateTimeField(_("Routed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("Closed at"), null=True, blank=True)
    # Bumped on every change; a caller that read version N may ask to act only on N.
    row_version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Case")
        verbose_name_plural = _("Cases")
        ordering = ["-submitted_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(applicant_person__isnull=False)
                | Q(applicant_establishment__isnull=False),
                name="case_has_an_applicant"),
        ]
        indexes = [
            models.Index(fields=["department", "category", "state_due_at"],
                         name="case_queue_idx"),
            models.Index(fields=["sla_status", "category"], name="case_sla_idx"),
            # A department's queue in the queue's own order (selectors.queues), so the first
            # page is the first rows of the index however many cases the department holds:
            # open cases only (what the queue shows by default; closed ones pile up forever),
            # and every case (the API's list and "include closed").
            NullsOrderedIndex(*QUEUE_ORDER_INDEXED, name="case_open_queue_idx",
                              condition=~Q(category__in=TERMINAL_CATEGORIES)),
            NullsOrderedIndex(*QUEUE_ORDER_INDEXED, name="case_department_queue_idx"),
            # The API's list for staff of several departments (department IN (…) cannot be
            # read in order from the index above): walked in order, filtered by department
            # when their departments hold many cases; the planner fetches and sorts when few.
            NullsOrderedIndex(*QUEUE_ORDER, name="case_queue_order_idx"),
            # The routing sweeper reads only the few cases whose routing task was lost.
            models.Index(fields=["submitted_at"], name="case_unrouted",
                         condition=Q(routed_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.category not in StatusCategory.terminal()


# Event kinds whose `reason` was written for colleagues: a transfer's note (always addressed
# to the receiving department), and the note of a claim or an assignment.
REASON_IS_INTERNAL_KINDS = frozenset({CaseEventKind.TRANSFERRED, CaseEventKind.CLAIMED,
                                      CaseEventKind.ASSIGNED})


class CaseEvent(ChainedEvent):
    """Append-only, hash-chained record of everything that happened to a case.

    `from_status`/`to_status` are the status categories of the states left and entered;
    `reason` is what the actor wrote. An event may carry two texts: a message the applicant
    is shown (and sent by SMS) and an internal note for staff only. Rows are never rewritten,
    so where each is kept depends on the kind, as it always has, and is read here alone:

    - submitted, routed, a transition, a comment: `reason` is for the applicant (the
      action's comment); an internal note is `payload["internal_note"]`. A comment with
      `payload["internal"]` is all internal.
    - transferred, claimed, assigned (REASON_IS_INTERNAL_KINDS): `reason` is the internal
      note — transfer notes were always written for colleagues, so those written before
      this split are internal too — and a message is `payload["message"]`.

    The payload is hashed, so both texts are links of the chain without a new column."""

    CHAIN_PARENT = "case"
    HASHED_FIELDS = (*ChainedEvent.HASHED_FIELDS, "action", "actor_kind", "actor_role",
                     "department", "from_state", "to_state", "from_department", "to_department")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=CaseEventKind.choices)
    action = models.CharField(max_length=64, blank=True)
    actor_kind = models.CharField(max_length=10, choices=ActorKind.choices)
    actor_role = models.CharField(max_length=16, blank=True)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", help_text="The actor's department")
    from_state = models.ForeignKey(State, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    to_state = models.ForeignKey(State, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    from_department = models.ForeignKey(Department, null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")
    to_department = models.ForeignKey(Department, null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")

    class Meta(ChainedEvent.Meta):
        ordering = ["case", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["case", "seq"], name="case_event_seq_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.kind}"

    @staticmethod
    def texts_stored(kind: str, *, message: str = "", internal_note: str = "",
                     ) -> tuple[str, dict]:
        """(reason, payload entries) keeping a new event's two texts as the class says."""
        if kind in REASON_IS_INTERNAL_KINDS:
            return internal_note, {"message": message} if message else {}
        return message, {"internal_note": internal_note} if internal_note else {}

    @property
    def is_internal(self) -> bool:
        """An internal comment or an internal document: the whole event is for staff."""
        return bool((self.payload or {}).get("internal"))

    @property
    def message(self) -> str:
        """What the applicant is told by this event ("" when nothing)."""
        if self.is_internal:
            return ""
        if self.kind in REASON_IS_INTERNAL_KINDS:
            return str((self.payload or {}).get("message", ""))
        return self.reason

    @property
    def internal_note(self) -> str:
        """What staff wrote for staff only ("" when nothing)."""
        if self.is_internal or self.kind in REASON_IS_INTERNAL_KINDS:
            return self.reason
        return str((self.payload or {}).get("internal_note", ""))


class CaseMove(models.Model):
    """A move another app asked for ("the fee is paid: continue"), made later by a task.

    The asking app writes this row inside its own transaction (a payment's) and never touches
    the case: a clerk holding the case must not hold up, or fail, the payment. The task
    `workflow.case_move_apply` makes the move once the case is free, and the sweeper
    `workflow.case_move_sweep` finds any whose task was lost. `source` names who asked, once:
    asking again for the same (case, action, source) is the same request."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="moves")
    action = models.SlugField(max_length=64)
    source = models.CharField(max_length=100, help_text="Who asked, e.g. payments.bill:123")
    requested_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    moved_at = models.DateTimeField(null=True, blank=True)
    event = models.ForeignKey(CaseEvent, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", help_text="The transition that made the move")
    given_up_at = models.DateTimeField(null=True, blank=True,
                                       help_text="The case could no longer take this action")

    class Meta:
        verbose_name = _("Requested case move")
        verbose_name_plural = _("Requested case moves")
        constraints = [
            models.UniqueConstraint(fields=["case", "action", "source"],
                                    name="case_move_once_per_source"),
        ]
        indexes = [
            # The sweeper reads only the few moves still waiting.
            models.Index(fields=["requested_at"], name="case_move_waiting",
                         condition=Q(moved_at__isnull=True, given_up_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} ({self.source})"


class CaseComment(models.Model):
    """A note on a case. Internal notes are for staff only; the applicant never sees them."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    body = models.TextField(_("Comment"))
    is_internal = models.BooleanField(_("Internal (staff only)"), default=False)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["case", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.body[:40]}"


class CaseAttachment(models.Model):
    """A document on a case, stored privately and served only through a checked view.

    Its content was checked by amanah.uploads: `content_type` is the type found in the bytes,
    `sha256` and `size` are of the stored bytes, the file is stored under a random name
    (`stored_name`); `original_name` is the uploader's name, cleaned, for display only. A
    corrected document is a new row that `replaces` the earlier one, which is kept.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("File"), upload_to=attachment_upload_to, storage=private_storage,
                            max_length=300)
    original_name = models.CharField(_("File name"), max_length=255)
    stored_name = models.CharField(max_length=64, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    # Blank only for documents stored before uploads were checked.
    sha256 = models.CharField(max_length=64, blank=True)
    version = models.PositiveIntegerField(default=1)
    # One-to-one: a document is corrected at most once, so its versions form one line.
    replaces = models.OneToOneField("self", null=True, blank=True, on_delete=models.RESTRICT,
                                    related_name="replaced_by")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    is_internal = models.BooleanField(_("Internal (staff only)"), default=False)
    event_seq = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["case", "created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(replaces__isnull=True, version=1)
                                   | Q(replaces__isnull=False, version__gt=1),
                                   name="caseattachment_version_follows_replaces"),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def download_name(self) -> str:
        """The display name with the extension of the type the content was found to be."""
        return download_name(self.original_name, self.content_type) if self.sha256 \
            else self.original_name


class Escalation(models.Model):
    """An overdue case raised to its department head — once per step visit, by the database."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="escalations")
    kind = models.CharField(max_length=16, choices=EscalationKind.choices)
    # When the late step (or the case) started: a later visit to the same step is a new clock.
    anchor_at = models.DateTimeField()
    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    escalated_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "kind", "anchor_at"],
                                    name="escalation_once_per_visit"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} @ {self.anchor_at:%Y-%m-%d %H:%M}"
