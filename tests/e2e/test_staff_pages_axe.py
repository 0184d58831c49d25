"""axe on the staff and admin pages, Arabic and English: no serious or critical violation.

The pages are data: STAFF_PAGES lists (who, URL name, how to get its arguments). Every staff
page without arguments is found in the URL resolver; a page that needs an id adds one line
here (the other parts of issue 12 add theirs: designer, config, rollout, search, counter,
exports, notifications). The Django admin's index, each model's changelist and one change form
come from the admin site's registry.
"""

import json
from dataclasses import dataclass, field

import pytest
from django.conf import settings as django_settings
from django.contrib import admin
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from amanah.enums import StaffRole
from tests.conftest import otp_session_verify
from tests.e2e.axe import axe_violations
from tests.e2e.conftest import SCREENSHOTS
from tests.factories import StaffMembershipFactory
from tests.workflow.factories import case_new, world_build

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# URL prefixes (after the language) of the staff and admin areas walked without arguments.
STAFF_AREAS = ("transactions/", "payments/finance/", "permits/staff/", "violations/",
               "staff/", "admin/")
# Pages with no arguments that are not staff pages although they live in those areas.
NOT_STAFF = {"workflow:my_cases", "workflow:case_new", "workflow:status_check"}


@dataclass
class Page:
    who: str
    url_name: str
    args: object = field(default=None)  # callable(world) -> args, or None
    query: str = ""
    # An error state or a confirmation reached by POST: the page's form (CSS selector) sent
    # with these values, the browser's own checks off, and axe run on the answer.
    submit: str = ""
    values: dict = field(default_factory=dict)

    def url(self, world) -> str:
        return reverse(self.url_name, args=self.args(world) if self.args else None) + \
            (f"?{self.query}" if self.query else "")


