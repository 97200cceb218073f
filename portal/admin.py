"""The admin obeys the same scope as every other door. ``ScopedAdmin`` (the base of every
admin a bureau's staff may open) takes its lists, detail pages, related list filters and
autocomplete answers through ``scope_queryset``, and every row a form offers (foreign keys,
one-to-ones, many-to-manys; select, raw-id or autocomplete; in the main form and in every
``ScopedInline``) through ``choice_queryset``. Admins that know nothing of scope (users,
groups, log-in records) are for superusers only. Writes that have a service go through it."""

from django import forms
from django.contrib import admin
from django.contrib.admin import widgets
from django.contrib.admin.filters import RelatedOnlyFieldListFilter
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core import checks
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Model, Q, QuerySet
from django.forms import ModelChoiceField
from django.utils.translation import gettext_lazy as _

from .choices import STAFF_ROLE_LEVEL
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
from .scope import paths_for, scope_filter, scope_queryset
from .services import (
    audit_action,
    audit_diff,
    audit_record,
    audit_snapshot,
    region_create,
    region_parent_errors,
    region_update,
    school_create,
    teacher_update,
)

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


REGION_ADMIN_FIELDS = ["code", "name", "parent", "is_mountain_island", "is_key_support"]


class RegionAdminForm(forms.ModelForm):
    actor = None  # the signed-in user, set by RegionAdmin.get_form

    class Meta:
        model = Region
        fields = ["code", "name", "level", *REGION_ADMIN_FIELDS[2:]]

    def clean(self):
        cleaned = super().clean()
        level = cleaned.get("level") or self.instance.level
        # The parent is read-only for staff whose scope does not reach it (see RegionAdmin).
        parent = cleaned.get("parent") if "parent" in self.fields else self.instance.parent
        moved = "parent" in self.changed_data or self.instance.pk is None
        if level:
            actor = self.actor if moved else None
            for field, message in region_parent_errors(level, parent, actor).items():
                self.add_error(field if field in self.fields else None, message)
        return cleaned


# --- What a form may offer -----------------------------------------------------------------

_OFFERED_BELOW: set[type[Model]] = set()


def offer_below(*models: type[Model]) -> None:
    """Register reference rows a region defines for itself and the regions under it (a
    ladder's tiers, a city's programmes, its providers and courses, its honour types): the
    staff of those regions may pick them in a form, though their lists show only their
    own. Apps call this from their ``admin.py``."""
    _OFFERED_BELOW.update(models)


def _is_global(model: type[Model], seen: frozenset = frozenset()) -> bool:
    """A table with no path to a region, a school, a teacher or a user (groups,
    permissions, content types): reference data anybody may pick. Anything linked to
    those, or linked where we cannot tell (a generic relation), is not."""
    if model in seen:
        return True
    if model is get_user_model():
        return False
    try:
        paths_for(model)
    except LookupError:
        pass
    else:
        return False
    for field in model._meta.get_fields():
        if not field.is_relation or field.auto_created:
            continue  # reverse relations say nothing about what the row belongs to
        if field.related_model is None or not _is_global(field.related_model, seen | {model}):
            return False
    return True


def visible_queryset(user, queryset: QuerySet) -> QuerySet:
    """The rows of ``queryset`` a user may see: the scope function for a registered model;
    for one it does not know, everything if it is global reference data (or the user a
    superuser), else nothing."""
    try:
        return scope_queryset(user, queryset)
    except LookupError:
        if _is_superuser(user) or _is_global(queryset.model):
            return queryset
        return queryset.none()


def choice_queryset(user, queryset: QuerySet) -> QuerySet:
    """The rows of ``queryset`` a user may pick in an admin form: what they may see, and
    for the reference rows of ``offer_below``, those of the regions above theirs too (a
    county's programme toward a tier of its city's ladder)."""
    model = queryset.model
    if _is_superuser(user):
        return queryset
    try:
        paths = paths_for(model)
    except LookupError:
        return visible_queryset(user, queryset)
    condition = scope_filter(user, model)
    if condition is None:
        return queryset.none()
    if (
        model in _OFFERED_BELOW
        and condition
        and paths.region is not None
        and user.role in STAFF_ROLE_LEVEL
    ):
        above = user.region.path_ids  # empty for a region whose path cannot be trusted
        condition |= Q(**{"pk__in" if paths.region == "" else f"{paths.region}__in": above})
    return queryset.filter(condition) if condition else queryset


def _is_superuser(user) -> bool:
    return bool(user is not None and user.is_active and user.is_superuser)


