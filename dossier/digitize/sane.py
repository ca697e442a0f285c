"""Acquire pages from a SANE scanner through `scanimage`: capabilities, batch (ADF) and duplex scanning."""

from __future__ import annotations

import logging
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from dossier.errors import ScannerError
from dossier.i18n import N_, _
from dossier.models import ColourMode, RawPage, SourceKind, SourceRef
from dossier.tools import require_scanimage

log = logging.getLogger(__name__)

# SANE status codes that scanimage returns when a batch simply ran out of paper.
_SANE_STATUS_EOF = 5
_SANE_STATUS_NO_DOCS = 7
_SANE_STATUS_MESSAGES = {
    2: N_("thiết bị không hỗ trợ thao tác này"),
    3: N_("đã bị hủy"),
    4: N_("thiết bị đang bận"),
    6: N_("kẹt giấy trong khay nạp"),
    8: N_("nắp máy quét đang mở"),
    9: N_("lỗi vào/ra với máy quét"),
    10: N_("máy quét hết bộ nhớ"),
    11: N_("không có quyền truy cập máy quét"),
}
_OPTION_LINE = re.compile(r"^\s+(--?[\w-]+)\s*(.*?)\s*\[(.*?)\]\s*$")


@dataclass(frozen=True)
class ScannerCapabilities:
    device: str
    modes: tuple[str, ...]
    sources: tuple[str, ...]
    resolutions: tuple[int, ...]  # listed values; empty when the device takes a range
    resolution_range: tuple[int, int] | None
    options: tuple[str, ...]  # every option name the device offers, e.g. "--filename"


@dataclass(frozen=True)
class ScanRequest:
    device: str
    dpi: int = 300
    colour: ColourMode = ColourMode.auto
    adf: bool = False
    duplex: bool = False
    device_options: tuple[tuple[str, str], ...] = ()  # extra device options, e.g. (("filename", "page.pnm"),)


def _run_scanimage(args: Sequence[str], timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [require_scanimage(), *args], capture_output=True, text=True, timeout=timeout, check=False
    )


def list_devices() -> list[str]:
    result = _run_scanimage(["-f", "%d%n"], timeout=60)
    return [line.strip() for line in result.stdout.splitlines() if line.strip()]


def _parse_choices(spec: str) -> tuple[str, ...]:
    return tuple(choice for choice in spec.split("|") if choice)


def device_capabilities(device: str) -> ScannerCapabilities:
    """Read the device's options from `scanimage -A`."""
    result = _run_scanimage(["-d", device, "-A"], timeout=60)
    if result.returncode != 0:
        raise ScannerError(
            _("Không mở được máy quét: {reason}").format(reason=result.stderr.strip() or result.returncode),
            path=device,
        )
    modes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    resolutions: tuple[int, ...] = ()
    resolution_range: tuple[int, int] | None = None
    options: list[str] = []
    for line in result.stdout.splitlines():
        match = _OPTION_LINE.match(line)
        if not match:
            continue
        name, spec = match.group(1), match.group(2)
        options.append(name)
        if name == "--mode":
            modes = _parse_choices(spec)
        elif name == "--source":
            sources = _parse_choices(spec)
        elif name == "--resolution":
            numbers = [int(n) for n in re.findall(r"\d+", spec)]
            if ".." in spec and len(numbers) >= 2:
                resolution_range = (numbers[0], numbers[1])
            else:
                resolutions = tuple(numbers)
    return ScannerCapabilities(device, modes, sources, resolutions, resolution_range, tuple(options))


def _pick_resolution(caps: ScannerCapabilities, dpi: int) -> int | None:
    if "--resolution" not in caps.options:
        return None
    if caps.resolution_range:
        low, high = caps.resolution_range
        return min(max(dpi, low), high)
    if caps.resolutions:
        return min(caps.resolutions, key=lambda r: (abs(r - dpi), -r))
    return dpi


