"""The Ticket aggregate on its own: the events each command records and the rules it enforces."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, TypeVar
from uuid import uuid4

import pytest
from eventsourcing.application import project_aggregate
from eventsourcing.domain import Aggregate
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from domain.actors import Actor, Role
from domain.errors import (
    CorrectionNotApproved,
    InvalidValue,
    LedgerError,
    MilestoneOutOfOrder,
    OccurredTimeInvalid,
    TicketIsClosed,
)
from domain.ledger import ServiceLedger
from domain.ticket_terms import Channel, Milestone, MilestoneRecord, PauseReason, Status
from domain.tickets import Ticket

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
"""When the fault was reported."""
NOW = T0 + timedelta(days=1)
"""The ledger's clock in these tests: every milestone below lies in its past."""
ALLOWANCE = timedelta(seconds=60)

AGENT = Actor("agent-li", Role.HOTLINE_AGENT)
ENGINEER = Actor("eng-wang", Role.ENGINEER)
MANAGER = Actor("mgr-zhao", Role.MANAGER)
OTHER_MANAGER = Actor("mgr-qian", Role.MANAGER)

E = TypeVar("E")
Command = Callable[[Ticket], None]


def at(minutes: float) -> datetime:
    """A time `minutes` after the report."""
    return T0 + timedelta(minutes=minutes)


def new_ticket(reported_at: datetime = T0, now: datetime = NOW, actor: Actor = AGENT) -> Ticket:
    return Ticket.open(
        uuid4(),
        reported_at=reported_at,
        actor=actor,
        channel=Channel.HOTLINE,
        customer_id="acme",
        site_id="plant-7",
        region_tier="tier-2",
        asset_id="pump-42",
        severity="major",
        category="fault",
        description="Pump 42 stopped",
        now=now,
    )


def dispatched_ticket() -> Ticket:
    ticket = new_ticket()
    ticket.dispatch("eng-wang", at(120), at(10), AGENT, NOW)
    return ticket


def on_site_ticket() -> Ticket:
    ticket = dispatched_ticket()
    ticket.arrive(at(30), ENGINEER, NOW)
    return ticket


def resolved_ticket() -> Ticket:
    ticket = on_site_ticket()
    ticket.resolve(True, "replaced the seal", at(60), ENGINEER, NOW)
    return ticket


def signed_off_ticket() -> Ticket:
    ticket = resolved_ticket()
    ticket.sign_off(5, "Ms Chen", at(70), ENGINEER, NOW)
    return ticket


def closed_ticket() -> Ticket:
    ticket = signed_off_ticket()
    ticket.close(at(80), AGENT, NOW)
    return ticket


def paused_ticket() -> Ticket:
    ticket = dispatched_ticket()
    ticket.pause(PauseReason.WAITING_FOR_PARTS, at(15), AGENT, NOW)
    return ticket


def cancelled_ticket() -> Ticket:
    ticket = dispatched_ticket()
    ticket.cancel("duplicate of another ticket", at(20), AGENT, NOW)
    return ticket


def settled(ticket: Ticket) -> Ticket:
    """The ticket with the events recorded so far taken away, so a test sees only what follows."""
    ticket.collect_events()
    return ticket


def single_event(ticket: Ticket, kind: type[E]) -> E:
    events = ticket.collect_events()
    assert [type(e) for e in events] == [kind]
    event = events[0]
    assert isinstance(event, kind)
    return event


def assert_refused(ticket: Ticket, command: Command, error: type[LedgerError]) -> LedgerError:
    """The command raises `error` and leaves the ticket exactly as it was."""
    version, status, milestones = ticket.version, ticket.status, list(ticket.milestones)
    settled(ticket)
    with pytest.raises(error) as caught:
        command(ticket)
    assert ticket.collect_events() == []
    assert (ticket.version, ticket.status, ticket.milestones) == (version, status, milestones)
    return caught.value


# Events per command ---------------------------------------------------------------------------


def test_opening_records_the_report_with_its_time_and_actor() -> None:
    ticket = new_ticket(reported_at=at(0), now=at(1))

    opened = single_event(ticket, Ticket.Opened)

    assert opened.originator_version == 1
    assert opened.occurred_at == T0
    assert opened.actor == AGENT
    assert (opened.channel, opened.customer_id, opened.site_id) == (Channel.HOTLINE, "acme", "plant-7")
    assert (opened.region_tier, opened.asset_id, opened.severity) == ("tier-2", "pump-42", "major")
    assert (opened.category, opened.description) == ("fault", "Pump 42 stopped")
    assert ticket.status is Status.OPEN
    assert ticket.reported_at == T0
    assert ticket.milestones == [MilestoneRecord(1, Milestone.REPORTED, T0, AGENT.id)]


