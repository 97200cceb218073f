"""Writes of the shared kernel. Each service is keyword-only, validates with
``full_clean()`` and runs inside one transaction."""

from __future__ import annotations

import re
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from . import bulk, crypto, hooks, rules
from .choices import SCHOOL_TYPE_STAGES, STAFF_ROLE_LEVEL, RegionLevel, Role
from .models import (
    AuditEvent,
    EthicsRecord,
    Region,
    School,
    ServicePeriod,
    Teacher,
    TransferRequest,
    User,
)
from .scope import scope_queryset

_PARENT_LEVEL = {RegionLevel.CITY: RegionLevel.PROVINCE, RegionLevel.COUNTY: RegionLevel.CITY}


# --- Regions and schools ------------------------------------------------------------


def region_parent_errors(level: str, parent: Region | None, actor: User | None = None) -> dict:
    """What is wrong with putting a region of ``level`` under ``parent``; with ``actor``,
    also whether that user may: only a superuser adds a region at the top of the tree,
    and staff add or move regions only under a parent in their scope."""
    if actor is not None and not actor.is_superuser:
        if parent is None:
            return {"parent": _("Only a system administrator adds a province.")}
        if not scope_queryset(actor, Region.objects.filter(pk=parent.pk)).exists():
            return {"parent": _("The parent region is outside your scope.")}
    expected_parent = _PARENT_LEVEL.get(level)
    if expected_parent is None and parent is not None:
        return {"parent": _("A province has no parent region.")}
    if expected_parent is not None and (parent is None or parent.level != expected_parent):
        return {
            "parent": _("The parent of a %(level)s must be a %(parent)s.")
            % {"level": RegionLevel(level).label, "parent": RegionLevel(expected_parent).label}
        }
    if parent is not None and not parent.path_is_valid:
        return {
            "parent": _(
                "The region “%(name)s” has no valid place in the region tree; ask the "
                "system administrator to repair it before adding regions under it."
            )
            % {"name": parent.name}
        }
    return {}


@transaction.atomic
def region_create(
    *,
    code: str,
    name: str,
    level: str,
    parent: Region | None = None,
    is_mountain_island: bool = False,
    is_key_support: bool = False,
    actor: User | None = None,
) -> Region:
    """Create a region and its path: the one way a region comes to exist (the admin, the
    demo and the benchmarks call it). The path is ids from the root, so it is written once
    the region has its id; until then it holds a placeholder that no scope can match."""
    errors = region_parent_errors(level, parent, actor)
    if errors:
        raise ValidationError(errors)
    region = Region(
        code=code,
        name=name,
        level=level,
        parent=parent,
        is_mountain_island=is_mountain_island,
        is_key_support=is_key_support,
        path=f"{parent.path if parent else '/'}0/",
    )
    region.full_clean()
    region.save()
    region.path = f"{parent.path if parent else '/'}{region.pk}/"
    region.save(update_fields=["path"])
    audit_record(actor=actor, action="region.create", obj=region)
    return region


@transaction.atomic
def region_update(*, region: Region, actor: User | None = None, **fields) -> Region:
    """Change a region's name, code, flags or parent. A new parent moves the region and its
    whole subtree: every path under it is rewritten in the same transaction."""
    allowed = {"code", "name", "parent", "is_mountain_island", "is_key_support"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(unknown)}
        )
    region = Region.objects.select_for_update().get(pk=region.pk)
    before = audit_snapshot(region)
    old_prefix, old_parent = region.path, region.parent_id
    for name, value in fields.items():
        setattr(region, name, value)
    moved = region.parent_id != old_parent
    if moved:
        errors = region_parent_errors(region.level, region.parent, actor)
        if errors:
            raise ValidationError(errors)
    region.full_clean()
    region.save()
    if moved:
        new_prefix = f"{region.parent.path if region.parent else '/'}{region.pk}/"
        Region.objects.filter(path__startswith=old_prefix).update(
            path=Concat(Value(new_prefix), Substr("path", len(old_prefix) + 1))
        )
        region.refresh_from_db(fields=["path"])
    changes = audit_diff(before, audit_snapshot(region))
    if changes:
        audit_record(actor=actor, action="region.update", obj=region, detail={"changes": changes})
    return region


