"""Shared fixtures: a private home per test, a virtual SANE scanner, small page images."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from PIL import Image, ImageDraw, ImageFont

from dossier.fonts import font_path
from dossier.store.workspace import Workspace

FONT = font_path()


@pytest.fixture(autouse=True)
def dossier_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("DOSSIER_HOME", str(home))
    monkeypatch.setenv("DOSSIER_LANG", "vi")
    for secret_or_config in ("DOSSIER_CONFIG", "DOSSIER_PIN", "DOSSIER_P12_PASSWORD", "DOSSIER_PORTAL_TOKEN"):
        monkeypatch.delenv(secret_or_config, raising=False)
    return home


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    """A registry workspace of its own, apart from the home (as `--workspace DIR` gives)."""
    return Workspace(tmp_path / "workspace")


@pytest.fixture
def sane_config(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private SANE configuration enabling only the virtual `pnm` and `test` backends."""
    if shutil.which("scanimage") is None:
        pytest.fail("scanimage (sane-utils) is not installed: run `make test`, which installs it")
    config = tmp_path_factory.mktemp("sane")
    (config / "dll.conf").write_text("pnm\ntest\n")
    monkeypatch.setenv("SANE_CONFIG_DIR", str(config))
    return config


def render_text_page(
    lines: list[str], size: tuple[int, int] = (1240, 1754), font_px: int = 30, dpi: int = 150
) -> Image.Image:
    """A white page with black text lines (A4 at 150 dpi by default)."""
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), font_px)
    y = 150
    for line in lines:
        draw.text((120, y), line, fill="black", font=font)
        y += int(font_px * 1.6)
    image.info["dpi"] = (dpi, dpi)
    return image


VIETNAMESE_LINES = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "TỜ KHAI ĐĂNG KÝ KHAI SINH",
    "Kính gửi: Ủy ban nhân dân xã Hòa Tiến",
    "Họ, chữ đệm, tên người yêu cầu: Trần Thị Mỹ Duyên",
    "Nơi cư trú: thôn Phước Thuận, xã Hòa Tiến, thành phố Đà Nẵng",
    "Quan hệ với người được khai sinh: mẹ đẻ",
    "Đề nghị cơ quan đăng ký khai sinh cho người dưới đây:",
    "Tôi cam đoan nội dung đề nghị đăng ký khai sinh trên đây là đúng sự thật.",
]


@pytest.fixture
def text_page_png(tmp_path: Path) -> Path:
    path = tmp_path / "trang-chu.png"
    render_text_page(VIETNAMESE_LINES).save(path, dpi=(150, 150))
    return path


def grey_noise(shape: tuple[int, int], seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.clip(235 + rng.normal(0, 4, shape), 0, 255).astype(np.uint8)


def write_text_pdf(path: Path, text: str) -> None:
    """A born-digital one-page PDF whose text extracts (Helvetica, ASCII only)."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    ascii_text = text.encode("ascii", "replace").decode()
    content = f"BT /F1 12 Tf 72 720 Td ({ascii_text}) Tj ET".encode()
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page,
        MediaBox=[0, 0, 595, 842],
        Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
        Contents=pdf.make_stream(content),
    )
    pdf.pages.append(pikepdf.Page(page))
    pdf.save(path)
