"""The indicators of a period, for the whole selection and per unit, officer and procedure.

Every number can be recomputed from the portal's list API (README "report"): the period is
[--from 00:00, --to 24:00) in Vietnam time; a count falls in the period by the time of its own event
(reception, resolution, request, refusal, apology); the open and overdue dossiers are counted as of the end of
the period (or now, if earlier).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta

from dossier.supervise.model import Dossier, Timeliness, timeliness
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


@dataclass(frozen=True)
class Tally:
    """The counts of one group: the column sums of its dossiers' contributions."""

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


_OPEN_CODES = frozenset({2, 4, 5, 6})
TALLY_FIELDS = tuple(f.name for f in fields(Tally))


def contribution(dossier: Dossier, period: Period) -> tuple[int, ...]:
    """What one dossier adds to its groups' tallies, in `Tally`'s field order (summed column-wise later)."""
    start, end, as_of = period.start, period.end, period.as_of
    received_at, resolved_at, refused_at = dossier.received_at, dossier.resolved_at, dossier.refused_at
    received = dossier.received and start <= received_at < end
    kind = timeliness(dossier) if resolved_at is not None and start <= resolved_at < end else None
    requests = dossier.supplement_requests
    appointment = dossier.appointment
    open_now = dossier.status_at(as_of) in _OPEN_CODES
    went_overdue = (
        appointment is not None
        and start <= appointment < (end if end < as_of else as_of)
        and (resolved_at is None or resolved_at > appointment)
        and dossier.status_at(appointment) in _OPEN_CODES
    )
    apology = dossier.apology
    channel = dossier.channel
    return (
        received,
        received and channel == 1,
        received and channel == 2,
        received and dossier.digitised,
        received and dossier.signed,
        kind is not None,
        kind is Timeliness.early,
        kind is Timeliness.on_time,
        kind is Timeliness.late,
        open_now,
        open_now and appointment is not None and as_of > appointment,
        sum(1 for at in requests if start <= at < end) if requests else 0,
        len(requests) >= 2 and start <= requests[1] < end,
        refused_at is not None and start <= refused_at < end,
        went_overdue,
        went_overdue and apology is not None,
        apology is not None and start <= apology.at < end,
    )


def tally_of(counts: Mapping[tuple[int, ...], int]) -> Tally:
    """The column sums of contributions given as {contribution: how many dossiers made it}.

    Dossiers make only a few dozen distinct contributions, so counting them (in C, by `Counter`) and summing
    each distinct one once is far cheaper than adding 100,000 rows column by column.
    """
    totals = [0] * len(TALLY_FIELDS)
    for part, times in counts.items():
        for column, value in enumerate(part):
            if value:
                totals[column] += int(value) * times
    return Tally(*totals)


@dataclass(frozen=True)
class WeekPoint:
    week_start: date
    resolved: int
    on_time: int  # early + on time

    @property
    def rate(self) -> float | None:
        return None if self.resolved == 0 else round(100.0 * self.on_time / self.resolved, 1)


@dataclass(frozen=True)
class Groups:
    rows: tuple[tuple[int, ...], ...]  # each dossier's contribution, in the order given
    total: Tally
    units: dict[str, Tally]
    officers: dict[str, Tally]
    procedures: dict[str, Tally]
    weeks: dict[date, list[int]]


def tally_all(dossiers: Sequence[Dossier], period: Period) -> Groups:
    rows = [contribution(dossier, period) for dossier in dossiers]
    weeks: dict[date, list[int]] = {}
    for dossier, part in zip(dossiers, rows, strict=True):
        if part[5] and dossier.resolved_at is not None:  # resolved in the period
            day = dossier.resolved_at.date()
            week = weeks.setdefault(day - timedelta(days=day.weekday()), [0, 0])
            week[0] += 1
            week[1] += not part[8]  # not late
    return Groups(
        rows=tuple(rows),
        total=tally_of(Counter(rows)),
        units=_grouped(Counter(zip((d.unit for d in dossiers), rows, strict=True))),
        officers=_grouped(Counter(zip((d.officer for d in dossiers), rows, strict=True))),
        procedures=_grouped(Counter(zip((d.procedure_code for d in dossiers), rows, strict=True))),
        weeks=weeks,
    )


def _grouped(counts: Counter[tuple[str, tuple[int, ...]]]) -> dict[str, Tally]:
    by_key: dict[str, dict[tuple[int, ...], int]] = {}
    for (key, part), times in counts.items():
        by_key.setdefault(key, {})[part] = times
    return {key: tally_of(parts) for key, parts in by_key.items()}
