"""The admin is one more door through the scope function: for a bureau's staff with admin
rights every choice a form offers (foreign keys, one-to-ones, many-to-manys, raw-id and
autocomplete fields, in the main form and in every inline) stays inside their scope, a
foreign id posted anyway is refused with a form error and nothing is written, and writes
that have a service go through it. A superuser still sees everything."""

from datetime import date

import pytest
from django.contrib.admin.sites import site
from django.contrib.auth.models import Permission
from django.forms import ModelChoiceField
from django.test import RequestFactory
from django.urls import reverse

from portal import scope
from portal.models import AuditEvent, ServicePeriod

# Reference rows a region defines for itself and the regions below it: staff may pick
# those of their own region, of the regions under it and of the regions above it.
DEFINED_ABOVE_OK = {
    "talent.Tier",
    "talent.Programme",
    "training.Provider",
    "training.Course",
    "honors.HonourType",
}
# Tables with no link to a region, a school or a teacher: anybody may pick from them.
GLOBAL = {"auth.Group", "auth.Permission", "contenttypes.ContentType"}


@pytest.fixture
def foreign(world):
    """Rows beside and above-beside the county staff's scope that a form could offer: the
    other city's ladder, targets, programme, provider and course; a tier of the sibling
    county."""
    from talent import presets
    from talent.models import Programme, Tier
    from training.models import Course, Provider

    presets.load("wenzhou", region=world.other_city)
    far_tiers = {t.code: t for t in Tier.objects.filter(region=world.other_city)}
    sibling_tier = Tier.objects.create(
        ladder="local",
        code="sibling",
        name="龙湾区骨干",
        level="county",
        rank=1,
        region=world.sibling_county,
    )
    far_programme = Programme.objects.create(
        name="杭州市名师培养",
        region=world.other_city,
        tier=far_tiers["city-famous-teacher"],
        window_start=date(2022, 1, 1),
        window_end=date(2025, 12, 31),
    )
    far_provider = Provider.objects.create(name="杭州培训中心", region=world.other_city)
    far_course = Course.objects.create(
        code="HZ2026001",
        title="杭州市学科研修",
        region=world.far_county,
        provider=far_provider,
        level="county",
        category="subject",
        hours=12,
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 3, 2),
    )
    return {
        "tier": far_tiers["jiaotan-xinxiu"],
        "sibling_tier": sibling_tier,
        "programme": far_programme,
        "provider": far_provider,
        "course": far_course,
    }


@pytest.fixture
def staff(world):
    """The county staff user with admin rights: is_staff and every model permission."""
    user = world.users["county"]
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.set(Permission.objects.all())
    return user


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _pages(client, user):
    """The url of every registered admin's add page and of the change page of its
    first object in the user's scope, popups included."""
    request = _request(user)
    for model, model_admin in site._registry.items():
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        if not model_admin.has_module_permission(request):
            continue
        if model_admin.has_add_permission(request):
            yield reverse(f"{name}_add")
            yield reverse(f"{name}_add") + "?_popup=1"
        obj = model_admin.get_queryset(request).order_by("pk").first()
        if obj is not None and model_admin.has_view_or_change_permission(request, obj):
            yield reverse(f"{name}_change", args=[obj.pk])


