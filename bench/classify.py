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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import run_timed, tool
from dossier.profiles.checklist import ChecklistReport, Verdict, check_pages, read_page_texts
from dossier.profiles.loader import load_catalogue
from dossier.profiles.model import Profile
from dossier.profiles.separators import (
    assignments_from_separators,
    find_separator,
    separator_from_text,
)
from dossier.samples.dossier import STRAY, make_dossier

OUT = Path(__file__).resolve().parent / "out" / "classify"


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
