"""Field checks on the documents the checklist found, as each component's profile asks for them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, replace
from datetime import date
from pathlib import Path

import numpy as np

from dossier.i18n import _
from dossier.profiles.checklist import ChecklistItem, ChecklistReport, Status
from dossier.profiles.fields import (
    DOCUMENT_AGE_CHECK,
    PERSONAL_ID_CHECK,
    FieldCheck,
    FoundDate,
    check_document_age,
    check_personal_id,
    find_personal_ids,
    fold_accents,
    parse_vietnamese_dates,
)
from dossier.profiles.model import Component, ExpectedField, Profile
from dossier.profiles.seal import check_red_seal, check_signature_area
from dossier.profiles.separators import SeparatorMark, find_separator, separator_from_text

SEAL_DPI = 100.0
SIGNATURE_DPI = 100.0
ISSUE_WORDS = ("cap", "ban hanh", "ky")  # folded words just before the date a paper was issued or signed
SEPARATOR_DPI = 150.0
SEPARATOR_MAX_CHARS = 400  # a separator sheet carries a title, one line and a QR code: little text
PageRenderer = Callable[[int, float], np.ndarray]  # (1-based page, dpi) -> BGR image


def _personal_id_checks(text: str, page: int) -> list[FieldCheck]:
    found = find_personal_ids(text)
    if not found:
        return [
            FieldCheck(
                PERSONAL_ID_CHECK,
                False,
                None,
                _("trang {page}").format(page=page),
                _("Không thấy số định danh cá nhân."),
            )
        ]
    return [
        check_personal_id(f.digits, where=_("trang {page}, {where}").format(page=page, where=f.where))
        for f in found
    ]


def _date_check(text: str, page: int) -> FieldCheck:
    dates = parse_vietnamese_dates(text)
    where = _("trang {page}").format(page=page)
    if not dates:
        return FieldCheck("date", False, None, where, _("Không thấy ngày tháng."))
    first = dates[0]
    return FieldCheck("date", True, first.value.isoformat(), f"{where}, {first.where}", _("Có ngày tháng."))


def issue_date(text: str) -> FoundDate | None:
    """The date a paper was issued: one introduced by "cấp"/"ký"/"ban hành", else the last date on it
    (the place-and-date line above the signature closes Vietnamese administrative papers)."""
    dates = parse_vietnamese_dates(text)
    folded = fold_accents(text)
    introduced = [d for d in dates if any(w in folded[max(0, d.start - 24) : d.start] for w in ISSUE_WORDS)]
    if introduced:
        return introduced[0]
    return dates[-1] if dates else None


def _age_check(component: Component, text: str, page: int, on: date) -> FieldCheck:
    where = _("trang {page}").format(page=page)
    issued = issue_date(text)
    if issued is None:
        return FieldCheck(
            DOCUMENT_AGE_CHECK, False, None, where, _("Không thấy ngày cấp để kiểm tra thời hạn.")
        )
    return check_document_age(
        issued.value,
        on,
        max_days=component.max_age_days,
        max_months=component.max_age_months,
        where=f"{where}, {issued.where}",
    )


def _signature_check(component: Component, page: int, render: PageRenderer) -> FieldCheck:
    assert component.signature_box is not None
    image = render(page, SIGNATURE_DPI)
    height, width = image.shape[:2]
    x, y, w, h = component.signature_box
    bbox = (round(x * width), round(y * height), round(w * width), round(h * height))
    found = check_signature_area(image, bbox)
    return replace(found, where=_("trang {page}, {where}").format(page=page, where=found.where))


def item_checks(
    item: ChecklistItem, page_texts: list[str], render: PageRenderer | None, on: date | None = None
) -> tuple[FieldCheck, ...]:
    """The checks the component's profile asks for, over its pages (IDs and dates: any page).

    `on` is the reception day, against which age limits are counted (today when not given)."""
    component = item.component
    wanted = set(component.hints.expected_fields)
    text = "\n".join(page_texts[p - 1] for p in item.pages)
    first = item.pages[0]
    checks: list[FieldCheck] = []
    if ExpectedField.personal_id in wanted:
        checks += _personal_id_checks(text, first)
    if ExpectedField.date in wanted:
        checks.append(_date_check(text, first))
    if ExpectedField.seal in wanted and render is not None:
        seals = [check_red_seal(render(p, SEAL_DPI), SEAL_DPI) for p in item.pages]
        checks.append(next((c for c in seals if c.ok), seals[-1]))
    if component.max_age_days is not None or component.max_age_months is not None:
        checks.append(_age_check(component, page_texts[first - 1], first, on or date.today()))
    if component.signature_box is not None and render is not None:
        checks.append(_signature_check(component, first, render))
    return tuple(checks)


def validate_report(
    report: ChecklistReport, page_texts: list[str], render: PageRenderer | None = None, on: date | None = None
) -> tuple[ChecklistReport, dict[str, tuple[FieldCheck, ...]]]:
    """Run the field checks of every present component; a failed check sends the component to review."""
    checks: dict[str, tuple[FieldCheck, ...]] = {}
    items = []
    for item in report.items:
        if item.status is Status.present and item.pages:
            found = item_checks(item, page_texts, render, on)
            checks[item.component.id] = found
            failed = [c for c in found if not c.ok]
            if failed:
                reasons = "; ".join(c.reason for c in failed)
                item = replace(item, status=Status.review, evidence=f"{item.evidence}; {reasons}")
        items.append(item)
    return replace(report, items=tuple(items)), checks


def render_page(pdf: Path, page: int, dpi: float) -> np.ndarray:
    """One page of the scanned PDF as a BGR image, for the seal check."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    try:
        bitmap = document[page - 1].render(scale=dpi / 72)
        return np.array(bitmap.to_numpy()[:, :, :3], copy=True)
    finally:
        document.close()


def report_document(
    report: ChecklistReport, checks: dict[str, tuple[FieldCheck, ...]] | None = None
) -> dict[str, object]:
    checks = checks or {}
    return {
        "procedure": report.profile.code,
        "verdict": str(report.verdict),
        "missing": [c.name for c in report.missing],
        "missing_ids": [c.id for c in report.missing],
        "unclassified_pages": list(report.unclassified_pages),
        "components": [
            {
                "id": item.component.id,
                "name": item.component.name,
                "status": str(item.status),
                "pages": list(item.pages),
                "confidence": item.confidence,
                "evidence": item.evidence,
                "checks": [asdict(c) for c in checks.get(item.component.id, ())],
            }
            for item in report.items
        ],
        "documents": [
            {
                "component": d.component,
                "pages": list(d.pages),
                "confidence": d.confidence,
                "evidence": d.evidence,
            }
            for d in report.documents
        ],
    }


def separator_marks(
    page_texts: list[str], profile: Profile, render: PageRenderer | None
) -> list[SeparatorMark | None]:
    """Separator sheets among the pages: by their printed title in the OCR text, else by their QR code
    (looked for only on pages with little text, as decoding costs ~0.2 s a page)."""
    marks: list[SeparatorMark | None] = []
    for page, text in enumerate(page_texts, start=1):
        mark = separator_from_text(text, profile)
        if mark is None and render is not None and len(text.strip()) <= SEPARATOR_MAX_CHARS:
            mark = find_separator(render(page, SEPARATOR_DPI))
            if mark is not None and profile.component(mark.component) is None:
                mark = None
        marks.append(mark)
    return marks
