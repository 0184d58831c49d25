"""Demo data for training and for `make run`. Idempotent: running it again changes nothing.

Each installed app of the portal may ship `<app>/demo.py` with `seed(*, log)`; they run in
INSTALLED_APPS order, so later apps can build on the municipalities and people seeded before them.
"""

import importlib
import importlib.util

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

PORTAL_APPS = ("amanah", "workflow", "payments", "permits", "violations")


class Command(BaseCommand):
    help = "Create (or leave as is) the demo Amanah, municipalities, staff, citizens and services."

    def handle(self, *args, **options):
        for config in apps.get_app_configs():
            if config.name not in PORTAL_APPS:
                continue
            module_name = f"{config.name}.demo"
            if importlib.util.find_spec(module_name) is None:
                continue
            module = importlib.import_module(module_name)
            self.stdout.write(f"seed_demo: {config.name} …")
            with transaction.atomic():
                module.seed(log=lambda message: self.stdout.write(f"  {message}"))
        # Last, once every app's events have queued their messages.
        from amanah.demo import notifications_deliver

        self.stdout.write("seed_demo: notifications …")
        notifications_deliver(log=lambda message: self.stdout.write(f"  {message}"))
        self.stdout.write(self.style.SUCCESS("seed_demo: done"))
