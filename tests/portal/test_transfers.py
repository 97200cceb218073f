"""Transfer requests (调入申请): a roster row whose ID number belongs to a teacher outside
the uploader's scope reads exactly as a new teacher (so an upload cannot tell which of the
numbers behind a masked one is real), becomes a request on confirmation, and is decided by
the bureau staff whose region covers both schools."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from portal import rules
from portal import services as kernel
from portal.choices import Role
from portal.imports import services
from portal.models import AuditEvent, ImportJob, ServicePeriod, Teacher, TransferRequest

from .. import factories
from .. import import_files as files


@pytest.fixture(autouse=True)
def run_tasks_at_once(monkeypatch):
    """Tests run inside a transaction that never commits: run on-commit tasks at once."""
    monkeypatch.setattr(
        "django.db.transaction.on_commit", lambda func, using=None, robust=False: func()
    )


def upload(user, rows, **options) -> ImportJob:
    job = services.import_job_create(
        user=user, kind="roster", file_name="名单.csv", data=files.csv_bytes(rows), **options
    )
    job.refresh_from_db()
    return job


def confirm(job, user) -> ImportJob:
    services.import_job_confirm(job=job, user=user)
    job.refresh_from_db()
    return job


def candidates(id_number: str) -> list[str]:
    """Every ID number with the same masked form (first 6 and last 4 characters) and a birth
    date in the same year: what an uploader who knows a colleague's masked number and birth
    year could try."""
    year = int(id_number[6:10])
    head, sequence, check = id_number[:6], id_number[14:17], id_number[17]
    found, day = [], date(year, 1, 1)
    while day.year == year:
        first17 = f"{head}{day:%Y%m%d}{sequence}"
        if rules.id_check_character(first17) == check:
            found.append(first17 + check)
        day += timedelta(days=1)
    return found


def roster(school, numbers, name="王小芳"):
    return [
        [school.code, name, number, "小学", "语文", "在编", "是", "一级教师", "2012-09-01"]
        for number in numbers
    ]


def shown_rows(job):
    """What the preview shows of each row, but its line number."""
    return {
        (r.action, r.name, r.id_number_masked, r.school_code, str(r.changes), str(r.errors))
        for r in job.rows.all()
    }


@pytest.fixture
def real(world):
    """The colleague elsewhere (another school of the same county) and their number."""
    return world.sibling_teacher, world.sibling_teacher.reveal_id_number()


def test_the_candidates_of_a_masked_number_are_many_and_include_the_real_one(real):
    _teacher, number = real
    numbers = candidates(number)
    assert number in numbers
    assert 25 <= len(numbers) <= 40  # about 365 / 11
    assert {rules.mask_id_number(n) for n in numbers} == {rules.mask_id_number(number)}


# --- The preview tells nothing ----------------------------------------------------------------


def test_every_candidate_reads_as_a_new_teacher(world, real):
    _teacher, number = real
    numbers = candidates(number)
    job = upload(world.users["school"], roster(world.school, numbers))
    assert (job.status, job.total_rows, job.new_rows, job.refused_rows) == (
        "preview",
        len(numbers),
        len(numbers),
        0,
    )
    assert shown_rows(job) == {
        ("new", "王小芳", rules.mask_id_number(number), world.school.code, "{}", "[]")
    }
    # Through the API too: the same rows, the same counts.
    api = APIClient()
    api.force_authenticate(world.users["school"])
    rows = api.get(f"/api/v1/imports/{job.pk}/rows/", {"page_size": 100}).json()["results"]
    assert {r["action"] for r in rows} == {"new"}
    assert {str(r.get("errors")) for r in rows} == {"[]"}


def test_the_real_number_costs_the_same_queries_as_numbers_that_match_nobody(world, real):
    """The check asks the same questions whether a number matches a teacher elsewhere or
    nobody: no extra query, so no difference in time to measure."""
    _teacher, number = real
    with_real = candidates(number)
    without = [n for n in with_real if n != number] + [factories.id_number()]
    counts = []
    for numbers in (with_real, without):
        with CaptureQueriesContext(connection) as queries:
            job = upload(world.users["school"], roster(world.school, numbers))
        counts.append(len(queries))
        assert (job.new_rows, job.refused_rows) == (len(numbers), 0)
    assert counts[0] == counts[1]


# --- The write: a request, never a new teacher or a move ----------------------------------------


def test_on_confirmation_the_real_number_becomes_a_request_and_the_others_new_teachers(world, real):
    teacher, number = real
    numbers = candidates(number)
    periods_before = list(teacher.service_periods.values_list("id", "school_id", "end"))
    job = confirm(
        upload(world.users["school"], roster(world.school, numbers)), world.users["school"]
    )
    assert (job.status, job.new_rows, job.changed_rows) == ("done", len(numbers), 0)
    assert Teacher.objects.filter(school=world.school, name="王小芳").count() == len(numbers) - 1

    transfer = TransferRequest.objects.get()
    assert (transfer.teacher, transfer.to_school, transfer.status) == (
        teacher,
        world.school,
        "pending",
    )
    assert (transfer.requested_by, transfer.import_job, transfer.name) == (
        world.users["school"],
        job,
        "王小芳",
    )
    assert transfer.values == {
        "stage": "primary",
        "subject": "语文",
        "staffing": "established",
        "is_full_time": True,
        "professional_title": "first",
        "started_teaching": "2012-09-01",
    }
    # The teacher has not moved, and nothing holds the number.
    teacher.refresh_from_db()
    assert (teacher.school, teacher.name, teacher.subject) == (world.sibling_school, "王芳", "")
    assert list(teacher.service_periods.values_list("id", "school_id", "end")) == periods_before
    stored = str(TransferRequest.objects.values().get())
    assert number not in stored and number[6:14] not in stored
    by_import = AuditEvent.objects.filter(detail__import_job=job.pk)
    assert not by_import.filter(object_type="portal.Teacher", object_id=str(teacher.pk))
    assert by_import.filter(action="teacher.create").count() == len(numbers) - 1
    event = AuditEvent.objects.get(action="transfer_request.create")
    assert (event.object_id, event.region, event.detail["import_job"]) == (
        str(transfer.pk),
        world.county,
        job.pk,
    )
    assert number not in str(event.detail)


def test_a_file_written_without_preview_makes_the_request_too(world, real):
    teacher, number = real
    rows = [
        *roster(world.school, [factories.id_number()], name="李明"),
        *roster(world.school, [number]),
    ]
    job = upload(world.users["school"], rows, commit_when_valid=True)
    assert (job.status, job.new_rows, job.refused_rows) == ("done", 2, 0)
    assert TransferRequest.objects.get().teacher == teacher


def test_a_second_upload_refreshes_the_pending_request(world, real):
    _teacher, number = real
    user = world.users["school"]
    confirm(upload(user, roster(world.school, [number])), user)
    rows = roster(world.school, [number])
    rows[0][4] = "数学"
    again = confirm(upload(user, rows), user)
    assert (again.status, again.new_rows) == ("done", 1)  # again a "new" row, as any other
    transfer = TransferRequest.objects.get()
    assert (transfer.values["subject"], transfer.import_job) == ("数学", again)
    assert AuditEvent.objects.filter(action="transfer_request.update").count() == 1


# --- The decision ------------------------------------------------------------------------------


def _request(world, teacher, number, user=None):
    user = user or world.users["school"]
    confirm(upload(user, roster(world.school, [number])), user)
    return TransferRequest.objects.get(teacher=teacher, status="pending")


def test_the_county_above_both_schools_approves_and_the_teacher_moves(client, world, real):
    teacher, number = real
    transfer = _request(world, teacher, number)
    old_period = teacher.service_periods.get()
    client.force_login(world.users["county"])
    page = client.get(reverse("transfer_list")).content.decode()
    assert f'data-approve="{transfer.pk}"' in page
    assert world.sibling_school.name in page  # the decider sees where the teacher is now

    response = client.post(reverse("transfer_approve", args=[transfer.pk]))
    assert response.status_code == 302
    teacher.refresh_from_db()
    assert (teacher.school, teacher.subject, teacher.professional_title) == (
        world.school,
        "语文",
        "first",
    )
    assert teacher.name == "王芳"  # the record keeps its name
    today = timezone.localdate()
    old_period.refresh_from_db()
    assert old_period.end == today - timedelta(days=1)
    new_period = ServicePeriod.objects.get(teacher=teacher, end__isnull=True)
    assert (new_period.school, new_period.start, new_period.role) == (
        world.school,
        today,
        "teacher",
    )
    transfer.refresh_from_db()
    assert (transfer.status, transfer.decided_by) == ("approved", world.users["county"])
    assert transfer.decided_at is not None
    update = AuditEvent.objects.get(action="teacher.update", object_id=str(teacher.pk))
    assert update.detail["transfer_request"] == transfer.pk
    assert update.detail["changes"]["school"] == [world.sibling_school.name, world.school.name]
    assert AuditEvent.objects.filter(action="transfer_request.approve").count() == 1

    # Decided once: a second click changes nothing.
    response = client.post(reverse("transfer_approve", args=[transfer.pk]))
    assert response.status_code == 302
    assert ServicePeriod.objects.filter(teacher=teacher).count() == 2


def test_a_county_that_covers_one_school_only_cannot_decide(client, world):
    """From another county of the same city: the city (or the province) decides. The
    destination's county sees the request waiting; the teacher's county does not see it."""
    teacher = world.neighbour_teacher
    transfer = _request(world, teacher, teacher.reveal_id_number())
    county = world.users["county"]  # the destination's county
    neighbour = factories.user("longwan", Role.COUNTY_STAFF, region=world.sibling_county)

    client.force_login(county)
    page = client.get(reverse("transfer_list")).content.decode()
    assert f'data-transfer="{transfer.pk}"' in page and "data-waits" in page
    assert f'data-approve="{transfer.pk}"' not in page
    assert world.neighbour_school.name not in page and teacher.name not in page
    assert client.post(reverse("transfer_approve", args=[transfer.pk])).status_code == 404
    assert (
        client.post(
            reverse("transfer_reject", args=[transfer.pk]), {"reason": "不同意"}
        ).status_code
        == 404
    )
    with pytest.raises(PermissionDenied):
        kernel.transfer_request_approve(transfer=transfer, actor=county)

    client.force_login(neighbour)
    assert (
        f'data-transfer="{transfer.pk}"'
        not in client.get(reverse("transfer_list")).content.decode()
    )
    assert client.post(reverse("transfer_approve", args=[transfer.pk])).status_code == 404

    teacher.refresh_from_db()
    assert teacher.school == world.neighbour_school
    kernel.transfer_request_approve(transfer=transfer, actor=world.users["city"])
    teacher.refresh_from_db()
    assert teacher.school == world.school


def test_a_county_uploader_requests_a_teacher_of_another_county(world):
    teacher = world.neighbour_teacher
    county = world.users["county"]
    job = upload(county, roster(world.school, [teacher.reveal_id_number()]))
    assert (job.new_rows, job.refused_rows) == (1, 0)
    confirm(job, county)
    transfer = TransferRequest.objects.get()
    assert transfer.requested_by == county
    assert kernel.transfer_requests_decidable(county, [transfer]) == set()
    assert kernel.transfer_requests_decidable(world.users["city"], [transfer]) == {transfer.pk}


def test_a_rejection_needs_a_reason_and_the_school_reads_it(client, world, real):
    teacher, number = real
    transfer = _request(world, teacher, number)
    client.force_login(world.users["county"])
    client.post(reverse("transfer_reject", args=[transfer.pk]), {"reason": "  "})
    transfer.refresh_from_db()
    assert transfer.status == "pending"
    with pytest.raises(ValidationError):
        kernel.transfer_request_reject(
            transfer=transfer, actor=world.users["county"], reason=f"见 {number}"
        )
    client.post(reverse("transfer_reject", args=[transfer.pk]), {"reason": "编制已满"})
    transfer.refresh_from_db()
    assert (transfer.status, transfer.reason) == ("rejected", "编制已满")
    event = AuditEvent.objects.get(action="transfer_request.reject")
    assert event.detail == {"reason": "编制已满"}
    teacher.refresh_from_db()
    assert teacher.school == world.sibling_school

    client.force_login(world.users["school"])
    page = client.get(reverse("transfer_list")).content.decode()
    assert "编制已满" in page and "status-rejected" in page
    assert world.sibling_school.name not in page
    assert world.users["county"].username not in page  # who decided tells where, too


# --- The uploader learns nothing about the teacher ---------------------------------------------


def test_the_uploader_never_sees_the_teachers_school_or_record(client, world, real):
    teacher, number = real
    user = world.users["school"]
    job = confirm(upload(user, roster(world.school, candidates(number))), user)
    transfer = TransferRequest.objects.get()
    secrets = [world.sibling_school.name, world.sibling_school.code, teacher.name]

    client.force_login(user)
    pages = [
        client.get(reverse("transfer_list")),
        client.get(reverse("transfer_list"), {"status": "all"}),
        client.get(reverse("import_detail", args=[job.pk])),
        client.get(reverse("import_detail", args=[job.pk]), {"action": "new"}),
        client.get(reverse("import_list")),
        client.get(reverse("teacher_list")),
        client.get(reverse("school_detail", args=[world.school.pk])),
    ]
    for response in pages:
        assert response.status_code == 200
        text = response.content.decode()
        assert not [s for s in secrets if s in text], response.request["PATH_INFO"]
    listing = pages[0].content.decode()
    assert f'data-transfer="{transfer.pk}"' in listing and "王小芳" in listing
    assert "data-current-school" not in listing and "data-approve" not in listing
    assert reverse("teacher_detail", args=[teacher.pk]) not in listing
    assert "data-transfer-note" in pages[2].content.decode()  # the same note on every roster
    assert client.get(reverse("teacher_detail", args=[teacher.pk])).status_code == 404

    api = APIClient()
    api.force_authenticate(user)
    answers = [
        api.get(f"/api/v1/imports/{job.pk}/"),
        api.get(f"/api/v1/imports/{job.pk}/rows/", {"page_size": 100}),
        api.get("/api/v1/imports/"),
        api.get("/api/v1/teachers/", {"page_size": 100}),
        api.get("/api/v1/schools/"),
    ]
    for response in answers:
        assert response.status_code == 200
        text = response.content.decode()
        assert not [s for s in secrets if s in text], response.request["PATH_INFO"]
    assert api.get(f"/api/v1/teachers/{teacher.pk}/").status_code == 404


def test_the_list_page_costs_the_same_queries_for_two_requests_or_six(client, world):
    def page_queries():
        client.force_login(world.users["city"])
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("transfer_list")).status_code == 200
        return len(queries)

    teachers = [world.sibling_teacher, world.neighbour_teacher]
    for teacher in teachers:
        _request(world, teacher, teacher.reveal_id_number())
    two = page_queries()
    for n in range(4):
        other = factories.teacher(world.neighbour_school, name=f"赵{'一二三四'[n]}")
        _request(world, other, other.reveal_id_number())
    assert TransferRequest.objects.count() == 6
    assert page_queries() == two
