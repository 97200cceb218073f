"""The talent ladder: tiers (as data), cultivation programmes, enrolments with their steps,
titles, targets of the plans and dated attainment snapshots."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from portal.choices import RegionLevel, Stage
from portal.models import Region, Teacher
from portal.validators import SafeJSONDecoder, validate_no_id_number
from training import shapes

# --- Shapes of the JSON fields (``training.shapes``): validators and readers in one ----------

# The targeted posts a programme may reserve places for (W/Z: 定向, 特设).
TARGETED_POSTS = {
    "mountain_island": _("Mountain and island counties (定向岗位)"),
    "weak_rural": _("Weak rural schools (特设岗位)"),
}


def read_stages(value) -> list[str]:
    """``["primary", "junior"]``: distinct teaching stages (``Stage``); empty: every stage."""
    return shapes.code_list(
        value,
        field=capfirst(gettext("stages")),
        choices=dict(Stage.choices),
        example='["primary", "junior"]',
    )


def read_run_by_stage(value) -> dict[str, str]:
    """``{"senior": "city", "primary": "county"}``: the level that trains each stage."""
    return shapes.code_map(
        value,
        field=capfirst(gettext("trained by, per stage")),
        keys=dict(Stage.choices),
        values=dict(RegionLevel.choices),
        example='{"senior": "city", "primary": "county"}',
    )


def read_reserved_shares(value) -> dict[str, Decimal]:
    """``{"mountain_island": 0.233, "weak_rural": 0.382}``: shares of the places reserved
    per targeted post, each from 0 to 1 and together at most 1."""
    field = capfirst(gettext("reserved shares"))
    shares = shapes.number_map(
        value,
        field=field,
        keys={key: str(label) for key, label in TARGETED_POSTS.items()},
        low=Decimal(0),
        high=Decimal(1),
        example='{"mountain_island": 0.233, "weak_rural": 0.382}',
    )
    total = sum(shares.values(), Decimal(0))
    if total > 1:
        raise ValidationError(
            gettext("%(field)s: the shares add up to %(total)s, more than every place (1).")
            % {"field": field, "total": total},
            code="shape",
        )
    return shares


def validate_stages(value) -> None:
    read_stages(value)


def validate_run_by_stage(value) -> None:
    read_run_by_stage(value)


def validate_reserved_shares(value) -> None:
    read_reserved_shares(value)


class Track(models.TextChoices):
    TEACHER = "teacher", _("Teacher")
    HEAD_TEACHER = "head_teacher", _("Head teacher")
    PRINCIPAL = "principal", _("Principal")


class TierLevel(models.TextChoices):
    SCHOOL = "school", _("School level")
    COUNTY = "county", _("County level")
    CITY = "city", _("City level")
    PROVINCE = "province", _("Provincial level")
    NATIONAL = "national", _("National level")


class Tier(models.Model):
    """A rung of a ladder (新锐教师, 教坛新秀, 市名教师 …). Ladders are data: the Wenzhou and
    Ningxia ladders ship as presets; a bureau defines its own."""

    ladder = models.CharField(_("ladder"), max_length=32)
    code = models.SlugField(_("code"), max_length=48)
    name = models.CharField(_("name"), max_length=64, validators=[validate_no_id_number])
    track = models.CharField(
        _("track"), max_length=16, choices=Track.choices, default=Track.TEACHER
    )
    level = models.CharField(_("level"), max_length=16, choices=TierLevel.choices)
    rank = models.PositiveSmallIntegerField(_("rank"), help_text=_("Higher is further up."))
    prerequisite = models.ForeignKey(
        "self",
        verbose_name=_("prerequisite tier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    term_years = models.PositiveSmallIntegerField(_("term (years)"), null=True, blank=True)
    # N §2.7, as data: years at rural or weak schools (365 days a year, cumulative across
    # spans) a candidate of these stages needs; the Ningxia preset sets it on 特级教师 only,
    # for compulsory-education teachers.
    rural_years_required = models.DecimalField(
        _("years at rural or weak schools required"),
        max_digits=4,
        decimal_places=1,
        default=0,
        help_text=_("365 days of service a year, cumulative across spans; 0: no condition."),
    )
    rural_stages = models.JSONField(
        _("stages the rural condition applies to"),
        decoder=SafeJSONDecoder,
        default=list,
        blank=True,
        validators=[validate_stages],
        help_text=_('e.g. ["primary", "junior"] for compulsory education. Empty: every stage.'),
    )
    counts_as_backbone = models.BooleanField(_("backbone teacher"), default=False)
    # W §6.2 division of labour, as data: which level trains this tier, and which level
    # trains the talent of a school stage (高中、中职 by the city …). A programme run by a
    # lower level than these say is refused.
    run_by = models.CharField(
        _("trained by"), max_length=16, choices=RegionLevel.choices, blank=True
    )
    run_by_stage = models.JSONField(
        _("trained by, per stage"),
        decoder=SafeJSONDecoder,
        default=dict,
        blank=True,
        validators=[validate_run_by_stage],
        help_text=_('e.g. {"senior": "city", "vocational": "city", "primary": "county"}'),
    )
    region = models.ForeignKey(
        Region, verbose_name=_("defined by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        ordering = ["ladder", "track", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["region", "ladder", "code"], name="tier_code_unique"),
        ]

    def __str__(self):
        return self.name


class Programme(models.Model):
    """A cultivation programme toward a tier (卓越教师锻造计划 …), run by a city or county."""

    name = models.CharField(_("name"), max_length=128, validators=[validate_no_id_number])
    region = models.ForeignKey(
        Region, verbose_name=_("run by"), on_delete=models.PROTECT, related_name="programmes"
    )
    tier = models.ForeignKey(
        Tier, verbose_name=_("toward tier"), on_delete=models.PROTECT, related_name="programmes"
    )
    draws_from = models.ManyToManyField(
        Tier, verbose_name=_("candidates hold"), blank=True, related_name="+"
    )
    stages = models.JSONField(
        _("stages"),
        decoder=SafeJSONDecoder,
        default=list,
        blank=True,
        validators=[validate_stages],
        help_text=_("Empty: every stage."),
    )
    window_start = models.DateField(_("from"))
    window_end = models.DateField(_("to"))
    selection_quota = models.PositiveIntegerField(_("places"), null=True, blank=True)
    target_titles = models.PositiveIntegerField(_("new titles targeted"), null=True, blank=True)
    reserved_shares = models.JSONField(
        _("reserved shares"),
        decoder=SafeJSONDecoder,
        default=dict,
        blank=True,
        validators=[validate_reserved_shares],
        help_text=_(
            "Shares of places reserved for targeted posts, e.g. "
            '{"mountain_island": 0.233, "weak_rural": 0.382}.'
        ),
    )
    min_training = models.DecimalField(
        _("training hours required in the cycle"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["-window_start", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(window_end__gte=models.F("window_start")),
                name="programme_window_ordered",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        from . import rules

        if not (self.region_id and self.tier_id):
            return
        try:
            stages = read_stages(self.stages)
        except ValidationError:
            return  # the field's own validator says what is wrong
        try:
            stage_runners = read_run_by_stage(self.tier.run_by_stage)
        except ValidationError as exc:
            raise ValidationError(
                {
                    "tier": gettext("The tier %(tier)s cannot be read: %(problem)s")
                    % {"tier": self.tier.name, "problem": " ".join(exc.messages)}
                }
            ) from None
        needed = rules.runner_level(
            tier_runner=self.tier.run_by, stages=stages, stage_runners=stage_runners
        )
        if needed and rules.LEVEL_ORDER.index(self.region.level) < rules.LEVEL_ORDER.index(needed):
            raise ValidationError(
                {
                    "region": _(
                        "By the division of labour, %(tier)s for these stages is trained by the "
                        "%(level)s, not by %(region)s."
                    )
                    % {
                        "tier": self.tier.name,
                        "level": RegionLevel(needed).label,
                        "region": self.region.name,
                    }
                }
            )


class EnrolmentStatus(models.TextChoices):
    NOMINATED = "nominated", _("Nominated")
    SELECTED = "selected", _("Selected")
    IN_TRAINING = "in_training", _("In training")
    RECOGNISED = "recognised", _("Recognised")
    NOT_PASSED = "not_passed", _("Not passed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Which step may follow which (rules as data, read by services.enrolment_move).
NEXT_STEPS = {
    EnrolmentStatus.NOMINATED: {EnrolmentStatus.SELECTED, EnrolmentStatus.WITHDRAWN},
    EnrolmentStatus.SELECTED: {EnrolmentStatus.IN_TRAINING, EnrolmentStatus.WITHDRAWN},
    EnrolmentStatus.IN_TRAINING: {
        EnrolmentStatus.RECOGNISED,
        EnrolmentStatus.NOT_PASSED,
        EnrolmentStatus.WITHDRAWN,
    },
}


class Enrolment(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="enrolments")
    teacher = models.ForeignKey(Teacher, on_delete=models.PROTECT, related_name="enrolments")
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=EnrolmentStatus.choices,
        default=EnrolmentStatus.NOMINATED,
    )
    targeted_post = models.CharField(
        _("targeted post"),
        max_length=32,
        blank=True,
        help_text=_("mountain_island / weak_rural when the place counts toward a reserved share"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["programme_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "teacher"], name="one_enrolment"),
        ]

    def __str__(self):
        return f"{self.teacher_id} → {self.programme_id} ({self.status})"


class EnrolmentStep(models.Model):
    """Each move of an enrolment: who, when, from what to what."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="steps")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=200, blank=True, validators=[validate_no_id_number])

    class Meta:
        ordering = ["enrolment_id", "at", "id"]

    def __str__(self):
        return f"{self.from_status} → {self.to_status}"


