"""The demo region: Wenzhou's real division codes, invented schools and teachers.

Deterministic for a given seed and reference date, so screenshots and tests can rely on it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from . import rules

PROVINCE = ("330000", "浙江省")
CITY = ("330300", "温州市")
# (code, name, mountain/island county, key support county)
COUNTIES = [
    ("330302", "鹿城区", False, False),
    ("330303", "龙湾区", False, False),
    ("330304", "瓯海区", False, False),
    ("330305", "洞头区", True, False),
    ("330324", "永嘉县", True, False),
    ("330326", "平阳县", True, False),
    ("330327", "苍南县", True, False),
    ("330328", "文成县", True, True),
    ("330329", "泰顺县", True, True),
    ("330381", "瑞安市", False, False),
    ("330382", "乐清市", False, False),
    ("330383", "龙港市", False, False),
]
TOWNS = ["城关镇", "大荆镇", "岩头镇", "桥头镇", "鳌江镇", "塘下镇", "珊溪镇", "罗阳镇", "灵昆街道"]
SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = list(
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国文红梅斌宇浩凯晨婷欣怡佳琪子涵思雨梓轩晓彤嘉怡俊熙睿泽一诺雅琳欣然"
)
SUBJECTS = {
    "preschool": ["学前教育"],
    "primary": ["语文", "数学", "英语", "科学", "音乐", "体育", "美术", "道德与法治", "信息科技"],
    "junior": [
        "语文",
        "数学",
        "英语",
        "物理",
        "化学",
        "生物",
        "历史",
        "地理",
        "道德与法治",
        "体育",
    ],
    "senior": ["语文", "数学", "英语", "物理", "化学", "生物", "历史", "地理", "思想政治", "技术"],
    "vocational": ["机电技术", "计算机应用", "会计事务", "电子商务", "语文", "数学"],
    "special": ["特殊教育", "康复训练"],
}
# (school type, name suffix, teaching stage of its teachers, weight)
SCHOOL_KINDS = [
    ("kindergarten", "幼儿园", "preschool", 2),
    ("primary", "小学", "primary", 5),
    ("junior", "中学", "junior", 3),
    ("senior", "高级中学", "senior", 2),
    ("nine_year", "九年一贯制学校", "primary", 1),
    ("vocational", "职业技术学校", "vocational", 1),
    ("special", "特殊教育学校", "special", 1),
]
ORDINALS = "一二三四五六七八九十"


@dataclass
class SchoolSpec:
    code: str
    name: str
    county_code: str
    school_type: str
    stage: str
    is_rural: bool
    is_weak: bool
    is_public: bool


@dataclass
class PeriodSpec:
    school_code: str
    role: str
    stage: str
    start: date
    end: date | None


@dataclass
class TeacherSpec:
    id_number: str
    name: str
    school_code: str
    stage: str
    subject: str
    staffing: str
    is_full_time: bool
    professional_title: str
    started_teaching: date
    periods: list[PeriodSpec]
    sanction: tuple[date, date | None] | None


def make_id_number(rng: random.Random, address_code: str, birth: date, gender: str) -> str:
    sequence = rng.randrange(0, 100)
    gender_digit = rng.choice("13579" if gender == "M" else "02468")
    first17 = f"{address_code}{birth:%Y%m%d}{sequence:02d}{gender_digit}"
    return first17 + rules.id_check_character(first17)


def make_schools(rng: random.Random, schools_per_county: int) -> list[SchoolSpec]:
    kinds = [kind for kind in SCHOOL_KINDS for _ in range(kind[3])]
    schools = []
    for county_code, county_name, mountain, _key in COUNTIES:
        for n in range(schools_per_county):
            school_type, suffix, stage, _weight = (
                kinds[n % len(kinds)] if n < len(kinds) else rng.choice(kinds)
            )
            rural = n % 3 == 2 or (mountain and n % 3 == 1)
            if rural:
                name = f"{county_name}{rng.choice(TOWNS)}中心{suffix}"
            else:
                name = (
                    f"{county_name}第{ORDINALS[n % 10]}{suffix}"
                    if n < 10
                    else f"{county_name}实验{suffix}{n}"
                )
            schools.append(
                SchoolSpec(
                    code=f"3{county_code[2:]}{n:05d}",
                    name=name,
                    county_code=county_code,
                    school_type=school_type,
                    stage=stage,
                    is_rural=rural,
                    is_weak=rural and n % 2 == 0,
                    is_public=not (school_type == "kindergarten" and n % 4 == 0),
                )
            )
    _dedupe_names(schools)
    return schools


def _dedupe_names(schools: list[SchoolSpec]) -> None:
    seen: dict[str, int] = {}
    for school in schools:
        count = seen.get(school.name, 0)
        seen[school.name] = count + 1
        if count:
            school.name = f"{school.name}（{ORDINALS[count % 10]}校区）"


def make_teachers(
    rng: random.Random, schools: list[SchoolSpec], count: int, *, as_of: date
) -> list[TeacherSpec]:
    teachers = []
    used_ids: set[str] = set()
    rural = [s for s in schools if s.is_rural]
    for i in range(count):
        school = schools[i % len(schools)]
        gender = "F" if rng.random() < 0.7 else "M"
        age = rng.randint(23, 59)
        birth = as_of - timedelta(days=age * 365 + rng.randint(0, 364))
        while True:
            id_number = make_id_number(rng, school.county_code, birth, gender)
            if id_number not in used_ids:
                used_ids.add(id_number)
                break
        started = date(birth.year + rng.randint(21, 24), 9, 1)
        if started > as_of:
            started = (
                date(as_of.year, 9, 1)
                if date(as_of.year, 9, 1) <= as_of
                else date(as_of.year - 1, 9, 1)
            )
        periods = _history(rng, school, rural, started, as_of)
        if i < len(schools) and (as_of - started).days > 15 * 365:
            # The first teacher of each school is its principal.
            since = as_of - timedelta(days=rng.randint(200, 8 * 365))
            periods.append(PeriodSpec(school.code, "principal", school.stage, since, None))
        years = (as_of - started).days / 365.25
        title = (
            "none"
            if years < 1
            else "second"
            if years < 6
            else "first"
            if years < 14
            else rng.choice(["first", "senior", "senior"])
            if years < 30
            else rng.choice(["senior", "senior", "professor"])
        )
        sanction = None
        if rng.random() < 0.01:
            begin = as_of - timedelta(days=rng.randint(30, 900))
            sanction = (begin, begin + timedelta(days=365) if rng.random() < 0.5 else None)
        teachers.append(
            TeacherSpec(
                id_number=id_number,
                name=rng.choice(SURNAMES)
                + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
                school_code=school.code,
                stage=school.stage,
                subject=rng.choice(SUBJECTS[school.stage]),
                staffing="established" if rng.random() < 0.9 else "non_established",
                is_full_time=rng.random() < 0.94,
                professional_title=title,
                started_teaching=started,
                periods=periods,
                sanction=sanction,
            )
        )
    return teachers


def _history(rng, school, rural_schools, started, as_of) -> list[PeriodSpec]:
    """One to three schools, a rural spell for some, head-teacher years for many."""
    periods: list[PeriodSpec] = []
    cursor = started
    if rural_schools and rng.random() < 0.35 and (as_of - started).days > 3 * 365:
        first = rng.choice(rural_schools)
        end = min(cursor + timedelta(days=rng.randint(365, 12 * 365)), as_of - timedelta(days=400))
        if end > cursor:
            periods.append(PeriodSpec(first.code, "teacher", first.stage, cursor, end))
            if rng.random() < 0.6:
                periods.append(PeriodSpec(first.code, "head_teacher", first.stage, cursor, end))
            # A gap between schools for some: further study, leave.
            cursor = end + timedelta(days=1 if rng.random() < 0.8 else rng.randint(60, 400))
    cursor = min(cursor, as_of)
    periods.append(PeriodSpec(school.code, "teacher", school.stage, cursor, None))
    if school.stage != "preschool" and rng.random() < 0.45:
        head_start = min(cursor + timedelta(days=rng.randint(0, 5 * 365)), as_of)
        head_end = (
            None
            if rng.random() < 0.6
            else min(head_start + timedelta(days=rng.randint(365, 20 * 365)), as_of)
        )
        periods.append(PeriodSpec(school.code, "head_teacher", school.stage, head_start, head_end))
    return periods
