"""The ticket board: the current state of every ticket, for filtering, sorting and paging."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import singledispatch
from typing import Any, Literal

from eventsourcing.domain import DomainEvent
from eventsourcing.persistence import Tracking, TrackingRecorder

from domain.ticket_terms import Milestone, Status
from domain.tickets import Ticket
from projections.batching import BatchProjection, Positioned

TIME_COLUMNS: dict[Milestone, str] = {
    Milestone.REPORTED: "reported_at",
    Milestone.RESPONDED: "responded_at",
    Milestone.DISPATCHED: "dispatched_at",
    Milestone.ARRIVED: "arrived_at",
    Milestone.RESTORED: "restored_at",
    Milestone.RESOLVED: "resolved_at",
    Milestone.CLOSED: "closed_at",
}
SORT_KEYS = ("reported_at", "updated_at", "status", "customer_id", "site_id")


@dataclass
class BoardRow:
    """One ticket as the board shows it."""

    ticket_id: str
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
    reported_at: datetime
    opened_recorded_at: datetime
    updated_at: datetime
    engineer_id: str | None = None
    escalation_level: int = 0
    reopen_count: int = 0
    correction_count: int = 0
    fixed_first_time: bool | None = None
    satisfaction: int | None = None
    paused_from: str | None = None
    responded_at: datetime | None = None
    dispatched_at: datetime | None = None
    arrived_at: datetime | None = None
    restored_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    milestone_versions: dict[str, int] = field(default_factory=dict)
    """Which event set each time column, so that a correction lands on the right one."""


@dataclass(frozen=True)
class BoardQuery:
    """Filters, order and page of a board listing."""

    statuses: tuple[str, ...] = ()
    severity: str | None = None
    customer_id: str | None = None
    site_id: str | None = None
    engineer_id: str | None = None
    opened_from: datetime | None = None
    opened_to: datetime | None = None
    sort: str = "reported_at"
    direction: Literal["asc", "desc"] = "desc"
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True)
class BoardPage:
    """A page of board rows and the count of all rows that match."""

    rows: list[BoardRow]
    total: int


class TicketBoardView(TrackingRecorder, ABC):
    """Where board rows live; the projection decides what they hold."""

    @abstractmethod
    def rows_for(self, ticket_ids: Collection[str]) -> dict[str, BoardRow]: ...

    @abstractmethod
    def save(self, rows: Sequence[BoardRow], tracking: Tracking) -> None:
        """Write the rows and the tracking record in one transaction."""

    @abstractmethod
    def get(self, ticket_id: str) -> BoardRow | None: ...

    @abstractmethod
    def search(self, query: BoardQuery) -> BoardPage: ...

    @abstractmethod
    def all_rows(self) -> list[BoardRow]:
        """Every row, ordered by ticket id: what a rebuild must reproduce."""

    @abstractmethod
    def truncate(self) -> None: ...


class TicketBoardProjection(BatchProjection[TicketBoardView]):
    """Folds ticket events into board rows, a batch at a time."""

    name = "ticket_board"
    topics = ()

    def process_batch(self, events: Sequence[Positioned], tracking: Tracking) -> None:
        ids = {str(e.event.originator_id) for e in events if isinstance(e.event, Ticket.Event)}
        rows = self.view.rows_for(ids)
        changed: dict[str, BoardRow] = {}
        for item in events:
            if not isinstance(item.event, Ticket.Event):
                continue
            key = str(item.event.originator_id)
            row = (
                opened_row(item.event, item.position) if isinstance(item.event, Ticket.Opened) else rows[key]
            )
            apply(item.event, row)
            row.version = item.event.originator_version
            row.position = item.position
            row.updated_at = item.event.timestamp
            rows[key] = changed[key] = row
        self.view.save(list(changed.values()), tracking)


def opened_row(event: Ticket.Opened, position: int) -> BoardRow:
    return BoardRow(
        ticket_id=str(event.originator_id),
        version=event.originator_version,
        position=position,
        status=Status.OPEN.value,
        channel=event.channel.value,
        customer_id=event.customer_id,
        site_id=event.site_id,
        region_tier=event.region_tier,
        asset_id=event.asset_id,
        severity=event.severity,
        category=event.category,
        description=event.description,
        reported_at=event.occurred_at,
        opened_recorded_at=event.timestamp,
        updated_at=event.timestamp,
        milestone_versions={Milestone.REPORTED.value: event.originator_version},
    )


def set_time(row: BoardRow, milestone: Milestone, event: Any) -> None:
    setattr(row, TIME_COLUMNS[milestone], event.occurred_at)
    row.milestone_versions[milestone.value] = event.originator_version


def clear_time(row: BoardRow, milestone: Milestone) -> None:
    setattr(row, TIME_COLUMNS[milestone], None)
    row.milestone_versions.pop(milestone.value, None)


@singledispatch
def apply(event: DomainEvent, row: BoardRow) -> None:
    """Events that do not change what the board shows (opened rows are made whole)."""


@apply.register
def _(event: Ticket.Responded, row: BoardRow) -> None:
    set_time(row, Milestone.RESPONDED, event)


@apply.register
def _(event: Ticket.Escalated, row: BoardRow) -> None:
    row.escalation_level = event.level


@apply.register
def _(event: Ticket.Dispatched, row: BoardRow) -> None:
    row.engineer_id = event.engineer_id
    row.status = Status.DISPATCHED.value
    set_time(row, Milestone.DISPATCHED, event)


@apply.register
def _(event: Ticket.Departed, row: BoardRow) -> None:
    row.status = Status.EN_ROUTE.value


@apply.register
def _(event: Ticket.ArrivedOnSite, row: BoardRow) -> None:
    row.status = Status.ON_SITE.value
    set_time(row, Milestone.ARRIVED, event)


@apply.register
def _(event: Ticket.ServiceRestored, row: BoardRow) -> None:
    row.status = Status.RESTORED.value
    set_time(row, Milestone.RESTORED, event)


@apply.register
def _(event: Ticket.Resolved, row: BoardRow) -> None:
    row.status = Status.RESOLVED.value
    row.fixed_first_time = event.fixed_first_time
    set_time(row, Milestone.RESOLVED, event)


@apply.register
def _(event: Ticket.SignedOff | Ticket.CallbackRecorded, row: BoardRow) -> None:
    row.satisfaction = event.satisfaction


@apply.register
def _(event: Ticket.Closed, row: BoardRow) -> None:
    row.status = Status.CLOSED.value
    set_time(row, Milestone.CLOSED, event)


@apply.register
def _(event: Ticket.Reopened, row: BoardRow) -> None:
    row.status = Status.OPEN.value
    row.reopen_count += 1
    clear_time(row, Milestone.RESOLVED)
    clear_time(row, Milestone.CLOSED)


@apply.register
def _(event: Ticket.Paused, row: BoardRow) -> None:
    row.paused_from = row.status
    row.status = Status.PAUSED.value


@apply.register
def _(event: Ticket.Resumed, row: BoardRow) -> None:
    row.status = row.paused_from or Status.OPEN.value
    row.paused_from = None


@apply.register
def _(event: Ticket.Cancelled, row: BoardRow) -> None:
    row.status = Status.CANCELLED.value


@apply.register
def _(event: Ticket.MilestoneCorrected, row: BoardRow) -> None:
    row.correction_count += 1
    column = TIME_COLUMNS.get(event.milestone)
    if column is not None and row.milestone_versions.get(event.milestone.value) == event.corrects_version:
        setattr(row, column, event.new_occurred_at)