def _choice_fields(response):
    """(model label, field name, form field) of every row choice on an admin page: the
    main form and each inline's forms, empty form included."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms.extend(inline.formset.forms)
        forms.append(inline.formset.empty_form)
    for form in forms:
        for name, field in form.fields.items():
            if isinstance(field, ModelChoiceField):
                yield form._meta.model._meta.label, name, field


def _outside(user, queryset) -> list:
    """The rows of ``queryset`` outside what ``user`` may pick (an independent oracle:
    the region each row reaches by its registered path)."""
    model = queryset.model
    label = model._meta.label
    if label in GLOBAL:
        return []
    try:
        paths = scope.paths_for(model)
    except LookupError:
        return list(queryset)  # unknown and linked to users or scope: nothing may be offered
    if paths.region is None:
        return list(queryset)
    lookup = "path" if paths.region == "" else f"{paths.region}__path"
    mine = user.region.path
    bad = []
    for pk, path in queryset.values_list("pk", lookup):
        if path and path.startswith(mine):
            continue
        if label in DEFINED_ABOVE_OK and path and mine.startswith(path):
            continue
        bad.append((label, pk, path))
    return bad


def test_every_choice_of_every_admin_form_stays_in_the_staffs_scope(client, world, foreign, staff):
    client.force_login(staff)
    seen: dict[tuple[str, str], set] = {}
    leaks = []
    for url in _pages(client, staff):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        for label, name, field in _choice_fields(response):
            rows = set(field.queryset.values_list("pk", flat=True))
            seen.setdefault((label, name), set()).update(rows)
            leaks.extend((url, name, *bad) for bad in _outside(staff, field.queryset))
    assert leaks == []
    # Not vacuous: the forms the review named were walked and offer what is the staff's.
    assert seen[("portal.ServicePeriod", "school")] == {world.school.pk, world.sibling_school.pk}
    assert seen[("portal.Teacher", "school")] == {world.school.pk, world.sibling_school.pk}
    assert world.programme.tier_id in seen[("talent.Target", "tiers")]  # the city's ladder
    assert world.programme.tier_id in seen[("talent.Programme", "draws_from")]
    assert world.programme.pk in seen[("talent.Enrolment", "programme")]  # the city's
    assert world.teacher.pk in seen[("talent.Enrolment", "teacher")]
    assert seen[("talent.Tier", "region")] == {world.county.pk}


def test_a_superuser_is_still_offered_everything(client, world, foreign):
    from talent.models import Tier

    root = world.users["superuser"]
    client.force_login(root)
    seen: dict[tuple[str, str], set] = {}
    for url in _pages(client, root):
        response = client.get(url)
        assert response.status_code == 200, url
        for label, name, field in _choice_fields(response):
            limit = field.get_limit_choices_to() or {}
            every = field.queryset.model._default_manager.complex_filter(limit)
            assert field.queryset.count() == every.count(), (url, name)
            seen.setdefault((label, name), set()).update(
                field.queryset.values_list("pk", flat=True)
            )
    assert foreign["tier"].pk in seen[("talent.Target", "tiers")]
    assert seen[("talent.Programme", "draws_from")] == set(
        Tier.objects.values_list("pk", flat=True)
    )
    assert world.far_school.pk in seen[("portal.ServicePeriod", "school")]
    assert foreign["programme"].pk in seen[("talent.Enrolment", "programme")]


def test_every_admin_and_inline_is_scoped(staff):
    """Each admin a staff user can open is a ``ScopedAdmin``; each inline a ``ScopedInline``."""
    from portal.admin import ScopedAdmin, ScopedInline

    request = _request(staff)
    for model, model_admin in site._registry.items():
        if model_admin.has_module_permission(request):
            assert isinstance(model_admin, ScopedAdmin), model
        for inline in model_admin.inlines:
            assert issubclass(inline, ScopedInline), inline


# --- A foreign id posted anyway ------------------------------------------------------------


def _post_data(response) -> dict:
    """What the admin page would send back unchanged: the main form and every inline."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management[name].value()
        forms.extend(inline.formset.forms)
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            key = form.add_prefix(name)
            data[key] = [str(v) for v in value] if isinstance(value, list) else value
    return data


def _errors(response) -> list:
    errors = list(response.context["adminform"].form.errors.values())
    for inline in response.context["inline_admin_formsets"]:
        errors.extend(e for e in inline.formset.errors if e)
    return errors


