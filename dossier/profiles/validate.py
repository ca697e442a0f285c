"""Field checks on the documents the checklist found, as each component's profile asks for them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

from dossier.i18n import _
from dossier.profiles.checklist import ChecklistItem, ChecklistReport, Status
from dossier.profiles.fields import (
    PERSONAL_ID_CHECK,
    FieldCheck,
    check_personal_id,
    find_personal_ids,
    parse_vietnamese_dates,
)
from dossier.profiles.model import ExpectedField, Profile
from dossier.profiles.seal import check_red_seal
from dossier.profiles.separators import SeparatorMark, find_separator, separator_from_text

SEAL_DPI = 100.0
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


def item_checks(
    item: ChecklistItem, page_texts: list[str], render: PageRenderer | None
) -> tuple[FieldCheck, ...]:
    """The checks the component's `expected_fields` ask for, over its pages (IDs and dates: any page)."""
    wanted = set(item.component.hints.expected_fields)
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
    return tuple(checks)


def validate_report(
    report: ChecklistReport, page_texts: list[str], render: PageRenderer | None = None
) -> tuple[ChecklistReport, dict[str, tuple[FieldCheck, ...]]]:
    """Run the field checks of every present component; a failed check sends the component to review."""
    checks: dict[str, tuple[FieldCheck, ...]] = {}
    items = []
    for item in report.items:
        if item.status is Status.present and item.pages:
            found = item_checks(item, page_texts, render)
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
