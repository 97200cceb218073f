"""Who may do what. Who may *see* a row is the scope function's (``portal.scope``); what a
user may *do* with what they see is decided here, once, for pages, the API and the
services alike."""

from __future__ import annotations

from .choices import STAFF_ROLE_LEVEL, Role


def is_bureau_staff(user) -> bool:
    """Province, city or county staff (or a superuser)."""
    return bool(user.is_superuser or user.role in STAFF_ROLE_LEVEL)


def may_reveal_id_numbers(user) -> bool:
    """See a teacher's ID number in full (each time audited), look a teacher up by a full
    ID number (audited and limited per hour) and see the birth year beside a masked number:
    bureau staff and school administrators, for the teachers in their scope."""
    return is_bureau_staff(user) or user.role == Role.SCHOOL_ADMIN


def may_export_full_ids(user) -> bool:
    """Download a teacher list with full ID numbers (audited): bureau staff only."""
    return is_bureau_staff(user)


def is_school_or_bureau_staff(user) -> bool:
    """Bureau staff or a school administrator: those who upload files, review training
    records and whose own entries need no review."""
    return is_bureau_staff(user) or user.role == Role.SCHOOL_ADMIN


def is_staff_of(user, region) -> bool:
    """Staff of exactly ``region`` (or a superuser): those who run what the region runs (a
    programme's enrolments are moved by the region that runs it)."""
    return bool(user.is_superuser or (is_bureau_staff(user) and user.region_id == region.pk))


def is_staff_of_or_above(user, region) -> bool:
    """Staff of ``region`` or of a region above it (or a superuser): those who decide what
    the region awards (an honour's candidates)."""
    if user.is_superuser:
        return True
    return bool(
        user.region_id
        and is_bureau_staff(user)
        and region.path.startswith(user.region.subtree_prefix)
    )


# --- Imports ----------------------------------------------------------------------------------


def may_import(user) -> bool:
    """Upload a file (roster, training, pay, nominations): bureau staff and school
    administrators."""
    return is_school_or_bureau_staff(user)


def may_choose_valid_rows_only(user) -> bool:
    """Write the valid rows of a file and leave the refused ones: bureau staff only (a school
    corrects its file)."""
    return is_bureau_staff(user)


def may_decide_upload(job, user) -> bool:
    """Whether ``user`` decides what becomes of an upload: confirm it, discard it, read its
    error workbook. The uploader only (and superusers): staff above see the job in their
    scope, but the upload is not theirs to write, drop or read in clear. Every door (pages,
    API, services) asks this one question."""
    return user.is_superuser or job.uploaded_by_id == user.pk
