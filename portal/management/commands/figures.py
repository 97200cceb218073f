"""Print the portal's key figures as JSON: what must be the same after a restore (or a
migration of servers). ``manage.py figures`` on the old and the new database, then compare.

It also decrypts every ID number and checks it against its lookup hash, so a restore with
the wrong FIELD_ENCRYPTION_KEY or ID_HASH_KEY shows up here, not on a teacher's page."""

import hashlib
import json

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db.models import Count, Sum

from portal import crypto
from portal.models import Teacher

COUNTED = [
    "portal.Region",
    "portal.School",
    "portal.Teacher",
    "portal.ServicePeriod",
    "portal.EthicsRecord",
    "portal.User",
    "portal.AuditEvent",
    "training.TrainingRecord",
    "training.TrainingSummary",
    "talent.Title",
    "talent.Enrolment",
    "talent.Attainment",
    "honors.Candidate",
    "honors.Award",
    "compensation.PayReport",
    "compensation.PayAdjustment",
]


def _digest(rows) -> str:
    return hashlib.sha256(json.dumps(list(rows), default=str).encode()).hexdigest()[:16]


def figures() -> dict:
    result = {
        "counts": {label: apps.get_model(label).objects.count() for label in COUNTED},
        "teachers_by_status": dict(
            Teacher.objects.values("status").annotate(n=Count("id")).values_list("status", "n")
        ),
    }
    TrainingRecord = apps.get_model("training.TrainingRecord")
    TrainingSummary = apps.get_model("training.TrainingSummary")
    Attainment = apps.get_model("talent.Attainment")
    PayReport = apps.get_model("compensation.PayReport")
    result["training_hours_tenths"] = TrainingRecord.objects.aggregate(s=Sum("hours_tenths"))["s"]
    result["summaries"] = _digest(
        TrainingSummary.objects.order_by("teacher_id").values_list("teacher_id", "credited")
    )
    result["attainment"] = _digest(
        Attainment.objects.order_by("target_id", "region_id", "as_of").values_list(
            "target_id", "region_id", "as_of", "achieved", "denominator", "status"
        )
    )
    result["pay"] = _digest(
        PayReport.objects.order_by("county_id", "year").values_list(
            "county_id", "year", "teacher_pay", "civil_servant_pay"
        )
    )
    readable, hasher = 0, crypto.id_hasher()
    for encrypted, lookup in Teacher.objects.values_list(
        "id_number_encrypted", "id_number_hash"
    ).iterator(chunk_size=5000):
        try:
            readable += hasher(crypto.decrypt_text(encrypted)) == lookup
        except Exception:  # noqa: S112 - a wrong key: counted as unreadable
            continue
    result["id_numbers_readable"] = readable
    return result


class Command(BaseCommand):
    help = "Print the portal's key figures as JSON (compare them before and after a restore)."

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(figures(), ensure_ascii=False, sort_keys=True, indent=2))
