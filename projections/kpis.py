"""KPI tables: each ticket's contribution to the KPIs of its report day, kept as sums per day and
month by contract, severity, region tier and engineer, with every change kept by recorded time so
any KPI can be answered as the ledger knew it at a past time T.

A ticket's contribution (a `KpiFact`) is recomputed whenever its events or its SLA verdicts
change; the difference from the last contribution is added to the sums and appended to the
change log, so the sums always equal the change log summed, and the change log summed up to T
is the KPI as of T.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Protocol
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.persistence import Tracking, TrackingRecorder

from domain.clocks import ClockStatus
from domain.sla_terms import SlaTerms
from domain.sla_verdicts import SlaVerdicts
from domain.ticket_terms import Milestone, Status
from domain.tickets import Ticket
from projections.batching import BatchProjection, Positioned

REPORTING_ZONE = ZoneInfo("Asia/Shanghai")
"""A ticket counts towards the day (and month) it was reported on, in this zone."""
REPAIRS = (Milestone.RESTORED, Milestone.RESOLVED)
"""The first of these ends the time to repair (MTTR)."""
PERIODS = ("day", "month", "total")
DIMENSIONS = ("contract_id", "severity", "region_tier", "engineer_id")
VERDICT_MEASURES = ("response", "arrival", "restore", "escalation")
MEASURES = (
    "tickets",
    *(f"{m}_{part}" for m in VERDICT_MEASURES for part in ("due", "met")),
    "resolved",
    "fixed_first_time",
    "reopened",
    "callbacks",
    "satisfaction_count",
    "satisfaction_sum",
    "complaints",
    "repair_count",
    "repair_minutes",
    "repair_business_count",
    "repair_business_minutes",
)
"""Sums kept per cell; rates are ratios of them (see docs/kpis.md)."""


@dataclass(frozen=True)
class KpiCell:
    """Where a ticket counts: its report day and its dimensions ('' for an unassigned engineer)."""

    day: date
    contract_id: str
    severity: str
    region_tier: str
    engineer_id: str

    @property
    def month(self) -> str:
        return self.day.strftime("%Y-%m")


@dataclass(frozen=True)
class KpiFact:
    """One ticket's contribution: its cell and a value per measure (in MEASURES order)."""

    ticket_id: str
    cell: KpiCell
    values: tuple[int, ...]

    def measure(self, name: str) -> int:
        return self.values[MEASURES.index(name)]


@dataclass(frozen=True)
class KpiChange:
    """An amount added to a cell's sums by the event at `position`, recorded at `recorded_at`."""

    position: int
    recorded_at: datetime
    cell: KpiCell
    values: tuple[int, ...]


@dataclass(frozen=True)
class KpiQuery:
    """KPI sums for report days `start` to `end` (inclusive), by period and the named dimensions."""

    period: str
    start: date
    end: date
    group_by: tuple[str, ...] = ()
    filters: Mapping[str, str] | None = None
    as_of: datetime | None = None

    def __post_init__(self) -> None:
        """Dimension names reach SQL as column names, so only the known ones pass."""
        if self.period not in PERIODS:
            raise ValueError(f"no KPI period {self.period!r}; periods are {', '.join(PERIODS)}")
        unknown = {*self.group_by, *(self.filters or {})} - set(DIMENSIONS)
        if unknown:
            raise ValueError(
                f"no KPI dimension {', '.join(sorted(unknown))}; dimensions are {', '.join(DIMENSIONS)}"
            )


@dataclass(frozen=True)
class KpiRow:
    """One group's sums: `period` is a day (YYYY-MM-DD) or a month (YYYY-MM)."""

    period: str
    dimensions: dict[str, str]
    sums: dict[str, int]


class KpiView(TrackingRecorder, ABC):
    """Where KPI facts, sums and changes live. A query leaves out groups whose sums are all zero
    (a ticket that moved to another cell, or was cancelled, leaves zeros behind)."""

    @abstractmethod
    def facts(self, ticket_ids: Sequence[str]) -> dict[str, KpiFact]:
        """The current contribution of each ticket named that has one."""

    @abstractmethod
    def apply(self, facts: Sequence[KpiFact], changes: Sequence[KpiChange], tracking: Tracking) -> None:
        """Store the facts, add the changes to the sums and the change log, and track, atomically."""

    @abstractmethod
    def query(self, query: KpiQuery) -> list[KpiRow]: ...

    @abstractmethod
    def all_rows(self) -> list[KpiFact]:
        """Every ticket's contribution, by ticket id: what a rebuild must reproduce."""

    @abstractmethod
    def truncate(self) -> None: ...


class KpiSources(Protocol):
    """What the projection asks of the ledger: a ticket at a version, and a contract version's terms."""

    def get_ticket(self, ticket_id: UUID, version: int | None = None) -> Ticket: ...

    def terms(self, contract_id: UUID, version: int) -> SlaTerms: ...


