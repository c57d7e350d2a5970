"""The penalty ledger: every penalty's lines (one per party) with what was assessed, waived,
reversed and settled, kept with every change by recorded time, so that totals per party, period
and rule, in money and in points, can be answered now or as the ledger knew it at a past time T.

A penalty's rows are recomputed from the penalty as each of its events leaves it; a row that
changed is written over the current one and appended to its versions.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from eventsourcing.persistence import Tracking, TrackingRecorder

from domain.penalties import Penalty, PenaltyStatus, party_of
from domain.penalty_rules import Measure
from projections.batching import BatchProjection, Positioned
from projections.versioned import AggregateSource, changes, replayed

ZERO = Decimal("0.00")
PERIOD = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")
STATUSES = tuple(s.value for s in PenaltyStatus)
MEASURES = tuple(m.value for m in Measure)
AMOUNTS = ("assessed", "waived", "reversed", "net", "settled", "outstanding")
GROUPINGS = ("party", "rule")
Grouping = Literal["party", "rule"]


@dataclass(frozen=True)
class PenaltyRow:
    """One party's line of a penalty, after the event at `position` (penalty `version`)."""

    key: str
    """The penalty id and the line's number: `<uuid>:<n>`."""
    penalty_id: str
    party: str
    role: str
    rule: str
    schedule: str
    """The schedule's name: a rule book's code, or the contract's name."""
    schedule_kind: str
    schedule_version: int
    trigger: str
    measure: str
    period: str
    occurred_at: datetime
    status: str
    disputed: bool
    assessed: Decimal
    waived: Decimal
    reversed: Decimal
    settled: Decimal
    version: int
    position: int
    recorded_at: datetime

    @property
    def net(self) -> Decimal:
        """What stands: assessed less waived and reversed."""
        return self.assessed - self.waived - self.reversed

    @property
    def outstanding(self) -> Decimal:
        """What is still to settle (negative: settled, then reversed, and owed back)."""
        return self.net - self.settled


@dataclass(frozen=True)
class PenaltyFilter:
    """Which lines an answer covers, and the recorded time it is as of (None: now)."""

    party: str | None = None
    period: str | None = None
    rule: str | None = None
    schedule: str | None = None
    measure: str | None = None
    as_of: datetime | None = None

    def __post_init__(self) -> None:
        if self.period is not None and not PERIOD.fullmatch(self.period):
            raise ValueError(f"a period is a month, YYYY-MM, not {self.period!r}")
        if self.measure is not None and self.measure not in MEASURES:
            raise ValueError(f"no measure {self.measure!r}; measures are {', '.join(MEASURES)}")

    def admits(self, row: PenaltyRow) -> bool:
        return (
            (self.party is None or row.party == self.party)
            and (self.period is None or row.period == self.period)
            and (self.rule is None or row.rule == self.rule)
            and (self.schedule is None or row.schedule == self.schedule)
            and (self.measure is None or row.measure == self.measure)
        )


@dataclass(frozen=True)
class PenaltyQuery:
    """A page of lines in key order after the key `after` (keyset paging): the drill-down."""

    where: PenaltyFilter = PenaltyFilter()
    status: str | None = None
    after: str | None = None
    limit: int = 100

    def __post_init__(self) -> None:
        if self.status is not None and self.status not in STATUSES:
            raise ValueError(f"no penalty status {self.status!r}; statuses are {', '.join(STATUSES)}")
        if self.limit < 1:
            raise ValueError("a page holds at least one row")

    def admits(self, row: PenaltyRow) -> bool:
        return (
            self.where.admits(row)
            and (self.status is None or row.status == self.status)
            and (self.after is None or row.key > self.after)
        )


@dataclass(frozen=True)
class PenaltyTotals:
    """One group's lines (a party's, or a rule's) in one period and measure, and their sums."""

    group: str
    period: str
    measure: str
    lines: int
    assessed: Decimal
    waived: Decimal
    reversed: Decimal
    net: Decimal
    settled: Decimal
    outstanding: Decimal

    @classmethod
    def of(cls, group: tuple[str, str, str], lines: int, sums: Sequence[Decimal]) -> PenaltyTotals:
        """A group's totals from its count and the sums of assessed, waived, reversed, settled."""
        assessed, waived, reversed_, settled = sums
        net = assessed - waived - reversed_
        return cls(*group, lines, assessed, waived, reversed_, net, settled, net - settled)


