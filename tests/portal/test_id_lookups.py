"""A full ID number finds a teacher only as a reveal: the mask hides the birth date, and
with the birth year and the check digit about 33 numbers remain, so every door that answers
"is this the number?" is audited, limited per account per hour and open only to those who
may reveal; no field beside a masked number narrows it for anyone else."""

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from portal.models import AuditEvent, Teacher
from tests import factories as f


@pytest.fixture
def api():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture(autouse=True)
def _fresh_allowance():
    cache.clear()
    yield
    cache.clear()


def _candidates(teacher, year_digits=None):
    """The numbers that share the teacher's mask and birth year: the attack's guesses."""
    clear = teacher.reveal_id_number()
    from datetime import date, timedelta

    from portal import rules

    start = date(teacher.birth_date.year, 1, 1)
    out = []
    for day in range(366):
        birth = start + timedelta(days=day)
        if birth.year != start.year:
            break
        first17 = clear[:6] + f"{birth:%Y%m%d}" + clear[14:17]
        if rules.id_check_character(first17) == clear[17]:
            out.append(first17 + clear[17])
    return out


def test_searching_by_id_number_on_the_api_is_audited(api, world):
    api.force_authenticate(world.users["county"])
    clear = world.teacher.reveal_id_number()
    before = AuditEvent.objects.filter(action="teacher.find_by_id_number").count()
    api.post("/api/v1/teachers/search/", {"id_number": clear}, format="json")
    events = AuditEvent.objects.filter(action="teacher.find_by_id_number")
    assert events.count() == before + 1
    event = events.latest("pk")
    assert event.username == "county"
    assert event.detail["found"] == 1
    assert clear not in str(event.detail) and clear not in event.object_repr


def test_a_miss_is_audited_too(api, world):
    api.force_authenticate(world.users["county"])
    far = world.far_teacher.reveal_id_number()
    api.post("/api/v1/teachers/search/", {"id_number": far}, format="json")
    event = AuditEvent.objects.filter(action="teacher.find_by_id_number").latest("pk")
    assert event.detail["found"] == 0


@override_settings(ID_LOOKUPS_PER_HOUR=10)
@pytest.mark.parametrize("role", ["county", "school"])
def test_guessing_a_full_number_from_its_mask_is_stopped(api, world, role):
    api.force_authenticate(world.users[role])
    target = world.colleague  # in both users' scope
    guesses = _candidates(target)
    assert len(guesses) > 10
    statuses = [
        api.post("/api/v1/teachers/search/", {"id_number": g}, format="json").status_code
        for g in guesses
    ]
    assert statuses[:10] == [200] * 10
    assert set(statuses[10:]) == {429}
    assert AuditEvent.objects.filter(action="teacher.find_by_id_number").count() == 10


@override_settings(ID_LOOKUPS_PER_HOUR=3)
def test_the_page_search_shares_the_allowance(client, world):
    client.force_login(world.users["county"])
    clear = world.teacher.reveal_id_number()
    for _ in range(3):
        page = client.post(reverse("teacher_list"), {"id_number": clear})
        assert world.teacher.name in page.content.decode()
    page = client.post(reverse("teacher_list"), {"id_number": clear})
    body = page.content.decode()
    assert "已达单个账号上限" in body
    assert world.teacher.name not in body.split("<table")[-1] if "<table" in body else True


def test_a_teacher_may_not_search_by_id_number(api, client, world):
    api.force_authenticate(world.users["teacher"])
    other = world.colleague.reveal_id_number()
    response = api.post("/api/v1/teachers/search/", {"id_number": other}, format="json")
    assert response.status_code == 403
    client.force_login(world.users["teacher"])
    page = client.get(reverse("teacher_list"))
    assert 'name="id_number"' not in page.content.decode()


def test_no_birth_year_beside_a_masked_number_for_who_may_not_reveal(api, world):
    from portal.api.serializers import TeacherSerializer

    class Request:
        user = world.users["teacher"]

    # A teacher sees their own birth year, and nobody else's.
    mine = TeacherSerializer(world.teacher, context={"request": Request}).data
    theirs = TeacherSerializer(world.colleague, context={"request": Request}).data
    assert mine["birth_year"] == world.teacher.birth_date.year
    assert theirs["birth_year"] is None


