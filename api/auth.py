"""Bearer tokens mapped to actors, and guards that let each role do what it may."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult, DefineMiddleware
from litestar.params import HeaderParameter
from litestar.types import ASGIApp

from domain.actors import PEOPLE, Actor, Role
from domain.claim_terms import APPROVER_ROLES
from domain.errors import InvalidValue

Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]

READERS = PEOPLE
DESK = frozenset({Role.HOTLINE_AGENT, Role.MANAGER})
FIELD = frozenset({Role.ENGINEER, Role.MANAGER})
FIELD_OR_DESK = FIELD | DESK
MANAGERS = frozenset({Role.MANAGER})
STAFF = READERS - {Role.AUDITOR, Role.REGULATOR}
RECONCILERS = frozenset(
    {
        Role.FINANCE,
        Role.CLAIMS,
        Role.MANAGER,
        Role.SERVICE_DIRECTOR,
        Role.GENERAL_MANAGER,
        Role.AUDITOR,
        Role.REGULATOR,
    }
)
"""Who reads the claims' reconciliation: finance, the claims desk, management and oversight."""
CLAIMS_DESK = frozenset({Role.CLAIMS})
"""Draft, attach evidence, submit, resubmit and close claims."""
CLAIM_APPROVERS = APPROVER_ROLES
"""Sign a step of a claim's chain, or reject it, in their own role (the chain says whose turn it is)."""
CLAIM_REJECTERS = CLAIM_APPROVERS | CLAIMS_DESK
"""The approvers, and the claims desk recording a payer's rejection."""
CLAIM_FINANCE = frozenset({Role.FINANCE, Role.MANAGER})
"""Credit notes, payouts and their reversals, subsidy refunds and statement imports."""
PRODUCT_RETURNS = frozenset({Role.CLAIMS, Role.MANAGER})
OPENING_BALANCES = frozenset({Role.WAREHOUSE, Role.MANAGER})
"""Import an opening stock count or an asset register."""
MANAGEMENT = frozenset({Role.MANAGER, Role.SERVICE_DIRECTOR, Role.GENERAL_MANAGER})
"""Approve write-offs and counts (as X-Approver-Token); pass an asset's service to another dealer."""
STOCK_KEEPERS = frozenset({Role.WAREHOUSE})
"""Receive stock, request and move transfers, and author write-offs and stocktake counts."""
PARTS_USERS = frozenset({Role.WAREHOUSE, Role.ENGINEER})
"""Reserve, issue and take back parts for tickets (an engineer only on tickets dispatched to them)."""
SAFETY_STOCK_SETTERS = STOCK_KEEPERS | MANAGEMENT
"""Set the safety stock of a part at a location."""
ASSET_KEEPERS = frozenset({Role.WAREHOUSE})
"""Register assets, and lend, recall and take back backup units."""
ACCEPTANCE_RECORDERS = frozenset({Role.WAREHOUSE, Role.ENGINEER, Role.MANAGER})
"""Record an asset's signed acceptance report."""
REPAIRERS = FIELD
"""Record a repair of an asset under a ticket."""
OLD_PART_COLLECTORS = frozenset({Role.CLAIMS, Role.WAREHOUSE})
"""Collect a warranty claim's old parts from the engineer."""
OLD_PART_KEEPERS = frozenset({Role.WAREHOUSE})
"""Log old parts in at the warehouse, destroy them before a witness, or ship them to the manufacturer."""
PARTS_READERS = frozenset(
    {
        Role.WAREHOUSE,
        Role.ENGINEER,
        Role.FINANCE,
        Role.MANAGER,
        Role.SERVICE_DIRECTOR,
        Role.GENERAL_MANAGER,
        Role.AUDITOR,
        Role.REGULATOR,
        Role.CLAIMS,
    }
)
"""Who reads stock, movements, loans, old parts and the asset register."""
PENALTY_AUTHORS = MANAGEMENT
"""Draft, review and revise penalty rule books; assess a penalty by hand; close a period; uphold,
waive or reverse a penalty (the domain refuses a decider who is a party to it)."""
PENALTY_BOOK_APPROVERS = MANAGERS
"""Approve a reviewed rule-book version (the domain also refuses its author)."""
PENALTY_SETTLERS = frozenset({Role.FINANCE})
"""Settle a penalty against a claim payout, a vendor invoice or a payroll period."""
PENALTY_OVERSEERS = MANAGEMENT | {Role.FINANCE, Role.AUDITOR, Role.REGULATOR}
"""Read every penalty; any other person reads only the penalties they are a party to."""
PENALTY_PLANNERS = MANAGEMENT | {Role.FINANCE, Role.AUDITOR}
"""Ask what a proposed rule book would have assessed over a period (what-if)."""
CHAIN_READERS = MANAGEMENT | {Role.AUDITOR, Role.REGULATOR}
"""Read the signed checkpoints of the hash chain and the key that signs them (management signs one)."""
BUNDLE_READERS = frozenset({Role.AUDITOR, Role.REGULATOR})
"""Export a signed regulator bundle of a period."""
CUSTOMER_KEEPERS = DESK | {Role.CLAIMS}
"""Register customers and change their contact details; management forgets them, a director approving."""


class BearerTokens(AbstractAuthenticationMiddleware):
    """Finds the actor behind the request's bearer token."""

    def __init__(self, app: ASGIApp, tokens: Mapping[str, Actor], **kwargs: Any) -> None:
        super().__init__(app, exclude=[r"^/health$", r"^/schema"], **kwargs)
        self.tokens = tokens

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        scheme, _, token = connection.headers.get("authorization", "").partition(" ")
        actor = self.tokens.get(token.strip()) if scheme.lower() == "bearer" else None
        if actor is None:
            raise NotAuthorizedException("a valid bearer token is required")
        return AuthenticationResult(user=actor, auth=token)


def bearer_tokens(tokens: Mapping[str, Actor]) -> DefineMiddleware:
    return DefineMiddleware(BearerTokens, tokens=dict(tokens))


APPROVER_HEADER = "X-Approver-Token"


def token_header(name: str, who: str) -> Any:
    """The header in which a second person (`who`) gives their own bearer token."""
    return HeaderParameter(
        name=name,
        min_length=1,
        max_length=200,
        description=f"The bearer token of {who}; not the caller's own.",
    )


def second_person(tokens: Mapping[str, Actor], token: str, header: str) -> Actor:
    """The actor behind the token in `header`: a second person (an approver, a countersigner, a
    witness) proves their part with their own bearer token, never the caller's."""
    person = tokens.get(token.strip())
    if person is None:
        raise InvalidValue(f"{header} is not a token the ledger knows", field=header)
    return person


def allow(roles: frozenset[Role]) -> Guard:
    """A guard that admits only actors holding one of `roles`."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        actor = connection.user
        if not isinstance(actor, Actor) or actor.role not in roles:
            allowed = ", ".join(sorted(r.value for r in roles))
            raise PermissionDeniedException(f"this action is for {allowed}")

    return guard
