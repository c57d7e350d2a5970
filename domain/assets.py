"""The Asset aggregate: a serialised unit, at a customer or in the backup pool, with its acceptance
and warranty, its repairs, its transfers between dealers and, for a backup unit, its loans."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.actors import Actor
from domain.asset_terms import WarrantyStart
from domain.errors import RuleViolation
from domain.ticket_terms import require_code, require_past_day, require_reference, require_text

ASSETS = uuid5(NAMESPACE_URL, "urn:service-ledger:assets")


def asset_id_for(serial: str) -> UUID:
    """An asset's id follows from its serial: a serial is registered once."""
    return uuid5(ASSETS, serial)


def warranty_status(start: date | None, end: date | None, on: date) -> str:
    """`in_warranty`, `expired`, `not_started` (before its start), or `no_acceptance`."""
    if start is None or end is None:
        return "no_acceptance"
    if on < start:
        return "not_started"
    return "in_warranty" if on <= end else "expired"


class AssetRuleViolation(RuleViolation):
    code = "asset-rule-violation"


class BackupUnitOnLoan(RuleViolation):
    """The backup unit is lent already; it is lent again only once returned."""

    code = "backup-unit-on-loan"


@dataclass(frozen=True)
class Repair:
    ticket_id: str
    failed_on: date
    description: str


@dataclass(frozen=True)
class Loan:
    loan_id: str
    ticket_id: str
    customer_id: str
    site_id: str
    lent_at: datetime
    due_by: datetime | None
    """The latest the unit should have been lent: its trigger plus the contract's deadline."""
    return_due_on: date | None
    """When the unit is due back: as agreed when lent, or as a recall asks."""
    recalled_at: datetime | None = None

    @property
    def late(self) -> bool:
        """Lent after its deadline."""
        return self.due_by is not None and self.lent_at > self.due_by