COMMAND_EVENTS = [
    pytest.param(
        new_ticket,
        lambda t: t.respond(at(5), AGENT, NOW),
        Ticket.Responded,
        Milestone.RESPONDED,
        at(5),
        AGENT,
        {},
        id="respond",
    ),
    pytest.param(
        new_ticket,
        lambda t: t.escalate(2, "  the customer is a hospital ", at(6), MANAGER, NOW),
        Ticket.Escalated,
        Milestone.ESCALATED,
        at(6),
        MANAGER,
        {"level": 2, "reason": "the customer is a hospital"},
        id="escalate",
    ),
    pytest.param(
        new_ticket,
        lambda t: t.dispatch("eng-wang", at(120), at(10), AGENT, NOW),
        Ticket.Dispatched,
        Milestone.DISPATCHED,
        at(10),
        AGENT,
        {"engineer_id": "eng-wang", "planned_at": at(120)},
        id="dispatch",
    ),
    pytest.param(
        dispatched_ticket,
        lambda t: t.depart(at(45), at(20), ENGINEER, NOW),
        Ticket.Departed,
        Milestone.DEPARTED,
        at(20),
        ENGINEER,
        {"eta": at(45)},
        id="depart",
    ),
    pytest.param(
        dispatched_ticket,
        lambda t: t.arrive(at(30), ENGINEER, NOW),
        Ticket.ArrivedOnSite,
        Milestone.ARRIVED,
        at(30),
        ENGINEER,
        {},
        id="arrive",
    ),
    pytest.param(
        on_site_ticket,
        lambda t: t.restore(at(40), ENGINEER, NOW),
        Ticket.ServiceRestored,
        Milestone.RESTORED,
        at(40),
        ENGINEER,
        {},
        id="restore",
    ),
    pytest.param(
        on_site_ticket,
        lambda t: t.resolve(False, " replaced the seal\n", at(60), ENGINEER, NOW),
        Ticket.Resolved,
        Milestone.RESOLVED,
        at(60),
        ENGINEER,
        {"fixed_first_time": False, "resolution": "replaced the seal"},
        id="resolve",
    ),
    pytest.param(
        resolved_ticket,
        lambda t: t.sign_off(4, "Ms Chen", at(70), ENGINEER, NOW),
        Ticket.SignedOff,
        Milestone.SIGNED_OFF,
        at(70),
        ENGINEER,
        {"satisfaction": 4, "signed_by": "Ms Chen"},
        id="sign_off",
    ),
    pytest.param(
        resolved_ticket,
        lambda t: t.record_callback(3, "Mr Liu", at(90), AGENT, NOW),
        Ticket.CallbackRecorded,
        Milestone.CALLBACK,
        at(90),
        AGENT,
        {"satisfaction": 3, "answered_by": "Mr Liu"},
        id="callback",
    ),
    pytest.param(
        signed_off_ticket,
        lambda t: t.close(at(80), AGENT, NOW),
        Ticket.Closed,
        Milestone.CLOSED,
        at(80),
        AGENT,
        {},
        id="close",
    ),
    pytest.param(
        closed_ticket,
        lambda t: t.reopen("pump stopped again", at(100), AGENT, NOW),
        Ticket.Reopened,
        Milestone.REOPENED,
        at(100),
        AGENT,
        {"reason": "pump stopped again"},
        id="reopen",
    ),
    pytest.param(
        dispatched_ticket,
        lambda t: t.pause(PauseReason.WAITING_FOR_PARTS, at(15), AGENT, NOW),
        Ticket.Paused,
        Milestone.PAUSED,
        at(15),
        AGENT,
        {"reason": PauseReason.WAITING_FOR_PARTS},
        id="pause",
    ),
    pytest.param(
        paused_ticket,
        lambda t: t.resume(at(25), AGENT, NOW),
        Ticket.Resumed,
        Milestone.RESUMED,
        at(25),
        AGENT,
        {},
        id="resume",
    ),
    pytest.param(
        new_ticket,
        lambda t: t.cancel("duplicate of another ticket", at(3), AGENT, NOW),
        Ticket.Cancelled,
        Milestone.CANCELLED,
        at(3),
        AGENT,
        {"reason": "duplicate of another ticket"},
        id="cancel",
    ),
]


@pytest.mark.parametrize(
    ("given_ticket", "command", "event_type", "milestone", "occurred_at", "actor", "fields"),
    COMMAND_EVENTS,
)
def test_each_command_records_one_event_with_occurred_time_and_actor(
    given_ticket: Callable[[], Ticket],
    command: Command,
    event_type: type[Aggregate.Event],
    milestone: Milestone,
    occurred_at: datetime,
    actor: Actor,
    fields: dict[str, Any],
) -> None:
    ticket = settled(given_ticket())
    version = ticket.version

    command(ticket)

    event = single_event(ticket, event_type)
    assert event.originator_id == ticket.id
    assert event.originator_version == version + 1 == ticket.version
    assert vars(event)["occurred_at"] == occurred_at
    assert vars(event)["actor"] == actor
    for name, value in fields.items():
        assert vars(event)[name] == value, name
    assert ticket.milestones[-1] == MilestoneRecord(version + 1, milestone, occurred_at, actor.id)


def test_status_follows_the_lifecycle() -> None:
    ticket = new_ticket()
    seen = [ticket.status]
    ticket.respond(at(5), AGENT, NOW)
    seen.append(ticket.status)
    ticket.dispatch("eng-wang", at(120), at(10), AGENT, NOW)
    seen.append(ticket.status)
    ticket.depart(at(45), at(20), ENGINEER, NOW)
    seen.append(ticket.status)
    ticket.arrive(at(30), ENGINEER, NOW)
    seen.append(ticket.status)
    ticket.restore(at(40), ENGINEER, NOW)
    seen.append(ticket.status)
    ticket.resolve(True, "replaced the seal", at(60), ENGINEER, NOW)
    seen.append(ticket.status)
    ticket.sign_off(5, "Ms Chen", at(70), ENGINEER, NOW)
    seen.append(ticket.status)
    ticket.close(at(80), AGENT, NOW)
    seen.append(ticket.status)
    ticket.reopen("pump stopped again", at(100), AGENT, NOW)
    seen.append(ticket.status)

    assert seen == [
        Status.OPEN,
        Status.OPEN,
        Status.DISPATCHED,
        Status.EN_ROUTE,
        Status.ON_SITE,
        Status.RESTORED,
        Status.RESOLVED,
        Status.RESOLVED,
        Status.CLOSED,
        Status.OPEN,
    ]
    assert ticket.engineer_id == "eng-wang"
    assert ticket.fixed_first_time is True
    assert ticket.satisfaction == 5
    assert ticket.reopen_count == 1
    assert ticket.has_feedback is False


# Ordering rules -------------------------------------------------------------------------------


def test_arrival_before_dispatch_is_refused() -> None:
    ticket = new_ticket()

    assert_refused(ticket, lambda t: t.arrive(at(30), ENGINEER, NOW), MilestoneOutOfOrder)


def test_arrival_earlier_than_the_dispatch_time_is_refused() -> None:
    ticket = new_ticket()
    ticket.dispatch("eng-wang", at(120), at(30), AGENT, NOW)

    assert_refused(ticket, lambda t: t.arrive(at(29), ENGINEER, NOW), MilestoneOutOfOrder)


