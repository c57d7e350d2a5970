"""SLA verdicts as events: each target's breach or met stop, and each escalation falling due.

One `SlaVerdicts` aggregate per ticket holds what the ledger has concluded about its clocks. It
is settled from the ticket's clocks again and again (after every ticket event, and by a sweeper
as due times pass); it records an event only when a conclusion changes, so settling is
idempotent. A changed conclusion (a correction that turns a breach into met) is a new event and
the earlier one stays in history.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.actors import Actor
from domain.clocks import ClockReading, ClockStatus

VERDICTS = uuid5(NAMESPACE_URL, "urn:service-ledger:sla-verdicts")
OPEN_STATES = (ClockStatus.NOT_STARTED, ClockStatus.RUNNING, ClockStatus.PAUSED)


def verdicts_id_for(ticket_id: UUID) -> UUID:
    """A ticket's verdicts have an id derived from the ticket's."""
    return uuid5(VERDICTS, str(ticket_id))


@dataclass(frozen=True)
class Finding:
    """What a clock says now: its outcome, due time and stop (None for a lapse at the due time)."""

    outcome: ClockStatus
    due_at: datetime | None
    stopped_at: datetime | None


def finding_of(clock: ClockReading) -> Finding | None:
    """The conclusion a clock supports, or None while nothing is concluded.

    A stopped clock is met, breached or ended. A running clock past its due time is a breach
    recorded at the due time, except an escalate-after clock: there escalation falls due.
    """
    if clock.stopped_at is not None:
        return Finding(clock.status, clock.due_at, clock.stopped_at)
    if clock.status is ClockStatus.BREACHED and not clock.escalates:
        return Finding(ClockStatus.BREACHED, clock.due_at, None)
    return None


class SlaVerdicts(Aggregate):
    """The verdicts on one ticket's SLA clocks, each recorded once."""

    class Started(Aggregate.Created):
        ticket_id: UUID

    class VerdictRecorded(Aggregate.Event):
        occurred_at: datetime
        """The stop that decided it, or the due time of a lapse."""
        actor: Actor
        ticket_id: UUID
        ticket_version: int
        """The ticket version the verdict was read from: its last event is the cause."""
        contract_id: UUID
        contract_version: int
        target: str
        outcome: ClockStatus
        due_at: datetime | None
        stopped_at: datetime | None
        minutes_late: int
        business_minutes: int

    class EscalationBecameDue(Aggregate.Event):
        occurred_at: datetime
        actor: Actor
        ticket_id: UUID
        ticket_version: int
        contract_id: UUID
        contract_version: int
        target: str
        due_at: datetime

    @event(Started)
    def __init__(self, ticket_id: UUID) -> None:
        self.ticket_id = ticket_id
        self.findings: dict[str, Finding] = {}
        self.escalations_due: dict[str, datetime] = {}

    @classmethod
    def start(cls, ticket_id: UUID) -> SlaVerdicts:
        return cls._create(cls.Started, id=verdicts_id_for(ticket_id), ticket_id=ticket_id)

    def settle(
        self,
        clocks: Sequence[ClockReading],
        ticket_version: int,
        contract: tuple[UUID, int],
        actor: Actor,
        now: datetime,
    ) -> None:
        """Record every conclusion the clocks support that differs from the one recorded.

        `contract` is the id and version the clocks were read under.
        """
        contract_id, contract_version = contract
        for clock in clocks:
            self._settle_verdict(clock, ticket_version, contract, actor, now)
            due = clock.due_at
            if clock.escalation_due and due is not None and self.escalations_due.get(clock.target) != due:
                self._escalation_due(
                    occurred_at=due,
                    actor=actor,
                    ticket_id=self.ticket_id,
                    ticket_version=ticket_version,
                    contract_id=contract_id,
                    contract_version=contract_version,
                    target=clock.target,
                    due_at=due,
                )

    def _settle_verdict(
        self,
        clock: ClockReading,
        ticket_version: int,
        contract: tuple[UUID, int],
        actor: Actor,
        now: datetime,
    ) -> None:
        finding = finding_of(clock)
        recorded = self.findings.get(clock.target)
        if finding == recorded or (
            recorded is None and (finding is None or finding.outcome is ClockStatus.ENDED)
        ):
            return
        if finding is None:
            # A correction reopened a clock that had a verdict: the verdict is withdrawn.
            finding = Finding(clock.status, clock.due_at, None)
        self._verdict(
            occurred_at=finding.stopped_at or finding.due_at or now,
            actor=actor,
            ticket_id=self.ticket_id,
            ticket_version=ticket_version,
            contract_id=contract[0],
            contract_version=contract[1],
            target=clock.target,
            outcome=finding.outcome,
            due_at=finding.due_at,
            stopped_at=finding.stopped_at,
            minutes_late=clock.minutes_late if finding.stopped_at is not None else 0,
            business_minutes=clock.business_minutes,
        )

    @event(VerdictRecorded)
    def _verdict(
        self,
        occurred_at: datetime,
        actor: Actor,
        ticket_id: UUID,
        ticket_version: int,
        contract_id: UUID,
        contract_version: int,
        target: str,
        outcome: ClockStatus,
        due_at: datetime | None,
        stopped_at: datetime | None,
        minutes_late: int,
        business_minutes: int,
    ) -> None:
        if outcome in OPEN_STATES:
            self.findings.pop(target, None)
        else:
            self.findings[target] = Finding(outcome, due_at, stopped_at)

    @event(EscalationBecameDue)
    def _escalation_due(
        self,
        occurred_at: datetime,
        actor: Actor,
        ticket_id: UUID,
        ticket_version: int,
        contract_id: UUID,
        contract_version: int,
        target: str,
        due_at: datetime,
    ) -> None:
        self.escalations_due[target] = due_at
