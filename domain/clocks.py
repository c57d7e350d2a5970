"""SLA clocks as pure functions of a ticket's milestones, its pauses and one contract version."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import Enum

from domain.calendars import BusinessCalendar, add_business_time, business_time_between, close_of_working_days
from domain.sla_terms import Duration, SlaTerms, Target, Unit
from domain.ticket_terms import Milestone, MilestoneRecord, PauseReason

ZERO = timedelta(0)


class ClockStatus(Enum):
    """Where a target's clock stands."""

    NOT_STARTED = "not_started"
    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    BREACHED = "breached"
    ENDED = "ended"
    """The ticket was resolved, closed or cancelled before the clock fell due or stopped."""


ENDINGS = (Milestone.RESOLVED, Milestone.CLOSED, Milestone.CANCELLED)
"""Milestones that end every clock still running: nothing is owed on a finished ticket."""


@dataclass(frozen=True)
class PauseSpan:
    """A stretch during which a ticket waited, for a reason; `end` is None while it still waits."""

    reason: PauseReason
    start: datetime
    end: datetime | None


@dataclass(frozen=True)
class ClockReading:
    """One target's clock for one ticket, as of `now`."""

    target: str
    status: ClockStatus
    started_at: datetime | None = None
    due_at: datetime | None = None
    stopped_at: datetime | None = None
    minutes_late: int = 0
    business_minutes: int = 0
    """Working time the clock has run, pauses excluded."""
    paused_minutes: int = 0
    """Working time the clock stood still for pauses its target lists."""
    escalates: bool = False
    """An escalate-after clock: once it lapses, escalation is due."""

    @property
    def escalation_due(self) -> bool:
        """An escalate-after clock that lapsed with nothing stopping it."""
        return self.escalates and self.stopped_at is None and self.status is ClockStatus.BREACHED


def pause_spans(milestones: Sequence[MilestoneRecord], reasons: Mapping[int, PauseReason]) -> list[PauseSpan]:
    """Pair each pause with the resume that ended it; `reasons` maps a pause's version to its reason."""
    spans: list[PauseSpan] = []
    for record in milestones:
        if record.milestone is Milestone.PAUSED:
            spans.append(PauseSpan(reasons[record.version], record.occurred_at, None))
        elif record.milestone is Milestone.RESUMED and spans and spans[-1].end is None:
            spans[-1] = PauseSpan(spans[-1].reason, spans[-1].start, record.occurred_at)
    return spans


def evaluate(
    terms: SlaTerms,
    severity: str,
    tier: str,
    milestones: Sequence[MilestoneRecord],
    pauses: Sequence[PauseSpan],
    now: datetime,
) -> list[ClockReading]:
    """Every target of the terms that applies to the ticket's severity and region tier."""
    readings = []
    for target in terms.targets:
        duration = target.duration_for(severity, tier)
        if duration is not None:
            calendar = terms.calendars[target.calendar]
            readings.append(read_clock(target, calendar, duration, milestones, pauses, now))
    return readings


def read_clock(
    target: Target,
    calendar: BusinessCalendar,
    duration: Duration,
    milestones: Sequence[MilestoneRecord],
    pauses: Sequence[PauseSpan],
    now: datetime,
) -> ClockReading:
    """The clock of one target: it runs from the first start milestone to the first stop after it.

    A ticket that is resolved, closed or cancelled first ends the clock: without a verdict if that
    came before the due time, breached by the time past due otherwise.
    """
    start = next((r for r in milestones if r.milestone is target.start), None)
    if start is None:
        return ClockReading(target.name, ClockStatus.NOT_STARTED, escalates=target.escalates)
    stop = next(
        (
            r
            for r in milestones
            if r.version > start.version and (r.milestone in target.stops or r.milestone in ENDINGS)
        ),
        None,
    )
    until = now if stop is None else stop.occurred_at
    spans = relevant_spans(target, pauses, start.occurred_at, stop.occurred_at if stop else None)
    due = due_at(calendar, start.occurred_at, duration, spans)
    paused = sum((business_time_between(calendar, s.start, min(s.end or until, until)) for s in spans), ZERO)
    reading = ClockReading(
        target.name,
        status_of(due, stop, target, spans, now),
        started_at=start.occurred_at,
        due_at=due,
        stopped_at=None if stop is None else stop.occurred_at,
        business_minutes=minutes(business_time_between(calendar, start.occurred_at, until) - paused),
        paused_minutes=minutes(paused),
        escalates=target.escalates,
    )
    late_by = until - due if due is not None and reading.status is ClockStatus.BREACHED else ZERO
    return replace(reading, minutes_late=math.ceil(late_by / timedelta(minutes=1)))


def relevant_spans(
    target: Target, pauses: Sequence[PauseSpan], start: datetime, stop: datetime | None
) -> list[PauseSpan]:
    """The pauses this target's clock stops for, clipped to the clock's run, in order."""
    spans = []
    for span in sorted(pauses, key=lambda s: s.start):
        end = span.end if span.end is not None else stop
        if (
            span.reason in target.pauses
            and (end is None or end > start)
            and (stop is None or span.start < stop)
        ):
            spans.append(PauseSpan(span.reason, max(span.start, start), end))
    return spans


def due_at(
    calendar: BusinessCalendar, start: datetime, duration: Duration, spans: Sequence[PauseSpan]
) -> datetime | None:
    """When the target falls due, each pause before then pushing it later; None while paused."""
    if duration.unit is Unit.WORKING_DAYS:
        due = close_of_working_days(calendar, start, duration.amount)
        return extended(calendar, due, spans, start)
    remaining, cursor = timedelta(minutes=duration.amount), start
    for span in spans:
        candidate = add_business_time(calendar, cursor, remaining)
        if span.start >= candidate:
            return candidate
        remaining -= business_time_between(calendar, cursor, span.start)
        if span.end is None:
            return None
        cursor = max(cursor, span.end)
    return add_business_time(calendar, cursor, remaining)


def extended(
    calendar: BusinessCalendar, due: datetime, spans: Sequence[PauseSpan], start: datetime
) -> datetime | None:
    """A working-day deadline moved on by the working time of the pauses before it."""
    if any(s.end is None and s.start < due for s in spans):
        return None
    paused = sum(
        (business_time_between(calendar, s.start, min(s.end, due)) for s in spans if s.end and s.start < due),
        ZERO,
    )
    return add_business_time(calendar, due, paused) if paused > ZERO else due


def status_of(
    due: datetime | None,
    stop: MilestoneRecord | None,
    target: Target,
    spans: Sequence[PauseSpan],
    now: datetime,
) -> ClockStatus:
    if stop is not None:
        if due is not None and stop.occurred_at > due:
            return ClockStatus.BREACHED
        return ClockStatus.MET if stop.milestone in target.stops else ClockStatus.ENDED
    if due is None or any(s.end is None for s in spans):
        return ClockStatus.PAUSED
    return ClockStatus.BREACHED if now > due else ClockStatus.RUNNING


def minutes(span: timedelta) -> int:
    return max(int(span / timedelta(minutes=1)), 0)
