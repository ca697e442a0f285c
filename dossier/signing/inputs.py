"""Which PDFs a `dossier sign` call means, and where each signed copy goes (same name under --out)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from dossier.errors import ConfigError, InputFileError
from dossier.i18n import _
from dossier.store.folder import DossierFolder


@dataclass(frozen=True)
class SignJob:
    source: Path
    output: Path


def dossier_pdfs(folder: Path) -> tuple[Path, ...]:
    """A dossier folder's component PDFs (TPxx.pdf, chua-xep-loai.pdf), or scan.pdf when it has none;
    any other folder: its PDF files, sorted by name."""
    dossier = DossierFolder(folder)
    manifest = dossier.own_manifest()
    if manifest is not None:
        components = [folder / c.path for c in manifest.components or () if c.path]
        if components:
            missing = [p for p in components if not p.is_file()]
            if missing:
                raise InputFileError(_("Thiếu tệp thành phần ghi trong manifest.json."), missing[0])
            return tuple(components)
        if dossier.scan_pdf.is_file():
            return (dossier.scan_pdf,)
    pdfs = tuple(sorted(p for p in folder.iterdir() if p.suffix.lower() == ".pdf" and p.is_file()))
    if not pdfs:
        raise InputFileError(_("Thư mục không có tệp PDF nào để ký."), folder)
    return pdfs


def plan_jobs(arguments: Sequence[Path], out_dir: Path) -> tuple[SignJob, ...]:
    """One job per PDF; two inputs with the same name, or an output over its input, are refused up front."""
    sources: list[Path] = []
    for argument in arguments:
        if argument.is_dir():
            sources.extend(dossier_pdfs(argument))
        elif argument.is_file():
            sources.append(argument)
        else:
            raise InputFileError(_("Không tìm thấy tệp hoặc thư mục."), argument)
    jobs: list[SignJob] = []
    by_name: dict[str, Path] = {}
    for source in sources:
        if source.name in by_name:
            if by_name[source.name].resolve() == source.resolve():
                continue
            raise ConfigError(
                _(
                    "Hai tệp cùng tên {name} ({first} và {second}) sẽ ghi đè nhau trong --out: "
                    "ký riêng từng lần."
                ).format(name=source.name, first=by_name[source.name], second=source)
            )
        output = out_dir / source.name
        if output.resolve() == source.resolve():
            raise ConfigError(_("--out không được là thư mục chứa tệp gốc (sẽ ghi đè bản chưa ký)."), source)
        by_name[source.name] = source
        jobs.append(SignJob(source, output))
    return tuple(jobs)


def carry_manifest(arguments: Sequence[Path], out_dir: Path, signed: Sequence[Path] = ()) -> Path | None:
    """When one dossier folder was signed, write its manifest.json beside the signed copies, listing each copy
    with its SHA-256: the signed folder is then a dossier of its own (the procedure and the checklist travel
    with it to `dossier submit`, which checks every copy is there and unchanged)."""
    if len(arguments) != 1 or DossierFolder(arguments[0]).own_manifest() is None:
        return None
    return DossierFolder(arguments[0]).carry_manifest_to(DossierFolder(out_dir), tuple(signed))
