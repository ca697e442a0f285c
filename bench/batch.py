"""Benchmark `dossier batch` over a tree of dossiers, side by side with OCRmyPDF under GNU parallel and a
shell loop of `dossier scan`: pages per minute, peak RSS per worker, resume after a kill, 1 vs 2 workers.

    python bench/batch.py                     # 300+ pages in 32 dossiers of 1-60 pages, one run of each
    python bench/batch.py --small             # a few pages: checks the script, measures nothing
    python bench/batch.py --only memory       # one 500-page 300-dpi PDF: peak RSS per worker and client
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import img2pdf
import psutil
from common import first_line, machine, tool
from PIL import Image

from dossier import __version__ as dossier_version
from dossier.batch.journal import finished_page_count
from dossier.samples.make import make_samples

OUT = Path(__file__).resolve().parent / "out" / "batch"
RESULTS = Path(__file__).resolve().parent / "results"
# 32 dossiers, 1 to 60 pages, 302 pages: a few thick files and many thin ones, as in a real archive
SIZES = (
    60,
    30,
    20,
    15,
    12,
    10,
    10,
    9,
    8,
    8,
    8,
    7,
    7,
    6,
    6,
    6,
    5,
    5,
    5,
    5,
    4,
    4,
    4,
    4,
    3,
    3,
    3,
    2,
    2,
    2,
    1,
    1,
)
SMALL_SIZES = (3, 1, 2)
POOL_PAGES = 40  # distinct generated pages, reused across dossiers (each page is still OCRed every time)
OCRMYPDF_ARGS = ["-l", "vie", "--deskew", "--rotate-pages", "--output-type", "pdfa-2"]


@dataclass
class Sampler:
    """Peak RSS of a process and of each of its worker processes, read every 0.2 s."""

    root: int
    peak_client: int = 0
    peak_workers: dict[int, int] = field(default_factory=dict)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                proc = psutil.Process(self.root)
                self.peak_client = max(self.peak_client, proc.memory_info().rss)
                for child in proc.children(recursive=True):
                    cmd = " ".join(child.cmdline())
                    if "multiprocessing" in cmd and "resource_tracker" not in cmd:
                        rss = child.memory_info().rss
                        self.peak_workers[child.pid] = max(self.peak_workers.get(child.pid, 0), rss)
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                pass
            time.sleep(0.2)

    @property
    def peak_worker(self) -> int:
        return max(self.peak_workers.values(), default=0)


def mb(n: int) -> float:
    return round(n / 1e6, 1)


def ppm(pages: int, seconds: float) -> float:
    return round(pages * 60 / seconds, 1) if seconds else 0.0


def pool(out: Path, count: int, seed: int, dpi: int) -> list[Path]:
    """Single-page PNGs at `dpi`: the generated 300-dpi sample pages (multi-page TIFFs split into frames),
    resampled when `dpi` is lower."""
    samples = make_samples(out / "pool-src", count, seed)
    pages: list[Path] = []
    folder = out / f"pool-{dpi}"
    folder.mkdir()
    for name in samples.files:
        path = samples.out_dir / name
        with Image.open(path) as image:
            for frame in range(getattr(image, "n_frames", 1)):
                image.seek(frame)
                page = image.convert("RGB") if image.mode not in ("1", "L", "RGB") else image.copy()
                if dpi != 300:
                    size = (round(page.width * dpi / 300), round(page.height * dpi / 300))
                    page = page.convert("L" if page.mode == "1" else page.mode).resize(size, Image.LANCZOS)
                single = folder / f"{path.stem}-{frame + 1}.png"
                page.save(single, dpi=(dpi, dpi))
                pages.append(single)
    return pages


def make_tree(out: Path, sizes: tuple[int, ...], pages: list[Path]) -> tuple[Path, int]:
    """Dossiers as PDFs (img2pdf: the same pixels, lossless) under year folders; returns (tree, pages)."""
    tree = out / "tree"
    cursor = 0
    for number, size in enumerate(sizes, start=1):
        chosen = [str(pages[(cursor + i) % len(pages)]) for i in range(size)]
        cursor += size
        folder = tree / str(2015 + number % 4)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"hs-{number:03d}.pdf").write_bytes(img2pdf.convert(chosen))
    return tree, sum(sizes)


def note(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def timed(
    args: list[str], sample: bool = False, **kwargs: object
) -> tuple[float, subprocess.CompletedProcess, Sampler]:
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)
    sampler = Sampler(proc.pid)
    thread = threading.Thread(target=sampler.run, daemon=True)
    if sample:
        thread.start()
    stdout, stderr = proc.communicate()
    seconds = time.perf_counter() - started
    sampler.stop.set()
    note(f"{Path(args[0]).name} {' '.join(args[1:3])}... exit {proc.returncode} in {seconds:.1f} s")
    return seconds, subprocess.CompletedProcess(args, proc.returncode, stdout, stderr), sampler


DPI = {"value": 300}  # the tree's resolution; `dossier` renders the PDF pages at it


def batch_args(tree: Path, dest: Path, jobs: int) -> list[str]:
    dpi = str(DPI["value"])
    return [
        tool("dossier"),
        "-q",
        "batch",
        str(tree),
        "--out",
        str(dest),
        "--jobs",
        str(jobs),
        "--dpi",
        dpi,
        "--json",
    ]


def dossier_batch(tree: Path, dest: Path, jobs: int) -> tuple[float, dict, Sampler]:
    seconds, done, sampler = timed(batch_args(tree, dest, jobs), sample=True)
    if done.returncode not in (0, 11):
        raise SystemExit(f"dossier batch failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return seconds, json.loads(done.stdout), sampler


def ocrmypdf_parallel(tree: Path, dest: Path, jobs: int) -> float:
    """As OCRmyPDF's docs suggest for many files: GNU parallel, one ocrmypdf per file, -j jobs at a time."""
    files = sorted(tree.rglob("*.pdf"))
    dest.mkdir(parents=True, exist_ok=True)
    listing = dest / "files.txt"
    listing.write_text("".join(f"{f}\n" for f in files), encoding="utf-8")
    command = [
        "parallel", "--halt", "never", "-j", str(jobs), "-a", str(listing),
        tool("ocrmypdf"), *OCRMYPDF_ARGS, "{}", f"{dest}/{{/}}",
    ]  # fmt: skip
    seconds, done, _sampler = timed(command)
    if done.returncode != 0:
        print(f"warning: parallel/ocrmypdf exit {done.returncode}: {done.stderr[-1500:]}", file=sys.stderr)
    return seconds