def test_arrival_at_the_dispatch_instant_is_accepted() -> None:
    ticket = new_ticket()
    ticket.dispatch("eng-wang", at(120), at(30), AGENT, NOW)

    ticket.arrive(at(30), ENGINEER, NOW)

    assert ticket.status is Status.ON_SITE


def test_arrival_while_en_route_is_accepted() -> None:
    ticket = dispatched_ticket()
    ticket.depart(at(45), at(20), ENGINEER, NOW)

    ticket.arrive(at(40), ENGINEER, NOW)

    assert ticket.status is Status.ON_SITE


def test_departure_earlier_than_the_dispatch_time_is_refused() -> None:
    ticket = dispatched_ticket()

    assert_refused(ticket, lambda t: t.depart(at(45), at(9), ENGINEER, NOW), MilestoneOutOfOrder)


def test_departure_without_dispatch_is_refused() -> None:
    assert_refused(new_ticket(), lambda t: t.depart(at(45), at(20), ENGINEER, NOW), MilestoneOutOfOrder)


def test_departure_with_eta_before_departure_is_refused() -> None:
    error = assert_refused(
        dispatched_ticket(), lambda t: t.depart(at(19), at(20), ENGINEER, NOW), InvalidValue
    )

    assert error.field == "eta"


@pytest.mark.parametrize(
    "given_ticket", [new_ticket, dispatched_ticket, on_site_ticket, paused_ticket], ids=lambda f: f.__name__
)
def test_close_before_resolution_is_refused(given_ticket: Callable[[], Ticket]) -> None:
    assert_refused(given_ticket(), lambda t: t.close(at(80), AGENT, NOW), MilestoneOutOfOrder)


def test_close_without_sign_off_or_callback_is_refused() -> None:
    assert_refused(resolved_ticket(), lambda t: t.close(at(80), AGENT, NOW), MilestoneOutOfOrder)


def test_close_after_a_callback_is_accepted() -> None:
    ticket = resolved_ticket()
    ticket.record_callback(4, "Mr Liu", at(70), AGENT, NOW)

    ticket.close(at(80), AGENT, NOW)

    assert ticket.status is Status.CLOSED


def test_close_earlier_than_the_resolution_is_refused() -> None:
    ticket = signed_off_ticket()

    assert_refused(ticket, lambda t: t.close(at(59), AGENT, NOW), MilestoneOutOfOrder)


def test_close_earlier_than_the_sign_off_it_needs_is_refused() -> None:
    ticket = resolved_ticket()  # resolved at +60 min
    ticket.sign_off(5, "Ms Chen", at(120), ENGINEER, NOW)

    assert_refused(ticket, lambda t: t.close(at(90), AGENT, NOW), MilestoneOutOfOrder)


def test_sign_off_before_resolution_is_refused() -> None:
    assert_refused(
        on_site_ticket(), lambda t: t.sign_off(5, "Ms Chen", at(70), AGENT, NOW), MilestoneOutOfOrder
    )


def test_sign_off_earlier_than_the_resolution_is_refused() -> None:
    assert_refused(
        resolved_ticket(), lambda t: t.sign_off(5, "Ms Chen", at(59), AGENT, NOW), MilestoneOutOfOrder
    )


def test_a_second_response_is_refused() -> None:
    ticket = new_ticket()
    ticket.respond(at(5), AGENT, NOW)

    assert_refused(ticket, lambda t: t.respond(at(6), AGENT, NOW), MilestoneOutOfOrder)


def test_reopening_a_ticket_that_is_still_being_worked_is_refused() -> None:
    assert_refused(on_site_ticket(), lambda t: t.reopen("again", at(70), AGENT, NOW), MilestoneOutOfOrder)


MILESTONE_COMMANDS: dict[str, Command] = {
    "respond": lambda t: t.respond(at(200), AGENT, NOW),
    "escalate": lambda t: t.escalate(t.escalation_level + 1, "still down", at(200), MANAGER, NOW),
    "dispatch": lambda t: t.dispatch("eng-wang", at(300), at(200), AGENT, NOW),
    "depart": lambda t: t.depart(at(260), at(200), ENGINEER, NOW),
    "arrive": lambda t: t.arrive(at(200), ENGINEER, NOW),
    "restore": lambda t: t.restore(at(200), ENGINEER, NOW),
    "resolve": lambda t: t.resolve(True, "fixed", at(200), ENGINEER, NOW),
    "sign_off": lambda t: t.sign_off(5, "Ms Chen", at(200), ENGINEER, NOW),
    "callback": lambda t: t.record_callback(5, "Mr Liu", at(200), AGENT, NOW),
    "close": lambda t: t.close(at(200), AGENT, NOW),
    "pause": lambda t: t.pause(PauseReason.WAITING_FOR_CUSTOMER, at(200), AGENT, NOW),
    "resume": lambda t: t.resume(at(200), AGENT, NOW),
    "cancel": lambda t: t.cancel("customer withdrew", at(200), AGENT, NOW),
}


@pytest.mark.parametrize("name", MILESTONE_COMMANDS)
def test_closed_ticket_takes_no_milestone_until_reopened(name: str) -> None:
    assert_refused(closed_ticket(), MILESTONE_COMMANDS[name], TicketIsClosed)


def test_reopened_ticket_takes_milestones_again() -> None:
    ticket = closed_ticket()
    ticket.reopen("pump stopped again", at(100), AGENT, NOW)

    ticket.dispatch("eng-wang", at(150), at(110), AGENT, NOW)
    ticket.arrive(at(140), ENGINEER, NOW)
    ticket.resolve(False, "replaced the motor", at(160), ENGINEER, NOW)
    ticket.record_callback(4, "Mr Liu", at(200), AGENT, NOW)
    ticket.close(at(210), AGENT, NOW)

    assert ticket.status is Status.CLOSED
    assert ticket.reopen_count == 1
    assert ticket.fixed_first_time is False
    assert [r.milestone for r in ticket.milestones][-6:] == [
        Milestone.REOPENED,
        Milestone.DISPATCHED,
        Milestone.ARRIVED,
        Milestone.RESOLVED,
        Milestone.CALLBACK,
        Milestone.CLOSED,
    ]


