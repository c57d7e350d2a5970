"""Response bodies of the reconciliation routes: claims with their money, totals, aging and the
exception lists. Amounts are exact decimal strings with two places, never floats."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, Field, PlainSerializer

from api.schemas import example

Money = Annotated[
    Decimal,
    PlainSerializer(lambda amount: f"{amount:.2f}", return_type=str, when_used="json"),
    Field(description='An exact amount with two decimals, as a string such as "1250.00".'),
]
AsOf = Annotated[datetime | None, Field(description="The recorded time the answer is as of; null for now.")]
ROW_EXAMPLE: dict[str, Any] = {
    "claim_id": "5d0c7a52-3f0e-4b59-9d6a-0f1b2c3d4e5f",
    "kind": "warranty",
    "vendor_id": "volvo-ce",
    "customer_id": "xcmg",
    "currency": "CNY",
    "status": "approved",
    "period": "2026-11",
    "drafted_at": "2026-11-02T01:10:00Z",
    "submitted_at": "2026-11-03T02:00:00Z",
    "days_late": 2,
    "approved_at": "2026-11-06T08:30:00Z",
    "claimed": "12400.00",
    "approved": "11800.00",
    "credited": "11500.00",
    "paid": "6000.00",
    "outstanding": "5500.00",
    "credit_notes": 1,
    "credit_variance": "-300.00",
    "chain_id": "5d0c7a52-3f0e-4b59-9d6a-0f1b2c3d4e5f",
    "resubmission_of": None,
    "resubmitted_as": None,
    "rejection": None,
    "version": 7,
    "position": 88412,
    "recorded_at": "2026-11-20T03:15:02.410Z",
}
TOTALS_EXAMPLE: dict[str, Any] = {
    "period": "2026-11",
    "vendor_id": "volvo-ce",
    "kind": "warranty",
    "currency": "CNY",
    "claims": 42,
    "claimed": "512400.00",
    "approved": "488000.00",
    "credited": "470500.00",
    "paid": "401000.00",
    "outstanding": "69500.00",
}
AGING_EXAMPLE: dict[str, Any] = {
    "vendor_id": "volvo-ce",
    "currency": "CNY",
    "claims": 9,
    "days_0_30": "41000.00",
    "days_31_60": "18500.00",
    "days_61_90": "0.00",
    "over_90": "10000.00",
    "total": "69500.00",
}


class ReconciledClaim(BaseModel):
    model_config = example(ROW_EXAMPLE, closed=False)
    claim_id: UUID
    kind: str = Field(description="warranty, commercial, compensation or subsidy.")
    vendor_id: str
    customer_id: str
    currency: str
    status: str = Field(description="drafted, submitted, approved, rejected, resubmitted or closed.")
    period: str = Field(description="The month of submission in Asia/Shanghai (of drafting until then).")
    drafted_at: datetime
    submitted_at: datetime | None
    days_late: int = Field(description="Days past the submission deadline.")
    approved_at: datetime | None
    claimed: Money
    approved: Money
    credited: Money
    paid: Money
    outstanding: Money = Field(
        description="Payable (approved, or credited if less) less paid; 0 unless approved."
    )
    credit_notes: int
    credit_variance: Money | None = Field(description="Credited less approved; null without a credit note.")
    chain_id: UUID = Field(description="The first claim of its resubmission chain.")
    resubmission_of: UUID | None
    resubmitted_as: UUID | None
    rejection: str | None = Field(description="Why it was rejected, if it was.")
    version: int = Field(description="The claim's version the figures were computed after.")
    position: int = Field(description="The log position of that event.")
    recorded_at: datetime


class ReconciliationPage(BaseModel):
    model_config = example({"as_of": None, "items": [ROW_EXAMPLE], "next_cursor": None}, closed=False)
    as_of: AsOf
    items: list[ReconciledClaim]
    next_cursor: UUID | None = Field(description="Pass as `cursor` for the next page; null on the last.")


class ReconciledTotal(BaseModel):
    model_config = example(TOTALS_EXAMPLE, closed=False)
    period: str
    vendor_id: str
    kind: str
    currency: str
    claims: int = Field(description="Claims counted: a claim superseded by its resubmission is not.")
    claimed: Money
    approved: Money
    credited: Money
    paid: Money
    outstanding: Money


class ReconciliationTotals(BaseModel):
    model_config = example({"as_of": None, "rows": [TOTALS_EXAMPLE]}, closed=False)
    as_of: AsOf
    rows: list[ReconciledTotal]


class AgedOutstanding(BaseModel):
    model_config = example(AGING_EXAMPLE, closed=False)
    vendor_id: str
    currency: str
    claims: int = Field(description="Approved claims with an amount outstanding.")
    days_0_30: Money
    days_31_60: Money
    days_61_90: Money
    over_90: Money
    total: Money


class ReconciliationAging(BaseModel):
    model_config = example({"as_of": None, "on": "2026-11-23", "rows": [AGING_EXAMPLE]}, closed=False)
    as_of: AsOf
    on: date = Field(description="The day (Asia/Shanghai) the days since approval are counted to.")
    rows: list[AgedOutstanding]


class ReconciliationExceptionList(BaseModel):
    model_config = example({"items": [ROW_EXAMPLE], "next_cursor": None}, closed=False)
    items: list[ReconciledClaim]
    next_cursor: UUID | None = Field(
        description="More on GET /claims/reconciliation?exception=…&cursor=…; null if none."
    )


class ReconciliationExceptions(BaseModel):
    model_config = example(
        {
            "as_of": None,
            "credit_variances": {"items": [ROW_EXAMPLE], "next_cursor": None},
            "late_submissions": {"items": [ROW_EXAMPLE], "next_cursor": None},
            "rejected": {"items": [], "next_cursor": None},
        },
        closed=False,
    )
    as_of: AsOf
    credit_variances: ReconciliationExceptionList = Field(
        description="Credit notes that differ from the approved amount."
    )
    late_submissions: ReconciliationExceptionList = Field(
        description="Claims submitted after their deadline."
    )
    rejected: ReconciliationExceptionList = Field(description="Claims rejected and not resubmitted.")
