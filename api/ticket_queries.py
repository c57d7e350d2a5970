"""Ticket queries: read the board and the history views, waiting for `?after=` if asked; one ticket
also as the ledger knew it at a past recorded time (`?as_of=`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Annotated, Literal, get_args
from uuid import UUID

from eventsourcing.persistence import PersistenceError
from litestar import Controller, get
from litestar.exceptions import NotFoundException, ValidationException
from litestar.params import FromQuery, Parameter, QueryParameter

from api.auth import READERS, allow
from api.errors import StaleRead
from api.schemas import HistoryEntry, TicketHistory, TicketList, TicketView
from api.services import Injected, Services, TicketId
from domain.errors import StorageUnavailable, TicketNotFound
from domain.ledger_base import utc_now
from domain.ticket_terms import Status
from domain.tickets import Ticket
from projections.ticket_board import BoardQuery, BoardRow, apply, opened_row

StatusName = Literal[
    "open", "dispatched", "en_route", "on_site", "restored", "resolved", "paused", "closed", "cancelled"
]
After = Annotated[
    int | None,
    Parameter(
        ge=0, description="Wait until the views have taken in this log position (read your own write)."
    ),
]
Limit = Annotated[int, Parameter(ge=1, le=500)]
Offset = Annotated[int, Parameter(ge=0)]
Filter = Annotated[str | None, Parameter(max_length=64)]
AsOf = Annotated[
    datetime | None,
    QueryParameter(
        description="Answer as the ledger knew it at this recorded time (with a zone; not in the future)."
    ),
]
READ = [allow(READERS)]
assert set(get_args(StatusName)) == {s.value for s in Status}


class TicketQueries(Controller):
    """The ticket board and each ticket's history."""

    tags = ["ticket queries"]

    @get(
        "/", operation_id="listTickets", summary="List tickets on the board", guards=READ, sync_to_thread=True
    )
    def list_tickets(
        self,
        services: Injected,
        status: FromQuery[list[StatusName] | None] = None,
        severity: Filter = None,
        customer_id: Filter = None,
        site_id: Filter = None,
        engineer_id: Filter = None,
        opened_from: FromQuery[datetime | None] = None,
        opened_to: FromQuery[datetime | None] = None,
        sort: FromQuery[
            Literal["reported_at", "updated_at", "status", "customer_id", "site_id"]
        ] = "reported_at",
        direction: FromQuery[Literal["asc", "desc"]] = "desc",
        limit: Limit = 50,
        offset: Offset = 0,
        after: After = None,
    ) -> TicketList:
        require_zones(opened_from=opened_from, opened_to=opened_to)
        services.caught_up(after)
        query = BoardQuery(
            statuses=tuple(status or ()),
            severity=severity,
            customer_id=customer_id,
            site_id=site_id,
            engineer_id=engineer_id,
            opened_from=opened_from,
            opened_to=opened_to,
            sort=sort,
            direction=direction,
            limit=limit,
            offset=offset,
        )
        page = services.read_side.board.search(query)
        items = [TicketView.model_validate(row) for row in page.rows]
        return TicketList(items=items, total=page.total, limit=limit, offset=offset)

    @get(
        "/{ticket_id:uuid}",
        operation_id="getTicket",
        summary="One ticket's current state, or its state at a past recorded time",
        sync_to_thread=True,
    )
    def get_ticket(
        self, ticket_id: TicketId, services: Injected, after: After = None, as_of: AsOf = None
    ) -> TicketView:
        services.caught_up(after)
        if as_of is not None:
            return TicketView.model_validate(board_row_at(services, ticket_id, past(as_of)))
        row = services.read_side.board.get(str(ticket_id))
        if row is None:
            raise NotFoundException(f"no ticket {ticket_id} on the board")
        return TicketView.model_validate(row)

    @get(
        "/{ticket_id:uuid}/history",
        operation_id="getTicketHistory",
        summary="Every event of a ticket, and every SLA verdict on it, in log order",
        guards=READ,
        sync_to_thread=True,
    )
    def get_history(
        self,
        ticket_id: TicketId,
        services: Injected,
        limit: Limit = 100,
        offset: Offset = 0,
        after: After = None,
    ) -> TicketHistory:
        services.caught_up(after)
        page = services.read_side.history.history(str(ticket_id), limit, offset)
        if page.total == 0:
            raise NotFoundException(f"no ticket {ticket_id} in the history")
        personal = services.ledger.personal_data
        items = [
            HistoryEntry.model_validate(replace(row, data=personal.reveal_all(row.data))) for row in page.rows
        ]
        return TicketHistory(ticket_id=ticket_id, items=items, total=page.total, limit=limit, offset=offset)


def bad_query(key: str, reason: str) -> ValidationException:
    """A 400 problem naming the query parameter at fault."""
    return ValidationException(f"{key} {reason}", extra=[{"key": key, "message": reason, "source": "query"}])


def require_zones(**bounds: datetime | None) -> None:
    """Board times compare instants, so a bound without a zone is refused rather than guessed."""
    reason = "must carry a time zone, such as Z or +08:00"
    naive = [name for name, value in bounds.items() if value is not None and value.utcoffset() is None]
    if naive:
        raise ValidationException(
            f"{', '.join(naive)} {reason}",
            extra=[{"key": name, "message": reason, "source": "query"} for name in naive],
        )


def past(as_of: datetime) -> datetime:
    """An as-of time for one entity: with a zone, and already passed (the state at a time still to
    come is not known yet)."""
    require_zones(as_of=as_of)
    if as_of > utc_now():
        raise bad_query("as_of", "must not be in the future")
    return as_of


HISTORY_PAGE = 10_000
"""More rows than a ticket's history holds: its events and the verdicts on it."""


def board_row_at(services: Services, ticket_id: UUID, as_of: datetime) -> BoardRow:
    """The ticket's board row as the board would have shown it at `as_of`: its events recorded by
    then, folded as the board folds them, at the log position the history view gives the last."""
    ledger = services.ledger
    version = ledger.version_at(ticket_id, as_of)
    if version == 0:
        msg = f"no ticket {ticket_id} had been recorded by {as_of.isoformat()}"
        raise TicketNotFound(msg, ticket_id=str(ticket_id))
    try:
        events = list(ledger.repository.event_store.get(ticket_id, lte=version))
    except PersistenceError as error:
        raise StorageUnavailable(str(error)) from error
    opened, last = events[0], events[-1]
    assert isinstance(opened, Ticket.Opened)
    assert isinstance(last, Ticket.Event)
    row = opened_row(opened, 0)
    for event in events[1:]:
        assert isinstance(event, Ticket.Event)
        apply(event, row)
    row.version, row.updated_at = version, last.timestamp
    key = (type(last).__name__, version)
    position = logged_at(services, str(ticket_id), key)
    if position is None:
        end = ledger.recorder.max_notification_id() or 0
        services.caught_up(end)
        position = logged_at(services, str(ticket_id), key)
        if position is None:
            raise StaleRead(end, services.settings.read_wait_seconds)
    row.position = position
    return row


def logged_at(services: Services, ticket_id: str, event: tuple[str, int]) -> int | None:
    """The log position of the ticket's event (its type and version), if the history view has it."""
    rows = services.read_side.history.history(ticket_id, HISTORY_PAGE, 0).rows
    return next((r.position for r in rows if (r.event_type, r.version) == event), None)
