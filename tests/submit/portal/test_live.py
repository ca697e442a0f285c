"""The real server over loopback HTTP: the whole path, resumable uploads, races, limits, traversal, logs."""

from __future__ import annotations

import http.client
import re
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.submit.portal.helpers import (
    CITIZEN_ID,
    CITIZEN_NAME,
    TOKEN,
    Upload,
    create,
    create_body,
    new_key,
    put_chunk,
    signed_pdf,
    submit,
)
from tests.submit.portal_fixture import RunningPortal, start_portal

LOG_LINE = re.compile(
    r"^\S+ \S+ INFO dossier\.portal\.access (GET|POST|PUT|DELETE|HEAD) (/v1/\S*|\(unknown route\)) (\d{3}|-) "
    r"[0-9.]+ms( fault=\S+)?$"
)


@pytest.fixture(scope="module")
def documents() -> list[Upload]:
    return [
        Upload("TP01.pdf", signed_pdf("TO KHAI DANG KY KHAI SINH", padding=300_000)),
        Upload("TP02.pdf", signed_pdf("GIAY CHUNG SINH"), "TP02"),
    ]


def test_the_whole_path_over_loopback(live: RunningPortal, documents: list[Upload]) -> None:
    with live.client() as client:
        dossier = submit(client, documents)
        assert re.fullmatch(r"000\.00\.06\.H56-261130-\d{4}", dossier["code"])
        assert dossier["status"]["code"] == 2 and dossier["appointment"] == "2026-11-30T17:00:00+07:00"
        assert all(f["complete"] and f["received"] == f["size"] for f in dossier["files"])
        listed = {d["code"]: d for d in client.get("/v1/dossiers").json()["items"]}
        assert listed[dossier["code"]]["files"] == dossier["files"]
        assert client.get(f"/v1/dossiers/{dossier['code']}").json()["id"] == dossier["id"]
    # Stored byte for byte, 0600 in a 0700 folder, under random names (the client's names are only labels).
    stored = sorted((live.data_dir / "files").iterdir())
    hashes = {Upload(p.name, p.read_bytes()).sha256 for p in stored}
    assert {d.sha256 for d in documents} <= hashes
    assert all(re.fullmatch(r"[0-9a-f]{32}\.part", p.name) for p in stored)
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in stored)
    assert stat.S_IMODE(live.data_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((live.data_dir / "portal.sqlite3").stat().st_mode) == 0o600


def test_an_interrupted_upload_resumes_from_what_the_server_holds(
    live: RunningPortal, documents: list[Upload]
) -> None:
    big = documents[0]
    chunk = 64 * 1024
    with live.client() as client:
        dossier_id = create(client, create_body([big])).json()["id"]
        for start in range(0, 3 * chunk, chunk):  # three chunks, then the laptop lid closes
            assert put_chunk(
                client, dossier_id, big.name, big.data[start : start + chunk], start, len(big.data)
            )
    with live.client() as client:  # a new process: it only knows the dossier id
        status = client.get(f"/v1/dossiers/{dossier_id}/files/{big.name}").json()
        assert (status["received"], status["complete"]) == (3 * chunk, False)
        position = status["received"]
        while position < len(big.data):
            answer = put_chunk(
                client, dossier_id, big.name, big.data[position : position + chunk], position, len(big.data)
            )
            assert answer.status_code == 200
            position = answer.json()["received"]
        assert answer.json() == {
            "name": big.name,
            "size": len(big.data),
            "received": len(big.data),
            "complete": True,
            "sha256": big.sha256,
        }
        assert client.post(f"/v1/dossiers/{dossier_id}/finalize").json()["status"]["code"] == 2


def test_concurrent_creates_with_one_key_make_one_dossier(
    live: RunningPortal, documents: list[Upload]
) -> None:
    key, body = new_key(), create_body(documents)
    answers: list[httpx.Response] = []
    barrier = threading.Barrier(8)

    def send() -> None:
        with live.client() as client:
            barrier.wait()
            answers.append(create(client, body, key))

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a.status_code for a in answers) == [200] * 7 + [201]
    assert len({a.json()["id"] for a in answers}) == 1
    with live.client() as client:
        same_key = [d for d in client.get("/v1/dossiers").json()["items"] if d["idempotency_key"] == key]
    assert len(same_key) == 1


