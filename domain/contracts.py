"""The ServiceContract aggregate: versioned SLA terms under document control."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.actors import Actor, Role
from domain.document_control import (
    DocumentVersion,
    VersionStatus,
    check_approval,
    check_review,
    check_revision,
    open_version,
    version_in_force,
)
from domain.errors import InvalidValue, RuleViolation
from domain.ticket_terms import require_code, require_text


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
        self.versions = [DocumentVersion(1, document, actor.id)]
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
    def latest(self) -> DocumentVersion:
        return self.versions[-1]

    def review(self, version: int, note: str, actor: Actor, now: datetime) -> None:
        """Record the review of a drafted version by someone other than its author."""
        check_review(self._open_version(version, VersionStatus.DRAFTED), actor, ContractRuleViolation)
        self._reviewed(occurred_at=now, actor=actor, version=version, note=require_text("note", note))

    @event(Reviewed)
    def _reviewed(self, occurred_at: datetime, actor: Actor, version: int, note: str) -> None:
        self.versions[-1] = replace(self.latest, status=VersionStatus.REVIEWED)

    def approve(self, version: int, effective_from: datetime, actor: Actor, now: datetime) -> None:
        """A manager other than the author approves a reviewed version, effective from a stated time
        (see `check_approval`)."""
        reviewed = self._open_version(version, VersionStatus.REVIEWED)
        check_approval(reviewed, effective_from, actor, now, ContractRuleViolation)
        self._approved(occurred_at=now, actor=actor, version=version, effective_from=effective_from)

    @event(Approved)
    def _approved(self, occurred_at: datetime, actor: Actor, version: int, effective_from: datetime) -> None:
        self.versions[-1] = replace(self.latest, status=VersionStatus.APPROVED, effective_from=effective_from)

    def revise(
        self, document: dict[str, Any], reason: str, retroactive: bool, actor: Actor, now: datetime
    ) -> None:
        """Draft the next version; it governs nothing until it is reviewed and approved."""
        self._require_in_force()
        check_revision(self.latest, ContractRuleViolation)
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
            DocumentVersion(len(self.versions) + 1, document, actor.id, retroactive=retroactive)
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

    def version_in_force(self, at: datetime) -> DocumentVersion | None:
        """The approved version governing a ticket opened at `at`: the latest to take effect by then."""
        if self.terminated_at is not None and at >= self.terminated_at:
            return None
        return version_in_force(self.versions, at)

    def _open_version(self, number: int, status: VersionStatus) -> DocumentVersion:
        self._require_in_force()
        return open_version(self.versions, number, status, ContractRuleViolation)

    def _require_in_force(self) -> None:
        if self.terminated_at is not None:
            raise ContractRuleViolation("the contract is terminated", field="contract")
