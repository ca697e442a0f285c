"""Open dossiers by their appointment: working days and hours left on the shared calendar, overdue first."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from dossier.profiles.deadlines import WorkingCalendar
from dossier.supervise.model import Dossier
from dossier.supervise.report import Filter, counting_days


class Window(StrEnum):
    all = "all"
    overdue = "overdue"
    within = "within"


@dataclass(frozen=True)
class DeadlineItem:
    code: str
    unit: str
    officer: str
    procedure_code: str
    procedure_name: str
    status: int
    appointment: datetime
    overdue: bool
    working_days_left: int  # negative: working days past the appointment
    hours_left: float  # negative when overdue
    apology_issued: bool
    new_appointment: datetime | None


def working_days_left(between: Callable[[date, date], int], now: datetime, appointment: datetime) -> int:
    """Working days from today to the appointment's day (0: due today); negative once it has passed."""
    if appointment >= now:
        return between(now.date(), appointment.date())
    return -between(appointment.date(), now.date())


def deadlines(
    dossiers: tuple[Dossier, ...],
    selection: Filter,
    calendar: WorkingCalendar,
    now: datetime,
    window: Window = Window.all,
    within: int | None = None,
) -> tuple[DeadlineItem, ...]:
    items = []
    between = counting_days(calendar)
    for dossier in dossiers:
        if not selection.keeps(dossier) or dossier.appointment is None or not dossier.open_at(now):
            continue
        overdue = now > dossier.appointment
        days = working_days_left(between, now, dossier.appointment)
        if window is Window.overdue and not overdue:
            continue
        if window is Window.within and (overdue or within is None or days > within):
            continue
        items.append(
            DeadlineItem(
                code=dossier.code,
                unit=dossier.unit,
                officer=dossier.officer,
                procedure_code=dossier.procedure_code,
                procedure_name=dossier.procedure_name,
                status=dossier.status_at(now) or 0,
                appointment=dossier.appointment,
                overdue=overdue,
                working_days_left=days,
                hours_left=round((dossier.appointment - now).total_seconds() / 3600, 1),
                apology_issued=dossier.apology is not None,
                new_appointment=dossier.apology.new_appointment if dossier.apology else None,
            )
        )
    return tuple(sorted(items, key=lambda i: (not i.overdue, i.appointment, i.code)))


def deadline_document(item: DeadlineItem) -> dict[str, object]:
    return {
        "code": item.code,
        "unit": item.unit,
        "officer": item.officer,
        "procedure": item.procedure_code,
        "status": item.status,
        "appointment": item.appointment.isoformat(),
        "overdue": item.overdue,
        "working_days_left": item.working_days_left,
        "hours_left": item.hours_left,
        "apology_issued": item.apology_issued,
        "new_appointment": item.new_appointment.isoformat() if item.new_appointment else None,
    }
