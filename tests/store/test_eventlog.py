"""The hash-chained event log: appends from two processes never fork it; edits, deletions, reorders and a
cut-off tail are each reported with the first event concerned; `dossier log verify` exits 8 on them."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
from contextlib import closing
from itertools import pairwise
from pathlib import Path

import pytest
from click.testing import CliRunner

from dossier.store.eventlog import ChainProblemKind, event_hash, log_event, read_events, verify_chain
from dossier.store.workspace import Workspace
from dossier.submit.submit_cli import log


def _fill(workspace: Workspace, count: int) -> None:
    with closing(workspace.connect()) as conn:
        for number in range(count):
            log_event(conn, "probe", actor="tester", state="scanned", details={"n": number})


def _raw(workspace: Workspace) -> sqlite3.Connection:
    """A plain sqlite3 connection, as someone editing the file by hand would use."""
    return sqlite3.connect(workspace.database, isolation_level=None)


def _verify(workspace: Workspace):
    with closing(workspace.connect()) as conn:
        return verify_chain(conn)


def test_an_untouched_chain_verifies_and_links_each_event_to_the_previous(workspace: Workspace) -> None:
    _fill(workspace, 5)
    report = _verify(workspace)
    assert report.ok and report.events == 5 and report.problem is None
    with closing(workspace.connect()) as conn:
        events = read_events(conn)
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == "0" * 64
    assert all(b.prev_hash == a.hash for a, b in pairwise(events))
    assert report.head_hash == events[-1].hash


def test_an_edited_event_is_reported_by_its_seq(workspace: Workspace) -> None:
    _fill(workspace, 5)
    with closing(_raw(workspace)) as raw:
        raw.execute("""UPDATE events SET details = '{"n":99}' WHERE seq = 3""")
    report = _verify(workspace)
    assert not report.ok
    assert report.problem is not None
    assert (report.problem.kind, report.problem.seq) == (ChainProblemKind.edited, 3)
    assert "3" in report.problem.message


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(workspace: Workspace) -> None:
    _fill(workspace, 5)
    with closing(_raw(workspace)) as raw:
        row = raw.execute(
            "SELECT seq, dossier_id, actor, action, state, at, prev_hash FROM events WHERE seq = 2"
        )
        seq, dossier_id, _actor, action, state, at, prev = row.fetchone()
        forged = event_hash(seq, dossier_id, "someone-else", action, state, '{"n":1}', at, prev)
        raw.execute("UPDATE events SET actor = 'someone-else', hash = ? WHERE seq = 2", (forged,))
    report = _verify(workspace)
    assert report.problem is not None
    assert (report.problem.kind, report.problem.seq) == (ChainProblemKind.reordered, 3)


def test_a_deleted_event_in_the_middle_is_reported(workspace: Workspace) -> None:
    _fill(workspace, 6)
    with closing(_raw(workspace)) as raw:
        raw.execute("DELETE FROM events WHERE seq = 4")
    report = _verify(workspace)
    assert report.problem is not None
    assert (report.problem.kind, report.problem.seq) == (ChainProblemKind.deleted, 4)


def test_swapped_events_are_reported(workspace: Workspace) -> None:
    _fill(workspace, 5)
    with closing(_raw(workspace)) as raw:
        raw.execute("UPDATE events SET seq = -1 WHERE seq = 2")
        raw.execute("UPDATE events SET seq = 2 WHERE seq = 3")
        raw.execute("UPDATE events SET seq = 3 WHERE seq = -1")
    report = _verify(workspace)
    assert report.problem is not None
    assert report.problem.seq == 2
    assert report.problem.kind in (ChainProblemKind.edited, ChainProblemKind.reordered)


def test_a_deleted_tail_is_caught_by_the_head(workspace: Workspace) -> None:
    _fill(workspace, 5)
    with closing(_raw(workspace)) as raw:
        raw.execute("DELETE FROM events WHERE seq >= 4")
    report = _verify(workspace)
    assert report.problem is not None
    assert (report.problem.kind, report.problem.seq) == (ChainProblemKind.truncated, 4)


def test_the_last_event_rewritten_with_a_valid_hash_is_caught_by_the_head(workspace: Workspace) -> None:
    _fill(workspace, 3)
    with closing(_raw(workspace)) as raw:
        seq, dossier_id, actor, action, _state, at, prev = raw.execute(
            "SELECT seq, dossier_id, actor, action, state, at, prev_hash FROM events WHERE seq = 3"
        ).fetchone()
        forged = event_hash(seq, dossier_id, actor, action, "done", '{"n":2}', at, prev)
        raw.execute("UPDATE events SET state = 'done', hash = ? WHERE seq = 3", (forged,))
    report = _verify(workspace)
    assert report.problem is not None
    assert (report.problem.kind, report.problem.seq) == (ChainProblemKind.edited, 3)


def test_id_numbers_never_enter_the_log(workspace: Workspace) -> None:
    with closing(workspace.connect()) as conn, pytest.raises(ValueError, match="ID numbers"):
        log_event(conn, "probe", actor="tester", details={"note": "citizen 001303012345"})
    with closing(workspace.connect()) as conn:  # a uuid whose last group happens to be all digits is fine
        log_event(conn, "probe", actor="tester", details={"id": "6f1c2d3e-aaaa-4bbb-8ccc-123456789012"})


def _append_many(database: str, count: int, actor: str) -> None:
    workspace = Workspace(Path(database).parent)
    with closing(workspace.connect()) as conn:
        for number in range(count):
            log_event(conn, "race", actor=actor, details={"n": number})


def test_two_processes_appending_at_once_never_fork_the_chain(workspace: Workspace) -> None:
    _fill(workspace, 1)  # the database exists and is migrated before the race
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=_append_many, args=(str(workspace.database), 60, f"desk-{n}"))
        for n in range(2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    report = _verify(workspace)
    assert report.ok, report.problem
    assert report.events == 121


def test_log_verify_command_exits_8_and_names_the_event(workspace: Workspace) -> None:
    _fill(workspace, 4)
    runner = CliRunner()
    good = runner.invoke(log, ["verify", "--workspace", str(workspace.root), "--json"])
    assert good.exit_code == 0, good.output
    assert json.loads(good.output)["ok"] is True
    with closing(_raw(workspace)) as raw:
        raw.execute("UPDATE events SET action = 'forged' WHERE seq = 2")
    bad = runner.invoke(log, ["verify", "--workspace", str(workspace.root), "--json"])
    assert bad.exit_code == 8
    document = json.loads(bad.output)
    assert document["ok"] is False
    assert document["problem"]["seq"] == 2
    assert document["problem"]["kind"] == "edited"
    human = runner.invoke(log, ["verify", "--workspace", str(workspace.root)])
    assert human.exit_code == 8
    assert "2" in human.output
