"""Admin for the talent ladder, scoped like every other door: a bureau defines its own tiers,
programmes and targets here; enrolments enter through the nomination service (eligibility
checked); titles change only through recognition and revocation."""

from django import forms
from django.contrib import admin

from portal.admin import ScopedAdmin, offer_below

from . import services
from .models import (
    Attainment,
    Enrolment,
    Programme,
    Rotation,
    Studio,
    TalentRule,
    Target,
    Tier,
    Title,
)

# A county's programme may lead toward a tier of its city's ladder, its targets count the
# city's tiers, and it nominates into the city's programmes.
offer_below(Tier, Programme)


@admin.register(Tier)
class TierAdmin(ScopedAdmin):
    list_display = ["name", "ladder", "track", "level", "rank", "prerequisite", "run_by", "region"]
    list_filter = ["ladder", "track", "level"]
    search_fields = ["name", "code", "ladder"]


@admin.register(Programme)
class ProgrammeAdmin(ScopedAdmin):
    list_display = ["name", "tier", "region", "window_start", "window_end", "selection_quota"]
    filter_horizontal = ["draws_from"]


class TargetForm(forms.ModelForm):
    """Retirement ages left empty keep the model's defaults (they matter only to rotation
    targets with a years-to-retirement condition)."""

    DEFAULTED = ("retirement_age_men", "retirement_age_women")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.DEFAULTED:
            if name in self.fields:
                self.fields[name].required = False

    def clean(self):
        cleaned = super().clean()
        for name in self.DEFAULTED:
            if name in self.fields and cleaned.get(name) is None:
                cleaned[name] = Target._meta.get_field(name).get_default()
        return cleaned


@admin.register(Target)
class TargetAdmin(ScopedAdmin):
    form = TargetForm
    list_display = ["plan", "name", "region", "applies_to", "kind", "figure", "deadline"]
    list_filter = ["plan", "kind"]
    filter_horizontal = ["tiers"]


@admin.register(TalentRule)
class TalentRuleAdmin(ScopedAdmin):
    list_display = [
        "name",
        "region",
        "rural_years_required",
        "registration_bars",
        "outside_quota_intermediate_years",
        "outside_quota_senior_years",
        "principal_rural_years_preferred",
    ]


@admin.register(Studio)
class StudioAdmin(ScopedAdmin):
    list_display = ["name", "track", "level", "region", "school", "host", "founded_on", "closed_on"]
    list_filter = ["level", "track"]
    raw_id_fields = ["host", "school"]


@admin.register(Rotation)
class RotationAdmin(ScopedAdmin):
    list_display = ["teacher", "from_school", "to_school", "start", "end"]
    list_filter = ["start"]
    raw_id_fields = ["teacher", "from_school", "to_school"]


class EnrolmentAddForm(forms.ModelForm):
    """A nomination: refused, with every reason, when the teacher is not eligible."""

    class Meta:
        model = Enrolment
        fields = ["programme", "teacher", "targeted_post"]

    def clean(self):
        cleaned = super().clean()
        programme, teacher = cleaned.get("programme"), cleaned.get("teacher")
        if programme is not None and teacher is not None:
            for reason in services.enrolment_refusals(programme=programme, teacher=teacher):
                self.add_error(None, reason)
        return cleaned


@admin.register(Enrolment)
class EnrolmentAdmin(ScopedAdmin):
    list_display = ["teacher", "programme", "status", "targeted_post"]
    list_filter = ["status"]
    raw_id_fields = ["teacher"]
    form = EnrolmentAddForm

    def get_fields(self, request, obj=None):
        # An enrolment starts nominated; later steps go through the programme page.
        return EnrolmentAddForm.Meta.fields if obj is None else super().get_fields(request, obj)

    def has_change_permission(self, request, obj=None):
        return False  # steps go through the programme page, which records them

    def save_model(self, request, obj, form, change):
        created = services.enrolment_nominate(
            programme=form.cleaned_data["programme"],
            teacher=form.cleaned_data["teacher"],
            targeted_post=form.cleaned_data.get("targeted_post", ""),
            actor=request.user,
        )  # audited by the service
        obj.pk, obj.status, obj.created_at = created.pk, created.status, created.created_at
        obj._state.adding = False


@admin.register(Title)
class TitleAdmin(ScopedAdmin):
    list_display = [
        "teacher",
        "tier",
        "awarded_on",
        "certificate_number",
        "valid_until",
        "revoked_on",
    ]
    list_filter = ["tier"]
    search_fields = ["certificate_number"]
    raw_id_fields = ["teacher"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Attainment)
class AttainmentAdmin(ScopedAdmin):
    list_display = ["target", "region", "as_of", "achieved", "denominator", "status"]
    list_filter = ["status", "as_of"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
