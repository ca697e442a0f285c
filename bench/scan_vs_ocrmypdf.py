"""Benchmark `dossier scan` against OCRmyPDF on generated pages: pages per minute, bytes per page, CER."""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import img2pdf
from common import cer, first_line, machine, page_text, pdf_page_count, run_timed, tool, word_error

from dossier import __version__ as dossier_version
from dossier.digitize.vietnamese import correct_text, correct_word, dictionary
from dossier.samples.make import SamplePage, SampleSet, make_samples

OCRMYPDF_ARGS = ["-l", "vie", "--deskew", "--rotate-pages", "--output-type", "pdfa-2"]
LOSSY = ["-O3"]  # OCRmyPDF's strongest optimisation: lossy JPEG/pngquant (and JBIG2 when installed)
TARGET_SPEED = 2.0  # at least 2x OCRmyPDF's pages per minute
TARGET_BYTES = 0.25  # at most 0.25x OCRmyPDF's bytes per page


@dataclass(frozen=True)
class ToolRun:
    name: str
    seconds: float  # median wall-clock over the repeats
    all_seconds: tuple[float, ...]
    pdf_bytes: int
    output_pages: int


@dataclass(frozen=True)
class PageScore:
    index: int
    file: str
    page: int
    profile: str
    blank: bool
    ours_page: int | None  # page number in our PDF; None when dropped (blank) or missing
    ours_cer: float
    theirs_cer: float
    ours_miss: float  # order-free word error: words missing plus words extra, over the true words
    theirs_miss: float
    ours_text: str
    theirs_text: str
    ours_cer_fixed: float = 0.0  # after the Vietnamese post-correction (dossier.digitize.vietnamese)
    ours_miss_fixed: float = 0.0


@dataclass(frozen=True)
class ProfileRow:
    profile: str
    pages: int
    ours_cer: float
    theirs_cer: float
    ours_miss: float
    theirs_miss: float
    ours_cer_fixed: float = 0.0
    ours_miss_fixed: float = 0.0

    @property
    def met(self) -> bool:
        return self.ours_cer <= self.theirs_cer and self.ours_miss <= self.theirs_miss


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=36, help="generated pages (default 36)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=1, help="timed runs per tool; the median is reported")
    parser.add_argument("--jobs", type=int, default=2, help="parallel jobs for both tools (default 2)")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out")
    return parser.parse_args()


def input_order(samples: SampleSet) -> list[SamplePage]:
    """Sample pages in the order img2pdf bundles them: files in set order, each file's pages in order."""
    by_file = {
        name: sorted((p for p in samples.pages if p.file == name), key=lambda p: p.page)
        for name in samples.files
    }
    return [page for name in samples.files for page in by_file[name]]


def bundle_for_ocrmypdf(samples: SampleSet, pdf: Path) -> float:
    """One PDF holding the very same pixels (lossless, 300 dpi from the files); returns its seconds."""
    started = time.perf_counter()
    pdf.write_bytes(img2pdf.convert([str(samples.out_dir / name) for name in samples.files]))
    return time.perf_counter() - started


def run_ours(samples: SampleSet, out: Path, jobs: int) -> float:
    sources = [str(samples.out_dir / name) for name in samples.files]
    done = run_timed(
        [tool("dossier"), "-q", "scan", *sources, "--out", str(out), "--jobs", str(jobs), "--json"]
    )
    if done.returncode not in (0, 11):  # 11: some sources failed, the good pages are still written
        raise SystemExit(f"dossier scan failed ({done.returncode}):\n{done.stderr}")
    if done.returncode == 11:
        print(f"warning: dossier scan reported failed sources:\n{done.stdout}", file=sys.stderr)
    return done.seconds


