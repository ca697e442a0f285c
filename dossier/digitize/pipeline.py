"""`scan_dossier`: acquire, then clean, OCR and encode pages in parallel, then write PDF/A and manifest."""

from __future__ import annotations

import contextlib
import fcntl
import multiprocessing
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from dossier import __version__
from dossier.digitize import acquire, sane
from dossier.digitize.manifest import build_manifest
from dossier.digitize.pages import PageJob, PageOutcome, process_page
from dossier.digitize.pdf import PdfMetadata, PdfPageSpec, write_pdf
from dossier.errors import InputFileError, OutputError, ScannerError
from dossier.fsutil import make_private_dir, recover_replace, replace_dir, sha256_file
from dossier.i18n import _
from dossier.models import ColourMode, FailedSource, OutputFile, ProcessedPage, RawPage, ScanResult
from dossier.progress import StageProgress as ProgressCallback
from dossier.store.folder import DossierFolder, RescanPlan, resolve_output
from dossier.tools import require_tesseract


@dataclass(frozen=True)
class ScanOptions:
    out_dir: Path
    sources: tuple[Path, ...] = ()
    scanner: sane.ScanRequest | None = None
    language: str = "vie"
    colour: ColourMode = ColourMode.auto
    dpi: int = 300
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    title: str | None = None
    dossier_id: str | None = None
    jpeg_quality: int | None = None
    force: bool = False  # replace an output folder holding files the scan did not write


def _unwritable(out_dir: Path, exc: OSError) -> OutputError:
    reason = exc.strerror or str(exc)
    return OutputError(_("Không ghi được vào thư mục đầu ra ({reason}).").format(reason=reason), path=out_dir)


@contextlib.contextmanager
def _output_lock(out_dir: Path) -> Iterator[None]:
    """One run at a time per output folder; stale staging folders of killed runs are removed here."""
    out_dir = out_dir.absolute()
    try:
        make_private_dir(out_dir.parent)
        lock_path = out_dir.parent / f".{out_dir.name}.lock"
        handle = lock_path.open("a")
    except OSError as exc:
        raise _unwritable(out_dir, exc) from exc
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise OutputError(_("Một lần quét khác đang ghi vào thư mục này."), path=out_dir) from exc
        for stale in out_dir.parent.glob(f".{out_dir.name}.partial-*"):
            shutil.rmtree(stale, ignore_errors=True)
        try:
            yield
        finally:
            lock_path.unlink(missing_ok=True)


def _prepare_output(out_dir: Path, force: bool) -> tuple[Path, RescanPlan]:
    """Check the output folder may be (re)placed (a swap cut short by a crash is undone first) and return a
    fresh private staging folder beside it, with what the new folder keeps from the old one."""
    out_dir = out_dir.absolute()
    try:
        recover_replace(out_dir)
    except OSError as exc:
        raise _unwritable(out_dir, exc) from exc
    plan = DossierFolder(out_dir).plan_rescan(force)
    try:
        make_private_dir(out_dir.parent)
        return Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.partial-", dir=out_dir.parent)), plan
    except OSError as exc:
        raise _unwritable(out_dir, exc) from exc


def _scan_work_dir(out_dir: Path) -> Path:
    """Scanner pages are kept here until the dossier is complete, so a crash never loses a scanned sheet."""
    return make_private_dir(out_dir.absolute().parent / f".{out_dir.name}.scans")


def _acquire(options: ScanOptions) -> tuple[list[RawPage], list[FailedSource]]:
    failed: list[FailedSource] = []
    pages: list[RawPage] = []
    if options.sources:
        files: list[Path] = []
        for source in options.sources:
            try:
                files.extend(acquire.expand_sources([source]))
            except InputFileError as error:
                failed.append(FailedSource(str(error.path), error.message, int(error.exit_code)))
        found, failures = acquire.probe_files(files)
        pages.extend(found)
        failed.extend(FailedSource(f.name, f.error.message, int(f.error.exit_code)) for f in failures)
    if options.scanner is not None:
        try:
            batch = sane.scan(options.scanner, _scan_work_dir(options.out_dir), len(pages) + 1)
        except ScannerError as error:
            if not pages:
                raise
            batch = sane.ScanBatch((), error)  # the file sources still come out
        pages.extend(batch.pages)
        if batch.failure is not None:
            failure = batch.failure
            failed.append(FailedSource(options.scanner.device, failure.message, int(failure.exit_code)))
    return pages, failed


def _worker_init() -> None:
    """One thread per worker: pages are the parallelism (Tesseract's OpenMP threads would oversubscribe)."""
    import cv2

    os.environ["OMP_THREAD_LIMIT"] = "1"
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    cv2.setNumThreads(1)


def _page_spec(outcome: PageOutcome) -> PdfPageSpec:
    page = outcome.job.page
    if page.born_digital:
        return PdfPageSpec.born_digital(page.path, page.frame)
    assert outcome.encoded is not None and outcome.processed is not None
    return PdfPageSpec.scanned(outcome.encoded, outcome.processed.text)


