"""Synthetic sample pages: every profile and file type present, exact ground truth, honest degradations."""

from __future__ import annotations

import hashlib
import json
import stat
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from dossier.errors import ConfigError, InputFileError
from dossier.samples import PROFILES, SamplePage, SampleSet, load_ground_truth, make_samples
from dossier.samples.commands import samples
from dossier.samples.make import make_page
from dossier.samples.render import MARGIN_LEFT, MARGIN_RIGHT, PAGE_HEIGHT, PAGE_WIDTH


@pytest.fixture(scope="module")
def default_set(tmp_path_factory: pytest.TempPathFactory) -> SampleSet:
    return make_samples(tmp_path_factory.mktemp("samples") / "set", count=12, seed=0)


def load(sample_set: SampleSet, page: SamplePage) -> Image.Image:
    image = Image.open(sample_set.out_dir / page.file)
    image.seek(page.page - 1)
    image.load()
    return image


def by_profile(sample_set: SampleSet, profile: str) -> list[SamplePage]:
    return [page for page in sample_set.pages if page.profile == profile]


def ink_rows(image: Image.Image) -> np.ndarray:
    """Row sums of darkness on a 1/4-scale copy: sharp peaks when text lines are horizontal."""
    small = np.asarray(image.convert("L").reduce(4), dtype=np.float32)
    return (255 - small).sum(axis=1)


def test_default_set_has_every_profile_and_input_type(default_set: SampleSet) -> None:
    assert len(default_set.pages) == 12
    assert {page.profile for page in default_set.pages} == set(PROFILES)
    suffixes = {Path(name).suffix for name in default_set.files}
    assert suffixes == {".png", ".jpg", ".tif"}
    tiff_pages = [
        sum(p.file == name for p in default_set.pages) for name in default_set.files if name.endswith(".tif")
    ]
    assert sorted(tiff_pages) == [1, 2]
    assert [page.index for page in default_set.pages] == list(range(1, 13))


def test_every_file_records_300_dpi_and_tiff_frames(default_set: SampleSet) -> None:
    for name in default_set.files:
        with Image.open(default_set.out_dir / name) as image:
            expected_frames = sum(page.file == name for page in default_set.pages)
            assert getattr(image, "n_frames", 1) == expected_frames, name
            assert tuple(round(v) for v in image.info["dpi"]) == (300, 300), name
    multi = next(name for name in default_set.files if name.endswith("-2pages.tif"))
    with Image.open(default_set.out_dir / multi) as image:
        assert image.n_frames == 2


def test_recorded_sizes_and_modes_match_the_files(default_set: SampleSet) -> None:
    for page in default_set.pages:
        image = load(default_set, page)
        assert (image.width, image.height, image.mode) == (page.width, page.height, page.mode)
    clean = by_profile(default_set, "clean")[0]
    assert (clean.width, clean.height) == (PAGE_WIDTH, PAGE_HEIGHT)


def test_ground_truth_is_nfc_and_blank_only_for_blank_pages(default_set: SampleSet) -> None:
    for page in default_set.pages:
        assert unicodedata.normalize("NFC", page.text) == page.text
        if page.profile == "blank":
            assert page.blank and page.text == ""
        else:
            assert not page.blank
            lines = page.text.splitlines()
            assert len(lines) > 15
            assert all(line == line.strip() and line for line in lines)
            assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in lines
            assert "Độc lập - Tự do - Hạnh phúc" in lines
            assert any(ch in page.text for ch in "ươăếữỹ")


def test_ground_truth_does_not_depend_on_the_profile() -> None:
    _, clean_text = make_page(5, 3, "clean")
    for profile in ("seal", "rotated90", "photo"):
        assert make_page(5, 3, profile)[1] == clean_text


