"""`dossier result` against the real sandbox on loopback: download, hash check, clear answers before 9."""

from __future__ import annotations

import hashlib
import json
import stat
from contextlib import closing
from pathlib import Path

import pytest

from dossier.store.eventlog import read_events
from dossier.store.registry import DossierState
from dossier.store.workspace import resolve_workspace
from dossier.submit.adapter import PortalRequestRejected, ResultDocument
from dossier.submit.auth import TokenProvider
from dossier.submit.rest import RestPortalAdapter
from dossier.submit.result import UntrustedResultError, safe_document_name
from dossier.submit.settings import PortalSettings
from tests.submit.conftest import TOKEN, PortalConfig, make_dossier
from tests.submit.portal_fixture import start_portal
from tests.submit.test_submit_portal import token_env
from tests.submit.test_supplement import advance, registry_state, run, submit_acknowledged

__all__ = ["token_env"]  # the fixture, used by name


def test_result_is_downloaded_hash_checked_and_logged(
    tmp_path: Path, portal_config: PortalConfig, token_env: str
) -> None:
    folder = make_dossier(tmp_path / "hs-101")
    out = tmp_path / "ket-qua"
    with start_portal(tmp_path, token=TOKEN) as portal:
        code = submit_acknowledged(folder, portal)["code"]
        early = run("result", code, "--out", str(out), "--json")  # status 2: nothing yet
        assert early.exit_code == 75, early.output
        document = json.loads(early.output)
        assert (document["result"], document["status"]["code"]) == ("not_ready", 2)
        assert "thử lại sau" in document["message"] and document["documents"] == []
        assert not out.exists()

        advance(portal, code, 4)
        advance(portal, code, 9)
        fetched = run("result", code, "--out", str(out), "--json")
        assert fetched.exit_code == 0, fetched.output
        with portal.client() as client:
            listed = client.get(f"/v1/dossiers/{code}/result").json()["documents"]
        human = run("result", code, "--out", str(out))  # again, for a person: the same file, a table
        assert human.exit_code == 0, human.output
        assert "ket-qua.pdf" in human.output and listed[0]["sha256"][:8] in human.output
    document = json.loads(fetched.output)
    assert (document["result"], document["state"], document["status"]["code"]) == ("downloaded", "done", 9)
    (downloaded,) = document["documents"]
    path = out / "ket-qua.pdf"
    assert downloaded["path"] == str(path) and [d["name"] for d in listed] == ["ket-qua.pdf"]
    data = path.read_bytes()
    assert data.startswith(b"%PDF") and downloaded["size"] == len(data)
    assert downloaded["sha256"] == listed[0]["sha256"] == hashlib.sha256(data).hexdigest()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in out.iterdir()) == ["ket-qua.pdf"]  # no temporary file left
    assert registry_state(folder) is DossierState.done
    with closing(resolve_workspace().connect()) as conn:
        event = read_events(conn)[-1]
    assert (event.action, event.state) == ("result_downloaded", "done")
    assert json.loads(event.details)["files"][0]["sha256_8"] == downloaded["sha256"][:8]


def test_a_result_that_does_not_match_its_hash_is_not_kept(
    tmp_path: Path, portal_config: PortalConfig, token_env: str
) -> None:
    folder = make_dossier(tmp_path / "hs-102")
    out = tmp_path / "ket-qua"
    with start_portal(tmp_path, token=TOKEN) as portal:
        code = submit_acknowledged(folder, portal)["code"]
        advance(portal, code, 4)
        advance(portal, code, 9)
        (stored,) = (portal.data_dir / "results").iterdir()  # damaged at the portal after it was listed
        data = bytearray(stored.read_bytes())
        data[len(data) // 2] ^= 0xFF
        stored.write_bytes(bytes(data))
        fetched = run("result", code, "--out", str(out), "--json")
    assert fetched.exit_code == 8, fetched.output
    assert "SHA-256" in fetched.output and "ket-qua.pdf" in fetched.output
    assert list(out.iterdir()) == []  # nothing half-written
    assert registry_state(folder) is DossierState.acknowledged


def test_no_result_for_a_refused_dossier_and_none_for_an_unknown_one(
    tmp_path: Path, portal_config: PortalConfig, token_env: str
) -> None:
    unknown = run("result", "000.00.06.H56-261130-9999", "--out", str(tmp_path / "x"), "--json")
    assert unknown.exit_code == 2 and "000.00.06.H56-261130-9999" in unknown.output
    folder = make_dossier(tmp_path / "hs-103")
    with start_portal(tmp_path, token=TOKEN) as portal:
        code = submit_acknowledged(folder, portal)["code"]
        advance(portal, code, 3)
        refused = run("result", code, "--out", str(tmp_path / "ket-qua"), "--json")
    assert refused.exit_code == 10, refused.output
    document = json.loads(refused.output)
    assert (document["result"], document["status"]["code"], document["state"]) == ("no_result", 3, "refused")


def test_documents_are_fetched_from_the_portal_only(tmp_path: Path) -> None:
    settings = PortalSettings(retries=1, timeout=2)
    foreign = ResultDocument("ket-qua.pdf", "0" * 64, "https://elsewhere.example/ket-qua.pdf")
    with (
        RestPortalAdapter("http://127.0.0.1:9", settings, TokenProvider(TOKEN, None)) as adapter,
        pytest.raises(PortalRequestRejected) as caught,
    ):
        adapter.download_document(foreign, print)
    assert caught.value.error_code == "foreign_url" and "elsewhere.example" in caught.value.message


@pytest.mark.parametrize("name", ["../x.pdf", ".hidden.pdf", "a/b.pdf", "", "x" * 121])
def test_result_document_names_must_be_plain(tmp_path: Path, name: str) -> None:
    with pytest.raises(UntrustedResultError):
        safe_document_name(name, tmp_path)
    assert safe_document_name("ket-qua.pdf", tmp_path) == "ket-qua.pdf"