def totals_of(rows: Sequence[PenaltyRow], by: Grouping) -> list[PenaltyTotals]:
    """Rows added up by group, period and measure, in that order."""
    groups: dict[tuple[str, str, str], list[PenaltyRow]] = {}
    for row in rows:
        groups.setdefault((getattr(row, by), row.period, row.measure), []).append(row)
    return [
        PenaltyTotals.of(
            key,
            len(members),
            [
                sum((getattr(r, name) for r in members), ZERO)
                for name in ("assessed", "waived", "reversed", "settled")
            ],
        )
        for key, members in sorted(groups.items())
    ]


class PenaltyLedgerView(TrackingRecorder, ABC):
    """Where penalty lines and their versions live."""

    @abstractmethod
    def rows_for(self, keys: Collection[str]) -> dict[str, PenaltyRow]:
        """The current row of each key named that has one."""

    @abstractmethod
    def apply(self, changes: Sequence[PenaltyRow], tracking: Tracking) -> None:
        """Append the changed rows (in log order) to the versions, keep each key's last as its
        current row, and track, atomically."""

    @abstractmethod
    def rows(self, query: PenaltyQuery) -> list[PenaltyRow]:
        """A page of lines as of the filter's time."""

    @abstractmethod
    def totals(self, where: PenaltyFilter, by: Grouping) -> list[PenaltyTotals]:
        """The lines the filter covers, as of its time, added up by `by`, period and measure."""

    @abstractmethod
    def all_rows(self) -> list[PenaltyRow]:
        """Every current row by key: what a rebuild must reproduce."""

    @abstractmethod
    def truncate(self) -> None: ...


class PenaltyLedgerProjection(BatchProjection[PenaltyLedgerView]):
    """Recomputes the lines of every penalty a batch touches, event by event."""

    name = "penalties"
    topics = ()

    def __init__(self, view: PenaltyLedgerView, ledger: AggregateSource) -> None:
        super().__init__(view)
        self.ledger = ledger

    def process_batch(self, events: Sequence[Positioned], tracking: Tracking) -> None:
        penalties: dict[UUID, Penalty] = {}
        fresh: list[tuple[str, PenaltyRow]] = []
        for positioned in events:
            event = positioned.event
            if isinstance(event, Penalty.Event):
                penalty = replayed(self.ledger, event, penalties.get(event.originator_id), Penalty)
                penalties[event.originator_id] = penalty
                fresh += [
                    (row.key, row) for row in penalty_rows(penalty, positioned.position, event.timestamp)
                ]
        last = self.view.rows_for({key for key, _ in fresh}) if fresh else {}
        self.view.apply(changes(fresh, last), tracking)


def penalty_rows(penalty: Penalty, position: int, recorded_at: datetime) -> list[PenaltyRow]:
    """The penalty's lines after the event at `position` (none before it is allocated)."""
    status = penalty.status
    return [
        PenaltyRow(
            key=f"{penalty.id}:{n}",
            penalty_id=str(penalty.id),
            party=party_of(line),
            role=line.role,
            rule=penalty.rule,
            schedule=penalty.schedule.name,
            schedule_kind=penalty.schedule.kind,
            schedule_version=penalty.schedule.version,
            trigger=penalty.trigger,
            measure=penalty.measure.value,
            period=penalty.period,
            occurred_at=penalty.occurred_at,
            status=status.value,
            disputed=penalty.dispute is not None,
            assessed=line.amount,
            waived=line.amount if status is PenaltyStatus.WAIVED else ZERO,
            reversed=line.amount if status is PenaltyStatus.REVERSED else ZERO,
            settled=line.amount if penalty.settled_against is not None else ZERO,
            version=penalty.version,
            position=position,
            recorded_at=recorded_at,
        )
        for n, line in enumerate(penalty.lines, start=1)
    ]
