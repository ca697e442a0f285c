"""Small helpers for the benchmarks: timed subprocesses, tool versions, page text and character error rate."""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import sys
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz.distance import Levenshtein

_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class TimedRun:
    seconds: float
    returncode: int
    stdout: str
    stderr: str


@dataclass(frozen=True)
class Machine:
    nproc: int
    cpu: str
    python: str
    system: str


def tool(name: str) -> str:
    """A console script of this venv if present (the venv may not be on PATH), else the one on PATH."""
    local = Path(sys.executable).parent / name
    if local.exists():
        return str(local)
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"bench: '{name}' not found (run `make bench`, which installs it)")
    return found


def run_timed(args: list[str], env: dict[str, str] | None = None) -> TimedRun:
    """Run a command to completion and measure its wall-clock time."""
    started = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    return TimedRun(time.perf_counter() - started, done.returncode, done.stdout, done.stderr)


def first_line(args: list[str]) -> str:
    """The first line a `--version` style command prints (stdout or stderr)."""
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    text = (done.stdout or done.stderr).strip()
    return text.splitlines()[0] if text else "?"


def machine() -> Machine:
    cpu = platform.processor() or "?"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return Machine(
        os.cpu_count() or 1, cpu, platform.python_version(), f"{platform.system()} {platform.release()}"
    )


def pdf_page_count(pdf: Path) -> int:
    done = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    match = re.search(r"^Pages:\s+(\d+)", done.stdout, re.MULTILINE)
    if match is None:
        raise RuntimeError(f"pdfinfo gave no page count for {pdf}")
    return int(match.group(1))


def page_text(pdf: Path, page: int) -> str:
    """The text layer of one page (1-based) as pdftotext reads it, whitespace-normalised."""
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return normalise(done.stdout)


def normalise(text: str) -> str:
    """NFC, every whitespace run (newlines, form feeds) as one space, trimmed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def scored_text(printed: str) -> str:
    """A page's printed text less its drawn rules (a line of dashes under the motto): drawing, not text.

    Neither OCR engine reads a rule as characters; kept in the truth it would add the same constant to both
    sides' errors and hide the difference between them.
    """
    return "\n".join(line for line in printed.splitlines() if any(ch.isalnum() for ch in line))


def cer(truth: str, hypothesis: str) -> float:
    """Character error rate: Levenshtein distance / length of the truth (both normalised first)."""
    truth, hypothesis = normalise(truth), normalise(hypothesis)
    if not truth:
        return 0.0 if not hypothesis else 1.0
    return Levenshtein.distance(truth, hypothesis) / len(truth)


def word_miss_rate(truth: str, hypothesis: str) -> float:
    """Share of the truth's words (a multiset) missing from the hypothesis: recognition errors, order-free."""
    words = Counter(normalise(truth).split())
    if not words:
        return 0.0
    missing = words - Counter(normalise(hypothesis).split())
    return sum(missing.values()) / sum(words.values())


def word_error(truth: str, hypothesis: str) -> float:
    """Order-free word error: words missing plus words extra (multisets), over the truth's word count.

    Reading order does not count (a two-column header read column by column costs nothing); every wrong word
    counts twice (its truth is missing and its reading is extra), as a substitution does in a word error rate.
    """
    words = Counter(normalise(truth).split())
    said = Counter(normalise(hypothesis).split())
    if not words:
        return 0.0 if not said else 1.0
    return (sum((words - said).values()) + sum((said - words).values())) / sum(words.values())