def _pick_mode(caps: ScannerCapabilities, colour: ColourMode) -> str | None:
    """Scan in colour unless told otherwise: seals and signatures must keep their colour."""
    wanted = {
        ColourMode.auto: ("color", "colour"),
        ColourMode.colour: ("color", "colour"),
        ColourMode.gray: ("gray", "grey"),
        ColourMode.bw: ("lineart", "binary", "gray"),
    }[colour]
    for preference in wanted:
        for mode in caps.modes:
            if mode.lower() == preference:
                return mode
    return None


def _pick_source(caps: ScannerCapabilities, request: ScanRequest) -> str | None:
    if request.duplex:
        for source in caps.sources:
            if "duplex" in source.lower():
                return source
        raise ScannerError(_("Máy quét không hỗ trợ quét hai mặt (duplex)."), path=request.device)
    if request.adf:
        for source in caps.sources:
            lowered = source.lower()
            if ("adf" in lowered or "feeder" in lowered) and "duplex" not in lowered:
                return source
        raise ScannerError(_("Máy quét không có khay nạp giấy tự động (ADF)."), path=request.device)
    return None


def build_scan_args(caps: ScannerCapabilities, request: ScanRequest, pattern: Path) -> list[str]:
    args = ["-d", request.device, "--format=png", f"--batch={pattern}"]
    resolution = _pick_resolution(caps, request.dpi)
    if resolution is not None:
        args.append(f"--resolution={resolution}")
    mode = _pick_mode(caps, request.colour)
    if mode is not None:
        args.append(f"--mode={mode}")
    source = _pick_source(caps, request)
    if source is not None:
        args.append(f"--source={source}")
    if not (request.adf or request.duplex):
        args.append("--batch-count=1")
    for key, value in request.device_options:
        option = f"--{key}" if len(key) > 1 else f"-{key}"
        if option not in caps.options:
            raise ScannerError(
                _("Máy quét không có tùy chọn '{option}'.").format(option=option), path=request.device
            )
        args.append(f"{option}={value}")
    return args


@dataclass(frozen=True)
class ScanBatch:
    """The pages of one batch, and the failure that ended it early, if any (a jam after sheet 3)."""

    pages: tuple[RawPage, ...]
    failure: ScannerError | None = None


def _next_batch_pattern(work_dir: Path) -> Path:
    batches = {path.name.split("-")[1] for path in work_dir.glob("scan-*-*.png")}
    return work_dir / f"scan-{len(batches) + 1:03d}-%04d.png"


def scan(request: ScanRequest, work_dir: Path, first_index: int, timeout: float = 600) -> ScanBatch:
    """Scan one batch into `work_dir`, each sheet a PNG written as it comes off the scanner.

    A device that fails mid-batch still yields the pages scanned before the failure, with the failure
    beside them; a device that yields no page at all raises ScannerError.
    """
    caps = device_capabilities(request.device)
    pattern = _next_batch_pattern(work_dir)
    args = build_scan_args(caps, request, pattern)
    log.info("scanimage -d %s (%d options)", request.device, len(args))
    try:
        result = _run_scanimage(args, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise ScannerError(
            _("Máy quét không trả lời sau {s} giây.").format(s=int(timeout)), path=request.device
        ) from exc
    files = sorted(work_dir.glob(pattern.name.replace("%04d", "*")))
    for path in files:
        path.chmod(0o600)
    resolution = _pick_resolution(caps, request.dpi) or request.dpi
    pages = tuple(
        RawPage(
            index=first_index + number,
            source=SourceRef(SourceKind.scanner, request.device, number + 1),
            path=path,
            frame=0,
            dpi=float(resolution),
        )
        for number, path in enumerate(files)
    )
    status = result.returncode
    if status in (0, _SANE_STATUS_EOF, _SANE_STATUS_NO_DOCS) and pages:
        return ScanBatch(pages)
    known = _SANE_STATUS_MESSAGES.get(status)
    reason = _(known) if known else (result.stderr.strip().splitlines() or [str(status)])[-1]
    failure = ScannerError(
        _("Quét thất bại sau {n} trang: {reason}.").format(n=len(pages), reason=reason), path=request.device
    )
    if not pages:
        raise failure
    return ScanBatch(pages, failure)
