"""Demo parts: stock at a warehouse, a service station and an engineer's van, moved by the people the
demo tokens log in as, so that a newcomer finds their own work (`api/demo_assets.py` tells the
assets, backup-unit loans and old parts in the same history).

The stock's history, days before the demo's end:

- 58: the opening count, imported as a CSV file like any opening balance: the 20 parts of PARTS at
  wh-shanghai, 6 at station-pudong and 4 at van-07; safety stock set on 5 items;
- 40 and 12: receipts at wh-shanghai at the suppliers' later prices, so the moving average moves;
- 20-18: a transfer of disks wh-shanghai → station-pudong that arrived; 15-14: one to the van
  cancelled; 9: a write-off of swollen batteries; 8: a stocktake adjustment of cables, both approved
  by the manager; 3-2: a transfer of memory to the van, in transit;
- on six tickets still being worked that an engineer has reached (the demo engineer's latest among
  them, when they have one), between the arrival and the end: five issues, each countersigned by a
  second person in the warehouse role: three by the warehouse (one from a reservation, which leaves
  station-pudong's power supplies below safety stock and flagged; one a free spare) and two by the
  ticket's engineer from the van (one with a part taken back unused); one part stays reserved.
  A demo too small to have six such tickets has none of these;
- at the end: a transfer requested for station-pudong's disks, which two issues left below safety
  stock, with that request open.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from uuid import UUID

from api.demo_assets import asset_steps
from api.demo_cast import (
    COUNTERSIGNER,
    ENGINEER,
    KEEPER,
    MANAGER,
    Step,
    between,
    created,
    demo_tickets,
    engineer_of,
    tell,
    worked,
)
from domain.assets import Asset
from domain.ledger import Recorded, ServiceLedger
from domain.opening_balances import STOCK_HEADER, file_document, parse_opening_stock
from domain.stock import StockItem
from domain.ticket_terms import Milestone
from domain.tickets import Ticket

WAREHOUSE, STATION, VAN = "wh-shanghai", "station-pudong", "van-07"
DAY, MINUTE = timedelta(days=1), timedelta(minutes=1)
PARTS = """
HDD-1.2T dell 1850.00 1790.00 1920.00 | PSU-750 dell 1320.00 1280.00 | SSD-960G dell 2100.00 1980.00
DIMM-32G dell 980.00 1050.00 1010.00 | FAN-R740 dell 260.00 245.00 | RAID-9460 dell 4300.00 4150.00
MB-R740 dell 7600.00 7450.00 | CPU-6338 dell 9800.00 9500.00 | NIC-X710 huawei 2650.00 2580.00
SFP-10G-SR huawei 320.00 300.00 310.00 | GBIC-1G-LX huawei 410.00 395.00 | AP-5761 huawei 2300.00 2240.00
SW-S5735 huawei 5400.00 5250.00 | CTRL-AC6508 huawei 8800.00 8650.00 | FW-USG6525 h3c 12600.00 12400.00
BMC-CARD h3c 1150.00 1120.00 | UPS-BAT-12V100 apc 950.00 920.00 990.00 | UPS-FAN-3K apc 180.00 175.00
PDU-16A apc 640.00 610.00 | CBL-CAT6-3M apc 18.50 16.80 17.20
"""
"""Part number, supplier, and the unit cost at the opening count then at each later receipt."""
PRICES = {
    part: (supplier, [Decimal(price) for price in prices])
    for part, supplier, *prices in (entry.split() for entry in PARTS.replace("\n", "|").split("|") if entry)
}
OPENING = {
    STATION: {"HDD-1.2T": 4, "PSU-750": 3, "SSD-960G": 3, "DIMM-32G": 4, "SFP-10G-SR": 6, "FAN-R740": 2},
    VAN: {"SFP-10G-SR": 4, "DIMM-32G": 2, "HDD-1.2T": 1, "CBL-CAT6-3M": 10},
}
SAFETY = {(WAREHOUSE, "HDD-1.2T"): 6, (WAREHOUSE, "UPS-BAT-12V100"): 4, (STATION, "HDD-1.2T"): 3}
SAFETY |= {(STATION, "PSU-750"): 2, (VAN, "SFP-10G-SR"): 2}
RECEIPT_DAYS = (40, 12)
TRANSFERS = (
    ("SSD-960G", STATION, 4, "Restock the station's disks", 20),
    ("SFP-10G-SR", VAN, 6, "Optics for the van", 15),
    ("DIMM-32G", VAN, 2, "Memory for the van", 3),
    ("HDD-1.2T", STATION, 4, "Below safety stock after two disks went to tickets", 0),
)
"""Part, destination, quantity, reason and the days before the end each transfer from wh-shanghai was
requested: it then arrived, was cancelled, is in transit, and is still requested."""


@dataclass(frozen=True)
class PartsSummary:
    """What load_demo_parts recorded."""

    stock_items: int
    assets: int


def load_demo_parts(ledger: ServiceLedger, rng: random.Random, end: datetime) -> PartsSummary:
    """Tell the stock's and the assets' history up to `end`, over the demo's tickets and claims."""
    tickets = demo_tickets(ledger)
    visited = [t for t in worked(tickets) if t.latest(Milestone.ARRIVED)]
    steps = _opening(ledger, rng, end) + _receipts(ledger, rng, end) + _transfers(ledger, rng, end)
    steps += _losses(ledger, end) + _visits(ledger, visited, end)
    tell(ledger, steps + asset_steps(ledger, rng, tickets, end))
    return PartsSummary(len(created(ledger, StockItem.Opened)), len(created(ledger, Asset.Registered)))


