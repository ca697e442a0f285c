"""`dossier apologize` against the real sandbox portal and a registry: the form, the record, the once-only
rule under two real processes at once, and every refusal with nothing written."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pikepdf
import pytest

from dossier.errors import ExitCode
from dossier.profiles.deadlines import load_calendar
from tests.submit.portal_fixture import RunningPortal, start_portal
from tests.supervise.helpers import fresh_item, import_items, overdue_item, run, spawn, working_day

TOKEN = "supervise-admin-token-0123456789"


@pytest.fixture
def portal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningPortal]:
    with start_portal(tmp_path / "portal", token=TOKEN, require_signatures=False) as running:
        monkeypatch.setenv("DOSSIER_PORTAL_TOKEN", TOKEN)
        yield running


def _text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def test_two_processes_at_once_give_exactly_one_apology(portal: RunningPortal, tmp_path: Path) -> None:
    (dossier,) = import_items(portal.url, TOKEN, [overdue_item()])
    code = dossier["code"]
    new_date = working_day(3).isoformat()
    outs = [tmp_path / "one.pdf", tmp_path / "two.pdf"]
    processes = [
        spawn(
            "apologize",
            code,
            "--portal",
            portal.url,
            "--reason",
            f"Lý do {n}",
            "--new-date",
            new_date,
            "--out",
            str(out),
        )
        for n, out in enumerate(outs)
    ]
    results = [(p.wait(120), *p.communicate()) for p in processes]
    codes = sorted(r[0] for r in results)
    assert codes == [0, int(ExitCode.refused_by_rule)], results
    loser = next(r for r in results if r[0] != 0)
    assert code in loser[2] and "đã có văn bản xin lỗi" in loser[2]
    written = [out for out in outs if out.exists()]
    assert len(written) == 1  # the refused process wrote nothing
    text = _text(written[0])
    assert "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT" in text and code in text
    with pikepdf.open(written[0]) as pdf, pdf.open_metadata() as meta:
        assert meta.pdfa_status == "2B"
    at_portal = httpx.get(f"{portal.url}/v1/dossiers/{code}", headers=portal.headers).json()
    assert at_portal["apology"]["new_appointment"].startswith(new_date)
    assert any("Xin lỗi và hẹn lại" in h["note"] for h in at_portal["history"])
    # the winner's event in the local log, with the old and new appointments
    home = Path(__import__("os").environ["DOSSIER_HOME"])
    with sqlite3.connect(home / "dossier.sqlite3") as conn:
        events = [
            json.loads(r[0]) for r in conn.execute("SELECT details FROM events WHERE action = 'apology'")
        ]
    assert [e["code"] for e in events] == [code]
    assert events[0]["old_appointment"] == dossier["appointment"]
    # a third try later is refused too, naming the earlier apology
    again = run(
        "apologize",
        code,
        "--portal",
        portal.url,
        "--reason",
        "x",
        "--new-date",
        new_date,
        "--out",
        str(tmp_path / "three.pdf"),
    )
    assert again.exit_code == ExitCode.refused_by_rule and not (tmp_path / "three.pdf").exists()


def test_refusals_name_the_value_and_write_nothing(portal: RunningPortal, tmp_path: Path) -> None:
    overdue, fresh = import_items(portal.url, TOKEN, [overdue_item(), fresh_item()])
    out = tmp_path / "x.pdf"
    base = ["--portal", portal.url, "--reason", "chờ", "--out", str(out)]
    later = working_day(3).isoformat()

    not_overdue = run("apologize", fresh["code"], *base, "--new-date", later)
    assert not_overdue.exit_code == ExitCode.refused_by_rule
    assert "chưa quá hạn" in not_overdue.output and fresh["code"] in not_overdue.output

    unknown = run("apologize", "000.00.06.H56-991231-9999", *base, "--new-date", later)
    assert unknown.exit_code == ExitCode.usage and "000.00.06.H56-991231-9999" in unknown.output

    bad_format = run("apologize", overdue["code"], *base, "--new-date", "31/12/2026")
    assert bad_format.exit_code == ExitCode.usage and "31/12/2026" in bad_format.output

    before = working_day(-25).isoformat()
    too_early = run("apologize", overdue["code"], *base, "--new-date", before)
    assert too_early.exit_code == ExitCode.usage and before in too_early.output

    holiday = date(working_day(3).year + 1, 1, 1)  # Tết Dương lịch
    assert not load_calendar().is_working_day(holiday)
    on_holiday = run("apologize", overdue["code"], *base, "--new-date", holiday.isoformat())
    assert on_holiday.exit_code == ExitCode.usage and holiday.isoformat() in on_holiday.output

    assert not out.exists()
    at_portal = httpx.get(f"{portal.url}/v1/dossiers/{overdue['code']}", headers=portal.headers).json()
    assert at_portal["apology"] is None


def test_registry_apology_once_under_two_processes(tmp_path: Path) -> None:
    workspace = tmp_path / "desk"
    filled = run(
        "samples", "history", "--workspace", str(workspace), "--count", "300", "--seed", "5", "--json"
    )
    assert filled.exit_code == 0, filled.output
    listed = run("deadlines", "--workspace", str(workspace), "--overdue", "--json")
    candidates = [d for d in json.loads(listed.output)["dossiers"] if not d["apology_issued"]]
    assert candidates, "the seeded month has overdue dossiers without an apology"
    code = candidates[0]["code"]
    new_date = working_day(4).isoformat()
    outs = [tmp_path / "a.pdf", tmp_path / "b.pdf"]
    processes = [
        spawn(
            "apologize",
            code,
            "--workspace",
            str(workspace),
            "--reason",
            "Chờ xác minh",
            "--new-date",
            new_date,
            "--out",
            str(out),
        )
        for out in outs
    ]
    results = [(p.wait(120), *p.communicate()) for p in processes]
    assert sorted(r[0] for r in results) == [0, int(ExitCode.refused_by_rule)], results
    assert sum(out.exists() for out in outs) == 1
    after = json.loads(run("deadlines", "--workspace", str(workspace), "--overdue", "--json").output)
    entry = next(d for d in after["dossiers"] if d["code"] == code)
    assert entry["apology_issued"] is True and entry["new_appointment"].startswith(new_date)
    log = run("log", "verify", "--workspace", str(workspace))
    assert log.exit_code == 0, log.output
