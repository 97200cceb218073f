"""Who may act on an import job: the uploader decides what becomes of an upload (confirm,
discard, its error workbook); so may a superuser. Bureau staff above the uploader see the job
in their scope but cannot act on it: 404, through every door, and the job is left as it was.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from rest_framework.test import APIClient

from portal.imports import services
from portal.models import ImportJob

from .. import factories
from .. import import_files as files

ROLES = ["province", "city", "county", "school", "teacher", "superuser"]
IN_SCOPE = {"province", "city", "county", "school", "superuser"}
MAY_ACT = {"school", "superuser"}  # the uploader and a superuser


@pytest.fixture(autouse=True)
def run_tasks_at_once(monkeypatch):
    monkeypatch.setattr(
        "django.db.transaction.on_commit", lambda func, using=None, robust=False: func()
    )


@pytest.fixture
def pending(world):
    """A school administrator's upload waiting in the preview, with one refused row (so it
    has an error workbook)."""
    code = world.school.code
    rows = [
        [code, "李明", factories.id_number(), "小学", "语文", "在编", "是", "一级教师", "2012-9-1"],
        [code, "坏行", "123", "小学"],
    ]
    job = services.import_job_create(
        user=world.users["school"], kind="roster", file_name="名单.csv", data=files.csv_bytes(rows)
    )
    job.refresh_from_db()
    assert (job.status, job.refused_rows) == ("preview", 1)
    assert job.stored_file
    return job


def _unchanged(job):
    job.refresh_from_db()
    return job.status == "preview" and bool(job.stored_file)


@pytest.mark.parametrize("role", ROLES)
def test_only_the_uploader_discards_a_pending_import(client, world, pending, role):
    client.force_login(world.users[role])
    response = client.post(reverse("import_cancel", args=[pending.pk]))
    if role in MAY_ACT:
        assert response.status_code == 302
        pending.refresh_from_db()
        assert pending.status == ImportJob.Status.CANCELLED
    else:
        assert response.status_code == 404
        assert _unchanged(pending)


@pytest.mark.parametrize("role", ROLES)
def test_only_the_uploader_confirms_a_pending_import(client, world, pending, role):
    client.force_login(world.users[role])
    response = client.post(reverse("import_confirm", args=[pending.pk]), {"valid_rows_only": "1"})
    assert response.status_code == (302 if role in MAY_ACT else 404)
    if role not in MAY_ACT:
        assert _unchanged(pending)
    api = APIClient()
    api.force_authenticate(world.users[role])
    response = api.post(f"/api/v1/imports/{pending.pk}/confirm/", {"valid_rows_only": True})
    if role not in MAY_ACT:
        assert response.status_code == 404
        assert _unchanged(pending)


@pytest.mark.parametrize("role", ROLES)
def test_only_the_uploader_reads_the_error_workbook(client, world, pending, role):
    client.force_login(world.users[role])
    page = client.get(reverse("import_error_workbook", args=[pending.pk]))
    api = APIClient()
    api.force_authenticate(world.users[role])
    door = api.get(f"/api/v1/imports/{pending.pk}/error-workbook/")
    expected = 200 if role in MAY_ACT else 404
    assert (page.status_code, door.status_code) == (expected, expected)


@pytest.mark.parametrize("role", ROLES)
def test_the_preview_offers_the_actions_to_the_uploader_only(client, world, pending, role):
    client.force_login(world.users[role])
    response = client.get(reverse("import_detail", args=[pending.pk]))
    if role not in IN_SCOPE:
        assert response.status_code == 404
        return
    page = response.content.decode()
    for name in ("import_cancel", "import_confirm", "import_error_workbook"):
        shown = reverse(name, args=[pending.pk]) in page
        if role not in MAY_ACT:
            assert not shown, name
        elif name != "import_confirm":  # a school cannot import only the valid rows
            assert shown, name


def test_the_api_has_no_other_door_that_changes_a_job(world, pending):
    api = APIClient()
    api.force_authenticate(world.users["county"])
    url = f"/api/v1/imports/{pending.pk}/"
    for method in ("put", "patch", "delete"):
        assert getattr(api, method)(url, {}).status_code in (404, 405)
    assert _unchanged(pending)


@pytest.mark.parametrize("action", ["confirm", "cancel"])
def test_the_services_refuse_anyone_but_the_uploader(world, pending, action):
    """Whatever door calls them, the services check who acts."""
    act = getattr(services, f"import_job_{action}")
    for role in ("province", "city", "county", "teacher"):
        with pytest.raises(PermissionDenied):
            act(job=pending, user=world.users[role])
        assert _unchanged(pending)
    act(job=pending, user=world.users["school"])
    pending.refresh_from_db()
    assert pending.status != "preview"
