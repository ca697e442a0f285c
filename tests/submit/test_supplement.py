"""`dossier supplement` against the real sandbox on loopback: status 5, papers, back to 4, exactly once."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from dossier.cli import DossierGroup
from dossier.store.eventlog import read_events, verify_chain
from dossier.store.registry import DossierState, dossier_for_folder
from dossier.store.workspace import resolve_workspace
from dossier.submit.outbox import OutboxState, list_items
from dossier.submit.result_cli import result
from dossier.submit.submit_cli import outbox, status, submit, sync
from dossier.submit.supplement_cli import supplement
from tests.submit.conftest import AGENCY, OFFICER, TOKEN, PortalConfig, make_dossier, write_pdf
from tests.submit.portal_fixture import RunningPortal, start_portal
from tests.submit.test_submit_portal import free_port, portal_items, run_submit, token_env

__all__ = ["token_env"]  # the fixture, used by name

# The commands under the real error funnel (cli.py's group), as the lead will wire them.
dossier_group = DossierGroup(
    name="dossier",
    commands=[submit, sync, outbox, status, supplement, result],  # type: ignore[list-item]
)


def run(*args: str) -> Result:
    return CliRunner().invoke(dossier_group, list(args))


def advance(portal: RunningPortal, code: str, to: int) -> None:
    """The sandbox's officer at the resolving agency moves the dossier (5 asks for papers, 9 resolves it)."""
    with portal.client() as client:
        response = client.post(f"/v1/sandbox/dossiers/{code}/advance", json={"to": to, "note": "test"})
    assert response.status_code == 200, response.text


def submit_acknowledged(folder: Path, portal: RunningPortal) -> dict[str, Any]:
    submitted = run_submit(folder, portal.url, "--no-receipt")
    assert submitted.exit_code == 0, submitted.output
    return dict(json.loads(submitted.output))


def ask_for_papers(portal: RunningPortal, code: str) -> None:
    advance(portal, code, 5)
    polled = run("status", code, "--json")
    assert polled.exit_code == 0, polled.output
    (row,) = json.loads(polled.output)["dossiers"]
    assert (row["status"]["code"], row["state"]) == (5, "supplement_requested")


def supplement_folder(tmp_path: Path) -> Path:
    """A corrected TP02 and one unclassified page, scanned and signed like a dossier."""
    folder = make_dossier(tmp_path / "bo-sung", components=("TP02",), procedure=None)
    write_pdf(folder / "chua-xep-loai.pdf", "giay to bo sung")
    return folder


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def portal_files(item: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["name"]: f for f in item["files"]}


def assert_supplemented(item: dict[str, Any], original: Path, extra: Path, before: dict[str, Any]) -> None:
    """Status 4, code and appointment kept; the corrected TP02 replaced, the extra page added, all whole."""
    assert item["status"]["code"] == 4
    assert (item["code"], item["appointment"]) == (before["code"], before["appointment"])
    files = portal_files(item)
    assert sorted(files) == ["TP01.pdf", "TP02.pdf", "bs1-chua-xep-loai.pdf"]
    expected = {
        "TP01.pdf": original / "TP01.pdf",
        "TP02.pdf": extra / "TP02.pdf",
        "bs1-chua-xep-loai.pdf": extra / "chua-xep-loai.pdf",
    }
    for name, source in expected.items():
        assert files[name]["complete"] and files[name]["received"] == source.stat().st_size, name
        assert files[name]["sha256"] == sha256_of(source), name


def registry_state(folder: Path) -> DossierState:
    with closing(resolve_workspace().connect()) as conn:
        dossier = dossier_for_folder(conn, folder)
        assert dossier is not None
        assert verify_chain(conn).ok
        return dossier.state


def test_supplement_goes_back_to_processing_with_the_same_code(
    tmp_path: Path, portal_config: PortalConfig, token_env: str
) -> None:
    original = make_dossier(tmp_path / "hs-001")
    extra = supplement_folder(tmp_path)
    with start_portal(tmp_path, token=TOKEN) as portal:
        before = submit_acknowledged(original, portal)
        ask_for_papers(portal, before["code"])

        sent = run("supplement", before["code"], str(extra), "--note", "Bổ sung tờ khai đã sửa", "--json")
        assert sent.exit_code == 0, sent.output
        document = json.loads(sent.output)
        assert (document["result"], document["state"]) == ("acknowledged", "acknowledged")
        assert document["status_before"]["code"] == 5 and document["status"]["code"] == 4
        assert document["code"] == before["code"] and document["round"] == 1
        assert document["idempotency_key"] != before["idempotency_key"]
        (item,) = portal_items(portal)  # still exactly one dossier
        assert item["idempotency_key"] == before["idempotency_key"]
        assert_supplemented(item, original, extra, before)
        with portal.client() as client:
            history = client.get(f"/v1/dossiers/{before['code']}").json()["history"]
        assert any("Bổ sung tờ khai đã sửa" in h["note"] for h in history)

        again = run("supplement", before["code"], str(extra))  # pressed twice: refused, not resent
        assert again.exit_code == 10 and "bổ sung" in again.output
        assert len(portal_items(portal)) == 1

    assert registry_state(original) is DossierState.acknowledged
    with closing(resolve_workspace().connect()) as conn:
        actions = [e.action for e in read_events(conn)]
        sent_items = [i for i in list_items(conn) if i.is_supplement]
    assert actions[-3:] == ["supplement_queued", "supplement_declared", "supplement_acknowledged"]
    assert [i.state for i in sent_items] == [OutboxState.acknowledged]
    # `dossier submit` of the original folder still answers with the original submission
    resubmitted = run_submit(original, f"http://127.0.0.1:{free_port()}", "--no-receipt")
    assert resubmitted.exit_code == 0, resubmitted.output
    assert json.loads(resubmitted.output)["idempotency_key"] == before["idempotency_key"]


