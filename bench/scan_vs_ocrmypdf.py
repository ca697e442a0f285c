"""Benchmark `dossier scan` against OCRmyPDF on pages the project did not write: speed, size, text accuracy.

The pages come from `bench/corpus/ocr_pages.py` (texts and degradations written without `dossier.samples`),
five degradation profiles (clean, office, lowres at 150 dpi, colour, photo) plus two orientation cases made
here from office pages of another draw: `rotated` (turned 90, 180 or 270 degrees) and `skewed` (3-6 degrees).
It prints numbers, it does not fail on them.

    .venv/bin/python bench/scan_vs_ocrmypdf.py --save                         # 8 pages per profile, 3 runs
    .venv/bin/python bench/scan_vs_ocrmypdf.py --pages-per-profile 2 --repeat 1   # a quick look
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import img2pdf
import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    cer,
    first_line,
    machine,
    page_text,
    pdf_page_count,
    run_timed,
    scored_text,
    tool,
    word_error,
)
from bench.corpus.ocr_pages import PROFILES, ocr_pages
from bench.scan_report import LOSSY, RAW_ENV, PageScore, ToolRun, profile_rows, tables
from dossier import __version__ as dossier_version
from dossier.digitize.vietnamese import correct_word

OCRMYPDF_ARGS = ["-l", "vie", "--deskew", "--rotate-pages", "--output-type", "pdfa-2"]
TURNS = (90, 180, 270)
SAVED = Path(__file__).resolve().parent / "results" / "scan_vs_ocrmypdf.txt"


@dataclass(frozen=True)
class BenchPage:
    index: int  # 1-based position in the bundle handed to OCRmyPDF
    file: str
    profile: str
    dpi: int
    text: str  # the truth scored against: the printed text without lines that hold no letter or digit
    text_as_drawn: str  # the same with two-column header rows read row by row (for one more CER line)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages-per-profile", type=int, default=8, help="pages per degradation profile (8)")
    parser.add_argument(
        "--orientation-pages", type=int, default=3, help="pages each of 'rotated' and 'skewed' (3)"
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=49,
        help="page draw (49; draws 0, 5, 7, 9, 13 were seen in development, 21, 33, 41 in earlier reports)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per tool; the median is reported")
    parser.add_argument("--jobs", type=int, default=2, help="parallel jobs for both tools (default 2)")
    parser.add_argument(
        "--no-postcorrect",
        dest="raw_run",
        action="store_true",
        default=True,
        help=f"also run dossier once more, untimed, with {RAW_ENV}=0 for its text before the Vietnamese "
        "post-correction (default on)",
    )
    parser.add_argument(
        "--skip-no-postcorrect", dest="raw_run", action="store_false", help="skip that extra run"
    )
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out")
    parser.add_argument("--save", action="store_true", help=f"also write the report to {SAVED}")
    return parser.parse_args()


def make_pages(folder: Path, per_profile: int, orientation: int, seed: int) -> list[BenchPage]:
    """Write every page as a PNG carrying its dpi, in bundle order; returns them with their truth."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    drawn = [
        (p.profile, p.name, p.image, p.dpi, (p.text, p.text_as_drawn)) for p in ocr_pages(per_profile, seed)
    ]
    # office pages of another draw, so that no text of the five profiles is measured twice
    other = list(ocr_pages(2 * orientation, seed + 1000, ("office",)))
    for n, page in enumerate(other[:orientation]):
        turn = TURNS[n % len(TURNS)]
        drawn.append(("rotated", f"rotated{turn}-{page.name}", page.image.rotate(turn, expand=True),
                      page.dpi, (page.text, page.text_as_drawn)))  # fmt: skip
    tilt = np.random.default_rng(seed)
    for page in other[orientation:]:
        angle = float(tilt.uniform(3.0, 6.0) * tilt.choice((-1, 1)))
        paper = int(np.median(np.asarray(page.image.convert("L"))))
        fill = paper if page.image.mode == "L" else (paper,) * 3
        turned = page.image.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=fill)
        drawn.append(
            ("skewed", f"skewed{angle:+.1f}-{page.name}", turned, page.dpi, (page.text, page.text_as_drawn))
        )
    pages = []
    for index, (profile, name, image, dpi, (text, as_drawn)) in enumerate(drawn, start=1):
        file = f"{index:03d}-{name}.png"
        image.save(folder / file, dpi=(dpi, dpi))
        pages.append(BenchPage(index, file, profile, dpi, scored_text(text), scored_text(as_drawn)))
    (folder / "ground_truth.json").write_text(
        json.dumps([asdict(p) for p in pages], ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return pages


def bundle_for_ocrmypdf(folder: Path, pages: list[BenchPage], pdf: Path) -> float:
    """One PDF holding the very same pixels (PNG re-packed losslessly, each at its own dpi); its seconds."""
    started = time.perf_counter()
    pdf.write_bytes(img2pdf.convert([str(folder / p.file) for p in pages]))
    return time.perf_counter() - started


def run_ours(folder: Path, pages: list[BenchPage], out: Path, jobs: int, raw: bool = False) -> float:
    sources = [str(folder / p.file) for p in pages]
    env = {k: v for k, v in os.environ.items() if k != RAW_ENV}  # the timed run: dossier scan as shipped
    if raw:
        env[RAW_ENV] = "0"
    done = run_timed(
        [tool("dossier"), "-q", "scan", *sources, "--out", str(out), "--jobs", str(jobs), "--json"], env
    )
    if done.returncode not in (0, 11):  # 11: some sources failed, the good pages are still written
        raise SystemExit(f"dossier scan failed ({done.returncode}):\n{done.stderr}")
    if done.returncode == 11:
        print(f"warning: dossier scan reported failed sources:\n{done.stdout}", file=sys.stderr)
    return done.seconds


def run_theirs(in_pdf: Path, out_pdf: Path, jobs: int, extra: tuple[str, ...] = ()) -> tuple[float, str]:
    """OCRmyPDF's seconds and what it said is missing or wrong (helper programs not found, warnings)."""
    done = run_timed(
        [tool("ocrmypdf"), *OCRMYPDF_ARGS, *extra, "--jobs", str(jobs), str(in_pdf), str(out_pdf)]
    )
    if done.returncode != 0:
        raise SystemExit(f"ocrmypdf failed ({done.returncode}):\n{done.stderr[-3000:]}")
    warnings = [
        f"'{m}' not found" for m in re.findall(r"The program '([^']+)' could not be executed", done.stderr)
    ]
    warnings += [
        line.strip()
        for line in done.stderr.splitlines()
        if "warning" in line.lower() or "not available" in line.lower()
    ]
    return done.seconds, "; ".join(dict.fromkeys(warnings))


def image_kinds(pdf: Path) -> str:
    """What the images of a PDF are, as `pdfimages -list` says: colour space/bits and encoding, counted."""
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True)
    kinds: dict[str, int] = {}
    for line in listing.stdout.splitlines()[2:]:
        cols = line.split()
        if len(cols) > 8 and cols[2] == "image":
            kind = f"{cols[5]} {cols[7]}-bit {cols[8]}"
            kinds[kind] = kinds.get(kind, 0) + 1
    return ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))


