"""Generated requests from the OpenAPI document: whatever they send, no answer is a 500."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from api.app import create_app
from api.settings import Settings
from domain.actors import Actor, Role

MANAGER = Actor("fuzz-manager", Role.MANAGER)
CLERK = Actor("fuzz-clerk", Role.CLAIMS)
KEEPER = Actor("fuzz-keeper", Role.WAREHOUSE)
APP = create_app(
    Settings(
        store_env={"PERSISTENCE_MODULE": "eventsourcing.popo"},
        tokens={"fuzz-token": MANAGER, "fuzz-clerk": CLERK, "fuzz-keeper": KEEPER},
        run_projections=False,
        read_wait_seconds=0.01,
    )
)
schema = schemathesis.openapi.from_asgi("/schema/openapi.json", APP)
pytestmark = pytest.mark.fuzz


def no_internal_error(ctx: object, response: schemathesis.Response, case: schemathesis.Case[Any]) -> None:
    """A 503 (a view behind `?after=`) is an answer the API promises; a 500 never is."""
    assert response.status_code != 500, response.text
    if response.status_code == 503:
        assert response.headers.get("retry-after"), "a 503 names when to retry"
    if response.content:
        content_type = response.headers.get("content-type", [""])[0]
        expected = (
            ("text/csv; charset=utf-8",) if case.path.endswith(".csv") and response.status_code == 200 else ()
        )
        assert content_type.startswith(("application/json", "application/problem+json", *expected)), (
            content_type
        )


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_generated_request_gets_a_server_error(case: schemathesis.Case[Any]) -> None:
    case.call_and_validate(headers={"Authorization": "Bearer fuzz-token"}, checks=[no_internal_error])


@schema.include(path_regex="^/claims").parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_generated_claim_request_from_the_claims_desk_gets_a_server_error(
    case: schemathesis.Case[Any],
) -> None:
    """The claims desk drafts, submits and closes, which a manager may not: fuzz those as the clerk."""
    case.call_and_validate(headers={"Authorization": "Bearer fuzz-clerk"}, checks=[no_internal_error])


@schema.include(path_regex="^/(stock|transfers|assets|parts|loans|old-parts)|/old-parts").parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_generated_parts_request_from_the_warehouse_gets_a_server_error(
    case: schemathesis.Case[Any],
) -> None:
    """The warehouse moves stock, lends backup units and handles old parts, which a manager may not."""
    case.call_and_validate(headers={"Authorization": "Bearer fuzz-keeper"}, checks=[no_internal_error])
