"""Import a teacher roster from the shell, through the same checks, scope and write as the
portal's upload page. Exits with status 1 when any row is refused."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal import permissions
from portal.imports import services
from portal.models import ImportJob, ImportRow, User


class Command(BaseCommand):
    help = "Import a teacher roster (xlsx or csv) as a given user."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="whose scope the import runs in")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument(
            "--valid-rows-only",
            action="store_true",
            help="bureau staff: write the valid rows even if some are refused",
        )

    def handle(self, *args, file, user, dry_run, valid_rows_only, **options):
        try:
            account = User.objects.get(username=user, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"No active user named {user!r}.") from None
        if not file.is_file():
            raise CommandError(f"{file} is not a file.")
        if not permissions.may_import(account):
            raise CommandError(f"{user} may not import rosters.")
        job = services.import_job_create(
            user=account,
            kind=ImportJob.Kind.ROSTER,
            file_name=file.name,
            data=file.read_bytes(),
            commit_when_valid=not dry_run,
            valid_rows_only=valid_rows_only,
        )
        job.refresh_from_db()
        if dry_run and job.status == ImportJob.Status.PREVIEW:
            services.import_job_cancel(job=job, user=account)
        self._summary(job, dry_run)
        if job.file_errors or job.refused_rows:
            raise SystemExit(1)

    def _summary(self, job, dry_run):
        out = self.stdout
        out.write(f"{job.file_name}: {job.get_status_display()} (import #{job.pk})")
        for error in job.file_errors:
            out.write(self.style.ERROR(f"  {error}"))
        for warning in job.warnings:
            out.write(self.style.WARNING(f"  {warning}"))
        out.write(
            f"  rows {job.total_rows}: new {job.new_rows}, changed {job.changed_rows}, "
            f"unchanged {job.unchanged_rows}, refused {job.refused_rows}"
            + (" (dry run: nothing written)" if dry_run else "")
        )
        refused = ImportRow.objects.filter(job=job, action="refused").order_by("line")
        for row in refused[:50]:
            for error in row.errors:
                out.write(
                    f"  row {row.line} [{error['column']}] {error['value']!r}: {error['message']}"
                )
        if job.refused_rows > 50:
            out.write(f"  … and {job.refused_rows - 50} more refused rows")
