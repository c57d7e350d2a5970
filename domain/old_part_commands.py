"""The ledger's old-part commands: a warranty claim's replaced parts collected from the engineer,
logged in at the warehouse in the monthly window, then destroyed or shipped to the manufacturer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from uuid import UUID

from domain.actors import Actor
from domain.asset_commands import AssetCommands
from domain.asset_terms import return_window
from domain.claim_commands import ClaimCommands
from domain.claim_terms import ClaimKind
from domain.ledger_base import Recorded
from domain.old_parts import Lot, OldPartRuleViolation, OldParts, old_parts_id
from domain.ticket_terms import require_past_day


class OldPartCommands(ClaimCommands, AssetCommands):
    """Old parts, reconciled against the warranty claims that list them."""

    def get_old_parts(self, claim_id: UUID) -> OldParts | None:
        """The claim's old parts as collected so far; None before the first collection."""
        return self._find(old_parts_id(claim_id), OldParts)

    def collect_old_part(
        self,
        claim_id: UUID,
        lot: str,
        part_number: str,
        serial: str,
        quantity: int,
        engineer_id: str,
        collected_on: date,
        actor: Actor,
    ) -> Recorded:
        """Take a lot of a listed part from the engineer; it is due back in the window of the claim's
        contract version that has not closed by the day it is collected."""
        claim = self.get_claim(claim_id)
        now = self.clock()
        if claim.kind is not ClaimKind.WARRANTY:
            raise OldPartRuleViolation("only a warranty claim's old parts are collected", field="claim_id")
        require_past_day("collected_on", collected_on, now)
        if not any(p.part_number == part_number for p in claim.old_parts):
            listed = ", ".join(sorted({p.part_number for p in claim.old_parts})) or "none"
            msg = f"claim {claim_id} lists no old part {part_number!r} (it lists: {listed})"
            raise OldPartRuleViolation(msg, field="part_number")
        terms = self.asset_terms(claim.contract_id, claim.contract_version)
        due_from, due_by = return_window(terms, collected_on)
        parts = self.get_old_parts(claim_id) or OldParts.start(
            claim_id, claim.vendor_id, list(claim.old_parts), actor, now
        )
        parts.collect(
            Lot(lot, part_number, serial, quantity, engineer_id, collected_on, due_from, due_by), actor, now
        )
        return self._save(parts)

    def log_in_old_part(
        self, claim_id: UUID, lot: str, location_id: str, returned_on: date, actor: Actor
    ) -> Recorded:
        return self._parts(claim_id, lambda p, now: p.log_in(lot, location_id, returned_on, actor, now))

    def destroy_old_part(self, claim_id: UUID, lot: str, witness: Actor, actor: Actor) -> Recorded:
        return self._parts(claim_id, lambda p, now: p.destroy(lot, witness, actor, now))

    def ship_old_part(self, claim_id: UUID, lot: str, document: str, actor: Actor) -> Recorded:
        return self._parts(claim_id, lambda p, now: p.ship(lot, document, actor, now))

    def _parts(self, claim_id: UUID, command: Callable[[OldParts, datetime], object]) -> Recorded:
        parts = self.get_old_parts(claim_id)
        if parts is None:
            raise OldPartRuleViolation(
                f"no old part of claim {claim_id} has been collected", field="claim_id"
            )
        command(parts, self.clock())
        return self._save(parts)