def test_a_lost_answer_to_the_supplement_is_repeated_harmlessly(
    tmp_path: Path, portal_config: PortalConfig, token_env: str
) -> None:
    """Every answer lost: the portal declares the papers each time, the client queues (75); `sync` then
    re-declares (harmless: nothing was uploaded yet) and finishes exactly once."""
    original = make_dossier(tmp_path / "hs-002")
    extra = supplement_folder(tmp_path)
    port, data_dir = free_port(), tmp_path / "portal-data"
    with start_portal(tmp_path, token=TOKEN, port=port, data_dir=data_dir) as portal:
        before = submit_acknowledged(original, portal)
        ask_for_papers(portal, before["code"])
    with start_portal(tmp_path, token=TOKEN, port=port, data_dir=data_dir, lose_response_rate=1.0):
        queued = run("supplement", before["code"], str(extra), "--json")
        assert queued.exit_code == 75, queued.output
        document = json.loads(queued.output)
        assert document["result"] == "queued" and document["status_before"] is None  # the poll was lost too
        assert document["state"] == "creating"
    assert registry_state(original) is DossierState.queued
    with start_portal(tmp_path, token=TOKEN, port=port, data_dir=data_dir) as portal:
        (item,) = portal_items(portal)
        declared = [h for h in item["history"] if h["note"].startswith("Công dân nộp bổ sung")]
        assert len(declared) >= 2  # the supplement POST really was done more than once
        assert item["status"]["code"] == 5
        waiting = json.loads(run("outbox", "--json").output)["items"]
        assert [(w["supplement"], w["state"]) for w in waiting] == [(True, "creating")]
        polled = run("status", before["code"], "--json")  # the portal still says 5: the registry stays queued
        (row,) = json.loads(polled.output)["dossiers"]
        assert (row["status"]["code"], row["state"]) == (5, "queued")
        flushed = run("sync", "--json")
        assert flushed.exit_code == 0, flushed.output
        (delivered,) = json.loads(flushed.output)["items"]
        assert delivered["result"] == "acknowledged"
        assert delivered["idempotency_key"] == document["idempotency_key"]
        (item,) = portal_items(portal)
        assert_supplemented(item, original, extra, before)
        assert run("sync", "--json").exit_code == 0  # nothing left
    assert registry_state(original) is DossierState.acknowledged


def test_supplement_through_dropped_and_lost_answers_arrives_once(
    tmp_path: Path, portal_config: PortalConfig, token_env: str
) -> None:
    portal_config.write(
        officer=OFFICER, agency=AGENCY, retries=3, backoff_initial=0.005, backoff_max=0.02, chunk_size=65536
    )
    original = make_dossier(tmp_path / "hs-003")
    extra = make_dossier(tmp_path / "bo-sung", components=("TP02",), procedure=None, padding=400_000)
    write_pdf(extra / "chua-xep-loai.pdf", "giay to bo sung", padding=300_000)
    port, data_dir = free_port(), tmp_path / "portal-data"
    with start_portal(tmp_path, token=TOKEN, port=port, data_dir=data_dir) as portal:
        before = submit_acknowledged(original, portal)
        ask_for_papers(portal, before["code"])
    faults = {"drop_rate": 0.25, "lose_response_rate": 0.25, "fail_rate": 0.1, "fault_seed": 7}
    with start_portal(tmp_path, token=TOKEN, port=port, data_dir=data_dir, **faults) as portal:  # type: ignore[arg-type]
        first = run("supplement", before["code"], str(extra), "--json")
        assert first.exit_code in (0, 75), first.output
        rounds = 0
        while (outcome := run("sync", "--json")).exit_code != 0:
            assert outcome.exit_code == 75, outcome.output
            rounds += 1
            assert rounds <= 15, "the outbox does not drain"
        log = portal.log_text()
    faulted = [line for line in log.splitlines() if "fault=" in line and "fault=none" not in line]
    for step in ("/supplement", "/files/", "/finalize"):  # the seed hits every step of the supplement
        assert any(step in line for line in faulted), (step, faulted)
    with start_portal(tmp_path, token=TOKEN, port=port, data_dir=data_dir) as portal:
        (item,) = portal_items(portal)
        assert_supplemented(item, original, extra, before)
    assert registry_state(original) is DossierState.acknowledged
    with closing(resolve_workspace().connect()) as conn:
        assert [i.state for i in list_items(conn) if i.is_supplement] == [OutboxState.acknowledged]


