"""Review in bulk, awards with numbers and codes, certificates (PDF, font embedded, no ID
number), batches as one file, the public verification page, nominations, and a teacher's
honours with the ones they are close to."""

import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from honors import services
from honors.models import Award, AwardBatch, Candidate, HonourType
from portal import services as kernel

from .. import factories


def proposed(world, teacher, code="teaching-30", year=2026):
    return Candidate.objects.create(
        honour_type=HonourType.objects.get(region=world.city, code=code),
        teacher=teacher,
        year=year,
        years=30,
    )


def test_approval_numbers_each_type_and_year_in_order(world):
    others = [proposed(world, t) for t in (world.sibling_teacher, world.neighbour_teacher)]
    count, refused, batch = services.candidates_review(
        candidates=Candidate.objects.filter(pk__in=[c.pk for c in [world.candidate, *others]]),
        actor=world.users["city"],
        approve=True,
        on=date(2026, 10, 1),
    )
    assert (count, refused) == (3, [])
    awards = Award.objects.filter(batch=batch).order_by("sequence")
    # The world's teacher already holds number 1 of 2026.
    assert [a.sequence for a in awards] == [2, 3, 4]
    honour_id = awards[0].honour_type_id
    assert awards[0].certificate_number == f"330300-2026-{honour_id:04d}-00002"  # all digits
    codes = set(Award.objects.values_list("verification_code", flat=True))
    assert len(codes) == Award.objects.count() and all(len(c) == 12 for c in codes)
    assert not Candidate.objects.filter(pk=world.candidate.pk, status="proposed").exists()
    # Another year starts again at 1 (a teacher who holds no 任教满 30 年 yet).
    later = proposed(world, factories.teacher(world.school, name="何老师"), year=2027)
    services.candidates_review(
        candidates=Candidate.objects.filter(pk=later.pk),
        actor=world.users["city"],
        approve=True,
        on=date(2027, 10, 1),
    )
    assert Award.objects.get(candidate=later).sequence == 1


def test_rejection_needs_a_reason_and_is_kept(world):
    with pytest.raises(ValidationError):
        services.candidates_review(
            candidates=Candidate.objects.filter(pk=world.candidate.pk),
            actor=world.users["city"],
            approve=False,
        )
    services.candidates_review(
        candidates=Candidate.objects.filter(pk=world.candidate.pk),
        actor=world.users["city"],
        approve=False,
        reason="服务年限材料不全",
    )
    world.candidate.refresh_from_db()
    assert (world.candidate.status, world.candidate.reason) == ("rejected", "服务年限材料不全")
    assert world.candidate.reviewed_by == world.users["city"]


def test_a_county_cannot_decide_a_city_honour_and_a_new_sanction_stops_the_award(world):
    count, refused, _batch = services.candidates_review(
        candidates=Candidate.objects.filter(pk=world.candidate.pk),
        actor=world.users["county"],
        approve=True,
    )
    assert count == 0 and "温州市" in refused[0]
    kernel.ethics_record_create(
        teacher=world.colleague,
        decided_on=date(2026, 10, 1),
        sanction="warning",
        in_force_from=date(2026, 10, 1),
    )
    count, refused, _batch = services.candidates_review(
        candidates=Candidate.objects.filter(pk=world.candidate.pk),
        actor=world.users["city"],
        approve=True,
        on=date(2026, 10, 2),
    )
    world.candidate.refresh_from_db()
    assert count == 0 and world.candidate.status == "vetoed"
    assert not Award.objects.filter(candidate=world.candidate).exists()


def test_the_review_page_approves_ticked_candidates(client, world):
    client.force_login(world.users["city"])
    page = client.get(reverse("honours_candidates") + "?year=2026").content.decode()
    assert world.colleague.name in page and 'name="candidate"' in page
    response = client.post(
        reverse("honours_candidates") + "?year=2026",
        {"candidate": [world.candidate.pk], "decision": "approve"},
    )
    assert response.status_code == 302
    assert Award.objects.filter(candidate=world.candidate).exists()
    # The county sees the candidate but has no box to tick: the city decides.
    client.force_login(world.users["county"])
    other = proposed(world, world.sibling_teacher)
    page = client.get(reverse("honours_candidates") + "?year=2026").content.decode()
    assert world.sibling_teacher.name in page
    assert f'name="candidate" value="{other.pk}"' not in page


