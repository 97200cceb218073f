"""The training-hour ledger: rule sets per region, providers, courses, append-only
records, and a per-teacher summary kept for dashboards."""

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.models import Region, Teacher
from portal.validators import SafeJSONDecoder, validate_no_id_number

from . import shapes
from .choices import Category, ComplianceStatus, Level, Mode, RecordStatus, Source, Unit
from .rules import Rule


def evidence_path(instance, filename: str) -> str:
    """Where an uploaded certificate is kept: under a random name with the file's extension,
    never the uploader's file name (which may hold a name or an ID number). Files are served
    only through the scoped ``training_record`` view, never from MEDIA_URL."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    extension = extension if extension in {"pdf", "jpg", "jpeg", "png"} else "bin"
    return f"training/evidence/{secrets.token_hex(16)}.{extension}"


class NoRuleSet(LookupError):
    """No rule set applies to the region on that date."""


class BrokenRuleSet(NoRuleSet):
    """The rule set in force cannot be read: a value stored behind the validators' back (an
    old row, a manual change in the database). Pages treat it like a missing rule set; the
    nightly recompute skips (and logs) the regions it governs."""

    def __init__(self, rule_set: "RuleSet", problem: ValidationError):
        self.rule_set = rule_set
        super().__init__(
            f"training rule set {rule_set.pk} (region {rule_set.region_id}) cannot be read: "
            + " ".join(problem.messages)
        )


# --- Shapes of the JSON fields (``shapes``): validators and readers in one -------------------

HOURS_PER_CREDIT_RANGE = (Decimal("0.1"), Decimal(100))
CYCLE_YEARS_MAX = 10  # a cycle is a few years (five in every rule we know)
YEAR_RANGE = (2000, 2100)  # years a rule set may name
CATEGORY_CAP_RANGE = (Decimal(0), Decimal("99999.9"))  # as large as a cycle's requirement


def read_hours_per_credit(value) -> dict[str, Decimal]:
    """``{"face_to_face": 6, "online": 8, "default": 6}``: hours of training that make one
    credit, per mode (``Mode``) and ``default`` for the modes not named."""
    low, high = HOURS_PER_CREDIT_RANGE
    return shapes.number_map(
        value,
        field=capfirst(gettext("hours per credit by mode")),
        keys={**dict(Mode.choices), "default": gettext("any other mode")},
        low=low,
        high=high,
        example='{"face_to_face": 6, "online": 8}',
    )


def read_category_caps(value) -> dict[str, Decimal]:
    """``{"degree": 60}``: the most a category (``Category``) counts for in a cycle."""
    low, high = CATEGORY_CAP_RANGE
    return shapes.number_map(
        value,
        field=capfirst(gettext("caps per category per cycle")),
        keys=dict(Category.choices),
        low=low,
        high=high,
        example='{"degree": 60, "platform": 90}',
    )


def read_year_category_caps(value) -> dict[str, Decimal]:
    """``{"degree": 20}``: the most a category counts for in one calendar year."""
    low, high = CATEGORY_CAP_RANGE
    return shapes.number_map(
        value,
        field=capfirst(gettext("caps per category per year")),
        keys=dict(Category.choices),
        low=low,
        high=high,
        example='{"degree": 20}',
    )


def validate_year_category_caps(value) -> None:
    read_year_category_caps(value)


def validate_hours_per_credit(value) -> None:
    read_hours_per_credit(value)


def validate_category_caps(value) -> None:
    read_category_caps(value)


def conversion_gaps(unit: str, hours_per_credit: dict) -> list[str]:
    """The modes a rule set in credits cannot convert (no entry and no ``default``)."""
    if unit != Unit.CREDITS or "default" in hours_per_credit:
        return []
    return [mode for mode in Mode.values if mode not in hours_per_credit]


def _conversion_error(gaps: list[str]) -> ValidationError:
    return ValidationError(
        gettext(
            "%(field)s: a rule set in credits needs the hours of one credit for every mode "
            "(missing: %(missing)s) or a “default”."
        )
        % {
            "field": capfirst(gettext("hours per credit by mode")),
            "missing": gettext(", ").join(gaps),
        },
        code="shape",
    )


RULE_FIELDS = [
    "name",
    "effective_from",
    "unit",
    "cycle_years",
    "cycle_start_year",
    "required_per_cycle",
    "ethics_per_year",
    "min_county_or_above",
    "hours_per_credit",
    "item_cap",
    "category_caps",
    "usual_per_year",
    "principal_first_year",
    "principal_per_cycle",
    "min_per_year",
    "year_category_caps",
    "missed_share_voids",
    "entry_year_counts",
    "leaving_year_counts",
    "ethics_week_days",
    "autumn_term_month",
    "autumn_term_day",
]  # what a bureau sets in a rule set (form, API)


class RuleSet(models.Model):
    """The training requirements a region sets from a date. Inherited down the region tree
    unless a lower region has its own; a change is a new rule set with a later
    ``effective_from``, so figures can always be recomputed under the rules then in force."""

    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="rule_sets"
    )
    name = models.CharField(_("name"), max_length=100, validators=[validate_no_id_number])
    effective_from = models.DateField(_("effective from"))
    unit = models.CharField(_("unit"), max_length=16, choices=Unit.choices, default=Unit.HOURS)
    cycle_years = models.PositiveSmallIntegerField(
        _("cycle length (years)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(CYCLE_YEARS_MAX)],
    )
    cycle_start_year = models.PositiveSmallIntegerField(
        _("first year of a cycle"),
        default=2021,
        validators=[MinValueValidator(YEAR_RANGE[0]), MaxValueValidator(YEAR_RANGE[1])],
    )
    required_per_cycle = models.DecimalField(
        _("required per cycle"),
        max_digits=7,
        decimal_places=1,
        default=Decimal(360),
        validators=[MinValueValidator(Decimal("0.1"))],
    )
    ethics_per_year = models.DecimalField(
        _("ethics and political study per year"),
        max_digits=6,
        decimal_places=1,
        default=Decimal(24),
        validators=[MinValueValidator(Decimal(0))],
    )
    min_county_or_above = models.DecimalField(
        _("minimum at county level or above per cycle"),
        max_digits=7,
        decimal_places=1,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )
    hours_per_credit = models.JSONField(
        _("hours per credit by mode"),
        decoder=SafeJSONDecoder,
        default=dict,
        blank=True,
        validators=[validate_hours_per_credit],
        help_text=_('Credits only, e.g. {"face_to_face": 6, "online": 8, "degree": 20}.'),
    )
    item_cap = models.DecimalField(
        _("cap per record"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.1"))],
    )
    category_caps = models.JSONField(
        _("caps per category per cycle"),
        decoder=SafeJSONDecoder,
        default=dict,
        blank=True,
        validators=[validate_category_caps],
        help_text=_('e.g. {"degree": 60, "platform": 90}.'),
    )
    usual_per_year = models.DecimalField(
        _("usual pace per year"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_(
            "What a teacher can usually complete in a year; empty: 1.5 × the "
            "cycle's requirement divided by its years."
        ),
        validators=[MinValueValidator(Decimal("0.1"))],
    )
    principal_first_year = models.DecimalField(
        _("principal qualification training in the first year"),
        max_digits=6,
        decimal_places=1,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )
    principal_per_cycle = models.DecimalField(
        _("serving principals per cycle"),
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    min_per_year = models.DecimalField(
        _("minimum of all training per year"),
        max_digits=6,
        decimal_places=1,
        default=Decimal(0),
        help_text=_("Every year in service, of all training (浙江: 每年不少于 24 学分); 0: none."),
        validators=[MinValueValidator(Decimal(0))],
    )
    year_category_caps = models.JSONField(
        _("caps per category per year"),
        decoder=SafeJSONDecoder,
        default=dict,
        blank=True,
        validators=[validate_year_category_caps],
        help_text=_('e.g. {"degree": 20}: applied before the caps per cycle.'),
    )
    missed_share_voids = models.DecimalField(
        _("share of a course missed that voids it"),
        max_digits=3,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal(1))],
        help_text=_("e.g. 0.2: missing one fifth of a course's hours earns nothing; empty: off."),
    )
    entry_year_counts = models.BooleanField(
        _("the year of entering service counts"),
        default=False,
        help_text=_(
            "Whether a teacher who entered service after 1 January owes that year's yearly "
            "minimums (ethics, training per year)."
        ),
    )
    leaving_year_counts = models.BooleanField(
        _("the year of leaving service counts"),
        default=False,
    )
    ethics_week_days = models.PositiveSmallIntegerField(
        _("ethics week: days of concentrated training"),
        default=0,
        validators=[MaxValueValidator(7)],
        help_text=_("师德教育周 (N §2.2): days in the week before the autumn term; 0: none."),
    )
    autumn_term_month = models.PositiveSmallIntegerField(
        _("autumn term starts: month"),
        default=9,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    autumn_term_day = models.PositiveSmallIntegerField(
        _("autumn term starts: day"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("training rule set")
        verbose_name_plural = _("training rule sets")
        ordering = ["region__code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "effective_from"], name="one_rule_set_per_region_and_date"
            ),
            models.CheckConstraint(
                condition=Q(cycle_years__gte=1) & Q(required_per_cycle__gt=0),
                name="rule_set_positive_cycle",
            ),
        ]

    def __str__(self):
        return f"{self.region} {self.name} ({self.effective_from})"

    def clean(self):
        # An emptied JSON box is an empty mapping, never NULL.
        for name in ("hours_per_credit", "category_caps", "year_category_caps"):
            if getattr(self, name) is None:
                setattr(self, name, {})
        if (
            self.usual_per_year is not None
            and self.required_per_cycle is not None
            and self.usual_per_year > self.required_per_cycle
        ):
            raise ValidationError(
                {
                    "usual_per_year": gettext(
                        "The usual pace cannot be more than the whole cycle's requirement."
                    )
                }
            )
        try:
            conversion = read_hours_per_credit(self.hours_per_credit)
        except ValidationError:
            return  # the field's own validator says what is wrong
        gaps = conversion_gaps(self.unit, conversion)
        if gaps:
            raise ValidationError({"hours_per_credit": _conversion_error(gaps)})

    def as_rule(self) -> Rule:
        """The rule set as the pure rules read it. A stored value of the wrong shape raises
        ``BrokenRuleSet`` (never an ``AttributeError`` deep in a page or the nightly job)."""
        try:
            hours_per_credit = read_hours_per_credit(self.hours_per_credit)
            category_caps = read_category_caps(self.category_caps)
            year_category_caps = read_year_category_caps(self.year_category_caps)
            if self.unit not in Unit.values:
                raise ValidationError(f"unknown unit {self.unit!r}")
            if not 1 <= self.cycle_years <= CYCLE_YEARS_MAX or self.required_per_cycle <= 0:
                raise ValidationError("the cycle's length and requirement are out of range")
            if not YEAR_RANGE[0] <= self.cycle_start_year <= YEAR_RANGE[1]:
                raise ValidationError("the first year of a cycle is out of range")
            if not 1 <= self.autumn_term_month <= 12 or not 1 <= self.autumn_term_day <= 28:
                raise ValidationError("the autumn term's start is not a day of the year")
            if any(
                value is not None and value < 0
                for value in (
                    self.ethics_per_year,
                    self.min_county_or_above,
                    self.item_cap,
                    self.usual_per_year,
                    self.principal_first_year,
                    self.principal_per_cycle,
                    self.min_per_year,
                )
            ):
                raise ValidationError("a figure is negative")
            gaps = conversion_gaps(self.unit, hours_per_credit)
            if gaps:
                raise _conversion_error(gaps)
        except ValidationError as exc:
            raise BrokenRuleSet(self, exc) from None
        return Rule(
            unit=self.unit,
            cycle_years=self.cycle_years,
            cycle_start_year=self.cycle_start_year,
            required_per_cycle=self.required_per_cycle,
            ethics_per_year=self.ethics_per_year,
            min_county_or_above=self.min_county_or_above,
            hours_per_credit=hours_per_credit,
            item_cap=self.item_cap,
            category_caps=category_caps,
            usual_per_year=self.usual_per_year,
            principal_first_year=self.principal_first_year,
            principal_per_cycle=self.principal_per_cycle,
            min_per_year=self.min_per_year,
            year_category_caps=year_category_caps,
            missed_share_voids=self.missed_share_voids,
            entry_year_counts=self.entry_year_counts,
            leaving_year_counts=self.leaving_year_counts,
            ethics_week_days=self.ethics_week_days,
            autumn_term_starts=(self.autumn_term_month, self.autumn_term_day),
        )


class Provider(models.Model):
    name = models.CharField(_("name"), max_length=128, validators=[validate_no_id_number])
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    qualified = models.BooleanField(_("qualified"), default=False)
    qualified_until = models.DateField(_("qualified until"), null=True, blank=True)

    class Meta:
        verbose_name = _("training provider")
        verbose_name_plural = _("training providers")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Course(models.Model):
    code = models.CharField(_("course code"), max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=200, validators=[validate_no_id_number])
    provider = models.ForeignKey(
        Provider,
        verbose_name=_("provider"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="courses",
    )
    region = models.ForeignKey(
        Region, verbose_name=_("organised by"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    mode = models.CharField(
        _("mode"), max_length=16, choices=Mode.choices, default=Mode.FACE_TO_FACE
    )
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["-starts_on", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="course_hours_positive"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="course_dates_ordered"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"


ALREADY_CREDITED = "already_credited"  # the code of ``one_credit_per_course``'s error


class TrainingRecord(models.Model):
    """One credit (or its reversal) in a teacher's ledger. Append-only: hours, dates and the
    teacher never change; a correction is a new record that reverses the old one. Only the
    review (status, reviewer, reason) is filled in later."""

    teacher = models.ForeignKey(
        Teacher,
        verbose_name=_("teacher"),
        on_delete=models.PROTECT,
        related_name="training_records",
    )
    course = models.ForeignKey(
        Course,
        verbose_name=_("course"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="records",
    )
    description = models.CharField(
        _("description"), max_length=200, blank=True, validators=[validate_no_id_number]
    )
    # Integer tenths of an hour: sums over millions of rows stay cheap; read as Decimal.
    hours_tenths = models.IntegerField(_("hours (tenths)"))
    # Hours of the course the teacher missed (a reversal repeats its original's): a rule set
    # may void a record that missed too much (``rules.voided``).
    missed_tenths = models.PositiveIntegerField(_("hours missed (tenths)"), default=0, db_default=0)
    completed_on = models.DateField(_("completed on"))
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    mode = models.CharField(
        _("mode"), max_length=16, choices=Mode.choices, default=Mode.FACE_TO_FACE
    )
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=RecordStatus.choices, default=RecordStatus.PENDING
    )
    reject_reason = models.CharField(
        _("reason for rejection"), max_length=200, blank=True, validators=[validate_no_id_number]
    )
    evidence = models.FileField(_("certificate"), upload_to=evidence_path, blank=True)
    is_reversed = models.BooleanField(_("reversed"), default=False, editable=False)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    import_job = models.ForeignKey(
        "portal.ImportJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        ordering = ["teacher_id", "-completed_on", "-id"]
        indexes = [
            models.Index(fields=["teacher", "completed_on"], name="record_teacher_date"),
            models.Index(fields=["status", "teacher"], name="record_status_teacher"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(hours_tenths=0), name="record_hours_not_zero"),
            models.CheckConstraint(
                condition=Q(reverses__isnull=True, hours_tenths__gt=0)
                | Q(reverses__isnull=False, hours_tenths__lt=0),
                name="record_only_reversals_negative",
            ),
            # The same teacher cannot be credited twice for one course (a reversed or
            # rejected credit does not count).
            models.UniqueConstraint(
                fields=["teacher", "course"],
                condition=Q(course__isnull=False, reverses__isnull=True, is_reversed=False)
                & ~Q(status="rejected"),
                name="one_credit_per_course",
                violation_error_code=ALREADY_CREDITED,
                violation_error_message=_("This teacher is already credited for this course."),
            ),
        ]

    def __str__(self):
        return f"{self.teacher_id} {self.title} {self.hours}"

    def get_absolute_url(self):
        return reverse("training_record", args=[self.pk])

    @property
    def hours(self) -> Decimal:
        return Decimal(self.hours_tenths) / 10

    @property
    def missed(self) -> Decimal:
        return Decimal(self.missed_tenths) / 10

    def as_item(self):
        """The record as the rules read it (``rules.Item``)."""
        from .rules import Item

        return Item(
            self.hours, self.mode, self.category, self.level, self.completed_on, self.missed
        )

    @property
    def title(self) -> str:
        return self.course.title if self.course_id else self.description


class TrainingSummary(models.Model):
    """A teacher's standing in the cycle, recomputed by the nightly job and after every
    review; dashboards read this table instead of the ledger."""

    # Derived data, rewritten every night: no database-level foreign-key checks (100,000 of
    # them per full recompute); Django still cascades and protects.
    teacher = models.OneToOneField(
        Teacher, on_delete=models.CASCADE, related_name="training_summary", db_constraint=False
    )
    rule_set = models.ForeignKey(
        RuleSet, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    cycle_start = models.PositiveSmallIntegerField()
    credited = models.DecimalField(max_digits=8, decimal_places=1)
    required = models.DecimalField(max_digits=8, decimal_places=1)
    county_or_above = models.DecimalField(max_digits=8, decimal_places=1)
    ethics_this_year = models.DecimalField(max_digits=7, decimal_places=1)
    status = models.CharField(max_length=16, choices=ComplianceStatus.choices)
    as_of = models.DateField()
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("training summary")
        verbose_name_plural = _("training summaries")

    def __str__(self):
        return f"{self.teacher_id} {self.status}"
