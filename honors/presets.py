"""The honour types of POLICY.md §3 as starting data for a region. Loading copies them into
rows a bureau then edits; loading twice changes nothing.

``default`` has the years-of-service honours and a five-yearly 优秀教师; ``ningxia`` has the
same years-of-service honours and N §2.11's 全区教育工作先进个人 and 全区优秀教师, every five
years from 2023."""

from django.db import transaction

from .models import Basis, HonourType

YEARS_OF_SERVICE = [
    # (code, name, basis, years, years in senior high, only serving, (first year, every))
    ("lifetime-head-teacher", "终身班主任奖", Basis.HEAD_TEACHER, 30, 25, True, None),
    ("rural-30", "乡村学校从教 30 年荣誉证书", Basis.RURAL, 30, None, False, None),
    ("rural-20", "乡村学校从教 20 年荣誉证书", Basis.RURAL, 20, None, False, None),
    ("teaching-30", "任教满 30 年荣誉证书", Basis.TEACHING, 30, None, False, None),
    ("honorary-retirement", "荣誉退休", Basis.RETIREMENT, 0, None, False, None),
]

FIVE_YEARLY_FROM_2023 = (2023, 5)  # N §2.11

PRESETS = {
    "default": [
        *YEARS_OF_SERVICE,
        (
            "excellent-teacher",
            "优秀教师（五年一评）",
            Basis.NOMINATED,
            0,
            None,
            True,
            FIVE_YEARLY_FROM_2023,
        ),
    ],
    "ningxia": [
        *YEARS_OF_SERVICE,
        (
            "advanced-individual",
            "全区教育工作先进个人",
            Basis.NOMINATED,
            0,
            None,
            True,
            FIVE_YEARLY_FROM_2023,
        ),
        (
            "excellent-teacher",
            "全区优秀教师",
            Basis.NOMINATED,
            0,
            None,
            True,
            FIVE_YEARLY_FROM_2023,
        ),
    ],
}


@transaction.atomic
def load(*, region, preset: str = "default") -> int:
    created = 0
    for code, name, basis, years, senior, serving, cadence in PRESETS[preset]:
        first, every = cadence or (None, None)
        _honour, new = HonourType.objects.get_or_create(
            region=region,
            code=code,
            defaults={
                "name": name,
                "basis": basis,
                "years": years,
                "years_senior_high": senior,
                "must_be_serving": serving,
                "cadence_from": first,
                "cadence_every": every,
            },
        )
        created += new
    return created