class KpiProjection(BatchProjection[KpiView]):
    """Recomputes the contribution of every ticket a batch touches, and records the difference."""

    name = "kpis"
    topics = ()

    def __init__(self, view: KpiView, ledger: KpiSources) -> None:
        super().__init__(view)
        self.ledger = ledger

    def process_batch(self, events: Sequence[Positioned], tracking: Tracking) -> None:
        touched = [ticket_of(e.event) for e in events]
        before = self.view.facts([t for t in dict.fromkeys(touched) if t is not None])
        current = dict(before)
        tickets: dict[str, Ticket] = {}
        changes: list[KpiChange] = []
        for item, ticket_id in zip(events, touched, strict=True):
            if ticket_id is None:
                continue
            last = current.get(ticket_id)
            if isinstance(item.event, Ticket.Event):
                tickets[ticket_id] = self.ticket_after(item.event, tickets.get(ticket_id))
                fact: KpiFact | None = ticket_fact(tickets[ticket_id], last)
            else:
                fact = self.verdict_applied(item.event, last)
            if fact is not None and fact != last:
                changes.extend(difference(last, fact, item))
                current[ticket_id] = fact
        updated = [fact for key, fact in current.items() if before.get(key) != fact]
        self.view.apply(updated, changes, tracking)

    def ticket_after(self, event: Ticket.Event, ticket: Ticket | None) -> Ticket:
        """The ticket as this event leaves it: loaded once per batch, then moved on event by event."""
        if ticket is None and event.originator_version > 1:
            ticket = self.ledger.get_ticket(event.originator_id, version=event.originator_version - 1)
        moved = event.mutate(ticket)
        assert isinstance(moved, Ticket)
        return moved

    def verdict_applied(self, event: object, last: KpiFact | None) -> KpiFact | None:
        if isinstance(event, SlaVerdicts.VerdictRecorded) and last is not None and last.measure("tickets"):
            target = self.ledger.terms(event.contract_id, event.contract_version).target(event.target)
            if target is not None and target.measures is not None:
                return verdict_fact(last, target.measures, event)
        return last


def ticket_of(event: object) -> str | None:
    if isinstance(event, Ticket.Event):
        return str(event.originator_id)
    if isinstance(event, SlaVerdicts.VerdictRecorded):
        return str(event.ticket_id)
    return None


def ticket_fact(ticket: Ticket, last: KpiFact | None) -> KpiFact:
    """The ticket's contribution from its own state; verdict measures carry over from `last`."""
    cell = KpiCell(
        day=ticket.reported_at.astimezone(REPORTING_ZONE).date(),
        contract_id="" if ticket.contract_id is None else str(ticket.contract_id),
        severity=ticket.severity,
        region_tier=ticket.region_tier,
        engineer_id=ticket.engineer_id or "",
    )
    if ticket.status is Status.CANCELLED:
        return KpiFact(str(ticket.id), cell, (0,) * len(MEASURES))
    resolved = any(m.milestone is Milestone.RESOLVED for m in ticket.milestones)
    repaired = next((m for m in ticket.milestones if m.milestone in REPAIRS), None)
    own = {
        "tickets": 1,
        "resolved": int(resolved),
        "fixed_first_time": int(resolved and bool(ticket.fixed_first_time) and ticket.reopen_count == 0),
        "reopened": int(ticket.reopen_count > 0),
        "callbacks": int(any(m.milestone is Milestone.CALLBACK for m in ticket.milestones)),
        "satisfaction_count": int(ticket.satisfaction is not None),
        "satisfaction_sum": ticket.satisfaction or 0,
        "complaints": int(ticket.category == "complaint"),
        "repair_count": int(repaired is not None),
        "repair_minutes": 0 if repaired is None else whole_minutes(repaired.occurred_at - ticket.reported_at),
    }
    start = last or KpiFact(str(ticket.id), cell, (0,) * len(MEASURES))
    return replace(with_measures(start, **own), cell=cell)


def verdict_fact(last: KpiFact, measure: str, event: SlaVerdicts.VerdictRecorded) -> KpiFact:
    """A verdict sets its measure: due once met or breached, met only if met; ended counts neither."""
    decided = event.outcome in (ClockStatus.MET, ClockStatus.BREACHED)
    met = event.outcome is ClockStatus.MET
    changed = {f"{measure}_due": int(decided), f"{measure}_met": int(met)}
    if measure == "restore":
        stopped = decided and event.stopped_at is not None
        changed["repair_business_count"] = int(stopped)
        changed["repair_business_minutes"] = event.business_minutes if stopped else 0
    return with_measures(last, **changed)


def with_measures(fact: KpiFact, **changed: int) -> KpiFact:
    return replace(fact, values=tuple(changed.get(m, v) for m, v in zip(MEASURES, fact.values, strict=True)))


def difference(old: KpiFact | None, new: KpiFact, item: Positioned) -> list[KpiChange]:
    """What to add to the sums to go from the old contribution to the new (two cells if it moved)."""
    recorded_at = item.event.timestamp
    if old is not None and old.cell == new.cell:
        values = tuple(n - o for n, o in zip(new.values, old.values, strict=True))
        return [KpiChange(item.position, recorded_at, new.cell, values)]
    changes = [KpiChange(item.position, recorded_at, new.cell, new.values)]
    if old is not None:
        changes.insert(0, KpiChange(item.position, recorded_at, old.cell, tuple(-v for v in old.values)))
    return changes


def whole_minutes(span: timedelta) -> int:
    return max(int(span / timedelta(minutes=1)), 0)


RATES = (
    ("response_on_time_rate", "response_met", "response_due"),
    ("arrival_on_time_rate", "arrival_met", "arrival_due"),
    ("restore_within_target_rate", "restore_met", "restore_due"),
    ("escalation_compliance_rate", "escalation_met", "escalation_due"),
    ("first_time_fix_rate", "fixed_first_time", "resolved"),
    ("callback_rate", "callbacks", "resolved"),
    ("reopen_rate", "reopened", "resolved"),
    ("mean_satisfaction", "satisfaction_sum", "satisfaction_count"),
    ("mttr_minutes", "repair_minutes", "repair_count"),
    ("mttr_business_minutes", "repair_business_minutes", "repair_business_count"),
)
"""Each KPI as a ratio of two sums; None where the denominator is zero."""


def rates(sums: Mapping[str, int]) -> dict[str, float | None]:
    return {
        name: None if not sums[denominator] else round(sums[numerator] / sums[denominator], 4)
        for name, numerator, denominator in RATES
    }
