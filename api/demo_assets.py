"""Demo assets: the customers' servers and switches that the demo's tickets name, and a pool of
backup units, in every state; told in the same history as the stock (`api/demo_parts.py`).

Days before the demo's end:

- 58: the asset register imported as a CSV file like any opening balance: the eight servers and
  switches with the most repaired faults among the demo's tickets, and the backup units BK-01 to
  BK-06 of the service organisation's pool;
- 57 (or the day signed, when later): six acceptance reports recorded, signed 200, 100, 100, 400,
  45 and 30 days before the end, under the owner's contract: the fourth's warranty has expired;
  the last two assets are not accepted;
- at each of their fault tickets' resolution: a repair; the first asset has the most, so that 三包
  would replace it on its next failure (when it has three or more);
- 20: service of the second and third assets passed to another dealer, the second with 40 hours of
  use (under the threshold: the encroachment fee of 5000.00 is owed), the third with 2600 (none);
- backup units, lent by the warehouse against hardware and network faults still being worked (a
  demo too small to have five such tickets, one with a lapsed restore, lends none): BK-01 never lent;
  BK-02 lent and returned; BK-03 lent for the day against the oldest such fault, and overdue; BK-04
  lent half an hour after the deadline its ticket's lapsed restore gave it (flagged late); BK-05
  lent and recalled; BK-06 on loan.

`api/demo_old_parts.py` adds the old parts of the demo's warranty claims.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial

from api.demo_cast import KEEPER, MANAGER, Step, between, engineer_of, morning, worked
from api.demo_old_parts import old_part_steps
from domain.clocks import ClockReading, due_at
from domain.ledger import ServiceLedger
from domain.opening_balances import REGISTER_HEADER, parse_asset_register
from domain.ticket_terms import Milestone
from domain.tickets import Ticket

DAY, HOUR = timedelta(days=1), timedelta(hours=1)
MODELS = {"srv": "FusionServer 2288H V5", "sw": "S5735-L24T4X switch"}
FAULTS = ("hardware", "network")
DEALER, OTHER_DEALER = "dealer-pudong", "dealer-minhang"
POOL_OWNER, POOL_MODEL = "shanghai-service", "FusionServer 2288H V5 (backup unit)"
POOL = tuple(f"BK-{n:02d}" for n in range(1, 7))
SIGNED = (200, 100, 100, 400, 45, 30)
"""Days before the end each of the first six assets' acceptance report was signed."""
CUSTOMER_ASSETS = 8


def asset_steps(
    ledger: ServiceLedger, rng: random.Random, tickets: list[Ticket], end: datetime
) -> list[Step]:
    """The assets' history, over the demo's tickets (in the order they were reported)."""
    repaired = [t for t in tickets if t.category in FAULTS and t.asset_id and t.latest(Milestone.RESOLVED)]
    counts = Counter(t.asset_id for t in repaired if t.asset_id and t.asset_id.partition("-")[0] in MODELS)
    assets = [asset for asset, _ in sorted(counts.items(), key=lambda c: (-c[1], c[0]))][:CUSTOMER_ASSETS]
    registered = end - 58 * DAY
    steps: list[Step] = [(registered, partial(_register, ledger, assets, tickets))]
    steps += _acceptances(ledger, assets, end)
    steps += [
        (max(_resolved(t), registered + HOUR) + 10 * timedelta(minutes=1), partial(_repair, ledger, t))
        for t in repaired
        if t.asset_id in assets
    ]
    steps += _service_transfers(ledger, assets[1:3], end)
    faults = [t for t in worked(tickets) if t.category in FAULTS and t.contract_id is not None]
    return steps + _loans(ledger, faults, end) + old_part_steps(ledger, rng, tickets, end)


def _register(ledger: ServiceLedger, assets: list[str], tickets: list[Ticket]) -> object:
    """Import the register: each asset where its first ticket found it, then the pool."""
    site = {t.asset_id: (t.customer_id, t.site_id) for t in reversed(tickets) if t.asset_id}
    rows = [
        f"{serial},{MODELS[serial.partition('-')[0]]},{site[serial][0]},{site[serial][1]},{DEALER},false,"
        for serial in assets
    ]
    rows += [f"{serial},{POOL_MODEL},{POOL_OWNER},wh-shanghai,{DEALER},true," for serial in POOL]
    data = "\n".join([",".join(REGISTER_HEADER), *rows, ""]).encode()
    return ledger.import_asset_register(parse_asset_register(data), KEEPER)