def _raw_put(url: str, path: str, body: bytes) -> int:
    """Send `path` exactly as written (no client-side normalisation of `..` or `%2f`)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.putrequest("PUT", path, skip_accept_encoding=True)
        connection.putheader("Authorization", f"Bearer {TOKEN}")
        connection.putheader("Content-Range", f"bytes 0-{len(body) - 1}/{len(body)}")
        connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        return connection.getresponse().status
    finally:
        connection.close()


@pytest.mark.parametrize(
    "name",
    [
        "../x.pdf",
        "../../../../x.pdf",
        "a/b.pdf",
        "%2e%2e%2fx.pdf",
        "..%2F..%2Fx.pdf",
        "%2E%2E/%2E%2E/x.pdf",
        "..%5cx.pdf",
        "x.pdf%00.pdf",
    ],
)
def test_path_traversal_in_file_names_is_refused_and_writes_nothing(live: RunningPortal, name: str) -> None:
    evil = Upload("x.pdf", b"%PDF-1.4 evil")
    with live.client() as client:
        dossier_id = create(client, create_body([evil])).json()["id"]
    root = live.data_dir.parent
    before = {
        p: p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.name.startswith("portal-")
    }
    assert _raw_put(live.url, f"/v1/dossiers/{dossier_id}/files/{name}", evil.data) == 422
    after = {p: p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.name.startswith("portal-")}
    new_files = set(after) - set(before)
    assert new_files <= {p for p in after if p.name.startswith("portal.sqlite3")}  # at most WAL bookkeeping
    assert not any(after[p] for p in after if p.suffix == ".part" and p not in before)
    with live.client() as client:
        assert client.get(f"/v1/dossiers/{dossier_id}/files/x.pdf").json()["received"] == 0


def test_a_streamed_body_over_the_limit_is_cut_off(live: RunningPortal) -> None:
    def endless() -> Iterator[bytes]:  # chunked transfer: no Content-Length to refuse it up front
        yield b'{"summary": "'
        for _ in range(64):
            yield b"x" * 65536

    with live.client() as client:
        try:
            response = client.post("/v1/dossiers", content=endless(), headers={"Idempotency-Key": new_key()})
        except httpx.TransportError:
            pytest.fail("the server should answer 413, not hang up")
        assert response.status_code == 413 and response.json()["error"]["code"] == "body_too_large"


def test_a_chunk_over_16_mib_is_refused_before_its_body_is_read(live: RunningPortal) -> None:
    item = Upload("TP01.pdf", b"x" * 20 * 1024 * 1024)
    with live.client() as client:
        dossier_id = create(client, create_body([item])).json()["id"]
        total = len(item.data)
        response = client.put(
            f"/v1/dossiers/{dossier_id}/files/TP01.pdf",
            content=b"",
            headers={"Content-Range": f"bytes 0-{total - 1}/{total}"},
        )
        assert response.status_code == 413 and response.json()["error"]["code"] == "chunk_too_large"


def test_the_log_has_one_line_per_request_and_no_secrets_or_personal_data(
    live: RunningPortal, documents: list[Upload]
) -> None:
    with live.client() as client:
        submit(client, documents)  # this test's own uploads: under xdist the others may run elsewhere
        client.get("/v1/dossiers", headers={"Authorization": "Bearer some-wrong-token"})
        codes = [d["code"] for d in client.get("/v1/dossiers").json()["items"] if d["code"]]
    log = live.log_text()
    lines = log.splitlines()
    assert lines and all(LOG_LINE.match(line) for line in lines), [x for x in lines if not LOG_LINE.match(x)]
    for secret_or_personal in [TOKEN, "some-wrong-token", CITIZEN_ID, CITIZEN_NAME, *codes]:
        assert secret_or_personal not in log
    assert "PUT /v1/dossiers/{ref}/files/{name:path} 200" in log


def test_sigterm_stops_gracefully_and_the_data_survives_a_restart(tmp_path: Path) -> None:
    item = Upload("TP01.pdf", b"%PDF-1.4 not signed")
    first = start_portal(tmp_path, token=TOKEN, require_signatures=False, latency_ms=700)
    with first.client() as client:
        dossier = submit(client, [item])
        in_flight: list[httpx.Response] = []
        request = threading.Thread(
            target=lambda: in_flight.append(client.get(f"/v1/dossiers/{dossier['id']}"))
        )
        request.start()
        time.sleep(0.3)
        assert first.stop() == 0  # SIGTERM while a request is being served
        request.join()
    assert in_flight[0].status_code == 200  # it was answered before the server went away
    restarted = start_portal(tmp_path, token=TOKEN, data_dir=first.data_dir, require_signatures=False)
    with restarted as second, second.client() as client:
        assert client.get(f"/v1/dossiers/{dossier['code']}").json() == dossier
        again = submit(client, [item])
        assert again["code"].endswith("-0002")  # the counter survived too
