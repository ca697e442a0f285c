"""`dossier report` and `dossier deadlines` end to end: both sources agree, paging, and every bad input
refused with a message naming the value, its documented exit code, and nothing written."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import httpx
import pytest

from dossier.errors import ExitCode
from tests.submit.portal_fixture import start_portal
from tests.supervise.helpers import run, write_config

TOKEN = "supervise-admin-token-0123456789"
MONTH = ("--end", "2026-10-30")
PERIOD = ("--from", "2026-10-01", "--to", "2026-11-30")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("desk")
    filled = run("samples", "history", "--workspace", str(root), "--count", "250", "--seed", "11", *MONTH)
    assert filled.exit_code == 0, filled.output
    return root


def test_the_portal_through_its_paged_api_and_the_registry_give_the_same_numbers(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with start_portal(tmp_path / "portal", token=TOKEN, require_signatures=False) as portal:
        monkeypatch.setenv("DOSSIER_PORTAL_TOKEN", TOKEN)
        filled = run(
            "samples", "history", "--portal", portal.url, "--count", "250", "--seed", "11", *MONTH, "--json"
        )
        assert filled.exit_code == 0, filled.output
        # paging: pages of 100 cover every dossier exactly once
        seen, cursor = [], None
        while True:
            params = {"limit": "100", **({"after": cursor} if cursor else {})}
            page = httpx.get(f"{portal.url}/v1/dossiers", params=params, headers=portal.headers).json()
            seen += [d["id"] for d in page["items"]]
            cursor = page["next"]
            if cursor is None:
                break
        assert len(seen) == len(set(seen)) == json.loads(filled.output)["dossiers"]
        from_portal = json.loads(run("report", "--portal", portal.url, *PERIOD, "--json").output)
    from_registry = json.loads(run("report", "--workspace", str(workspace), *PERIOD, "--json").output)
    assert from_portal["indicators"] == from_registry["indicators"]
    assert from_portal["officers"] == from_registry["officers"]
    assert from_registry["indicators"]["received"]["value"] > 200
    for name in (
        "received",
        "resolved_early",
        "resolved_on_time",
        "resolved_late",
        "on_time_rate",
        "overdue_open",
        "second_supplement_requests",
        "apologies",
    ):
        assert set(from_registry["indicators"][name]) == {"value", "band"}
    assert from_registry["indicators"]["on_time_rate"]["band"] in ("green", "yellow", "orange", "red")


def test_deadlines_json_and_order(workspace: Path) -> None:
    result = run("deadlines", "--workspace", str(workspace), "--json")
    items = json.loads(result.output)["dossiers"]
    assert items and {"code", "appointment", "overdue", "apology_issued"} <= set(items[0])
    flags = [i["overdue"] for i in items]
    assert flags == sorted(flags, reverse=True)  # overdue first
    overdue = json.loads(run("deadlines", "--workspace", str(workspace), "--overdue", "--json").output)
    assert all(i["overdue"] and i["working_days_left"] < 0 for i in overdue["dossiers"])
    assert any(i["apology_issued"] for i in overdue["dossiers"])
    assert any(not i["apology_issued"] for i in overdue["dossiers"])
    unit = items[0]["unit"]
    narrowed = json.loads(run("deadlines", "--workspace", str(workspace), "--agency", unit, "--json").output)
    assert {i["unit"] for i in narrowed["dossiers"]} == {unit}


def test_terminal_table_and_html(workspace: Path, tmp_path: Path) -> None:
    html = tmp_path / "bang.html"
    result = run("report", "--workspace", str(workspace), *PERIOD, "--html", str(html))
    assert result.exit_code == 0, result.output
    assert "Tỉ lệ đúng hạn (%)" in result.output and str(html) in result.output
    assert html.stat().st_mode & 0o777 == 0o600


def test_from_after_to(workspace: Path, tmp_path: Path) -> None:
    html = tmp_path / "x.html"
    result = run(
        "report",
        "--workspace",
        str(workspace),
        "--from",
        "2026-11-05",
        "--to",
        "2026-11-01",
        "--html",
        str(html),
    )
    assert result.exit_code == ExitCode.usage
    assert "2026-11-05" in result.output and "2026-11-01" in result.output
    assert not html.exists()


def test_bad_date_format(workspace: Path) -> None:
    result = run("report", "--workspace", str(workspace), "--from", "05/11/2026")
    assert result.exit_code == ExitCode.usage and "05/11/2026" in result.output


def test_thresholds_out_of_order(workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = write_config(tmp_path / "config.toml", "[supervise.thresholds]\non_time_rate = [80, 90, 95]\n")
    monkeypatch.setenv("DOSSIER_CONFIG", str(config))
    html = tmp_path / "x.html"
    result = run("report", "--workspace", str(workspace), "--html", str(html))
    assert result.exit_code == ExitCode.config
    assert "on_time_rate" in result.output and "[80, 90, 95]" in result.output
    assert not html.exists()
    write_config(config, "[supervise.thresholds]\non_time_rate = [97, 93, 85]\n")
    ok = json.loads(run("report", "--workspace", str(workspace), *PERIOD, "--json").output)
    assert ok["thresholds"]["on_time_rate"]["green"] == 97


def test_registry_from_a_newer_version(tmp_path: Path) -> None:
    root = tmp_path / "newer"
    assert run("samples", "history", "--workspace", str(root), "--count", "5").exit_code == 0
    with sqlite3.connect(root / "dossier.sqlite3") as conn:
        conn.execute("INSERT INTO migrations (name, applied_at) VALUES ('z900_from_the_future', 'x')")
    before = (root / "dossier.sqlite3").read_bytes()
    html = tmp_path / "x.html"
    result = run("report", "--workspace", str(root), "--html", str(html))
    assert result.exit_code == ExitCode.input_file
    assert "z900_from_the_future" in result.output
    assert not html.exists() and (root / "dossier.sqlite3").read_bytes() == before


def test_portal_not_answering(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = write_config(tmp_path / "config.toml", "[portal]\nretries = 1\ntimeout = 2\n")
    monkeypatch.setenv("DOSSIER_CONFIG", str(config))
    monkeypatch.setenv("DOSSIER_PORTAL_TOKEN", TOKEN)
    html = tmp_path / "x.html"
    result = run("report", "--portal", "http://127.0.0.1:9", "--html", str(html))
    assert result.exit_code == ExitCode.portal_unavailable
    assert not html.exists()


def test_exactly_one_source(tmp_path: Path) -> None:
    assert run("report").exit_code == ExitCode.usage
    assert run("deadlines", "--portal", "http://x", "--workspace", str(tmp_path)).exit_code == ExitCode.usage
    missing = run("report", "--workspace", str(tmp_path / "none"))
    assert missing.exit_code == ExitCode.input_file and "dossier.sqlite3" in missing.output
