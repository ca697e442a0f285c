"""Request parsing for the supervision endpoints: the paged list, the apology and the sandbox import."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.requests import Request

from dossier.i18n import _
from dossier.store.codes import InvalidAgencyError, validate_agency
from dossier.submit.portal.model import ApiError, Status
from dossier.submit.portal.supervision import MAX_PAGE, ImportedDossier, ListQuery
from dossier.submit.portal.validation import (
    DECIMAL,
    PROCEDURE_CODE,
    invalid,
    parse_moment,
    parse_since_filter,
    parse_status_filter,
)

MAX_IMPORT = 2000
MAX_REASON = 2000


def list_query(request: Request) -> ListQuery:
    params = request.query_params
    unknown = sorted(set(params) - {"status", "since", "limit", "after", "agency"})
    if unknown:
        raise invalid(unknown[0], _("tham số không được hỗ trợ"))
    limit = params.get("limit")
    after = params.get("after")
    if limit is not None and (not DECIMAL.fullmatch(limit) or not 1 <= int(limit) <= MAX_PAGE):
        raise invalid("limit", _("cần số nguyên từ 1 đến {high}").format(high=MAX_PAGE))
    if after is not None and not DECIMAL.fullmatch(after):
        raise invalid("after", _("cần con trỏ trang (next) do cổng trả về"))
    agency = params.get("agency")
    if agency is not None:
        agency = _agency(agency, "agency")
    return ListQuery(
        after=int(after) if after is not None else 0,
        limit=int(limit) if limit is not None else None,
        status=parse_status_filter(params.get("status")),
        since=parse_since_filter(params.get("since")),
        agency=agency,
    )


def parse_apology(document: dict[str, Any]) -> tuple[str, datetime]:
    unknown = sorted(set(document) - {"reason", "new_appointment"})
    if unknown:
        raise invalid(unknown[0], _("trường không được hỗ trợ"))
    reason = document.get("reason")
    if not isinstance(reason, str) or not reason.strip() or len(reason) > MAX_REASON:
        raise invalid("reason", _("cần lý do chậm trễ, 1 đến {n} ký tự").format(n=MAX_REASON))
    return reason.strip(), _when(document.get("new_appointment"), "new_appointment")


def parse_import(document: dict[str, Any]) -> tuple[ImportedDossier, ...]:
    items = document.get("items")
    if set(document) != {"items"} or not isinstance(items, list) or not 1 <= len(items) <= MAX_IMPORT:
        raise invalid("items", _("cần danh sách 1 đến {n} hồ sơ").format(n=MAX_IMPORT))
    return tuple(_imported(item, f"items[{n}].") for n, item in enumerate(items))


def _imported(item: Any, prefix: str) -> ImportedDossier:
    if not isinstance(item, dict):
        raise invalid(prefix.rstrip("."), _("cần một đối tượng"))
    code = item.get("procedure_code")
    if not isinstance(code, str) or not PROCEDURE_CODE.fullmatch(code):
        raise invalid(prefix + "procedure_code", _("mã thủ tục không hợp lệ"))
    name = item.get("procedure_name")
    if name is not None and not isinstance(name, str):
        raise invalid(prefix + "procedure_name", _("cần một chuỗi"))
    officer = item.get("officer")
    if not isinstance(officer, str) or not officer.strip() or len(officer) > 200:
        raise invalid(prefix + "officer", _("cần tài khoản cán bộ"))
    channel = item.get("channel")
    if not isinstance(channel, int) or isinstance(channel, bool) or not 1 <= channel <= 3:
        raise invalid(prefix + "channel", _("cần 1, 2 hoặc 3"))
    received = _when(item.get("received_at"), prefix + "received_at")
    history = item.get("history")
    if not isinstance(history, list) or not history:
        raise invalid(prefix + "history", _("cần ít nhất một mục"))
    entries = []
    for n, entry in enumerate(history):
        where = f"{prefix}history[{n}]."
        if not isinstance(entry, dict):
            raise invalid(where.rstrip("."), _("cần một đối tượng"))
        status = entry.get("status")
        if not isinstance(status, int) or isinstance(status, bool) or not 1 <= status <= 10:
            raise invalid(where + "status", _("cần số nguyên từ {low} đến {high}").format(low=1, high=10))
        note = entry.get("note", "")
        if not isinstance(note, str):
            raise invalid(where + "note", _("cần một chuỗi"))
        entries.append((Status(status), _when(entry.get("at"), where + "at"), note[:MAX_REASON]))
    apology = item.get("apology")
    parsed_apology = None
    if apology is not None:
        if not isinstance(apology, dict):
            raise invalid(prefix + "apology", _("cần một đối tượng"))
        reason = apology.get("reason")
        if not isinstance(reason, str):
            raise invalid(prefix + "apology.reason", _("cần một chuỗi"))
        parsed_apology = (
            _when(apology.get("at"), prefix + "apology.at"),
            reason[:MAX_REASON],
            _when(apology.get("new_appointment"), prefix + "apology.new_appointment"),
        )
    return ImportedDossier(
        procedure_code=code,
        procedure_name=name if isinstance(name, str) else None,
        agency_code=_agency(item.get("agency_code"), prefix + "agency_code"),
        officer=officer.strip(),
        channel=channel,
        received_at=received,
        history=tuple(entries),
        digitised=_flag(item, "digitised", prefix),
        signed=_flag(item, "signed", prefix),
        apology=parsed_apology,
    )


def _when(value: object, field: str) -> datetime:
    moment = parse_moment(value)
    if moment is None or not 2000 <= moment.year <= 2099:
        raise invalid(field, _("cần thời điểm ISO 8601 có múi giờ"))
    return moment


def _flag(item: dict[str, Any], key: str, prefix: str) -> bool:
    value = item.get(key, False)
    if not isinstance(value, bool):
        raise invalid(prefix + key, _("cần true hoặc false"))
    return value


def _agency(value: object, field: str) -> str:
    if not isinstance(value, str):
        raise invalid(field, _("cần mã định danh đơn vị"))
    try:
        return validate_agency(value)
    except InvalidAgencyError as error:
        raise ApiError(422, "validation_error", str(error)) from None
