"""A scanned dossier against its procedure: each required component present, missing or to review."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from dossier.errors import InputFileError
from dossier.i18n import _
from dossier.profiles.classify import Document, split_documents
from dossier.profiles.model import Component, Form, Profile, Requirement
from dossier.profiles.separators import SeparatorMark, apply_separators

NOT_IN_DOSSIER = "none"  # `--assign 5=none`: a stray page the officer sets aside
# a document matched with less confidence is shown to the officer, never counted as present
REVIEW_BELOW = 0.8


class Status(StrEnum):
    present = "present"
    missing = "missing"
    review = "review"  # found, but not surely: the officer decides
    to_show = "to_show"  # shown at the counter and handed back (giấy tờ xuất trình), not in the scan
    not_applicable = "not_applicable"  # optional, or conditional and not found


class Verdict(StrEnum):
    complete = "complete"
    incomplete = "incomplete"
    review = "review"


@dataclass(frozen=True)
class ChecklistItem:
    component: Component
    status: Status
    pages: tuple[int, ...]
    confidence: float
    evidence: str


@dataclass(frozen=True)
class ChecklistReport:
    profile: Profile
    items: tuple[ChecklistItem, ...]
    documents: tuple[Document, ...]

    @property
    def missing(self) -> tuple[Component, ...]:
        return tuple(item.component for item in self.items if item.status is Status.missing)

    @property
    def unclassified_pages(self) -> tuple[int, ...]:
        return tuple(p for d in self.documents if d.component is None for p in d.pages)

    @property
    def verdict(self) -> Verdict:
        if self.missing:
            return Verdict.incomplete
        if any(item.status is Status.review for item in self.items) or self.unclassified_pages:
            return Verdict.review
        return Verdict.complete


def read_page_texts(pdf: Path) -> list[str]:
    """The text layer of every page of a scanned dossier PDF."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(str(pdf))
    except (pdfium.PdfiumError, FileNotFoundError) as exc:
        raise InputFileError(
            _("Không đọc được tệp PDF của hồ sơ ({reason}).").format(reason=exc), path=pdf
        ) from exc
    try:
        texts = []
        for page in document:
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return texts
    finally:
        document.close()


def apply_assignments(documents: tuple[Document, ...], assignments: dict[int, str]) -> tuple[Document, ...]:
    """The officer's corrections: each assigned page becomes (part of) a document of that component."""
    if not assignments:
        return documents
    pages = sorted({p for d in documents for p in d.pages})
    owner = {p: (d.component, d.confidence, d.evidence) for d in documents for p in d.pages}
    for page, assigned in assignments.items():
        owner[page] = (assigned, 1.0, _("cán bộ chỉ định"))
    result: list[Document] = []
    for page in pages:
        component, confidence, evidence = owner[page]
        if component == NOT_IN_DOSSIER:
            continue
        last = result[-1] if result else None
        if last is not None and last.component == component and last.evidence == evidence:
            result[-1] = Document(component, (*last.pages, page), last.confidence, last.evidence)
        else:
            result.append(Document(component, (page,), confidence, evidence))
    return tuple(result)


def _item(component: Component, documents: list[Document]) -> ChecklistItem:
    pages = tuple(p for d in documents for p in d.pages)
    best = max(documents, key=lambda d: d.confidence) if documents else None
    if component.form is Form.present_only and not documents:
        return ChecklistItem(
            component, Status.to_show, (), 0.0, _("giấy tờ xuất trình, không lưu trong hồ sơ")
        )
    if best is not None and best.confidence >= REVIEW_BELOW:
        return ChecklistItem(component, Status.present, pages, best.confidence, best.evidence)
    if best is not None:
        return ChecklistItem(component, Status.review, pages, best.confidence, best.evidence)
    if component.requirement is Requirement.required:
        return ChecklistItem(component, Status.missing, (), 0.0, _("không tìm thấy trong hồ sơ"))
    return ChecklistItem(component, Status.not_applicable, (), 0.0, "")


def _settle_groups(items: list[ChecklistItem]) -> list[ChecklistItem]:
    """Components of one `one_of` group stand in for each other: one present member satisfies the group."""
    settled = []
    for item in items:
        group = item.component.one_of
        if group and item.status is Status.missing:
            members = [i for i in items if i.component.one_of == group]
            if any(i.status in (Status.present, Status.review) for i in members):
                item = ChecklistItem(
                    item.component, Status.not_applicable, (), 0.0, _("đã có giấy tờ thay thế")
                )
            elif item is not members[0]:
                item = ChecklistItem(
                    item.component, Status.not_applicable, (), 0.0, _("thay thế cho mục trên")
                )
            else:
                others = ", ".join(m.component.id for m in members[1:])
                evidence = _("không tìm thấy; có thể thay bằng {others}").format(others=others)
                item = ChecklistItem(item.component, Status.missing, (), 0.0, evidence)
        settled.append(item)
    return settled


def check_pages(
    page_texts: list[str],
    profile: Profile,
    assignments: dict[int, str] | None = None,
    separators: Sequence[SeparatorMark | None] = (),
) -> ChecklistReport:
    """Classifier first, then separator sheets (one mark or None per page), then the officer's corrections."""
    documents = split_documents(page_texts, profile)
    if any(separators):
        documents = apply_separators(documents, separators)
    documents = apply_assignments(documents, assignments or {})
    items = [_item(c, [d for d in documents if d.component == c.id]) for c in profile.components]
    return ChecklistReport(profile, tuple(_settle_groups(items)), documents)
