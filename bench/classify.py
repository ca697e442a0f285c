"""Benchmark the dossier checklist on a corpus written without the profiles: pages filed right and verdicts.

The dossiers come from `bench/corpus` (page texts from how the real documents look, title variants and form
numbers, ID-card copies without a title line, multi-page forms, filled-in fields, stray papers; degraded like
desk scans, colour scans and phone photos; labels by component code written by hand). `dossier scan`
digitizes each dossier, then `check_pages` classifies the PDF's text against the procedure's profile.
It prints numbers, it does not fail on them.

    .venv/bin/python bench/classify.py                          # 30 dossiers, seed 0 (development draw)
    .venv/bin/python bench/classify.py --seed 7 --unseen        # a draw with wordings kept out of development
    .venv/bin/python bench/classify.py --reuse                  # classify the cached texts of this draw again
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import run_timed, tool
from bench.corpus.dossiers import STRAY, CorpusDossier, corpus
from dossier.profiles.checklist import ChecklistReport, check_pages, read_page_texts
from dossier.profiles.loader import load_catalogue

OUT = Path(__file__).resolve().parent / "out" / "classify"


@dataclass
class DossierResult:
    procedure: str
    pages: int
    truth: list[str]
    predicted: list[str]
    degradations: list[str]
    expected_missing: list[str]
    reported_missing: list[str]
    expected_verdict: str
    verdict: str
    seconds: float


def _page_predictions(report: ChecklistReport, count: int) -> list[str]:
    owner = {p: (d.component or STRAY) for d in report.documents for p in d.pages}
    return [owner.get(page, "none") for page in range(1, count + 1)]


def scan_dossier(dossier: CorpusDossier, folder: Path, jobs: int) -> tuple[list[str], float]:
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for number, page in enumerate(dossier.pages, start=1):
        if page.degradation == "phone":
            path = folder / f"p{number:02d}.jpg"
            page.image.save(path, quality=85, dpi=(300, 300))
        else:
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
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    blank = set(manifest.get("blank_pages", []))
    if blank:  # keep page numbers aligned with the input: a dropped page has no text
        kept = iter(texts)
        texts = ["" if n in blank else next(kept) for n in range(1, len(dossier.pages) + 1)]
    return texts, done.seconds


def _truth(dossier: CorpusDossier) -> dict:
    return {
        "procedure": dossier.procedure,
        "pages": [p.truth for p in dossier.pages],
        "degradations": [p.degradation for p in dossier.pages],
        "missing": list(dossier.missing),
        "verdict": dossier.expected_verdict,
    }


def _dossiers(args: argparse.Namespace, cached: dict) -> Iterator[CorpusDossier | None]:
    """The draw's dossiers; with --reuse, None for each one already scanned (texts and truth cached)."""
    if args.reuse:
        yield from (None for _ in range(min(args.dossiers, len(cached))))
    else:
        yield from corpus(args.dossiers, args.seed, args.unseen)


def evaluate(truth: dict, texts: list[str], seconds: float, profiles: dict) -> DossierResult:
    report = check_pages(texts, profiles[truth["procedure"]])
    return DossierResult(
        procedure=truth["procedure"],
        pages=len(truth["pages"]),
        truth=truth["pages"],
        predicted=_page_predictions(report, len(texts)),
        degradations=truth["degradations"],
        expected_missing=truth["missing"],
        reported_missing=[c.id for c in report.missing],
        expected_verdict=truth["verdict"],
        verdict=str(report.verdict),
        seconds=round(seconds, 1),
    )


def _labelled(code: str, label: str) -> str:
    return label if label in (STRAY, "none") else f"{code} {label}"


