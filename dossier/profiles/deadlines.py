"""Working-day calendar and appointment times (ngày hẹn trả kết quả) under the published rules.

Days off come from three layers, the later one winning date by date:

1. the maintained `holidays` package (Labour Code 2019 Art. 112 holidays, lunar Tết, compensated days and the
   official working-day swaps it knows), on top of a Monday-Friday week;
2. the per-year files shipped in ``dossier/profiles/data/calendar/YYYY.toml``;
3. a province's own ``YYYY.toml`` files in ``DOSSIER_CALENDAR_DIR`` (or ``--calendar-dir``), editable
   without a release, for the Prime Minister's yearly decisions and local swaps.

A year file holds two arrays of inline tables, both optional::

    days_off = [{ date = 2026-02-16, name = "Tết Nguyên đán" }]        # extra days off
    working_days = [{ date = 2026-08-22, name = "Làm bù cho 31/8" }]   # swapped Saturdays, holidays not taken

Counting rules (only the 15:00 rule is confirmed, the rest follows the practice seen on a real
Thanh Hóa receipt and is a documented choice):

* a dossier received on a day off, or outside office hours, counts as received at the next opening time;
* same-day procedures (0 working days) received up to 15:00 are returned the same day at closing time;
  received after 15:00 they are returned the next working day at the same clock time (the slip carries hour
  and date);
* N working days: day 1 is the working day after reception; the result is returned on the Nth working day at
  the reception's clock time rounded down (to the hour by default: received 09:32 -> returned 09:00, as on the
  Thanh Hóa receipt), never earlier than opening time.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import holidays

from dossier.errors import ConfigError
from dossier.i18n import _, current_language

PACKAGED_CALENDAR_DIR = Path(__file__).parent / "data" / "calendar"
CALENDAR_DIR_ENV = "DOSSIER_CALENDAR_DIR"
SAME_DAY_CUTOFF = time(15, 0)
_YEAR_FILE = re.compile(r"^(\d{4})\.toml$")
_ALLOWED_KEYS = frozenset({"days_off", "working_days", "source", "note"})
_ALLOWED_ENTRY_KEYS = frozenset({"date", "name"})
# Search at most this far for the next working day: a calendar with no working day is a broken data file.
_MAX_SCAN_DAYS = 366


def vietnam_tz() -> tzinfo:
    """Asia/Ho_Chi_Minh; the fixed +07:00 offset (unchanged since 1975) if the system lacks tz data."""
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Asia/Ho_Chi_Minh")
    except (ImportError, KeyError, OSError):
        return timezone(timedelta(hours=7), "ICT")


VIETNAM_TZ = vietnam_tz()


@dataclass(frozen=True)
class OfficeHours:
    """When the counter receives dossiers; `saturday_until` (e.g. 11:30) for Saturday-morning counters."""

    opens: time = time(7, 30)
    closes: time = time(17, 0)
    saturday_until: time | None = None


@dataclass(frozen=True)
class DayOverride:
    """One entry of a year file: a date made a day off (`off=True`) or a working day, and its file."""

    day: date
    off: bool
    name: str
    source: Path


@dataclass(frozen=True)
class Appointment:
    """An appointment and how it was reached: the non-working weekdays skipped are listed with their names."""

    received: datetime
    counted_from: datetime
    working_days: int
    due: datetime
    skipped: tuple[tuple[date, str], ...]


@dataclass(frozen=True)
class WorkingCalendar:
    """Vietnamese public-office working days: Mon-Fri minus public holidays, with data-file overrides."""

    overrides: tuple[DayOverride, ...] = ()
    hours: OfficeHours = field(default_factory=OfficeHours)
    sources: tuple[Path, ...] = ()
    _index: Mapping[date, DayOverride] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Later layers come later in `overrides`, so the last entry for a date wins.
        object.__setattr__(self, "_index", MappingProxyType({o.day: o for o in self.overrides}))

    def _override(self, day: date) -> DayOverride | None:
        return self._index.get(day)

    def is_working_day(self, day: date) -> bool:
        override = self._override(day)
        if override is not None:
            return not override.off
        return _package_says_working(day)

    def day_off_name(self, day: date) -> str | None:
        """The holiday's name if `day` is a day off that is not simply a weekend, else None."""
        if self.is_working_day(day):
            return None
        override = self._override(day)
        if override is not None:
            return override.name or _("Ngày nghỉ")
        return _package_holidays(day.year).get(day)

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        for offset in range(1, _MAX_SCAN_DAYS + 1):
            candidate = day + timedelta(days=offset)
            if self.is_working_day(candidate):
                return candidate
        raise ConfigError(_("Lịch không có ngày làm việc nào sau {day}.").format(day=day.isoformat()))

    def add_working_days(self, start: date, n: int) -> date:
        """The Nth working day after `start` (`start` itself never counts); `n=0` returns `start`."""
        if n < 0:
            raise ValueError(f"working days must be >= 0, got {n}")
        day = start
        for _step in range(n):
            day = self.next_working_day(day)
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days lie in (start, end]."""
        return sum(1 for day in _days(start, end) if self.is_working_day(day))

    def counted_from(self, received: datetime) -> datetime:
        """The reception moment that counts: the next opening time if received on a day off or after hours."""
        local = to_vietnam_time(received)
        day, clock = local.date(), local.timetz().replace(tzinfo=None)
        if self._counter_open_on(day) and clock <= self._closing_on(day):
            return local if clock >= self.hours.opens else _at(day, self.hours.opens)
        return _at(self.next_working_day(day), self.hours.opens)

    def schedule(
        self,
        received: datetime,
        working_days: int,
        same_day_cutoff: time = SAME_DAY_CUTOFF,
        round_to_minutes: int = 60,
    ) -> Appointment:
        """The appointment for a dossier received at `received` whose procedure takes `working_days` days."""
        if working_days < 0:
            raise ValueError(f"working days must be >= 0, got {working_days}")
        start = self.counted_from(received)
        day, clock = start.date(), start.timetz().replace(tzinfo=None)
        if working_days == 0 and clock <= same_day_cutoff:
            due = _at(day, self._closing_on(day))
        else:
            due_day = self.add_working_days(day, max(working_days, 1))
            due = _at(due_day, max(_round_down(clock, round_to_minutes), self.hours.opens))
        skipped = tuple(
            (d, name) for d in _days(day, due.date()) if (name := self.day_off_name(d)) and d.weekday() < 5
        )
        return Appointment(to_vietnam_time(received), start, working_days, due, skipped)

    def appointment(
        self,
        received: datetime,
        working_days: int,
        same_day_cutoff: time = SAME_DAY_CUTOFF,
        round_to_minutes: int = 60,
    ) -> datetime:
        """The appointment date-time (Asia/Ho_Chi_Minh); see `schedule` for how it was reached."""
        return self.schedule(received, working_days, same_day_cutoff, round_to_minutes).due

    def _counter_open_on(self, day: date) -> bool:
        if self.is_working_day(day):
            return True
        # A Saturday-morning counter receives on ordinary Saturdays, not on holidays.
        return (
            self.hours.saturday_until is not None
            and day.weekday() == 5
            and self._override(day) is None
            and day not in _package_holidays(day.year)
        )

    def _closing_on(self, day: date) -> time:
        if not self.is_working_day(day) and self.hours.saturday_until is not None:
            return self.hours.saturday_until
        return self.hours.closes


def to_vietnam_time(moment: datetime) -> datetime:
    """`moment` in Asia/Ho_Chi_Minh; a naive `moment` is taken to be Vietnam time already."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        return moment.replace(tzinfo=VIETNAM_TZ)
    return moment.astimezone(VIETNAM_TZ)