@transaction.atomic
def regions_rebuild_paths() -> int:
    """Write every region's path again from the parent links, top down: after regions were
    loaded around the services (``loaddata`` of a fixture, a restore of a hand-edited dump).
    Returns how many paths changed. ``manage.py rebuild_region_paths`` runs it."""
    regions = {r.pk: r for r in Region.objects.select_for_update().order_by("pk")}
    paths: dict[int, str] = {}

    def path_of(region, seen=()):
        if region.pk in paths:
            return paths[region.pk]
        if region.pk in seen:
            raise ValidationError(
                _("The regions %(codes)s are each other's parents.")
                % {"codes": "、".join(regions[pk].code for pk in seen)}
            )
        parent = regions.get(region.parent_id)
        prefix = path_of(parent, (*seen, region.pk)) if parent else "/"
        paths[region.pk] = f"{prefix}{region.pk}/"
        return paths[region.pk]

    changed = [r for r in regions.values() if path_of(r) != r.path]
    for region in changed:
        region.path = paths[region.pk]
    Region.objects.bulk_update(changed, ["path"], batch_size=500)
    if changed:
        audit_record(
            actor=None,
            action="region.rebuild_paths",
            detail={"changed": [r.code for r in changed][:200]},
        )
    return len(changed)


@transaction.atomic
def school_create(*, code: str, name: str, county: Region, school_type: str, **flags) -> School:
    school = School(code=code, name=name, county=county, school_type=school_type, **flags)
    school.full_clean()
    if county.level != RegionLevel.COUNTY:
        raise ValidationError({"county": _("A school belongs to a county-level region.")})
    school.save()
    return school


# --- Teachers -----------------------------------------------------------------------


def id_number_fields(raw: object, *, today: date) -> dict:
    """Validate an ID number and return the Teacher fields it determines. Raises
    ``ValidationError`` on the ``id_number`` field with the rule's message."""
    try:
        parsed = rules.parse_id_number(raw, today=today)
    except rules.IDNumberError as exc:
        raise ValidationError({"id_number": exc.message}, code=exc.code) from None
    return {
        "id_number_encrypted": crypto.encrypt_text(parsed.value),
        "id_number_hash": crypto.lookup_hash(parsed.value),
        "id_number_masked": parsed.masked,
        "birth_date": parsed.birth_date,
        "gender": parsed.gender,
    }


@transaction.atomic
def teacher_create(
    *, id_number: str, name: str, school: School, stage: str, actor: User | None = None, **fields
) -> Teacher:
    """Create a teacher and open their first service period at ``school`` (from
    ``started_teaching`` or today). Audited."""
    today = timezone.localdate()
    derived = id_number_fields(id_number, today=today)
    if Teacher.objects.filter(id_number_hash=derived["id_number_hash"]).exists():
        raise ValidationError({"id_number": _("A teacher with this ID number already exists.")})
    teacher = Teacher(name=name.strip(), school=school, stage=stage, **derived, **fields)
    teacher.full_clean()
    teacher.save()
    service_period_open(
        teacher=teacher,
        school=school,
        role="teacher",
        stage=stage,
        start=teacher.started_teaching or today,
    )
    hooks.teachers_changed([teacher.pk])
    audit_record(
        actor=actor,
        action="teacher.create",
        obj=teacher,
        detail={"values": audit_snapshot(teacher)},
    )
    return teacher


@transaction.atomic
def teacher_update(
    *, teacher: Teacher, actor: User | None = None, detail: dict | None = None, **fields
) -> Teacher:
    """Change a teacher's attributes. A change of school closes the open service periods
    the day before and opens a new one at the new school. Audited, with before and
    after (and ``detail``, such as where the change came from)."""
    before = audit_snapshot(teacher)
    new_school = fields.pop("school", None)
    for name, value in fields.items():
        setattr(teacher, name, value)
    moved = new_school is not None and new_school.pk != teacher.school_id
    if moved:
        teacher.school = new_school
    teacher.full_clean()
    teacher.save()
    if moved:
        teacher_move(teacher=teacher, school=new_school, on=timezone.localdate())
    changes = audit_diff(before, audit_snapshot(teacher))
    if changes:
        hooks.teachers_changed([teacher.pk])
        audit_record(
            actor=actor,
            action="teacher.update",
            obj=teacher,
            detail={**(detail or {}), "changes": changes},
        )
    return teacher


