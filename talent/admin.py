"""Admin for the talent ladder, scoped like every other door: a bureau defines its own tiers,
programmes and targets here; titles change only through recognition and revocation."""

from django.contrib import admin

from portal.admin import ScopedAdmin

from .models import Attainment, Enrolment, Programme, Rotation, Studio, Target, Tier, Title


@admin.register(Tier)
class TierAdmin(ScopedAdmin):
    list_display = ["name", "ladder", "track", "level", "rank", "prerequisite", "run_by", "region"]
    list_filter = ["ladder", "track", "level"]


@admin.register(Programme)
class ProgrammeAdmin(ScopedAdmin):
    list_display = ["name", "tier", "region", "window_start", "window_end", "selection_quota"]
    filter_horizontal = ["draws_from"]


@admin.register(Target)
class TargetAdmin(ScopedAdmin):
    list_display = ["plan", "name", "region", "applies_to", "kind", "figure", "deadline"]
    list_filter = ["plan", "kind"]
    filter_horizontal = ["tiers"]


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


@admin.register(Enrolment)
class EnrolmentAdmin(ScopedAdmin):
    list_display = ["teacher", "programme", "status", "targeted_post"]
    list_filter = ["status"]
    raw_id_fields = ["teacher"]

    def has_change_permission(self, request, obj=None):
        return False  # steps go through the programme page, which records them


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
