"""The command line: help that teaches, documented exit codes, clear errors for missing tools and output."""

from __future__ import annotations

import re
from pathlib import Path

import click
from click.testing import CliRunner

from dossier.cli import cli
from dossier.errors import ExitCode

README = Path(__file__).parent.parent / "README.md"


def invoke(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_every_command_has_help_with_an_example() -> None:
    context = click.Context(cli)
    names = cli.list_commands(context)
    assert {"scan", "check", "sign", "verify", "audit", "submit", "sync", "portal"} <= set(names)
    for name in names:
        command = cli.get_command(context, name)
        assert command is not None and command.name == name, name
        result = invoke(name, "--help")
        assert result.exit_code == 0, name
        if not hasattr(command, "commands"):
            assert "Ví dụ" in result.output, f"`dossier {name} --help` has no example"
        assert f"dossier {name}" in README.read_text(encoding="utf-8"), f"README does not document {name}"


def test_readme_exit_code_table_matches_the_enum() -> None:
    table = dict(re.findall(r"^\| (\d+) \| (.+?) \|$", README.read_text(encoding="utf-8"), flags=re.M))
    assert sorted(int(code) for code in table) == sorted(int(code) for code in ExitCode)


def test_scan_without_sources_is_a_usage_error(tmp_path: Path) -> None:
    result = invoke("scan", "--out", str(tmp_path / "out"))
    assert result.exit_code == ExitCode.usage
    assert "nguồn" in result.output


def test_missing_tesseract_is_reported_before_any_work(tmp_path: Path, text_page_png: Path) -> None:
    out = tmp_path / "out"
    result = invoke(
        "scan", str(text_page_png), "--out", str(out), env={"DOSSIER_TESSERACT": "/nonexistent/tesseract"}
    )
    assert result.exit_code == ExitCode.missing_dependency
    assert "Tesseract" in result.output
    assert "apt-get install tesseract-ocr" in result.output
    assert not out.exists()


def test_missing_vietnamese_data_is_reported(tmp_path: Path, text_page_png: Path) -> None:
    """A real Tesseract whose data folder has no `vie`: the message names the language and the package."""
    tessdata = tmp_path / "tessdata"
    tessdata.mkdir()
    system = Path("/usr/share/tesseract-ocr/5/tessdata")
    (tessdata / "eng.traineddata").symlink_to(system / "eng.traineddata")
    out = tmp_path / "out"
    result = invoke("scan", str(text_page_png), "--out", str(out), env={"TESSDATA_PREFIX": str(tessdata)})
    assert result.exit_code == ExitCode.missing_dependency
    assert "'vie'" in result.output
    assert "tesseract-ocr-vie" in result.output
    assert not out.exists()


def test_unwritable_output_folder(tmp_path: Path, text_page_png: Path) -> None:
    """/proc refuses new folders even to root: the error names the folder, nothing is left behind."""
    result = invoke("scan", str(text_page_png), "--out", "/proc/dossier-out")
    assert result.exit_code == ExitCode.output
    assert "/proc/dossier-out" in result.output


def test_output_path_that_is_a_file_is_refused(tmp_path: Path, text_page_png: Path) -> None:
    target = tmp_path / "out"
    target.write_text("keep me")
    result = invoke("scan", str(text_page_png), "--out", str(target))
    assert result.exit_code == ExitCode.output
    assert str(target) in result.output
    assert target.read_text() == "keep me"


def test_output_folder_under_a_file_is_refused(tmp_path: Path, text_page_png: Path) -> None:
    """Works as root too: a folder cannot be created below a regular file."""
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    result = invoke("scan", str(text_page_png), "--out", str(blocker / "out"))
    assert result.exit_code == ExitCode.output
    assert "blocker" in result.output
    assert blocker.read_text() == "x"


def test_foreign_non_empty_folder_is_not_overwritten(tmp_path: Path, text_page_png: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    (target / "letter.docx").write_text("someone's work")
    result = invoke("scan", str(text_page_png), "--out", str(target))
    assert result.exit_code == ExitCode.output
    assert (target / "letter.docx").read_text() == "someone's work"


def test_file_names_with_brackets_are_printed_as_they_are(tmp_path: Path) -> None:
    """Rich markup is off everywhere: a file called "[bold]x.pdf" is shown by name, never styled or eaten."""
    odd = tmp_path / "[bold]hồ sơ.pdf"
    odd.write_bytes(b"not a pdf")
    result = invoke("verify", str(odd))
    assert result.exit_code == ExitCode.input_file
    assert "[bold]hồ sơ.pdf" in result.output
