"""The shared kernel: regions, schools, teachers with their service history and ethics
records, users with their roles, and the audit trail."""

import logging
import re

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import crypto
from .choices import (
    EmploymentStatus,
    Gender,
    ProfessionalTitle,
    RegionLevel,
    Registration,
    Role,
    Sanction,
    SchoolType,
    ServiceRole,
    Staffing,
    Stage,
)
from .validators import validate_no_id_number, validate_person_name

logger = logging.getLogger(__name__)

# A region's path: the ids from the root, each followed by a slash ("/1/5/23/").
REGION_PATH = re.compile(r"/(?:[0-9]{1,12}/){1,8}")
REGION_PATH_SQL = r"^/([0-9]+/)+$"
# A prefix no region's path starts with: what an invalid region's subtree is (nothing).
NO_SUBTREE = "/-/"
REGION_DEPTH = {RegionLevel.PROVINCE: 1, RegionLevel.CITY: 2, RegionLevel.COUNTY: 3}


class Region(models.Model):
    """A node of the administrative tree (province → city → county), keyed by its
    GB/T 2260 division code. ``path`` lists the ids from the root (``/1/5/23/``) so a
    whole subtree is one indexed prefix match."""

    code = models.CharField(_("division code"), max_length=6, unique=True)
    name = models.CharField(_("name"), max_length=64, validators=[validate_no_id_number])
    level = models.CharField(_("level"), max_length=16, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Set only by the region services (``region_create``, ``region_update``).
    path = models.CharField(max_length=255, editable=False, db_index=True)
    is_mountain_island = models.BooleanField(_("mountain or island county"), default=False)
    is_key_support = models.BooleanField(_("key support county"), default=False)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{6}$"), name="region_code_six_digits"
            ),
            models.CheckConstraint(
                condition=Q(path__regex=REGION_PATH_SQL), name="region_path_ids_from_root"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("region_detail", args=[self.pk])

    @property
    def path_is_valid(self) -> bool:
        """A path is trusted only when it is ids from the root, ends with this region's own
        id and is as deep as the region's level. Anything else (empty, copied from another
        region, written around the services) answers for nothing."""
        if not REGION_PATH.fullmatch(self.path or "") or self.pk is None:
            return False
        ids = [int(part) for part in self.path.strip("/").split("/")]
        return ids[-1] == self.pk and len(ids) == REGION_DEPTH.get(self.level)

    @property
    def subtree_prefix(self) -> str:
        """The prefix of the paths of this region and every region under it: use it (never
        ``path`` itself) in ``path__startswith`` and ``str.startswith``. A region with an
        invalid path fails closed: its subtree is empty and the error is logged."""
        if self.path_is_valid:
            return self.path
        logger.error(
            "region %s (%s) has an invalid path %r: its subtree is treated as empty",
            self.pk,
            self.code,
            self.path,
        )
        return NO_SUBTREE

    @property
    def path_ids(self) -> list[int]:
        """The ids from the root down to this region (``/1/5/23/`` → [1, 5, 23]); none for
        a region whose path is invalid (see ``subtree_prefix``)."""
        if not self.path_is_valid:
            return []
        return [int(part) for part in self.path.strip("/").split("/")]


class School(models.Model):
    code = models.CharField(_("school code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=128, validators=[validate_no_id_number])
    county = models.ForeignKey(
        Region,
        verbose_name=_("county"),
        on_delete=models.PROTECT,
        related_name="schools",
        limit_choices_to={"level": RegionLevel.COUNTY},
    )
    school_type = models.CharField(_("school type"), max_length=32, choices=SchoolType.choices)
    is_rural = models.BooleanField(_("rural school"), default=False)
    is_weak = models.BooleanField(_("weak school"), default=False)
    is_public = models.BooleanField(_("public school"), default=True)

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{10}$"), name="school_code_ten_digits"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("school_detail", args=[self.pk])


class TeacherQuerySet(models.QuerySet):
    def by_id_number(self, id_number: str):
        """Look a teacher up by a normalised, validated ID number."""
        return self.filter(id_number_hash=crypto.lookup_hash(id_number))


class Teacher(models.Model):
    # The ID number is never stored in clear: encrypted for reveal, keyed hash for lookup,
    # masked copy for display.
    id_number_encrypted = models.TextField(editable=False)
    id_number_hash = models.CharField(max_length=64, unique=True, editable=False)
    id_number_masked = models.CharField(_("ID number"), max_length=18, editable=False)
    # Searched with icontains, which no b-tree index serves.
    name = models.CharField(_("name"), max_length=64, validators=[validate_person_name])
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, editable=False)
    birth_date = models.DateField(_("birth date"), editable=False)
    school = models.ForeignKey(
        School,
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        related_name="teachers",
        db_index=False,  # served by the (school, status) index below
    )
    subject = models.CharField(
        _("subject"), max_length=32, blank=True, validators=[validate_no_id_number]
    )
    stage = models.CharField(_("teaching stage"), max_length=16, choices=Stage.choices)
    staffing = models.CharField(
        _("staffing"), max_length=16, choices=Staffing.choices, default=Staffing.ESTABLISHED
    )
    is_full_time = models.BooleanField(_("full-time teacher"), default=True)
    professional_title = models.CharField(
        _("professional title"),
        max_length=16,
        choices=ProfessionalTitle.choices,
        default=ProfessionalTitle.NONE,
    )
    started_teaching = models.DateField(_("started teaching"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=EmploymentStatus.choices,
        default=EmploymentStatus.SERVING,
    )
    retired_on = models.DateField(_("retired on"), null=True, blank=True)
    registration = models.CharField(
        _("registration"),
        max_length=16,
        choices=Registration.choices,
        default=Registration.REGISTERED,
        db_default=Registration.REGISTERED,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TeacherQuerySet.as_manager()

    class Meta:
        verbose_name = _("teacher")
        verbose_name_plural = _("teachers")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["school", "status"]),
            # Imports look for numbers that share a registered teacher's mask (guesses).
            models.Index(fields=["id_number_masked"], name="teacher_masked"),
        ]

    def __str__(self):
        return f"{self.name} ({self.id_number_masked})"

    def get_absolute_url(self):
        return reverse("teacher_detail", args=[self.pk])

    def reveal_id_number(self) -> str:
        """The ID number in clear. Call only through ``services.teacher_reveal_id_number``
        (audited) or for the teacher themself."""
        return crypto.decrypt_text(self.id_number_encrypted)


class ServicePeriod(models.Model):
    """A span of work at one school in one role. Rural, head-teacher and teaching years are
    derived from these, never typed in."""

    teacher = models.ForeignKey(
        Teacher,
        verbose_name=_("teacher"),
        on_delete=models.CASCADE,
        related_name="service_periods",
    )
    school = models.ForeignKey(
        School,
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # periods are read by teacher; a school's delete check may scan
    )
    role = models.CharField(_("role"), max_length=16, choices=ServiceRole.choices)
    stage = models.CharField(_("teaching stage"), max_length=16, choices=Stage.choices)
    start = models.DateField(_("from"))
    end = models.DateField(_("to"), null=True, blank=True, help_text=_("Empty while ongoing."))
    from_reserve = models.BooleanField(
        _("appointed from the principal reserve"),
        default=False,
        db_default=False,  # rows written by SQL (the roster import) take it too
        help_text=_(
            "A principal appointed after training as a reserve (后备人选) is exempt from the "
            "first-year qualification training (N §2.6)."
        ),
    )

    class Meta:
        verbose_name = _("service period")
        verbose_name_plural = _("service periods")
        ordering = ["teacher_id", "start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="service_period_end_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.school} {self.get_role_display()} {self.start}–{self.end or ''}"


class EthicsRecord(models.Model):
    """A sanction for an ethics violation. While in force it vetoes selection, title
    review, promotion and honours (师德一票否决)."""

    teacher = models.ForeignKey(
        Teacher,
        verbose_name=_("teacher"),
        on_delete=models.CASCADE,
        related_name="ethics_records",
    )
    decided_on = models.DateField(_("decided on"))
    sanction = models.CharField(_("sanction"), max_length=32, choices=Sanction.choices)
    in_force_from = models.DateField(_("in force from"))
    in_force_to = models.DateField(
        _("in force until"), null=True, blank=True, help_text=_("Empty until lifted.")
    )
    reason = models.TextField(_("reason"), blank=True, validators=[validate_no_id_number])

    class Meta:
        verbose_name = _("ethics record")
        verbose_name_plural = _("ethics records")
        ordering = ["teacher_id", "-in_force_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(in_force_to__isnull=True)
                | Q(in_force_to__gte=models.F("in_force_from")),
                name="ethics_record_period_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.get_sanction_display()} {self.in_force_from}"


class User(AbstractUser):
    """A person who signs in. The role and the region, school or teacher it is attached to
    decide what the scope function lets them see."""

    # Django's user name, but never an ID number: it is shown in the audit log and lists.
    username = models.CharField(
        _("username"),
        max_length=150,
        unique=True,
        help_text=_("Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only."),
        validators=[AbstractUser.username_validator, validate_no_id_number],
        error_messages={"unique": _("A user with that username already exists.")},
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, blank=True)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    school = models.ForeignKey(
        School,
        verbose_name=_("school"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="administrators",
    )
    teacher = models.OneToOneField(
        Teacher,
        verbose_name=_("teacher"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="user",
    )
    login_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def clean(self):
        from .services import user_attachment_errors

        errors = user_attachment_errors(self)
        if errors:
            from django.core.exceptions import ValidationError

            raise ValidationError(errors)


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("audit events are append-only")

    def delete(self):
        raise PermissionError("audit events are append-only")


class AuditEvent(models.Model):
    """Append-only record of who did what, when and from where. The application can only
    add events: saving an existing one, updating or deleting raise, and on PostgreSQL a
    trigger refuses the same at the database (only the links to a deleted user or region
    may be cleared)."""

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    # Links without database constraints: the log outlives what it names, and an import
    # that records 100,000 events does not pay 200,000 foreign-key checks at commit. Django
    # still clears a link when its user or region is deleted (the trigger allows that).
    user = models.ForeignKey(
        User,
        verbose_name=_("user"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    username = models.CharField(_("user name"), max_length=150)
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    region = models.ForeignKey(
        Region,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        db_index=False,  # the (region, time) index below serves the region's page
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["region", "at"], name="audit_region_at")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit events are append-only")


class ImportJob(models.Model):
    """One uploaded file on its way into the portal: who, when, which file, what happened.

    The upload is kept (encrypted) in the default storage, which web and worker processes
    share, until it is applied, cancelled or a day old."""

    class Kind(models.TextChoices):
        ROSTER = "roster", _("Teacher roster")
        TRAINING = "training", _("Training records")
        NOMINATION = "nomination", _("Programme nominations")
        PAY = "pay", _("Pay reports")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        VALIDATING = "validating", _("Checking")
        PREVIEW = "preview", _("Ready to confirm")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Imported")
        REFUSED = "refused", _("Refused")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    uploaded_by = models.ForeignKey(
        User, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    # The uploader's scope at upload time, for the scope function.
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # What a kind needs besides the file (the programme a nomination list is for).
    options = models.JSONField(default=dict, blank=True, editable=False)
    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64)
    file_size = models.PositiveBigIntegerField(_("file size"))
    stored_file = models.CharField(max_length=255, blank=True, editable=False)
    error_file = models.CharField(max_length=255, blank=True, editable=False)
    commit_when_valid = models.BooleanField(
        _("import as soon as it is valid"),
        default=False,
        help_text=_("Skip the preview: import straight away when no row is refused."),
    )
    valid_rows_only = models.BooleanField(
        _("import only the valid rows"),
        default=False,
        help_text=_(
            "Chosen by bureau staff: refused rows are skipped instead of stopping the whole file."
        ),
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    progress_note = models.CharField(max_length=120, blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    new_rows = models.PositiveIntegerField(default=0)
    changed_rows = models.PositiveIntegerField(default=0)
    unchanged_rows = models.PositiveIntegerField(default=0)
    refused_rows = models.PositiveIntegerField(default=0)
    file_errors = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True, db_index=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Runs of the job's task that started and have not finished: one left over means a run
    # died with its process (the broker then delivers the task again); see services.
    unfinished_runs = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.file_name}"

    def get_absolute_url(self):
        return reverse("import_detail", args=[self.pk])

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.VALIDATING, self.Status.IMPORTING)


class ImportRow(models.Model):
    """One data row of an import as the check saw it, for the paged preview and the error
    workbook. Holds the masked ID number only."""

    class Action(models.TextChoices):
        NEW = "new", _("New")
        CHANGED = "changed", _("Changed")
        UNCHANGED = "unchanged", _("Unchanged")
        REFUSED = "refused", _("Refused")

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField(_("row"))
    action = models.CharField(_("result"), max_length=16, choices=Action.choices)
    name = models.CharField(_("name"), max_length=64, blank=True)
    id_number_masked = models.CharField(_("ID number"), max_length=32, blank=True)
    school_code = models.CharField(_("school code"), max_length=32, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("import row")
        verbose_name_plural = _("import rows")
        ordering = ["job_id", "line"]
        indexes = [models.Index(fields=["job", "action", "line"])]

    def __str__(self):
        return f"{self.job_id}:{self.line} {self.action}"


class ApiToken(models.Model):
    """A key for the API, issued at each token log-in (``portal.api.authentication``). Only
    a hash of the key is stored. It stops at the first of: its absolute lifetime
    (``API_TOKEN_TTL_SECONDS`` from ``created``), its idle limit (``API_TOKEN_IDLE_SECONDS``
    since ``last_used``), a change of the user's password (``password_fingerprint`` no longer
    matches, as a session's auth hash), the user's deactivation, or a revoke."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    password_fingerprint = models.CharField(max_length=64, editable=False)
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    # Written at most once a minute (not on every request): enough for an idle limit of hours.
    last_used = models.DateTimeField(_("last used"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created"]

    def __str__(self):
        return f"{self.user} {self.created:%Y-%m-%d %H:%M}"


class TransferRequest(models.Model):
    """A request to move a teacher registered at another school into ``to_school``
    (调入申请). A roster row whose ID number belongs to a teacher outside the uploader's scope
    becomes one on confirmation instead of a new teacher; the uploader is told nothing more
    than for a new teacher. Bureau staff whose scope covers both the teacher's current school
    and ``to_school`` approve it (the teacher moves, with the row's values) or reject it with
    a reason. Holds what the row said, never its ID number."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    teacher = models.ForeignKey(
        Teacher,
        verbose_name=_("teacher"),
        on_delete=models.CASCADE,
        related_name="transfer_requests",
    )
    to_school = models.ForeignKey(
        School,
        verbose_name=_("destination school"),
        on_delete=models.PROTECT,
        related_name="transfer_requests_in",
    )
    # The name as the requesting school wrote it (the teacher's record keeps its own).
    name = models.CharField(_("name"), max_length=64, validators=[validate_person_name])
    # What the move would apply, by Teacher field: those of stage, subject, staffing,
    # is_full_time, professional_title and started_teaching (ISO date) the row gave.
    values = models.JSONField(_("values"), default=dict, blank=True)
    # Empty only once the account is deleted (the audit trail keeps who asked and decided).
    requested_by = models.ForeignKey(
        User,
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    import_job = models.ForeignKey(
        ImportJob,
        verbose_name=_("import"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="transfer_requests",
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        User,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.CharField(
        _("reason"), max_length=500, blank=True, validators=[validate_no_id_number]
    )

    class Meta:
        verbose_name = _("transfer request")
        verbose_name_plural = _("transfer requests")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["to_school", "status"], name="transfer_school_status")]
        constraints = [
            # A second upload naming the same teacher refreshes the pending request.
            models.UniqueConstraint(
                fields=["teacher", "to_school"],
                condition=Q(status="pending"),
                name="transfer_one_pending_per_school",
            ),
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True)
                | (~Q(status="pending") & Q(decided_at__isnull=False)),
                name="transfer_decided_when_not_pending",
            ),
        ]

    def __str__(self):
        return f"{self.name} → {self.to_school}"
