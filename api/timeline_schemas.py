"""Response bodies of the dispute timelines: a ticket's or a claim's recorded events, with the
verdicts, penalties, claims and part movements linked to it, in the order they were recorded."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from api.penalty_view_schemas import ScheduleRefView
from api.schemas import example
from projections.timelines import Source

TICKET_ID = "0b6f3c1e-8a37-4a43-9a0f-5c2f6f0b8c11"
CONTRACT_EXAMPLE: dict[str, Any] = {"contract_id": "5d2c9a4e-3f1b-4c8d-9e7a-2b6f0c1d8e93", "version": 2}
CORRECTION_EXAMPLE: dict[str, Any] = {
    "version": 7,
    "recorded_at": "2026-11-20T06:10:04.220Z",
    "original_occurred_at": "2026-11-20T03:05:00Z",
    "new_occurred_at": "2026-11-20T02:58:00Z",
    "reason": "The site's visitor log shows the engineer signed in at 10:58",
    "actor_id": "mgr-chen",
    "actor_role": "manager",
    "approver_id": "mgr-zhao",
    "approver_role": "manager",
}
ENTRY_EXAMPLE: dict[str, Any] = {
    "source": "ticket",
    "subject_id": TICKET_ID,
    "version": 5,
    "event": "Ticket.ArrivedOnSite",
    "occurred_at": "2026-11-20T03:05:00Z",
    "recorded_at": "2026-11-20T03:05:02.410Z",
    "actor_id": "eng-li",
    "actor_role": "engineer",
    "reason": None,
    "contract": None,
    "schedule": None,
    "corrections": [CORRECTION_EXAMPLE],
    "details": {},
}


class ContractVersionView(BaseModel):
    model_config = example(CONTRACT_EXAMPLE, closed=False)
    contract_id: UUID
    version: int


class CorrectionView(BaseModel):
    model_config = example(CORRECTION_EXAMPLE, closed=False)
    version: int = Field(description="The ticket version the correction was recorded as.")
    recorded_at: datetime
    original_occurred_at: datetime
    new_occurred_at: datetime
    reason: str
    actor_id: str
    actor_role: str
    approver_id: str
    approver_role: str


class TimelineEntry(BaseModel):
    model_config = example(ENTRY_EXAMPLE, closed=False)
    source: Source = Field(description="Whose event: the ticket, a claim, its verdicts, a penalty...")
    subject_id: str = Field(description="The id of the entity whose event it is.")
    version: int = Field(description="That entity's version after the event.")
    event: str = Field(description="The event's kind, such as Ticket.ArrivedOnSite or Penalty.Reversed.")
    occurred_at: datetime = Field(description="When it happened in the world.")
    recorded_at: datetime = Field(description="When the ledger recorded it; entries are in this order.")
    actor_id: str
    actor_role: str
    reason: str | None
    contract: ContractVersionView | None = Field(
        description="For an SLA verdict: the contract version its due time came from."
    )
    schedule: ScheduleRefView | None = Field(
        description="For a penalty's event: the schedule version it was assessed under."
    )
    corrections: list[CorrectionView] = Field(
        description="For a milestone: each later correction of its time, with actor, approver and reason."
    )
    details: dict[str, Any] = Field(description="The event's other fields.")


class TimelineView(BaseModel):
    model_config = example(
        {
            "subject": "ticket",
            "subject_id": TICKET_ID,
            "penalties": "all",
            "part_movements": True,
            "entries": [ENTRY_EXAMPLE],
        },
        closed=False,
    )
    subject: Literal["ticket", "claim"]
    subject_id: UUID
    penalties: Literal["all", "own"] = Field(
        description="all, or only the penalties the reader is a party to (as the penalty reads allow)."
    )
    part_movements: bool = Field(
        description="Whether part movements are shown (to the roles that read them)."
    )
    entries: list[TimelineEntry]
