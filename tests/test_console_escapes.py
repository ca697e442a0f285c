"""File names with terminal escape sequences are shown escaped, never sent to the terminal raw."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from dossier.cli import cli
from dossier.console import printable

EVIL = "evil\x1b]0;pwned\x07\x1b[2J\x9b31m.pdf"


def test_printable_escapes_control_characters_and_keeps_text() -> None:
    assert printable("tờ khai\tTP01.pdf\n") == "tờ khai\tTP01.pdf\n"
    assert printable(EVIL) == "evil\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m.pdf"


def test_scan_and_verify_never_echo_raw_escapes(tmp_path: Path) -> None:
    bad = tmp_path / EVIL
    bad.write_bytes(b"%PDF-1.7\nnot really")
    for args in (
        ["scan", str(bad), "--out", str(tmp_path / "hs")],
        ["verify", str(bad)],
        ["verify", str(bad), "--json"],
    ):
        result = CliRunner().invoke(cli, args, env={"COLUMNS": "200"})
        assert result.exit_code != 0
        shown = result.stdout + result.stderr
        assert "evil" in shown, shown
        assert "\x1b" not in shown and "\x07" not in shown and "\x9b" not in shown, (args, shown)
