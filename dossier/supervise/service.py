"""The three supervision commands as library functions: one call each for the CLI."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from dossier.profiles.deadlines import VIETNAM_TZ, load_calendar
from dossier.supervise.deadlines import DeadlineItem, Window, deadlines
from dossier.supervise.report import Filter, Report, build_report
from dossier.supervise.sources import Progress, Source, load_dossiers
from dossier.supervise.thresholds import load_thresholds


def list_deadlines(
    source: Source,
    selection: Filter,
    window: Window = Window.all,
    within: int | None = None,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> tuple[DeadlineItem, ...]:
    calendar = load_calendar()
    dossiers = load_dossiers(source, progress)
    return deadlines(dossiers, selection, calendar, now or datetime.now(VIETNAM_TZ), window, within)


def make_report(
    source: Source,
    selection: Filter,
    html: Path | None = None,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> Report:
    """The report; with `html`, the dashboard written there too (atomically)."""
    thresholds = load_thresholds()  # a bad config is refused before the source is read
    calendar = load_calendar()
    dossiers = load_dossiers(source, progress)
    report = build_report(
        dossiers, selection, thresholds, calendar, now or datetime.now(VIETNAM_TZ), source.label
    )
    if html is not None:
        from dossier.supervise.dashboard import write_dashboard

        write_dashboard(report, html)
    return report
