"""Write today's (or a given day's) attainment snapshot of every target."""

from datetime import date

from django.core.management.base import BaseCommand

from talent import services


class Command(BaseCommand):
    help = "Recompute every target's attainment for every region it applies to."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=date.fromisoformat, default=None)

    def handle(self, *args, as_of, **options):
        count = services.attainment_recompute(on=as_of)
        self.stdout.write(self.style.SUCCESS(f"{count} snapshots written."))
