"""`build_report`: the indicators of a period with their bands, per unit, officer and procedure, the weekly
on-time trend, the overdue list and the violations (second supplement requests), from one source."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache

from dossier.errors import ConfigError
from dossier.i18n import _
from dossier.profiles.deadlines import VIETNAM_TZ, WorkingCalendar
from dossier.supervise.indicators import TALLY_FIELDS, Indicators, Period, WeekPoint, tally_all
from dossier.supervise.model import Dossier
from dossier.supervise.thresholds import Thresholds

OVERDUE_OPEN = TALLY_FIELDS.index("overdue_open")
SECOND_REQUEST = TALLY_FIELDS.index("second_requests")


@dataclass(frozen=True)
class Filter:
    start: date | None = None
    end: date | None = None  # inclusive
    agency: str | None = None
    procedure: str | None = None
    officer: str | None = None

    def __post_init__(self) -> None:
        if self.start is not None and self.end is not None and self.start > self.end:
            raise ConfigError(
                _("--from {start} sau --to {end}: khoảng thời gian rỗng.").format(
                    start=self.start.isoformat(), end=self.end.isoformat()
                )
            )

    def keeps(self, dossier: Dossier) -> bool:
        return (
            (self.agency is None or dossier.unit == self.agency)
            and (self.procedure is None or dossier.procedure_code == self.procedure)
            and (self.officer is None or dossier.officer == self.officer)
        )


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    indicators: Indicators


@dataclass(frozen=True)
class OverdueItem:
    code: str
    unit: str
    officer: str
    procedure_code: str
    appointment: datetime
    working_days_late: int
    apology_new_appointment: datetime | None


@dataclass(frozen=True)
class Violation:
    code: str
    unit: str
    officer: str
    procedure_code: str
    requests: tuple[datetime, ...]


@dataclass(frozen=True)
class Report:
    source: str
    filter: Filter
    period: Period
    dossiers: int
    total: Indicators
    units: tuple[Group, ...]
    officers: tuple[Group, ...]
    procedures: tuple[Group, ...]
    weeks: tuple[WeekPoint, ...]
    overdue: tuple[OverdueItem, ...]
    violations: tuple[Violation, ...]
    thresholds: Mapping[str, Thresholds]


def counting_days(calendar: WorkingCalendar) -> Callable[[date, date], int]:
    """`calendar.working_days_between` with each date's answer remembered (thousands of overdue dossiers)."""
    is_working = cache(calendar.is_working_day)

    def between(start: date, end: date) -> int:
        return sum(1 for n in range(1, (end - start).days + 1) if is_working(start + timedelta(days=n)))

    return between


def make_period(selection: Filter, dossiers: tuple[Dossier, ...], now: datetime) -> Period:
    now = now.replace(microsecond=0)
    first = min((d.received_at for d in dossiers), default=now).date()
    start = datetime.combine(selection.start or first, time(0), VIETNAM_TZ)
    end = (
        datetime.combine(selection.end + timedelta(days=1), time(0), VIETNAM_TZ)
        if selection.end
        else now + timedelta(seconds=1)
    )
    return Period(start=start, end=end, as_of=min(end, now))


def build_report(
    dossiers: tuple[Dossier, ...],
    selection: Filter,
    thresholds: Mapping[str, Thresholds],
    calendar: WorkingCalendar,
    now: datetime,
    source: str,
) -> Report:
    kept = tuple(d for d in dossiers if selection.keeps(d))
    days_between = counting_days(calendar)
    period = make_period(selection, kept, now)
    groups = tally_all(kept, period)
    names = {d.procedure_code: d.procedure_name for d in kept}

    def grouped(tallies: dict[str, object], labels: Mapping[str, str] | None = None) -> tuple[Group, ...]:
        return tuple(
            Group(key, (labels or {}).get(key, key), tally.indicators(thresholds))  # type: ignore[attr-defined]
            for key, tally in sorted(tallies.items())
        )

    overdue = tuple(
        sorted(
            (
                OverdueItem(
                    d.code,
                    d.unit,
                    d.officer,
                    d.procedure_code,
                    d.appointment,
                    days_between(d.appointment.date(), period.as_of.date()),
                    d.apology.new_appointment if d.apology else None,
                )
                for d, part in zip(kept, groups.rows, strict=True)
                if part[OVERDUE_OPEN] and d.appointment is not None
            ),
            key=lambda item: (item.appointment, item.code),
        )
    )
    violations = tuple(
        Violation(d.code, d.unit, d.officer, d.procedure_code, d.supplement_requests)
        for d, part in zip(kept, groups.rows, strict=True)
        if part[SECOND_REQUEST]
    )
    weeks = tuple(WeekPoint(week, counts[0], counts[1]) for week, counts in sorted(groups.weeks.items()))
    return Report(
        source=source,
        filter=selection,
        period=period,
        dossiers=len(kept),
        total=groups.total.indicators(thresholds),
        units=grouped(groups.units),  # type: ignore[arg-type]
        officers=grouped(groups.officers),  # type: ignore[arg-type]
        procedures=grouped(groups.procedures, names),  # type: ignore[arg-type]
        weeks=weeks,
        overdue=overdue,
        violations=violations,
        thresholds=thresholds,
    )


def report_document(report: Report) -> dict[str, object]:
    """`--json`: `indicators` (each {value, band}) for the selection, the same per unit/officer/procedure."""

    def groups(items: tuple[Group, ...]) -> list[dict[str, object]]:
        return [{"key": g.key, "label": g.label, "indicators": g.indicators.as_dict()} for g in items]

    return {
        "source": report.source,
        "period": {
            "from": report.period.start.isoformat(),
            "to": report.period.end.isoformat(),
            "as_of": report.period.as_of.isoformat(),
        },
        "filter": {
            "agency": report.filter.agency,
            "procedure": report.filter.procedure,
            "officer": report.filter.officer,
        },
        "dossiers": report.dossiers,
        "indicators": report.total.as_dict(),
        "units": groups(report.units),
        "officers": groups(report.officers),
        "procedures": groups(report.procedures),
        "weekly_on_time": [
            {"week": w.week_start.isoformat(), "resolved": w.resolved, "on_time": w.on_time, "rate": w.rate}
            for w in report.weeks
        ],
        "overdue": [
            {
                "code": o.code,
                "unit": o.unit,
                "officer": o.officer,
                "procedure": o.procedure_code,
                "appointment": o.appointment.isoformat(),
                "working_days_late": o.working_days_late,
                "apology_new_appointment": o.apology_new_appointment.isoformat()
                if o.apology_new_appointment
                else None,
            }
            for o in report.overdue
        ],
        "violations": [
            {
                "code": v.code,
                "unit": v.unit,
                "officer": v.officer,
                "procedure": v.procedure_code,
                "supplement_requests": [t.isoformat() for t in v.requests],
            }
            for v in report.violations
        ],
        "thresholds": {
            name: {
                "higher_is_better": t.higher_is_better,
                "green": t.green,
                "yellow": t.yellow,
                "orange": t.orange,
            }
            for name, t in report.thresholds.items()
        },
    }