def scan_loop(tree: Path, dest: Path, jobs: int) -> float:
    """The shell loop an operator writes today: one `dossier scan` (a fresh Python and pool) per file."""
    dest.mkdir(parents=True, exist_ok=True)
    script = (
        'for f in "$1"/*/*.pdf; do n=$(basename "$f" .pdf); '
        f'"{tool("dossier")}" -q scan "$f" --out "$2/$n" --jobs {jobs} --dpi {DPI["value"]} || true; done'
    )
    seconds, _done, _sampler = timed(["bash", "-c", script, "loop", str(tree), str(dest)])
    return seconds


def resume_after_kill(tree: Path, dest: Path, total: int, jobs: int) -> dict:
    """Kill -9 the batch (and its cluster) at half the pages, rerun, count what the rerun redid."""
    command = batch_args(tree, dest, jobs)
    started = time.perf_counter()
    proc = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    while finished_page_count(dest) < total // 2 and proc.poll() is None:
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    before_kill = time.perf_counter() - started
    finished = finished_page_count(dest)
    seconds, document, _sampler = dossier_batch(tree, dest, jobs)
    processed = document["totals"]["pages_processed"]
    # every page of the tree is processed once (blank ones too, then dropped); the journal counted `finished`
    # of them before the kill, so whatever the rerun processed beyond the rest was done twice
    redone = max(0, processed - (total - finished))
    return {
        "killed_after_s": round(before_kill, 1),
        "pages_finished_at_kill": finished,
        "rerun_seconds": round(seconds, 1),
        "rerun_pages_processed": processed,
        "finished_pages_redone": redone,
        "share_redone": round(redone / finished, 4) if finished else 0.0,
    }


def page_costs(tree: Path, count: int = 6) -> dict:
    """One core, in this process: seconds per page and the bytes a page's job and result take on the wire."""
    from dossier.batch.task import run_page
    from dossier.digitize.acquire import probe_file
    from dossier.digitize.pages import PageJob
    from dossier.models import ColourMode

    pdf = sorted(tree.rglob("*.pdf"))[0]
    pages = probe_file(pdf, 1)[:count]
    seconds, sent, received = [], [], []
    for page in pages:
        job = PageJob(page, Path("/tmp"), "vie", ColourMode.auto, DPI["value"])
        t0 = time.perf_counter()
        outcome = run_page(job)
        seconds.append(time.perf_counter() - t0)
        sent.append(len(pickle.dumps(job)))
        received.append(len(pickle.dumps(outcome)))
    return {
        "pages": len(pages),
        "seconds_per_page_one_core": round(sum(seconds) / len(seconds), 2),
        "bytes_to_worker_per_page": round(sum(sent) / len(sent)),
        "bytes_from_worker_per_page": round(sum(received) / len(received)),
    }


