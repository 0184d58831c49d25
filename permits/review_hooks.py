"""What the review part of permits plugs in when the app is ready: its Celery tasks, the
sweeper's beat entry, the case page's link to the application, the inspectors' menu entry."""

from django.utils.translation import gettext_lazy as _

# Every few minutes: a lost task leaves an application behind its case for at most this long.
SWEEP_SECONDS = 5 * 60.0


def register() -> None:
    from amanah.celery import periodic_task_register
    from amanah.enums import StaffRole
    from amanah.navigation import nav_register
    from amanah.permissions import staff_memberships
    from workflow.registry import case_link_register

    from . import tasks  # noqa: F401 - registers the Celery tasks in this process
    from .views.staff import case_link

    periodic_task_register("permits-applications-sweep", "permits.applications_sweep",
                           SWEEP_SECONDS)
    case_link_register(case_link)
    nav_register(url_name="permits:inspector_visits", label=_("Today's visits"),
                 audience=lambda request: any(m.role == StaffRole.INSPECTOR
                                              for m in staff_memberships(request.user)),
                 order=35)
