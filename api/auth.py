"""Bearer tokens mapped to actors, and guards that let each role do what it may."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult, DefineMiddleware
from litestar.types import ASGIApp

from domain.actors import PEOPLE, Actor, Role
from domain.claim_terms import APPROVER_ROLES

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


def allow(roles: frozenset[Role]) -> Guard:
    """A guard that admits only actors holding one of `roles`."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        actor = connection.user
        if not isinstance(actor, Actor) or actor.role not in roles:
            allowed = ", ".join(sorted(r.value for r in roles))
            raise PermissionDeniedException(f"this action is for {allowed}")

    return guard
