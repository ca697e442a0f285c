"""Synthetic dossiers of a shipped procedure: each component's pages, missing ones, stray pages, degraded.

Used by the demo (`dossier samples dossier`) and the tests. The pages carry the profile's own title hints and
key phrases, so they exercise matching under OCR noise, not how well hints fit real forms: the checklist
benchmark (`bench/classify.py`) does not use them but a corpus written without the profiles (`bench/corpus/`).
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from dossier.fsutil import atomic_write_text, make_private_dir
from dossier.profiles.classify import match_page
from dossier.profiles.fields import PROVINCE_CODES
from dossier.profiles.model import Component, ExpectedField, Form, Profile, Requirement
from dossier.profiles.separators import render_separator_sheet
from dossier.samples.degrade import PageToDegrade, degrade
from dossier.samples.render import (
    MARGIN_LEFT,
    MARGIN_TOP,
    TEXT_WIDTH,
    PageLayout,
    PlacedLine,
    draw_page,
    layout_page,
    wrap_words,
)
from dossier.samples.text import (
    MOTTO,
    NATION,
    PROSE,
    Block,
    PageContent,
    Style,
    address,
    make_page_content,
    person_name,
    vn_date,
)

DEGRADATIONS = ("clean", "scan", "scan", "skewed", "noisy", "seal", "dark_border")
STRAY = "-"  # ground truth of a page that belongs to no component


@dataclass(frozen=True)
class GenPage:
    image: Image.Image
    truth: str  # component id, STRAY, or "sep:<id>" for a separator sheet


def _heading(component: Component) -> str:
    if component.hints.titles:
        return component.hints.titles[0]
    words, out = component.name.upper().split(), ""
    for word in words:  # a short upper-case title in the spirit of the name
        if len(out) + len(word) > 38:
            break
        out = f"{out} {word}".strip()
    return out


def _personal_id(rng: random.Random) -> str:
    """A synthetic number with a real province-of-birth code and a 1960-2004 century/sex digit and year."""
    year = rng.randint(1960, 2004)
    century_sex = (0 if year < 2000 else 2) + rng.randint(0, 1)
    return f"{rng.choice(sorted(PROVINCE_CODES))}{century_sex}{year % 100:02d}{rng.randint(0, 999_999):06d}"


def _first_page(component: Component, rng: random.Random) -> Image.Image:
    applicant = person_name(rng)
    phrases = list(component.hints.key_phrases)
    body = [
        Block(_heading(component), style=Style.bold, size=60, align="center", space_before=90, wrap=False)
    ]
    body.append(Block(f"Họ và tên: {applicant}", space_before=40))
    body.append(Block(f"Ngày, tháng, năm sinh: {vn_date(rng, 1960, 2004)}"))
    body.append(Block(f"Nơi cư trú: {address(rng)}"))
    if ExpectedField.personal_id in component.hints.expected_fields:
        body.append(Block(f"Số định danh cá nhân: {_personal_id(rng)}"))
    for phrase in phrases:
        body.append(Block(f"Nội dung {phrase} được ghi đầy đủ theo quy định hiện hành.", align="justify"))
    for sentence in rng.sample(PROSE, 2):
        body.append(Block(sentence, align="justify", indent=118, space_before=30))
    content = PageContent(
        header=(
            (Block("UBND TỈNH ĐỒNG NAI", size=50), Block(NATION, style=Style.bold, size=52)),
            (Block("UBND XÃ AN PHƯỚC", style=Style.bold, size=50), Block(MOTTO, style=Style.bold)),
        ),
        body=tuple(body),
        signature=(
            Block("NGƯỜI KHAI", style=Style.bold, space_before=70, wrap=False),
            Block("(Ký, ghi rõ họ tên)", style=Style.italic, wrap=False),
            Block(applicant, style=Style.bold, space_before=200, wrap=False),
        ),
        signer=applicant,
        seal_text="UBND XÃ AN PHƯỚC * UBND TỈNH ĐỒNG NAI *",
    )
    return draw_page(layout_page(content))


def _continuation_page(rng: random.Random) -> Image.Image:
    """A second page: prose only, no upper-case heading, so it continues the document before it."""
    lines, y = [], MARGIN_TOP
    for sentence in rng.sample(PROSE, 4):
        for text in wrap_words(sentence, Style.regular, 56, TEXT_WIDTH):
            y += 74
            lines.append(PlacedLine(text, MARGIN_LEFT, y, Style.regular, 56))
        y += 30
    y += 74
    lines.append(PlacedLine(f"Đồng Nai, {vn_date(rng, 2025, 2026)}", MARGIN_LEFT, y, Style.italic, 56))
    return draw_page(PageLayout(tuple(lines), (0, 0, 1, 1)))


def _stray_page(profile: Profile, rng: random.Random) -> Image.Image:
    """A sample form the classifier would not match to any component of this profile (on its clean text)."""
    while True:
        content = make_page_content(rng)
        layout = layout_page(content)
        if match_page(1, layout.text, profile).component is None:
            return draw_page(layout)


def _degraded(
    image: Image.Image, rng: random.Random, nprng: np.random.Generator, sealed: bool = False
) -> Image.Image:
    """A scan-like copy; papers that carry a seal (`sealed`) get the red round seal over their signature."""
    page = PageToDegrade(image, (1400, 2800, 2200, 3200), "UBND XÃ AN PHƯỚC * UBND TỈNH ĐỒNG NAI *")
    return degrade(page, "seal" if sealed else rng.choice(DEGRADATIONS), rng, nprng).image


def _chosen_components(profile: Profile, rng: random.Random) -> list[Component]:
    """Required components, optional and conditional ones half the time, one member per one_of group, no
    present-only papers (shown at the counter, not scanned)."""
    chosen, groups = [], set()
    candidates = list(profile.components)
    for component in candidates:
        if component.form is Form.present_only:
            continue
        if component.requirement is not Requirement.required and rng.random() < 0.5:
            continue
        if component.one_of:
            if component.one_of in groups:
                continue
            members = [c for c in candidates if c.one_of == component.one_of]
            component = rng.choice(members)
            groups.add(component.one_of)
        chosen.append(component)
    return chosen


def expected_missing(profile: Profile, present: set[str]) -> list[str]:
    """What a correct checklist reports missing: required, kept in the dossier, group not satisfied (first
    member of a group stands for it, as checklist._settle_groups does)."""
    missing = []
    for component in profile.components:
        if component.requirement is not Requirement.required or component.form is Form.present_only:
            continue
        if component.id in present:
            continue
        if component.one_of:
            members = [c for c in profile.components if c.one_of == component.one_of]
            if any(m.id in present for m in members) or component is not members[0]:
                continue
        missing.append(component.id)
    return missing


def make_dossier(
    profile: Profile,
    rng: random.Random,
    with_separators: bool,
    drop: Sequence[str] | None = None,
    strays: int | None = None,
) -> tuple[list[GenPage], list[str]]:
    """Pages of one dossier and the component ids a correct checklist reports missing.

    `drop` names the components to leave out (None: one required component half the time); `strays` the number
    of unrelated pages (None: 0-2 at random), labelled as the catch-all component if the profile has one."""
    nprng = np.random.default_rng(rng.randrange(2**32))
    components = _chosen_components(profile, rng)
    required = [c for c in components if c.requirement is Requirement.required]
    if drop is not None:
        components = [c for c in components if c.id not in drop]
    elif required and rng.random() < 0.5:
        components.remove(rng.choice(required))
    # A copy to certify is handed in clipped behind its original and scans like it; without the original it
    # cannot be told from one on a scan (the officer sees the paper), so it is only made with its original.
    copies = {c.copy_of: c for c in components if c.copy_of is not None}
    originals = [c for c in components if c.copy_of is None]
    components = list(originals)
    documents: list[list[GenPage]] = []
    for component in originals:
        pages = [GenPage(_first_page(component, rng), component.id)]
        if rng.random() < 0.4:
            pages.append(GenPage(_continuation_page(rng), component.id))
        copy = copies.get(component.id)
        if copy is not None:
            copy_pages = [GenPage(p.image, copy.id) for p in pages]
            if with_separators:
                copy_pages.insert(
                    0, GenPage(Image.fromarray(render_separator_sheet(profile, copy)), f"sep:{copy.id}")
                )
            pages += copy_pages
            components.append(copy)
        if with_separators:
            sheet = Image.fromarray(render_separator_sheet(profile, component))
            pages.insert(0, GenPage(sheet, f"sep:{component.id}"))
        documents.append(pages)
    stray_count = strays if strays is not None else (rng.choice((0, 1, 1, 2)) if documents else 1)
    # Under a procedure that certifies any paper (chứng thực), an unrelated page is one more paper to certify.
    catch_all = next((c for c in profile.components if c.any_paper), None)
    stray_truth = catch_all.id if catch_all is not None else STRAY
    for _ in range(stray_count):
        documents.append([GenPage(_stray_page(profile, rng), stray_truth)])
    rng.shuffle(documents)
    sealed = {c.id for c in components if ExpectedField.seal in c.hints.expected_fields}
    pages = [
        GenPage(_degraded(p.image, rng, nprng, sealed=number == 0 and p.truth in sealed), p.truth)
        for doc in documents
        for number, p in enumerate(doc)
    ]
    present = {c.id for c in components} | ({stray_truth} if stray_count and catch_all is not None else set())
    return pages, expected_missing(profile, present)


def write_dossier_samples(
    out_dir: Path, profile: Profile, seed: int = 0, drop: Sequence[str] = (), strays: int = 1
) -> list[Path]:
    """A procedure dossier as PNG pages in `out_dir` plus truth.json (page -> component, missing ids)."""
    rng = random.Random(seed)
    pages, missing = make_dossier(profile, rng, with_separators=False, drop=drop, strays=strays)
    make_private_dir(out_dir)
    paths = []
    for number, page in enumerate(pages, start=1):
        path = out_dir / f"trang-{number:02d}.png"
        page.image.save(path, dpi=(300, 300))
        path.chmod(0o600)
        paths.append(path)
    truth = {"procedure": profile.code, "pages": [p.truth for p in pages], "missing": missing}
    atomic_write_text(out_dir / "truth.json", json.dumps(truth, ensure_ascii=False, indent=2) + "\n")
    return paths
