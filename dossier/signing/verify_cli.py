"""`dossier verify` and `dossier audit`: parse options, check signed PDFs, print table / JSON / HTML."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from dossier.cli_common import json_option
from dossier.console import SafeConsole, printable, stderr_console
from dossier.errors import ExitCode, InputFileError
from dossier.i18n import _
from dossier.render import json_text
from dossier.signing.indication import Indication
from dossier.signing.trust import load_trust_roots
from dossier.signing.verify_result import FileVerification, RevocationMode, SignatureVerification

if TYPE_CHECKING:
    from dossier.signing.audit import AuditResult, ProgressCallback

# pyHanko (in dossier.signing.audit and .verify) is imported inside the commands: `dossier --help` stays fast.

VERIFY_HELP = _(
    """Kiểm tra chữ ký số trong các tệp PDF (PAdES): toàn vẹn, chuỗi tin cậy, thu hồi, sửa đổi sau khi ký.

Mỗi chữ ký có kết luận theo ETSI EN 319 102-1: TOTAL-PASSED, INDETERMINATE hoặc TOTAL-FAILED kèm lý do.
Chứng thư gốc tin cậy lấy từ --trust và từ [signing] trust trong tệp cấu hình. Tệp B-LT/B-LTA được kiểm tra
bằng dữ liệu nhúng (DSS); các tệp khác hỏi OCSP/CRL trực tuyến (--offline: không dùng mạng).

