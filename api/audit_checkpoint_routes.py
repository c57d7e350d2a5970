"""The audit trail over HTTP: signed checkpoints of the hash chain, the key that signs them, and
regulator bundles.

The service signs a checkpoint of the chain head every LEDGER_CHECKPOINT_SECONDS (an hour unless
set; 0 for none) and whenever management asks. It signs with LEDGER_SIGNING_KEY, or without one
with an ephemeral key made at start, which the log and GET /audit/public-key say (see
domain/checkpoints.py).
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, get_args
from uuid import UUID

import structlog
from litestar import Response, Router, get, post
from litestar.di import NamedDependency, Provide
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example
from litestar.params import Parameter, QueryParameter
from litestar.response import Stream
from pydantic import BaseModel, Field

from api.auth import BUNDLE_READERS, CHAIN_READERS, MANAGEMENT, allow
from api.schemas import example
from api.services import Injected
from api.settings import Settings
from api.ticket_queries import Filter, bad_query, require_zones
from domain.checkpoints import Checkpoint, SigningKey, instant_text
from domain.errors import RuleViolation
from domain.ledger import ServiceLedger
from projections.bundle_export import Bundle
from projections.bundle_filters import KINDS, BundleRequest
from projections.checkpoint_store import Chain
from projections.read_side import ReadSide
from projections.timer import Timer

log = structlog.get_logger("ledger.audit")
Kind = Literal[
    "ticket", "sla", "contract", "customer", "claim", "old-parts", "subsidy", "stock", "transfer", "asset",
    "penalty", "penalty-book",
]  # fmt: skip
assert get_args(Kind) == tuple(KINDS)
LINK = "9f2c4be0d1a3f5e7c9b8a7d6e5f4c3b2a1908f7e6d5c4b3a2918f7e6d5c4b3a2"
PEM_EXAMPLE = (
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n"
    "-----END PUBLIC KEY-----\n"
)
CHECKPOINT_EXAMPLE: dict[str, Any] = {
    "position": 182_345,
    "link": LINK,
    "signed_at": "2026-11-20T09:00:00.000000+00:00",
    "statement": f"service-ledger checkpoint\n182345\n{LINK}\n2026-11-20T09:00:00.000000+00:00",
    "signature": "3q2+7w...base64 of 64 bytes...==",
    "public_key": PEM_EXAMPLE,
}


class CheckpointView(BaseModel):
    model_config = example(CHECKPOINT_EXAMPLE)
    position: int = Field(description="The log position whose chain link is signed.")
    link: str = Field(description="The chain's link at that position, 64 hex digits.")
    signed_at: str = Field(description="When it was signed (UTC, as the statement writes it).")
    statement: str = Field(description="The exact text signed (UTF-8): header, position, link, time.")
    signature: str = Field(description="Ed25519 signature of the statement, base64.")
    public_key: str = Field(description="The public key that verifies it (PEM).")

    @classmethod
    def of(cls, checkpoint: Checkpoint) -> CheckpointView:
        return cls(
            position=checkpoint.position,
            link=checkpoint.link.hex(),
            signed_at=instant_text(checkpoint.signed_at),
            statement=checkpoint.statement().decode(),
            signature=base64.b64encode(checkpoint.signature).decode("ascii"),
            public_key=checkpoint.public_key,
        )


class CheckpointList(BaseModel):
    model_config = example({"checkpoints": [CHECKPOINT_EXAMPLE], "next_before": None})
    checkpoints: list[CheckpointView] = Field(description="Newest first.")
    next_before: int | None = Field(description="Pass as `before` for the next page; null on the last.")


class PublicKeyView(BaseModel):
    model_config = example(
        {"algorithm": "Ed25519", "pem": PEM_EXAMPLE, "sha256": "5d0c...64 hex digits", "ephemeral": False}
    )
    algorithm: Literal["Ed25519"]
    pem: str = Field(description="The public key (PEM, SubjectPublicKeyInfo): save it to verify bundles.")
    sha256: str = Field(
        description="SHA-256 of the raw public key, hex: compare it with a bundle's manifest."
    )
    ephemeral: bool = Field(
        description="True when no LEDGER_SIGNING_KEY is configured: the key was made when the service "
        "started and is lost when it stops, so what it signed cannot be verified after a restart."
    )


class AuditTrail:
    """The signing key, the chain's store and the checkpoint timer of one service."""

    def __init__(self, ledger: ServiceLedger, read_side: ReadSide, settings: Settings) -> None:
        self.ledger = ledger
        self.chain = Chain.of(ledger, read_side.chain)
        self.key = SigningKey.from_setting(settings.signing_key)
        self.seconds = settings.checkpoint_seconds
        self.timer = Timer("checkpoints", self.seconds, self._sign, self._failed, at_start=False)
        if self.key.ephemeral:
            log.warning(
                "no LEDGER_SIGNING_KEY: signing with an ephemeral key, lost when the service stops",
                key_sha256=self.key.fingerprint,
            )

    def checkpoint(self) -> tuple[Checkpoint, bool]:
        return self.chain.checkpoint(self.ledger, self.key, datetime.now(UTC))

    def router(self) -> Router:
        """The audit routes, with this trail as their `audit` dependency."""
        provide = Provide(lambda: self, sync_to_thread=False, use_cache=True)
        return Router(path="/", route_handlers=AUDIT_ROUTES, dependencies={"audit": provide}, tags=["audit"])

    def start(self) -> None:
        if self.seconds > 0:
            self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _sign(self) -> None:
        try:
            checkpoint, new = self.checkpoint()
        except RuleViolation:
            return  # an empty log has no head to sign
        if new:
            log.info("checkpoint signed", position=checkpoint.position, link=checkpoint.link.hex())

    @staticmethod
    def _failed(error: BaseException) -> None:
        log.error("checkpoint failed; trying again at the next interval", error=repr(error))