def test_reopening_forgets_the_earlier_sign_off() -> None:
    ticket = closed_ticket()
    ticket.reopen("pump stopped again", at(100), AGENT, NOW)
    ticket.resolve(True, "tightened the coupling", at(110), ENGINEER, NOW)

    assert_refused(ticket, lambda t: t.close(at(120), AGENT, NOW), MilestoneOutOfOrder)


def test_after_reopen_arrival_is_checked_against_the_new_dispatch() -> None:
    ticket = closed_ticket()  # first dispatch at +10 min
    ticket.reopen("pump stopped again", at(100), AGENT, NOW)
    ticket.dispatch("eng-wang", at(150), at(110), AGENT, NOW)

    assert_refused(ticket, lambda t: t.arrive(at(50), ENGINEER, NOW), MilestoneOutOfOrder)


@pytest.mark.parametrize("name", MILESTONE_COMMANDS)
def test_cancelled_ticket_refuses_every_milestone(name: str) -> None:
    assert_refused(cancelled_ticket(), MILESTONE_COMMANDS[name], TicketIsClosed)


def test_cancelled_ticket_cannot_be_reopened() -> None:
    assert_refused(
        cancelled_ticket(), lambda t: t.reopen("changed my mind", at(200), AGENT, NOW), TicketIsClosed
    )


# Times ----------------------------------------------------------------------------------------


def test_occurred_time_beyond_the_clock_allowance_is_refused() -> None:
    ticket = new_ticket()
    too_late = NOW + ALLOWANCE + timedelta(microseconds=1)

    error = assert_refused(ticket, lambda t: t.respond(too_late, AGENT, NOW), OccurredTimeInvalid)

    assert error.field == "occurred_at"


def test_occurred_time_within_the_clock_allowance_is_accepted() -> None:
    ticket = new_ticket()

    ticket.respond(NOW + ALLOWANCE, AGENT, NOW)

    assert ticket.milestones[-1].occurred_at == NOW + ALLOWANCE


def test_report_time_in_the_future_is_refused() -> None:
    with pytest.raises(OccurredTimeInvalid):
        new_ticket(reported_at=NOW + ALLOWANCE + timedelta(seconds=1), now=NOW)


def test_occurred_time_before_the_report_is_refused() -> None:
    ticket = new_ticket()

    assert_refused(
        ticket, lambda t: t.respond(T0 - timedelta(microseconds=1), AGENT, NOW), OccurredTimeInvalid
    )


@pytest.mark.parametrize("name", MILESTONE_COMMANDS)
def test_every_milestone_before_the_report_is_refused(name: str) -> None:
    ticket = new_ticket(reported_at=at(300))

    assert_refused(ticket, MILESTONE_COMMANDS[name], OccurredTimeInvalid)


NAIVE = datetime(2024, 3, 1, 10, 0)

NAIVE_COMMANDS: dict[str, Command] = {
    "respond": lambda t: t.respond(NAIVE, AGENT, NOW),
    "dispatch occurred_at": lambda t: t.dispatch("eng-wang", at(120), NAIVE, AGENT, NOW),
    "dispatch planned_at": lambda t: t.dispatch("eng-wang", NAIVE, at(10), AGENT, NOW),
    "escalate": lambda t: t.escalate(1, "still down", NAIVE, MANAGER, NOW),
    "cancel": lambda t: t.cancel("withdrawn", NAIVE, AGENT, NOW),
}


@pytest.mark.parametrize("name", NAIVE_COMMANDS)
def test_naive_datetimes_are_refused(name: str) -> None:
    error = assert_refused(new_ticket(), NAIVE_COMMANDS[name], InvalidValue)

    assert not isinstance(error, OccurredTimeInvalid)
    assert "time zone" in error.message


def test_naive_eta_is_refused() -> None:
    assert_refused(dispatched_ticket(), lambda t: t.depart(NAIVE, at(20), ENGINEER, NOW), InvalidValue)


def test_naive_report_time_is_refused() -> None:
    with pytest.raises(InvalidValue, match="time zone"):
        new_ticket(reported_at=NAIVE)


def test_naive_corrected_time_is_refused() -> None:
    ticket = on_site_ticket()

    assert_refused(ticket, lambda t: t.correct_milestone(3, NAIVE, "typo", AGENT, MANAGER, NOW), InvalidValue)


def test_times_in_other_zones_are_compared_as_instants() -> None:
    beijing = timezone(timedelta(hours=8))
    ticket = new_ticket()
    ticket.dispatch("eng-wang", at(120), at(10), AGENT, NOW)
    # 17:05 in Beijing is 09:05 UTC, five minutes before the dispatch at 09:10 UTC.
    too_early = datetime(2024, 3, 1, 17, 5, tzinfo=beijing)

    assert_refused(ticket, lambda t: t.arrive(too_early, ENGINEER, NOW), MilestoneOutOfOrder)
    ticket.arrive(datetime(2024, 3, 1, 17, 30, tzinfo=beijing), ENGINEER, NOW)
    assert ticket.status is Status.ON_SITE


# Values ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("satisfaction", [-1, 0, 6, 10])
@pytest.mark.parametrize("kind", ["sign_off", "callback"])
def test_satisfaction_outside_one_to_five_is_refused(kind: str, satisfaction: int) -> None:
    def command(t: Ticket) -> None:
        if kind == "sign_off":
            t.sign_off(satisfaction, "Ms Chen", at(70), ENGINEER, NOW)
        else:
            t.record_callback(satisfaction, "Mr Liu", at(70), AGENT, NOW)

    error = assert_refused(resolved_ticket(), command, InvalidValue)

    assert error.field == "satisfaction"


