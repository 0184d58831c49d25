"""One writer per status, kept so by walking the code.

Every status field has exactly one function that changes it (holding the row's lock, checking
an explicit table of allowed moves, writing the event); a record's first status is set only
where it is created. The scanner below reads every module of the portal with `ast` and fails
on any other assignment of a status field: `x.status = …`, `setattr(x, "status", …)`,
`….update(status=…)`, `Model.objects.create(status=…)` or `Model(status=…)`.
docs/architecture.md carries the same table for people; a test keeps the two equal.
"""

import ast
import importlib
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# (model, field) → the one function that changes it.
STATUS_WRITERS = {
    ("payments.Bill", "status"): "payments.services.bills.bill_status_change",
    ("payments.Payment", "status"): "payments.services.payments.payment_status_change",
    ("payments.SuspenseResolution", "status"): "payments.services.suspense.resolution_decide",
    ("payments.SadadOutbox", "status"): "payments.services.outbox.outbox_status_change",
    ("payments.ReconRun", "status"): "payments.reconciliation.runs.recon_run_move",
    ("payments.ReconRun", "phase"): "payments.reconciliation.runs.recon_run_move",
    ("payments.ReconItem", "review_status"): "payments.reconciliation.review.recon_item_review",
    ("workflow.Case", "state"): "workflow.services.steps.case_step_take",
    ("workflow.Case", "category"): "workflow.services.steps.case_step_take",
    ("workflow.Case", "sla_status"): "workflow.services.steps.case_sla_status_change",
    ("workflow.DefinitionVersion", "status"):
        "workflow.services.definitions.version_status_change",
    ("amanah.EServiceRollout", "state"): "amanah.rollout.rollout_state_set",
    ("amanah.IdentityVerification", "status"):
        "amanah.auth.verifications.identity_verification_status_change",
    ("permits.Application", "status"):
        "permits.services.applications.application_status_change",
    ("permits.Permit", "status"): "permits.services.permits.permit_status_change",
    ("permits.Inspection", "status"): "permits.services.inspections.inspection_status_change",
    ("permits.ApplicationParty", "consent"): "permits.services.parties.party_consent_change",
    ("permits.SampleInspection", "status"):
        "permits.licences.sampling.sample_inspection_status_change",
    ("violations.Inspection", "status"): "violations.services.records.inspection_status_change",
    ("violations.Violation", "status"): "violations.services.records.violation_status_change",
    ("violations.ViolationLine", "status"): "violations.services.records.line_status_change",
    ("violations.Penalty", "status"): "violations.services.records.penalty_status_change",
    ("violations.Objection", "status"): "violations.services.records.objection_status_change",
    ("amanah.Notification", "status"): "amanah.notify.notification_status_change",
}

# Where a record is created with its first status (a constructor or create() argument).
CREATORS = {
    "payments.Payment": {"payments.services.payments.payment_record",
                         "payments.services.payments.payment_record_many"},
    "payments.SuspenseResolution": {"payments.services.suspense.suspense_allocate",
                                    "payments.services.suspense.refund_request",
                                    "payments.services.suspense.suspense_write_off"},
    "payments.ReconRun": {"payments.reconciliation.runs.recon_file_receive"},
    "workflow.Case": {"workflow.services.cases.case_submit"},
    "workflow.DefinitionVersion": {"workflow.services.definitions.version_draft_create"},
    "amanah.IdentityVerification": {"amanah.auth.verifications.identity_verification_start"},
    "permits.SampleInspection": {"permits.licences.sampling.licence_sample"},
    "violations.Violation": {"violations.services.notices._notice_create"},
    "violations.Penalty": {"violations.services.penalties.penalties_create"},
    "violations.ViolationLine": {"violations.services.notices.notices_record",
                                 "violations.services.notices._fine_line"},
    "violations.Inspection": {"violations.services.inspections._inspection_create"},
    "violations.Objection": {"violations.services.objections.objection_file"},
}

# Assignments of a field that happens to share a status's name but is not one of the table's.
NOT_A_STATUS = {
    ("amanah.errors", "DomainError.__init__", "status"),  # the HTTP status of a refusal
}
# The simulated SADAD keeps the other side's records (what SADAD knows), not the portal's.
EXEMPT_PACKAGES = ("payments/sadad/simulator",)
SCANNED = ("amanah", "payments", "workflow", "permits", "violations")


@dataclass(frozen=True)
class Write:
    module: str
    function: str
    field: str
    line: int
    how: str
    model: str | None = None  # when the code names it (Model(...), Model.objects.create(...))

    @property
    def where(self) -> str:
        return f"{self.module}.{self.function}" if self.function else self.module


def _status_models() -> dict[str, set[str]]:
    """Class name → its status fields, for the models in the table."""
    fields: dict[str, set[str]] = {}
    for model, field in STATUS_WRITERS:
        fields.setdefault(model.split(".")[1], set()).add(field)
    return fields


