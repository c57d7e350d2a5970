"""Dispute timelines over HTTP: a ticket's or a claim's recorded events with everything linked to
it, in the order the ledger recorded them, as JSON or as a page to print for a dispute file.

Management, auditors and regulators read any timeline; anyone else reads the timeline of a ticket
or claim they worked on (an actor on its events, or the engineer dispatched to it). Within it, each
reader sees what the other reads let them see: every penalty if they read every penalty, else only
the penalties they are a party to; part movements if their role reads parts."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Response, get
from litestar.enums import MediaType
from litestar.exceptions import PermissionDeniedException
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example
from litestar.params import FromPath

from api.auth import MANAGEMENT, PARTS_READERS, PENALTY_OVERSEERS, READERS, allow
from api.penalty_view_schemas import ScheduleRefView
from api.services import Injected, Services, actor_of
from api.ticket_commands import AnyRequest
from api.timeline_html import timeline_page
from api.timeline_schemas import ContractVersionView, CorrectionView, TimelineEntry, TimelineView
from domain.actors import Actor, Role
from domain.personal_data import PersonalData
from projections.timelines import Audience, Moment, Timelines, staff_of

TIMELINE_OVERSEERS = MANAGEMENT | {Role.AUDITOR, Role.REGULATOR}
"""Who reads the timeline of any ticket or claim."""
READ = [allow(READERS)]
PAGE_SPEC = {
    200: ResponseSpec(
        data_container=str,
        description="A printable HTML page: inline CSS, no scripts, every value escaped.",
        media_type=MediaType.HTML,
        examples=[
            Example(
                summary="Shortened",
                value='<!DOCTYPE html>\n<html lang="en">\n<head><title>Dispute timeline of ticket '
                "0b6f3c1e-8a37-4a43-9a0f-5c2f6f0b8c11</title>...</head>\n<body>...<table>...</table></body>"
                "\n</html>\n",
            )
        ],
    )
}


def audience_of(actor: Actor, staff: frozenset[str]) -> Audience:
    """The reader, once admitted: overseers, and the staff of the ticket or claim."""
    if actor.role not in TIMELINE_OVERSEERS and actor.id not in staff:
        raise PermissionDeniedException(
            "a timeline is for management, auditors, regulators and those who worked on it"
        )
    return Audience(actor.id, actor.role in PENALTY_OVERSEERS, actor.role in PARTS_READERS)


def ticket_timeline(services: Services, ticket_id: UUID, actor: Actor) -> TimelineView:
    timelines = Timelines(services.ledger)
    events = timelines.ticket_events(ticket_id)
    audience = audience_of(actor, staff_of(events))
    moments = timelines.of_ticket(ticket_id, events, audience, opened_at(services, ticket_id))
    return timeline_view("ticket", ticket_id, audience, moments, services.ledger.personal_data)


def claim_timeline(services: Services, claim_id: UUID, actor: Actor) -> TimelineView:
    timelines = Timelines(services.ledger)
    events = timelines.claim_events(claim_id)
    audience = audience_of(actor, staff_of(events))
    moments = timelines.of_claim(claim_id, events, audience)
    return timeline_view("claim", claim_id, audience, moments, services.ledger.personal_data)


def opened_at(services: Services, ticket_id: UUID) -> int:
    """The log position of the ticket's opening, if the history view has taken it in (else 0, the
    log's start): whatever names the ticket is recorded after it."""
    rows = services.read_side.history.history(str(ticket_id), 1, 0).rows
    return rows[0].position if rows and rows[0].event_type == "Opened" else 0


def timeline_view(
    subject: str, subject_id: UUID, audience: Audience, moments: list[Moment], personal: PersonalData
) -> TimelineView:
    """The timeline's entries, their personal data revealed (or redacted: domain/personal_data.py)."""
    return TimelineView.model_validate(
        {
            "subject": subject,
            "subject_id": subject_id,
            "penalties": "all" if audience.every_penalty else "own",
            "part_movements": audience.part_movements,
            "entries": [entry(m, personal) for m in moments],
        }
    )


def entry(moment: Moment, personal: PersonalData) -> TimelineEntry:
    contract, schedule = moment.contract, moment.schedule
    return TimelineEntry(
        source=moment.source,
        subject_id=moment.subject_id,
        version=moment.version,
        event=moment.event,
        occurred_at=moment.occurred_at,
        recorded_at=moment.recorded_at,
        actor_id=moment.actor.id,
        actor_role=moment.actor.role.value,
        reason=moment.reason,
        contract=None
        if contract is None
        else ContractVersionView(contract_id=contract[0], version=contract[1]),
        schedule=None
        if schedule is None
        else ScheduleRefView(
            kind=schedule.kind, id=schedule.id, name=schedule.name, version=schedule.version
        ),
        corrections=[
            CorrectionView(
                version=c.version,
                recorded_at=c.recorded_at,
                original_occurred_at=c.original_occurred_at,
                new_occurred_at=c.new_occurred_at,
                reason=c.reason,
                actor_id=c.actor.id,
                actor_role=c.actor.role.value,
                approver_id=c.approver.id,
                approver_role=c.approver.role.value,
            )
            for c in moment.corrections
        ],
        details=personal.reveal_all(moment.details),
    )


def page(services: Services, timeline: TimelineView, actor: Actor) -> Response[str]:
    body = timeline_page(timeline, f"{actor.id} ({actor.role.value})", services.ledger.clock())
    return Response(body, media_type=MediaType.HTML)


@get(
    "/tickets/{ticket_id:uuid}/timeline",
    operation_id="getTicketTimeline",
    summary="A ticket's dispute timeline: its events and corrections, SLA verdicts, penalties, claims "
    "and part movements, in recorded order",
    guards=READ,
    sync_to_thread=True,
)
def get_ticket_timeline(ticket_id: FromPath[UUID], services: Injected, request: AnyRequest) -> TimelineView:
    return ticket_timeline(services, ticket_id, actor_of(request))


@get(
    "/tickets/{ticket_id:uuid}/timeline.html",
    operation_id="printTicketTimeline",
    summary="A ticket's dispute timeline as a printable HTML page",
    guards=READ,
    sync_to_thread=True,
    media_type=MediaType.HTML,
    responses=PAGE_SPEC,
)
def print_ticket_timeline(
    ticket_id: FromPath[UUID], services: Injected, request: AnyRequest
) -> Response[str]:
    actor = actor_of(request)
    return page(services, ticket_timeline(services, ticket_id, actor), actor)


@get(
    "/claims/{claim_id:uuid}/timeline",
    operation_id="getClaimTimeline",
    summary="A claim's dispute timeline: its events, its old parts' and the penalties assessed from it, "
    "in recorded order",
    guards=READ,
    sync_to_thread=True,
)
def get_claim_timeline(claim_id: FromPath[UUID], services: Injected, request: AnyRequest) -> TimelineView:
    return claim_timeline(services, claim_id, actor_of(request))


@get(
    "/claims/{claim_id:uuid}/timeline.html",
    operation_id="printClaimTimeline",
    summary="A claim's dispute timeline as a printable HTML page",
    guards=READ,
    sync_to_thread=True,
    media_type=MediaType.HTML,
    responses=PAGE_SPEC,
)
def print_claim_timeline(claim_id: FromPath[UUID], services: Injected, request: AnyRequest) -> Response[str]:
    actor = actor_of(request)
    return page(services, claim_timeline(services, claim_id, actor), actor)


TIMELINE_ROUTES: list[Any] = [
    get_ticket_timeline,
    print_ticket_timeline,
    get_claim_timeline,
    print_claim_timeline,
]
"""Every timeline handler, registered by the app."""
