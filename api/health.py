"""Liveness and position of the store and every view."""

from __future__ import annotations

from eventsourcing.persistence import PersistenceError
from litestar import Response, get

from api.schemas import Health
from api.services import Injected
from domain.errors import StorageUnavailable


@get(
    "/health",
    operation_id="health",
    summary="Whether the ledger answers, and how far each view has read",
    sync_to_thread=True,
)
def health(services: Injected) -> Response[Health]:
    try:
        log_position = services.ledger.recorder.max_notification_id() or 0
        views = {runner.name: runner.position() for runner in services.read_side.followers()}
    except PersistenceError as error:
        raise StorageUnavailable(f"the store did not answer: {error}") from error
    body = Health(status="ok", store=services.settings.store, log_position=log_position, views=views)
    return Response(body)
