"""Give a region a rule set from a shipped preset (Ningxia hours, Jiangsu, Zhejiang
credits). The bureau edits it afterwards in the portal; a later change is a new rule set."""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from portal.models import Region
from training import presets, services
from training.models import RuleSet


class Command(BaseCommand):
    help = "Create a training rule set for a region from a preset."

    def add_arguments(self, parser):
        parser.add_argument("preset", choices=sorted(presets.presets()))
        parser.add_argument("--region", required=True, help="6-digit division code")
        parser.add_argument(
            "--effective-from", type=date.fromisoformat, default=presets.default_effective_from()
        )

    def handle(self, *args, preset, region, effective_from, **options):
        try:
            target = Region.objects.get(code=region)
        except Region.DoesNotExist:
            raise CommandError(f"No region has the code {region}.") from None
        if RuleSet.objects.filter(region=target, effective_from=effective_from).exists():
            self.stdout.write(f"{target} already has a rule set from {effective_from}.")
            return
        try:
            rule_set = services.rule_set_create(
                backdate=True,
                region=target,
                effective_from=effective_from,
                **presets.preset_fields(preset),
            )
        except ValidationError as exc:  # e.g. below the rule set in force above the region
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"Created: {rule_set}"))
