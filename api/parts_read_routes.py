"""Parts and assets queries: stock on hand by part and location with its totals, and a part's
movement ledger (as JSON or CSV); as of now or a past recorded time. The loans, old parts and asset
register queries are in `api.asset_read_routes`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields
from datetime import UTC, date, datetime
from typing import Annotated, Any

from litestar import Response, get
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import Parameter, QueryParameter

from api.auth import PARTS_READERS, allow
from api.parts_read_schemas import Movement, MovementPage, StockLevel, StockPage, StockTotalsView
from api.reconciliation_routes import CSV_PAGE, EARLIEST, LATEST, csv_download, csv_spec
from api.services import Injected, Services
from api.stock_schemas import PART_PATTERN
from api.ticket_queries import After, Filter, bad_query, require_zones
from projections.kpis import REPORTING_ZONE
from projections.stock_levels import FIELDS, Item, StockFilter, StockQuery, StockRow
from projections.stock_movements import MovementQuery, MovementRow

READ = [allow(PARTS_READERS)]
Limit = Annotated[int, Parameter(ge=1, le=500, description="Rows per page.")]
AsOf = Annotated[
    datetime | None, QueryParameter(description="Answer as the ledger knew it at this recorded time.")
]
PartNumber = Annotated[str | None, QueryParameter(max_length=64, description="One part number.")]
STOCK_COLUMNS = (*FIELDS[:4], "free", *FIELDS[4:])
MOVEMENT_COLUMNS = tuple(f.name for f in fields(MovementRow))


def recorded_time(as_of: datetime | None) -> datetime | None:
    """An as-of time: with a zone, and one the views can place."""
    require_zones(as_of=as_of)
    if as_of is not None and not EARLIEST <= as_of < LATEST:
        raise bad_query("as_of", "must be between 1970 and 9998")
    return as_of


def answer_day(services: Services, as_of: datetime | None, on: date | None = None) -> date:
    """The day an answer counts days to: `on`, else that of the as-of time, else today (Asia/Shanghai)."""
    return on or (as_of or services.ledger.clock()).astimezone(REPORTING_ZONE).date()


def stock_filter(
    part_number: PartNumber = None,
    location_id: Filter = None,
    below_safety: Annotated[
        bool | None, QueryParameter(description="Only items below (true) or not below (false) safety stock.")
    ] = None,
    as_of: AsOf = None,
) -> StockFilter:
    """Which items, as of when (a dependency of the stock routes)."""
    return StockFilter(part_number, location_id, below_safety, recorded_time(as_of))


def item_cursor(cursor: str | None) -> Item | None:
    """A stock page's cursor names the last item of the page before: PART@location."""
    if cursor is None:
        return None
    part, at, location = cursor.rpartition("@")
    if not (part and at and location):
        raise bad_query("cursor", "is the next_cursor of the previous page, such as P-1@wh-main")
    return part, location


def stock_page(services: Services, query: StockQuery) -> tuple[list[StockRow], str | None]:
    """One page, and the cursor of the next (a row more is asked for, to know if there is one)."""
    rows = services.read_side.stock.rows(StockQuery(query.where, query.after, query.limit + 1))
    if len(rows) <= query.limit:
        return rows, None
    last = rows[query.limit - 1]
    return rows[: query.limit], f"{last.part_number}@{last.location_id}"


def suffix(as_of: datetime | None) -> str:
    """A download's name says which time it is as of, if not now."""
    return "" if as_of is None else "-as-of-" + as_of.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


STOCK = {"where": Provide(stock_filter, sync_to_thread=False)}


@get(
    "/stock",
    operation_id="listStock",
    summary="Stock on hand, reserved, free, in transit and its value, by part and location, with totals",
    guards=READ,
    dependencies=STOCK,
    sync_to_thread=True,
)
def list_stock(
    services: Injected,
    where: NamedDependency[StockFilter],
    cursor: Annotated[
        str | None, QueryParameter(max_length=200, description="The next_cursor of the previous page.")
    ] = None,
    limit: Limit = 100,
    after: After = None,
) -> StockPage:
    services.caught_up(after)
    rows, next_cursor = stock_page(services, StockQuery(where, item_cursor(cursor), limit))
    return StockPage(
        as_of=where.as_of,
        items=[StockLevel.model_validate(r) for r in rows],
        next_cursor=next_cursor,
        totals=StockTotalsView.model_validate(services.read_side.stock.totals(where)),
    )


