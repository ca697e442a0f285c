"""The tree rule, the CSV index and the path checks (no Dask, no Tesseract)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dossier.batch import discover
from dossier.errors import ConfigError, InputFileError
from tests.batch.conftest import page_pdf, page_png


def test_every_pdf_and_every_folder_of_images_is_one_dossier(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "2019" / "hs 001").mkdir(parents=True)
    page_png(src / "2019" / "hs 001" / "trang10.png", 0)
    page_png(src / "2019" / "hs 001" / "trang2.png", 1)
    page_pdf(src / "2019" / "Hồ sơ B.pdf", 1)
    (src / "2019" / "ghi-chu.txt").write_text("not a page")
    (src / ".hidden").mkdir()
    page_png(src / ".hidden" / "x.png", 0)
    found = {d.rel: d for d in discover.walk_tree(src)}
    assert set(found) == {"2019/hs 001", "2019/Hồ sơ B.pdf"}
    assert found["2019/Hồ sơ B.pdf"].output == "2019/Hồ sơ B"
    assert found["2019/hs 001"].output == "2019/hs 001"
    assert [p.name for p in discover.source_files(found["2019/hs 001"])] == ["trang2.png", "trang10.png"]
    assert all(d.problem is None for d in found.values())


def test_odd_names_are_kept_as_they_are(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    odd = "hồ sơ\nxuống dòng.pdf"
    page_pdf(src / odd, 1)
    (item,) = discover.walk_tree(src)
    assert item.rel == odd and item.output == "hồ sơ\nxuống dòng"


def test_a_symlink_loop_is_reported_not_followed(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "a").mkdir(parents=True)
    page_png(src / "a" / "p1.png", 0)
    (src / "a" / "loop").symlink_to(src, target_is_directory=True)
    found = {d.rel: d for d in discover.walk_tree(src)}
    assert found["a"].problem is None
    assert "vòng lặp" in (found["a/loop"].problem or "")


def test_outputs_that_would_overlap_are_refused_by_name(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "x").mkdir(parents=True)
    page_png(src / "x" / "p1.png", 0)
    page_pdf(src / "x.pdf", 1)  # output "x" as well
    found = {d.rel: d for d in discover.walk_tree(src)}
    problems = [d for d in found.values() if d.problem]
    assert len(problems) == 1 and "x" in (problems[0].problem or "")


def test_the_index_names_dossiers_with_id_procedure_and_title(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    page_pdf(src / "a.pdf", 1)
    index = tmp_path / "index.csv"
    index.write_text(
        "path,dossier_id,procedure,title\n"
        "a.pdf,000.00.06.H56-190101-0001,1.001193,Khai sinh\n"
        "missing.pdf,,,\n",
        encoding="utf-8",
    )
    a, missing = discover.read_index(index, src.resolve())
    assert (a.rel, a.output, a.dossier_id, a.procedure, a.title) == (
        "a.pdf",
        "a",
        "000.00.06.H56-190101-0001",
        "1.001193",
        "Khai sinh",
    )
    assert missing.problem is not None
    escape = tmp_path / "escape.csv"
    escape.write_text("path\n../outside.pdf\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="Dòng 2"):
        discover.read_index(escape, src.resolve())
    no_path = tmp_path / "bad.csv"
    no_path.write_text("file,title\na.pdf,x\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="path"):
        discover.read_index(no_path, src.resolve())


def test_src_must_exist_and_dest_must_not_be_inside_it(tmp_path: Path) -> None:
    with pytest.raises(InputFileError):
        discover.check_paths(tmp_path / "nope", tmp_path / "out")
    (tmp_path / "src").mkdir()
    with pytest.raises(ConfigError):
        discover.check_paths(tmp_path / "src", tmp_path / "src" / "out")
    with pytest.raises(ConfigError):
        discover.check_paths(tmp_path / "src", tmp_path / "src")


def test_a_folder_fingerprint_changes_with_any_page(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    page_png(src / "p1.png", 0)
    page_png(src / "p2.png", 1)
    (item,) = discover.walk_tree(src)
    before = discover.fingerprint(item)
    assert discover.fingerprint(item) == before
    page_png(src / "p2.png", 2)
    assert discover.fingerprint(item) != before
