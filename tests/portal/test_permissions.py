"""The permission table: every URL of the kernel × every role → status.

Objects sit above, beside and below each user's scope (see ``conftest.World``). Outside
one's scope an object does not exist: 404, never 403. Every new endpoint adds rows here.
"""

import pytest
from django.db import transaction
from django.urls import reverse

from ..conftest import build_world

# 1,400 rows read the same world: it is built once for the module inside a transaction that
# is rolled back at the end, and each row runs in a savepoint of it (rolled back after the
# row), so no row sees another's writes.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield _with_transfers(build_world())
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


ROLES = ["anonymous", "province", "city", "county", "school", "teacher", "superuser"]


def row(anonymous, province, city, county, school, teacher, superuser):
    return dict(
        zip(ROLES, (anonymous, province, city, county, school, teacher, superuser), strict=True)
    )


def _with_transfers(world):
    """Two transfer requests into the school administrator's school: one from a school of
    the same county (its county decides) and one from the other city (only the province
    does)."""
    from portal.models import TransferRequest

    for name, teacher in (
        ("near_transfer", world.sibling_teacher),
        ("far_transfer", world.far_teacher),
    ):
        transfer = TransferRequest.objects.create(
            teacher=teacher,
            to_school=world.school,
            name=teacher.name,
            values={"stage": "primary"},
            requested_by=world.users["school"],
            import_job=world.school_job,
        )
        setattr(world, name, transfer)
    return world


