"""Read an uploaded file into a table of raw cell values, or refuse it with a message that
says what is wrong and how to fix it.

Everything a school's spreadsheet may be is sniffed from its bytes, not its name: xlsx (zip),
old .xls / WPS .et / encrypted workbooks (OLE2), HTML saved with an Excel extension, and text
(CSV or tab-separated) in UTF-8, UTF-8 with BOM, UTF-16 or GB18030.
"""

from __future__ import annotations

import builtins
import codecs
import contextlib
import csv
import faulthandler
import gc
import io
import os
import pickle
import re
import resource
import select
import signal
import time
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
HEADER_SEARCH_ROWS = 30
BLANK_ROWS_THAT_END_A_SHEET = 1000
MAX_COLUMNS = 200
# The reader builds the whole grid from the first to the furthest cell (about 32 bytes a
# cell, more once in Python): 20 million cells is some 650 MB.
MAX_GRID_CELLS = 20_000_000
PROLOG_BYTES = 1024 * 1024


class FileRefused(Exception):
    """The file as a whole cannot be read; ``message`` says why and what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    """Raw cells of the sheet that holds the data. ``rows`` are (row number as the user
    sees it in their spreadsheet, cells); blank rows are left out."""

    headers: list[str]
    rows: list[tuple[int, list]]
    sheet_name: str = ""
    header_line: int = 1
    warnings: list[str] = field(default_factory=list)


def too_large_message(size: int) -> str:
    return _("The file is %(size)s MB; the limit is %(limit)s MB. Split it into smaller files.") % {
        "size": round(size / 1e6, 1),
        "limit": round(settings.IMPORT_MAX_UPLOAD_BYTES / 1e6),
    }


def normalise_header(text: object) -> str:
    """Fold a header cell to compare it with known names: NFKC, no spaces, no asterisks or
    bracketed notes such as （必填）."""
    value = unicodedata.normalize("NFKC", str(text or ""))
    value = re.sub(r"\(.*?\)|\[.*?\]", "", value)
    return re.sub(r"[\s*:：]", "", value).lower()


def read_table(data: bytes, *, file_name: str, is_header: Callable[[Sequence[str]], int]) -> Table:
    """Sniff, check and read ``data``. ``is_header(cells)`` scores how much a row looks like
    this import's header row (the number of known column names in it); the best-scoring row
    among the first rows of the first sheet that has one is the header.

    The file is read in a child process with a memory and a time limit (``_sandboxed``): a
    file that would exhaust either is refused, and nothing it does to its reader (a native
    library aborting the process, say) reaches the process that called."""
    if len(data) > settings.IMPORT_MAX_UPLOAD_BYTES:
        raise FileRefused(too_large_message(len(data)))
    return _sandboxed(lambda: _read(data, is_header))


def _read(data: bytes, is_header) -> Table:
    if not data.strip():
        raise FileRefused(_("The file is empty."))
    if data.startswith(OLE2_MAGIC):
        if ENCRYPTED_PACKAGE in data:
            raise FileRefused(
                _(
                    "The workbook is protected with a password. Remove the password (File → "
                    "Info → Protect Workbook) and upload it again."
                )
            )
        raise FileRefused(
            _(
                "This is an old-format Excel (.xls) or WPS (.et) workbook. Open it and save it "
                "as “Excel Workbook (.xlsx)” or as CSV, then upload that file."
            )
        )
    if data.startswith(ZIP_MAGIC):
        return _read_xlsx(data, is_header)
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<") and (b"<html" in head or b"<table" in head or b"<!doctype" in head):
        raise FileRefused(
            _(
                "This file is a web page (HTML) with a spreadsheet's name, as some systems "
                "export. Open it in Excel and save it as “Excel Workbook (.xlsx)”."
            )
        )
    return _read_text(data, is_header)


# --- The sandbox ---------------------------------------------------------------------------
#
# The child is forked, not spawned: it starts in a few milliseconds with this process's
# settings, active language and the caller's ``is_header`` (often a lambda), and imports
# nothing. It never touches the database: the connections it inherits stay open and unused,
# and it ends with os._exit, so no handler, finaliser or garbage collection of the parent's
# objects (which could close a shared connection) runs in it. Its answer comes back pickled
# through a pipe and is unpickled with a list of the few classes a table is made of, since the
# child has handled a hostile file.


def limits_message() -> str:
    return _(
        "The file could not be read within the server's limits of memory and time: it is "
        "damaged, or far larger inside than the data it shows. Open it in Excel, save it again "
        "as “Excel Workbook (.xlsx)” or as CSV (split it if it is very large), and upload that "
        "file."
    )


def _sandboxed(work: Callable[[], Table]) -> Table:
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except BaseException:
        os.close(read_end)
        os.close(write_end)
        raise
    if pid == 0:  # pragma: no cover - the child; coverage does not follow it
        _child(work, read_end, write_end)
    os.close(write_end)
    payload = None
    try:
        payload = _receive(read_end, time.monotonic() + settings.IMPORT_PARSE_SECONDS)
    finally:
        os.close(read_end)
        if payload is None:  # out of time, or this process was interrupted while waiting
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        clean_exit = _reap(pid)
    if payload is None or not clean_exit:
        raise FileRefused(limits_message())
    return _answer(payload)


def _receive(read_end: int, deadline: float) -> bytes | None:
    """Everything the child writes, or None when the deadline passes first (or it writes
    more than it could have made within its limits)."""
    poller = select.poll()
    poller.register(read_end, select.POLLIN)
    chunks = []
    received = 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        if not poller.poll(left * 1000):
            continue
        chunk = os.read(read_end, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        received += len(chunk)
        if received > settings.IMPORT_PARSE_MEMORY_BYTES:
            return None  # more than the child could have made of a file within its limit


def _reap(pid: int) -> bool:
    """Wait for the child; True when it exited normally with status 0."""
    try:
        _pid, status = os.waitpid(pid, 0)
    except ChildProcessError:  # reaped by someone else's SIGCHLD handler: trust the payload
        return True
    return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


class _Unpickler(pickle.Unpickler):
    ALLOWED = {
        ("portal.imports.readers", "Table"),
        ("datetime", "date"),
        ("datetime", "datetime"),
        ("datetime", "time"),
        ("datetime", "timedelta"),
        ("datetime", "timezone"),
    }

    def find_class(self, module, name):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not part of a table")
        return super().find_class(module, name)


def _pickled(outcome: tuple) -> bytes:
    """Without the memo (a table has no cycles): ten times faster for 100,000 rows."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True
    pickler.dump(outcome)
    return buffer.getvalue()