def test_nomination_lists_count_against_the_allowance(client, world):
    from talent.models import Programme

    programme = Programme.objects.filter(region=world.city).first() or Programme.objects.first()
    assert programme is not None
    client.force_login(world.users["city"])
    numbers = [t.reveal_id_number() for t in Teacher.objects.all()[:2]]
    with override_settings(ID_LOOKUPS_PER_HOUR=1):
        client.post(
            reverse("talent_programme", args=[programme.pk]), {"id_numbers": "\n".join(numbers)}
        )
    assert not AuditEvent.objects.filter(action="teacher.find_by_id_number").exists()
    client.post(reverse("talent_programme", args=[programme.pk]), {"id_numbers": numbers[0]})
    assert AuditEvent.objects.filter(action="teacher.find_by_id_number").count() == 1


def test_the_mask_hides_the_birth_date(world):
    teacher = f.teacher(world.school, id_number="11010519491231002X")
    assert teacher.id_number_masked == "110105********002X"


# --- Imports that test full numbers (attack F1, F4) ----------------------------------------


@pytest.fixture
def now_tasks(monkeypatch):
    monkeypatch.setattr(
        "django.db.transaction.on_commit", lambda func, using=None, robust=False: func()
    )


def _roster(world, numbers, name="陈明"):
    from tests import import_files as files

    rows = [
        [world.school.code, name, n, "小学", "语文", "在编", "是", "一级教师", "2012-09-01"]
        for n in numbers
    ]
    return files.csv_bytes(rows)


def _upload(user, data, kind="roster", **options):
    from portal.imports import services as imports

    job = imports.import_job_create(
        user=user, kind=kind, file_name="名单.csv", data=data, **options
    )
    job.refresh_from_db()
    return job


def test_a_roster_of_guesses_at_a_colleagues_number_is_refused_past_the_allowance(world, now_tasks):
    guesses = _candidates(world.colleague)
    with override_settings(ID_LOOKUPS_PER_HOUR=10):
        job = _upload(world.users["school"], _roster(world, guesses))
    assert job.status == "refused"
    assert "掩码隐去的数字" in " ".join(job.file_errors)
    assert not job.rows.exists()  # nothing shown: no row says which number matched
    event = AuditEvent.objects.filter(action="teacher.find_by_id_number").latest("pk")
    assert event.detail == {"via": "import:roster", "asked": len(guesses) - 1}


def test_within_the_allowance_the_guesses_are_counted_and_audited(api, world, now_tasks):
    guesses = _candidates(world.colleague)[:5]
    if world.colleague.reveal_id_number() not in guesses:
        guesses.append(world.colleague.reveal_id_number())
    with override_settings(ID_LOOKUPS_PER_HOUR=len(guesses) + 1):
        job = _upload(world.users["school"], _roster(world, guesses))
        assert job.status == "preview"
        event = AuditEvent.objects.filter(action="teacher.find_by_id_number").latest("pk")
        assert event.detail["asked"] == len(guesses) - 1
        # The allowance is spent: the next two searches, one is refused.
        api.force_authenticate(world.users["school"])
        clear = world.teacher.reveal_id_number()
        codes = [
            api.post("/api/v1/teachers/search/", {"id_number": clear}, format="json").status_code
            for _ in range(3)
        ]
    assert codes[0] == 200 and 429 in codes


def test_a_genuine_roster_costs_no_look_up(world, now_tasks):
    numbers = [t.reveal_id_number() for t in (world.teacher, world.colleague)]
    with override_settings(ID_LOOKUPS_PER_HOUR=1):
        job = _upload(world.users["school"], _roster(world, numbers))
    assert job.status == "preview"
    assert not AuditEvent.objects.filter(action="teacher.find_by_id_number").exists()


def test_transfer_rows_count_as_look_ups_once_written(api, world, now_tasks):
    from portal.imports import services as imports

    outside = [world.neighbour_teacher.reveal_id_number(), world.far_teacher.reveal_id_number()]
    with override_settings(ID_LOOKUPS_PER_HOUR=3):
        job = _upload(world.users["school"], _roster(world, outside, name="赵磊"))
        assert job.status == "preview"
        assert not AuditEvent.objects.filter(action="teacher.find_by_id_number").exists()
        imports.import_job_confirm(job=job, user=world.users["school"])
        event = AuditEvent.objects.filter(action="teacher.find_by_id_number").latest("pk")
        assert event.detail == {"via": "import:transfer", "asked": 2}
        api.force_authenticate(world.users["school"])
        clear = world.teacher.reveal_id_number()
        codes = [
            api.post("/api/v1/teachers/search/", {"id_number": clear}, format="json").status_code
            for _ in range(2)
        ]
    assert codes == [200, 429]
