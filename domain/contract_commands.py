"""The ledger's contract commands, and the SLA clocks of a ticket read under its contract."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.actors import Actor
from domain.calendars import BusinessCalendar
from domain.clocks import ClockReading, evaluate, pause_spans
from domain.contract_documents import pack_of, terms_of
from domain.contracts import ContractRuleViolation, ServiceContract
from domain.errors import InvalidValue, NotFound
from domain.ledger_base import Clock, LedgerBase, Recorded, utc_now
from domain.policy_packs import Pack
from domain.sla_terms import SlaTerms
from domain.tickets import Ticket

CONTRACTS = uuid5(NAMESPACE_URL, "urn:service-ledger:contract")


class ContractNotFound(NotFound):
    """No contract has the given id."""

    code = "contract-not-found"
    id_field = "contract_id"


class ContractVersionNotFound(NotFound):
    """The contract has no version of that number."""

    code = "contract-version-not-found"
    id_field = "version"


class CalendarNotFound(NotFound):
    """The contract version has no calendar of that name."""

    code = "calendar-not-found"
    id_field = "name"


def contract_id_for(customer_id: str) -> UUID:
    """A customer's contract has an id derived from the customer: one contract per customer."""
    return uuid5(CONTRACTS, customer_id)


@dataclass(frozen=True)
class SlaStatus:
    """A ticket's clocks under the contract version that governs it (none without a contract)."""

    contract_id: UUID | None
    contract_version: int | None
    clocks: list[ClockReading]


class ContractCommands(LedgerBase):
    """Contracts under document control, and the terms they give each ticket."""

    def __init__(self, env: dict[str, str] | None = None, clock: Clock = utc_now) -> None:
        super().__init__(env, clock)
        self._parsed_packs: dict[tuple[UUID, int], Pack] = {}

    def draft_contract(
        self, customer_id: str, name: str, document: Mapping[str, Any], actor: Actor
    ) -> Recorded:
        """Draft a customer's contract from a checked document (see contract_documents)."""
        terms_of(document)
        contract_id = contract_id_for(customer_id)
        if self._find_contract(contract_id) is not None:
            msg = f"{customer_id} already has a contract; revise it instead"
            raise ContractRuleViolation(msg, field="customer_id", customer_id=customer_id)
        return self._save(
            ServiceContract.draft(contract_id, customer_id, name, dict(document), actor, self.clock())
        )

    def review_contract(self, contract_id: UUID, version: int, note: str, actor: Actor) -> Recorded:
        contract = self.get_contract(contract_id)
        contract.review(version, note, actor, self.clock())
        return self._save(contract)

    def approve_contract(
        self, contract_id: UUID, version: int, effective_from: datetime, actor: Actor
    ) -> Recorded:
        contract = self.get_contract(contract_id)
        contract.approve(version, effective_from, actor, self.clock())
        return self._save(contract)

    def revise_contract(
        self, contract_id: UUID, document: Mapping[str, Any], reason: str, retroactive: bool, actor: Actor
    ) -> Recorded:
        terms_of(document)
        contract = self.get_contract(contract_id)
        contract.revise(dict(document), reason, retroactive, actor, self.clock())
        return self._save(contract)

    def terminate_contract(
        self, contract_id: UUID, effective_at: datetime, reason: str, actor: Actor
    ) -> Recorded:
        contract = self.get_contract(contract_id)
        contract.terminate(effective_at, reason, actor, self.clock())
        return self._save(contract)

    def get_contract(self, contract_id: UUID) -> ServiceContract:
        return self._load(contract_id, ServiceContract, ContractNotFound)

    def sla_status(self, ticket: Ticket, now: datetime | None = None) -> SlaStatus:
        """The ticket's clocks as of `now`, under the contract version recorded on it."""
        if ticket.contract_id is None or ticket.contract_version is None:
            return SlaStatus(None, None, [])
        pauses = pause_spans(ticket.milestones, ticket.pause_reasons)
        clocks = evaluate(
            self.terms(ticket.contract_id, ticket.contract_version),
            ticket.severity,
            ticket.region_tier,
            ticket.milestones,
            pauses,
            now or self.clock(),
        )
        return SlaStatus(ticket.contract_id, ticket.contract_version, clocks)

    def terms(self, contract_id: UUID, version: int) -> SlaTerms:
        """A version's SLA terms."""
        return self._pack(contract_id, version).terms

    def _pack(self, contract_id: UUID, version: int) -> Pack:
        """A version's document, parsed once: a version's document never changes."""
        key = (contract_id, version)
        if key not in self._parsed_packs:
            versions = self.get_contract(contract_id).versions
            if not 1 <= version <= len(versions):
                msg = f"contract {contract_id} has versions 1 to {len(versions)}, not {version}"
                raise ContractVersionNotFound(
                    msg, field="version", contract_id=str(contract_id), version=version
                )
            self._parsed_packs[key] = pack_of(versions[version - 1].document)
        return self._parsed_packs[key]

    def calendar(self, contract_id: UUID, version: int, name: str) -> BusinessCalendar:
        """A calendar of a contract version, by the name its targets use."""
        calendars = self.terms(contract_id, version).calendars
        if name not in calendars:
            msg = f"version {version} has no calendar {name!r} (it has: {', '.join(sorted(calendars))})"
            raise CalendarNotFound(msg, field="name", name=name, version=version)
        return calendars[name]

    def _assign_contract(self, ticket: Ticket, reported_at: datetime, actor: Actor) -> None:
        """Record on a new ticket the version of its customer's contract in force when it was reported."""
        contract = self._find_contract(contract_id_for(ticket.customer_id))
        version = None if contract is None else contract.version_in_force(reported_at)
        if contract is not None and version is not None:
            ticket.assign_contract(contract.id, version.number, actor, self.clock())

    def _version_in_force(self, contract_id: UUID, customer_id: str, now: datetime) -> tuple[UUID, int]:
        """The contract and the number of its version in force now; refused when none is."""
        contract = self._find_contract(contract_id)
        version = None if contract is None else contract.version_in_force(now)
        if version is None:
            msg = f"no contract version is in force for {customer_id}; name the contract_id to work under"
            raise InvalidValue(msg, field="contract_id", customer_id=customer_id)
        return contract_id, version.number

    def _find_contract(self, contract_id: UUID) -> ServiceContract | None:
        try:
            return self.get_contract(contract_id)
        except ContractNotFound:
            return None