def _answer(payload: bytes) -> Table:
    # A table is a million small objects and no cycles: the collector, which would walk them
    # again and again while they are made, waits (it halves the time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        outcome = _Unpickler(io.BytesIO(payload)).load()
    except Exception:
        raise FileRefused(limits_message()) from None
    finally:
        if collecting:
            gc.enable()
    kind = outcome[0] if isinstance(outcome, tuple) and outcome else None
    if kind == "table" and isinstance(outcome[1], Table):
        return outcome[1]
    if kind == "refused" and isinstance(outcome[1], str):
        raise FileRefused(outcome[1])
    if kind == "error" and isinstance(outcome[1], str) and isinstance(outcome[2], str):
        # A bug rather than a bad file: raised here as the same built-in type where it is one,
        # so that the job fails as "an error on the server".
        error = getattr(builtins, outcome[1], None)
        if not (isinstance(error, type) and issubclass(error, Exception)):
            error = RuntimeError
        raise error(f"{outcome[1]} while reading the file: {outcome[2]}")
    raise FileRefused(limits_message())


def _child(work: Callable[[], Table], read_end: int, write_end: int):  # pragma: no cover
    status = 1
    try:
        os.close(read_end)
        _limit_this_process()
        try:
            outcome = ("table", work())
        except FileRefused as exc:
            outcome = ("refused", str(exc.message))
        except MemoryError:
            outcome = ("memory",)
        except Exception as exc:
            outcome = ("error", type(exc).__name__, str(exc)[:1000])
        try:
            payload = _pickled(outcome)
        except MemoryError:
            payload = _pickled(("memory",))
        view = memoryview(payload)
        while view:
            view = view[os.write(write_end, view) :]
        status = 0
    finally:
        os._exit(status)


