"""Officer credentials at the sandbox portal: each has its agency and role; other agencies get 403."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from dossier.errors import ConfigError
from dossier.submit.portal.access import Credential, Role, load_credentials, token_digest
from dossier.submit.portal.app import create_app
from tests.submit.portal.conftest import make_settings
from tests.submit.portal.helpers import TOKEN, Upload, create, create_body, put_chunk, signed_pdf, upload

AGENCY_A = "000.00.06.H56"
AGENCY_B = "000.00.07.H56"
TOKENS = {
    "officer_a": "officer-a-token-0123456789",
    "officer_b": "officer-b-token-0123456789",
    "supervisor_a": "supervisor-a-token-0123456",
    "supervisor_b": "supervisor-b-token-0123456",
}
CREDENTIALS = (
    Credential("canbo.a", AGENCY_A, Role.officer, token_digest(TOKENS["officer_a"])),
    Credential("canbo.b", AGENCY_B, Role.officer, token_digest(TOKENS["officer_b"])),
    Credential("giamsat.a", AGENCY_A, Role.supervisor, token_digest(TOKENS["supervisor_a"])),
    Credential("giamsat.b", AGENCY_B, Role.supervisor, token_digest(TOKENS["supervisor_b"])),
)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[TestClient]:
    settings = make_settings(tmp_path / "portal", credentials=CREDENTIALS, require_signatures=False)
    with TestClient(create_app(settings)) as client:
        yield client


def as_(who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS.get(who, TOKEN)}"}


def finalized_dossier(app: TestClient, who: str = "officer_a", agency: str = AGENCY_A) -> dict:
    item = Upload("TP01.pdf", signed_pdf(), "TP01")
    app.headers.update(as_(who))
    created = create(app, create_body([item], agency=agency))
    assert created.status_code == 201, created.text
    upload(app, created.json()["id"], item)
    finalized = app.post(f"/v1/dossiers/{created.json()['id']}/finalize")
    assert finalized.status_code == 200, finalized.text
    return finalized.json()


def test_an_officer_files_for_their_own_agency_only(app: TestClient) -> None:
    item = Upload("TP01.pdf", signed_pdf(), "TP01")
    app.headers.update(as_("officer_a"))
    assert create(app, create_body([item], agency=AGENCY_A)).status_code == 201
    refused = create(app, create_body([item], agency=AGENCY_B))
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden_agency"
    assert AGENCY_B in refused.json()["error"]["message"]


def test_cross_agency_read_is_refused_and_lists_are_scoped(app: TestClient) -> None:
    mine = finalized_dossier(app)
    finalized_dossier(app, "officer_b", AGENCY_B)
    for ref in (mine["id"], mine["code"]):
        response = app.get(f"/v1/dossiers/{ref}", headers=as_("officer_b"))
        assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden_agency"
    assert app.get(f"/v1/dossiers/{mine['id']}/files/TP01.pdf", headers=as_("officer_b")).status_code == 403
    listed = app.get("/v1/dossiers", headers=as_("officer_b")).json()["items"]
    assert [d["agency_code"] for d in listed] == [AGENCY_B]
    assert app.get("/v1/dossiers", params={"agency": AGENCY_A}, headers=as_("officer_b")).status_code == 403
    everything = app.get("/v1/dossiers", headers=as_("admin")).json()["items"]
    assert sorted(d["agency_code"] for d in everything) == [AGENCY_A, AGENCY_B]


def test_cross_agency_upload_is_refused(app: TestClient) -> None:
    item = Upload("TP01.pdf", signed_pdf(), "TP01")
    app.headers.update(as_("officer_a"))
    dossier_id = create(app, create_body([item], agency=AGENCY_A)).json()["id"]
    app.headers.update(as_("officer_b"))
    refused = put_chunk(app, dossier_id, item.name, item.data, 0, len(item.data))
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden_agency"
    assert app.post(f"/v1/dossiers/{dossier_id}/finalize").status_code == 403
    # nothing of the refused upload arrived
    state = app.get(f"/v1/dossiers/{dossier_id}/files/{item.name}", headers=as_("officer_a")).json()
    assert state["received"] == 0


def test_cross_agency_status_change_is_refused(app: TestClient) -> None:
    mine = finalized_dossier(app)
    move = {"to": 4}
    for who in ("officer_b", "supervisor_b"):
        refused = app.post(f"/v1/sandbox/dossiers/{mine['id']}/advance", json=move, headers=as_(who))
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden_agency"
    assert app.get(f"/v1/dossiers/{mine['id']}", headers=as_("officer_a")).json()["status"]["code"] == 2
    moved = app.post(f"/v1/sandbox/dossiers/{mine['id']}/advance", json=move, headers=as_("supervisor_a"))
    assert moved.status_code == 200 and moved.json()["status"]["code"] == 4


def test_roles(app: TestClient) -> None:
    mine = finalized_dossier(app)
    body = {"reason": "chờ", "new_appointment": "2027-01-05T09:00:00+07:00"}
    by_officer = app.post(f"/v1/dossiers/{mine['id']}/apology", json=body, headers=as_("officer_a"))
    assert by_officer.status_code == 403 and by_officer.json()["error"]["code"] == "forbidden_role"
    by_other = app.post(f"/v1/dossiers/{mine['id']}/apology", json=body, headers=as_("supervisor_b"))
    assert by_other.status_code == 403
    item = Upload("TP01.pdf", signed_pdf(), "TP01")
    as_supervisor = create(CallerClient(app, "supervisor_a"), create_body([item], agency=AGENCY_A))
    assert as_supervisor.status_code == 403 and as_supervisor.json()["error"]["code"] == "forbidden_role"
    imported = app.post("/v1/sandbox/import", json={"items": []}, headers=as_("supervisor_a"))
    assert imported.status_code == 403
    unknown = app.get("/v1/dossiers", headers={"Authorization": "Bearer not-a-known-token-0000"})
    assert unknown.status_code == 401


class CallerClient:
    """The app client with one caller's token for `create`."""

    def __init__(self, app: TestClient, who: str) -> None:
        self.app, self.headers = app, as_(who)

    def post(self, url: str, **kwargs: object) -> object:
        headers = {**self.headers, **kwargs.pop("headers", {})}  # type: ignore[dict-item]
        return self.app.post(url, headers=headers, **kwargs)  # type: ignore[arg-type]


def test_credentials_file(tmp_path: Path) -> None:
    good = tmp_path / "officers.toml"
    digest = token_digest("t")
    good.write_text(
        f'[[credential]]\naccount = "a"\nagency = "{AGENCY_A}"\nrole = "supervisor"\n'
        f'token_sha256 = "{digest}"\n'
    )
    (credential,) = load_credentials(good)
    assert credential.role is Role.supervisor and credential.principal.agency == AGENCY_A
    bad = tmp_path / "bad.toml"
    bad.write_text(f'[[credential]]\naccount = "a"\nagency = "x"\nrole = "boss"\ntoken_sha256 = "{digest}"\n')
    with pytest.raises(ConfigError, match="boss"):
        load_credentials(bad)