def teacher_move(*, teacher: Teacher, school: School, on: date) -> None:
    open_periods = teacher.service_periods.filter(end__isnull=True)
    roles = list(open_periods.values_list("role", flat=True)) or ["teacher"]
    yesterday = date.fromordinal(on.toordinal() - 1)
    for period in open_periods:
        period.end = max(yesterday, period.start)
        period.save(update_fields=["end"])
    stage = teacher.stage
    if stage not in SCHOOL_TYPE_STAGES.get(school.school_type, (stage,)):
        stage = SCHOOL_TYPE_STAGES[school.school_type][0]
    for role in dict.fromkeys(roles):
        service_period_open(teacher=teacher, school=school, role=role, stage=stage, start=on)


def service_period_open(
    *,
    teacher: Teacher,
    school: School,
    role: str,
    stage: str,
    start: date,
    end=None,
    from_reserve: bool = False,
) -> ServicePeriod:
    period = ServicePeriod(
        teacher=teacher,
        school=school,
        role=role,
        stage=stage,
        start=start,
        end=end,
        from_reserve=from_reserve,
    )
    period.full_clean()
    period.save()
    return period


@transaction.atomic
def ethics_record_create(
    *,
    teacher: Teacher,
    decided_on: date,
    sanction: str,
    in_force_from: date,
    in_force_to: date | None = None,
    reason: str = "",
    actor: User | None = None,
) -> EthicsRecord:
    record = EthicsRecord(
        teacher=teacher,
        decided_on=decided_on,
        sanction=sanction,
        in_force_from=in_force_from,
        in_force_to=in_force_to,
        reason=reason,
    )
    record.full_clean()
    record.save()
    audit_record(
        actor=actor, action="ethics_record.create", obj=record, region=teacher.school.county
    )
    return record


class IDLookupRefused(Exception):
    """A look-up by full ID number the user may not make now; ``message`` says why."""

    def __init__(self, message: str, *, throttled: bool = False):
        super().__init__(message)
        self.message = message
        self.throttled = throttled


def _take_id_lookups(user: User, count: int) -> None:
    """Count ``count`` look-ups by full ID number against the user's hourly allowance
    (``ID_LOOKUPS_PER_HOUR``), or refuse them all."""
    limit = settings.ID_LOOKUPS_PER_HOUR
    window = int(timezone.now().timestamp()) // 3600
    key = f"id-lookups:{user.pk}:{window}"
    cache.add(key, 0, timeout=3700)
    used = cache.incr(key, count)
    if used > limit:
        raise IDLookupRefused(
            _(
                "You have looked up %(limit)d ID numbers in the last hour, the most one "
                "account may. Try again next hour, or search by name."
            )
            % {"limit": limit},
            throttled=True,
        )


def id_lookups_record(*, user: User, count: int, via: str) -> None:
    """Look-ups by full ID number made by an import rather than a search: ``count`` rows
    that tested a number against the register (numbers that differ from a teacher's in
    scope only in the digits the mask hides, rows that became transfer requests). They are
    audited and counted against the same hourly allowance; ``IDLookupRefused`` once it is
    spent (a caller past its write catches it: the rows are counted all the same)."""
    if count <= 0:
        return
    try:
        _take_id_lookups(user, count)
    finally:
        audit_record(
            actor=user,
            action="teacher.find_by_id_number",
            detail={"via": via, "asked": count},
        )


def teachers_find_by_id_numbers(
    *, user: User, id_numbers: list[str], ip_address: str | None, via: str
) -> dict[str, Teacher]:
    """The teachers in ``user``'s scope with these (normalised, validated) ID numbers, by
    number. A look-up by a full number tells what the mask hides, so it is a reveal: only
    for those who may reveal, counted against the hourly allowance (every number asked,
    found or not), and audited whether or not it finds anyone. Every door that takes a full
    ID number to find a teacher (searches, nomination lists) comes here."""
    from . import permissions

    if not permissions.may_reveal_id_numbers(user):
        raise IDLookupRefused(_("Your account may not search by ID number."))
    numbers = sorted(set(id_numbers))
    if not numbers:
        return {}
    _take_id_lookups(user, len(numbers))
    by_hash = {crypto.lookup_hash(n): n for n in numbers}
    teachers = scope_queryset(
        user, Teacher.objects.filter(id_number_hash__in=list(by_hash)).select_related("school")
    )
    found = {by_hash[t.id_number_hash]: t for t in teachers}
    audit_record(
        actor=user,
        action="teacher.find_by_id_number",
        obj=next(iter(found.values())) if len(found) == 1 else None,
        ip_address=ip_address,
        detail={"via": via, "asked": len(numbers), "found": len(found)},
    )
    return found