def _limit_this_process() -> None:  # pragma: no cover - runs in the child
    """Caps for the child: address space (what it has at the fork plus the budget), CPU time,
    wall time as a last resort should its parent be gone, no core file, and first in line for
    the kernel's OOM killer. The parent's signal handlers (a worker's shutdown, a server's
    reload) are not the child's."""
    for number in (
        signal.SIGTERM,
        signal.SIGINT,
        signal.SIGHUP,
        signal.SIGQUIT,
        signal.SIGUSR1,
        signal.SIGUSR2,
        signal.SIGALRM,
        signal.SIGCHLD,
    ):
        with contextlib.suppress(ValueError, OSError):
            signal.signal(number, signal.SIG_DFL)
    gc.disable()
    faulthandler.disable()  # an abort here is expected and reported by the parent
    seconds = settings.IMPORT_PARSE_SECONDS
    signal.alarm(seconds + 10)
    try:
        with open("/proc/self/statm") as statm:
            mapped = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        mapped = 0
    _lower(resource.RLIMIT_AS, mapped + settings.IMPORT_PARSE_MEMORY_BYTES)
    _lower(resource.RLIMIT_CPU, seconds + 1)
    _lower(resource.RLIMIT_CORE, 0)
    with contextlib.suppress(OSError), open("/proc/self/oom_score_adj", "w") as adjust:
        adjust.write("1000")


def _lower(limit: int, value: int) -> None:  # pragma: no cover - runs in the child
    """Set both the soft and the hard limit to ``value``, or to the hard limit if lower."""
    _soft, hard = resource.getrlimit(limit)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(limit, (value, value))


# --- Text (CSV, tab-separated) ------------------------------------------------------------


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise FileRefused(
                _("The file says it is UTF-16 text but cannot be read as such.")
            ) from None
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise FileRefused(
            _(
                "Line %(line)d of the file contains a NUL byte: the file is damaged or not a "
                "text file. Save it again from Excel as CSV."
            )
            % {"line": line}
        )
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRefused(
        _("The file's text encoding is not recognised. Save it from Excel as “CSV UTF-8”.")
    )


