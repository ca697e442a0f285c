"""The report model: one dossier's facts read from its status history, the same from either source.

Status codes (TrangThaiHoSo 1-10) and what they count as:

* received: the dossier reached 2 (Được tiếp nhận); its reception time is `received_at` (NgayTiepNhan);
  1 (Mới đăng ký) alone is not received;
* resolved: the first entry with 9 (Đã xử lý xong) or, without a 9 before it, 10; its time is the resolution;
* returned (result handed to the citizen): 10;
* refused: 3 (Không được tiếp nhận); withdrawn 7 and stopped 8 close a dossier without a result;
* open: the current status is 2, 4, 5 or 6;
* a supplement request: an entry with 5 that follows an entry with another status (the portal also writes
  a 5 when the citizen hands the papers in; that is not a new request).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum
from typing import NamedTuple

from dossier.profiles.deadlines import VIETNAM_TZ, to_vietnam_time
from dossier.submit.statuses import Status


def parse_moment(text: str) -> datetime:
    """An ISO 8601 moment in Vietnam time; another offset is converted, none means Vietnam's.

    Every moment shares the one VIETNAM_TZ object: comparing two datetimes with the same tzinfo object is a
    plain field comparison, where different tzinfo objects cost two offset calls each time (100,000 dossiers).
    """
    if text.endswith("+07:00"):
        return datetime.fromisoformat(text[:-6]).replace(tzinfo=VIETNAM_TZ)
    return to_vietnam_time(datetime.fromisoformat(text))


MAX_REMEMBERED = 200_000  # about 30 MB


def moment_parser() -> Callable[[str], datetime]:
    """`parse_moment` remembering each text it has seen: appointments and reception minutes repeat a lot."""
    seen: dict[str, datetime] = {}

    def parse(text: str) -> datetime:
        found = seen.get(text)
        if found is None:
            found = parse_moment(text)
            if len(seen) < MAX_REMEMBERED:
                seen[text] = found
        return found

    return parse


Code = Status  # the portal's status codes, one table for the portal, the client and the report


RECEIVED = frozenset({Code.accepted})
RESOLVED = frozenset({Code.resolved, Code.returned})
RETURNED = frozenset({Code.returned})
REFUSED = frozenset({Code.refused})
CLOSED_WITHOUT_RESULT = frozenset({Code.refused, Code.withdrawn, Code.stopped})
OPEN = frozenset({Code.accepted, Code.processing, Code.supplement_requested, Code.payment_requested})


class Channel(IntEnum):
    """KenhThucHien: 1 at the counter, 2 online, 3 by post."""

    counter = 1
    online = 2
    post = 3


class StatusChange(NamedTuple):
    """One entry of the status history (a NamedTuple: immutable and typed, and cheap at 100,000 dossiers)."""

    status: int
    at: datetime
    note: str = ""


@dataclass(frozen=True)
class Apology:
    at: datetime
    reason: str
    new_appointment: datetime


@dataclass(frozen=True)
class Dossier:
    """One dossier as both sources give it (no personal data)."""

    code: str
    procedure_code: str
    procedure_name: str
    unit: str  # the receiving agency's code (mã định danh đơn vị)
    officer: str  # the receiving officer's account
    channel: int
    received_at: datetime
    appointment: datetime | None  # NgayHenTra as issued at reception: on time is measured against it
    digitised: bool
    signed: bool
    history: tuple[StatusChange, ...]
    apology: Apology | None

    # Derived once from the history when the dossier is built (every report reads them all).
    _times: tuple[datetime, ...] = field(init=False, repr=False, compare=False)
    received: bool = field(init=False, repr=False, compare=False)
    resolved_at: datetime | None = field(init=False, repr=False, compare=False)
    returned_at: datetime | None = field(init=False, repr=False, compare=False)
    refused_at: datetime | None = field(init=False, repr=False, compare=False)
    supplement_requests: tuple[datetime, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        received, resolved, returned, refused = False, None, None, None
        requests = []
        previous = None
        for status, at, _note in self.history:
            if status in RECEIVED:
                received = True
            elif status in RESOLVED and resolved is None:
                resolved = at
            if status in RETURNED and returned is None:
                returned = at
            elif status in REFUSED and refused is None:
                refused = at
            elif status == Code.supplement_requested and previous != Code.supplement_requested:
                requests.append(at)  # a request: a 5 after another status (not the citizen's hand-in)
            previous = status
        facts = {
            "_times": tuple(change.at for change in self.history),
            "received": received,
            "resolved_at": resolved,
            "returned_at": returned,
            "refused_at": refused,
            "supplement_requests": tuple(requests),
        }
        for name, value in facts.items():
            object.__setattr__(self, name, value)

    def status_at(self, moment: datetime) -> int | None:
        """The status the dossier had at `moment` (None before its first entry)."""
        index = bisect_right(self._times, moment)
        return self.history[index - 1].status if index else None

    @property
    def status(self) -> int:
        return self.history[-1].status if self.history else Code.registered

    def open_at(self, moment: datetime) -> bool:
        return self.status_at(moment) in OPEN

    def overdue_at(self, moment: datetime) -> bool:
        """Open at `moment` and past its original appointment (an apology's new date does not change this)."""
        return self.appointment is not None and self.open_at(moment) and moment > self.appointment


class Timeliness(IntEnum):
    early = 1
    on_time = 2
    late = 3


def timeliness(dossier: Dossier) -> Timeliness | None:
    """Early, on time or late for a resolved dossier (None if not resolved); see README "On time".

    late: resolved after the original appointment (to the second), or the dossier had an apology;
    early: resolved on a calendar day (Vietnam time) before the appointment's day; on time: the rest.
    """
    resolved = dossier.resolved_at
    if resolved is None or dossier.appointment is None:
        return None
    if dossier.apology is not None or resolved > dossier.appointment:
        return Timeliness.late
    if resolved.date() < dossier.appointment.date():
        return Timeliness.early
    return Timeliness.on_time