def our_page_map(manifest: dict[str, object]) -> dict[tuple[str, int], int]:
    """(source file name, page in file) -> page in our PDF; dropped (blank) pages are absent."""
    pages = manifest["pages"]
    assert isinstance(pages, list)
    return {(Path(str(e["source"]["name"])).name, int(e["source"]["page"])): int(e["page"]) for e in pages}


def our_texts(ours_dir: Path, pages: list[BenchPage]) -> list[tuple[int | None, str]]:
    """Each input page's page number in our PDF (None if we dropped it) and its text layer."""
    manifest = json.loads((ours_dir / "manifest.json").read_text(encoding="utf-8"))
    mapped = our_page_map(manifest)
    found = [mapped.get((p.file, 1)) for p in pages]
    return [(n, page_text(ours_dir / "scan.pdf", n) if n else "") for n in found]


def score_pages(
    pages: list[BenchPage], ours_dir: Path, raw_dir: Path | None, theirs_pdf: Path
) -> list[PageScore]:
    ours = our_texts(ours_dir, pages)
    raw = our_texts(raw_dir, pages) if raw_dir else ours
    scores = []
    for page, (ours_page, ours_text), (_, raw_text) in zip(pages, ours, raw, strict=True):
        # a text page dropped as blank has no text: it scores CER 1 and word error 1
        theirs_text = page_text(theirs_pdf, page.index)
        scores.append(
            PageScore(
                page.index, page.file, page.profile, ours_page,
                cer(page.text, ours_text), cer(page.text, theirs_text),
                word_error(page.text, ours_text), word_error(page.text, theirs_text),
                cer(page.text, raw_text), word_error(page.text, raw_text),
                ours_text, theirs_text, raw_text,
            )
        )  # fmt: skip
    return scores


