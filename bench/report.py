"""Benchmark: `dossier report` over 100,000 dossiers, from a registry and from the sandbox portal's paged API.

    .venv/bin/python bench/report.py                  # 100,000 dossiers (targets: < 5 s and < 30 s)
    .venv/bin/python bench/report.py --dossiers 5000  # a quick run

The data is the seeded history generator (`dossier samples history`) at 100,000 dossiers over one month.
Each side is timed end to end as a user runs it (`dossier report ... --json` in a fresh process, median of 3)
and side by side with what a supervisor would otherwise do:

- **registry**: `dossier report --workspace` against one SQL query in Python's sqlite3 counting the received
  and resolved dossiers straight from the tables (no on-time classification, bands or groups);
- **portal**: `dossier report --portal` (pages of 2,000 through `GET /v1/dossiers?limit=&after=`) against
  a plain httpx loop downloading the same pages and decoding the JSON (nothing computed).

Writes `bench/out/report/results.json`; the README cites `bench/results/report.txt`.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from contextlib import closing
from datetime import date, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dossier.profiles.deadlines import VIETNAM_TZ, load_calendar  # noqa: E402
from dossier.profiles.loader import load_catalogue  # noqa: E402
from dossier.supervise.history_samples import HistorySpec, generate, import_document  # noqa: E402
from dossier.supervise.registry import open_registry, write_dossiers  # noqa: E402
from tests.submit.portal_fixture import start_portal  # noqa: E402

TOKEN = "bench-admin-token-0123456789"
END = date(2026, 10, 30)
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=VIETNAM_TZ)
PERIOD = ["--from", "2026-10-01", "--to", "2026-11-15"]
CLI = "import sys; from dossier.cli import main; sys.argv[0] = 'dossier'; main()"


CPU_SECONDS: dict[str, list[float]] = {}


def timed(command: list[str], env: dict[str, str], label: str) -> tuple[float, dict]:
    """Wall-clock seconds of one `dossier report` process; its CPU seconds (user + system) kept by label."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    CPU_SECONDS.setdefault(label, []).append(cpu)
    if done.returncode != 0:
        raise SystemExit(f"{command}: exit {done.returncode}\n{done.stderr[-2000:]}")
    return seconds, json.loads(done.stdout)


def median_of(runs: int, work) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    results = [work() for _n in range(runs)]
    return statistics.median(r[0] for r in results), results[-1][1]


def sql_baseline(database: Path) -> tuple[float, dict]:
    started = time.perf_counter()
    with closing(sqlite3.connect(database)) as conn:
        received = conn.execute(
            "SELECT COUNT(DISTINCT code) FROM supervision_history WHERE status = 2 AND at >= '2026-10-01'"
        ).fetchone()[0]
        resolved = conn.execute(
            "SELECT COUNT(DISTINCT code) FROM supervision_history"
            " WHERE status IN (9, 10) AND at >= '2026-10-01'"
        ).fetchone()[0]
    return time.perf_counter() - started, {"received": received, "resolved": resolved}


def raw_pages(url: str) -> tuple[float, dict]:
    started = time.perf_counter()
    count, cursor = 0, None
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60) as client:
        while True:
            params = {"limit": "2000", **({"after": cursor} if cursor else {})}
            page = client.get("/v1/dossiers", params=params).json()
            count += len(page["items"])
            cursor = page["next"]
            if cursor is None:
                break
    return time.perf_counter() - started, {"dossiers": count}


