"""Who does things in the ledger: roles and actors."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Role(Enum):
    """A role an actor holds in a service organisation."""

    HOTLINE_AGENT = "hotline_agent"
    ENGINEER = "engineer"
    WAREHOUSE = "warehouse"
    CLAIMS = "claims"
    FINANCE = "finance"
    MANAGER = "manager"
    BU_MANAGER = "bu_manager"
    SALES_DIRECTOR = "sales_director"
    SERVICE_DIRECTOR = "service_director"
    GENERAL_MANAGER = "general_manager"
    AUDITOR = "auditor"
    REGULATOR = "regulator"
    SYSTEM = "system"
    """The ledger's own processes (the SLA monitor); no person holds it and no token grants it."""


PEOPLE = frozenset(role for role in Role if role is not Role.SYSTEM)
"""The roles people hold."""


@dataclass(frozen=True)
class Actor:
    """A person or system acting in a role, recorded on every event."""

    id: str
    role: Role
