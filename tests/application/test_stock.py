"""Stock in the ledger on every store: countersigned issues, stock that never goes negative,
moving-average valuation, transfers in transit, approved write-offs and counts, and the
safety-stock flag."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from decimal import Decimal
from uuid import UUID

import pytest

from domain.actors import Actor, Role
from domain.errors import ConcurrentUpdate, TicketIsClosed
from domain.ledger import ServiceLedger
from domain.stock import SNAPSHOT_INTERVAL, StockItem, Transit
from domain.stock_rules import InsufficientStock, StockRuleViolation
from domain.transfers import TransferStatus
from tests.support import ENGINEER, MANAGER, draft, evict

KEEPER = Actor("wh-wang", Role.WAREHOUSE)
CLERK = Actor("wh-zhao", Role.WAREHOUSE)
PART, MAIN, VAN = "VOE-11110668", "wh-main", "van-07"


@pytest.fixture
def ledger(store_env: dict[str, str]) -> Iterator[ServiceLedger]:
    app = ServiceLedger(env=store_env)
    yield app
    app.close()


def ticket(ledger: ServiceLedger) -> UUID:
    return ledger.open_ticket(draft(), Actor("agent-zhou", Role.HOTLINE_AGENT)).id


def stocked(ledger: ServiceLedger, quantity: int = 3, cost: str = "100") -> StockItem:
    ledger.receive_stock(PART, MAIN, "volvo-parts", "GRN-1", quantity, Decimal(cost), KEEPER)
    return ledger.get_stock_item(PART, MAIN)


def kinds(ledger: ServiceLedger, item: StockItem) -> list[str]:
    return [type(e).__name__ for e in ledger.repository.event_store.get(item.id)]


def test_an_issue_countersigned_by_its_issuer_is_refused_and_records_nothing(ledger: ServiceLedger) -> None:
    item = stocked(ledger)
    with pytest.raises(StockRuleViolation, match="never the issuer"):
        ledger.issue_stock(PART, MAIN, ticket(ledger), 1, KEEPER, KEEPER)
    with pytest.raises(StockRuleViolation, match="warehouse role"):
        ledger.issue_stock(PART, MAIN, ticket(ledger), 1, MANAGER, KEEPER)
    assert ledger.get_stock_item(PART, MAIN).version == item.version


def test_issuing_five_when_three_are_on_hand_is_refused_and_stock_stays_three(ledger: ServiceLedger) -> None:
    item = stocked(ledger, 3)
    with pytest.raises(InsufficientStock, match="3 on hand"):
        ledger.issue_stock(PART, MAIN, ticket(ledger), 5, CLERK, KEEPER)
    after = ledger.get_stock_item(PART, MAIN)
    assert (after.on_hand, after.version) == (3, item.version)


def test_two_concurrent_issues_of_the_last_unit_leave_exactly_one_issued(ledger: ServiceLedger) -> None:
    stocked(ledger, 1)
    tickets = [ticket(ledger), ticket(ledger)]
    start = threading.Barrier(2)
    outcomes: list[object] = []

    def issue(ticket_id: UUID) -> None:
        start.wait()
        try:
            outcomes.append(ledger.issue_stock(PART, MAIN, ticket_id, 1, CLERK, KEEPER))
        except (ConcurrentUpdate, InsufficientStock) as refused:
            outcomes.append(refused)

    threads = [threading.Thread(target=issue, args=(t,)) for t in tickets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(not isinstance(o, Exception) for o in outcomes) == 1
    item = ledger.get_stock_item(PART, MAIN)
    assert item.on_hand == 0
    assert kinds(ledger, item).count("Issued") == 1


def test_a_stale_copy_of_an_item_cannot_issue_over_a_newer_one(ledger: ServiceLedger) -> None:
    stocked(ledger, 1)
    first, second = ledger.get_stock_item(PART, MAIN), ledger.get_stock_item(PART, MAIN)
    now = ledger.clock()
    first.issue(ticket(ledger), 1, CLERK, True, KEEPER, now)
    second.issue(ticket(ledger), 1, CLERK, True, KEEPER, now)
    ledger._save(first)
    with pytest.raises(ConcurrentUpdate):
        ledger._save(second)
    assert ledger.get_stock_item(PART, MAIN).on_hand == 0


def test_moving_average_cost_values_what_is_left(ledger: ServiceLedger) -> None:
    ledger.receive_stock(PART, MAIN, "volvo-parts", "GRN-1", 10, Decimal("100"), KEEPER)
    ledger.receive_stock(PART, MAIN, "volvo-parts", "GRN-2", 10, Decimal("130"), KEEPER)
    ledger.issue_stock(PART, MAIN, ticket(ledger), 5, CLERK, KEEPER)
    item = ledger.get_stock_item(PART, MAIN)
    assert (item.on_hand, item.value, item.unit_cost) == (15, Decimal("1725.00"), Decimal("115.00"))


def test_the_last_units_take_all_the_value_left(ledger: ServiceLedger) -> None:
    ledger.receive_stock(PART, MAIN, "volvo-parts", "GRN-1", 3, Decimal("10.00"), KEEPER)
    ledger.receive_stock(PART, MAIN, "volvo-parts", "GRN-2", 1, Decimal("10.01"), KEEPER)
    ledger.issue_stock(PART, MAIN, ticket(ledger), 3, CLERK, KEEPER)
    ledger.issue_stock(PART, MAIN, ticket(ledger), 1, CLERK, KEEPER)
    item = ledger.get_stock_item(PART, MAIN)
    assert (item.on_hand, item.value) == (0, Decimal("0.00"))


def test_a_reservation_holds_stock_for_its_ticket_only(ledger: ServiceLedger) -> None:
    stocked(ledger, 3)
    held, other = ticket(ledger), ticket(ledger)
    ledger.reserve_stock(PART, MAIN, held, 2, KEEPER)
    with pytest.raises(InsufficientStock):
        ledger.issue_stock(PART, MAIN, other, 2, CLERK, KEEPER)
    ledger.issue_stock(PART, MAIN, held, 3, CLERK, KEEPER)
    item = ledger.get_stock_item(PART, MAIN)
    assert (item.on_hand, item.reserved) == (0, {})


def test_an_engineer_records_parts_only_on_a_ticket_dispatched_to_them(ledger: ServiceLedger) -> None:
    stocked(ledger, 3)
    theirs, others = ticket(ledger), ticket(ledger)
    now = ledger.clock()
    ledger.dispatch(theirs, ENGINEER.id, now, now, MANAGER)
    ledger.reserve_stock(PART, MAIN, theirs, 1, ENGINEER)
    ledger.issue_stock(PART, MAIN, theirs, 1, CLERK, ENGINEER)
    with pytest.raises(StockRuleViolation, match="your own tickets"):
        ledger.issue_stock(PART, MAIN, others, 1, CLERK, ENGINEER)
    with pytest.raises(StockRuleViolation, match="your own tickets"):
        ledger.reserve_stock(PART, MAIN, others, 1, ENGINEER)
    assert ledger.get_stock_item(PART, MAIN).on_hand == 2


def test_no_parts_go_to_a_closed_or_cancelled_ticket_but_they_may_come_back(ledger: ServiceLedger) -> None:
    stocked(ledger, 3)
    ticket_id = ticket(ledger)
    ledger.issue_stock(PART, MAIN, ticket_id, 1, CLERK, KEEPER)
    ledger.cancel(ticket_id, "Duplicate report", ledger.clock(), MANAGER)
    with pytest.raises(TicketIsClosed):
        ledger.issue_stock(PART, MAIN, ticket_id, 1, CLERK, KEEPER)
    with pytest.raises(TicketIsClosed):
        ledger.reserve_stock(PART, MAIN, ticket_id, 1, KEEPER)
    ledger.return_stock(PART, MAIN, ticket_id, "RTN-1", 1, KEEPER)
    assert ledger.get_stock_item(PART, MAIN).on_hand == 3


def test_a_free_spare_costs_the_customer_nothing_and_is_still_valued(ledger: ServiceLedger) -> None:
    item = stocked(ledger, 2, "480.00")
    ledger.issue_stock(PART, MAIN, ticket(ledger), 1, CLERK, KEEPER, chargeable=False)
    issued = [e for e in ledger.repository.event_store.get(item.id) if type(e).__name__ == "Issued"]
    assert [(e.chargeable, e.value) for e in issued] == [(False, Decimal("480.00"))]  # type: ignore[attr-defined]


def test_a_transfer_is_in_transit_between_dispatch_and_arrival(ledger: ServiceLedger) -> None:
    stocked(ledger, 10, "100")
    ledger.receive_stock(PART, VAN, "volvo-parts", "GRN-9", 2, Decimal("130"), KEEPER)
    transfer_id = ledger.request_transfer(PART, MAIN, VAN, 4, "Van below safety stock", KEEPER).id
    assert ledger.get_stock_item(PART, VAN).requests == {str(transfer_id)}
    ledger.dispatch_transfer(transfer_id, "DN-77", KEEPER)
    source = ledger.get_stock_item(PART, MAIN)
    assert (source.on_hand, source.in_transit) == (6, {str(transfer_id): Transit(4, Decimal("400.00"))})
    assert ledger.get_transfer(transfer_id).status is TransferStatus.IN_TRANSIT
    ledger.receive_transfer(transfer_id, CLERK)
    van, source = ledger.get_stock_item(PART, VAN), ledger.get_stock_item(PART, MAIN)
    assert (van.on_hand, van.value, van.unit_cost) == (6, Decimal("660.00"), Decimal("110.00"))
    assert van.requests == set()
    assert source.in_transit == {}
    with pytest.raises(StockRuleViolation, match="arrived"):
        ledger.cancel_transfer(transfer_id, "Too late", KEEPER)


def test_a_dispatch_beyond_the_free_stock_is_refused(ledger: ServiceLedger) -> None:
    stocked(ledger, 2)
    transfer_id = ledger.request_transfer(PART, MAIN, VAN, 4, "Stock the van", KEEPER).id
    with pytest.raises(InsufficientStock):
        ledger.dispatch_transfer(transfer_id, "DN-78", KEEPER)
    assert ledger.get_transfer(transfer_id).status is TransferStatus.REQUESTED
    ledger.cancel_transfer(transfer_id, "Ordered from the supplier instead", KEEPER)
    assert ledger.get_stock_item(PART, VAN).requests == set()


def test_a_write_off_and_a_count_need_a_manager_other_than_their_author(ledger: ServiceLedger) -> None:
    stocked(ledger, 10, "50")
    with pytest.raises(StockRuleViolation, match="approved by"):
        ledger.write_off_stock(PART, MAIN, 1, "Water damage", CLERK, KEEPER)
    with pytest.raises(StockRuleViolation, match="approved by"):
        ledger.count_stock(PART, MAIN, 8, "Stocktake", MANAGER, MANAGER)
    ledger.write_off_stock(PART, MAIN, 1, "Water damage", MANAGER, KEEPER)
    ledger.count_stock(PART, MAIN, 8, "Stocktake 2026-11", MANAGER, KEEPER)
    ledger.count_stock(PART, MAIN, 9, "Found one behind the shelf", MANAGER, KEEPER)
    item = ledger.get_stock_item(PART, MAIN)
    assert (item.on_hand, item.value) == (9, Decimal("450.00"))


def test_falling_below_safety_stock_without_a_request_is_flagged_once(ledger: ServiceLedger) -> None:
    stocked(ledger, 6)
    ledger.set_safety_stock(PART, MAIN, 5, MANAGER)
    for _ in range(3):
        ledger.issue_stock(PART, MAIN, ticket(ledger), 1, CLERK, KEEPER)
    item = ledger.get_stock_item(PART, MAIN)
    assert kinds(ledger, item).count("FellBelowSafetyStock") == 1
    ledger.receive_stock(PART, MAIN, "volvo-parts", "GRN-3", 4, Decimal("100"), KEEPER)
    assert kinds(ledger, ledger.get_stock_item(PART, MAIN))[-1] == "SafetyStockRestored"


def test_falling_below_safety_stock_with_a_request_open_is_not_flagged(ledger: ServiceLedger) -> None:
    stocked(ledger, 6)
    ledger.receive_stock(PART, VAN, "volvo-parts", "GRN-4", 1, Decimal("100"), KEEPER)
    ledger.set_safety_stock(PART, MAIN, 5, MANAGER)
    ledger.request_transfer(PART, VAN, MAIN, 1, "Top up the warehouse", KEEPER)
    ledger.issue_stock(PART, MAIN, ticket(ledger), 3, CLERK, KEEPER)
    assert "FellBelowSafetyStock" not in kinds(ledger, ledger.get_stock_item(PART, MAIN))


def test_an_item_replays_to_the_same_state(ledger: ServiceLedger) -> None:
    stocked(ledger, 10, "99.99")
    ledger.reserve_stock(PART, MAIN, ticket(ledger), 2, KEEPER)
    ledger.write_off_stock(PART, MAIN, 1, "Broken seal", MANAGER, KEEPER)
    live = ledger.get_stock_item(PART, MAIN)
    evict(ledger, live.id)
    again = ledger.get_stock_item(PART, MAIN)
    assert (again.on_hand, again.value, again.reserved, again.last_cost) == (
        live.on_hand,
        live.value,
        live.reserved,
        live.last_cost,
    )


def test_a_busy_item_is_snapshotted_and_loads_from_its_snapshot_to_the_same_state(
    ledger: ServiceLedger,
) -> None:
    stocked(ledger, 50, "10.00")
    transfer_id = ledger.request_transfer(PART, MAIN, VAN, 5, "Stock the van", KEEPER).id
    ledger.dispatch_transfer(transfer_id, "DN-1", KEEPER)
    ledger.request_transfer(PART, VAN, MAIN, 1, "Top up", KEEPER)
    ledger.reserve_stock(PART, MAIN, ticket(ledger), 2, KEEPER)
    while ledger.get_stock_item(PART, MAIN).version < SNAPSHOT_INTERVAL + 3:
        ledger.receive_stock(PART, MAIN, "volvo-parts", "GRN-n", 1, Decimal("12.35"), KEEPER)
    live = ledger.get_stock_item(PART, MAIN)
    assert ledger.snapshots is not None
    snapshots = list(ledger.snapshots.get(live.id))
    assert [s.originator_version for s in snapshots] == [SNAPSHOT_INTERVAL]
    evict(ledger, live.id)
    again = ledger.get_stock_item(PART, MAIN)
    assert vars(again) == vars(live)
    assert isinstance(again.requests, set)
    assert again.in_transit == {str(transfer_id): Transit(5, Decimal("50.00"))}
