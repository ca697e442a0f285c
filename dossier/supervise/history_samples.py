"""A seeded, reproducible month of one-stop history for one province (demo data and benchmarks).

Four receiving units of Thanh Hóa (H56), nine officers, the six shipped procedures with their working-day
deadlines on the shared calendar; outcomes drawn from fixed rates: most resolved early or on time, some late
(most of those with an apology), some still open and overdue (with and without an apology), a few refusals,
supplement requests and a few second requests to the same citizen (the violation the report lists).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dossier.profiles.deadlines import VIETNAM_TZ, WorkingCalendar
from dossier.profiles.loader import Catalogue
from dossier.supervise.model import Apology, Code, Dossier, StatusChange

UNITS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("000.00.06.H56", ("tt.nguyenvana", "tt.tranthib", "tt.lequangc")),
    ("000.21.28.H56", ("xa1.phamthid", "xa1.hoangvane")),
    ("000.22.28.H56", ("xa2.vuthif", "xa2.dangvang")),
    ("000.23.28.H56", ("xa3.buithih", "xa3.doanvani")),
)
PROCEDURE_WEIGHTS = (
    ("1.001193", 30),
    ("2.000815", 30),
    ("1.000894", 8),
    ("1.004222", 14),
    ("2.000720", 10),
    ("local.gpxd-nha-o-rieng-le", 8),
)
REASONS = (
    "Chờ ý kiến của cơ quan phối hợp",
    "Hồ sơ cần xác minh thêm tại địa phương",
    "Hệ thống liên thông gián đoạn",
    "Cán bộ thụ lý nghỉ ốm đột xuất",
)


@dataclass(frozen=True)
class HistorySpec:
    count: int = 400
    seed: int = 1
    end: date | None = None  # the last reception day (default: today)
    days: int = 30  # the month before `end`


def _moment(day: date, minutes: int) -> datetime:
    return datetime.combine(day, time(7, 30), VIETNAM_TZ) + timedelta(minutes=minutes)


def _working_days(calendar: WorkingCalendar, end: date, days: int) -> list[date]:
    start = end - timedelta(days=days - 1)
    return [start + timedelta(n) for n in range(days) if calendar.is_working_day(start + timedelta(n))]


def generate(
    spec: HistorySpec, catalogue: Catalogue, calendar: WorkingCalendar, now: datetime
) -> tuple[Dossier, ...]:
    """`spec.count` dossiers received on the working days of the month; nothing happens after `now`."""
    rng = random.Random(spec.seed)
    end = spec.end or now.date()
    days = _working_days(calendar, end, spec.days)
    procedures = {p.code: p for p in catalogue.procedures}
    codes, weights = zip(*PROCEDURE_WEIGHTS, strict=True)
    sequence: dict[tuple[str, date], int] = {}
    dossiers = []
    for _n in range(spec.count):
        unit, officers = rng.choice(UNITS)
        procedure = procedures[rng.choices(codes, weights)[0]]
        day = rng.choice(days)
        received = _moment(day, rng.randrange(0, 9 * 60))
        profile = procedure.version_on(day) or procedure.current
        appointment = calendar.schedule(received, profile.processing_days).due
        sequence[(unit, day)] = sequence.get((unit, day), 0) + 1
        code = f"{unit}-{day:%y%m%d}-{sequence[(unit, day)]:04d}"
        history, apology = _story(rng, calendar, received, appointment)
        kept = tuple(change for change in history if change.at <= now)
        if not kept:
            continue
        dossiers.append(
            Dossier(
                code=code,
                procedure_code=procedure.code,
                procedure_name=profile.name,
                unit=unit,
                officer=rng.choice(officers),
                channel=rng.choices((1, 2, 3), (60, 38, 2))[0],
                received_at=received,
                appointment=appointment,
                digitised=rng.random() < 0.86,
                signed=rng.random() < 0.8,
                history=kept,
                apology=apology if apology is not None and apology.at <= now else None,
            )
        )
    return tuple(sorted(dossiers, key=lambda d: (d.received_at, d.code)))


def _story(
    rng: random.Random, calendar: WorkingCalendar, received: datetime, appointment: datetime
) -> tuple[tuple[StatusChange, ...], Apology | None]:
    """The status history of one dossier, drawn from the outcome rates."""
    history = [StatusChange(Code.accepted, received, "Tiếp nhận hồ sơ, cấp mã hồ sơ và ngày hẹn trả")]
    at = received + timedelta(minutes=rng.randrange(5, 90))
    if rng.random() < 0.03:
        history.append(StatusChange(Code.refused, at, "Từ chối: hồ sơ không thuộc thẩm quyền"))
        return tuple(history), None
    history.append(StatusChange(Code.processing, at, "Chuyển cơ quan giải quyết"))
    requests = 2 if rng.random() < 0.012 else 1 if rng.random() < 0.08 else 0
    for number in range(requests):
        at += timedelta(minutes=rng.randrange(30, 600))
        history.append(
            StatusChange(Code.supplement_requested, at, f"Yêu cầu bổ sung giấy tờ lần {number + 1}")
        )
        at += timedelta(minutes=rng.randrange(60, 2000))
        history.append(StatusChange(Code.supplement_requested, at, "Công dân nộp bổ sung giấy tờ"))
        history.append(StatusChange(Code.processing, at, "Đã nhận đủ giấy tờ bổ sung, tiếp tục xử lý"))
    outcome = rng.random()
    span = max((appointment - at).total_seconds(), 0)
    apology = None
    if outcome < 0.55 and span > 86400:  # early: a day or more before the appointment's day
        resolved = at + timedelta(seconds=rng.uniform(0, span - 86400))
    elif outcome < 0.82:  # on time: the appointment's day, before its hour
        resolved = max(at, appointment - timedelta(minutes=rng.randrange(10, 240)))
    else:
        late_days = rng.randrange(1, 6)
        resolved = datetime.combine(
            calendar.add_working_days(appointment.date(), late_days), time(rng.randrange(8, 16)), VIETNAM_TZ
        )
        if rng.random() < 0.7:
            apology = Apology(
                min(appointment + timedelta(hours=rng.randrange(1, 20)), resolved - timedelta(minutes=30)),
                rng.choice(REASONS),
                datetime.combine(
                    calendar.add_working_days(appointment.date(), late_days + rng.randrange(0, 3)),
                    appointment.timetz().replace(tzinfo=None),
                    VIETNAM_TZ,
                ),
            )
            history.append(
                StatusChange(
                    Code.processing,
                    apology.at,
                    f"Xin lỗi và hẹn lại ngày trả kết quả: {apology.new_appointment.isoformat()}. "
                    f"Lý do chậm: {apology.reason}",
                )
            )
        if outcome > 0.96:  # still open: resolution far in the future (cut off by `now`)
            resolved = resolved + timedelta(days=60)
    history.append(StatusChange(Code.resolved, resolved, "Đã xử lý xong"))
    history.append(
        StatusChange(Code.returned, resolved + timedelta(hours=rng.randrange(1, 72)), "Đã trả kết quả")
    )
    history.sort(key=lambda change: change.at)
    return tuple(history), apology


def import_document(dossier: Dossier) -> dict[str, object]:
    """One item of the sandbox's `POST /v1/sandbox/import` (the portal issues its own code)."""
    return {
        "procedure_code": dossier.procedure_code,
        "procedure_name": dossier.procedure_name,
        "agency_code": dossier.unit,
        "officer": dossier.officer,
        "channel": dossier.channel,
        "received_at": dossier.received_at.isoformat(),
        "digitised": dossier.digitised,
        "signed": dossier.signed,
        "history": [{"status": c.status, "at": c.at.isoformat(), "note": c.note} for c in dossier.history],
        "apology": None
        if dossier.apology is None
        else {
            "at": dossier.apology.at.isoformat(),
            "reason": dossier.apology.reason,
            "new_appointment": dossier.apology.new_appointment.isoformat(),
        },
    }


def fill(spec: HistorySpec, portal: str | None, workspace: object | None, now: datetime | None = None) -> int:
    """Generate the month and put it into the sandbox portal (admin token) or a registry; the count."""
    from contextlib import closing
    from pathlib import Path

    from dossier.profiles.deadlines import load_calendar
    from dossier.profiles.loader import load_catalogue
    from dossier.supervise.registry import open_registry, write_dossiers
    from dossier.supervise.sources import portal_adapter

    dossiers = generate(spec, load_catalogue(), load_calendar(), now or datetime.now(VIETNAM_TZ))
    if portal is not None:
        with portal_adapter(portal) as adapter:
            for start in range(0, len(dossiers), 500):
                adapter.sandbox_import([import_document(d) for d in dossiers[start : start + 500]])
        return len(dossiers)
    assert isinstance(workspace, Path)
    with closing(open_registry(workspace, create=True)) as conn:
        return write_dossiers(conn, dossiers)
