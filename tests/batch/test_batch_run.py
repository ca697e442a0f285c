"""`dossier batch` end to end on a real LocalCluster with worker processes, and its bad-input refusals."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import pytest

from dossier.errors import ExitCode
from dossier.profiles.checklist import read_page_texts
from tests.batch.conftest import (
    make_tree,
    outcomes,
    outputs,
    page_png,
    report,
    run_batch,
    run_dossier,
)

pytestmark = [pytest.mark.slow, pytest.mark.tesseract]


def test_a_tree_is_digitized_reported_and_resumed_by_what_changed(tmp_path: Path) -> None:
    src, dest = make_tree(tmp_path / "src"), tmp_path / "dest"
    first = run_batch(src, "--out", dest, "--jobs", "2", "--dpi", "100", "--json")
    assert first.returncode == ExitCode.partial, first.stderr
    document = json.loads(first.stdout)
    assert document == report(dest)
    assert outcomes(document) == {"2019/hs 001": "done", "Hồ sơ B.pdf": "done", "2019/hỏng.pdf": "failed"}
    broken = next(i for i in document["items"] if i["outcome"] == "failed")
    assert "hỏng.pdf" in broken["reason"] and broken["pages"] == 0
    assert not (dest / "2019" / "hỏng").exists()  # nothing half-written for it
    assert document["totals"]["pages_processed"] == 4 and document["totals"]["failed"] == 1
    assert (dest / "batch-report.csv").read_text(encoding="utf-8").splitlines()[0].startswith("source,output")
    assert (dest / "batch-journal.sqlite").stat().st_mode & 0o777 == 0o600
    # the same pipeline as `dossier scan`: same text layer, same manifest (times aside)
    scanned = tmp_path / "scanned"
    scan = run_dossier("scan", src / "2019" / "hs 001", "--out", scanned, "--jobs", "2", "--dpi", "100")
    assert scan.returncode == 0, scan.stderr
    assert read_page_texts(scanned / "scan.pdf") == read_page_texts(dest / "2019" / "hs 001" / "scan.pdf")
    assert "Hòa Tiến" in " ".join(read_page_texts(dest / "Hồ sơ B" / "scan.pdf"))
    before = outputs(dest)

    # rerun: done dossiers are skipped, the broken one is tried again (and fails again)
    again = run_batch(src, "--out", dest, "--jobs", "1", "--dpi", "100", "--json")
    assert again.returncode == ExitCode.partial
    assert outcomes(json.loads(again.stdout)) == {
        "2019/hs 001": "skipped",
        "Hồ sơ B.pdf": "skipped",
        "2019/hỏng.pdf": "failed",
    }
    assert json.loads(again.stdout)["totals"]["pages_processed"] == 0

    # a changed source is picked up; the repaired file is done; exit 0
    page_png(src / "2019" / "hs 001" / "trang2.png", 5)
    (src / "2019" / "hỏng.pdf").unlink()
    changed = run_batch(src, "--out", dest, "--jobs", "2", "--dpi", "100", "--json")
    assert changed.returncode == ExitCode.ok, changed.stderr
    assert outcomes(json.loads(changed.stdout)) == {"2019/hs 001": "changed", "Hồ sơ B.pdf": "skipped"}
    after = outputs(dest)
    assert after["Hồ sơ B"] == before["Hồ sơ B"]
    assert after["2019/hs 001"][0][0] == before["2019/hs 001"][0][0]
    assert "cam đoan" in after["2019/hs 001"][0][1] and "cam đoan" not in before["2019/hs 001"][0][1]

    # a DEST holding this SRC's journal refuses another SRC, naming the journal
    other = make_tree(tmp_path / "other")
    foreign = run_batch(other, "--out", dest, "--dpi", "100")
    assert foreign.returncode == ExitCode.output
    assert "batch-journal.sqlite" in foreign.stderr and str(src.resolve()) in foreign.stderr


def test_bad_input_is_refused_clearly_and_writes_nothing(tmp_path: Path) -> None:
    missing = run_batch(tmp_path / "nope", "--out", tmp_path / "d1")
    assert missing.returncode == ExitCode.input_file and "nope" in missing.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("no pages here")
    nothing = run_batch(empty, "--out", tmp_path / "d2")
    assert nothing.returncode == ExitCode.input_file and "empty" in nothing.stderr
    src = make_tree(tmp_path / "src")
    inside = run_batch(src, "--out", src / "out")
    assert inside.returncode == ExitCode.config
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    started = time.monotonic()
    dead = run_batch(src, "--out", tmp_path / "d3", "--scheduler", f"tcp://127.0.0.1:{port}")
    assert time.monotonic() - started < 15  # interpreter start-up included; the connect timeout is 8 s
    assert dead.returncode == ExitCode.cluster_unavailable and f"127.0.0.1:{port}" in dead.stderr
    assert not any(p.exists() for p in (tmp_path / "d1", tmp_path / "d2", src / "out", tmp_path / "d3"))
    dry = run_batch(src, "--out", tmp_path / "d4", "--dry-run", "--json")
    assert dry.returncode == ExitCode.partial
    assert outcomes(json.loads(dry.stdout)) == {
        "2019/hs 001": "pending",
        "Hồ sơ B.pdf": "pending",
        "2019/hỏng.pdf": "failed",
    }
    assert not (tmp_path / "d4").exists()


def test_a_pdf_bomb_and_a_symlink_loop_fail_alone(tmp_path: Path) -> None:
    import pikepdf

    src = tmp_path / "src"
    (src / "a").mkdir(parents=True)
    page_png(src / "a" / "p1.png", 0)
    (src / "a" / "loop").symlink_to(src, target_is_directory=True)
    bomb = pikepdf.new()
    bomb.add_blank_page(page_size=(14400, 14400))  # 200 x 200 inches: 3.6 billion pixels at 300 dpi
    bomb.save(src / "bom.pdf")
    result = run_batch(src, "--out", tmp_path / "dest", "--jobs", "1", "--json")
    assert result.returncode == ExitCode.partial, result.stderr
    document = json.loads(result.stdout)
    assert outcomes(document) == {"a": "done", "a/loop": "failed", "bom.pdf": "failed"}
    reasons = {i["source"]: i["reason"] for i in document["items"]}
    assert "bom.pdf" in reasons["bom.pdf"] and "bomb" in reasons["bom.pdf"]
    assert "loop" in reasons["a/loop"]
    assert not (tmp_path / "dest" / "bom").exists()


def test_an_index_names_dossiers_with_their_procedure_and_the_checklist_comes_out(tmp_path: Path) -> None:
    from tests.profiles.test_check import CONTINUATION, DECLARATION, page_images

    src = tmp_path / "src"
    (src / "khai sinh").mkdir(parents=True)
    page_images(src / "khai sinh", [DECLARATION, CONTINUATION])
    index = tmp_path / "danh-sach.csv"
    index.write_text(
        "path,dossier_id,procedure,title\nkhai sinh,000.00.06.H56-190101-0001,1.001193,Khai sinh 2019\n",
        encoding="utf-8",
    )
    unknown = run_batch(src, "--out", tmp_path / "x", "--procedure", "9.999999")
    assert unknown.returncode == ExitCode.config and not (tmp_path / "x").exists()
    result = run_batch(src, "--index", index, "--out", tmp_path / "dest", "--jobs", "1", "--json")
    assert result.returncode == ExitCode.ok, result.stderr
    (item,) = json.loads(result.stdout)["items"]
    manifest = json.loads((tmp_path / "dest" / "khai sinh" / "manifest.json").read_text(encoding="utf-8"))
    assert item["verdict"] == manifest["checklist"]["verdict"]
    assert {c["path"] for c in manifest["components"]} == {"TP01.pdf"}
    assert (tmp_path / "dest" / "khai sinh" / "TP01.pdf").is_file()
    import pikepdf

    with pikepdf.open(tmp_path / "dest" / "khai sinh" / "scan.pdf") as pdf:
        assert str(pdf.open_metadata().get("dc:title")) == "Khai sinh 2019"
