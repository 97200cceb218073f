"""An ID number belongs in the ID number column only, and a name column holds a person's
name: in every import kind, and in every free-text field of every model (so every form, the
admin, the API and the services refuse alike)."""

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models

from portal import rules, services
from portal.imports import kinds
from portal.imports import services as imports
from portal.validators import validate_no_id_number, validate_person_name

# Fields that are not free text a person types: codes, keys, hashes, masked numbers,
# credentials, and what the portal itself writes.
NOT_FREE_TEXT = {
    "portal.Region.code",
    "portal.School.code",
    "portal.User.password",
    "portal.User.username",
    "portal.User.email",
    "portal.User.first_name",  # account names are the admin's, validated below
    "portal.User.last_name",
    "portal.AuditEvent.username",
    "portal.AuditEvent.action",
    "portal.AuditEvent.object_type",
    "portal.AuditEvent.object_id",
    "portal.AuditEvent.object_repr",
    "portal.ImportJob.file_name",
    "portal.ImportJob.file_sha256",
    "portal.ImportJob.progress_note",
    "portal.ImportRow.name",
    "portal.ImportRow.id_number_masked",
    "portal.ImportRow.school_code",
    "training.Course.code",
    "talent.Tier.ladder",
    "talent.Tier.code",
    "talent.Enrolment.targeted_post",
    "talent.EnrolmentStep.from_status",
    "talent.EnrolmentStep.to_status",
    "talent.Title.certificate_number",
    "honors.HonourType.code",
    "honors.Award.certificate_number",
}
OURS = {"portal", "training", "talent", "honors", "compensation"}
ID = "11010519491231002X"


def _free_text_fields():
    for model in apps.get_models():
        if model._meta.app_label not in OURS:
            continue
        for field in model._meta.concrete_fields:
            label = f"{model._meta.label}.{field.name}"
            if (
                isinstance(field, (models.CharField, models.TextField))
                and field.editable
                and not field.choices
                and label not in NOT_FREE_TEXT
            ):
                yield label, field


def test_every_free_text_field_refuses_an_id_number():
    missing = [
        label
        for label, field in _free_text_fields()
        if not any(v in (validate_no_id_number, validate_person_name) for v in field.validators)
    ]
    assert missing == []
    for _label, field in _free_text_fields():
        with pytest.raises(ValidationError):
            field.run_validators(f"见 {ID} 号")


@pytest.mark.parametrize(
    "name",
    [
        "林晓",
        "阿依古丽·买买提",
        "阿依古丽•买买提",
        "Jean-Pierre",
        "O'Brien",
        "𠮷田",
        "María",
        "Zoë",
    ],
)
def test_names_people_have(name):
    assert rules.person_name_problem(name) is None


@pytest.mark.parametrize(
    "name",
    [
        '=HYPERLINK("http://x","张三")',
        "+张三",
        "@张三",
        "-张三",
        "张3",
        "张三\x00",
        "张三\u202e",
        "http://x.cn",
        "<b>张三</b>",
        ID,
        "·",
    ],
)
def test_what_is_not_a_name(name):
    assert rules.person_name_problem(name) is not None


def test_teacher_services_refuse_a_bad_name_and_an_id_in_free_text(world):
    with pytest.raises(ValidationError) as caught:
        services.teacher_update(teacher=world.teacher, name="=1+1")
    assert "name" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.teacher_update(teacher=world.teacher, subject=ID)
    assert "subject" in caught.value.message_dict


@pytest.fixture(autouse=True)
def run_tasks_at_once(monkeypatch):
    monkeypatch.setattr(
        "django.db.transaction.on_commit", lambda func, using=None, robust=False: func()
    )


def _options(kind, world):
    if kind.name == "nomination":
        from talent.models import Programme

        return {"programme": Programme.objects.filter(region=world.city).first().pk}
    return {}


@pytest.mark.parametrize("kind_name", [k.name for k in kinds.all_kinds()])
def test_every_import_kind_refuses_an_id_number_outside_its_column(world, kind_name):
    kind = kinds.get(kind_name)
    user = world.users["city"]
    own = world.teacher.reveal_id_number()
    other = world.colleague.reveal_id_number()
    columns = [c for c in kind.columns if c.key != "id_number"]
    header = [c.label for c in kind.columns]
    lines = [",".join(header)]
    for target in columns:
        cells = []
        for c in kind.columns:
            if c.key == "id_number":
                cells.append(own)
            elif c is target:
                cells.append(f"见{other}")
            else:
                cells.append(c.example or "")
        lines.append(",".join(cells))
    data = ("\n".join(lines) + "\n").encode("utf-8")
    job = imports.import_job_create(
        user=user, kind=kind_name, file_name="x.csv", data=data, options=_options(kind, world)
    )
    job.refresh_from_db()
    stored = list(job.rows.order_by("line"))
    refused_columns = {
        e["column"]
        for row in stored
        for e in row.errors
        if "ID number" in e["message"] or "身份证号" in e["message"]
    }
    for target in columns:
        assert target.label in refused_columns, (kind_name, target.label)
    everything = " ".join(f"{r.name} {r.errors} {r.changes}" for r in stored)
    assert other not in everything and own not in everything


def test_an_import_refuses_a_name_that_is_not_a_name(world):
    kind = kinds.get("roster")
    header = [c.label for c in kind.columns]
    row = []
    for c in kind.columns:
        if c.key == "id_number":
            row.append(rules_id())
        elif c.key == "name":
            row.append('=HYPERLINK("http://evil")')
        elif c.key == "school_code":
            row.append(world.school.code)
        else:
            row.append(c.example or "")
    data = (",".join(header) + "\n" + ",".join(row) + "\n").encode("utf-8")
    job = imports.import_job_create(
        user=world.users["school"], kind="roster", file_name="x.csv", data=data
    )
    job.refresh_from_db()
    errors = [e for r in job.rows.all() for e in r.errors]
    assert any(e["column"] == "姓名" for e in errors), errors


def rules_id():
    from tests import factories

    return factories.id_number(address="330302")
