"""Turning results into what the officer reads (rich tables) or scripts read (JSON)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from rich.table import Table
from rich.text import Text

from dossier.console import printable, stdout_console
from dossier.digitize.manifest import LOW_OCR_CONFIDENCE
from dossier.errors import DossierError
from dossier.i18n import _
from dossier.models import ScanResult


def json_text(document: dict[str, Any]) -> str:
    """JSON for stdout: UTF-8 text as it is, but DEL and C1 controls escaped too (json escapes only C0),
    so a file name cannot smuggle a terminal sequence even when a script's output lands on a terminal."""
    text = json.dumps(document, ensure_ascii=False, indent=2)
    return re.sub(r"[\x7f-\x9f]", lambda m: f"\\u{ord(m.group(0)):04x}", text)


def print_json(document: dict[str, Any]) -> None:
    sys.stdout.write(json_text(document) + "\n")
    sys.stdout.flush()


def print_error_json(error: DossierError) -> None:
    """A refusal for scripts that asked for `--json`: the same message, reason and exit code on stdout."""
    print_json(
        {
            "ok": False,
            "exit_code": int(error.exit_code),
            "error": {
                "exit_code": int(error.exit_code),
                "message": error.message,
                "path": str(error.path) if error.path is not None else None,
                "hint": error.hint,
            },
        }
    )


def scan_result_document(result: ScanResult, exit_code: int) -> dict[str, Any]:
    return {
        "ok": exit_code == 0,
        "exit_code": exit_code,
        "out_dir": str(result.out_dir),
        "files": [
            {"path": f.path, "sha256": f.sha256, "size": f.size, "pages": f.pages} for f in result.files
        ],
        "pages": len(result.pages),
        "blank_pages": [{"source": p.raw.source.name, "page": p.raw.source.page} for p in result.blank_pages],
        "dropped_pages": len(result.blank_pages),
        "failed": [{"source": f.name, "reason": f.reason, "exit_code": f.exit_code} for f in result.failed],
        "mean_ocr_confidence": _mean_confidence(result),
        "low_confidence_pages": low_confidence_pages(result),
        "seconds": round(result.seconds, 2),
    }


def low_confidence_pages(result: ScanResult) -> list[int]:
    """Output page numbers whose text layer is unreliable (no words, or low mean confidence)."""
    return [
        number
        for number, page in enumerate(result.pages, start=1)
        if page.text is not None and (not page.text.words or page.text.mean_confidence < LOW_OCR_CONFIDENCE)
    ]


def _mean_confidence(result: ScanResult) -> float | None:
    values = [p.text.mean_confidence for p in result.pages if p.text is not None and p.text.words]
    return round(sum(values) / len(values), 1) if values else None


def print_scan_summary(result: ScanResult) -> None:
    table = Table(title=_("Kết quả số hóa: {out}").format(out=result.out_dir), show_lines=False)
    table.add_column(_("Trang"), justify="right")
    table.add_column(_("Nguồn"))
    table.add_column(_("Xoay"), justify="right")
    table.add_column(_("Nghiêng"), justify="right")
    table.add_column(_("Chế độ"))
    table.add_column(_("Độ tin cậy OCR"), justify="right")
    for number, page in enumerate(result.pages, start=1):
        source = f"{Path(page.raw.source.name).name}#{page.raw.source.page}"
        if page.clean is None:
            table.add_row(str(number), source, "-", "-", _("giữ nguyên (có sẵn chữ)"), "-")
            continue
        confidence = f"{page.text.mean_confidence:.0f}%" if page.text else "-"
        table.add_row(
            str(number),
            source,
            f"{page.clean.rotation}°",
            f"{page.clean.skew:+.1f}°",
            str(page.clean.mode),
            confidence,
        )
    stdout_console.print(table)
    for number in low_confidence_pages(result):
        stdout_console.print(
            _(
                "⚠ Trang {page}: OCR đọc rất kém (ngôn ngữ khác, chữ viết tay, ảnh xấu): cán bộ cần xem."
            ).format(page=number)
        )
    if result.blank_pages:
        stdout_console.print(
            _("Đã bỏ {n} trang trắng (không có chữ, không có nét).").format(n=len(result.blank_pages))
        )
    for page in result.blank_pages:
        stdout_console.print(
            _("Trang trắng đã bỏ: {source}#{page}").format(
                source=page.raw.source.name, page=page.raw.source.page
            )
        )
    for failed in result.failed:
        stdout_console.print(Text.assemble(("✗", "red"), printable(f" {failed.name}: {failed.reason}")))
    for file in result.files:
        stdout_console.print(
            _("Đã ghi {path} ({pages} trang, {kb} KB) trong {s:.1f} giây.").format(
                path=result.out_dir / file.path, pages=file.pages, kb=file.size // 1024, s=result.seconds
            )
        )
