"""Turn request JSON and headers into typed requests, or refuse them with a 4xx `ApiError`
naming the field.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime
from typing import Any

from dossier.i18n import _
from dossier.store.codes import InvalidAgencyError, validate_agency
from dossier.submit.portal.model import (
    ADVANCE_TARGETS,
    ApiError,
    Citizen,
    ContentRange,
    CreateRequest,
    FileSpec,
    Officer,
    Status,
    SupplementRequest,
)

FILE_NAME = re.compile(r"^[A-Za-z0-9._-]{1,120}$")
IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9-]{16,64}$")
SHA256_HEX = re.compile(r"^[0-9a-fA-F]{64}$")
PROCEDURE_CODE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
CONTENT_RANGE = re.compile(r"^bytes ([0-9]{1,15})-([0-9]{1,15})/([0-9]{1,15})$")
ID_NUMBER = {
    1: re.compile(r"^[0-9]{12}$"),
    2: re.compile(r"^[0-9]{9}$"),
}  # ASCII digits: \\d takes any script's
# RFC 3339 date-time, as the OpenAPI `format: date-time` (Python's fromisoformat alone accepts more shapes).
RFC3339 = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})$"
)
DECIMAL = re.compile(r"^[0-9]{1,18}$")
MAX_SUMMARY = 1000
MAX_TEXT = 200
MAX_NOTE = 2000
MAX_FILES = 100


def invalid(field: str, reason: str) -> ApiError:
    return ApiError(
        422, "validation_error", _("Trường {field} không hợp lệ: {reason}").format(field=field, reason=reason)
    )


def parse_json(body: bytes) -> dict[str, Any]:
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ApiError(
            400, "bad_json", _("Nội dung không phải JSON hợp lệ: {reason}").format(reason=error)
        ) from None
    if not isinstance(document, dict):
        raise ApiError(400, "bad_json", _("Nội dung JSON phải là một đối tượng."))
    try:  # a lone surrogate (`"\\ud800"`) is valid JSON but cannot be stored as UTF-8
        json.dumps(document, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise ApiError(400, "bad_json", _("Nội dung JSON chứa ký tự Unicode không hợp lệ.")) from None
    return document


def request_hash(document: dict[str, Any]) -> str:
    """The hash of the canonical JSON: the same request re-sent compares equal whatever its spacing."""
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def check_file_name(name: str) -> str:
    """A plain `xxx.pdf` name: never a path, never `..`; it is only a label, files are stored by id."""
    if not FILE_NAME.fullmatch(name) or ".." in name or not name.lower().endswith(".pdf"):
        raise ApiError(
            422,
            "bad_file_name",
            _("Tên tệp không hợp lệ (chỉ chữ, số, . _ -, tối đa 120 ký tự, đuôi .pdf): {name!r}").format(
                name=name[:130]
            ),
        )
    return name


def idempotency_key(value: str | None) -> str:
    if value is None or not IDEMPOTENCY_KEY.fullmatch(value):
        raise ApiError(
            422,
            "bad_idempotency_key",
            _("Thiếu hoặc sai tiêu đề Idempotency-Key (16 đến 64 ký tự A-Z, a-z, 0-9, -)."),
        )
    return value


def content_range(value: str | None) -> ContentRange:
    match = CONTENT_RANGE.fullmatch(value or "")
    if match is None:
        raise ApiError(
            422, "bad_content_range", _("Thiếu hoặc sai tiêu đề Content-Range (dạng bytes START-END/TOTAL).")
        )
    start, end, total = (int(group) for group in match.groups())
    if end < start or end >= total:
        raise ApiError(422, "bad_content_range", _("Content-Range sai: cần START <= END < TOTAL."))
    return ContentRange(start, end, total)


CREATE_FIELDS = {
    "procedure_code",
    "procedure_name",
    "channel",
    "received_at",
    "summary",
    "citizen",
    "officer",
    "files",
}


def parse_create(document: dict[str, Any], max_file_bytes: int) -> CreateRequest:
    """Every field checked (422 naming the first bad one) before the size limit (413)."""
    _only(document, "", CREATE_FIELDS)
    request = CreateRequest(
        procedure_code=_text(document, "procedure_code", pattern=PROCEDURE_CODE),
        procedure_name=_optional_text(document, "procedure_name", MAX_TEXT * 2),
        channel=_integer(document, "channel", 1, 3),
        received_at=_moment(document, "received_at"),
        summary=_optional_text(document, "summary", MAX_SUMMARY),
        citizen=_citizen(_object(document, "citizen")),
        officer=_officer(_object(document, "officer")),
        files=_files(document.get("files"), "files", minimum=1),
        request_sha256=request_hash(document),
    )
    check_sizes(request.files, max_file_bytes)
    return request


def parse_supplement(document: dict[str, Any], max_file_bytes: int) -> SupplementRequest:
    _only(document, "", {"note", "files"})
    note = _text(document, "note", maximum=MAX_NOTE)
    files = _files(document.get("files", []), "files", minimum=0)
    check_sizes(files, max_file_bytes)
    return SupplementRequest(note=note, files=files)


def parse_advance(document: dict[str, Any]) -> tuple[Status, str]:
    _only(document, "", {"to", "note"})
    target = _integer(document, "to", 1, 10)
    if Status(target) not in ADVANCE_TARGETS:
        raise invalid("to", _("chỉ nhận 3, 4, 5, 9 hoặc 10"))
    note = _optional_text(document, "note", MAX_NOTE) or ""
    return Status(target), note


def _only(document: dict[str, Any], prefix: str, allowed: set[str]) -> None:
    unknown = sorted(set(document) - allowed)
    if unknown:
        raise invalid(prefix + unknown[0], _("trường không được biết"))


def _object(document: dict[str, Any], key: str) -> dict[str, Any]:
    value = document.get(key)
    if not isinstance(value, dict):
        raise invalid(key, _("cần một đối tượng JSON"))
    return value


def _text(
    document: dict[str, Any],
    key: str,
    prefix: str = "",
    maximum: int = MAX_TEXT,
    pattern: re.Pattern[str] | None = None,
) -> str:
    value = document.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > maximum:
        raise invalid(prefix + key, _("cần chuỗi không rỗng, tối đa {n} ký tự").format(n=maximum))
    if pattern is not None and not pattern.fullmatch(value):
        raise invalid(prefix + key, _("sai định dạng"))
    return value


def _optional_text(document: dict[str, Any], key: str, maximum: int, prefix: str = "") -> str | None:
    value = document.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > maximum:
        raise invalid(prefix + key, _("cần chuỗi tối đa {n} ký tự").format(n=maximum))
    return value


def _integer(document: dict[str, Any], key: str, low: int, high: int, prefix: str = "") -> int:
    value = document.get(key)
    # JSON Schema counts 2.0 as an integer, and so do we; a boolean is never a number here.
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise invalid(prefix + key, _("cần số nguyên từ {low} đến {high}").format(low=low, high=high))
    return value


def _boolean(document: dict[str, Any], key: str, prefix: str) -> bool:
    value = document.get(key, False)
    if not isinstance(value, bool):
        raise invalid(prefix + key, _("cần true hoặc false"))
    return value


def _moment(document: dict[str, Any], key: str) -> datetime:
    moment = parse_moment(document.get(key))
    if moment is None or not 2000 <= moment.year <= 2099:
        raise invalid(key, _("cần thời điểm ISO 8601 có múi giờ, ví dụ 2026-11-30T09:15:00+07:00"))
    return moment


def parse_moment(value: object) -> datetime | None:
    """An RFC 3339 date-time with its offset, or None."""
    if not isinstance(value, str) or not RFC3339.fullmatch(value):
        return None
    text = value.upper().replace("Z", "+00:00")
    if "." in text:  # Python takes at most 6 fractional digits
        head, _dot, tail = text.partition(".")
        text = f"{head}.{tail[:6]:0<6}{tail.lstrip('0123456789')}"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def parse_status_filter(value: str | None) -> Status | None:
    if value is None:
        return None
    if not DECIMAL.fullmatch(value) or not 1 <= int(value) <= 10:
        raise invalid("status", _("cần số nguyên từ {low} đến {high}").format(low=1, high=10))
    return Status(int(value))


def parse_since_filter(value: str | None) -> datetime | None:
    if value is None:
        return None
    moment = parse_moment(value)
    if moment is None:
        raise invalid("since", _("cần thời điểm ISO 8601 có múi giờ, ví dụ 2026-11-30T09:15:00+07:00"))
    return moment


def _citizen(document: dict[str, Any]) -> Citizen:
    _only(document, "citizen.", {"id_type", "id_number", "full_name", "phone", "email", "consent_reference"})
    id_type = _integer(document, "id_type", 1, 2, "citizen.")
    id_number = _text(document, "id_number", "citizen.", maximum=12, pattern=ID_NUMBER[id_type])
    phone = _optional_text(document, "phone", 20, "citizen.")
    email = _optional_text(document, "email", MAX_TEXT, "citizen.")
    if not (phone or email):
        raise invalid("citizen.phone", _("cần số điện thoại hoặc email của công dân"))
    return Citizen(
        id_type=id_type,
        id_number=id_number,
        full_name=_text(document, "full_name", "citizen."),
        consent_reference=_text(document, "consent_reference", "citizen."),
        phone=phone,
        email=email,
    )


def _officer(document: dict[str, Any]) -> Officer:
    _only(document, "officer.", {"account", "agency_code"})
    account = _text(document, "account", "officer.")
    agency = _text(document, "agency_code", "officer.", maximum=60)
    try:
        agency = validate_agency(agency)
    except InvalidAgencyError:
        raise invalid("officer.agency_code", _("không đúng dạng mã định danh, ví dụ 000.00.06.H56")) from None
    if agency != document["agency_code"]:
        raise invalid("officer.agency_code", _("không đúng dạng mã định danh, ví dụ 000.00.06.H56"))
    return Officer(account=account, agency_code=agency)


def _files(value: Any, key: str, minimum: int) -> tuple[FileSpec, ...]:
    if not isinstance(value, list) or not minimum <= len(value) <= MAX_FILES:
        raise invalid(key, _("cần danh sách từ {low} đến {high} tệp").format(low=minimum, high=MAX_FILES))
    files: list[FileSpec] = []
    for index, item in enumerate(value):
        prefix = f"{key}[{index}]."
        if not isinstance(item, dict):
            raise invalid(f"{key}[{index}]", _("cần một đối tượng JSON"))
        files.append(_file(item, prefix))
    names = [f.name for f in files]
    if len(set(names)) != len(names):
        raise invalid(key, _("tên tệp bị trùng"))
    return tuple(files)


def check_sizes(files: tuple[FileSpec, ...], max_file_bytes: int) -> None:
    """413 for a declared size above the limit; checked after every field is valid (422 comes first)."""
    for spec in files:
        if spec.size > max_file_bytes:
            raise ApiError(
                413,
                "file_too_large",
                _("Tệp {name} ({size} byte) vượt giới hạn {limit} byte của cổng.").format(
                    name=spec.name, size=spec.size, limit=max_file_bytes
                ),
            )


def _file(item: dict[str, Any], prefix: str) -> FileSpec:
    _only(item, prefix, {"name", "component_code", "component_name", "size", "sha256", "digitised", "reused"})
    name = item.get("name")
    if not isinstance(name, str):
        raise invalid(prefix + "name", _("cần chuỗi"))
    check_file_name(name)
    size = _integer(item, "size", 1, 10**30, prefix)
    return FileSpec(
        name=name,
        component_code=_text(item, "component_code", prefix, maximum=40, pattern=PROCEDURE_CODE),
        component_name=_optional_text(item, "component_name", MAX_TEXT * 2, prefix),
        size=size,
        sha256=_text(item, "sha256", prefix, maximum=64, pattern=SHA256_HEX).lower(),
        digitised=_boolean(item, "digitised", prefix),
        reused=_boolean(item, "reused", prefix),
    )
