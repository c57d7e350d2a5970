"""The Penalty aggregate: one assessment of one rule for one cause, and its life after.

A penalty is assessed (under a schedule version, with the events that caused it) and allocated
among its parties in one step; a party may dispute it, with a reason; a manager who is not a party
upholds or waives the dispute, with a reason; finance settles it against a claim payout, a vendor
invoice or a payroll period; and it can be reversed, by hand or when its cause is corrected.
Nothing is changed or removed: each step is an event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import Enum
from uuid import NAMESPACE_URL, UUID, uuid5
from zoneinfo import ZoneInfo

from eventsourcing.domain import Aggregate, event

from domain.actors import Actor, Role
from domain.errors import NotFound, RuleViolation
from domain.penalty_rules import Assessment, Line, Measure
from domain.ticket_terms import require_text

PENALTIES = uuid5(NAMESPACE_URL, "urn:service-ledger:penalty")
PERIOD_ZONE = ZoneInfo("Asia/Shanghai")
"""A penalty belongs to the month its cause occurred in, in this zone (as KPIs do)."""
DECIDERS = frozenset({Role.MANAGER, Role.SERVICE_DIRECTOR, Role.GENERAL_MANAGER})
"""Who decides a dispute: management, never a party to the penalty."""


def penalty_id_for(cause_key: str, schedule_id: UUID, rule: str) -> UUID:
    """One penalty per cause per rule of a schedule: the id says which."""
    return uuid5(PENALTIES, f"{cause_key}|{schedule_id}|{rule}")


def period_of(at: datetime) -> str:
    return at.astimezone(PERIOD_ZONE).strftime("%Y-%m")


class PenaltyStatus(Enum):
    ALLOCATED = "allocated"
    DISPUTED = "disputed"
    UPHELD = "upheld"
    WAIVED = "waived"
    SETTLED = "settled"
    REVERSED = "reversed"


class Settlement(Enum):
    """What a penalty is offset against."""

    CLAIM_PAYOUT = "claim_payout"
    VENDOR_INVOICE = "vendor_invoice"
    PAYROLL = "payroll"


@dataclass(frozen=True)
class CauseRef:
    """An event a penalty (or its reversal) was assessed from: what it is and where it is."""

    event: str
    originator_id: str
    version: int
    position: int | None


@dataclass(frozen=True)
class ScheduleRef:
    """The schedule version a penalty was assessed under: a contract's, or a rule book's."""

    kind: str
    """`contract` or `book`."""
    id: UUID
    version: int
    name: str


class PenaltyNotFound(NotFound):
    code = "penalty-not-found"
    id_field = "penalty_id"


class PenaltyRuleViolation(RuleViolation):
    """The penalty's lifecycle refuses the step."""

    code = "penalty-rule-violation"


