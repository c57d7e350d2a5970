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

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from domain.claims import Claim, ClaimStatus
from domain.csv_lines import CsvFile, LineProblem, LinesRefused
from domain.errors import InvalidValue
from domain.money import CURRENCY
from domain.ticket_terms import require_code

__all__ = [
    "CREDIT_NOTE_NUMBER",
    "HEADER",
    "AmountMismatch",
    "LineProblem",
    "Statement",
    "StatementLine",
    "StatementMalformed",
    "StatementMatch",
    "Unmatched",
    "match_statement",
    "parse_statement",
]
HEADER = ("claim_id", "credit_note_number", "amount", "currency", "issued_on")
CREDIT_NOTE_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,63}")


class StatementMalformed(LinesRefused, InvalidValue):
    """The statement file breaks its format: every bad line, and nothing recorded."""

    code = "statement-malformed"
    subject = "the statement"


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
    lines = CsvFile(data, HEADER, StatementMalformed).read(
        _line, lambda line: (line.claim_id, line.number), "credit note", "the statement lists no credit note"
    )
    return Statement(vendor_id, lines)


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


def _line(file: CsvFile, number: int, fields: list[str]) -> StatementLine | None:
    claim_text, number_text, amount_text, currency_text, date_text = fields
    found = len(file.problems)
    claim_id = _claim_id(file, number, claim_text)
    if not CREDIT_NOTE_NUMBER.fullmatch(number_text):
        reason = "1 to 64 letters, digits and . _ / -, starting with a letter or digit"
        file.refuse(number, "credit_note_number", f"{number_text!r} is not {reason}")
    figure = file.amount(number, "amount", amount_text, positive=True)
    if not CURRENCY.fullmatch(currency_text):
        file.refuse(number, "currency", f"{currency_text!r} is not an ISO 4217 code")
    issued_on = file.date(number, "issued_on", date_text)
    if len(file.problems) > found or claim_id is None or figure is None or issued_on is None:
        return None
    return StatementLine(number, claim_id, number_text, figure, currency_text, issued_on)


def _claim_id(file: CsvFile, number: int, text: str) -> UUID | None:
    try:
        return UUID(text)
    except ValueError:
        file.refuse(number, "claim_id", f"{text!r} is not a claim id (a UUID)")
        return None
