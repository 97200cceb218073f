"""Admin for honours, scoped like every other door: honour types are a bureau's data;
candidates and awards change only through the scan, the review and revocation."""

from django.contrib import admin

from portal.admin import ScopedAdmin

from .models import Award, Candidate, HonourType


@admin.register(HonourType)
class HonourTypeAdmin(ScopedAdmin):
    list_display = ["name", "basis", "years", "years_senior_high", "must_be_serving", "region"]
    list_filter = ["basis", "active"]


class ReadOnly(ScopedAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Candidate)
class CandidateAdmin(ReadOnly):
    list_display = ["teacher", "honour_type", "year", "years", "status"]
    list_filter = ["status", "year"]


@admin.register(Award)
class AwardAdmin(ReadOnly):
    list_display = ["certificate_number", "teacher", "honour_type", "year", "revoked_on"]
    list_filter = ["year", "honour_type"]
    search_fields = ["certificate_number"]
