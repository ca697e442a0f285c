"""The dashboard opened in real headless Debian chromium: screenshot, no console error, the figures there."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pikepdf
from PIL import Image

from tests.headless_chromium import render
from tests.supervise.helpers import run


def test_dashboard_renders_offline_with_its_figures(tmp_path: Path) -> None:
    workspace = tmp_path / "desk"
    assert (
        run(
            "samples",
            "history",
            "--workspace",
            str(workspace),
            "--count",
            "400",
            "--seed",
            "3",
            "--end",
            "2026-10-30",
        ).exit_code
        == 0
    )
    html = tmp_path / "bang-dieu-khien.html"
    result = run(
        "report",
        "--workspace",
        str(workspace),
        "--from",
        "2026-10-01",
        "--to",
        "2026-11-15",
        "--html",
        str(html),
        "--json",
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    source = html.read_text(encoding="utf-8")
    # self-contained: no script, no external resource of any kind
    assert "<script" not in source and not re.search(r"""(src|href)=["']?https?:""", source)
    assert "<svg" in source and source.count("<svg") >= 2  # trend + officers, inline

    page = render(html, tmp_path)
    assert page.console_messages == []
    dom = page.dom
    indicators = document["indicators"]
    assert f"{indicators['on_time_rate']['value']}%" in dom
    assert f">{indicators['received']['value']}<" in dom
    assert f">{indicators['overdue_open']['value']}<" in dom
    assert "Bảng điều khiển giải quyết hồ sơ TTHC" in dom and "Xu hướng tỉ lệ đúng hạn theo tuần" in dom
    for violation in document["violations"]:
        assert violation["code"] in dom
    for overdue in document["overdue"]:
        assert overdue["code"] in dom
    for officer in document["officers"]:
        assert officer["key"] in dom  # in the officer chart's SVG labels
    assert 'data-indicator="on_time_rate"' in dom
    with Image.open(page.screenshot) as shot:  # type: ignore[arg-type]
        assert shot.size == (1200, 2400)
        colours = shot.convert("RGB").getcolors(1 << 20) or []
        assert len(colours) > 50  # a rendered page, not a blank one
    with pikepdf.open(page.pdf) as pdf:  # type: ignore[arg-type]
        box = [float(v) for v in pdf.pages[0].mediabox]
        assert abs(box[2] - 595.3) < 2 and abs(box[3] - 841.9) < 2  # A4
        assert len(pdf.pages) <= 6
