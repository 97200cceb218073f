"""A region's path decides what its staff see. Every way a region comes to exist or moves
sets it through the region services, the database refuses a path that is not ids from the
root, and the scope function fails closed on a path it cannot trust: nothing, never all."""

import io
import logging

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from portal import services
from portal.choices import Role
from portal.models import NO_SUBTREE, Region, Teacher
from portal.scope import scope_queryset
from tests import factories as f


def _text(response) -> str:
    """A page, JSON, CSV or xlsx answer as text (an xlsx by its cells)."""
    content = response.content if not response.streaming else b"".join(response.streaming_content)
    if content.startswith(b"PK"):
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
        )
    return content.decode("utf-8-sig")


def _admin_client(client, world):
    client.force_login(world.users["superuser"])
    return client


def test_a_county_added_in_the_admin_gets_its_path_and_its_staff_see_only_it(client, world):
    _admin_client(client, world)
    response = client.post(
        "/admin/portal/region/add/",
        {
            "code": "330399",
            "name": "新县",
            "level": "county",
            "parent": world.city.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    county = Region.objects.get(code="330399")
    assert county.path == f"{world.city.path}{county.pk}/"
    assert county.path_is_valid
    staff = f.user("newcounty", Role.COUNTY_STAFF, region=county)
    assert scope_queryset(staff, Teacher.objects.all()).count() == 0
    # …and its export holds no teacher of anyone else's.
    client.force_login(staff)
    export = client.get("/teachers/export/")
    body = _text(export) if export.status_code == 200 else ""
    for teacher in Teacher.objects.all():
        assert teacher.name not in body


def test_the_admin_refuses_a_county_under_a_province(client, world):
    _admin_client(client, world)
    response = client.post(
        "/admin/portal/region/add/",
        {"code": "330398", "name": "错县", "level": "county", "parent": world.province.pk},
    )
    assert response.status_code == 200
    assert not Region.objects.filter(code="330398").exists()


def test_moving_a_region_in_the_admin_rewrites_its_subtree(client, world):
    _admin_client(client, world)
    response = client.post(
        f"/admin/portal/region/{world.county.pk}/change/",
        {"code": world.county.code, "name": world.county.name, "parent": world.other_city.pk},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    world.county.refresh_from_db()
    assert world.county.path == f"{world.other_city.path}{world.county.pk}/"
    city_staff = world.users["city"]
    assert not scope_queryset(city_staff, Teacher.objects.filter(pk=world.teacher.pk)).exists()


def test_region_update_moves_the_whole_subtree(world):
    moved = services.region_update(region=world.city, name="温州")
    assert moved.name == "温州"
    assert moved.path == world.city.path
    other_province = f.region("340000", "安徽省", "province")
    services.region_update(region=world.city, parent=other_province)
    world.county.refresh_from_db()
    world.city.refresh_from_db()
    assert world.city.path == f"{other_province.path}{world.city.pk}/"
    assert world.county.path == f"{world.city.path}{world.county.pk}/"
    assert world.county.path_is_valid
    assert (
        not scope_queryset(world.users["province"], Teacher.objects.all())
        .filter(school__county=world.county)
        .exists()
    )


@pytest.mark.parametrize("bad_path", ["", "pending", "/", "x/1/", "/1/2/a/"])
def test_the_database_refuses_a_path_that_is_not_ids_from_the_root(world, bad_path):
    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.filter(pk=world.county.pk).update(path=bad_path)


@pytest.mark.parametrize(
    "corrupt",
    [
        lambda w: w.province.path,  # a county holding the province's path
        lambda w: w.city.path,  # …or its parent's
        lambda w: f"{w.city.path}{w.sibling_county.pk}/",  # …or its sibling's
        lambda w: f"{w.city.path}0/",  # the creation placeholder
    ],
)
def test_staff_of_a_region_with_an_untrusted_path_see_nothing(world, corrupt, caplog):
    Region.objects.filter(pk=world.county.pk).update(path=corrupt(world))
    staff = world.users["county"]
    staff.refresh_from_db()
    staff.region.refresh_from_db()
    assert not staff.region.path_is_valid
    assert staff.region.subtree_prefix == NO_SUBTREE
    with caplog.at_level(logging.ERROR, logger="portal.scope"):
        assert scope_queryset(staff, Teacher.objects.all()).count() == 0
        assert scope_queryset(staff, Region.objects.all()).count() == 0
    assert any("scope refused" in r.getMessage() for r in caplog.records)


def test_every_door_of_a_region_with_an_untrusted_path_is_empty(client, world):
    Region.objects.filter(pk=world.county.pk).update(path=world.province.path)
    client.force_login(world.users["county"])
    for url in ["/teachers/", "/teachers/export/", "/api/v1/teachers/", "/api/v1/schools/"]:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        body = _text(response)
        for teacher in Teacher.objects.all():
            assert teacher.name not in body, url


def test_staff_attached_at_the_wrong_level_see_nothing(world):
    staff = world.users["county"]
    Region.objects.filter(pk=staff.region_id).update(level="city")
    staff.refresh_from_db()
    assert scope_queryset(staff, Teacher.objects.all()).count() == 0


def test_regions_loaded_around_the_services_get_their_paths_rebuilt(world):
    """A fixture or a restore writes rows directly: the paths may be any valid-looking ids.
    The rebuild writes them again from the parent links, and the scope trusts them again."""
    from django.core.management import call_command

    Region.objects.filter(pk=world.county.pk).update(path=world.province.path)
    Region.objects.filter(pk=world.city.pk).update(path="/999/")
    out = io.StringIO()
    call_command("rebuild_region_paths", stdout=out)
    assert "2 region paths rewritten" in out.getvalue()
    for region in Region.objects.all():
        assert region.path_is_valid, region
    world.county.refresh_from_db()
    assert world.county.path == f"{world.province.path}{world.city.pk}/{world.county.pk}/"
    assert scope_queryset(world.users["county"], Teacher.objects.all()).count() == 3


def test_staff_with_admin_rights_add_regions_only_under_their_own(client, world):
    """Attack F13: a county's admin account created a province outside every scope."""
    from django.contrib.auth.models import Permission

    staff = world.users["city"]
    staff.is_staff = True
    staff.save()
    staff.user_permissions.set(
        Permission.objects.filter(codename__in=["add_region", "view_region"])
    )
    client.force_login(staff)
    response = client.post(
        "/admin/portal/region/add/", {"code": "990000", "name": "伪省", "level": "province"}
    )
    assert response.status_code == 200
    assert not Region.objects.filter(code="990000").exists()
    with pytest.raises(ValidationError):
        services.region_create(code="990001", name="伪省", level="province", actor=staff)
    with pytest.raises(ValidationError):
        services.region_create(
            code="330199", name="外县", level="county", parent=world.other_city, actor=staff
        )
    ok = client.post(
        "/admin/portal/region/add/",
        {"code": "330398", "name": "新区", "level": "county", "parent": world.city.pk},
    )
    assert ok.status_code == 302
    assert Region.objects.get(code="330398").path_is_valid
