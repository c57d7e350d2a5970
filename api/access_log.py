"""Recording reads by auditors and regulators. Wraps the app: before the answer to such a read is
sent, the read (who, method, path, query, status) is recorded in the ledger's log, where it is
chained like every other event. A read that cannot be recorded is not answered: the client gets a
503 and retries, so no watched read goes unrecorded."""

from __future__ import annotations

import json
from typing import Protocol

import anyio
import structlog
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import PROBLEM_JSON, PROBLEM_TYPE
from domain.access_records import WATCHED
from domain.actors import Actor
from domain.ledger_base import Recorded

READS = ("GET", "HEAD")


class AccessRecorder(Protocol):
    def record_access(self, actor: Actor, method: str, path: str, query: str, status: int) -> Recorded: ...


class AccessLog:
    def __init__(self, app: ASGIApp, ledger: AccessRecorder) -> None:
        self.app = app
        self.ledger = ledger
        self.log = structlog.get_logger("ledger.access")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope.get("method") not in READS:
            await self.app(scope, receive, send)
            return
        withheld = False

        async def send_recorded(message: Message) -> None:
            nonlocal withheld
            if message["type"] == "http.response.start":
                withheld = not await self._recorded(scope, message["status"])
                if withheld:
                    await self._refuse(scope, send)
                    return
            if not withheld:
                await send(message)

        await self.app(scope, receive, send_recorded)

    async def _recorded(self, scope: Scope, status: int) -> bool:
        """Whether the read is recorded, or needs no record."""
        user = scope.get("user")
        if not isinstance(user, Actor) or user.role not in WATCHED:
            return True
        query = scope.get("query_string", b"").decode("latin-1")
        try:
            await anyio.to_thread.run_sync(
                self.ledger.record_access, user, str(scope.get("method")), scope["path"], query, status
            )
        except Exception as error:  # any failure to record withholds the answer
            self.log.error("access not recorded", path=scope["path"], actor=user.id, error=repr(error))
            return False
        return True

    async def _refuse(self, scope: Scope, send: Send) -> None:
        body = json.dumps(
            {
                "type": PROBLEM_TYPE + "access-not-recorded",
                "title": "Read not recorded",
                "status": 503,
                "detail": "this read could not be recorded in the access log; try again",
                "instance": scope["path"],
            }
        ).encode()
        headers = [(b"content-type", PROBLEM_JSON.encode()), (b"retry-after", b"1")]
        await send({"type": "http.response.start", "status": 503, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})
