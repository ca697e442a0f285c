"""Shared pieces for the submit tests: signed dossier folders, a workspace, the portal settings file.

PDFs are signed with a throwaway self-signed EC key through pyHanko: the sandbox checks signature integrity
only (it has no trust roots), and an EC key keeps each signature at a few milliseconds.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest

from dossier.submit.adapter import Citizen

PROCEDURE = "1.001193"
AGENCY = "000.00.06.H56"
OFFICER = "motcua.hoatien"
TOKEN = "token-for-submit-tests"
# A structurally valid 12-digit personal ID (province 001 Hà Nội, born 2003, female): synthetic.
CITIZEN_ID = "001303012345"
CITIZEN_NAME = "Trần Thị Mỹ Duyên"


def _signer() -> object:
    """The portal tests' throwaway self-signed EC signer (made once per process)."""
    from tests.submit.portal.helpers import test_signer

    return test_signer()


def write_pdf(path: Path, label: str, padding: int = 0, signed: bool = True) -> Path:
    """A one-page PDF saying `label`, padded with `padding` random bytes, signed unless told otherwise."""
    pdf = pikepdf.new()
    content = f"BT /F1 12 Tf 72 720 Td ({label}) Tj ET".encode()
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page,
        MediaBox=[0, 0, 595, 842],
        Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
        Contents=pdf.make_stream(content),
    )
    if padding:
        page["/PieceInfo"] = pdf.make_stream(os.urandom(padding))  # incompressible bytes to make it big
    pdf.pages.append(pikepdf.Page(page))
    plain = path.with_suffix(".plain.pdf") if signed else path
    pdf.save(plain)
    if signed:
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import signers

        meta = signers.PdfSignatureMetadata(field_name="Sig1", md_algorithm="sha256")
        with plain.open("rb") as source, path.open("wb") as out:
            signers.sign_pdf(IncrementalPdfFileWriter(source), meta, signer=_signer(), output=out)
        plain.unlink()
    return path


def make_dossier(
    folder: Path,
    *,
    components: tuple[str, ...] = ("TP01", "TP02"),
    padding: int = 0,
    signed: bool = True,
    procedure: str | None = PROCEDURE,
) -> Path:
    """A dossier folder as `dossier scan --procedure` then signing would leave it."""
    folder.mkdir(parents=True, exist_ok=True)
    for code in components:
        write_pdf(folder / f"{code}.pdf", f"{folder.name} {code}", padding, signed)
    manifest: dict[str, object] = {"format": "dossier-scan/1", "files": []}
    if procedure:
        manifest["checklist"] = {"procedure": procedure, "verdict": "complete"}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def citizen() -> Citizen:
    return Citizen(CITIZEN_ID, CITIZEN_NAME, phone="0912345678", consent_reference="PL-2026-0815")


@dataclass(frozen=True)
class PortalConfig:
    path: Path

    def write(self, **values: object) -> Path:
        lines = ["[portal]"]
        for key, value in values.items():
            lines.append(f"{key} = {json.dumps(value)}")
        self.path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return self.path


@pytest.fixture
def portal_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> PortalConfig:
    """A configuration file with fast retries (the same settings a site would use, just smaller)."""
    config = PortalConfig(tmp_path / "config.toml")
    config.write(
        officer=OFFICER, agency=AGENCY, retries=4, backoff_initial=0.01, backoff_max=0.05, timeout=10.0
    )
    monkeypatch.setenv("DOSSIER_CONFIG", str(config.path))
    return config
