"""The terms of a service contract that SLA clocks are evaluated under: targets and durations."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from domain.calendars import BusinessCalendar
from domain.errors import InvalidValue
from domain.ticket_terms import Milestone, PauseReason

ANY_TIER = "*"
"""A duration that applies to every region tier not named on its own."""


KPI_STOPS = (
    (Milestone.ESCALATED, "escalation"),
    (Milestone.RESPONDED, "response"),
    (Milestone.ARRIVED, "arrival"),
    (Milestone.RESTORED, "restore"),
)
"""Which KPI a target feeds: escalation compliance, response and arrival on time, restore in time."""


class Unit(Enum):
    """How a target's duration is counted on its calendar."""

    MINUTES = "minutes"
    WORKING_DAYS = "working_days"


@dataclass(frozen=True)
class Duration:
    """How long a target allows: business minutes, or whole working days to close of business."""

    amount: int
    unit: Unit = Unit.MINUTES

    def __post_init__(self) -> None:
        if self.amount < 0 or (self.unit is Unit.WORKING_DAYS and self.amount == 0):
            msg = f"a duration is a positive number of {self.unit.value}, not {self.amount}"
            raise InvalidValue(msg, field="duration", amount=self.amount)


@dataclass(frozen=True)
class Target:
    """One clock: it starts at a milestone, stops at the first of its stop milestones after that,
    and may pause for listed reasons (an escalate-after clock stops at escalation or restoration).

    `durations` maps a severity class to durations by region tier (`*` for any tier). A severity
    without an entry has no such target (a non-fault has no restore target).
    """

    name: str
    start: Milestone
    stops: tuple[Milestone, ...]
    calendar: str
    durations: dict[str, dict[str, Duration]]
    pauses: frozenset[PauseReason] = frozenset()

    @property
    def escalates(self) -> bool:
        """An escalate-after target: escalation stops it, and once it lapses escalation is due."""
        return Milestone.ESCALATED in self.stops

    @property
    def measures(self) -> str | None:
        """The KPI this target's verdicts count towards, read from the milestone that stops it."""
        for stop, measure in KPI_STOPS:
            if stop in self.stops:
                return measure
        return None

    def duration_for(self, severity: str, tier: str) -> Duration | None:
        by_tier = self.durations.get(severity)
        if by_tier is None:
            return None
        return by_tier.get(tier, by_tier.get(ANY_TIER))


@dataclass(frozen=True)
class SeverityClass:
    """A severity class of the contract, with the definition the hotline classifies by."""

    code: str
    definition: str


@dataclass(frozen=True)
class SlaTerms:
    """Everything a clock needs from one contract version."""

    calendars: dict[str, BusinessCalendar]
    severities: tuple[SeverityClass, ...]
    targets: tuple[Target, ...]
    parties: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        codes = {s.code for s in self.severities}
        for target in self.targets:
            if target.calendar not in self.calendars:
                msg = f"target {target.name} names calendar {target.calendar!r}, which the terms lack"
                raise InvalidValue(msg, field=f"targets.{target.name}.calendar")
            unknown = set(target.durations) - codes
            if unknown:
                msg = f"target {target.name} has durations for unknown severities {sorted(unknown)}"
                raise InvalidValue(msg, field=f"targets.{target.name}.durations")
        names = [t.name for t in self.targets]
        if len(names) != len(set(names)):
            raise InvalidValue("each target is named once", field="targets")

    def target(self, name: str) -> Target | None:
        return next((t for t in self.targets if t.name == name), None)