def load_calendar(
    calendar_dir: Path | None = None,
    hours: OfficeHours | None = None,
    packaged_dir: Path = PACKAGED_CALENDAR_DIR,
) -> WorkingCalendar:
    """Packaged year files, then the province's (`calendar_dir`, else $DOSSIER_CALENDAR_DIR), as a calendar.

    Raises ConfigError naming the file for a malformed year file or a missing province folder.
    """
    if calendar_dir is None and os.environ.get(CALENDAR_DIR_ENV, "").strip():
        calendar_dir = Path(os.environ[CALENDAR_DIR_ENV].strip())
    files = list(year_files(packaged_dir))
    if calendar_dir is not None:
        if not calendar_dir.is_dir():
            raise ConfigError(_("Không tìm thấy thư mục lịch nghỉ."), path=calendar_dir)
        files += year_files(calendar_dir)
    overrides = tuple(override for path in files for override in read_year_file(path))
    return WorkingCalendar(overrides=overrides, hours=hours or OfficeHours(), sources=tuple(files))


def year_files(folder: Path) -> Iterator[Path]:
    """The YYYY.toml files of `folder` in year order; another .toml name is an error, not silently ignored."""
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.toml")):
        if not _YEAR_FILE.match(path.name):
            raise ConfigError(
                _("Tên tệp lịch nghỉ phải là năm, ví dụ 2026.toml."), path=path, hint=_year_file_hint()
            )
        yield path


