from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Level(models.TextChoices):
    """Five linked training levels (国培 – 省培/区培 – 市培 – 县培 – 校培)."""

    NATIONAL = "national", pgettext_lazy("training level", "National")
    PROVINCE = "province", pgettext_lazy("training level", "Provincial")
    CITY = "city", pgettext_lazy("training level", "City")
    COUNTY = "county", pgettext_lazy("training level", "County")
    SCHOOL = "school", pgettext_lazy("training level", "School")


COUNTY_OR_ABOVE = (Level.NATIONAL, Level.PROVINCE, Level.CITY, Level.COUNTY)


class Category(models.TextChoices):
    ETHICS = "ethics", _("Ethics and political study")
    SUBJECT = "subject", _("Subject expertise")
    IT = "it", _("Information technology")
    HEAD_TEACHER = "head_teacher", _("Head-teacher work")
    PRINCIPAL = "principal", _("Principal qualification")
    DEGREE = "degree", _("Degree study")
    PLATFORM = "platform", _("Self-directed study on the platform")
    OTHER = "other", _("Other")


class Mode(models.TextChoices):
    FACE_TO_FACE = "face_to_face", _("Face to face")
    ONLINE = "online", _("Online")
    DEGREE = "degree", _("Degree study")
    PRACTICE = "practice", _("Practice")


class Source(models.TextChoices):
    IMPORT = "import", _("Import")
    SELF = "self", _("Self-reported")
    API = "api", _("API")
    PLATFORM = "platform", _("Smart-education platform")
    STAFF = "staff", _("Entered by staff")


class RecordStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Unit(models.TextChoices):
    HOURS = "hours", _("Hours")
    CREDITS = "credits", _("Credits")


class ComplianceStatus(models.TextChoices):
    COMPLETE = "complete", _("Complete")
    ON_TRACK = "on_track", _("On track")
    BEHIND = "behind", _("Behind")
    AT_RISK = "at_risk", _("At risk")