def test_text_stays_inside_the_margins(default_set: SampleSet) -> None:
    ink = np.asarray(load(default_set, by_profile(default_set, "clean")[0])) < 128
    columns = np.flatnonzero(ink.any(axis=0))
    rows = np.flatnonzero(ink.any(axis=1))
    assert columns[0] >= MARGIN_LEFT - 40  # the agency column may start a little into the margin
    assert columns[-1] <= PAGE_WIDTH - MARGIN_RIGHT
    assert rows[0] >= 200 and rows[-1] <= PAGE_HEIGHT - 200


def test_ground_truth_file_round_trips(default_set: SampleSet) -> None:
    assert load_ground_truth(default_set.out_dir) == default_set
    payload = json.loads((default_set.out_dir / "ground_truth.json").read_text(encoding="utf-8"))
    assert payload["version"] == 1 and payload["dpi"] == 300 and payload["seed"] == 0
    assert set(payload["pages"][0]) >= {
        "file",
        "page",
        "profile",
        "text",
        "blank",
        "rotation",
        "skew",
        "has_seal",
    }


def test_files_are_private(default_set: SampleSet) -> None:
    assert stat.S_IMODE(default_set.out_dir.stat().st_mode) == 0o700
    for path in default_set.out_dir.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name


def test_seal_pages_are_red_and_blue_and_others_are_not(default_set: SampleSet) -> None:
    for page in default_set.pages:
        rgb = np.asarray(load(default_set, page).convert("RGB")).astype(np.int16)
        r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
        red = int(((r > 150) & (g < 100) & (b < 100)).sum())
        blue = int(((b > 110) & (r < 90) & (b - g > 50)).sum())
        if page.has_seal:
            assert page.profile == "seal"
            assert red > 10_000, red
            assert blue > 2_000, blue
        else:
            assert red < 50, (page.profile, red)


def test_rotated_pages_turn_back_to_the_clean_page(default_set: SampleSet) -> None:
    for page in by_profile(default_set, "rotated90") + by_profile(default_set, "rotated180"):
        image = load(default_set, page)
        if page.profile == "rotated90":
            assert page.rotation in (90, 270) and image.width > image.height
        else:
            assert page.rotation == 180 and image.height > image.width
        clean, _ = make_page(0, page.index, "clean")
        reference = np.asarray(clean.image.reduce(8), dtype=np.float32)

        def difference(turn: int, image: Image.Image = image, reference: np.ndarray = reference) -> float:
            turned = np.rot90(np.asarray(image.reduce(8), dtype=np.float32), turn // 90)
            if turned.shape != reference.shape:
                return float("inf")
            return float(np.abs(np.corrcoef(turned.ravel(), reference.ravel())[0, 1] - 1))

        scores = {turn: difference(turn) for turn in (0, 90, 180, 270)}
        assert min(scores, key=scores.__getitem__) == page.rotation, scores


def test_skew_correction_straightens_the_page(default_set: SampleSet) -> None:
    page = by_profile(default_set, "skewed")[0]
    assert 5 <= abs(page.skew) <= 15
    image = load(default_set, page)
    straightened = ink_rows(image.rotate(page.skew, fillcolor=245)).var()
    wrong_way = ink_rows(image.rotate(-page.skew, fillcolor=245)).var()
    as_is = ink_rows(image).var()
    assert straightened > 3 * max(wrong_way, as_is)
    for other in default_set.pages:
        if other.profile in ("scan", "dark_border", "seal", "photo", "noisy"):
            assert 0 < abs(other.skew) <= 3


def test_same_seed_gives_the_same_bytes_whatever_the_thread_count(tmp_path: Path) -> None:
    profiles = ["scan", "blank", "seal"]  # a two-page TIFF, random grain, the seal's textured ink
    first = make_samples(tmp_path / "a", count=3, seed=3, profiles=profiles, workers=1)
    second = make_samples(tmp_path / "b", count=3, seed=3, profiles=profiles, workers=2)

    def digests(directory: Path) -> dict[str, str]:
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}

    assert digests(first.out_dir) == digests(second.out_dir)
    assert first.pages == second.pages
    assert first.files == ("sample-01-scan-2pages.tif", "sample-03-seal.png")
    _, other_text = make_page(4, 1, "clean")
    assert other_text != first.pages[0].text


