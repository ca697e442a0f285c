"""Building the submission from a dossier folder: components and names from the profile, hashes, the
citizen checked, and unsigned PDFs refused (by name) before anything is queued."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from dossier.errors import ConfigError, InputFileError
from dossier.submit.adapter import Citizen, Officer
from dossier.submit.package import UnsignedFileError, build_package
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


def test_a_folder_with_only_the_scan_is_sent_whole(tmp_path: Path) -> None:
    folder = tmp_path / "hs-002"
    folder.mkdir()
    write_pdf(folder / "scan.pdf", "whole stack")
    package = build_package(folder, citizen(), OFFICER_AT_DESK, procedure_code="1.001193")
    assert [(f.name, f.component_code) for f in package.metadata.files] == [("scan.pdf", "HS")]


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