def summarise(results: list[DossierResult]) -> str:
    pairs = [
        (_labelled(r.procedure, t), _labelled(r.procedure, p), d)
        for r in results
        for t, p, d in zip(r.truth, r.predicted, r.degradations, strict=False)
    ]
    correct = sum(t == p for t, p, _ in pairs)
    lines = [
        "## Page classification",
        "",
        f"Pages: {len(pairs)}, filed right: {correct} ({correct / len(pairs):.1%})",
    ]
    by_kind = Counter(d for _, _, d in pairs)
    right_kind = Counter(d for t, p, d in pairs if t == p)
    lines += ["", "| degradation | pages | filed right |", "|---|---:|---:|"]
    lines += [f"| {k} | {n} | {right_kind[k] / n:.1%} |" for k, n in sorted(by_kind.items())]
    lines += ["", "| component | truth pages | predicted | precision | recall |", "|---|---:|---:|---:|---:|"]
    per = Counter(t for t, _, _ in pairs)
    said = Counter(p for _, p, _ in pairs)
    hits = Counter(t for t, p, _ in pairs if t == p)
    for label in sorted(set(per) | set(said)):
        precision = f"{hits[label] / said[label]:.0%}" if said[label] else "-"
        recall = f"{hits[label] / per[label]:.0%}" if per[label] else "-"
        lines.append(f"| {label} | {per[label]} | {said[label]} | {precision} | {recall} |")
    # order-free: per dossier, the set of components found against the set present
    found = sum(len(set(r.truth) & set(r.predicted) - {STRAY}) for r in results)
    present = sum(len(set(r.truth) - {STRAY}) for r in results)
    claimed = sum(len(set(r.predicted) - {STRAY, "none"}) for r in results)
    lines += [
        "",
        "Order-free (per dossier, the set of components found, whatever pages they were on):",
        f"components present {present}, found {found} (recall {found / max(present, 1):.1%}),"
        f" claimed {claimed} (precision {found / max(claimed, 1):.1%})",
    ]
    verdicts = Counter((r.expected_verdict, r.verdict) for r in results)
    right = sum(r.expected_verdict == r.verdict for r in results)
    expected_missing = sum(len(r.expected_missing) for r in results)
    reported = sum(len(set(r.expected_missing) & set(r.reported_missing)) for r in results)
    wrongly_complete = sum(r.verdict == "complete" and bool(r.expected_missing) for r in results)
    false_missing = sum(len(set(r.reported_missing) - set(r.expected_missing)) for r in results)
    incomplete = sum(bool(r.expected_missing) for r in results)
    lines += [
        "",
        "## Dossier verdicts",
        "",
        f"Dossiers: {len(results)} ({incomplete} incomplete), verdict right: {right}",
    ]
    lines += ["", "| truth -> verdict | dossiers |", "|---|---:|"]
    lines += [f"| {t} -> {v} | {n} |" for (t, v), n in sorted(verdicts.items())]
    lines += [
        "",
        f"- missing components reported: {reported}/{expected_missing}",
        f"- present components wrongly reported missing: {false_missing}",
        f"- incomplete dossiers called complete: {wrongly_complete}",
        f"- scan time: {sum(r.seconds for r in results):.0f} s for {sum(r.pages for r in results)} pages",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--unseen", action="store_true", help="use the wordings kept out of development")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--reuse", action="store_true", help="reuse the page texts of the last scan of this draw"
    )
    parser.add_argument("--only", type=int, nargs="*", help="scan only these dossier numbers (development)")
    args = parser.parse_args()
    catalogue = load_catalogue()
    name = f"seed{args.seed}{'-unseen' if args.unseen else ''}"
    base = OUT / name
    cache = base / "texts.json"
    texts_by_dossier: dict[str, list] = json.loads(cache.read_text()) if args.reuse and cache.exists() else {}
    catalogue_current = {code: catalogue.get(code).current for code in catalogue.codes()}
    results = []
    for index, dossier in enumerate(_dossiers(args, texts_by_dossier), start=1):
        if args.only and index not in args.only:
            continue
        key = str(index)
        if key not in texts_by_dossier:
            texts, seconds = scan_dossier(dossier, base / f"d{index:02d}", args.jobs)
            texts_by_dossier[key] = {"texts": texts, "seconds": seconds, "truth": _truth(dossier)}
            base.mkdir(parents=True, exist_ok=True)
            cache.write_text(json.dumps(texts_by_dossier, ensure_ascii=False), encoding="utf-8")
        entry = texts_by_dossier[key]
        result = evaluate(entry["truth"], entry["texts"], entry["seconds"], catalogue_current)
        results.append(result)
        wrong = [
            f"p{n}:{t}->{p}"
            for n, (t, p) in enumerate(zip(result.truth, result.predicted, strict=False), 1)
            if t != p
        ]
        print(
            f"{index:2d} {result.procedure:26s} pages {result.pages:2d} verdict {result.verdict:10s}"
            f" (truth {result.expected_verdict}) missing {result.reported_missing}"
            f" (truth {result.expected_missing}) {' '.join(wrong)}",
            flush=True,
        )
    table = summarise(results)
    header = (
        f"corpus: bench/corpus, {len(results)} dossiers, seed {args.seed}, unseen wordings: {args.unseen}"
    )
    print(f"\n{header}\n\n{table}")
    (base / "results.md").write_text(f"{header}\n\n{table}\n", encoding="utf-8")
    (base / "results.json").write_text(
        json.dumps([asdict(r) for r in results], ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
