"""Honours earned by years of service: the honour types (rules as data), the candidates a
yearly scan proposes, and the awards staff approve."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import Region, Teacher
from portal.validators import validate_no_id_number

from . import rules


class Basis(models.TextChoices):
    HEAD_TEACHER = "head_teacher", _("Years as head teacher")
    RURAL = "rural", _("Years at rural schools")
    TEACHING = "teaching", _("Years of teaching")
    RETIREMENT = "retirement", _("Honorary retirement")
    NOMINATED = "nominated", _("Nominated and reviewed")


class HonourType(models.Model):
    region = models.ForeignKey(
        Region, verbose_name=_("awarded by"), on_delete=models.PROTECT, related_name="+"
    )
    code = models.SlugField(_("code"), max_length=48)
    name = models.CharField(_("name"), max_length=100, validators=[validate_no_id_number])
    basis = models.CharField(_("basis"), max_length=16, choices=Basis.choices)
    years = models.PositiveSmallIntegerField(_("years required"), default=0)
    years_senior_high = models.PositiveSmallIntegerField(
        _("years required in senior high"), null=True, blank=True
    )
    must_be_serving = models.BooleanField(_("only for teachers still serving"), default=False)
    close_within_years = models.PositiveSmallIntegerField(
        _("show teachers this many years away"),
        default=5,
        help_text=_('A teacher sees "27 years, 3 to go" when this close.'),
    )
    cadence_from = models.PositiveSmallIntegerField(
        _("first year awarded"),
        null=True,
        blank=True,
        help_text=_(
            "For a nominated honour awarded every few years: the first year. Blank: every year."
        ),
    )
    cadence_every = models.PositiveSmallIntegerField(
        _("awarded every so many years"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("With the first year: 5 for an honour awarded every five years."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("honour type")
        verbose_name_plural = _("honour types")
        constraints = [
            models.UniqueConstraint(fields=["region", "code"], name="honour_code_unique"),
            models.CheckConstraint(
                condition=Q(cadence_from__isnull=True, cadence_every__isnull=True)
                | Q(cadence_from__isnull=False, cadence_every__gte=1, basis="nominated"),
                name="honour_cadence_whole",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if (self.cadence_from is None) != (self.cadence_every is None):
            raise ValidationError(
                _("Give both the first year and how many years apart, or neither (every year).")
            )
        if self.cadence_from is not None and self.basis != Basis.NOMINATED:
            raise ValidationError(
                {
                    "cadence_from": _(
                        "Only a nominated honour has a cadence; the yearly scan proposes the "
                        "others."
                    )
                }
            )

    def open_in(self, year: int) -> bool:
        """Whether the honour takes nominations in ``year`` (its cadence, or every year)."""
        return rules.open_in(year, first=self.cadence_from, every=self.cadence_every)

    def next_open_year(self, year: int | None = None) -> int:
        """The first year from ``year`` (this year by default) that takes nominations."""
        year = year or timezone.localdate().year
        return rules.next_open(year, first=self.cadence_from, every=self.cadence_every)


class CandidateStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    VETOED = "vetoed", _("Removed by the ethics veto")


class Candidate(models.Model):
    honour_type = models.ForeignKey(HonourType, on_delete=models.PROTECT, related_name="candidates")
    teacher = models.ForeignKey(Teacher, on_delete=models.PROTECT, related_name="honour_candidates")
    year = models.PositiveSmallIntegerField(_("year"))
    years = models.PositiveSmallIntegerField(_("qualifying years"))
    evidence = models.JSONField(_("evidence periods"), default=list)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=CandidateStatus.choices,
        default=CandidateStatus.PROPOSED,
    )
    reason = models.CharField(
        _("reason"), max_length=200, blank=True, validators=[validate_no_id_number]
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("honour candidate")
        verbose_name_plural = _("honour candidates")
        ordering = ["year", "honour_type_id", "teacher_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["honour_type", "teacher", "year"], name="one_candidate_per_year"
            )
        ]

    def __str__(self):
        return f"{self.honour_type} {self.teacher_id} {self.year}"


class AwardBatch(models.Model):
    """The awards one review approved together: their certificates download as one file."""

    honour_type = models.ForeignKey(HonourType, on_delete=models.PROTECT, related_name="batches")
    year = models.PositiveSmallIntegerField(_("year"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("batch of awards")
        verbose_name_plural = _("batches of awards")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.honour_type} {self.year} #{self.pk}"


class Award(models.Model):
    """An approved honour: a certificate number unique per type and year, and a code anyone
    can check at /verify/<code>/ without seeing the ID number."""

    candidate = models.OneToOneField(
        Candidate, null=True, blank=True, on_delete=models.PROTECT, related_name="award"
    )
    honour_type = models.ForeignKey(HonourType, on_delete=models.PROTECT, related_name="awards")
    teacher = models.ForeignKey(
        Teacher, verbose_name=_("teacher"), on_delete=models.PROTECT, related_name="honours"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    years = models.PositiveSmallIntegerField(_("qualifying years"), default=0)
    sequence = models.PositiveIntegerField()
    certificate_number = models.CharField(_("certificate number"), max_length=48, unique=True)
    verification_code = models.CharField(
        _("verification code"), max_length=16, unique=True, editable=False
    )
    awarded_on = models.DateField(_("awarded on"))
    batch = models.ForeignKey(
        AwardBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="awards"
    )
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    revoke_reason = models.CharField(
        _("reason for revocation"), max_length=200, blank=True, validators=[validate_no_id_number]
    )

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["-year", "honour_type_id", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["honour_type", "year", "sequence"], name="one_number_per_type_year"
            ),
            # POLICY §8: an honour is awarded once per person and type; a revoked award
            # makes room for a new one.
            models.UniqueConstraint(
                fields=["honour_type", "teacher"],
                condition=Q(revoked_on__isnull=True),
                name="one_award_in_force_per_teacher",
            ),
        ]

    def __str__(self):
        return f"{self.honour_type} {self.certificate_number}"

    @property
    def code_display(self) -> str:
        code = self.verification_code
        return "-".join(code[i : i + 4] for i in range(0, len(code), 4))
