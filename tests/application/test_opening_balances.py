"""Opening balances imported on every store: recorded all or none, and the same file imported again
changes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from api.holiday_source import library_holidays
from domain.actors import Actor, Role
from domain.asset_commands import AssetNotFound, AssetRegistration
from domain.contract_documents import contract_document
from domain.ledger import ServiceLedger
from domain.opening_balance_commands import OpeningBalanceConflict, OpeningImport
from domain.opening_balances import (
    REGISTER_HEADER,
    STOCK_HEADER,
    OpeningBalanceMalformed,
    file_document,
    parse_asset_register,
    parse_opening_stock,
)
from domain.stock_commands import StockItemNotFound
from tests.support import ENGINEER, MANAGER

KEEPER = Actor("wh-wang", Role.WAREHOUSE)
COUNT = (
    "VOE-11110668,wh-shanghai,12,1850.00",
    "VOE-11110668,van-07,2,1850.00",
    "VOE-14500233,wh-shanghai,40,12.50",
)
REGISTER = (
    "EC480-100234,EC480DL excavator,zhongshan-power,zs-sub-east,dealer-east,false,2026-03-02",
    "EC480-100235,EC480DL excavator,zhongshan-power,zs-sub-north,dealer-east,false,",
    "BK-GEN-01,Backup generator 60 kW,svc-pool,wh-shanghai,dealer-east,true,",
)


def csv(header: tuple[str, ...], *lines: str) -> bytes:
    return "\n".join([",".join(header), *lines, ""]).encode()


def import_count(ledger: ServiceLedger, data: bytes) -> OpeningImport:
    return ledger.import_opening_stock(parse_opening_stock(data), file_document(data), KEEPER)


def import_register(ledger: ServiceLedger, data: bytes) -> OpeningImport:
    return ledger.import_asset_register(parse_asset_register(data), KEEPER)


def log_end(ledger: ServiceLedger) -> int:
    return ledger.recorder.max_notification_id() or 0


def stock(ledger: ServiceLedger, part: str, location: str) -> tuple[int, Decimal]:
    item = ledger.get_stock_item(part, location)
    return item.on_hand, item.value


def test_an_opening_count_is_recorded_in_one_transaction_and_a_second_import_changes_nothing(
    ledger: ServiceLedger,
) -> None:
    data = csv(STOCK_HEADER, *COUNT)

    first = import_count(ledger, data)

    assert (first.recorded, first.unchanged, first.position) == (3, 0, log_end(ledger))
    assert stock(ledger, "VOE-11110668", "wh-shanghai") == (12, Decimal("22200.00"))
    assert stock(ledger, "VOE-11110668", "van-07") == (2, Decimal("3700.00"))
    item = ledger.get_stock_item("VOE-14500233", "wh-shanghai")
    assert (item.on_hand, item.unit_cost, item.opening_document) == (
        40,
        Decimal("12.50"),
        file_document(data),
    )

    again = import_count(ledger, data)

    assert again == OpeningImport(0, 3, None)
    assert log_end(ledger) == first.position
    assert stock(ledger, "VOE-11110668", "wh-shanghai") == (12, Decimal("22200.00"))


def test_the_same_file_imported_again_after_the_stock_moved_still_changes_nothing(
    ledger: ServiceLedger,
) -> None:
    data = csv(STOCK_HEADER, *COUNT)
    import_count(ledger, data)
    ledger.receive_stock("VOE-11110668", "wh-shanghai", "volvo-parts", "GRN-7", 3, Decimal("1900.00"), KEEPER)
    end = log_end(ledger)

    assert import_count(ledger, data) == OpeningImport(0, 3, None)
    assert log_end(ledger) == end


def test_a_count_of_an_item_that_has_movements_is_refused_whole_naming_the_line(
    ledger: ServiceLedger,
) -> None:
    ledger.receive_stock("VOE-14500233", "wh-shanghai", "volvo-parts", "GRN-1", 5, Decimal("12.00"), KEEPER)
    end = log_end(ledger)

    with pytest.raises(OpeningBalanceConflict) as refused:
        import_count(ledger, csv(STOCK_HEADER, *COUNT))

    assert [(p.line, p.column) for p in refused.value.problems] == [(4, "part_number")]
    assert "already has movements" in refused.value.problems[0].reason
    assert refused.value.message == "the file is refused, nothing was recorded: line 4"
    assert log_end(ledger) == end
    with pytest.raises(StockItemNotFound):
        ledger.get_stock_item("VOE-11110668", "wh-shanghai")
    assert stock(ledger, "VOE-14500233", "wh-shanghai") == (5, Decimal("60.00"))


def test_a_count_from_another_file_is_refused_for_the_items_the_first_one_counted(
    ledger: ServiceLedger,
) -> None:
    import_count(ledger, csv(STOCK_HEADER, COUNT[0]))
    end = log_end(ledger)
    other = csv(STOCK_HEADER, "VOE-11110668,wh-shanghai,13,1850.00", COUNT[1])

    with pytest.raises(OpeningBalanceConflict) as refused:
        import_count(ledger, other)

    (problem,) = refused.value.problems
    assert (problem.line, problem.reason) == (
        2,
        "VOE-11110668 at wh-shanghai has an opening count from another file",
    )
    assert log_end(ledger) == end
    with pytest.raises(StockItemNotFound):
        ledger.get_stock_item("VOE-11110668", "van-07")


def test_a_malformed_file_is_refused_before_anything_is_recorded(ledger: ServiceLedger) -> None:
    with pytest.raises(OpeningBalanceMalformed):
        import_count(ledger, csv(STOCK_HEADER, COUNT[0], "VOE-2,wh-shanghai,0,1.00"))

    assert log_end(ledger) == 0


def test_an_asset_register_is_recorded_once_and_a_second_import_changes_nothing(
    ledger: ServiceLedger,
) -> None:
    data = csv(REGISTER_HEADER, *REGISTER)

    first = import_register(ledger, data)

    assert (first.recorded, first.unchanged, first.position) == (3, 0, log_end(ledger))
    asset = ledger.get_asset("EC480-100234")
    assert (asset.owner_id, asset.handed_over_on, asset.pool) == ("zhongshan-power", date(2026, 3, 2), False)
    assert ledger.get_asset("BK-GEN-01").pool is True

    assert import_register(ledger, data) == OpeningImport(0, 3, None)
    assert log_end(ledger) == first.position


def test_a_serial_registered_with_the_same_facts_is_unchanged_even_after_acceptance(
    ledger: ServiceLedger,
) -> None:
    document = contract_document("fault-4-class", holiday_source=library_holidays)
    contract = ledger.draft_contract("zhongshan-power", "Service", document, MANAGER).id
    ledger.review_contract(contract, 1, "Checked", ENGINEER)
    ledger.approve_contract(contract, 1, datetime(2025, 1, 1, tzinfo=UTC), Actor("mgr-two", Role.MANAGER))
    registration = AssetRegistration(
        "EC480-100235", "EC480DL excavator", "zhongshan-power", "zs-sub-north", "dealer-east"
    )
    ledger.register_asset(registration, KEEPER)
    ledger.accept_asset("EC480-100235", date(2026, 3, 1), None, KEEPER)

    outcome = import_register(ledger, csv(REGISTER_HEADER, *REGISTER))

    assert (outcome.recorded, outcome.unchanged) == (2, 1)
    assert ledger.get_asset("EC480-100235").handed_over_on == date(2026, 3, 1)


def test_a_serial_registered_with_other_facts_refuses_the_whole_register(ledger: ServiceLedger) -> None:
    registration = AssetRegistration(
        "EC480-100235", "EC480DL excavator", "zhongshan-power", "zs-sub-east", "dealer-west"
    )
    ledger.register_asset(registration, KEEPER)
    end = log_end(ledger)

    with pytest.raises(OpeningBalanceConflict) as refused:
        import_register(ledger, csv(REGISTER_HEADER, *REGISTER))

    (problem,) = refused.value.problems
    assert (problem.line, problem.column) == (3, "serial")
    assert problem.reason == "EC480-100235 is registered already, with a different site_id, dealer_id"
    assert log_end(ledger) == end
    with pytest.raises(AssetNotFound):
        ledger.get_asset("EC480-100234")
