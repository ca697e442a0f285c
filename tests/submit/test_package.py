"""Building the submission from a dossier folder: components and names from the profile, hashes, the
citizen checked, and unsigned PDFs refused (by name) before anything is queued."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from dossier.errors import ConfigError, ExitCode, InputFileError
from dossier.fsutil import sha256_file
from dossier.store.folder import DossierFolder
from dossier.store.manifest import Checklist, ComponentEntry, Manifest, ManifestFile, SignedEntry
from dossier.store.workspace import Workspace
from dossier.submit.adapter import Citizen, Officer
from dossier.submit.completeness import IncompleteDossierError
from dossier.submit.package import UnsignedFileError, build_package
from dossier.submit.settings import PortalSettings
from dossier.submit.sync import submit_dossier
from tests.submit.conftest import AGENCY, CITIZEN_ID, OFFICER, citizen, make_dossier, write_pdf

OFFICER_AT_DESK = Officer(OFFICER, AGENCY)


def test_metadata_follows_the_contract(tmp_path: Path) -> None:
    folder = make_dossier(tmp_path / "hs-001", components=("TP01", "TP02"))
    write_pdf(folder / "chua-xep-loai.pdf", "stray page")
    write_pdf(folder / "giay-tiep-nhan.pdf", "an earlier receipt: not part of the dossier")
    package = build_package(folder, citizen(), OFFICER_AT_DESK)
    meta = package.metadata
    assert meta.procedure_code == "1.001193"
    assert meta.procedure_name == "Đăng ký khai sinh"
    assert meta.received_at.endswith("+07:00")
    assert meta.channel == 2
    assert [(f.name, f.component_code) for f in meta.files] == [
        ("TP01.pdf", "TP01"),
        ("TP02.pdf", "TP02"),
        ("chua-xep-loai.pdf", "KHAC"),
    ]
    assert meta.files[1].component_name == "Giấy chứng sinh"
    for entry in meta.files:
        data = (folder / entry.name).read_bytes()
        assert (entry.size, entry.sha256) == (len(data), hashlib.sha256(data).hexdigest())
        assert entry.digitised and not entry.reused
    assert meta.citizen.id_number == CITIZEN_ID
    assert meta.officer == OFFICER_AT_DESK
    assert package.unsigned == ()


def test_a_folder_without_its_manifest_is_refused_with_everything_missing(tmp_path: Path) -> None:
    """A `sign` killed before it wrote the manifest: --procedure no longer lets the folder through."""
    folder = tmp_path / "hs-002"
    folder.mkdir()
    write_pdf(folder / "scan.pdf", "whole stack")
    with pytest.raises(IncompleteDossierError) as caught:
        build_package(folder, citizen(), OFFICER_AT_DESK, procedure_code="1.001193")
    assert caught.value.exit_code == ExitCode.dossier_incomplete
    message = caught.value.message
    assert "manifest.json" in message and "TP01" in message and "TP02" in message and "TP03" in message
    assert "TP05" not in message  # shown at the counter, never sent


def write_signed_manifest(folder: Path, listed: tuple[str, ...]) -> None:
    """The manifest `dossier sign` leaves beside the signed copies of a split dossier."""
    components = tuple(ComponentEntry(name[:-4], (n,), name, "-") for n, name in enumerate(listed, start=1))
    signed = tuple(SignedEntry(name, sha256_file(folder / name)) for name in listed)
    DossierFolder(folder).write_manifest(
        Manifest(
            software="dossier",
            scan_time="",
            options={},
            files=(ManifestFile("scan.pdf", "-", 1, len(listed)),),
            pages=(),
            components=components,
            checklist=Checklist("1.001193", "complete", {"procedure": "1.001193", "verdict": "complete"}),
            signed=signed,
        )
    )


def test_a_signed_folder_missing_a_component_or_changed_is_refused_all_at_once(tmp_path: Path) -> None:
    folder = make_dossier(tmp_path / "hs-009", components=("TP01", "TP02"))
    write_signed_manifest(folder, ("TP01.pdf", "TP02.pdf"))
    assert [f.component_code for f in build_package(folder, citizen(), OFFICER_AT_DESK).metadata.files] == [
        "TP01",
        "TP02",
    ]
    (folder / "TP02.pdf").unlink()  # the required birth certificate deleted after signing
    with (folder / "TP01.pdf").open("ab") as changed:
        changed.write(b"%% edited after signing\n")
    with pytest.raises(IncompleteDossierError) as caught:
        build_package(folder, citizen(), OFFICER_AT_DESK)
    message = caught.value.message
    assert "TP02 Giấy chứng sinh / TP03" in message  # the required group, missing
    assert "TP02.pdf: ghi trong manifest.json" in message  # listed but gone
    assert "TP01.pdf: đã thay đổi sau khi ký" in message
    assert message.count("\n- ") >= 3  # every problem, in one refusal


def test_every_missing_submit_input_is_reported_at_once(tmp_path: Path) -> None:
    folder = make_dossier(tmp_path / "hs-010", procedure=None)
    with pytest.raises(ConfigError) as caught:
        build_package(folder, Citizen(CITIZEN_ID, "Trần Thị Mỹ Duyên"), Officer(OFFICER, ""))
    message = caught.value.message
    assert "điện thoại" in message and "--consent" in message
    assert "--agency" in message and "--procedure" in message


def test_unsigned_pdfs_are_refused_by_name_unless_training(tmp_path: Path) -> None:
    folder = make_dossier(tmp_path / "hs-003", components=("TP01",))
    write_pdf(folder / "TP02.pdf", "unsigned", signed=False)
    with pytest.raises(UnsignedFileError) as caught:
        build_package(folder, citizen(), OFFICER_AT_DESK)
    assert caught.value.path == folder.absolute() / "TP02.pdf"
    assert "TP02.pdf" in caught.value.message
    package = build_package(folder, citizen(), OFFICER_AT_DESK, allow_unsigned=True)
    assert package.unsigned == ("TP02.pdf",)


def test_a_bad_id_number_is_refused_without_repeating_it(tmp_path: Path) -> None:
    folder = make_dossier(tmp_path / "hs-004")
    with pytest.raises(ConfigError) as caught:
        build_package(folder, Citizen("999303012345", "Trần Thị Mỹ Duyên"), OFFICER_AT_DESK)
    assert "999303012345" not in str(caught.value)
    with pytest.raises(ConfigError):
        build_package(folder, Citizen("12345", "Trần Thị Mỹ Duyên"), OFFICER_AT_DESK)
    with pytest.raises(ConfigError):
        build_package(
            folder, Citizen(CITIZEN_ID, "  ", phone="0912345678", consent_reference="x"), OFFICER_AT_DESK
        )
    with pytest.raises(ConfigError, match="điện thoại"):
        build_package(
            folder, Citizen(CITIZEN_ID, "Trần Thị Mỹ Duyên", consent_reference="x"), OFFICER_AT_DESK
        )
    with pytest.raises(ConfigError, match="--consent"):
        build_package(folder, Citizen(CITIZEN_ID, "Trần Thị Mỹ Duyên", phone="0912345678"), OFFICER_AT_DESK)


def test_the_procedure_must_be_known(tmp_path: Path) -> None:
    folder = make_dossier(tmp_path / "hs-005", procedure=None)
    with pytest.raises(ConfigError, match="--procedure"):
        build_package(folder, citizen(), OFFICER_AT_DESK)
    with pytest.raises(ConfigError):
        build_package(folder, citizen(), OFFICER_AT_DESK, procedure_code="9.999999")
    package = build_package(folder, citizen(), OFFICER_AT_DESK, procedure_code="1.001193")
    assert package.metadata.procedure_code == "1.001193"


def test_a_folder_without_pdfs_or_a_missing_folder_names_the_folder(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputFileError) as caught:
        build_package(empty, citizen(), OFFICER_AT_DESK, procedure_code="1.001193")
    assert caught.value.path == empty.absolute()
    with pytest.raises(InputFileError):
        build_package(tmp_path / "missing", citizen(), OFFICER_AT_DESK, procedure_code="1.001193")


def test_a_broken_pdf_names_the_file(tmp_path: Path) -> None:
    folder = make_dossier(tmp_path / "hs-006", components=("TP01",))
    (folder / "TP02.pdf").write_bytes(b"%PDF-1.7\nnot really a pdf")
    with pytest.raises(InputFileError) as caught:
        build_package(folder, citizen(), OFFICER_AT_DESK)
    assert caught.value.path is not None and caught.value.path.name == "TP02.pdf"


def test_submit_reports_the_portal_agency_and_citizen_gaps_in_one_message(
    tmp_path: Path, workspace: Workspace
) -> None:
    settings = PortalSettings(officer=OFFICER)  # no portal URL, no agency
    with pytest.raises(ConfigError) as caught:
        folder = make_dossier(tmp_path / "hs-012")
        submit_dossier(folder, Citizen(CITIZEN_ID, "A"), settings, workspace, None)  # type: ignore[arg-type]
    lines = caught.value.message.splitlines()
    assert len(lines) == 4 and "--portal" in lines[0] and "--agency" in lines[1]
    assert "điện thoại" in lines[2] and "--consent" in lines[3]
