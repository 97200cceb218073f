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
    assert awards[0].certificate_number == "330300-TEACHING-30-2026-00002"
    codes = set(Award.objects.values_list("verification_code", flat=True))
    assert len(codes) == Award.objects.count() and all(len(c) == 12 for c in codes)
    assert not Candidate.objects.filter(pk=world.candidate.pk, status="proposed").exists()
    # Another year starts again at 1.
    later = proposed(world, world.colleague, year=2027)
    services.candidates_review(
        candidates=Candidate.objects.filter(pk=later.pk), actor=world.users["city"], approve=True
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


def test_nominated_honours_take_nominations_and_the_veto(client, world):
    excellent = HonourType.objects.get(region=world.city, code="excellent-teacher")
    client.force_login(world.users["county"])
    client.post(
        reverse("honours_nominate") + "?year=2026",
        {"honour": excellent.pk, "id_number": world.teacher.reveal_id_number(), "note": "骨干"},
    )
    assert Candidate.objects.filter(honour_type=excellent, teacher=world.teacher).exists()
    thirty = HonourType.objects.get(region=world.city, code="teaching-30")
    with pytest.raises(ValidationError):
        services.candidate_nominate(
            honour=thirty, teacher=world.colleague, year=2026, actor=world.users["county"]
        )
    kernel.ethics_record_create(
        teacher=world.colleague,
        decided_on=date(2026, 1, 1),
        sanction="warning",
        in_force_from=date(2026, 1, 1),
    )
    with pytest.raises(ValidationError):
        services.candidate_nominate(
            honour=excellent, teacher=world.colleague, year=2026, actor=world.users["county"]
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
