"""The stock and asset views on memory, SQLite and PostgreSQL: stock on hand with its value and
safety flag, totals, the movement ledger of a part, backup units on loan, the asset register with
warranty status on a day, old parts pending and reconciled; all as of a past recorded time, the
same after a rebuild, and each position taken in once."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import astuple
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from eventsourcing.persistence import IntegrityError, Tracking

from projections.asset_register import AssetQuery, LoanQuery
from projections.batching import Positioned
from projections.old_part_lots import OldPartsFilter
from projections.read_side import ReadSide
from projections.stock_levels import StockFilter, StockQuery, StockRow, StockTotals
from projections.stock_movements import MovementQuery
from tests.projections.parts_story import APPROVER, DEPUTY, KEEPER, Story, day, new_ledger, record_story
from tests.support import store

STORES = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
"""As for `store_env`, but one store per module: the story is recorded once on each."""
BATCH = 7
"""Small pages: the views take the story in several batches, each loading what the last left."""


@pytest.fixture(scope="module", params=STORES)
def story(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Story]:
    """The story recorded once per store for the module: no test changes what it recorded."""
    with store(request, tmp_path_factory) as env:
        ledger = new_ledger(env)
        yield record_story(ledger)
        ledger.close()


@pytest.fixture(scope="module")
def read_side(story: Story) -> Iterator[ReadSide]:
    side = ReadSide(story.ledger, batch_size=BATCH)
    side.catch_up()
    yield side
    side.stop()


def money(amount: str) -> Decimal:
    return Decimal(amount)


def figures(row: StockRow) -> tuple[Any, ...]:
    return (
        row.on_hand,
        row.reserved,
        row.free,
        row.in_transit,
        row.in_transit_value,
        row.value,
        row.unit_cost,
        row.safety_stock,
        row.below_safety,
        row.open_requests,
        row.flagged,
    )


def stock(read_side: ReadSide, **where: Any) -> dict[tuple[str, str], tuple[Any, ...]]:
    return {r.key: figures(r) for r in read_side.stock.rows(StockQuery(StockFilter(**where)))}


def every_row(read_side: ReadSide, where: StockFilter, limit: int) -> list[StockRow]:
    rows: list[StockRow] = []
    while page := read_side.stock.rows(StockQuery(where, rows[-1].key if rows else None, limit)):
        rows += page
    return rows


def test_stock_shows_on_hand_reserved_in_transit_value_and_the_safety_flag(read_side: ReadSide) -> None:
    assert stock(read_side) == {
        ("P-1", "van-7"): (3, 0, 3, 0, money("0.00"), money("37.50"), money("12.50"), 0, False, 0, False),
        ("P-1", "wh-main"): (7, 0, 7, 0, money("0.00"), money("87.50"), money("12.50"), 5, False, 0, False),
        ("P-2", "wh-north"): (20, 0, 20, 0, money("0.00"), money("60.00"), money("3.00"), 0, False, 0, False),
    }
    assert list(stock(read_side, part_number="P-1")) == [("P-1", "van-7"), ("P-1", "wh-main")]
    assert list(stock(read_side, location_id="wh-north")) == [("P-2", "wh-north")]
    assert stock(read_side, below_safety=True) == {}
    assert [r.key for r in every_row(read_side, StockFilter(), limit=1)] == [
        ("P-1", "van-7"),
        ("P-1", "wh-main"),
        ("P-2", "wh-north"),
    ]
    assert [r.key for r in every_row(read_side, StockFilter(location_id="wh-main"), limit=1)] == [
        ("P-1", "wh-main")
    ]


def test_totals_add_up_by_part_by_location_and_in_all(read_side: ReadSide) -> None:
    totals = read_side.stock.totals

    assert totals(StockFilter()) == StockTotals(3, 30, 0, 0, money("0.00"), money("185.00"))
    assert totals(StockFilter(part_number="P-1")) == StockTotals(2, 10, 0, 0, money("0.00"), money("125.00"))
    assert totals(StockFilter(location_id="wh-main")) == StockTotals(
        1, 7, 0, 0, money("0.00"), money("87.50")
    )
    assert totals(StockFilter(part_number="P-2", location_id="wh-north")).value == money("60.00")
    assert totals(StockFilter(below_safety=True)) == StockTotals(0, 0, 0, 0, money("0.00"), money("0.00"))
    assert totals(StockFilter(part_number="P-404")).items == 0


def test_stock_and_totals_as_of_a_past_time(story: Story, read_side: ReadSide) -> None:
    in_transit = StockFilter(as_of=story.marks["in_transit"])

    assert stock(read_side, as_of=story.marks["in_transit"]) == {
        ("P-1", "van-7"): (0, 0, 0, 0, money("0.00"), money("0.00"), money("0.00"), 0, False, 1, False),
        ("P-1", "wh-main"): (3, 0, 3, 4, money("50.00"), money("37.50"), money("12.50"), 5, True, 0, True),
    }
    assert stock(read_side, as_of=story.marks["issued"]) == {
        ("P-1", "wh-main"): (7, 0, 7, 0, money("0.00"), money("87.50"), money("12.50"), 5, False, 0, False),
    }
    assert list(stock(read_side, below_safety=True, as_of=story.marks["in_transit"])) == [("P-1", "wh-main")]
    assert read_side.stock.totals(in_transit) == StockTotals(2, 3, 0, 4, money("50.00"), money("37.50"))
    for where in (
        StockFilter(location_id="wh-main"),
        StockFilter(part_number="P-1"),
        StockFilter(below_safety=True),
    ):
        as_of = StockFilter(
            where.part_number, where.location_id, where.below_safety, story.marks["in_transit"]
        )
        assert read_side.stock.totals(as_of) == StockTotals.of(every_row(read_side, as_of, 2)), where
    assert stock(read_side, as_of=story.marks["start"]) == {}
    assert read_side.stock.totals(StockFilter(as_of=story.marks["start"])).items == 0


def test_the_movement_ledger_of_a_part_lists_every_movement_in_log_order(
    story: Story, read_side: ReadSide
) -> None:
    moves = read_side.stock.movements(MovementQuery("P-1"))

    assert [
        (m.location_id, m.kind, m.quantity, m.value, m.on_hand_after, m.unit_cost_after) for m in moves
    ] == [
        ("wh-main", "receipt", 10, money("125.00"), 10, money("12.50")),
        ("wh-main", "reservation", 2, money("0.00"), 10, money("12.50")),
        ("wh-main", "issue", -3, money("-37.50"), 7, money("12.50")),
        ("wh-main", "reservation", 1, money("0.00"), 7, money("12.50")),
        ("wh-main", "release", -1, money("0.00"), 7, money("12.50")),
        ("wh-main", "transfer_out", -4, money("-50.00"), 3, money("12.50")),
        ("van-7", "transfer_in", 4, money("50.00"), 4, money("12.50")),
        ("van-7", "write_off", -1, money("-12.50"), 3, money("12.50")),
        ("wh-main", "adjustment", 3, money("37.50"), 6, money("12.50")),
        ("wh-main", "return", 1, money("12.50"), 7, money("12.50")),
    ]
    assert [m.position for m in moves] == sorted(m.position for m in moves)
    receipt, _, issue, *_, transfer_out, transfer_in, write_off, adjustment, returned = moves
    ticket, transfer = str(story.ids["ticket"]), str(story.ids["transfer"])
    assert (receipt.actor_id, receipt.actor_role, receipt.supplier, receipt.document) == (
        KEEPER.id,
        "warehouse",
        "acme",
        "GRN-1",
    )
    assert (issue.ticket_id, issue.countersigner_id, issue.chargeable, issue.approver_id) == (
        ticket,
        DEPUTY.id,
        True,
        None,
    )
    assert (transfer_out.transfer_id, transfer_out.other_location_id) == (transfer, "van-7")
    assert (transfer_in.transfer_id, transfer_in.other_location_id) == (transfer, "wh-main")
    assert (write_off.reason, write_off.approver_id, write_off.approver_role) == (
        "Dropped",
        APPROVER.id,
        "manager",
    )
    assert (adjustment.reason, adjustment.approver_id, returned.document, returned.ticket_id) == (
        "Stocktake",
        APPROVER.id,
        "RET-1",
        ticket,
    )
    assert all(m.occurred_at.tzinfo is not None and m.recorded_at.tzinfo is not None for m in moves)


def test_movements_by_location_a_page_at_a_time_and_as_of_a_past_time(
    story: Story, read_side: ReadSide
) -> None:
    movements = read_side.stock.movements
    van = movements(MovementQuery("P-1", location_id="van-7"))
    first = movements(MovementQuery("P-1", limit=4))
    second = movements(MovementQuery("P-1", after=first[-1].position, limit=4))

    assert [m.kind for m in van] == ["transfer_in", "write_off"]
    assert [m.kind for m in first + second] == [m.kind for m in movements(MovementQuery("P-1"))][:8]
    assert [m.kind for m in movements(MovementQuery("P-1", as_of=story.marks["issued"]))] == [
        "receipt",
        "reservation",
        "issue",
        "reservation",
        "release",
    ]
    assert [m.kind for m in movements(MovementQuery("P-2"))] == ["opening_balance"]
    assert movements(MovementQuery("P-2", as_of=story.marks["issued"])) == []


def test_backup_units_on_loan_with_days_out_recalls_and_overdue(story: Story, read_side: ReadSide) -> None:
    (bk1,) = read_side.assets.loans(LoanQuery(day(10)))
    (then,) = read_side.assets.loans(LoanQuery(day(4), as_of=story.marks["lent"]))
    (recalled, bk2) = read_side.assets.loans(LoanQuery(day(5), as_of=story.marks["recalled"]))

    assert (bk1.serial, bk1.loan_ticket_id, bk1.loan_customer_id, bk1.loan_site_id) == (
        "BK-1",
        str(story.ids["ticket"]),
        "huaxin-bank",
        "huaxin-pudong",
    )
    assert (bk1.days_out(day(10)), bk1.return_due_on, bk1.recalled_at is not None, bk1.overdue(day(10))) == (
        10,
        day(6),
        True,
        True,
    )
    assert bk1.lent_late
    assert bk1.due_by is not None
    assert bk1.lent_at is not None
    assert bk1.due_by < bk1.lent_at
    assert (then.return_due_on, then.recalled_at, then.overdue(day(4)), then.overdue(day(3))) == (
        day(3),
        None,
        True,
        False,
    )
    assert (recalled.serial, bk2.serial, bk2.return_due_on, bk2.overdue(day(5)), bk2.days_out(day(5))) == (
        "BK-1",
        "BK-2",
        None,
        False,
        0,
    )
    assert read_side.assets.loans(LoanQuery(day(10), overdue=False)) == []
    assert [u.serial for u in read_side.assets.loans(LoanQuery(day(6), overdue=False))] == ["BK-1"]
    assert read_side.assets.loans(LoanQuery(day(0), as_of=story.marks["start"])) == []


def test_the_asset_register_with_warranty_status_on_any_day(story: Story, read_side: ReadSide) -> None:
    def serials(**query: Any) -> list[str]:
        return [a.serial for a in read_side.assets.assets(AssetQuery(**{"on": day(40), **query}))]

    (unit,) = read_side.assets.assets(AssetQuery(day(40), pool=False))
    (before,) = read_side.assets.assets(AssetQuery(day(40), pool=False, as_of=story.marks["lent"]))

    assert (unit.serial, unit.model, unit.owner_id, unit.site_id, unit.dealer_id) == (
        "SN-1",
        "X-200",
        "huaxin-bank",
        "huaxin-pudong",
        "dealer-b",
    )
    assert (unit.accepted_on, unit.warranty_start, unit.warranty_end, unit.handed_over_on) == (
        day(0),
        day(1),
        day(1).replace(year=day(1).year + 1) - timedelta(days=1),
        day(0),
    )
    assert (unit.contract_version, unit.repairs, unit.loan_id, unit.contract_id is not None) == (
        1,
        1,
        None,
        True,
    )
    assert [unit.warranty_status(d) for d in (day(0), day(1), day(365), day(366))] == [
        "not_started",
        "in_warranty",
        "in_warranty",
        "expired",
    ]
    assert (before.dealer_id, before.repairs) == ("dealer-a", 0)
    assert serials() == ["BK-1", "BK-2", "SN-1"]
    assert serials(pool=True) == ["BK-1", "BK-2"]
    assert serials(status="in_warranty") == ["SN-1"]
    assert serials(status="no_acceptance", after="BK-1") == ["BK-2"]
    assert serials(status="expired", on=day(400)) == ["SN-1"]
    assert serials(status="not_started", on=day(0)) == ["SN-1"]
    assert serials(dealer_id="dealer-b") == ["SN-1"]
    assert serials(dealer_id="dealer-b", as_of=story.marks["recalled"]) == []
    assert serials(owner_id="huaxin-bank", limit=2) == ["BK-1", "BK-2"]
    assert serials(as_of=story.marks["start"]) == []


def test_old_parts_pending_return_and_reconciled_per_claim_part(story: Story, read_side: ReadSide) -> None:
    claim = str(story.ids["claim"])
    (pending,) = read_side.assets.pending(OldPartsFilter(day(30)))
    parts = read_side.assets.reconciliation(OldPartsFilter(day(30), claim_id=claim))

    assert (pending.claim_id, pending.lot, pending.part_number, pending.quantity, pending.engineer_id) == (
        claim,
        "L2",
        "P-9",
        1,
        "eng-li",
    )
    assert (pending.collected_on, pending.due_from, pending.due_by, pending.days_overdue(day(30))) == (
        day(0),
        day(21),
        day(23),
        7,
    )
    assert [astuple(p)[2:] for p in parts] == [
        ("P-8", 1, 1, 1, 0, 1, 0, 0, 1, 0),
        ("P-9", 3, 3, 2, 2, 0, 0, 1, 0, 1),
    ]
    assert {p.vendor_id for p in parts} == {"volvo-ce"}
    assert read_side.assets.pending(OldPartsFilter(day(30), vendor_id="komatsu")) == []
    assert read_side.assets.reconciliation(OldPartsFilter(day(30), vendor_id="komatsu")) == []


def test_old_parts_as_of_a_past_time(story: Story, read_side: ReadSide) -> None:
    collected = OldPartsFilter(day(22), as_of=story.marks["collected"])
    returned = OldPartsFilter(day(30), as_of=story.marks["returned"])

    assert [lot.lot for lot in read_side.assets.pending(collected)] == ["L1", "L2", "L3"]
    assert [lot.days_overdue(day(22)) for lot in read_side.assets.pending(collected)] == [0, 0, 0]
    assert [astuple(p)[2:] for p in read_side.assets.reconciliation(collected)] == [
        ("P-8", 1, 1, 0, 0, 0, 0, 1, 0, 0),
        ("P-9", 3, 3, 0, 0, 0, 0, 3, 0, 0),
    ]
    assert [astuple(p)[2:] for p in read_side.assets.reconciliation(returned)] == [
        ("P-8", 1, 1, 1, 0, 0, 0, 0, 1, 0),
        ("P-9", 3, 3, 2, 2, 0, 0, 1, 0, 1),
    ]
    (l3,) = [lot for lot in read_side.assets.all_rows()[1] if lot.lot == "L3"]
    then = l3.as_of(story.marks["collected"])
    assert then is not None
    assert (l3.status, l3.returned_on, l3.late, then.status, then.returned_on, then.late) == (
        "shipped",
        day(25),
        True,
        "collected",
        None,
        False,
    )
    assert l3.as_of(story.marks["start"]) is None
    assert read_side.assets.reconciliation(OldPartsFilter(day(0), as_of=story.marks["start"])) == []


def answers(read_side: ReadSide, story: Story) -> list[Any]:
    """Every kind of answer, now and as of each phase."""
    found: list[Any] = [read_side.stock.all_rows(), read_side.assets.all_rows()]
    for as_of in [None, *story.marks.values()]:
        found += [
            every_row(read_side, StockFilter(as_of=as_of), 2),
            read_side.stock.totals(StockFilter(as_of=as_of)),
            read_side.stock.movements(MovementQuery("P-1", as_of=as_of)),
            read_side.assets.assets(AssetQuery(day(40), as_of=as_of)),
            read_side.assets.loans(LoanQuery(day(10), as_of=as_of)),
            read_side.assets.pending(OldPartsFilter(day(30), as_of=as_of)),
            read_side.assets.reconciliation(OldPartsFilter(day(30), as_of=as_of)),
        ]
    return found


def test_a_rebuild_in_other_batches_gives_identical_answers(story: Story, read_side: ReadSide) -> None:
    live = answers(read_side, story)

    for name in ("stock", "assets"):
        read_side.runner(name).batch_size = 10_000
        assert read_side.rebuild(name) == story.ledger.recorder.max_notification_id()

    assert answers(read_side, story) == live
    assert len(live[0][0]) == 3
    assert len(live[1][0]) == 3


def test_a_position_taken_in_already_is_refused_and_changes_nothing(
    story: Story, read_side: ReadSide
) -> None:
    position = story.positions["return"]
    (notification,) = story.ledger.recorder.select_notifications(start=position, limit=1)
    event = story.ledger.mapper.to_domain_event(notification)
    before = answers(read_side, story)

    for name in ("stock", "assets"):
        with pytest.raises(IntegrityError):
            read_side.runner(name).projection.process_batch(
                [Positioned(event, position)], Tracking(story.ledger.name, position)
            )

    assert answers(read_side, story) == before
