"""A stock item's arithmetic under any sequence of movements, and the asset terms' pure rules."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.actors import Actor, Role
from domain.asset_terms import AssetTerms, add_months, encroachment_owed, return_window
from domain.errors import InvalidValue
from domain.stock import StockItem
from domain.stock_rules import InsufficientStock, StockRuleViolation

KEEPER = Actor("wh-wang", Role.WAREHOUSE)
CLERK = Actor("wh-zhao", Role.WAREHOUSE)
MANAGER = Actor("mgr-chen", Role.MANAGER)
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)

MOVES = st.lists(
    st.tuples(
        st.sampled_from(["receive", "issue", "return", "write_off", "count", "dispatch", "arrive"]),
        st.integers(min_value=0, max_value=40),
        st.integers(min_value=1, max_value=50_000).map(lambda cents: Decimal(cents) / 100),
    ),
    max_size=60,
)


def apply(item: StockItem, move: str, quantity: int, cost: Decimal, tally: dict[str, int]) -> None:
    """Make one movement; a refused one (too many, zero, a count that agrees) changes nothing and is
    not tallied."""
    before = item.on_hand
    try:
        if move == "receive":
            item.receive("acme", "GRN", quantity, cost, KEEPER, NOW)
        elif move == "issue":
            item.issue(uuid4(), quantity, CLERK, True, KEEPER, NOW)
        elif move == "return":
            item.take_back(None, "RMA", quantity, KEEPER, NOW)
        elif move == "write_off":
            item.write_off(quantity, "Damaged", MANAGER, KEEPER, NOW)
        elif move == "dispatch":
            item.dispatch(uuid4(), "van-07", quantity, KEEPER, NOW)
        elif move == "arrive":
            item.arrive(uuid4(), "van-07", quantity, cost * quantity, KEEPER, NOW)
        else:
            item.count(quantity, "Stocktake", MANAGER, KEEPER, NOW)
    except (InsufficientStock, InvalidValue, StockRuleViolation):
        assert item.on_hand == before
        return
    tally[move] += quantity - before if move == "count" else quantity


@settings(max_examples=150, deadline=None)
@given(MOVES)
def test_on_hand_is_what_the_movements_add_up_to_and_never_negative(
    moves: list[tuple[str, int, Decimal]],
) -> None:
    item = StockItem.open("VOE-1", "wh-main", KEEPER, NOW)
    tally = dict.fromkeys(("receive", "issue", "return", "write_off", "count", "dispatch", "arrive"), 0)
    for move, quantity, cost in moves:
        apply(item, move, quantity, cost, tally)
        assert item.on_hand >= 0
        assert item.value >= 0
        assert item.on_hand or item.value == 0
    expected = (
        tally["receive"]
        - tally["issue"]
        + tally["return"]
        - tally["dispatch"]
        + tally["arrive"]
        - tally["write_off"]
        + tally["count"]
    )
    assert item.on_hand == expected


def test_an_item_replays_from_its_events_to_the_same_figures() -> None:
    item = StockItem.open("VOE-1", "wh-main", KEEPER, NOW)
    item.receive("acme", "GRN-1", 7, Decimal("33.33"), KEEPER, NOW)
    item.issue(uuid4(), 2, CLERK, True, KEEPER, NOW)
    copy = None
    for e in item.collect_events():
        copy = e.mutate(copy)
    assert isinstance(copy, StockItem)
    assert (copy.on_hand, copy.value, copy.unit_cost) == (5, Decimal("166.65"), Decimal("33.33"))


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 3, 2), 12, date(2027, 3, 2)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
    ],
)
def test_months_are_added_to_the_same_day_or_the_last_of_a_shorter_month(
    day: date, months: int, expected: date
) -> None:
    assert add_months(day, months) == expected


def terms(**changes: int) -> AssetTerms:
    values = {"transfer_hours": 100, "transfer_days": 15, "return_from_day": 26, "return_to_day": 28}
    values.update(changes)
    return AssetTerms(None, 12, None, None, **values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("collected", "window"),
    [
        (date(2026, 10, 1), (date(2026, 10, 26), date(2026, 10, 28))),
        (date(2026, 10, 28), (date(2026, 10, 26), date(2026, 10, 28))),
        (date(2026, 10, 29), (date(2026, 11, 26), date(2026, 11, 28))),
        (date(2026, 12, 30), (date(2027, 1, 26), date(2027, 1, 28))),
    ],
)
def test_an_old_part_is_due_in_the_window_that_has_not_closed(
    collected: date, window: tuple[date, date]
) -> None:
    assert return_window(terms(), collected) == window


@pytest.mark.parametrize(
    ("hours", "handed_over", "lease", "owed"),
    [
        (99, None, False, True),
        (100, None, False, False),
        (500, date(2026, 11, 1), False, True),
        (500, date(2026, 10, 1), False, False),
        (10, date(2026, 11, 10), True, False),
    ],
)
def test_the_encroachment_fee_is_owed_under_100_hours_or_within_15_days_except_a_lease(
    hours: int, handed_over: date | None, lease: bool, owed: bool
) -> None:
    reason = encroachment_owed(terms(), hours, handed_over, date(2026, 11, 15), lease)
    assert (reason is not None) is owed