def teacher_find_by_id_number(
    *, user: User, id_number: str, ip_address: str | None, via: str
) -> Teacher | None:
    """One look-up by full ID number (see ``teachers_find_by_id_numbers``)."""
    found = teachers_find_by_id_numbers(
        user=user, id_numbers=[id_number], ip_address=ip_address, via=via
    )
    return found.get(id_number)


def teacher_reveal_id_number(*, teacher: Teacher, user: User, ip_address: str | None) -> str:
    """The ID number in clear, for a user who may see the teacher; every reveal is
    audited."""
    audit_record(
        actor=user,
        action="teacher.reveal_id_number",
        obj=teacher,
        region=teacher.school.county,
        ip_address=ip_address,
    )
    return teacher.reveal_id_number()


# Transfers in (调入申请): a roster row naming a teacher registered outside the uploader's
# scope becomes a request, decided by the bureau above both schools.

# The Teacher fields a transfer request carries from its row and applies on approval.
TRANSFER_FIELDS = (
    "stage",
    "subject",
    "staffing",
    "is_full_time",
    "professional_title",
    "started_teaching",
)


def _transfer_values(values: dict) -> dict:
    """The row's values a transfer keeps, as JSON (dates in ISO form)."""
    kept = {}
    for name in TRANSFER_FIELDS:
        if name in values and values[name] is not None:
            value = values[name]
            kept[name] = value.isoformat() if isinstance(value, date) else value
    return kept


@transaction.atomic
def transfer_requests_create(
    *, wanted: list[tuple[Teacher, School, str, dict]], requested_by: User, import_job=None
) -> list[TransferRequest]:
    """Request the transfer of each ``(teacher, to_school, name, values)``: the teachers a
    roster names who are registered outside the uploader's scope. One pending request per
    teacher and school: one still pending is refreshed with the new name and values. Each
    is audited under the destination's county; no ID number is kept or recorded. The rows
    were checked by the import, so each request only has its fields cleaned (no query per
    request)."""
    if not wanted:
        return []
    latest = {(t.pk, s.pk): (t, s, name, values) for t, s, name, values in wanted}
    teacher_ids = sorted({t_id for t_id, _s in latest})
    pending: dict[tuple[int, int], TransferRequest] = {}
    for start in range(0, len(teacher_ids), 900):
        for request in TransferRequest.objects.select_for_update().filter(
            status=TransferRequest.Status.PENDING, teacher_id__in=teacher_ids[start : start + 900]
        ):
            pending[(request.teacher_id, request.to_school_id)] = request
    created, refreshed = [], []
    for key, (teacher, school, name, values) in latest.items():
        request = pending.get(key) or TransferRequest(teacher=teacher, to_school=school)
        request.name = name
        request.values = _transfer_values(values)
        request.requested_by = requested_by
        request.import_job = import_job
        request.clean_fields()
        (refreshed if request.pk else created).append(request)
    TransferRequest.objects.bulk_create(created, batch_size=1000)
    TransferRequest.objects.bulk_update(
        refreshed, ["name", "values", "requested_by", "import_job"], batch_size=1000
    )
    origin = {"import_job": import_job.pk} if import_job is not None else {}
    audit_bulk(
        actor=requested_by,
        events=[
            AuditEvent(
                action=f"transfer_request.{verb}",
                object_type=TransferRequest._meta.label,
                object_id=str(request.pk),
                object_repr=str(request)[:200],
                region_id=request.to_school.county_id,
                detail={"values": request.values, **origin},
            )
            for verb, requests in (("create", created), ("update", refreshed))
            for request in requests
        ],
    )
    return [*created, *refreshed]


