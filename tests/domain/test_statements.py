"""A credit-note statement read from its CSV file, and matched to the vendor's claims."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from domain.actors import Actor, Role
from domain.claim_terms import ClaimKind, ClaimLine, LineKind
from domain.claims import Claim
from domain.errors import InvalidValue
from domain.statements import (
    HEADER,
    LineProblem,
    StatementLine,
    StatementMalformed,
    match_statement,
    parse_statement,
)

VENDOR = "volvo-ce"
HEAD = ",".join(HEADER)
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
CLERK = Actor("claims-qian", Role.CLAIMS)
FINANCE = Actor("fin-zhao", Role.FINANCE)
A = UUID("5b0e8a52-3f8e-4d2b-9a57-1c9f3e0d7a61")
B = UUID("9d2c41f0-6a0b-4f7e-8a8e-2b1f4c6d7e90")


def csv(*lines: str, head: str = HEAD) -> bytes:
    return "\n".join([head, *lines, ""]).encode()


def problems(data: bytes) -> list[LineProblem]:
    with pytest.raises(StatementMalformed) as refused:
        parse_statement(VENDOR, data)
    assert refused.value.field == "body"
    return list(refused.value.problems)


def claim(vendor: str = VENDOR, approved: str | None = "5000.00", currency: str = "CNY") -> Claim:
    """A claim drafted, and (unless `approved` is None) submitted and approved by finance for that amount."""
    line = ClaimLine(LineKind.OTHER, "", "Goodwill", Decimal(1), Decimal("5000.00"))
    draft = Claim.draft(
        uuid4(),
        occurred_at=NOW,
        actor=CLERK,
        kind=ClaimKind.COMPENSATION,
        contract_id=uuid4(),
        contract_version=1,
        customer_id="xcmg",
        vendor_id=vendor,
        ticket_id=None,
        asset_id=None,
        currency=currency,
        lines=[line],
        service_completed_at=None,
        old_parts=[],
        subsidy=None,
        resubmission_of=None,
    )
    draft.submit((Role.FINANCE,), None, 0, None, CLERK, NOW)
    if approved is not None:
        draft.approve(Decimal(approved), FINANCE, NOW)
    return draft


def line_of(
    found: Claim, number: str, amount: str = "5000.00", currency: str = "CNY", at: int = 2
) -> StatementLine:
    return StatementLine(at, found.id, number, Decimal(amount), currency, date(2026, 11, 20))


def test_a_statement_is_read_line_by_line_with_its_line_numbers() -> None:
    data = (
        "\ufeff" + HEAD + "\r\n"
        f"{A},CN-1,4800.00,CNY,2026-11-20\r\n"
        "\r\n"
        f' {B} , "CN/2026/7", "25000","CNY", 2026-11-21 \r\n'
    ).encode()

    statement = parse_statement(VENDOR, data)

    assert statement.vendor_id == VENDOR
    assert statement.lines == (
        StatementLine(2, A, "CN-1", Decimal("4800.00"), "CNY", date(2026, 11, 20)),
        StatementLine(4, B, "CN/2026/7", Decimal("25000.00"), "CNY", date(2026, 11, 21)),
    )
    assert statement.claim_ids == (A, B)


def test_a_malformed_statement_is_refused_whole_naming_every_bad_line_and_field() -> None:
    data = csv(
        f"{A},CN-1,4800.00,CNY,2026-11-20",
        "not-a-claim,CN-2,4800.00,CNY,2026-11-20",
        f"{B},CN-3,1.234,cny,2026-13-01",
        f"{B},CN-4,4800.00,CNY",
        f"{B},,0,CNY,2026-11-20",
        f'{B},CN-5,"4,800.00",CNY,20261120',
        f"{A},CN-1,4800.00,CNY,2026-11-20",
        f'{B},"CN-6,4800.00,CNY,2026-11-20',
    )

    found = problems(data)

    assert [(p.line, p.column) for p in found] == [
        (3, "claim_id"),
        (4, "amount"),
        (4, "currency"),
        (4, "issued_on"),
        (5, None),
        (6, "credit_note_number"),
        (6, "amount"),
        (7, "amount"),
        (7, "issued_on"),
        (8, None),
        (9, None),
    ]
    reasons = {(p.line, p.column): p.reason for p in found}
    assert reasons[(5, None)] == "4 fields, not 5"
    assert reasons[(6, "amount")] == "an amount is above zero and below 10,000,000,000,000"
    assert reasons[(8, None)] == "repeats the credit note of line 2"
    assert reasons[(9, None)].startswith("not a CSV line")


@pytest.mark.parametrize(
    ("data", "where", "reason"),
    [
        (b"", 1, "the header must be"),
        (csv(), 1, "the statement lists no credit note"),
        (
            csv(f"{A},CN-1,1.00,CNY,2026-11-20", head="claim,number,amount,currency,date"),
            1,
            "the header must be",
        ),
        (csv(f"{A},CN-1,1.00,CNY,2026-11-20") + b"\xff,CN-2\n", 3, "UTF-8"),
    ],
    ids=["empty", "header-only", "wrong-header", "not-utf8"],
)
def test_a_file_that_is_not_a_statement_is_refused_at_its_line(data: bytes, where: int, reason: str) -> None:
    (found,) = problems(data)
    assert found.line == where
    assert reason in found.reason


@pytest.mark.parametrize("text", ["-5", "+5", "1e3", "5.", ".5", "5.001", "NaN", "1 000", "¥5"])
def test_an_amount_is_digits_with_at_most_two_decimals(text: str) -> None:
    (found,) = problems(csv(f"{A},CN-1,{text},CNY,2026-11-20"))
    assert (found.line, found.column) == (2, "amount")


def test_the_vendor_is_a_code() -> None:
    with pytest.raises(InvalidValue) as refused:
        parse_statement("Volvo CE", csv(f"{A},CN-1,1.00,CNY,2026-11-20"))
    assert refused.value.field == "vendor_id"


def test_each_line_lands_in_one_list_and_mismatched_amounts_are_flagged() -> None:
    exact, short, credited = claim(), claim(), claim()
    credited.receive_credit_note("CN-OLD", Decimal("5000.00"), date(2026, 11, 1), FINANCE, NOW)
    theirs, pending, dollars = claim(vendor="sany"), claim(approved=None), claim(currency="USD")
    missing = uuid4()
    lines = (
        line_of(exact, "CN-1", at=2),
        line_of(short, "CN-2", "4800.00", at=3),
        line_of(credited, "CN-OLD", at=4),
        line_of(theirs, "CN-4", at=5),
        StatementLine(6, missing, "CN-5", Decimal("1.00"), "CNY", date(2026, 11, 20)),
        line_of(pending, "CN-6", at=7),
        line_of(dollars, "CN-7", at=8),
    )
    claims = {c.id: c for c in (exact, short, credited, theirs, pending, dollars)}
    rows = (f"{x.claim_id},{x.number},{x.amount},{x.currency},2026-11-20" for x in lines)
    statement = parse_statement(VENDOR, csv(*rows))

    match = match_statement(statement, claims, [])

    assert [x.line for x in match.credit] == [2, 3]
    assert [x.line for x in match.already_recorded] == [4]
    assert [(u.line.line, u.reason) for u in match.no_claim] == [
        (5, "the claim is sany's"),
        (6, "no claim has this id"),
    ]
    assert [(u.line.line, u.reason) for u in match.not_creditable] == [
        (7, "the claim is submitted, not approved"),
        (8, "the claim is in USD, the line in CNY"),
    ]
    assert [(m.line.line, m.approved) for m in match.amount_mismatches] == [(3, Decimal("5000.00"))]
    assert match.line_count == len(lines)


def test_approved_claims_awaiting_a_credit_note_that_the_statement_omits_are_listed() -> None:
    listed, omitted, credited, theirs = claim(), claim(), claim(), claim(vendor="sany")
    credited.receive_credit_note("CN-OLD", Decimal("5000.00"), date(2026, 11, 1), FINANCE, NOW)
    statement = parse_statement(VENDOR, csv(f"{listed.id},CN-1,5000.00,CNY,2026-11-20"))

    match = match_statement(statement, {listed.id: listed}, [listed, omitted, credited, theirs])

    assert match.claims_with_no_line == (omitted.id,)
