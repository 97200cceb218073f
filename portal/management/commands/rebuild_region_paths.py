"""Write every region's path again from its parent links (after ``loaddata`` or a restore
of regions made around the services)."""

from django.core.management.base import BaseCommand

from portal.services import regions_rebuild_paths


class Command(BaseCommand):
    help = "Rebuild every region's path from the parent links."

    def handle(self, *args, **options):
        changed = regions_rebuild_paths()
        self.stdout.write(f"{changed} region paths rewritten.")