@pytest.mark.slow
def test_default_set_is_deterministic(default_set: SampleSet, tmp_path: Path) -> None:
    again = make_samples(tmp_path / "again", count=12, seed=0)
    for name in (*default_set.files, "ground_truth.json"):
        assert (default_set.out_dir / name).read_bytes() == (again.out_dir / name).read_bytes(), name


def test_profiles_cycle_when_given(tmp_path: Path) -> None:
    made = make_samples(tmp_path / "s", count=3, seed=1, profiles=["clean", "rotated180"])
    assert [p.profile for p in made.pages] == ["clean", "rotated180", "clean"]
    assert all(p.file.endswith(".png") for p in made.pages)


def test_bad_arguments_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        make_samples(tmp_path / "x", count=2, profiles=["clean", "smudged"])
    with pytest.raises(ConfigError):
        make_samples(tmp_path / "y", count=0)
    with pytest.raises(InputFileError):
        load_ground_truth(tmp_path)


def test_cli_make_prints_summary_and_json(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(samples, ["make", str(tmp_path / "cli"), "--count", "2", "--profile", "clean"])
    assert result.exit_code == 0, result.output
    assert "Đã tạo 2 trang mẫu" in result.output
    result = runner.invoke(samples, ["make", str(tmp_path / "cli2"), "-n", "1", "--seed", "9", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["seed"] == 9 and payload["pages"][0]["profile"] == "clean"
    assert payload == json.loads((tmp_path / "cli2" / "ground_truth.json").read_text(encoding="utf-8"))
    bad = runner.invoke(samples, ["make", str(tmp_path / "cli3"), "--profile", "smudged"])
    assert bad.exit_code == 2


@pytest.mark.slow
@pytest.mark.tesseract
def test_clean_page_is_readable_by_tesseract(default_set: SampleSet) -> None:
    import pytesseract
    from rapidfuzz.distance import Levenshtein

    page = by_profile(default_set, "clean")[0]
    ocr = pytesseract.image_to_string(load(default_set, page), lang="vie")
    truth, seen = " ".join(page.text.split()), " ".join(ocr.split())
    cer = Levenshtein.distance(truth, seen) / len(truth)
    assert cer < 0.05, (cer, seen[:500])


def test_procedure_dossier_samples_follow_the_profile(tmp_path: Path) -> None:
    import json

    from dossier.profiles.loader import profile_for
    from dossier.samples.dossier import STRAY, write_dossier_samples

    profile = profile_for("1.001193")
    paths = write_dossier_samples(tmp_path / "ks", profile, seed=2, drop=("TP02", "TP03"), strays=1)
    truth = json.loads((tmp_path / "ks" / "truth.json").read_text(encoding="utf-8"))
    assert len(truth["pages"]) == len(paths) and all(p.exists() for p in paths)
    assert "TP01" in truth["pages"] and truth["pages"].count(STRAY) == 1
    assert not {"TP02", "TP03"} & set(truth["pages"])
    assert truth["missing"] == ["TP02"]  # the one-of group counts once
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in paths)
    again = write_dossier_samples(tmp_path / "ks2", profile, seed=2, drop=("TP02", "TP03"), strays=1)
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in paths]  # deterministic


def test_unrelated_pages_in_a_certify_any_paper_dossier_are_papers_to_certify() -> None:
    import random

    from dossier.profiles.loader import profile_for
    from dossier.samples.dossier import STRAY, make_dossier

    profile = profile_for("2.000815")  # chứng thực: TP01 takes any paper
    pages, missing = make_dossier(profile, random.Random(3), with_separators=False, drop=("TP01",), strays=1)
    labels = [p.truth for p in pages]
    assert STRAY not in labels
    assert labels.count("TP01") == 1  # the unrelated page, dropped TP01 notwithstanding
    assert "TP01" not in missing
