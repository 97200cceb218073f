"""Admin for honours, scoped like every other door: honour types are a bureau's data;
candidates and awards change only through the scan, the review and revocation."""

from django.contrib import admin

from portal.admin import ReadOnlyAdmin, ScopedAdmin, offer_below

from .models import Award, Candidate, HonourType

# Teachers earn the honours of their region and of the regions above it.
offer_below(HonourType)


@admin.register(HonourType)
class HonourTypeAdmin(ScopedAdmin):
    list_display = [
        "name",
        "basis",
        "years",
        "years_senior_high",
        "must_be_serving",
        "cadence_from",
        "cadence_every",
        "region",
    ]
    list_filter = ["basis", "active"]


@admin.register(Candidate)
class CandidateAdmin(ReadOnlyAdmin):
    list_display = ["teacher", "honour_type", "year", "years", "status"]
    list_filter = ["status", "year"]


@admin.register(Award)
class AwardAdmin(ReadOnlyAdmin):
    list_display = ["certificate_number", "teacher", "honour_type", "year", "revoked_on"]
    list_filter = ["year", "honour_type"]
    search_fields = ["certificate_number"]