# (method, url name, object attribute of World or None, expected status per role)
PAGES = [
    ("get", "login", None, row(200, 302, 302, 302, 302, 302, 302)),
    ("get", "dashboard", None, row(302, 200, 200, 200, 302, 302, 200)),
    ("get", "region_detail", "province", row(302, 200, 404, 404, 404, 404, 200)),
    ("get", "region_detail", "city", row(302, 200, 200, 404, 404, 404, 200)),
    ("get", "region_detail", "other_city", row(302, 200, 404, 404, 404, 404, 200)),
    ("get", "region_detail", "county", row(302, 200, 200, 200, 404, 404, 200)),
    ("get", "region_detail", "sibling_county", row(302, 200, 200, 404, 404, 404, 200)),
    ("get", "region_detail", "far_county", row(302, 200, 404, 404, 404, 404, 200)),
    ("get", "school_detail", "school", row(302, 200, 200, 200, 200, 404, 200)),
    ("get", "school_detail", "sibling_school", row(302, 200, 200, 200, 404, 404, 200)),
    ("get", "school_detail", "neighbour_school", row(302, 200, 200, 404, 404, 404, 200)),
    ("get", "school_detail", "far_school", row(302, 200, 404, 404, 404, 404, 200)),
    ("get", "teacher_list", None, row(302, 200, 200, 200, 200, 200, 200)),
    ("post", "teacher_list", None, row(302, 200, 200, 200, 200, 200, 200)),  # ID search
    ("get", "teacher_detail", "teacher", row(302, 200, 200, 200, 200, 200, 200)),
    ("get", "teacher_detail", "colleague", row(302, 200, 200, 200, 200, 404, 200)),
    ("get", "teacher_detail", "sibling_teacher", row(302, 200, 200, 200, 404, 404, 200)),
    ("get", "teacher_detail", "neighbour_teacher", row(302, 200, 200, 404, 404, 404, 200)),
    ("get", "teacher_detail", "far_teacher", row(302, 200, 404, 404, 404, 404, 200)),
    ("post", "teacher_reveal", "teacher", row(302, 200, 200, 200, 200, 404, 200)),
    ("post", "teacher_reveal", "sibling_teacher", row(302, 200, 200, 200, 404, 404, 200)),
    ("post", "teacher_reveal", "far_teacher", row(302, 200, 404, 404, 404, 404, 200)),
    ("get", "teacher_reveal", "teacher", row(302, 405, 405, 405, 405, 405, 405)),
    ("get", "my_record", None, row(302, 404, 404, 404, 404, 200, 404)),
    ("get", "audit_log", None, row(302, 200, 200, 200, 404, 404, 200)),
    # Transfer requests into the school (see the ``world`` fixture below): bureau staff and
    # the requesting school see them; only staff covering both schools decide (else 404).
    ("get", "transfer_list", None, row(302, 200, 200, 200, 200, 404, 200)),
    ("post", "transfer_approve", "near_transfer", row(302, 302, 302, 302, 404, 404, 302)),
    ("post", "transfer_approve", "far_transfer", row(302, 302, 404, 404, 404, 404, 302)),
    ("get", "transfer_approve", "near_transfer", row(302, 405, 405, 405, 405, 405, 405)),
    # No reason: back to the list with an error, for those who may decide.
    ("post", "transfer_reject", "near_transfer", row(302, 302, 302, 302, 404, 404, 302)),
    ("post", "transfer_reject", "far_transfer", row(302, 302, 404, 404, 404, 404, 302)),
    ("get", "admin:index", None, row(302, 302, 302, 302, 302, 302, 200)),
    ("get", "admin:portal_teacher_changelist", None, row(302, 302, 302, 302, 302, 302, 200)),
    ("post", "logout", None, row(302, 302, 302, 302, 302, 302, 302)),
    ("get", "teacher_export", None, row(302, 200, 200, 200, 200, 404, 200)),
    ("post", "teacher_export", None, row(302, 200, 200, 200, 200, 404, 200)),  # full IDs
    ("get", "import_list", None, row(302, 200, 200, 200, 200, 404, 200)),
    ("post", "import_list", None, row(302, 200, 200, 200, 200, 404, 200)),  # form errors
    ("get", "import_template", "=roster", row(302, 200, 200, 200, 200, 404, 200)),
    ("get", "import_template", "=training", row(302, 200, 200, 200, 200, 404, 200)),
    ("get", "import_template", "=nothing", row(302, 404, 404, 404, 404, 404, 404)),
    ("get", "import_detail", "school_job", row(302, 200, 200, 200, 200, 404, 200)),
    ("get", "import_detail", "county_job", row(302, 200, 200, 200, 404, 404, 200)),
    ("get", "import_detail", "far_job", row(302, 200, 404, 404, 404, 404, 200)),
    ("get", "import_status", "school_job", row(302, 200, 200, 200, 200, 404, 200)),
    ("get", "import_status", "far_job", row(302, 200, 404, 404, 404, 404, 200)),
    # Only the uploader (or a superuser) confirms or discards; others in scope see 404 too.
    ("post", "import_confirm", "school_job", row(302, 404, 404, 404, 302, 404, 302)),
    ("post", "import_confirm", "county_job", row(302, 404, 404, 302, 404, 404, 302)),
    ("post", "import_confirm", "far_job", row(302, 302, 404, 404, 404, 404, 302)),
    ("post", "import_cancel", "school_job", row(302, 404, 404, 404, 302, 404, 302)),
    ("post", "import_cancel", "county_job", row(302, 404, 404, 302, 404, 404, 302)),
    ("post", "import_cancel", "far_job", row(302, 302, 404, 404, 404, 404, 302)),
    # No refused rows, so no error workbook: 404 for everyone.
    ("get", "import_error_workbook", "school_job", row(302, 404, 404, 404, 404, 404, 404)),
    # Training ledger
    ("get", "my_training", None, row(302, 404, 404, 404, 404, 200, 404)),
    ("post", "my_training", None, row(302, 404, 404, 404, 404, 200, 404)),  # form errors
    ("get", "my_transcript", None, row(302, 404, 404, 404, 404, 200, 404)),
    ("get", "training_home", None, row(302, 302, 302, 302, 302, 302, 302)),
    ("get", "training_region", "province", row(302, 200, 404, 404, 404, 404, 200)),
    ("get", "training_region", "city", row(302, 200, 200, 404, 404, 404, 200)),
    ("get", "training_region", "county", row(302, 200, 200, 200, 404, 404, 200)),
    ("get", "training_region", "far_county", row(302, 200, 404, 404, 404, 404, 200)),
    ("get", "training_behind_export", "city", row(302, 200, 200, 404, 404, 404, 200)),
    ("get", "training_behind_export", "county", row(302, 200, 200, 200, 404, 404, 200)),
    ("get", "training_school", "school", row(302, 200, 200, 200, 200, 404, 200)),
    ("get", "training_school", "far_school", row(302, 200, 404, 404, 404, 404, 200)),
    ("get", "training_teacher", "teacher", row(302, 200, 200, 200, 200, 302, 200)),
    ("get", "training_teacher", "colleague", row(302, 200, 200, 200, 200, 404, 200)),
    ("get", "training_teacher", "far_teacher", row(302, 200, 404, 404, 404, 404, 200)),
    ("get", "training_transcript", "teacher", row(302, 200, 200, 200, 200, 200, 200)),
    ("get", "training_transcript", "far_teacher", row(302, 200, 404, 404, 404, 404, 200)),
    ("get", "training_record", "record", row(302, 200, 200, 200, 200, 200, 200)),
    ("get", "training_record", "far_record", row(302, 200, 404, 404, 404, 404, 200)),
    ("post", "training_record_reverse", "record", row(302, 302, 302, 302, 302, 404, 302)),
    ("post", "training_record_reverse", "far_record", row(302, 302, 404, 404, 404, 404, 302)),
    ("get", "training_review", None, row(302, 200, 200, 200, 200, 404, 200)),
    ("post", "training_review", None, row(302, 200, 200, 200, 200, 404, 200)),  # nothing ticked
    ("get", "training_rules", None, row(302, 200, 200, 200, 404, 404, 200)),
    # Talent ladder
    ("get", "talent_home", None, row(302, 302, 302, 302, 404, 404, 302)),
    ("get", "talent_region", "province", row(302, 200, 404, 404, 404, 404, 200)),
    ("get", "talent_region", "city", row(302, 200, 200, 404, 404, 404, 200)),
    ("get", "talent_region", "county", row(302, 200, 200, 200, 404, 404, 200)),
    ("get", "talent_region", "far_county", row(302, 200, 404, 404, 404, 404, 200)),
    ("get", "talent_target", "target,city", row(302, 200, 200, 404, 404, 404, 200)),
    ("get", "talent_target", "target,county", row(302, 200, 200, 200, 404, 404, 200)),
    # A city's target does not exist in another city.
    ("get", "talent_target", "target,far_county", row(302, 404, 404, 404, 404, 404, 404)),
    ("get", "talent_target_export", "target,city", row(302, 200, 200, 404, 404, 404, 200)),
    ("get", "talent_programmes", None, row(302, 200, 200, 200, 404, 404, 200)),
    ("get", "talent_programme", "programme", row(302, 200, 200, 200, 404, 404, 200)),
    ("post", "talent_programme", "programme", row(302, 302, 302, 302, 404, 404, 302)),
    # Only the region that runs the programme moves an enrolment.
    ("post", "talent_enrolment_move", "enrolment", row(302, 404, 302, 404, 404, 404, 302)),
    # Honours
    ("get", "honours_candidates", None, row(302, 200, 200, 200, 404, 404, 200)),
    ("post", "honours_candidates", None, row(302, 200, 200, 200, 404, 404, 200)),  # no ticks
    ("post", "honours_scan", None, row(302, 302, 302, 302, 404, 404, 302)),
    ("get", "honours_scan", None, row(302, 405, 405, 405, 405, 405, 405)),
    ("post", "honours_nominate", None, row(302, 302, 302, 302, 404, 404, 302)),
    ("get", "honours_awards", None, row(302, 200, 200, 200, 404, 404, 200)),
    ("get", "honours_certificate", "award", row(302, 200, 200, 200, 200, 200, 200)),
    ("get", "honours_certificate", "far_award", row(302, 200, 404, 404, 404, 404, 200)),
    ("get", "honours_batch", "batch", row(302, 200, 200, 200, 404, 404, 200)),
    # Only the awarding region (the city) or above revokes; no reason: back with an error.
    ("post", "honours_revoke", "award", row(302, 302, 302, 404, 404, 404, 302)),
    ("post", "honours_revoke", "far_award", row(302, 302, 404, 404, 404, 404, 302)),
    ("get", "honours_batch", "far_batch", row(302, 200, 404, 404, 404, 404, 200)),
    # Public: anyone checks a certificate; an unknown code is a 404 for everyone.
    ("get", "honours_verify_form", None, row(200, 200, 200, 200, 200, 200, 200)),
    ("get", "honours_verify", "=ZZZZZZZZZZZZ", row(404, 404, 404, 404, 404, 404, 404)),
    # Pay parity: bureau staff only, each in their region.
    ("get", "pay_home", None, row(302, 302, 302, 302, 404, 404, 302)),
    ("get", "pay_region", "province", row(302, 200, 404, 404, 404, 404, 200)),
    ("get", "pay_region", "city", row(302, 200, 200, 404, 404, 404, 200)),
    ("get", "pay_region", "county", row(302, 200, 200, 200, 404, 404, 200)),
    ("get", "pay_region", "far_county", row(302, 200, 404, 404, 404, 404, 200)),
    ("post", "pay_region", "county", row(302, 200, 200, 200, 404, 404, 200)),  # form errors
    ("post", "pay_region", "far_county", row(302, 200, 404, 404, 404, 404, 200)),
    ("get", "pay_export", "city", row(302, 200, 200, 404, 404, 404, 200)),
    ("get", "pay_export", "far_county", row(302, 200, 404, 404, 404, 404, 200)),
    ("post", "pay_adjustment_delete", "adjustment", row(302, 302, 302, 302, 404, 404, 302)),
    ("post", "pay_adjustment_delete", "far_adjustment", row(302, 302, 404, 404, 404, 404, 302)),
    ("get", "import_template", "=pay", row(302, 200, 200, 200, 200, 404, 200)),
    ("get", "import_template", "=nomination", row(302, 200, 200, 200, 200, 404, 200)),
]

