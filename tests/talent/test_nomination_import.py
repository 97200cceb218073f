"""A county uploads its nomination list for a programme: the import machinery's preview and
refusals (with every eligibility reason), all or nothing, idempotent, scoped; page and API."""

import json
from datetime import date

import pytest
from rest_framework.test import APIClient

from portal import services as kernel
from portal.imports import services
from portal.models import ImportJob
from talent.models import Enrolment, EnrolmentStep, Tier

from .test_ladder import give, wenzhou  # noqa: F401  (fixture)


@pytest.fixture(autouse=True)
def run_tasks_at_once(monkeypatch):
    monkeypatch.setattr(
        "django.db.transaction.on_commit", lambda func, using=None, robust=False: func()
    )


def csv(*rows) -> bytes:
    lines = ["身份证号,姓名,定向岗位", *(",".join(r) for r in rows)]
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


def upload(user, data, programme, **options):
    job = services.import_job_create(
        user=user,
        kind="nomination",
        file_name="推荐名单.csv",
        data=data,
        options={"programme": programme.pk},
        **options,
    )
    job.refresh_from_db()
    return job


def errors_of(job):
    return {row.line: row.errors for row in job.rows.filter(action="refused")}


def test_a_valid_list_previews_then_nominates_once(world, wenzhou):  # noqa: F811
    tiers, programme = wenzhou
    give(world.colleague, tiers["jiaotan-xinxiu"])
    world.school.is_rural = world.school.is_weak = True  # a weak rural school: 特设岗位
    world.school.save()
    county = world.users["county"]
    data = csv(
        (world.teacher.reveal_id_number(), world.teacher.name, ""),
        (world.colleague.reveal_id_number(), world.colleague.name, "薄弱乡村学校"),
    )
    job = upload(county, data, programme)
    assert job.status == "preview", job.file_errors
    assert (job.new_rows, job.refused_rows) == (2, 0)
    assert not Enrolment.objects.filter(programme=programme).exists()  # nothing before confirm
    services.import_job_confirm(job=job, user=county)
    job.refresh_from_db()
    assert job.status == "done"
    enrolments = Enrolment.objects.filter(programme=programme)
    assert {e.teacher_id: e.targeted_post for e in enrolments} == {
        world.teacher.pk: "",
        world.colleague.pk: "weak_rural",
    }
    assert EnrolmentStep.objects.filter(enrolment__programme=programme, by=county).count() == 2
    # The same list again nominates nobody twice.
    again = upload(county, data, programme)
    assert (again.new_rows, again.unchanged_rows) == (0, 2)


def test_one_ineligible_teacher_stops_the_list_with_every_reason(world, wenzhou):  # noqa: F811
    _tiers, programme = wenzhou
    kernel.ethics_record_create(
        teacher=world.colleague,
        decided_on=date(2024, 1, 1),
        sanction="warning",
        in_force_from=date(2024, 1, 1),
    )
    job = upload(
        world.users["county"],
        csv(
            (world.teacher.reveal_id_number(), world.teacher.name, ""),
            (world.colleague.reveal_id_number(), world.colleague.name, ""),
            (world.neighbour_teacher.reveal_id_number(), world.neighbour_teacher.name, ""),
            (world.teacher.reveal_id_number(), "别人", "海岛"),
        ),
        programme,
    )
    assert (job.new_rows, job.refused_rows) == (1, 3)
    errors = errors_of(job)
    colleague = " ".join(e["message"] for e in errors[3])
    assert "师德" in colleague and "教坛新秀" in colleague  # both reasons, in words
    assert all(e["column"] == "身份证号" for e in errors[3])
    # Outside the county's scope: not found (the neighbour is in another county).
    assert (
        "No teacher in your scope" in errors[4][0]["message"] or "范围" in errors[4][0]["message"]
    )
    columns = {e["column"]: e["value"] for e in errors[5]}
    assert columns.get("定向岗位") == "海岛"
    services.import_job_confirm(job=job, user=world.users["county"])
    assert not Enrolment.objects.filter(programme=programme).exists()  # all or nothing