class TitleQuerySet(models.QuerySet):
    """The database side of ``rules.title_counts`` and ``rules.title_in_force`` (tests hold
    the grouped queries equal to the rules); every query about titles in force goes here."""

    def counting(self, on):
        """Awarded by ``on`` and not revoked by then."""
        return self.filter(Q(revoked_on__isnull=True) | Q(revoked_on__gt=on), awarded_on__lte=on)

    def in_force(self, on):
        """Counting, and not expired on ``on``."""
        return self.counting(on).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))


class Title(models.Model):
    """A tier awarded to a teacher: the fact targets count."""

    teacher = models.ForeignKey(
        Teacher, verbose_name=_("teacher"), on_delete=models.PROTECT, related_name="titles"
    )
    tier = models.ForeignKey(
        Tier, verbose_name=_("tier"), on_delete=models.PROTECT, related_name="titles"
    )
    awarding_region = models.ForeignKey(
        Region, verbose_name=_("awarded by"), on_delete=models.PROTECT, related_name="+"
    )
    awarded_on = models.DateField(_("awarded on"))
    certificate_number = models.CharField(_("certificate number"), max_length=40, unique=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    revoke_reason = models.CharField(
        _("reason for revocation"), max_length=200, blank=True, validators=[validate_no_id_number]
    )
    enrolment = models.OneToOneField(
        Enrolment, null=True, blank=True, on_delete=models.SET_NULL, related_name="title"
    )

    objects = TitleQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("talent", "title")
        verbose_name_plural = pgettext_lazy("talent", "titles")
        ordering = ["-awarded_on", "id"]
        indexes = [models.Index(fields=["tier", "awarded_on"], name="title_tier_date")]

    def __str__(self):
        return f"{self.tier} {self.certificate_number}"


class TargetKind(models.TextChoices):
    NEW_TITLES = "new_titles", _("New titles awarded in the window")
    IN_FORCE = "in_force", _("Titles in force")
    SHARE = "share", _("Share of full-time teachers holding the tiers")
    STUDIO_COVERAGE = "studio_coverage", _("Share of units with a studio of the level")
    ROTATION = "rotation", _("Share of teachers rotating this year")
    ROTATION_BACKBONE = "rotation_backbone", _("Share of this year's rotators holding the tiers")


# Kinds whose figure is a share (judged against a denominator) and kinds measured afresh
# each calendar year (their line runs from 1 January to 31 December).
SHARE_KINDS = {
    TargetKind.SHARE,
    TargetKind.STUDIO_COVERAGE,
    TargetKind.ROTATION,
    TargetKind.ROTATION_BACKBONE,
}
YEARLY_KINDS = {TargetKind.ROTATION, TargetKind.ROTATION_BACKBONE}


class Target(models.Model):
    """A figure a plan sets for a region by a deadline (W 2025, N 2027)."""

    plan = models.CharField(_("plan"), max_length=64, validators=[validate_no_id_number])
    name = models.CharField(_("name"), max_length=128, validators=[validate_no_id_number])
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="targets"
    )
    applies_to = models.CharField(
        _("applies to"),
        max_length=16,
        choices=RegionLevel.choices,
        blank=True,
        help_text=_(
            "Empty: the region itself; a level: each region of that level under it "
            "(each county's 15 %)."
        ),
    )
    kind = models.CharField(_("what is counted"), max_length=24, choices=TargetKind.choices)
    tiers = models.ManyToManyField(
        Tier, verbose_name=_("tiers"), related_name="targets", blank=True
    )
    stages = models.JSONField(
        _("stages"),
        decoder=SafeJSONDecoder,
        default=list,
        blank=True,
        validators=[validate_stages],
        help_text=_(
            "Teachers of these stages only (shares and rotation), e.g. "
            '["primary", "junior"] for compulsory education. Empty: every stage.'
        ),
    )
    studio_level = models.CharField(
        _("studio level"),
        max_length=16,
        choices=TierLevel.choices,
        blank=True,
        help_text=_("For studio coverage: schools, counties, cities or provinces covered."),
    )
    include_vocational = models.BooleanField(
        _("secondary vocational teachers counted"),
        default=False,
        help_text=_(
            "Shares and rotation count full-time basic-education teachers (preschool, primary, "
            "junior, senior, special); tick to count secondary vocational teachers too."
        ),
    )
    # Who is eligible to rotate (N §2.7: 符合交流条件的教师), as data. Preset: at the same
    # school 6 consecutive years or more, and more than 5 years from retirement.
    rotation_years_at_school = models.PositiveSmallIntegerField(
        _("eligible to rotate: years at the same school"),
        null=True,
        blank=True,
        help_text=_("Consecutive years at the same school by 1 January; empty: no condition."),
    )
    rotation_years_to_retirement = models.PositiveSmallIntegerField(
        _("eligible to rotate: more years than this before retirement"),
        null=True,
        blank=True,
        help_text=_("Empty: no condition."),
    )
    retirement_age_men = models.PositiveSmallIntegerField(_("retirement age (men)"), default=60)
    retirement_age_women = models.PositiveSmallIntegerField(_("retirement age (women)"), default=55)
    figure = models.DecimalField(
        _("figure"),
        max_digits=10,
        decimal_places=4,
        help_text=_("A count, or a share such as 0.08 for 8 %."),
    )
    figure_max = models.DecimalField(
        _("at most"),
        max_digits=10,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("For a range (3–6 recommended): the figure is the least, this the most."),
    )
    plan_start = models.DateField(_("plan start"))
    deadline = models.DateField(_("deadline"))

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["plan", "name"]

    def __str__(self):
        return f"{self.plan} {self.name}"

    def clean(self):
        if (
            self.figure_max is not None
            and self.figure is not None
            and self.figure_max < self.figure
        ):
            raise ValidationError({"figure_max": _("The most cannot be less than the least.")})