class _Scanner(ast.NodeVisitor):
    def __init__(self, module: str, models: dict[str, set[str]]):
        self.module, self.models = module, models
        self.fields = {f for names in models.values() for f in names}
        self.stack: list[str] = []
        self.writes: list[Write] = []

    def _record(self, field: str, node: ast.AST, how: str, model: str | None = None):
        self.writes.append(Write(self.module, ".".join(self.stack), field, node.lineno, how,
                                 model))

    def _scoped(self, node):
        self.stack.append(node.name)
        self.generic_visit(node)
        self.stack.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _scoped

    def _target(self, target: ast.AST, node: ast.AST):
        if isinstance(target, ast.Attribute) and target.attr in self.fields:
            self._record(target.attr, node, "assignment")
        elif isinstance(target, ast.Tuple | ast.List):
            for element in target.elts:
                self._target(element, node)

    def visit_Assign(self, node):
        for target in node.targets:
            self._target(target, node)
        self.generic_visit(node)

    def visit_AugAssign(self, node):
        self._target(node.target, node)
        self.generic_visit(node)

    visit_AnnAssign = visit_AugAssign

    @staticmethod
    def _receiver_model(node: ast.AST) -> str | None:
        """`Model` in `Model.objects.…create(...)` / `…update(...)`, when the chain names it."""
        while isinstance(node, ast.Call | ast.Attribute):
            if (isinstance(node, ast.Attribute) and node.attr == "objects"
                    and isinstance(node.value, ast.Name)):
                return node.value.id
            node = node.func if isinstance(node, ast.Call) else node.value
        return None

    def visit_Call(self, node):
        func = node.func
        keywords = [k.arg for k in node.keywords if k.arg]
        if isinstance(func, ast.Name) and func.id == "setattr" and len(node.args) >= 2 \
                and isinstance(node.args[1], ast.Constant) and node.args[1].value in self.fields:
            self._record(node.args[1].value, node, "setattr")
        elif isinstance(func, ast.Name) and func.id in self.models:
            for name in keywords:
                if name in self.models[func.id]:
                    self._record(name, node, "constructor", func.id)
        elif isinstance(func, ast.Attribute) and func.attr in (
                "create", "update", "get_or_create", "update_or_create", "bulk_update"):
            model = self._receiver_model(func.value)
            for name in keywords + [a.value for a in node.args
                                    if isinstance(a, ast.List | ast.Tuple)
                                    for a in a.elts if isinstance(a, ast.Constant)]:
                if name in self.fields and (model is None or name in self.models.get(model,
                                                                                      ())):
                    self._record(name, node, func.attr, model)
        self.generic_visit(node)


def scan_source(source: str, module: str) -> list[Write]:
    scanner = _Scanner(module, _status_models())
    scanner.visit(ast.parse(source))
    return scanner.writes


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def scan_portal() -> list[Write]:
    writes = []
    for package in SCANNED:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or relative.startswith(EXEMPT_PACKAGES):
                continue
            writes += scan_source(path.read_text(encoding="utf-8"), _module_name(path))
    return writes


def violations(writes: list[Write]) -> list[str]:
    writers_of: dict[str, set[str]] = {}
    for (_model, field), writer in STATUS_WRITERS.items():
        writers_of.setdefault(field, set()).add(writer)
    creators_of: dict[tuple[str, str], set[str]] = {}
    for model, creators in CREATORS.items():
        for (table_model, field) in STATUS_WRITERS:
            if table_model == model:
                creators_of[model.split(".")[1], field] = creators
    found = []
    for write in writes:
        if (write.module, write.function, write.field) in NOT_A_STATUS:
            continue
        if write.where in writers_of[write.field]:
            continue
        if write.how in ("constructor", "create", "get_or_create") and write.model and \
                write.where in creators_of.get((write.model, write.field), set()):
            continue
        found.append(f"{write.module}:{write.line} {write.where} writes `{write.field}` "
                     f"({write.how}) — only {sorted(writers_of[write.field])} may")
    return found


def test_no_status_is_written_outside_its_one_writer():
    assert violations(scan_portal()) == []


def test_every_writer_in_the_table_exists_and_writes_its_field():
    writes = scan_portal()
    for (model, field), writer in STATUS_WRITERS.items():
        module, _, function = writer.rpartition(".")
        assert callable(getattr(importlib.import_module(module), function)), writer
        assert any(w.where == writer and w.field == field for w in writes), \
            f"{writer} is named the writer of {model}.{field} but never writes it"


@pytest.mark.parametrize("planted", [
    "def settle(bill):\n    bill.status = 'paid'\n",
    "def settle(bill):\n    setattr(bill, 'status', 'paid')\n",
    "def settle():\n    Bill.objects.filter(pk=1).update(status='paid')\n",
    "def settle(qs):\n    qs.update(sla_status='overdue')\n",
    "def open_case(state):\n    return Case(number='X', state=state)\n",
    "def reopen(case, s):\n    case.state, case.category = s, s.category\n",
    "class Helper:\n    def run(self, run):\n        run.phase = 'done'\n",
])
def test_a_planted_status_write_is_caught(planted):
    # given a module that changes a status behind its writer's back
    writes = scan_source(planted, "payments.services.sneaky")
    # then the rule names it
    found = violations(writes)
    assert found and all("payments.services.sneaky" in line for line in found)


def test_a_creator_sets_only_a_first_status_and_only_of_its_own_model():
    allowed = scan_source("def payment_record():\n    return Payment(status='applied')\n",
                          "payments.services.payments")
    assert violations(allowed) == []
    wrong_model = scan_source("def payment_record(case):\n    return Case(state=case)\n",
                              "payments.services.payments")
    assert violations(wrong_model)
    not_a_creator = scan_source("def payment_record(p):\n    p.status = 'refunded'\n",
                                "payments.services.payments")
    assert violations(not_a_creator)


def test_the_architecture_notes_carry_the_same_table():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    rows = set()
    for line in text.splitlines():
        match = re.match(r"\|\s*`([\w.]+)\.(\w+)`\s*\|\s*`([\w.]+)`\s*\|", line)
        if match:
            rows.add(((match.group(1), match.group(2)), match.group(3)))
    assert rows == set(STATUS_WRITERS.items())
