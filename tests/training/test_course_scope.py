"""A teacher is credited only with courses of the regions on the way from the teacher's
county to the province (the county's, the city's, the province's), through one selector
used by the self-report form, the API and the training import. A course of any other region
reads exactly like a code or an id that does not exist, so none can be probed. A course
credited twice is a clear error on the course, never a database constraint's name."""

import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from portal.imports import services as imports
from tests import factories
from tests import import_files as files
from training import selectors
from training.models import Course, TrainingRecord

TODAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    monkeypatch.setattr(
        "django.db.transaction.on_commit", lambda func, using=None, robust=False: func()
    )


def make_course(code, region, level):
    return Course.objects.create(
        code=code,
        title=f"{region.name}研修",
        region=region,
        level=level,
        category="subject",
        hours=8,
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 3, 1),
    )


@pytest.fixture
def courses(world):
    jiangsu = factories.province(code="320000", name="江苏省")
    return {
        "province": make_course("ZJ2026001", world.province, "province"),
        "city": world.course,
        "county": make_course("LC2026001", world.county, "county"),
        "sibling_county": make_course("LW2026009", world.sibling_county, "county"),
        "other_city": make_course("HZ2026001", world.other_city, "city"),
        "other_province": make_course("JS2026001", jiangsu, "province"),
    }


MINE = ("province", "city", "county")
FOREIGN = ("sibling_county", "other_city", "other_province")


def test_the_selector_offers_the_courses_on_the_teachers_path(world, courses):
    offered = set(selectors.creditable_courses(world.teacher.school.county))
    assert offered == {courses[k] for k in MINE}


# --- Self-report ------------------------------------------------------------------------------


def self_report(client, code, description=""):
    pdf = SimpleUploadedFile("证书.pdf", b"%PDF-1.4 x", content_type="application/pdf")
    return client.post(
        reverse("my_training"),
        {
            "course_code": code,
            "description": description,
            "hours": "8",
            "completed_on": "2026-03-01",
            "level": "city",
            "category": "subject",
            "mode": "face_to_face",
            "evidence": pdf,
        },
    )


def course_code_errors(response):
    assert response.status_code == 200
    return response.context["form"].errors.get("course_code")


@pytest.mark.parametrize("which", FOREIGN)
def test_a_foreign_course_code_reads_like_an_unknown_one(client, world, courses, which):
    client.force_login(world.users["teacher"])
    with translation.override("zh-hans"):
        unknown = course_code_errors(self_report(client, "NO-SUCH-CODE"))
        foreign = course_code_errors(self_report(client, courses[which].code))
    assert unknown and foreign == unknown
    assert not TrainingRecord.objects.filter(course=courses[which]).exists()


@pytest.mark.parametrize("which", MINE)
def test_a_course_on_the_teachers_path_is_accepted(client, world, courses, which):
    client.force_login(world.users["teacher"])
    response = self_report(client, courses[which].code)
    assert response.status_code == 302
    assert TrainingRecord.objects.filter(teacher=world.teacher, course=courses[which]).exists()


def test_self_reporting_a_course_twice_is_a_clear_error(client, world, courses):
    client.force_login(world.users["teacher"])
    assert self_report(client, courses["county"].code).status_code == 302
    with translation.override("zh-hans"):
        response = self_report(client, courses["county"].code)
    assert response.status_code == 200
    text = " ".join(str(e) for errors in response.context["form"].errors.values() for e in errors)
    assert "one_credit_per_course" not in text and "约束" not in text
    assert "已" in text


# --- API --------------------------------------------------------------------------------------


def post_record(api, teacher, course_id):
    return api.post(
        "/api/v1/training/records/",
        {
            "teacher": teacher,
            "course": course_id,
            "hours": "8",
            "completed_on": "2026-03-01",
            "level": "city",
            "category": "subject",
        },
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )


def without_ids(body) -> str:
    return re.sub(r"\d+", "N", str(body))


@pytest.mark.parametrize("which", FOREIGN)
def test_the_api_answers_a_foreign_course_like_an_unknown_id(world, courses, which):
    api = APIClient()
    api.force_authenticate(world.users["teacher"])
    unknown = post_record(api, world.teacher.pk, 987654)
    foreign = post_record(api, world.teacher.pk, courses[which].pk)
    assert unknown.status_code == foreign.status_code == 400
    assert set(foreign.json()) == {"course"}
    assert without_ids(foreign.json()) == without_ids(unknown.json())
    assert not TrainingRecord.objects.filter(course=courses[which]).exists()


def test_the_api_answers_a_teacher_outside_the_scope_like_an_unknown_id(world, courses):
    api = APIClient()
    api.force_authenticate(world.users["school"])
    unknown = post_record(api, 987654, courses["city"].pk)
    foreign = post_record(api, world.far_teacher.pk, courses["city"].pk)
    assert unknown.status_code == foreign.status_code == 400
    assert without_ids(foreign.json()) == without_ids(unknown.json())


def test_the_api_credits_a_course_on_the_path(world, courses):
    api = APIClient()
    api.force_authenticate(world.users["school"])
    response = post_record(api, world.teacher.pk, courses["province"].pk)
    assert response.status_code == 201, response.json()


def test_crediting_a_course_twice_through_the_api_names_the_course(world, courses):
    api = APIClient()
    api.force_authenticate(world.users["school"])
    assert post_record(api, world.teacher.pk, courses["county"].pk).status_code == 201
    again = post_record(api, world.teacher.pk, courses["county"].pk)
    assert again.status_code == 400
    body = again.json()
    assert set(body) == {"course"}, body
    assert "one_credit_per_course" not in str(body) and "约束" not in str(body)


# --- Import -----------------------------------------------------------------------------------

HEADER = ["身份证号", "姓名", "课程编号", "培训名称", "学时", "完成日期", "层级", "类别", "形式"]


def upload(user, teacher, code):
    rows = [
        [
            teacher.reveal_id_number(),
            teacher.name,
            code,
            "",
            "8",
            "2026-03-01",
            "市培",
            "学科专业",
            "集中面授",
        ]
    ]
    job = imports.import_job_create(
        user=user,
        kind="training",
        file_name="学时.csv",
        data=files.csv_bytes(rows, header=HEADER),
    )
    job.refresh_from_db()
    return job


def row_errors(job):
    return [(e["column"], e["message"]) for r in job.rows.all() for e in r.errors]


@pytest.mark.parametrize("which", FOREIGN)
def test_the_import_refuses_a_foreign_course_like_an_unknown_code(world, courses, which):
    with translation.override("zh-hans"):
        unknown = upload(world.users["school"], world.teacher, "NO-SUCH-CODE")
        foreign = upload(world.users["school"], world.teacher, courses[which].code)
    assert row_errors(unknown) and row_errors(foreign) == row_errors(unknown)
    assert foreign.refused_rows == 1


def test_the_import_accepts_a_course_on_the_path(world, courses):
    job = upload(world.users["school"], world.teacher, courses["county"].code)
    assert job.refused_rows == 0 and job.new_rows == 1
