"""The demo ledger: stock, transfers, assets, backup-unit loans, old parts and penalties in every state
the demo promises (`api/demo_parts.py`, `api/demo_assets.py`, `api/demo_old_parts.py`,
`api/demo_penalties.py`), done by the people the demo tokens log in as."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from eventsourcing.domain import Aggregate

from api.demo import DemoSummary, load_demo
from api.demo_cast import created
from api.demo_customers import DIRECTORY, FORGOTTEN
from api.settings import DEMO_TOKENS
from domain.actors import Role
from domain.asset_terms import Remedy
from domain.assets import Asset
from domain.customers import Customer
from domain.ledger import ServiceLedger
from domain.old_parts import OldParts
from domain.penalties import Penalty, PenaltyStatus
from domain.personal_data import REDACTED
from domain.stock import StockItem
from domain.tickets import Ticket
from domain.transfers import Transfer

END = datetime(2026, 11, 20, 6, 30, tzinfo=UTC)
TODAY = END.date()
DEMO = {actor.role: actor for actor in DEMO_TOKENS.values()}


@pytest.fixture(scope="module")
def demo() -> Iterator[tuple[ServiceLedger, DemoSummary]]:
    ledger = ServiceLedger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=lambda: END)
    yield ledger, load_demo(ledger)
    ledger.close()


@pytest.fixture(scope="module")
def ledger(demo: tuple[ServiceLedger, DemoSummary]) -> ServiceLedger:
    return demo[0]


def every(ledger: ServiceLedger, kind: type[Aggregate.Created]) -> list[Any]:
    return [ledger.repository.get(aggregate_id) for aggregate_id in created(ledger, kind)]


def events(ledger: ServiceLedger, topic: str) -> list[Any]:
    notifications = ledger.recorder.select_notifications(start=1, limit=1_000_000, topics=[topic])
    return [ledger.mapper.to_domain_event(notification) for notification in notifications]


def stock_events(ledger: ServiceLedger, name: str) -> list[Any]:
    return events(ledger, f"domain.stock:StockItem.{name}")


def test_the_summary_counts_the_stock_items_and_assets(demo: tuple[ServiceLedger, DemoSummary]) -> None:
    ledger, summary = demo

    assert (summary.tickets, summary.stock_items, summary.assets) == (300, 30, 14)
    assert summary.events == ledger.recorder.max_notification_id()


def test_twenty_parts_are_stocked_at_a_warehouse_a_station_and_a_van_at_moving_costs(
    ledger: ServiceLedger,
) -> None:
    items = every(ledger, StockItem.Opened)

    assert Counter(i.location_id for i in items) == {"wh-shanghai": 20, "station-pudong": 6, "van-07": 4}
    assert all(i.opening_document for i in items)
    receipts = stock_events(ledger, "Received")
    assert len({r.originator_id for r in receipts}) == 20
    disks = ledger.get_stock_item("HDD-1.2T", "wh-shanghai").id
    assert {r.unit_cost for r in receipts if r.originator_id == disks} == {
        Decimal("1790.00"),
        Decimal("1920.00"),
    }
    opening = {o.originator_id: o.unit_cost for o in stock_events(ledger, "OpeningBalanceRecorded")}
    assert all(r.unit_cost != opening[r.originator_id] for r in receipts)


def test_one_transfer_is_in_each_state(ledger: ServiceLedger) -> None:
    transfers = every(ledger, Transfer.Requested)

    assert Counter(t.status.value for t in transfers) == {
        "requested": 1,
        "in_transit": 1,
        "arrived": 1,
        "cancelled": 1,
    }


def test_one_item_is_flagged_below_safety_stock_and_one_has_a_transfer_request_open(
    ledger: ServiceLedger,
) -> None:
    items = every(ledger, StockItem.Opened)
    below = [i for i in items if i.on_hand < i.safety_stock]

    assert [(i.part_number, i.location_id) for i in below if i.flagged] == [("PSU-750", "station-pudong")]
    assert [(i.part_number, i.location_id) for i in below if i.requests] == [("HDD-1.2T", "station-pudong")]


def test_issues_are_countersigned_by_a_second_warehouse_person_and_engineers_issue_on_their_tickets(
    ledger: ServiceLedger,
) -> None:
    issues = stock_events(ledger, "Issued")

    assert all(i.countersigner.role is Role.WAREHOUSE and i.countersigner != i.actor for i in issues)
    assert Counter(i.actor.role for i in issues) == {Role.WAREHOUSE: 3, Role.ENGINEER: 2}
    assert {i.actor for i in issues if i.actor.role is Role.WAREHOUSE} == {DEMO[Role.WAREHOUSE]}
    assert DEMO[Role.ENGINEER] in {i.actor for i in issues}
    for issue in issues:
        if issue.actor.role is Role.ENGINEER:
            assert ledger.get_ticket(issue.ticket_id).engineer_id == issue.actor.id
    assert [i.part_number for i in every(ledger, StockItem.Opened) if i.reserved] == ["SSD-960G"]
    assert [i.chargeable for i in issues].count(False) == 1
    assert len(stock_events(ledger, "Returned")) == 1


def test_a_write_off_and_a_stocktake_are_approved_by_the_manager(ledger: ServiceLedger) -> None:
    (written_off,) = stock_events(ledger, "WrittenOff")
    (adjusted,) = stock_events(ledger, "Adjusted")

    for loss in (written_off, adjusted):
        assert (loss.actor, loss.approver) == (DEMO[Role.WAREHOUSE], DEMO[Role.MANAGER])
    assert adjusted.difference == -3


def test_customer_assets_are_accepted_repaired_and_one_would_be_replaced_under_three_guarantees(
    ledger: ServiceLedger,
) -> None:
    assets = [a for a in every(ledger, Asset.Registered) if not a.pool]

    assert Counter(a.warranty_status(TODAY) for a in assets) == {
        "in_warranty": 5,
        "expired": 1,
        "no_acceptance": 2,
    }
    assert all(a.repairs for a in assets)
    finding = ledger.evaluate_three_guarantees(assets[0].serial, TODAY)
    assert finding.remedies == (Remedy.REPLACEMENT,)


def test_service_passes_to_another_dealer_with_and_without_the_encroachment_fee(
    ledger: ServiceLedger,
) -> None:
    transfers = events(ledger, "domain.assets:Asset.ServiceTransferred")

    assert sorted((t.fee is None, t.fee_reason is None) for t in transfers) == [(False, False), (True, True)]
    assert {t.actor for t in transfers} == {DEMO[Role.MANAGER]}


def test_backup_units_are_available_on_loan_late_recalled_returned_and_overdue(ledger: ServiceLedger) -> None:
    pool = {a.serial: a for a in every(ledger, Asset.Registered) if a.pool}

    assert sorted(s for s, a in pool.items() if a.loan is None) == ["BK-01", "BK-02"]
    assert [s for s, a in pool.items() if a.loans and a.loan is None] == ["BK-02"]
    assert [s for s, a in pool.items() if a.loan and a.loan.recalled_at] == ["BK-05"]
    assert [s for s, a in pool.items() if a.loan and _overdue(a.loan.return_due_on)] == ["BK-03"]
    (late,) = events(ledger, "domain.assets:Asset.LentLate")
    assert ledger.repository.get(late.originator_id).serial == "BK-04"
    assert late.minutes_late == 30


def test_old_parts_of_warranty_claims_are_in_every_state(ledger: ServiceLedger) -> None:
    lots = [lot for parts in every(ledger, OldParts.Started) for lot in parts.lots.values()]

    assert Counter(lot.status.value for lot in lots) == {
        "collected": 1,
        "returned": 2,
        "destroyed": 1,
        "shipped": 1,
    }
    (late,) = events(ledger, "domain.old_parts:OldParts.ReturnedLate")
    assert late.days_late == 3
    (destroyed,) = events(ledger, "domain.old_parts:OldParts.Destroyed")
    assert destroyed.witness != destroyed.actor


def test_the_demo_engineer_has_tickets_of_their_own(ledger: ServiceLedger) -> None:
    tickets = [ledger.get_ticket(t) for t in created(ledger, Ticket.Opened)]

    assert any(t.engineer_id == DEMO[Role.ENGINEER].id for t in tickets)


def _overdue(due: date | None) -> bool:
    return due is not None and due < TODAY


def test_the_demo_has_penalties_in_every_state_assessed_from_its_own_breaches(
    demo: tuple[ServiceLedger, DemoSummary],
) -> None:
    ledger, summary = demo
    penalties = every(ledger, Penalty.Assessed)
    assert len(penalties) == summary.penalties
    assert {p.status for p in penalties} == set(PenaltyStatus)
    breaches = [p for p in penalties if p.trigger == "sla_breach"]
    assert {p.rule for p in breaches} >= {"late-response", "late-arrival", "late-restore", "free-spare"}
    assert all(p.causes and p.causes[0].event == "SlaVerdicts.VerdictRecorded" for p in breaches)
    corrected = [
        p for p in penalties if p.status is PenaltyStatus.REVERSED and p.assessed_by.role is Role.SYSTEM
    ]
    assert any(p.reversal and "corrected" in p.reversal for p in corrected)
    assert {p.trigger for p in penalties} >= {"manual", "kpi", "below_safety_stock", "old_parts_late"}
    assert any(DEMO[Role.ENGINEER].id in p.parties for p in penalties)


def test_every_customer_is_in_the_directory_and_the_forgotten_one_reads_redacted(
    ledger: ServiceLedger,
) -> None:
    reveal = ledger.personal_data.reveal
    names = {c.customer_id: reveal(c.name) for c in every(ledger, Customer.Registered)}
    signers = [
        reveal(e.signed_by)
        for e in events(ledger, "domain.tickets:Ticket.SignedOff")
        if ledger.get_ticket(e.originator_id).customer_id == FORGOTTEN
    ]

    assert set(names) == set(DIRECTORY)
    assert [code for code, name in names.items() if name == REDACTED] == [FORGOTTEN]
    assert signers
    assert set(signers) == {REDACTED}
    assert ledger.get_customer("huaxin-bank").forgotten_at is None
