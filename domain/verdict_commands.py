"""Settling a ticket's SLA verdicts: the ledger's own process records breaches and escalations."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.persistence import PersistenceError

from domain.actors import Actor, Role
from domain.contract_commands import ContractCommands
from domain.errors import ConcurrentUpdate, NotFound, StorageUnavailable
from domain.ledger_base import Recorded
from domain.sla_verdicts import SlaVerdicts, verdicts_id_for

SLA_MONITOR = Actor("sla-monitor", Role.SYSTEM)
"""The actor on every verdict: the ledger's process, not a person."""


class VerdictsNotFound(NotFound):
    """No verdict has been recorded for the ticket."""

    code = "verdicts-not-found"
    id_field = "ticket_id"


class VerdictCommands(ContractCommands):
    """Records each change in what a ticket's clocks conclude, once."""

    def settle_sla(self, ticket_id: UUID) -> Recorded | None:
        """Record the verdicts and escalations the ticket's clocks now support; None if none changed.

        Idempotent: settling again records nothing. Two settlers racing on one ticket both
        succeed, the loser by settling again over the winner's events.
        """
        try:
            return self._settle(ticket_id)
        except ConcurrentUpdate:
            return self._settle(ticket_id)

    def get_sla_verdicts(self, ticket_id: UUID) -> SlaVerdicts:
        return self._load(verdicts_id_for(ticket_id), SlaVerdicts, VerdictsNotFound)

    def sla_verdict_history(
        self, ticket_id: UUID
    ) -> list[SlaVerdicts.VerdictRecorded | SlaVerdicts.EscalationBecameDue]:
        """Every verdict and escalation recorded on the ticket, oldest first."""
        try:
            events = self.repository.event_store.get(verdicts_id_for(ticket_id))
            return [
                e
                for e in events
                if isinstance(e, SlaVerdicts.VerdictRecorded | SlaVerdicts.EscalationBecameDue)
            ]
        except PersistenceError as error:
            raise StorageUnavailable(str(error)) from error

    def _settle(self, ticket_id: UUID) -> Recorded | None:
        ticket = self.get_ticket(ticket_id)
        now = self.clock()
        status = self.sla_status(ticket, now)
        if status.contract_id is None or status.contract_version is None:
            return None
        try:
            verdicts = self.get_sla_verdicts(ticket_id)
        except VerdictsNotFound:
            verdicts = SlaVerdicts.start(ticket_id)
        verdicts.settle(
            status.clocks, ticket.version, (status.contract_id, status.contract_version), SLA_MONITOR, now
        )
        if all(isinstance(e, SlaVerdicts.Started) for e in verdicts.pending_events):
            return None
        return self._save(verdicts)