def run_theirs(in_pdf: Path, out_pdf: Path, jobs: int, extra: tuple[str, ...] = ()) -> float:
    done = run_timed(
        [tool("ocrmypdf"), *OCRMYPDF_ARGS, *extra, "--jobs", str(jobs), str(in_pdf), str(out_pdf)]
    )
    if done.returncode != 0:
        raise SystemExit(f"ocrmypdf failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return done.seconds


def our_page_map(manifest: dict[str, object]) -> tuple[dict[tuple[str, int], int], set[tuple[str, int]]]:
    """(sample file name, page in file) -> page in our PDF, and the set of pages dropped as blank."""

    def key(entry: dict[str, object]) -> tuple[str, int]:
        source = entry["source"]
        assert isinstance(source, dict)
        return Path(str(source["name"])).name, int(source["page"])

    pages, blanks = manifest["pages"], manifest["blank_pages"]
    assert isinstance(pages, list) and isinstance(blanks, list)
    return {key(e): int(e["page"]) for e in pages}, {key(e) for e in blanks}


def score_pages(samples: SampleSet, ours_dir: Path, theirs_pdf: Path) -> list[PageScore]:
    manifest = json.loads((ours_dir / "manifest.json").read_text(encoding="utf-8"))
    ours_pages, ours_blanks = our_page_map(manifest)
    ours_pdf = ours_dir / "scan.pdf"
    scores = []
    for theirs_page, sample in enumerate(input_order(samples), start=1):
        ours_page = ours_pages.get((sample.file, sample.page))
        ours_text = page_text(ours_pdf, ours_page) if ours_page else ""
        theirs_text = page_text(theirs_pdf, theirs_page)
        dropped_ok = sample.blank and (sample.file, sample.page) in ours_blanks
        # Blank pages: 0 when dropped or left without text, 1 when text appears; text pages: the CER.
        scores.append(
            PageScore(
                sample.index, sample.file, sample.page, sample.profile, sample.blank, ours_page,
                0.0 if dropped_ok else cer(sample.text, ours_text), cer(sample.text, theirs_text),
                0.0 if dropped_ok else word_error(sample.text, ours_text),
                word_error(sample.text, theirs_text),
                ours_text, theirs_text,
                0.0 if dropped_ok else cer(sample.text, correct_text(ours_text)),
                0.0 if dropped_ok else word_error(sample.text, correct_text(ours_text)),
            )
        )  # fmt: skip
    return scores


def profile_rows(scores: list[PageScore]) -> list[ProfileRow]:
    profiles = sorted({s.profile for s in scores})
    rows = []
    for profile in [*profiles, "ALL"]:
        chosen = [s for s in scores if profile in ("ALL", s.profile)]
        rows.append(
            ProfileRow(
                profile,
                len(chosen),
                statistics.fmean(s.ours_cer for s in chosen),
                statistics.fmean(s.theirs_cer for s in chosen),
                statistics.fmean(s.ours_miss for s in chosen),
                statistics.fmean(s.theirs_miss for s in chosen),
                statistics.fmean(s.ours_cer_fixed for s in chosen),
                statistics.fmean(s.ours_miss_fixed for s in chosen),
            )
        )
    return rows


def ppm(pages: int, seconds: float) -> float:
    return pages * 60.0 / seconds


def tables(pages: int, ours: ToolRun, theirs: ToolRun, rows: list[ProfileRow], lossy_bytes: int) -> str:
    ours_ppm, theirs_ppm = ppm(pages, ours.seconds), ppm(pages, theirs.seconds)
    ours_bpp, theirs_bpp = ours.pdf_bytes / pages, theirs.pdf_bytes / pages
    overall = rows[-1]
    yes = {True: "yes", False: "**NO**"}
    lines = [
        "| metric | dossier | OCRmyPDF | ratio | target | met? |",
        "|---|---:|---:|---:|---|---|",
        f"| wall time, {pages} pages (s) | {ours.seconds:.1f} | {theirs.seconds:.1f} | "
        f"{ours.seconds / theirs.seconds:.2f} | | |",
        f"| pages per minute | {ours_ppm:.1f} | {theirs_ppm:.1f} | {ours_ppm / theirs_ppm:.2f}x | "
        f">= {TARGET_SPEED:g}x | {yes[ours_ppm >= TARGET_SPEED * theirs_ppm]} |",
        f"| output bytes per page | {ours_bpp:,.0f} | {theirs_bpp:,.0f} | {ours_bpp / theirs_bpp:.3f}x | "
        f"<= {TARGET_BYTES:g}x | {yes[ours_bpp <= TARGET_BYTES * theirs_bpp]} |",
        f"| output bytes per page, OCRmyPDF {' '.join(LOSSY)} (lossy) | {ours_bpp:,.0f} | "
        f"{lossy_bytes / pages:,.0f} | {ours_bpp / (lossy_bytes / pages):.3f}x | | |",
        f"| CER, all pages (mean) | {overall.ours_cer:.4f} | {overall.theirs_cer:.4f} | "
        f"{_ratio(overall.ours_cer, overall.theirs_cer)} | <= 1x on every profile | "
        f"{yes[all(r.met for r in rows)]} |",
        "",
        "| profile | pages | dossier CER | OCRmyPDF CER | dossier word error* | OCRmyPDF word error* "
        "| met? | dossier CER, corrected** | dossier word error, corrected** |",
        "|---|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    lines += [
        f"| {r.profile} | {r.pages} | {r.ours_cer:.4f} | {r.theirs_cer:.4f} | "
        f"{r.ours_miss:.4f} | {r.theirs_miss:.4f} | {yes[r.met]} | {r.ours_cer_fixed:.4f} | "
        f"{r.ours_miss_fixed:.4f} |"
        for r in rows
    ]
    lines += [
        "",
        "\\* order-free: words missing plus words extra (as multisets) over the true words; reading order"
        " does not count. 'met' = dossier no worse on both measures.",
        "\\*\\* the same text layer after `dossier.digitize.vietnamese.correct_text` (tone marks and case,"
        " only on syllables hunspell-vi does not know); not part of `dossier scan` yet.",
    ]
    return "\n".join(lines)


def _ratio(ours: float, theirs: float) -> str:
    return f"{ours / theirs:.2f}x" if theirs else ("1.00x" if ours == theirs else "inf")


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
    }
    header = [
        f"machine: {box.nproc} CPUs, {box.cpu}; {box.system}; Python {box.python}",
        "versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()),
        f"pages: {args.pages} (seed {args.seed}), jobs: {args.jobs}, repeats: {args.repeat} (median time)",
    ]
    print("\n".join(header), flush=True)

    shutil.rmtree(out / "samples", ignore_errors=True)
    samples = make_samples(out / "samples", args.pages, args.seed)
    bundle_seconds = bundle_for_ocrmypdf(samples, out / "ocrmypdf-input.pdf")
    print(f"img2pdf bundled {len(samples.pages)} pages in {bundle_seconds:.1f} s (not counted)", flush=True)

    ours_dir, theirs_pdf = out / "ours", out / "ocrmypdf.pdf"
    ours_times, theirs_times = [], []
    for attempt in range(1, args.repeat + 1):
        ours_times.append(run_ours(samples, ours_dir, args.jobs))
        theirs_times.append(run_theirs(out / "ocrmypdf-input.pdf", theirs_pdf, args.jobs))
        print(f"run {attempt}: dossier {ours_times[-1]:.1f} s, OCRmyPDF {theirs_times[-1]:.1f} s", flush=True)

    pages = len(samples.pages)
    theirs_pages = pdf_page_count(theirs_pdf)
    if theirs_pages != pages:
        raise SystemExit(f"OCRmyPDF wrote {theirs_pages} pages for {pages} input pages: alignment lost")
    ours = ToolRun(
        "dossier",
        statistics.median(ours_times),
        tuple(ours_times),
        (ours_dir / "scan.pdf").stat().st_size,
        pdf_page_count(ours_dir / "scan.pdf"),
    )
    theirs = ToolRun(
        "OCRmyPDF",
        statistics.median(theirs_times),
        tuple(theirs_times),
        theirs_pdf.stat().st_size,
        theirs_pages,
    )
    lossy_pdf = out / "ocrmypdf-lossy.pdf"
    lossy_seconds = run_theirs(out / "ocrmypdf-input.pdf", lossy_pdf, args.jobs, tuple(LOSSY))
    print(f"OCRmyPDF {' '.join(LOSSY)}: {lossy_seconds:.1f} s (size only)", flush=True)
    scores = score_pages(samples, ours_dir, theirs_pdf)
    rows = profile_rows(scores)
    blanks = [s for s in scores if s.blank]
    runs = ", ".join(f"{a:.1f}/{b:.1f}" for a, b in zip(ours.all_seconds, theirs.all_seconds, strict=True))
    truth_words = [w for s in samples.pages for w in s.text.split()]
    false_fixes = sum(correct_word(w) != w for w in truth_words)
    notes = [
        f"post-correction: {len(dictionary()):,} syllables from hunspell-vi; correct words it changed in"
        f" the ground truth: {false_fixes} of {len(truth_words):,}"
        f" ({false_fixes / max(len(truth_words), 1):.3%})",
        f"wall time per run, dossier/OCRmyPDF (s): {runs}; img2pdf {bundle_seconds:.1f} s (not counted)",
        f"blank pages: {len(blanks)}; dossier dropped {sum(s.ours_page is None for s in blanks)}, "
        f"OCRmyPDF left {sum(not s.theirs_text for s in blanks)} without text (CER row 'blank': 0 = right)",
        f"output pages: dossier {ours.output_pages}, OCRmyPDF {theirs.output_pages}; bytes: the PDF only "
        f"(dossier's manifest.json adds {(ours_dir / 'manifest.json').stat().st_size:,} bytes)",
    ]
    report = (
        "\n".join([*header, "", tables(pages, ours, theirs, rows, lossy_pdf.stat().st_size), "", *notes])
        + "\n"
    )
    print("\n" + report)
    (out / "results.md").write_text(report, encoding="utf-8")
    payload = {
        "machine": asdict(box),
        "versions": versions,
        "args": {k: str(v) for k, v in vars(args).items()},
        "img2pdf_seconds": bundle_seconds,
        "tools": [asdict(ours), asdict(theirs)],
        "profiles": [{**asdict(r), "met": r.met} for r in rows],
        "pages": [asdict(s) for s in scores],
    }
    (out / "results.json").write_text(
        json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
