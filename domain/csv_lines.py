"""Reading a CSV file the ledger imports one line at a time, so that a refusal names every bad
line: the text decoded, the header checked, each line's fields, and the fields imports share.

What every such file is: UTF-8 text, optionally starting with a byte-order mark; lines end in LF
or CRLF. The first line is the header, exactly the file's column names; every other line that is
not blank is one record, its fields in the header's order, separated by commas. A field may be
double-quoted, as spreadsheets export it; no field spans two lines. Spaces before a field, and
after one not quoted, are ignored. The header is line 1.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TypeVar

from domain.errors import InvalidValue, LedgerError
from domain.money import amount

BOM = "\ufeff"
AMOUNT_TEXT = re.compile(r"[0-9]{1,13}(\.[0-9]{1,2})?")
DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
T = TypeVar("T")


@dataclass(frozen=True)
class LineProblem:
    """Why one line of a file is refused; `column` is None when the whole line is at fault."""

    line: int
    column: str | None
    reason: str


class LinesRefused(LedgerError):
    """A file refused whole: every line at fault, and nothing recorded."""

    subject = "the file"

    def __init__(self, problems: Iterable[LineProblem]) -> None:
        self.problems = tuple(problems)
        lines = sorted({p.line for p in self.problems})
        listed = ", ".join(str(n) for n in lines)
        msg = f"{self.subject} is refused, nothing was recorded: line{'s' if len(lines) > 1 else ''} {listed}"
        super().__init__(msg, field="body", lines=lines)


class CsvFile:
    """A file being read: its lines by number, and every problem found in them so far."""

    def __init__(self, data: bytes, header: tuple[str, ...], malformed: type[LinesRefused]) -> None:
        self.header = header
        self.malformed = malformed
        self.problems: list[LineProblem] = []
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            where = data[: error.start].count(b"\n") + 1
            raise malformed([LineProblem(where, None, "the file is not UTF-8 text")]) from None
        self.rows = [row.removesuffix("\r") for row in text.removeprefix(BOM).split("\n")]

    def read(
        self,
        parse: Callable[[CsvFile, int, list[str]], T | None],
        key: Callable[[T], Hashable],
        what: str,
        nothing: str,
    ) -> tuple[T, ...]:
        """Each record as `parse` reads it (None when it refused the line), a `key` listed once; or
        the file refused, naming every bad line. `what` names a repeated key, `nothing` says why a
        file with no record is refused."""
        found: list[T] = []
        seen: dict[Hashable, int] = {}
        for number, fields in self._records():
            record = parse(self, number, fields)
            if record is None:
                continue
            first = seen.setdefault(key(record), number)
            if first != number:
                self.refuse(number, None, f"repeats the {what} of line {first}")
            found.append(record)
        if not found and not self.problems:
            self.refuse(1, None, nothing)
        if self.problems:
            raise self.malformed(self.problems)
        return tuple(found)

    def refuse(self, line: int, column: str | None, reason: str) -> None:
        self.problems.append(LineProblem(line, column, reason))

    def valid(self, line: int, column: str, text: str, check: Callable[[str, str], str]) -> str | None:
        """The text if `check` (such as `require_code`) accepts it for the column, else None."""
        try:
            return check(column, text)
        except InvalidValue as error:
            self.refuse(line, column, f"{text!r}: {error.message}")
            return None

    def amount(self, line: int, column: str, text: str, *, positive: bool = False) -> Decimal | None:
        """An amount such as `4800.00`: no sign, thousands separator or currency symbol."""
        if AMOUNT_TEXT.fullmatch(text):
            try:
                return amount(text, column, positive=positive)
            except InvalidValue as error:
                self.refuse(line, column, error.message)
                return None
        reason = "not an amount such as 4800.00 (digits, a point, at most two decimals)"
        self.refuse(line, column, f"{text!r} is {reason}")
        return None

    def date(self, line: int, column: str, text: str) -> date | None:
        """A date written `YYYY-MM-DD`."""
        if DATE_TEXT.fullmatch(text):
            with suppress(ValueError):
                return date.fromisoformat(text)
        self.refuse(line, column, f"{text!r} is not a date such as 2026-11-01")
        return None

    def _records(self) -> Iterator[tuple[int, list[str]]]:
        """Each line that is not blank and has the header's number of fields: its number and its
        fields, stripped. The header is checked first."""
        names = self._fields(1, self.rows[0])
        if names is not None and tuple(f.strip() for f in names) != self.header:
            self.refuse(1, None, f"the header must be {','.join(self.header)}")
        for number, row in enumerate(self.rows[1:], start=2):
            if not row.strip():
                continue
            fields = self._fields(number, row)
            if fields is not None and len(fields) != len(self.header):
                self.refuse(number, None, f"{len(fields)} fields, not {len(self.header)}")
            elif fields is not None:
                yield number, [f.strip() for f in fields]

    def _fields(self, line: int, row: str) -> list[str] | None:
        try:
            return next(csv.reader([row], strict=True, skipinitialspace=True))
        except csv.Error as error:
            self.refuse(line, None, f"not a CSV line: {error}")
            return None
