"""Penalty rules of every shape on the sources' own cases: amounts to the cent, allocations that add
up, tiers, loss splits, caps and the rounding rule shown in the result."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.penalty_rules import (
    Band,
    Cause,
    Line,
    Measure,
    PartialPoints,
    Rounding,
    Rule,
    Shape,
    Share,
    Unit,
    assess,
)

OUTBOUND = Rule(
    "outbound-success-rate",
    "Outbound success rate under 99%: 100 per point",
    Shape.PER_POINT,
    amount=Decimal(100),
    threshold=Decimal(99),
    partial=PartialPoints.WHOLE_UP,
    shares=(
        Share("keeper", Decimal("0.45")),
        Share("deputy_keeper", Decimal("0.35")),
        Share("tally_clerk", Decimal("0.10"), each=True),
    ),
    remainder_to="warehouse_department",
)
CREW = {"keeper": ("wang",), "deputy_keeper": ("li",), "tally_clerk": ("zhao", "sun")}


def amounts(rule: Rule, cause: Cause) -> list[tuple[str, str, Decimal]]:
    return [(line.role, line.holder, line.amount) for line in assess(rule, cause).lines]


def test_outbound_at_97_percent_with_two_clerks_splits_200_as_90_70_20_20() -> None:
    result = assess(OUTBOUND, Cause(measured=Decimal(97), holders=CREW))
    assert result.total == Decimal("200.00")
    assert amounts(OUTBOUND, Cause(measured=Decimal(97), holders=CREW)) == [
        ("keeper", "wang", Decimal("90.00")),
        ("deputy_keeper", "li", Decimal("70.00")),
        ("tally_clerk", "zhao", Decimal("20.00")),
        ("tally_clerk", "sun", Decimal("20.00")),
    ]


def test_with_one_clerk_the_remainder_goes_where_the_schedule_says() -> None:
    crew = {**CREW, "tally_clerk": ("zhao",)}
    assert amounts(OUTBOUND, Cause(measured=Decimal(97), holders=crew))[-2:] == [
        ("tally_clerk", "zhao", Decimal("20.00")),
        ("warehouse_department", "", Decimal("20.00")),
    ]


@pytest.mark.parametrize(
    ("partial", "total", "counted"),
    [
        (PartialPoints.WHOLE_UP, Decimal("100.00"), "counted 1 (whole_up)"),
        (PartialPoints.PRORATE, Decimal("50.00"), "counted 0.5 (prorate)"),
        (PartialPoints.WHOLE_DOWN, Decimal("0.00"), "counted 0 (whole_down)"),
    ],
)
def test_at_98_5_percent_the_rounding_rule_decides_and_shows(
    partial: PartialPoints, total: Decimal, counted: str
) -> None:
    rule = replace(OUTBOUND, partial=partial)
    result = assess(rule, Cause(measured=Decimal("98.5"), holders=CREW))
    assert result.total == total
    assert counted in result.basis
    assert sum(line.amount for line in result.lines) == total


def test_three_complaints_in_a_month_escalate_and_each_shows_its_tier() -> None:
    rule = Rule(
        "supervisor-complaints",
        "Complaints against the logistics supervisor",
        Shape.ESCALATING,
        measure=Measure.POINTS,
        amount=Decimal(10),
        tiers=(Decimal("0.2"), Decimal("0.5"), Decimal(1)),
    )
    found = [assess(rule, Cause(occurrence=n)) for n in (1, 2, 3, 4)]
    assert [(a.tier, a.total) for a in found] == [
        (1, Decimal("2.00")),
        (2, Decimal("5.00")),
        (3, Decimal("10.00")),
        (3, Decimal("10.00")),
    ]
    assert all(a.measure is Measure.POINTS for a in found)


LIABILITY = Rule(
    "liability-accident",
    "Liability accident: the loss split by cooperation, plus fixed sums per manager",
    Shape.LOSS_SPLIT,
    splits={"cooperative": Decimal("0.6"), "uncooperative": Decimal("0.9")},
    extras={
        "cooperative": {"team_leader": Decimal(200), "deputy_manager": Decimal(200), "manager": Decimal(200)},
        "uncooperative": {
            "team_leader": Decimal(300),
            "deputy_manager": Decimal(300),
            "manager": Decimal(300),
        },
    },
)


@pytest.mark.parametrize(
    ("cooperation", "staff", "company", "each"),
    [("cooperative", "3000.00", "2000.00", 200), ("uncooperative", "4500.00", "500.00", 300)],
)
def test_a_liability_accident_splits_the_loss_by_cooperation(
    cooperation: str, staff: str, company: str, each: int
) -> None:
    result = assess(LIABILITY, Cause(loss=Decimal(5000), cooperation=cooperation))
    assert [(line.role, line.amount) for line in result.lines] == [
        ("staff", Decimal(staff)),
        ("company", Decimal(company)),
        ("deputy_manager", Decimal(each)),
        ("manager", Decimal(each)),
        ("team_leader", Decimal(each)),
    ]
    assert result.total == Decimal(5000) + 3 * each


def test_three_late_replies_at_50_per_message_cost_150() -> None:
    rule = Rule("late-replies", "Late reply to a hotline message", Shape.PER_UNIT, amount=Decimal(50))
    assert assess(rule, Cause(units=Decimal(3))).total == Decimal("150.00")


def test_a_repair_order_closed_without_signature_costs_a_fixed_100() -> None:
    rule = Rule("unsigned-order", "Repair order not signed by the customer", Shape.FIXED, amount=Decimal(100))
    result = assess(rule, Cause(holders={"party": ("eng-li",)}))
    assert [(line.role, line.holder, line.amount) for line in result.lines] == [
        ("party", "eng-li", Decimal("100.00"))
    ]


def test_banded_lateness_takes_the_band_it_falls_in() -> None:
    rule = Rule(
        "late-picking",
        "Picking finished after 08:00",
        Shape.BANDED,
        measure=Measure.POINTS,
        bands=(Band(60, Decimal(5)), Band(120, Decimal(10)), Band(None, Decimal(20))),
    )
    assert [assess(rule, Cause(minutes_late=m)).total for m in (1, 60, 61, 500)] == [
        Decimal("5.00"),
        Decimal("5.00"),
        Decimal("10.00"),
        Decimal("20.00"),
    ]


def test_a_cap_bounds_the_total_and_says_so() -> None:
    rule = Rule("late-replies", "Late replies", Shape.PER_UNIT, amount=Decimal(50), cap=Decimal(400))
    result = assess(rule, Cause(units=Decimal(10)))
    assert (result.total, result.capped) == (Decimal(400), True)
    assert "capped at 400" in result.basis


def test_rounding_to_the_unit_leaves_the_difference_to_the_remainder() -> None:
    rule = Rule(
        "thirds",
        "Three equal shares",
        Shape.FIXED,
        amount=Decimal(100),
        shares=tuple(Share(r, Decimal("0.3333")) for r in ("a", "b", "c")),
        remainder_to="department",
        rounding=Rounding.UNIT,
    )
    lines = assess(rule, Cause()).lines
    assert [line.amount for line in lines] == [Decimal("33.00")] * 3 + [Decimal("1.00")]


def test_a_remedy_costs_no_money_and_names_what_is_owed_and_by_whom() -> None:
    rule = Rule("free-spare", "Not repaired within 2 h", Shape.REMEDY, remedy="free spare part")
    result = assess(rule, Cause(holders={"party": ("eng-wang",)}))
    assert (result.total, result.remedy) == (Decimal("0.00"), "free spare part")
    assert result.lines == (Line("party", "eng-wang", Decimal("0.00")),)


@given(
    measured=st.decimals(min_value=Decimal(80), max_value=Decimal(100), places=2),
    clerks=st.lists(st.sampled_from(["li", "zhao", "sun", "wu"]), unique=True, max_size=4),
    partial=st.sampled_from(list(PartialPoints)),
    rounding=st.sampled_from(list(Rounding)),
)
def test_a_per_point_assessment_is_the_same_every_time_and_its_lines_add_up(
    measured: Decimal, clerks: list[str], partial: PartialPoints, rounding: Rounding
) -> None:
    rule = Rule(
        "outbound",
        "Outbound success rate",
        Shape.PER_POINT,
        amount=Decimal("100"),
        threshold=Decimal("99"),
        partial=partial,
        shares=(Share("keeper", Decimal("0.45")), Share("tally_clerk", Decimal("0.1"), each=True)),
        remainder_to="warehouse",
        rounding=rounding,
    )
    cause = Cause(measured=measured, holders={"keeper": ("wang",), "tally_clerk": tuple(clerks)})
    first, again = assess(rule, cause), assess(rule, cause)
    assert first == again
    assert sum(line.amount for line in first.lines) == first.total
    assert first.total == rounding.apply(partial.points(max(Decimal(99) - measured, Decimal(0))) * 100)


def test_no_assessment_is_larger_than_the_ledger_keeps_and_a_capped_one_says_so() -> None:
    rule = Rule("late", "Per minute late", Shape.PER_UNIT, amount=Decimal("9999999999"), unit=Unit.MINUTE)
    result = assess(rule, Cause(minutes_late=10_000_000))
    assert (result.total, result.capped) == (Decimal("9999999999999.99"), True)
    assert "capped at 9999999999999.99" in result.basis