@get(
    "/stock.csv",
    operation_id="downloadStock",
    summary="Every part at every location the filters match, as a CSV download",
    guards=READ,
    dependencies=STOCK,
    sync_to_thread=True,
    media_type="text/csv",
    responses=csv_spec(
        "One row per part and location, the columns of the JSON rows.",
        f"{','.join(STOCK_COLUMNS)}\nVOE-11110668,wh-main,7,2,5,4,50.00,87.50,12.50,10,True,0,True,9,"
        "88412,2026-11-20T03:15:02.410000+00:00\n",
    ),
)
def download_stock(
    services: Injected, where: NamedDependency[StockFilter], after: After = None
) -> Response[str]:
    services.caught_up(after)

    def every() -> Iterator[StockRow]:
        query = StockQuery(where, None, CSV_PAGE)
        while page := services.read_side.stock.rows(query):
            yield from page
            query = StockQuery(where, page[-1].key, CSV_PAGE)

    lines = ([getattr(row, c) for c in STOCK_COLUMNS] for row in every())
    return csv_download(f"stock{suffix(where.as_of)}.csv", STOCK_COLUMNS, lines)


def movement_query(
    services: Services,
    part_number: str,
    location_id: str | None,
    as_of: datetime | None,
    cursor: int | None = None,
    limit: int = CSV_PAGE,
) -> MovementQuery:
    """A page of a known part's movements: a part the stock view has never seen is not found."""
    if not services.read_side.stock.rows(StockQuery(StockFilter(part_number=part_number), limit=1)):
        raise NotFoundException(f"no stock of part {part_number} has been recorded")
    return MovementQuery(part_number, location_id, recorded_time(as_of), cursor, limit)


PathPart = Annotated[str, Parameter(pattern=PART_PATTERN, description="The part number.")]
MovementCursor = Annotated[
    int | None,
    QueryParameter(ge=0, le=2**63 - 1, description="The next_cursor (a log position) of the previous page."),
]


@get(
    "/parts/{part_number:str}/movements",
    operation_id="listPartMovements",
    summary="Every movement of a part in log order: receipts, issues, transfers, write-offs and more",
    guards=READ,
    sync_to_thread=True,
)
def list_movements(
    services: Injected,
    part_number: PathPart,
    location_id: Filter = None,
    as_of: AsOf = None,
    cursor: MovementCursor = None,
    limit: Limit = 100,
    after: After = None,
) -> MovementPage:
    services.caught_up(after)
    query = movement_query(services, part_number, location_id, as_of, cursor, limit + 1)
    rows = services.read_side.stock.movements(query)
    next_cursor = rows[limit - 1].position if len(rows) > limit else None
    items = [Movement.model_validate(row) for row in rows[:limit]]
    return MovementPage(part_number=part_number, as_of=query.as_of, items=items, next_cursor=next_cursor)


@get(
    "/parts/{part_number:str}/movements.csv",
    operation_id="downloadPartMovements",
    summary="A part's movement ledger as a CSV download",
    guards=READ,
    sync_to_thread=True,
    media_type="text/csv",
    responses=csv_spec(
        "One row per movement, in log order, the columns of the JSON rows.",
        "position,part_number,location_id,kind,quantity,value,...\n88410,VOE-11110668,wh-main,issue,-3,-37.50,...\n",
    ),
)
def download_movements(
    services: Injected,
    part_number: PathPart,
    location_id: Filter = None,
    as_of: AsOf = None,
    after: After = None,
) -> Response[str]:
    services.caught_up(after)
    first = movement_query(services, part_number, location_id, as_of)

    def every() -> Iterator[MovementRow]:
        query = first
        while page := services.read_side.stock.movements(query):
            yield from page
            query = MovementQuery(part_number, location_id, first.as_of, page[-1].position, CSV_PAGE)

    lines = ([getattr(row, c) for c in MOVEMENT_COLUMNS] for row in every())
    name = f"movements-{part_number.replace('/', '_')}{suffix(first.as_of)}.csv"
    return csv_download(name, MOVEMENT_COLUMNS, lines)


STOCK_READ_ROUTES: list[Any] = [list_stock, download_stock, list_movements, download_movements]
