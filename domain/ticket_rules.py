"""The checks a ticket applies before it records a milestone or a correction."""

from __future__ import annotations

from datetime import datetime

from eventsourcing.domain import Aggregate

from domain.actors import Actor
from domain.errors import InvalidValue, MilestoneOutOfOrder, OccurredTimeInvalid, TicketIsClosed
from domain.ticket_terms import PREDECESSORS, Milestone, MilestoneRecord, Status, require_not_future

FINISHED = (Status.CLOSED, Status.CANCELLED)


class TicketRules(Aggregate):
    """The milestone bookkeeping and ordering rules that every ticket command checks."""

    reported_at: datetime
    milestones: list[MilestoneRecord]
    status: Status

    def latest(self, milestone: Milestone, before_version: int | None = None) -> MilestoneRecord | None:
        """The most recent milestone of a kind, optionally before a given event version."""
        for record in reversed(self.milestones):
            if record.milestone is milestone and (before_version is None or record.version < before_version):
                return record
        return None

    def record_at(self, version: int) -> MilestoneRecord:
        for record in self.milestones:
            if record.version == version:
                return record
        msg = f"event {version} of this ticket is not a milestone"
        raise InvalidValue(msg, field="corrects_version", corrects_version=version)

    def check_corrected_order(self, record: MilestoneRecord, new_time: datetime) -> None:
        if record.milestone is Milestone.REPORTED:
            later = [r.occurred_at for r in self.milestones if r.version != record.version]
            if later and new_time > min(later):
                msg = "the report time cannot move after the ticket's first milestone"
                raise MilestoneOutOfOrder(msg, field="occurred_at")
            return
        if new_time < self.reported_at:
            raise OccurredTimeInvalid("a milestone cannot precede the report", field="occurred_at")
        for kind in PREDECESSORS.get(record.milestone, ()):
            before = self.latest(kind, before_version=record.version)
            if before is not None and new_time < before.occurred_at:
                msg = f"{record.milestone.value} cannot precede {before.milestone.value}"
                raise MilestoneOutOfOrder(msg, field="occurred_at")
        for later_record in self._followers(record):
            if new_time > later_record.occurred_at:
                follower = later_record.milestone.value
                msg = f"{record.milestone.value} cannot follow the {follower} that depends on it"
                raise MilestoneOutOfOrder(msg, field="occurred_at")

    def _followers(self, record: MilestoneRecord) -> list[MilestoneRecord]:
        """Later milestones whose nearest predecessor is this record."""
        return [
            r
            for r in self.milestones
            if r.version > record.version
            and record.milestone in PREDECESSORS.get(r.milestone, ())
            and self.latest(record.milestone, before_version=r.version) == record
        ]

    def _check_time(self, occurred_at: datetime, now: datetime) -> None:
        require_not_future("occurred_at", occurred_at, now)
        if occurred_at < self.reported_at:
            reported = self.reported_at.isoformat()
            msg = f"occurred_at {occurred_at.isoformat()} is before the report at {reported}"
            raise OccurredTimeInvalid(msg, field="occurred_at")

    def _track(self, milestone: Milestone, occurred_at: datetime, actor: Actor) -> None:
        self.milestones.append(MilestoneRecord(self.version + 1, milestone, occurred_at, actor.id))

    def _check_feedback(
        self, milestone: Milestone, satisfaction: int, occurred_at: datetime, now: datetime
    ) -> None:
        self._check_time(occurred_at, now)
        self._require_status(milestone, Status.RESOLVED)
        if not 1 <= satisfaction <= 5:  # noqa: PLR2004 - the satisfaction scale is 1 to 5
            raise InvalidValue(
                "satisfaction must be from 1 to 5", field="satisfaction", satisfaction=satisfaction
            )
        self._check_after_predecessor(milestone, occurred_at)

    def _check_after_predecessor(self, milestone: Milestone, occurred_at: datetime) -> None:
        for kind in PREDECESSORS.get(milestone, ()):
            before = self.latest(kind)
            if before is not None and occurred_at < before.occurred_at:
                when = before.occurred_at.isoformat()
                msg = f"{milestone.value} cannot precede {before.milestone.value} at {when}"
                raise MilestoneOutOfOrder(msg, field="occurred_at")

    def _require_not_finished(self) -> None:
        if self.status in FINISHED:
            raise TicketIsClosed(f"the ticket is {self.status.value}", status=self.status.value)

    def _require_working(self) -> None:
        self._require_not_finished()
        if self.status is Status.PAUSED:
            raise MilestoneOutOfOrder("the ticket is paused; resume it first", status=self.status.value)
        if self.status is Status.RESOLVED:
            raise MilestoneOutOfOrder("the ticket is resolved; reopen it first", status=self.status.value)

    def _require_status(self, milestone: Milestone, *allowed: Status) -> None:
        self._require_not_finished()
        if self.status not in allowed:
            names = ", ".join(s.value for s in allowed)
            msg = f"{milestone.value} needs a ticket that is {names}; this one is {self.status.value}"
            raise MilestoneOutOfOrder(msg, status=self.status.value)