def test_a_targeted_place_must_match_the_teachers_school(world, wenzhou):  # noqa: F811
    _tiers, programme = wenzhou
    job = upload(
        world.users["county"],
        csv((world.teacher.reveal_id_number(), world.teacher.name, "薄弱乡村学校")),
        programme,
    )
    assert job.refused_rows == 1
    error = job.rows.get(action="refused").errors[0]
    assert (error["column"], error["value"]) == ("定向岗位", "薄弱乡村学校")


def test_the_programme_must_be_open_to_the_uploader(world, wenzhou):  # noqa: F811
    _tiers, programme = wenzhou
    from django.core.exceptions import ValidationError

    far = kernel.user_create(
        username="far", password="Far@2026-pass", role="county_staff", region=world.far_county
    )
    with pytest.raises(ValidationError):
        upload(far, csv((world.teacher.reveal_id_number(), world.teacher.name, "")), programme)
    assert not ImportJob.objects.filter(kind="nomination").exists()


def test_the_programme_page_uploads_into_the_import_flow(client, world, wenzhou):  # noqa: F811
    _tiers, programme = wenzhou
    client.force_login(world.users["county"])
    page = client.get(f"/talent/programmes/{programme.pk}/").content.decode()
    assert "data-nominate-file" in page and "/imports/template/nomination.xlsx" in page
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = csv((world.teacher.reveal_id_number(), world.teacher.name, ""))
    response = client.post(
        f"/talent/programmes/{programme.pk}/", {"file": SimpleUploadedFile("名单.csv", data)}
    )
    job = ImportJob.objects.get(kind="nomination")
    assert response.status_code == 302 and response["Location"] == f"/imports/{job.pk}/"
    assert job.options == {"programme": programme.pk} and job.status == "preview"
    template = client.get("/imports/template/nomination.xlsx")
    assert template.status_code == 200
    # The generic upload form does not offer a kind that needs a programme.
    assert 'value="nomination"' not in client.get("/imports/").content.decode()


def test_the_api_takes_the_programme_as_an_option(world, wenzhou):  # noqa: F811
    _tiers, programme = wenzhou
    from django.core.files.uploadedfile import SimpleUploadedFile

    api = APIClient()
    api.force_authenticate(world.users["county"])
    data = csv((world.teacher.reveal_id_number(), world.teacher.name, ""))
    missing = api.post(
        "/api/v1/imports/",
        {"file": SimpleUploadedFile("a.csv", data), "kind": "nomination"},
        format="multipart",
    )
    assert missing.status_code == 400 and "options" in missing.json()
    made = api.post(
        "/api/v1/imports/",
        {
            "file": SimpleUploadedFile("a.csv", data),
            "kind": "nomination",
            "options": json.dumps({"programme": programme.pk}),
        },
        format="multipart",
    )
    assert made.status_code == 202, made.content
    assert made.json()["status"] == "done"
    assert Enrolment.objects.filter(programme=programme, teacher=world.teacher).exists()
    assert Tier.objects.filter(region=world.city).exists()


def test_a_list_confirmed_after_the_window_closed_nominates_nobody(world, wenzhou):  # noqa: F811
    """Previewed while the programme was open, confirmed after its window: every row is
    refused with the reason (POLICY §8), nothing is written."""
    from datetime import timedelta

    from django.utils import timezone

    _tiers, programme = wenzhou
    county = world.users["county"]
    job = upload(county, csv((world.teacher.reveal_id_number(), world.teacher.name, "")), programme)
    assert job.new_rows == 1
    programme.window_end = timezone.localdate() - timedelta(days=1)
    programme.save()
    services.import_job_confirm(job=job, user=county)
    job.refresh_from_db()
    assert not Enrolment.objects.filter(programme=programme).exists()
    refused = " ".join(e["message"] for errors in errors_of(job).values() for e in errors)
    assert programme.window_end.isoformat() in refused
