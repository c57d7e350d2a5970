"""Tickets end to end through the ServiceLedger application, on the in-memory event store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import Notification

from domain.actors import Actor, Role
from domain.errors import (
    ConcurrentUpdate,
    CorrectionNotApproved,
    MilestoneOutOfOrder,
    OccurredTimeInvalid,
    TicketNotFound,
)
from domain.ledger import Recorded, ServiceLedger, TicketDraft
from domain.ticket_terms import Channel, Milestone, MilestoneRecord, PauseReason, Status
from domain.tickets import Ticket

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
NOW = T0 + timedelta(days=1)
IN_MEMORY = {"SERVICELEDGER_PERSISTENCE_MODULE": "eventsourcing.popo"}
"""Named for this application so that a PERSISTENCE_MODULE in the environment cannot override it."""

AGENT = Actor("agent-li", Role.HOTLINE_AGENT)
ENGINEER = Actor("eng-wang", Role.ENGINEER)
MANAGER = Actor("mgr-zhao", Role.MANAGER)

DRAFT = TicketDraft(
    channel=Channel.PHONE,
    customer_id="acme",
    site_id="plant-7",
    region_tier="tier-2",
    severity="major",
    category="fault",
    description="Pump 42 stopped",
    reported_at=T0,
    asset_id="pump-42",
)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


class Clock:
    """A ledger clock that stands still, and can let a rival writer in the first time it is read."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.rival: Callable[[], object] | None = None

    def __call__(self) -> datetime:
        rival, self.rival = self.rival, None
        if rival is not None:
            rival()
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def app(clock: Clock) -> ServiceLedger:
    return ServiceLedger(env=IN_MEMORY, clock=clock)


def max_position(app: ServiceLedger) -> int | None:
    return app.recorder.max_notification_id()


def whole_log(app: ServiceLedger) -> list[Notification]:
    """Every notification in the ledger's log, read a section at a time."""
    notifications: list[Notification] = []
    while batch := app.notification_log.select(
        notifications[-1].id + 1 if notifications else 1, app.log_section_size
    ):
        notifications.extend(batch)
    return notifications


def test_in_memory_ledger_starts_empty(app: ServiceLedger) -> None:
    assert type(app.recorder).__module__ == "eventsourcing.popo"
    assert max_position(app) is None


def test_full_lifecycle_with_reopen_and_callback(app: ServiceLedger) -> None:
    recorded: list[Recorded] = []

    def record(result: Recorded) -> None:
        assert result.position == max_position(app)
        recorded.append(result)

    opened = app.open_ticket(DRAFT, AGENT)
    record(opened)
    ticket_id = opened.id
    record(app.record_response(ticket_id, at(5), AGENT))
    record(app.escalate(ticket_id, 2, "customer is a hospital", at(8), MANAGER))
    record(app.dispatch(ticket_id, "eng-wang", at(120), at(10), AGENT))
    record(app.record_departure(ticket_id, at(45), at(20), ENGINEER))
    record(app.record_arrival(ticket_id, at(40), ENGINEER))
    record(app.record_restoration(ticket_id, at(50), ENGINEER))
    record(app.resolve(ticket_id, True, "replaced the seal", at(60), ENGINEER))
    record(app.record_sign_off(ticket_id, 5, "Ms Chen", at(70), ENGINEER))
    record(app.close_ticket(ticket_id, at(80), AGENT))
    assert app.get_ticket(ticket_id).status is Status.CLOSED

    record(app.reopen(ticket_id, "pump stopped again", at(300), AGENT))
    record(app.dispatch(ticket_id, "eng-wang", at(400), at(310), AGENT))
    record(app.record_departure(ticket_id, at(380), at(320), ENGINEER))
    record(app.record_arrival(ticket_id, at(370), ENGINEER))
    record(app.resolve(ticket_id, False, "replaced the motor", at(420), ENGINEER))
    record(app.record_callback(ticket_id, 3, "Mr Liu", at(600), AGENT))
    record(app.close_ticket(ticket_id, at(610), AGENT))

    assert {r.id for r in recorded} == {ticket_id}
    assert [r.version for r in recorded] == list(range(1, 18))
    positions = [r.position for r in recorded]
    assert positions == sorted(set(positions))

    ticket = app.get_ticket(ticket_id)
    assert ticket.version == 17
    assert ticket.status is Status.CLOSED
    assert ticket.reopen_count == 1
    assert ticket.fixed_first_time is False
    assert ticket.satisfaction == 3
    assert ticket.escalation_level == 2
    assert [r.milestone for r in ticket.milestones] == [
        Milestone.REPORTED,
        Milestone.RESPONDED,
        Milestone.ESCALATED,
        Milestone.DISPATCHED,
        Milestone.DEPARTED,
        Milestone.ARRIVED,
        Milestone.RESTORED,
        Milestone.RESOLVED,
        Milestone.SIGNED_OFF,
        Milestone.CLOSED,
        Milestone.REOPENED,
        Milestone.DISPATCHED,
        Milestone.DEPARTED,
        Milestone.ARRIVED,
        Milestone.RESOLVED,
        Milestone.CALLBACK,
        Milestone.CLOSED,
    ]
    assert ticket.milestones[5] == MilestoneRecord(6, Milestone.ARRIVED, at(40), ENGINEER.id)

    notifications = whole_log(app)
    assert [n.id for n in notifications] == positions
    assert [(n.originator_id, n.originator_version) for n in notifications] == [
        (ticket_id, version) for version in range(1, 18)
    ]
    assert notifications[5].topic == "domain.tickets:Ticket.ArrivedOnSite"
    assert notifications[-1].topic == "domain.tickets:Ticket.Closed"


