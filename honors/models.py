"""Honours earned by years of service: the honour types (rules as data), the candidates a
yearly scan proposes, and the awards staff approve."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models import Region, Teacher


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
    name = models.CharField(_("name"), max_length=100)
    basis = models.CharField(_("basis"), max_length=16, choices=Basis.choices)
    years = models.PositiveSmallIntegerField(_("years required"), default=0)
    years_senior_high = models.PositiveSmallIntegerField(
        _("years required in senior high"), null=True, blank=True
    )
    must_be_serving = models.BooleanField(_("only for teachers still serving"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("honour type")
        verbose_name_plural = _("honour types")
        constraints = [
            models.UniqueConstraint(fields=["region", "code"], name="honour_code_unique")
        ]

    def __str__(self):
        return self.name


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
    reason = models.CharField(_("reason"), max_length=200, blank=True)
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