def test_a_service_period_at_another_countys_school_is_refused(client, world, staff):
    client.force_login(staff)
    url = reverse("admin:portal_teacher_change", args=[world.teacher.pk])
    data = _post_data(client.get(url))
    prefix = "service_periods"
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = total + 1
    data.update(
        {
            f"{prefix}-{total}-school": world.far_school.pk,
            f"{prefix}-{total}-role": "teacher",
            f"{prefix}-{total}-stage": "primary",
            f"{prefix}-{total}-start": "2024-09-01",
        }
    )
    before = ServicePeriod.objects.count()
    response = client.post(url, data)
    assert response.status_code == 200 and _errors(response)
    assert ServicePeriod.objects.count() == before
    # The raw-id widget does not name the foreign school either.
    assert world.far_school.name not in response.content.decode()


def test_a_teacher_cannot_be_moved_to_another_countys_school(client, world, staff):
    client.force_login(staff)
    url = reverse("admin:portal_teacher_change", args=[world.teacher.pk])
    data = _post_data(client.get(url))
    data["school"] = world.far_school.pk
    response = client.post(url, data)
    assert response.status_code == 200 and "school" in response.context["adminform"].form.errors
    world.teacher.refresh_from_db()
    assert world.teacher.school_id == world.school.pk
    assert world.far_school.name not in response.content.decode()


def test_a_foreign_tier_in_a_target_or_a_programme_is_refused(client, world, foreign, staff):
    from talent.models import Programme, Target

    client.force_login(staff)
    mine = world.programme.tier  # the city's: defined above the county, may be picked
    target = {
        "plan": "鹿城区规划",
        "name": "教坛新秀",
        "region": world.county.pk,
        "kind": "in_force",
        "figure": "10",
        "plan_start": "2024-01-01",
        "deadline": "2025-12-31",
    }
    url = reverse("admin:talent_target_add")
    for tiers in (
        [foreign["tier"].pk],
        [foreign["sibling_tier"].pk],
        [mine.pk, foreign["tier"].pk],
    ):
        response = client.post(url, {**target, "tiers": tiers})
        assert response.status_code == 200, tiers
        assert "tiers" in response.context["adminform"].form.errors
    assert not Target.objects.filter(region=world.county).exists()
    response = client.post(url, {**target, "tiers": [mine.pk]})
    assert response.status_code == 302
    assert list(Target.objects.get(region=world.county).tiers.all()) == [mine]

    programme = {
        "name": "鹿城区新锐教师培养",
        "region": world.county.pk,
        "tier": foreign["sibling_tier"].pk,
        "window_start": "2024-01-01",
        "window_end": "2025-12-31",
    }
    url = reverse("admin:talent_programme_add")
    response = client.post(url, programme)
    assert "tier" in response.context["adminform"].form.errors
    response = client.post(url, {**programme, "tier": mine.pk, "draws_from": [foreign["tier"].pk]})
    assert "draws_from" in response.context["adminform"].form.errors
    assert not Programme.objects.filter(region=world.county).exists()


def test_a_provider_of_another_city_cannot_run_the_countys_course(client, world, foreign, staff):
    from training.models import Course

    client.force_login(staff)
    response = client.post(
        reverse("admin:training_course_add"),
        {
            "code": "LC2026001",
            "title": "鹿城区研修",
            "provider": foreign["provider"].pk,
            "region": world.county.pk,
            "level": "county",
            "category": "subject",
            "mode": "face_to_face",
            "hours": "6",
            "starts_on": "2026-03-01",
            "ends_on": "2026-03-01",
        },
    )
    assert "provider" in response.context["adminform"].form.errors
    assert not Course.objects.filter(code="LC2026001").exists()


# --- Enrolments go through the nomination service ------------------------------------------


def test_an_enrolment_added_in_the_admin_is_checked_for_eligibility(client, world, staff):
    from talent.models import Enrolment

    client.force_login(staff)
    url = reverse("admin:talent_enrolment_add")
    # The colleague holds none of the tiers the city's programme draws from.
    response = client.post(
        url,
        {"programme": world.programme.pk, "teacher": world.colleague.pk, "status": "recognised"},
    )
    assert response.status_code == 200
    errors = " ".join(str(e) for e in _errors(response))
    assert "教坛新秀" in errors or "jiaotan" in errors.lower() or "holders" in errors
    assert not Enrolment.objects.filter(teacher=world.colleague).exists()
    assert not AuditEvent.objects.filter(action="enrolment.nominate").exists()


