"""Opening balances read from their CSV files: a stock count and an asset register, refused whole
with every bad line named."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.asset_commands import AssetRegistration
from domain.csv_lines import LineProblem
from domain.opening_balances import (
    REGISTER_HEADER,
    STOCK_HEADER,
    OpeningBalanceMalformed,
    OpeningLine,
    RegisterLine,
    file_document,
    parse_asset_register,
    parse_opening_stock,
)

STOCK = ",".join(STOCK_HEADER)
REGISTER = ",".join(REGISTER_HEADER)


def csv(head: str, *lines: str) -> bytes:
    return "\n".join([head, *lines, ""]).encode()


def stock_problems(data: bytes) -> list[tuple[int, str | None]]:
    with pytest.raises(OpeningBalanceMalformed) as refused:
        parse_opening_stock(data)
    assert refused.value.field == "body"
    assert refused.value.code == "opening-balance-malformed"
    return [(p.line, p.column) for p in refused.value.problems]


def register_problems(data: bytes) -> list[LineProblem]:
    with pytest.raises(OpeningBalanceMalformed) as refused:
        parse_asset_register(data)
    return list(refused.value.problems)


def test_a_stock_count_is_read_with_its_line_numbers_through_a_bom_crlf_and_blank_lines() -> None:
    data = (
        "\ufeff" + STOCK + '\r\nVOE-11110668,wh-shanghai,12,1850.00\r\n\r\n "VOE-14500233", van-07 ,3,420\r\n'
    ).encode()

    assert parse_opening_stock(data) == (
        OpeningLine(2, "VOE-11110668", "wh-shanghai", 12, Decimal("1850.00")),
        OpeningLine(4, "VOE-14500233", "van-07", 3, Decimal("420.00")),
    )


def test_a_part_costing_nothing_is_counted() -> None:
    (line,) = parse_opening_stock(csv(STOCK, "VOE-1,wh-shanghai,1,0"))

    assert line.unit_cost == Decimal("0.00")


def test_every_bad_line_of_a_stock_count_is_reported_at_once() -> None:
    data = csv(
        STOCK,
        "VOE-1,wh-shanghai,2,10.00",
        "VOE 2,Station-Pudong,2,10.00",
        "VOE-3,wh-shanghai,0,10.00",
        "VOE-4,wh-shanghai,1.5,-3",
        "VOE-5,wh-shanghai,10000000,10.001",
        "VOE-6,wh-shanghai,2",
        'VOE-7,"wh-shanghai,2,1.00',
    )

    assert stock_problems(data) == [
        (3, "part_number"),
        (3, "location_id"),
        (4, "quantity"),
        (5, "quantity"),
        (5, "unit_cost"),
        (6, "quantity"),
        (6, "unit_cost"),
        (7, None),
        (8, None),
    ]


def test_the_problems_say_what_is_wrong() -> None:
    with pytest.raises(OpeningBalanceMalformed) as refused:
        parse_opening_stock(csv(STOCK, "VOE-1,wh-shanghai,0,abc"))

    assert [p.reason for p in refused.value.problems] == [
        "'0' is not a whole number from 1 to 9999999",
        "'abc' is not an amount such as 4800.00 (digits, a point, at most two decimals)",
    ]
    assert refused.value.message == "the file is refused, nothing was recorded: line 2"


def test_a_part_counted_twice_at_a_location_is_refused_naming_the_first_line() -> None:
    data = csv(STOCK, "VOE-1,wh-shanghai,2,10", "VOE-1,van-07,2,10", "VOE-1,wh-shanghai,3,10")

    with pytest.raises(OpeningBalanceMalformed) as refused:
        parse_opening_stock(data)

    (problem,) = refused.value.problems
    assert problem == LineProblem(4, None, "repeats the part and location of line 2")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"part,location,quantity,cost\nVOE-1,wh-shanghai,1,1\n", f"the header must be {STOCK}"),
        (csv(STOCK), "the count lists no part"),
        (b"", f"the header must be {STOCK}"),
        (csv(STOCK, "VOE-1,wh-shanghai,1,1").replace(b"VOE", b"\xff"), "the file is not UTF-8 text"),
    ],
    ids=["header", "empty", "no-header", "not-utf8"],
)
def test_a_file_with_a_wrong_header_no_line_or_not_text_is_refused(data: bytes, reason: str) -> None:
    with pytest.raises(OpeningBalanceMalformed) as refused:
        parse_opening_stock(data)

    assert [(p.line, p.reason) for p in refused.value.problems] == [(2 if b"\xff" in data else 1, reason)]


def test_an_asset_register_is_read_with_an_optional_handover_date() -> None:
    data = csv(
        REGISTER,
        "EC480-100234,EC480DL excavator,zhongshan-power,zs-sub-east,dealer-east,false,2026-03-02",
        '"BK-GEN-01","Backup generator, 60 kW",svc-pool,wh-shanghai,dealer-east,true,',
    )

    assert parse_asset_register(data) == (
        RegisterLine(
            2,
            AssetRegistration(
                "EC480-100234",
                "EC480DL excavator",
                "zhongshan-power",
                "zs-sub-east",
                "dealer-east",
                False,
                date(2026, 3, 2),
            ),
        ),
        RegisterLine(
            3,
            AssetRegistration(
                "BK-GEN-01", "Backup generator, 60 kW", "svc-pool", "wh-shanghai", "dealer-east", True, None
            ),
        ),
    )


def test_every_bad_line_of_an_asset_register_is_reported_at_once() -> None:
    data = csv(
        REGISTER,
        "EC480-1,EC480DL,zs,site,dealer,false,",
        "EC480-2, ,ZS,site,dealer,yes,2026-02-30",
        "EC480-1,EC480DL,zs,site,dealer,false,",
        "-EC480-3,EC480DL,zs,site,dealer,TRUE,",
    )

    assert [(p.line, p.column) for p in register_problems(data)] == [
        (3, "model"),
        (3, "owner_id"),
        (3, "pool"),
        (3, "handed_over_on"),
        (4, None),
        (5, "serial"),
        (5, "pool"),
    ]


def test_a_register_with_no_asset_is_refused() -> None:
    (problem,) = register_problems(csv(REGISTER, "", "  "))

    assert problem == LineProblem(1, None, "the register lists no asset")


def test_the_document_of_a_file_is_its_sha256() -> None:
    data = csv(STOCK, "VOE-1,wh-shanghai,1,1")

    assert file_document(data) == file_document(bytes(data))
    assert file_document(data).startswith("sha256:")
    assert len(file_document(data)) == len("sha256:") + 64
    assert file_document(data) != file_document(data.replace(b"\n", b"\r\n"))
