"""Every change to a teacher leaves an audit event with before and after, whichever door
it came through: the services, the roster import (one event per teacher, so the history
outlives the import's own rows), the admin (inline rows included), and the log-in doors
(pages and API tokens). No event holds an ID number."""

import json
from datetime import date

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.urls import reverse

from portal import services
from portal.imports import services as import_services
from portal.models import AuditEvent, Teacher

from .. import factories
from .. import import_files as files


@pytest.fixture(autouse=True)
def run_tasks_at_once(monkeypatch):
    monkeypatch.setattr(
        "django.db.transaction.on_commit", lambda func, using=None, robust=False: func()
    )


def no_id_numbers(events, *teachers):
    text = json.dumps([e.detail for e in events], ensure_ascii=False) + "".join(
        e.object_repr for e in events
    )
    for teacher in teachers:
        assert teacher.reveal_id_number() not in text


def test_the_services_record_create_and_update_with_before_and_after(world):
    actor = world.users["county"]
    teacher = services.teacher_create(
        id_number=factories.id_number(),
        name="新老师",
        school=world.school,
        stage="primary",
        actor=actor,
    )
    services.teacher_update(
        teacher=teacher, name="新名字", school=world.sibling_school, actor=actor
    )
    services.teacher_update(teacher=teacher, name="新名字", actor=actor)  # nothing changes
    events = list(
        AuditEvent.objects.filter(
            object_id=str(teacher.pk), action__startswith="teacher."
        ).order_by("id")
    )
    assert [e.action for e in events] == ["teacher.create", "teacher.update"]
    assert events[1].detail["changes"] == {
        "name": ["新老师", "新名字"],
        "school": ["鹿城区第一小学", "鹿城区第二小学"],
    }
    assert all(e.username == "county" and e.region == world.county for e in events)
    no_id_numbers(events, teacher)


def test_a_roster_import_leaves_one_event_per_teacher(world):
    school_admin = world.users["school"]
    new_id = factories.id_number(birth=date(1990, 3, 3))
    data = files.csv_bytes(
        [
            [
                world.school.code,
                "新来的",
                new_id,
                "小学",
                "语文",
                "在编",
                "是",
                "一级教师",
                "2015-09-01",
            ],
            [
                world.school.code,
                "林晓晓",  # was 林晓
                world.teacher.reveal_id_number(),
                "小学",
                "数学",
                "在编",
                "是",
                "一级教师",
                "2010-09-01",
            ],
        ]
    )
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    job = import_services.import_job_create(
        user=school_admin, kind="roster", file_name="名单.csv", data=data
    )
    import_services.import_job_confirm(job=job, user=school_admin)
    job.refresh_from_db()
    assert job.status == "done", job.progress_note
    created = Teacher.objects.get(name="新来的")
    events = {
        e.action: e
        for e in AuditEvent.objects.filter(
            id__gt=before, action__in=["teacher.create", "teacher.update"]
        )
    }
    assert events["teacher.create"].object_id == str(created.pk)
    assert events["teacher.create"].detail == {"import_job": job.pk}
    assert events["teacher.create"].region == world.county
    update = events["teacher.update"]
    assert update.object_id == str(world.teacher.pk)
    assert update.detail["changes"]["name"] == ["林晓", "林晓晓"]
    assert update.detail["import_job"] == job.pk
    assert update.username == "school" and update.region == world.county
    assert update.object_repr.startswith("林晓晓 (") and "*" in update.object_repr
    no_id_numbers(events.values(), world.teacher, created)


def admin_post_data(response) -> dict:
    """What the admin's change page would send back unchanged: the main form and every
    inline formset, from their bound fields."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management[name].value()
        forms.extend(formset.forms)
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            key = form.add_prefix(name)
            data[key] = value if not isinstance(value, list) else [str(v) for v in value]
    return data


def test_the_admin_records_changes_inline_rows_and_deletions(client, world):
    root = world.users["superuser"]
    record = services.ethics_record_create(
        teacher=world.teacher,
        decided_on=date(2025, 1, 10),
        sanction="warning",
        in_force_from=date(2025, 1, 10),
        reason="迟到",
    )
    client.force_login(root)
    url = reverse("admin:portal_teacher_change", args=[world.teacher.pk])
    data = admin_post_data(client.get(url))
    data["subject"] = "物理"
    data["ethics_records-0-reason"] = "多次迟到"
    response = client.post(url, data, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 302, response.context["adminform"].form.errors
    update = AuditEvent.objects.get(action="teacher.update")
    assert update.detail["via"] == "admin"
    assert update.detail["changes"]["subject"][1] == "物理"
    assert update.ip_address == "198.51.100.7" and update.username == "root"
    inline = AuditEvent.objects.get(action="ethics_record.update")
    assert inline.object_id == str(record.pk)
    assert inline.detail["changes"] == {"reason": ["迟到", "多次迟到"]}
    assert inline.region == world.county

    # The list's "delete selected" action, on a teacher entered by mistake.
    mistake = factories.teacher(world.school, name="错录")
    response = client.post(
        reverse("admin:portal_teacher_changelist"),
        {"action": "delete_selected", "_selected_action": [mistake.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Teacher.objects.filter(pk=mistake.pk).exists()
    deleted = AuditEvent.objects.get(action="teacher.delete")
    assert deleted.object_id == str(mistake.pk) and deleted.object_repr.startswith("错录")
    assert deleted.detail["values"]["name"] == "错录" and deleted.region == world.county
    no_id_numbers(AuditEvent.objects.all(), world.teacher, mistake)


def test_admin_save_without_changes_records_nothing(world):
    admin = site._registry[Teacher]
    request = RequestFactory().post("/")
    request.user = world.users["superuser"]
    admin.save_model(request, world.teacher, form=None, change=True)
    assert not AuditEvent.objects.filter(action="teacher.update").exists()


def test_log_ins_and_tokens_are_recorded(client, world):
    user = world.users["county"]
    user.set_password("Wenzhou@2026-county")
    user.save()
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    assert client.post(reverse("login"), {"username": "county", "password": "wrong"}).status_code
    client.post(reverse("login"), {"username": "county", "password": "Wenzhou@2026-county"})
    client.post(reverse("logout"))
    token = client.post(
        "/api/v1/auth/token/",
        {"username": "county", "password": "Wenzhou@2026-county"},
        content_type="application/json",
    ).json()["token"]
    client.delete("/api/v1/auth/token/", HTTP_AUTHORIZATION=f"Token {token}")
    events = list(
        AuditEvent.objects.filter(id__gt=before).order_by("id").values_list("action", "username")
    )
    assert events == [
        ("login.failed", "system"),
        ("login.success", "county"),
        ("logout", "county"),
        ("token.issue", "county"),
        ("token.revoke", "county"),
    ]
    failed = AuditEvent.objects.get(action="login.failed")
    assert failed.detail["username"] == "county" and failed.region == world.county
    assert "wrong" not in json.dumps(failed.detail)
    # The audit page's "users and log-ins" kind finds all five.
    client.force_login(world.users["city"])
    page = client.get(reverse("audit_log"), {"action": "account"}).content.decode()
    for action in ("login.failed", "login.success", "logout", "token.issue", "token.revoke"):
        assert f'<td class="mono">{action}</td>' in page
