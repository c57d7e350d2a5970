"""The ServiceContract aggregate: versioned SLA terms under document control."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.actors import Actor, Role
from domain.errors import InvalidValue, RuleViolation
from domain.ticket_terms import require_code, require_text


class VersionStatus(Enum):
    """Where a contract version stands in the document-control chain."""

    DRAFTED = "drafted"
    REVIEWED = "reviewed"
    APPROVED = "approved"


@dataclass(frozen=True)
class ContractVersion:
    """One version of the terms: its document, who wrote it and when it takes effect."""

    number: int
    document: dict[str, Any]
    author: str
    status: VersionStatus = VersionStatus.DRAFTED
    effective_from: datetime | None = None
    retroactive: bool = False


class ContractRuleViolation(RuleViolation):
    """The contract's document-control chain refuses the step."""

    code = "contract-rule-violation"


class ServiceContract(Aggregate):
    """The SLA policy of one customer relationship, revised only through review and approval."""

    class Drafted(Aggregate.Created):
        occurred_at: datetime
        actor: Actor
        customer_id: str
        name: str
        document: dict[str, Any]

    class Reviewed(Aggregate.Event):
        occurred_at: datetime
        actor: Actor
        version: int
        note: str

    class Approved(Aggregate.Event):
        occurred_at: datetime
        actor: Actor
        version: int
        effective_from: datetime

    class Revised(Aggregate.Event):
        occurred_at: datetime
        actor: Actor
        document: dict[str, Any]
        reason: str
        retroactive: bool

    class Terminated(Aggregate.Event):
        occurred_at: datetime
        actor: Actor
        effective_at: datetime
        reason: str

    @event(Drafted)
    def __init__(
        self, occurred_at: datetime, actor: Actor, customer_id: str, name: str, document: dict[str, Any]
    ) -> None:
        self.customer_id = customer_id
        self.name = name
        self.versions = [ContractVersion(1, document, actor.id)]
        self.terminated_at: datetime | None = None

    @classmethod
    def draft(
        cls,
        contract_id: UUID,
        customer_id: str,
        name: str,
        document: dict[str, Any],
        actor: Actor,
        now: datetime,
    ) -> ServiceContract:
        """Draft the first version of a contract's terms (validated by the caller)."""
        return cls._create(
            cls.Drafted,
            id=contract_id,
            occurred_at=now,
            actor=actor,
            customer_id=require_code("customer_id", customer_id),
            name=require_text("name", name),
            document=document,
        )

    @property
    def latest(self) -> ContractVersion:
        return self.versions[-1]

    def review(self, version: int, note: str, actor: Actor, now: datetime) -> None:
        """Record the review of a drafted version by someone other than its author."""
        draft = self._open_version(version, VersionStatus.DRAFTED)
        if actor.id == draft.author:
            raise ContractRuleViolation("the author of a version cannot review it", field="actor")
        self._reviewed(occurred_at=now, actor=actor, version=version, note=require_text("note", note))

    @event(Reviewed)
    def _reviewed(self, occurred_at: datetime, actor: Actor, version: int, note: str) -> None:
        self.versions[-1] = replace(self.latest, status=VersionStatus.REVIEWED)

    def approve(self, version: int, effective_from: datetime, actor: Actor, now: datetime) -> None:
        """A manager other than the author approves a reviewed version, effective from a stated time.

        A first version may take effect from any time (a ledger adopted mid-contract); a revision
        takes effect no earlier than its approval unless it says it is retroactive.
        """
        reviewed = self._open_version(version, VersionStatus.REVIEWED)
        if actor.role is not Role.MANAGER:
            raise ContractRuleViolation("only a manager approves a contract version", field="actor")
        if actor.id == reviewed.author:
            raise ContractRuleViolation("the author of a version cannot approve it", field="actor")
        if effective_from.tzinfo is None:
            raise InvalidValue("effective_from must carry a time zone", field="effective_from")
        if effective_from < now and reviewed.number > 1 and not reviewed.retroactive:
            msg = "only a retroactive revision may take effect before its approval"
            raise ContractRuleViolation(msg, field="effective_from")
        self._approved(occurred_at=now, actor=actor, version=version, effective_from=effective_from)

    @event(Approved)
    def _approved(self, occurred_at: datetime, actor: Actor, version: int, effective_from: datetime) -> None:
        self.versions[-1] = replace(self.latest, status=VersionStatus.APPROVED, effective_from=effective_from)

    def revise(
        self, document: dict[str, Any], reason: str, retroactive: bool, actor: Actor, now: datetime
    ) -> None:
        """Draft the next version; it governs nothing until it is reviewed and approved."""
        self._require_in_force()
        if self.latest.status is not VersionStatus.APPROVED:
            msg = f"version {self.latest.number} is still {self.latest.status.value}; finish it first"
            raise ContractRuleViolation(msg, field="document")
        self._revised(
            occurred_at=now,
            actor=actor,
            document=document,
            reason=require_text("reason", reason),
            retroactive=retroactive,
        )

    @event(Revised)
    def _revised(
        self, occurred_at: datetime, actor: Actor, document: dict[str, Any], reason: str, retroactive: bool
    ) -> None:
        self.versions.append(
            ContractVersion(len(self.versions) + 1, document, actor.id, retroactive=retroactive)
        )

    def terminate(self, effective_at: datetime, reason: str, actor: Actor, now: datetime) -> None:
        """End the contract from a stated time; tickets opened after it have no contract terms."""
        self._require_in_force()
        if actor.role is not Role.MANAGER:
            raise ContractRuleViolation("only a manager terminates a contract", field="actor")
        if effective_at.tzinfo is None:
            raise InvalidValue("effective_at must carry a time zone", field="effective_at")
        self._terminated(
            occurred_at=now, actor=actor, effective_at=effective_at, reason=require_text("reason", reason)
        )

    @event(Terminated)
    def _terminated(self, occurred_at: datetime, actor: Actor, effective_at: datetime, reason: str) -> None:
        self.terminated_at = effective_at

    def version_in_force(self, at: datetime) -> ContractVersion | None:
        """The approved version governing a ticket opened at `at`: the latest to take effect by then."""
        if self.terminated_at is not None and at >= self.terminated_at:
            return None
        approved = [v for v in self.versions if v.effective_from is not None and v.effective_from <= at]
        return max(approved, key=lambda v: (v.effective_from, v.number), default=None)

    def _open_version(self, number: int, status: VersionStatus) -> ContractVersion:
        self._require_in_force()
        if number != self.latest.number or self.latest.status is not status:
            latest = f"{self.latest.number}, {self.latest.status.value}"
            msg = f"version {number} is not the {status.value} version (the latest is {latest})"
            raise ContractRuleViolation(msg, field="version", version=number)
        return self.latest

    def _require_in_force(self) -> None:
        if self.terminated_at is not None:
            raise ContractRuleViolation("the contract is terminated", field="contract")
