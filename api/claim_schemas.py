"""Request and response bodies of the claim routes. Money and quantities travel as strings such as
"1800.00", never as JSON numbers, so that no float ever carries them."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, BeforeValidator, Field

from api.schemas import Code, Serial, Text, example
from domain.claim_terms import ClaimKind, LineKind
from domain.statements import CREDIT_NOTE_NUMBER

AMOUNT_PATTERN = r"^[0-9]{1,13}(\.[0-9]{1,2})?$"
QUANTITY_PATTERN = r"^[0-9]{1,5}(\.[0-9]{1,2})?$"


def decimal_text(pattern: str, example_text: str) -> BeforeValidator:
    """A decimal given as a string that matches `pattern` and is above zero."""
    shape = re.compile(pattern)

    def check(value: object) -> Decimal:
        if not isinstance(value, str) or not shape.fullmatch(value):
            raise ValueError(f'a string of digits with at most two decimals, such as "{example_text}"')
        number = Decimal(value)
        if number <= 0:
            raise ValueError("must be above zero")
        return number

    return BeforeValidator(check)


def _string(pattern: str) -> Any:
    """Shown in the schema as the string it travels as."""
    return Field(json_schema_extra={"type": "string", "pattern": pattern})


Money = Annotated[Decimal, decimal_text(AMOUNT_PATTERN, "1800.00"), _string(AMOUNT_PATTERN)]
"""An amount given: above zero, at most two decimals, below ten trillion."""
Quantity = Annotated[Decimal, decimal_text(QUANTITY_PATTERN, "2.5"), _string(QUANTITY_PATTERN)]
"""Hours or a count: above zero, at most two decimals, below 100,000."""
Amount = Annotated[Decimal, _string(r"^[0-9]+\.[0-9]{2}$")]
"""An amount the ledger answers with, to the hundredth."""
Given = Annotated[Decimal, _string(r"^[0-9]+(\.[0-9]+)?$")]
"""A quantity or price as it was given."""
Identifier = Annotated[str, Field(min_length=1, max_length=64, pattern=f"^{CREDIT_NOTE_NUMBER.pattern}$")]
"""A number or reference from outside the ledger: an invoice, a part, a credit note, a bank transfer."""
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217, such as CNY.")]
Reference = Annotated[str, Field(min_length=1, max_length=500, pattern=r"^\S(.*\S)?$")]

CLAIM_ID = "5b0e8a52-3f8e-4d2b-9a57-1c9f3e0d7a61"
LINE_EXAMPLES: list[dict[str, Any]] = [
    {
        "kind": "material",
        "code": "P-4411",
        "description": "Hydraulic pump",
        "quantity": "1",
        "unit_price": "28000.00",
    },
    {
        "kind": "labour",
        "code": "L-100",
        "description": "Replace the pump",
        "quantity": "2.5",
        "unit_price": "800.00",
    },
]


class ClaimLineBody(BaseModel):
    """Labour (service code, hours, rate), material (part number, quantity, unit price) or another
    cost (quantity 1 at its amount; the code may be empty)."""

    model_config = example(LINE_EXAMPLES[0])
    kind: LineKind
    code: Annotated[str, Field(max_length=64, pattern=f"^({CREDIT_NOTE_NUMBER.pattern})?$")] = ""
    description: Annotated[str, Field(min_length=1, max_length=500)]
    quantity: Quantity
    unit_price: Money


class OldPartBody(BaseModel):
    model_config = example({"part_number": "P-4411", "quantity": 1, "serial": "SN-88"})
    part_number: Identifier
    quantity: Annotated[int, Field(ge=1, le=10_000)]
    serial: Annotated[str, Field(max_length=64, pattern=f"^({CREDIT_NOTE_NUMBER.pattern})?$")] = ""


SUBSIDY_EXAMPLE = {
    "household_id": "hh-wu",
    "product_class": "television",
    "invoice_number": "INV-88231",
    "invoice_price": "1800.00",
    "purchased_on": "2026-10-20",
}


class SubsidyBody(BaseModel):
    model_config = example(SUBSIDY_EXAMPLE)
    household_id: Identifier
    product_class: Code
    invoice_number: Identifier
    invoice_price: Money
    purchased_on: date


class DraftClaim(BaseModel):
    model_config = example(
        {
            "kind": "warranty",
            "customer_id": "xcmg",
            "vendor_id": "volvo-ce",
            "currency": "CNY",
            "lines": LINE_EXAMPLES,
            "ticket_id": "0b6f3c1e-8a37-4a43-9a0f-5c2f6f0b8c11",
            "asset_id": "ex-0042",
            "service_completed_at": "2026-11-18T16:00:00+08:00",
            "old_parts": [{"part_number": "P-4411", "quantity": 1, "serial": "SN-88"}],
        }
    )
    kind: ClaimKind
    customer_id: Code
    vendor_id: Code
    currency: Currency
    lines: Annotated[
        list[ClaimLineBody],
        Field(max_length=200, description="None for a subsidy claim: the terms compute its line."),
    ] = Field(default_factory=list)
    contract_id: UUID | None = Field(
        default=None,
        description="The contract to claim under; else the ticket's, else the customer's in force now.",
    )
    ticket_id: UUID | None = None
    asset_id: Serial | None = None
    service_completed_at: AwareDatetime | None = Field(
        default=None, description="When the service was completed; not in the future."
    )
    old_parts: Annotated[list[OldPartBody], Field(max_length=200)] = Field(default_factory=list)
    subsidy: SubsidyBody | None = Field(default=None, description="The purchase, for a subsidy claim only.")


class EvidenceBody(BaseModel):
    model_config = example(
        {
            "kind": "photo",
            "reference": "claims/5b0e8a52/failed-pump.jpg",
            "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        }
    )
    kind: Code
    reference: Reference
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$", description="Of the document, lower-case hex.")]


class ApprovalBody(BaseModel):
    model_config = example({"amount": "25000.00"})
    amount: Money | None = Field(
        default=None, description="At most the step before's; that amount (or the claimed total) if omitted."
    )


class ClaimReason(BaseModel):
    model_config = example({"reason": "The photo of the failed part is missing"})
    reason: Text


class ResubmissionBody(BaseModel):
    model_config = example({"lines": [LINE_EXAMPLES[0]]})
    lines: Annotated[list[ClaimLineBody], Field(min_length=1, max_length=200)] | None = Field(
        default=None, description="The first claim's lines if omitted."
    )


class CreditNoteBody(BaseModel):
    model_config = example({"number": "CN-2026-0042", "amount": "25000.00", "issued_on": "2026-11-20"})
    number: Identifier
    amount: Money
    issued_on: date


class PaymentBody(BaseModel):
    model_config = example({"amount": "10000.00", "reference": "BANK-778120", "paid_on": "2026-11-21"})
    amount: Money
    reference: Identifier
    paid_on: date


class PaymentReversalBody(BaseModel):
    model_config = example({"reference": "BANK-778120", "reason": "The transfer bounced"})
    reference: Identifier
    reason: Text


class SubsidyRefundBody(BaseModel):
    model_config = example({"reference": "REFUND-2291"})
    reference: Identifier


LINE_VIEW_EXAMPLE = {**LINE_EXAMPLES[0], "amount": "28000.00"}
SIGNED = "2026-11-20T06:00:00Z"
CLAIM_EXAMPLE: dict[str, Any] = {
    "claim_id": CLAIM_ID,
    "version": 6,
    "kind": "commercial",
    "status": "approved",
    "contract_id": "6d1f7c55-0c43-5a3c-9d0e-1f1b8f6b6b2a",
    "contract_version": 1,
    "customer_id": "xcmg",
    "vendor_id": "volvo-ce",
    "ticket_id": None,
    "asset_id": "ex-0042",
    "currency": "CNY",
    "lines": [LINE_VIEW_EXAMPLE, {**LINE_EXAMPLES[1], "amount": "2000.00"}],
    "old_parts": [{"part_number": "P-4411", "quantity": 1, "serial": "SN-88"}],
    "subsidy": None,
    "evidence": [
        {
            "kind": "photo",
            "reference": "claims/5b0e8a52/failed-pump.jpg",
            "sha256": "9f86d081" * 8,
            "attached_by": "claims-qian",
            "attached_at": "2026-11-19T02:05:00Z",
        }
    ],
    "drafted_at": "2026-11-19T02:00:00Z",
    "drafted_by": "claims-qian",
    "service_completed_at": "2026-11-18T08:00:00Z",
    "submitted_at": "2026-11-19T02:10:00Z",
    "submitted_by": "claims-qian",
    "due_on": "2026-12-02",
    "days_late": 0,
    "payout_due_at": None,
    "chain": [
        {"step": 1, "role": "bu_manager", "signed_by": "bu-wang", "amount": "30000.00", "signed_at": SIGNED},
        {
            "step": 2,
            "role": "sales_director",
            "signed_by": "sales-liu",
            "amount": "30000.00",
            "signed_at": SIGNED,
        },
        {
            "step": 3,
            "role": "service_director",
            "signed_by": "svc-zhao",
            "amount": "28000.00",
            "signed_at": SIGNED,
        },
        {
            "step": 4,
            "role": "general_manager",
            "signed_by": "gm-sun",
            "amount": "25000.00",
            "signed_at": SIGNED,
        },
    ],
    "next_step": None,
    "approved_at": "2026-11-20T06:00:00Z",
    "rejection": None,
    "claimed": "30000.00",
    "approved": "25000.00",
    "credited": "25000.00",
    "paid": "10000.00",
    "payable": "25000.00",
    "credit_notes": [
        {
            "number": "CN-2026-0042",
            "amount": "25000.00",
            "issued_on": "2026-11-21",
            "recorded_at": "2026-11-22T01:00:00Z",
        }
    ],
    "payments": [
        {
            "reference": "BANK-778120",
            "amount": "10000.00",
            "paid_on": "2026-11-22",
            "recorded_at": "2026-11-22T02:00:00Z",
            "reversed": False,
        },
        {
            "reference": "BANK-778121",
            "amount": "15000.00",
            "paid_on": "2026-11-22",
            "recorded_at": "2026-11-22T02:30:00Z",
            "reversed": True,
        },
    ],
    "reversals": [
        {
            "reference": "BANK-778121",
            "amount": "15000.00",
            "reason": "Paid to the wrong account",
            "reversed_by": "fin-zhang",
            "approved_by": "fin-lu",
            "recorded_at": "2026-11-22T03:00:00Z",
        }
    ],
    "closed_at": None,
    "closing_reason": None,
    "resubmission_of": None,
    "resubmitted_as": None,
    "subsidy_refunded": False,
    "product_returned": False,
}


class ClaimLineView(BaseModel):
    model_config = example(LINE_VIEW_EXAMPLE, closed=False)
    kind: str
    code: str
    description: str
    quantity: Given
    unit_price: Given
    amount: Amount


class OldPartView(BaseModel):
    model_config = example(CLAIM_EXAMPLE["old_parts"][0], closed=False)
    part_number: str
    quantity: int
    serial: str


class SubsidyView(BaseModel):
    model_config = example(SUBSIDY_EXAMPLE, closed=False)
    household_id: str
    product_class: str
    invoice_number: str
    invoice_price: Given
    purchased_on: date


class EvidenceView(BaseModel):
    model_config = example(CLAIM_EXAMPLE["evidence"][0], closed=False)
    kind: str
    reference: str
    sha256: str
    attached_by: str
    attached_at: datetime


class ChainStep(BaseModel):
    """A step of the approval chain: its role, and who signed it for what amount (None until then)."""

    model_config = example(CLAIM_EXAMPLE["chain"][0], closed=False)
    step: int
    role: str
    signed_by: str | None
    amount: Amount | None
    signed_at: datetime | None


class CreditNoteView(BaseModel):
    model_config = example(CLAIM_EXAMPLE["credit_notes"][0], closed=False)
    number: str
    amount: Amount
    issued_on: date
    recorded_at: datetime


class PaymentView(BaseModel):
    model_config = example(CLAIM_EXAMPLE["payments"][0], closed=False)
    reference: str
    amount: Amount
    paid_on: date
    recorded_at: datetime
    reversed: bool


class ReversalView(BaseModel):
    model_config = example(CLAIM_EXAMPLE["reversals"][0], closed=False)
    reference: str
    amount: Amount
    reason: str
    reversed_by: str
    approved_by: str
    recorded_at: datetime


class ClaimView(BaseModel):
    """A claim as its events make it."""

    model_config = example(CLAIM_EXAMPLE, closed=False)
    claim_id: UUID
    version: int
    kind: str
    status: str
    contract_id: UUID
    contract_version: int
    customer_id: str
    vendor_id: str
    ticket_id: UUID | None
    asset_id: str | None
    currency: str
    lines: list[ClaimLineView]
    old_parts: list[OldPartView]
    subsidy: SubsidyView | None
    evidence: list[EvidenceView]
    drafted_at: datetime
    drafted_by: str
    service_completed_at: datetime | None
    submitted_at: datetime | None
    submitted_by: str | None
    due_on: date | None = Field(description="The submission deadline under the claim terms.")
    days_late: int = Field(description="Whole days the submission came after `due_on`.")
    payout_due_at: datetime | None = Field(description="When a subsidy must be paid out.")
    chain: list[ChainStep]
    next_step: str | None = Field(description="The role whose signature the claim awaits.")
    approved_at: datetime | None
    rejection: str | None
    claimed: Amount
    approved: Amount
    credited: Amount
    paid: Amount = Field(description="Payouts less their reversals.")
    payable: Amount = Field(description="The approved amount, or the credited one where it is lower.")
    credit_notes: list[CreditNoteView]
    payments: list[PaymentView]
    reversals: list[ReversalView]
    resubmission_of: UUID | None
    resubmitted_as: UUID | None
    subsidy_refunded: bool
    product_returned: bool
    closed_at: datetime | None
    closing_reason: str | None