@pytest.mark.parametrize("satisfaction", [1, 5])
def test_satisfaction_at_the_ends_of_the_scale_is_accepted(satisfaction: int) -> None:
    ticket = resolved_ticket()

    ticket.sign_off(satisfaction, "Ms Chen", at(70), ENGINEER, NOW)

    assert ticket.satisfaction == satisfaction
    assert ticket.has_feedback


def test_escalation_level_must_rise() -> None:
    ticket = new_ticket()
    assert_refused(ticket, lambda t: t.escalate(0, "no level", at(5), MANAGER, NOW), InvalidValue)
    ticket.escalate(2, "customer is a hospital", at(5), MANAGER, NOW)

    assert_refused(ticket, lambda t: t.escalate(2, "again", at(6), MANAGER, NOW), InvalidValue)
    assert_refused(ticket, lambda t: t.escalate(1, "down a level", at(6), MANAGER, NOW), InvalidValue)
    ticket.escalate(3, "still down after 2 h", at(7), MANAGER, NOW)

    assert ticket.escalation_level == 3


@pytest.mark.parametrize("blank", ["", "   ", "\n\t"])
def test_blank_reason_is_refused(blank: str) -> None:
    assert_refused(new_ticket(), lambda t: t.cancel(blank, at(5), AGENT, NOW), InvalidValue)


def test_engineer_id_must_be_a_code() -> None:
    error = assert_refused(
        new_ticket(), lambda t: t.dispatch("Eng Wang", at(120), at(10), AGENT, NOW), InvalidValue
    )

    assert error.field == "engineer_id"


# Pause and resume -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["respond", "dispatch", "depart", "arrive", "restore", "resolve", "pause"])
def test_paused_ticket_refuses_progress(name: str) -> None:
    assert_refused(paused_ticket(), MILESTONE_COMMANDS[name], MilestoneOutOfOrder)


def test_paused_ticket_makes_progress_again_once_resumed() -> None:
    ticket = paused_ticket()  # dispatched at +10, paused at +15

    ticket.resume(at(25), AGENT, NOW)
    ticket.arrive(at(30), ENGINEER, NOW)

    assert ticket.status is Status.ON_SITE


def test_resume_returns_to_the_status_before_the_pause() -> None:
    ticket = dispatched_ticket()
    ticket.depart(at(45), at(20), ENGINEER, NOW)
    ticket.pause(PauseReason.CUSTOMER_UNREACHABLE, at(25), AGENT, NOW)

    ticket.resume(at(35), AGENT, NOW)

    assert ticket.status is Status.EN_ROUTE


def test_resume_earlier_than_the_pause_is_refused() -> None:
    assert_refused(paused_ticket(), lambda t: t.resume(at(14), AGENT, NOW), MilestoneOutOfOrder)


def test_pause_earlier_than_the_last_resume_is_refused() -> None:
    ticket = paused_ticket()
    ticket.resume(at(40), AGENT, NOW)
    assert_refused(
        ticket, lambda t: t.pause(PauseReason.WAITING_FOR_PARTS, at(20), AGENT, NOW), MilestoneOutOfOrder
    )


def test_arrival_earlier_than_the_departure_is_refused() -> None:
    ticket = dispatched_ticket()
    ticket.depart(at(30), at(20), ENGINEER, NOW)
    assert_refused(ticket, lambda t: t.arrive(at(15), ENGINEER, NOW), MilestoneOutOfOrder)


def test_reopen_earlier_than_the_close_is_refused() -> None:
    assert_refused(closed_ticket(), lambda t: t.reopen("came back", at(75), AGENT, NOW), MilestoneOutOfOrder)


def test_resume_without_pause_is_refused() -> None:
    assert_refused(dispatched_ticket(), lambda t: t.resume(at(20), AGENT, NOW), MilestoneOutOfOrder)


def test_resolved_ticket_cannot_be_paused() -> None:
    assert_refused(
        resolved_ticket(),
        lambda t: t.pause(PauseReason.WAITING_FOR_CUSTOMER, at(70), AGENT, NOW),
        MilestoneOutOfOrder,
    )


# Corrections ----------------------------------------------------------------------------------

ARRIVAL_VERSION = 3
"""In on_site_ticket(): 1 reported, 2 dispatched at +10 by AGENT, 3 arrived at +30 by ENGINEER."""


def test_correction_keeps_the_original_time_in_its_event() -> None:
    ticket = settled(on_site_ticket())

    ticket.correct_milestone(ARRIVAL_VERSION, at(25), "engineer's phone clock was wrong", AGENT, MANAGER, NOW)

    corrected = single_event(ticket, Ticket.MilestoneCorrected)
    assert corrected.originator_version == 4
    assert corrected.milestone is Milestone.ARRIVED
    assert corrected.corrects_version == ARRIVAL_VERSION
    assert corrected.original_occurred_at == at(30)
    assert corrected.new_occurred_at == at(25)
    assert corrected.reason == "engineer's phone clock was wrong"
    assert corrected.approver == MANAGER
    assert corrected.actor == AGENT
    assert corrected.occurred_at == NOW


def test_correction_replaces_the_time_in_the_milestone_list() -> None:
    ticket = on_site_ticket()
    before = list(ticket.milestones)

    ticket.correct_milestone(ARRIVAL_VERSION, at(25), "clock drift", AGENT, MANAGER, NOW)

    assert ticket.milestones[:2] == before[:2]
    assert ticket.milestones[2] == MilestoneRecord(ARRIVAL_VERSION, Milestone.ARRIVED, at(25), ENGINEER.id)
    assert len(ticket.milestones) == len(before)
    assert ticket.version == 4
    assert ticket.status is Status.ON_SITE


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.MANAGER])
def test_correction_needs_a_manager_approver(role: Role) -> None:
    approver = Actor("someone-else", role)

    error = assert_refused(
        on_site_ticket(),
        lambda t: t.correct_milestone(ARRIVAL_VERSION, at(25), "clock drift", AGENT, approver, NOW),
        CorrectionNotApproved,
    )

    assert error.field == "approver"