def _opening(ledger: ServiceLedger, rng: random.Random, end: datetime) -> list[Step]:
    """The opening count at day 58, and the safety stock levels a minute later."""
    counts = {WAREHOUSE: {part: rng.randrange(8, 25) for part in PRICES}, **OPENING}
    rows = [f"{p},{at},{n},{PRICES[p][1][0]}" for at, parts in counts.items() for p, n in parts.items()]
    data = "\n".join([",".join(STOCK_HEADER), *rows, ""]).encode()
    opened = end - 58 * DAY
    count = partial(ledger.import_opening_stock, parse_opening_stock(data), file_document(data), KEEPER)
    return [
        (opened, count),
        *(
            (opened + MINUTE, partial(ledger.set_safety_stock, part, at, level, MANAGER))
            for (at, part), level in SAFETY.items()
        ),
    ]


def _receipts(ledger: ServiceLedger, rng: random.Random, end: datetime) -> list[Step]:
    """Each part received at wh-shanghai at its later prices, on the days of RECEIPT_DAYS."""
    return [
        _receipt(ledger, part, supplier, cost, rng.randrange(4, 13), end - days * DAY)
        for part, (supplier, prices) in PRICES.items()
        for days, cost in zip(RECEIPT_DAYS, prices[1:], strict=False)
    ]


def _receipt(
    ledger: ServiceLedger, part: str, supplier: str, cost: Decimal, quantity: int, day: datetime
) -> Step:
    note = f"GRN-{day:%Y%m%d}-{part}"
    return day, partial(ledger.receive_stock, part, WAREHOUSE, supplier, note, quantity, cost, KEEPER)


def _transfers(ledger: ServiceLedger, rng: random.Random, end: datetime) -> list[Step]:
    """A transfer of each of TRANSFERS: arrived, cancelled, in transit, and requested at the end."""
    ids = [UUID(int=rng.getrandbits(128), version=4) for _ in TRANSFERS]
    arrived, cancelled, moving, _ = ids
    request = partial(ledger.request_transfer, from_location=WAREHOUSE, actor=KEEPER)
    return [
        *(
            (
                end - days * DAY - MINUTE,
                partial(request, part, to_location=to, quantity=n, reason=why, transfer_id=i),
            )
            for (part, to, n, why, days), i in zip(TRANSFERS, ids, strict=True)
        ),
        (end - 19 * DAY, partial(ledger.dispatch_transfer, arrived, f"DN-{arrived.hex[:8]}", KEEPER)),
        (end - 18 * DAY, partial(ledger.receive_transfer, arrived, KEEPER)),
        (end - 14 * DAY, partial(ledger.cancel_transfer, cancelled, "Taken from station-pudong", KEEPER)),
        (end - 2 * DAY, partial(ledger.dispatch_transfer, moving, f"DN-{moving.hex[:8]}", KEEPER)),
    ]


