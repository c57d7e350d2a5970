"""The ledger's opening-balance commands: a stock count and an asset register imported from their
files, each recorded in one transaction or not at all.

Importing the same file again records nothing. A stock count is recorded under its file's SHA-256:
a part at a location that this file counted already is unchanged. An asset whose serial is
registered already with the line's facts (as they were registered, before any acceptance or
transfer) is unchanged. What would contradict the ledger refuses the whole import, naming every
line at fault: a part at a location that already has movements or an opening count from another
file (count it instead), or a serial registered with other facts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from eventsourcing.domain import Aggregate

from domain.actors import Actor
from domain.asset_commands import AssetCommands, AssetNotFound
from domain.assets import Asset
from domain.csv_lines import LineProblem, LinesRefused
from domain.errors import RuleViolation
from domain.opening_balances import OpeningLine, RegisterLine
from domain.stock import StockItem
from domain.stock_commands import StockCommands
from domain.stock_rules import StockRuleViolation


class OpeningBalanceConflict(LinesRefused, RuleViolation):
    """Lines of an opening balance contradict what the ledger holds: every such line, nothing recorded."""

    code = "opening-balance-conflict"


@dataclass(frozen=True)
class OpeningImport:
    """What an import did: the lines it recorded, the lines an earlier import (or registration)
    had recorded already, and the log position of what it recorded (None if nothing)."""

    recorded: int
    unchanged: int
    position: int | None


class OpeningBalanceCommands(StockCommands, AssetCommands):
    """Opening stock counts and asset registers, taken over from the records kept before the ledger."""

    def import_opening_stock(
        self, count: Iterable[OpeningLine], document: str, actor: Actor
    ) -> OpeningImport:
        """Record each line's opening count under `document` (the file's SHA-256)."""
        now = self.clock()
        changed: list[Aggregate] = []
        unchanged, conflicts = 0, []
        for line in count:
            item = self._stock_item(line.part_number, line.location_id, actor, now)
            try:
                opened = _open(item, line, document, actor, now)
            except StockRuleViolation as error:
                conflicts.append(LineProblem(line.line, "part_number", error.message))
                continue
            if opened:
                changed.append(item)
            else:
                unchanged += 1
        return self._conclude(changed, unchanged, conflicts)

    def import_asset_register(self, register: Iterable[RegisterLine], actor: Actor) -> OpeningImport:
        """Register each line's asset, unless its serial is registered already with the same facts."""
        now = self.clock()
        changed: list[Aggregate] = []
        unchanged, conflicts = 0, []
        for line in register:
            facts = line.registration.facts()
            registered = self._as_registered(line.registration.serial)
            if registered is None:
                changed.append(Asset.register(line.registration.serial, facts, actor, now))
            elif registered.same_registration(facts):
                unchanged += 1
            else:
                conflicts.append(LineProblem(line.line, "serial", _differs(registered, facts)))
        return self._conclude(changed, unchanged, conflicts)

    def _as_registered(self, serial: str) -> Asset | None:
        """The asset as its registration made it (its first version), or None if none has the serial."""
        try:
            return self.get_asset(serial, version=1)
        except AssetNotFound:
            return None

    def _conclude(
        self, changed: list[Aggregate], unchanged: int, conflicts: list[LineProblem]
    ) -> OpeningImport:
        if conflicts:
            raise OpeningBalanceConflict(conflicts)
        if not changed:
            return OpeningImport(0, unchanged, None)
        return OpeningImport(len(changed), unchanged, self._save(*changed).position)


def _open(item: StockItem, line: OpeningLine, document: str, actor: Actor, now: datetime) -> bool:
    """Record the line's opening count on the item; False if this document recorded it already."""
    if item.opening_document is not None and item.opening_document != document:
        msg = f"{item.part_number} at {item.location_id} has an opening count from another file"
        raise StockRuleViolation(msg, field="part_number")
    return item.record_opening(document, line.quantity, line.unit_cost, actor, now)


def _differs(registered: Asset, facts: dict[str, object]) -> str:
    names = ", ".join(name for name, value in facts.items() if getattr(registered, name) != value)
    return f"{registered.serial} is registered already, with a different {names}"
