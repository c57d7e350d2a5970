"""Closing a month for penalties: every KPI rule of the rule books in force at the month's end is
assessed from the KPI tables (a rate the ledger computes, per party where the rule says `per`),
or from a figure stated at the close for a KPI the ledger does not compute (a warehouse's outbound
success rate). Each rule is assessed once per period and party, however often the close is run."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from domain.actors import Actor
from domain.errors import InvalidValue
from domain.ledger_base import Recorded
from domain.penalties import PERIOD_ZONE, PenaltyRuleViolation
from domain.penalty_book_commands import InForce
from domain.penalty_rules import Rule, Trigger
from projections.kpis import RATES, KpiQuery, KpiView

PERCENT_RATES = {
    name: (numerator, denominator) for name, numerator, denominator in RATES if name.endswith("_rate")
}
"""The KPIs the ledger computes that a KPI rule can measure, in percent."""
HUNDREDTH = Decimal("0.01")


@dataclass(frozen=True)
class Measured:
    """A KPI rule's figure for one party (None: the whole) at a period's close, and its source."""

    rule: str
    group: str | None
    value: Decimal
    source: str


class PeriodLedger(Protocol):
    def clock(self) -> datetime: ...

    def schedules_in_force(self, at: datetime, contract_id: None = None) -> list[InForce]: ...

    def assess_kpi(
        self,
        book_code: str,
        rule_code: str,
        period_end: datetime,
        group: str | None,
        measured: Decimal,
        source: str,
    ) -> Recorded | None: ...


def month_span(period: str) -> tuple[date, date, datetime]:
    """The first and last day of a month (YYYY-MM) and its last instant, in the period zone."""
    try:
        first = date.fromisoformat(f"{period}-01")
    except ValueError:
        raise InvalidValue(f"a period is a month, YYYY-MM, not {period!r}", field="period") from None
    following = (first + timedelta(days=32)).replace(day=1)
    end = datetime(following.year, following.month, 1, tzinfo=PERIOD_ZONE) - timedelta(microseconds=1)
    return first, following - timedelta(days=1), end


def close_period(
    ledger: PeriodLedger, kpis: KpiView, period: str, stated: Mapping[str, Decimal], actor: Actor
) -> list[Recorded]:
    """Assess the period's KPI rules; the penalties recorded now (none when run again).

    Every KPI a rule needs must be computable or stated, else nothing is assessed."""
    first, last, end = month_span(period)
    if ledger.clock() <= end:
        raise PenaltyRuleViolation(
            f"{period} has not ended; it closes after {end.isoformat()}", field="period"
        )
    figures: list[tuple[InForce, Measured]] = []
    for in_force in ledger.schedules_in_force(end):
        if in_force.ref.kind != "book":
            continue
        for rule in in_force.schedule.triggered_by(Trigger.KPI):
            figures += [(in_force, m) for m in measured(rule, kpis, (first, last), stated, actor)]
    recorded = []
    for in_force, figure in figures:
        done = ledger.assess_kpi(
            in_force.ref.name, figure.rule, end, figure.group, figure.value, figure.source
        )
        recorded += [done] if done else []
    return recorded


def measured(
    rule: Rule, kpis: KpiView, days: tuple[date, date], stated: Mapping[str, Decimal], actor: Actor
) -> list[Measured]:
    """The rule's figures: from the KPI tables, per party where it says `per`, or as stated."""
    assert rule.kpi is not None
    if rule.kpi in PERCENT_RATES:
        numerator, denominator = PERCENT_RATES[rule.kpi]
        query = KpiQuery("month", days[0], days[1], group_by=(rule.per,) if rule.per else ())
        return [
            Measured(
                rule.code,
                row.dimensions[rule.per] if rule.per else None,
                (Decimal(100 * row.sums[numerator]) / row.sums[denominator]).quantize(
                    HUNDREDTH, ROUND_HALF_UP
                ),
                f"KPI tables: {numerator} {row.sums[numerator]} of {denominator} {row.sums[denominator]}",
            )
            for row in kpis.query(query)
            if row.sums[denominator]
        ]
    if rule.kpi not in stated:
        known = ", ".join(PERCENT_RATES)
        msg = f"rule {rule.code} measures {rule.kpi}, which the ledger does not compute ({known}): state it"
        raise InvalidValue(msg, field=f"measurements.{rule.kpi}")
    return [Measured(rule.code, None, stated[rule.kpi], f"stated at the close by {actor.id}")]
