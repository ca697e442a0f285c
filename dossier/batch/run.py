"""`run_batch`: plan the dossiers against the journal, stream their pages through Dask, write each output.

Pages, not dossiers, are the unit of work, and only a bounded number are in flight: a 400-page dossier
keeps every worker busy, and the client holds the pages of the few dossiers being finished, never the tree.
"""

from __future__ import annotations

import contextlib
import signal
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Protocol

from dossier.batch import discover
from dossier.batch.cluster import open_client, worker_slots
from dossier.batch.journal import Journal, batch_lock, check_foreign
from dossier.batch.report import BatchReport, ItemReport, Outcome, write_report
from dossier.digitize import acquire
from dossier.digitize.pages import PageJob, PageOutcome
from dossier.digitize.pipeline import ScanOptions, write_scan_output
from dossier.errors import DossierError, InputFileError, OutputError
from dossier.fsutil import make_private_dir
from dossier.i18n import _
from dossier.models import ColourMode, FailedSource, RawPage
from dossier.store.folder import DossierFolder
from dossier.tools import require_tesseract

IN_FLIGHT_PER_SLOT = 2  # pages queued per worker thread: enough to hide the client's PDF writing


class BatchProgress(Protocol):
    def planned(self, dossiers: int, pages: int) -> None: ...
    def page_done(self) -> None: ...
    def dossier_done(self) -> None: ...


class _NoProgress:
    def planned(self, dossiers: int, pages: int) -> None:
        pass

    def page_done(self) -> None:
        pass

    def dossier_done(self) -> None:
        pass


@dataclass(frozen=True)
class BatchOptions:
    src: Path
    dest: Path
    procedure: str | None = None
    jobs: int = 2
    scheduler: str | None = None
    index: Path | None = None
    dry_run: bool = False
    language: str = "vie"
    colour: ColourMode = ColourMode.auto
    dpi: int = 300
    profiles_dir: Path | None = None
    quiet_logs: bool = True


@dataclass
class _Planned:
    item: discover.DossierSource
    sha256: str
    changed: bool
    page_count: int  # the pages themselves are listed again when the dossier starts (memory stays flat)


@dataclass
class _Open:
    """A dossier whose pages are being processed."""

    plan: _Planned
    remaining: int
    started: float
    failed: list[FailedSource]
    errors: list[PageOutcome] = field(default_factory=list)


def _probe(item: discover.DossierSource) -> tuple[list[RawPage], list[FailedSource]]:
    files = discover.source_files(item)
    pages, failures = acquire.probe_files(files)
    failed = [FailedSource(f.name, f.error.message, int(f.error.exit_code)) for f in failures]
    if not pages:
        reason = failed[0].reason if failed else _("Thư mục không có tệp ảnh nào.")
        raise InputFileError(reason, path=item.path)
    return pages, failed


def _reason(error: DossierError) -> str:
    return f"{error} ({error.hint})" if error.hint else str(error)