def _delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:10])
    counts = {d: sample.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _read_text(data: bytes, is_header) -> Table:
    text = _decode(data)
    if "\x00" in text:
        raise FileRefused(_("The file contains NUL characters: it is damaged or not a text file."))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    rows: list[tuple[int, list]] = []
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            if any(cell.strip() for cell in cells):
                rows.append((number, cells))
                if len(rows) % 1000 == 0:
                    _check_row_count(len(rows))
    except csv.Error as exc:
        raise FileRefused(
            _(
                "Row %(row)d of the file cannot be read (%(reason)s): most often a quote mark "
                "without its partner. Correct that row and upload again."
            )
            % {"row": number + 1, "reason": exc}
        ) from None
    return _with_header(rows, is_header, sheet_name="")


# --- Excel workbooks --------------------------------------------------------------------


def _damaged() -> FileRefused:
    return FileRefused(_("The workbook is damaged and cannot be opened."))


_UNREADABLE_PART = (
    zipfile.BadZipFile,
    EOFError,
    NotImplementedError,
    RuntimeError,
    ValueError,
    zlib.error,
)


def _check_zip(data: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError):
        raise _damaged() from None
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names:
        raise FileRefused(
            _("This is a zip archive but not an Excel workbook. Upload an .xlsx or .csv file.")
        )
    if any(name.endswith("vbaProject.bin") for name in names):
        raise FileRefused(
            _(
                "The workbook contains macros (.xlsm). Save it as “Excel Workbook (.xlsx)” "
                "without macros and upload that file."
            )
        )
    # The reader finds parts by name regardless of case: two that differ only in case would
    # leave open which one it reads.
    if len({_folded(m.filename) for m in members}) != len(members):
        raise _damaged()
    total = sum(m.file_size for m in members)
    compressed = max(1, sum(m.compress_size for m in members))
    if (
        total > settings.IMPORT_MAX_UNCOMPRESSED_BYTES
        or total / compressed > settings.IMPORT_MAX_COMPRESSION_RATIO
    ):
        raise FileRefused(
            _(
                "The workbook unpacks to %(size)s MB, far more than its data could need: it is "
                "damaged or crafted to exhaust the server. Copy the data into a new workbook."
            )
            % {"size": round(total / 1e6)}
        )
    for member in members:
        if not member.is_dir():
            try:
                with archive.open(member) as part:
                    prolog = part.read(PROLOG_BYTES)
            except _UNREADABLE_PART:
                raise _damaged() from None
            if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
                raise FileRefused(
                    _(
                        "The workbook contains XML entity declarations, which Excel never "
                        "writes and which can be used to attack the server. Copy the data "
                        "into a new workbook."
                    )
                )
    return archive


def _folded(name: str) -> bytes:
    """A part name with ASCII letters folded, as the reader compares them."""
    return name.encode("utf-8", "surrogateescape").lower()


def _part(archive: zipfile.ZipFile, name: str) -> bytes | None:
    """The part the reader opens for ``name`` (compared regardless of ASCII case), if any."""
    wanted = _folded(name)
    for member in archive.infolist():
        if _folded(member.filename) == wanted:
            try:
                return archive.read(member)
            except _UNREADABLE_PART:
                raise _damaged() from None
    return None


# --- Markup, split as the reader splits it -------------------------------------------------
#
# The checks below must see the cells the reader (python-calamine, on quick-xml) will see, in
# the same places; a check that misses one lets the reader build a grid of any size. So the
# markup is split the way quick-xml splits it: a tag runs to the first ">" outside quotes,
# attributes may use either quote and spaces around "=", an element is known by its local
# name (any prefix), comments, CDATA sections and processing instructions are skipped whole.
# Every pattern uses possessive quantifiers, which never backtrack: a crafted tag cannot make
# a scan quadratic, and a tag that does not end is refused at once.

_NAME_CHAR = rb"""[^ \t\r\n<>/"'=:]"""
_PREFIX = rb"(?:" + _NAME_CHAR + rb"*+:)?"
_ENDS_NAME = rb"(?=[ \t\r\n/>])"
# A tag's attributes, quote-aware; the form without "/" leaves a closing "/>" to the caller.
_ATTRIBUTES = rb"""(?:[^>"']++|"[^"]*+"|'[^']*+')*+"""
_ATTRIBUTES_NO_SLASH = rb"""(?:[^>"'/]++|/(?!>)|"[^"]*+"|'[^']*+')*+"""
_SKIPPED = (
    rb"!--(?:[^-]++|-(?!->))*+-->"  # a comment
    rb"|!\[CDATA\[(?:[^\]]++|\](?!\]>))*+\]\]>"
    rb"|\?(?:[^?]++|\?(?!>))*+\?>"  # a processing instruction
)
_OTHER_QUOTED_TAG = rb"""(?=[^<>"']*+["'])""" + _ATTRIBUTES + rb">"


def _markup_pattern(names: bytes, *, fast_cells: bool = False) -> re.Pattern:
    """Finds the next markup of interest: a tag named one of ``names`` (TAG, with groups
    close, name, attributes), or a comment, CDATA section or processing instruction (SKIP),
    or any other tag that holds a quote (SKIP: skipped whole, so that a quoted value cannot
    fake a tag); BROKEN for what never ends or is not allowed. Tags without quotes (<v>,
    </t> …) are passed over without a match.

    With ``fast_cells``, the common forms of a sheet's markup are matched whole first: a cell
    whose first attribute is r="A1" together with its content up to </c> (CELL), a row whose
    first attribute is r="1" (ROW), and </row> (ROW_END). Anything else falls through to the
    general forms, which handle every case."""
    fast = b""
    if fast_cells:
        # A cell's content: text, and tags other than comments, CDATA, processing
        # instructions and those whose local name is c (the lookbehind: the name is not "c"
        # and does not end in ":c"), up to </c>.
        content = (
            rb"(?:[^<]++|</?+[^ \t\r\n<>/\"'=!?][^ \t\r\n<>/\"'=]*+(?<![<:/]c)"
            + _ATTRIBUTES
            + rb">)*+"
        )
        fast = (
            rb'c r="(?P<column>[A-Z]{1,3})(?P<row>[1-9][0-9]{0,6})"'
            + _ENDS_NAME
            + _ATTRIBUTES_NO_SLASH
            + rb"(?P<empty>/)?>(?(empty)|"
            + content
            + rb"</c[ \t\r\n]*+>)(?P<CELL>)"
            + rb'|row r="(?P<number>[1-9][0-9]{0,6})"'
            + _ENDS_NAME
            + rb"(?P<row_attributes>"
            + _ATTRIBUTES_NO_SLASH
            + rb")(?P<row_empty>/)?>(?P<ROW>)"
            + rb"|/row[ \t\r\n]*+>(?P<ROW_END>)|"
        )
    return re.compile(
        rb"<(?:" + fast + rb"(?:" + _SKIPPED + rb")(?P<SKIP>)"
        rb"|(?P<close>/?)"
        + _PREFIX
        + rb"(?P<name>"
        + names
        + rb")"
        + _ENDS_NAME
        + rb"(?P<attributes>"
        + _ATTRIBUTES
        + rb")>(?P<TAG>)"
        rb"|" + _OTHER_QUOTED_TAG + rb"(?P<SKIP_TAG>)"
        # What is left: a declaration (<!DOCTYPE …>), a comment or other markup that never
        # ends, a tag of interest that never ends or ends inside a quote.
        rb"|(?:[!?]|/?"
        + _PREFIX
        + rb"(?:"
        + names
        + rb")"
        + _ENDS_NAME
        + rb"""|(?=[^<>"']*+["']))(?P<BROKEN>))"""
    )


_ATTRIBUTE = re.compile(
    rb"""([^ \t\r\n=]++)[ \t\r\n]*+=[ \t\r\n]*+(?:"([^"]*+)"|'([^']*+)')|([^ \t\r\n])"""
)
_SHEET_MARKUP = _markup_pattern(rb"c|row|dimension", fast_cells=True)
_ANY_MARKUP = _markup_pattern(_NAME_CHAR + rb"++")


def _tags(xml: bytes):
    """(closing, local name, attributes text, self-closing) of each tag, in order."""
    for found in _ANY_MARKUP.finditer(xml):
        kind = found.lastgroup
        if kind == "BROKEN":
            raise _damaged()
        if kind == "TAG":
            attributes = found.group("attributes")
            empty = attributes.endswith(b"/")
            closing = found.group("close") == b"/"
            yield closing, found.group("name"), attributes[:-1] if empty else attributes, empty


def _attributes(text: bytes) -> list[tuple[bytes, bytes]]:
    """The (name, raw value) pairs of a tag, in order; refused when they do not parse."""
    pairs = []
    for found in _ATTRIBUTE.finditer(text):  # not findall: stop at the first stray character
        if found.group(4):
            raise _damaged()
        pairs.append((found.group(1), found.group(2) or found.group(3) or b""))
    return pairs


# --- The workbook's sheets ---------------------------------------------------------------


def _sheet_parts(archive: zipfile.ZipFile) -> list[str | None]:
    """The part each sheet is read from, in the order the reader numbers the sheets: the
    <sheet> elements of xl/workbook.xml, each naming a relationship of
    xl/_rels/workbook.xml.rels whose target is the part (whatever its name). None for a sheet
    whose part is missing (the reader then fails on it)."""
    rels = _part(archive, "xl/_rels/workbook.xml.rels")
    book = _part(archive, "xl/workbook.xml")
    if rels is None or book is None:
        raise _damaged()
    targets: dict[bytes, bytes] = {}
    for closing, name, attributes, _empty in _tags(rels):
        if closing and name == b"Relationships":
            break
        if not closing and name == b"Relationship":
            values = dict(_attributes(attributes))
            targets[values.get(b"Id", b"")] = values.get(b"Target", b"")
    parts: list[str | None] = []
    for closing, name, attributes, _empty in _tags(book):
        if closing and name == b"workbook":
            break
        if closing or name != b"sheet":
            continue
        # The reader takes the last attribute whose local name is "id", whatever its prefix
        # (r:id as Excel writes it); two that differ leave the sheet's part in doubt.
        relations = {value for key, value in _attributes(attributes) if _local(key) == b"id"}
        if len(relations) != 1 or next(iter(relations)) not in targets:
            raise _damaged()
        relation = relations.pop()
        path = _part_name(targets[relation])
        parts.append(path if _part_exists(archive, path) else None)
    return parts


def _local(name: bytes) -> bytes:
    return name.split(b":", 1)[-1]


def _part_name(target: bytes) -> str:
    """A relationship's target as the reader resolves it (relative to xl/ unless it starts
    with /xl/ or xl/). Targets that climb or wander (.., ., //, backslashes) are refused:
    Excel never writes them, and a reader might resolve them otherwise."""
    try:
        text = target.decode("utf-8")
    except UnicodeDecodeError:
        raise _damaged() from None
    if text.startswith("/xl/"):
        path = text[1:]
    elif text.startswith("xl/"):
        path = text
    else:
        path = "xl/" + text
    if "\\" in path or any(step in ("", ".", "..") for step in path.split("/")):
        raise _damaged()
    return path


def _part_exists(archive: zipfile.ZipFile, name: str) -> bool:
    wanted = _folded(name)
    return any(_folded(member.filename) == wanted for member in archive.infolist())


# --- What a sheet holds --------------------------------------------------------------------


@dataclass
class _Extent:
    rows: int = 0  # the furthest filled row and column, counted from 1
    columns: int = 0
    hidden: set[int] = field(default_factory=set)


_CELL_REFERENCE = re.compile(rb"([A-Za-z]{1,3})([0-9]{1,12})")
_ROW_REFERENCE = re.compile(rb"[A-Za-z]*+([0-9]{1,12})")


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + (letter - 64)
    return number


# The form nearly every sheet has, from its <sheetData> on: rows and cells that all carry
# their r="…" first, double-quoted; no comments, CDATA or processing instructions; no "<" in
# attribute values (where XML forbids it). Such a body is checked in one pass of the pattern
# engine and its references gathered at once; anything else takes the general scan.
_VALUES_WITHOUT_LT = rb"""(?:[^>"'/<]++|/(?!>)|"[^"<]*+"|'[^'<]*+')*+"""
_PLAIN_CONTENT = (
    rb"(?:[^<]++|</?+[^ \t\r\n<>/\"'=!?][^ \t\r\n<>/\"'=]*+(?<![<:/]c)"
    + _VALUES_WITHOUT_LT
    + rb"/?>)*+"
)
_PLAIN_CELL = (
    rb'<c r="[A-Z]{1,3}[1-9][0-9]{0,6}"'
    + _ENDS_NAME
    + _VALUES_WITHOUT_LT
    + rb"(?:/>|>"
    + _PLAIN_CONTENT
    + rb"</c[ \t\r\n]*+>)"
)
_PLAIN_BODY = re.compile(
    rb'[ \t\r\n]*+(?:<row r="[1-9][0-9]{0,6}"'
    + _ENDS_NAME
    + _VALUES_WITHOUT_LT
    + rb"(?:/>|>[ \t\r\n]*+(?:"
    + _PLAIN_CELL
    + rb"[ \t\r\n]*+)*+</row[ \t\r\n]*+>)[ \t\r\n]*+)*+</sheetData[ \t\r\n]*+>"
)
_PLAIN_FILLED_CELL = re.compile(
    rb'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"' + _ENDS_NAME + _VALUES_WITHOUT_LT + rb">"
)
_PLAIN_ROW = re.compile(
    rb'<row r="([1-9][0-9]{0,6})"' + _ENDS_NAME + rb"(" + _VALUES_WITHOUT_LT + rb")"
)


def _scan_sheet(xml: bytes) -> _Extent:
    """Where the sheet's filled cells reach, and its hidden rows (see ``_scan_markup``)."""
    start = _sheet_data_start(xml)
    body = _PLAIN_BODY.match(xml, start) if start is not None else None
    if body is None:
        return _scan_markup(xml)
    end = body.end()
    extent = _Extent()
    references = _PLAIN_FILLED_CELL.findall(xml, start, end)
    if references:
        extent.rows = max(int(row) for row in {row for _column, row in references})
        extent.columns = max(_column_number(c) for c in {column for column, _row in references})
    for number, attributes in _PLAIN_ROW.findall(xml, start, end):
        if b"hidden" in attributes and _is_hidden(_attributes(attributes.rstrip(b"/"))):
            extent.hidden.add(int(number))
    return extent


def _sheet_data_start(xml: bytes) -> int | None:
    """Where the content of the <sheetData> element the reader reads starts, if it has one."""
    for found in _ANY_MARKUP.finditer(xml):
        if found.lastgroup == "BROKEN":
            return None
        if found.lastgroup == "TAG" and found.group("name") == b"sheetData":
            closing = found.group("close") == b"/"
            empty = found.group("attributes").endswith(b"/")
            return None if closing or empty else found.end()
    return None


def _scan_markup(xml: bytes) -> _Extent:
    """Where the sheet's filled cells reach, and its hidden rows, reading the cells as the
    reader does: a <row r="…"> sets the row, </row> moves to the next one, a cell with an r
    attribute is where it says, a cell without one follows the previous cell. A cell that
    closes at once (<c …/>) only carries a format and makes no grid; any other counts."""
    extent = _Extent()
    row = column = 0  # the reader's cursor, counted from 0
    in_cell = False  # inside a cell met in its general form, whose content is not skipped
    max_row = max_column = 0
    for found in _SHEET_MARKUP.finditer(xml):
        kind = found.lastgroup
        if kind == "CELL":  # <c r="B7" …>…</c> or <c r="B7" …/>
            if in_cell:
                raise _damaged()  # a cell inside a cell
            column = _column_number(found.group("column"))
            if found.group("empty") is None:
                max_row = max(max_row, int(found.group("row")))
                max_column = max(max_column, column)
        elif kind == "ROW_END":
            if not in_cell:
                row, column = row + 1, 0
        elif kind == "ROW":
            if in_cell:
                raise _damaged()
            row, column = int(found.group("number")) - 1, 0
            attributes = found.group("row_attributes")
            if b"hidden" in attributes and _is_hidden(_attributes(attributes)):
                extent.hidden.add(row + 1)
            if found.group("row_empty"):
                row += 1
        elif kind == "TAG":
            closing = found.group("close") == b"/"
            name = found.group("name")
            if in_cell:
                if name != b"c" or not closing:
                    raise _damaged()  # a row or a cell inside a cell
                in_cell = False
                continue
            attributes = found.group("attributes")
            empty = attributes.endswith(b"/")
            if name == b"row" and closing:
                row, column = row + 1, 0
            elif name == b"row":
                values = _attributes(attributes[:-1] if empty else attributes)
                numbers = []
                for key, value in values:
                    if key == b"r":
                        reference = _ROW_REFERENCE.fullmatch(value)
                        if reference is None or int(reference.group(1)) == 0:
                            raise _damaged()
                        numbers.append(int(reference.group(1)))
                if numbers:  # the reader takes the first; the largest is the safe guess
                    row = max(numbers) - 1
                if _is_hidden(values):
                    extent.hidden.add(row + 1)
                if empty:
                    row, column = row + 1, 0
            elif name == b"c" and closing:
                raise _damaged()  # a </c> that closes no cell: something hid its <c …>
            elif name == b"c":
                position = (row, column)
                for key, value in _attributes(attributes[:-1] if empty else attributes):
                    if key == b"r":
                        reference = _CELL_REFERENCE.fullmatch(value)
                        if reference is None or int(reference.group(2)) == 0:
                            raise _damaged()
                        position = (
                            int(reference.group(2)) - 1,
                            _column_number(reference.group(1)) - 1,
                        )
                column = position[1] + 1
                if not empty:
                    max_row = max(max_row, position[0] + 1)
                    max_column = max(max_column, position[1] + 1)
                    in_cell = True
        elif kind == "BROKEN":
            raise _damaged()
    extent.rows, extent.columns = max_row, max_column
    return extent


def _is_hidden(attributes: list[tuple[bytes, bytes]]) -> bool:
    return any(key == b"hidden" and value in (b"1", b"true") for key, value in attributes)


def _check_extent(extent: _Extent) -> None:
    """Refuse a sheet whose filled cells reach beyond what an import may hold, before the
    reader builds a grid from its first to its furthest cell (one cell at XFD1048576 would
    ask for hundreds of gigabytes, and the reader aborts the process instead of failing)."""
    limit = settings.IMPORT_MAX_ROWS + HEADER_SEARCH_ROWS + BLANK_ROWS_THAT_END_A_SHEET
    if extent.rows > limit or extent.columns > MAX_COLUMNS:
        raise FileRefused(
            _(
                "The sheet has data as far as row %(row)d, column %(column)d, beyond what one "
                "import may hold (%(limit)d rows, %(columns)d columns). Delete the stray cells "
                "or split the file."
            )
            % {
                "row": extent.rows,
                "column": extent.columns,
                "limit": settings.IMPORT_MAX_ROWS,
                "columns": MAX_COLUMNS,
            }
        )
    if extent.rows * extent.columns > MAX_GRID_CELLS:
        raise FileRefused(
            _(
                "The sheet's data spans %(rows)d rows by %(columns)d columns, a grid of more "
                "than %(cells)s million cells that one import cannot hold: most likely a few "
                "stray cells far below or to the right of the data. Delete them, or split the "
                "file."
            )
            % {
                "rows": extent.rows,
                "columns": extent.columns,
                "cells": MAX_GRID_CELLS // 1_000_000,
            }
        )


def _read_xlsx(data: bytes, is_header) -> Table:
    from python_calamine import CalamineError, CalamineWorkbook

    archive = _check_zip(data)
    parts = _sheet_parts(archive)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except CalamineError as exc:
        raise FileRefused(_("The workbook cannot be read: %(reason)s") % {"reason": exc}) from None
    if not workbook.sheet_names:
        raise FileRefused(_("The workbook has no sheet."))
    if len(parts) != len(workbook.sheet_names):
        raise _damaged()  # the sheets were not counted alike: the checks cannot be trusted
    for index, name in enumerate(workbook.sheet_names):
        xml = _part(archive, parts[index]) if parts[index] else None
        extent = _scan_sheet(xml) if xml is not None else _Extent()
        _check_extent(extent)
        try:
            sheet = workbook.get_sheet_by_index(index)
            rows = _sheet_rows(sheet)
        except CalamineError as exc:
            raise FileRefused(
                _("The sheet “%(sheet)s” cannot be read: %(reason)s")
                % {"sheet": name, "reason": str(exc)[:200]}
            ) from None
        if _find_header(rows, is_header) is None:
            continue
        table = _with_header(rows, is_header, sheet_name=name)
        if index > 0:
            table.warnings.append(
                _("The data was read from the sheet “%(sheet)s”.") % {"sheet": name}
            )
        hidden = sorted(h for h in extent.hidden if h > table.header_line)
        if hidden:
            shown = "、".join(str(h) for h in hidden[:20]) + ("…" if len(hidden) > 20 else "")
            table.warnings.append(
                _("Rows %(rows)s are hidden in the workbook; they were read like the others.")
                % {"rows": shown}
            )
        return table
    raise FileRefused(_no_header_message())


def _sheet_rows(sheet) -> list[tuple[int, list]]:
    """Non-blank rows with their spreadsheet row numbers; a long run of blank rows (a sheet
    formatted down to row 1,048,576) ends the sheet."""
    rows: list[tuple[int, list]] = []
    blank_run = 0
    first_row = sheet.start[0] + 1 if sheet.start else 1
    for offset, cells in enumerate(sheet.iter_rows()):
        if any(cell not in ("", None) for cell in cells):
            rows.append((first_row + offset, list(cells)))
            blank_run = 0
            if len(rows) % 1000 == 0:
                _check_row_count(len(rows))
        else:
            blank_run += 1
            if blank_run >= BLANK_ROWS_THAT_END_A_SHEET and rows:
                break
    return rows


# --- Header ------------------------------------------------------------------------------


def _check_row_count(count: int) -> None:
    if count > settings.IMPORT_MAX_ROWS + HEADER_SEARCH_ROWS:
        raise FileRefused(
            _("The file has more than %(limit)d rows. Split it into smaller files.")
            % {"limit": settings.IMPORT_MAX_ROWS}
        )


def _no_header_message() -> str:
    return _(
        "No header row was found: the first rows of every sheet lack the column names of the "
        "template (for example 姓名 and 身份证号). Download the template and keep its header row."
    )


def _find_header(rows, is_header) -> int | None:
    best, best_score = None, 0
    for position, (_number, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        score = is_header([str(c) if c is not None else "" for c in cells])
        if score > best_score:
            best, best_score = position, score
    return best


def _with_header(rows, is_header, *, sheet_name: str) -> Table:
    if not rows:
        raise FileRefused(_("The file has no rows."))
    position = _find_header(rows, is_header)
    if position is None:
        raise FileRefused(_no_header_message())
    header_line, header_cells = rows[position]
    headers = [str(c) if c not in (None, "") else "" for c in header_cells]
    # A two-row header with merged cells: a name merged down from the row above.
    if position > 0:
        above = rows[position - 1][1]
        for i, name in enumerate(headers):
            if not name and i < len(above) and above[i] not in (None, ""):
                headers[i] = str(above[i])
    data = rows[position + 1 :]
    _check_row_count(len(data))
    if not data:
        raise FileRefused(_("The file has a header row but no data rows."))
    return Table(headers=headers, rows=data, sheet_name=sheet_name, header_line=header_line)
