"""The ledger's customer commands: the directory's sealed contact details, and forgetting a
customer by shredding its keys."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from domain.actors import Actor
from domain.customers import Customer, customer_uuid
from domain.errors import InvalidValue, NotFound, RuleViolation
from domain.ledger_base import Clock, LedgerBase, Recorded, utc_now
from domain.personal_data import MemoryKeyStore, PersonalData
from domain.ticket_terms import require_code, require_text

PHONE = re.compile(r"\+?[0-9][0-9 ()-]{2,30}")


class CustomerNotFound(NotFound):
    code = "customer-not-found"
    id_field = "customer_id"


class CustomerAlreadyRegistered(RuleViolation):
    code = "customer-already-registered"


@dataclass(frozen=True)
class CustomerDetails:
    """A customer's contact details in plain text, as given; sealed before they are recorded."""

    name: str
    phone: str = ""
    address: str = ""


@dataclass(frozen=True)
class Forgetting:
    """What forgetting a customer did: the event that records it, and how many keys were shredded."""

    recorded: Recorded
    keys_shredded: int


class CustomerCommands(LedgerBase):
    """The customer directory. `personal_data` seals and reveals personal fields; in memory unless
    the composition root attaches the database's key store (projections/customer_keys.py)."""

    def __init__(self, env: dict[str, str] | None = None, clock: Clock = utc_now) -> None:
        super().__init__(env, clock)
        self.personal_data = PersonalData(MemoryKeyStore())

    def register_customer(self, customer_id: str, details: CustomerDetails, actor: Actor) -> Recorded:
        require_code("customer_id", customer_id)
        if self._find(customer_uuid(customer_id), Customer) is not None:
            msg = f"{customer_id} is registered already; change its details instead"
            raise CustomerAlreadyRegistered(msg, field="customer_id", customer_id=customer_id)
        name, phone, address = self._sealed(customer_id, details)
        return self._save(Customer.register(customer_id, name, phone, address, actor, self.clock()))

    def change_customer_details(
        self, customer_id: str, details: CustomerDetails, reason: str, actor: Actor
    ) -> Recorded:
        customer = self.get_customer(customer_id)
        reason = require_text("reason", reason)
        name, phone, address = self._sealed(customer_id, details)
        customer.change_details(name, phone, address, reason, actor, self.clock())
        return self._save(customer)

    def forget_customer(self, customer_id: str, reason: str, approver: Actor, actor: Actor) -> Forgetting:
        """Record that the customer is forgotten, then shred its keys: every value sealed for it,
        in the directory and on its tickets, reads as redacted from then on. Each request is
        recorded, and shreds whatever was sealed for the customer since the last. A customer not in
        the directory whose tickets hold personal data is entered there as it is forgotten, with no
        details, so that the directory lists every customer forgotten."""
        now = self.clock()
        customer = self._find(customer_uuid(customer_id), Customer) or self._unlisted(customer_id, actor, now)
        customer.forget(require_text("reason", reason), approver, actor, now)
        recorded = self._save(customer)
        return Forgetting(recorded, self.personal_data.forget(customer_id, now))

    def _unlisted(self, customer_id: str, actor: Actor, now: datetime) -> Customer:
        """A directory entry with no details for a customer known only by what was sealed for it."""
        if self.personal_data.store.live_key(customer_id) is None:
            msg = f"no customer {customer_id}: it is not in the directory, and nothing was sealed for it"
            raise CustomerNotFound(msg, customer_id=customer_id)
        none = self.personal_data.seal(customer_id, "")
        return Customer.register(customer_id, none, none, none, actor, now)

    def get_customer(self, customer_id: str, version: int | None = None) -> Customer:
        return self._load(customer_uuid(customer_id), Customer, CustomerNotFound, version)

    def _sealed(self, customer_id: str, details: CustomerDetails) -> tuple[str, str, str]:
        name = require_text("name", details.name)
        phone, address = details.phone.strip(), details.address.strip()
        if phone and not PHONE.fullmatch(phone):
            raise InvalidValue("phone must be digits, with '+', spaces, '-' or brackets", field="phone")
        seal = self.personal_data.seal
        return seal(customer_id, name), seal(customer_id, phone), seal(customer_id, address)