class _Batch:
    def __init__(self, options: BatchOptions, src: Path, dest: Path, progress: BatchProgress) -> None:
        self.options = options
        self.src = src
        self.dest = dest
        self.progress = progress
        self.results: dict[str, ItemReport] = {}
        self.profiles = _load_profiles(options)
        self.stop = False
        self.pages_processed = 0
        self.workers = 0  # the most worker threads seen during the run
        self._open: dict[str, _Open] = {}

    def plan(self, items: list[discover.DossierSource], journal: Journal | None) -> list[_Planned]:
        """Skip what is done with the same bytes; list the pages of the rest (a bad dossier fails here)."""
        todo: list[_Planned] = []
        for item in items:
            if item.problem is not None:
                self._result(item, Outcome.failed, reason=f"{item.path}: {item.problem}")
                continue
            try:
                sha = discover.fingerprint(item)
                record = journal.dossier(item.rel) if journal else None
                if (
                    record is not None
                    and record.sha256 == sha
                    and record.state == "done"
                    and DossierFolder(self.dest / item.output).has_manifest()
                ):
                    self._result(
                        item,
                        Outcome.skipped,
                        pages=record.pages,
                        verdict=record.verdict,
                        failed_sources=record.failed_sources,
                        reason=record.reason,
                    )
                    continue
                pages, _failed = _probe(item)
            except DossierError as error:
                self._result(item, Outcome.failed, reason=_reason(error))
                continue
            changed = record is not None and record.sha256 != sha
            todo.append(_Planned(item, sha, changed, len(pages)))
        return todo

    def _result(self, item: discover.DossierSource, outcome: Outcome, **fields: object) -> None:
        self.results[item.rel] = ItemReport(item.rel, item.output, outcome, **fields)  # type: ignore[arg-type]

    def run(self, todo: list[_Planned], journal: Journal, client: object) -> None:
        from distributed import as_completed

        self.progress.planned(len(todo), sum(p.page_count for p in todo))
        jobs = self._jobs(todo, journal)
        in_flight: dict[object, tuple[_Open, PageJob]] = {}
        completed = as_completed(loop=client.loop)  # type: ignore[attr-defined]
        exhausted = False
        while True:
            slots = worker_slots(client)
            self.workers = max(self.workers, slots)
            limit = IN_FLIGHT_PER_SLOT * slots + 2
            while not self.stop and not exhausted and len(in_flight) < limit:
                try:
                    state, job = next(jobs)
                except StopIteration:
                    exhausted = True
                    break
                key = f"dossier-page-{state.plan.sha256[:12]}-{job.page.index}-{uuid.uuid4().hex[:8]}"
                future = client.submit(_run_page(), job, key=key, pure=False)  # type: ignore[attr-defined]
                in_flight[future] = (state, job)
                completed.add(future)
            if not in_flight:
                break
            future = next(completed)
            state, job = in_flight.pop(future)
            self._page_finished(state, job, future, journal)
        for state in self._open.values():
            self._result(state.plan.item, Outcome.pending, reason=_("Lô bị dừng trước khi xong hồ sơ này."))
        for plan in todo:  # never reached: Ctrl-C came first
            if plan.item.rel not in self.results:
                self._result(plan.item, Outcome.pending, reason=_("Lô bị dừng trước khi bắt đầu hồ sơ này."))

    def _jobs(self, todo: list[_Planned], journal: Journal) -> Iterator[tuple[_Open, PageJob]]:
        for plan in todo:
            if self.stop:
                return
            item = plan.item
            try:
                pages, failed = _probe(item)
            except DossierError as error:
                self._result(item, Outcome.failed, reason=_reason(error))
                continue
            journal.start(item.rel, plan.sha256, item.output)
            done = journal.finished_pages(item.rel, plan.sha256)
            remaining = [p for p in pages if p.index not in done]
            for _page in range(len(pages) - len(remaining)):
                self.progress.page_done()  # pages finished by an earlier, interrupted run
            state = _Open(plan, len(remaining), time.monotonic(), failed)
            self._open[item.rel] = state
            if not remaining:
                self._finish(state, journal)
                continue
            for page in remaining:
                yield (
                    state,
                    PageJob(
                        page=page,
                        work_dir=Path(tempfile.gettempdir()),  # each worker uses its own private temp folder
                        language=self.options.language,
                        colour=self.options.colour,
                        default_dpi=self.options.dpi,
                    ),
                )

    def _page_finished(self, state: _Open, job: PageJob, future: object, journal: Journal) -> None:
        try:
            outcome: PageOutcome = future.result()  # type: ignore[attr-defined]
        except Exception as exc:  # KilledWorker: the page took down workers ALLOWED_FAILURES + 1 times
            reason = _("Trang {n} làm tiến trình xử lý bị dừng đột ngột nhiều lần ({kind}).").format(
                n=job.page.source.page, kind=type(exc).__name__
            )
            outcome = PageOutcome(job, None, None, InputFileError(reason, path=job.page.path))
        if outcome.error is None:
            journal.add_page(state.plan.item.rel, state.plan.sha256, outcome)
            self.pages_processed += 1
        else:
            state.errors.append(outcome)
        state.remaining -= 1
        self.progress.page_done()
        if state.remaining == 0:
            self._finish(state, journal)

    def _finish(self, state: _Open, journal: Journal) -> None:
        """All pages known: write the output folder with `dossier scan`'s own writer, then mark it done."""
        plan = state.plan
        item = plan.item
        del self._open[item.rel]
        outcomes = sorted(
            [*journal.page_outcomes(item.rel, plan.sha256), *state.errors], key=lambda o: o.job.page.index
        )
        scan_options = ScanOptions(
            out_dir=self.dest / item.output,
            language=self.options.language,
            colour=self.options.colour,
            dpi=self.options.dpi,
            jobs=self.options.jobs,
            title=item.title,
            dossier_id=item.dossier_id,
        )
        seconds = time.monotonic() - state.started
        try:
            result = write_scan_output(
                scan_options, outcomes, state.failed, datetime.now().astimezone(), {"pages": seconds}
            )
            verdict = self._assemble(item, self.dest / item.output)
        except DossierError as error:
            journal.finish(item.rel, state="failed", reason=_reason(error), seconds=seconds)
            self._result(item, Outcome.failed, reason=_reason(error), seconds=seconds)
        else:
            failed = len(result.failed)
            reason = "; ".join(f"{f.name}: {f.reason}" for f in result.failed) or None
            journal.finish(
                item.rel,
                state="done",
                pages=len(result.pages),
                verdict=verdict,
                reason=reason,
                failed_sources=failed,
                processed=len(outcomes) - len(state.errors),  # blank pages included
                seconds=seconds,
            )
            outcome = Outcome.changed if plan.changed else Outcome.done
            self._result(
                item,
                outcome,
                pages=len(result.pages),
                verdict=verdict,
                seconds=seconds,
                reason=reason,
                failed_sources=failed,
            )
        self.progress.dossier_done()

    def _assemble(self, item: discover.DossierSource, out_dir: Path) -> str | None:
        code = item.procedure or self.options.procedure
        if code is None:
            return None
        from dossier.profiles.check import Split, check_dossier

        profile = self.profiles.profile_for(code, date.today())
        return str(check_dossier(out_dir, profile, split=Split.always).verdict)


