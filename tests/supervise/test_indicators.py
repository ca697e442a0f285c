"""Every indicator of the report against a hand-computed fixture, and every colour-band edge."""

from __future__ import annotations

import pytest

from dossier.profiles.deadlines import load_calendar
from dossier.supervise.indicators import INDICATOR_NAMES
from dossier.supervise.model import Apology, Timeliness, timeliness
from dossier.supervise.report import Filter, build_report, report_document
from dossier.supervise.thresholds import DEFAULTS, Band, Thresholds
from tests.supervise.fixture import (
    DOSSIERS,
    END,
    EXPECTED_OFFICERS,
    EXPECTED_PROCEDURES,
    EXPECTED_TOTAL,
    EXPECTED_UNITS,
    NOW,
    START,
    at,
    d,
)


@pytest.fixture(scope="module")
def document() -> dict:
    report = build_report(DOSSIERS, Filter(START, END), DEFAULTS, load_calendar(), NOW, "fixture")
    return report_document(report)


def pairs(indicators: dict) -> dict:
    return {name: (value["value"], value["band"]) for name, value in indicators.items()}


def test_every_indicator_of_the_whole_selection(document: dict) -> None:
    assert set(EXPECTED_TOTAL) == set(INDICATOR_NAMES)
    assert pairs(document["indicators"]) == EXPECTED_TOTAL


@pytest.mark.parametrize(
    ("section", "expected"),
    [("units", EXPECTED_UNITS), ("officers", EXPECTED_OFFICERS), ("procedures", EXPECTED_PROCEDURES)],
)
def test_per_group(document: dict, section: str, expected: dict) -> None:
    groups = {g["key"]: pairs(g["indicators"]) for g in document[section]}
    assert set(groups) == set(expected) | ({"U1", "U2"} & set(groups))
    for key, values in expected.items():
        for name, pair in values.items():
            assert groups[key][name] == pair, (section, key, name)


def test_lists_and_period(document: dict) -> None:
    assert [o["code"] for o in document["overdue"]] == ["D5", "D10"]
    assert document["overdue"][1]["apology_new_appointment"] == "2026-12-02T09:00:00+07:00"
    assert [v["code"] for v in document["violations"]] == ["D5"]
    assert len(document["violations"][0]["supplement_requests"]) == 2
    assert document["period"]["as_of"] == "2026-11-28T00:00:00+07:00"
    weeks = {w["week"]: (w["resolved"], w["on_time"]) for w in document["weekly_on_time"]}
    # resolutions: D8 11-03, D1 11-04, D2 11-06 (week of 11-02); D3 11-09, D4 11-12 (week of 11-09)
    assert weeks == {"2026-11-02": (3, 2), "2026-11-09": (2, 0)}


def test_filters_narrow_every_number() -> None:
    report = build_report(DOSSIERS, Filter(START, END, officer="b"), DEFAULTS, load_calendar(), NOW, "f")
    assert report.total.received.value == 3 and report.total.resolved_late.value == 3
    only_p2 = build_report(DOSSIERS, Filter(START, END, procedure="P2"), DEFAULTS, load_calendar(), NOW, "f")
    assert only_p2.total.refusals.value == 1 and only_p2.total.apologies.value == 2


def test_on_time_definition_edges() -> None:
    base = dict(unit="U", officer="o", procedure="P", channel=1, received=at(11, 2), appointment=at(11, 5, 9))
    resolved_at = {
        "early": at(11, 4, 23, 59, 59),
        "same day before": at(11, 5, 8),
        "exactly at": at(11, 5, 9),
        "one second after": at(11, 5, 9, 0, 1),
    }
    kinds = {
        name: timeliness(d(name, history=[(2, at(11, 2)), (9, moment)], **base))  # type: ignore[arg-type]
        for name, moment in resolved_at.items()
    }
    assert kinds == {
        "early": Timeliness.early,
        "same day before": Timeliness.on_time,
        "exactly at": Timeliness.on_time,
        "one second after": Timeliness.late,
    }
    # a dossier that needed an apology is never on time, whatever its new appointment
    apologised = d(
        "A", history=[(2, at(11, 2)), (9, at(11, 5, 8))], apology=Apology(at(11, 5), "x", at(11, 9)), **base
    )  # type: ignore[arg-type]
    assert timeliness(apologised) is Timeliness.late
    # resolved through 10 without a 9 first: the 10 is the resolution
    assert timeliness(d("R", history=[(2, at(11, 2)), (10, at(11, 4))], **base)) is Timeliness.early  # type: ignore[arg-type]


@pytest.mark.parametrize("name", sorted(DEFAULTS))
def test_band_edges_of_every_default(name: str) -> None:
    t = DEFAULTS[name]
    step = 0.1 if t.percent else 1
    if t.higher_is_better:
        assert t.band(t.green) is Band.green and t.band(t.green - step) is Band.yellow
        assert t.band(t.yellow) is Band.yellow and t.band(t.yellow - step) is Band.orange
        assert t.band(t.orange) is Band.orange and t.band(t.orange - step) is Band.red
    else:
        assert t.band(t.green) is Band.green and t.band(t.green + step) is Band.yellow
        assert t.band(t.yellow) is Band.yellow and t.band(t.yellow + step) is Band.orange
        assert t.band(t.orange) is Band.orange and t.band(t.orange + step) is Band.red
    assert t.band(None) is None


def test_band_of_a_custom_scale() -> None:
    t = Thresholds(True, 90, 80, 70)
    assert [t.band(v) for v in (100, 90, 89.9, 80, 79.9, 70, 69.9, 0)] == [
        Band.green,
        Band.green,
        Band.yellow,
        Band.yellow,
        Band.orange,
        Band.orange,
        Band.red,
        Band.red,
    ]