def read_year_file(path: Path) -> tuple[DayOverride, ...]:
    """Parse and check one year file; every problem is a ConfigError naming the file."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(
            _("Tệp lịch nghỉ không đọc được: {reason}").format(reason=error),
            path=path,
            hint=_year_file_hint(),
        ) from error
    match = _YEAR_FILE.match(path.name)
    year = int(match.group(1)) if match else None
    unknown = sorted(set(document) - _ALLOWED_KEYS)
    if unknown:
        raise _bad_file(path, _("khóa không hợp lệ: {keys}").format(keys=", ".join(unknown)))
    entries = [
        _parse_entry(path, year, entry, off=key == "days_off")
        for key in ("days_off", "working_days")
        for entry in _entry_list(path, document.get(key, []), key)
    ]
    seen: dict[date, bool] = {}
    for entry in entries:
        if seen.setdefault(entry.day, entry.off) != entry.off:
            raise _bad_file(
                path, _("ngày {day} vừa là ngày nghỉ vừa là ngày làm việc").format(day=entry.day.isoformat())
            )
    return tuple(entries)


def _entry_list(path: Path, value: Any, key: str) -> list[Any]:
    if not isinstance(value, list):
        raise _bad_file(path, _("'{key}' phải là một danh sách").format(key=key))
    return value


def _parse_entry(path: Path, year: int | None, entry: Any, off: bool) -> DayOverride:
    if isinstance(entry, date) and not isinstance(entry, datetime):
        entry = {"date": entry}
    if (
        not isinstance(entry, dict)
        or not isinstance(entry.get("date"), date)
        or isinstance(entry["date"], datetime)
    ):
        raise _bad_file(
            path, _("mỗi mục cần có date = YYYY-MM-DD (không có giờ): {entry}").format(entry=entry)
        )
    if set(entry) - _ALLOWED_ENTRY_KEYS:
        raise _bad_file(
            path,
            _("khóa không hợp lệ: {keys}").format(keys=", ".join(sorted(set(entry) - _ALLOWED_ENTRY_KEYS))),
        )
    day = entry["date"]
    if year is not None and day.year != year:
        raise _bad_file(path, _("ngày {day} không thuộc năm {year}").format(day=day.isoformat(), year=year))
    return DayOverride(day=day, off=off, name=str(entry.get("name", "")), source=path)


def _bad_file(path: Path, reason: str) -> ConfigError:
    return ConfigError(
        _("Tệp lịch nghỉ không hợp lệ: {reason}").format(reason=reason), path=path, hint=_year_file_hint()
    )


def _year_file_hint() -> str:
    return _(
        'Mẫu: days_off = [{ date = 2026-02-16, name = "..." }] và working_days = [{ date = 2026-08-22 }].'
    )


def _package_holidays(year: int) -> Mapping[date, str]:
    return _package_holidays_in(year, "en_US" if current_language() == "en" else "vi")


@cache
def _package_holidays_in(year: int, language: str) -> Mapping[date, str]:
    return MappingProxyType(dict(holidays.country_holidays("VN", years=year, language=language).items()))


@cache
def _package_weekend_workdays(year: int) -> frozenset[date]:
    # A swap is listed under the year of its decision, which may be the next one (27/12/2014 for Tết 2015).
    calendar = holidays.country_holidays("VN", years=(year, year + 1))
    return frozenset(day for day in calendar.weekend_workdays if day.year == year)


def _package_says_working(day: date) -> bool:
    if day in _package_weekend_workdays(day.year):
        return True
    return day.weekday() < 5 and day not in _package_holidays(day.year)


def _days(start: date, end: date) -> Iterable[date]:
    """Every date in (start, end]."""
    return (start + timedelta(days=offset) for offset in range(1, (end - start).days + 1))


def _round_down(clock: time, minutes: int) -> time:
    if minutes <= 1:
        return clock.replace(second=0, microsecond=0)
    total = (clock.hour * 60 + clock.minute) // minutes * minutes
    return time(total // 60, total % 60)


def _at(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock.replace(second=0, microsecond=0), tzinfo=VIETNAM_TZ)
