"""A manufacturer's credit-note statement: the CSV file read line by line, and each line matched to
the vendor's approved claims.

The file format:

- UTF-8 text, optionally starting with a byte-order mark; lines end in LF or CRLF.
- The first line is the header, exactly `claim_id,credit_note_number,amount,currency,issued_on`.
- Every other line that is not blank is one credit note, its five fields in that order, separated
  by commas. A field may be double-quoted, as spreadsheets export it; no field spans two lines.
  Spaces before a field, and after one not quoted, are ignored.
- `claim_id`: the ledger's id of the claim, a UUID such as `0b6f3c1e-8a37-4a43-9a0f-5c2f6f0b8c11`.
- `credit_note_number`: the vendor's number, 1 to 64 letters, digits and `. _ / -`, starting
  with a letter or digit, such as `CN-2026-0042`.
- `amount`: above zero, digits with an optional point and one or two decimals, such as `4800` or
  `4800.00`: no sign, thousands separator or currency symbol.
- `currency`: ISO 4217, such as `CNY`.
- `issued_on`: the date on the credit note, `YYYY-MM-DD`.
- A claim's credit note is listed once: the same claim and number on two lines is refused.
- A statement has at least one credit note.

A file that breaks any of these is refused whole: `StatementMalformed` lists every bad line (the
header is line 1) with the field and the reason, and nothing is recorded.

Matching, line by line: the line's claim must exist and be the statement vendor's ("lines with no
claim" otherwise), be approved and in the line's currency ("not creditable" otherwise). A matched
line whose number the claim already holds is "already recorded" (so a statement imported twice
records nothing the second time); every other matched line is credited, with the statement's
amount. A matched line whose amount is not the claim's approved amount is also listed among the
"amount mismatches". Approved claims of the vendor still awaiting a credit note that the statement
does not mention are the "claims with no line".
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from domain.claims import Claim, ClaimStatus
from domain.errors import InvalidValue
from domain.money import CURRENCY, amount
from domain.ticket_terms import require_code

HEADER = ("claim_id", "credit_note_number", "amount", "currency", "issued_on")
BOM = "\ufeff"
CREDIT_NOTE_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,63}")
AMOUNT_TEXT = re.compile(r"[0-9]{1,13}(\.[0-9]{1,2})?")
DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class LineProblem:
    """Why one line of a statement is refused; `column` is None when the whole line is at fault."""

    line: int
    column: str | None
    reason: str


class StatementMalformed(InvalidValue):
    """The statement file breaks its format: every bad line, and nothing recorded."""

    code = "statement-malformed"

    def __init__(self, problems: Iterable[LineProblem]) -> None:
        self.problems = tuple(problems)
        lines = sorted({p.line for p in self.problems})
        listed = ", ".join(str(n) for n in lines)
        msg = f"the statement is refused, nothing was recorded: line{'s' if len(lines) > 1 else ''} {listed}"
        super().__init__(msg, field="body", lines=lines)


@dataclass(frozen=True)
class StatementLine:
    """One credit note as the statement lists it, with its line number in the file."""

    line: int
    claim_id: UUID
    number: str
    amount: Decimal
    currency: str
    issued_on: date


@dataclass(frozen=True)
class Statement:
    vendor_id: str
    lines: tuple[StatementLine, ...]

    @property
    def claim_ids(self) -> tuple[UUID, ...]:
        """The claims the statement names, each once, in the order of their first line."""
        return tuple(dict.fromkeys(line.claim_id for line in self.lines))


@dataclass(frozen=True)
class Unmatched:
    line: StatementLine
    reason: str


@dataclass(frozen=True)
class AmountMismatch:
    line: StatementLine
    approved: Decimal


@dataclass(frozen=True)
class StatementMatch:
    """What a statement does to the vendor's claims: each line lands in exactly one of `credit`,
    `already_recorded`, `no_claim` and `not_creditable`; mismatched amounts are flagged besides."""

    vendor_id: str
    credit: tuple[StatementLine, ...]
    already_recorded: tuple[StatementLine, ...]
    no_claim: tuple[Unmatched, ...]
    not_creditable: tuple[Unmatched, ...]
    amount_mismatches: tuple[AmountMismatch, ...]
    claims_with_no_line: tuple[UUID, ...]

    @property
    def line_count(self) -> int:
        return sum(
            len(group) for group in (self.credit, self.already_recorded, self.no_claim, self.not_creditable)
        )


def parse_statement(vendor_id: str, data: bytes) -> Statement:
    """The statement a vendor's file gives, or `StatementMalformed` naming every bad line."""
    require_code("vendor_id", vendor_id)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        where = data[: error.start].count(b"\n") + 1
        raise StatementMalformed([LineProblem(where, None, "the file is not UTF-8 text")]) from None
    rows = [row.removesuffix("\r") for row in text.removeprefix(BOM).split("\n")]
    problems: list[LineProblem] = []
    header = _fields(1, rows[0], problems)
    if header is not None and tuple(f.strip() for f in header) != HEADER:
        problems.append(LineProblem(1, None, f"the header must be {','.join(HEADER)}"))
    lines: list[StatementLine] = []
    seen: dict[tuple[UUID, str], int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not row.strip():
            continue
        line = _line(number, row, problems)
        if line is None:
            continue
        first = seen.setdefault((line.claim_id, line.number), number)
        if first != number:
            problems.append(LineProblem(number, None, f"repeats the credit note of line {first}"))
        lines.append(line)
    if not lines and not problems:
        problems.append(LineProblem(1, None, "the statement lists no credit note"))
    if problems:
        raise StatementMalformed(problems)
    return Statement(vendor_id, tuple(lines))


def match_statement(
    statement: Statement, claims: Mapping[UUID, Claim], awaiting: Iterable[Claim]
) -> StatementMatch:
    """Match each line to `claims` (the statement's claims that exist) and list the `awaiting`
    claims (approved, with no credit note) that the statement does not mention."""
    credit: list[StatementLine] = []
    already: list[StatementLine] = []
    no_claim: list[Unmatched] = []
    not_creditable: list[Unmatched] = []
    mismatches: list[AmountMismatch] = []
    for line in statement.lines:
        claim = claims.get(line.claim_id)
        if claim is None or claim.vendor_id != statement.vendor_id:
            owner = "no claim has this id" if claim is None else f"the claim is {claim.vendor_id}'s"
            no_claim.append(Unmatched(line, owner))
            continue
        refusal = _not_creditable(claim, line)
        if refusal is not None:
            not_creditable.append(Unmatched(line, refusal))
            continue
        (already if line.number in claim.credit_notes else credit).append(line)
        if line.amount != claim.approved:
            mismatches.append(AmountMismatch(line, claim.approved))
    mentioned = set(statement.claim_ids)
    missing = tuple(
        claim.id
        for claim in awaiting
        if claim.vendor_id == statement.vendor_id
        and claim.status is ClaimStatus.APPROVED
        and not claim.credit_notes
        and claim.id not in mentioned
    )
    return StatementMatch(
        statement.vendor_id,
        tuple(credit),
        tuple(already),
        tuple(no_claim),
        tuple(not_creditable),
        tuple(mismatches),
        missing,
    )


def _not_creditable(claim: Claim, line: StatementLine) -> str | None:
    if claim.status is not ClaimStatus.APPROVED:
        return f"the claim is {claim.status.value}, not approved"
    if claim.currency != line.currency:
        return f"the claim is in {claim.currency}, the line in {line.currency}"
    return None


def _fields(number: int, row: str, problems: list[LineProblem]) -> list[str] | None:
    try:
        return next(csv.reader([row], strict=True, skipinitialspace=True))
    except csv.Error as error:
        problems.append(LineProblem(number, None, f"not a CSV line: {error}"))
        return None


def _line(number: int, row: str, problems: list[LineProblem]) -> StatementLine | None:
    fields = _fields(number, row, problems)
    if fields is None:
        return None
    if len(fields) != len(HEADER):
        problems.append(LineProblem(number, None, f"{len(fields)} fields, not {len(HEADER)}"))
        return None
    claim_text, number_text, amount_text, currency_text, date_text = (f.strip() for f in fields)
    found = len(problems)
    claim_id = _claim_id(number, claim_text, problems)
    if not CREDIT_NOTE_NUMBER.fullmatch(number_text):
        reason = "1 to 64 letters, digits and . _ / -, starting with a letter or digit"
        problems.append(LineProblem(number, "credit_note_number", f"{number_text!r} is not {reason}"))
    figure = _amount(number, amount_text, problems)
    if not CURRENCY.fullmatch(currency_text):
        problems.append(LineProblem(number, "currency", f"{currency_text!r} is not an ISO 4217 code"))
    issued_on = _date(number, date_text, problems)
    if len(problems) > found or claim_id is None or figure is None or issued_on is None:
        return None
    return StatementLine(number, claim_id, number_text, figure, currency_text, issued_on)


def _claim_id(number: int, text: str, problems: list[LineProblem]) -> UUID | None:
    try:
        return UUID(text)
    except ValueError:
        problems.append(LineProblem(number, "claim_id", f"{text!r} is not a claim id (a UUID)"))
        return None


def _amount(number: int, text: str, problems: list[LineProblem]) -> Decimal | None:
    if AMOUNT_TEXT.fullmatch(text):
        try:
            return amount(text, "amount", positive=True)
        except InvalidValue as error:
            problems.append(LineProblem(number, "amount", error.message))
            return None
    reason = "not an amount such as 4800.00 (digits, a point, at most two decimals)"
    problems.append(LineProblem(number, "amount", f"{text!r} is {reason}"))
    return None


def _date(number: int, text: str, problems: list[LineProblem]) -> date | None:
    if DATE_TEXT.fullmatch(text):
        with suppress(ValueError):
            return date.fromisoformat(text)
    problems.append(LineProblem(number, "issued_on", f"{text!r} is not a date such as 2026-11-01"))
    return None
