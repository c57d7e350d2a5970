"""Request and response bodies of the API, with the limits and examples the schema shows."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, cast
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from domain.ticket_terms import Channel, PauseReason

Code = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_-]*$")]
Serial = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
"""A serial or part number as its maker writes it, such as VOE-11110668."""
Text = Annotated[str, Field(min_length=1, max_length=1000)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
When = Annotated[
    AwareDatetime | None,
    Field(description="When it happened in the world (ISO 8601 with zone); the ledger's clock if omitted."),
]
EXAMPLE_TIME = "2026-11-20T09:30:00+08:00"


TICKET_EXAMPLE: dict[str, Any] = {
    "ticket_id": "0b6f3c1e-8a37-4a43-9a0f-5c2f6f0b8c11",
    "version": 6,
    "position": 1234,
    "status": "on_site",
    "channel": "hotline",
    "customer_id": "huaxin-bank",
    "site_id": "huaxin-bank-pudong",
    "region_tier": "city",
    "asset_id": "srv-0042",
    "severity": "severe",
    "category": "hardware",
    "description": "Core switch in server room 2 down, branch offline",
    "engineer_id": "eng-li",
    "escalation_level": 1,
    "reopen_count": 0,
    "correction_count": 0,
    "fixed_first_time": None,
    "satisfaction": None,
    "reported_at": "2026-11-20T01:30:00Z",
    "responded_at": "2026-11-20T01:33:00Z",
    "dispatched_at": "2026-11-20T01:40:00Z",
    "arrived_at": "2026-11-20T02:05:00Z",
    "restored_at": None,
    "resolved_at": None,
    "closed_at": None,
    "opened_recorded_at": "2026-11-20T01:30:02.120Z",
    "updated_at": "2026-11-20T02:05:03.410Z",
}
HISTORY_EXAMPLE: dict[str, Any] = {
    "version": 4,
    "position": 1230,
    "event_type": "Dispatched",
    "recorded_at": "2026-11-20T01:40:01.005Z",
    "occurred_at": "2026-11-20T01:40:00Z",
    "actor_id": "agent-zhou",
    "actor_role": "hotline_agent",
    "data": {"engineer_id": "eng-li", "planned_at": "2026-11-20T02:00:00+00:00"},
}


def example(item: dict[str, Any], *, closed: bool = True) -> ConfigDict:
    """A model's example, where both pydantic's JSON schema and Litestar's OpenAPI find it."""
    config = {"json_schema_extra": {"examples": [item]}, "example": item, "from_attributes": True}
    return cast(ConfigDict, {**config, "extra": "forbid"} if closed else config)


class OpenTicket(BaseModel):
    model_config = example(
        {
            "channel": "hotline",
            "customer_id": "huaxin-bank",
            "site_id": "huaxin-bank-pudong",
            "region_tier": "city",
            "asset_id": "srv-0042",
            "severity": "severe",
            "category": "hardware",
            "description": "Core switch in server room 2 down, branch offline",
            "reported_at": EXAMPLE_TIME,
        }
    )
    channel: Channel
    customer_id: Code
    site_id: Code
    region_tier: Code
    asset_id: Serial | None = None
    severity: Code
    category: Code
    description: Annotated[str, Field(min_length=1, max_length=4000)]
    reported_at: When = None


class Milestone(BaseModel):
    model_config = example({"occurred_at": EXAMPLE_TIME})
    occurred_at: When = None


class Escalation(BaseModel):
    model_config = example(
        {"level": 2, "reason": "No spare switch at the station", "occurred_at": EXAMPLE_TIME}
    )
    level: Annotated[int, Field(ge=1, le=9)]
    reason: Text
    occurred_at: When = None


class Dispatch(BaseModel):
    model_config = example(
        {"engineer_id": "eng-li", "planned_at": "2026-11-20T10:00:00+08:00", "occurred_at": EXAMPLE_TIME}
    )
    engineer_id: Code
    planned_at: AwareDatetime
    occurred_at: When = None


