"""A hand-computed month: ten dossiers whose every indicator is worked out in the comments below.

Period 2026-11-02 .. 2026-11-27 (end exclusive 2026-11-28 00:00 +07:00); evaluated on 2026-12-10, so open
and overdue dossiers are counted as of 2026-11-28 00:00.
"""

from __future__ import annotations

from datetime import date, datetime

from dossier.profiles.deadlines import VIETNAM_TZ
from dossier.supervise.model import Apology, Dossier, StatusChange

START = date(2026, 11, 2)
END = date(2026, 11, 27)
NOW = datetime(2026, 12, 10, 12, 0, tzinfo=VIETNAM_TZ)


def at(month: int, day: int, hour: int = 9, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=VIETNAM_TZ)


def d(
    code: str,
    unit: str,
    officer: str,
    procedure: str,
    channel: int,
    received: datetime,
    appointment: datetime | None,
    history: list[tuple[int, datetime]],
    digitised: bool = False,
    signed: bool = False,
    apology: Apology | None = None,
) -> Dossier:
    return Dossier(
        code=code,
        procedure_code=procedure,
        procedure_name=f"Thủ tục {procedure}",
        unit=unit,
        officer=officer,
        channel=channel,
        received_at=received,
        appointment=appointment,
        digitised=digitised,
        signed=signed,
        history=tuple(StatusChange(s, t) for s, t in history),
        apology=apology,
    )


DOSSIERS = (
    # D1 early: resolved 11-04, the appointment is on 11-05
    d(
        "D1",
        "U1",
        "a",
        "P1",
        1,
        at(11, 2),
        at(11, 5),
        [(2, at(11, 2)), (4, at(11, 2, 10)), (9, at(11, 4, 10)), (10, at(11, 5, 8))],
        digitised=True,
        signed=True,
    ),
    # D2 on time: resolved one second before the appointment, the same day
    d(
        "D2",
        "U1",
        "a",
        "P1",
        2,
        at(11, 3),
        at(11, 6),
        [(2, at(11, 3)), (4, at(11, 3, 10)), (9, at(11, 6, 8, 59, 59))],
        digitised=True,
    ),
    # D3 late by one second; it went overdue (open at its appointment), no apology
    d(
        "D3",
        "U1",
        "b",
        "P2",
        1,
        at(11, 4),
        at(11, 9),
        [(2, at(11, 4)), (4, at(11, 4, 10)), (9, at(11, 9, 9, 0, 1))],
        signed=True,
    ),
    # D4 late with an apology (went overdue, apologised)
    d(
        "D4",
        "U2",
        "b",
        "P2",
        1,
        at(11, 5),
        at(11, 10),
        [(2, at(11, 5)), (4, at(11, 5, 10)), (4, at(11, 10, 10)), (9, at(11, 12, 10))],
        digitised=True,
        signed=True,
        apology=Apology(at(11, 10, 10), "chờ", at(11, 12, 15)),
    ),
    # D5 two supplement requests (one violation), still open: overdue open, went overdue, no apology
    d(
        "D5",
        "U2",
        "a",
        "P1",
        2,
        at(11, 10),
        at(11, 13),
        [
            (2, at(11, 10)),
            (4, at(11, 10, 10)),
            (5, at(11, 10, 11)),
            (5, at(11, 11)),
            (4, at(11, 11)),
            (5, at(11, 11, 14)),
            (5, at(11, 12)),
            (4, at(11, 12)),
        ],
        signed=True,
    ),
    # D6 open, due in December: open, not overdue
    d(
        "D6",
        "U2",
        "b",
        "P1",
        1,
        at(11, 20),
        at(12, 20),
        [(2, at(11, 20)), (4, at(11, 20, 10))],
        digitised=True,
        signed=True,
    ),
    # D7 refused before its appointment: a refusal, not overdue
    d("D7", "U1", "a", "P2", 1, at(11, 21), at(11, 24), [(2, at(11, 21)), (3, at(11, 21, 10))]),
    # D8 received before the period, resolved late inside it: counts as resolved (late), not as received
    d(
        "D8",
        "U1",
        "b",
        "P1",
        1,
        at(10, 20),
        at(10, 23),
        [(2, at(10, 20)), (4, at(10, 20, 10)), (9, at(11, 3, 10))],
    ),
    # D9 registered only (status 1): not received, counts nowhere
    d("D9", "U1", "a", "P1", 2, at(11, 15), None, [(1, at(11, 15))]),
    # D10 open and overdue with an apology
    d(
        "D10",
        "U2",
        "a",
        "P2",
        1,
        at(11, 25),
        at(11, 26),
        [(2, at(11, 25)), (4, at(11, 25, 10)), (4, at(11, 26, 12))],
        signed=True,
        apology=Apology(at(11, 26, 12), "chờ", at(12, 2, 9)),
    ),
)

