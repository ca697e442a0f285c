"""Dossier codes (mã hồ sơ) `<agency>-YYMMDD-XXXX`: validate, parse, and issue them atomically from the store.

Format from TT 01/2018/TT-VPCP Điều 19: `V1V2V3.Z1Z2.Y1Y2.MX1X2-YYMMDD-XXXX`, where the first part is the
receiving unit's identifier (mã định danh, QCVN 102:2016), YYMMDD the reception date and XXXX the 4-digit
sequence of dossiers that unit received that day (restarting every day).

The agency pattern is deliberately lenient by default: since 2025 some portals print shorter identifiers
such as `H57.132`, and whether TT 03/2025 keeps the 2018 shape is not confirmed. `CodePolicy` carries the
pattern; `STRICT_POLICY` accepts only the QCVN 102 shape `000.00.06.H56`.
"""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from dossier.errors import DossierError, ExitCode
from dossier.i18n import _
from dossier.store.db import in_write_transaction, open_db

RECEPTION_TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
MAX_SEQUENCE = 9999  # the format has exactly four digits (XXXX)
QCVN_AGENCY_PATTERN = r"\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}"
# Two to six dot-separated groups of capitals and digits, with at least one digit: `000.00.06.H56`, `H57.132`.
LENIENT_AGENCY_PATTERN = r"(?=[A-Z0-9.]*\d)[A-Z0-9]{1,6}(?:\.[A-Z0-9]{1,6}){1,5}"


class InvalidAgencyError(DossierError):
    """The agency identifier (mã định danh) does not have the accepted shape."""

    exit_code = ExitCode.usage


class InvalidCodeError(DossierError):
    """A text is not a well-formed dossier code."""

    exit_code = ExitCode.usage


class SequenceExhaustedError(DossierError):
    """The agency has already issued code 9999 today: the 4-digit format has no room for more."""

    exit_code = ExitCode.error


@dataclass(frozen=True)
class CodePolicy:
    """Site rules for issuing codes: the accepted agency identifiers and the first sequence of a day."""

    agency_pattern: str = LENIENT_AGENCY_PATTERN
    start: int = 1  # configurable as in Thanh Hóa's system, e.g. to continue another system's numbering

    def __post_init__(self) -> None:
        if not 1 <= self.start <= MAX_SEQUENCE:
            raise ValueError(f"start must be between 1 and {MAX_SEQUENCE}, got {self.start}")
        re.compile(self.agency_pattern)


DEFAULT_POLICY = CodePolicy()
STRICT_POLICY = CodePolicy(agency_pattern=QCVN_AGENCY_PATTERN)


@dataclass(frozen=True)
class DossierCode:
    """One dossier code; `text` is what is printed on the receipt (Mẫu 01) and encoded in its barcode."""

    agency: str
    day: date  # reception date in Asia/Ho_Chi_Minh
    sequence: int  # 1..9999
    text: str = field(init=False)  # derived, kept as a field so `dataclasses.asdict` carries it

    def __post_init__(self) -> None:
        if not 1 <= self.sequence <= MAX_SEQUENCE:
            raise ValueError(f"sequence must be between 1 and {MAX_SEQUENCE}, got {self.sequence}")
        object.__setattr__(self, "text", f"{self.agency}-{self.day:%y%m%d}-{self.sequence:04d}")

    def __str__(self) -> str:
        return self.text


def validate_agency(agency: str, policy: CodePolicy = DEFAULT_POLICY) -> str:
    """Return the agency identifier (trimmed) if it matches the policy, else raise `InvalidAgencyError`."""
    cleaned = agency.strip()
    if not re.fullmatch(policy.agency_pattern, cleaned):
        raise InvalidAgencyError(
            _("Mã định danh cơ quan không hợp lệ: {agency!r}").format(agency=agency),
            hint=_("Dạng đúng: 000.00.06.H56 (theo QCVN 102:2016) hoặc dạng rút gọn như H57.132."),
        )
    return cleaned


def reception_day(when: datetime) -> date:
    """The reception date in Vietnam; a naive `when` is taken as Vietnam wall-clock time."""
    if when.tzinfo is None:
        return when.date()
    return when.astimezone(RECEPTION_TIMEZONE).date()


