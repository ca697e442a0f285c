"""The HTML audit report, rendered from result objects: self-contained, escaped, Vietnamese, summary first."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from dossier.errors import OutputError
from dossier.signing.audit import AuditResult, summarize
from dossier.signing.indication import Indication, SubIndication
from dossier.signing.report_html import render_audit_html, write_audit_html
from dossier.signing.verify_result import (
    CertificateInfo,
    FileVerification,
    Level,
    RevocationSource,
    RevocationStatus,
    SignatureVerification,
    TimestampInfo,
)

NOW = datetime(2026, 3, 4, 2, 30, tzinfo=UTC)
HOSTILE_SIGNER = 'Nguyễn Văn <script>alert("x")</script> & Co'
HOSTILE_PATH = "hồ sơ/<b>tờ khai</b> & bản sao.pdf"


def signature(
    indication: Indication, sub: SubIndication | None, signer: str = "Cán Bộ Thử Nghiệm"
) -> SignatureVerification:
    certificate = CertificateInfo(
        common_name=signer,
        organization="Sở Tư pháp",
        subject=f"CN={signer}",
        issuer="Dossier TEST Intermediate CA",
        serial="1a2b",
        not_before=NOW - timedelta(days=30),
        not_after=NOW + timedelta(days=700),
        sha256="00" * 32,
    )
    stamp = TimestampInfo(time=NOW, tsa="Dossier TEST TSA", intact=True, valid=True, trusted=True)
    return SignatureVerification(
        field_name="Signature1",
        indication=indication,
        sub_indication=sub,
        signer=certificate.display_name,
        certificate=certificate,
        signing_time=NOW,
        signature_timestamp=stamp,
        document_timestamp=None,
        level=Level.b_lt,
        intact=sub is not SubIndication.hash_failure,
        valid=True,
        trusted=indication is Indication.total_passed,
        revocation=RevocationStatus.good,
        revocation_source=RevocationSource.dss,
        revoked_at=None,
        online_fallback=False,
        validated_at=NOW,
        coverage="ENTIRE_REVISION",
        modified_after_signing=True,
        modification_level="LTA_UPDATES",
        modification_allowed=True,
    )


def file_result(path: str, *signatures: SignatureVerification, error: str | None = None) -> FileVerification:
    worst = signatures[0] if signatures else None
    return FileVerification(
        path=path,
        indication=worst.indication if worst else Indication.total_failed,
        sub_indication=worst.sub_indication
        if worst
        else (SubIndication.format_failure if error else SubIndication.no_signature),
        signatures=signatures,
        validation_time=NOW,
        error=error,
    )


def audit_result() -> AuditResult:
    files = (
        file_result("a/tot.pdf", signature(Indication.total_passed, None)),
        file_result(
            HOSTILE_PATH, signature(Indication.total_failed, SubIndication.hash_failure, HOSTILE_SIGNER)
        ),
        file_result(
            "c/khong-tin-cay.pdf",
            signature(Indication.indeterminate, SubIndication.no_certificate_chain_found),
        ),
        file_result("d/chua-ky.pdf"),
        file_result("e/hong.pdf", error="Không đọc được tệp PDF: Illegal PDF header"),
    )
    return AuditResult(root="luu-tru", files=files, summary=summarize(files), seconds=1.25, jobs=2)


class Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> Collector:
    collector = Collector()
    collector.feed(html)
    collector.close()
    return collector


def test_summary_counts_the_files() -> None:
    summary = audit_result().summary
    assert (summary.total, summary.passed, summary.indeterminate, summary.failed, summary.unsigned) == (
        5,
        1,
        1,
        2,
        1,
    )


def test_content_is_escaped_not_markup() -> None:
    html = render_audit_html(audit_result())
    parsed = parse(html)
    assert "script" not in {tag for tag, _attrs in parsed.tags}
    assert "b" not in {tag for tag, _attrs in parsed.tags}
    text = "".join(parsed.text)
    assert HOSTILE_SIGNER in text and HOSTILE_PATH in text  # shown as text, exactly
    assert "&lt;script&gt;" in html and "&amp; bản sao" in html


def test_the_report_is_self_contained_utf8_html() -> None:
    html = render_audit_html(audit_result())
    parsed = parse(html)
    assert html.startswith("<!DOCTYPE html>")
    assert ("meta", {"charset": "utf-8"}) in parsed.tags
    assert ("html", {"lang": "vi"}) in parsed.tags
    for tag, attrs in parsed.tags:
        assert tag not in {"script", "link", "img", "iframe"}
        assert "src" not in attrs
        assert (attrs.get("href") or "#").startswith("#"), attrs  # only links within the page
    assert "http://" not in html and "https://" not in html
    assert "Báo cáo kiểm tra chữ ký số" in "".join(parsed.text)


def test_summary_comes_first_then_every_file_with_its_verdict() -> None:
    html = render_audit_html(audit_result())
    text = "".join(parse(html).text)
    summary_at = text.index("Tóm tắt")
    details_at = text.index("Chi tiết từng tệp")
    assert summary_at < details_at
    for path in ("a/tot.pdf", HOSTILE_PATH, "c/khong-tin-cay.pdf", "d/chua-ky.pdf", "e/hong.pdf"):
        assert text.index(path, details_at) > details_at
    for verdict in (
        "TOTAL-PASSED",
        "TOTAL-FAILED / HASH_FAILURE",
        "INDETERMINATE / NO_CERTIFICATE_CHAIN_FOUND",
    ):
        assert verdict in text
    assert "TOTAL-FAILED / NO_SIGNATURE" in text and "Illegal PDF header" in text
    # the problem files are listed (and linked) before the details
    attention = text[text.index("Tệp cần xem") : details_at]
    assert "e/hong.pdf" in attention and "a/tot.pdf" not in attention


def test_written_atomically_and_private(tmp_path: Path) -> None:
    report = tmp_path / "bao-cao.html"
    write_audit_html(audit_result(), report)
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    assert report.read_text(encoding="utf-8") == render_audit_html(audit_result())
    assert [p.name for p in tmp_path.iterdir()] == ["bao-cao.html"]


def test_an_unwritable_report_is_an_output_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError) as raised:
        write_audit_html(audit_result(), tmp_path / "khong-co" / "bao-cao.html")
    assert raised.value.path == tmp_path / "khong-co" / "bao-cao.html"