def _run_pages(jobs: Sequence[PageJob], workers: int, progress: ProgressCallback | None) -> list[PageOutcome]:
    outcomes: list[PageOutcome] = []
    if workers <= 1 or len(jobs) <= 1:
        _worker_init()
        for job in jobs:
            outcomes.append(process_page(job))
            if progress:
                progress("pages", len(outcomes), len(jobs))
        return outcomes
    # forkserver, not fork: forking a parent whose OpenCV or sample-rendering threads hold locks deadlocks
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(
        max_workers=min(workers, len(jobs)), initializer=_worker_init, mp_context=context
    ) as pool:
        futures: list[Future[PageOutcome]] = [pool.submit(process_page, job) for job in jobs]
        for future in futures:
            outcomes.append(future.result())
            if progress:
                progress("pages", len(outcomes), len(jobs))
    return outcomes


def scan_dossier(options: ScanOptions, progress: ProgressCallback | None = None) -> ScanResult:
    """Digitize the sources (files, folders, PDFs, a scanner) into one searchable PDF/A plus manifest.json."""
    started = time.monotonic()
    scan_time = datetime.now().astimezone()
    require_tesseract(options.language)
    target = resolve_output(options.out_dir)  # a symlinked --out: the folder it points to is replaced
    with _output_lock(target):
        staging, plan = _prepare_output(target, options.force)
        try:
            result = _scan_into(options, target, staging, plan, started, scan_time, progress)
            return replace(result, out_dir=options.out_dir)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)


def _scan_into(
    options: ScanOptions,
    target: Path,
    staging: Path,
    plan: RescanPlan,
    started: float,
    scan_time: datetime,
    progress: ProgressCallback | None,
) -> ScanResult:
    timings: dict[str, float] = {}
    t0 = time.monotonic()
    raw_pages, failed = _acquire(options)
    timings["acquire"] = time.monotonic() - t0
    if progress:
        progress("acquired", len(raw_pages), len(raw_pages))

    work = make_private_dir(staging / ".work")
    jobs = [
        PageJob(
            page=page,
            work_dir=work,
            language=options.language,
            colour=options.colour,
            default_dpi=options.dpi,
            jpeg_quality=options.jpeg_quality,
        )
        for page in raw_pages
    ]
    t0 = time.monotonic()
    outcomes = _run_pages(jobs, options.jobs, progress)
    timings["pages"] = time.monotonic() - t0

    bad_sources = {o.job.page.source.name: o.error for o in outcomes if o.error is not None}
    for name, error in bad_sources.items():
        failed.append(FailedSource(name, error.message, int(error.exit_code)))
    kept = [o for o in outcomes if o.error is None and o.job.page.source.name not in bad_sources]
    pages = [o for o in kept if not (o.processed and o.processed.clean and o.processed.clean.is_blank)]
    blanks = [o.processed for o in kept if o.processed and o.processed.clean and o.processed.clean.is_blank]
    if not pages:
        if failed:
            first = failed[0]
            raise InputFileError(
                _("Không có trang nào dùng được; {n} nguồn bị lỗi.").format(n=len(failed)),
                path=first.name,
                hint=first.reason,
            )
        raise InputFileError(_("Không có trang nào có nội dung (tất cả đều trắng)."), path=options.out_dir)

    shutil.rmtree(work, ignore_errors=True)
    result = write_scan_output(
        DossierFolder(staging), pages, blanks, failed, options, scan_time, timings, started
    )
    for kept in plan.keep:  # the officers' records about the dossier outlive its pages
        shutil.copy2(kept, staging / kept.name)
    try:
        replace_dir(staging, target)
    except OSError as exc:
        raise _unwritable(target, exc) from exc
    if options.scanner is not None:
        shutil.rmtree(_scan_work_dir(target), ignore_errors=True)
    return result


def write_scan_output(
    folder: DossierFolder,
    pages: Sequence[PageOutcome],
    blanks: Sequence[ProcessedPage],
    failed: Sequence[FailedSource],
    options: ScanOptions,
    scan_time: datetime,
    timings: dict[str, float],
    started: float,
) -> ScanResult:
    """Write the processed `pages` into `folder` as its PDF/A scan and its manifest (blank pages dropped and
    sources that failed recorded): the one writer of a scan's files, for every command that scans."""
    t0 = time.monotonic()
    metadata = PdfMetadata(
        title=options.title or _("Hồ sơ số hóa"),
        dossier_id=options.dossier_id,
        scan_time=scan_time,
        device=options.scanner.device if options.scanner else "files",
        software=f"dossier {__version__}",
        language="vi" if options.language.startswith("vie") else options.language,
    )
    pdf_path = folder.scan_pdf
    write_pdf([_page_spec(o) for o in pages], pdf_path, metadata)
    timings["write"] = time.monotonic() - t0

    output = OutputFile(pdf_path.name, sha256_file(pdf_path), pdf_path.stat().st_size, len(pages))
    timings["total"] = time.monotonic() - started
    result = ScanResult(
        out_dir=options.out_dir,
        files=(output,),
        pages=tuple(o.processed for o in pages if o.processed),
        blank_pages=tuple(blanks),
        failed=tuple(failed),
        seconds=timings["total"],
    )
    folder.write_manifest(build_manifest(result, options_summary(options), scan_time, timings))
    return result


def options_summary(options: ScanOptions) -> dict[str, object]:
    return {
        "language": options.language,
        "colour": str(options.colour),
        "dpi": options.dpi,
        "jobs": options.jobs,
        "device": options.scanner.device if options.scanner else None,
    }
