"""Pay parity: what counties report each year (average pay of teachers and of civil
servants, kindergarten incomes, last year's average wage), the pay adjustments of both
groups, and the thresholds a bureau applies. The checks are derived (``rules``), never
stored."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models import Region
from portal.validators import validate_no_id_number

from .rules import report_year_problem

MONEY = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(0)]}


def validate_report_year(value: int) -> None:
    """A year's figures are reported for 2000 up to this year (the import says the same)."""
    from django.utils import timezone

    problem = report_year_problem(value, timezone.localdate().year)
    if problem:
        raise ValidationError(problem)


class PayReport(models.Model):
    county = models.ForeignKey(
        Region, verbose_name=_("county"), on_delete=models.PROTECT, related_name="pay_reports"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[validate_report_year])
    teacher_pay = models.DecimalField(
        _("average pay of compulsory-education teachers (yuan/year)"),
        null=True,
        blank=True,
        **MONEY,
    )
    civil_servant_pay = models.DecimalField(
        _("average pay of local civil servants (yuan/year)"), null=True, blank=True, **MONEY
    )
    kindergarten_income = models.DecimalField(
        _("average income of non-staff kindergarten teachers (yuan/year)"),
        null=True,
        blank=True,
        **MONEY,
    )
    last_year_wage = models.DecimalField(
        _("last year's average wage of on-the-job employees (yuan/year)"),
        null=True,
        blank=True,
        **MONEY,
    )
    note = models.CharField(
        _("note"), max_length=200, blank=True, validators=[validate_no_id_number]
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("pay report")
        verbose_name_plural = _("pay reports")
        ordering = ["county_id", "year"]
        constraints = [
            models.UniqueConstraint(fields=["county", "year"], name="one_pay_report_per_year")
        ]

    def __str__(self):
        return f"{self.county} {self.year}"

    def clean(self):
        if self.county_id and self.county.level != "county":
            raise ValidationError({"county": _("Pay is reported by counties.")})


class Group(models.TextChoices):
    CIVIL_SERVANT = "civil_servant", _("Civil servants")
    TEACHER = "teacher", _("Teachers")


class PayAdjustment(models.Model):
    county = models.ForeignKey(
        Region, verbose_name=_("county"), on_delete=models.PROTECT, related_name="pay_adjustments"
    )
    group = models.CharField(_("group"), max_length=16, choices=Group.choices)
    effective_on = models.DateField(_("effective on"))
    amount = models.DecimalField(_("amount (yuan per person per month)"), **MONEY)
    note = models.CharField(
        _("note"), max_length=200, blank=True, validators=[validate_no_id_number]
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pay adjustment")
        verbose_name_plural = _("pay adjustments")
        ordering = ["county_id", "effective_on", "group"]
        indexes = [models.Index(fields=["county", "effective_on"], name="adjustment_county_date")]

    def __str__(self):
        return f"{self.county} {self.get_group_display()} {self.effective_on} +{self.amount}"


class ParityRule(models.Model):
    """The thresholds a region applies, inherited down the tree (the nearest region's rule
    in force wins). Without one, the policy's own: not lower (ratio 1), within 31 days."""

    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    effective_from = models.DateField(_("in force from"))
    teacher_ratio = models.DecimalField(
        _("teachers' pay at least this share of civil servants'"),
        max_digits=5,
        decimal_places=3,
        default=1,
    )
    kindergarten_ratio = models.DecimalField(
        _("kindergarten income at least this share of last year's wage"),
        max_digits=5,
        decimal_places=3,
        default=1,
    )
    step_window_days = models.PositiveSmallIntegerField(
        _("days within which teachers' adjustment counts as in step"), default=31
    )

    class Meta:
        verbose_name = _("parity rule")
        verbose_name_plural = _("parity rules")
        ordering = ["region_id", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "effective_from"], name="one_parity_rule_per_date"
            )
        ]

    def __str__(self):
        return f"{self.region} {self.effective_from}"
