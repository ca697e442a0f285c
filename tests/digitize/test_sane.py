"""Scanning for real through SANE's virtual devices: `pnm` scans a file we give it, `test` has an ADF."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from dossier.digitize import sane
from dossier.errors import ScannerError
from dossier.models import ColourMode, SourceKind
from tests.conftest import VIETNAMESE_LINES, render_text_page

pytestmark = pytest.mark.scanner


@pytest.fixture
def pnm_page(tmp_path: Path) -> Path:
    path = tmp_path / "page.ppm"
    render_text_page(VIETNAMESE_LINES[:4]).save(path)
    return path


def test_lists_the_virtual_devices(sane_config: Path) -> None:
    devices = sane.list_devices()
    assert "pnm:0" in devices
    assert "test:0" in devices


def test_reads_capabilities_of_the_test_device(sane_config: Path) -> None:
    caps = sane.device_capabilities("test:0")
    assert "Color" in caps.modes and "Gray" in caps.modes
    assert any("Feeder" in s for s in caps.sources)
    assert caps.resolution_range is not None


def test_pnm_scan_writes_the_page_into_the_work_folder(
    sane_config: Path, pnm_page: Path, tmp_path: Path
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    request = sane.ScanRequest(device="pnm:0", dpi=300, device_options=(("filename", str(pnm_page)),))
    (page,) = sane.scan(request, work, first_index=3).pages
    assert page.index == 3
    assert page.source.kind == SourceKind.scanner
    assert page.source.name == "pnm:0"
    assert page.dpi == 300
    assert page.path.parent == work
    assert page.path.stat().st_mode & 0o777 == 0o600
    scanned = np.asarray(Image.open(page.path).convert("RGB"))
    original = np.asarray(Image.open(pnm_page).convert("RGB"))
    assert scanned.shape == original.shape
    assert np.array_equal(scanned, original)


def test_adf_batch_scans_until_the_feeder_is_empty(sane_config: Path, tmp_path: Path) -> None:
    request = sane.ScanRequest(device="test:0", dpi=50, colour=ColourMode.gray, adf=True)
    batch = sane.scan(request, tmp_path, first_index=1)
    assert batch.failure is None
    pages = batch.pages
    assert len(pages) == 10  # the test backend's feeder holds 10 sheets
    assert [p.index for p in pages] == list(range(1, 11))
    assert all(p.path.exists() for p in pages)


def test_duplex_is_refused_when_the_device_has_none(sane_config: Path, tmp_path: Path) -> None:
    request = sane.ScanRequest(device="test:0", duplex=True)
    with pytest.raises(ScannerError, match="hai mặt"):
        sane.scan(request, tmp_path, first_index=1)


def test_paper_jam_is_reported_with_the_reason(sane_config: Path, pnm_page: Path, tmp_path: Path) -> None:
    request = sane.ScanRequest(
        device="pnm:0", device_options=(("filename", str(pnm_page)), ("status-jammed", "yes"))
    )
    with pytest.raises(ScannerError, match="kẹt giấy") as caught:
        sane.scan(request, tmp_path, first_index=1)
    assert str(caught.value.path) == "pnm:0"


def test_unknown_device_option_is_refused(sane_config: Path, tmp_path: Path) -> None:
    request = sane.ScanRequest(device="pnm:0", device_options=(("no-such-option", "1"),))
    with pytest.raises(ScannerError, match="no-such-option"):
        sane.scan(request, tmp_path, first_index=1)


def test_missing_device_is_reported(sane_config: Path, tmp_path: Path) -> None:
    with pytest.raises(ScannerError, match="Không mở được máy quét"):
        sane.scan(sane.ScanRequest(device="pnm:9"), tmp_path, first_index=1)


def test_a_second_batch_does_not_overwrite_the_first(
    sane_config: Path, pnm_page: Path, tmp_path: Path
) -> None:
    request = sane.ScanRequest(device="pnm:0", device_options=(("filename", str(pnm_page)),))
    (first,) = sane.scan(request, tmp_path, first_index=1).pages
    (second,) = sane.scan(request, tmp_path, first_index=2).pages
    assert first.path != second.path
    assert first.path.exists() and second.path.exists()
