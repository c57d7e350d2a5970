"""The ledger's statement command: the new credit notes of one statement, recorded all or none."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from domain.actors import Actor
from domain.claim_commands import ClaimCommands, ClaimNotFound
from domain.claims import Claim
from domain.statements import Statement, StatementMatch, match_statement


@dataclass(frozen=True)
class StatementImport:
    """How a statement matched, and the log position of its credit notes (None if it had no new one)."""

    match: StatementMatch
    position: int | None


class StatementCommands(ClaimCommands):
    """Credit-note statements from vendors, matched to their claims."""

    def import_statement(
        self, statement: Statement, awaiting: Iterable[UUID], actor: Actor
    ) -> StatementImport:
        """Record every new credit note of `statement` in one transaction. `awaiting` names the
        vendor's claims approved and still without a credit note, as the read side lists them;
        each is checked against its events before it is reported."""
        found = {claim_id: self._find_claim(claim_id) for claim_id in statement.claim_ids}
        claims = {claim_id: claim for claim_id, claim in found.items() if claim is not None}
        waiting = [claim for claim in map(self._find_claim, awaiting) if claim is not None]
        match = match_statement(statement, claims, waiting)
        now = self.clock()
        for line in match.credit:
            claims[line.claim_id].receive_credit_note(line.number, line.amount, line.issued_on, actor, now)
        changed = [claims[claim_id] for claim_id in dict.fromkeys(line.claim_id for line in match.credit)]
        if not changed:
            return StatementImport(match, None)
        return StatementImport(match, self._save(*changed).position)

    def _find_claim(self, claim_id: UUID) -> Claim | None:
        try:
            return self.get_claim(claim_id)
        except ClaimNotFound:
            return None
