"""The admin obeys the same scope as every other door: lists, detail pages and the
choices of foreign keys all go through ``scope_queryset``."""

import contextlib

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import (
    AuditEvent,
    EthicsRecord,
    ImportJob,
    Region,
    School,
    ServicePeriod,
    Teacher,
    User,
)
from .scope import scope_queryset
from .services import audit_action, audit_diff, audit_record, audit_snapshot

admin.site.site_header = _("Teacher workforce portal administration")
admin.site.site_title = _("Teacher workforce portal")


class AuditedAdmin(admin.ModelAdmin):
    """Every add, change and deletion made in the admin, the inline rows included, goes into
    the audit log like any other change: who, when, from where, and each changed field
    before and after."""

    def save_model(self, request, obj, form, change):
        before = _stored_snapshot(obj) if change else {}
        super().save_model(request, obj, form, change)
        _audit_saved(request.user, obj, before, change)

    def delete_model(self, request, obj):
        _audit_deleted(request.user, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            _audit_deleted(request.user, obj)
        super().delete_queryset(request, queryset)

    def save_formset(self, request, form, formset, change):
        stored = [f.instance for f in formset.initial_forms if f.instance.pk]
        before = {
            o.pk: audit_snapshot(o)
            for o in formset.model._base_manager.filter(pk__in=[o.pk for o in stored])
        }
        for deleted in formset.deleted_forms:
            if deleted.instance.pk:
                _audit_deleted(request.user, deleted.instance)
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            _audit_saved(request.user, obj, {}, False)
        for obj, _fields in formset.changed_objects:
            _audit_saved(request.user, obj, before.get(obj.pk, {}), True)


def _stored_snapshot(obj) -> dict[str, str]:
    stored = type(obj)._base_manager.filter(pk=obj.pk).first()
    return audit_snapshot(stored) if stored is not None else {}


def _audit_saved(user, obj, before: dict, change: bool) -> None:
    changes = audit_diff(before, audit_snapshot(obj))
    if change and not changes:
        return
    audit_record(
        actor=user,
        action=audit_action(obj, "update" if change else "create"),
        obj=obj,
        detail={"via": "admin", "changes": changes},
    )


def _audit_deleted(user, obj) -> None:
    audit_record(
        actor=user,
        action=audit_action(obj, "delete"),
        obj=obj,
        detail={"via": "admin", "values": audit_snapshot(obj)},
    )


class ScopedAdmin(AuditedAdmin):
    def get_queryset(self, request):
        return scope_queryset(request.user, super().get_queryset(request))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            with contextlib.suppress(LookupError):
                field.queryset = scope_queryset(request.user, field.queryset)
        return field


@admin.register(Region)
class RegionAdmin(ScopedAdmin):
    list_display = ["code", "name", "level", "parent", "is_mountain_island", "is_key_support"]
    list_filter = ["level", "is_mountain_island", "is_key_support"]
    search_fields = ["code", "name"]


@admin.register(School)
class SchoolAdmin(ScopedAdmin):
    list_display = ["code", "name", "county", "school_type", "is_rural", "is_weak", "is_public"]
    list_filter = ["school_type", "is_rural", "is_weak", "is_public"]
    search_fields = ["code", "name"]
    list_select_related = ["county"]


class ServicePeriodInline(admin.TabularInline):
    model = ServicePeriod
    extra = 0
    fk_name = "teacher"
    raw_id_fields = ["school"]


class EthicsRecordInline(admin.TabularInline):
    model = EthicsRecord
    extra = 0


@admin.register(Teacher)
class TeacherAdmin(ScopedAdmin):
    list_display = ["name", "id_number_masked", "school", "stage", "staffing", "status"]
    list_filter = ["stage", "staffing", "is_full_time", "professional_title", "status"]
    search_fields = ["name"]
    list_select_related = ["school"]
    readonly_fields = ["id_number_masked", "gender", "birth_date"]
    raw_id_fields = ["school"]
    inlines = [ServicePeriodInline, EthicsRecordInline]

    def has_add_permission(self, request):
        # Teachers are created through the roster import or the services, which validate and
        # encrypt the ID number.
        return False


class ReadOnlyAdmin(ScopedAdmin):
    """Shown, never edited here: these rows change only through services that audit them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "username", "action", "object_type", "object_repr", "ip_address"]
    list_filter = ["action"]
    search_fields = ["username", "object_repr"]


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Scope"), {"fields": ("role", "region", "school", "teacher")}),
    )
    list_display = ["username", "role", "region", "school", "is_active"]
    list_filter = ["role", "is_active", "is_superuser"]
    raw_id_fields = ["school", "teacher"]

    def has_module_permission(self, request):
        return request.user.is_superuser

    has_view_permission = has_change_permission = has_add_permission = (
        lambda self, request, obj=None: request.user.is_superuser
    )


@admin.register(ImportJob)
class ImportJobAdmin(ScopedAdmin):
    """Read-only: imports happen through the upload page, the API or the command."""

    list_display = [
        "created_at",
        "file_name",
        "uploaded_by",
        "status",
        "new_rows",
        "changed_rows",
        "unchanged_rows",
        "refused_rows",
        "valid_rows_only",
    ]
    list_filter = ["status", "kind", "valid_rows_only"]
    search_fields = ["file_name", "file_sha256"]
    list_select_related = ["uploaded_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
