"""The dossier folder: a scan replaces only a folder it wrote itself, keeps the officers' records, follows a
symlinked --out, and a swap cut short between its two renames is undone, never turned into a deletion."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from dossier.cli import cli
from dossier.errors import ExitCode, InputFileError
from dossier.fsutil import recover_replace
from dossier.store.folder import DossierFolder
from dossier.store.manifest import (
    MANIFEST_FORMAT,
    ForeignManifestError,
    NewerManifestError,
    dump_manifest,
    load_manifest,
    parse_manifest,
)


def scan(page: Path, out: Path, *extra: str) -> Result:
    return CliRunner().invoke(cli, ["scan", str(page), "--out", str(out), "-j", "1", *extra])


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_foreign_manifest_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "manifest.json"
    path.write_text('{"name": "pwa"}')
    with pytest.raises(ForeignManifestError) as refused:
        load_manifest(path)
    assert refused.value.path == path and "manifest.json" in refused.value.message
    path.write_text(json.dumps({"format": "dossier-scan/2", "files": []}))
    with pytest.raises(NewerManifestError) as newer:
        load_manifest(path)
    assert "dossier-scan/2" in newer.value.message
    with pytest.raises(InputFileError):
        parse_manifest({"format": MANIFEST_FORMAT, "files": [{"path": "scan.pdf"}]}, path)  # no sha256


@pytest.mark.tesseract
def test_a_web_project_with_a_manifest_json_is_never_replaced(tmp_path: Path, text_page_png: Path) -> None:
    project = tmp_path / "pwa"
    (project / "src").mkdir(parents=True)
    (project / "manifest.json").write_text('{"name":"pwa"}')
    (project / "src" / "app.js").write_text("console.log('hi')\n")
    before = tree(project)
    result = scan(text_page_png, project)
    assert result.exit_code == ExitCode.output, result.output
    assert "manifest.json" in result.output and "src" in result.output
    assert tree(project) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".pwa")] == []  # no staging, no .old


@pytest.mark.tesseract
def test_a_rescan_keeps_records_and_refuses_files_it_did_not_write(
    tmp_path: Path, text_page_png: Path
) -> None:
    out = tmp_path / "hs"
    assert scan(text_page_png, out).exit_code == 0
    manifest = DossierFolder(out).manifest()
    assert manifest.version == 1 and [f.path for f in manifest.files] == ["scan.pdf"]
    assert dump_manifest(manifest) == (out / "manifest.json").read_text()  # typed round trip loses nothing

    (out / "corrections.json").write_text('[{"officer": "A", "scan_sha256": "x", "pages": {"1": "TP01"}}]\n')
    (out / "phieu-bo-sung.pdf").write_bytes(b"%PDF-1.7 notice")
    notice = {
        "kind": "supplement",
        "code": "X",
        "issued_at": "2026-11-23T09:00:00+07:00",
        "file": "phieu-bo-sung.pdf",
    }
    (out / "notices.json").write_text(json.dumps([notice]))
    assert scan(text_page_png, out).exit_code == 0
    assert (out / "corrections.json").read_text().startswith('[{"officer": "A"')
    assert (out / "phieu-bo-sung.pdf").read_bytes() == b"%PDF-1.7 notice"
    assert json.loads((out / "notices.json").read_text())[0]["file"] == "phieu-bo-sung.pdf"

    (out / "giay-bien-nhan-cong.json").write_text("{}")  # a receipt the portal sent: not the scan's
    with (out / "scan.pdf").open("ab") as signed:  # an incremental update, as a signature would add
        signed.write(b"\n% signed\n")
    before = tree(out)
    refused = scan(text_page_png, out)
    assert refused.exit_code == ExitCode.output
    assert "giay-bien-nhan-cong.json" in refused.output and "scan.pdf" in refused.output
    assert tree(out) == before

    forced = scan(text_page_png, out, "--force")
    assert forced.exit_code == 0
    assert not (out / "giay-bien-nhan-cong.json").exists() and (out / "corrections.json").exists()


@pytest.mark.tesseract
def test_a_symlinked_out_is_followed_and_leaves_no_old_link(tmp_path: Path, text_page_png: Path) -> None:
    real = tmp_path / "real-hs"
    link = tmp_path / "hs"
    real.mkdir()
    link.symlink_to(real, target_is_directory=True)
    for _ in range(2):
        result = scan(text_page_png, link)
        assert result.exit_code == 0, result.output
    assert link.is_symlink() and (real / "scan.pdf").is_file()
    assert not any(p.name.endswith(".old") for p in tmp_path.iterdir())

    dangling = tmp_path / "nowhere"
    dangling.symlink_to(tmp_path / "missing", target_is_directory=True)
    result = scan(text_page_png, dangling)
    assert result.exit_code == ExitCode.output and "nowhere" in result.output
    assert not (tmp_path / "missing").exists() and dangling.is_symlink()


def test_recover_replace_puts_the_kept_folder_back(tmp_path: Path) -> None:
    target = tmp_path / "hs"
    old = tmp_path / ".hs.old"
    old.mkdir()
    (old / "TP01-da-ky.pdf").write_bytes(b"signed")
    recover_replace(target)  # crash after the first rename: the old folder comes back
    assert (target / "TP01-da-ky.pdf").read_bytes() == b"signed" and not old.exists()
    old.mkdir()
    recover_replace(target)  # crash after the second rename: the new folder stays, the old one goes
    assert target.is_dir() and not old.exists()


@pytest.mark.tesseract
def test_a_crash_between_the_two_renames_never_costs_the_kept_folder(
    tmp_path: Path, text_page_png: Path
) -> None:
    out = tmp_path / "hs"
    assert scan(text_page_png, out).exit_code == 0
    (out / "TP01-da-ky.pdf").write_bytes(b"a signed copy the officer put here")
    kept = tree(out)
    # the state a kill -9 leaves between `out -> .out.old` and `staging -> out`
    os.replace(out, tmp_path / ".hs.old")
    staging = tmp_path / ".hs.partial-crashed"
    shutil.copytree(tmp_path / ".hs.old", staging)

    result = scan(text_page_png, out)
    assert result.exit_code == ExitCode.output  # the kept folder is back, and it holds a file not ours
    assert "TP01-da-ky.pdf" in result.output
    assert tree(out) == kept
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".hs")) == []