def test_correction_approved_by_the_actor_of_the_milestone_is_refused() -> None:
    ticket = new_ticket()
    ticket.dispatch("eng-wang", at(120), at(10), MANAGER, NOW)  # the manager recorded this one

    assert_refused(
        ticket,
        lambda t: t.correct_milestone(2, at(8), "typo", AGENT, MANAGER, NOW),
        CorrectionNotApproved,
    )


def test_correction_asked_by_the_milestone_actor_and_approved_by_another_manager_is_accepted() -> None:
    ticket = on_site_ticket()

    ticket.correct_milestone(
        ARRIVAL_VERSION, at(25), "my phone clock was wrong", ENGINEER, OTHER_MANAGER, NOW
    )

    assert ticket.milestones[2].occurred_at == at(25)


def test_correction_of_a_correction_is_refused() -> None:
    ticket = on_site_ticket()
    ticket.correct_milestone(ARRIVAL_VERSION, at(25), "clock drift", AGENT, MANAGER, NOW)

    error = assert_refused(
        ticket, lambda t: t.correct_milestone(4, at(26), "again", AGENT, MANAGER, NOW), InvalidValue
    )

    assert error.field == "corrects_version"


@pytest.mark.parametrize("version", [0, 4, 99])
def test_correction_of_a_version_that_is_no_milestone_is_refused(version: int) -> None:
    assert_refused(
        on_site_ticket(),
        lambda t: t.correct_milestone(version, at(25), "typo", AGENT, MANAGER, NOW),
        InvalidValue,
    )


def test_correction_that_puts_an_arrival_before_its_dispatch_is_refused() -> None:
    assert_refused(
        on_site_ticket(),
        lambda t: t.correct_milestone(ARRIVAL_VERSION, at(9), "typo", AGENT, MANAGER, NOW),
        MilestoneOutOfOrder,
    )


def test_correction_that_puts_a_dispatch_after_its_arrival_is_refused() -> None:
    assert_refused(
        on_site_ticket(),
        lambda t: t.correct_milestone(2, at(31), "typo", ENGINEER, MANAGER, NOW),
        MilestoneOutOfOrder,
    )


def test_correction_before_the_report_is_refused() -> None:
    assert_refused(
        on_site_ticket(),
        lambda t: t.correct_milestone(2, T0 - timedelta(minutes=1), "typo", ENGINEER, MANAGER, NOW),
        OccurredTimeInvalid,
    )


def test_correction_into_the_future_is_refused() -> None:
    assert_refused(
        resolved_ticket(),
        lambda t: t.correct_milestone(4, NOW + timedelta(hours=1), "typo", AGENT, MANAGER, NOW),
        OccurredTimeInvalid,
    )


def test_correcting_the_report_time_moves_the_reported_at() -> None:
    ticket = on_site_ticket()

    ticket.correct_milestone(1, T0 - timedelta(hours=2), "logged late", ENGINEER, MANAGER, NOW)

    assert ticket.reported_at == T0 - timedelta(hours=2)
    assert ticket.milestones[0].occurred_at == T0 - timedelta(hours=2)
    ticket.restore(T0 - timedelta(hours=1), ENGINEER, NOW)  # now after the corrected report


def test_correcting_the_report_time_past_the_first_milestone_is_refused() -> None:
    assert_refused(
        on_site_ticket(),
        lambda t: t.correct_milestone(1, at(11), "typo", ENGINEER, MANAGER, NOW),
        MilestoneOutOfOrder,
    )


def test_later_milestones_are_checked_against_the_corrected_time() -> None:
    ticket = dispatched_ticket()  # dispatched at +10
    ticket.correct_milestone(2, at(20), "dispatched later than logged", ENGINEER, MANAGER, NOW)

    assert_refused(ticket, lambda t: t.arrive(at(15), ENGINEER, NOW), MilestoneOutOfOrder)


def test_closed_ticket_still_takes_a_correction() -> None:
    ticket = closed_ticket()

    ticket.correct_milestone(ARRIVAL_VERSION, at(25), "clock drift", AGENT, MANAGER, NOW)

    assert ticket.status is Status.CLOSED
    assert ticket.milestones[2].occurred_at == at(25)


# Replay ---------------------------------------------------------------------------------------


def eventful_ticket() -> Ticket:
    """A ticket that has been through every kind of event."""
    ticket = new_ticket()
    ticket.respond(at(5), AGENT, NOW)
    ticket.escalate(1, "customer is a hospital", at(6), MANAGER, NOW)
    ticket.dispatch("eng-wang", at(120), at(10), AGENT, NOW)
    ticket.pause(PauseReason.WAITING_FOR_PARTS, at(12), AGENT, NOW)
    ticket.resume(at(18), AGENT, NOW)
    ticket.depart(at(45), at(20), ENGINEER, NOW)
    ticket.arrive(at(40), ENGINEER, NOW)
    ticket.restore(at(50), ENGINEER, NOW)
    ticket.resolve(True, "replaced the seal", at(60), ENGINEER, NOW)
    ticket.sign_off(5, "Ms Chen", at(70), ENGINEER, NOW)
    ticket.close(at(80), AGENT, NOW)
    ticket.reopen("pump stopped again", at(100), AGENT, NOW)
    ticket.correct_milestone(8, at(38), "clock drift", AGENT, MANAGER, NOW)
    ticket.resolve(False, "replaced the motor", at(130), ENGINEER, NOW)
    ticket.record_callback(3, "Mr Liu", at(200), AGENT, NOW)
    ticket.cancel("customer sold the pump", at(210), AGENT, NOW)
    return ticket


def test_replaying_the_events_rebuilds_the_same_ticket() -> None:
    ticket = eventful_ticket()
    events = ticket.collect_events()

    replayed = project_aggregate(None, events)

    assert isinstance(replayed, Ticket)
    assert vars(replayed) == vars(ticket)
    assert replayed.version == len(events) == 17


