"""Helpers for the supervision tests: dossiers relative to now, the CLI in-process and as real processes."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import httpx
from click.testing import CliRunner, Result

from dossier.cli import cli
from dossier.profiles.deadlines import VIETNAM_TZ, load_calendar

AGENCY = "000.00.06.H56"
CLI_CODE = "import sys; from dossier.cli import main; sys.argv[0] = 'dossier'; main()"


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def spawn(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """`dossier ARGS` as a real process (the test's environment: DOSSIER_HOME, tokens)."""
    return subprocess.Popen(
        [sys.executable, "-c", CLI_CODE, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {}), "COLUMNS": "200"},
    )


def working_day(offset: int, today: date | None = None) -> date:
    """The working day `offset` working days from today (negative: before)."""
    calendar = load_calendar()
    day = today or datetime.now(VIETNAM_TZ).date()
    step = 1 if offset >= 0 else -1
    for _n in range(abs(offset)):
        day += timedelta(days=step)
        while not calendar.is_working_day(day):
            day += timedelta(days=step)
    return day


def item(
    received: date, history: list[tuple[int, datetime]], procedure: str = "1.004222", **extra: Any
) -> dict:
    return {
        "procedure_code": procedure,
        "procedure_name": "Đăng ký thường trú",
        "agency_code": AGENCY,
        "officer": "canbo.test",
        "channel": 1,
        "received_at": datetime.combine(received, time(9), VIETNAM_TZ).isoformat(),
        "digitised": True,
        "signed": True,
        "history": [{"status": s, "at": t.isoformat(), "note": ""} for s, t in history],
        **extra,
    }


def overdue_item() -> dict:
    """Received 20 working days ago (7-day procedure), still processing: overdue now."""
    received = working_day(-20)
    start = datetime.combine(received, time(9), VIETNAM_TZ)
    return item(received, [(2, start), (4, start + timedelta(hours=1))])


def fresh_item() -> dict:
    """Received today, 7 working days to go: not overdue."""
    received = working_day(0) if load_calendar().is_working_day(date.today()) else working_day(-1)
    start = datetime.combine(received, time(9), VIETNAM_TZ)
    return item(received, [(2, start)])


def import_items(url: str, token: str, items: list[dict]) -> list[dict]:
    """Import into the sandbox and return the portal's documents of every dossier, oldest first."""
    headers = {"Authorization": f"Bearer {token}"}
    response = httpx.post(f"{url}/v1/sandbox/import", json={"items": items}, headers=headers, timeout=30)
    assert response.status_code == 201, response.text
    listed = httpx.get(f"{url}/v1/dossiers", headers=headers, timeout=30)
    return list(listed.json()["items"])


def write_config(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
