"""Open a local HTML file in Debian's real headless `chromium`: the rendered DOM, a screenshot, a PDF print.

No network: every host resolves to nothing, so a page that tried to load anything would show it broken.
Console messages reach stderr with --enable-logging=stderr; `console_messages` picks them out.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
    "--host-resolver-rules=MAP * ~NOTFOUND",
)
CONSOLE = re.compile(r"INFO:CONSOLE|Uncaught|Refused to|net::ERR_")


@dataclass(frozen=True)
class Rendered:
    dom: str
    stderr: str
    screenshot: Path | None = None
    pdf: Path | None = None

    @property
    def console_messages(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if CONSOLE.search(line)]


def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        raise AssertionError("Debian's chromium is not installed: run `make test`, which installs it")
    return path


def _run(args: list[str], workdir: Path) -> subprocess.CompletedProcess[str]:
    profile = Path(tempfile.mkdtemp(dir=workdir, prefix="chromium-profile-"))
    return subprocess.run(
        [chromium(), *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def render(html: Path, workdir: Path, width: int = 1200, height: int = 2400) -> Rendered:
    """The DOM after rendering, a PNG screenshot and an A4 PDF print of `html`."""
    url = html.resolve().as_uri()
    dumped = _run(["--dump-dom", url], workdir)
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    screenshot = workdir / f"{html.stem}.png"
    shot = _run([f"--window-size={width},{height}", f"--screenshot={screenshot}", url], workdir)
    assert shot.returncode == 0 and screenshot.exists(), shot.stderr[-2000:]
    pdf = workdir / f"{html.stem}.pdf"
    printed = _run(["--no-pdf-header-footer", f"--print-to-pdf={pdf}", url], workdir)
    assert printed.returncode == 0 and pdf.exists(), printed.stderr[-2000:]
    return Rendered(dumped.stdout, dumped.stderr + shot.stderr + printed.stderr, screenshot, pdf)
