"""The business calendars of a contract version: their data, their days, and deadlines on them."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, get
from litestar.params import FromPath, QueryParameter
from pydantic import BaseModel, Field

from api.auth import READERS, allow
from api.schemas import example
from api.services import Injected
from api.ticket_queries import bad_query, require_zones
from domain.calendars import BusinessCalendar
from domain.clocks import due_at
from domain.errors import InvalidValue
from domain.pack_reading import DURATION_FORMS, duration_at

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MAX_DAYS = 366
CALENDAR_EXAMPLE: dict[str, Any] = {
    "name": "office-hours",
    "zone": "Asia/Shanghai",
    "weekly": {
        "monday": ["08:30-12:00", "13:00-17:30"],
        "saturday": [],
    },
    "holidays": ["2026-10-01", "2026-10-02"],
    "makeup_days": ["2026-09-27"],
}


class CalendarView(BaseModel):
    model_config = example(CALENDAR_EXAMPLE, closed=False)
    name: str
    zone: str
    weekly: dict[str, list[str]] = Field(description="Each weekday's windows, local time; [] is a day off.")
    holidays: list[date] = Field(description="Days off, whatever their weekday.")
    makeup_days: list[date] = Field(description="Weekend days worked (调休), with the working-day windows.")


class CalendarList(BaseModel):
    model_config = example(
        {
            "contract_id": "6d1f7c55-0c43-5a3c-9d0e-1f1b8f6b6b2a",
            "version": 1,
            "calendars": [CALENDAR_EXAMPLE],
        },
        closed=False,
    )
    contract_id: UUID
    version: int
    calendars: list[CalendarView]


class CalendarDay(BaseModel):
    model_config = example(
        {"date": "2026-09-27", "weekday": "sunday", "kind": "makeup", "windows": ["08:30-17:30"]}
    )
    date: date
    weekday: str
    kind: str = Field(description="weekday, weekend (no windows by the week), holiday or makeup.")
    windows: list[str]


class CalendarDays(BaseModel):
    model_config = example(
        {
            "name": "office-hours",
            "zone": "Asia/Shanghai",
            "from": "2026-09-27",
            "to": "2026-09-27",
            "working_days": 1,
            "days": [
                {"date": "2026-09-27", "weekday": "sunday", "kind": "makeup", "windows": ["08:30-17:30"]}
            ],
        },
        closed=False,
    )
    name: str
    zone: str
    from_: date = Field(alias="from")
    to: date
    working_days: int
    days: list[CalendarDay]


class Deadline(BaseModel):
    model_config = example(
        {
            "name": "office-hours",
            "start": "2026-11-20T17:00:00+08:00",
            "duration": "4h",
            "due_at": "2026-11-23T04:00:00Z",
        },
        closed=False,
    )
    name: str
    start: datetime
    duration: str
    due_at: datetime = Field(description="When a target of that duration started then falls due.")


def calendar_view(name: str, calendar: BusinessCalendar) -> CalendarView:
    return CalendarView(
        name=name,
        zone=calendar.zone,
        weekly={
            day: [str(w) for w in windows] for day, windows in zip(WEEKDAYS, calendar.weekly, strict=True)
        },
        holidays=sorted(calendar.holidays),
        makeup_days=sorted(calendar.makeup_days),
    )


def day_kind(calendar: BusinessCalendar, day: date) -> str:
    if day in calendar.holidays:
        return "holiday"
    if day in calendar.makeup_days:
        return "makeup"
    return "weekday" if calendar.weekly[day.weekday()] else "weekend"


class CalendarController(Controller):
    """Read-only: a calendar changes only with a new contract version."""

    path = "/contracts/{contract_id:uuid}/versions/{version:int}/calendars"
    tags = ["contracts"]

    @get(
        "/",
        operation_id="listCalendars",
        summary="The calendars of a contract version",
        guards=[allow(READERS)],
        sync_to_thread=True,
    )
    def list_calendars(
        self, contract_id: FromPath[UUID], version: FromPath[int], services: Injected
    ) -> CalendarList:
        calendars = services.ledger.terms(contract_id, version).calendars
        listed = [calendar_view(name, calendars[name]) for name in sorted(calendars)]
        return CalendarList(contract_id=contract_id, version=version, calendars=listed)

    @get(
        "/{name:str}",
        operation_id="getCalendar",
        summary="One calendar of a contract version",
        guards=[allow(READERS)],
        sync_to_thread=True,
    )
    def get_calendar(
        self, contract_id: FromPath[UUID], version: FromPath[int], name: FromPath[str], services: Injected
    ) -> CalendarView:
        return calendar_view(name, services.ledger.calendar(contract_id, version, name))

    @get(
        "/{name:str}/days",
        operation_id="calendarDays",
        summary="Day by day: working, weekend, holiday or make-up, with the windows that count",
        guards=[allow(READERS)],
        sync_to_thread=True,
    )
    def days(
        self,
        contract_id: FromPath[UUID],
        version: FromPath[int],
        name: FromPath[str],
        services: Injected,
        start: Annotated[date, QueryParameter(name="from", description="First day.")],
        end: Annotated[date, QueryParameter(name="to", description="Last day (inclusive).")],
    ) -> CalendarDays:
        if end < start or (end - start).days >= MAX_DAYS:
            raise bad_query("to", f"must be on or after from, and list at most {MAX_DAYS} days")
        calendar = services.ledger.calendar(contract_id, version, name)
        days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
        listed = [
            CalendarDay(
                date=day,
                weekday=WEEKDAYS[day.weekday()],
                kind=day_kind(calendar, day),
                windows=[str(w) for w in calendar.windows_on(day)],
            )
            for day in days
        ]
        return CalendarDays.model_validate(
            {
                "name": name,
                "zone": calendar.zone,
                "from": start,
                "to": end,
                "working_days": sum(bool(d.windows) for d in listed),
                "days": listed,
            }
        )

    @get(
        "/{name:str}/deadline",
        operation_id="calendarDeadline",
        summary="When a target of a given duration, started at a given time, falls due on this calendar",
        guards=[allow(READERS)],
        sync_to_thread=True,
    )
    def deadline(
        self,
        contract_id: FromPath[UUID],
        version: FromPath[int],
        name: FromPath[str],
        services: Injected,
        start: Annotated[datetime, QueryParameter(description="When the clock starts, with a time zone.")],
        duration: Annotated[str, QueryParameter(description=f"As in a pack: {DURATION_FORMS}.")],
    ) -> Deadline:
        require_zones(start=start)
        try:
            allowed = duration_at(duration, "duration")
        except InvalidValue as error:
            raise bad_query("duration", error.message) from None
        calendar = services.ledger.calendar(contract_id, version, name)
        due = due_at(calendar, start, allowed, ())
        assert due is not None, "without pauses a target always falls due"
        return Deadline(name=name, start=start, duration=duration, due_at=due)