# Worked out by hand from the comments above.
EXPECTED_TOTAL = {
    "received": (8, None),  # D1-D7, D10
    "received_counter": (6, None),  # D1 D3 D4 D6 D7 D10
    "received_online": (2, None),  # D2 D5
    "digitized": (4, None),  # D1 D2 D4 D6
    "digitized_rate": (50.0, "orange"),  # 4/8; exactly the orange edge (>= 50)
    "signed": (6, None),  # D1 D3 D4 D5 D6 D10
    "signed_rate": (75.0, "yellow"),  # 6/8; exactly the yellow edge (>= 75)
    "resolved": (5, None),  # D1 D2 D3 D4 D8
    "resolved_early": (1, None),
    "resolved_on_time": (1, None),
    "resolved_late": (3, None),  # D3 D4 D8
    "on_time_rate": (40.0, "red"),  # 2/5
    "open": (3, None),  # D5 D6 D10 at 2026-11-28 00:00
    "overdue_open": (2, None),  # D5 D10
    "overdue_open_rate": (66.7, "red"),  # 2/3
    "supplement_requests": (2, None),  # D5 twice
    "second_supplement_requests": (1, "yellow"),  # D5; lower is better: 1 <= 1 is yellow
    "refusals": (1, None),  # D7
    "went_overdue": (4, None),  # D3 D4 D5 D10
    "apologies": (2, None),  # D4 D10
    "apology_rate": (50.0, "red"),  # 2/4 (D4, D10 of D3 D4 D5 D10)
}
EXPECTED_UNITS = {
    # U1: D1 D2 D3 D7 D8 D9; U2: D4 D5 D6 D10
    "U1": {
        "received": (4, None),
        "resolved": (4, None),
        "on_time_rate": (50.0, "red"),
        "overdue_open": (0, None),
        "refusals": (1, None),
        "went_overdue": (1, None),
        "apology_rate": (0.0, "red"),
    },
    "U2": {
        "received": (4, None),
        "resolved": (1, None),
        "on_time_rate": (0.0, "red"),
        "overdue_open": (2, None),
        "second_supplement_requests": (1, "yellow"),
        "apology_rate": (66.7, "red"),
    },
}
EXPECTED_OFFICERS = {
    # a: D1 D2 D5 D7 D9 D10; b: D3 D4 D6 D8
    "a": {
        "received": (5, None),
        "resolved": (2, None),
        "on_time_rate": (100.0, "green"),
        "overdue_open": (2, None),
    },
    "b": {
        "received": (3, None),
        "resolved": (3, None),
        "on_time_rate": (0.0, "red"),
        "overdue_open": (0, None),
    },
}
EXPECTED_PROCEDURES = {
    # P1: D1 D2 D5 D6 D8 D9; P2: D3 D4 D7 D10
    "P1": {"received": (4, None), "resolved": (3, None), "on_time_rate": (66.7, "red"), "open": (2, None)},
    "P2": {"received": (4, None), "resolved": (2, None), "on_time_rate": (0.0, "red"), "refusals": (1, None)},
}
