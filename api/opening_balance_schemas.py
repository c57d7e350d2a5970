"""The files an opening-balance import takes, and what it answers."""

from __future__ import annotations

from pydantic import BaseModel, Field

from api.schemas import example
from domain.opening_balances import REGISTER_HEADER, STOCK_HEADER

STOCK_EXAMPLE = (
    f"{','.join(STOCK_HEADER)}\n"
    "VOE-11110668,wh-shanghai,12,1850.00\n"
    "VOE-11110668,van-07,2,1850.00\n"
    "VOE-14500233,station-pudong,40,12.50\n"
)
REGISTER_EXAMPLE = (
    f"{','.join(REGISTER_HEADER)}\n"
    "EC480-100234,EC480DL excavator,zhongshan-power,zs-sub-east,dealer-east,false,2026-03-02\n"
    "BK-GEN-01,Backup generator 60 kW,svc-pool,wh-shanghai,dealer-east,true,\n"
)
STOCK_FORMAT = (
    f"An opening stock count (see domain/opening_balances.py): header {','.join(STOCK_HEADER)}, then "
    "one part at one location a line: a part number such as VOE-11110668, a lowercase location code, "
    "a whole quantity of 1 or more and a unit cost such as 1850.00."
)
REGISTER_FORMAT = (
    f"An asset register (see domain/opening_balances.py): header {','.join(REGISTER_HEADER)}, then "
    "one unit a line: its serial, model, owner, site and dealer (lowercase codes), pool true or false, "
    "and the day it was handed over as new (YYYY-MM-DD) or nothing."
)


class ImportCounts(BaseModel):
    """Every line of the file is either recorded now or was recorded before: by an earlier import of
    the same file, or (an asset) registered with the same facts."""

    model_config = example({"lines": 3, "recorded": 2, "unchanged": 1, "position": 412}, closed=False)
    lines: int = Field(description="Lines the file lists.")
    recorded: int = Field(description="Lines recorded by this import.")
    unchanged: int = Field(description="Lines the ledger held already; nothing was recorded for them.")
    position: int | None = Field(description="Log position of what was recorded; null if nothing.")


class OpeningStockReport(ImportCounts):
    model_config = example(
        {
            "document": "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "lines": 3,
            "recorded": 3,
            "unchanged": 0,
            "position": 412,
        },
        closed=False,
    )
    document: str = Field(description="The file's SHA-256, which the opening counts are recorded under.")
