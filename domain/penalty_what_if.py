"""What-if: what a proposed schedule would have assessed over a period, from the causes the log
holds for it (and the manual and KPI penalties recorded in it, re-assessed under the proposed
rule of the same code). Nothing is recorded."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from eventsourcing.utils import get_topic

from domain.assets import Asset
from domain.claims import Claim
from domain.old_parts import OldParts
from domain.penalties import Penalty, party_of, period_of
from domain.penalty_causes import RecordedCause, counted_against, facts_for, facts_from
from domain.penalty_commands import PenaltyCommands
from domain.penalty_rules import Shape, assess
from domain.penalty_schedules import Schedule
from domain.sla_verdicts import SlaVerdicts
from domain.stock import StockItem

PAGE = 1000
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class WhatIfLine:
    """One party's share of what a proposed rule would have assessed for one cause."""

    cause_key: str
    rule: str
    party: str
    role: str
    measure: str
    amount: Decimal
    basis: str


@dataclass(frozen=True)
class WhatIfTotal:
    party: str
    measure: str
    lines: int
    amount: Decimal


def replay(
    schedule: Schedule, causes: Sequence[RecordedCause], manual: Sequence[tuple[str, RecordedCause]]
) -> list[WhatIfLine]:
    """The lines the schedule gives the causes (in the order they occurred) and the manual ones."""
    counted: dict[str, int] = {}
    wanted = [
        (rule, cause)
        for cause in sorted(causes, key=lambda c: (c.occurred_at, c.key))
        for rule in schedule.rules
        if cause.applies(rule)
    ]
    wanted += [(rule, cause) for code, cause in manual if (rule := schedule.rule(code)) is not None]
    lines: list[WhatIfLine] = []
    for rule, cause in wanted:
        facts = facts_for(cause, rule, schedule.holders)
        if rule.shape is Shape.ESCALATING:
            tally = counted_against(rule, facts, cause.occurred_at)
            counted[tally] = counted.get(tally, 0) + 1
            facts = replace(facts, occurrence=counted[tally])
        assessment = assess(rule, facts)
        lines += [
            WhatIfLine(
                cause.key,
                rule.code,
                party_of(line),
                line.role,
                rule.measure.value,
                line.amount,
                assessment.basis,
            )
            for line in assessment.lines
        ]
    return lines


def totals(lines: Sequence[WhatIfLine]) -> list[WhatIfTotal]:
    groups: dict[tuple[str, str], list[WhatIfLine]] = {}
    for line in lines:
        groups.setdefault((line.party, line.measure), []).append(line)
    return [
        WhatIfTotal(party, measure, len(members), sum((m.amount for m in members), ZERO))
        for (party, measure), members in sorted(groups.items())
    ]


class WhatIfCommands(PenaltyCommands):
    """Replays a period's causes under a proposed schedule."""

    def what_if(self, schedule: Schedule, period: str) -> list[WhatIfLine]:
        """What `schedule` would have assessed for the causes that occurred in `period` (YYYY-MM)."""
        causes: dict[str, RecordedCause] = {}
        manual: list[tuple[str, RecordedCause]] = []
        for event, position in self._cause_events():
            if isinstance(event, Penalty.Assessed):
                if event.period == period and event.trigger in ("manual", "kpi"):
                    cause = RecordedCause(
                        None, event.cause_key, event.occurred_at, (), facts_from(event.facts)
                    )
                    manual.append((event.rule, cause))
                continue
            reading = self.read_cause(event, position)
            if reading is None or period_of(reading[0].occurred_at) != period:
                continue
            cause, stands = reading
            if stands:
                causes[cause.key] = cause
            else:
                causes.pop(cause.key, None)
        return replay(schedule, list(causes.values()), manual)

    def _cause_events(self) -> Iterator[tuple[Any, int]]:
        kinds = (
            SlaVerdicts.VerdictRecorded,
            Penalty.Assessed,
            *(getattr(kind, name) for kind, name in CAUSE_EVENTS),
        )
        topics = [get_topic(kind) for kind in kinds]
        start = 0
        while page := self.recorder.select_notifications(
            start, PAGE, topics=topics, inclusive_of_start=False
        ):
            for notification in page:
                yield self.mapper.to_domain_event(notification), notification.id
            start = page[-1].id


CAUSE_EVENTS = (
    (Claim, "Submitted"),
    (OldParts, "ReturnedLate"),
    (StockItem, "FellBelowSafetyStock"),
    (Asset, "LentLate"),
)
"""The events named by string on their aggregates that record a cause."""
