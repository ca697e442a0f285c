"""The workspace: the folder holding the registry database and the outbox's file copies."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from dossier.fsutil import make_private_dir
from dossier.home import dossier_home
from dossier.store.db import DB_NAME, open_db

OUTBOX_DIR = "outbox"


@dataclass(frozen=True)
class Workspace:
    """`root/dossier.sqlite3` (registry, event log, outbox) and `root/outbox/<dossier-id>/` (payloads)."""

    root: Path

    @property
    def database(self) -> Path:
        return self.root / DB_NAME

    @property
    def outbox_root(self) -> Path:
        return self.root / OUTBOX_DIR

    def payload_dir(self, dossier_id: str) -> Path:
        return self.outbox_root / dossier_id

    def connect(self) -> sqlite3.Connection:
        """The migrated database (created 0600 in a 0700 folder if new); close it when done."""
        make_private_dir(self.root)
        return open_db(self.database)


def resolve_workspace(option: Path | None = None) -> Workspace:
    """`--workspace DIR` when given, else the dossier home (`$DOSSIER_HOME` or the platform data folder)."""
    root = option if option is not None else dossier_home()
    return Workspace(root.expanduser().absolute())
