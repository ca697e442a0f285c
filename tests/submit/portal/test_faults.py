"""Each injected fault is observable from a real client over loopback, and none touches health or OAuth."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.submit.portal.conftest import CLIENT_ID, CLIENT_SECRET
from tests.submit.portal.helpers import TOKEN, Upload, create, create_body, new_key, put_chunk
from tests.submit.portal_fixture import start_portal

ITEM = Upload("TP01.pdf", b"%PDF-1.4 " + b"x" * 300_000)


def _count_dossiers(tmp_path: Path, data_dir: Path) -> list[dict]:  # type: ignore[type-arg]
    """What the portal holds, read by a fault-free portal started on the same data."""
    with start_portal(tmp_path, token=TOKEN, data_dir=data_dir) as clean, clean.client() as client:
        return client.get("/v1/dossiers").json()["items"]


def test_fail_rate_answers_5xx_before_doing_anything(tmp_path: Path) -> None:
    with start_portal(
        tmp_path, token=TOKEN, fail_rate=1.0, client_id=CLIENT_ID, client_secret=CLIENT_SECRET
    ) as portal:
        with portal.client() as client:
            for _ in range(6):
                response = create(client, create_body([ITEM]))
                assert response.status_code in (500, 503)
                assert response.json()["error"]["code"] == "injected_fault"
            assert client.get("/v1/health").status_code == 200
            form = {
                "grant_type": "client_credentials",
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
            }
            assert client.post("/v1/oauth/token", data=form).status_code == 200
        assert "POST /v1/dossiers 50" in portal.log_text() and "fault=fail" in portal.log_text()
    assert _count_dossiers(tmp_path, portal.data_dir) == []


def test_drop_rate_closes_the_connection_without_an_answer(tmp_path: Path) -> None:
    with start_portal(tmp_path, token=TOKEN, drop_rate=1.0) as portal, portal.client() as client:
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            client.get("/v1/dossiers")
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)):
            create(client, create_body([ITEM]))
        # Mid-upload: the server reads part of the chunk, then hangs up.
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)):
            put_chunk(client, "any-dossier", ITEM.name, ITEM.data, 0, len(ITEM.data))
        assert client.get("/v1/health").status_code == 200
        assert portal.alive
        log = portal.log_text()
        assert log.count("fault=drop") == 3 and "ERROR" not in log and "Traceback" not in log
    assert _count_dossiers(tmp_path, portal.data_dir) == []


def test_lose_response_commits_then_drops_and_a_retry_finds_the_same_dossier(tmp_path: Path) -> None:
    key, body = new_key(), create_body([ITEM])
    with start_portal(tmp_path, token=TOKEN, lose_response_rate=1.0) as portal, portal.client() as client:
        for _ in range(3):  # three deliveries of the same request, none of them answered
            with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
                create(client, body, key)
    [held] = _count_dossiers(tmp_path, portal.data_dir)
    assert held["idempotency_key"] == key
    with start_portal(tmp_path, token=TOKEN, data_dir=portal.data_dir) as clean, clean.client() as client:
        retry = create(client, body, key)
        assert retry.status_code == 200 and retry.json()["id"] == held["id"]


def test_latency_delays_every_request_but_health(tmp_path: Path) -> None:
    with start_portal(tmp_path, token=TOKEN, latency_ms=400) as portal, portal.client() as client:
        started = time.perf_counter()
        assert client.get("/v1/dossiers").status_code == 200
        assert time.perf_counter() - started >= 0.4
        started = time.perf_counter()
        assert client.get("/v1/health").status_code == 200
        assert time.perf_counter() - started < 0.4


def test_a_fault_seed_repeats_the_same_faults(tmp_path: Path) -> None:
    runs = []
    for run in range(2):
        portal = start_portal(tmp_path / str(run), token=TOKEN, fail_rate=0.5, fault_seed=42)
        with portal, portal.client() as client:
            runs.append([client.get("/v1/dossiers").status_code for _ in range(20)])
    assert runs[0] == runs[1]
    assert 200 in runs[0] and {500, 503} & set(runs[0])
