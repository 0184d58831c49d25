from django.core.management.base import BaseCommand

from payments.services.outbox import outbox_flush


class Command(BaseCommand):
    help = "Send every pending bill upload to SADAD now (what the periodic sweeper does)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500)

    def handle(self, *args, **options):
        total = {"accepted": 0, "rejected": 0, "failed": 0, "skipped": 0}
        while True:
            counts = outbox_flush(limit=options["limit"])
            for key, value in counts.items():
                total[key] += value
            # Stop when a round sent nothing new (the rest are failing and waiting to retry).
            if counts["accepted"] + counts["rejected"] == 0:
                break
        self.stdout.write(" ".join(f"{key}={value}" for key, value in total.items()))
