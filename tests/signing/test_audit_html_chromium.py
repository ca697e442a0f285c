"""The audit HTML for supervisors: one row per file (path relative to the audited folder), details folded,
times in +07:00, counts per signer and per month, certificates expiring within 30 days; opened in chromium."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pikepdf

from dossier.signing.audit import AuditResult, summarize
from dossier.signing.indication import Indication, SubIndication
from dossier.signing.report_html import expiring_certificates, render_audit_html, write_audit_html
from tests.headless_chromium import render
from tests.signing.test_report_html import NOW, file_result, signature

ROOT = "/srv/luu-tru/2026"


def archive(files: int = 121) -> AuditResult:
    """`files` signed files under ROOT by three signers over two months; one signer's certificate expires
    in 10 days, one file failed."""
    results = []
    for n in range(files):
        signer = ("Nguyễn Văn An", "Trần Thị Bình", "Lê Quang Cường")[n % 3]
        sig = signature(Indication.total_passed, None, signer)
        stamp = dataclasses.replace(sig.signature_timestamp, time=NOW - timedelta(days=40 * (n % 2)))
        sig = dataclasses.replace(sig, signature_timestamp=stamp)
        if signer == "Lê Quang Cường":
            cert = dataclasses.replace(sig.certificate, not_after=NOW + timedelta(days=10), sha256="11" * 32)
            sig = dataclasses.replace(sig, certificate=cert)
        results.append(file_result(f"{ROOT}/hs-{n:03d}/to-khai.pdf", sig))
    results[5] = file_result(
        f"{ROOT}/hs-005/to-khai.pdf", signature(Indication.total_failed, SubIndication.hash_failure)
    )
    return AuditResult(root=ROOT, files=tuple(results), summary=summarize(results), seconds=3.0, jobs=2)


class Rows(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.file_rows = 0
        self.details = 0
        self.open_details = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "tr" and (values.get("id") or "").startswith("f"):
            self.file_rows += 1
        if tag == "details":
            self.details += 1
            self.open_details += "open" in values


def test_one_row_per_file_with_details_folded_and_relative_paths() -> None:
    html = render_audit_html(archive())
    rows = Rows()
    rows.feed(html)
    assert rows.file_rows == 121 and rows.details == 121 and rows.open_details == 0
    assert "hs-000/to-khai.pdf" in html and f"{ROOT}/hs-000" not in html.split("Chi tiết từng tệp")[1]
    assert "+07:00" in html and "+00:00" not in html
    assert NOW.strftime("%Y-%m-%dT09:30:00+07:00") in html  # 02:30 UTC shown as 09:30 +07:00


def test_counts_per_signer_and_month_and_expiring_certificates() -> None:
    result = archive()
    html = render_audit_html(result)
    per_signer = html.split("Theo người ký")[1].split("Theo tháng ký")[0]
    # 121 files: 41 by An, 40 by Bình, 40 by Cường, but file 5 (Cường's turn) is a failed one by another
    assert "<td>Nguyễn Văn An (Sở Tư pháp)</td><td>41</td><td>41</td><td>0</td>" in per_signer
    assert "<td>Lê Quang Cường (Sở Tư pháp)</td><td>39</td><td>39</td><td>0</td>" in per_signer
    assert "<td>Cán Bộ Thử Nghiệm (Sở Tư pháp)</td><td>1</td><td>0</td><td>1</td>" in per_signer
    per_month = html.split("Theo tháng ký")[1].split("Chi tiết từng tệp")[0]
    # even files (61) and the failed file 5 this month, the other 59 odd ones 40 days earlier
    months = {(NOW - timedelta(days=40)).strftime("%Y-%m"): 59, NOW.strftime("%Y-%m"): 62}
    for month, count in months.items():
        assert f"<td>{month}</td><td>{count}</td>" in per_month
    expiring = expiring_certificates(result)
    assert [(c.common_name, n) for c, n in expiring] == [("Lê Quang Cường", 39)]
    section = html.split("Chứng thư hết hạn trong 30 ngày")[1].split("Theo người ký")[0]
    assert "Lê Quang Cường" in section and "Nguyễn Văn An" not in section


def test_audit_html_in_chromium_prints_compactly(tmp_path: Path) -> None:
    report = tmp_path / "kiem-tra.html"
    write_audit_html(archive(), report)
    page = render(report, tmp_path)
    assert page.console_messages == []
    assert "Báo cáo kiểm tra chữ ký số" in page.dom
    assert "hs-120/to-khai.pdf" in page.dom and "TOTAL-FAILED / HASH_FAILURE" in page.dom
    assert "Lê Quang Cường" in page.dom.split("Theo người ký")[0]  # listed among the expiring
    with pikepdf.open(page.pdf) as pdf:  # type: ignore[arg-type]
        assert len(pdf.pages) <= 12  # 121 files: one row each, details folded
