"""Column specifications shared by every kind of import."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .readers import normalise_header


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # the header the template writes (Chinese: it is the file format)
    aliases: tuple[str, ...] = ()
    required: bool = False
    help: str = ""
    example: str = ""
    choices: tuple[str, ...] = ()  # shown as a drop-down list in the template
    width: int = 14

    def names(self) -> set[str]:
        return {normalise_header(n) for n in (self.label, *self.aliases)}


@dataclass
class ColumnMap:
    """Which position of the file holds which column."""

    positions: dict[str, int] = field(default_factory=dict)

    def get(self, cells: list, key: str):
        position = self.positions.get(key)
        if position is None or position >= len(cells):
            return None
        return cells[position]

    def has(self, key: str) -> bool:
        return key in self.positions


def header_score(columns: Sequence[Column], cells: Sequence[str]) -> int:
    names = {normalise_header(c) for c in cells if c}
    return sum(1 for column in columns if column.names() & names)


def map_columns(columns: Sequence[Column], headers: Sequence[str]) -> tuple[ColumnMap, list[str]]:
    """Positions of the known columns, and the labels of required columns that are missing."""
    mapping = ColumnMap()
    for position, header in enumerate(headers):
        folded = normalise_header(header)
        for column in columns:
            if folded in column.names() and column.key not in mapping.positions:
                mapping.positions[column.key] = position
                break
    missing = [c.label for c in columns if c.required and c.key not in mapping.positions]
    return mapping, missing


# The two columns every kind that names teachers starts with.
ID_NUMBER = Column(
    "id_number",
    "身份证号",
    ("身份证号码", "公民身份号码"),
    required=True,
    width=22,
    help="18 位；请把该列设为“文本”格式",
    example="110105194912310020",
)
TEACHER_NAME = Column(
    "name",
    "姓名",
    ("教师姓名",),
    required=True,
    example="林晓",
    width=10,
    help="须与平台中的姓名一致，用于核对身份证号",
)
