"""Admin for the training ledger, scoped like every other door. Records are read-only here:
they are entered, reviewed and reversed through the portal's pages, imports and API."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from portal.admin import ScopedAdmin, offer_below

from . import services
from .models import RULE_FIELDS, Course, Provider, RuleSet, TrainingRecord

# A county's course may be run by a provider its city or province registered.
offer_below(Provider, Course)


class RuleSetAdminForm(forms.ModelForm):
    """The model's validators (shapes of the JSON fields) run as for every ModelForm; the
    floor set by the regions above is checked here too, so that ``save_model`` never meets a
    refusal it could only answer with a 500."""

    class Meta:
        model = RuleSet
        fields = ["region", *RULE_FIELDS]

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            services.rule_set_validate(self.instance)  # what the service checks, as errors
        except ValidationError as exc:
            self._update_errors(exc)


@admin.register(RuleSet)
class RuleSetAdmin(ScopedAdmin):
    form = RuleSetAdminForm

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
