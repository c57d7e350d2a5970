"""What the ledger records that a penalty can be assessed from: a cause, read from its events.

A cause has a key that names it once (a ticket's breach of a target, the n-th time it breached;
a claim's late submission; a lot's late return), the time it occurred (which chooses the schedule
version), the events it was read from, and the facts rules are assessed on, with who holds each
role. Reading a cause is pure: the same events give the same cause.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.clocks import ClockStatus
from domain.penalties import CauseRef, period_of
from domain.penalty_rules import Cause, Rule, Shape, Trigger, Unit
from domain.sla_verdicts import SlaVerdicts
from domain.ticket_terms import Milestone

SIGN_OFF_STOPS = frozenset({Milestone.SIGNED_OFF, Milestone.CALLBACK})
"""A target that only these stop is a deadline for the customer's sign-off or callback."""
HOTLINE = "hotline"
"""The party to a ticket's breach before any engineer was dispatched to it."""


@dataclass(frozen=True)
class RecordedCause:
    """A cause as the ledger recorded it."""

    trigger: Trigger | None
    """What kind of cause it is; None for a penalty assessed by hand."""
    key: str
    occurred_at: datetime
    refs: tuple[CauseRef, ...]
    facts: Cause
    contract_id: UUID | None = None
    target: str | None = None
    final: bool = True
    """Whether its lateness is known (a lapsed clock still running is not: rules that count
    minutes or bands wait for the clock to stop)."""
    extra: dict[str, str] = field(default_factory=dict)
    """Facts shown on the penalty that no rule reads (the target, the part, the loan)."""

    def applies(self, rule: Rule) -> bool:
        if rule.on is not self.trigger or (rule.targets and self.target not in rule.targets):
            return False
        counts_lateness = rule.shape is Shape.BANDED or (
            rule.shape is Shape.PER_UNIT and rule.unit is not Unit.OCCURRENCE
        )
        return self.final or not counts_lateness


def facts_for(cause: RecordedCause, rule: Rule, holders: Mapping[str, tuple[str, ...]]) -> Cause:
    """The cause's facts for a rule: the schedule's holders overlaid by the cause's own, kept to
    the roles the rule allocates to."""
    merged = {**holders, **cause.facts.holders}
    return replace(cause.facts, holders={role: merged[role] for role in sorted(rule.roles) if role in merged})


def counted_against(rule: Rule, facts: Cause, occurred_at: datetime) -> str:
    """What an escalating rule counts its occurrences by: the bearer and the period."""
    party = ", ".join(facts.holders.get(rule.remainder_to, (rule.remainder_to,)))
    return f"{rule.code}|{party}|{period_of(occurred_at)}"


def ref(event: Any, position: int | None) -> CauseRef:
    """Where an event is: its class, aggregate, version and log position."""
    return CauseRef(type(event).__qualname__, str(event.originator_id), event.originator_version, position)


def shown(facts: Cause, extra: dict[str, str]) -> dict[str, str]:
    """The facts a penalty records, as text: those that differ from a plain occurrence."""
    plain = Cause()
    values = {
        name: str(getattr(facts, name))
        for name in ("units", "minutes_late", "days_late", "measured", "occurrence", "loss", "cooperation")
        if getattr(facts, name) != getattr(plain, name)
    }
    holders = {f"holders.{role}": ", ".join(ids) for role, ids in sorted(facts.holders.items())}
    return {**extra, **values, **holders}


@dataclass(frozen=True)
class Episode:
    """A run of breach verdicts on one target, from the breach that opened it."""

    number: int
    opened_by: SlaVerdicts.VerdictRecorded | None
    was_breached: bool
    """Whether the verdict before the one read was a breach (so a non-breach closes the episode)."""


def episode_of(history: Sequence[Any], verdict: SlaVerdicts.VerdictRecorded) -> Episode:
    """The breach episode a verdict belongs to (or closes), counted over the target's verdicts up
    to it: a correction that turns a breach into met closes one; a later breach opens the next."""
    number, opened_by, breached, before = 0, None, False, False
    for earlier in history:
        if not isinstance(earlier, SlaVerdicts.VerdictRecorded) or earlier.target != verdict.target:
            continue
        if earlier.originator_version > verdict.originator_version:
            break
        before = breached
        breached = earlier.outcome is ClockStatus.BREACHED
        if breached and not before:
            number, opened_by = number + 1, earlier
    return Episode(number, opened_by, before)


def breach_cause(
    opened_by: SlaVerdicts.VerdictRecorded,
    verdict: SlaVerdicts.VerdictRecorded,
    number: int,
    trigger: Trigger,
    holders: dict[str, tuple[str, ...]],
    position: int | None,
) -> RecordedCause:
    """A ticket's breach of a target, as of `verdict` (which may be the one that opened it, or a
    later one in the same episode that knows how late the clock stopped)."""
    same = verdict.originator_version == opened_by.originator_version
    refs: tuple[CauseRef, ...] = (ref(opened_by, position if same else None),)
    if not same:
        refs += (ref(verdict, position),)
    return RecordedCause(
        trigger=trigger,
        key=f"sla:{verdict.ticket_id}:{verdict.target}:{number}",
        occurred_at=opened_by.occurred_at,
        refs=refs,
        facts=Cause(minutes_late=verdict.minutes_late, holders=holders),
        contract_id=verdict.contract_id,
        target=verdict.target,
        final=verdict.stopped_at is not None,
        extra={"ticket_id": str(verdict.ticket_id), "target": verdict.target},
    )


def facts_from(shown_facts: dict[str, str]) -> Cause:
    """The facts a penalty recorded (see `shown`), read back: what a what-if re-assesses."""
    plain = Cause()

    def number(name: str, default: Decimal) -> Decimal:
        return Decimal(shown_facts[name]) if name in shown_facts else default

    holders = {
        name.removeprefix("holders."): tuple(filter(None, value.split(", ")))
        for name, value in shown_facts.items()
        if name.startswith("holders.")
    }
    return Cause(
        units=number("units", plain.units),
        minutes_late=int(shown_facts.get("minutes_late", 0)),
        days_late=int(shown_facts.get("days_late", 0)),
        measured=Decimal(shown_facts["measured"]) if "measured" in shown_facts else None,
        loss=number("loss", plain.loss),
        cooperation=shown_facts.get("cooperation"),
        holders=holders,
    )
