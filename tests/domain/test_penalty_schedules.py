"""Penalty schedules as files: the shipped rule book gives the sources' figures, and an invalid
schedule is refused naming the file, the field and the reason."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from typing import Any

import pytest

from api.holiday_source import library_holidays
from domain.contract_documents import contract_document
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
        ({"on": "sla_breach_ish"}, "rules[0].on", "unknown cause"),
        ({"on": "claim_late", "targets": ["arrival"]}, "rules[0].targets", "only an sla_breach rule"),
        ({"on": "kpi"}, "rules[0].kpi", "names its kpi"),
        ({"kpi": "callback_rate"}, "rules[0].kpi", "names its kpi"),
        ({"on": "kpi", "kpi": "callback_rate"}, "rules[0].on", "per_point"),
        ({"unit": "minute"}, "rules[0].unit", "unknown key"),
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


def test_a_kpi_rule_measures_per_a_known_dimension_and_holders_name_people() -> None:
    table = book()
    outbound = next(r for r in table["rules"] if r["code"] == "outbound-success-rate")
    outbound["per"] = "warehouse"
    with pytest.raises(PackInvalid, match="measures per one of") as refused:
        schedule_from_table(table, "rule-book.toml")
    assert refused.value.field == "rules[5].per"
    table = book()
    table["holders"] = {"keeper": 7}
    with pytest.raises(PackInvalid) as refused:
        schedule_from_table(table, "rule-book.toml")
    assert refused.value.field == "holders.keeper"


def test_the_rule_book_says_which_causes_assess_each_rule_and_who_holds_the_warehouse_roles() -> None:
    schedule = load_schedule(RULE_BOOK)
    assert {r.code: r.on.value for r in schedule.rules if r.on} == {
        "unsigned-service-record": "sign_off_missing",
        "old-parts-late": "old_parts_late",
        "outbound-success-rate": "kpi",
        "stock-out": "below_safety_stock",
        "free-spare": "sla_breach",
    }
    assert schedule.holders["tally_clerk"] == ("wh-clerk-li", "wh-clerk-zhao")


@pytest.mark.parametrize(
    ("unit", "units"), [("minute", "75"), ("hour", "2"), ("day", "1"), ("occurrence", "1")]
)
def test_a_per_unit_rule_counts_its_unit_of_lateness(unit: str, units: str) -> None:
    table = {
        "description": "Arrival credits",
        "source": "Annex 3",
        "rules": [{"code": "late", "description": "Late", "shape": "per_unit", "amount": "10", "unit": unit}],
    }
    (late,) = schedule_from_table(table, "annex.toml").rules
    assert assess(late, Cause(minutes_late=75)).total == Decimal(units) * 10


def test_a_contract_document_may_carry_its_own_schedule_checked_with_it() -> None:
    overrides = {"penalties": {"description": "Credits", "source": "Annex", "rules": [{"code": "x"}]}}
    with pytest.raises(PackInvalid) as refused:
        contract_document("fault-4-class", overrides, library_holidays)
    assert refused.value.field == "penalties.rules[0].shape"
