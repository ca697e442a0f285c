"""`issue_apology`: the one apology with a new appointment for an overdue dossier.

The order makes the once-only rule hold between desks and processes: every check first (nothing written on a
refusal), the form rendered in memory, then the one record that can win only once (the portal's apology, or
the registry row, both refused a second time by a primary key inside a write transaction), then the event log
and the PDF (written atomically; an existing file is never overwritten).
"""

from __future__ import annotations

import os
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from dossier.errors import DossierError, ExitCode, OutputError
from dossier.fsutil import atomic_write_bytes
from dossier.i18n import _
from dossier.profiles.deadlines import VIETNAM_TZ, WorkingCalendar, to_vietnam_time
from dossier.store.eventlog import default_actor
from dossier.submit.adapter import PortalRequestRejected
from dossier.submit.statuses import STATUS_NAMES
from dossier.supervise.apology_pdf import ApologyLetter, render_apology
from dossier.supervise.model import Apology, Dossier
from dossier.supervise.registry import (
    AlreadyApologizedError,
    already_apologized,
    at_text,
    open_registry,
    read_dossiers,
    record_apology,
)
from dossier.supervise.sources import Source, parse_portal_dossier, portal_adapter

NOTE = "Xin lỗi và hẹn lại ngày trả kết quả: {new}. Lý do chậm: {reason}"


class UnknownCodeError(DossierError):
    exit_code = ExitCode.usage


class BadNewDateError(DossierError):
    exit_code = ExitCode.usage


class NotOverdueError(DossierError):
    exit_code = ExitCode.refused_by_rule


@dataclass(frozen=True)
class ApologyRequest:
    code: str
    reason: str
    new_date: date
    out: Path | None = None
    place: str = ""
    agency_name: str | None = None


@dataclass(frozen=True)
class IssuedApology:
    code: str
    old_appointment: datetime
    new_appointment: datetime
    reason: str
    issued: datetime
    out: Path


def new_appointment(dossier: Dossier, new_date: date, calendar: WorkingCalendar) -> datetime:
    """`new_date` at the old appointment's clock time; refused on a day off or not after the old one."""
    assert dossier.appointment is not None
    name = calendar.day_off_name(new_date)
    if not calendar.is_working_day(new_date):
        raise BadNewDateError(
            _("--new-date {day} là ngày nghỉ ({name}): ngày hẹn mới phải là ngày làm việc.").format(
                day=new_date.isoformat(), name=name or _("cuối tuần")
            )
        )
    clock = to_vietnam_time(dossier.appointment).timetz().replace(tzinfo=None)
    moment = datetime.combine(new_date, clock if clock != time(0) else time(8), VIETNAM_TZ)
    if moment <= dossier.appointment:
        raise BadNewDateError(
            _("--new-date {day} không sau ngày hẹn cũ {old} của hồ sơ {code}.").format(
                day=new_date.isoformat(), old=at_text(dossier.appointment), code=dossier.code
            )
        )
    return moment


def check_allowed(dossier: Dossier, now: datetime) -> None:
    if dossier.apology is not None:
        raise already_apologized(dossier.code, dossier.apology.at, dossier.apology.new_appointment)
    if dossier.appointment is None or not dossier.overdue_at(now):
        when = at_text(dossier.appointment) if dossier.appointment else "—"
        raise NotOverdueError(
            _(
                "Hồ sơ {code} chưa quá hạn (hẹn trả {when}, trạng thái {status}: {name}): chỉ xin lỗi hồ sơ "
                "đang giải quyết đã quá hạn."
            ).format(
                code=dossier.code, when=when, status=dossier.status, name=STATUS_NAMES.get(dossier.status, "")
            )
        )


def _find(source: Source, code: str) -> Dossier:
    if source.portal is not None:
        with portal_adapter(source.portal) as adapter:
            try:
                found = parse_portal_dossier(adapter.dossier_document(code))
            except PortalRequestRejected as error:
                if error.error_code == "unknown_dossier":
                    raise UnknownCodeError(
                        _("Không có hồ sơ mã {code} trên cổng.").format(code=code)
                    ) from None
                raise
        if found is None:
            raise UnknownCodeError(_("Hồ sơ {code} chưa được cấp mã trên cổng.").format(code=code))
        return found
    assert source.workspace is not None
    with closing(open_registry(source.workspace)) as conn:
        for dossier in read_dossiers(conn):
            if dossier.code == code:
                return dossier
    raise UnknownCodeError(
        _("Không có hồ sơ mã {code} trong sổ đăng ký.").format(code=code), path=source.workspace
    )


def issue_apology(
    source: Source,
    request: ApologyRequest,
    calendar: WorkingCalendar,
    workspace: Path,
    now: datetime | None = None,
) -> IssuedApology:
    """Check, render, record once (portal or registry), log the event and write the PDF/A form."""
    now = to_vietnam_time(now or datetime.now(VIETNAM_TZ))
    out = request.out if request.out is not None else Path(f"xin-loi-{request.code}.pdf")
    if out.exists() or out.is_symlink():
        raise OutputError(_("Tệp đã có; không ghi đè. Chọn tên khác bằng --out."), path=out)
    if not os.access(out.parent if str(out.parent) else Path(), os.W_OK):
        raise OutputError(_("Không ghi được vào thư mục này."), path=out.parent)
    dossier = _find(source, request.code)
    check_allowed(dossier, now)
    assert dossier.appointment is not None
    new = new_appointment(dossier, request.new_date, calendar)
    letter = ApologyLetter(
        code=dossier.code,
        agency=request.agency_name or dossier.unit,
        procedure_name=dossier.procedure_name,
        procedure_code=dossier.procedure_code,
        received_at=dossier.received_at,
        old_appointment=dossier.appointment,
        new_appointment=new,
        reason=request.reason.strip(),
        status_name=STATUS_NAMES.get(dossier.status, str(dossier.status)),
        issued=now,
        place=request.place,
    )
    pdf = render_apology(letter)
    apology = Apology(now, letter.reason, new)
    note = NOTE.format(new=new.isoformat(), reason=letter.reason)
    if source.portal is not None:
        _send(source.portal, dossier.code, letter.reason, new)
        with closing(open_registry(workspace, create=True)) as conn:
            record_apology(conn, dossier, apology, default_actor(), in_registry=False, status_note=note)
    else:
        assert source.workspace is not None
        with closing(open_registry(source.workspace)) as conn:
            record_apology(conn, dossier, apology, default_actor(), in_registry=True, status_note=note)
    try:
        atomic_write_bytes(out, pdf)
    except OSError as error:
        raise OutputError(
            _("Không ghi được tệp PDF: {reason}").format(reason=error.strerror or error), path=out
        ) from error
    return IssuedApology(dossier.code, dossier.appointment, new, letter.reason, now, out)


def _send(portal: str, code: str, reason: str, new: datetime) -> None:
    with portal_adapter(portal) as adapter:
        try:
            adapter.apologize(code, reason, new.isoformat())
        except PortalRequestRejected as error:
            if error.error_code in ("already_apologized", "not_overdue"):
                raise AlreadyApologizedError(
                    _("Cổng từ chối văn bản xin lỗi cho hồ sơ {code}: {reason}").format(
                        code=code, reason=error.message
                    )
                ) from None
            raise


def apology_document(issued: IssuedApology) -> dict[str, object]:
    return {
        "code": issued.code,
        "old_appointment": issued.old_appointment.isoformat(),
        "new_appointment": issued.new_appointment.isoformat(),
        "reason": issued.reason,
        "issued": issued.issued.isoformat(),
        "file": str(issued.out),
    }
