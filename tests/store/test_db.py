"""The local database: private file modes, WAL, pragmas, and named migrations applied exactly once."""

from __future__ import annotations

import os
import sqlite3
import stat
from contextlib import closing
from pathlib import Path

import pytest

from dossier.store.db import (
    DB_NAME,
    MIGRATIONS,
    Migration,
    applied_migrations,
    database_path,
    dossier_home,
    migrate,
    open_db,
)


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_database_lives_in_dossier_home_with_private_modes(dossier_home: Path) -> None:
    home = dossier_home / "new-home"
    with closing(open_db(database_path(home))) as conn:
        conn.execute("INSERT INTO migrations (name, applied_at) VALUES ('x_probe', 'now')")  # makes a -wal
        assert mode_of(home) == 0o700
        assert mode_of(home / DB_NAME) == 0o600
        side_files = [home / f"{DB_NAME}-wal", home / f"{DB_NAME}-shm"]
        assert all(p.exists() for p in side_files)
        assert [mode_of(p) for p in side_files] == [0o600, 0o600]


def test_private_mode_does_not_depend_on_the_umask(dossier_home: Path) -> None:
    old = os.umask(0)
    try:
        with closing(open_db(dossier_home / "loose" / DB_NAME)):
            pass
    finally:
        os.umask(old)
    assert mode_of(dossier_home / "loose" / DB_NAME) == 0o600
    assert mode_of(dossier_home / "loose") == 0o700


def test_default_path_follows_dossier_home(dossier_home: Path) -> None:
    assert database_path() == dossier_home / DB_NAME


def test_without_dossier_home_the_xdg_data_folder_is_used(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("DOSSIER_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert dossier_home() == tmp_path / "xdg" / "dossier"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/ignored")  # the XDG spec says: ignore relative paths
    assert dossier_home() == Path.home() / ".local" / "share" / "dossier"


def test_connection_uses_wal_foreign_keys_and_a_busy_timeout() -> None:
    with closing(open_db()) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.isolation_level is None  # explicit BEGIN IMMEDIATE blocks only


def test_migrations_are_applied_once_across_reopenings() -> None:
    for _ in range(3):
        with closing(open_db()) as conn:
            assert applied_migrations(conn) == tuple(m.name for m in MIGRATIONS)
            assert migrate(conn) == ()
            count = conn.execute("SELECT count(*) FROM migrations").fetchone()[0]
            assert count == len(MIGRATIONS)
    with closing(open_db()) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"migrations", "code_counters", "dossier_codes"} <= tables


def test_a_new_migration_is_applied_on_the_next_opening_only() -> None:
    extra = (*MIGRATIONS, Migration("m900_probe", ("CREATE TABLE probe (id INTEGER PRIMARY KEY)",)))
    with closing(open_db()) as conn:
        assert "m900_probe" not in applied_migrations(conn)
    with closing(open_db(migrations=extra)) as conn:
        assert applied_migrations(conn)[-1] == "m900_probe"
        assert migrate(conn, extra) == ()


def test_a_failing_migration_leaves_no_trace(dossier_home: Path) -> None:
    broken = (
        *MIGRATIONS,
        Migration("m900_broken", ("CREATE TABLE half_done (id INTEGER)", "CREATE TABLE oops (")),
    )
    with pytest.raises(sqlite3.OperationalError):
        open_db(migrations=broken)
    with closing(open_db()) as conn:
        assert "m900_broken" not in applied_migrations(conn)
        half = conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'").fetchone()[0]
        assert half == 0


def test_migrations_must_be_named_in_order() -> None:
    unordered = (Migration("m002_b", ()), Migration("m001_a", ()))
    with closing(open_db()) as conn, pytest.raises(ValueError, match="sorted order"):
        migrate(conn, unordered)