class ScopedRawIdWidget(widgets.ForeignKeyRawIdWidget):
    """A raw-id input that names the chosen row only when it is one of the field's choices:
    a foreign id posted back is refused without showing whose it is."""

    def label_and_url_for_value(self, value):
        queryset = getattr(getattr(self, "choices", None), "queryset", None)
        if queryset is None:
            return "", ""
        key = self.rel.get_related_field().name
        try:
            offered = queryset.filter(**{key: value}).exists()
        except (ValueError, TypeError, ValidationError):
            return "", ""
        return super().label_and_url_for_value(value) if offered else ("", "")


class ScopedChoices:
    """Every row a form offers, through ``choice_queryset``: foreign keys and one-to-ones
    (select, radio, raw-id or autocomplete) and many-to-manys, in the main form and in every
    inline. Validation uses the same queryset, so a foreign id posted anyway is a form
    error."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if (
            "widget" not in kwargs
            and db_field.name in self.raw_id_fields
            and db_field.name not in self.get_autocomplete_fields(request)
        ):
            kwargs["widget"] = ScopedRawIdWidget(
                db_field.remote_field, self.admin_site, using=kwargs.get("using")
            )
        return _restricted(super().formfield_for_foreignkey(db_field, request, **kwargs), request)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return _restricted(super().formfield_for_manytomany(db_field, request, **kwargs), request)


def _restricted(field, request):
    if field is not None and getattr(field, "queryset", None) is not None:
        field.queryset = choice_queryset(request.user, field.queryset)
    return field


class ScopedInline(ScopedChoices):
    """The base of every inline of a ``ScopedAdmin`` (``ScopedTabularInline``,
    ``ScopedStackedInline``): its rows through the scope function, its choices through
    ``choice_queryset``."""

    def get_queryset(self, request):
        return visible_queryset(request.user, super().get_queryset(request))

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        user = request.user

        def add_fields(self, form, index):
            # The hidden id of each row is a choice of rows too.
            formset.add_fields(self, form, index)
            field = form.fields.get(self._pk_field.name)
            if isinstance(field, ModelChoiceField):
                field.queryset = visible_queryset(user, field.queryset)

        return type(formset.__name__, (formset,), {"add_fields": add_fields})


class ScopedTabularInline(ScopedInline, admin.TabularInline):
    pass


class ScopedStackedInline(ScopedInline, admin.StackedInline):
    pass


class ScopedAdmin(ScopedChoices, AuditedAdmin):
    """The base of every admin a bureau's staff may open: lists, detail pages, related
    list filters and autocomplete answers through the scope function; every choice of a
    form through ``choice_queryset``; inlines must be ``ScopedInline``s (a system check)."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if _answers_autocomplete(request, self.admin_site):
            # A form's autocomplete asks this admin for the rows it may offer.
            return choice_queryset(request.user, queryset)
        return scope_queryset(request.user, queryset)

    def lookup_allowed(self, lookup, value, request=None):
        """Only the list's own filters (and its date hierarchy) may filter it. Django allows
        any look-up on a model's own fields by default, so ``?birth_date=1969-09-17`` would
        answer what no page shows: the birth date behind a masked ID number."""
        if not super().lookup_allowed(lookup, value, request):
            return False
        allowed = {self.date_hierarchy} if self.date_hierarchy else set()
        for item in self.list_filter:
            if isinstance(item, (list, tuple)):
                item = item[0]
            if isinstance(item, str):
                allowed.add(item.split("__")[0])
            else:
                allowed.add(getattr(item, "parameter_name", None))
        return lookup.split("__")[0] in allowed

    def get_list_filter(self, request):
        list_filter = super().get_list_filter(request)
        if _is_superuser(request.user):
            return list_filter
        # A related filter lists only the values of rows in scope, not the whole table.
        return [_related_only(self.model, item) for item in list_filter]

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        errors.extend(
            checks.Error(
                f"{inline.__qualname__} is not a ScopedInline.",
                hint="Subclass portal.admin.ScopedTabularInline or ScopedStackedInline.",
                obj=type(self),
                id="portal.A001",
            )
            for inline in self.inlines
            if not issubclass(inline, ScopedInline)
        )
        return errors


def _answers_autocomplete(request, site) -> bool:
    match = getattr(request, "resolver_match", None)
    return match is not None and match.view_name == f"{site.name}:autocomplete"


def _related_only(model, item):
    if not isinstance(item, str):
        return item
    try:
        field = get_fields_from_path(model, item)[-1]
    except (FieldDoesNotExist, NotRelationField):
        return item
    return (item, RelatedOnlyFieldListFilter) if field.is_relation else item