def _losses(ledger: ServiceLedger, end: datetime) -> list[Step]:
    """A write-off and a stocktake adjustment, authored by the warehouse and approved by the manager."""
    swollen = "Swollen cells found at the quarterly inspection"
    return [
        (
            end - 9 * DAY,
            partial(ledger.write_off_stock, "UPS-BAT-12V100", WAREHOUSE, 2, swollen, MANAGER, KEEPER),
        ),
        (end - 8 * DAY, partial(_count_short, ledger, "CBL-CAT6-3M", 3)),
    ]


def _count_short(ledger: ServiceLedger, part: str, missing: int) -> Recorded:
    counted = ledger.get_stock_item(part, WAREHOUSE).on_hand - missing
    reason = f"Annual stocktake: {missing} not found on the shelf"
    return ledger.count_stock(part, WAREHOUSE, counted, reason, MANAGER, KEEPER)


def _visits(ledger: ServiceLedger, visited: list[Ticket], end: datetime) -> list[Step]:
    """Parts for the six tickets still worked that an engineer reached first, the demo engineer's
    latest such ticket among them (when they have one)."""
    ordered = sorted(visited, key=_arrival)
    own = [t for t in ordered if t.engineer_id == ENGINEER.id][-1:]
    chosen = [t for t in ordered if t not in own][: 6 - len(own)] + own
    if len(chosen) < 6:  # noqa: PLR2004 - the six visits above
        return []
    fifth = chosen[4]
    return [
        *_warehouse_issues(ledger, chosen[:3], end),
        *_van_issues(ledger, chosen[3], chosen[5], end),
        (
            _on_site(fifth, end, 1 / 6),
            partial(ledger.reserve_stock, "SSD-960G", STATION, fifth.id, 1, KEEPER),
        ),
    ]


def _warehouse_issues(ledger: ServiceLedger, tickets: list[Ticket], end: datetime) -> list[Step]:
    """Issued by the warehouse, countersigned: from a reservation, plainly, and a free spare."""
    first, second, third = tickets
    issue = partial(ledger.issue_stock, countersigner=COUNTERSIGNER, actor=KEEPER)
    return [
        (_on_site(first, end, 1 / 6), partial(ledger.reserve_stock, "PSU-750", STATION, first.id, 2, KEEPER)),
        (_on_site(first, end, 1 / 3), partial(issue, "PSU-750", STATION, first.id, 2)),
        (_on_site(second, end, 1 / 3), partial(issue, "HDD-1.2T", STATION, second.id, 2)),
        (_on_site(third, end, 1 / 3), partial(issue, "FAN-R740", WAREHOUSE, third.id, 1, chargeable=False)),
    ]


def _van_issues(ledger: ServiceLedger, ticket: Ticket, own: Ticket, end: datetime) -> list[Step]:
    """Issued from the van by the ticket's engineer, countersigned by the warehouse; one part back."""
    engineer, mine = engineer_of(ticket), engineer_of(own)
    back = partial(ledger.return_stock, "SFP-10G-SR", VAN, ticket.id, "Unused, seal intact", 1, engineer)
    return [
        (
            _on_site(ticket, end, 1 / 3),
            partial(ledger.issue_stock, "SFP-10G-SR", VAN, ticket.id, 2, KEEPER, engineer),
        ),
        (_on_site(ticket, end, 1 / 2), back),
        (_on_site(own, end, 1 / 3), partial(ledger.issue_stock, "DIMM-32G", VAN, own.id, 1, KEEPER, mine)),
    ]


def _on_site(ticket: Ticket, end: datetime, share: float) -> datetime:
    """`share` of the way from the engineer's arrival to the end."""
    return between(_arrival(ticket), end, share)


def _arrival(ticket: Ticket) -> datetime:
    arrived = ticket.latest(Milestone.ARRIVED)
    assert arrived is not None
    return arrived.occurred_at