# Rows that render a certificate need the Chinese font (CI installs it).
NEEDS_FONT = {"honours_certificate", "honours_batch", "award-certificate"}

API = [
    ("get", "api-me", None, row(401, 200, 200, 200, 200, 200, 200)),
    ("get", "region-list", None, row(401, 200, 200, 200, 200, 200, 200)),
    ("get", "region-detail", "province", row(401, 200, 404, 404, 404, 404, 200)),
    ("get", "region-detail", "city", row(401, 200, 200, 404, 404, 404, 200)),
    ("get", "region-detail", "other_city", row(401, 200, 404, 404, 404, 404, 200)),
    ("get", "region-detail", "county", row(401, 200, 200, 200, 404, 404, 200)),
    ("get", "region-detail", "sibling_county", row(401, 200, 200, 404, 404, 404, 200)),
    ("get", "region-detail", "far_county", row(401, 200, 404, 404, 404, 404, 200)),
    ("get", "school-list", None, row(401, 200, 200, 200, 200, 200, 200)),
    ("get", "school-detail", "school", row(401, 200, 200, 200, 200, 404, 200)),
    ("get", "school-detail", "sibling_school", row(401, 200, 200, 200, 404, 404, 200)),
    ("get", "school-detail", "neighbour_school", row(401, 200, 200, 404, 404, 404, 200)),
    ("get", "school-detail", "far_school", row(401, 200, 404, 404, 404, 404, 200)),
    ("get", "teacher-list", None, row(401, 200, 200, 200, 200, 200, 200)),
    ("get", "teacher-detail", "teacher", row(401, 200, 200, 200, 200, 200, 200)),
    ("get", "teacher-detail", "colleague", row(401, 200, 200, 200, 200, 404, 200)),
    ("get", "teacher-detail", "sibling_teacher", row(401, 200, 200, 200, 404, 404, 200)),
    ("get", "teacher-detail", "neighbour_teacher", row(401, 200, 200, 404, 404, 404, 200)),
    ("get", "teacher-detail", "far_teacher", row(401, 200, 404, 404, 404, 404, 200)),
    # The kernel API is read-only: writes come through imports and services.
    ("post", "teacher-list", None, row(401, 405, 405, 405, 405, 405, 405)),
    ("post", "teacher-search", None, row(401, 400, 400, 400, 400, 403, 400)),  # no body
    ("put", "teacher-detail", "teacher", row(401, 405, 405, 405, 405, 405, 405)),
    ("delete", "school-detail", "school", row(401, 405, 405, 405, 405, 405, 405)),
    ("delete", "api-token", None, row(401, 204, 204, 204, 204, 204, 204)),
    ("get", "importjob-list", None, row(401, 200, 200, 200, 200, 200, 200)),
    ("post", "importjob-list", None, row(401, 400, 400, 400, 400, 403, 400)),  # no file
    ("get", "importjob-detail", "school_job", row(401, 200, 200, 200, 200, 404, 200)),
    ("get", "importjob-detail", "county_job", row(401, 200, 200, 200, 404, 404, 200)),
    ("get", "importjob-detail", "far_job", row(401, 200, 404, 404, 404, 404, 200)),
    ("get", "importjob-rows", "school_job", row(401, 200, 200, 200, 200, 404, 200)),
    ("get", "importjob-rows", "far_job", row(401, 200, 404, 404, 404, 404, 200)),
    ("post", "importjob-confirm", "school_job", row(401, 404, 404, 404, 400, 404, 400)),
    ("post", "importjob-confirm", "county_job", row(401, 404, 404, 400, 404, 404, 400)),
    ("post", "importjob-confirm", "far_job", row(401, 400, 404, 404, 404, 404, 400)),
    ("get", "importjob-error-workbook", "school_job", row(401, 404, 404, 404, 404, 404, 404)),
    ("get", "ruleset-list", None, row(401, 200, 200, 200, 200, 200, 200)),
    ("get", "ruleset-detail", "rule_set", row(401, 200, 404, 404, 404, 404, 200)),
    ("get", "course-list", None, row(401, 200, 200, 200, 200, 200, 200)),
    ("get", "course-detail", "course", row(401, 200, 200, 404, 404, 404, 200)),
    ("get", "trainingrecord-list", None, row(401, 200, 200, 200, 200, 200, 200)),
    ("post", "trainingrecord-list", None, row(401, 400, 400, 400, 400, 400, 400)),  # no body
    ("get", "trainingrecord-detail", "record", row(401, 200, 200, 200, 200, 200, 200)),
    ("get", "trainingrecord-detail", "far_record", row(401, 200, 404, 404, 404, 404, 200)),
    ("post", "trainingrecord-approve", "record", row(401, 200, 200, 200, 200, 403, 200)),
    ("post", "trainingrecord-approve", "far_record", row(401, 200, 404, 404, 404, 404, 200)),
    (
        "post",
        "trainingrecord-reject",
        "record",
        row(401, 400, 400, 400, 400, 403, 400),
    ),  # no reason
    ("post", "trainingrecord-reverse", "record", row(401, 400, 400, 400, 400, 403, 400)),
    ("post", "trainingrecord-reverse", "far_record", row(401, 400, 404, 404, 404, 404, 400)),
    ("delete", "trainingrecord-detail", "record", row(401, 405, 405, 405, 405, 405, 405)),
    ("get", "api-training-compliance", "teacher", row(401, 200, 200, 200, 200, 200, 200)),
    ("get", "api-training-compliance", "far_teacher", row(401, 200, 404, 404, 404, 404, 200)),
    ("get", "api-training-summaries", None, row(401, 400, 400, 400, 400, 400, 400)),
    ("get", "api-me-training", None, row(401, 404, 404, 404, 404, 200, 404)),
    ("get", "target-list", None, row(401, 200, 200, 200, 200, 200, 200)),
    ("get", "target-detail", "target", row(401, 200, 200, 404, 404, 404, 200)),
    ("get", "attainment-list", None, row(401, 200, 200, 200, 200, 200, 200)),
    ("get", "attainment-detail", "snapshot", row(401, 200, 200, 404, 404, 404, 200)),
    ("get", "title-detail", "title", row(401, 200, 200, 200, 200, 200, 200)),
    ("get", "programme-list", None, row(401, 200, 200, 200, 200, 200, 200)),
    ("get", "programme-detail", "programme", row(401, 200, 200, 200, 404, 404, 200)),
    ("get", "enrolment-list", None, row(401, 200, 200, 200, 200, 200, 200)),
    ("get", "enrolment-detail", "enrolment", row(401, 200, 200, 200, 200, 200, 200)),
    ("post", "enrolment-move", "enrolment", row(401, 404, 400, 404, 404, 404, 400)),  # no "to"
    ("get", "title-list", None, row(401, 200, 200, 200, 200, 200, 200)),
    ("get", "honourtype-list", None, row(401, 200, 200, 200, 200, 200, 200)),
    ("get", "honourtype-detail", "far_honour", row(401, 200, 404, 404, 404, 404, 200)),
    ("get", "candidate-list", None, row(401, 200, 200, 200, 200, 200, 200)),
    ("get", "candidate-detail", "candidate", row(401, 200, 200, 200, 200, 404, 200)),
    ("post", "candidate-review", None, row(401, 400, 400, 400, 403, 403, 400)),  # no body
    ("get", "award-list", None, row(401, 200, 200, 200, 200, 200, 200)),
    ("get", "award-detail", "award", row(401, 200, 200, 200, 200, 200, 200)),
    ("get", "award-detail", "far_award", row(401, 200, 404, 404, 404, 404, 200)),
    ("get", "award-certificate", "award", row(401, 200, 200, 200, 200, 200, 200)),
    ("get", "award-certificate", "far_award", row(401, 200, 404, 404, 404, 404, 200)),
    ("get", "payreport-list", None, row(401, 200, 200, 200, 200, 200, 200)),
    ("post", "payreport-list", None, row(401, 400, 400, 400, 403, 403, 400)),  # no body
    ("get", "payreport-detail", "pay_report", row(401, 200, 200, 200, 404, 404, 200)),
    ("get", "payreport-detail", "far_pay_report", row(401, 200, 404, 404, 404, 404, 200)),
    ("patch", "payreport-detail", "far_pay_report", row(401, 200, 404, 404, 403, 403, 200)),
    ("get", "payadjustment-list", None, row(401, 200, 200, 200, 200, 200, 200)),
    ("post", "payadjustment-list", None, row(401, 400, 400, 400, 403, 403, 400)),  # no body
    ("get", "payadjustment-detail", "adjustment", row(401, 200, 200, 200, 404, 404, 200)),
    ("delete", "payadjustment-detail", "far_adjustment", row(401, 204, 404, 404, 403, 403, 204)),
    ("get", "api-pay-checks", None, row(401, 400, 400, 400, 403, 403, 400)),  # no region
    ("get", "schema", None, row(200, 200, 200, 200, 200, 200, 200)),
    ("get", "api-docs", None, row(200, 200, 200, 200, 200, 200, 200)),
]


