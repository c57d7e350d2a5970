"""Assets in the ledger on every store: warranty by the contract's rule, 三包 from the asset's
history, service transfers and the encroachment fee, backup-unit loans and their deadline, and the
old parts of warranty claims returned in their window."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from api.holiday_source import library_holidays
from domain.actors import Actor, Role
from domain.asset_commands import AssetRegistration
from domain.asset_terms import Remedy
from domain.assets import AssetRuleViolation, BackupUnitOnLoan
from domain.claim_commands import ClaimDraft
from domain.claim_terms import ClaimKind, ClaimLine, LineKind, OldPart
from domain.contract_documents import contract_document
from domain.ledger import ServiceLedger
from domain.old_parts import LotStatus, OldPartRuleViolation
from domain.policy_packs import PackInvalid
from tests.support import AGENT, ENGINEER, MANAGER, SetClock, draft

KEEPER = Actor("wh-wang", Role.WAREHOUSE)
WITNESS = Actor("wh-zhao", Role.WAREHOUSE)
CLERK = Actor("clerk-li", Role.CLAIMS)
ACCEPTED = date(2026, 3, 1)


@pytest.fixture
def clock() -> SetClock:
    return SetClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def ledger(store_env: dict[str, str], clock: SetClock) -> Iterator[ServiceLedger]:
    app = ServiceLedger(env=store_env, clock=clock)
    yield app
    app.close()


def contract(ledger: ServiceLedger, customer: str = "huaxin-bank", assets: Any = None) -> UUID:
    overrides = {"assets": assets} if assets else None
    document = contract_document("fault-4-class", overrides, library_holidays)
    contract_id = ledger.draft_contract(customer, "Service", document, MANAGER).id
    ledger.review_contract(contract_id, 1, "Checked", ENGINEER)
    ledger.approve_contract(contract_id, 1, datetime(2025, 1, 1, tzinfo=UTC), Actor("mgr-two", Role.MANAGER))
    return contract_id


def computer(ledger: ServiceLedger, serial: str = "PC-001", **facts: Any) -> str:
    registration = AssetRegistration(
        serial, "ThinkCentre M90", "huaxin-bank", "huaxin-pudong", "dealer-hefei", **facts
    )
    ledger.register_asset(registration, KEEPER)
    return serial


def test_warranty_starts_the_day_after_acceptance_and_the_three_guarantees_follow_the_days(
    ledger: ServiceLedger,
) -> None:
    contract(ledger)
    serial = computer(ledger)
    ledger.accept_asset(serial, ACCEPTED, None, KEEPER)
    asset = ledger.get_asset(serial)
    assert (asset.warranty_start, asset.warranty_end) == (date(2026, 3, 2), date(2027, 3, 1))
    assert asset.warranty_status(date(2026, 3, 1)) == "not_started"
    assert asset.warranty_status(date(2027, 3, 2)) == "expired"
    day_5 = ledger.evaluate_three_guarantees(serial, date(2026, 3, 6))
    assert (day_5.day, day_5.remedies) == (5, (Remedy.REFUND,))
    day_12 = ledger.evaluate_three_guarantees(serial, date(2026, 3, 13))
    assert (day_12.day, day_12.remedies) == (12, (Remedy.EXCHANGE, Remedy.REPAIR))


def test_a_third_repair_within_the_year_allows_replacement_when_more_than_two_is_the_bound(
    ledger: ServiceLedger,
) -> None:
    contract(ledger)
    serial = computer(ledger)
    ledger.accept_asset(serial, ACCEPTED, None, KEEPER)
    for failed in (date(2026, 4, 10), date(2026, 6, 1)):
        assert ledger.evaluate_three_guarantees(serial, failed).remedies == (Remedy.REPAIR,)
        ticket_id = ledger.open_ticket(draft(asset_id=serial), AGENT).id
        ledger.record_repair(serial, ticket_id, failed, "Replaced the mainboard", ENGINEER)
    third = ledger.evaluate_three_guarantees(serial, date(2026, 9, 1))
    assert (third.repair, third.remedies) == (3, (Remedy.REPLACEMENT,))
    assert "more than 2" in third.reason
    assert ledger.evaluate_three_guarantees(serial, date(2027, 3, 5)).remedies == ()


def test_at_least_two_repairs_as_the_bound_allows_replacement_on_the_second(ledger: ServiceLedger) -> None:
    contract(ledger, assets={"three_guarantees": {"repairs_inclusive": True}})
    serial = computer(ledger)
    ledger.accept_asset(serial, ACCEPTED, None, KEEPER)
    ledger.record_repair(serial, ledger.open_ticket(draft(), AGENT).id, date(2026, 4, 10), "Fan", ENGINEER)
    assert ledger.evaluate_three_guarantees(serial, date(2026, 5, 1)).remedies == (Remedy.REPLACEMENT,)


@pytest.mark.parametrize(
    ("rule", "passed", "start"),
    [
        ("acceptance_day", None, date(2026, 3, 1)),
        ("day_after_acceptance", None, date(2026, 3, 2)),
        ("acceptance_passed", date(2026, 3, 20), date(2026, 3, 20)),
    ],
)
def test_each_warranty_start_rule(ledger: ServiceLedger, rule: str, passed: date | None, start: date) -> None:
    contract(ledger, assets={"warranty_start": rule, "warranty_months": 36})
    serial = computer(ledger)
    ledger.accept_asset(serial, ACCEPTED, passed, KEEPER)
    asset = ledger.get_asset(serial)
    assert (asset.warranty_start, asset.warranty_end) == (start, start.replace(year=2029) - timedelta(days=1))


def test_a_pack_with_a_bad_warranty_rule_is_refused_naming_the_field() -> None:
    with pytest.raises(PackInvalid, match=r"assets\.warranty_start"):
        contract_document("fault-4-class", {"assets": {"warranty_start": "whenever"}}, library_holidays)


def test_a_serial_is_registered_once(ledger: ServiceLedger) -> None:
    computer(ledger)
    with pytest.raises(AssetRuleViolation, match="registered already"):
        computer(ledger)


def test_a_young_machine_transferred_out_owes_the_encroachment_fee_unless_leased(
    ledger: ServiceLedger,
) -> None:
    contract(ledger)
    serial = computer(ledger, handed_over_on=date(2026, 11, 1))
    move = ledger.transfer_asset_service
    with pytest.raises(AssetRuleViolation, match="under 100"):
        move(serial, "dealer-wuhu", date(2026, 11, 10), 60, False, None, KEEPER)
    move(serial, "dealer-wuhu", date(2026, 11, 10), 60, False, Decimal("3000"), KEEPER)
    move(serial, "dealer-hefei", date(2026, 11, 12), 80, True, None, KEEPER)
    with pytest.raises(AssetRuleViolation, match="no encroachment fee"):
        move(serial, "dealer-wuhu", date(2026, 12, 1), 400, False, Decimal("1"), KEEPER)
    assert ledger.get_asset(serial).dealer_id == "dealer-hefei"


def test_a_backup_unit_on_loan_cannot_be_lent_again(ledger: ServiceLedger) -> None:
    contract(ledger)
    unit = computer(ledger, "BK-01", pool=True)
    ledger.lend_backup_unit(unit, ledger.open_ticket(draft(), AGENT).id, None, KEEPER)
    with pytest.raises(BackupUnitOnLoan):
        ledger.lend_backup_unit(unit, ledger.open_ticket(draft(), AGENT).id, None, KEEPER)
    ledger.recall_backup_unit(unit, date(2026, 11, 25), KEEPER)
    ledger.return_backup_unit(unit, "Working, case scratched", KEEPER)
    ledger.lend_backup_unit(unit, ledger.open_ticket(draft(), AGENT).id, None, KEEPER)
    assert ledger.get_asset(unit).loans == 2


@pytest.mark.parametrize(("hours_after_trigger", "late"), [(9, True), (7, False)])
def test_a_loan_after_the_eight_hour_deadline_is_flagged_late(
    ledger: ServiceLedger, clock: SetClock, hours_after_trigger: int, late: bool
) -> None:
    contract(ledger)
    reported = clock.now - timedelta(hours=4 + hours_after_trigger)
    ticket_id = ledger.open_ticket(draft(reported_at=reported, severity="severe"), AGENT).id
    unit = computer(ledger, "BK-02", pool=True)
    ledger.lend_backup_unit(unit, ticket_id, None, KEEPER)
    asset = ledger.get_asset(unit)
    assert asset.loan is not None
    assert asset.loan.due_by == reported + timedelta(hours=12)
    flags = [e for e in ledger.repository.event_store.get(asset.id) if type(e).__name__ == "LentLate"]
    assert [e.minutes_late for e in flags] == ([60] if late else [])  # type: ignore[attr-defined]


def test_a_loan_for_a_ticket_restored_in_time_has_no_deadline(ledger: ServiceLedger, clock: SetClock) -> None:
    contract(ledger)
    ticket_id = ledger.open_ticket(draft(reported_at=clock.now - timedelta(hours=20)), AGENT).id
    ledger.record_restoration(ticket_id, clock.now - timedelta(hours=18), ENGINEER)
    unit = computer(ledger, "BK-03", pool=True)
    ledger.lend_backup_unit(unit, ticket_id, None, KEEPER)
    loan = ledger.get_asset(unit).loan
    assert loan is not None
    assert loan.due_by is None


def test_only_a_pool_unit_is_lent(ledger: ServiceLedger) -> None:
    serial = computer(ledger)
    with pytest.raises(AssetRuleViolation, match="not a backup unit"):
        ledger.lend_backup_unit(serial, ledger.open_ticket(draft(), AGENT).id, None, KEEPER)


def warranty_claim(ledger: ServiceLedger) -> UUID:
    pump = ClaimLine(LineKind.MATERIAL, "P-4411", "Hydraulic pump", Decimal(1), Decimal("2800.00"))
    old = (OldPart("P-4411", 2, ""),)
    claim = ClaimDraft(ClaimKind.WARRANTY, "huaxin-bank", "volvo-ce", "CNY", (pump,), old_parts=old)
    return ledger.draft_claim(claim, CLERK).id


@pytest.mark.parametrize(("returned", "days_late"), [(date(2026, 10, 29), 1), (date(2026, 10, 27), None)])
def test_old_parts_returned_after_the_26th_to_28th_window_are_flagged_late(
    ledger: ServiceLedger, returned: date, days_late: int | None
) -> None:
    contract(ledger)
    claim_id = warranty_claim(ledger)
    ledger.collect_old_part(claim_id, "LOT-1", "P-4411", "SN-9", 1, "eng-li", date(2026, 10, 20), KEEPER)
    ledger.log_in_old_part(claim_id, "LOT-1", "wh-main", returned, KEEPER)
    parts = ledger.get_old_parts(claim_id)
    assert parts is not None
    lot = parts.lots["LOT-1"]
    assert (lot.due_from, lot.due_by) == (date(2026, 10, 26), date(2026, 10, 28))
    assert lot.status is LotStatus.RETURNED
    flags = [e for e in ledger.repository.event_store.get(parts.id) if type(e).__name__ == "ReturnedLate"]
    assert [e.days_late for e in flags] == ([days_late] if days_late else [])  # type: ignore[attr-defined]


def test_a_part_collected_after_the_window_is_due_in_next_months(ledger: ServiceLedger) -> None:
    contract(ledger)
    claim_id = warranty_claim(ledger)
    ledger.collect_old_part(claim_id, "LOT-1", "P-4411", "", 1, "eng-li", date(2026, 10, 29), KEEPER)
    parts = ledger.get_old_parts(claim_id)
    assert parts is not None
    assert parts.lots["LOT-1"].due_by == date(2026, 11, 28)


def test_old_parts_reconcile_against_what_the_claim_lists(ledger: ServiceLedger) -> None:
    contract(ledger)
    claim_id = warranty_claim(ledger)
    with pytest.raises(OldPartRuleViolation, match="lists no old part"):
        ledger.collect_old_part(claim_id, "LOT-0", "P-9999", "", 1, "eng-li", date(2026, 11, 1), KEEPER)
    ledger.collect_old_part(claim_id, "LOT-1", "P-4411", "SN-1", 1, "eng-li", date(2026, 11, 1), KEEPER)
    ledger.collect_old_part(claim_id, "LOT-2", "P-4411", "SN-2", 1, "eng-li", date(2026, 11, 1), KEEPER)
    with pytest.raises(OldPartRuleViolation, match="leaves 0"):
        ledger.collect_old_part(claim_id, "LOT-3", "P-4411", "SN-3", 1, "eng-li", date(2026, 11, 1), KEEPER)
    for lot in ("LOT-1", "LOT-2"):
        ledger.log_in_old_part(claim_id, lot, "wh-main", date(2026, 11, 3), KEEPER)
    with pytest.raises(OldPartRuleViolation, match="someone else"):
        ledger.destroy_old_part(claim_id, "LOT-1", KEEPER, KEEPER)
    ledger.destroy_old_part(claim_id, "LOT-1", WITNESS, KEEPER)
    ledger.ship_old_part(claim_id, "LOT-2", "SF-1234567", KEEPER)
    parts = ledger.get_old_parts(claim_id)
    assert parts is not None
    assert [lot.status for lot in parts.lots.values()] == [LotStatus.DESTROYED, LotStatus.SHIPPED]
    assert parts.outstanding("P-4411") == 0
