"""Recompute every teacher's training summary, as of today or of a past date (under the
rule sets in force then). The nightly job runs the same service."""

from datetime import date

from django.core.management.base import BaseCommand

from training import services


class Command(BaseCommand):
    help = "Recompute the training-hour summaries of every serving teacher."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=date.fromisoformat, default=None)

    def handle(self, *args, as_of, **options):
        count = services.summaries_recompute(as_of=as_of)
        self.stdout.write(self.style.SUCCESS(f"{count} summaries recomputed."))
