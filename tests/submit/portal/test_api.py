"""The handlers in-process (Starlette TestClient): validation, auth, idempotency, codes, dates, statuses."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from dossier.submit.portal.app import create_app
from tests.submit.portal.conftest import CLIENT_ID, CLIENT_SECRET, make_settings
from tests.submit.portal.helpers import (
    CITIZEN_ID,
    CITIZEN_NAME,
    SEVEN_DAY_PROCEDURE,
    TOKEN,
    Upload,
    create,
    create_body,
    new_key,
    plain_pdf,
    put_chunk,
    signed_pdf,
    submit,
    upload,
)

PLAIN = Upload("TP01.pdf", plain_pdf())


def error_code(response) -> str:  # type: ignore[no-untyped-def]
    return response.json()["error"]["code"]


def test_create_answers_the_dossier_without_personal_data(api: TestClient) -> None:
    response = create(api, create_body([PLAIN]))
    assert response.status_code == 201
    dossier = response.json()
    assert dossier["status"] == {"code": 1, "name": "Mới đăng ký"}
    assert dossier["code"] is None and dossier["appointment"] is None
    assert dossier["files"] == [
        {
            "name": "TP01.pdf",
            "component_code": "TP01",
            "size": len(PLAIN.data),
            "sha256": PLAIN.sha256,
            "received": 0,
            "complete": False,
        }
    ]
    assert response.headers["location"] == dossier["status_url"] == f"/v1/dossiers/{dossier['id']}"
    assert CITIZEN_ID not in response.text and CITIZEN_NAME not in response.text
    listing = api.get("/v1/dossiers").text
    assert CITIZEN_ID not in listing and CITIZEN_NAME not in listing


def test_same_key_and_same_request_give_the_same_dossier(api: TestClient) -> None:
    body, key = create_body([PLAIN]), new_key()
    first = create(api, body, key)
    # The same request with other key order and spacing is still the same request.
    reordered = json.dumps(dict(reversed(list(body.items()))), indent=3)
    second = api.post("/v1/dossiers", content=reordered, headers={"Idempotency-Key": key})
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json() == first.json()
    assert [d["idempotency_key"] for d in api.get("/v1/dossiers").json()["items"]] == [key]


def test_same_key_with_another_request_is_a_conflict(api: TestClient) -> None:
    key = new_key()
    assert create(api, create_body([PLAIN]), key).status_code == 201
    other = create(api, create_body([PLAIN], received_at="2026-11-30T10:00:00+07:00"), key)
    assert other.status_code == 409 and error_code(other) == "idempotency_conflict"
    assert len(api.get("/v1/dossiers").json()["items"]) == 1


@pytest.mark.parametrize("key", [None, "short", "x" * 65, "has space in the key!!", "ключ-ключ-ключ-ключ"])
def test_a_missing_or_malformed_idempotency_key_is_refused(api: TestClient, key: str | None) -> None:
    headers = {} if key is None else {"Idempotency-Key": key.encode()}  # bytes: httpx sends them as they are
    response = api.post("/v1/dossiers", json=create_body([PLAIN]), headers=headers)
    assert response.status_code == 422 and error_code(response) == "bad_idempotency_key"


@pytest.mark.parametrize(
    "authorization", [None, "Bearer wrong-token", f"Basic {TOKEN}", f"bearer{TOKEN}", "Bearer "]
)
def test_a_missing_or_wrong_token_is_refused(data_dir: Path, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    with TestClient(create_app(make_settings(data_dir)), headers=headers) as client:
        for method, path in [
            ("GET", "/v1/dossiers"),
            ("POST", "/v1/dossiers"),
            ("GET", "/v1/dossiers/x"),
            ("PUT", "/v1/dossiers/x/files/TP01.pdf"),
            ("POST", "/v1/sandbox/dossiers/x/advance"),
        ]:
            response = client.request(method, path)
            assert response.status_code == 401, (method, path)
            assert error_code(response) == "unauthorized"
            assert response.headers["www-authenticate"] == "Bearer"
        assert client.get("/v1/health").json() == {"status": "ok", "version": "v1"}


def test_oauth_client_credentials_give_a_working_token(api: TestClient, data_dir: Path) -> None:
    form = {"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
    issued = api.post("/v1/oauth/token", data=form, headers={"Authorization": ""})
    assert issued.status_code == 200 and issued.headers["cache-control"] == "no-store"
    token = issued.json()
    assert token["token_type"] == "Bearer" and token["expires_in"] == 3600
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    assert api.get("/v1/dossiers", headers=bearer).status_code == 200
    # Only the token's hash is stored: the secret is nowhere in the data folder.
    stored = b"".join(p.read_bytes() for p in data_dir.rglob("*") if p.is_file())
    assert token["access_token"].encode() not in stored
    # HTTP Basic carries the client just as well.
    basic = api.post(
        "/v1/oauth/token", data={"grant_type": "client_credentials"}, auth=(CLIENT_ID, CLIENT_SECRET)
    )
    assert basic.status_code == 200


@pytest.mark.parametrize(
    ("form", "status", "code"),
    [
        (
            {"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": "wrong"},
            401,
            "invalid_client",
        ),
        (
            {"grant_type": "client_credentials", "client_id": "other", "client_secret": CLIENT_SECRET},
            401,
            "invalid_client",
        ),
        (
            {"grant_type": "password", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET},
            400,
            "unsupported_grant_type",
        ),
        ({"grant_type": "client_credentials"}, 401, "invalid_client"),
    ],
)
def test_oauth_refuses_wrong_clients(api: TestClient, form: dict[str, str], status: int, code: str) -> None:
    response = api.post("/v1/oauth/token", data=form, headers={"Authorization": ""})
    assert (response.status_code, error_code(response)) == (status, code)
    assert api.get("/v1/dossiers", headers={"Authorization": "Bearer wrong"}).status_code == 401


def _with(body: dict, path: str, value: object) -> dict:  # type: ignore[type-arg]
    target = body
    *parents, last = path.split(".")
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if value is KeyError:
        del target[last]
    else:
        target[last] = value
    return body


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("citizen.id_number", "12345", "citizen.id_number"),
        ("citizen.id_number", "٠٠١٢٠٣٠١٢٣٤٥", "citizen.id_number"),  # Arabic-Indic digits are not digits here
        ("citizen.id_type", 2, "citizen.id_number"),  # a 12-digit number is not an old 9-digit card
        ("citizen.full_name", "  ", "citizen.full_name"),
        ("citizen.phone", KeyError, "citizen.phone"),
        ("citizen.password", "x", "citizen.password"),
        ("channel", 4, "channel"),
        ("channel", True, "channel"),
        ("received_at", "2026-11-30 09:15", "received_at"),
        ("received_at", "2026-11-30T09:15:00", "received_at"),
        ("summary", "x" * 1001, "summary"),
        ("officer.agency_code", "../etc", "officer.agency_code"),
        ("files", [], "files"),
        ("files.0.sha256", "abc", "files[0].sha256"),
        ("files.0.size", 0, "files[0].size"),
        ("files.0.size", "12", "files[0].size"),
        ("files.0.digitised", "yes", "files[0].digitised"),
        ("extra", 1, "extra"),
    ],
)
def test_invalid_fields_are_refused_naming_the_field(
    api: TestClient, path: str, value: object, field: str
) -> None:
    response = create(api, _with(create_body([PLAIN]), path, value))
    assert response.status_code == 422, response.text
    assert error_code(response) == "validation_error"
    assert field in response.json()["error"]["message"]
    assert api.get("/v1/dossiers").json()["items"] == []


@pytest.mark.parametrize(
    "name", ["../x.pdf", "a/b.pdf", "%2e%2e%2fx.pdf", "..pdf", "x.txt", "x.pdf\n", "", "a" * 121 + ".pdf"]
)
def test_bad_file_names_are_refused_at_create(api: TestClient, name: str) -> None:
    body = _with(create_body([PLAIN]), "files.0.name", name)
    response = create(api, body)
    assert response.status_code == 422 and error_code(response) == "bad_file_name"


def test_duplicate_file_names_are_refused(api: TestClient) -> None:
    response = create(api, create_body([PLAIN, Upload("TP01.pdf", b"%PDF-other")]))
    assert response.status_code == 422 and "files" in response.json()["error"]["message"]


def test_a_declared_size_over_the_limit_is_413(data_dir: Path) -> None:
    with TestClient(
        create_app(make_settings(data_dir, max_file_bytes=1000)), headers={"Authorization": f"Bearer {TOKEN}"}
    ) as client:
        response = create(client, create_body([Upload("TP01.pdf", b"x" * 1001)]))
        assert response.status_code == 413 and error_code(response) == "file_too_large"
        assert create(client, create_body([Upload("TP01.pdf", b"x" * 1000)])).status_code == 201


def test_a_json_body_over_the_limit_is_413(data_dir: Path) -> None:
    with TestClient(
        create_app(make_settings(data_dir, max_json_bytes=1500)), headers={"Authorization": f"Bearer {TOKEN}"}
    ) as client:
        body = create_body([PLAIN])
        body["summary"] = "x" * 1000
        body["procedure_name"] = "y" * 400
        response = create(client, body)
        assert response.status_code == 413 and error_code(response) == "body_too_large"


def test_malformed_json_is_400(api: TestClient) -> None:
    for content in [b"{not json", b"[1, 2]", b'{"summary": "\\ud800"}', b"\xff\xfe"]:
        response = api.post("/v1/dossiers", content=content, headers={"Idempotency-Key": new_key()})
        assert response.status_code == 400 and error_code(response) == "bad_json", content


def test_an_unknown_procedure_is_refused_before_any_upload(api: TestClient) -> None:
    response = create(api, create_body([PLAIN], procedure="9.999999"))
    assert response.status_code == 422 and error_code(response) == "unknown_procedure"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/dossiers/{ref}"),
        ("POST", "/v1/dossiers/{ref}/finalize"),
        ("GET", "/v1/dossiers/{ref}/result"),
        ("GET", "/v1/dossiers/{ref}/files/TP01.pdf"),
    ],
)
def test_an_unknown_dossier_is_404(api: TestClient, method: str, path: str) -> None:
    for ref in ["0b7b0f8e-7c50-4d3c-9d54-111111111111", "000.00.06.H56-261130-0001"]:
        response = api.request(method, path.format(ref=ref))
        assert response.status_code == 404 and error_code(response) == "unknown_dossier"


def test_codes_are_sequential_per_agency_and_reception_day(api_unsigned: TestClient) -> None:
    def code(agency: str, received_at: str) -> str:
        return submit(api_unsigned, [PLAIN], agency=agency, received_at=received_at)["code"]

    day_one = [code("000.00.06.H56", f"2026-11-30T{hour:02d}:00:00+07:00") for hour in (8, 9, 10)]
    assert day_one == [f"000.00.06.H56-261130-000{n}" for n in (1, 2, 3)]
    assert code("H57.132", "2026-11-30T11:00:00+07:00") == "H57.132-261130-0001"
    assert code("000.00.06.H56", "2026-12-01T08:00:00+07:00") == "000.00.06.H56-261201-0001"
    # The reception day is Vietnam's: 23:30 UTC on 30/11 is already 1/12 in Hà Nội.
    assert code("000.00.06.H56", "2026-11-30T23:30:00+00:00") == "000.00.06.H56-261201-0002"
    assert api_unsigned.get("/v1/dossiers/000.00.06.H56-261130-0002").json()["code"] == day_one[1]


@pytest.mark.parametrize(
    ("procedure", "received_at", "appointment"),
    [
        ("2.000720", "2026-11-27T10:20:00+07:00", "2026-12-02T10:00:00+07:00"),  # Fri + 3 working days: Wed
        (SEVEN_DAY_PROCEDURE, "2026-11-27T10:20:00+07:00", "2026-12-08T10:00:00+07:00"),  # two weekends
        ("1.001193", "2026-11-30T09:15:00+07:00", "2026-11-30T17:00:00+07:00"),  # same day before 15:00
        ("1.001193", "2026-11-27T15:30:00+07:00", "2026-11-30T15:00:00+07:00"),  # after 15:00 on a Friday
    ],
)
def test_the_appointment_counts_working_days(
    api_unsigned: TestClient, procedure: str, received_at: str, appointment: str
) -> None:
    dossier = submit(api_unsigned, [PLAIN], procedure=procedure, received_at=received_at)
    assert dossier["appointment"] == appointment
    assert dossier["status"]["code"] == 2


def test_finalize_needs_every_file_and_is_idempotent(api_unsigned: TestClient) -> None:
    second = Upload("TP02.pdf", plain_pdf("GIAY CHUNG SINH"), "TP02")
    dossier = create(api_unsigned, create_body([PLAIN, second])).json()
    upload(api_unsigned, dossier["id"], PLAIN)
    incomplete = api_unsigned.post(f"/v1/dossiers/{dossier['id']}/finalize")
    assert incomplete.status_code == 409 and error_code(incomplete) == "files_incomplete"
    assert incomplete.json()["missing"] == ["TP02.pdf"]
    upload(api_unsigned, dossier["id"], second)
    first = api_unsigned.post(f"/v1/dossiers/{dossier['id']}/finalize")
    again = api_unsigned.post(f"/v1/dossiers/{dossier['id']}/finalize")
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    late = put_chunk(api_unsigned, dossier["id"], "TP01.pdf", PLAIN.data, 0, len(PLAIN.data))
    assert late.status_code == 409 and error_code(late) == "already_finalized"


def test_finalize_refuses_unsigned_and_tampered_pdfs(api: TestClient) -> None:
    signed = signed_pdf()
    tampered = bytearray(signed)
    position = signed.index(b"TO KHAI")  # inside the signed byte range
    tampered[position : position + 2] = b"XX"
    for data, expected in [(plain_pdf(), 422), (bytes(tampered), 422), (signed, 200)]:
        item = Upload("TP01.pdf", data)
        dossier = create(api, create_body([item])).json()
        upload(api, dossier["id"], item)
        response = api.post(f"/v1/dossiers/{dossier['id']}/finalize")
        assert response.status_code == expected, response.text
        if expected == 422:
            assert error_code(response) == "unsigned_file" and response.json()["file"] == "TP01.pdf"
        else:
            assert response.json()["code"].startswith("000.00.06.H56-")


def test_statuses_move_with_history_supplement_and_result(api_unsigned: TestClient) -> None:
    client = api_unsigned
    dossier = submit(client, [PLAIN])
    ref = dossier["code"]

    def advance(to: int, note: str = "") -> object:
        return client.post(f"/v1/sandbox/dossiers/{ref}/advance", json={"to": to, "note": note})

    assert client.get(f"/v1/dossiers/{ref}/result").json()["error"]["code"] == "no_result"
    refused = advance(9)
    assert refused.status_code == 409 and error_code(refused) == "invalid_transition"  # 2 -> 9 skips the work
    early = client.post(f"/v1/dossiers/{ref}/supplement", json={"note": "x"})
    assert early.status_code == 409 and error_code(early) == "invalid_state"
    assert advance(4, "Chuyển phòng Tư pháp").status_code == 200
    assert advance(5, "Thiếu giấy chứng sinh").status_code == 200
    missing = Upload("TP02.pdf", plain_pdf("GIAY CHUNG SINH"), "TP02")
    fixed = Upload("TP01.pdf", plain_pdf("TO KHAI MOI"))
    opened = client.post(
        f"/v1/dossiers/{ref}/supplement", json={"note": "Bổ sung", "files": [missing.spec(), fixed.spec()]}
    )
    assert opened.status_code == 200
    assert {f["name"]: f["received"] for f in opened.json()["files"]} == {"TP01.pdf": 0, "TP02.pdf": 0}
    assert advance(9).status_code == 409  # not while the supplement is being uploaded
    upload(client, dossier["id"], missing)
    upload(client, dossier["id"], fixed)
    resumed = client.post(f"/v1/dossiers/{ref}/finalize").json()
    assert resumed["status"]["code"] == 4
    assert (resumed["code"], resumed["appointment"]) == (dossier["code"], dossier["appointment"])
    assert advance(9, "Đã ký giấy khai sinh").status_code == 200
    result = client.get(f"/v1/dossiers/{ref}/result").json()
    assert result["status"] == {"code": 9, "name": "Đã xử lý xong"}
    [document] = result["documents"]
    download = client.get(document["url"])
    assert download.headers["content-type"] == "application/pdf" and download.content.startswith(b"%PDF")
    assert hashlib.sha256(download.content).hexdigest() == document["sha256"]
    assert advance(10).status_code == 200
    history = client.get(f"/v1/dossiers/{ref}").json()["history"]
    assert [h["status"]["code"] for h in history] == [1, 2, 4, 5, 5, 4, 9, 10]
    assert history[2]["note"] == "Chuyển phòng Tư pháp"
    assert advance(4).status_code == 409  # 10 is final


def test_list_filters_by_status_and_since(api_unsigned: TestClient) -> None:
    finalized = submit(api_unsigned, [PLAIN])
    registered = create(api_unsigned, create_body([PLAIN])).json()
    by_status = api_unsigned.get("/v1/dossiers", params={"status": 2}).json()["items"]
    assert [d["id"] for d in by_status] == [finalized["id"]]
    assert [d["id"] for d in api_unsigned.get("/v1/dossiers?status=1").json()["items"]] == [registered["id"]]
    assert (
        len(api_unsigned.get("/v1/dossiers", params={"since": "2000-01-01T00:00:00Z"}).json()["items"]) == 2
    )
    assert (
        api_unsigned.get("/v1/dossiers", params={"since": "2099-01-01T00:00:00+07:00"}).json()["items"] == []
    )
    for bad in [
        {"status": "11"},
        {"status": "two"},
        {"status": "²"},
        {"since": "yesterday"},
        {"since": "2026-11-30"},
    ]:
        response = api_unsigned.get("/v1/dossiers", params=bad)
        assert response.status_code == 422 and error_code(response) == "validation_error", bad


def test_content_range_rules(api: TestClient) -> None:
    data = PLAIN.data
    dossier_id = create(api, create_body([PLAIN])).json()["id"]
    url = f"/v1/dossiers/{dossier_id}/files/TP01.pdf"
    missing = api.put(url, content=data[:10])
    assert missing.status_code == 422 and error_code(missing) == "bad_content_range"
    wrong_total = put_chunk(api, dossier_id, "TP01.pdf", data[:10], 0, len(data) + 1)
    assert wrong_total.status_code == 422 and error_code(wrong_total) == "bad_content_range"
    short_body = api.put(url, content=data[:5], headers={"Content-Range": f"bytes 0-9/{len(data)}"})
    assert short_body.status_code == 422 and error_code(short_body) == "bad_content_range"
    assert put_chunk(api, dossier_id, "TP01.pdf", data[:100], 0, len(data)).json()["received"] == 100
    gap = put_chunk(api, dossier_id, "TP01.pdf", data[200:300], 200, len(data))
    assert gap.status_code == 409 and error_code(gap) == "offset_mismatch"
    assert gap.json()["received"] == gap.json()["error"]["received"] == 100
    resend = put_chunk(api, dossier_id, "TP01.pdf", data[50:100], 50, len(data))  # identical: accepted, no-op
    assert resend.status_code == 200 and resend.json()["received"] == 100
    different = put_chunk(api, dossier_id, "TP01.pdf", b"Z" * 50, 50, len(data))
    assert different.status_code == 409 and error_code(different) == "offset_mismatch"
    overlapping = put_chunk(api, dossier_id, "TP01.pdf", data[80:200], 80, len(data))  # re-sends 20, adds 100
    assert overlapping.json() == {"name": "TP01.pdf", "size": len(data), "received": 200, "complete": False}
    unknown = put_chunk(api, dossier_id, "TP09.pdf", data[:10], 0, len(data))
    assert unknown.status_code == 404 and error_code(unknown) == "unknown_file"


def test_a_hash_mismatch_discards_the_file(api: TestClient, data_dir: Path) -> None:
    dossier_id = create(api, create_body([PLAIN])).json()["id"]
    wrong = bytes(reversed(PLAIN.data))
    half = len(wrong) // 2
    first = put_chunk(api, dossier_id, "TP01.pdf", wrong[:half], 0, len(wrong))
    assert first.status_code == 200
    last = put_chunk(api, dossier_id, "TP01.pdf", wrong[half:], half, len(wrong))
    assert last.status_code == 422 and error_code(last) == "hash_mismatch" and last.json()["received"] == 0
    status = api.get(f"/v1/dossiers/{dossier_id}/files/TP01.pdf").json()
    assert (status["received"], status["complete"]) == (0, False)
    assert all(p.stat().st_size == 0 for p in (data_dir / "files").iterdir())
    done = upload(api, dossier_id, PLAIN).json()
    assert (done["complete"], done["sha256"]) == (True, PLAIN.sha256)


def test_405_lists_every_method_of_the_path(api: TestClient) -> None:
    response = api.delete("/v1/dossiers")
    assert response.status_code == 405 and error_code(response) == "method_not_allowed"
    assert set(response.headers["allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
