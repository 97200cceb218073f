"""Give a region a shipped ladder and its plan's targets (wenzhou, ningxia)."""

from django.core.management.base import BaseCommand, CommandError

from portal.models import Region
from talent import presets


class Command(BaseCommand):
    help = "Create a ladder's tiers and targets for a region from a preset."

    def add_arguments(self, parser):
        parser.add_argument("preset", choices=sorted(presets.presets()))
        parser.add_argument("--region", required=True, help="6-digit division code")

    def handle(self, *args, preset, region, **options):
        try:
            target = Region.objects.get(code=region)
        except Region.DoesNotExist:
            raise CommandError(f"No region has the code {region}.") from None
        tiers, targets = presets.load(preset, region=target)
        self.stdout.write(self.style.SUCCESS(f"{tiers} tiers, {targets} new targets for {target}."))
