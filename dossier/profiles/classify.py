"""Split a scanned stack into component documents by matching each page's OCR text to a profile's hints.

Matching tolerates OCR errors and lost diacritics: texts are accent-folded and compared with rapidfuzz. A
page whose heading matches a component's title starts a document; so does a page whose text carries enough of
a component's key phrases (papers without a title line: ID cards, drawings, certified copies). A page with
neither the national motto nor a heading of its own (signature roles like "NGƯỜI LÀM ĐƠN", numbered sections,
certification stamps and names in capitals are not headings) continues the document before it; a nearly empty
page, or a page with a heading that matches nothing, is kept apart as unclassified.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz

from dossier.i18n import _
from dossier.profiles.model import Component, Profile

REVIEW_AT = 0.8  # below this a match is shown to the officer (checklist.REVIEW_BELOW)
ANY_PAPER_CONFIDENCE = 0.8  # enough to count as present; the evidence says why
COPY_CONFIDENCE = 0.9
COPY_MATCH = 90.0  # ratio of two folded page texts: the same paper, scanned twice (original and its copy)
TITLE_MATCH = 85.0  # partial_ratio of an accent-folded title against a heading line
PHRASE_MATCH = 85.0
HEAD_LINES = 12  # titles sit in the top part of a page, under the national header
NATIONAL_HEADER = ("cong hoa xa hoi chu nghia viet nam", "doc lap - tu do - hanh phuc")
PHRASE_SHARE = 0.5  # share of a component's key phrases that names it without a title
PHRASE_BASE, PHRASE_WEIGHT = 0.6, 0.4  # a phrase-only match: half the phrases give 0.8, all of them 1.0
UNMATCHED_HEADING_PENALTY = 0.1  # the page has a title of its own that no component has
MIN_WORDS = 8  # fewer words than this: a nearly empty page (a note, a scrap), never a continuation
# Upper-case lines that are not titles (folded prefixes): signature roles, approvals, certification stamps.
NOT_TITLES = (
    "nguoi ",
    "y kien",
    "xac nhan cua",
    "tm.",
    "tm ",
    "kt.",
    "kt ",
    "q.",
    "chu tich",
    "pho chu tich",
    "ben ",
    "chu ho",
    "thu truong",
    "giam doc",
    "can bo",
    "cong chuc",
    "dai dien",
    "truong ",
    "hieu truong",
    "thu quy",
    "ke toan",
    "cac thanh vien",
    "chung thuc ban sao",
    "sao y ban chinh",
    "ban sao",
    "noi nhan",
)
SECTION = re.compile(r"^([ivx]+|\d+|[a-z])\s*[.)/:]\s")  # "II. THỬA ĐẤT", "1. THÔNG TIN", "a) ..."
# family names that are not also common words of titles ("hồ sơ", "tờ khai", "văn bản" are titles)
SURNAMES = frozenset(
    {
        *(
            "nguyen",
            "tran",
            "le",
            "pham",
            "hoang",
            "huynh",
            "phan",
            "vu",
            "vo",
            "dang",
            "bui",
            "ngo",
            "duong",
        ),
        *("ly", "truong", "dinh", "luong", "trinh", "cao", "lam", "chau", "quach", "kieu", "luu"),
    }
)


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


def _is_motto(folded: str) -> bool:
    return any(fuzz.partial_ratio(header, folded) >= TITLE_MATCH for header in NATIONAL_HEADER)


def has_national_header(lines: list[str]) -> bool:
    """The national motto block that heads every administrative paper (and ID cards): a new document."""
    return any(_is_motto(fold(line)) for line in lines[:HEAD_LINES] if len(line.strip()) >= 15)


def _not_a_title(folded: str) -> bool:
    """Signature roles, numbered sections, stamps and names in capitals: upper case, yet no paper's title."""
    if folded.startswith(NOT_TITLES) or SECTION.match(folded):
        return True
    words = folded.split()
    return 2 <= len(words) <= 4 and words[0] in SURNAMES


def _headings(lines: list[str]) -> list[tuple[int, str]]:
    """Upper-case lines near the top that are not the national header: candidate titles."""
    found = []
    for number, line in enumerate(lines[:HEAD_LINES], start=1):
        letters = [c for c in line if c.isalpha()]
        if len(letters) < 6 or sum(c.isupper() for c in letters) < 0.8 * len(letters):
            continue
        folded = fold(line)
        if _is_motto(folded) or _not_a_title(folded):
            continue
        found.append((number, line.strip()))
    return found


def _title_score(component: Component, headings: list[tuple[int, str]]) -> tuple[float, str]:
    best, evidence = 0.0, ""
    for title in component.hints.titles:
        for number, line in headings:
            # the heading holds the whole title (a heading that is only the title's first words, such as
            # "GIẤY XÁC NHẬN" against "GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN", names another paper)
            long_enough = len(fold(line)) >= len(fold(title)) - max(2, 0.1 * len(title))
            score = fuzz.partial_ratio(fold(title), fold(line)) if long_enough else 0.0
            if score > best:
                best, evidence = score, f"tiêu đề «{line}» (dòng {number})"
    return best, evidence


def _phrase_score(component: Component, folded_page: str) -> tuple[float, str]:
    phrases = component.hints.key_phrases
    if not phrases:
        return 0.0, ""
    hits = [p for p in phrases if fuzz.partial_ratio(fold(p), folded_page) >= PHRASE_MATCH]
    if len(hits) < min(2, len(phrases)):  # one phrase another paper may quote is no evidence on its own
        return 0.0, ", ".join(f"«{p}»" for p in hits)
    return len(hits) / len(phrases), ", ".join(f"«{p}»" for p in hits)


def match_page(page: int, text: str, profile: Profile) -> PageMatch:
    """The component this page starts, if any: a title match wins over key phrases alone.

    `has_heading` is True when the page opens a paper of its own: it carries the national motto or a
    title-like heading (matched or not); such a page never continues the document before it.
    """
    lines = [line for line in text.splitlines() if line.strip()]
    headings = _headings(lines)
    folded_page = fold(text)
    opens = bool(headings) or has_national_header(lines)
    titled: list[tuple[float, str, str]] = []
    phrased: list[tuple[float, str, str]] = []
    for component in profile.components:
        title, title_evidence = _title_score(component, headings)
        share, phrase_evidence = _phrase_score(component, folded_page)
        if title >= TITLE_MATCH:
            confidence = min(1.0, title / 100 * 0.9 + 0.1 * max(share, 0.5))
            evidence = title_evidence + (f"; cụm từ {phrase_evidence}" if phrase_evidence else "")
            titled.append((confidence, component.id, evidence))
        elif share >= PHRASE_SHARE:
            confidence = PHRASE_BASE + PHRASE_WEIGHT * share
            phrased.append((confidence, component.id, f"cụm từ {phrase_evidence}"))
    if titled:
        confidence, component_id, evidence = max(titled, key=lambda t: t[0])
    elif phrased:
        confidence, component_id, evidence = max(phrased, key=lambda t: t[0])
        if headings:  # the page has a title of its own that no component has
            confidence -= UNMATCHED_HEADING_PENALTY
    else:
        return PageMatch(page, None, 0.0, "", opens)
    return PageMatch(page, component_id, round(confidence, 3), evidence, opens)


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
        nearly_empty = len(text.split()) < MIN_WORDS
        continues = not found.has_heading and previous is not None and not nearly_empty
        if (
            previous is not None
            and continues
            and (
                found.component is None
                or found.component == previous.component
                or found.confidence < REVIEW_AT
            )
        ):
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
