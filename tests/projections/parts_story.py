"""A month of parts and assets, driven through the ledger's commands: stock received, reserved,
issued, moved between locations, written off, counted and returned; backup units lent and
recalled; a warranty claim's old parts collected, logged in, destroyed and shipped. With a
recorded time between its phases, for answers as of a past time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

from api.holiday_source import library_holidays
from domain.actors import Actor, Role
from domain.asset_commands import AssetRegistration
from domain.claim_commands import ClaimDraft
from domain.claim_terms import ClaimKind, ClaimLine, LineKind, OldPart
from domain.contract_documents import contract_document
from domain.ledger import ServiceLedger
from domain.opening_balances import OpeningLine
from projections.kpis import REPORTING_ZONE
from tests.support import AGENT, ENGINEER, MANAGER, SetClock, draft, mark

T0 = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
"""10:00 on 5 January in Shanghai; old parts collected that day are due back on 26-28 January."""
CUSTOMER = "huaxin-bank"
KEEPER = Actor("wh-sun", Role.WAREHOUSE)
DEPUTY = Actor("wh-ma", Role.WAREHOUSE)
APPROVER = Actor("mgr-zhao", Role.MANAGER)
CLERK = Actor("clerk-li", Role.CLAIMS)


def day(days: int) -> date:
    """The day in Shanghai `days` after T0."""
    return (T0 + timedelta(days=days)).astimezone(REPORTING_ZONE).date()


@dataclass
class Story:
    """What the story recorded: ids by name, and recorded times by the phase they follow."""

    ledger: ServiceLedger
    ids: dict[str, UUID] = field(default_factory=dict)
    marks: dict[str, datetime] = field(default_factory=dict)
    positions: dict[str, int] = field(default_factory=dict)

    def at(self, days: int) -> None:
        clock = self.ledger.clock
        assert isinstance(clock, SetClock)
        clock.now = T0 + timedelta(days=days)


def new_ledger(store_env: dict[str, str]) -> ServiceLedger:
    """A ledger whose customer has a contract (with asset and claim terms) and a ticket."""
    ledger = ServiceLedger(env=store_env, clock=SetClock(T0))
    document = contract_document("fault-4-class", None, library_holidays)
    contract = ledger.draft_contract(CUSTOMER, "Service, parts and claims", document, MANAGER).id
    ledger.review_contract(contract, 1, "Checked", ENGINEER)
    ledger.approve_contract(contract, 1, T0 - timedelta(days=400), APPROVER)
    return ledger


def record_stock(story: Story) -> None:
    """P-1 at wh-main: 10 received at 12.50, safety stock 5, 2 reserved then 3 issued to the ticket,
    1 reserved and released; 4 sent to van-7 (wh-main falls below safety stock). Then they arrive,
    1 is written off at van-7, wh-main is counted at 6 and 1 comes back; P-2 opens at wh-north."""
    ledger, ticket = story.ledger, story.ids["ticket"]
    ledger.receive_stock("P-1", "wh-main", "acme", "GRN-1", 10, Decimal("12.50"), KEEPER)
    ledger.set_safety_stock("P-1", "wh-main", 5, MANAGER)
    ledger.reserve_stock("P-1", "wh-main", ticket, 2, KEEPER)
    ledger.issue_stock("P-1", "wh-main", ticket, 3, DEPUTY, KEEPER)
    ledger.reserve_stock("P-1", "wh-main", ticket, 1, KEEPER)
    ledger.release_stock("P-1", "wh-main", ticket, KEEPER)
    story.marks["issued"] = mark()
    transfer = ledger.request_transfer("P-1", "wh-main", "van-7", 4, "Stock the van", KEEPER).id
    story.ids["transfer"] = transfer
    ledger.dispatch_transfer(transfer, "DN-1", KEEPER)
    story.marks["in_transit"] = mark()
    ledger.receive_transfer(transfer, ENGINEER)
    ledger.write_off_stock("P-1", "van-7", 1, "Dropped", APPROVER, ENGINEER)
    ledger.count_stock("P-1", "wh-main", 6, "Stocktake", APPROVER, KEEPER)
    ledger.import_opening_stock([OpeningLine(1, "P-2", "wh-north", 20, Decimal("3.00"))], "IMPORT-1", KEEPER)
    story.positions["return"] = ledger.return_stock("P-1", "wh-main", ticket, "RET-1", 1, KEEPER).position


def record_assets(story: Story) -> None:
    """BK-1 and BK-2 in the pool, SN-1 at the customer, accepted on day 0 (warranty from day 1).
    BK-1 lent late on day 0, due back on day 3; recalled on day 5 for day 6, when BK-2 goes out
    and comes back; SN-1 repaired, then serviced by dealer-b from day 30."""
    ledger, ticket = story.ledger, story.ids["ticket"]
    for serial, pool in (("BK-1", True), ("BK-2", True), ("SN-1", False)):
        registration = AssetRegistration(serial, "X-200", CUSTOMER, "huaxin-pudong", "dealer-a", pool)
        ledger.register_asset(registration, MANAGER)
    ledger.accept_asset("SN-1", day(0), None, MANAGER)
    ledger.lend_backup_unit("BK-1", ticket, day(3), KEEPER)
    story.marks["lent"] = mark()
    story.at(5)
    ledger.recall_backup_unit("BK-1", day(6), KEEPER)
    ledger.lend_backup_unit("BK-2", ticket, None, KEEPER)
    ledger.record_repair("SN-1", ticket, day(2), "Fan replaced", ENGINEER)
    story.marks["recalled"] = mark()
    ledger.return_backup_unit("BK-2", "Good", KEEPER)
    story.at(30)
    ledger.transfer_asset_service("SN-1", "dealer-b", day(30), 500, False, None, MANAGER)


def record_old_parts(story: Story) -> None:
    """A warranty claim lists 3 of P-9 and 1 of P-8. Lots L1 (2 of P-9), L2 (1 of P-9) and L3
    (P-8) collected on day 0; L1 logged in on day 22, in its window, and destroyed; L3 on day 25,
    late, and shipped back; L2 never comes back."""
    ledger = story.ledger
    story.at(0)
    line = ClaimLine(LineKind.MATERIAL, "P-9", "Pump", Decimal(1), Decimal("900.00"))
    listed = (OldPart("P-9", 2, "S-91"), OldPart("P-9", 1, "S-92"), OldPart("P-8", 1, "S-81"))
    claim = ClaimDraft(ClaimKind.WARRANTY, CUSTOMER, "volvo-ce", "CNY", (line,), old_parts=listed)
    story.ids["claim"] = claim_id = ledger.draft_claim(claim, CLERK).id
    for lot, part, quantity in (("L1", "P-9", 2), ("L2", "P-9", 1), ("L3", "P-8", 1)):
        ledger.collect_old_part(claim_id, lot, part, f"S-{lot}", quantity, "eng-li", day(0), KEEPER)
    story.marks["collected"] = mark()
    story.at(22)
    ledger.log_in_old_part(claim_id, "L1", "wh-main", day(22), KEEPER)
    story.at(25)
    ledger.log_in_old_part(claim_id, "L3", "wh-main", day(25), KEEPER)
    ledger.destroy_old_part(claim_id, "L1", APPROVER, KEEPER)
    story.marks["returned"] = mark()
    ledger.ship_old_part(claim_id, "L3", "SHIP-1", KEEPER)


def record_story(ledger: ServiceLedger) -> Story:
    story = Story(ledger)
    story.marks["start"] = mark()
    story.ids["ticket"] = ledger.open_ticket(draft(reported_at=T0 - timedelta(hours=30)), AGENT).id
    record_stock(story)
    record_assets(story)
    record_old_parts(story)
    return story
