"""Admin for the training ledger, scoped like every other door. Records are read-only here:
they are entered, reviewed and reversed through the portal's pages, imports and API."""

from django.contrib import admin

from portal.admin import ScopedAdmin, offer_below

from . import services
from .models import Course, Provider, RuleSet, TrainingRecord

# A county's course may be run by a provider its city or province registered.
offer_below(Provider, Course)


@admin.register(RuleSet)
class RuleSetAdmin(ScopedAdmin):
    list_display = [
        "region",
        "name",
        "effective_from",
        "unit",
        "required_per_cycle",
        "ethics_per_year",
    ]
    list_filter = ["unit"]
    list_select_related = ["region"]

    def has_change_permission(self, request, obj=None):
        return False  # a change is a new rule set (history keeps the old one)

    def save_model(self, request, obj, form, change):
        fields = {name: value for name, value in form.cleaned_data.items() if name != "region"}
        created = services.rule_set_create(
            region=form.cleaned_data["region"], actor=request.user, **fields
        )  # audited by the service
        obj.pk = created.pk
        obj._state.adding = False


@admin.register(Provider)
class ProviderAdmin(ScopedAdmin):
    list_display = ["name", "region", "qualified", "qualified_until"]
    list_filter = ["qualified"]
    search_fields = ["name"]


@admin.register(Course)
class CourseAdmin(ScopedAdmin):
    list_display = ["code", "title", "level", "category", "mode", "hours", "starts_on", "provider"]
    list_filter = ["level", "category", "mode"]
    search_fields = ["code", "title"]
    list_select_related = ["provider"]


@admin.register(TrainingRecord)
class TrainingRecordAdmin(ScopedAdmin):
    list_display = ["teacher", "title", "hours", "completed_on", "status", "source"]
    list_filter = ["status", "source", "level", "category"]
    list_select_related = ["teacher", "course"]
    raw_id_fields = ["teacher", "course"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
