"""The yearly honours scan from the shell (the Celery beat job runs the same service)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from honors import services


class Command(BaseCommand):
    help = "Propose the candidates for every years-of-service honour."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None)

    def handle(self, *args, year, **options):
        year = year or timezone.localdate().year
        count = services.honours_scan(year=year)
        self.stdout.write(self.style.SUCCESS(f"{count} candidates for {year}."))