\b
Ví dụ:
  dossier verify hs-001/TP01.pdf hs-001/TP02.pdf
  dossier verify da-ky/*.pdf --trust goc-tin-cay.pem --json"""
)

AUDIT_HELP = _(
    """Kiểm tra mọi tệp PDF trong một thư mục (kể cả thư mục con), song song, cho người giám sát.

In số tệp đạt / chưa xác định / không đạt / không có chữ ký và các tệp cần xem; --html ghi báo cáo HTML tự
chứa (mở bằng trình duyệt), --json cho script.

\b
Ví dụ:
  dossier audit luu-tru/2025 --html bao-cao.html
  dossier audit luu-tru/2025 --jobs 2 --json > ket-qua.json"""
)

EXIT_HELP = _(
    """Mã thoát: 0 mọi chữ ký TOTAL-PASSED (mỗi tệp có ít nhất một chữ ký); 8 có chữ ký không đạt, chưa xác
định, hoặc tệp không có chữ ký; 3 không đọc được tệp nào, thư mục không có PDF, tệp --trust hỏng; 5 cấu hình
sai; 9 không ghi được báo cáo HTML."""
)

_STYLE = {
    Indication.total_passed: "green",
    Indication.indeterminate: "yellow",
    Indication.total_failed: "red",
}

trust_option = click.option(
    "--trust",
    "trust",
    multiple=True,
    type=click.Path(path_type=Path),
    help=_("Tệp PEM/DER chứng thư gốc tin cậy (lặp lại được), thêm vào [signing] trust của cấu hình."),
)
offline_option = click.option(
    "--offline", is_flag=True, help=_("Không dùng mạng: chỉ dùng dữ liệu xác thực nhúng trong tệp (DSS).")
)


def _roots(trust: Sequence[Path]) -> tuple:
    roots = load_trust_roots(trust)
    if not roots:
        stderr_console.print(
            _("⚠ Chưa có chứng thư gốc tin cậy (--trust, [signing] trust): không chữ ký nào được tin cậy."),
            style="yellow",
        )
    return roots


def _when(value: datetime | None) -> str:
    """Vietnam time with its offset, as Vietnamese signature conventions write it (ISO 8601, +07:00)."""
    if value is None:
        return "—"
    from dossier.profiles.deadlines import to_vietnam_time

    return to_vietnam_time(value).isoformat(timespec="seconds")


def _mark(value: bool) -> Text:
    return Text("✓", style="green") if value else Text("✗", style="red")


def _verdict(indication: Indication, sub_indication: object) -> Text:
    label = f"{indication}" + (f"\n{sub_indication}" if sub_indication else "")
    return Text(label, style=f"bold {_STYLE[indication]}")


def _signature_row(name: str, sig: SignatureVerification) -> list[str | Text]:
    signing_time = sig.signature_timestamp.time if sig.signature_timestamp else sig.signing_time
    revocation = f"{sig.revocation}/{sig.revocation_source}"
    modified = _("không")
    if sig.modified_after_signing:
        modified = _("được phép") if sig.modification_allowed else _("KHÔNG được phép")
    return [
        name,
        sig.field_name,
        sig.certificate.common_name if sig.certificate else sig.signer,
        _when(signing_time),
        str(sig.level or "—"),
        _mark(sig.intact and sig.valid),
        _mark(sig.trusted),
        Text(revocation, style="green" if sig.revocation == "good" else "yellow"),
        Text(modified, style="red" if not sig.modification_allowed else ""),
        _verdict(sig.indication, sig.sub_indication),
    ]


def _table_console() -> Console:
    """Wide enough for ten columns when printing to a file or a pipe (rich would assume 80)."""
    console = SafeConsole(highlight=False, soft_wrap=False, markup=False)
    if not console.is_terminal:
        console.width = max(console.width, 160)
    return console


def print_verifications(results: Sequence[FileVerification]) -> None:
    console = _table_console()
    table = Table(title=_("Kết quả kiểm tra chữ ký số"), show_lines=True)
    for header in (
        _("Tệp"),
        _("Chữ ký"),
        _("Người ký"),
        _("Thời điểm ký"),
        _("Mức"),
        _("Toàn vẹn"),
        _("Tin cậy"),
        _("Thu hồi"),
        _("Sửa sau khi ký"),
        _("Kết luận"),
    ):
        table.add_column(header)
    for result in results:
        name = Path(result.path).name
        if not result.signatures:
            reason = result.error or _("không có chữ ký số")
            table.add_row(
                name, "—", reason, "", "", "", "", "", "", _verdict(result.indication, result.sub_indication)
            )
        for sig in result.signatures:
            table.add_row(*_signature_row(name, sig))
    console.print(table)


def _exit_code(results: Sequence[FileVerification]) -> ExitCode:
    if results and all(not r.readable for r in results):
        return ExitCode.input_file
    return ExitCode.ok if results and all(r.passed for r in results) else ExitCode.verification_failed


def _report_unreadable(results: Sequence[FileVerification]) -> None:
    for result in results:
        if result.error:
            stderr_console.print(
                Text(printable(f"{result.path}: {result.error}"), style="red"), soft_wrap=True
            )


@click.command(help=VERIFY_HELP, epilog=EXIT_HELP)
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@trust_option
@json_option
@offline_option
@click.pass_context
def verify(
    ctx: click.Context, files: tuple[Path, ...], trust: tuple[Path, ...], as_json: bool, offline: bool
) -> None:
    from dossier.signing.audit import (
        file_document,
        quiet_pyhanko_logs,
        verify_files,
    )

    quiet_pyhanko_logs()
    mode = RevocationMode.offline if offline else RevocationMode.auto
    results = verify_files(list(files), _roots(trust), revocation=mode)
    _report_unreadable(results)
    code = _exit_code(results)
    if as_json:
        document = {"passed": code == ExitCode.ok, "files": [file_document(r) for r in results]}
        click.echo(json_text(document))
    else:
        print_verifications(results)
    ctx.exit(int(code))


@contextmanager
def _progress_bar(enabled: bool) -> Iterator[ProgressCallback | None]:
    if not enabled:
        yield None
        return
    with Progress(
        TextColumn(_("Kiểm tra chữ ký")),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=stderr_console,
        transient=True,
    ) as progress:
        task = progress.add_task("verify", total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update


def print_audit(result: AuditResult) -> None:
    console = _table_console()
    summary = result.summary
    table = Table(title=_("Kiểm tra {root}: {n} tệp").format(root=result.root, n=summary.total))
    for header in ("TOTAL-PASSED", "INDETERMINATE", "TOTAL-FAILED", _("Không có chữ ký")):
        table.add_column(header, justify="right")
    table.add_row(
        Text(str(summary.passed), style="green"),
        Text(str(summary.indeterminate), style="yellow"),
        Text(str(summary.failed), style="red"),
        Text(str(summary.unsigned), style="red"),
    )
    console.print(table)
    attention = [f for f in result.files if not f.passed]
    if attention:
        print_verifications(attention)
    rate = summary.total / result.seconds if result.seconds > 0 else 0.0
    console.print(
        _("{n} tệp trong {s:.1f} giây ({rate:.1f} tệp/giây, {jobs} tiến trình).").format(
            n=summary.total, s=result.seconds, rate=rate, jobs=result.jobs
        )
    )


@click.command(help=AUDIT_HELP, epilog=EXIT_HELP)
@click.argument("directory", type=click.Path(path_type=Path))
@trust_option
@click.option(
    "--html", "html_report", type=click.Path(path_type=Path), help=_("Ghi báo cáo HTML vào tệp này.")
)
@json_option
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=lambda: os.cpu_count() or 1,
    show_default=_("số lõi CPU"),
    help=_("Số tiến trình kiểm tra song song."),
)
@offline_option
@click.pass_context
def audit(
    ctx: click.Context,
    directory: Path,
    trust: tuple[Path, ...],
    html_report: Path | None,
    as_json: bool,
    jobs: int,
    offline: bool,
) -> None:
    from dossier.signing.audit import (
        audit_document,
        audit_tree,
        quiet_pyhanko_logs,
    )
    from dossier.signing.report_html import write_audit_html

    quiet_pyhanko_logs()
    roots = _roots(trust)
    mode = RevocationMode.offline if offline else RevocationMode.auto
    with _progress_bar(stderr_console.is_terminal) as progress:
        result = audit_tree(directory, roots, jobs=jobs, revocation=mode, progress=progress)
    if not result.files:
        raise InputFileError(_("Không tìm thấy tệp PDF nào trong thư mục."), path=directory)
    _report_unreadable(result.files)
    if html_report is not None:
        write_audit_html(result, html_report)
    if as_json:
        click.echo(json_text(audit_document(result)))
    else:
        print_audit(result)
        if html_report is not None:
            click.echo(_("Đã ghi báo cáo {path}").format(path=html_report))
    ctx.exit(int(_exit_code(result.files)))
