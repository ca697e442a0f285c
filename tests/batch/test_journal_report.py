"""The journal's bookkeeping and the report files (no Dask, no Tesseract)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from dossier.batch.journal import Journal, batch_lock, check_foreign
from dossier.batch.report import BatchReport, ItemReport, Outcome, write_report
from dossier.digitize.pages import PageJob, PageOutcome
from dossier.errors import ExitCode, OutputError
from dossier.models import ColourMode, RawPage, SourceKind, SourceRef


def _outcome(index: int) -> PageOutcome:
    page = RawPage(index, SourceRef(SourceKind.pdf, "/src/a.pdf", index), Path("/src/a.pdf"), index - 1, 0.0)
    return PageOutcome(PageJob(page, Path("/tmp"), "vie", ColourMode.auto, 300), None, None)


def test_finished_pages_survive_a_restart_and_a_change_of_bytes_drops_them(tmp_path: Path) -> None:
    journal = Journal(tmp_path, Path("/src"))
    journal.start("a.pdf", "sha-1", "a")
    journal.add_page("a.pdf", "sha-1", _outcome(1))
    journal.add_page("a.pdf", "sha-1", _outcome(2))
    journal.close()  # as if killed here
    again = Journal(tmp_path, Path("/src"))
    assert again.finished_pages("a.pdf", "sha-1") == {1, 2}
    assert [o.job.page.index for o in again.page_outcomes("a.pdf", "sha-1")] == [1, 2]
    again.start("a.pdf", "sha-1", "a")  # the same bytes: the pages stay
    assert again.finished_pages("a.pdf", "sha-1") == {1, 2}
    again.start("a.pdf", "sha-2", "a")  # changed bytes: start afresh
    assert again.finished_pages("a.pdf", "sha-2") == set()
    assert again.finished_pages("a.pdf", "sha-1") == set()
    again.add_page("a.pdf", "sha-2", _outcome(1))
    again.finish("a.pdf", state="done", pages=1, processed=1)
    record = again.dossier("a.pdf")
    assert record is not None and (record.state, record.sha256, record.pages) == ("done", "sha-2", 1)
    assert again.finished_pages("a.pdf", "sha-2") == set()  # the output folder holds them now
    assert (tmp_path / "batch-journal.sqlite").stat().st_mode & 0o777 == 0o600


def test_a_journal_of_another_src_is_refused_by_name(tmp_path: Path) -> None:
    Journal(tmp_path, Path("/kho/2019")).close()
    check_foreign(tmp_path, Path("/kho/2019"))
    with pytest.raises(OutputError, match="/kho/2019"):
        check_foreign(tmp_path, Path("/kho/2020"))


def test_a_second_lock_on_the_same_dest_refuses(tmp_path: Path) -> None:
    with batch_lock(tmp_path), pytest.raises(OutputError), batch_lock(tmp_path):
        pass
    with batch_lock(tmp_path):  # released when the first batch ends
        pass


def test_report_files_and_exit_codes(tmp_path: Path) -> None:
    odd = "hồ sơ\nxuống dòng.pdf"
    items = (
        ItemReport("a", "a", Outcome.done, pages=3, seconds=1.5),
        ItemReport(odd, "hồ sơ\nxuống dòng", Outcome.failed, reason="PDF bị hỏng"),
        ItemReport("c.pdf", "c", Outcome.skipped, pages=2),
    )
    report = BatchReport(tmp_path, tmp_path / "out", items, seconds=60, workers=2, pages_processed=3)
    assert report.exit_code == ExitCode.partial
    write_report(tmp_path, report)
    document = json.loads((tmp_path / "batch-report.json").read_text(encoding="utf-8"))
    assert document["totals"] | {"seconds": 0} == {
        "dossiers": 3, "done": 1, "changed": 0, "skipped": 1, "failed": 1, "pending": 0, "pages": 5,
        "pages_processed": 3, "seconds": 0, "pages_per_minute": 3.0, "workers": 2,
    }  # fmt: skip
    with (tmp_path / "batch-report.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["source"] for r in rows] == ["a", odd, "c.pdf"] and rows[1]["reason"] == "PDF bị hỏng"
    fine = BatchReport(tmp_path, tmp_path, (items[0], items[2]), seconds=1, workers=1)
    assert fine.exit_code == ExitCode.ok
    stopped = BatchReport(tmp_path, tmp_path, items, seconds=1, workers=1, interrupted=True)
    assert stopped.exit_code == ExitCode.interrupted
