"""Server-rendered pages: dashboards per role with the right numbers, search, the ID
number shown only masked or through an audited reveal, language and caching headers."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.models import AuditEvent

from .. import factories


def stat(response, name):
    match = re.search(rf'data-stat="{name}">([\d,]+)<', response.content.decode())
    return int(match.group(1).replace(",", ""))


def test_city_dashboard_counts_and_drills_down(client, world):
    world.colleague.is_full_time = False
    world.colleague.save()
    client.force_login(world.users["city"])
    response = client.get("/")
    assert (stat(response, "schools"), stat(response, "teachers"), stat(response, "full_time")) == (
        3,
        4,
        3,
    )
    overview = response.context["overview"]
    rows = {row.label: (row.schools, row.teachers, row.full_time) for row in overview.rows}
    assert rows == {"鹿城区": (2, 3, 2), "龙湾区": (1, 1, 1)}
    county_page = client.get(reverse("region_detail", args=[world.county.pk]))
    schools = {row.label: row.teachers for row in county_page.context["overview"].rows}
    assert schools == {"鹿城区第一小学": 2, "鹿城区第二小学": 1}


def test_province_dashboard_groups_by_city(client, world):
    client.force_login(world.users["province"])
    rows = {r.label: r.teachers for r in client.get("/").context["overview"].rows}
    assert rows == {"杭州市": 1, "温州市": 4}


def test_dashboard_query_count_is_fixed(client, world):
    client.force_login(world.users["city"])
    client.get("/")
    with CaptureQueriesContext(connection) as before:
        client.get("/")
    for n in range(10):
        factories.teacher(world.neighbour_school, name=factories.person_name(n, "新"))
    factories.school(world.sibling_county)
    with CaptureQueriesContext(connection) as after:
        client.get("/")
    assert len(after) == len(before) <= 10


def test_teacher_list_query_count_is_fixed(client, world):
    client.force_login(world.users["province"])
    client.get(reverse("teacher_list"))
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("teacher_list"))
    for n in range(10):
        factories.teacher(world.far_school, name=factories.person_name(n, "新"))
    with CaptureQueriesContext(connection) as after:
        client.get(reverse("teacher_list"))
    assert len(after) == len(before) <= 10


def test_school_admin_and_teacher_land_on_their_pages(client, world):
    client.force_login(world.users["school"])
    assert client.get("/").url == reverse("school_detail", args=[world.school.pk])
    client.force_login(world.users["teacher"])
    assert client.get("/").url == reverse("my_record")


def test_search_by_name_and_filters(client, world):
    client.force_login(world.users["county"])
    response = client.get(reverse("teacher_list"), {"q": "林"})
    assert [t.pk for t in response.context["page"]] == [world.teacher.pk]
    response = client.get(reverse("teacher_list"), {"county": world.county.pk})
    assert len(response.context["page"]) == 3


def test_search_by_bad_id_number_explains_in_chinese(client, world):
    client.force_login(world.users["county"])
    response = client.post(reverse("teacher_list"), {"id_number": "1.1010519491231e+17"})
    assert "科学计数法" in response.content.decode()
    assert len(response.context["page"]) == 0


def test_search_by_id_number_with_lowercase_x_and_spaces(client, world):
    teacher = factories.teacher(world.school, id_number="11010519491231002X", name="许静")
    client.force_login(world.users["county"])
    response = client.post(reverse("teacher_list"), {"id_number": " 110105 19491231 002x"})
    assert [t.pk for t in response.context["page"]] == [teacher.pk]
    # The number is never put back into a link on the page.
    assert "11010519491231002X" not in response.content.decode()


def test_an_id_number_in_the_address_is_refused(client, world):
    client.force_login(world.users["county"])
    clear = world.teacher.reveal_id_number()
    response = client.get(reverse("teacher_list"), {"id_number": clear})
    assert response.status_code == 400  # never a look-up, and never in a log


def test_staff_see_the_birth_year_not_the_birth_date(client, world):
    client.force_login(world.users["county"])
    page = client.get(reverse("teacher_detail", args=[world.teacher.pk])).content.decode()
    assert world.teacher.birth_date.strftime("%Y-%m-%d") not in page
    client.force_login(world.users["teacher"])
    page = client.get(reverse("my_record")).content.decode()
    assert world.teacher.birth_date.strftime("%Y-%m-%d") in page


def test_id_number_masked_for_staff_clear_for_self(client, world):
    clear = world.teacher.reveal_id_number()
    client.force_login(world.users["county"])
    page = client.get(reverse("teacher_detail", args=[world.teacher.pk])).content.decode()
    assert clear not in page and world.teacher.id_number_masked in page
    client.force_login(world.users["teacher"])
    assert clear in client.get(reverse("my_record")).content.decode()


def test_reveal_shows_the_number_and_audits_it(client, world):
    clear = world.teacher.reveal_id_number()
    client.force_login(world.users["school"])
    response = client.post(reverse("teacher_reveal", args=[world.teacher.pk]))
    assert clear in response.content.decode()
    event = AuditEvent.objects.get(action="teacher.reveal_id_number")
    assert (event.username, event.action) == ("school", "teacher.reveal_id_number")


def test_pages_with_personal_data_are_not_cached(client, world):
    client.force_login(world.users["county"])
    response = client.get(reverse("teacher_detail", args=[world.teacher.pk]))
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize(("language", "text"), [("zh-hans", "教师"), ("en", "Teachers")])
def test_chinese_by_default_english_available(client, world, language, text):
    client.force_login(world.users["county"])
    if language == "en":
        client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("teacher_list")).content.decode()
    assert f"<h1>{text}</h1>" in body
    assert f'lang="{language}"' in body


def test_session_ends_after_the_absolute_limit(client, world, settings):
    settings.SESSION_ABSOLUTE_SECONDS = -1
    client.force_login(world.users["county"])
    assert client.get("/").status_code == 302
    assert client.get("/").url.startswith(reverse("login"))


def test_login_page_logs_in_with_a_password(client, world):
    response = client.post(reverse("login"), {"username": "county", "password": factories.PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_an_english_browser_still_gets_chinese_until_it_switches(client, world):
    client.force_login(world.users["county"])
    body = client.get(reverse("teacher_list"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "<h1>教师</h1>" in body.content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("teacher_list"), HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert "<h1>Teachers</h1>" in body.content.decode()


def test_session_ends_after_the_idle_limit(client, world, settings):
    """Each request pushes the end of the session back by SESSION_COOKIE_AGE; a session left
    alone longer than that is over (the database backend's expiry date, as the cookie's)."""
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client.force_login(world.users["county"])
    assert client.get("/").status_code == 200
    stored = Session.objects.get(session_key=client.session.session_key)
    assert stored.expire_date > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
    Session.objects.filter(pk=stored.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
