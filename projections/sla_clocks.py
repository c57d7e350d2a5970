"""SLA clocks per ticket and target, kept from the log, and the list of clocks about to fall due."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from eventsourcing.persistence import Tracking, TrackingRecorder

from domain.clocks import ClockStatus
from domain.contract_commands import SlaStatus
from domain.tickets import Ticket
from projections.batching import BatchProjection, Positioned


@dataclass(frozen=True)
class ClockRow:
    """One target's clock of one ticket, as far as the log decides it (the rest depends on now)."""

    ticket_id: str
    target: str
    contract_version: int
    severity: str
    customer_id: str
    started_at: datetime | None
    due_at: datetime | None
    """None while a pause the target lists is open."""
    stopped_at: datetime | None
    verdict: str | None
    """met or breached once the clock has stopped."""
    minutes_late: int
    position: int
    escalates: bool = False
    """An escalate-after clock: lapsed unsolved, escalation is due."""

    def status(self, now: datetime) -> str:
        """The clock's status at `now`: a stopped clock keeps its verdict, a running one may lapse."""
        if self.verdict is not None:
            return self.verdict
        if self.started_at is None:
            return ClockStatus.NOT_STARTED.value
        if self.due_at is None:
            return ClockStatus.PAUSED.value
        lapsed = ClockStatus.BREACHED if now > self.due_at else ClockStatus.RUNNING
        return str(lapsed.value)

    def escalation_due(self, now: datetime) -> bool:
        return self.escalates and self.verdict is None and self.due_at is not None and now > self.due_at


class TicketClocks(Protocol):
    """What the projection asks of the ledger: a ticket at a version, and its clocks."""

    def get_ticket(self, ticket_id: UUID, version: int | None = None) -> Ticket: ...

    def sla_status(self, ticket: Ticket, now: datetime | None = None) -> SlaStatus: ...


class SlaClockView(TrackingRecorder, ABC):
    """Where clock rows live: a ticket's rows are replaced whole whenever it changes."""

    @abstractmethod
    def replace(self, rows: Mapping[str, Sequence[ClockRow]], tracking: Tracking) -> None:
        """Replace the rows of each ticket named, and write the tracking record, atomically."""

    @abstractmethod
    def clocks_of(self, ticket_id: str) -> list[ClockRow]: ...

    @abstractmethod
    def due_before(
        self, instant: datetime, limit: int, after: tuple[datetime, str, str] | None = None
    ) -> list[ClockRow]:
        """Running clocks (started, not stopped, not paused) due by `instant`, soonest first.

        `after` is a (due_at, ticket_id, target) to page on from: rows ordered after it.
        """

    @abstractmethod
    def all_rows(self) -> list[ClockRow]: ...

    @abstractmethod
    def truncate(self) -> None: ...


class SlaClockProjection(BatchProjection[SlaClockView]):
    """Re-reads the clocks of every ticket a batch touches, under its recorded contract version."""

    name = "sla_clocks"
    topics = ()

    def __init__(self, view: SlaClockView, ledger: TicketClocks) -> None:
        super().__init__(view)
        self.ledger = ledger

    def process_batch(self, events: Sequence[Positioned], tracking: Tracking) -> None:
        latest: dict[str, Positioned] = {}
        for item in events:
            if isinstance(item.event, Ticket.Event):
                latest[str(item.event.originator_id)] = item
        self.view.replace({key: self.rows(item) for key, item in latest.items()}, tracking)

    def rows(self, item: Positioned) -> list[ClockRow]:
        """The ticket's clocks as they stood just after this event (times independent of now)."""
        ticket = self.ledger.get_ticket(item.event.originator_id)
        if ticket.version != item.event.originator_version:
            ticket = self.ledger.get_ticket(item.event.originator_id, version=item.event.originator_version)
        status = self.ledger.sla_status(ticket, now=item.event.timestamp)
        if status.contract_version is None:
            return []
        return [
            ClockRow(
                ticket_id=str(ticket.id),
                target=clock.target,
                contract_version=status.contract_version,
                severity=ticket.severity,
                customer_id=ticket.customer_id,
                started_at=clock.started_at,
                due_at=clock.due_at,
                stopped_at=clock.stopped_at,
                verdict=clock.status.value if clock.stopped_at is not None else None,
                minutes_late=clock.minutes_late if clock.stopped_at is not None else 0,
                position=item.position,
                escalates=clock.escalates,
            )
            for clock in status.clocks
        ]
