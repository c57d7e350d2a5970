"""Ticket history: every event of a ticket with recorded time, occurred time, actor and data."""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Tracking, TrackingRecorder

from domain.actors import Actor
from domain.sla_verdicts import SlaVerdicts
from domain.tickets import Ticket
from projections.batching import BatchProjection, Positioned

ENVELOPE = frozenset(
    {"originator_id", "originator_version", "timestamp", "originator_topic", "occurred_at", "actor"}
)


@dataclass(frozen=True)
class HistoryRow:
    """One event of a ticket, or an SLA verdict on it, as an auditor reads it."""

    ticket_id: str
    version: int
    """The ticket's version: after its own event, or the one a verdict was read from."""
    position: int
    event_type: str
    recorded_at: datetime
    occurred_at: datetime
    actor_id: str
    actor_role: str
    data: dict[str, Any]


@dataclass(frozen=True)
class HistoryPage:
    rows: list[HistoryRow]
    total: int


class TicketHistoryView(TrackingRecorder, ABC):
    """Where history rows live: append-only, keyed by log position, read in log order."""

    @abstractmethod
    def append(self, rows: Sequence[HistoryRow], tracking: Tracking) -> None:
        """Write the rows and the tracking record in one transaction."""

    @abstractmethod
    def history(self, ticket_id: str, limit: int, offset: int) -> HistoryPage: ...

    @abstractmethod
    def all_rows(self) -> list[HistoryRow]:
        """Every row in log order: what a rebuild must reproduce."""

    @abstractmethod
    def truncate(self) -> None: ...


class TicketHistoryProjection(BatchProjection[TicketHistoryView]):
    """Writes one history row per ticket event and per SLA verdict on a ticket."""

    name = "ticket_history"
    topics = ()

    def process_batch(self, events: Sequence[Positioned], tracking: Tracking) -> None:
        rows = [history_row(e.event, e.position) for e in events if isinstance(e.event, HISTORY_EVENTS)]
        self.view.append(rows, tracking)


HISTORY_EVENTS = (Ticket.Event, SlaVerdicts.VerdictRecorded, SlaVerdicts.EscalationBecameDue)
VERDICT_ENVELOPE = frozenset({"ticket_id", "ticket_version"})


def history_row(event: Any, position: int) -> HistoryRow:
    verdict = not isinstance(event, Ticket.Event)
    return HistoryRow(
        ticket_id=str(event.ticket_id if verdict else event.originator_id),
        version=event.ticket_version if verdict else event.originator_version,
        position=position,
        event_type=type(event).__name__,
        recorded_at=event.timestamp,
        occurred_at=event.occurred_at,
        actor_id=event.actor.id,
        actor_role=event.actor.role.value,
        data={
            f.name: jsonable(getattr(event, f.name))
            for f in dataclasses.fields(event)
            if f.name not in ENVELOPE and not (verdict and f.name in VERDICT_ENVELOPE)
        },
    )


def jsonable(value: Any) -> Any:
    """Event values in plain JSON terms: instants as ISO 8601, enums as their values."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Actor):
        return {"id": value.id, "role": value.role.value}
    if isinstance(value, UUID):
        return str(value)
    return value