class AttainmentStatus(models.TextChoices):
    ACHIEVED = "achieved", pgettext_lazy("target status", "Achieved")
    ON_TRACK = "on_track", _("On track")
    BEHIND = "behind", _("Behind")
    # Past the deadline: the final result, with the figure on the deadline (POLICY §8).
    OVER = "over", _("Above the range")
    MET = "met", pgettext_lazy("final result", "Met")
    MISSED = "missed", pgettext_lazy("final result", "Not met")


FINAL_STATUSES = {AttainmentStatus.MET, AttainmentStatus.MISSED}


class Attainment(models.Model):
    """A dated snapshot of a target in one region; kept, so charts show the path."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="snapshots")
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    as_of = models.DateField()
    achieved = models.DecimalField(max_digits=12, decimal_places=2)
    denominator = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    ratio = models.DecimalField(max_digits=8, decimal_places=4)
    expected = models.DecimalField(max_digits=12, decimal_places=4)
    status = models.CharField(max_length=16, choices=AttainmentStatus.choices)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["target_id", "region_id", "as_of"]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "region", "as_of"], name="one_snapshot_per_day"
            ),
        ]

    def __str__(self):
        return f"{self.target_id}@{self.region_id} {self.as_of}: {self.status}"


class Studio(models.Model):
    """A 名师 / 名校长 / 名班主任 studio (工作室) at a level (W §5.12: full coverage of
    province, city, county and school studios)."""

    name = models.CharField(_("name"), max_length=128, validators=[validate_no_id_number])
    track = models.CharField(
        _("track"), max_length=16, choices=Track.choices, default=Track.TEACHER
    )
    level = models.CharField(_("level"), max_length=16, choices=TierLevel.choices)
    region = models.ForeignKey(
        Region,
        verbose_name=_("set up by"),
        on_delete=models.PROTECT,
        related_name="studios",
        help_text=_("The region whose studio it is; for a school studio, the school's county."),
    )
    school = models.ForeignKey(
        "portal.School",
        verbose_name=_("school"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="studios",
    )
    host = models.ForeignKey(
        Teacher,
        verbose_name=_("host"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hosted_studios",
    )
    founded_on = models.DateField(_("founded on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("studio")
        verbose_name_plural = _("studios")
        ordering = ["region_id", "level", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level="school", school__isnull=False) | ~Q(level="school"),
                name="school_studio_has_school",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.level == TierLevel.SCHOOL and not self.school_id:
            raise ValidationError({"school": _("A school studio names its school.")})
        if self.school_id and self.region_id and self.school.county_id != self.region_id:
            raise ValidationError(
                {"region": _("A school's studio belongs to the school's county.")}
            )


class Rotation(models.Model):
    """A teacher's exchange rotation (交流轮岗, N §2.7) from one school to another."""

    teacher = models.ForeignKey(
        Teacher, verbose_name=_("teacher"), on_delete=models.PROTECT, related_name="rotations"
    )
    from_school = models.ForeignKey(
        "portal.School", verbose_name=_("from"), on_delete=models.PROTECT, related_name="+"
    )
    to_school = models.ForeignKey(
        "portal.School", verbose_name=_("to"), on_delete=models.PROTECT, related_name="+"
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)

    class Meta:
        verbose_name = _("rotation")
        verbose_name_plural = _("rotations")
        ordering = ["-start", "id"]
        indexes = [models.Index(fields=["start"], name="rotation_start")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_school=models.F("to_school")), name="rotation_moves"
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="rotation_dates_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.teacher_id}: {self.from_school_id} → {self.to_school_id}"


