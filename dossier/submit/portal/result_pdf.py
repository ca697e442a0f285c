"""The sandbox's result document (kết quả giải quyết): a one-page PDF naming the dossier code."""

from __future__ import annotations

import io

import pikepdf


def result_pdf(code: str, procedure_code: str) -> bytes:
    """A small born-digital PDF; ASCII only, since the standard Helvetica font cannot show Vietnamese."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    lines = [
        "KET QUA GIAI QUYET THU TUC HANH CHINH (SANDBOX)",
        f"Ma ho so: {code}",
        f"Ma TTHC: {procedure_code}",
    ]
    text = " ".join(f"({_escape(line)}) Tj 0 -18 Td" for line in lines)
    content = f"BT /F1 12 Tf 72 760 Td {text} ET".encode("ascii", "replace")
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page,
        MediaBox=[0, 0, 595, 842],
        Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
        Contents=pdf.make_stream(content),
    )
    pdf.pages.append(pikepdf.Page(page))
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    return out.getvalue()


def _escape(text: str) -> str:
    return (
        text.encode("ascii", "replace").decode().replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    )