def test_positions_increase_across_tickets_and_match_the_log(app: ServiceLedger) -> None:
    first = app.open_ticket(DRAFT, AGENT)
    second = app.open_ticket(DRAFT, AGENT)
    steps = [
        first,
        second,
        app.record_response(second.id, at(3), AGENT),
        app.record_response(first.id, at(4), AGENT),
        app.dispatch(first.id, "eng-wang", at(60), at(6), AGENT),
        app.cancel(second.id, "duplicate of the first", at(7), AGENT),
    ]

    positions = [s.position for s in steps]
    assert positions == sorted(set(positions))
    assert positions[-1] == max_position(app)
    for step, notification in zip(steps, app.notification_log.select(positions[0], len(steps)), strict=True):
        assert (notification.id, notification.originator_id, notification.originator_version) == (
            step.position,
            step.id,
            step.version,
        )
    assert app.get_ticket(first.id).status is Status.DISPATCHED
    assert app.get_ticket(second.id).status is Status.CANCELLED


def test_open_ticket_keeps_a_caller_chosen_id(app: ServiceLedger) -> None:
    ticket_id = uuid4()

    recorded = app.open_ticket(DRAFT, AGENT, ticket_id=ticket_id)

    assert recorded.id == ticket_id
    assert app.get_ticket(ticket_id).customer_id == "acme"


def test_unknown_ticket_is_not_found(app: ServiceLedger) -> None:
    app.open_ticket(DRAFT, AGENT)
    unknown = uuid4()

    with pytest.raises(TicketNotFound) as caught:
        app.get_ticket(unknown)

    assert caught.value.values["ticket_id"] == str(unknown)


def test_command_on_an_unknown_ticket_is_not_found_and_records_nothing(app: ServiceLedger) -> None:
    app.open_ticket(DRAFT, AGENT)
    position = max_position(app)

    with pytest.raises(TicketNotFound):
        app.record_arrival(uuid4(), at(30), ENGINEER)

    assert max_position(app) == position


def test_second_of_two_writers_that_loaded_the_same_version_gets_concurrent_update(
    app: ServiceLedger, clock: Clock
) -> None:
    ticket_id = app.open_ticket(DRAFT, AGENT).id
    rival: list[Recorded] = []
    # The dispatch below loads version 1, then reads the clock; the clock lets the response in first.
    clock.rival = lambda: rival.append(app.record_response(ticket_id, at(5), AGENT))

    with pytest.raises(ConcurrentUpdate) as caught:
        app.dispatch(ticket_id, "eng-wang", at(120), at(10), AGENT)

    assert [r.version for r in rival] == [2]
    assert caught.value.values["id"] == str(ticket_id)
    assert max_position(app) == rival[0].position
    ticket = app.get_ticket(ticket_id)
    assert ticket.version == 2
    assert ticket.status is Status.OPEN
    assert [r.milestone for r in ticket.milestones] == [Milestone.REPORTED, Milestone.RESPONDED]


def test_writer_that_lost_a_race_succeeds_after_reloading(app: ServiceLedger, clock: Clock) -> None:
    ticket_id = app.open_ticket(DRAFT, AGENT).id
    clock.rival = lambda: app.record_response(ticket_id, at(5), AGENT)
    with pytest.raises(ConcurrentUpdate):
        app.dispatch(ticket_id, "eng-wang", at(120), at(10), AGENT)

    retried = app.dispatch(ticket_id, "eng-wang", at(120), at(10), AGENT)

    assert retried.version == 3
    assert app.get_ticket(ticket_id).status is Status.DISPATCHED


def test_opening_a_ticket_whose_id_is_taken_is_a_concurrent_update(app: ServiceLedger) -> None:
    ticket_id = app.open_ticket(DRAFT, AGENT).id
    position = max_position(app)

    with pytest.raises(ConcurrentUpdate):
        app.open_ticket(DRAFT, ENGINEER, ticket_id=ticket_id)

    assert max_position(app) == position
    assert app.get_ticket(ticket_id).milestones[0].actor_id == AGENT.id


