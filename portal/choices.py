"""Enumerations of the shared kernel. Labels are the Chinese terms of the domain,
translated to English in locale/en."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County")


class Stage(models.TextChoices):
    """A teaching stage (学段)."""

    PRESCHOOL = "preschool", _("Preschool")
    PRIMARY = "primary", _("Primary")
    JUNIOR = "junior", _("Junior secondary")
    SENIOR = "senior", _("Senior secondary")
    VOCATIONAL = "vocational", _("Secondary vocational")
    SPECIAL = "special", _("Special education")


class SchoolType(models.TextChoices):
    """The kind of school (办学类型); some span several teaching stages."""

    KINDERGARTEN = "kindergarten", _("Kindergarten")
    PRIMARY = "primary", _("Primary school")
    JUNIOR = "junior", _("Junior secondary school")
    SENIOR = "senior", _("Senior secondary school")
    VOCATIONAL = "vocational", _("Secondary vocational school")
    SPECIAL = "special", _("Special education school")
    NINE_YEAR = "nine_year", _("Nine-year school")
    COMPLETE_SECONDARY = "complete_secondary", _("Complete secondary school")


SCHOOL_TYPE_STAGES: dict[str, tuple[str, ...]] = {
    SchoolType.KINDERGARTEN: (Stage.PRESCHOOL,),
    SchoolType.PRIMARY: (Stage.PRIMARY,),
    SchoolType.JUNIOR: (Stage.JUNIOR,),
    SchoolType.SENIOR: (Stage.SENIOR,),
    SchoolType.VOCATIONAL: (Stage.VOCATIONAL,),
    SchoolType.SPECIAL: (Stage.SPECIAL,),
    SchoolType.NINE_YEAR: (Stage.PRIMARY, Stage.JUNIOR),
    SchoolType.COMPLETE_SECONDARY: (Stage.JUNIOR, Stage.SENIOR),
}


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Staffing(models.TextChoices):
    ESTABLISHED = "established", _("On the establishment")
    NON_ESTABLISHED = "non_established", _("Off the establishment")


class ProfessionalTitle(models.TextChoices):
    NONE = "none", _("Not yet rated")
    THIRD = "third", _("Third-grade teacher")
    SECOND = "second", _("Second-grade teacher")
    FIRST = "first", _("First-grade teacher")
    SENIOR = "senior", _("Senior teacher")
    PROFESSOR = "professor", _("Professor-level senior teacher")


class EmploymentStatus(models.TextChoices):
    SERVING = "serving", _("Serving")
    RETIRED = "retired", _("Retired")
    LEFT = "left", _("Left")


class Registration(models.TextChoices):
    """定期注册 (N §2.8): a teacher whose registration is suspended (暂缓注册) may not be
    reviewed for titles; one who failed registration (不予注册) may not teach."""

    REGISTERED = "registered", _("Registered")
    SUSPENDED = "suspended", _("Registration suspended")
    FAILED = "failed", _("Registration refused")


class ServiceRole(models.TextChoices):
    TEACHER = "teacher", _("Teacher")
    HEAD_TEACHER = "head_teacher", _("Head teacher")
    PRINCIPAL = "principal", _("Principal")


class Sanction(models.TextChoices):
    CRITICISM = "criticism", _("Circulated criticism")
    WARNING = "warning", _("Warning")
    DEMERIT = "demerit", _("Demerit")
    MAJOR_DEMERIT = "major_demerit", _("Major demerit")
    DEMOTION = "demotion", _("Post grade lowered")
    DISMISSAL = "dismissal", _("Dismissal")
    DISQUALIFIED = "disqualified", _("Disqualified from awards")


class Role(models.TextChoices):
    PROVINCE_STAFF = "province_staff", _("Province bureau staff")
    CITY_STAFF = "city_staff", _("City bureau staff")
    COUNTY_STAFF = "county_staff", _("County bureau staff")
    SCHOOL_ADMIN = "school_admin", _("School administrator")
    TEACHER = "teacher", _("Teacher")


STAFF_ROLE_LEVEL = {
    Role.PROVINCE_STAFF: RegionLevel.PROVINCE,
    Role.CITY_STAFF: RegionLevel.CITY,
    Role.COUNTY_STAFF: RegionLevel.COUNTY,
}
