"""The ledger's asset commands: registration, acceptance under the contract's warranty rule,
repairs and 三包, service transfers between dealers, and backup-unit loans against tickets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID, uuid4

from domain.actors import Actor
from domain.asset_terms import (
    AssetTerms,
    GuaranteeFinding,
    encroachment_owed,
    three_guarantees,
    warranty_period,
)
from domain.assets import Asset, AssetRuleViolation, Loan, asset_id_for
from domain.clocks import due_at
from domain.contract_commands import ContractCommands, contract_id_for
from domain.errors import InvalidValue, NotFound, TicketIsClosed
from domain.ledger_base import Recorded
from domain.money import amount
from domain.ticket_terms import Status
from domain.tickets import Ticket


class AssetNotFound(NotFound):
    code = "asset-not-found"
    id_field = "serial"


@dataclass(frozen=True)
class AssetRegistration:
    """The facts of a serialised unit as registered: at a customer, or in the backup pool."""

    serial: str
    model: str
    owner_id: str
    site_id: str
    dealer_id: str
    pool: bool = False
    handed_over_on: date | None = None

    def facts(self) -> dict[str, object]:
        return {
            "model": self.model,
            "owner_id": self.owner_id,
            "site_id": self.site_id,
            "dealer_id": self.dealer_id,
            "pool": self.pool,
            "handed_over_on": self.handed_over_on,
        }


class AssetCommands(ContractCommands):
    """Assets under the asset terms of the contract version that governs them."""

    def get_asset(self, serial: str, version: int | None = None) -> Asset:
        try:
            return self._load(asset_id_for(serial), Asset, AssetNotFound, version)
        except AssetNotFound:
            raise AssetNotFound(f"no asset with serial {serial!r}", serial=serial) from None

    def asset_terms(self, contract_id: UUID, version: int) -> AssetTerms:
        found = self._pack(contract_id, version).assets
        if found is None:
            msg = f"version {version} of contract {contract_id} has no asset terms; revise it to add them"
            raise InvalidValue(msg, field="contract_id", contract_id=str(contract_id), version=version)
        return found

    def register_asset(self, registration: AssetRegistration, actor: Actor) -> Recorded:
        try:
            self.get_asset(registration.serial)
        except AssetNotFound:
            asset = Asset.register(registration.serial, registration.facts(), actor, self.clock())
            return self._save(asset)
        msg = f"serial {registration.serial!r} is registered already"
        raise AssetRuleViolation(msg, field="serial", serial=registration.serial)

    def accept_asset(
        self,
        serial: str,
        signed_on: date,
        passed_on: date | None,
        actor: Actor,
        contract_id: UUID | None = None,
    ) -> Recorded:
        """Record the signed acceptance: warranty follows the rule and length of the owner's contract
        version in force (or of the contract named)."""
        asset = self.get_asset(serial)
        now = self.clock()
        contract = self._version_in_force(contract_id or contract_id_for(asset.owner_id), asset.owner_id, now)
        terms = self.asset_terms(*contract)
        period = warranty_period(terms, signed_on, passed_on)
        asset.accept(signed_on, passed_on, terms.warranty_start, period, contract, actor, now)
        return self._save(asset)

    def record_repair(
        self, serial: str, ticket_id: UUID, failed_on: date, description: str, actor: Actor
    ) -> Recorded:
        self.get_ticket(ticket_id)
        return self._asset(
            serial, lambda a, now: a.record_repair(ticket_id, failed_on, description, actor, now)
        )

    def evaluate_three_guarantees(self, serial: str, failed_on: date) -> GuaranteeFinding:
        """What 三包 allows for a failure on `failed_on`, from the asset's history and its terms."""
        asset = self.get_asset(serial)
        if asset.warranty_start is None or asset.contract is None:
            raise AssetRuleViolation(f"{serial} has no signed acceptance, so no warranty", field="serial")
        terms = self.asset_terms(*asset.contract).guarantees
        repairs = asset.repairs_between(asset.warranty_start, failed_on)
        return three_guarantees(terms, asset.warranty_start, repairs, failed_on)

    def transfer_asset_service(
        self,
        serial: str,
        to_dealer: str,
        transferred_on: date,
        hours_of_use: int,
        lease: bool,
        fee: Decimal | None,
        actor: Actor,
    ) -> Recorded:
        """Service passes to another dealer; the terms decide whether the encroachment fee is owed."""
        asset = self.get_asset(serial)
        now = self.clock()
        if hours_of_use < 0:
            raise InvalidValue("hours of use are zero or more", field="hours_of_use")
        contract = asset.contract or self._version_in_force(
            contract_id_for(asset.owner_id), asset.owner_id, now
        )
        terms = self.asset_terms(*contract)
        reason = encroachment_owed(terms, hours_of_use, asset.handed_over_on, transferred_on, lease)
        figure = None if fee is None else amount(fee, "fee", positive=True)
        asset.transfer_service(to_dealer, transferred_on, hours_of_use, lease, reason, figure, actor, now)
        return self._save(asset)

    def lend_backup_unit(
        self, serial: str, ticket_id: UUID, return_due_on: date | None, actor: Actor
    ) -> Recorded:
        """Lend a pool unit to the ticket's customer. Its deadline is the contract's: `within` of the
        moment the ticket's trigger target (restore, by default) lapsed."""
        asset = self.get_asset(serial)
        ticket = self.get_ticket(ticket_id)
        now = self.clock()
        if ticket.status in {Status.CLOSED, Status.CANCELLED}:
            msg = f"ticket {ticket_id} is {ticket.status.value}: no backup unit goes to it"
            raise TicketIsClosed(msg, field="ticket_id", status=ticket.status.value)
        loan = Loan(
            loan_id=str(uuid4()),
            ticket_id=str(ticket_id),
            customer_id=ticket.customer_id,
            site_id=ticket.site_id,
            lent_at=now,
            due_by=self._loan_deadline(ticket, now),
            return_due_on=return_due_on,
        )
        asset.lend(loan, actor, now)
        return self._save(asset)

    def recall_backup_unit(self, serial: str, return_by: date, actor: Actor) -> Recorded:
        return self._asset(serial, lambda a, now: a.recall(return_by, actor, now))

    def return_backup_unit(self, serial: str, condition: str, actor: Actor) -> Recorded:
        return self._asset(serial, lambda a, now: a.take_back(condition, actor, now))

    def _loan_deadline(self, ticket: Ticket, now: datetime) -> datetime | None:
        """When the backup unit is due: `within` of the trigger target's due time, unless the target was
        met (stopped in time); None without a contract or the target."""
        if ticket.contract_id is None or ticket.contract_version is None:
            return None
        backup = self.asset_terms(ticket.contract_id, ticket.contract_version).backup
        clocks = self.sla_status(ticket, now).clocks
        lapsed = next(
            (
                c.due_at
                for c in clocks
                if c.target == backup.trigger
                and c.due_at is not None
                and (c.stopped_at is None or c.stopped_at > c.due_at)
            ),
            None,
        )
        return None if lapsed is None else due_at(backup.calendar, lapsed, backup.within, [])

    def _asset(self, serial: str, command: Callable[[Asset, datetime], object]) -> Recorded:
        asset = self.get_asset(serial)
        command(asset, self.clock())
        return self._save(asset)