# Pages that need an id: one line each.
STAFF_PAGES = [
    Page("clerk", "workflow:case", lambda world: [world.case.pk]),
    Page("clerk", "workflow:queue", lambda world: [world.case.department_id]),
    Page("head", "workflow:case", lambda world: [world.case.pk]),
    Page("head", "workflow:queue", lambda world: [world.case.department_id]),
    # workflow: a case transferred away (read only), the designer, the counter
    Page("head", "workflow:case", lambda world: [world.transferred.pk]),
    Page("config", "workflow:designer_definition", lambda world: [world.definition.pk]),
    Page("config", "workflow:designer_definition", lambda world: [world.definition.pk],
         query="version=2&compare=previous"),
    Page("config", "workflow:designer_draft", lambda world: [world.draft.pk]),
    Page("config", "workflow:designer_draft", lambda world: [world.draft.pk],
         submit="#add-state form", values={"state-new-code": ""}),
    Page("config", "workflow:designer_publish", lambda world: [world.draft.pk]),
    Page("config", "workflow:designer_discard", lambda world: [world.draft.pk]),
    Page("clerk", "workflow:counter_file", lambda world: [world.applicant.pk]),
    Page("clerk", "workflow:counter_file", lambda world: [world.applicant.pk],
         submit="form.form-card", values={"subject": ""}),
    Page("clerk", "workflow:counter_filed", lambda world: [world.counter_case.pk]),
    Page("config", "workflow:holiday_delete", lambda world: [world.holiday.pk]),
    # amanah: the counter, departments and roles, notification texts, the rollout
    Page("clerk", "amanah:counter_person", lambda world: [world.applicant.pk]),
    Page("clerk", "amanah:counter", submit="form.form-card", values={"national_id": "12345"}),
    Page("config", "amanah:department_detail",
         lambda world: [world.department("customer_service").pk]),
    Page("config", "amanah:department_detail",
         lambda world: [world.department("customer_service").pk], submit="main form.form-card",
         values={"user": "", "role": ""}),
    Page("config", "amanah:department_active",
         lambda world: [world.department("customer_service").pk]),
    Page("config", "amanah:membership_revoke", lambda world: [world.clerk_membership.pk]),
    Page("config", "amanah:notification_template_edit", lambda world: [world.template.pk]),
    Page("config", "amanah:rollout_matrix", submit="form[action$='/rollout/change/']",
         values={"state": "pilot"}),  # a live service put back to pilot: the confirmation
    # payments: fees, suspense, reconciliation, the counter's fee
    Page("config", "payments:fee_detail", lambda world: [world.fee.pk]),
    Page("config", "payments:fee_period_new", lambda world: [world.fee.pk]),
    Page("config", "payments:fee_period_new", lambda world: [world.fee.pk],
         submit="main form.form-card", values={"effective_from": "", "amount": ""}),
    Page("finance", "payments:finance_suspense_item", lambda world: [world.suspense.pk]),
    Page("finance", "payments:finance_reconciliation_run", lambda world: [world.recon_run.pk]),
    Page("clerk", "payments:counter_fee", lambda world: [world.applicant.pk]),
    Page("clerk", "payments:counter_fee", lambda world: [world.applicant.pk],
         submit="form.form-card", values={"eservice": "", "description_ar": ""}),
    Page("clerk", "payments:counter_fee_issued",
         lambda world: [world.counter_bill.billing_account]),
    # permits: an application under review, suspending a permit (refused, then confirmed)
    Page("permits_reviewer", "permits:staff_application",
         lambda world: [world.application.reference]),
    Page("permits_head", "permits:permit_decide", lambda world: [world.permit.number, "suspend"]),
    Page("permits_head", "permits:permit_decide", lambda world: [world.permit.number, "suspend"],
         submit="main form[method=post]", values={"reason": ""}),
    Page("permits_head", "permits:permit_decide", lambda world: [world.permit.number, "suspend"],
         submit="main form[method=post]", values={"reason": "مخالفة اشتراطات السلامة"}),
    # violations: the inspection form, the approval of a notice, the legal decision
    Page("violations_inspector", "violations:inspection", lambda world: [world.inspection.number]),
    Page("violations_approver", "violations:approval_notice", lambda world: [world.notice.number]),
    Page("violations_legal", "violations:legal_objection",
         lambda world: [world.objection.number]),
    Page("violations_legal", "violations:legal_objection",
         lambda world: [world.objection.number], submit="main form:has([name=comment])",
         values={"action": "decide", "comment": ""}),
]
# Which areas' argument-free pages each kind of staff walks (the admin walks them all).
AREAS_OF = {"clerk": ("staff/", "transactions/"), "head": ("staff/", "transactions/"),
            "finance": ("staff/", "payments/finance/"),
            "inspector": ("staff/", "violations/", "permits/staff/")}


def _argument_free_url_names(resolver=None, namespace="") -> list[str]:
    names = []
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names += _argument_free_url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name and \
                not pattern.pattern.regex.groups:
            names.append(f"{namespace}{pattern.name}")
    return names


def staff_pages_without_arguments() -> list[str]:
    found = []
    for name in _argument_free_url_names():
        try:
            path = reverse(name)
        except NoReverseMatch:  # a name whose include needs arguments
            continue
        bare = path.split("/", 2)[-1] if path.startswith(("/ar/", "/en/")) else path[1:]
        if bare.startswith(STAFF_AREAS) and name not in NOT_STAFF \
                and not name.startswith("admin:") and "export" not in name:
            found.append(name)
    return sorted(set(found))


def admin_pages(world) -> list[str]:
    urls = [reverse("admin:index")]
    for model, _model_admin in admin.site._registry.items():
        meta = model._meta
        urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_change",
                                args=[first.pk]))
    return urls


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.WORKFLOW_PRIVATE_ROOT = str(tmp_path / "private")


def _signed_in(browser, live_server, user):
    client = Client()
    client.force_login(user)
    otp_session_verify(client, user)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15_000)
    context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                          "url": live_server.url}])
    return context, context.new_page()


