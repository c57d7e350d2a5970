"""Demo old parts: the replaced parts of the demo's warranty claims (`api/demo_claims.py`), one lot
per claim, in every state.

The four claims whose service was completed first have their lot collected from the engineer the
day after, and then: returned in its window and shipped to the manufacturer; returned in its
window and destroyed before a witness; returned in its window and kept at the warehouse; returned
three days after its window closed (flagged late). The latest claim's lot was collected two days
before the end and is still on its way back.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from functools import partial
from uuid import UUID

from api.demo_cast import CLERK, COUNTERSIGNER, KEEPER, Step, created, morning
from domain.asset_terms import return_window
from domain.claim_terms import ClaimKind
from domain.claims import Claim
from domain.ledger import ServiceLedger
from domain.tickets import Ticket

DAY = timedelta(days=1)
WAREHOUSE = "wh-shanghai"
RETURNED = ("shipped", "destroyed", "returned", "late")


def old_part_steps(
    ledger: ServiceLedger, rng: random.Random, tickets: list[Ticket], end: datetime
) -> list[Step]:
    """A lot of each warranty claim chosen, collected, and taken as far as its state says."""
    claims = _warranty_claims(ledger)
    if len(claims) <= len(RETURNED):
        return []
    engineers = {t.id: t.engineer_id for t in tickets}
    steps: list[Step] = []
    for claim, state in zip(claims, RETURNED, strict=False):
        assert claim.service_completed_at is not None
        assert claim.ticket_id is not None
        collected_on = claim.service_completed_at.date() + DAY
        steps += _collect(ledger, claim, str(engineers[claim.ticket_id]), collected_on, rng)
        steps += _returned(ledger, claim, collected_on, state)
    latest = claims[-1]
    assert latest.ticket_id is not None
    return steps + _collect(ledger, latest, str(engineers[latest.ticket_id]), end.date() - 2 * DAY, rng)


def _warranty_claims(ledger: ServiceLedger) -> list[Claim]:
    """The first filing of each warranty claim that lists old parts, by when its service was completed."""
    claims = [ledger.get_claim(claim_id) for claim_id in created(ledger, Claim.Drafted)]
    listed = [
        c
        for c in claims
        if c.kind is ClaimKind.WARRANTY and c.old_parts and c.ticket_id and c.resubmission_of is None
    ]
    return sorted(listed, key=lambda c: c.service_completed_at or c.drafted_at)


def _collect(
    ledger: ServiceLedger, claim: Claim, engineer_id: str, collected_on: date, rng: random.Random
) -> list[Step]:
    part = claim.old_parts[0].part_number
    serial = f"SN{rng.getrandbits(40):010X}"
    collect = partial(ledger.collect_old_part, claim.id, _lot(claim.id), part, serial, 1, engineer_id)
    return [(morning(collected_on), partial(collect, collected_on, CLERK))]


def _returned(ledger: ServiceLedger, claim: Claim, collected_on: date, state: str) -> list[Step]:
    """The lot logged in at the warehouse (in its window, or three days after it), then perhaps
    shipped or destroyed the next day."""
    due_from, due_by = return_window(
        ledger.asset_terms(claim.contract_id, claim.contract_version), collected_on
    )
    returned_on = due_by + 3 * DAY if state == "late" else max(due_from, collected_on)
    lot, back = _lot(claim.id), morning(returned_on)
    steps: list[Step] = [
        (back, partial(ledger.log_in_old_part, claim.id, lot, WAREHOUSE, returned_on, KEEPER))
    ]
    if state == "shipped":
        steps.append((back + DAY, partial(ledger.ship_old_part, claim.id, lot, f"AWB-{lot}", KEEPER)))
    if state == "destroyed":
        steps.append((back + DAY, partial(ledger.destroy_old_part, claim.id, lot, COUNTERSIGNER, KEEPER)))
    return steps


def _lot(claim_id: UUID) -> str:
    return f"OP-{claim_id.hex[:8].upper()}"
