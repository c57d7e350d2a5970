"""Response bodies of the penalty routes: rule books and their versions, a penalty as its events
make it (with its causes and history), a period's close, what-if, and the penalty ledger's totals
and lines. Amounts, in money or in points, are exact decimal strings with two places."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from api.penalty_schemas import DOCUMENT_EXAMPLE
from api.reconciliation_schemas import Money
from api.schemas import Recorded, example

PENALTY_ID = "1f0c6a7e-8d43-5b7a-9c2e-3a4b5c6d7e8f"
BOOK_VERSION_EXAMPLE: dict[str, Any] = {
    "number": 1,
    "status": "approved",
    "author": "mgr-chen",
    "effective_from": "2026-10-01T00:00:00+08:00",
    "retroactive": False,
    "document": DOCUMENT_EXAMPLE,
}
BOOK_EXAMPLE: dict[str, Any] = {
    "code": "warehouse-and-service",
    "name": "After-sales and warehouse",
    "book_id": "7c1d0e9a-52f4-5d8e-b1a3-6f0e2d4c8b17",
    "in_force": 1,
    "versions": [BOOK_VERSION_EXAMPLE],
}


class PenaltyBookVersionView(BaseModel):
    model_config = example(BOOK_VERSION_EXAMPLE, closed=False)
    number: int
    status: str = Field(description="drafted, reviewed or approved.")
    author: str
    effective_from: datetime | None
    retroactive: bool
    document: dict[str, Any] = Field(description="The schedule document, as checked when recorded.")


class PenaltyBookView(BaseModel):
    model_config = example(BOOK_EXAMPLE, closed=False)
    code: str
    name: str
    book_id: UUID
    in_force: int | None = Field(description="The version in force now; null if none is yet.")
    versions: list[PenaltyBookVersionView]


SUMMARY_EXAMPLE: dict[str, Any] = {
    "code": "warehouse-and-service",
    "name": "After-sales and warehouse",
    "latest_version": 2,
    "latest_status": "reviewed",
    "in_force": 1,
}


class PenaltyBookSummary(BaseModel):
    model_config = example(SUMMARY_EXAMPLE, closed=False)
    code: str
    name: str
    latest_version: int
    latest_status: str
    in_force: int | None


class PenaltyBookList(BaseModel):
    model_config = example({"items": [SUMMARY_EXAMPLE]}, closed=False)
    items: list[PenaltyBookSummary]


RECORDED_EXAMPLE = {"id": PENALTY_ID, "version": 2, "position": 4312}


class ClosedPeriod(BaseModel):
    model_config = example(
        {"period": "2026-10", "recorded": [RECORDED_EXAMPLE], "position": 4312}, closed=False
    )
    period: str
    recorded: list[Recorded] = Field(description="The penalties recorded now (none when closed again).")
    position: int | None = Field(description="The last one's log position; pass it as ?after=.")


LINE_EXAMPLE = {"role": "keeper", "holder": "wh-keeper-wang", "party": "wh-keeper-wang", "amount": "90.00"}
CAUSE_EXAMPLE = {
    "event": "SlaVerdicts.VerdictRecorded",
    "originator_id": "9a0b1c2d-3e4f-5a6b-7c8d-9e0f1a2b3c4d",
    "version": 3,
    "position": 4290,
}
HISTORY_EXAMPLE: dict[str, Any] = {
    "event": "Disputed",
    "version": 3,
    "occurred_at": "2026-11-04T01:00:00Z",
    "recorded_at": "2026-11-04T01:00:00.120Z",
    "actor_id": "wh-keeper-wang",
    "actor_role": "warehouse",
    "reason": "The count missed two orders returned by the customer",
    "against": None,
    "reference": None,
    "causes": [],
}
PENALTY_EXAMPLE: dict[str, Any] = {
    "penalty_id": PENALTY_ID,
    "version": 3,
    "rule": "outbound-success-rate",
    "schedule": {
        "kind": "book",
        "id": BOOK_EXAMPLE["book_id"],
        "name": "warehouse-and-service",
        "version": 1,
    },
    "trigger": "kpi",
    "period": "2026-10",
    "occurred_at": "2026-10-31T15:59:59.999999Z",
    "cause_key": "kpi:2026-10:outbound_success_rate:all",
    "facts": {"source": "stated at the close by mgr-chen", "measured": "97"},
    "basis": "97 against 99: 2 points below, counted 2 (whole_up) x 100",
    "tier": None,
    "remedy": None,
    "capped": False,
    "measure": "money",
    "total": "200.00",
    "lines": [LINE_EXAMPLE],
    "status": "disputed",
    "reason": None,
    "dispute": "The count missed two orders returned by the customer",
    "decision": None,
    "settled_against": None,
    "settled_reference": None,
    "reversal": None,
    "causes": [CAUSE_EXAMPLE],
    "history": [HISTORY_EXAMPLE],
}


class ScheduleRefView(BaseModel):
    model_config = example(PENALTY_EXAMPLE["schedule"], closed=False)
    kind: str = Field(description="contract or book.")
    id: UUID
    name: str = Field(description="A rule book's code, or the contract's name.")
    version: int


class PenaltyLineView(BaseModel):
    model_config = example(LINE_EXAMPLE, closed=False)
    role: str
    holder: str = Field(description="Who holds the role; empty for a role without a named holder.")
    party: str = Field(description="Who bears the line: its holder, else the role.")
    amount: Money


class CauseView(BaseModel):
    """An event the penalty (or its reversal) was read from, and where it is in the log."""

    model_config = example(CAUSE_EXAMPLE, closed=False)
    event: str
    originator_id: str
    version: int
    position: int | None = Field(description="The event's log position, where known.")


class PenaltyHistoryEntry(BaseModel):
    model_config = example(HISTORY_EXAMPLE, closed=False)
    event: str = Field(description="Assessed, Allocated, Disputed, Upheld, Waived, Settled or Reversed.")
    version: int
    occurred_at: datetime = Field(description="When it happened (assessed: when its cause occurred).")
    recorded_at: datetime
    actor_id: str
    actor_role: str
    reason: str | None
    against: str | None = Field(description="Settled: what it was offset against.")
    reference: str | None = Field(description="Settled: the payout, invoice or payroll reference.")
    causes: list[CauseView] = Field(description="Assessed and reversed: the events read.")


class PenaltyView(BaseModel):
    """A penalty as its events make it: what was assessed, how, from what, and what became of it."""

    model_config = example(PENALTY_EXAMPLE, closed=False)
    penalty_id: UUID
    version: int
    rule: str
    schedule: ScheduleRefView
    trigger: str = Field(description="The kind of cause: an `on` of the schedule format, or manual.")
    period: str
    occurred_at: datetime
    cause_key: str
    facts: dict[str, str]
    basis: str = Field(description="How the amount was reached.")
    tier: int | None
    remedy: str | None
    capped: bool
    measure: str = Field(description="money or points.")
    total: Money
    lines: list[PenaltyLineView]
    status: str = Field(description="allocated, disputed, upheld, waived, settled or reversed.")
    reason: str | None = Field(description="Why it was assessed by hand.")
    dispute: str | None
    decision: str | None
    settled_against: str | None
    settled_reference: str | None
    reversal: str | None
    causes: list[CauseView]
    history: list[PenaltyHistoryEntry]


FIGURES_EXAMPLE = {"amount": "300.00", "lines": 4}
COMPARISON_EXAMPLE: dict[str, Any] = {
    "party": "wh-keeper-wang",
    "measure": "money",
    "proposed": {"amount": "135.00", "lines": 1},
    "actual": {"amount": "90.00", "lines": 1},
    "difference": "45.00",
}
WHAT_IF_LINE_EXAMPLE: dict[str, Any] = {
    "cause_key": "kpi:2026-10:outbound_success_rate:all",
    "rule": "outbound-success-rate",
    "party": "wh-keeper-wang",
    "role": "keeper",
    "measure": "money",
    "amount": "135.00",
    "basis": "97 against 99: 2 points below, counted 2 (whole_up) x 150",
}


class Figures(BaseModel):
    model_config = example(FIGURES_EXAMPLE, closed=False)
    amount: Money
    lines: int


class WhatIfComparison(BaseModel):
    model_config = example(COMPARISON_EXAMPLE, closed=False)
    party: str
    measure: str
    proposed: Figures = Field(description="What the proposed schedule would have assessed.")
    actual: Figures = Field(description="What the book's penalties stand at (net) in the ledger.")
    difference: Money = Field(description="Proposed less actual.")


class WhatIfLineView(BaseModel):
    model_config = example(WHAT_IF_LINE_EXAMPLE, closed=False)
    cause_key: str
    rule: str
    party: str
    role: str
    measure: str
    amount: Money
    basis: str


class WhatIfView(BaseModel):
    model_config = example(
        {
            "book": "warehouse-and-service",
            "period": "2026-10",
            "parties": [COMPARISON_EXAMPLE],
            "lines": [WHAT_IF_LINE_EXAMPLE],
        },
        closed=False,
    )
    book: str
    period: str
    parties: list[WhatIfComparison] = Field(description="Per party and measure; nothing is recorded.")
    lines: list[WhatIfLineView] = Field(description="The proposed schedule's lines, cause by cause.")
