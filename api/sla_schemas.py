"""Response bodies of the SLA routes: a ticket's clocks and verdicts, and the clocks at risk."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from api.schemas import example

CLOCK_EXAMPLE: dict[str, Any] = {
    "target": "arrival",
    "status": "breached",
    "started_at": "2026-11-17T01:20:00Z",
    "due_at": "2026-11-17T02:00:00Z",
    "stopped_at": "2026-11-17T02:05:00Z",
    "minutes_late": 5,
    "business_minutes": 45,
    "paused_minutes": 0,
    "escalation_due": False,
}
VERDICT_EXAMPLE: dict[str, Any] = {
    "kind": "verdict",
    "target": "arrival",
    "outcome": "breached",
    "occurred_at": "2026-11-17T02:05:00Z",
    "recorded_at": "2026-11-17T02:05:01Z",
    "due_at": "2026-11-17T02:00:00Z",
    "stopped_at": "2026-11-17T02:05:00Z",
    "minutes_late": 5,
    "contract_version": 1,
    "ticket_version": 6,
}


class ClockView(BaseModel):
    model_config = example(CLOCK_EXAMPLE, closed=False)
    target: str
    status: str = Field(description="not_started, running, paused, met, breached or ended.")
    started_at: datetime | None
    due_at: datetime | None
    stopped_at: datetime | None
    minutes_late: int
    business_minutes: int
    paused_minutes: int
    escalation_due: bool = Field(description="An escalate-after clock lapsed with the fault unsolved.")


class VerdictView(BaseModel):
    model_config = example(VERDICT_EXAMPLE, closed=False)
    kind: str = Field(description="verdict, or escalation_due.")
    target: str
    outcome: str | None = Field(description="met, breached or ended; running or paused if withdrawn.")
    occurred_at: datetime = Field(description="The stop that decided it, or the due time that lapsed.")
    recorded_at: datetime
    due_at: datetime | None
    stopped_at: datetime | None
    minutes_late: int
    contract_version: int
    ticket_version: int = Field(description="The ticket version the verdict was read from.")


class SlaView(BaseModel):
    model_config = example(
        {
            "ticket_id": "0b6f3c1e-8a37-4a43-9a0f-5c2f6f0b8c11",
            "contract_id": "6d1f7c55-0c43-5a3c-9d0e-1f1b8f6b6b2a",
            "contract_version": 1,
            "as_of": "2026-11-17T03:00:00Z",
            "clocks": [CLOCK_EXAMPLE],
            "verdicts": [VERDICT_EXAMPLE],
        },
        closed=False,
    )
    ticket_id: UUID
    contract_id: UUID | None
    contract_version: int | None
    as_of: datetime
    clocks: list[ClockView]
    verdicts: list[VerdictView] = Field(description="Every verdict recorded on the ticket, oldest first.")


class ClockAtRisk(BaseModel):
    model_config = example(
        {
            "ticket_id": "0b6f3c1e-8a37-4a43-9a0f-5c2f6f0b8c11",
            "target": "arrival",
            "customer_id": "huaxin-bank",
            "severity": "severe",
            "contract_version": 1,
            "due_at": "2026-11-17T02:00:00Z",
            "status": "running",
            "minutes_to_due": 12,
            "escalation_due": False,
        },
        closed=False,
    )
    ticket_id: UUID
    target: str
    customer_id: str
    severity: str
    contract_version: int
    due_at: datetime
    status: str
    minutes_to_due: int = Field(description="Negative once the clock is past due.")
    escalation_due: bool


class ClocksAtRisk(BaseModel):
    model_config = example({"as_of": "2026-11-17T01:48:00Z", "within_minutes": 60, "items": []}, closed=False)
    as_of: datetime
    within_minutes: int
    items: list[ClockAtRisk]
