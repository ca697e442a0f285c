"""The README's table of environment variables lists every `DOSSIER_*` variable the package reads."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_every_environment_variable_of_the_code_is_in_the_readme_table() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `(DOSSIER_[A-Z0-9_]+)` \|", readme, flags=re.M))
    used: set[str] = set()
    for path in (REPO / "dossier").rglob("*.py"):
        used |= set(re.findall(r"[\"'](DOSSIER_[A-Z0-9_]+)[\"']", path.read_text(encoding="utf-8")))
    assert len(used) > 10
    assert sorted(used - documented) == []
