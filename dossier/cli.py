"""The `dossier` command line: parse options, call one library function, print the result. No logic here."""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
from rich.text import Text

from dossier import __version__
from dossier.cli_common import json_option, page_options, progress_bar, workspace_option
from dossier.console import printable, setup_logging, stderr_console, utf8_streams
from dossier.errors import DossierError, ExitCode
from dossier.i18n import _
from dossier.models import ColourMode
from dossier.progress import StageProgress

log = logging.getLogger("dossier")

GROUP_HELP = _(
    """dossier: số hóa, kiểm tra, ký số và nộp hồ sơ TTHC tại Bộ phận Một cửa.

Quy trình tại quầy: `dossier scan` (số hóa) -> kiểm tra thành phần hồ sơ -> ký số -> nộp trực tuyến.
Đặt DOSSIER_LANG=en để hiện thông báo tiếng Anh."""
)

SCAN_HELP = _(
    """Số hóa hồ sơ giấy thành PDF/A-2b tìm kiếm được, nhỏ gọn, kèm manifest.json.

Nguồn: tệp ảnh (PNG, JPEG, TIFF nhiều trang), thư mục, PDF (trang có sẵn chữ được giữ nguyên), máy quét.

\b
Ví dụ:
  dossier scan anh/*.jpg ho-so.pdf --out hs-001
  dossier scan --device pnm:0 --device-option filename=trang.pnm --out hs-002
  dossier scan --device fujitsu:fi-7160 --adf --duplex --out hs-003 --json"""
)

DEVICES_HELP = _(
    """Liệt kê máy quét SANE và khả năng của chúng (chế độ màu, khay nạp, hai mặt, độ phân giải).

\b
Ví dụ:
  dossier devices
  dossier devices --json"""
)


DEVICES_EXIT_HELP = _(
    """Mã thoát: 0 đã liệt kê (kể cả khi không có máy quét nào); 2 sai cú pháp lệnh; 3 không mở được máy quét;
4 thiếu chương trình scanimage (sane-utils)."""
)

EXIT_CODES_HELP = _(
    """Mã thoát: 0 thành công; 1 lỗi không lường trước; 2 sai cú pháp lệnh; 3 tệp đầu vào hỏng hoặc không đọc
được, máy quét lỗi; 4 thiếu chương trình hoặc dữ liệu (tesseract, vie, scanimage); 9 không ghi được đầu ra;
11 một số nguồn bị lỗi (các trang tốt vẫn được ghi); 130 bị ngắt."""
)


def _verbosity(ctx: click.Context) -> int:
    return ctx.obj.get("verbose", 0) if isinstance(ctx.obj, dict) else 0


