"""Penalties through the ledger: assessed from recorded causes under the schedule version in
force, once per cause and rule however often the assessor reads the log, reversed when a
correction withdraws the cause, assessed by hand, and taken through dispute and settlement."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from domain.actors import Actor, Role
from domain.contract_commands import contract_id_for
from domain.ledger import ServiceLedger
from domain.penalties import Penalty, PenaltyRuleViolation, PenaltyStatus, Settlement, penalty_id_for
from domain.penalty_books import PenaltyBookRuleViolation, book_id_for
from domain.penalty_rules import Cause
from domain.penalty_schedules import schedule_from_table
from tests.penalty_story import (
    AGENT,
    APPROVER,
    AUTHOR,
    BOOK,
    CUSTOMER,
    ENGINEER,
    FINANCE,
    REVIEWER,
    T0,
    T10,
    assessor,
    book_in_force,
    contract_in_force,
    late_arrival,
    recorded_penalties,
    report,
    rule_book,
)
from tests.support import SetClock

SUPERVISOR = Actor("log-sup-he", Role.MANAGER)


@pytest.fixture
def story(store_env: dict[str, str]) -> tuple[ServiceLedger, SetClock]:
    clock = SetClock(T0 - timedelta(days=2))
    ledger = ServiceLedger(env=store_env, clock=clock)
    book_in_force(ledger)
    contract_in_force(ledger)
    clock.now = T10 + timedelta(hours=2)
    return ledger, clock


def arrival_penalty(ledger: ServiceLedger, ticket_id: Any, episode: int = 1) -> Penalty:
    return ledger.get_penalty(
        penalty_id_for(f"sla:{ticket_id}:arrival:{episode}", contract_id_for(CUSTOMER), "late-arrival")
    )


def test_a_late_arrival_is_assessed_once_under_the_contract_and_reversed_by_its_correction(
    story: Any,
) -> None:
    ledger, _ = story
    ticket_id, arrived = late_arrival(ledger, minutes=65)
    runner = assessor(ledger)
    runner.catch_up()

    penalty = arrival_penalty(ledger, ticket_id)
    assert (penalty.total, penalty.status, penalty.parties) == (
        Decimal("100.00"),
        PenaltyStatus.ALLOCATED,
        ("eng-wang",),
    )
    assert (penalty.schedule.kind, penalty.schedule.version, penalty.trigger) == ("contract", 1, "sla_breach")
    assert [c.event for c in penalty.causes] == ["SlaVerdicts.VerdictRecorded"]
    assert (penalty.facts["minutes_late"], penalty.period) == ("5", "2026-11")

    ledger.correct_milestone(
        ticket_id, arrived.version, T10 + timedelta(minutes=58), "Site log", APPROVER, APPROVER
    )
    ledger.settle_sla(ticket_id)
    runner.catch_up()

    reversed_ = arrival_penalty(ledger, ticket_id)
    assert reversed_.status is PenaltyStatus.REVERSED
    events = list(ledger.repository.event_store.get(reversed_.id))
    assert [type(e).__name__ for e in events] == ["Assessed", "Allocated", "Reversed"]
    assert [c.event for c in events[-1].causes] == [
        "Ticket.MilestoneCorrected",
        "SlaVerdicts.VerdictRecorded",
    ]


def test_reading_the_log_again_records_nothing_more(story: Any) -> None:
    ledger, _ = story
    late_arrival(ledger, minutes=65)
    assessor(ledger).catch_up()
    before = ledger.recorder.max_notification_id()

    again = assessor(ledger)
    again.catch_up()

    assert ledger.recorder.max_notification_id() == before
    assert len(recorded_penalties(ledger)) == 1


def test_a_breach_corrected_then_breached_again_is_a_second_penalty_beside_the_reversed_first(
    story: Any,
) -> None:
    ledger, _ = story
    ticket_id, arrived = late_arrival(ledger, minutes=65)
    runner = assessor(ledger)
    ledger.correct_milestone(
        ticket_id, arrived.version, T10 + timedelta(minutes=58), "Site log", APPROVER, APPROVER
    )
    ledger.settle_sla(ticket_id)
    ledger.correct_milestone(
        ticket_id, arrived.version, T10 + timedelta(minutes=70), "GPS trace", APPROVER, APPROVER
    )
    ledger.settle_sla(ticket_id)
    runner.catch_up()

    first, second = arrival_penalty(ledger, ticket_id, 1), arrival_penalty(ledger, ticket_id, 2)
    assert (first.status, second.status) == (PenaltyStatus.REVERSED, PenaltyStatus.ALLOCATED)
    assert second.facts["minutes_late"] == "10"


def test_a_repair_without_sign_off_or_callback_past_its_deadline_costs_100(story: Any) -> None:
    ledger, clock = story
    ticket_id = report(ledger, T10)
    ledger.record_response(ticket_id, T10 + timedelta(minutes=3), AGENT)
    ledger.dispatch(ticket_id, "eng-wang", T10 + timedelta(minutes=30), T10 + timedelta(minutes=5), AGENT)
    ledger.record_arrival(ticket_id, T10 + timedelta(minutes=40), ENGINEER)
    ledger.resolve(ticket_id, True, "Replaced the PSU", T10 + timedelta(minutes=90), ENGINEER)
    clock.now = T10 + timedelta(hours=50)
    ledger.settle_sla(ticket_id)
    assessor(ledger).catch_up()

    unsigned = ledger.get_penalty(
        penalty_id_for(f"sla:{ticket_id}:sign_off:1", contract_id_for(CUSTOMER), "unsigned-service-record")
    )
    assert (unsigned.total, unsigned.trigger, unsigned.parties) == (
        Decimal("100.00"),
        "sign_off_missing",
        ("eng-wang",),
    )


def test_a_revision_of_the_book_changes_no_penalty_assessed_under_the_earlier_version(story: Any) -> None:
    ledger, clock = story
    ticket_id, _ = late_arrival(ledger, minutes=65)
    document = rule_book()
    document["rules"].append(
        {
            "code": "late-arrival-book",
            "description": "Late arrival",
            "shape": "fixed",
            "amount": "30",
            "on": "sla_breach",
        }
    )
    ledger.revise_penalty_book(BOOK, document, "Internal fine for late arrivals", False, AUTHOR)
    ledger.review_penalty_book(BOOK, 2, "Agreed", REVIEWER)
    ledger.approve_penalty_book(BOOK, 2, clock.now, APPROVER)
    runner = assessor(ledger)
    runner.catch_up()
    assert arrival_penalty(ledger, ticket_id).total == Decimal("100.00")
    assert all(p.rule != "late-arrival-book" for p in recorded_penalties(ledger))

    later, _ = late_arrival_after(ledger, clock)
    runner.catch_up()
    book_penalty = ledger.get_penalty(
        penalty_id_for(f"sla:{later}:arrival:1", book_id_for(BOOK), "late-arrival-book")
    )
    assert (book_penalty.schedule.version, book_penalty.total) == (2, Decimal("30.00"))


def late_arrival_after(ledger: ServiceLedger, clock: SetClock) -> tuple[Any, Any]:
    start = clock.now + timedelta(hours=1)
    clock.now = start + timedelta(hours=3)
    ticket_id = report(ledger, start)
    ledger.record_response(ticket_id, start + timedelta(minutes=3), AGENT)
    ledger.dispatch(ticket_id, "eng-li", start + timedelta(minutes=30), start + timedelta(minutes=5), AGENT)
    arrived = ledger.record_arrival(ticket_id, start + timedelta(minutes=75), ENGINEER)
    ledger.settle_sla(ticket_id)
    return ticket_id, arrived


def test_three_complaints_in_a_month_each_show_their_tier(story: Any) -> None:
    ledger, _ = story
    facts = Cause(holders={"party": ("log-sup-he",)})
    recorded = [
        ledger.assess_manually(
            BOOK, "supervisor-complaints", facts, T10 + timedelta(days=n), f"Complaint {n}", AUTHOR
        )
        for n in range(3)
    ]
    penalties = [ledger.get_penalty(r.id) for r in recorded]
    assert [(p.tier, p.total) for p in penalties] == [
        (1, Decimal("2.00")),
        (2, Decimal("5.00")),
        (3, Decimal("10.00")),
    ]
    assert all(p.reason and p.assessed_by == AUTHOR for p in penalties)


def test_the_same_causes_under_the_same_version_give_the_same_amounts(story: Any) -> None:
    ledger, _ = story
    facts = Cause(loss=Decimal("5000"), cooperation="cooperative", holders={"staff": ("eng-wang",)})
    first = ledger.get_penalty(
        ledger.assess_manually(BOOK, "liability-accident", facts, T10, "Dropped a unit", AUTHOR).id
    )
    second = ledger.get_penalty(
        ledger.assess_manually(BOOK, "liability-accident", facts, T10, "Dropped a unit", AUTHOR).id
    )
    assert first.lines == second.lines
    assert [(line.role, line.amount) for line in first.lines] == [
        ("staff", Decimal("3000.00")),
        ("company", Decimal("2000.00")),
        ("deputy_manager", Decimal("200")),
        ("manager", Decimal("200")),
        ("team_leader", Decimal("200")),
    ]


def test_a_dispute_is_decided_by_a_manager_who_is_not_a_party_then_settled(story: Any) -> None:
    ledger, _ = story
    facts = Cause(units=Decimal(3), holders={"party": ("mgr-zhao",)})
    penalty_id = ledger.assess_manually(
        BOOK, "late-hotline-reply", facts, T10, "Three late replies", AUTHOR
    ).id
    assert ledger.get_penalty(penalty_id).total == Decimal("150.00")
    with pytest.raises(PenaltyRuleViolation, match="only a party"):
        ledger.dispute_penalty(penalty_id, "Not mine", ENGINEER)
    ledger.dispute_penalty(penalty_id, "The customer replied late, not us", APPROVER)
    with pytest.raises(PenaltyRuleViolation, match="is a party"):
        ledger.decide_penalty(penalty_id, True, "Waived", APPROVER)
    with pytest.raises(PenaltyRuleViolation, match="cannot settle"):
        ledger.settle_penalty(penalty_id, Settlement.PAYROLL, "2026-11", FINANCE)
    ledger.decide_penalty(penalty_id, False, "The log shows the replies were late", AUTHOR)
    ledger.settle_penalty(penalty_id, Settlement.PAYROLL, "2026-11", FINANCE)
    penalty = ledger.get_penalty(penalty_id)
    assert (penalty.status, penalty.settled_against) == (
        PenaltyStatus.SETTLED,
        (Settlement.PAYROLL, "2026-11"),
    )


def test_a_book_is_drafted_once_and_an_invalid_one_records_nothing(story: Any) -> None:
    ledger, _ = story
    before = ledger.recorder.max_notification_id()
    with pytest.raises(PenaltyBookRuleViolation, match="exists"):
        ledger.draft_penalty_book(BOOK, "Again", rule_book(), AUTHOR)
    broken = rule_book()
    broken["rules"][0]["amount"] = "a hundred"
    with pytest.raises(Exception, match=r"rules\[0\]\.amount"):
        ledger.draft_penalty_book("other-book", "Broken", broken, AUTHOR)
    assert ledger.recorder.max_notification_id() == before


def test_what_if_replays_the_period_under_a_proposed_schedule_and_records_nothing(story: Any) -> None:
    ledger, _ = story
    late_arrival(ledger, minutes=65)
    assessor(ledger).catch_up()
    before = ledger.recorder.max_notification_id()
    document = rule_book()
    document["rules"].append(
        {
            "code": "late-arrival",
            "description": "Late arrival",
            "shape": "per_unit",
            "unit": "minute",
            "amount": "20",
            "on": "sla_breach",
            "targets": ["arrival"],
        }
    )
    lines = ledger.what_if(schedule_from_table(document, "proposal"), "2026-11")
    assert [(line.rule, line.party, line.amount) for line in lines] == [
        ("late-arrival", "eng-wang", Decimal("100.00"))
    ]
    assert ledger.what_if(schedule_from_table(document, "proposal"), "2026-10") == []
    assert ledger.recorder.max_notification_id() == before


def test_a_rule_book_version_is_reviewed_and_approved_by_others_than_its_author(story: Any) -> None:
    ledger, clock = story
    ledger.draft_penalty_book("night-shift", "Night shift rules", rule_book(), AUTHOR)
    with pytest.raises(PenaltyBookRuleViolation, match="cannot review"):
        ledger.review_penalty_book("night-shift", 1, "Mine", AUTHOR)
    ledger.review_penalty_book("night-shift", 1, "Checked", REVIEWER)
    with pytest.raises(PenaltyBookRuleViolation, match="cannot approve"):
        ledger.approve_penalty_book("night-shift", 1, clock.now, AUTHOR)
    with pytest.raises(PenaltyBookRuleViolation, match="only a manager"):
        ledger.approve_penalty_book("night-shift", 1, clock.now, REVIEWER)
    ledger.approve_penalty_book("night-shift", 1, clock.now, APPROVER)
    book = ledger.get_penalty_book("night-shift")
    assert (
        book.version_in_force(clock.now) is not None,
        book.version_in_force(clock.now - timedelta(seconds=1)),
    ) == (
        True,
        None,
    )
