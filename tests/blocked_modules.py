"""A `sitecustomize` that makes modules unimportable in a child interpreter, as on a machine without them.

`shim_env(tmp, "fcntl")` returns an environment whose interpreters (spawned workers included) refuse those
imports: the code under test runs unchanged, only the machine around it differs.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

SITECUSTOMIZE = '''
import os
import sys

BLOCKED = set(filter(None, os.environ.get("DOSSIER_TEST_BLOCKED_MODULES", "").split(",")))


class Blocked:
    """Refuse to import the blocked modules and their submodules."""

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r} (blocked for this test)", name=name)
        return None


sys.meta_path.insert(0, Blocked())
'''


def shim_env(folder: Path, *modules: str) -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(folder), str(REPO)])
    env["DOSSIER_TEST_BLOCKED_MODULES"] = ",".join(modules)
    return env