class DossierGroup(click.Group):
    """The one funnel from exceptions to messages and exit codes, for every subcommand.

    `lazy_commands` maps a command name to "module:attribute", imported when the command is first asked for.
    """

    def __init__(self, *args: Any, lazy_commands: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands: dict[str, str] = dict(lazy_commands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy_commands:
            module_name, attribute = self.lazy_commands[cmd_name].split(":")
            self.add_command(getattr(importlib.import_module(module_name), attribute), cmd_name)
        return super().get_command(ctx, cmd_name)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["dossier.argv"] = tuple(args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except DossierError as error:
            if "--json" in ctx.meta.get("dossier.argv", ()):  # a script reads stdout: an error object too
                from dossier.render import print_error_json

                print_error_json(error)
            stderr_console.print(
                Text.assemble((_("Lỗi") + ": ", "bold red"), printable(str(error))), soft_wrap=True
            )
            if error.hint:
                stderr_console.print(Text(printable(error.hint)), soft_wrap=True)
            if _verbosity(ctx) >= 2:
                stderr_console.print_exception()
            raise click.exceptions.Exit(int(error.exit_code)) from error
        except KeyboardInterrupt:
            stderr_console.print(_("Đã dừng theo yêu cầu."))
            raise click.exceptions.Exit(int(ExitCode.interrupted)) from None
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as error:  # the last resort: anything unexpected
            message = printable(f"{type(error).__name__}: {error}")
            stderr_console.print(Text.assemble((_("Lỗi không lường trước") + ": ", "bold red"), message))
            if _verbosity(ctx) >= 2:
                stderr_console.print_exception()
            else:
                stderr_console.print(_("Chạy lại với -vv để xem chi tiết."))
            raise click.exceptions.Exit(int(ExitCode.error)) from error


@click.group(
    cls=DossierGroup,
    help=GROUP_HELP,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110},
)
@click.version_option(__version__, prog_name="dossier")
@click.option("-v", "--verbose", count=True, help=_("Ghi nhật ký chi tiết hơn (-vv: gỡ lỗi, traceback)."))
@click.option("-q", "--quiet", is_flag=True, help=_("Chỉ in lỗi."))
@click.pass_context
def cli(ctx: click.Context, verbose: int, quiet: bool) -> None:
    setup_logging(verbose, quiet)
    ctx.ensure_object(dict)
    ctx.obj["verbose"] = verbose
    ctx.obj["quiet"] = quiet


def _parse_device_options(values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    pairs = []
    for value in values:
        key, sep, setting = value.partition("=")
        if not sep or not key:
            raise click.BadParameter(
                _("cần dạng TÊN=GIÁ_TRỊ, ví dụ filename=trang1.pnm"), param_hint="--device-option"
            )
        pairs.append((key.lstrip("-"), setting))
    return tuple(pairs)


@cli.command(help=SCAN_HELP, epilog=EXIT_CODES_HELP)
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--out",
    "out_dir",
    required=True,
    type=click.Path(path_type=Path),
    help=_("Thư mục hồ sơ đầu ra (scan.pdf, manifest.json); được thay thế trọn vẹn khi xong."),
)
@click.option(
    "--force",
    is_flag=True,
    help=_("Thay cả thư mục --out có tệp không do lệnh quét ghi ra (bản đã ký, giấy tờ khác): chúng sẽ mất."),
)
@click.option("--device", help=_("Máy quét SANE, ví dụ 'pnm:0' (xem `dossier devices`)."))
@click.option(
    "--device-option",
    "device_options",
    multiple=True,
    metavar="NAME=VALUE",
    help=_("Tùy chọn riêng của máy quét, ví dụ filename=trang.pnm (lặp lại được)."),
)
@click.option("--adf", is_flag=True, help=_("Quét cả tập giấy từ khay nạp tự động (ADF) đến khi hết giấy."))
@click.option("--duplex", is_flag=True, help=_("Quét hai mặt (nếu máy quét hỗ trợ)."))
@page_options
@click.option(
    "-j",
    "--jobs",
    default=os.cpu_count() or 1,
    show_default=True,
    type=click.IntRange(1, 256),
    help=_("Số trang xử lý song song."),
)
@click.option("--title", help=_("Tiêu đề ghi vào siêu dữ liệu PDF."))
@click.option("--dossier-id", help=_("Mã hồ sơ ghi vào siêu dữ liệu, ví dụ 000.00.06.H56-231027-0361."))
@click.option(
    "--procedure",
    "procedure",
    help=_("Mã thủ tục: kiểm tra thành phần hồ sơ khi quét xong và ghi mỗi thành phần một tệp PDF."),
)
@click.option("--profiles-dir", type=click.Path(path_type=Path), help=_("Thư mục hồ sơ mẫu của tỉnh."))
@workspace_option
@json_option
@click.pass_context
def scan(
    ctx: click.Context,
    sources: tuple[Path, ...],
    out_dir: Path,
    force: bool,
    device: str | None,
    device_options: tuple[str, ...],
    adf: bool,
    duplex: bool,
    dpi: int,
    colour: str,
    language: str,
    jobs: int,
    title: str | None,
    dossier_id: str | None,
    procedure: str | None,
    profiles_dir: Path | None,
    workspace: Path | None,
    as_json: bool,
) -> None:
    from dossier.digitize.pipeline import ScanOptions, scan_dossier
    from dossier.digitize.sane import ScanRequest
    from dossier.render import print_json, print_scan_summary, scan_result_document

    if not sources and not device:
        raise click.UsageError(_("Cần ít nhất một nguồn: tệp/thư mục, hoặc --device."))
    profile = None
    if procedure:  # before scanning: an unknown procedure code must not cost the officer a scan
        from datetime import date

        from dossier.profiles.loader import load_catalogue

        profile = load_catalogue(profiles_dir).profile_for(procedure, date.today())
    scanner = None
    if device:
        scanner = ScanRequest(
            device=device,
            dpi=dpi,
            colour=ColourMode(colour),
            adf=adf,
            duplex=duplex,
            device_options=_parse_device_options(device_options),
        )
    options = ScanOptions(
        out_dir=out_dir,
        sources=sources,
        scanner=scanner,
        language=language,
        colour=ColourMode(colour),
        dpi=dpi,
        jobs=jobs,
        title=title,
        dossier_id=dossier_id,
        force=force,
    )
    with page_progress(ctx.obj.get("quiet", False)) as progress:
        result = scan_dossier(options, progress=progress)
    exit_code = ExitCode.partial if result.failed else ExitCode.ok
    checked = None
    if profile is not None:
        from dossier.profiles.check import Split, check_dossier
        from dossier.profiles.check_cli import VERDICT_EXIT
        from dossier.profiles.checklist import Verdict

        checked = check_dossier(out_dir, profile, split=Split.always)
        if checked.verdict is not Verdict.complete:  # a missing paper outweighs a failed source
            exit_code = VERDICT_EXIT[checked.verdict]
    from dossier.store.registry import DossierState, note_dossier_event
    from dossier.store.workspace import resolve_workspace

    details: dict[str, object] = {"pages": len(result.pages), "failed_sources": len(result.failed)}
    if checked is not None:
        details["verdict"] = str(checked.verdict)
    space = resolve_workspace(workspace)
    note_dossier_event(out_dir, DossierState.scanned, details, procedure_code=procedure, workspace=space)
    if as_json:
        document = scan_result_document(result, int(exit_code))
        if checked is not None:
            from dossier.profiles.validate import report_document

            document["checklist"] = report_document(checked.report, dict(checked.checks))
            document["components"] = [
                {"component": f.component, "pages": list(f.pages), "path": f.path}
                for f in checked.files or ()
            ]
        print_json(document)
    elif not ctx.obj.get("quiet"):
        print_scan_summary(result)
        if checked is not None:
            from dossier.profiles.check_cli import print_report

            print_report(checked.report)
    ctx.exit(int(exit_code))


@contextlib.contextmanager
def page_progress(quiet: bool) -> Iterator[StageProgress]:
    """The progress bar on stderr, one tick per page, shown as soon as the pages are known."""
    with progress_bar(None, _("Đang xử lý trang"), quiet) as bar:

        def update(stage: str, done: int, total: int) -> None:
            bar.update(done if stage == "pages" else 0, total)

        yield update


@cli.command(help=DEVICES_HELP, epilog=DEVICES_EXIT_HELP)
@json_option
def devices(as_json: bool) -> None:
    from dataclasses import asdict

    from dossier.digitize.sane import device_capabilities, list_devices
    from dossier.render import print_json, stdout_console

    caps = [device_capabilities(name) for name in list_devices()]
    if as_json:
        print_json({"devices": [asdict(c) for c in caps]})
        return
    if not caps:
        stdout_console.print(_("Không tìm thấy máy quét nào."))
    for cap in caps:
        details = _("chế độ: {modes}; nguồn giấy: {sources}").format(
            modes=", ".join(cap.modes) or "-", sources=", ".join(cap.sources) or "-"
        )
        stdout_console.print(Text.assemble((cap.device, "bold"), "  ", details))


# Subcommands living in their own modules, imported only when used: `dossier due` need not load pyHanko,
# reportlab and OpenCV first (scripts call the CLI once per file, so start-up time adds up).
LAZY_COMMANDS: dict[str, str] = {
    "samples": "dossier.samples.commands:samples",
    "due": "dossier.profiles.commands:due",
    "code": "dossier.codes_cli:code",
    "profiles": "dossier.profiles.profiles_cli:profiles",
    "check": "dossier.profiles.check_cli:check",
    "notice": "dossier.profiles.notices_cli:notice",
    "separators": "dossier.profiles.separators_cli:separators",
    "sign": "dossier.signing.sign_cli:sign",
    "tokens": "dossier.signing.sign_cli:tokens",
    "verify": "dossier.signing.verify_cli:verify",
    "audit": "dossier.signing.verify_cli:audit",
    "submit": "dossier.submit.submit_cli:submit",
    "sync": "dossier.submit.submit_cli:sync",
    "outbox": "dossier.submit.submit_cli:outbox",
    "status": "dossier.submit.submit_cli:status",
    "log": "dossier.submit.submit_cli:log",
    "supplement": "dossier.submit.supplement_cli:supplement",
    "result": "dossier.submit.result_cli:result",
    "portal": "dossier.submit.portal.portal_cli:portal",
    "doctor": "dossier.doctor_cli:doctor",
    "batch": "dossier.batch.batch_cli:batch",
    "deadlines": "dossier.supervise.supervise_cli:deadlines_command",
    "apologize": "dossier.supervise.supervise_cli:apologize_command",
    "report": "dossier.supervise.supervise_cli:report_command",
}
cli.lazy_commands.update(LAZY_COMMANDS)


def main() -> None:
    """Entry point of the `dossier` console script."""
    utf8_streams()
    cli(prog_name="dossier")
