"""Split a scanned stack into component documents by matching each page's OCR text to a profile's hints.

Matching tolerates OCR errors and lost diacritics: texts are accent-folded and compared with rapidfuzz. A
page whose heading matches a component's title starts a document; a page with no heading of its own continues
the document before it; a page with a heading that matches nothing is kept apart as unclassified.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz

from dossier.i18n import _
from dossier.profiles.model import Component, Profile

ANY_PAPER_CONFIDENCE = 0.8  # enough to count as present; the evidence says why
COPY_CONFIDENCE = 0.9
COPY_MATCH = 90.0  # ratio of two folded page texts: the same paper, scanned twice (original and its copy)
TITLE_MATCH = 85.0  # partial_ratio of an accent-folded title against a heading line
PHRASE_MATCH = 85.0
HEAD_LINES = 12  # titles sit in the top part of a page, under the national header
NATIONAL_HEADER = ("cong hoa xa hoi chu nghia viet nam", "doc lap - tu do - hanh phuc")


def fold(text: str) -> str:
    """Lower case, no diacritics, đ -> d, single spaces: how OCR text is compared."""
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", stripped).strip().lower()


@dataclass(frozen=True)
class PageMatch:
    """What one page looks like: the component it names, and the proof."""

    page: int  # 1-based page in the scanned PDF
    component: str | None
    confidence: float  # 0..1
    evidence: str  # the matched phrase and where, in words the officer reads
    has_heading: bool


@dataclass(frozen=True)
class Document:
    """Consecutive pages that form one component document (component None: unclassified)."""

    component: str | None
    pages: tuple[int, ...]
    confidence: float
    evidence: str


def _headings(lines: list[str]) -> list[tuple[int, str]]:
    """Upper-case lines near the top that are not the national header: candidate titles."""
    found = []
    for number, line in enumerate(lines[:HEAD_LINES], start=1):
        letters = [c for c in line if c.isalpha()]
        if len(letters) < 6 or sum(c.isupper() for c in letters) < 0.8 * len(letters):
            continue
        folded = fold(line)
        if any(fuzz.partial_ratio(header, folded) >= TITLE_MATCH for header in NATIONAL_HEADER):
            continue
        found.append((number, line.strip()))
    return found


def _title_score(component: Component, headings: list[tuple[int, str]]) -> tuple[float, str]:
    best, evidence = 0.0, ""
    for title in component.hints.titles:
        for number, line in headings:
            score = (
                fuzz.partial_ratio(fold(title), fold(line)) if len(fold(line)) >= 0.6 * len(title) else 0.0
            )
            if score > best:
                best, evidence = score, f"tiêu đề «{line}» (dòng {number})"
    return best, evidence


def _phrase_score(component: Component, folded_page: str) -> tuple[float, str]:
    phrases = component.hints.key_phrases
    if not phrases:
        return 0.0, ""
    hits = [p for p in phrases if fuzz.partial_ratio(fold(p), folded_page) >= PHRASE_MATCH]
    return len(hits) / len(phrases), ", ".join(f"«{p}»" for p in hits)


def match_page(page: int, text: str, profile: Profile) -> PageMatch:
    lines = [line for line in text.splitlines() if line.strip()]
    headings = _headings(lines)
    folded_page = fold(text)
    best = PageMatch(page, None, 0.0, "", bool(headings))
    for component in profile.components:
        title, title_evidence = _title_score(component, headings)
        share, phrase_evidence = _phrase_score(component, folded_page)
        if title >= TITLE_MATCH:
            confidence = min(1.0, title / 100 * 0.9 + 0.1 * share)
            evidence = title_evidence + (f"; cụm từ {phrase_evidence}" if phrase_evidence else "")
        elif share >= 0.5:
            confidence, evidence = 0.5 + 0.25 * share, f"cụm từ {phrase_evidence}"
        else:
            continue
        if confidence > best.confidence:
            best = PageMatch(page, component.id, round(confidence, 3), evidence, bool(headings))
    return best


def _copy_match(
    number: int, text: str, profile: Profile, documents: list[Document], page_texts: list[str]
) -> Document | None:
    """A page repeating the text of a page filed under X, where a component is declared `copy_of = X`."""
    folded = fold(text)
    for component in profile.components:
        if component.copy_of is None:
            continue
        for document in documents:
            if document.component != component.copy_of:
                continue
            for page in document.pages:
                if fuzz.ratio(folded, fold(page_texts[page - 1])) >= COPY_MATCH:
                    evidence = _("trùng nội dung trang {page} ({id})").format(page=page, id=component.copy_of)
                    return Document(component.id, (number,), COPY_CONFIDENCE, evidence)
    return None


def split_documents(page_texts: list[str], profile: Profile) -> tuple[Document, ...]:
    """Group pages into documents: a matched page starts one, a page without a heading continues one."""
    documents: list[Document] = []
    catch_all = next((c for c in profile.components if c.any_paper), None)
    for number, text in enumerate(page_texts, start=1):
        found = match_page(number, text, profile)
        previous = documents[-1] if documents else None
        copy = _copy_match(number, text, profile, documents, page_texts) if text.strip() else None
        if copy is not None and (found.component is None or found.component == copy.component):
            documents.append(copy)
            continue
        if found.component is None and not found.has_heading and previous is not None and text.strip():
            documents[-1] = Document(
                previous.component, (*previous.pages, number), previous.confidence, previous.evidence
            )
            continue
        if found.component is None and catch_all is not None and text.strip():
            evidence = _("không khớp thành phần nào khác; {id} nhận mọi giấy tờ").format(id=catch_all.id)
            documents.append(Document(catch_all.id, (number,), ANY_PAPER_CONFIDENCE, evidence))
        elif found.component is None:
            documents.append(Document(None, (number,), 0.0, "không khớp thành phần nào"))
        else:
            documents.append(Document(found.component, (number,), found.confidence, found.evidence))
    return tuple(documents)
