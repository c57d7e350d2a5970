"""Request and response bodies of the contract and SLA routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field

from api.schemas import Code, Text, example

OVERRIDES_EXAMPLE = {"targets": {"response": {"durations": {"general": "5m"}}}}


class DraftContract(BaseModel):
    model_config = example(
        {
            "customer_id": "huaxin-bank",
            "name": "Huaxin 7x24 maintenance",
            "pack": "fault-4-class",
            "overrides": {},
        }
    )
    customer_id: Code
    name: Annotated[str, Field(min_length=1, max_length=200)]
    pack: Code
    overrides: dict[str, Any] = Field(
        default_factory=dict, description="Merged over the pack before checking."
    )


class ContractReview(BaseModel):
    model_config = example({"version": 1, "note": "Matches the signed annex"})
    version: Annotated[int, Field(ge=1)]
    note: Text


class ContractApproval(BaseModel):
    model_config = example({"version": 1, "effective_from": "2026-12-01T00:00:00+08:00"})
    version: Annotated[int, Field(ge=1)]
    effective_from: AwareDatetime


class ContractRevision(BaseModel):
    model_config = example(
        {
            "pack": "fault-4-class",
            "overrides": OVERRIDES_EXAMPLE,
            "reason": "Amendment 2",
            "retroactive": False,
        }
    )
    pack: Code
    overrides: dict[str, Any] = Field(default_factory=dict)
    reason: Text
    retroactive: bool = False


class ContractTermination(BaseModel):
    model_config = example({"effective_at": "2027-06-30T23:59:59+08:00", "reason": "Not renewed"})
    effective_at: AwareDatetime
    reason: Text


VERSION_EXAMPLE: dict[str, Any] = {
    "number": 1,
    "status": "approved",
    "author": "mgr-chen",
    "effective_from": "2026-12-01T00:00:00+08:00",
    "retroactive": False,
    "document": {
        "description": "Four fault classes",
        "targets": {"response": {"durations": {"severe": "5m"}}},
    },
}


class ContractVersionView(BaseModel):
    model_config = example(VERSION_EXAMPLE, closed=False)
    number: int
    status: str
    author: str
    effective_from: datetime | None
    retroactive: bool
    document: dict[str, Any]


class ContractView(BaseModel):
    model_config = example(
        {
            "contract_id": "6d1f7c55-0c43-5a3c-9d0e-1f1b8f6b6b2a",
            "customer_id": "huaxin-bank",
            "name": "Huaxin 7x24 maintenance",
            "terminated_at": None,
            "versions": [VERSION_EXAMPLE],
        },
        closed=False,
    )
    contract_id: UUID
    customer_id: str
    name: str
    terminated_at: datetime | None
    versions: list[ContractVersionView]


CLOCK_EXAMPLE: dict[str, Any] = {
    "target": "arrival",
    "status": "breached",
    "started_at": "2026-11-17T01:20:00Z",
    "due_at": "2026-11-17T02:00:00Z",
    "stopped_at": "2026-11-17T02:05:00Z",
    "minutes_late": 5,
    "business_minutes": 45,
    "paused_minutes": 0,
}


class ClockView(BaseModel):
    model_config = example(CLOCK_EXAMPLE, closed=False)
    target: str
    status: str
    started_at: datetime | None
    due_at: datetime | None
    stopped_at: datetime | None
    minutes_late: int
    business_minutes: int
    paused_minutes: int


class SlaView(BaseModel):
    model_config = example(
        {
            "ticket_id": "0b6f3c1e-8a37-4a43-9a0f-5c2f6f0b8c11",
            "contract_id": "6d1f7c55-0c43-5a3c-9d0e-1f1b8f6b6b2a",
            "contract_version": 1,
            "as_of": "2026-11-17T03:00:00Z",
            "clocks": [CLOCK_EXAMPLE],
        },
        closed=False,
    )
    ticket_id: UUID
    contract_id: UUID | None
    contract_version: int | None
    as_of: datetime
    clocks: list[ClockView]


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


class ClocksAtRisk(BaseModel):
    model_config = example({"as_of": "2026-11-17T01:48:00Z", "within_minutes": 60, "items": []}, closed=False)
    as_of: datetime
    within_minutes: int
    items: list[ClockAtRisk]