class SuperuserOnlyAdmin:
    """For admins whose rows belong to no region (users, groups, API tokens, log-in
    records): only a superuser opens, adds, changes or deletes them, whatever permissions
    a staff account was given."""

    def has_module_permission(self, request):
        return _is_superuser(request.user)

    def has_view_permission(self, request, obj=None):
        return _is_superuser(request.user)

    def has_add_permission(self, request, *args):
        return _is_superuser(request.user)

    def has_change_permission(self, request, obj=None):
        return _is_superuser(request.user)

    def has_delete_permission(self, request, obj=None):
        return _is_superuser(request.user)


def lock_unscoped_admins(site=admin.site) -> None:
    """Make every registered admin that is not a ``ScopedAdmin`` (Django's groups, the log-in
    records, any other app's) superuser-only: nothing unscoped is open to staff."""
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, ScopedAdmin | SuperuserOnlyAdmin):
            continue
        original = type(model_admin)
        site.unregister(model)
        site.register(model, type(original.__name__, (SuperuserOnlyAdmin, original), {}))


@admin.register(Region)
class RegionAdmin(ScopedAdmin):
    """Regions are added and moved through the region services, which set the path the
    scope function reads; the level of an existing region is fixed."""

    list_display = ["code", "name", "level", "parent", "is_mountain_island", "is_key_support"]
    list_filter = ["level", "is_mountain_island", "is_key_support"]
    search_fields = ["code", "name"]
    form = RegionAdminForm

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        if (
            obj.parent_id
            and not choice_queryset(request.user, Region.objects.filter(pk=obj.parent_id)).exists()
        ):
            # Staff do not move a region out from under a parent outside their scope.
            return ["level", "parent"]
        return ["level"]

    def save_model(self, request, obj, form, change):
        fields = {
            name: form.cleaned_data[name]
            for name in REGION_ADMIN_FIELDS
            if name in form.cleaned_data
        }
        if change:
            region_update(region=obj, actor=request.user, **fields)
        else:
            created = region_create(level=form.cleaned_data["level"], actor=request.user, **fields)
            obj.pk, obj.path = created.pk, created.path


@admin.register(School)
class SchoolAdmin(ScopedAdmin):
    list_display = ["code", "name", "county", "school_type", "is_rural", "is_weak", "is_public"]
    list_filter = ["school_type", "is_rural", "is_weak", "is_public"]
    search_fields = ["code", "name"]
    list_select_related = ["county"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        fields = {name: form.cleaned_data[name] for name in form.fields}
        created = school_create(**fields)
        obj.pk = created.pk
        obj._state.adding = False
        _audit_saved(request.user, created, {}, False)


class ServicePeriodInline(ScopedTabularInline):
    model = ServicePeriod
    extra = 0
    fk_name = "teacher"
    raw_id_fields = ["school"]


class EthicsRecordInline(ScopedTabularInline):
    model = EthicsRecord
    extra = 0


@admin.register(Teacher)
class TeacherAdmin(ScopedAdmin):
    list_display = ["name", "id_number_masked", "school", "stage", "staffing", "status"]
    list_filter = ["stage", "staffing", "is_full_time", "professional_title", "status"]
    search_fields = ["name"]
    list_select_related = ["school"]
    # Not the birth date: beside the masked ID number it would give the whole number away.
    readonly_fields = ["id_number_masked", "gender"]
    raw_id_fields = ["school"]
    inlines = [ServicePeriodInline, EthicsRecordInline]

    def has_add_permission(self, request):
        # Teachers are created through the roster import or the services, which validate and
        # encrypt the ID number.
        return False

    def save_model(self, request, obj, form, change):
        # Through the teacher service: a new school closes the open service periods and
        # opens new ones; the service audits the change.
        stored = Teacher.objects.get(pk=obj.pk)
        changed = form.changed_data if form is not None else []
        teacher_update(
            teacher=stored,
            actor=request.user,
            detail={"via": "admin"},
            **{name: form.cleaned_data[name] for name in changed},
        )


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
class UserAdmin(SuperuserOnlyAdmin, AuditedAdmin, BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Scope"), {"fields": ("role", "region", "school", "teacher")}),
    )
    list_display = ["username", "role", "region", "school", "is_active"]
    list_filter = ["role", "is_active", "is_superuser"]
    raw_id_fields = ["school", "teacher"]


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


# The admins of other apps registered so far (Django's groups, the API tokens, the log-in
# records) know nothing of scope: superusers only.
lock_unscoped_admins()
