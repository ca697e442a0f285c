"""The batch report: one item per input with its outcome, totals, and DEST/batch-report.json + .csv."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from dossier.errors import ExitCode
from dossier.fsutil import atomic_write_text

REPORT_JSON = "batch-report.json"
REPORT_CSV = "batch-report.csv"
REPORT_FORMAT = "dossier-batch-report/1"
CSV_COLUMNS = ("source", "output", "outcome", "pages", "verdict", "seconds", "failed_sources", "reason")


class Outcome(StrEnum):
    done = "done"  # processed in this run
    changed = "changed"  # done before, its bytes changed since: processed again in this run
    skipped = "skipped"  # done before with the same bytes: left as it is
    failed = "failed"  # no output written in this run; `reason` says why (a rerun tries again)
    pending = "pending"  # not reached: --dry-run, or the batch was interrupted (a rerun picks it up)


@dataclass(frozen=True)
class ItemReport:
    source: str  # relative to SRC
    output: str  # relative to DEST
    outcome: Outcome
    pages: int = 0
    verdict: str | None = None
    seconds: float = 0.0
    reason: str | None = None
    failed_sources: int = 0  # sources inside a done dossier that could not be read (listed in its manifest)


@dataclass(frozen=True)
class BatchReport:
    src: Path
    dest: Path
    items: tuple[ItemReport, ...]
    seconds: float
    workers: int
    dry_run: bool = False
    interrupted: bool = False
    pages_processed: int = 0  # pages OCRed in this run (not the ones taken from the journal)

    @property
    def exit_code(self) -> ExitCode:
        if self.interrupted:
            return ExitCode.interrupted
        if any(i.outcome is Outcome.failed or i.failed_sources for i in self.items):
            return ExitCode.partial
        return ExitCode.ok

    def totals(self) -> dict[str, Any]:
        counts = {str(o): sum(1 for i in self.items if i.outcome is o) for o in Outcome}
        minutes = self.seconds / 60
        return {
            "dossiers": len(self.items),
            **counts,
            "pages": sum(i.pages for i in self.items),
            "pages_processed": self.pages_processed,
            "seconds": round(self.seconds, 2),
            "pages_per_minute": round(self.pages_processed / minutes, 1) if minutes > 0 else 0.0,
            "workers": self.workers,
        }


def report_document(report: BatchReport) -> dict[str, Any]:
    items = []
    for item in report.items:
        entry = asdict(item)
        entry["outcome"] = str(item.outcome)
        entry["seconds"] = round(item.seconds, 2)
        items.append(entry)
    return {
        "format": REPORT_FORMAT,
        "src": str(report.src),
        "dest": str(report.dest),
        "dry_run": report.dry_run,
        "interrupted": report.interrupted,
        "exit_code": int(report.exit_code),
        "items": items,
        "totals": report.totals(),
    }


def write_report(dest: Path, report: BatchReport) -> None:
    """Both files replaced atomically (a killed batch leaves the previous report, never half of one)."""
    document = report_document(report)
    atomic_write_text(dest / REPORT_JSON, json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for entry in document["items"]:
        writer.writerow({k: "" if entry[k] is None else entry[k] for k in CSV_COLUMNS})
    atomic_write_text(dest / REPORT_CSV, buffer.getvalue())
