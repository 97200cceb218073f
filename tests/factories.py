"""Small builders for test data: whole words, no magic. Every teacher gets a valid,
unique ID number derived from a counter."""

import itertools
from datetime import date

from portal import rules, services
from portal.choices import RegionLevel

_sequence = itertools.count(1)
PASSWORD = "Test@pass2026"


def id_number(*, address="330302", birth=date(1985, 6, 15), gender="F") -> str:
    n = next(_sequence)
    gender_digit = (n * 2) % 10 if gender == "F" else (n * 2 + 1) % 10
    first17 = f"{address}{birth:%Y%m%d}{(n // 5) % 100:02d}{gender_digit}"
    return first17 + rules.id_check_character(first17)


def region(code, name, level, parent=None, **flags):
    return services.region_create(code=code, name=name, level=level, parent=parent, **flags)


def province(code="330000", name="浙江省"):
    return region(code, name, RegionLevel.PROVINCE)


def city(parent, code="330300", name="温州市"):
    return region(code, name, RegionLevel.CITY, parent)


def county(parent, code="330302", name="鹿城区", **flags):
    return region(code, name, RegionLevel.COUNTY, parent, **flags)


def school(county, code=None, name=None, school_type="primary", **flags):
    n = next(_sequence)
    return services.school_create(
        code=code or f"3{county.code[2:]}{n:05d}",
        name=name or f"{county.name}第{n}小学",
        county=county,
        school_type=school_type,
        **flags,
    )


def teacher(school, name="张老师", stage="primary", started_teaching=date(2010, 9, 1), **fields):
    return services.teacher_create(
        id_number=fields.pop("id_number", None) or id_number(address=school.county.code),
        name=name,
        school=school,
        stage=stage,
        started_teaching=started_teaching,
        **fields,
    )


def user(username, role="", password=PASSWORD, **attachment):
    account = services.user_create(username=username, password=password, role=role, **attachment)
    return account


_NUMERALS = str.maketrans("0123456789", "〇一二三四五六七八九")


def person_name(n: int, prefix: str = "教师") -> str:
    """A distinct name for the n-th generated teacher: a person's name has no digits, so the
    number is spelled in Chinese numerals (教师一二)."""
    return prefix + str(n).translate(_NUMERALS)
