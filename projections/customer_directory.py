"""The customer directory: each registered customer's contact details, as sealed tokens.

The view holds the tokens the events carry (domain/personal_data.py), never the plain text: a
reader reveals them while the customer's key lasts, and once the customer is forgotten they read
as redacted here as everywhere else, with no row to scrub and nothing a rebuild could bring back.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from eventsourcing.persistence import Tracking, TrackingRecorder

from domain.customers import Customer
from projections.batching import BatchProjection, Positioned


@dataclass(frozen=True)
class CustomerRow:
    """A customer as the directory shows it: `name`, `phone` and `address` are sealed tokens."""

    customer_id: str
    entry_id: str
    """The Customer aggregate's id."""
    name: str
    phone: str
    address: str
    registered_at: datetime
    updated_at: datetime
    forgotten_at: datetime | None
    version: int
    position: int


class CustomerDirectoryView(TrackingRecorder, ABC):
    @abstractmethod
    def rows_for(self, entry_ids: Collection[str]) -> dict[str, CustomerRow]:
        """The rows of these Customer aggregates, by aggregate id."""

    @abstractmethod
    def save(self, rows: Sequence[CustomerRow], tracking: Tracking) -> None:
        """Upsert the rows and write the tracking record in one transaction."""

    @abstractmethod
    def customers(self, after: str | None, limit: int) -> list[CustomerRow]:
        """Customers in the order of their codes, those after `after` when it is given."""

    def all_rows(self) -> list[CustomerRow]:
        """Every row, by customer id: what a rebuild must reproduce."""
        rows: list[CustomerRow] = []
        while page := self.customers(rows[-1].customer_id if rows else None, 1_000):
            rows += page
        return rows

    @abstractmethod
    def truncate(self) -> None: ...


class CustomerDirectoryProjection(BatchProjection[CustomerDirectoryView]):
    """Folds Customer events into directory rows, a batch at a time."""

    name = "customer_directory"
    topics = ()

    def process_batch(self, events: Sequence[Positioned], tracking: Tracking) -> None:
        mine = [item for item in events if isinstance(item.event, Customer.Event)]
        rows = self.view.rows_for({str(item.event.originator_id) for item in mine})
        changed: dict[str, CustomerRow] = {}
        for item in mine:
            key = str(item.event.originator_id)
            rows[key] = changed[key] = applied(item.event, rows.get(key), item.position)
        self.view.save(list(changed.values()), tracking)


def applied(event: Any, row: CustomerRow | None, position: int) -> CustomerRow:
    """The row after one Customer event (a Registered event starts it)."""
    at = event.timestamp
    if isinstance(event, Customer.Registered):
        return CustomerRow(
            event.customer_id,
            str(event.originator_id),
            event.name,
            event.phone,
            event.address,
            registered_at=event.occurred_at,
            updated_at=at,
            forgotten_at=None,
            version=event.originator_version,
            position=position,
        )
    assert row is not None
    row = replace(row, updated_at=at, version=event.originator_version, position=position)
    if isinstance(event, Customer.DetailsChanged):
        return replace(row, name=event.name, phone=event.phone, address=event.address, forgotten_at=None)
    if isinstance(event, Customer.Forgotten):
        return replace(row, forgotten_at=event.occurred_at)
    return row
