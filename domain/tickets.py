"""The Ticket aggregate: a fault report, service request or complaint from report to close."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.actors import Actor, Role
from domain.errors import CorrectionNotApproved, InvalidValue, MilestoneOutOfOrder, TicketIsClosed
from domain.ticket_rules import TicketRules
from domain.ticket_terms import (
    Channel,
    Milestone,
    MilestoneRecord,
    PauseReason,
    Status,
    require_aware,
    require_code,
    require_not_future,
    require_reference,
    require_text,
)

WORKING = (Status.OPEN, Status.DISPATCHED, Status.EN_ROUTE, Status.ON_SITE, Status.RESTORED)


class Ticket(TicketRules):
    """A service ticket whose every milestone is an event with its world time and actor."""

    class Opened(Aggregate.Created):
        occurred_at: datetime
        actor: Actor
        channel: Channel
        customer_id: str
        site_id: str
        region_tier: str
        asset_id: str | None
        severity: str
        category: str
        description: str

    class Responded(Aggregate.Event):
        occurred_at: datetime
        actor: Actor

    class Escalated(Aggregate.Event):
        occurred_at: datetime
        actor: Actor
        level: int
        reason: str

    class Dispatched(Aggregate.Event):
        occurred_at: datetime
        actor: Actor
        engineer_id: str
        planned_at: datetime

    class Departed(Aggregate.Event):
        occurred_at: datetime
        actor: Actor
        eta: datetime

    class ArrivedOnSite(Aggregate.Event):
        occurred_at: datetime
        actor: Actor

    class ServiceRestored(Aggregate.Event):
        occurred_at: datetime
        actor: Actor

    class Resolved(Aggregate.Event):
        occurred_at: datetime
        actor: Actor
        fixed_first_time: bool
        resolution: str

    class SignedOff(Aggregate.Event):
        occurred_at: datetime
        actor: Actor
        satisfaction: int
        signed_by: str

    class CallbackRecorded(Aggregate.Event):
        occurred_at: datetime
        actor: Actor
        satisfaction: int
        answered_by: str

    class Closed(Aggregate.Event):
        occurred_at: datetime
        actor: Actor

    class Reopened(Aggregate.Event):
        occurred_at: datetime
        actor: Actor
        reason: str

    class Paused(Aggregate.Event):
        occurred_at: datetime
        actor: Actor
        reason: PauseReason

    class Resumed(Aggregate.Event):
        occurred_at: datetime
        actor: Actor

    class Cancelled(Aggregate.Event):
        occurred_at: datetime
        actor: Actor
        reason: str

    class ContractAssigned(Aggregate.Event):
        occurred_at: datetime
        actor: Actor
        contract_id: UUID
        contract_version: int

    class MilestoneCorrected(Aggregate.Event):
        occurred_at: datetime
        actor: Actor
        milestone: Milestone
        corrects_version: int
        original_occurred_at: datetime
        new_occurred_at: datetime
        reason: str
        approver: Actor

    @event(Opened)
    def __init__(
        self,
        occurred_at: datetime,
        actor: Actor,
        channel: Channel,
        customer_id: str,
        site_id: str,
        region_tier: str,
        asset_id: str | None,
        severity: str,
        category: str,
        description: str,
    ) -> None:
        self.status = Status.OPEN
        self.status_before_pause = Status.OPEN
        self.channel = channel
        self.customer_id = customer_id
        self.site_id = site_id
        self.region_tier = region_tier
        self.asset_id = asset_id
        self.severity = severity
        self.category = category
        self.description = description
        self.reported_at = occurred_at
        self.engineer_id: str | None = None
        self.escalation_level = 0
        self.fixed_first_time: bool | None = None
        self.satisfaction: int | None = None
        self.has_feedback = False
        self.reopen_count = 0
        self.milestones = [MilestoneRecord(1, Milestone.REPORTED, occurred_at, actor.id)]
        self.pause_reasons: dict[int, PauseReason] = {}
        self.contract_id: UUID | None = None
        self.contract_version: int | None = None

    @classmethod
    def open(
        cls,
        ticket_id: UUID,
        *,
        reported_at: datetime,
        actor: Actor,
        channel: Channel,
        customer_id: str,
        site_id: str,
        region_tier: str,
        asset_id: str | None,
        severity: str,
        category: str,
        description: str,
        now: datetime,
    ) -> Ticket:
        """Open a ticket for a report received at `reported_at`."""
        require_not_future("reported_at", reported_at, now)
        return cls._create(
            cls.Opened,
            id=ticket_id,
            occurred_at=reported_at,
            actor=actor,
            channel=channel,
            customer_id=require_code("customer_id", customer_id),
            site_id=require_code("site_id", site_id),
            region_tier=require_code("region_tier", region_tier),
            asset_id=None if asset_id is None else require_reference("asset_id", asset_id),
            severity=require_code("severity", severity),
            category=require_code("category", category),
            description=require_text("description", description),
        )

    def respond(self, occurred_at: datetime, actor: Actor, now: datetime) -> None:
        """Record the first contact with the reporter."""
        self._check_time(occurred_at, now)
        self._require_working()
        if self.latest(Milestone.RESPONDED) is not None:
            raise MilestoneOutOfOrder("the ticket was already responded to", field="occurred_at")
        self._responded(occurred_at=occurred_at, actor=actor)

    @event(Responded)
    def _responded(self, occurred_at: datetime, actor: Actor) -> None:
        self._track(Milestone.RESPONDED, occurred_at, actor)

    def escalate(self, level: int, reason: str, occurred_at: datetime, actor: Actor, now: datetime) -> None:
        """Escalate to a higher support level, with the reason."""
        self._check_time(occurred_at, now)
        self._require_not_finished()
        if level <= self.escalation_level:
            msg = f"escalation level must rise above {self.escalation_level}"
            raise InvalidValue(msg, field="level", level=level)
        self._escalated(
            occurred_at=occurred_at, actor=actor, level=level, reason=require_text("reason", reason)
        )

    @event(Escalated)
    def _escalated(self, occurred_at: datetime, actor: Actor, level: int, reason: str) -> None:
        self.escalation_level = level
        self._track(Milestone.ESCALATED, occurred_at, actor)

    def dispatch(
        self, engineer_id: str, planned_at: datetime, occurred_at: datetime, actor: Actor, now: datetime
    ) -> None:
        """Assign an engineer, with the planned time of the visit."""
        self._check_time(occurred_at, now)
        self._require_working()
        require_aware("planned_at", planned_at)
        self._dispatched(
            occurred_at=occurred_at,
            actor=actor,
            engineer_id=require_code("engineer_id", engineer_id),
            planned_at=planned_at,
        )

    @event(Dispatched)
    def _dispatched(
        self, occurred_at: datetime, actor: Actor, engineer_id: str, planned_at: datetime
    ) -> None:
        self.engineer_id = engineer_id
        self.status = Status.DISPATCHED
        self._track(Milestone.DISPATCHED, occurred_at, actor)

    def depart(self, eta: datetime, occurred_at: datetime, actor: Actor, now: datetime) -> None:
        """The dispatched engineer set off, expecting to arrive at `eta`."""
        self._check_time(occurred_at, now)
        self._require_status(Milestone.DEPARTED, Status.DISPATCHED)
        self._check_after_predecessor(Milestone.DEPARTED, occurred_at)
        if require_aware("eta", eta) < occurred_at:
            raise InvalidValue("eta must not be before the departure", field="eta")
        self._departed(occurred_at=occurred_at, actor=actor, eta=eta)

    @event(Departed)
    def _departed(self, occurred_at: datetime, actor: Actor, eta: datetime) -> None:
        self.status = Status.EN_ROUTE
        self._track(Milestone.DEPARTED, occurred_at, actor)

    def arrive(self, occurred_at: datetime, actor: Actor, now: datetime) -> None:
        """The engineer arrived on site."""
        self._check_time(occurred_at, now)
        self._require_status(Milestone.ARRIVED, Status.DISPATCHED, Status.EN_ROUTE)
        self._check_after_predecessor(Milestone.ARRIVED, occurred_at)
        self._arrived(occurred_at=occurred_at, actor=actor)

    @event(ArrivedOnSite)
    def _arrived(self, occurred_at: datetime, actor: Actor) -> None:
        self.status = Status.ON_SITE
        self._track(Milestone.ARRIVED, occurred_at, actor)

    def restore(self, occurred_at: datetime, actor: Actor, now: datetime) -> None:
        """Service is restored (a workaround or backup); the fault may still need fixing."""
        self._check_time(occurred_at, now)
        self._require_status(
            Milestone.RESTORED, Status.OPEN, Status.DISPATCHED, Status.EN_ROUTE, Status.ON_SITE
        )
        self._restored(occurred_at=occurred_at, actor=actor)

    @event(ServiceRestored)
    def _restored(self, occurred_at: datetime, actor: Actor) -> None:
        self.status = Status.RESTORED
        self._track(Milestone.RESTORED, occurred_at, actor)

    def resolve(
        self, fixed_first_time: bool, resolution: str, occurred_at: datetime, actor: Actor, now: datetime
    ) -> None:
        """The fault is fixed (or the request fulfilled)."""
        self._check_time(occurred_at, now)
        self._require_status(Milestone.RESOLVED, *WORKING)
        self._resolved(
            occurred_at=occurred_at,
            actor=actor,
            fixed_first_time=fixed_first_time,
            resolution=require_text("resolution", resolution),
        )

    @event(Resolved)
    def _resolved(self, occurred_at: datetime, actor: Actor, fixed_first_time: bool, resolution: str) -> None:
        self.status = Status.RESOLVED
        self.fixed_first_time = fixed_first_time
        self._track(Milestone.RESOLVED, occurred_at, actor)

    def sign_off(
        self, satisfaction: int, signed_by: str, occurred_at: datetime, actor: Actor, now: datetime
    ) -> None:
        """The customer signed the service report, rating satisfaction 1 to 5."""
        self._check_feedback(Milestone.SIGNED_OFF, satisfaction, occurred_at, now)
        self._signed_off(
            occurred_at=occurred_at,
            actor=actor,
            satisfaction=satisfaction,
            signed_by=require_text("signed_by", signed_by),
        )

    @event(SignedOff)
    def _signed_off(self, occurred_at: datetime, actor: Actor, satisfaction: int, signed_by: str) -> None:
        self._feedback(satisfaction)
        self._track(Milestone.SIGNED_OFF, occurred_at, actor)

    def record_callback(
        self, satisfaction: int, answered_by: str, occurred_at: datetime, actor: Actor, now: datetime
    ) -> None:
        """A callback reached the customer, who rated satisfaction 1 to 5."""
        self._check_feedback(Milestone.CALLBACK, satisfaction, occurred_at, now)
        self._callback(
            occurred_at=occurred_at,
            actor=actor,
            satisfaction=satisfaction,
            answered_by=require_text("answered_by", answered_by),
        )

    @event(CallbackRecorded)
    def _callback(self, occurred_at: datetime, actor: Actor, satisfaction: int, answered_by: str) -> None:
        self._feedback(satisfaction)
        self._track(Milestone.CALLBACK, occurred_at, actor)

    def close(self, occurred_at: datetime, actor: Actor, now: datetime) -> None:
        """Close a resolved ticket that has the customer's sign-off or a callback."""
        self._check_time(occurred_at, now)
        self._require_status(Milestone.CLOSED, Status.RESOLVED)
        if not self.has_feedback:
            msg = "a ticket closes only after a customer sign-off or a callback"
            raise MilestoneOutOfOrder(msg, field="occurred_at")
        self._check_after_predecessor(Milestone.CLOSED, occurred_at)
        self._closed(occurred_at=occurred_at, actor=actor)

    @event(Closed)
    def _closed(self, occurred_at: datetime, actor: Actor) -> None:
        self.status = Status.CLOSED
        self._track(Milestone.CLOSED, occurred_at, actor)

    def reopen(self, reason: str, occurred_at: datetime, actor: Actor, now: datetime) -> None:
        """Reopen a resolved or closed ticket whose fault came back."""
        self._check_time(occurred_at, now)
        if self.status is Status.CANCELLED:
            raise TicketIsClosed("a cancelled ticket cannot be reopened", status=self.status.value)
        if self.status not in (Status.RESOLVED, Status.CLOSED):
            msg = f"only a resolved or closed ticket can be reopened, not a {self.status.value} one"
            raise MilestoneOutOfOrder(msg, field="occurred_at", status=self.status.value)
        self._check_after_predecessor(Milestone.REOPENED, occurred_at)
        self._reopened(occurred_at=occurred_at, actor=actor, reason=require_text("reason", reason))

    @event(Reopened)
    def _reopened(self, occurred_at: datetime, actor: Actor, reason: str) -> None:
        self.status = Status.OPEN
        self.has_feedback = False
        self.reopen_count += 1
        self._track(Milestone.REOPENED, occurred_at, actor)

    def pause(self, reason: PauseReason, occurred_at: datetime, actor: Actor, now: datetime) -> None:
        """Stop the clocks while the ticket waits, for a stated reason."""
        self._check_time(occurred_at, now)
        self._require_working()
        self._check_after_predecessor(Milestone.PAUSED, occurred_at)
        self._paused(occurred_at=occurred_at, actor=actor, reason=reason)

    @event(Paused)
    def _paused(self, occurred_at: datetime, actor: Actor, reason: PauseReason) -> None:
        self.status_before_pause = self.status
        self.status = Status.PAUSED
        self.pause_reasons[self.version + 1] = reason
        self._track(Milestone.PAUSED, occurred_at, actor)

    def resume(self, occurred_at: datetime, actor: Actor, now: datetime) -> None:
        """Restart the clocks of a paused ticket."""
        self._check_time(occurred_at, now)
        self._require_status(Milestone.RESUMED, Status.PAUSED)
        self._check_after_predecessor(Milestone.RESUMED, occurred_at)
        self._resumed(occurred_at=occurred_at, actor=actor)

    @event(Resumed)
    def _resumed(self, occurred_at: datetime, actor: Actor) -> None:
        self.status = self.status_before_pause
        self._track(Milestone.RESUMED, occurred_at, actor)

    def cancel(self, reason: str, occurred_at: datetime, actor: Actor, now: datetime) -> None:
        """Cancel a ticket that needs no service, with the reason."""
        self._check_time(occurred_at, now)
        self._require_not_finished()
        self._cancelled(occurred_at=occurred_at, actor=actor, reason=require_text("reason", reason))

    @event(Cancelled)
    def _cancelled(self, occurred_at: datetime, actor: Actor, reason: str) -> None:
        self.status = Status.CANCELLED
        self._track(Milestone.CANCELLED, occurred_at, actor)

    def _feedback(self, satisfaction: int) -> None:
        self.satisfaction = satisfaction
        self.has_feedback = True

    def assign_contract(self, contract_id: UUID, contract_version: int, actor: Actor, now: datetime) -> None:
        """Record the contract version whose terms govern this ticket's clocks."""
        self._contract_assigned(
            occurred_at=now, actor=actor, contract_id=contract_id, contract_version=contract_version
        )

    @event(ContractAssigned)
    def _contract_assigned(
        self, occurred_at: datetime, actor: Actor, contract_id: UUID, contract_version: int
    ) -> None:
        self.contract_id = contract_id
        self.contract_version = contract_version

    def correct_milestone(
        self,
        corrects_version: int,
        new_occurred_at: datetime,
        reason: str,
        actor: Actor,
        approver: Actor,
        now: datetime,
    ) -> None:
        """Replace the occurred time of one milestone, approved by a manager other than its actor."""
        record = self.record_at(corrects_version)
        if approver.role is not Role.MANAGER:
            raise CorrectionNotApproved("a correction needs a manager's approval", field="approver")
        if approver.id == record.actor_id:
            msg = "the approver recorded that milestone and cannot approve its correction"
            raise CorrectionNotApproved(msg, field="approver", approver=approver.id)
        require_not_future("occurred_at", new_occurred_at, now)
        self.check_corrected_order(record, new_occurred_at)
        self._milestone_corrected(
            occurred_at=now,
            actor=actor,
            milestone=record.milestone,
            corrects_version=corrects_version,
            original_occurred_at=record.occurred_at,
            new_occurred_at=new_occurred_at,
            reason=require_text("reason", reason),
            approver=approver,
        )

    @event(MilestoneCorrected)
    def _milestone_corrected(
        self,
        occurred_at: datetime,
        actor: Actor,
        milestone: Milestone,
        corrects_version: int,
        original_occurred_at: datetime,
        new_occurred_at: datetime,
        reason: str,
        approver: Actor,
    ) -> None:
        self.milestones = [
            MilestoneRecord(r.version, r.milestone, new_occurred_at, r.actor_id)
            if r.version == corrects_version
            else r
            for r in self.milestones
        ]
        if milestone is Milestone.REPORTED:
            self.reported_at = new_occurred_at
