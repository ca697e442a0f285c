"""Where `dossier` keeps its data on this machine: `$DOSSIER_HOME`, else the platform's per-user data folder.

Beneath the store and the configuration (both ask it), so neither has to import the other for it.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

HOME_ENV = "DOSSIER_HOME"
APP_NAME = "dossier"


def dossier_home() -> Path:
    """The folder holding the local database: `$DOSSIER_HOME`, else the platform's per-user data folder.

    The platform folder comes from `platformdirs`: `%LOCALAPPDATA%\\dossier` on Windows,
    `~/Library/Application Support/dossier` on macOS, `$XDG_DATA_HOME/dossier` (else `~/.local/share/dossier`)
    on Linux.
    """
    configured = os.environ.get(HOME_ENV, "").strip()
    if configured:
        return Path(configured).expanduser()
    return platformdirs.user_data_path(APP_NAME, appauthor=False)
