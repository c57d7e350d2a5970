"""The vocabulary of tickets: channels, statuses, milestones, pause reasons and codes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum

from domain.errors import InvalidValue, OccurredTimeInvalid

CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
REFERENCE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
LATEST_ZONE_OFFSET = timedelta(hours=14)
CLOCK_SKEW_ALLOWANCE = timedelta(seconds=60)
"""How far an occurred time may run ahead of the ledger's clock (device clocks drift)."""


class Channel(Enum):
    """How a ticket reached the service organisation."""

    HOTLINE = "hotline"
    PHONE = "phone"
    FAX = "fax"
    EMAIL = "email"
    WEB = "web"
    MONITORING = "monitoring"


class Status(Enum):
    """Where a ticket stands in its lifecycle."""

    OPEN = "open"
    DISPATCHED = "dispatched"
    EN_ROUTE = "en_route"
    ON_SITE = "on_site"
    RESTORED = "restored"
    RESOLVED = "resolved"
    PAUSED = "paused"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class Milestone(Enum):
    """A timed fact in a ticket's life; each is one event with an occurred time."""

    REPORTED = "reported"
    RESPONDED = "responded"
    ESCALATED = "escalated"
    DISPATCHED = "dispatched"
    DEPARTED = "departed"
    ARRIVED = "arrived"
    RESTORED = "restored"
    RESOLVED = "resolved"
    SIGNED_OFF = "signed_off"
    CALLBACK = "callback"
    CLOSED = "closed"
    REOPENED = "reopened"
    PAUSED = "paused"
    RESUMED = "resumed"
    CANCELLED = "cancelled"


class PauseReason(Enum):
    """Why a ticket's clocks may stop: the contract decides which reasons count."""

    WAITING_FOR_CUSTOMER = "waiting_for_customer"
    WAITING_FOR_PARTS = "waiting_for_parts"
    WAITING_FOR_VENDOR = "waiting_for_vendor"
    CUSTOMER_UNREACHABLE = "customer_unreachable"


PREDECESSORS: dict[Milestone, tuple[Milestone, ...]] = {
    Milestone.DEPARTED: (Milestone.DISPATCHED,),
    Milestone.ARRIVED: (Milestone.DISPATCHED, Milestone.DEPARTED),
    Milestone.SIGNED_OFF: (Milestone.RESOLVED,),
    Milestone.CALLBACK: (Milestone.RESOLVED,),
    Milestone.CLOSED: (Milestone.RESOLVED, Milestone.SIGNED_OFF, Milestone.CALLBACK),
    Milestone.REOPENED: (Milestone.RESOLVED, Milestone.CLOSED),
    Milestone.PAUSED: (Milestone.RESUMED,),
    Milestone.RESUMED: (Milestone.PAUSED,),
}
"""For each milestone, the milestones whose latest occurrence it cannot precede."""


@dataclass(frozen=True)
class MilestoneRecord:
    """One milestone as the ticket now knows it: corrections replace the time."""

    version: int
    milestone: Milestone
    occurred_at: datetime
    actor_id: str


def require_code(field: str, value: str) -> str:
    """A code is a short lowercase slug, such as a customer id or a severity class."""
    if not CODE_PATTERN.match(value):
        msg = f"{field} must be a lowercase code of letters, digits, '_' or '-' (max 64)"
        raise InvalidValue(msg, field=field, value=value)
    return value


def require_reference(field: str, value: str) -> str:
    """A reference as a maker or supplier writes it: a part number, a serial (`VOE-11110668`)."""
    if not REFERENCE_PATTERN.fullmatch(value):
        msg = f"{field} must be letters and digits, with '.', '_' or '-' inside (max 64)"
        raise InvalidValue(msg, field=field, value=value)
    return value


def latest_today(now: datetime) -> date:
    """The latest date it is anywhere now (UTC+14): a day given as a local date is not in the future
    unless it is later than this."""
    return (now + LATEST_ZONE_OFFSET).date()


def require_past_day(field: str, value: date, now: datetime) -> date:
    """A local date that has begun somewhere by now."""
    if value > latest_today(now):
        raise InvalidValue(
            f"{field} {value.isoformat()} is in the future", field=field, value=value.isoformat()
        )
    return value


def require_aware(field: str, value: datetime) -> datetime:
    """Times in the ledger carry a zone, so that two readers agree on the instant."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidValue(f"{field} must carry a time zone", field=field)
    return value


def require_not_future(field: str, value: datetime, now: datetime) -> None:
    """An occurred time may not lie in the future of the ledger's clock."""
    require_aware(field, value)
    if value > now + CLOCK_SKEW_ALLOWANCE:
        raise OccurredTimeInvalid(
            f"{field} {value.isoformat()} is in the future",
            field=field,
            occurred_at=value.isoformat(),
            now=now.isoformat(),
        )


def require_text(field: str, value: str) -> str:
    """Free text such as a reason or a resolution must say something."""
    text = value.strip()
    if not text:
        raise InvalidValue(f"{field} must not be empty", field=field)
    return text