def _rows_with_ids(world, *, clerk, head, config_admin):
    """The rows the pages with ids show, built as each part's own tests build them."""
    import datetime as dt
    import uuid
    from decimal import Decimal

    from django.utils import timezone

    from amanah.enums import RolloutState
    from amanah.models import NotificationTemplate, StaffMembership
    from amanah.notify import notification_templates_seed
    from payments.enums import FeeRuleKind
    from payments.reconciliation.enums import ReconSource
    from payments.reconciliation.models import ReconRun
    from payments.services import fee_schedule_create, payment_record
    from payments.services.misc_fees import misc_fee_issue
    from tests.factories import EServiceRolloutFactory
    from tests.payments.factories import bill_make, misc_fee_service
    from tests.permits.factories import application_submitted_make, permits_world
    from tests.permits.lifecycle_helpers import permit_make
    from tests.violations.factories import inspection_make, submitted_inspection_make
    from tests.violations.objections.helpers import lines_by_item, objection_world
    from violations.services.objections import objection_file
    from workflow.enums import CaseChannel
    from workflow.models import Holiday
    from workflow.services import case_assign, case_route, case_submit, case_transfer
    from workflow.services.designer import draft_start, draft_state_save

    # a case the head's department sent to engineering: theirs to read, no longer to act on
    world.transferred = case_new(world, subject="طلب محال")
    case_assign(case_id=world.transferred.pk, actor=head, assignee=head)
    case_transfer(case_id=world.transferred.pk, actor=head, department_code="engineering",
                  note="الهندسة أولى بها")
    # a draft of a procedure with a problem: a state no transition reaches
    world.definition = world.versions["general_correspondence"].definition
    world.draft = draft_start(definition_id=world.definition.pk, actor=config_admin)
    draft_state_save(version_id=world.draft.pk, actor=config_admin, code="legal_opinion",
                     name_ar="رأي قانوني", name_en="Legal opinion", category="in_review",
                     department_code="", sla_hours=8, is_start=False,
                     transfer_department_codes=[])
    world.counter_case = case_submit(kind="general_correspondence", municipality=world.branch,
                                     subject="طلب في الكاونتر", submitted_by=clerk,
                                     applicant_person=world.applicant,
                                     channel=CaseChannel.COUNTER)
    world.clerk_membership = StaffMembership.objects.get(user=clerk)
    notification_templates_seed()
    world.template = NotificationTemplate.objects.order_by("pk").first()
    # a fee the counter bills, a bill issued there, money in suspense, a reconciliation run
    service = misc_fee_service()
    EServiceRolloutFactory(eservice=service, municipality=world.branch, state=RolloutState.LIVE)
    world.fee = fee_schedule_create(eservice=service,
                                    municipality_class=world.branch.municipality_class,
                                    kind=FeeRuleKind.FIXED, amount=Decimal("1000"),
                                    effective_from=dt.date(2020, 1, 1))
    world.counter_bill = misc_fee_issue(actor=clerk, municipality=world.branch, eservice=service,
                                        payer_person=world.applicant,
                                        description_ar="نسخة من المخطط", at_counter=True)
    underpaid = bill_make(amount="150.00", person=world.applicant, municipality=world.branch,
                          eservice=service)
    world.suspense = payment_record(
        sptn=f"SP{uuid.uuid4().int % 10**16:016d}", amount=Decimal("100.00"),
        billing_account=underpaid.billing_account, bank_id="RJHISARI", channel="ATM",
        method="CASH", processed_at=timezone.now()).payment
    world.recon_run = ReconRun.objects.create(
        file_sha256="0" * 64, file_path="recon/day.xml", file_size=1,
        source=ReconSource.COMMAND, received_at=timezone.now())
    world.holiday = Holiday.objects.create(date=dt.date(2030, 3, 5), name_ar="يوم التأسيس",
                                           name_en="Founding Day")
    # permits and violations keep their own worlds (their own municipalities)
    world.permits = permits_world()
    world.application = application_submitted_make(world.permits)
    world.permit = permit_make(world.permits)
    world.violations, fine = objection_world()
    world.inspection = inspection_make(world.violations)
    _, notices = submitted_inspection_make(world.violations)
    world.notice = notices[0]
    lines = lines_by_item(fine)
    world.objection = objection_file(user=world.violations.delegate.user,
                                     violation_number=fine.number,
                                     lines=[(lines["FINE"].pk, "أ"), (lines["SERIOUS"].pk, "ب")])
    case_route(case_id=world.objection.case_id)