@pytest.mark.cjk_font
def test_certificates_embed_the_font_and_hide_the_id_number(client, world):
    client.force_login(world.users["teacher"])
    response = client.get(reverse("honours_certificate", args=[world.award.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    body = response.content
    assert body.startswith(b"%PDF") and b"/FontFile2" in body
    assert world.teacher.reveal_id_number().encode() not in body
    assert world.teacher.id_number_masked.encode() not in body
    # A batch downloads as one file, one page per certificate.
    more = [proposed(world, t) for t in (world.neighbour_teacher, world.sibling_teacher)]
    _n, _r, batch = services.candidates_review(
        candidates=Candidate.objects.filter(pk__in=[c.pk for c in more]),
        actor=world.users["city"],
        approve=True,
    )
    client.force_login(world.users["city"])
    response = client.get(reverse("honours_batch", args=[batch.pk]))
    assert response.status_code == 200
    assert len(re.findall(rb"/Type\s*/Page[^s]", response.content)) == 2
    from portal.models import AuditEvent

    assert AuditEvent.objects.filter(action="honours.certificates").count() == 2


def test_verification_page_confirms_without_the_id_number(client, world):
    code = world.award.verification_code
    loose = f"{code[:4].lower()}-{code[4:8]} {code[8:]}"
    response = client.get(reverse("honours_verify_form") + f"?code={loose}")
    assert response.status_code == 302 and response["Location"].endswith(f"/verify/{code}/")
    page = client.get(response["Location"]).content.decode()
    assert 'data-verify="valid"' in page and world.teacher.name in page
    assert world.teacher.reveal_id_number() not in page
    assert world.teacher.id_number_masked not in page
    services.award_revoke(award=world.award, actor=world.users["city"], reason="撤销")
    assert 'data-verify="revoked"' in client.get(f"/verify/{code}/").content.decode()
    missing = client.get("/verify/ZZZZZZZZZZZZ/")
    assert missing.status_code == 404 and 'data-verify="unknown"' in missing.content.decode()


def on_day(monkeypatch, day):
    """Today is ``day`` (nominations are for this year's selection, awards for years come)."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: day)


def test_nominated_honours_take_nominations_and_the_veto(client, world, monkeypatch):
    on_day(monkeypatch, date(2028, 3, 1))
    excellent = HonourType.objects.get(region=world.city, code="excellent-teacher")
    client.force_login(world.users["county"])
    client.post(
        reverse("honours_nominate") + "?year=2028",
        {"honour": excellent.pk, "id_number": world.teacher.reveal_id_number(), "note": "骨干"},
    )
    assert Candidate.objects.filter(honour_type=excellent, teacher=world.teacher).exists()
    thirty = HonourType.objects.get(region=world.city, code="teaching-30")
    with pytest.raises(ValidationError):
        services.candidate_nominate(
            honour=thirty, teacher=world.colleague, year=2028, actor=world.users["county"]
        )
    kernel.ethics_record_create(
        teacher=world.colleague,
        decided_on=date(2026, 1, 1),
        sanction="warning",
        in_force_from=date(2026, 1, 1),
    )
    with pytest.raises(ValidationError):
        services.candidate_nominate(
            honour=excellent, teacher=world.colleague, year=2028, actor=world.users["county"]
        )


def test_a_teacher_sees_honours_and_how_close_they_are(client, world, monkeypatch):
    # Rural years: 27 full years at the rural sibling school, still serving.
    teacher = world.sibling_teacher
    teacher.service_periods.update(start=date(1999, 9, 1))
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: date(2026, 9, 1))
    client.force_login(world.users["county"])
    page = client.get(reverse("teacher_detail", args=[teacher.pk])).content.decode()
    assert 'data-close="rural-30"' in page and "还差 3 年" in page
    client.force_login(world.users["teacher"])
    mine = client.get(reverse("my_record")).content.decode()
    assert world.award.certificate_number in mine and "data-certificate" in mine


def test_the_scan_button_runs_the_scan_for_the_region(client, world, monkeypatch):
    monkeypatch.setattr(
        "django.db.transaction.on_commit", lambda func, using=None, robust=False: func()
    )
    world.neighbour_teacher.service_periods.update(start=date(1990, 9, 1))
    client.force_login(world.users["city"])
    client.post(reverse("honours_scan") + "?year=2026")
    assert Candidate.objects.filter(teacher=world.neighbour_teacher, year=2026).exists()
    assert AwardBatch.objects.count() == 2  # the world's; the scan awards nothing


def test_the_awarding_region_revokes_an_award_with_a_reason(client, world):
    client.force_login(world.users["city"])
    page = client.get(reverse("honours_awards") + "?year=2026").content.decode()
    assert f'data-revoke="{world.award.pk}"' in page
    client.post(reverse("honours_revoke", args=[world.award.pk]), {"reason": ""})
    world.award.refresh_from_db()
    assert world.award.revoked_on is None  # a reason is required
    client.post(reverse("honours_revoke", args=[world.award.pk]), {"reason": "材料不实"})
    world.award.refresh_from_db()
    assert world.award.revoked_on and world.award.revoke_reason == "材料不实"
    code = world.award.verification_code
    assert 'data-verify="revoked"' in client.get(f"/verify/{code}/").content.decode()
    assert client.get(reverse("honours_certificate", args=[world.award.pk])).status_code == 404


# --- Awarded once per person and type (POLICY §8) ---------------------------------------------


def test_approval_refuses_a_second_award_of_the_type_and_names_it(world):
    """The world's teacher holds the city's 任教满 30 年 of 2026: a 2027 candidate (proposed
    by the scan before the rule) is refused with the teacher and the honour named, and no
    second certificate is numbered."""
    from django.utils import translation

    again = proposed(world, world.teacher, year=2027)
    with translation.override("en"):
        count, refused, batch = services.candidates_review(
            candidates=Candidate.objects.filter(pk=again.pk),
            actor=world.users["city"],
            approve=True,
            on=date(2027, 10, 1),
        )
    assert (count, batch) == (0, None)
    assert len(refused) == 1
    assert world.teacher.name in refused[0] and "任教满 30 年荣誉证书" in refused[0]
    assert world.award.certificate_number in refused[0] and "once" in refused[0]
    assert Award.objects.filter(teacher=world.teacher).count() == 1
    again.refresh_from_db()
    assert again.status == "rejected" and world.award.certificate_number in again.reason
    assert not AwardBatch.objects.filter(year=2027).exists()


def test_two_years_of_candidates_approved_in_one_call_award_once(world):
    """The race inside one approval: the same teacher's 2026 and 2027 candidates for one
    type. The earlier year is awarded; the later one is refused."""
    first = proposed(world, world.sibling_teacher, year=2026)
    second = proposed(world, world.sibling_teacher, year=2027)
    count, refused, _batch = services.candidates_review(
        candidates=Candidate.objects.filter(pk__in=[second.pk, first.pk]),
        actor=world.users["city"],
        approve=True,
        on=date(2027, 10, 1),
    )
    assert count == 1 and len(refused) == 1 and world.sibling_teacher.name in refused[0]
    assert list(
        Award.objects.filter(teacher=world.sibling_teacher).values_list("year", flat=True)
    ) == [2026]
    second.refresh_from_db()
    assert second.status == "rejected"


def test_one_approval_after_another_awards_once_and_a_revoked_award_may_be_given_again(
    world, monkeypatch
):
    on_day(monkeypatch, date(2028, 6, 1))
    first = proposed(world, world.neighbour_teacher, year=2026)
    second = proposed(world, world.neighbour_teacher, year=2027)
    city = world.users["city"]
    assert (
        services.candidates_review(
            candidates=Candidate.objects.filter(pk=first.pk), actor=city, approve=True
        )[0]
        == 1
    )
    count, refused, _batch = services.candidates_review(
        candidates=Candidate.objects.filter(pk=second.pk), actor=city, approve=True
    )
    assert count == 0 and world.neighbour_teacher.name in refused[0]
    # Revoked: the teacher may be awarded the type again.
    services.award_revoke(award=first.award, actor=city, reason="材料不实")
    third = proposed(world, world.neighbour_teacher, year=2028)
    assert (
        services.candidates_review(
            candidates=Candidate.objects.filter(pk=third.pk), actor=city, approve=True
        )[0]
        == 1
    )
    assert (
        Award.objects.filter(teacher=world.neighbour_teacher, revoked_on__isnull=True).count() == 1
    )


def test_the_database_refuses_a_second_award_in_force(world):
    from django.db import IntegrityError, transaction

    def duplicate(**fields):
        return Award.objects.create(
            honour_type=world.award.honour_type,
            teacher=world.teacher,
            year=2027,
            sequence=99,
            certificate_number="330300-TEACHING-30-2027-00099",
            verification_code="ZZZZZZZZZZZZ",
            awarded_on=date(2027, 10, 1),
            **fields,
        )

    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate()
    world.award.revoked_on = date(2027, 1, 1)
    world.award.save()
    duplicate()  # the first is revoked: a new award is in force alone


def test_the_page_and_the_api_say_why_a_duplicate_is_refused(client, world, monkeypatch):
    on_day(monkeypatch, date(2028, 6, 1))
    from rest_framework.test import APIClient

    again = proposed(world, world.teacher, year=2027)
    client.force_login(world.users["city"])
    response = client.post(
        reverse("honours_candidates") + "?year=2027",
        {"candidate": [again.pk], "decision": "approve"},
        follow=True,
    )
    page = response.content.decode()
    assert world.award.certificate_number in page and world.teacher.name in page
    assert Award.objects.filter(teacher=world.teacher).count() == 1
    other = proposed(world, world.teacher, code="teaching-30", year=2028)
    api = APIClient()
    api.force_authenticate(world.users["city"])
    body = api.post(
        "/api/v1/honour-candidates/review/",
        {"candidates": [other.pk], "decision": "approve"},
        format="json",
    ).json()
    assert body["decided"] == 0 and world.award.certificate_number in body["refused"][0]


def test_a_teacher_is_not_shown_close_to_an_honour_they_hold(world):
    from honors import selectors

    world.teacher.service_periods.update(start=date(1990, 9, 1))
    held = selectors.teacher_honours(world.teacher, on=date(2027, 1, 1))
    assert "teaching-30" not in [item["honour"].code for item in held["close"]]
    services.award_revoke(award=world.award, actor=world.users["city"], reason="材料不实")
    again = selectors.teacher_honours(world.teacher, on=date(2027, 1, 1))
    assert "teaching-30" in [item["honour"].code for item in again["close"]]
    assert again["awards"] == []


def test_a_holder_is_not_nominated_again(world, monkeypatch):
    excellent = HonourType.objects.get(region=world.city, code="excellent-teacher")
    city = world.users["city"]
    on_day(monkeypatch, date(2023, 6, 1))
    first = services.candidate_nominate(
        honour=excellent, teacher=world.teacher, year=2023, actor=city
    )
    services.candidates_review(
        candidates=Candidate.objects.filter(pk=first.pk), actor=city, approve=True
    )
    on_day(monkeypatch, date(2028, 6, 1))
    with pytest.raises(ValidationError) as refused:
        services.candidate_nominate(honour=excellent, teacher=world.teacher, year=2028, actor=city)
    assert world.teacher.name in refused.value.messages[0]


# --- Cadence of nominated honours (POLICY §3: every five years from 2023) ---------------------


def test_nominations_outside_the_cadence_are_refused(client, world, monkeypatch):
    from django.utils import translation

    excellent = HonourType.objects.get(region=world.city, code="excellent-teacher")
    assert (excellent.cadence_from, excellent.cadence_every) == (2023, 5)
    county = world.users["county"]
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.candidate_nominate(
            honour=excellent, teacher=world.colleague, year=2026, actor=county
        )
    assert "2028" in refused.value.messages[0]
    on_day(monkeypatch, date(2028, 6, 1))
    assert services.candidate_nominate(
        honour=excellent, teacher=world.colleague, year=2028, actor=county
    )
    on_day(monkeypatch, date(2027, 6, 1))
    # Through the page: refused in words, no candidate.
    client.force_login(county)
    page = client.post(
        reverse("honours_nominate") + "?year=2027",
        {"honour": excellent.pk, "id_number": world.teacher.reveal_id_number()},
        follow=True,
    ).content.decode()
    assert "2028" in page
    assert not Candidate.objects.filter(honour_type=excellent, year=2027).exists()
    # A candidate of a closed year (nominated before the cadence was set) is not awarded.
    stray = Candidate.objects.create(
        honour_type=excellent, teacher=world.teacher, year=2026, years=0
    )
    count, refused_lines, _batch = services.candidates_review(
        candidates=Candidate.objects.filter(pk=stray.pk), actor=world.users["city"], approve=True
    )
    assert count == 0 and "2028" in refused_lines[0]


def test_the_cadence_is_data_checked_and_shown(world):
    from rest_framework.test import APIClient

    from honors import presets

    annual = HonourType.objects.create(
        region=world.city, code="teacher-of-the-year", name="年度教师", basis="nominated"
    )
    assert annual.open_in(2026) and annual.next_open_year(2026) == 2026
    excellent = HonourType.objects.get(region=world.city, code="excellent-teacher")
    assert not excellent.open_in(2026) and excellent.next_open_year(2026) == 2028
    # Both figures or neither, every ≥ 1 year, and only for nominated honours.
    for fields in (
        {"cadence_from": 2023},
        {"cadence_from": 2023, "cadence_every": 0},
        {"basis": "teaching", "years": 30, "cadence_from": 2023, "cadence_every": 5},
    ):
        honour = HonourType(
            region=world.city, code="x", name="x", **({"basis": "nominated"} | fields)
        )
        with pytest.raises(ValidationError):
            honour.full_clean()
    # The Ningxia preset: 全区教育工作先进个人 and 全区优秀教师 every five years from 2023.
    presets.load(region=world.province, preset="ningxia")
    ningxia = {
        t.name: (t.cadence_from, t.cadence_every)
        for t in HonourType.objects.filter(region=world.province, basis="nominated")
    }
    assert ningxia == {"全区教育工作先进个人": (2023, 5), "全区优秀教师": (2023, 5)}
    # The page's selector and the API say when each opens next.
    from honors import selectors

    offered = {
        t.code: (t.open_now, t.next_open)
        for t in selectors.nominated_honours(world.users["city"], 2026)
    }
    assert offered["excellent-teacher"] == (False, 2028)
    assert offered["teacher-of-the-year"] == (True, 2026)
    api = APIClient()
    api.force_authenticate(world.users["city"])
    rows = {row["code"]: row for row in api.get("/api/v1/honour-types/").json()["results"]}
    assert rows["excellent-teacher"]["cadence_from"] == 2023
    assert rows["excellent-teacher"]["next_open_year"] >= 2028


def test_no_nomination_scan_or_award_for_another_year_than_allowed(client, world):
    """Attack round 3: nominations for a past or future cadence year, a scan of 2099 and the
    award of its candidates were accepted."""
    excellent = HonourType.objects.get(region=world.city, code="excellent-teacher")
    for year in (2023, 2028):
        with pytest.raises(ValidationError):
            services.candidate_nominate(
                honour=excellent, teacher=world.colleague, year=year, actor=world.users["city"]
            )
    with pytest.raises(ValidationError):
        services.honours_scan(year=2099)
    client.force_login(world.users["county"])
    client.post(reverse("honours_scan") + "?year=2099")
    assert not Candidate.objects.filter(year=2099).exists()
    future = proposed(world, world.colleague, year=2099)
    count, refused, _batch = services.candidates_review(
        candidates=Candidate.objects.filter(pk=future.pk), actor=world.users["city"], approve=True
    )
    assert count == 0 and "2099" in refused[0]
    assert not Award.objects.filter(year=2099).exists()


def test_an_action_year_outside_the_range_is_refused_in_words(client, world):
    """Re-check of round 3: ?year=1999 made the scan 500, ?year=2100 silently became this
    year."""
    client.force_login(world.users["county"])
    for year in ("1999", "2100", "abc"):
        response = client.post(reverse("honours_scan") + f"?year={year}", follow=True)
        assert response.status_code == 200
        assert "2000" in response.content.decode()
    assert not Candidate.objects.filter(year__in=[1999, 2100]).exists()


def test_a_sanction_that_ended_yesterday_no_longer_vetoes(world, monkeypatch):
    from portal import services as kernel_services

    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: date(2026, 12, 2))
    veteran = factories.teacher(world.school, name="郑老师", started_teaching=date(1990, 9, 1))
    kernel_services.ethics_record_create(
        teacher=veteran,
        decided_on=date(2026, 1, 1),
        sanction="warning",
        in_force_from=date(2026, 1, 1),
        in_force_to=date(2026, 12, 1),
    )
    services.honours_scan(year=2026)
    found = Candidate.objects.get(teacher=veteran, honour_type__code="teaching-30", year=2026)
    assert found.status == "proposed"