CASES = [
    pytest.param(
        method,
        name,
        target,
        role,
        expected,
        id=f"{method}-{name}-{target}-{role}",
        marks=[pytest.mark.cjk_font] if name in NEEDS_FONT and expected == 200 else [],
    )
    for method, name, target, statuses in PAGES + API
    for role, expected in statuses.items()
]


@pytest.mark.parametrize(("method", "name", "target", "role", "expected"), CASES)
def test_permission_table(client, world, method, name, target, role, expected):
    if role != "anonymous":
        client.force_login(world.users[role])
    if target and target.startswith("="):
        args = [target[1:]]  # a literal URL argument
    elif target:
        args = [getattr(world, name).pk for name in target.split(",")]  # one or more objects
    else:
        args = []
    response = getattr(client, method)(reverse(name, args=args))
    assert response.status_code == expected, response.content[:300]


def test_every_url_is_in_the_table():
    """A new URL without rows here fails this test."""
    from django.urls import get_resolver

    covered = {name for _m, name, _t, _s in PAGES + API}
    # Routes every project has and that carry no data of their own.
    exempt = {"set_language", "api-token", "api-root", "healthz"}  # healthz: no data
    names = set()

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                ns = pattern.namespace
                if ns == "admin":
                    continue  # the admin is covered by the scoped-admin tests
                walk(pattern.url_patterns, f"{namespace}{ns}:" if ns else namespace)
            elif pattern.name:
                names.add(f"{namespace}{pattern.name}")

    walk(get_resolver().url_patterns)
    assert names - covered - exempt == set()


@pytest.mark.parametrize(
    ("role", "of", "of_or_above"),
    [
        # (who, may act for the county's own things, may decide what the county awards)
        ("province", False, True),
        ("city", False, True),
        ("county", True, True),
        ("school", False, False),
        ("teacher", False, False),
        ("superuser", True, True),
    ],
)
def test_the_region_predicates_of_the_permissions_module(world, role, of, of_or_above):
    """Issue 17 item 1: "the region that runs the programme" and "the region that awards the
    honour, or above" are decided in portal.permissions, once."""
    from portal import permissions

    user = world.users[role]
    assert permissions.is_staff_of(user, world.county) is of
    assert permissions.is_staff_of_or_above(user, world.county) is of_or_above
    assert permissions.is_staff_of_or_above(user, world.far_county) is (
        role in ("province", "superuser")
    )