class Asset(Aggregate):
    """A serialised unit: who owns it, where it is, who services it, and what happened to it."""

    class Registered(Aggregate.Created):
        occurred_at: datetime
        actor: Actor
        serial: str
        model: str
        owner_id: str
        site_id: str
        dealer_id: str
        pool: bool
        handed_over_on: date | None

    @event(Registered)
    def __init__(
        self,
        occurred_at: datetime,
        actor: Actor,
        serial: str,
        model: str,
        owner_id: str,
        site_id: str,
        dealer_id: str,
        pool: bool,
        handed_over_on: date | None,
    ) -> None:
        self.serial = serial
        self.model = model
        self.owner_id = owner_id
        self.site_id = site_id
        self.dealer_id = dealer_id
        self.pool = pool
        self.handed_over_on = handed_over_on
        self.registered_at = occurred_at
        self.accepted_on: date | None = None
        self.warranty_rule: WarrantyStart | None = None
        self.warranty_start: date | None = None
        self.warranty_end: date | None = None
        self.contract: tuple[UUID, int] | None = None
        self.repairs: list[Repair] = []
        self.loan: Loan | None = None
        self.loans = 0

    @classmethod
    def register(cls, serial: str, facts: dict[str, object], actor: Actor, now: datetime) -> Asset:
        """A new asset; `facts` are those of `Registered` but the serial, actor and time."""
        for field in ("owner_id", "site_id", "dealer_id"):
            require_code(field, str(facts[field]))
        require_text("model", str(facts["model"]))
        serial = require_reference("serial", serial)
        return cls._create(
            cls.Registered, id=asset_id_for(serial), occurred_at=now, actor=actor, serial=serial, **facts
        )

    def same_registration(self, facts: dict[str, object]) -> bool:
        """Whether registering these facts again would say nothing new (an import run twice)."""
        return all(getattr(self, name) == value for name, value in facts.items())

    def warranty_status(self, on: date) -> str:
        return warranty_status(self.warranty_start, self.warranty_end, on)

    # --- acceptance and warranty ------------------------------------------------------------------

    def accept(
        self,
        signed_on: date,
        passed_on: date | None,
        rule: WarrantyStart,
        period: tuple[date, date],
        contract: tuple[UUID, int],
        actor: Actor,
        now: datetime,
    ) -> None:
        """The acceptance report signed, with the warranty the contract version gives (worked out
        by the caller from its terms)."""
        require_past_day("signed_on", signed_on, now)
        if self.accepted_on is not None:
            raise AssetRuleViolation(f"{self.serial} was accepted on {self.accepted_on}", field="signed_on")
        if passed_on is not None and passed_on < signed_on:
            raise AssetRuleViolation("acceptance passes on or after the report is signed", field="passed_on")
        if rule is WarrantyStart.ACCEPTANCE_PASSED and passed_on is None:
            raise AssetRuleViolation(
                "the contract starts warranty the day acceptance passed: give passed_on", field="passed_on"
            )
        start, end = period
        self._accepted(now, actor, signed_on, passed_on, rule, start, end, contract[0], contract[1])

    @event("AcceptanceSigned")
    def _accepted(
        self,
        occurred_at: datetime,
        actor: Actor,
        signed_on: date,
        passed_on: date | None,
        rule: WarrantyStart,
        warranty_start: date,
        warranty_end: date,
        contract_id: UUID,
        contract_version: int,
    ) -> None:
        self.accepted_on = signed_on
        self.warranty_rule = rule
        self.warranty_start = warranty_start
        self.warranty_end = warranty_end
        self.contract = (contract_id, contract_version)
        if self.handed_over_on is None:
            self.handed_over_on = signed_on

    def repairs_between(self, first: date, before: date) -> int:
        return sum(1 for r in self.repairs if first <= r.failed_on < before)

    def record_repair(
        self, ticket_id: UUID, failed_on: date, description: str, actor: Actor, now: datetime
    ) -> None:
        if any(r.ticket_id == str(ticket_id) for r in self.repairs):
            raise AssetRuleViolation(f"the repair under ticket {ticket_id} is recorded", field="ticket_id")
        require_past_day("failed_on", failed_on, now)
        self._repaired(now, actor, str(ticket_id), failed_on, require_text("description", description))

    @event("RepairRecorded")
    def _repaired(
        self, occurred_at: datetime, actor: Actor, ticket_id: str, failed_on: date, description: str
    ) -> None:
        self.repairs.append(Repair(ticket_id, failed_on, description))

    # --- service transfer -------------------------------------------------------------------------

    def transfer_service(
        self,
        to_dealer: str,
        transferred_on: date,
        hours_of_use: int,
        lease: bool,
        fee_reason: str | None,
        fee: Decimal | None,
        actor: Actor,
        now: datetime,
    ) -> None:
        """Service passes to another dealer; `fee_reason` says why the dealer transferring out owes
        the encroachment fee (None: it owes none), and `fee` is the amount agreed."""
        require_code("to_dealer", to_dealer)
        if to_dealer == self.dealer_id:
            raise AssetRuleViolation(f"{self.serial} is serviced by {to_dealer} already", field="to_dealer")
        if (fee_reason is None) != (fee is None):
            msg = (
                f"the transfer owes an encroachment fee ({fee_reason}): give its amount"
                if fee_reason
                else "the transfer owes no encroachment fee: give no amount"
            )
            raise AssetRuleViolation(msg, field="fee")
        self._transferred(
            now, actor, self.dealer_id, to_dealer, transferred_on, hours_of_use, lease, fee_reason, fee
        )

    @event("ServiceTransferred")
    def _transferred(
        self,
        occurred_at: datetime,
        actor: Actor,
        from_dealer: str,
        to_dealer: str,
        transferred_on: date,
        hours_of_use: int,
        lease: bool,
        fee_reason: str | None,
        fee: Decimal | None,
    ) -> None:
        self.dealer_id = to_dealer

    # --- backup-unit loans ------------------------------------------------------------------------

    def lend(self, loan: Loan, actor: Actor, now: datetime) -> None:
        """Lend this pool unit against a ticket; a loan made after its deadline is flagged late."""
        if not self.pool:
            raise AssetRuleViolation(f"{self.serial} is not a backup unit of the pool", field="serial")
        if self.loan is not None:
            msg = f"{self.serial} is on loan against ticket {self.loan.ticket_id} since {self.loan.lent_at}"
            raise BackupUnitOnLoan(msg, field="serial", ticket_id=self.loan.ticket_id)
        self._lent(now, actor, loan)
        if loan.late:
            assert loan.due_by is not None
            minutes = int((loan.lent_at - loan.due_by).total_seconds() // 60)
            self._lent_late(now, actor, loan.loan_id, loan.ticket_id, loan.due_by, minutes)

    @event("Lent")
    def _lent(self, occurred_at: datetime, actor: Actor, loan: Loan) -> None:
        self.loan = loan
        self.loans += 1

    @event("LentLate")
    def _lent_late(
        self,
        occurred_at: datetime,
        actor: Actor,
        loan_id: str,
        ticket_id: str,
        due_by: datetime,
        minutes_late: int,
    ) -> None:
        """A flag for penalties: the unit went out `minutes_late` after its deadline."""

    def recall(self, return_by: date, actor: Actor, now: datetime) -> None:
        loan = self._on_loan("recall")
        self._recalled(now, actor, loan.loan_id, return_by)

    @event("Recalled")
    def _recalled(self, occurred_at: datetime, actor: Actor, loan_id: str, return_by: date) -> None:
        assert self.loan is not None
        self.loan = replace(self.loan, return_due_on=return_by, recalled_at=occurred_at)

    def take_back(self, condition: str, actor: Actor, now: datetime) -> None:
        loan = self._on_loan("take back")
        self._returned(now, actor, loan.loan_id, require_text("condition", condition))

    @event("LoanReturned")
    def _returned(self, occurred_at: datetime, actor: Actor, loan_id: str, condition: str) -> None:
        self.loan = None

    def _on_loan(self, doing: str) -> Loan:
        if self.loan is None:
            raise AssetRuleViolation(f"cannot {doing} {self.serial}: it is not on loan", field="serial")
        return self.loan