def test_an_eligible_enrolment_is_nominated_by_the_service(client, world, staff):
    from talent.models import Enrolment, EnrolmentStep, Programme

    open_programme = Programme.objects.create(
        name="市级骨干培养",
        region=world.city,
        tier=world.programme.tier,
        window_start=date(2022, 1, 1),
        window_end=date(2030, 12, 31),
    )
    client.force_login(staff)
    response = client.post(
        reverse("admin:talent_enrolment_add"),
        {"programme": open_programme.pk, "teacher": world.colleague.pk, "status": "recognised"},
    )
    assert response.status_code == 302, _errors(response)
    enrolment = Enrolment.objects.get(programme=open_programme, teacher=world.colleague)
    assert enrolment.status == "nominated"  # the first step, whatever was posted
    assert EnrolmentStep.objects.filter(enrolment=enrolment, to_status="nominated").exists()
    event = AuditEvent.objects.get(action="enrolment.nominate")
    assert event.username == "county" and event.object_id == str(enrolment.pk)


def test_an_enrolment_of_a_foreign_teacher_or_programme_is_refused(client, world, foreign, staff):
    from talent.models import Enrolment

    client.force_login(staff)
    url = reverse("admin:talent_enrolment_add")
    for data in (
        {"programme": world.programme.pk, "teacher": world.far_teacher.pk},
        {"programme": foreign["programme"].pk, "teacher": world.colleague.pk},
    ):
        response = client.post(url, data)
        assert response.status_code == 200 and response.context["adminform"].form.errors
        assert world.far_teacher.name not in response.content.decode()
    assert Enrolment.objects.count() == 1  # the world's own


# --- Teachers go through the teacher service -----------------------------------------------


def test_a_teacher_moved_in_the_admin_goes_through_the_service(client, world, staff):
    client.force_login(staff)
    url = reverse("admin:portal_teacher_change", args=[world.teacher.pk])
    data = _post_data(client.get(url))
    data["school"] = world.sibling_school.pk
    response = client.post(url, data)
    assert response.status_code == 302, _errors(response)
    world.teacher.refresh_from_db()
    assert world.teacher.school_id == world.sibling_school.pk
    open_periods = world.teacher.service_periods.filter(end__isnull=True)
    assert [p.school_id for p in open_periods] == [world.sibling_school.pk]
    update = AuditEvent.objects.get(action="teacher.update")
    assert update.detail["via"] == "admin" and update.username == "county"
    assert update.detail["changes"]["school"][1] == world.sibling_school.name


# --- Autocomplete and list filters ---------------------------------------------------------


def test_autocomplete_offers_what_the_form_offers(client, world, foreign, staff):
    client.force_login(staff)

    def ids(app_label, model_name, field_name):
        response = client.get(
            reverse("admin:autocomplete"),
            {"app_label": app_label, "model_name": model_name, "field_name": field_name},
        )
        assert response.status_code == 200
        return {int(r["id"]) for r in response.json()["results"]}

    schools = ids("talent", "rotation", "to_school")
    assert schools == {world.school.pk, world.sibling_school.pk}
    tiers = ids("talent", "target", "tiers")
    assert world.programme.tier_id in tiers  # the city's ladder
    assert foreign["tier"].pk not in tiers and foreign["sibling_tier"].pk not in tiers


def test_related_list_filters_name_only_rows_in_scope(client, world, foreign, staff):
    client.force_login(staff)
    response = client.get(reverse("admin:talent_title_changelist"))
    assert response.status_code == 200
    text = response.content.decode()
    assert world.title.tier.name in text
    assert f"tier__id__exact={foreign['tier'].pk}" not in text


# --- Admins that know nothing of scope: superusers only ------------------------------------


