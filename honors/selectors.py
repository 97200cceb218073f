"""Reads of honours: candidates and awards through the scope function, and a teacher's
honours with the ones they are close to."""

from __future__ import annotations

from datetime import date

from django.db.models import Q

from portal.models import ServicePeriod
from portal.scope import scope_queryset

from . import rules
from .models import Award, Basis, Candidate, HonourType


def candidates(user):
    return scope_queryset(
        user,
        Candidate.objects.select_related(
            "honour_type__region", "teacher__school__county", "reviewed_by"
        ),
    )


def awards(user):
    return scope_queryset(
        user, Award.objects.select_related("honour_type__region", "teacher__school", "batch")
    )


def honour_types(user):
    """The honour types a user's teachers can earn (their region's and those above it) and
    those of the regions below."""
    if user.is_superuser:
        return HonourType.objects.filter(active=True)
    region = user.region or (user.school.county if user.school_id else None)
    if region is None and user.teacher_id:
        region = user.teacher.school.county
    if region is None:
        return HonourType.objects.none()
    return HonourType.objects.filter(
        Q(region_id__in=region.path_ids) | Q(region__path__startswith=region.subtree_prefix),
        active=True,
    )


def nominated_honours(user, year: int) -> list[HonourType]:
    """The nominated honours the user's page offers, each with ``open_now`` (whether it
    takes nominations in ``year``) and ``next_open`` (the first year from ``year`` on that
    does: 全区优秀教师, every five years from 2023, is next open in 2028 when ``year`` is
    2026)."""
    rows = list(
        honour_types(user).filter(basis=Basis.NOMINATED).select_related("region").order_by("name")
    )
    for honour in rows:
        honour.open_now = honour.open_in(year)
        honour.next_open = honour.next_open_year(year)
    return rows


def teacher_honours(teacher, *, on: date, veto: str | None = None) -> dict:
    """The teacher's awards, and each years-of-service honour they are within its
    ``close_within_years`` of ("乡村从教 27 年，还差 3 年")."""
    held = list(
        Award.objects.filter(teacher=teacher, revoked_on__isnull=True).select_related("honour_type")
    )
    have = {a.honour_type_id for a in held}
    periods = [
        rules.Period(p.start, p.end, p.role, p.stage, p.school.is_rural)
        for p in ServicePeriod.objects.filter(teacher=teacher).select_related("school")
    ]
    region_ids = teacher.school.county.path_ids
    close = []
    for honour in HonourType.objects.filter(
        active=True,
        region_id__in=region_ids,
        basis__in=[Basis.HEAD_TEACHER, Basis.RURAL, Basis.TEACHING],
    ).order_by("name"):
        if honour.pk in have:
            continue
        verdict = rules.assess(
            periods=periods,
            rule=rules.HonourRule(
                basis=honour.basis,
                years=honour.years,
                years_senior_high=honour.years_senior_high,
                must_be_serving=honour.must_be_serving,
            ),
            on=on,
            serving=teacher.status == "serving",
            retired_on=teacher.retired_on,
            veto=veto,
        )
        left = verdict.needed - verdict.years
        if verdict.qualifies:
            close.append({"honour": honour, "years": verdict.years, "left": 0, "text": ""})
        elif 0 < left <= honour.close_within_years and not veto:
            close.append(
                {
                    "honour": honour,
                    "years": verdict.years,
                    "left": left,
                    "text": rules.closeness(honour.basis, verdict.years, left),
                }
            )
    return {"awards": held, "close": close}
