"""ServiceLedger: the one application whose log orders everything that happened."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID, uuid4

from eventsourcing.domain import MutableOrImmutableAggregate

from domain.access_records import AccessRecord
from domain.actors import Actor
from domain.customer_commands import CustomerCommands
from domain.ledger_base import Clock, Recorded, utc_now
from domain.opening_balance_commands import OpeningBalanceCommands
from domain.penalty_what_if import WhatIfCommands
from domain.statement_commands import StatementCommands
from domain.stock import SNAPSHOT_INTERVAL, StockItem
from domain.stock_commands import StockCommands
from domain.ticket_terms import Channel, PauseReason, require_text
from domain.tickets import Ticket

__all__ = ["Clock", "Recorded", "ServiceLedger", "TicketDraft", "utc_now"]


@dataclass(frozen=True)
class TicketDraft:
    """The facts of a report, as given to open a ticket."""

    channel: Channel
    customer_id: str
    site_id: str
    region_tier: str
    severity: str
    category: str
    description: str
    reported_at: datetime
    asset_id: str | None = None


class ServiceLedger(
    CustomerCommands, WhatIfCommands, StatementCommands, OpeningBalanceCommands, StockCommands
):
    """Records tickets as immutable events and answers what the log says of them."""

    name = "ServiceLedger"
    env: ClassVar[dict[str, str]] = {"AGGREGATE_CACHE_MAXSIZE": "10000"}
    """Keep recent tickets in memory; the library fast-forwards each from the store before use."""
    snapshotting_intervals: ClassVar[dict[type[MutableOrImmutableAggregate[Any]], int]] = {
        StockItem: SNAPSHOT_INTERVAL
    }
    """A stock item gathers movements for years; its snapshots bound what a load replays."""

    def open_ticket(self, draft: TicketDraft, actor: Actor, ticket_id: UUID | None = None) -> Recorded:
        """Open a ticket for a report; the id is made here unless the caller brings one."""
        ticket = Ticket.open(
            ticket_id or uuid4(),
            reported_at=draft.reported_at,
            actor=actor,
            channel=draft.channel,
            customer_id=draft.customer_id,
            site_id=draft.site_id,
            region_tier=draft.region_tier,
            asset_id=draft.asset_id,
            severity=draft.severity,
            category=draft.category,
            description=draft.description,
            now=self.clock(),
        )
        self._assign_contract(ticket, draft.reported_at, actor)
        return self._save(ticket)

    def record_response(self, ticket_id: UUID, occurred_at: datetime, actor: Actor) -> Recorded:
        return self._update(ticket_id, lambda t, now: t.respond(occurred_at, actor, now))

    def escalate(
        self, ticket_id: UUID, level: int, reason: str, occurred_at: datetime, actor: Actor
    ) -> Recorded:
        return self._update(ticket_id, lambda t, now: t.escalate(level, reason, occurred_at, actor, now))

    def dispatch(
        self, ticket_id: UUID, engineer_id: str, planned_at: datetime, occurred_at: datetime, actor: Actor
    ) -> Recorded:
        return self._update(
            ticket_id, lambda t, now: t.dispatch(engineer_id, planned_at, occurred_at, actor, now)
        )

    def record_departure(
        self, ticket_id: UUID, eta: datetime, occurred_at: datetime, actor: Actor
    ) -> Recorded:
        return self._update(ticket_id, lambda t, now: t.depart(eta, occurred_at, actor, now))

    def record_arrival(self, ticket_id: UUID, occurred_at: datetime, actor: Actor) -> Recorded:
        return self._update(ticket_id, lambda t, now: t.arrive(occurred_at, actor, now))

    def record_restoration(self, ticket_id: UUID, occurred_at: datetime, actor: Actor) -> Recorded:
        return self._update(ticket_id, lambda t, now: t.restore(occurred_at, actor, now))

    def resolve(
        self, ticket_id: UUID, fixed_first_time: bool, resolution: str, occurred_at: datetime, actor: Actor
    ) -> Recorded:
        return self._update(
            ticket_id, lambda t, now: t.resolve(fixed_first_time, resolution, occurred_at, actor, now)
        )

    def record_sign_off(
        self, ticket_id: UUID, satisfaction: int, signed_by: str, occurred_at: datetime, actor: Actor
    ) -> Recorded:
        return self._update(
            ticket_id,
            lambda t, now: t.sign_off(
                satisfaction, self._seal(t, "signed_by", signed_by), occurred_at, actor, now
            ),
        )

    def record_callback(
        self, ticket_id: UUID, satisfaction: int, answered_by: str, occurred_at: datetime, actor: Actor
    ) -> Recorded:
        return self._update(
            ticket_id,
            lambda t, now: t.record_callback(
                satisfaction, self._seal(t, "answered_by", answered_by), occurred_at, actor, now
            ),
        )

    def close_ticket(self, ticket_id: UUID, occurred_at: datetime, actor: Actor) -> Recorded:
        return self._update(ticket_id, lambda t, now: t.close(occurred_at, actor, now))

    def reopen(self, ticket_id: UUID, reason: str, occurred_at: datetime, actor: Actor) -> Recorded:
        return self._update(ticket_id, lambda t, now: t.reopen(reason, occurred_at, actor, now))

    def pause(self, ticket_id: UUID, reason: PauseReason, occurred_at: datetime, actor: Actor) -> Recorded:
        return self._update(ticket_id, lambda t, now: t.pause(reason, occurred_at, actor, now))

    def resume(self, ticket_id: UUID, occurred_at: datetime, actor: Actor) -> Recorded:
        return self._update(ticket_id, lambda t, now: t.resume(occurred_at, actor, now))

    def cancel(self, ticket_id: UUID, reason: str, occurred_at: datetime, actor: Actor) -> Recorded:
        return self._update(ticket_id, lambda t, now: t.cancel(reason, occurred_at, actor, now))

    def correct_milestone(
        self,
        ticket_id: UUID,
        corrects_version: int,
        new_occurred_at: datetime,
        reason: str,
        actor: Actor,
        approver: Actor,
    ) -> Recorded:
        return self._update(
            ticket_id,
            lambda t, now: t.correct_milestone(
                corrects_version, new_occurred_at, reason, actor, approver, now
            ),
        )

    def record_access(self, actor: Actor, method: str, path: str, query: str, status: int) -> Recorded:
        """Record a read by a watched role (see `domain/access_records.py`) in the log."""
        return self._save(AccessRecord.record(uuid4(), actor, method, path, query, status, self.clock()))

    def _seal(self, ticket: Ticket, field: str, name: str) -> str:
        """A person's name on the ticket (domain/personal_data.py), sealed for its customer."""
        return self.personal_data.seal(ticket.customer_id, require_text(field, name))

    def _update(self, ticket_id: UUID, command: Callable[[Ticket, datetime], Any]) -> Recorded:
        ticket = self.get_ticket(ticket_id)
        command(ticket, self.clock())
        return self._save(ticket)