class Departure(BaseModel):
    model_config = example({"eta": "2026-11-20T10:10:00+08:00", "occurred_at": EXAMPLE_TIME})
    eta: AwareDatetime
    occurred_at: When = None


class Resolution(BaseModel):
    model_config = example(
        {"fixed_first_time": True, "resolution": "Replaced line card 3", "occurred_at": EXAMPLE_TIME}
    )
    fixed_first_time: bool
    resolution: Text
    occurred_at: When = None


class SignOff(BaseModel):
    model_config = example(
        {"satisfaction": 5, "signed_by": "Zhang Wei, IT lead", "occurred_at": EXAMPLE_TIME}
    )
    satisfaction: Annotated[int, Field(ge=1, le=5)]
    signed_by: Name
    occurred_at: When = None


class Callback(BaseModel):
    model_config = example({"satisfaction": 4, "answered_by": "Zhang Wei", "occurred_at": EXAMPLE_TIME})
    satisfaction: Annotated[int, Field(ge=1, le=5)]
    answered_by: Name
    occurred_at: When = None


class Reasoned(BaseModel):
    model_config = example({"reason": "Fault came back the next morning", "occurred_at": EXAMPLE_TIME})
    reason: Text
    occurred_at: When = None


class Pause(BaseModel):
    model_config = example({"reason": "waiting_for_parts", "occurred_at": EXAMPLE_TIME})
    reason: PauseReason
    occurred_at: When = None


class Correction(BaseModel):
    model_config = example(
        {"corrects_version": 6, "occurred_at": "2026-11-20T10:05:00+08:00", "reason": "GPS log shows arrival"}
    )
    corrects_version: Annotated[int, Field(ge=1, description="The version of the milestone event corrected.")]
    occurred_at: AwareDatetime = Field(description="The milestone's corrected world time.")
    reason: Text


class Recorded(BaseModel):
    model_config = example({"id": "0b6f3c1e-8a37-4a43-9a0f-5c2f6f0b8c11", "version": 7, "position": 1234})
    id: UUID
    version: int
    position: int = Field(description="Log position; pass it as ?after= to read this write back.")


class TicketView(BaseModel):
    model_config = example(TICKET_EXAMPLE, closed=False)
    ticket_id: UUID
    version: int
    position: int
    status: str
    channel: str
    customer_id: str
    site_id: str
    region_tier: str
    asset_id: str | None
    severity: str
    category: str
    description: str
    engineer_id: str | None
    escalation_level: int
    reopen_count: int
    correction_count: int
    fixed_first_time: bool | None
    satisfaction: int | None
    reported_at: datetime
    responded_at: datetime | None
    dispatched_at: datetime | None
    arrived_at: datetime | None
    restored_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    opened_recorded_at: datetime
    updated_at: datetime


class TicketList(BaseModel):
    model_config = example({"items": [TICKET_EXAMPLE], "total": 57, "limit": 50, "offset": 0}, closed=False)
    items: list[TicketView]
    total: int
    limit: int
    offset: int


class HistoryEntry(BaseModel):
    model_config = example(HISTORY_EXAMPLE, closed=False)
    version: int
    position: int
    event_type: str
    recorded_at: datetime
    occurred_at: datetime
    actor_id: str
    actor_role: str
    data: dict[str, Any]


class TicketHistory(BaseModel):
    model_config = example(
        {
            "ticket_id": TICKET_EXAMPLE["ticket_id"],
            "items": [HISTORY_EXAMPLE],
            "total": 6,
            "limit": 100,
            "offset": 0,
        },
        closed=False,
    )
    ticket_id: UUID
    items: list[HistoryEntry]
    total: int
    limit: int
    offset: int


class Health(BaseModel):
    model_config = example(
        {"status": "ok", "store": "postgres", "log_position": 1234, "views": {"ticket_board": 1234}},
        closed=False,
    )
    status: str
    store: str
    log_position: int
    views: dict[str, int]
