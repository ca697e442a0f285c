"""Benchmark the dossier checklist on generated, scanned-looking dossiers: page and verdict accuracy.

For every shipped procedure, dossiers are drawn: each present component gets 1-2 pages (a titled first page,
maybe a continuation page without a heading), some required components are dropped, unrelated stray pages are
added, document order is shuffled and the pages are degraded like desk scans. `dossier scan` digitizes each
dossier, then `check_pages` classifies the PDF's text. Optionally (--separators) QR separator sheets are put
in front of each document and read back with `find_separator`. It prints numbers, it does not fail on them.

    .venv/bin/python bench/classify.py                 # 12 dossiers, seed 0
    .venv/bin/python bench/classify.py --dossiers 24 --seed 3 --separators
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import run_timed, tool
from dossier.profiles.checklist import ChecklistReport, Verdict, check_pages, read_page_texts
from dossier.profiles.classify import match_page
from dossier.profiles.loader import load_catalogue
from dossier.profiles.model import Component, Form, Profile, Requirement
from dossier.profiles.separators import (
    assignments_from_separators,
    find_separator,
    render_separator_sheet,
    separator_from_text,
)
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

OUT = Path(__file__).resolve().parent / "out" / "classify"
DEGRADATIONS = ("clean", "scan", "scan", "skewed", "noisy", "seal", "dark_border")
STRAY = "-"  # ground truth of a page that belongs to no component


@dataclass(frozen=True)
class GenPage:
    image: Image.Image
    truth: str  # component id, STRAY, or "sep:<id>" for a separator sheet


@dataclass
class DossierResult:
    procedure: str
    pages: int
    truth: list[str]
    predicted: list[str]
    expected_missing: list[str]
    reported_missing: list[str]
    expected_verdict: str
    verdict: str
    seconds: float
    separators_found: int = 0
    separators_total: int = 0
    notes: list[str] = field(default_factory=list)


def _heading(component: Component) -> str:
    if component.hints.titles:
        return component.hints.titles[0]
    words, out = component.name.upper().split(), ""
    for word in words:  # a short upper-case title in the spirit of the name
        if len(out) + len(word) > 38:
            break
        out = f"{out} {word}".strip()
    return out


def _first_page(component: Component, rng: random.Random) -> Image.Image:
    applicant = person_name(rng)
    phrases = list(component.hints.key_phrases)
    body = [
        Block(_heading(component), style=Style.bold, size=60, align="center", space_before=90, wrap=False)
    ]
    body.append(Block(f"Họ và tên: {applicant}", space_before=40))
    body.append(Block(f"Ngày, tháng, năm sinh: {vn_date(rng, 1960, 2004)}"))
    body.append(Block(f"Nơi cư trú: {address(rng)}"))
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


def _degraded(image: Image.Image, rng: random.Random, nprng: np.random.Generator) -> Image.Image:
    page = PageToDegrade(image, (1400, 2800, 2200, 3200), "UBND XÃ AN PHƯỚC * UBND TỈNH ĐỒNG NAI *")
    return degrade(page, rng.choice(DEGRADATIONS), rng, nprng).image


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
    profile: Profile, rng: random.Random, with_separators: bool
) -> tuple[list[GenPage], list[str]]:
    nprng = np.random.default_rng(rng.randrange(2**32))
    components = _chosen_components(profile, rng)
    required = [c for c in components if c.requirement is Requirement.required]
    if required and rng.random() < 0.5:
        components.remove(rng.choice(required))
    documents: list[list[GenPage]] = []
    for component in components:
        pages = [GenPage(_first_page(component, rng), component.id)]
        if rng.random() < 0.4:
            pages.append(GenPage(_continuation_page(rng), component.id))
        if with_separators:
            sheet = Image.fromarray(render_separator_sheet(profile, component))
            pages.insert(0, GenPage(sheet, f"sep:{component.id}"))
        documents.append(pages)
    for _ in range(rng.choice((0, 1, 1, 2)) if documents else 1):
        documents.append([GenPage(_stray_page(profile, rng), STRAY)])
    rng.shuffle(documents)
    pages = [GenPage(_degraded(p.image, rng, nprng), p.truth) for doc in documents for p in doc]
    return pages, expected_missing(profile, {c.id for c in components})


def _expected_verdict(missing: list[str], truth: list[str]) -> str:
    """Incomplete when something is missing; else review when stray pages must be set aside; else complete."""
    if missing:
        return str(Verdict.incomplete)
    return str(Verdict.review if STRAY in truth else Verdict.complete)


def _page_predictions(report: ChecklistReport, count: int) -> list[str]:
    owner = {p: (d.component or STRAY) for d in report.documents for p in d.pages}
    return [owner.get(page, "none") for page in range(1, count + 1)]


def run_dossier(
    profile: Profile, index: int, rng: random.Random, with_separators: bool, jobs: int
) -> DossierResult:
    folder = OUT / f"d{index:02d}-{profile.code}"
    folder.mkdir(parents=True, exist_ok=True)
    pages, missing = make_dossier(profile, rng, with_separators)
    files = []
    for number, page in enumerate(pages, start=1):
        path = folder / f"p{number:02d}.png"
        page.image.save(path, dpi=(300, 300), compress_level=1)
        files.append(str(path))
    out = folder / "scan"
    done = run_timed(
        [tool("dossier"), "-q", "scan", *files, "--out", str(out), "--jobs", str(jobs), "--json"]
    )
    if done.returncode != 0:
        raise SystemExit(f"dossier scan failed ({done.returncode}):\n{done.stderr}")
    texts = read_page_texts(out / "scan.pdf")
    result_notes = (
        [] if len(texts) == len(pages) else [f"scan.pdf has {len(texts)} pages, {len(pages)} given"]
    )
    assignments: dict[int, str] = {}
    found = 0
    if with_separators:
        marks = []
        for number, text in enumerate(texts, start=1):
            image = cv2.imread(files[number - 1], cv2.IMREAD_COLOR)
            mark = find_separator(image) or separator_from_text(text, profile)
            marks.append(mark)
        found = sum(
            1
            for mark, page in zip(marks, pages, strict=False)
            if mark and page.truth == f"sep:{mark.component}"
        )
        assignments = assignments_from_separators(marks)
    report = check_pages(texts, profile, assignments)
    predicted = _page_predictions(report, len(texts))
    return DossierResult(
        procedure=profile.code,
        pages=len(pages),
        truth=[p.truth for p in pages],
        predicted=predicted,
        expected_missing=missing,
        reported_missing=[c.id for c in report.missing],
        expected_verdict=_expected_verdict(missing, [p.truth for p in pages]),
        verdict=str(report.verdict),
        seconds=round(done.seconds, 1),
        separators_found=found,
        separators_total=sum(p.truth.startswith("sep:") for p in pages),
        notes=result_notes,
    )


def _truth_label(truth: str) -> str:
    return "none" if truth.startswith("sep:") else truth


def _labelled(code: str, label: str) -> str:
    return label if label in (STRAY, "none") else f"{code} {label}"


def summarise(results: list[DossierResult]) -> str:
    pairs = [
        (_labelled(r.procedure, _truth_label(t)), _labelled(r.procedure, p))
        for r in results
        for t, p in zip(r.truth, r.predicted, strict=False)
    ]
    correct = sum(t == p for t, p in pairs)
    lines = [
        "## Page classification",
        "",
        f"Pages: {len(pairs)}, correct: {correct} ({correct / len(pairs):.1%})",
    ]
    lines += ["", "| component | truth pages | predicted | precision | recall |", "|---|---:|---:|---:|---:|"]
    per = Counter(t for t, _ in pairs)
    said = Counter(p for _, p in pairs)
    hits = Counter(t for t, p in pairs if t == p)
    for label in sorted(set(per) | set(said)):
        precision = f"{hits[label] / said[label]:.0%}" if said[label] else "-"
        recall = f"{hits[label] / per[label]:.0%}" if per[label] else "-"
        lines.append(f"| {label} | {per[label]} | {said[label]} | {precision} | {recall} |")
    verdicts = Counter((r.expected_verdict, r.verdict) for r in results)
    right = sum(r.expected_verdict == r.verdict for r in results)
    all_missing = all(set(r.expected_missing) <= set(r.reported_missing) for r in results)
    wrongly_complete = sum(r.verdict == "complete" and bool(r.expected_missing) for r in results)
    absorbed = sum(
        t == STRAY and p not in (STRAY, "none")
        for r in results
        for t, p in zip(r.truth, r.predicted, strict=False)
    )
    lines += ["", "## Dossier verdicts", "", f"Dossiers: {len(results)}, verdict right: {right}"]
    lines += ["", "| truth -> verdict | dossiers |", "|---|---:|"]
    lines += [f"| {t} -> {v} | {n} |" for (t, v), n in sorted(verdicts.items())]
    false_missing = sum(bool(set(r.reported_missing) - set(r.expected_missing)) for r in results)
    lines += [
        "",
        f"- dossiers with a present component reported missing: {false_missing}",
        f"- every missing component reported: {'PASS' if all_missing else 'FAIL'}",
        f"- zero dossiers wrongly called complete (complete while a component is missing):"
        f" {'PASS' if wrongly_complete == 0 else 'FAIL'} ({wrongly_complete})",
        f"- stray pages filed under a component: {absorbed}",
    ]
    sep_total = sum(r.separators_total for r in results)
    if sep_total:
        sep_found = sum(r.separators_found for r in results)
        lines.append(f"- separator sheets recognised: {sep_found}/{sep_total}")
    lines.append(
        f"- scan time: {sum(r.seconds for r in results):.0f} s for {sum(r.pages for r in results)} pages"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument(
        "--separators", action="store_true", help="put a QR separator sheet before each document"
    )
    args = parser.parse_args()
    catalogue = load_catalogue()
    current = [catalogue.get(code).current for code in catalogue.codes()]
    rng = random.Random(f"bench-classify:{args.seed}")
    results = []
    started = time.perf_counter()
    for index in range(args.dossiers):
        profile = current[index % len(current)]
        result = run_dossier(profile, index + 1, rng, args.separators, args.jobs)
        results.append(result)
        print(
            f"{index + 1:2d} {result.procedure:28s} pages {result.pages:2d} verdict {result.verdict:10s}"
            f" (truth {result.expected_verdict}) missing {result.reported_missing}"
            f" (truth {result.expected_missing})"
            f" {result.seconds:.0f}s",
            flush=True,
        )
    table = summarise(results)
    print(f"\n{table}\n\nwall time: {time.perf_counter() - started:.0f} s")
    stem = "results-separators" if args.separators else "results"
    (OUT / f"{stem}.md").write_text(table + "\n", encoding="utf-8")
    (OUT / f"{stem}.json").write_text(
        json.dumps([asdict(r) for r in results], ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