def test_stored_and_reloaded_ticket_equals_the_original() -> None:
    ticket = eventful_ticket()
    ledger = ServiceLedger(env={"SERVICELEDGER_PERSISTENCE_MODULE": "eventsourcing.popo"})
    ledger.save(ticket)

    reloaded = ledger.get_ticket(ticket.id)

    assert reloaded is not ticket
    assert vars(reloaded) == vars(ticket)
    assert reloaded.milestones[7] == MilestoneRecord(8, Milestone.ARRIVED, at(38), ENGINEER.id)


def test_replaying_a_prefix_of_the_events_gives_the_earlier_state() -> None:
    ticket = eventful_ticket()
    events = ticket.collect_events()

    earlier = project_aggregate(None, events[:4])

    assert isinstance(earlier, Ticket)
    assert earlier.version == 4
    assert earlier.status is Status.DISPATCHED
    assert [r.milestone for r in earlier.milestones] == [
        Milestone.REPORTED,
        Milestone.RESPONDED,
        Milestone.ESCALATED,
        Milestone.DISPATCHED,
    ]


# Properties -----------------------------------------------------------------------------------

EXPECTED_PREDECESSORS = {
    Milestone.DEPARTED: (Milestone.DISPATCHED,),
    Milestone.ARRIVED: (Milestone.DISPATCHED, Milestone.DEPARTED),
    Milestone.SIGNED_OFF: (Milestone.RESOLVED,),
    Milestone.CALLBACK: (Milestone.RESOLVED,),
    Milestone.CLOSED: (Milestone.RESOLVED, Milestone.SIGNED_OFF, Milestone.CALLBACK),
    Milestone.REOPENED: (Milestone.RESOLVED, Milestone.CLOSED),
    Milestone.PAUSED: (Milestone.RESUMED,),
    Milestone.RESUMED: (Milestone.PAUSED,),
}
"""The ordering the tests expect, written out here rather than read from the domain."""

EVENT_MILESTONE: dict[type[object], Milestone] = {
    Ticket.Opened: Milestone.REPORTED,
    Ticket.Responded: Milestone.RESPONDED,
    Ticket.Escalated: Milestone.ESCALATED,
    Ticket.Dispatched: Milestone.DISPATCHED,
    Ticket.Departed: Milestone.DEPARTED,
    Ticket.ArrivedOnSite: Milestone.ARRIVED,
    Ticket.ServiceRestored: Milestone.RESTORED,
    Ticket.Resolved: Milestone.RESOLVED,
    Ticket.SignedOff: Milestone.SIGNED_OFF,
    Ticket.CallbackRecorded: Milestone.CALLBACK,
    Ticket.Closed: Milestone.CLOSED,
    Ticket.Reopened: Milestone.REOPENED,
    Ticket.Paused: Milestone.PAUSED,
    Ticket.Resumed: Milestone.RESUMED,
    Ticket.Cancelled: Milestone.CANCELLED,
}

TIMED_COMMANDS: dict[str, tuple[Milestone, Callable[[Ticket, datetime], None]]] = {
    "respond": (Milestone.RESPONDED, lambda t, when: t.respond(when, AGENT, NOW)),
    "escalate": (
        Milestone.ESCALATED,
        lambda t, when: t.escalate(t.escalation_level + 1, "still down", when, MANAGER, NOW),
    ),
    "dispatch": (
        Milestone.DISPATCHED,
        lambda t, when: t.dispatch("eng-wang", when + timedelta(hours=1), when, AGENT, NOW),
    ),
    "depart": (
        Milestone.DEPARTED,
        lambda t, when: t.depart(when + timedelta(minutes=30), when, ENGINEER, NOW),
    ),
    "arrive": (Milestone.ARRIVED, lambda t, when: t.arrive(when, ENGINEER, NOW)),
    "restore": (Milestone.RESTORED, lambda t, when: t.restore(when, ENGINEER, NOW)),
    "resolve": (Milestone.RESOLVED, lambda t, when: t.resolve(True, "fixed", when, ENGINEER, NOW)),
    "sign_off": (Milestone.SIGNED_OFF, lambda t, when: t.sign_off(4, "Ms Chen", when, ENGINEER, NOW)),
    "callback": (Milestone.CALLBACK, lambda t, when: t.record_callback(4, "Mr Liu", when, AGENT, NOW)),
    "close": (Milestone.CLOSED, lambda t, when: t.close(when, AGENT, NOW)),
    "reopen": (Milestone.REOPENED, lambda t, when: t.reopen("fault came back", when, AGENT, NOW)),
    "pause": (
        Milestone.PAUSED,
        lambda t, when: t.pause(PauseReason.WAITING_FOR_VENDOR, when, AGENT, NOW),
    ),
    "resume": (Milestone.RESUMED, lambda t, when: t.resume(when, AGENT, NOW)),
    "cancel": (Milestone.CANCELLED, lambda t, when: t.cancel("not needed", when, AGENT, NOW)),
}

BUSY = (Status.OPEN, Status.DISPATCHED, Status.EN_ROUTE, Status.ON_SITE, Status.RESTORED)


def commands_the_state_allows(ticket: Ticket) -> list[str]:
    """The commands a ticket in this state takes (times aside), written out from DOMAIN.md §3."""
    status = ticket.status
    names: list[str] = []
    if status in BUSY:
        names += ["dispatch", "resolve", "pause"]
        if ticket.latest(Milestone.RESPONDED) is None:
            names.append("respond")
        if status is not Status.RESTORED:
            names.append("restore")
        if status is Status.DISPATCHED:
            names.append("depart")
        if status in (Status.DISPATCHED, Status.EN_ROUTE):
            names.append("arrive")
    if status is Status.PAUSED:
        names.append("resume")
    if status is Status.RESOLVED:
        names += ["sign_off", "callback", "reopen"]
        if ticket.has_feedback:
            names.append("close")
    if status is Status.CLOSED:
        names.append("reopen")
    if status not in (Status.CLOSED, Status.CANCELLED):
        names += ["escalate", "cancel"]
    return sorted(names)


def latest_before(records: Sequence[MilestoneRecord], kind: Milestone) -> MilestoneRecord | None:
    return next((r for r in reversed(records) if r.milestone is kind), None)