Audit = NamedDependency[AuditTrail]


@post(
    "/audit/checkpoints",
    operation_id="signCheckpoint",
    summary="Sign a checkpoint of the chain head now (the head's existing one if it has one)",
    guards=[allow(MANAGEMENT)],
    status_code=201,
    sync_to_thread=True,
    responses={200: ResponseSpec(CheckpointView, description="The log head already had this checkpoint.")},
)
def sign_checkpoint(audit: Audit) -> Response[CheckpointView]:
    checkpoint, new = audit.checkpoint()
    return Response(CheckpointView.of(checkpoint), status_code=201 if new else 200)


@get(
    "/audit/checkpoints",
    operation_id="listCheckpoints",
    summary="Signed checkpoints of the hash chain, newest first",
    guards=[allow(CHAIN_READERS)],
    sync_to_thread=True,
)
def list_checkpoints(
    audit: Audit,
    limit: Annotated[int, Parameter(ge=1, le=500, description="Checkpoints per page.")] = 50,
    before: Annotated[
        int | None, Parameter(ge=1, description="Only checkpoints below this position.")
    ] = None,
) -> CheckpointList:
    found = audit.chain.checkpoints.checkpoints(before, limit + 1)
    page = [CheckpointView.of(c) for c in found[:limit]]
    return CheckpointList(checkpoints=page, next_before=page[-1].position if len(found) > limit else None)


@get(
    "/audit/public-key",
    operation_id="getPublicKey",
    summary="The public key that verifies checkpoints and bundles, and whether it is ephemeral",
    guards=[allow(CHAIN_READERS)],
    sync_to_thread=False,
)
def public_key(audit: Audit) -> PublicKeyView:
    key = audit.key
    return PublicKeyView(
        algorithm="Ed25519", pem=key.public_pem, sha256=key.fingerprint, ephemeral=key.ephemeral
    )


TAR_SAMPLE = "(a tar stream: events.jsonl, the CSV tables, public_key.pem, manifest.json, manifest.json.sig)"


@get(
    "/audit/bundle",
    operation_id="exportBundle",
    summary="A signed regulator bundle of a period of recorded time, optionally filtered (a tar stream)",
    description="Verify it offline with `python -m domain.bundle_verify BUNDLE --public-key KEY`; its "
    "layout is described in projections/bundle_export.py.",
    guards=[allow(BUNDLE_READERS)],
    sync_to_thread=True,
    media_type="application/x-tar",
    responses={
        200: ResponseSpec(
            data_container=bytes,
            description="The bundle, streamed as a tar file.",
            media_type="application/x-tar",
            examples=[Example(summary="The members of a bundle", value=TAR_SAMPLE)],
        )
    },
)
def export_bundle(
    services: Injected,
    audit: Audit,
    start: Annotated[
        datetime, QueryParameter(name="from", description="Start of the period (recorded time).")
    ],
    end: Annotated[datetime, QueryParameter(name="to", description="End of the period, not included.")],
    customer_id: Filter = None,
    contract_id: Annotated[UUID | None, QueryParameter(description="Keep one contract's aggregates.")] = None,
    kind: Annotated[Kind | None, QueryParameter(description="Keep one kind of aggregate.")] = None,
) -> Stream:
    require_zones(**{"from": start, "to": end})
    if end <= start:
        raise bad_query("to", "must be after from")
    request = BundleRequest(start, end, customer_id, contract_id, kind)
    bundle = Bundle(services.ledger, services.read_side, audit.chain, audit.key, request, datetime.now(UTC))
    try:
        bundle.prepare()
    except BaseException:
        bundle.close()
        raise
    name = f"ledger-bundle-{start.astimezone(UTC):%Y%m%dT%H%M%SZ}-{end.astimezone(UTC):%Y%m%dT%H%M%SZ}.tar"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Stream(bundle.stream(), media_type="application/x-tar", headers=headers)


AUDIT_ROUTES = [sign_checkpoint, list_checkpoints, public_key, export_bundle]
