"""A logging filter that masks anything shaped like an ID number in every log line (paths
of refused requests, messages of exceptions, task arguments), whichever code logged it."""

import logging

from .rules import mask_id_numbers


class MaskIDNumbers(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_id_numbers(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_id_numbers(record.exc_text)
        if masked != message:
            record.msg, record.args = masked, None
        return True


_default_record_factory = logging.getLogRecordFactory()


def _masked_record(*args, **kwargs) -> logging.LogRecord:
    record = _default_record_factory(*args, **kwargs)
    MaskIDNumbers().filter(record)
    return record


def mask_every_record() -> None:
    """Mask ID numbers when a log record is made, before any handler sees it: a library
    that adds a handler of its own at run time (redis-py's ``push_response`` does) cannot
    print one either. The handlers' filter stays for records made elsewhere."""
    if logging.getLogRecordFactory() is not _masked_record:
        logging.setLogRecordFactory(_masked_record)
