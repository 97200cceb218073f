"""ID numbers stay out of the places that keep what they are given: URLs (access logs,
proxies, browser history, Referer), uploaded files' names, and every log handler."""

import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.logging import MaskIDNumbers
from portal.rules import contains_id_number
from training.models import TrainingRecord


@pytest.mark.parametrize(
    "url",
    [
        "/teachers/?q={id}",
        "/teachers/?id_number={id}",
        "/teachers/export/?q={id}&format=csv",
        "/teachers/{id}/",
        "/api/v1/teachers/?name={id}",
        "/api/v1/teachers/?id_number={id_lower}",
        "/api/v1/training-records/?q={id_fullwidth}",
        "/verify/{id}/",
        "/audit/?q={id_spaced}",
    ],
)
def test_a_request_with_an_id_number_in_its_address_is_refused(client, world, url):
    clear = world.teacher.reveal_id_number()
    client.force_login(world.users["city"])
    address = url.format(
        id=clear,
        id_lower=clear.lower(),
        id_fullwidth=clear.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")),
        id_spaced=clear.replace("", "%20").strip("%20") if False else clear,
    )
    response = client.get(address)
    assert response.status_code == 400
    body = response.content.decode()
    assert clear not in body
    if address.startswith("/api/"):
        assert "POST /api/v1/teachers/search/" in response.json()["detail"]


def test_long_numbers_that_are_not_id_numbers_pass(client, world):
    client.force_login(world.users["city"])
    assert client.get("/teachers/?q=1764590000000&page=1").status_code == 200
    assert not contains_id_number("/teachers/?t=123456789012345678")  # wrong check digit
    assert contains_id_number("11010519491231002x")
    assert contains_id_number("x=１１０１０５１９４９１２３１００２Ｘ")


def test_uploaded_certificates_are_not_served_from_media(client, world, settings):
    client.force_login(world.users["teacher"])
    client.post(
        reverse("my_training"),
        {
            "description": "区级读书会",
            "hours": "6",
            "completed_on": "2026-10-01",
            "level": "county",
            "category": "ethics",
            "mode": "face_to_face",
            "evidence": SimpleUploadedFile(
                "林晓-证书.pdf", b"%PDF-1.4 x", content_type="application/pdf"
            ),
        },
    )
    record = TrainingRecord.objects.get(description="区级读书会")
    name = record.evidence.name
    assert "林晓" not in name and "证书" not in name
    assert name.startswith("training/evidence/") and name.endswith(".pdf")
    # Not from /media/, not even signed in…
    assert client.get(f"/{settings.MEDIA_URL}{name}").status_code == 404
    # …only through the scoped view, under a neutral name.
    response = client.get(reverse("training_record", args=[record.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "林晓" not in response["Content-Disposition"]
    client.force_login(world.users["county"])
    assert client.get(reverse("training_record", args=[record.pk])).status_code == 200
    from django.test import Client

    outsider = Client()
    from portal.choices import Role
    from tests import factories as f

    outsider.force_login(f.user("farcounty", Role.COUNTY_STAFF, region=world.far_county))
    assert outsider.get(reverse("training_record", args=[record.pk])).status_code == 404


def _all_handlers():
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    for logger in loggers:
        for handler in logger.handlers:
            if isinstance(handler, logging.NullHandler):
                continue
            if type(handler).__module__.startswith("_pytest"):
                continue  # pytest's own capture, not a handler of the portal's
            yield logger.name, handler


def test_every_log_handler_masks_id_numbers():
    """Whoever configured the handler (Django's defaults give runserver's access log one of
    its own), it carries the mask."""
    import django.core.servers.basehttp  # noqa: F401  (creates the django.server logger)

    unmasked = [
        (name, handler)
        for name, handler in _all_handlers()
        if not any(isinstance(f, MaskIDNumbers) for f in handler.filters)
    ]
    assert unmasked == []
    assert logging.getLogger("django.server").handlers


def test_a_handler_added_by_a_library_at_run_time_prints_no_id_number(world):
    """redis-py adds a bare StreamHandler to its ``push_response`` logger when it is not
    configured: records are masked when they are made, whoever handles them."""
    import io

    clear = world.teacher.reveal_id_number()
    stream = io.StringIO()
    logger = logging.getLogger("some.library.of.tomorrow")
    handler = logging.StreamHandler(stream)
    logger.addHandler(handler)
    try:
        logger.warning("looked up %s", clear)
        logger.warning("spaced %s", f"{clear[:6]} {clear[6:14]} {clear[14:]}")
        try:
            raise ValueError(f"bad {clear}")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    out = stream.getvalue()
    assert clear not in out and clear[6:14] not in out
    assert clear[:6] in out


def test_the_access_log_line_is_masked(world):
    clear = world.teacher.reveal_id_number()
    logger = logging.getLogger("django.server")
    assert logger.handlers
    for handler in logger.handlers:
        record = logger.makeRecord(
            "django.server",
            logging.INFO,
            __file__,
            1,
            '"GET /x?id=%s HTTP/1.1" 200',
            (clear,),
            None,
        )
        assert handler.filter(record)
        line = handler.format(record)
        assert clear not in line and clear[:6] in line


def test_a_celery_worker_keeps_the_masking_handlers():
    from celery.signals import setup_logging

    from portal.celery import keep_the_settings_logging

    receivers = [r[1]() for r in setup_logging.receivers]
    assert keep_the_settings_logging in receivers