def _submitted(page, selector: str, values: dict) -> None:
    """Send the page's form with these values, as a person who left fields empty would."""
    with page.expect_navigation():
        page.evaluate("""([selector, values]) => {
            const form = document.querySelector(selector);
            form.noValidate = true;
            for (const [name, value] of Object.entries(values)) {
                let input = form.elements.namedItem(name);
                if (!input || input.type === "submit") {  // the button's value: sent as a field
                    input = form.appendChild(document.createElement("input"));
                    Object.assign(input, {type: "hidden", name: name});
                }
                input.value = value;
            }
            HTMLFormElement.prototype.submit.call(form);
        }""", [selector, values])


def test_axe_finds_nothing_serious_on_the_staff_and_admin_pages(browser, live_server,
                                                                  screenshot):
    world = world_build()
    world.case = case_new(world)
    clerk = world.staff("customer_service", StaffRole.CLERK)
    head = world.staff("customer_service", StaffRole.HEAD)
    StaffMembershipFactory(user=head, role=StaffRole.HEAD, department=world.department("legal"))
    superuser = world.staff("legal", StaffRole.REVIEWER)
    superuser.is_superuser = True
    superuser.is_staff = True
    superuser.save()
    config_admin = world.staff("customer_service", StaffRole.ADMIN, world.amanah)
    _rows_with_ids(world, clerk=clerk, head=head, config_admin=config_admin)
    users = {"clerk": clerk, "head": head, "admin": superuser, "config": config_admin,
             "finance": world.staff("finance", StaffRole.CASHIER, world.amanah),
             "inspector": world.staff("inspection", StaffRole.INSPECTOR),
             "permits_reviewer": world.permits.reviewer,
             "permits_head": world.permits.head,
             "violations_inspector": world.violations.inspector,
             "violations_approver": world.violations.approver,
             "violations_legal": world.violations.legal_head}
    argument_free = [reverse(name) for name in staff_pages_without_arguments()]
    walks = {who: [page for page in STAFF_PAGES if page.who == who] for who in users}
    for who, areas in AREAS_OF.items():
        walks[who] += [url for url in argument_free if url.split("/", 2)[-1].startswith(areas)]
    walks["admin"] += argument_free + admin_pages(world)
    visited, refused = [], []
    found = {}
    for who, items in walks.items():
        context, page = _signed_in(browser, live_server, users[who])
        for index, item in enumerate(items):
            url = item.url(world) if isinstance(item, Page) else item
            # The portal's pages in both languages; the admin's many pages alternate between
            # the two (its templates are the same in both), which keeps the walk within minutes.
            is_admin = url.split("/", 2)[-1].startswith("admin/")
            languages = (("ar", "en")[index % 2],) if is_admin else ("ar", "en")
            for language in languages:
                localized = f"/{language}/" + url.split("/", 2)[-1]
                response = page.goto(f"{live_server.url}{localized}")
                where = f"{who} {localized}"
                if isinstance(item, Page) and item.submit:
                    _submitted(page, item.submit, item.values)
                    where += f" (sent {item.submit})"
                elif response is None or response.status >= 400:
                    # a page with an id was built for this person: it must open
                    if isinstance(item, Page):
                        refused.append(f"{where} {response and response.status}")
                    continue
                visited.append(where)
                if isinstance(item, Page) and language == "ar":
                    screenshot(page, f"axe-{who}-{item.url_name.replace(':', '-')}-{index}")
                violations = axe_violations(page)
                if violations:
                    found[where] = violations
        context.close()
    SCREENSHOTS.mkdir(exist_ok=True)
    (SCREENSHOTS / "axe-staff-pages.json").write_text(json.dumps(found, indent=1,
                                                                 ensure_ascii=False))
    summary = sorted({(v["id"], v["impact"]) for items in found.values() for v in items})
    assert refused == []
    assert found == {}, f"{len(found)} pages; rules: {summary}"
    # and the walk did reach the pages (a refused page is skipped, not passed)
    assert len(visited) > 100, visited