def _process_cpu(pid: int) -> float:
    """User + system CPU seconds of a running process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "report")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DOSSIER_HOME": str(args.out / "home"), "COLUMNS": "200"}
    env.pop("DOSSIER_CONFIG", None)

    started = time.perf_counter()
    dossiers = generate(
        HistorySpec(count=args.dossiers, seed=1, end=END), load_catalogue(), load_calendar(), NOW
    )
    print(f"generated {len(dossiers)} dossiers in {time.perf_counter() - started:.1f} s", flush=True)

    workspace = args.out / "registry"
    if workspace.exists():
        for path in workspace.iterdir():
            path.unlink()
    with closing(open_registry(workspace, create=True)) as conn:
        write_dossiers(conn, dossiers)
    report_registry = [sys.executable, "-c", CLI, "report", "--workspace", str(workspace), *PERIOD, "--json"]
    registry_s, registry_doc = median_of(args.runs, lambda: timed(report_registry, env, "registry"))
    sql_s, sql_doc = median_of(args.runs, lambda: sql_baseline(workspace / "dossier.sqlite3"))

    with start_portal(
        args.out / "portal",
        token=TOKEN,
        require_signatures=False,
        data_dir=args.out / f"portal-data-{time.time_ns()}",
    ) as portal:
        started = time.perf_counter()
        headers = {"Authorization": f"Bearer {TOKEN}"}
        with httpx.Client(base_url=portal.url, headers=headers, timeout=300) as client:
            for start in range(0, len(dossiers), 2000):
                items = [import_document(d) for d in dossiers[start : start + 2000]]
                response = client.post("/v1/sandbox/import", json={"items": items})
                response.raise_for_status()
        print(f"imported into the sandbox in {time.perf_counter() - started:.1f} s", flush=True)
        portal_env = {**env, "DOSSIER_PORTAL_TOKEN": TOKEN}
        report_portal = [sys.executable, "-c", CLI, "report", "--portal", portal.url, *PERIOD, "--json"]
        portal_s, portal_doc = median_of(args.runs, lambda: timed(report_portal, portal_env, "portal"))
        server_before = _process_cpu(portal.process.pid)
        raw_s, raw_doc = median_of(args.runs, lambda: raw_pages(portal.url))
        server_cpu = (_process_cpu(portal.process.pid) - server_before) / args.runs

    same = registry_doc["indicators"] == portal_doc["indicators"]  # type: ignore[index]
    received = registry_doc["indicators"]["received"]["value"]  # type: ignore[index]
    lines = [
        f"dossier report over {len(dossiers)} dossiers (seeded month, {received} received in the period)",
        f"median of {args.runs} runs, each a fresh `dossier report ... --json` process",
        "",
        "| source | dossier report | side by side | ratio | target |",
        "|---|---|---|---|---|",
        f"| registry (--workspace) | {registry_s:.2f} s | sqlite3 COUNT query: {sql_s:.2f} s | "
        f"{registry_s / sql_s:.1f}x | < 5 s: {'met' if registry_s < 5 else 'MISSED'} |",
        f"| portal, pages of 2,000 (--portal) | {portal_s:.2f} s | httpx paging only: {raw_s:.2f} s | "
        f"{portal_s / raw_s:.1f}x | < 30 s: {'met' if portal_s < 30 else 'MISSED'} |",
        "",
        "CPU seconds of the `dossier report` process (user + system, median), less sensitive to other jobs:",
        f"registry {statistics.median(CPU_SECONDS['registry']):.2f} s, "
        f"portal {statistics.median(CPU_SECONDS['portal']):.2f} s (the portal server's work is not in it; "
        f"the server spent {server_cpu:.2f} CPU seconds per full paging of the list)",
        "",
        f"both sources give the same indicators: {same}",
        f"load average (1, 5, 15 min) at the end: {', '.join(f'{v:.1f}' for v in os.getloadavg())} "
        f"on {os.cpu_count()} cores (other jobs share this machine)",
        f"sqlite3 baseline counts: {sql_doc}; pages fetched: {raw_doc}",
    ]
    text = "\n".join(lines)
    print(text)
    (args.out / "results.json").write_text(
        json.dumps(
            {
                "dossiers": len(dossiers),
                "registry_s": registry_s,
                "sql_s": sql_s,
                "portal_s": portal_s,
                "raw_pages_s": raw_s,
                "same_indicators": same,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
