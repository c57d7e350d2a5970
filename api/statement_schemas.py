"""The report of a credit-note statement import."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from api.claim_schemas import CLAIM_ID, Amount
from api.schemas import example

CSV_EXAMPLE = (
    "claim_id,credit_note_number,amount,currency,issued_on\n"
    f"{CLAIM_ID},CN-2026-0042,25000.00,CNY,2026-11-20\n"
    "9d2c41f0-6a0b-4f7e-8a8e-2b1f4c6d7e90,CN-2026-0043,4800.00,CNY,2026-11-20\n"
)
LINE_EXAMPLE: dict[str, Any] = {
    "line": 2,
    "claim_id": CLAIM_ID,
    "credit_note_number": "CN-2026-0042",
    "amount": "25000.00",
    "currency": "CNY",
    "issued_on": "2026-11-20",
}
MISMATCH_EXAMPLE = {
    **LINE_EXAMPLE,
    "line": 3,
    "claim_id": "9d2c41f0-6a0b-4f7e-8a8e-2b1f4c6d7e90",
    "credit_note_number": "CN-2026-0043",
    "amount": "4800.00",
    "approved": "5000.00",
}
UNMATCHED_EXAMPLE = {**LINE_EXAMPLE, "line": 4, "reason": "no claim has this id"}


class StatementLineView(BaseModel):
    """A line of the statement, by its number in the file (the header is line 1)."""

    model_config = example(LINE_EXAMPLE, closed=False)
    line: int
    claim_id: UUID
    credit_note_number: str
    amount: Amount
    currency: str
    issued_on: date


class AmountMismatchView(StatementLineView):
    model_config = example(MISMATCH_EXAMPLE, closed=False)
    approved: Amount = Field(description="The claim's approved amount, which the line's differs from.")


class UnmatchedLineView(StatementLineView):
    model_config = example(UNMATCHED_EXAMPLE, closed=False)
    reason: str


class StatementReport(BaseModel):
    """Every line lands in one of `recorded`, `already_recorded`, `lines_with_no_claim` and
    `not_creditable`; `amount_mismatches` flags recorded lines besides."""

    model_config = example(
        {
            "vendor_id": "volvo-ce",
            "lines": 3,
            "recorded": [LINE_EXAMPLE, {k: v for k, v in MISMATCH_EXAMPLE.items() if k != "approved"}],
            "already_recorded": [],
            "amount_mismatches": [MISMATCH_EXAMPLE],
            "lines_with_no_claim": [UNMATCHED_EXAMPLE],
            "not_creditable": [],
            "claims_with_no_line": ["3c9a7d10-5e2b-4c8f-9b61-0d4e2f7a8c35"],
            "position": 1240,
        },
        closed=False,
    )
    vendor_id: str
    lines: int = Field(description="Credit notes the statement lists.")
    recorded: list[StatementLineView] = Field(description="Credit notes recorded by this import.")
    already_recorded: list[StatementLineView] = Field(
        description="Credit notes the claim already held: recorded by an earlier import or by hand."
    )
    amount_mismatches: list[AmountMismatchView] = Field(
        description="Recorded (now or before) with an amount other than the claim's approved amount."
    )
    lines_with_no_claim: list[UnmatchedLineView] = Field(
        description="Lines naming no claim, or a claim of another vendor; not recorded."
    )
    not_creditable: list[UnmatchedLineView] = Field(
        description="Lines whose claim is not approved or is in another currency; not recorded."
    )
    claims_with_no_line: list[UUID] = Field(
        description="The vendor's approved claims with no credit note that the statement does not list."
    )
    position: int | None = Field(description="Log position of the credit notes recorded; null if none.")
