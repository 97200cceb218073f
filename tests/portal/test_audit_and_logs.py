"""The audit log: append-only for the application (and the database on PostgreSQL), filed
under the right region with the client's address, searchable by the staff of that region.
And no ID number in the log output, whatever the portal logs."""

import io
import logging
import os
import re

import pytest
from django.db import connection, transaction
from django.urls import reverse

from portal.models import AuditEvent
from portal.services import audit_record


def test_events_cannot_be_changed_or_deleted_by_the_application(world):
    event = audit_record(actor=world.users["county"], action="test.event", obj=world.teacher)
    assert event.region == world.county  # the teacher's county, found from the object
    event.action = "forged"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="forged")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()


@pytest.mark.postgres
def test_the_database_refuses_changes_too(world):
    event = audit_record(actor=None, action="test.event", region=world.county)
    for sql in (
        "UPDATE portal_auditevent SET action = 'forged' WHERE id = %s",
        "DELETE FROM portal_auditevent WHERE id = %s",
    ):
        with (
            pytest.raises(Exception, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])
    # Deleting the user behind an event only clears the link.
    from portal import services

    user = services.user_create(username="leaver", password="Leaver@2026-pass")
    linked = audit_record(actor=user, action="test.linked")
    user.delete()
    linked.refresh_from_db()
    assert linked.user_id is None and linked.username == "leaver"


def test_the_page_shows_the_region_and_searches(client, world):
    client.force_login(world.users["county"])
    client.post(reverse("teacher_reveal", args=[world.teacher.pk]), REMOTE_ADDR="203.0.113.9")
    event = AuditEvent.objects.get(action="teacher.reveal_id_number")
    assert event.ip_address == "203.0.113.9" and event.region == world.county
    audit_record(actor=None, action="far.event", region=world.far_county)
    page = client.get(reverse("audit_log"), {"q": "reveal"}).content.decode()
    assert "teacher.reveal_id_number" in page and "203.0.113.9" in page
    assert "far.event" not in client.get(reverse("audit_log")).content.decode()
    client.force_login(world.users["province"])
    assert "far.event" in client.get(reverse("audit_log")).content.decode()


def test_no_id_number_reaches_the_log_output(client, world, settings):
    """The real console handler, with the configured filter, while ID numbers travel in
    paths, query strings, forms and exceptions."""
    root = logging.getLogger()
    handlers = [h for h in root.handlers if isinstance(h, logging.StreamHandler)]
    assert handlers, "the console handler of settings.LOGGING"
    buffer = io.StringIO()
    saved = [h.setStream(buffer) for h in handlers]
    level = root.level
    root.setLevel(logging.DEBUG)
    number = world.colleague.reveal_id_number()
    try:
        client.force_login(world.users["county"])
        client.get(f"/verify/{number}/")
        client.get(f"/teachers/{number}/")  # 404: the path is logged
        client.get("/api/v1/teachers/", {"id_number": number})
        client.post(reverse("teacher_list"), {"id_number": number})
        logging.getLogger("portal.test").warning("looked up %s", number)
        try:
            raise ValueError(f"bad row with {number}")
        except ValueError:
            logging.getLogger("portal.test").exception("import failed")
    finally:
        for handler, stream in zip(handlers, saved, strict=True):
            handler.setStream(stream)
        root.setLevel(level)
    output = buffer.getvalue()
    assert "import failed" in output and "looked up" in output  # the log was captured
    assert number not in output
    assert not re.search(r"\d{17}[\dXx]", output)
    if os.environ.get("CI_DEBUG"):
        print(output)