def _acceptances(ledger: ServiceLedger, assets: list[str], end: datetime) -> list[Step]:
    steps: list[Step] = []
    for serial, days in zip(assets, SIGNED, strict=False):
        signed_on = (end - days * DAY).date()
        recorded = max(end - 57 * DAY, morning(signed_on))
        steps.append((recorded, partial(ledger.accept_asset, serial, signed_on, None, KEEPER)))
    return steps


def _repair(ledger: ServiceLedger, ticket: Ticket) -> object:
    assert ticket.asset_id is not None
    failed_on = ticket.reported_at.date()
    return ledger.record_repair(
        ticket.asset_id, ticket.id, failed_on, ticket.description, engineer_of(ticket)
    )


def _service_transfers(ledger: ServiceLedger, assets: list[str], end: datetime) -> list[Step]:
    """One transfer owing the encroachment fee (few hours of use), one owing none."""
    day = end - 20 * DAY
    transfer = partial(
        ledger.transfer_asset_service, to_dealer=OTHER_DEALER, transferred_on=day.date(), lease=False
    )
    uses = ((40, Decimal("5000.00")), (2600, None))
    return [
        (day, partial(transfer, serial, hours_of_use=hours, fee=fee, actor=MANAGER))
        for serial, (hours, fee) in zip(assets, uses, strict=False)
    ]


def _loans(ledger: ServiceLedger, faults: list[Ticket], end: datetime) -> list[Step]:
    """BK-02 to BK-06 lent against faults still worked; BK-01 stays in the pool."""
    late = _lapsed_restore(ledger, faults, end)
    others = [t for t in faults if late is None or t is not late[0]]
    if late is None or len(others) < 4:  # noqa: PLR2004 - the four loans besides the late one
        return []
    overdue, returned, recalled, lent = others[0], others[1], others[-2], others[-1]
    out = {t.id: t.reported_at + min(HOUR, (end - t.reported_at) / 3) for t in others}
    lend, today = partial(ledger.lend_backup_unit, actor=KEEPER), end.date()
    back = partial(ledger.return_backup_unit, "BK-02", "Returned clean; self-test passed", KEEPER)
    return [
        (out[overdue.id], partial(lend, "BK-03", overdue.id, out[overdue.id].date())),
        (out[returned.id], partial(lend, "BK-02", returned.id, today + DAY)),
        (between(out[returned.id], end, 0.5), back),
        (late[1], partial(lend, "BK-04", late[0].id, today + 7 * DAY)),
        (out[recalled.id], partial(lend, "BK-05", recalled.id, today + 14 * DAY)),
        (
            between(out[recalled.id], end, 0.5),
            partial(ledger.recall_backup_unit, "BK-05", today + 2 * DAY, KEEPER),
        ),
        (out[lent.id], partial(lend, "BK-06", lent.id, today + 10 * DAY)),
    ]


def _lapsed_restore(
    ledger: ServiceLedger, faults: list[Ticket], end: datetime
) -> tuple[Ticket, datetime] | None:
    """A ticket whose backup unit can be lent late before the end, and when."""
    for ticket in faults:
        out = _late_loan(ledger, ticket, end)
        if out is not None:
            return ticket, out
    return None


def _late_loan(ledger: ServiceLedger, ticket: Ticket, end: datetime) -> datetime | None:
    """Half an hour past the backup unit's deadline, `within` of the lapse of the ticket's trigger
    target (restore), when that is an hour before the end or more; else None."""
    assert ticket.contract_id is not None
    assert ticket.contract_version is not None
    backup = ledger.asset_terms(ticket.contract_id, ticket.contract_version).backup
    clocks = ledger.sla_status(ticket, end).clocks
    lapse = next((c.due_at for c in clocks if c.target == backup.trigger and c.due_at and _lapsed(c)), None)
    deadline = None if lapse is None else due_at(backup.calendar, lapse, backup.within, [])
    out = None if deadline is None else deadline + HOUR / 2
    return out if out is not None and out < end - HOUR else None


def _lapsed(clock: ClockReading) -> bool:
    """A clock that ran past its due time."""
    due, stopped = clock.due_at, clock.stopped_at
    return due is not None and (stopped is None or stopped > due)


def _resolved(ticket: Ticket) -> datetime:
    resolved = ticket.latest(Milestone.RESOLVED)
    assert resolved is not None
    return resolved.occurred_at