def memory_run(out: Path, count: int, jobs: int) -> dict:
    """One dossier of `count` A4 pages at 300 dpi: peak RSS of each worker and of the client."""
    from PIL import ImageDraw, ImageFont

    tree = out / "memory-tree"
    tree.mkdir(parents=True, exist_ok=True)
    font = ImageFont.truetype("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf", 50)
    light = []
    for n in range(4):  # A4 at 300 dpi, a few lines each: full-size arrays, a short OCR
        image = Image.new("L", (2480, 3508), 250)
        draw = ImageDraw.Draw(image)
        for line in range(4):
            draw.text(
                (250, 300 + 90 * line),
                f"TỜ KHAI SỐ {n}-{line}: Ủy ban nhân dân xã Hòa Tiến",
                fill=0,
                font=font,
            )
        path = out / f"light-{n}.png"
        image.save(path, dpi=(300, 300))
        light.append(str(path))
    chosen = [light[i % len(light)] for i in range(count)]
    (tree / "dai.pdf").write_bytes(img2pdf.convert(chosen))
    previous, DPI["value"] = DPI["value"], 300
    try:
        seconds, document, sampler = dossier_batch(tree, out / "memory-dest", jobs)
    finally:
        DPI["value"] = previous
    return {
        "pages": count,
        "seconds": round(seconds, 1),
        "pages_per_minute": ppm(document["totals"]["pages_processed"], seconds),
        "peak_rss_worker_mb": {str(pid): mb(rss) for pid, rss in sampler.peak_workers.items()},
        "peak_rss_client_mb": mb(sampler.peak_client),
    }