def arrived_ticket(app: ServiceLedger) -> tuple[UUID, Recorded]:
    ticket_id = app.open_ticket(DRAFT, AGENT).id
    app.dispatch(ticket_id, "eng-wang", at(120), at(10), AGENT)
    return ticket_id, app.record_arrival(ticket_id, at(30), ENGINEER)


def test_correction_is_appended_and_the_original_event_stays_unchanged(app: ServiceLedger) -> None:
    ticket_id, arrival = arrived_ticket(app)
    [original] = app.notification_log.select(arrival.position, 1)

    correction = app.correct_milestone(
        ticket_id, arrival.version, at(25), "engineer's phone clock was wrong", AGENT, MANAGER
    )

    assert correction.version == arrival.version + 1
    assert correction.position > arrival.position
    assert app.notification_log.select(arrival.position, 1) == [original]
    events = list(app.events.get(ticket_id))
    kinds: list[type[object]] = [type(e) for e in events]
    assert kinds == [Ticket.Opened, Ticket.Dispatched, Ticket.ArrivedOnSite, Ticket.MilestoneCorrected]
    arrived, corrected = events[2], events[3]
    assert isinstance(arrived, Ticket.ArrivedOnSite)
    assert arrived.occurred_at == at(30)
    assert isinstance(corrected, Ticket.MilestoneCorrected)
    assert (corrected.corrects_version, corrected.milestone) == (arrival.version, Milestone.ARRIVED)
    assert (corrected.original_occurred_at, corrected.new_occurred_at) == (at(30), at(25))
    assert (corrected.approver, corrected.actor) == (MANAGER, AGENT)
    assert corrected.reason == "engineer's phone clock was wrong"
    assert corrected.occurred_at == NOW

    now_known = app.get_ticket(ticket_id)
    assert now_known.milestones[2] == MilestoneRecord(arrival.version, Milestone.ARRIVED, at(25), ENGINEER.id)
    known_then = app.get_ticket(ticket_id, version=arrival.version)
    assert known_then.milestones[2].occurred_at == at(30)


def test_unapproved_correction_records_nothing(app: ServiceLedger) -> None:
    ticket_id, arrival = arrived_ticket(app)

    with pytest.raises(CorrectionNotApproved):
        app.correct_milestone(ticket_id, arrival.version, at(25), "typo", AGENT, ENGINEER)

    assert max_position(app) == arrival.position
    assert app.get_ticket(ticket_id).milestones[2].occurred_at == at(30)


def test_refused_milestone_records_nothing(app: ServiceLedger) -> None:
    ticket_id = app.open_ticket(DRAFT, AGENT).id
    position = max_position(app)

    with pytest.raises(MilestoneOutOfOrder):
        app.record_arrival(ticket_id, at(30), ENGINEER)

    assert max_position(app) == position
    assert app.get_ticket(ticket_id).version == 1


def test_the_ledger_clock_decides_what_is_in_the_future(app: ServiceLedger, clock: Clock) -> None:
    ticket_id = app.open_ticket(DRAFT, AGENT).id

    with pytest.raises(OccurredTimeInvalid):
        app.record_response(ticket_id, NOW + timedelta(seconds=61), AGENT)
    clock.now = NOW + timedelta(seconds=1)
    recorded = app.record_response(ticket_id, NOW + timedelta(seconds=61), AGENT)

    assert recorded.version == 2


def test_get_ticket_at_an_earlier_version_returns_the_earlier_state(app: ServiceLedger) -> None:
    ticket_id = app.open_ticket(DRAFT, AGENT).id
    app.dispatch(ticket_id, "eng-wang", at(120), at(10), AGENT)
    app.pause(ticket_id, PauseReason.WAITING_FOR_PARTS, at(15), AGENT)
    app.resume(ticket_id, at(25), AGENT)
    app.record_arrival(ticket_id, at(30), ENGINEER)
    app.resolve(ticket_id, True, "replaced the seal", at(60), ENGINEER)

    at_version = {v: app.get_ticket(ticket_id, version=v) for v in range(1, 7)}

    assert [t.version for t in at_version.values()] == [1, 2, 3, 4, 5, 6]
    assert [t.status for t in at_version.values()] == [
        Status.OPEN,
        Status.DISPATCHED,
        Status.PAUSED,
        Status.DISPATCHED,
        Status.ON_SITE,
        Status.RESOLVED,
    ]
    assert at_version[1].engineer_id is None
    assert at_version[1].milestones == [MilestoneRecord(1, Milestone.REPORTED, T0, AGENT.id)]
    assert len(at_version[3].milestones) == 3
    assert vars(at_version[6]) == vars(app.get_ticket(ticket_id))
