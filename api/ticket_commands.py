"""Ticket commands: each an action sub-resource that records one event."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from litestar import Controller, Request, Response, post
from litestar.params import JSONBody

from api.auth import DESK, FIELD, FIELD_OR_DESK, MANAGERS, allow
from api.schemas import (
    Callback,
    Correction,
    Departure,
    Dispatch,
    Escalation,
    Milestone,
    OpenTicket,
    Pause,
    Reasoned,
    Recorded,
    Resolution,
    SignOff,
)
from api.services import Injected, Services, TicketId, actor_of
from api.ticket_queries import TicketQueries
from domain.actors import Actor
from domain.ledger import Recorded as Outcome
from domain.ledger import TicketDraft

AnyRequest = Request[Any, Any, Any]


def action(path: str, operation_id: str, summary: str, roles: Any) -> Callable[..., Any]:
    """A command route: POST, answered 200 with the ticket id, version and log position."""
    return post(
        path,
        operation_id=operation_id,
        summary=summary,
        guards=[allow(roles)],
        status_code=200,
        sync_to_thread=True,
    )


def recorded(outcome: Outcome) -> Recorded:
    return Recorded(id=outcome.id, version=outcome.version, position=outcome.position)


class TicketCommands(Controller):
    """Open tickets and record their milestones."""

    tags = ["ticket commands"]

    @post(
        "/",
        operation_id="openTicket",
        summary="Open a ticket for a report",
        guards=[allow(DESK)],
        status_code=201,
        sync_to_thread=True,
    )
    def open_ticket(
        self, data: JSONBody[OpenTicket], services: Injected, request: AnyRequest
    ) -> Response[Recorded]:
        ledger = services.ledger
        draft = TicketDraft(
            channel=data.channel,
            customer_id=data.customer_id,
            site_id=data.site_id,
            region_tier=data.region_tier,
            asset_id=data.asset_id,
            severity=data.severity,
            category=data.category,
            description=data.description,
            reported_at=data.reported_at or ledger.clock(),
        )
        outcome = ledger.open_ticket(draft, actor_of(request))
        return Response(recorded(outcome), status_code=201, headers={"Location": f"/tickets/{outcome.id}"})

    @action("/{ticket_id:uuid}/response", "recordResponse", "Record the first contact", DESK)
    def response(
        self, ticket_id: TicketId, data: JSONBody[Milestone], services: Injected, request: AnyRequest
    ) -> Recorded:
        when, actor = _at(services, data.occurred_at), actor_of(request)
        return recorded(services.ledger.record_response(ticket_id, when, actor))

    @action("/{ticket_id:uuid}/escalation", "escalateTicket", "Escalate to a higher level", FIELD_OR_DESK)
    def escalation(
        self, ticket_id: TicketId, data: JSONBody[Escalation], services: Injected, request: AnyRequest
    ) -> Recorded:
        when, actor = _at(services, data.occurred_at), actor_of(request)
        return recorded(services.ledger.escalate(ticket_id, data.level, data.reason, when, actor))

    @action("/{ticket_id:uuid}/dispatch", "dispatchEngineer", "Dispatch an engineer", DESK)
    def dispatch(
        self, ticket_id: TicketId, data: JSONBody[Dispatch], services: Injected, request: AnyRequest
    ) -> Recorded:
        when, actor = _at(services, data.occurred_at), actor_of(request)
        return recorded(services.ledger.dispatch(ticket_id, data.engineer_id, data.planned_at, when, actor))

    @action("/{ticket_id:uuid}/departure", "recordDeparture", "Record the engineer's departure", FIELD)
    def departure(
        self, ticket_id: TicketId, data: JSONBody[Departure], services: Injected, request: AnyRequest
    ) -> Recorded:
        when, actor = _at(services, data.occurred_at), actor_of(request)
        return recorded(services.ledger.record_departure(ticket_id, data.eta, when, actor))

    @action("/{ticket_id:uuid}/arrival", "recordArrival", "Record arrival on site", FIELD)
    def arrival(
        self, ticket_id: TicketId, data: JSONBody[Milestone], services: Injected, request: AnyRequest
    ) -> Recorded:
        when, actor = _at(services, data.occurred_at), actor_of(request)
        return recorded(services.ledger.record_arrival(ticket_id, when, actor))

    @action("/{ticket_id:uuid}/restoration", "recordRestoration", "Record service restored", FIELD_OR_DESK)
    def restoration(
        self, ticket_id: TicketId, data: JSONBody[Milestone], services: Injected, request: AnyRequest
    ) -> Recorded:
        when, actor = _at(services, data.occurred_at), actor_of(request)
        return recorded(services.ledger.record_restoration(ticket_id, when, actor))

    @action("/{ticket_id:uuid}/resolution", "resolveTicket", "Record the fix", FIELD_OR_DESK)
    def resolution(
        self, ticket_id: TicketId, data: JSONBody[Resolution], services: Injected, request: AnyRequest
    ) -> Recorded:
        when, actor = _at(services, data.occurred_at), actor_of(request)
        outcome = services.ledger.resolve(ticket_id, data.fixed_first_time, data.resolution, when, actor)
        return recorded(outcome)

    @action("/{ticket_id:uuid}/sign-off", "recordSignOff", "Record the customer's sign-off", FIELD)
    def sign_off(
        self, ticket_id: TicketId, data: JSONBody[SignOff], services: Injected, request: AnyRequest
    ) -> Recorded:
        when, actor = _at(services, data.occurred_at), actor_of(request)
        outcome = services.ledger.record_sign_off(ticket_id, data.satisfaction, data.signed_by, when, actor)
        return recorded(outcome)

    @action("/{ticket_id:uuid}/callback", "recordCallback", "Record a customer callback", DESK)
    def callback(
        self, ticket_id: TicketId, data: JSONBody[Callback], services: Injected, request: AnyRequest
    ) -> Recorded:
        when, actor = _at(services, data.occurred_at), actor_of(request)
        outcome = services.ledger.record_callback(ticket_id, data.satisfaction, data.answered_by, when, actor)
        return recorded(outcome)

    @action("/{ticket_id:uuid}/closure", "closeTicket", "Close a resolved, signed-off ticket", DESK)
    def closure(
        self, ticket_id: TicketId, data: JSONBody[Milestone], services: Injected, request: AnyRequest
    ) -> Recorded:
        when, actor = _at(services, data.occurred_at), actor_of(request)
        return recorded(services.ledger.close_ticket(ticket_id, when, actor))

    @action("/{ticket_id:uuid}/reopening", "reopenTicket", "Reopen a resolved or closed ticket", DESK)
    def reopening(
        self, ticket_id: TicketId, data: JSONBody[Reasoned], services: Injected, request: AnyRequest
    ) -> Recorded:
        when, actor = _at(services, data.occurred_at), actor_of(request)
        return recorded(services.ledger.reopen(ticket_id, data.reason, when, actor))

    @action("/{ticket_id:uuid}/pause", "pauseTicket", "Pause the clocks, with a reason", FIELD_OR_DESK)
    def pause(
        self, ticket_id: TicketId, data: JSONBody[Pause], services: Injected, request: AnyRequest
    ) -> Recorded:
        when, actor = _at(services, data.occurred_at), actor_of(request)
        return recorded(services.ledger.pause(ticket_id, data.reason, when, actor))

    @action("/{ticket_id:uuid}/resumption", "resumeTicket", "Restart the clocks", FIELD_OR_DESK)
    def resumption(
        self, ticket_id: TicketId, data: JSONBody[Milestone], services: Injected, request: AnyRequest
    ) -> Recorded:
        when, actor = _at(services, data.occurred_at), actor_of(request)
        return recorded(services.ledger.resume(ticket_id, when, actor))

    @action("/{ticket_id:uuid}/cancellation", "cancelTicket", "Cancel a ticket, with a reason", DESK)
    def cancellation(
        self, ticket_id: TicketId, data: JSONBody[Reasoned], services: Injected, request: AnyRequest
    ) -> Recorded:
        when, actor = _at(services, data.occurred_at), actor_of(request)
        return recorded(services.ledger.cancel(ticket_id, data.reason, when, actor))

    @action(
        "/{ticket_id:uuid}/corrections", "correctMilestone", "Correct a milestone's time (managers)", MANAGERS
    )
    def corrections(
        self, ticket_id: TicketId, data: JSONBody[Correction], services: Injected, request: AnyRequest
    ) -> Recorded:
        manager: Actor = actor_of(request)
        outcome = services.ledger.correct_milestone(
            ticket_id, data.corrects_version, data.occurred_at, data.reason, actor=manager, approver=manager
        )
        return recorded(outcome)


def _at(services: Services, occurred_at: datetime | None) -> datetime:
    return occurred_at or services.ledger.clock()


class TicketController(TicketCommands, TicketQueries):
    """Every ticket route under /tickets: commands record events, queries read views."""

    path = "/tickets"