def _run_page():  # the worker's function, imported lazily: the client does not need OpenCV loaded twice
    from dossier.batch.task import run_page

    return run_page


def _load_profiles(options: BatchOptions):  # -> Catalogue | None
    """Unknown procedure codes are refused before any page is processed."""
    from dossier.profiles.loader import load_catalogue

    return load_catalogue(options.profiles_dir)


def _check_procedures(batch: _Batch, items: list[discover.DossierSource]) -> None:
    codes = {i.procedure for i in items if i.procedure} | (
        {batch.options.procedure} if batch.options.procedure else set()
    )
    for code in sorted(codes):
        batch.profiles.profile_for(code, date.today())


@contextlib.contextmanager
def _stop_on_sigint(batch: _Batch) -> Iterator[None]:
    """Ctrl-C: take no new pages, let the ones in flight finish and their dossiers be written."""

    def handler(signum: int, frame: object) -> None:
        if batch.stop:  # a second Ctrl-C: stop now (every finished page is already in the journal)
            raise KeyboardInterrupt
        batch.stop = True

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def run_batch(options: BatchOptions, progress: BatchProgress | None = None) -> BatchReport:
    """Digitize every dossier under SRC into DEST, resuming from DEST's journal; returns the report."""
    started = time.monotonic()
    src, dest = discover.check_paths(options.src, options.dest)
    items = discover.read_index(options.index, src) if options.index else discover.walk_tree(src)
    if not items:
        raise InputFileError(_("Không có hồ sơ nào (thư mục ảnh hay tệp PDF) trong nguồn."), path=options.src)
    check_foreign(dest, src)
    batch = _Batch(options, src, dest, progress or _NoProgress())
    _check_procedures(batch, items)
    if options.dry_run:
        journal = Journal(dest, src, read_only=True) if Journal.exists(dest) else None
        for plan in batch.plan(items, journal):
            outcome = Outcome.changed if plan.changed else Outcome.pending
            batch._result(plan.item, outcome, pages=plan.page_count)
        return _report(batch, items, started, workers=0)
    require_tesseract(options.language)
    with open_client(options.scheduler, options.jobs, options.quiet_logs) as client:
        try:
            make_private_dir(dest)
        except OSError as exc:
            message = _("Không tạo được thư mục đầu ra ({reason}).").format(reason=exc.strerror or exc)
            raise OutputError(message, path=options.dest) from exc
        with batch_lock(dest):
            check_foreign(dest, src)
            journal = Journal(dest, src)
            try:
                todo = batch.plan(items, journal)
                with _stop_on_sigint(batch):
                    batch.run(todo, journal, client)
                report = _report(batch, items, started, workers=max(batch.workers, worker_slots(client)))
                write_report(dest, report)
            finally:
                journal.close()
    return report


def _report(batch: _Batch, items: list[discover.DossierSource], started: float, workers: int) -> BatchReport:
    return BatchReport(
        src=batch.src,
        dest=batch.dest,
        items=tuple(batch.results[i.rel] for i in items if i.rel in batch.results),
        seconds=time.monotonic() - started,
        workers=workers,
        dry_run=batch.options.dry_run,
        interrupted=batch.stop,
        pages_processed=batch.pages_processed,
    )
