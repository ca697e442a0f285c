"""A counter desk in its own process: waits for the others, then issues codes as fast as it can."""

from __future__ import annotations

import time
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import Any

from dossier.store.codes import issue_code
from dossier.store.db import open_db


def issue_many(
    db_path: str, agency: str, when_iso: str, count: int, start_together: Any, results: Any, reopen: bool
) -> None:
    """Issue `count` codes and put (pid, [sequence, ...]) on `results`.

    With `reopen`, every code opens and closes the database (a desk running `dossier code next` each time);
    otherwise one connection is kept (a long-running desk application).
    """
    import os

    when = datetime.fromisoformat(when_iso)
    start_together.wait(timeout=60)
    sequences: list[int] = []
    if reopen:
        for _ in range(count):
            sequences.append(issue_code(Path(db_path), agency, when).sequence)
            time.sleep(0.001)  # a breath between codes, so the desks' runs overlap instead of queueing
    else:
        with closing(open_db(Path(db_path))) as conn:
            for _ in range(count):
                sequences.append(issue_code(conn, agency, when).sequence)
                time.sleep(0.001)
    results.put((os.getpid(), sequences))
