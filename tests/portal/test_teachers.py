"""Teachers: ID numbers at rest, creation, moves between schools, derived years."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from portal import rules, selectors, services
from portal.models import AuditEvent, ServicePeriod, Teacher

from .. import factories


@pytest.fixture
def school(db):
    province = factories.province()
    city = factories.city(province)
    county = factories.county(city)
    return factories.school(county)


def test_id_number_is_not_stored_in_clear(school):
    teacher = factories.teacher(school, id_number="11010519491231002x")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM portal_teacher WHERE id = %s", [teacher.pk])
        raw_row = " ".join(str(value) for value in cursor.fetchone())
    assert "11010519491231002X" not in raw_row
    assert "19491231" not in raw_row  # not even the birth-date digits
    assert teacher.id_number_masked == "110105********002X"
    assert teacher.reveal_id_number() == "11010519491231002X"
    assert (teacher.birth_date, teacher.gender) == (date(1949, 12, 31), "F")


def test_lookup_by_id_number_uses_the_keyed_hash(school):
    teacher = factories.teacher(school, id_number="11010519491231002X")
    assert Teacher.objects.by_id_number("11010519491231002X").get() == teacher
    assert teacher.id_number_hash != "11010519491231002X"
    assert len(teacher.id_number_hash) == 64


def test_full_width_id_number_is_accepted_and_duplicates_refused(school):
    factories.teacher(school, id_number="１１０１０５１９４９１２３１００２Ｘ")
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        factories.teacher(school, id_number="11010519491231002x")
    assert "已存在" in str(caught.value)
    assert Teacher.objects.count() == 1


@pytest.mark.parametrize(
    "bad", ["110105194912310021", "1.1010519491231e+17", "110105491231002", "110105194902300025"]
)
def test_bad_id_number_creates_nothing(school, bad):
    with pytest.raises(ValidationError) as caught:
        factories.teacher(school, id_number=bad)
    assert "id_number" in caught.value.message_dict
    assert Teacher.objects.count() == 0
    assert ServicePeriod.objects.count() == 0


def test_creating_a_teacher_opens_a_service_period(school):
    teacher = factories.teacher(school, started_teaching=date(2015, 9, 1))
    period = teacher.service_periods.get()
    assert (period.school, period.role, period.start, period.end) == (
        school,
        "teacher",
        date(2015, 9, 1),
        None,
    )


def test_moving_school_closes_the_old_period_and_opens_a_new_one(school):
    teacher = factories.teacher(school, started_teaching=date(2015, 9, 1))
    services.service_period_open(
        teacher=teacher,
        school=school,
        role="head_teacher",
        stage="primary",
        start=date(2018, 9, 1),
    )
    other = factories.school(school.county, is_rural=True)
    services.teacher_update(teacher=teacher, school=other)
    periods = list(teacher.service_periods.order_by("start", "role"))
    closed = [p for p in periods if p.school == school]
    opened = [p for p in periods if p.school == other]
    assert all(p.end is not None for p in closed)
    assert {p.role for p in opened} == {"teacher", "head_teacher"}
    assert all(p.end is None for p in opened)


def test_service_summary_derives_years_from_periods(school):
    rural = factories.school(school.county, is_rural=True)
    teacher = factories.teacher(school, started_teaching=date(2000, 9, 1))
    teacher.service_periods.all().delete()
    for school_, role, stage, start, end in [
        (rural, "teacher", "primary", date(2000, 9, 1), date(2010, 8, 31)),
        (rural, "head_teacher", "primary", date(2001, 9, 1), date(2010, 8, 31)),
        # A two-year gap (study leave outside the records), then the town school.
        (school, "teacher", "junior", date(2012, 9, 1), None),
        (school, "head_teacher", "junior", date(2012, 9, 1), date(2020, 8, 31)),
    ]:
        services.service_period_open(
            teacher=teacher, school=school_, role=role, stage=stage, start=start, end=end
        )
    record = selectors.teacher_record(teacher, as_of=date(2026, 9, 1))
    summary = record.summary
    assert summary.completed_rural_years == 10
    assert summary.completed_teaching_years == 24  # 10 + 14, the gap skipped
    assert summary.head_teacher_by_stage["primary"] == rules.Served(9, 0)
    assert summary.head_teacher_by_stage["junior"] == rules.Served(8, 0)
    assert summary.head_teacher == rules.Served(17, 0)


def test_ethics_record_in_force_vetoes(school):
    teacher = factories.teacher(school)
    services.ethics_record_create(
        teacher=teacher,
        decided_on=date(2026, 7, 1),
        sanction="demerit",
        in_force_from=date(2026, 7, 1),
        in_force_to=date(2027, 6, 30),
    )
    assert selectors.teacher_record(teacher, as_of=date(2026, 6, 30)).veto is None
    assert selectors.teacher_record(teacher, as_of=date(2026, 7, 1)).veto is not None
    assert selectors.teacher_record(teacher, as_of=date(2027, 7, 1)).veto is None


def test_reveal_is_audited_without_the_number(school):
    teacher = factories.teacher(school, id_number="11010519491231002X")
    user = factories.user("staff-reveal", "county_staff", region=school.county)
    value = services.teacher_reveal_id_number(teacher=teacher, user=user, ip_address="10.0.0.1")
    assert value == "11010519491231002X"
    event = AuditEvent.objects.get(action="teacher.reveal_id_number")
    assert (event.user, event.object_id, event.ip_address) == (user, str(teacher.pk), "10.0.0.1")
    assert "11010519491231002X" not in f"{event.object_repr} {event.detail}"


def test_user_attachment_must_match_the_role(school):
    with pytest.raises(ValidationError):
        factories.user("nobody", "city_staff", region=school.county)  # a county, not a city
    with pytest.raises(ValidationError):
        factories.user("noschool", "school_admin")


def test_every_app_names_the_same_sanction_in_force(world):
    """Issue 17 item 4 / issue 13: "sanction in force" had four definitions, two of which
    picked different sanctions. One selector now answers for the kernel, honours and talent."""
    from honors import services as honour_services
    from talent import selectors as talent_selectors

    on = date(2026, 6, 1)
    services.ethics_record_create(
        teacher=world.colleague,
        decided_on=date(2026, 3, 1),
        sanction="warning",
        in_force_from=date(2026, 3, 1),
    )
    services.ethics_record_create(
        teacher=world.colleague,
        decided_on=date(2025, 1, 1),
        sanction="demerit",
        in_force_from=date(2025, 1, 1),
        in_force_to=date(2026, 12, 31),
    )
    kernel = selectors.teacher_record(world.colleague, as_of=on).veto.label
    assert honour_services._vetoes([world.colleague.pk], on)[world.colleague.pk] == kernel
    assert talent_selectors.ethics_vetoes([world.colleague.pk], on)[world.colleague.pk] == kernel
    assert selectors.ethics_vetoes([world.colleague.pk], on)[world.colleague.pk] == kernel
