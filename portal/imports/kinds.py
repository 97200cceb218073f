"""Kinds of import: each says what its file holds and how its rows are checked and written.
The machinery in ``services`` (upload, check, preview, locks, write, error workbook) is the
same for all; apps register their kinds in ``AppConfig.ready``."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from .. import rules
from ..models import School, Teacher
from . import cells
from .columns import Column, ColumnMap


@dataclass
class RowError:
    column: str
    value: str
    message: str

    def as_dict(self) -> dict:
        return {"column": self.column, "value": self.value, "message": self.message}


@dataclass
class ImportedRow:
    """One data row of a file on its way in: parsed values, errors, and what will happen."""

    line: int
    raw: list
    labels: dict[str, str]  # column key → header, for messages
    values: dict = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    id_number: str = ""
    id_hash: str = ""
    masked: str = ""
    action: str = ""  # new / changed / unchanged / refused
    changes: dict = field(default_factory=dict)
    school: School | None = None
    teacher: Teacher | None = None
    # Roster: the teacher registered outside the uploader's scope that a "new" row names;
    # the write requests their transfer instead of creating a teacher. Never shown.
    transfer_of: Teacher | None = None
    parse_error_count: int = 0

    def refuse(self, key: str, value: object, message: str) -> None:
        shown = rules.mask_id_like(cells.text(value))[:60]
        self.errors.append(RowError(self.labels.get(key, key), shown, rules.mask_id_like(message)))

    def take_id_number(self, raw: object, *, today: date, hasher):
        """Validate the row's ID number; on success keep it (in memory only), its masked form
        and its lookup hash and return the parsed number, else refuse the row and return None.
        A wrong number is most likely a real one mistyped: it is kept masked, and the message
        says what is wrong without repeating the number or its birth date."""
        try:
            parsed = rules.parse_id_number(raw, today=today)
        except rules.IDNumberError as exc:
            shown = cells.text(raw)
            with contextlib.suppress(rules.IDNumberError):
                shown = rules.normalise_id_number(raw) or shown
            self.refuse("id_number", rules.mask_any(shown), rules.id_problem(exc.code))
            return None
        self.id_number, self.masked, self.id_hash = (
            parsed.value,
            parsed.masked,
            hasher(parsed.value),
        )
        return parsed


ID_NUMBER_COLUMNS = frozenset({"id_number"})
NAME_COLUMNS = frozenset({"name"})


def guard_cells(rows: list[ImportedRow], positions: dict[str, int]) -> None:
    """Checks every import kind shares, after its own parsing: an ID number outside the ID
    number column is refused (and masked in what is kept of the row, so it reaches no
    preview, audit event or export), and a name column holds a person's name."""
    for row in rows:
        width = len(row.raw)
        before = len(row.errors)
        for key, position in positions.items():
            if key in ID_NUMBER_COLUMNS or position >= width:
                continue
            value = cells.text(row.raw[position])
            if key in NAME_COLUMNS:
                problem = rules.person_name_problem(cells.name(value))
            elif len(value) < 18:  # too short to hold an ID number: most cells
                continue
            else:
                problem = rules.id_number_in_text_problem(value)
            if problem:
                row.refuse(key, value, problem)
                if isinstance(row.values.get(key), str):
                    row.values[key] = rules.mask_id_like(row.values[key])
        if len(row.errors) > before:
            row.parse_error_count = len(row.errors)
            row.action = "refused"


def id_guesses(rows: list[ImportedRow], user) -> int:
    """How many rows name an ID number that differs from a teacher's in the user's scope
    only where the mask hides it (the birth date): what a file built to recover a full
    number from its mask looks like. A genuine roster has almost none: a new teacher whose
    number shares its first six and last four characters with a colleague's."""
    from ..scope import scope_queryset

    wanted: dict[str, set[str]] = {}
    for row in rows:
        if row.id_hash and row.masked:
            wanted.setdefault(row.masked, set()).add(row.id_hash)
    if not wanted:
        return 0
    registered: dict[str, set[str]] = {}
    masks = list(wanted)
    for start in range(0, len(masks), 900):
        found = scope_queryset(
            user, Teacher.objects.filter(id_number_masked__in=masks[start : start + 900])
        ).values_list("id_number_masked", "id_number_hash")
        for masked, hashed in found:
            registered.setdefault(masked, set()).add(hashed)
    return sum(len(wanted[m] - hashes) for m, hashes in registered.items())


@dataclass
class CheckContext:
    user: object
    today: date
    lock: bool = False  # inside the write: lock the matched rows
    options: dict = field(default_factory=dict)  # the job's options (ImportJob.options)


@dataclass
class WriteResult:
    created: int = 0
    updated: int = 0
    moved: int = 0


class ImportKind(Protocol):
    name: str
    # False for kinds uploaded from another page with options (a programme's nomination
    # list): the generic upload form does not offer them.
    standalone: bool
    columns: list[Column]
    template_title: str
    instructions: list[str]

    def parse_rows(
        self, table_rows, mapping: ColumnMap, *, today: date, on_progress=None
    ) -> list[ImportedRow]: ...

    def check_rows(self, rows: list[ImportedRow], ctx: CheckContext) -> None: ...

    def schools_touched(self, rows: list[ImportedRow], user) -> set[int]: ...

    def write_rows(self, rows: list[ImportedRow], *, today: date, job) -> WriteResult: ...


_KINDS: dict[str, ImportKind] = {}


def register(kind: ImportKind) -> None:
    _KINDS[kind.name] = kind


def get(name: str) -> ImportKind:
    return _KINDS[name]


def schools_of_teachers(rows: list[ImportedRow], user) -> set[int]:
    """The schools of the teachers a file names (by ID hash) within the user's scope: what
    an import that writes about existing teachers locks while it writes."""
    from ..scope import scope_queryset

    hashes = [r.id_hash for r in rows if r.id_hash]
    ids: set[int] = set()
    for start in range(0, len(hashes), 900):
        ids |= set(
            scope_queryset(
                user, Teacher.objects.filter(id_number_hash__in=hashes[start : start + 900])
            ).values_list("school_id", flat=True)
        )
    return ids


def standalone_choices(choices) -> list[tuple[str, str]]:
    return [
        (value, label) for value, label in choices if getattr(_KINDS.get(value), "standalone", True)
    ]


def all_kinds() -> list[ImportKind]:
    return list(_KINDS.values())
