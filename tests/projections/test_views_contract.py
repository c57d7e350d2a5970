"""The same assertions on the in-memory, SQLite and PostgreSQL views."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from uuid import UUID

import pytest
from eventsourcing.persistence import IntegrityError, Tracking

from domain.actors import Actor, Role
from domain.customer_commands import CustomerDetails
from domain.ledger import ServiceLedger
from domain.ticket_terms import PauseReason
from projections.read_side import ReadSide, UnknownView
from projections.ticket_board import BoardQuery
from tests.support import AGENT, ENGINEER, MANAGER, ago, draft


@pytest.fixture
def read_side(ledger: ServiceLedger) -> Iterator[ReadSide]:
    side = ReadSide(ledger)
    yield side
    side.stop()


def finished_ticket(ledger: ServiceLedger, **overrides: object) -> tuple[str, int]:
    """A ticket taken from report to close; its id and the version of its arrival."""
    opened = ledger.open_ticket(draft(reported_at=ago(hours=5), **overrides), AGENT)
    tid = opened.id
    ledger.record_response(tid, ago(hours=4, minutes=55), AGENT)
    ledger.dispatch(tid, "eng-li", ago(hours=4), ago(hours=4, minutes=50), AGENT)
    ledger.record_departure(tid, ago(hours=4), ago(hours=4, minutes=30), ENGINEER)
    arrival = ledger.record_arrival(tid, ago(hours=4), ENGINEER)
    ledger.record_restoration(tid, ago(hours=3), ENGINEER)
    ledger.resolve(tid, True, "Replaced line card", ago(hours=2), ENGINEER)
    ledger.record_sign_off(tid, 5, "Zhang Wei", ago(hours=1, minutes=55), ENGINEER)
    ledger.close_ticket(tid, ago(hours=1), AGENT)
    return str(tid), arrival.version


def test_board_row_follows_the_whole_lifecycle(ledger: ServiceLedger, read_side: ReadSide) -> None:
    tid, _ = finished_ticket(ledger)
    read_side.catch_up()
    row = read_side.board.get(tid)
    assert row is not None
    assert row.status == "closed"
    assert row.version == 9
    assert row.engineer_id == "eng-li"
    assert row.satisfaction == 5
    assert row.fixed_first_time is True
    assert row.arrived_at is not None
    assert row.closed_at is not None
    assert row.closed_at > row.resolved_at > row.arrived_at > row.dispatched_at  # type: ignore[operator]


def test_correction_moves_the_board_time_and_history_keeps_both(
    ledger: ServiceLedger, read_side: ReadSide
) -> None:
    tid, arrival_version = finished_ticket(ledger)
    read_side.catch_up()
    before = read_side.board.get(tid)
    assert before is not None
    assert before.arrived_at is not None
    corrected_to = before.arrived_at - timedelta(minutes=20)
    ledger.correct_milestone(UUID(tid), arrival_version, corrected_to, "GPS log", MANAGER, MANAGER)
    read_side.catch_up()
    after = read_side.board.get(tid)
    assert after is not None
    assert after.arrived_at == corrected_to
    assert after.correction_count == 1
    history = read_side.history.history(tid, 100, 0)
    types = [r.event_type for r in history.rows]
    assert types.count("ArrivedOnSite") == 1
    assert types[-1] == "MilestoneCorrected"
    assert history.rows[-1].data["original_occurred_at"] == before.arrived_at.isoformat()


def test_reopen_clears_resolution_and_counts(ledger: ServiceLedger, read_side: ReadSide) -> None:
    tid, _ = finished_ticket(ledger)
    ledger.reopen(UUID(tid), "Fault came back", ago(minutes=30), AGENT)
    read_side.catch_up()
    row = read_side.board.get(tid)
    assert row is not None
    assert (row.status, row.reopen_count, row.resolved_at, row.closed_at) == ("open", 1, None, None)


def test_pause_and_resume_return_to_the_earlier_status(ledger: ServiceLedger, read_side: ReadSide) -> None:
    tid = ledger.open_ticket(draft(), AGENT).id
    ledger.dispatch(tid, "eng-wang", ago(hours=1), ago(hours=2), AGENT)
    ledger.pause(tid, PauseReason.WAITING_FOR_PARTS, ago(hours=1, minutes=30), AGENT)
    read_side.catch_up()
    paused = read_side.board.get(str(tid))
    ledger.resume(tid, ago(minutes=10), AGENT)
    read_side.catch_up()
    resumed = read_side.board.get(str(tid))
    assert paused is not None
    assert resumed is not None
    assert (paused.status, resumed.status) == ("paused", "dispatched")


def test_history_lists_every_event_with_times_and_actor(ledger: ServiceLedger, read_side: ReadSide) -> None:
    tid, _ = finished_ticket(ledger)
    read_side.catch_up()
    page = read_side.history.history(tid, 100, 0)
    assert page.total == 9
    assert [r.version for r in page.rows] == list(range(1, 10))
    assert [r.event_type for r in page.rows][:3] == ["Opened", "Responded", "Dispatched"]
    dispatched = page.rows[2]
    assert (dispatched.actor_id, dispatched.actor_role) == ("agent-zhou", "hotline_agent")
    assert dispatched.data["engineer_id"] == "eng-li"
    assert dispatched.recorded_at > dispatched.occurred_at
    second_page = read_side.history.history(tid, 4, 4)
    assert [r.version for r in second_page.rows] == [5, 6, 7, 8]


def test_board_filters_sorts_and_pages(ledger: ServiceLedger, read_side: ReadSide) -> None:
    a = ledger.open_ticket(draft(customer_id="acme", severity="major", reported_at=ago(hours=9)), AGENT).id
    b = ledger.open_ticket(draft(customer_id="acme", site_id="acme-west", reported_at=ago(hours=8)), AGENT).id
    c = ledger.open_ticket(draft(customer_id="globex", reported_at=ago(hours=7)), AGENT).id
    ledger.dispatch(c, "eng-zhao", ago(hours=1), ago(hours=6), AGENT)
    read_side.catch_up()
    board = read_side.board

    def ids(**query: object) -> list[str]:
        return [r.ticket_id for r in board.search(BoardQuery(**query)).rows]  # type: ignore[arg-type]

    assert ids(customer_id="acme", direction="asc") == [str(a), str(b)]
    assert ids(severity="major") == [str(a)]
    assert ids(site_id="acme-west") == [str(b)]
    assert ids(engineer_id="eng-zhao") == [str(c)]
    assert ids(statuses=("dispatched",)) == [str(c)]
    assert ids(statuses=("open", "dispatched")) == [str(c), str(b), str(a)]
    assert ids(opened_from=ago(hours=8, minutes=30), opened_to=ago(hours=7, minutes=30)) == [str(b)]
    page = board.search(BoardQuery(limit=2, offset=1))
    assert ([r.ticket_id for r in page.rows], page.total) == ([str(b), str(a)], 3)


def test_a_position_already_taken_in_is_refused_and_changes_nothing(
    ledger: ServiceLedger, read_side: ReadSide
) -> None:
    tid, _ = finished_ticket(ledger)
    position = read_side.catch_up()["ticket_board"]
    board = read_side.runner("ticket_board")
    history = read_side.runner("ticket_history")
    rows_before = (board.projection.view.all_rows(), history.projection.view.all_rows())
    replay = ledger.recorder.select_notifications(start=position, limit=1)
    event = ledger.mapper.to_domain_event(replay[0])
    for runner in (board, history):
        with pytest.raises(IntegrityError):
            runner.projection.process_event(event, Tracking(ledger.name, position))
    assert (board.projection.view.all_rows(), history.projection.view.all_rows()) == rows_before
    assert read_side.board.get(tid) is not None


def test_rebuild_equals_the_live_views_row_for_row(ledger: ServiceLedger, read_side: ReadSide) -> None:
    for customer in ("acme", "globex", "initech"):
        finished_ticket(ledger, customer_id=customer)
        ledger.register_customer(customer, CustomerDetails(f"{customer} desk", "+86 21 1"), AGENT)
    ledger.change_customer_details("globex", CustomerDetails("Globex desk"), "new contact", AGENT)
    ledger.forget_customer("initech", "erasure request", Actor("gm-sun", Role.GENERAL_MANAGER), MANAGER)
    tid = ledger.open_ticket(draft(), AGENT).id
    ledger.cancel(tid, "Duplicate report", ago(minutes=5), AGENT)
    read_side.start()
    last = ledger.recorder.max_notification_id()
    assert last is not None
    assert read_side.wait(last, timeout=10)
    read_side.stop()
    live = {name: r.projection.view.all_rows() for name, r in read_side.runners.items()}
    for name in read_side.runners:
        assert read_side.rebuild(name) == last
    rebuilt = {name: r.projection.view.all_rows() for name, r in read_side.runners.items()}
    assert rebuilt == live
    assert len(live["ticket_board"]) == 4
    assert len(live["ticket_history"]) == last - 5
    assert [row.forgotten_at is not None for row in live["customer_directory"]] == [False, False, True]


def test_runner_follows_new_events_as_they_are_recorded(ledger: ServiceLedger, read_side: ReadSide) -> None:
    read_side.start()
    opened = ledger.open_ticket(draft(), AGENT)
    assert read_side.wait(opened.position, timeout=10)
    responded = ledger.record_response(opened.id, ago(minutes=1), AGENT)
    assert read_side.wait(responded.position, timeout=10)
    row = read_side.board.get(str(opened.id))
    assert row is not None
    assert row.responded_at is not None
    assert read_side.wait(responded.position + 1, timeout=0.05) is False


def test_unknown_view_is_named(ledger: ServiceLedger, read_side: ReadSide) -> None:
    with pytest.raises(UnknownView, match="ticket_board"):
        read_side.rebuild("tickets")