def test_unscoped_admins_are_closed_to_staff_whatever_their_permissions(client, world, staff):
    """Users, groups and the log-in records belong to no region: with every permission a
    staff account still opens none of them, and cannot delete the superuser."""
    from portal.admin import ScopedAdmin

    root = world.users["superuser"]
    unscoped = [
        model
        for model, model_admin in site._registry.items()
        if not isinstance(model_admin, ScopedAdmin)
    ]
    labels = {model._meta.label for model in unscoped}
    assert {"portal.User", "auth.Group", "axes.AccessAttempt", "axes.AccessLog"} <= labels
    client.force_login(staff)
    for model in unscoped:
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        assert client.get(reverse(f"{name}_changelist")).status_code == 403, model
        assert client.get(reverse(f"{name}_add")).status_code == 403, model
    response = client.post(reverse("admin:portal_user_delete", args=[root.pk]), {"post": "yes"})
    assert response.status_code == 403
    root.refresh_from_db()

    client.force_login(root)
    for model in unscoped:
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        assert client.get(reverse(f"{name}_changelist")).status_code == 200, model


def test_an_inline_that_is_not_scoped_fails_the_system_check():
    from django.contrib import admin as django_admin

    from portal.admin import ScopedAdmin
    from portal.models import EthicsRecord, Teacher

    class Plain(django_admin.TabularInline):
        model = EthicsRecord

    class Careless(ScopedAdmin):
        inlines = [Plain]

    errors = Careless(Teacher, django_admin.site).check()
    assert [e.id for e in errors] == ["portal.A001"]


def test_staff_edit_their_own_region_without_moving_it(client, world, staff):
    client.force_login(staff)
    url = reverse("admin:portal_region_change", args=[world.county.pk])
    response = client.get(url)
    assert "parent" not in response.context["adminform"].form.fields  # the city: not theirs
    data = _post_data(response)
    data["is_mountain_island"] = "on"
    response = client.post(url, data)
    assert response.status_code == 302
    world.county.refresh_from_db()
    assert world.county.is_mountain_island and world.county.parent_id == world.city.pk


def test_a_school_added_in_the_admin_goes_through_the_service(client, world, staff):
    from portal.models import School

    client.force_login(staff)
    school = {"code": "3303029999", "name": "鹿城区新学校", "school_type": "primary"}
    url = reverse("admin:portal_school_add")
    response = client.post(url, {**school, "county": world.sibling_county.pk})
    assert "county" in response.context["adminform"].form.errors
    assert not School.objects.filter(code=school["code"]).exists()
    response = client.post(url, {**school, "county": world.county.pk, "is_public": "on"})
    assert response.status_code == 302
    created = School.objects.get(code=school["code"])
    event = AuditEvent.objects.get(action="school.create")
    assert event.object_id == str(created.pk) and event.detail["via"] == "admin"


def test_the_admin_never_shows_or_filters_by_what_the_mask_hides(client, world):
    """Attack F2: the change page showed the birth date beside the masked number, and the
    list took ``?birth_date=…`` although it is no filter of the page."""
    from portal.models import Teacher

    staff = world.users["superuser"]
    client.force_login(staff)
    teacher = world.teacher
    page = client.get(f"/admin/portal/teacher/{teacher.pk}/change/").content.decode()
    assert teacher.id_number_masked in page
    assert teacher.birth_date.isoformat() not in page
    assert f"{teacher.birth_date.year}年{teacher.birth_date.month}月" not in page
    for query in (
        f"birth_date={teacher.birth_date.isoformat()}",
        f"birth_date__year={teacher.birth_date.year}",
        "id_number_hash__startswith=a",
        "id_number_masked__contains=3",
    ):
        response = client.get(f"/admin/portal/teacher/?{query}")
        assert response.status_code in (302, 400), query  # Django: "?e=1", never a filter
    assert client.get("/admin/portal/teacher/?stage__exact=primary").status_code == 200
    assert Teacher.objects.count() > 1