def transfer_requests_decidable(user: User, requests) -> set[int]:
    """The ids of the pending ``requests`` that ``user`` may decide: bureau staff whose scope
    covers both the teacher's current school and the destination (for two schools of one
    county, that county's staff or anyone above; otherwise the city or the province above
    both), and superusers. Two queries, whatever the number of requests."""
    if not (user.is_active and (user.is_superuser or user.role in STAFF_ROLE_LEVEL)):
        return set()
    pending = [r for r in requests if r.status == TransferRequest.Status.PENDING]
    if not pending:
        return set()
    teachers = set(
        scope_queryset(
            user, Teacher.objects.filter(pk__in={r.teacher_id for r in pending})
        ).values_list("pk", flat=True)
    )
    schools = set(
        scope_queryset(
            user, School.objects.filter(pk__in={r.to_school_id for r in pending})
        ).values_list("pk", flat=True)
    )
    return {r.pk for r in pending if r.teacher_id in teachers and r.to_school_id in schools}


def _transfer_to_decide(transfer: TransferRequest, actor: User) -> TransferRequest:
    """The request, locked, if it is still pending and ``actor`` may decide it."""
    transfer = TransferRequest.objects.select_for_update().get(pk=transfer.pk)
    if transfer.status != TransferRequest.Status.PENDING:
        raise ValidationError(_("This transfer request has already been decided."))
    if transfer.pk not in transfer_requests_decidable(actor, [transfer]):
        raise PermissionDenied(
            _("Only bureau staff whose region covers both schools decide this request.")
        )
    return transfer


def _transfer_decided(transfer: TransferRequest, actor: User, status: str, reason: str = ""):
    transfer.status = status
    transfer.decided_by = actor
    transfer.decided_at = timezone.now()
    transfer.reason = reason
    transfer.full_clean()
    transfer.save(update_fields=["status", "decided_by", "decided_at", "reason"])


@transaction.atomic
def transfer_request_approve(*, transfer: TransferRequest, actor: User) -> TransferRequest:
    """Move the teacher to the destination school with the request's values, through
    ``teacher_update`` (the open service periods end yesterday and open at the new school
    today; audited with before and after). The decision itself is audited too."""
    transfer = _transfer_to_decide(transfer, actor)
    teacher = Teacher.objects.select_for_update().get(pk=transfer.teacher_id)
    values = dict(transfer.values)
    if values.get("started_teaching"):
        values["started_teaching"] = date.fromisoformat(values["started_teaching"])
    values = {name: value for name, value in values.items() if name in TRANSFER_FIELDS}
    teacher_update(
        teacher=teacher,
        actor=actor,
        detail={"transfer_request": transfer.pk},
        school=transfer.to_school,
        **values,
    )
    _transfer_decided(transfer, actor, TransferRequest.Status.APPROVED)
    audit_record(
        actor=actor,
        action="transfer_request.approve",
        obj=transfer,
        region=transfer.to_school.county,
        detail={"teacher": teacher.pk},
    )
    return transfer