class Penalty(Aggregate):
    """A penalty assessed against its parties, and what became of it."""

    class Assessed(Aggregate.Created):
        occurred_at: datetime
        """When its cause occurred: the time the schedule version was chosen for."""
        actor: Actor
        period: str
        schedule_kind: str
        schedule_id: UUID
        schedule_version: int
        schedule_name: str
        rule: str
        trigger: str
        """The kind of cause: a trigger of the schedule format, or `manual`."""
        cause_key: str
        causes: list[CauseRef]
        facts: dict[str, str]
        measure: Measure
        total: Decimal
        basis: str
        tier: int | None
        remedy: str | None
        capped: bool
        reason: str | None

    class Allocated(Aggregate.Event):
        occurred_at: datetime
        actor: Actor
        lines: list[Line]

    class Disputed(Aggregate.Event):
        occurred_at: datetime
        actor: Actor
        reason: str

    class Upheld(Aggregate.Event):
        occurred_at: datetime
        actor: Actor
        reason: str

    class Waived(Aggregate.Event):
        occurred_at: datetime
        actor: Actor
        reason: str

    class Settled(Aggregate.Event):
        occurred_at: datetime
        actor: Actor
        against: Settlement
        reference: str

    class Reversed(Aggregate.Event):
        occurred_at: datetime
        actor: Actor
        reason: str
        causes: list[CauseRef]

    @event(Assessed)
    def __init__(
        self,
        occurred_at: datetime,
        actor: Actor,
        period: str,
        schedule_kind: str,
        schedule_id: UUID,
        schedule_version: int,
        schedule_name: str,
        rule: str,
        trigger: str,
        cause_key: str,
        causes: list[CauseRef],
        facts: dict[str, str],
        measure: Measure,
        total: Decimal,
        basis: str,
        tier: int | None,
        remedy: str | None,
        capped: bool,
        reason: str | None,
    ) -> None:
        self.occurred_at = occurred_at
        self.assessed_by = actor
        self.period = period
        self.schedule = ScheduleRef(schedule_kind, schedule_id, schedule_version, schedule_name)
        self.rule = rule
        self.trigger = trigger
        self.cause_key = cause_key
        self.causes = tuple(causes)
        self.facts = facts
        self.measure = measure
        self.total = total
        self.basis = basis
        self.tier = tier
        self.remedy = remedy
        self.capped = capped
        self.reason = reason
        self.lines: tuple[Line, ...] = ()
        self.status = PenaltyStatus.ALLOCATED
        self.dispute: str | None = None
        self.decision: str | None = None
        self.settled_against: tuple[Settlement, str] | None = None
        self.reversal: str | None = None

    @classmethod
    def assess(
        cls,
        penalty_id: UUID,
        schedule: ScheduleRef,
        trigger: str,
        cause: tuple[str, datetime, Sequence[CauseRef], dict[str, str]],
        assessment: Assessment,
        actor: Actor,
        now: datetime,
        reason: str | None = None,
    ) -> Penalty:
        """Assess and allocate in one step. `cause` is its key, time, events and the facts as read."""
        key, occurred_at, causes, facts = cause
        penalty = cls._create(
            cls.Assessed,
            id=penalty_id,
            occurred_at=occurred_at,
            actor=actor,
            period=period_of(occurred_at),
            schedule_kind=schedule.kind,
            schedule_id=schedule.id,
            schedule_version=schedule.version,
            schedule_name=schedule.name,
            rule=assessment.rule,
            trigger=trigger,
            cause_key=key,
            causes=list(causes),
            facts=facts,
            measure=assessment.measure,
            total=assessment.total,
            basis=assessment.basis,
            tier=assessment.tier,
            remedy=assessment.remedy,
            capped=assessment.capped,
            reason=reason,
        )
        penalty._allocated(occurred_at=now, actor=actor, lines=list(assessment.lines))
        return penalty

    @event(Allocated)
    def _allocated(self, occurred_at: datetime, actor: Actor, lines: list[Line]) -> None:
        self.lines = tuple(lines)

    @property
    def parties(self) -> tuple[str, ...]:
        """Who bears a line: its holder, or the role itself where the role has no named holder."""
        return tuple(dict.fromkeys(party_of(line) for line in self.lines))

    def dispute_it(self, reason: str, actor: Actor, now: datetime) -> None:
        """A party disputes its penalty, with a reason."""
        self._require(PenaltyStatus.ALLOCATED, doing="dispute")
        if actor.id not in self.parties:
            msg = f"only a party to the penalty disputes it ({', '.join(self.parties)})"
            raise PenaltyRuleViolation(msg, field="actor")
        self._disputed(occurred_at=now, actor=actor, reason=require_text("reason", reason))

    @event(Disputed)
    def _disputed(self, occurred_at: datetime, actor: Actor, reason: str) -> None:
        self.status = PenaltyStatus.DISPUTED
        self.dispute = reason

    def decide(self, waive: bool, reason: str, actor: Actor, now: datetime) -> None:
        """A manager who is not a party upholds or waives a disputed penalty, with a reason."""
        self._require(PenaltyStatus.DISPUTED, doing="waive" if waive else "uphold")
        if actor.role not in DECIDERS:
            raise PenaltyRuleViolation("only management decides a dispute", field="actor")
        if actor.id in self.parties:
            msg = f"{actor.id} is a party to the penalty and cannot decide its dispute"
            raise PenaltyRuleViolation(msg, field="actor")
        decided = self._waived if waive else self._upheld
        decided(occurred_at=now, actor=actor, reason=require_text("reason", reason))

    @event(Upheld)
    def _upheld(self, occurred_at: datetime, actor: Actor, reason: str) -> None:
        self.status = PenaltyStatus.UPHELD
        self.decision = reason

    @event(Waived)
    def _waived(self, occurred_at: datetime, actor: Actor, reason: str) -> None:
        self.status = PenaltyStatus.WAIVED
        self.decision = reason

    def settle(self, against: Settlement, reference: str, actor: Actor, now: datetime) -> None:
        """Offset the penalty against a payout, an invoice or a payroll period."""
        self._require(PenaltyStatus.ALLOCATED, PenaltyStatus.UPHELD, doing="settle")
        self._settled(
            occurred_at=now, actor=actor, against=against, reference=require_text("reference", reference)
        )

    @event(Settled)
    def _settled(self, occurred_at: datetime, actor: Actor, against: Settlement, reference: str) -> None:
        self.status = PenaltyStatus.SETTLED
        self.settled_against = (against, reference)

    def reverse(self, reason: str, causes: Sequence[CauseRef], actor: Actor, now: datetime) -> None:
        """Take the penalty back: it stays in history beside its reversal."""
        if self.status in (PenaltyStatus.REVERSED, PenaltyStatus.WAIVED):
            msg = f"the penalty is {self.status.value}; there is nothing to reverse"
            raise PenaltyRuleViolation(msg, field="status", status=self.status.value)
        self._reversed(
            occurred_at=now, actor=actor, reason=require_text("reason", reason), causes=list(causes)
        )

    @event(Reversed)
    def _reversed(self, occurred_at: datetime, actor: Actor, reason: str, causes: list[CauseRef]) -> None:
        self.status = PenaltyStatus.REVERSED
        self.reversal = reason

    def _require(self, *allowed: PenaltyStatus, doing: str) -> None:
        if self.status not in allowed:
            msg = f"cannot {doing} a penalty that is {self.status.value}"
            raise PenaltyRuleViolation(msg, field="status", status=self.status.value)


def party_of(line: Line) -> str:
    return line.holder or line.role