def timeline_is_consistent(records: Sequence[MilestoneRecord]) -> bool:
    """Nothing precedes the report, nothing is in the future, nothing precedes what it follows."""
    reported = records[0].occurred_at
    for index, record in enumerate(records):
        if record.occurred_at < reported or record.occurred_at > NOW + ALLOWANCE:
            return False
        for kind in EXPECTED_PREDECESSORS.get(record.milestone, ()):
            before = latest_before(records[:index], kind)
            if before is not None and record.occurred_at < before.occurred_at:
                return False
    return True


offsets = st.integers(min_value=-2 * 3600, max_value=24 * 3600 + 300).map(lambda s: T0 + timedelta(seconds=s))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_times_are_either_accepted_or_refused_as_time_errors(data: st.DataObject) -> None:
    ticket = new_ticket()
    for _ in range(data.draw(st.integers(min_value=1, max_value=25), label="steps")):
        allowed = commands_the_state_allows(ticket)
        if not allowed:
            break
        weighted = [n for n in allowed if n != "cancel"] * 5 + [n for n in allowed if n == "cancel"]
        name = data.draw(st.sampled_from(weighted), label="command")
        when = data.draw(offsets, label="occurred_at")
        milestone, command = TIMED_COMMANDS[name]
        befores = [ticket.latest(kind) for kind in EXPECTED_PREDECESSORS.get(milestone, ())]
        expected: type[LedgerError] | None = None
        if when < ticket.reported_at or when > NOW + ALLOWANCE:
            expected = OccurredTimeInvalid
        elif any(b is not None and when < b.occurred_at for b in befores):
            expected = MilestoneOutOfOrder

        version, count = ticket.version, len(ticket.milestones)
        refusal: LedgerError | None = None
        try:
            command(ticket, when)
        except (OccurredTimeInvalid, MilestoneOutOfOrder) as error:
            refusal = error
        outcome = None if refusal is None else type(refusal)
        event(f"{name}: {'accepted' if outcome is None else outcome.__name__}")
        assert outcome is expected, f"{name} at {when}: expected {expected}, got {refusal!r}"
        if refusal is not None:
            assert (ticket.version, len(ticket.milestones)) == (version, count)
        else:
            assert ticket.version == version + 1
            assert ticket.milestones[-1] == MilestoneRecord(
                version + 1, milestone, when, ticket.milestones[-1].actor_id
            )

    events = ticket.collect_events()
    assert [e.originator_version for e in events] == list(range(1, len(events) + 1))
    assert [r.version for r in ticket.milestones] == [e.originator_version for e in events]
    assert [r.milestone for r in ticket.milestones] == [EVENT_MILESTONE[type(e)] for e in events]
    assert [r.occurred_at for r in ticket.milestones] == [vars(e)["occurred_at"] for e in events]
    assert timeline_is_consistent(ticket.milestones)
    replayed = project_aggregate(None, events)
    assert isinstance(replayed, Ticket)
    assert vars(replayed) == vars(ticket)


def correctable_ticket() -> Ticket:
    """A ticket with a hand-over and two service cycles; no close, so sign-off order stays out of it."""
    ticket = new_ticket()
    ticket.respond(at(5), AGENT, NOW)
    ticket.escalate(1, "customer is a hospital", at(8), AGENT, NOW)
    ticket.dispatch("eng-wang", at(120), at(10), AGENT, NOW)
    ticket.dispatch("eng-zhang", at(90), at(12), AGENT, NOW)  # handed over: nothing follows the first
    ticket.depart(at(45), at(20), ENGINEER, NOW)
    ticket.pause(PauseReason.CUSTOMER_UNREACHABLE, at(25), ENGINEER, NOW)
    ticket.resume(at(35), ENGINEER, NOW)
    ticket.arrive(at(40), ENGINEER, NOW)
    ticket.restore(at(50), ENGINEER, NOW)
    ticket.resolve(True, "replaced the seal", at(60), ENGINEER, NOW)
    ticket.sign_off(5, "Ms Chen", at(70), ENGINEER, NOW)
    ticket.reopen("pump stopped again", at(100), AGENT, NOW)
    ticket.dispatch("eng-wang", at(200), at(110), AGENT, NOW)
    ticket.arrive(at(150), ENGINEER, NOW)
    ticket.resolve(False, "replaced the motor", at(160), ENGINEER, NOW)
    ticket.record_callback(4, "Mr Liu", at(240), AGENT, NOW)
    return ticket


@settings(max_examples=80, deadline=None)
@given(
    corrections=st.lists(
        st.tuples(st.integers(min_value=1, max_value=17), offsets),
        min_size=1,
        max_size=4,
    )
)
def test_a_correction_is_accepted_exactly_when_the_timeline_stays_consistent(
    corrections: list[tuple[int, datetime]],
) -> None:
    ticket = settled(correctable_ticket())
    for version, new_time in corrections:
        target = ticket.record_at(version)
        proposed = [
            MilestoneRecord(r.version, r.milestone, new_time, r.actor_id) if r is target else r
            for r in ticket.milestones
        ]
        consistent = timeline_is_consistent(proposed)
        before = (ticket.version, list(ticket.milestones), ticket.reported_at)
        refusal: LedgerError | None = None
        try:
            ticket.correct_milestone(version, new_time, "audit finding", AGENT, MANAGER, NOW)
        except (OccurredTimeInvalid, MilestoneOutOfOrder) as error:
            refusal = error
        event("correction accepted" if refusal is None else f"correction refused: {type(refusal).__name__}")
        assert (refusal is None) is consistent, f"{version} -> {new_time}: {refusal!r}, giving {proposed}"
        if refusal is not None:
            assert (ticket.version, ticket.milestones, ticket.reported_at) == before
        else:
            assert ticket.milestones == proposed
            assert ticket.reported_at == proposed[0].occurred_at
            corrected = single_event(ticket, Ticket.MilestoneCorrected)
            assert corrected.original_occurred_at == target.occurred_at
            assert corrected.new_occurred_at == new_time
