"""The access log over HTTP: the recorded reads of auditors and regulators, oldest first, a page at
a time (reading it is itself recorded when an auditor or a regulator does)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from eventsourcing.utils import get_topic
from litestar import get
from litestar.params import Parameter, QueryParameter
from pydantic import BaseModel

from api.auth import CHAIN_READERS, allow
from api.schemas import example
from api.services import Injected
from domain.access_records import AccessRecord

READ_EXAMPLE = {
    "position": 90412,
    "occurred_at": "2026-11-20T03:15:02.410000+00:00",
    "actor_id": "aud-wu",
    "role": "auditor",
    "method": "GET",
    "path": "/penalty-ledger",
    "query": "period=2026-10&by=party",
    "status": 200,
}


class AccessRead(BaseModel):
    model_config = example(READ_EXAMPLE)
    position: int
    occurred_at: datetime
    actor_id: str
    role: str
    method: str
    path: str
    query: str
    status: int


class AccessPage(BaseModel):
    model_config = example({"reads": [READ_EXAMPLE], "next_after": 90412})
    reads: list[AccessRead]
    next_after: int | None


@get(
    "/audit/access-log",
    operation_id="listAccessLog",
    summary="Reads recorded for auditors and regulators: who, when, what and with which filters",
    guards=[allow(CHAIN_READERS)],
    sync_to_thread=True,
)
def list_access_log(
    services: Injected,
    actor_id: Annotated[
        str | None, QueryParameter(max_length=64, description="Only this reader's reads.")
    ] = None,
    after: Annotated[int, Parameter(ge=0, description="The next_after of the previous page.")] = 0,
    limit: Annotated[int, Parameter(ge=1, le=500, description="Reads per page.")] = 100,
) -> AccessPage:
    ledger = services.ledger
    topic = get_topic(AccessRecord.Read)
    reads: list[AccessRead] = []
    start, last = after, None
    while len(reads) < limit:
        page = ledger.recorder.select_notifications(start, limit, topics=[topic], inclusive_of_start=False)
        if not page:
            break
        for notification in page:
            last = start = notification.id
            event: Any = ledger.mapper.to_domain_event(notification)
            if actor_id is None or event.actor.id == actor_id:
                reads.append(read_of(event, notification.id))
            if len(reads) == limit:
                break
    return AccessPage(reads=reads, next_after=last if len(reads) == limit else None)


def read_of(event: Any, position: int) -> AccessRead:
    return AccessRead(
        position=position,
        occurred_at=event.occurred_at,
        actor_id=event.actor.id,
        role=event.actor.role.value,
        method=event.method,
        path=event.path,
        query=event.query,
        status=event.status,
    )