def test_supplement_is_refused_unless_the_portal_asks_for_papers(
    tmp_path: Path, portal_config: PortalConfig, token_env: str
) -> None:
    original = make_dossier(tmp_path / "hs-004")
    extra = supplement_folder(tmp_path)
    unknown = run("supplement", "000.00.06.H56-261130-9999", str(extra), "--json")
    assert unknown.exit_code == 2 and "000.00.06.H56-261130-9999" in unknown.output
    with start_portal(tmp_path, token=TOKEN) as portal:
        before = submit_acknowledged(original, portal)
        refused = run("supplement", before["code"], str(extra), "--json")  # status 2: nothing asked
        assert refused.exit_code == 10, refused.output
        assert "bổ sung" in refused.output and "acknowledged" in refused.output
        (item,) = portal_items(portal)
        assert item["status"]["code"] == 2 and sorted(portal_files(item)) == ["TP01.pdf", "TP02.pdf"]
    with closing(resolve_workspace().connect()) as conn:
        assert list_items(conn, open_only=True) == ()
        assert not any(i.is_supplement for i in list_items(conn))
    assert registry_state(original) is DossierState.acknowledged


def test_an_unsigned_supplement_is_refused_before_queueing(
    tmp_path: Path, portal_config: PortalConfig, token_env: str
) -> None:
    original = make_dossier(tmp_path / "hs-005")
    extra = make_dossier(tmp_path / "bo-sung", components=("TP02",), procedure=None, signed=False)
    with start_portal(tmp_path, token=TOKEN) as portal:
        before = submit_acknowledged(original, portal)
        ask_for_papers(portal, before["code"])
        refused = run("supplement", before["code"], str(extra), "--json")
        assert refused.exit_code == 3 and "TP02.pdf" in refused.output
        (item,) = portal_items(portal)
        assert item["status"]["code"] == 5
    assert registry_state(original) is DossierState.supplement_requested


SUPPLEMENT_CODE = "import sys; from dossier.submit.supplement_cli import supplement; supplement(sys.argv[1:])"


@pytest.mark.slow
def test_supplement_killed_mid_upload_then_sync_finishes_it_once(
    tmp_path: Path, portal_config: PortalConfig, token_env: str
) -> None:
    portal_config.write(
        officer=OFFICER,
        agency=AGENCY,
        retries=4,
        backoff_initial=0.01,
        backoff_max=0.05,
        chunk_size=256 * 1024,
    )
    original = make_dossier(tmp_path / "hs-006")
    extra = make_dossier(tmp_path / "bo-sung", components=("TP02",), procedure=None, padding=2 << 20)
    port, data_dir = free_port(), tmp_path / "portal-data"
    with start_portal(tmp_path, token=TOKEN, port=port, data_dir=data_dir) as portal:
        before = submit_acknowledged(original, portal)
        ask_for_papers(portal, before["code"])
    size = (extra / "TP02.pdf").stat().st_size
    with start_portal(tmp_path, token=TOKEN, port=port, data_dir=data_dir, latency_ms=100) as portal:
        process = subprocess.Popen(
            [sys.executable, "-c", SUPPLEMENT_CODE, before["code"], str(extra), "--json"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=dict(os.environ),
        )
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                tp02 = portal_files(portal_items(portal)[0])["TP02.pdf"]
                if tp02["size"] == size and 0 < tp02["received"] < size:
                    break
                time.sleep(0.02)
            else:
                raise AssertionError("the supplement upload never started")
        finally:
            process.kill()  # SIGKILL: no cleanup handler runs
            process.wait()
        assert process.returncode == -9
    assert registry_state(original) is DossierState.queued
    with start_portal(tmp_path, token=TOKEN, port=port, data_dir=data_dir) as portal:
        flushed = run("sync", "--json")
        assert flushed.exit_code == 0, flushed.output
        (item,) = portal_items(portal)
        assert item["status"]["code"] == 4 and item["code"] == before["code"]
        files = portal_files(item)
        assert sorted(files) == ["TP01.pdf", "TP02.pdf"]
        assert files["TP02.pdf"]["complete"] and files["TP02.pdf"]["sha256"] == sha256_of(extra / "TP02.pdf")
        declared = [h for h in item["history"] if h["note"].startswith("Công dân nộp bổ sung")]
        assert len(declared) == 1  # resumed from the portal's byte count, not declared (and reset) again
    assert registry_state(original) is DossierState.acknowledged
