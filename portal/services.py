"""Writes of the shared kernel. Each service is keyword-only, validates with
``full_clean()`` and runs inside one transaction."""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import bulk, crypto, rules
from .choices import SCHOOL_TYPE_STAGES, STAFF_ROLE_LEVEL, RegionLevel, Role
from .models import AuditEvent, EthicsRecord, Region, School, ServicePeriod, Teacher, User

_PARENT_LEVEL = {RegionLevel.CITY: RegionLevel.PROVINCE, RegionLevel.COUNTY: RegionLevel.CITY}


# --- Regions and schools ------------------------------------------------------------


@transaction.atomic
def region_create(
    *,
    code: str,
    name: str,
    level: str,
    parent: Region | None = None,
    is_mountain_island: bool = False,
    is_key_support: bool = False,
) -> Region:
    expected_parent = _PARENT_LEVEL.get(level)
    if expected_parent is None and parent is not None:
        raise ValidationError({"parent": _("A province has no parent region.")})
    if expected_parent is not None and (parent is None or parent.level != expected_parent):
        raise ValidationError(
            {
                "parent": _("The parent of a %(level)s must be a %(parent)s.")
                % {"level": RegionLevel(level).label, "parent": RegionLevel(expected_parent).label}
            }
        )
    region = Region(
        code=code,
        name=name,
        level=level,
        parent=parent,
        is_mountain_island=is_mountain_island,
        is_key_support=is_key_support,
        path="pending",
    )
    region.full_clean()
    region.save()
    region.path = f"{parent.path if parent else '/'}{region.pk}/"
    region.save(update_fields=["path"])
    return region


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
    audit_record(
        actor=actor,
        action="teacher.create",
        obj=teacher,
        detail={"values": audit_snapshot(teacher)},
    )
    return teacher


@transaction.atomic
def teacher_update(*, teacher: Teacher, actor: User | None = None, **fields) -> Teacher:
    """Change a teacher's attributes. A change of school closes the open service periods
    the day before and opens a new one at the new school. Audited, with before and
    after."""
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
        audit_record(actor=actor, action="teacher.update", obj=teacher, detail={"changes": changes})
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
    *, teacher: Teacher, school: School, role: str, stage: str, start: date, end=None
) -> ServicePeriod:
    period = ServicePeriod(
        teacher=teacher, school=school, role=role, stage=stage, start=start, end=end
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
    """Append an audit event. Never put an ID number in ``detail``. The event is filed
    under ``region`` (or the region of the object, or of the actor) so that the staff of
    that region find it, and records the address of the request being served."""
    user_id, username, request_ip = audit_origin(actor)
    return AuditEvent.objects.create(
        user_id=user_id,
        username=username,
        action=action,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        region=region or _region_of(obj) or _region_of(actor),
        ip_address=ip_address or request_ip,
        detail=detail or {},
    )


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
    return user_id, getattr(actor, "username", "") or "system", current_ip()


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