class TalentRule(models.Model):
    """A region's conditions for applying for a senior professional title (高级职称) and for
    principal candidates, as data; the lowest region on the way up that has one applies.
    Ningxia (N §2.7, §2.8): a year at a rural or weak school for compulsory-education
    teachers, no review while registration is suspended; Wenzhou (Z): rural titles outside
    the post-structure quota after 15 / 30 years at rural schools."""

    region = models.OneToOneField(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="talent_rule"
    )
    name = models.CharField(_("name"), max_length=100, validators=[validate_no_id_number])
    rural_years_required = models.DecimalField(
        _("years at rural or weak schools before a senior title"),
        max_digits=4,
        decimal_places=1,
        default=0,
        help_text=_("365 days of service a year, cumulative across spans; 0: no condition."),
    )
    rural_stages = models.JSONField(
        _("stages the rural condition applies to"),
        decoder=SafeJSONDecoder,
        default=list,
        blank=True,
        validators=[validate_stages],
        help_text=_('e.g. ["primary", "junior"] for compulsory education. Empty: every stage.'),
    )
    registration_bars = models.BooleanField(
        _("suspended or refused registration bars title review"), default=True
    )
    outside_quota_intermediate_years = models.PositiveSmallIntegerField(
        _("years at rural schools for an intermediate title outside the quota"),
        null=True,
        blank=True,
    )
    outside_quota_senior_years = models.PositiveSmallIntegerField(
        _("years at rural schools for a senior title outside the quota"),
        null=True,
        blank=True,
    )
    principal_rural_years_preferred = models.DecimalField(
        _("years at rural or weak schools preferred for principal candidates"),
        max_digits=4,
        decimal_places=1,
        default=0,
        help_text=_("A preferential condition, shown as a fact; 0: none."),
    )

    class Meta:
        verbose_name = _("title and principal conditions")
        verbose_name_plural = _("title and principal conditions")
        ordering = ["region__code"]

    def __str__(self):
        return self.name
