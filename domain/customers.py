"""The Customer aggregate: the directory entry of a customer, whose name, phone and address are
personal data (domain/personal_data.py), recorded only as tokens sealed under the customer's key.

Forgetting the customer records who asked and why; the ledger then shreds the customer's keys, so
every value sealed for it (here, and on its tickets) reads as redacted from then on. A customer who
comes back may give details again: they are sealed under a new key.
"""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.actors import Actor, Role
from domain.errors import RuleViolation

CUSTOMERS = uuid5(NAMESPACE_URL, "urn:service-ledger:customer")
FORGET_APPROVERS = frozenset({Role.SERVICE_DIRECTOR, Role.GENERAL_MANAGER})


class ForgettingNotApproved(RuleViolation):
    code = "forgetting-not-approved"


def customer_uuid(customer_id: str) -> UUID:
    """A customer's directory entry has an id derived from its code: one entry per customer."""
    return uuid5(CUSTOMERS, customer_id)


class Customer(Aggregate):
    """A customer's sealed contact details, and when it was last forgotten."""

    class Registered(Aggregate.Created):
        occurred_at: datetime
        actor: Actor
        customer_id: str
        name: str
        phone: str
        address: str

    class DetailsChanged(Aggregate.Event):
        occurred_at: datetime
        actor: Actor
        name: str
        phone: str
        address: str
        reason: str

    class Forgotten(Aggregate.Event):
        occurred_at: datetime
        actor: Actor
        reason: str
        approver: Actor

    @event(Registered)
    def __init__(
        self, occurred_at: datetime, actor: Actor, customer_id: str, name: str, phone: str, address: str
    ) -> None:
        self.customer_id = customer_id
        self.name, self.phone, self.address = name, phone, address
        self.registered_at = occurred_at
        self.forgotten_at: datetime | None = None

    @classmethod
    def register(
        cls, customer_id: str, name: str, phone: str, address: str, actor: Actor, now: datetime
    ) -> Customer:
        """Register sealed details (tokens: see domain/personal_data.py)."""
        return cls._create(
            cls.Registered,
            id=customer_uuid(customer_id),
            occurred_at=now,
            actor=actor,
            customer_id=customer_id,
            name=name,
            phone=phone,
            address=address,
        )

    def change_details(
        self, name: str, phone: str, address: str, reason: str, actor: Actor, now: datetime
    ) -> None:
        self._details_changed(now, actor, name, phone, address, reason)

    @event(DetailsChanged)
    def _details_changed(
        self, occurred_at: datetime, actor: Actor, name: str, phone: str, address: str, reason: str
    ) -> None:
        self.name, self.phone, self.address = name, phone, address
        self.forgotten_at = None

    def forget(self, reason: str, approver: Actor, actor: Actor, now: datetime) -> None:
        """Forgetting cannot be undone: a director other than the one asking approves it."""
        if approver.role not in FORGET_APPROVERS or approver.id == actor.id:
            roles = " or ".join(sorted(r.value for r in FORGET_APPROVERS))
            msg = f"forgetting a customer is approved by a {roles} other than the one asking"
            raise ForgettingNotApproved(msg, field="approver", approver=approver.id)
        self._forgotten(now, actor, reason, approver)

    @event(Forgotten)
    def _forgotten(self, occurred_at: datetime, actor: Actor, reason: str, approver: Actor) -> None:
        self.forgotten_at = occurred_at
