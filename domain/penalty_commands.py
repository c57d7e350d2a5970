"""Penalties: assessed from recorded causes under the schedule versions in force when each
occurred, assessed by hand from a rule book, and taken through dispute, decision, settlement and
reversal. Assessing is idempotent: a penalty's id is its cause, schedule and rule, so a cause read
again (a processor restarting) finds its penalty already recorded and records nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from domain.actors import Actor, Role
from domain.clocks import ClockStatus
from domain.errors import ConcurrentUpdate, InvalidValue
from domain.ledger_base import Recorded
from domain.old_part_commands import OldPartCommands
from domain.old_parts import OldParts
from domain.penalties import (
    CauseRef,
    Penalty,
    PenaltyNotFound,
    PenaltyRuleViolation,
    PenaltyStatus,
    ScheduleRef,
    Settlement,
    penalty_id_for,
    period_of,
)
from domain.penalty_book_commands import InForce, PenaltyBookCommands
from domain.penalty_books import PenaltyBook, PenaltyBookNotFound, PenaltyTally, book_id_for
from domain.penalty_causes import (
    HOTLINE,
    SIGN_OFF_STOPS,
    RecordedCause,
    breach_cause,
    counted_against,
    episode_of,
    facts_for,
    ref,
    shown,
)
from domain.penalty_rules import Cause, Rule, Shape, Trigger, assess
from domain.sla_verdicts import SlaVerdicts
from domain.stock import StockItem

PENALTY_ASSESSOR = Actor("penalty-assessor", Role.SYSTEM)
"""The actor on every penalty the ledger assesses by itself, and on automatic reversals."""
CORRECTED = "its cause was corrected: the SLA verdict is no longer a breach"


class PenaltyCommands(PenaltyBookCommands, OldPartCommands):
    """Assesses penalties from causes, by hand and automatically, and records their lifecycle."""

    # --- automatic assessment ---------------------------------------------------------------------

    def assess_event(self, event: Any, position: int | None = None) -> list[Recorded]:
        """Assess (or reverse) what one recorded event causes; already-recorded penalties are left."""
        reading = self.read_cause(event, position)
        if reading is None:
            return []
        cause, stands = reading
        return self.assess_cause(cause) if stands else self.reverse_cause(cause, CORRECTED)

    def read_cause(self, event: Any, position: int | None = None) -> tuple[RecordedCause, bool] | None:
        """The cause an event records, and whether it stands (False: a correction withdrew it,
        and the cause's refs are the correction's)."""
        if isinstance(event, SlaVerdicts.VerdictRecorded):
            return self._from_verdict(event, position)
        read = {
            "Claim.Submitted": self._late_claim,
            "OldParts.ReturnedLate": self._late_old_parts,
            "StockItem.FellBelowSafetyStock": self._below_safety_stock,
            "Asset.LentLate": self._late_backup_unit,
        }.get(type(event).__qualname__)
        cause = None if read is None else read(event, (ref(event, position),))
        return None if cause is None else (cause, True)

    def assess_cause(self, cause: RecordedCause, actor: Actor = PENALTY_ASSESSOR) -> list[Recorded]:
        """A penalty for each rule the cause triggers in each schedule in force when it occurred."""
        recorded = []
        for in_force in self.schedules_in_force(cause.occurred_at, cause.contract_id):
            for rule in in_force.schedule.rules:
                if cause.applies(rule):
                    done = self._assess_once(cause, in_force, rule, actor, None)
                    recorded += [done] if done else []
        return recorded

    def reverse_cause(
        self, cause: RecordedCause, reason: str, actor: Actor = PENALTY_ASSESSOR
    ) -> list[Recorded]:
        """Reverse every penalty the cause assessed that still stands, citing the cause's refs."""
        recorded = []
        for in_force in self.schedules_in_force(cause.occurred_at, cause.contract_id):
            for rule in in_force.schedule.rules:
                penalty = self._find(penalty_id_for(cause.key, in_force.ref.id, rule.code), Penalty)
                if penalty is not None and penalty.status not in (
                    PenaltyStatus.REVERSED,
                    PenaltyStatus.WAIVED,
                ):
                    penalty.reverse(reason, cause.refs, actor, self.clock())
                    recorded.append(self._save(penalty))
        return recorded

    def assess_manually(
        self, book_code: str, rule_code: str, facts: Cause, occurred_at: datetime, reason: str, actor: Actor
    ) -> Recorded:
        """A fine from a rule book, recorded with its actor, cause and reason."""
        in_force = self._book_in_force(book_code, occurred_at)
        rule = self._rule(in_force, rule_code)
        cause = RecordedCause(None, f"manual:{uuid4()}", occurred_at, (), facts)
        done = self._assess_once(cause, in_force, rule, actor, reason)
        assert done is not None
        return done

    def assess_kpi(
        self,
        book_code: str,
        rule_code: str,
        period_end: datetime,
        group: str | None,
        measured: Any,
        source: str,
    ) -> Recorded | None:
        """A KPI rule at the close of the period ending at `period_end`, for one party (or the
        whole, without `per`); None if it was already assessed for that period and party."""
        in_force = self._book_in_force(book_code, period_end)
        rule = self._rule(in_force, rule_code)
        holders = {"party": (group,)} if group else {}
        key = f"kpi:{period_of(period_end)}:{rule.kpi}:{group or 'all'}"
        cause = RecordedCause(
            Trigger.KPI,
            key,
            period_end,
            (),
            Cause(measured=measured, holders=holders),
            extra={"source": source},
        )
        return self._assess_once(cause, in_force, rule, PENALTY_ASSESSOR, None)

    # --- lifecycle --------------------------------------------------------------------------------

    def get_penalty(self, penalty_id: UUID, version: int | None = None) -> Penalty:
        return self._load(penalty_id, Penalty, PenaltyNotFound, version)

    def dispute_penalty(self, penalty_id: UUID, reason: str, actor: Actor) -> Recorded:
        return self._change(penalty_id, lambda p, now: p.dispute_it(reason, actor, now))

    def decide_penalty(self, penalty_id: UUID, waive: bool, reason: str, actor: Actor) -> Recorded:
        return self._change(penalty_id, lambda p, now: p.decide(waive, reason, actor, now))

    def settle_penalty(self, penalty_id: UUID, against: Settlement, reference: str, actor: Actor) -> Recorded:
        return self._change(penalty_id, lambda p, now: p.settle(against, reference, actor, now))

    def reverse_penalty(self, penalty_id: UUID, reason: str, actor: Actor) -> Recorded:
        return self._change(penalty_id, lambda p, now: p.reverse(reason, (), actor, now))

    # --- internals --------------------------------------------------------------------------------

    def _change(self, penalty_id: UUID, command: Callable[[Penalty, datetime], None]) -> Recorded:
        penalty = self.get_penalty(penalty_id)
        command(penalty, self.clock())
        return self._save(penalty)

    def _assess_once(
        self,
        cause: RecordedCause,
        in_force: InForce,
        rule: Rule,
        actor: Actor,
        reason: str | None,
    ) -> Recorded | None:
        penalty_id = penalty_id_for(cause.key, in_force.ref.id, rule.code)
        if self._find(penalty_id, Penalty) is not None:
            return None
        facts = facts_for(cause, rule, in_force.schedule.holders)
        tally = None
        if rule.shape is Shape.ESCALATING:
            key = f"{in_force.ref.id}|{counted_against(rule, facts, cause.occurred_at)}"
            tally = self._find(PenaltyTally.start(key).id, PenaltyTally) or PenaltyTally.start(key)
            tally.count_penalty(penalty_id)
            facts = replace(facts, occurrence=tally.count)
        assessment = assess(rule, facts)
        penalty = Penalty.assess(
            penalty_id,
            in_force.ref,
            "manual" if cause.trigger is None else cause.trigger.value,
            (cause.key, cause.occurred_at, cause.refs, shown(facts, cause.extra)),
            assessment,
            actor,
            self.clock(),
            reason,
        )
        try:
            return self._save(penalty, *([tally] if tally else []))
        except ConcurrentUpdate:
            if self._find(penalty_id, Penalty) is not None:
                return None  # assessed meanwhile by another run of the processor
            raise

    def _book_in_force(self, code: str, at: datetime) -> InForce:
        book = self._policy(book_id_for(code), PenaltyBook)
        if book is None:
            raise PenaltyBookNotFound(f"no rule book {code}", code=code)
        version = book.version_in_force(at)
        if version is None:
            msg = f"no version of rule book {code} is in force at {at.isoformat()}"
            raise PenaltyRuleViolation(msg, field="occurred_at", code=code)
        return InForce(
            ScheduleRef("book", book.id, version.number, code), self.book_schedule(book, version.number)
        )

    def _rule(self, in_force: InForce, code: str) -> Rule:
        rule = in_force.schedule.rule(code)
        if rule is None:
            codes = ", ".join(r.code for r in in_force.schedule.rules)
            raise InvalidValue(f"{in_force.ref.name} has no rule {code!r} (it has: {codes})", field="rule")
        return rule

    def _from_verdict(
        self, verdict: SlaVerdicts.VerdictRecorded, position: int | None
    ) -> tuple[RecordedCause, bool] | None:
        episode = episode_of(self.sla_verdict_history(verdict.ticket_id), verdict)
        breached = verdict.outcome is ClockStatus.BREACHED
        if episode.opened_by is None or not (breached or episode.was_breached):
            return None
        ticket = self.get_ticket(verdict.ticket_id, version=verdict.ticket_version)
        holders: dict[str, tuple[str, ...]] = {
            "party": (ticket.engineer_id or HOTLINE,),
            "engineer": (ticket.engineer_id,) if ticket.engineer_id else (),
            "customer": (ticket.customer_id,),
        }
        targets = self.terms(verdict.contract_id, verdict.contract_version).targets
        stops = next(t.stops for t in targets if t.name == verdict.target)
        trigger = Trigger.SIGN_OFF_MISSING if set(stops) <= SIGN_OFF_STOPS else Trigger.SLA_BREACH
        cause = breach_cause(episode.opened_by, verdict, episode.number, trigger, holders, position)
        if breached:
            return cause, True
        (correction,) = self.repository.event_store.get(
            verdict.ticket_id, gt=verdict.ticket_version - 1, lte=verdict.ticket_version
        )
        return replace(cause, refs=(ref(correction, None), ref(verdict, position))), False

    def _late_claim(self, event: Any, refs: tuple[CauseRef, ...]) -> RecordedCause | None:
        if event.days_late <= 0:
            return None
        claim = self.get_claim(event.originator_id, version=event.originator_version)
        facts = Cause(
            days_late=event.days_late, holders={"party": (claim.drafted_by,), "vendor": (claim.vendor_id,)}
        )
        key, extra = f"claim-late:{claim.id}", {"claim_id": str(claim.id)}
        return RecordedCause(
            Trigger.CLAIM_LATE, key, event.occurred_at, refs, facts, claim.contract_id, extra=extra
        )

    def _late_old_parts(self, event: Any, refs: tuple[CauseRef, ...]) -> RecordedCause:
        parts = self._find(event.originator_id, OldParts)
        assert parts is not None
        claim = self.get_claim(parts.claim_id)
        facts = Cause(days_late=event.days_late, holders={"party": (claim.drafted_by,)})
        key, extra = f"old-parts-late:{claim.id}:{event.lot}", {"claim_id": str(claim.id), "lot": event.lot}
        return RecordedCause(
            Trigger.OLD_PARTS_LATE, key, event.occurred_at, refs, facts, claim.contract_id, extra=extra
        )

    def _below_safety_stock(self, event: Any, refs: tuple[CauseRef, ...]) -> RecordedCause:
        item: StockItem = self.repository.get(event.originator_id, version=event.originator_version)
        facts = Cause(holders={"party": (item.location_id,)})
        key = f"below-safety-stock:{item.id}:{event.originator_version}"
        extra = {"part_number": item.part_number, "location_id": item.location_id}
        return RecordedCause(Trigger.BELOW_SAFETY_STOCK, key, event.occurred_at, refs, facts, extra=extra)

    def _late_backup_unit(self, event: Any, refs: tuple[CauseRef, ...]) -> RecordedCause:
        ticket = self.get_ticket(UUID(event.ticket_id))
        facts = Cause(minutes_late=event.minutes_late, holders={"party": (event.actor.id,)})
        key, extra = (
            f"backup-unit-late:{event.loan_id}",
            {"loan_id": event.loan_id, "ticket_id": event.ticket_id},
        )
        return RecordedCause(
            Trigger.BACKUP_UNIT_LATE, key, event.occurred_at, refs, facts, ticket.contract_id, extra=extra
        )
