"""The hash chain's head over HTTP: how far the log is sealed, the head's link, and the sealer's lag.

Verifying the chain against the stored events is `ledger verify`: it reads the whole log, which is
no work for a request.
"""

from __future__ import annotations

from eventsourcing.persistence import PersistenceError
from litestar import get
from pydantic import BaseModel, Field

from api.auth import CHAIN_READERS, allow
from api.schemas import example
from api.services import Injected
from domain.errors import StorageUnavailable


class ChainHead(BaseModel):
    model_config = example(
        {
            "position": 182_340,
            "link": "9f2c4be0d1a3f5e7c9b8a7d6e5f4c3b2a1908f7e6d5c4b3a2918f7e6d5c4b3a2",
            "log_position": 182_345,
            "sealed_lag": 5,
        }
    )
    position: int = Field(description="The last log position sealed into the chain (0 when none is).")
    link: str = Field(description="The chain's link at that position, 64 hex digits.")
    log_position: int = Field(description="The last position of the log.")
    sealed_lag: int = Field(
        description="Log positions recorded but not yet sealed: the log's head minus the sealed head. "
        "Below zero only when the log has lost events the chain sealed (run `ledger verify`)."
    )


@get(
    "/audit/chain",
    operation_id="getChainHead",
    summary="The hash chain's sealed head, its link, and how far the sealer trails the log",
    guards=[allow(CHAIN_READERS)],
    tags=["audit"],
    sync_to_thread=True,
)
def chain_head(services: Injected) -> ChainHead:
    try:
        sealed = services.read_side.chain.head()  # first: the log's head read after it is never behind
        log_position = services.ledger.recorder.max_notification_id() or 0
    except PersistenceError as error:
        raise StorageUnavailable(f"the store did not answer: {error}") from error
    return ChainHead(
        position=sealed.position,
        link=sealed.link.hex(),
        log_position=log_position,
        sealed_lag=log_position - sealed.position,
    )
