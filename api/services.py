"""What request handlers reach: the ledger, its read side and the settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias
from uuid import UUID

from litestar import Request
from litestar.di import NamedDependency
from litestar.params import FromPath

from api.errors import StaleRead
from api.settings import Settings
from domain.actors import Actor
from domain.ledger import ServiceLedger
from projections.read_side import ReadSide


@dataclass(frozen=True)
class Services:
    """The ledger's write side, read side and configuration, shared by every request."""

    ledger: ServiceLedger
    read_side: ReadSide
    settings: Settings

    def caught_up(self, after: int | None) -> None:
        """Wait until every view has taken in log position `after`, or refuse a stale read."""
        if after is None or after <= 0:
            return
        if not self.read_side.wait(after, self.settings.read_wait_seconds):
            raise StaleRead(after, self.settings.read_wait_seconds)


def actor_of(request: Request[Any, Any, Any]) -> Actor:
    """The authenticated actor (the auth middleware refuses requests without one)."""
    actor = request.user
    assert isinstance(actor, Actor)
    return actor


Injected: TypeAlias = NamedDependency[Services]
"""The handlers' one dependency, provided by create_app."""
TicketId: TypeAlias = FromPath[UUID]
