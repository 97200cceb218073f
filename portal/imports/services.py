"""Import jobs: upload → check (preview) → apply, with progress, locks and the audit trail.

The slow part (reading and checking the file) runs outside any transaction; the write runs
in one short transaction after the rows are checked again against the database as it is then,
so a preview that went stale cannot write stale data. With any refused row nothing is
written unless bureau staff chose to import only the valid rows.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import bulk, crypto, locks, permissions, rules
from ..choices import Role
from ..models import ImportJob, ImportRow, School
from ..services import audit_record
from . import kinds, workbooks
from .columns import header_score, map_columns
from .readers import FileRefused, Table, read_table, too_large_message  # noqa: F401

logger = logging.getLogger(__name__)
Status = ImportJob.Status
LOCK_SECONDS = 30 * 60
UPLOAD_LIFETIME_SECONDS = 24 * 60 * 60


class ImportBusy(Exception):
    """Another import touching the same schools is being written."""


def _check_may_decide(job: ImportJob, user) -> None:
    if not permissions.may_decide_upload(job, user):
        raise PermissionDenied(_("Only the uploader may do this with an upload."))


def max_upload_bytes() -> int:
    return settings.IMPORT_MAX_UPLOAD_BYTES


# --- Upload -------------------------------------------------------------------------------


@transaction.atomic
def import_job_create(
    *,
    user,
    kind: str,
    file_name: str,
    data: bytes,
    commit_when_valid: bool = False,
    valid_rows_only: bool = False,
    ip_address: str | None = None,
    options: dict | None = None,
) -> ImportJob:
    """Keep the upload (encrypted) where every web and worker process can read it, record
    the job and queue its check after commit."""
    if not permissions.may_import(user):
        raise PermissionError("this role may not import")
    if valid_rows_only and not permissions.may_choose_valid_rows_only(user):
        valid_rows_only = False
    if options is not None and not isinstance(options, dict):
        raise ValidationError(
            {"options": _('The options must be a JSON object, such as {"programme": 12}.')}
        )
    validate_options = getattr(kinds.get(kind), "validate_options", None)
    options = validate_options(options or {}, user) if validate_options else {}
    path = default_storage.save(
        f"imports/{uuid.uuid4().hex}.bin", ContentFile(crypto.encrypt_bytes(data))
    )
    job = ImportJob.objects.create(
        kind=kind,
        uploaded_by=user,
        region=_job_region(user),
        school=user.school,
        # A file's name may hold an ID number (学生名单-3303…xlsx): it is shown to staff.
        file_name=rules.mask_id_numbers(file_name)[:255],
        file_sha256=hashlib.sha256(data).hexdigest(),
        file_size=len(data),
        stored_file=path,
        commit_when_valid=commit_when_valid,
        valid_rows_only=valid_rows_only,
        options=options,
    )
    audit_record(
        actor=user,
        action="import.upload",
        obj=job,
        region=user.region,
        ip_address=ip_address,
        detail={
            "file": job.file_name,
            "sha256": job.file_sha256,
            "bytes": len(data),
            "valid_rows_only": valid_rows_only,
        },
    )
    from ..tasks import import_check

    import_check.delay_on_commit(job.pk)
    return job


def _job_region(user):
    """The region the job is filed under, so the staff above the uploader see it."""
    if user.role == Role.SCHOOL_ADMIN and user.school_id:
        return user.school.county
    return user.region


def _load(job: ImportJob) -> bytes:
    with default_storage.open(job.stored_file, "rb") as handle:
        return crypto.decrypt_bytes(handle.read())


def _discard_upload(job: ImportJob) -> None:
    if job.stored_file and default_storage.exists(job.stored_file):
        default_storage.delete(job.stored_file)
    job.stored_file = ""


# --- Progress -----------------------------------------------------------------------------


def _progress_key(job_id: int) -> str:
    return f"import-progress:{job_id}"


def set_progress(job: ImportJob, percent: int, note: str) -> None:
    """Progress is kept in the cache (visible at once to every process, even while the write
    transaction is open) and on the job row between phases."""
    cache.set(_progress_key(job.pk), {"progress": percent, "note": note}, 3600)


def progress_of(job: ImportJob) -> dict:
    cached = cache.get(_progress_key(job.pk))
    if cached and job.is_running:
        return cached
    return {"progress": job.progress, "note": job.progress_note}


def _save_phase(job: ImportJob, status: str, percent: int, note: str, *fields: str) -> None:
    job.status, job.progress, job.progress_note = status, percent, note
    job.save(update_fields=["status", "progress", "progress_note", *fields])
    set_progress(job, percent, note)


# --- Check --------------------------------------------------------------------------------


@dataclass
class Checked:
    table: Table
    rows: list


def _check(job: ImportJob, *, phase_start: int, phase_end: int) -> Checked:
    data = _load(job)
    set_progress(job, phase_start, _("Reading the file"))
    kind = kinds.get(job.kind)
    table = read_table(
        data, file_name=job.file_name, is_header=lambda cells: header_score(kind.columns, cells)
    )
    mapping, missing = map_columns(kind.columns, table.headers)
    if missing:
        raise FileRefused(
            _(
                "Required columns are missing: %(columns)s. Download the template "
                "and keep its header row."
            )
            % {"columns": "、".join(missing)}
        )
    today = timezone.localdate()
    span = phase_end - phase_start

    def on_progress(done, total):
        set_progress(
            job,
            phase_start + int(span * 0.8 * done / max(total, 1)),
            _("Checking row %(done)d of %(total)d") % {"done": done, "total": total},
        )

    rows = kind.parse_rows(table.rows, mapping, today=today, on_progress=on_progress)
    kinds.guard_cells(rows, mapping.positions)
    set_progress(job, phase_start + int(span * 0.85), _("Comparing with the portal's records"))
    return Checked(table=table, rows=rows)


def _store_rows(job: ImportJob, rows, *, only_notable: bool = False) -> None:
    """The per-row result for the paged preview and the API (masked ID numbers only). An
    import without preview keeps only the changed and refused rows; new and unchanged rows
    are counted."""
    _count(job, rows)
    job.rows.all().delete()
    if only_notable:
        rows = [r for r in rows if r.action in ("changed", "refused")]
    bulk.insert_values(
        ImportRow,
        [
            "job_id",
            "line",
            "action",
            "name",
            "id_number_masked",
            "school_code",
            "changes",
            "errors",
        ],
        [
            (
                job.pk,
                r.line,
                r.action,
                rules.mask_id_like(r.values.get("name", ""))[:64],
                r.masked or "",
                rules.mask_id_like(r.values.get("school_code", ""))[:32],
                r.changes,
                [e.as_dict() for e in r.errors],
            )
            for r in rows
        ],
    )


def _count(job: ImportJob, rows) -> None:
    job.total_rows = len(rows)
    job.new_rows = sum(1 for r in rows if r.action == "new")
    job.changed_rows = sum(1 for r in rows if r.action == "changed")
    job.unchanged_rows = sum(1 for r in rows if r.action == "unchanged")
    job.refused_rows = sum(1 for r in rows if r.action == "refused")


COUNT_FIELDS = ["total_rows", "new_rows", "changed_rows", "unchanged_rows", "refused_rows"]


def _after_import() -> None:
    """Figures that depend on the teachers (targets' shares of full-time teachers) are
    recomputed after an import. The kernel names the job instead of importing the app that
    owns it; a project without it simply has no such job."""
    from celery import current_app

    task = current_app.tasks.get("talent.tasks.recompute_attainment")
    if task is not None:
        task.delay_on_commit()


# A run that dies with its process (the kernel killing it for memory, say) leaves its task
# unacknowledged, and the broker delivers it again: a file that kills every run would be
# read for ever. Each run counts itself in before it works and out when it ends, however it
# ends short of dying; a run that finds two runs before it that never ended fails the job.
DIED_RUNS_BEFORE_GIVING_UP = 2


def stopped_the_server_message() -> str:
    return _(
        "Processing this file stopped the server twice, so it was not tried again. Nothing "
        "was written. Open the file in Excel, save it again as “Excel Workbook (.xlsx)” or "
        "as CSV (split it if it is very large) and upload that file; tell your administrator "
        "if it happens again."
    )


@contextlib.contextmanager
def _counted_run(job: ImportJob):
    # Each update commits at once (autocommit), so the count outlives a process that dies.
    ImportJob.objects.filter(pk=job.pk).update(unfinished_runs=F("unfinished_runs") + 1)
    try:
        yield
    finally:
        ImportJob.objects.filter(pk=job.pk).update(unfinished_runs=0)


def _gave_up(job: ImportJob) -> bool:
    """Fail the job when two runs of it died before this one; True if so."""
    if job.unfinished_runs < DIED_RUNS_BEFORE_GIVING_UP:
        return False
    logger.error("import %s failed: %s runs died before", job.pk, job.unfinished_runs)
    job.file_errors = [*job.file_errors, stopped_the_server_message()]
    job.finished_at = timezone.now()
    job.unfinished_runs = 0
    _discard_upload(job)
    _save_phase(
        job,
        Status.FAILED,
        100,
        _("Failed"),
        "file_errors",
        "finished_at",
        "stored_file",
        "unfinished_runs",
    )
    return True


def _fail(job_id: int, exc: BaseException) -> None:
    """A crash (damaged file, lost database connection, a bug) ends the job as failed,
    drops the upload and says so, instead of leaving it "checking" for ever. The log gets the
    exception's type and the job, never its text (it may quote a row)."""
    logger.error("import %s failed: %s", job_id, type(exc).__name__)
    job = ImportJob.objects.get(pk=job_id)
    if job.status in (Status.DONE, Status.CANCELLED):
        return
    job.file_errors = [
        *job.file_errors,
        _(
            "The file could not be processed because of an "
            "error on the server. Nothing was written; please "
            "upload it again, and tell your administrator if "
            "it happens again."
        ),
    ]
    job.finished_at = timezone.now()
    _discard_upload(job)
    _save_phase(job, Status.FAILED, 100, _("Failed"), "file_errors", "finished_at", "stored_file")


def import_job_check(job_id: int) -> ImportJob:
    """Read and check the whole file, store the per-row result for the preview. Writes no
    teacher. Continues to the write when the job asked to skip the preview."""
    job = ImportJob.objects.select_related("uploaded_by").get(pk=job_id)
    if job.status == Status.IMPORTING and job.commit_when_valid and job.stored_file:
        # Redelivered after its worker died while writing: the write was rolled back with
        # the worker's connection, so it starts again (reading and checking the file anew).
        return import_job_apply(job.pk)
    if job.status not in (Status.QUEUED, Status.VALIDATING):
        return job  # a redelivered task: the check already ran
    if _gave_up(job):
        return job
    with _counted_run(job):
        _save_phase(job, Status.VALIDATING, 1, _("Reading the file"))
        try:
            return _check_and_continue(job)
        except ImportBusy:
            raise
        except Exception as exc:
            _fail(job_id, exc)
            raise


def _check_and_continue(job: ImportJob) -> ImportJob:
    try:
        checked = _check(job, phase_start=1, phase_end=90)
        _count_id_guesses(job, checked.rows)
    except FileRefused as exc:
        job.file_errors = [exc.message]
        job.finished_at = timezone.now()
        _discard_upload(job)
        _save_phase(
            job,
            Status.REFUSED,
            100,
            _("The file was refused"),
            "file_errors",
            "finished_at",
            "stored_file",
        )
        return job
    job.warnings = checked.table.warnings
    job.save(update_fields=["warnings"])
    if job.commit_when_valid:
        # No preview wanted: the rows are checked against the database inside the write's
        # lock, once, and the result stored with the write.
        _save_phase(job, Status.IMPORTING, 60, _("Checking against the portal's records"))
        return import_job_apply(job.pk, checked=checked)
    kinds.get(job.kind).check_rows(
        checked.rows,
        kinds.CheckContext(user=job.uploaded_by, today=timezone.localdate(), options=job.options),
    )
    with transaction.atomic():
        _store_rows(job, checked.rows)
        job.validated_at = timezone.now()
        _save_phase(job, Status.PREVIEW, 100, _("Checked"), *COUNT_FIELDS, "validated_at")
    return job


def _count_id_guesses(job: ImportJob, rows) -> None:
    """Rows whose number differs from a registered teacher's only in the masked digits are
    look-ups by full ID number: counted against the uploader's hourly allowance and
    audited, once per job (at its first check), before any row is shown. Past the
    allowance the file is refused whole."""
    from ..services import IDLookupRefused, id_lookups_record

    guesses = kinds.id_guesses(rows, job.uploaded_by)
    try:
        id_lookups_record(user=job.uploaded_by, count=guesses, via=f"import:{job.kind}")
    except IDLookupRefused:
        raise FileRefused(
            _(
                "%(count)d rows give ID numbers that differ from registered teachers' only in "
                "the digits the mask hides, more than one account may look up in an hour. "
                "Check the ID number column against the source records."
            )
            % {"count": guesses}
        ) from None


# --- Apply --------------------------------------------------------------------------------


def _lock_schools(school_ids) -> None:
    """Serialise imports touching the same schools (PostgreSQL row locks, in id order; SQLite
    has one writer at a time anyway)."""
    list(
        School.objects.select_for_update()
        .filter(pk__in=sorted(school_ids))
        .order_by("pk")
        .values_list("pk")
    )


def _acquire(job: ImportJob, school_ids, token: str) -> list[int]:
    """Per-school locks held while this run writes (advisory locks on PostgreSQL, which die
    with a killed worker's connection; the shared cache elsewhere)."""
    held: list[int] = []
    for school_id in sorted(school_ids):
        if not locks.acquire("import-school", school_id, token=token, timeout=LOCK_SECONDS):
            _release(held, token)
            raise ImportBusy
        held.append(school_id)
    return held


def _release(school_ids, token: str) -> None:
    for school_id in school_ids:
        locks.release("import-school", school_id, token=token)


def import_job_apply(job_id: int, *, checked: Checked | None = None) -> ImportJob:
    """Write the checked rows. Idempotent: a job already done is left alone (the job row is
    locked and its status read again inside the write), and a rerun of the same file
    afterwards finds every row unchanged."""
    job = ImportJob.objects.select_related("uploaded_by").get(pk=job_id)
    if job.status not in (Status.PREVIEW, Status.IMPORTING) or not job.stored_file:
        return job
    # Called by the check with the rows it read, the write is part of the check's run.
    if checked is None and _gave_up(job):
        return job
    with _counted_run(job) if checked is None else contextlib.nullcontext():
        try:
            return _apply(job, checked)
        except ImportBusy:
            raise
        except Exception as exc:
            written = _written(job_id)
            if written is not None:
                # The write committed and something after it failed: the rows are saved,
                # and that is what the uploader must hear.
                logger.error("import %s: written, then failed: %s", job_id, type(exc).__name__)
                return written
            _fail(job_id, exc)
            raise


def _written(job_id: int) -> ImportJob | None:
    """The job if its write committed (status done), else None."""
    try:
        return ImportJob.objects.filter(pk=job_id, status=Status.DONE).first()
    except Exception:  # the database itself is what failed
        return None


def _apply(job: ImportJob, checked: Checked | None) -> ImportJob:
    _save_phase(job, Status.IMPORTING, 1, _("Checking again before writing"))
    if checked is None:
        try:
            checked = _check(job, phase_start=1, phase_end=60)
        except FileRefused as exc:
            job.file_errors = [exc.message]
            _save_phase(job, Status.REFUSED, 100, _("The file was refused"), "file_errors")
            return job
    user = job.uploaded_by
    kind = kinds.get(job.kind)
    school_ids = kind.schools_touched(checked.rows, user)
    token = uuid.uuid4().hex
    keys = _acquire(job, school_ids, token)  # raises ImportBusy: the task waits and retries
    try:
        set_progress(job, 65, _("Writing"))
        with transaction.atomic():
            # Claim the job: a second run of the same job (two quick confirms, a redelivered
            # task) finds it no longer importing and writes nothing.
            current = ImportJob.objects.select_for_update().get(pk=job.pk)
            if current.status != Status.IMPORTING or not user.is_active:
                return current
            _lock_schools(school_ids)
            # Check against the database as it is now, inside the locks.
            kind.check_rows(
                checked.rows,
                kinds.CheckContext(
                    user=user, today=timezone.localdate(), lock=True, options=job.options
                ),
            )
            _store_rows(job, checked.rows, only_notable=job.validated_at is None)
            if job.refused_rows and not job.valid_rows_only:
                job.finished_at = timezone.now()
                _save_phase(
                    job,
                    Status.REFUSED,
                    100,
                    _("Refused rows: nothing was imported"),
                    *COUNT_FIELDS,
                    "finished_at",
                )
                return job
            written = kind.write_rows(checked.rows, today=timezone.localdate(), job=job)
            job.finished_at = timezone.now()
            job.status, job.progress, job.progress_note = Status.DONE, 100, _("Imported")
            job.save(
                update_fields=["status", "progress", "progress_note", *COUNT_FIELDS, "finished_at"]
            )
            audit_record(
                actor=user,
                action="import.apply",
                obj=job,
                region=job.region,
                detail={
                    "created": written.created,
                    "updated": written.updated,
                    "moved": written.moved,
                    "refused": job.refused_rows,
                    "valid_rows_only": job.valid_rows_only,
                },
            )
    finally:
        _release(keys, token)
    # Committed: the rows are written and the job is done. Nothing from here on may turn
    # that into an error (the caller would say "nothing was saved"): each step that fails is
    # logged and the job still reports the write.
    _after_write(job, "progress", lambda: set_progress(job, 100, _("Imported")))
    _after_write(job, "after_import", _after_import)
    if job.refused_rows:
        _after_write(job, "error_workbook", lambda: _store_error_workbook(job, checked))
    _after_write(job, "discard_upload", lambda: _discard_stored_upload(job))
    return job


def _after_write(job: ImportJob, step: str, run) -> None:
    """Run a step that follows a committed write; log a failure (the exception's type and
    the job, never its text: it may quote a row) instead of raising it."""
    try:
        run()
    except Exception as exc:
        logger.error(
            "import %s: step %s after the write failed: %s", job.pk, step, type(exc).__name__
        )


def _discard_stored_upload(job: ImportJob) -> None:
    """Drop the upload once written; the job forgets it even if the storage refuses."""
    path = job.stored_file
    job.stored_file = ""
    ImportJob.objects.filter(pk=job.pk).update(stored_file="")
    if path and default_storage.exists(path):
        default_storage.delete(path)


# --- Error workbook, cancel, purge ------------------------------------------------------------


def _errors_by_line(rows) -> dict[int, str]:
    return {
        r.line: "；".join(f"【{e.column}】“{e.value}”：{e.message}" for e in r.errors)
        for r in rows
        if r.errors
    }


def _store_error_workbook(job: ImportJob, checked: Checked) -> None:
    data = workbooks.error_workbook(
        checked.table.headers,
        checked.table.rows,
        _errors_by_line(checked.rows),
        header_line=checked.table.header_line,
    )
    if job.error_file and default_storage.exists(job.error_file):
        default_storage.delete(job.error_file)
    job.error_file = default_storage.save(
        f"imports/{uuid.uuid4().hex}-errors.bin", ContentFile(crypto.encrypt_bytes(data))
    )
    job.save(update_fields=["error_file"])


def import_error_workbook(job: ImportJob) -> bytes | None:
    """The user's rows with the reasons for refusal, built from the upload while it is kept
    and stored once the upload is gone."""
    if job.error_file and default_storage.exists(job.error_file):
        with default_storage.open(job.error_file, "rb") as handle:
            return crypto.decrypt_bytes(handle.read())
    if not job.stored_file or not job.refused_rows:
        return None
    checked = _check(job, phase_start=0, phase_end=0)
    kinds.get(job.kind).check_rows(
        checked.rows,
        kinds.CheckContext(user=job.uploaded_by, today=timezone.localdate(), options=job.options),
    )
    _store_error_workbook(job, checked)
    return import_error_workbook(job)


@transaction.atomic
def import_job_confirm(*, job: ImportJob, user, valid_rows_only: bool = False) -> ImportJob:
    """The uploader confirms the preview: queue the write after commit. A conditional
    update, so two quick confirms queue one write."""
    _check_may_decide(job, user)
    valid_only = job.valid_rows_only or (
        valid_rows_only and permissions.may_choose_valid_rows_only(user)
    )
    claimed = ImportJob.objects.filter(pk=job.pk, status=Status.PREVIEW).update(
        status=Status.IMPORTING, valid_rows_only=valid_only
    )
    job.refresh_from_db()
    if not claimed:
        return job
    audit_record(
        actor=user,
        action="import.confirm",
        obj=job,
        region=job.region,
        detail={"valid_rows_only": job.valid_rows_only},
    )
    from ..tasks import import_apply

    import_apply.delay_on_commit(job.pk)
    return job


def import_job_wait(job_id: int) -> ImportJob:
    """Another import for the same schools is being written and nothing will retry this one:
    back to the preview, with a note saying to confirm again in a moment."""
    job = ImportJob.objects.get(pk=job_id)
    if job.status == Status.IMPORTING and job.validated_at is not None:
        note = _("Another import for the same school is running; confirm again shortly.")
        job.warnings = [*[w for w in job.warnings if w != note], note]
        _save_phase(job, Status.PREVIEW, 100, note, "warnings")
    elif job.status in (Status.IMPORTING, Status.VALIDATING):
        job.file_errors = [
            _("Another import for the same school is running; upload the file again shortly.")
        ]
        _discard_upload(job)
        _save_phase(
            job, Status.REFUSED, 100, _("The file was refused"), "file_errors", "stored_file"
        )
    return job


def import_job_cancel(*, job: ImportJob, user) -> ImportJob:
    """Discard an upload that is not being written (conditional update: a confirm that won
    the race keeps its file)."""
    _check_may_decide(job, user)
    claimed = ImportJob.objects.filter(
        pk=job.pk, status__in=[Status.PREVIEW, Status.QUEUED]
    ).update(status=Status.CANCELLED, finished_at=timezone.now())
    job.refresh_from_db()
    if claimed or job.status == Status.REFUSED:
        _discard_upload(job)
        job.save(update_fields=["stored_file"])
        audit_record(actor=user, action="import.cancel", obj=job, region=job.region)
    return job


def may_download_errors(job: ImportJob, user) -> bool:
    """The error workbook holds every row of the upload in clear: the uploader's own data,
    for the uploader (and superusers) only."""
    return permissions.may_decide_upload(job, user)


def purge_stale_uploads() -> int:
    """Remove uploads and error workbooks older than a day; the job record stays."""
    cutoff = timezone.now() - timedelta(seconds=UPLOAD_LIFETIME_SECONDS)
    purged = 0
    for job in ImportJob.objects.filter(created_at__lt=cutoff).exclude(stored_file=""):
        _discard_upload(job)
        if job.status in (Status.PREVIEW, Status.QUEUED):
            job.status = Status.CANCELLED
        job.save(update_fields=["stored_file", "status"])
        purged += 1
    for job in ImportJob.objects.filter(created_at__lt=cutoff).exclude(error_file=""):
        if default_storage.exists(job.error_file):
            default_storage.delete(job.error_file)
        job.error_file = ""
        job.save(update_fields=["error_file"])
    return purged + _purge_orphans(cutoff)


def _purge_orphans(cutoff) -> int:
    """Files left by an upload whose transaction rolled back: no job names them."""
    try:
        _folders, names = default_storage.listdir("imports")
    except FileNotFoundError:
        return 0
    known = set(ImportJob.objects.exclude(stored_file="").values_list("stored_file", flat=True))
    known |= set(ImportJob.objects.exclude(error_file="").values_list("error_file", flat=True))
    removed = 0
    for name in names:
        path = f"imports/{name}"
        if path not in known and default_storage.get_modified_time(path) < cutoff:
            default_storage.delete(path)
            removed += 1
    return removed