def client_growth(out: Path, counts: tuple[int, ...], jobs: int) -> dict:
    """The client's peak RSS for trees of many one-page dossiers (small 75-dpi pages: the client matters)."""
    from PIL import ImageDraw, ImageFont

    from dossier.fonts import font_path

    result = {}
    for count in counts:
        tree = out / f"many-{count}"
        for n in range(count):
            folder = tree / f"{n // 100:02d}" / f"hs-{n:04d}"
            folder.mkdir(parents=True, exist_ok=True)
            image = Image.new("L", (620, 877), 255)
            font = ImageFont.truetype(str(font_path()), 28)  # readable: a page read as blank would fail
            ImageDraw.Draw(image).text((60, 80), f"HỒ SƠ SỐ {n}", fill=0, font=font)
            image.save(folder / "p1.png", dpi=(75, 75))
        _seconds, document, sampler = dossier_batch(tree, out / f"many-{count}-dest", jobs)
        failed = [i for i in document["items"] if i["outcome"] != "done"]
        if failed:  # the client's memory is only measured on dossiers it really wrote
            raise SystemExit(f"client growth: {len(failed)} of {count} dossiers not done: {failed[0]}")
        result[str(count)] = mb(sampler.peak_client)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--small", action="store_true", help="a tiny tree: checks the script only")
    parser.add_argument("--only", choices=("compare", "memory", "growth"), help="run one part")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--one-worker-dossiers", type=int, default=12, help="the 1-worker run's share of the tree"
    )
    parser.add_argument("--memory-pages", type=int, default=500)
    parser.add_argument("--dpi", type=int, default=300, help="the tree's resolution (the memory PDF is 300)")
    parser.add_argument("--sizes", help="dossier sizes, comma-separated (default: 32 dossiers, 302 pages)")
    parser.add_argument("--client-counts", default="30,300", help="numbers of one-page dossiers")
    args = parser.parse_args()
    DPI["value"] = args.dpi
    out = OUT / ("small" if args.small else "full")
    subprocess.run(["rm", "-rf", str(out)], check=True)
    out.mkdir(parents=True)
    sizes = SMALL_SIZES if args.small else SIZES
    if args.sizes:
        sizes = tuple(int(n) for n in args.sizes.split(","))
    pages = pool(out, 6 if args.small else POOL_PAGES, args.seed, args.dpi)
    report: dict[str, object] = {
        "machine": machine().__dict__,
        "versions": {
            "dossier": dossier_version,
            "ocrmypdf": first_line([tool("ocrmypdf"), "--version"]),
            "tesseract": first_line(["tesseract", "--version"]),
            "parallel": first_line(["parallel", "--version"]),
        },
    }
    lines = [f"# dossier batch benchmark ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})", ""]
    if args.only in (None, "compare"):
        tree, total = make_tree(out, sizes, pages)
        lines.append(
            f"tree: {len(sizes)} dossiers (PDF, {args.dpi} dpi), {total} pages, "
            f"sizes {min(sizes)}-{max(sizes)}"
        )
        ours_s, ours_doc, sampler = dossier_batch(tree, out / "ours", args.jobs)
        ours_pages = ours_doc["totals"]["pages_processed"]
        theirs_s = ocrmypdf_parallel(tree, out / "ocrmypdf", args.jobs)
        loop_s = scan_loop(tree, out / "loop", args.jobs)
        sub = out / "sub"
        sub_sizes = sizes[-args.one_worker_dossiers :] if not args.small else sizes
        sub_tree, sub_total = make_tree(sub, sub_sizes, pages)
        one_s, _one, _sampler = dossier_batch(sub_tree, sub / "one", 1)
        two_s, _two, _ = dossier_batch(sub_tree, sub / "two", 2)
        resume = resume_after_kill(tree, out / "resume", total, args.jobs)
        costs = page_costs(tree)
        compare = {
            "pages": total,
            "dossiers": len(sizes),
            "dossier_batch": {"seconds": round(ours_s, 1), "ppm": ppm(total, ours_s), "ocred": ours_pages},
            "ocrmypdf_parallel": {"seconds": round(theirs_s, 1), "ppm": ppm(total, theirs_s)},
            "dossier_scan_loop": {"seconds": round(loop_s, 1), "ppm": ppm(total, loop_s)},
            "peak_rss_worker_mb": mb(sampler.peak_worker),
            "peak_rss_client_mb": mb(sampler.peak_client),
            "one_vs_two": {
                "pages": sub_total,
                "one_worker": {"seconds": round(one_s, 1), "ppm": ppm(sub_total, one_s)},
                "two_workers": {"seconds": round(two_s, 1), "ppm": ppm(sub_total, two_s)},
            },
            "resume": resume,
            "page_costs": costs,
        }
        report["compare"] = compare
        t1 = compare["one_vs_two"]["one_worker"]["seconds"] / sub_total
        lines += [
            "",
            "| run | seconds | pages/min | vs OCRmyPDF |",
            "|---|---|---|---|",
            f"| dossier batch --jobs {args.jobs} | {ours_s:.1f} | {ppm(total, ours_s)} | "
            f"{theirs_s / ours_s:.2f}x |",
            f"| OCRmyPDF, parallel -j {args.jobs} | {theirs_s:.1f} | {ppm(total, theirs_s)} | 1.00x |",
            f"| shell loop of dossier scan --jobs {args.jobs} | {loop_s:.1f} | {ppm(total, loop_s)} | "
            f"{theirs_s / loop_s:.2f}x |",
            "",
            f"peak RSS: worker {mb(sampler.peak_worker)} MB, client {mb(sampler.peak_client)} MB",
            f"1 vs 2 workers ({sub_total} pages, last {len(sub_sizes)} dossiers): "
            f"{ppm(sub_total, one_s)} vs {ppm(sub_total, two_s)} pages/min ({one_s / two_s:.2f}x)",
            f"resume: killed at {resume['pages_finished_at_kill']}/{total} pages after "
            f"{resume['killed_after_s']} s; rerun {resume['rerun_seconds']} s for "
            f"{resume['rerun_pages_processed']} pages; finished pages redone "
            f"{resume['finished_pages_redone']} ({resume['share_redone'] * 100:.1f} %)",
            f"per page (one core, in process): {costs['seconds_per_page_one_core']} s; on the wire "
            f"{costs['bytes_to_worker_per_page']} B to the worker, "
            f"{costs['bytes_from_worker_per_page']} B back",
            "",
            "on paper, N workers (one core each) on a cluster: pages/min = N x 60 / "
            f"{t1:.2f} s (measured 1-worker seconds per page here), while the client writes PDFs and the "
            f"network carries {costs['bytes_from_worker_per_page'] / 1e3:.0f} kB per page:",
        ]
        for n in (1, 2, 8, 32, 128):
            rate = n * 60 / t1
            wire = rate * costs["bytes_from_worker_per_page"] / 60 / 1e6
            lines.append(f"  N={n:>3}: {rate:8.0f} pages/min, {wire:6.2f} MB/s from the workers")
    if args.only in (None, "memory"):
        count = 20 if args.small else args.memory_pages
        memory = memory_run(out, count, args.jobs)
        report["memory"] = memory
        lines += [
            "",
            f"one {count}-page 300-dpi PDF, --jobs {args.jobs}: {memory['seconds']} s "
            f"({memory['pages_per_minute']} pages/min); peak RSS per worker (MB): "
            f"{', '.join(str(v) for v in memory['peak_rss_worker_mb'].values())}; client "
            f"{memory['peak_rss_client_mb']} MB",
        ]
    if args.only in (None, "memory", "growth"):
        counts = tuple(int(n) for n in args.client_counts.split(","))
        growth = client_growth(out, (5, 10) if args.small else counts, args.jobs)
        report["client_growth_mb"] = growth
        lines.append(
            "client peak RSS by number of one-page dossiers (all done): "
            + ", ".join(f"{k} dossiers {v} MB" for k, v in growth.items())
        )
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.small:
        RESULTS.mkdir(exist_ok=True)
        name = "batch" if args.only is None else f"batch-{args.only}"
        (RESULTS / f"{name}.txt").write_text(text, encoding="utf-8")
        (RESULTS / f"{name}.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
