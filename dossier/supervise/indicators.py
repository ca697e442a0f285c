"""The indicators of a period, for the whole selection and per unit, officer and procedure.

Every number can be recomputed from the portal's list API (README "report"): the period is
[--from 00:00, --to 24:00) in Vietnam time; a count falls in the period by the time of its own event
(reception, resolution, request, refusal, apology); the open and overdue dossiers are counted as of the end of
the period (or now, if earlier).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta

from dossier.supervise.model import Channel, Dossier, Timeliness, timeliness
from dossier.supervise.thresholds import Band, Thresholds


@dataclass(frozen=True)
class Indicator:
    value: float | int | None
    band: Band | None = None


@dataclass(frozen=True)
class Indicators:
    """The indicator set of one group; rates are percentages rounded to one decimal (None without a base)."""

    received: Indicator
    received_counter: Indicator
    received_online: Indicator
    digitized: Indicator
    digitized_rate: Indicator
    signed: Indicator
    signed_rate: Indicator
    resolved: Indicator
    resolved_early: Indicator
    resolved_on_time: Indicator
    resolved_late: Indicator
    on_time_rate: Indicator
    open: Indicator
    overdue_open: Indicator
    overdue_open_rate: Indicator
    supplement_requests: Indicator
    second_supplement_requests: Indicator
    refusals: Indicator
    went_overdue: Indicator
    apologies: Indicator
    apology_rate: Indicator

    def as_dict(self) -> dict[str, dict[str, object]]:
        return {
            f.name: {
                "value": getattr(self, f.name).value,
                "band": None if getattr(self, f.name).band is None else str(getattr(self, f.name).band),
            }
            for f in fields(self)
        }


INDICATOR_NAMES = tuple(f.name for f in fields(Indicators))


@dataclass
class Tally:
    """Counters of one group while the dossiers are read (mutable, private to this module's loop)."""

    received: int = 0
    counter: int = 0
    online: int = 0
    digitized: int = 0
    signed: int = 0
    resolved: int = 0
    early: int = 0
    on_time: int = 0
    late: int = 0
    open: int = 0
    overdue_open: int = 0
    supplement_requests: int = 0
    second_requests: int = 0
    refusals: int = 0
    went_overdue: int = 0
    apologized_overdue: int = 0
    apologies: int = 0

    def indicators(self, thresholds: Mapping[str, Thresholds]) -> Indicators:
        def rate(part: int, whole: int) -> float | None:
            return None if whole == 0 else round(100.0 * part / whole, 1)

        def banded(name: str, value: float | int | None) -> Indicator:
            return Indicator(value, thresholds[name].band(value))

        return Indicators(
            received=Indicator(self.received),
            received_counter=Indicator(self.counter),
            received_online=Indicator(self.online),
            digitized=Indicator(self.digitized),
            digitized_rate=banded("digitized_rate", rate(self.digitized, self.received)),
            signed=Indicator(self.signed),
            signed_rate=banded("signed_rate", rate(self.signed, self.received)),
            resolved=Indicator(self.resolved),
            resolved_early=Indicator(self.early),
            resolved_on_time=Indicator(self.on_time),
            resolved_late=Indicator(self.late),
            on_time_rate=banded("on_time_rate", rate(self.early + self.on_time, self.resolved)),
            open=Indicator(self.open),
            overdue_open=Indicator(self.overdue_open),
            overdue_open_rate=banded("overdue_open_rate", rate(self.overdue_open, self.open)),
            supplement_requests=Indicator(self.supplement_requests),
            second_supplement_requests=banded("second_supplement_requests", self.second_requests),
            refusals=Indicator(self.refusals),
            went_overdue=Indicator(self.went_overdue),
            apologies=Indicator(self.apologies),
            apology_rate=banded("apology_rate", rate(self.apologized_overdue, self.went_overdue)),
        )


@dataclass(frozen=True)
class Period:
    """[start, end) in Vietnam time, and the moment open and overdue dossiers are counted at."""

    start: datetime
    end: datetime
    as_of: datetime

    def holds(self, moment: datetime | None) -> bool:
        return moment is not None and self.start <= moment < self.end


@dataclass(frozen=True)
class Contribution:
    """What one dossier adds to the tallies of its groups; computed once per dossier."""

    received: bool
    channel: int
    digitized: bool
    signed: bool
    timeliness: Timeliness | None
    open: bool
    overdue_open: bool
    supplement_requests: int
    second_request: bool
    refused: bool
    went_overdue: bool
    apologized: bool
    apology_in_period: bool


def contribution(dossier: Dossier, period: Period) -> Contribution:
    received = dossier.received and period.holds(dossier.received_at)
    resolved = period.holds(dossier.resolved_at)
    requests = dossier.supplement_requests
    appointment = dossier.appointment
    went_overdue = (
        appointment is not None
        and period.start <= appointment < min(period.end, period.as_of)
        and (dossier.resolved_at is None or dossier.resolved_at > appointment)
        and dossier.status_at(appointment) in _OPEN_CODES
    )
    return Contribution(
        received=received,
        channel=dossier.channel,
        digitized=received and dossier.digitised,
        signed=received and dossier.signed,
        timeliness=timeliness(dossier) if resolved else None,
        open=dossier.open_at(period.as_of),
        overdue_open=dossier.overdue_at(period.as_of),
        supplement_requests=sum(1 for at in requests if period.holds(at)),
        second_request=len(requests) >= 2 and period.holds(requests[1]),
        refused=period.holds(dossier.refused_at),
        went_overdue=went_overdue,
        apologized=went_overdue and dossier.apology is not None,
        apology_in_period=dossier.apology is not None and period.holds(dossier.apology.at),
    )


_OPEN_CODES = frozenset({2, 4, 5, 6})


def add(tally: Tally, part: Contribution) -> None:
    if part.received:
        tally.received += 1
        tally.counter += part.channel == Channel.counter
        tally.online += part.channel == Channel.online
        tally.digitized += part.digitized
        tally.signed += part.signed
    if part.timeliness is not None:
        tally.resolved += 1
        tally.early += part.timeliness is Timeliness.early
        tally.on_time += part.timeliness is Timeliness.on_time
        tally.late += part.timeliness is Timeliness.late
    tally.open += part.open
    tally.overdue_open += part.overdue_open
    tally.supplement_requests += part.supplement_requests
    tally.second_requests += part.second_request
    tally.refusals += part.refused
    tally.went_overdue += part.went_overdue
    tally.apologized_overdue += part.apologized
    tally.apologies += part.apology_in_period


@dataclass(frozen=True)
class WeekPoint:
    week_start: date
    resolved: int
    on_time: int  # early + on time

    @property
    def rate(self) -> float | None:
        return None if self.resolved == 0 else round(100.0 * self.on_time / self.resolved, 1)


@dataclass
class Groups:
    total: Tally = field(default_factory=Tally)
    units: dict[str, Tally] = field(default_factory=dict)
    officers: dict[str, Tally] = field(default_factory=dict)
    procedures: dict[str, Tally] = field(default_factory=dict)
    weeks: dict[date, list[int]] = field(default_factory=dict)


def tally_all(dossiers: Iterable[Dossier], period: Period) -> Groups:
    groups = Groups()
    for dossier in dossiers:
        part = contribution(dossier, period)
        for tally in (
            groups.total,
            groups.units.setdefault(dossier.unit, Tally()),
            groups.officers.setdefault(dossier.officer, Tally()),
            groups.procedures.setdefault(dossier.procedure_code, Tally()),
        ):
            add(tally, part)
        if part.timeliness is not None and dossier.resolved_at is not None:
            day = dossier.resolved_at.date()
            week = groups.weeks.setdefault(day - timedelta(days=day.weekday()), [0, 0])
            week[0] += 1
            week[1] += part.timeliness is not Timeliness.late
    return groups
