"""The honour types of POLICY.md §3 as starting data for a region."""

from django.db import transaction

from .models import Basis, HonourType

PRESETS = [
    # (code, name, basis, years, years in senior high, only serving)
    ("lifetime-head-teacher", "终身班主任奖", Basis.HEAD_TEACHER, 30, 25, True),
    ("rural-30", "乡村学校从教 30 年荣誉证书", Basis.RURAL, 30, None, False),
    ("rural-20", "乡村学校从教 20 年荣誉证书", Basis.RURAL, 20, None, False),
    ("teaching-30", "任教满 30 年荣誉证书", Basis.TEACHING, 30, None, False),
    ("honorary-retirement", "荣誉退休", Basis.RETIREMENT, 0, None, False),
    ("excellent-teacher", "优秀教师（五年一评）", Basis.NOMINATED, 0, None, True),
]


@transaction.atomic
def load(*, region) -> int:
    created = 0
    for code, name, basis, years, senior, serving in PRESETS:
        _honour, new = HonourType.objects.get_or_create(
            region=region,
            code=code,
            defaults={
                "name": name,
                "basis": basis,
                "years": years,
                "years_senior_high": senior,
                "must_be_serving": serving,
            },
        )
        created += new
    return created