def row_order_cer(pages: list[BenchPage], scores: list[PageScore]) -> str:
    """CER of both tools on clean and office pages against the truth with header rows read row by row."""
    parts = []
    for profile in ("clean", "office"):
        chosen = [(p, s) for p, s in zip(pages, scores, strict=True) if p.profile == profile]
        if not chosen:
            continue
        ours = statistics.fmean(cer(p.text_as_drawn, s.ours_text) for p, s in chosen)
        theirs = statistics.fmean(cer(p.text_as_drawn, s.theirs_text) for p, s in chosen)
        parts.append(f"{profile} {ours:.4f} vs {theirs:.4f} ({ours / theirs if theirs else 0:.2f}x)")
    return (
        "CER, dossier vs OCRmyPDF, if the truth read two-column header rows row by row (agency line, motto "
        "line, ...) instead of column by column: " + "; ".join(parts)
    )


def false_corrections(pages: list[BenchPage]) -> str:
    """How many correct words of the ground truth the post-correction changes, each word on its own."""
    words = [w for p in pages for w in p.text.split()]
    changed = sum(correct_word(w) != w for w in words)
    return (
        f"post-correction (correct_word) on the ground truth: {changed} of {len(words):,} correct words"
        f" changed ({changed / max(len(words), 1):.3%})"
    )


def commit() -> str:
    """The commit the bench runs from, and whether the work tree differs from it."""
    root = Path(__file__).resolve().parent.parent
    head = first_line(["git", "-C", str(root), "rev-parse", "--short", "HEAD"])
    dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain"], capture_output=True, text=True)
    return head + (" + uncommitted changes" if dirty.stdout.strip() else "")


