"""The sandbox's signature check: integrity only, on real pyHanko signatures."""

from __future__ import annotations

from pathlib import Path

from dossier.submit.portal.signatures import unsigned_reason
from tests.submit.portal.helpers import plain_pdf, signed_pdf


def test_an_intact_signature_passes(tmp_path: Path) -> None:
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed_pdf())
    assert unsigned_reason(path) is None


def test_an_unsigned_pdf_is_named_as_such(tmp_path: Path) -> None:
    path = tmp_path / "plain.pdf"
    path.write_bytes(plain_pdf())
    assert unsigned_reason(path) == "tệp chưa được ký số"


def test_a_changed_signed_byte_breaks_integrity(tmp_path: Path) -> None:
    data = bytearray(signed_pdf())
    position = data.index(b"TO KHAI")
    data[position] = ord("X")
    path = tmp_path / "tampered.pdf"
    path.write_bytes(bytes(data))
    reason = unsigned_reason(path)
    assert reason is not None and "KySo" in reason


def test_garbage_is_not_a_signed_pdf(tmp_path: Path) -> None:
    path = tmp_path / "garbage.pdf"
    path.write_bytes(b"%PDF-1.7\nnot really a pdf")
    reason = unsigned_reason(path)
    assert reason is not None and reason.startswith("không đọc được PDF")
