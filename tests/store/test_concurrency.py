"""Desks in separate OS processes issuing codes for one agency and day at once: no duplicate, no gap."""

from __future__ import annotations

import multiprocessing
import queue
import sqlite3
import time
from contextlib import closing
from pathlib import Path

import pytest

from dossier.store.db import MIGRATIONS, open_db
from tests.store.code_desk import issue_many

AGENCY = "000.00.06.H56"
WHEN = "2023-10-27T09:32:00+07:00"


def run_desks(db_path: Path, desks: int, per_desk: int) -> list[list[int]]:
    """Start `desks` spawned processes that begin issuing at the same moment; their sequences, in order."""
    ctx = multiprocessing.get_context("spawn")
    start_together = ctx.Barrier(desks)
    results = ctx.Queue()
    processes = [
        ctx.Process(
            target=issue_many,
            args=(str(db_path), AGENCY, WHEN, per_desk, start_together, results, n % 2 == 1),
        )
        for n in range(desks)
    ]
    for process in processes:
        process.start()
    collected: list[list[int]] = []
    deadline = time.monotonic() + 120
    while len(collected) < desks:
        try:
            collected.append(results.get(timeout=0.2)[1])
        except queue.Empty:
            crashed = [p.exitcode for p in processes if p.exitcode not in (None, 0)]
            assert not crashed, f"a desk process failed (exit codes {crashed}); see its traceback above"
            assert time.monotonic() < deadline, "the desks did not finish in time"
    for process in processes:
        process.join(timeout=30)
        assert process.exitcode == 0
    return collected


def test_four_desks_issue_200_distinct_consecutive_codes_on_a_new_database(tmp_path: Path) -> None:
    db_path = tmp_path / "shared" / "dossier.sqlite3"  # not created yet: the desks race to create it too
    per_desk = run_desks(db_path, desks=4, per_desk=50)

    everything = sorted(s for desk in per_desk for s in desk)
    assert everything == list(range(1, 201))
    for desk in per_desk:
        assert desk == sorted(desk)  # each desk sees its own numbers go up
    # the desks really ran at the same time: some desk's numbers were interleaved with another's
    assert any(desk != list(range(desk[0], desk[0] + len(desk))) for desk in per_desk)

    with closing(open_db(db_path)) as conn:
        codes = [r[0] for r in conn.execute("SELECT code FROM dossier_codes ORDER BY sequence")]
        counter = conn.execute("SELECT last_sequence FROM code_counters").fetchall()
        migrations = conn.execute("SELECT count(*) FROM migrations").fetchone()[0]
    assert codes == [f"{AGENCY}-231027-{n:04d}" for n in range(1, 201)]
    assert counter == [(200,)]
    assert migrations == len(MIGRATIONS)  # each applied once, though four desks opened the new file at once


def test_a_duplicate_code_is_refused_by_the_schema_itself() -> None:
    with closing(open_db()) as conn:
        conn.execute("INSERT INTO code_counters VALUES (?, '2023-10-27', 1)", (AGENCY,))
        row = (f"{AGENCY}-231027-0001", AGENCY, "2023-10-27", 1, WHEN, WHEN)
        conn.execute("INSERT INTO dossier_codes VALUES (?, ?, ?, ?, ?, ?)", row)
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("INSERT INTO dossier_codes VALUES (?, ?, ?, ?, ?, ?)", row)