def main() -> None:
    args = parse_args()
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    box = machine()
    versions = {
        "dossier": dossier_version,
        "ocrmypdf": first_line([tool("ocrmypdf"), "--version"]),
        "tesseract": first_line(["tesseract", "--version"]),
        "img2pdf": img2pdf.__version__,
        "ghostscript": first_line(["gs", "--version"]),
        "pngquant": first_line(["pngquant", "--version"]),
    }
    header = [
        "command: bench/scan_vs_ocrmypdf.py " + " ".join(sys.argv[1:]) + f" (code: {commit()})",
        f"machine: {box.nproc} CPUs, {box.cpu}; {box.system}; Python {box.python}; "
        f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        "versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()),
        f"pages: {args.pages_per_profile} per profile x {len(PROFILES)} profiles (bench/corpus/ocr_pages.py, "
        f"seed {args.seed}) + {args.orientation_pages} rotated + {args.orientation_pages} skewed; "
        f"jobs: {args.jobs}, repeats: {args.repeat} (median time)",
    ]
    print("\n".join(header), flush=True)

    folder = out / "pages"
    pages = make_pages(folder, args.pages_per_profile, args.orientation_pages, args.seed)
    in_pdf = out / "ocrmypdf-input.pdf"
    bundle_seconds = bundle_for_ocrmypdf(folder, pages, in_pdf)
    print(f"img2pdf bundled {len(pages)} pages in {bundle_seconds:.1f} s (not counted)", flush=True)

    ours_dir, theirs_pdf = out / "ours", out / "ocrmypdf.pdf"
    ours_times, theirs_times, theirs_warnings = [], [], ""
    for attempt in range(1, args.repeat + 1):
        ours_times.append(run_ours(folder, pages, ours_dir, args.jobs))
        seconds, theirs_warnings = run_theirs(in_pdf, theirs_pdf, args.jobs)
        theirs_times.append(seconds)
        print(f"run {attempt}: dossier {ours_times[-1]:.1f} s, OCRmyPDF {theirs_times[-1]:.1f} s", flush=True)

    count = len(pages)
    theirs_pages = pdf_page_count(theirs_pdf)
    if theirs_pages != count:
        raise SystemExit(f"OCRmyPDF wrote {theirs_pages} pages for {count} input pages: alignment lost")
    ours = ToolRun("dossier", statistics.median(ours_times), tuple(ours_times),
                   (ours_dir / "scan.pdf").stat().st_size, pdf_page_count(ours_dir / "scan.pdf"))  # fmt: skip
    theirs = ToolRun("OCRmyPDF", statistics.median(theirs_times), tuple(theirs_times),
                     theirs_pdf.stat().st_size, theirs_pages)  # fmt: skip
    lossy_pdf = out / "ocrmypdf-lossy.pdf"
    lossy_seconds, lossy_warnings = run_theirs(in_pdf, lossy_pdf, args.jobs, tuple(LOSSY))
    print(f"OCRmyPDF {' '.join(LOSSY)}: {lossy_seconds:.1f} s (size only)", flush=True)
    raw_dir = None
    if args.raw_run:
        raw_dir = out / "ours-no-postcorrect"
        raw_seconds = run_ours(folder, pages, raw_dir, args.jobs, raw=True)
        print(f"dossier with {RAW_ENV}=0: {raw_seconds:.1f} s (text only, not counted)", flush=True)

    scores = score_pages(pages, ours_dir, raw_dir, theirs_pdf)
    rows = profile_rows(scores)
    runs = ", ".join(f"{a:.1f}/{b:.1f}" for a, b in zip(ours.all_seconds, theirs.all_seconds, strict=True))
    dropped = [s.file for s in scores if s.ours_page is None]
    notes = [
        f"wall time per run, dossier/OCRmyPDF (s): {runs}; img2pdf {bundle_seconds:.1f} s, OCRmyPDF "
        f"{' '.join(LOSSY)} {lossy_seconds:.1f} s (neither counted)",
        f"OCRmyPDF warnings, -O1: {theirs_warnings or 'none'}; {' '.join(LOSSY)}: {lossy_warnings or 'none'}",
        f"images (pdfimages -list): dossier {image_kinds(ours_dir / 'scan.pdf')}; OCRmyPDF -O1 "
        f"{image_kinds(theirs_pdf)}; {' '.join(LOSSY)} {image_kinds(lossy_pdf)}",
        f"output pages: dossier {ours.output_pages}, OCRmyPDF {theirs.output_pages}; text pages dossier "
        f"dropped as blank: {len(dropped)}{' (' + ', '.join(dropped) + ')' if dropped else ''}; bytes: "
        f"the PDF only (dossier's manifest.json adds {(ours_dir / 'manifest.json').stat().st_size:,} bytes)",
        "before post-correction: "
        + (
            f"a second dossier run with {RAW_ENV}=0"
            if raw_dir
            else "not run (--skip-no-postcorrect): = after"
        ),
        row_order_cer(pages, scores),
        false_corrections(pages),
    ]
    report = "\n".join([*header, "", tables(count, ours, theirs, rows, lossy_pdf.stat().st_size), "", *notes])
    print("\n" + report, flush=True)
    (out / "results.md").write_text(report + "\n", encoding="utf-8")
    if args.save:
        SAVED.write_text(report + "\n", encoding="utf-8")
    payload = {
        "machine": asdict(box),
        "versions": versions,
        "args": {k: str(v) for k, v in vars(args).items()},
        "img2pdf_seconds": bundle_seconds,
        "tools": [asdict(ours), asdict(theirs)],
        "ocrmypdf_lossy": {"args": LOSSY, "seconds": lossy_seconds, "pdf_bytes": lossy_pdf.stat().st_size},
        "profiles": [{**asdict(r), "met": r.met} for r in rows],
        "pages": [{**asdict(s), "truth": p.text} for s, p in zip(scores, pages, strict=True)],
    }
    (out / "results.json").write_text(
        json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
