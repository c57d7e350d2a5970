"""Penalty schedules as files: the shipped rule book gives the sources' figures, and an invalid
schedule is refused naming the file, the field and the reason."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from typing import Any

import pytest

from domain.penalty_rules import Cause, Rule, assess
from domain.penalty_schedules import SCHEDULE_DIRECTORY, load_schedule, schedule_from_table
from domain.policy_packs import PackInvalid

RULE_BOOK = SCHEDULE_DIRECTORY / "rule-book.toml"


def rule(code: str) -> Rule:
    found = load_schedule(RULE_BOOK).rule(code)
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("code", "cause", "total"),
    [
        ("unsigned-service-record", Cause(), "100.00"),
        ("late-hotline-reply", Cause(units=Decimal(3)), "150.00"),
        ("outbound-success-rate", Cause(measured=Decimal(97)), "200.00"),
        ("outbound-success-rate", Cause(measured=Decimal("98.5")), "100.00"),
        ("late-picking", Cause(minutes_late=75), "10.00"),
        ("supervisor-complaints", Cause(occurrence=2), "5.00"),
        ("liability-accident", Cause(loss=Decimal(5000), cooperation="uncooperative"), "5900.00"),
        ("free-spare", Cause(), "0.00"),
    ],
)
def test_the_shipped_rule_book_gives_the_sources_figures(code: str, cause: Cause, total: str) -> None:
    assert assess(rule(code), cause).total == Decimal(total)


def test_the_rule_book_splits_the_outbound_fine_among_the_warehouse_crew() -> None:
    crew = {"keeper": ("wang",), "deputy_keeper": ("li",), "tally_clerk": ("zhao", "sun")}
    lines = assess(rule("outbound-success-rate"), Cause(measured=Decimal(97), holders=crew)).lines
    assert [(line.holder, line.amount) for line in lines] == [
        ("wang", Decimal("90.00")),
        ("li", Decimal("70.00")),
        ("zhao", Decimal("20.00")),
        ("sun", Decimal("20.00")),
    ]


def book() -> dict[str, Any]:
    return tomllib.loads(RULE_BOOK.read_text("utf-8"))


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"shape": "per_fortnight"}, "rules[0].shape", "unknown rule shape"),
        ({"amount": 100}, "rules[0].amount", "expected a string"),
        ({"amount": "-5"}, "rules[0].amount", "zero or more"),
        ({"bands": []}, "rules[0].bands", "unknown key"),
        ({"code": "Bad Code"}, "rules[0].code", "lowercase code"),
        (
            {"shares": [{"role": "keeper", "fraction": "1.5"}]},
            "rules[0].shares[0].fraction",
            "between 0 and 1",
        ),
    ],
)
def test_an_invalid_rule_is_refused_naming_its_field(change: dict[str, Any], field: str, reason: str) -> None:
    table = book()
    table["rules"][0] = {**table["rules"][0], **change}
    with pytest.raises(PackInvalid, match=reason) as refused:
        schedule_from_table(table, "rule-book.toml")
    assert (refused.value.file, refused.value.field) == ("rule-book.toml", field)


def test_a_rule_defined_twice_and_bands_out_of_order_are_refused() -> None:
    table = book()
    table["rules"].append(table["rules"][0])
    with pytest.raises(PackInvalid, match="defined twice"):
        schedule_from_table(table, "rule-book.toml")
    table = book()
    picking = next(r for r in table["rules"] if r["code"] == "late-picking")
    picking["bands"] = [{"up_to": 120, "amount": "10"}, {"up_to": 60, "amount": "5"}, {"amount": "20"}]
    with pytest.raises(PackInvalid, match="rising"):
        schedule_from_table(table, "rule-book.toml")
