"""The demo region: Wenzhou's real division codes, invented schools and teachers.

Deterministic for a given seed and reference date, so screenshots and tests can rely on it.

Two kinds of teacher are made. About a thousand random ones give the dashboards their
spread. A few dozen **edge cases** (``edge_cases``) have fixed names, schools and histories,
each chosen so that one policy rule shows on a page: a principal appointed this cycle, a head
teacher of 31 years, a retiree of this year, a sanction in force … ``docs/demo.md`` lists them
and ``tests/portal/test_demo_rules.py`` holds the demo to that list.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
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
CREDIT_COUNTY = "330383"  # 龙港市: on Zhejiang's credit rule set (training/demo.py)
# Two townships of each county (乡镇, below the county seat): its rural schools are there.
TOWNS = {
    "330302": ("藤桥镇", "山福镇"),
    "330303": ("灵昆街道", "瑶溪街道"),
    "330304": ("泽雅镇", "仙岩街道"),
    "330305": ("大门镇", "鹿西乡"),
    "330324": ("岩头镇", "桥头镇"),
    "330326": ("水头镇", "鳌江镇"),
    "330327": ("马站镇", "桥墩镇"),
    "330328": ("珊溪镇", "玉壶镇"),
    "330329": ("泗溪镇", "仕阳镇"),
    "330381": ("陶山镇", "塘下镇"),
    "330382": ("大荆镇", "雁荡镇"),
    "330383": ("舥艚", "芦浦"),
}
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
# (school type, name suffix, teaching stage of its teachers, weight among the extra schools)
SCHOOL_KINDS = [
    ("kindergarten", "幼儿园", "preschool", 2),
    ("primary", "小学", "primary", 5),
    ("junior", "初级中学", "junior", 3),
    ("senior", "高级中学", "senior", 2),
    ("nine_year", "九年一贯制学校", "primary", 1),
    ("vocational", "职业技术学校", "vocational", 1),
    ("special", "特殊教育学校", "special", 1),
]
KIND = {kind[0]: kind for kind in SCHOOL_KINDS}
# The first schools of every county, fixed so that each county has every kind of school and
# rural and weak ones: (school type, rural, weak). A ``None`` rural flag: rural in the
# mountain and island counties (山区海岛县), in town elsewhere. The edge cases refer to these
# by their index.
CORE_SCHOOLS = [
    ("primary", False, False),  # 0 第一小学 (in 鹿城区: the demo school)
    ("kindergarten", False, False),  # 1 第一幼儿园
    ("junior", None, True),  # 2 a weak junior secondary (薄弱学校); rural in the mountains
    ("senior", False, False),  # 3 第一高级中学
    ("vocational", False, False),  # 4 职业技术学校
    ("special", False, False),  # 5 特殊教育学校
    ("primary", True, False),  # 6 a township's central primary (乡镇中心小学)
    ("nine_year", True, True),  # 7 a weak rural nine-year school
]
MIN_SCHOOLS_PER_COUNTY = len(CORE_SCHOOLS)
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
    from_reserve: bool = False  # a principal appointed from the reserve (N §2.6)


@dataclass
class SanctionSpec:
    sanction: str  # portal.choices.Sanction
    start: date
    end: date | None  # None: until lifted


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
    sanction: SanctionSpec | None
    status: str = "serving"
    retired_on: date | None = None
    registration: str = "registered"  # portal.choices.Registration
    key: str = ""  # an edge case's key (``edge_cases``); empty for the random teachers
    shows: str = ""  # what the edge case is there to show, in a few words
    titles: list[tuple[str, date]] = field(default_factory=list)  # (tier code, awarded on)


def school_code(county_code: str, index: int) -> str:
    """The code of the ``index``-th school of a county (``CORE_SCHOOLS`` first)."""
    return f"3{county_code[2:]}{index:05d}"


def make_id_number(rng: random.Random, address_code: str, birth: date, gender: str) -> str:
    sequence = rng.randrange(0, 100)
    gender_digit = rng.choice("13579" if gender == "M" else "02468")
    first17 = f"{address_code}{birth:%Y%m%d}{sequence:02d}{gender_digit}"
    return first17 + rules.id_check_character(first17)


def make_schools(rng: random.Random, schools_per_county: int) -> list[SchoolSpec]:
    """Every county gets the ``CORE_SCHOOLS`` (every kind, rural and weak ones), then extra
    schools of weighted random kinds up to ``schools_per_county``."""
    kinds = [kind for kind in SCHOOL_KINDS for _ in range(kind[3])]
    schools = []
    for county_index, (county_code, county_name, mountain, _key) in enumerate(COUNTIES):
        towns = TOWNS[county_code]
        named: dict[str, int] = {}
        for n in range(max(schools_per_county, MIN_SCHOOLS_PER_COUNTY)):
            if n < len(CORE_SCHOOLS):
                school_type, rural, weak = CORE_SCHOOLS[n]
                rural = mountain if rural is None else rural
            else:
                school_type = rng.choice(kinds)[0]
                rural = n % 3 == 2 or (mountain and n % 3 == 1)
                weak = rural and n % 2 == 0
            _type, suffix, stage, _weight = KIND[school_type]
            if rural:
                town = towns[n % 2]
                central = "中心" if school_type in ("primary", "kindergarten") else ""
                base = f"{county_name}{town}{central}{suffix}"
            elif school_type in ("vocational", "special"):
                base = f"{county_name}{suffix}"
            else:
                base = f"{county_name}第{{}}{suffix}"
            count = named.get(base, 0)
            named[base] = count + 1
            if "{}" in base:
                name = base.format(ORDINALS[count % 10])
            else:
                name = base if not count else f"{base}（{ORDINALS[count % 10]}校区）"
            schools.append(
                SchoolSpec(
                    code=school_code(county_code, n),
                    name=name,
                    county_code=county_code,
                    school_type=school_type,
                    stage=stage,
                    is_rural=rural,
                    is_weak=weak,
                    # Some private kindergartens (民办幼儿园): the first of every other county.
                    is_public=not (school_type == "kindergarten" and county_index % 2 == 1),
                )
            )
    return schools


def make_teachers(
    rng: random.Random,
    schools: list[SchoolSpec],
    count: int,
    *,
    as_of: date,
    reserved_ids: set[str] = frozenset(),
    reserved_names: set[str] = frozenset(),
    principal_schools: set[str] = frozenset(),
) -> list[TeacherSpec]:
    """Random teachers spread over ``schools``, none with an ID number or a name the edge
    cases use, and no principal where an edge case is the principal."""
    teachers = []
    used_ids: set[str] = set(reserved_ids)
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
        if (
            i < len(schools)
            and (as_of - started).days > 15 * 365
            and school.code not in principal_schools
        ):
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
            sanction = SanctionSpec(
                "warning", begin, begin + timedelta(days=365) if rng.random() < 0.5 else None
            )
        name = _name(rng)
        while name in reserved_names:
            name = _name(rng)
        teachers.append(
            TeacherSpec(
                id_number=id_number,
                name=name,
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


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


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


# --- The edge cases ------------------------------------------------------------------------

DEMO_TEACHER = "demo-teacher"  # the key of the teacher the "teacher" account belongs to
PRINCIPAL_NEW = "principal-new"
PRINCIPAL_LEAP_DAY = "principal-leap-day"
PRINCIPAL_FROM_RESERVE = "principal-from-reserve"


def _edge_id(index: int, county_code: str, birth: date, gender: str) -> str:
    """A valid ID number fixed by the edge case's position (no random draw: adding random
    teachers never changes it)."""
    sequence = (index * 37 + 11) % 100
    digit = ("13579" if gender == "M" else "02468")[index % 5]
    first17 = f"{county_code}{birth:%Y%m%d}{sequence:02d}{digit}"
    return first17 + rules.id_check_character(first17)


def edge_cases(as_of: date) -> list[TeacherSpec]:
    """The named teachers each of whom makes one rule show (``docs/demo.md``). Dates are set
    from the demo year ``y`` (``as_of.year``, 2026 by default): this year's events fall before
    the demo date of 1 September. The principal appointed on 29 February 2024 is fixed."""
    y = as_of.year
    specs: list[TeacherSpec] = []

    def period(county, index, start, end=None, role="teacher", **flags) -> PeriodSpec:
        return PeriodSpec(school_code(county, index), role, _stage(index), start, end, **flags)

    def case(
        key, shows, name, gender, birth, county, index, subject, title, started, periods,
        *, sanction=None, titles=(), status="serving", retired_on=None, **options,
    ):  # fmt: skip
        specs.append(
            TeacherSpec(
                id_number=_edge_id(len(specs), county, birth, gender),
                name=name,
                school_code=school_code(county, index),
                stage=_stage(index),
                subject=subject,
                staffing=options.get("staffing", "established"),
                is_full_time=options.get("is_full_time", True),
                professional_title=title,
                started_teaching=started,
                periods=periods,
                sanction=sanction,
                status=status,
                retired_on=retired_on,
                registration=options.get("registration", "registered"),
                key=key,
                shows=shows,
                titles=list(titles),
            )
        )

    lucheng, longwan, ouhai, pingyang, cangnan = "330302", "330303", "330304", "330326", "330327"
    yongjia, wencheng, taishun, ruian, yueqing = "330324", "330328", "330329", "330381", "330382"
    # fmt: off
    case(
        DEMO_TEACHER, "本年师德学习不足 24 学时；乡村任教 3 年；教坛新秀",
        "林晓彤", "F", date(1986, 5, 12), lucheng, 0, "语文", "first", date(y - 18, 9, 1),
        [
            period(lucheng, 6, date(y - 18, 9, 1), date(y - 15, 8, 31)),
            period(lucheng, 0, date(y - 15, 9, 1)),
            period(lucheng, 0, date(y - 14, 9, 1), role="head_teacher"),
        ],
        titles=[("xinrui", date(2016, 6, 1)), ("jiaotan-xinxiu", date(2023, 11, 20))],
    )
    case(
        PRINCIPAL_NEW, "本周期新任校长：任职第一年 300 学时资格培训",
        "陈志远", "M", date(1978, 3, 20), yongjia, 0, "数学", "senior", date(2000, 9, 1),
        [
            period(yongjia, 6, date(2000, 9, 1), date(2008, 8, 31)),
            period(yongjia, 0, date(2008, 9, 1)),
            period(yongjia, 0, date(y, 3, 1), role="principal"),
        ],
    )
    case(
        PRINCIPAL_LEAP_DAY, "2024-02-29 任校长：第一年止于 2025-02-28；本周期为在任校长",
        "周海燕", "F", date(1975, 11, 2), lucheng, 2, "语文", "senior", date(1997, 9, 1),
        [
            period(lucheng, 2, date(1997, 9, 1)),
            period(lucheng, 2, date(2024, 2, 29), role="principal"),
        ],
    )
    case(
        PRINCIPAL_FROM_RESERVE, "校长后备人选培训后任校长：免任职资格培训",
        "孟庆华", "M", date(1980, 5, 16), ouhai, 2, "数学", "senior", date(2002, 9, 1),
        [
            period(ouhai, 2, date(2002, 9, 1)),
            period(ouhai, 2, date(y, 3, 1), role="principal", from_reserve=True),
        ],
    )
    case(
        "head-senior-26", "终身班主任：高中班主任 26 年（高中 25 年即可）",
        "郑国平", "M", date(1974, 4, 18), ruian, 3, "物理", "senior", date(1996, 9, 1),
        [
            period(ruian, 3, date(1996, 9, 1)),
            period(ruian, 3, date(y - 26, 9, 1), role="head_teacher"),
        ],
        titles=[("city-famous-head-teacher", date(2024, 9, 10))],
    )
    case(
        "head-primary-31", "终身班主任：小学班主任 31 年（其他学段 30 年）",
        "吴美华", "F", date(1972, 8, 9), yueqing, 0, "语文", "senior", date(1994, 9, 1),
        [
            period(yueqing, 0, date(1994, 9, 1)),
            period(yueqing, 0, date(y - 31, 9, 1), role="head_teacher"),
        ],
    )
    case(
        "head-primary-27", "小学班主任 27 年：终身班主任还差 3 年",
        "徐丽君", "F", date(1977, 1, 25), lucheng, 0, "数学", "senior", date(y - 27, 9, 1),
        [
            period(lucheng, 0, date(y - 27, 9, 1)),
            period(lucheng, 0, date(y - 27, 9, 1), role="head_teacher"),
        ],
    )
    case(
        "rural-31", "乡村从教 31 年：乡村 30 年、20 年证书；任教满 30 年",
        "潘建国", "M", date(1973, 10, 6), taishun, 6, "数学", "senior", date(y - 31, 9, 1),
        [period(taishun, 6, date(y - 31, 9, 1))],
    )
    case(
        "rural-22-interrupted", "乡村从教 20 年：两段乡村任教合计 22 年，中间进城 4 年",
        "雷秀英", "F", date(1978, 12, 14), wencheng, 7, "语文", "first", date(2000, 9, 1),
        [
            period(wencheng, 6, date(2000, 9, 1), date(2010, 8, 31)),
            period(wencheng, 0, date(2010, 9, 1), date(2014, 8, 31)),
            period(wencheng, 7, date(2014, 9, 1)),
        ],
    )
    case(
        "retiree", "本年退休：荣誉退休；班主任 31 年但已退休，不评终身班主任",
        "蒋德明", "M", date(y - 60, 7, 20), cangnan, 6, "数学", "senior", date(y - 40, 9, 1),
        [
            period(cangnan, 6, date(y - 40, 9, 1), date(y, 7, 31)),
            period(cangnan, 6, date(y - 38, 9, 1), date(y - 7, 8, 31), role="head_teacher"),
        ],
        status="retired",
        retired_on=date(y, 7, 31),
    )
    case(
        "leaver", "本年离职：不再计入学时达标、占比与荣誉",
        "方婷", "F", date(1995, 3, 3), longwan, 0, "英语", "second", date(2018, 9, 1),
        [period(longwan, 0, date(2018, 9, 1), date(y, 6, 30))],
        status="left",
    )
    case(
        "entrant-2023", "上一周期中途入职（2023-09）：入职前的年份不算缺",
        "任子涵", "F", date(2000, 6, 18), ouhai, 0, "英语", "second", date(2023, 9, 1),
        [period(ouhai, 0, date(2023, 9, 1))],
    )
    case(
        "entrant-this-year", "本年春季入职：入职当年不计每年师德学时",
        "宋一诺", "F", date(y - 23, 2, 11), ouhai, 1, "学前教育", "none", date(y, 2, 24),
        [period(ouhai, 1, date(y, 2, 24))],
    )
    case(
        "veto-in-force", "师德一票否决：记过处分生效中（至解除）",
        "黄建华", "M", date(1970, 9, 30), pingyang, 2, "历史", "senior", date(1993, 9, 1),
        [period(pingyang, 2, date(1993, 9, 1))],
        sanction=SanctionSpec("demerit", date(y, 3, 15), None),  # until lifted
        titles=[
            ("jiaotan-xinxiu", date(2012, 11, 1)),
            ("city-famous-teacher", date(2023, 12, 20)),
        ],
    )
    case(
        "veto-expired", "警告处分已期满：不再否决",
        "曹文静", "F", date(1971, 5, 5), pingyang, 0, "语文", "senior", date(1994, 9, 1),
        [period(pingyang, 0, date(1994, 9, 1))],
        sanction=SanctionSpec("warning", date(2023, 4, 1), date(2024, 3, 31)),
    )
    case(
        "credit-steady", "学分制县（龙港市）：按学分计，单条封顶，每年不少于 24 学分",
        "薛晨阳", "M", date(1985, 9, 9), CREDIT_COUNTY, 0, "科学", "first", date(2007, 9, 1),
        [period(CREDIT_COUNTY, 0, date(2007, 9, 1))],
    )
    case(
        "credit-short-year", "学分制县（龙港市）：本年学分不足 24",
        "邵佳琪", "F", date(1990, 12, 1), CREDIT_COUNTY, 2, "英语", "first", date(2012, 9, 1),
        [period(CREDIT_COUNTY, 2, date(2012, 9, 1))],
    )
    case(
        "special-nominated", "市名教师：经资格审查推荐参评省特级教师",
        "白云飞", "M", date(1979, 7, 7), ruian, 3, "化学", "senior", date(2001, 9, 1),
        [
            period(ruian, 7, date(2001, 9, 1), date(2003, 8, 31)),
            period(ruian, 3, date(2003, 9, 1)),
        ],
        titles=[
            ("jiaotan-xinxiu", date(2015, 11, 1)),
            ("city-famous-teacher", date(2022, 12, 20)),
        ],
    )
    # 文成县 applies the 强师计划 condition (N §2.7) to senior-title applications:
    # compulsory-education teachers need a year at a rural or weak school (talent/demo.py).
    case(
        "rural-year-missing", "文成县义务教育教师，无乡村或薄弱学校任教经历：不能申报高级职称",
        "钱思雨", "F", date(1988, 2, 14), wencheng, 0, "数学", "first", date(2010, 9, 1),
        [period(wencheng, 0, date(2010, 9, 1))],
    )
    case(
        "rural-year-exact", "两段薄弱学校任教合计恰好 365 天：满 1 年，可申报高级职称",
        "叶佳慧", "F", date(1987, 8, 21), wencheng, 0, "语文", "first", date(2009, 9, 1),
        [
            period(wencheng, 0, date(2009, 9, 1), date(2012, 8, 31)),
            period(wencheng, 2, date(2012, 9, 1), date(2013, 1, 31)),
            period(wencheng, 0, date(2013, 2, 1), date(2014, 8, 31)),
            period(wencheng, 2, date(2014, 9, 1), date(2015, 3, 31)),
            period(wencheng, 0, date(2015, 4, 1)),
        ],
    )
    case(
        "rural-year-senior-high", "文成县高中教师：乡村 1 年的条件不适用于高中",
        "汤文博", "M", date(1984, 11, 3), wencheng, 3, "地理", "first", date(2007, 9, 1),
        [period(wencheng, 3, date(2007, 9, 1))],
    )
    case(
        "registration-suspended", "暂缓注册：不能参加职称评审",
        "严思远", "M", date(1983, 1, 9), lucheng, 2, "物理", "first", date(2006, 9, 1),
        [period(lucheng, 2, date(2006, 9, 1))],
        registration="suspended",
    )
    case(
        "backbone-vocational", "中职教师持教坛新秀：不计入基础教育骨干占比",
        "孔令辉", "M", date(1982, 10, 10), yueqing, 4, "机电技术", "first", date(2005, 9, 1),
        [period(yueqing, 4, date(2005, 9, 1))],
        titles=[("jiaotan-xinxiu", date(2021, 11, 15))],
    )
    case(
        "backbone-part-time", "非专任、非编教师持教坛新秀：不计入骨干占比",
        "戴雨桐", "F", date(1992, 4, 4), lucheng, 1, "学前教育", "second", date(2014, 9, 1),
        [period(lucheng, 1, date(2014, 9, 1))],
        titles=[("jiaotan-xinxiu", date(2024, 5, 20))],
        is_full_time=False,
        staffing="non_established",
    )
    case(
        "backbone-rotator", "骨干教师本年交流轮岗到乡村学校：计入 10% 与骨干 20%",
        "莫晓东", "M", date(1987, 6, 6), lucheng, 0, "体育", "first", date(2009, 9, 1),
        [period(lucheng, 0, date(2009, 9, 1))],
        titles=[("jiaotan-xinxiu", date(2022, 10, 10))],
    )
    # fmt: on
    return specs


def _stage(core_index: int) -> str:
    return KIND[CORE_SCHOOLS[core_index][0]][2]


def edge_case(key: str, as_of: date) -> TeacherSpec:
    """One edge case by its key."""
    return next(spec for spec in edge_cases(as_of) if spec.key == key)
