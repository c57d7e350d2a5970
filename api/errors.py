"""The one error map: every failure leaves as RFC 9457 problem+json."""

from __future__ import annotations

import re
from typing import Any

import structlog
from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    ValidationException,
)
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import ExceptionHandlersMap

from domain.csv_lines import LinesRefused
from domain.errors import (
    ConcurrentUpdate,
    InvalidValue,
    LedgerError,
    NotFound,
    RuleViolation,
    StorageUnavailable,
)

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPE = "urn:service-ledger:problem:"
MISSING_PARAMETER = re.compile(r"Missing required (?P<kind>\w+) parameter '(?P<name>[^']+)'")
"""How Litestar words a missing parameter, which it reports without naming a field."""
STATUS_OF: tuple[tuple[type[LedgerError], int], ...] = (
    (NotFound, 404),
    (ConcurrentUpdate, 409),
    (RuleViolation, 409),
    (InvalidValue, 422),
    (StorageUnavailable, 503),
)
log = structlog.get_logger("ledger.api")


class StaleRead(Exception):
    """A view did not reach the requested log position in time."""

    def __init__(self, position: int, waited: float) -> None:
        super().__init__(f"the views have not yet reached position {position} after {waited:g} s")
        self.position = position


def problem(
    request: Request[Any, Any, Any],
    status: int,
    code: str,
    title: str,
    detail: str,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    if errors:
        body["errors"] = errors
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def ledger_error(request: Request[Any, Any, Any], error: LedgerError) -> Response[dict[str, Any]]:
    status = _status(error)
    errors = [{"field": error.field, "reason": error.message}] if error.field else None
    headers = {"Retry-After": "1"} if status == 503 else None  # noqa: PLR2004 - the status named
    return problem(request, status, error.code, _title(error), error.message, errors, headers)


def lines_refused(request: Request[Any, Any, Any], error: LinesRefused) -> Response[dict[str, Any]]:
    """A file refused whole names every bad line: `line 4.amount`, or `line 4` for the whole line."""
    errors = [
        {"field": f"line {p.line}" + (f".{p.column}" if p.column else ""), "reason": p.reason}
        for p in error.problems
    ]
    return problem(request, _status(error), error.code, _title(error), error.message, errors)


def validation_error(request: Request[Any, Any, Any], error: ValidationException) -> Response[dict[str, Any]]:
    errors = [
        {"field": str(item.get("key") or item.get("source") or "body"), "reason": str(item.get("message"))}
        for item in (error.extra if isinstance(error.extra, list) else [])
        if isinstance(item, dict)
    ]
    detail = error.detail if error.detail else "the request is not valid"
    missing = MISSING_PARAMETER.match(detail)
    if not errors and missing:
        errors = [{"field": missing["name"], "reason": f"the {missing['kind']} parameter is required"}]
    return problem(request, 400, "validation", "Request is not valid", detail, errors or None)


def stale_read(request: Request[Any, Any, Any], error: StaleRead) -> Response[dict[str, Any]]:
    headers = {"Retry-After": "1"}
    return problem(request, 503, "stale-read", "View not caught up", str(error), None, headers)


def http_error(request: Request[Any, Any, Any], error: HTTPException) -> Response[dict[str, Any]]:
    headers = dict(error.headers or {})
    if isinstance(error, NotAuthorizedException):
        headers["WWW-Authenticate"] = 'Bearer realm="service-ledger"'
    code = {
        400: "bad-request",
        401: "unauthenticated",
        403: "forbidden",
        404: "not-found",
        415: "unsupported-media-type",
    }.get(error.status_code, "http")
    return problem(request, error.status_code, code, _http_title(error), error.detail, None, headers or None)


def internal_error(request: Request[Any, Any, Any], error: Exception) -> Response[dict[str, Any]]:
    log.exception("unhandled error", path=request.url.path, error=repr(error))
    detail = "the ledger failed to answer; the error is logged"
    return problem(request, HTTP_500_INTERNAL_SERVER_ERROR, "internal", "Internal error", detail)


def _status(error: LedgerError) -> int:
    return next((status for kind, status in STATUS_OF if isinstance(error, kind)), 400)


def _title(error: LedgerError) -> str:
    return error.code.replace("-", " ").capitalize()


def _http_title(error: HTTPException) -> str:
    titles = {
        400: "Bad request",
        401: "Unauthenticated",
        403: "Forbidden",
        404: "Not found",
        405: "Method not allowed",
        413: "Body too large",
        415: "Unsupported media type",
    }
    return titles.get(error.status_code, "HTTP error")


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    LedgerError: ledger_error,
    LinesRefused: lines_refused,
    ValidationException: validation_error,
    StaleRead: stale_read,
    HTTPException: http_error,
    Exception: internal_error,
}