@transaction.atomic
def transfer_request_reject(
    *, transfer: TransferRequest, actor: User, reason: str
) -> TransferRequest:
    """Refuse the transfer with a reason, which the requesting school reads. Audited."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for the rejection.")})
    transfer = _transfer_to_decide(transfer, actor)
    _transfer_decided(transfer, actor, TransferRequest.Status.REJECTED, reason)
    audit_record(
        actor=actor,
        action="transfer_request.reject",
        obj=transfer,
        region=transfer.to_school.county,
        detail={"reason": reason},
    )
    return transfer


# --- Users --------------------------------------------------------------------------


def user_attachment_errors(user: User) -> dict[str, str]:
    """What is wrong with the role ↔ region / school / teacher attachment, by field."""
    errors: dict[str, str] = {}
    role = user.role
    if role in STAFF_ROLE_LEVEL:
        if user.region_id is None:
            errors["region"] = _("Bureau staff must be attached to a region.")
        elif user.region.level != STAFF_ROLE_LEVEL[role]:
            errors["region"] = _("The region's level does not match the role.")
    elif role == Role.SCHOOL_ADMIN and user.school_id is None:
        errors["school"] = _("A school administrator must be attached to a school.")
    elif role == Role.TEACHER and user.teacher_id is None:
        errors["teacher"] = _("A teacher account must be attached to a teacher.")
    return errors


@transaction.atomic
def user_create(*, username: str, password: str, role: str = "", **attachment) -> User:
    user = User(username=username, role=role, **attachment)
    user.set_password(password)
    user.full_clean()
    user.save()
    return user


# --- Audit --------------------------------------------------------------------------


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj=None,
    region: Region | None = None,
    ip_address: str | None = None,
    detail: dict | None = None,
) -> AuditEvent:
    """Append an audit event. Never put an ID number in ``detail``; should one come in
    anyway (a user name typed at the log-in, a file's name, a value), it is masked here,
    in the one place every event is written. The event is filed under ``region`` (or the
    region of the object, or of the actor) so that the staff of that region find it, and
    records the address of the request being served."""
    user_id, username, request_ip = audit_origin(actor)
    return AuditEvent.objects.create(
        user_id=user_id,
        username=username,
        action=action,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=rules.mask_id_numbers(str(obj))[:200] if obj is not None else "",
        region=region or _region_of(obj) or _region_of(actor),
        ip_address=ip_address or request_ip,
        detail=_masked(detail or {}),
    )


def _masked(value):
    """``value`` (text, or lists and mappings of it) with every ID number masked."""
    if isinstance(value, str):
        return rules.mask_id_numbers(value)
    if isinstance(value, dict):
        return {_masked(k): _masked(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_masked(v) for v in value]
    return value


# Never written into an audit event's detail, whatever the model.
AUDIT_SECRET_FIELDS = frozenset({"id_number_encrypted", "id_number_hash", "password"})


def audit_action(obj, verb: str) -> str:
    """``teacher.update``, ``training_record.delete``: the model's name in snake case and
    the verb, as the services name their actions."""
    return f"{re.sub(r'(?<!^)(?=[A-Z])', '_', type(obj).__name__).lower()}.{verb}"


def audit_snapshot(obj) -> dict[str, str]:
    """An object's editable fields as text (a related object by its name), for the before
    and after of an audited change. Never an ID number or a password; time stamps the
    database keeps are left out."""
    values = {}
    for field in obj._meta.concrete_fields:
        if (
            field.primary_key
            or not field.editable
            or field.name in AUDIT_SECRET_FIELDS
            or getattr(field, "auto_now", False)
            or getattr(field, "auto_now_add", False)
        ):
            continue
        if field.is_relation:
            value = getattr(obj, field.name) if field.value_from_object(obj) is not None else None
        else:
            value = field.value_from_object(obj)
        values[field.name] = "" if value is None else str(value)[:200]
    return values


def audit_diff(before: dict[str, str], after: dict[str, str]) -> dict[str, list[str]]:
    """``{field: [before, after]}`` for the fields that changed."""
    return {
        name: [before.get(name, ""), value]
        for name, value in after.items()
        if before.get(name, "") != value
    }


def audit_bulk(*, actor: User | None, events: list[AuditEvent]) -> None:
    """Many events at once: the per-object trail of a bulk write such as an import. The
    events name their action, object, region and detail; this adds who and from where
    and inserts them in batches."""
    user_id, username, ip = audit_origin(actor)
    for event in events:
        event.user_id, event.username, event.ip_address = user_id, username, ip
    bulk.insert(AuditEvent, events)


def audit_origin(actor: User | None) -> tuple[int | None, str, str | None]:
    """Who and from where, as an event records them: the user's id, their name ("system"
    for a task of nobody's) and the address of the request being served."""
    from .security import current_ip

    user_id = actor.pk if actor is not None and actor.pk else None
    username = rules.mask_id_numbers(getattr(actor, "username", "") or "system")
    return user_id, username, current_ip()


def _region_of(thing) -> Region | None:
    """The region an object (or a user) belongs to, following the usual paths: a region
    itself, a county, a school's county, a teacher's school's county."""
    if thing is None:
        return None
    if isinstance(thing, Region):
        return thing
    for path in ("county", "region", "school", "teacher", "programme", "honour_type"):
        value = getattr(thing, f"{path}_id", None) and getattr(thing, path, None)
        if value is None:
            continue
        found = _region_of(value)
        if found is not None:
            return found
    return None
