"""The training API: records with their review, compliance, summaries, me/training."""

from datetime import date

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from training.models import TrainingRecord


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2026, 11, 23))


@pytest.fixture
def api():
    return APIClient()


def test_teacher_reports_and_school_approves_through_the_api(api, world):
    api.force_authenticate(world.users["teacher"])
    response = api.post(
        "/api/v1/training/records/",
        {
            "teacher": world.teacher.pk,
            "description": "线上研修",
            "hours": "8.5",
            "completed_on": "2026-10-01",
            "level": "county",
            "category": "subject",
            "mode": "online",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    record = response.json()
    assert (record["status"], record["source"]) == ("pending", "self")
    assert api.post(f"/api/v1/training/records/{record['id']}/approve/").status_code == 403
    api.force_authenticate(world.users["school"])
    approved = api.post(f"/api/v1/training/records/{record['id']}/approve/").json()
    assert approved["status"] == "approved"
    api.force_authenticate(world.users["teacher"])
    mine = api.get("/api/v1/me/training/").json()
    assert mine["credited"] == "32.5"  # 24 from the world plus 8.5


def test_a_record_for_a_teacher_outside_scope_is_refused(api, world):
    api.force_authenticate(world.users["school"])
    response = api.post(
        "/api/v1/training/records/",
        {
            "teacher": world.far_teacher.pk,
            "description": "x",
            "hours": "3",
            "completed_on": "2026-10-01",
            "level": "county",
            "category": "subject",
        },
        format="json",
    )
    assert response.status_code == 400
    assert not TrainingRecord.objects.filter(teacher=world.far_teacher, description="x").exists()


def test_records_list_is_scoped(api, world):
    api.force_authenticate(world.users["county"])
    ids = {r["id"] for r in api.get("/api/v1/training/records/").json()["results"]}
    assert world.record.pk in ids and world.far_record.pk not in ids


def test_summaries_by_region(api, world):
    from training import services

    services.summaries_recompute()
    api.force_authenticate(world.users["city"])
    rows = api.get("/api/v1/training/summaries/", {"region": world.city.pk}).json()
    assert rows[0]["teachers"] == 4
    assert {r["name"] for r in rows[1:]} == {"鹿城区", "龙湾区"}
    far = api.get("/api/v1/training/summaries/", {"region": world.other_city.pk})
    assert far.status_code == 404


def test_compliance_explains_in_the_callers_language(api, world):
    api.force_authenticate(world.users["county"])
    data = api.get(
        f"/api/v1/training/compliance/{world.teacher.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).json()
    assert data["status"] in ("on_track", "behind", "at_risk", "complete")
    assert any("周期" in line for line in data["explanations"])