def parse_code(text: str, policy: CodePolicy = DEFAULT_POLICY) -> DossierCode:
    """Parse `<agency>-YYMMDD-XXXX` (years 2000-2099) into a `DossierCode`, or raise `InvalidCodeError`."""
    cleaned = text.strip()
    match = re.fullmatch(r"(?P<agency>[^-\s]+)-(?P<day>\d{6})-(?P<seq>\d{4})", cleaned)
    if match is None:
        raise InvalidCodeError(
            _("Mã hồ sơ không đúng dạng <mã định danh>-YYMMDD-XXXX: {code!r}").format(code=text),
            hint=_("Ví dụ mã đúng: 000.00.06.H56-231027-0361"),
        )
    try:
        agency = validate_agency(match["agency"], policy)
    except InvalidAgencyError as error:
        raise InvalidCodeError(error.message, hint=error.hint) from error
    digits = match["day"]
    try:
        day = date(2000 + int(digits[:2]), int(digits[2:4]), int(digits[4:]))
    except ValueError as error:
        raise InvalidCodeError(
            _("Ngày trong mã hồ sơ không tồn tại: {day}").format(day=match["day"])
        ) from error
    sequence = int(match["seq"])
    if sequence == 0:
        raise InvalidCodeError(_("Số thứ tự trong mã hồ sơ phải từ 0001 đến 9999."))
    return DossierCode(agency=agency, day=day, sequence=sequence)


def issue_code(
    target: sqlite3.Connection | Path | str,
    agency: str,
    when: datetime,
    policy: CodePolicy = DEFAULT_POLICY,
) -> DossierCode:
    """Issue the next code of `agency` for the reception day of `when`, in one write transaction.

    `target` is an open connection from `open_db` (autocommit mode, no transaction open) or a database
    path. The day's first code gets `policy.start`; later ones the previous sequence + 1 (or `start`, if
    a site raised it during the day). Two desks issuing at the same moment get different, consecutive
    numbers: the transaction takes the write lock before reading the counter.
    """
    agency = validate_agency(agency, policy)
    if isinstance(target, sqlite3.Connection):
        return _issue(target, agency, when, policy)
    with closing(open_db(Path(target))) as conn:
        return _issue(conn, agency, when, policy)


def _issue(conn: sqlite3.Connection, agency: str, when: datetime, policy: CodePolicy) -> DossierCode:
    return in_write_transaction(conn, lambda: issue_code_in_transaction(conn, agency, when, policy))


def issue_code_in_transaction(
    conn: sqlite3.Connection, agency: str, when: datetime, policy: CodePolicy = DEFAULT_POLICY
) -> DossierCode:
    """`issue_code` for a caller that already holds the write transaction (BEGIN IMMEDIATE), so the code
    commits together with the caller's other writes (the sandbox portal: code and new status) or not at all.
    `agency` must already be validated."""
    day = reception_day(when)
    row = conn.execute(
        "SELECT last_sequence FROM code_counters WHERE agency = ? AND day = ?", (agency, day.isoformat())
    ).fetchone()
    sequence = policy.start if row is None else max(row[0] + 1, policy.start)
    if sequence > MAX_SEQUENCE:
        raise SequenceExhaustedError(
            _("Cơ quan {agency} đã cấp hết 9999 mã hồ sơ của ngày {day} (mã chỉ có 4 chữ số).").format(
                agency=agency, day=f"{day:%d/%m/%Y}"
            ),
            hint=_("Không cấp thêm được mã trong ngày cho cơ quan này; hãy báo quản trị hệ thống."),
        )
    code = DossierCode(agency=agency, day=day, sequence=sequence)
    conn.execute(
        """INSERT INTO code_counters (agency, day, last_sequence) VALUES (?, ?, ?)
           ON CONFLICT (agency, day) DO UPDATE SET last_sequence = excluded.last_sequence""",
        (agency, day.isoformat(), sequence),
    )
    conn.execute(
        """INSERT INTO dossier_codes (code, agency, day, sequence, received_at, issued_at)
           VALUES (?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))""",
        (code.text, agency, day.isoformat(), sequence, when.isoformat()),
    )
    return code
