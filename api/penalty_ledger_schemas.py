"""Response bodies of the penalty ledger's reads: totals per party or rule, period and measure, and
the lines behind them, as of now or a past recorded time. Amounts, in money or in points, are
exact decimal strings with two places."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from api.reconciliation_schemas import AsOf, Money
from api.schemas import example

TOTAL_EXAMPLE: dict[str, Any] = {
    "group": "eng-li",
    "period": "2026-11",
    "measure": "money",
    "lines": 2,
    "assessed": "200.00",
    "waived": "0.00",
    "reversed": "100.00",
    "net": "100.00",
    "settled": "0.00",
    "outstanding": "100.00",
}
LINE_EXAMPLE: dict[str, Any] = {
    "key": "1f0c6a7e-8d43-5b7a-9c2e-3a4b5c6d7e8f:1",
    "penalty_id": "1f0c6a7e-8d43-5b7a-9c2e-3a4b5c6d7e8f",
    "party": "eng-li",
    "role": "party",
    "rule": "late-arrival",
    "schedule": "Huaxin 7x24 maintenance",
    "schedule_kind": "contract",
    "schedule_version": 1,
    "trigger": "sla_breach",
    "measure": "money",
    "period": "2026-11",
    "occurred_at": "2026-11-03T02:00:00Z",
    "status": "reversed",
    "disputed": False,
    "assessed": "100.00",
    "waived": "0.00",
    "reversed": "100.00",
    "net": "0.00",
    "settled": "0.00",
    "outstanding": "0.00",
    "version": 3,
    "position": 4410,
    "recorded_at": "2026-11-04T08:00:00.120Z",
}
FILTER_FIELDS = {
    "party": None,
    "period": "2026-11",
    "rule": None,
    "schedule": None,
    "measure": None,
    "as_of": None,
}


class PenaltyTotalView(BaseModel):
    model_config = example(TOTAL_EXAMPLE, closed=False)
    group: str = Field(description="The party or the rule, as asked with `by`.")
    period: str
    measure: str = Field(description="money or points.")
    lines: int
    assessed: Money
    waived: Money
    reversed: Money
    net: Money = Field(description="Assessed less waived and reversed: what stands.")
    settled: Money
    outstanding: Money = Field(description="Net less settled (negative: settled, then reversed).")


class PenaltyLedgerTotals(BaseModel):
    model_config = example({"by": "party", **FILTER_FIELDS, "rows": [TOTAL_EXAMPLE]}, closed=False)
    by: str = Field(description="party or rule.")
    party: str | None = Field(
        description="The party the answer covers (a person's own, unless they oversee)."
    )
    period: str | None
    rule: str | None
    schedule: str | None
    measure: str | None
    as_of: AsOf
    rows: list[PenaltyTotalView]


class PenaltyLineRow(BaseModel):
    """One party's line of one penalty: the drill-down from a total to the penalty."""

    model_config = example(LINE_EXAMPLE, closed=False)
    key: str = Field(description="The penalty id and the line's number; pass the last as `after_key`.")
    penalty_id: UUID
    party: str
    role: str
    rule: str
    schedule: str
    schedule_kind: str
    schedule_version: int
    trigger: str
    measure: str
    period: str
    occurred_at: datetime
    status: str
    disputed: bool
    assessed: Money
    waived: Money
    reversed: Money
    net: Money
    settled: Money
    outstanding: Money
    version: int = Field(description="The penalty's version the line is as of.")
    position: int = Field(description="The log position of that event.")
    recorded_at: datetime


class PenaltyLinesPage(BaseModel):
    model_config = example(
        {**FILTER_FIELDS, "status": None, "items": [LINE_EXAMPLE], "next_key": None}, closed=False
    )
    party: str | None
    period: str | None
    rule: str | None
    schedule: str | None
    measure: str | None
    status: str | None
    as_of: AsOf
    items: list[PenaltyLineRow]
    next_key: str | None = Field(description="Pass as `after_key` for the next page; null on the last.")
