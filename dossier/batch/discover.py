"""Which dossiers a batch holds: the tree rule (every PDF, every folder of page images) or a CSV index."""

from __future__ import annotations

import csv
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from dossier.digitize.acquire import IMAGE_SUFFIXES, PDF_SUFFIXES, expand_sources
from dossier.errors import ConfigError, InputFileError
from dossier.i18n import _

INDEX_COLUMNS = ("path", "dossier_id", "procedure", "title")
PDF_OUTPUT_SUFFIX = ".pdf"


@dataclass(frozen=True)
class DossierSource:
    """One input dossier: a PDF file or a folder of page images, and where its output folder goes."""

    path: Path  # absolute: workers on other machines read the same path (a shared folder)
    rel: str  # relative to SRC, POSIX separators: the journal's key and the report's `source`
    output: str  # relative to DEST
    dossier_id: str | None = None
    procedure: str | None = None
    title: str | None = None
    problem: str | None = None  # found but cannot be processed (a symlink loop, overlapping outputs)

    @property
    def is_folder(self) -> bool:
        return self.path.is_dir()


def check_paths(src: Path, dest: Path) -> tuple[Path, Path]:
    """SRC must be an existing folder; DEST must not lie inside SRC (its output would become input)."""
    if not src.exists():
        raise InputFileError(_("Không tìm thấy thư mục nguồn."), path=src)
    if not src.is_dir():
        raise InputFileError(_("Nguồn của lô phải là một thư mục."), path=src)
    src_real = src.resolve()
    dest_real = dest.resolve()
    if dest_real == src_real or dest_real.is_relative_to(src_real):
        raise ConfigError(
            _("Thư mục đầu ra nằm trong thư mục nguồn; chọn một thư mục ở ngoài."),
            path=dest,
            hint=_("Nguồn: {src}").format(src=src),
        )
    if dest.exists() and not dest.is_dir():
        raise ConfigError(_("Đường dẫn đầu ra đã tồn tại và không phải là thư mục."), path=dest)
    return src_real, dest_real


def _is_page_file(name: str) -> bool:
    return not name.startswith(".") and Path(name).suffix.lower() in IMAGE_SUFFIXES


def _is_pdf_file(name: str) -> bool:
    return not name.startswith(".") and Path(name).suffix.lower() in PDF_SUFFIXES


def _output_for(rel: str, is_pdf: bool, root_name: str) -> str:
    if rel == ".":
        return root_name
    if is_pdf and rel.lower().endswith(PDF_OUTPUT_SUFFIX):
        return rel[: -len(PDF_OUTPUT_SUFFIX)]
    return rel


def walk_tree(src: Path) -> list[DossierSource]:
    """Every PDF file is one dossier; every folder holding page images is one dossier (its images in
    natural order). Hidden files and folders are skipped; symbolic links are followed once (a loop is
    reported as a problem, not followed)."""
    found: list[DossierSource] = []
    seen: set[tuple[int, int]] = set()
    root_name = src.name or "root"

    def visit(folder: Path, rel: PurePosixPath) -> None:
        stat = folder.stat()
        if (stat.st_dev, stat.st_ino) in seen:
            found.append(
                DossierSource(
                    folder,
                    str(rel),
                    str(rel),
                    problem=_("Liên kết tượng trưng tạo vòng lặp thư mục; bỏ qua."),
                )
            )
            return
        seen.add((stat.st_dev, stat.st_ino))
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            found.append(
                DossierSource(folder, str(rel), str(rel), problem=exc.strerror or str(exc)),
            )
            return
        has_pages = False
        subfolders = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                is_dir = entry.is_dir(follow_symlinks=True)
                is_file = entry.is_file(follow_symlinks=True)
            except OSError:
                continue
            if is_dir:
                subfolders.append(entry)
            elif is_file and _is_pdf_file(entry.name):
                entry_rel = str(rel / entry.name)
                found.append(DossierSource(Path(entry.path), entry_rel, _output_for(entry_rel, True, "")))
            elif is_file and _is_page_file(entry.name):
                has_pages = True
            elif (
                entry.is_symlink()
                and not Path(entry.path).exists()
                and (_is_pdf_file(entry.name) or _is_page_file(entry.name))
            ):
                broken = str(rel / entry.name)
                problem = _("Liên kết tượng trưng trỏ tới tệp không tồn tại.")
                found.append(DossierSource(Path(entry.path), broken, broken, problem=problem))
        if has_pages:
            found.append(DossierSource(folder, str(rel), _output_for(str(rel), False, root_name)))
        for entry in subfolders:
            visit(Path(entry.path), rel / entry.name)

    visit(src, PurePosixPath("."))
    return _flag_overlaps(sorted(found, key=lambda d: d.rel))


def _flag_overlaps(items: list[DossierSource]) -> list[DossierSource]:
    """Two dossiers whose output folders are the same or nest (x.pdf beside folder x/; a folder of images
    holding another) cannot both be written: the later ones are reported instead of overwriting."""
    taken: dict[str, str] = {}
    result = []
    for item in items:
        if item.problem is None:
            parts = PurePosixPath(item.output).parts
            clash = None
            for other_out, other_rel in taken.items():
                other = PurePosixPath(other_out).parts
                n = min(len(parts), len(other))
                if parts[:n] == other[:n]:
                    clash = other_rel
                    break
            if clash is not None:
                problem = _(
                    "Thư mục kết quả trùng hoặc lồng vào kết quả của {other}; dùng --index để đặt tên."
                )
                item = DossierSource(
                    item.path, item.rel, item.output, item.dossier_id, item.procedure, item.title,
                    problem.format(other=clash),
                )  # fmt: skip
            else:
                taken[item.output] = item.rel
        result.append(item)
    return result


def read_index(index: Path, src: Path) -> list[DossierSource]:
    """A CSV with the header `path,dossier_id,procedure,title` (only `path` required, relative to SRC)."""
    try:
        with index.open(newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
            header = rows[0].keys() if rows else []
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputFileError(
            _("Không đọc được tệp chỉ mục ({reason}).").format(reason=exc), path=index
        ) from exc
    if "path" not in header:
        raise ConfigError(
            _("Tệp chỉ mục cần cột 'path' (các cột: {cols}).").format(cols=",".join(INDEX_COLUMNS)),
            path=index,
        )
    items = []
    for number, row in enumerate(rows, start=2):
        rel = (row.get("path") or "").strip()
        path = (src / rel).absolute() if rel else src
        if not rel or not path.resolve().is_relative_to(src):
            raise ConfigError(
                _("Dòng {n}: đường dẫn phải nằm trong thư mục nguồn.").format(n=number), path=index
            )
        is_pdf = path.suffix.lower() in PDF_SUFFIXES
        rel = str(PurePosixPath(*Path(rel).parts))
        items.append(
            DossierSource(
                path,
                rel,
                _output_for(rel, is_pdf, src.name),
                dossier_id=(row.get("dossier_id") or "").strip() or None,
                procedure=(row.get("procedure") or "").strip() or None,
                title=(row.get("title") or "").strip() or None,
                problem=None if path.exists() else _("Không tìm thấy tệp hay thư mục trong chỉ mục."),
            )
        )
    return _flag_overlaps(items)


def source_files(item: DossierSource) -> list[Path]:
    """The files of one dossier: the PDF, or the folder's page images in natural order (not sub-folders)."""
    if not item.is_folder:
        return [item.path]
    return [p for p in expand_sources([item.path]) if p.suffix.lower() in IMAGE_SUFFIXES]


def fingerprint(item: DossierSource) -> str:
    """SHA-256 of the dossier's bytes: the file's, or for a folder of the names and bytes of its pages."""
    if not item.is_folder:
        return _sha256(item.path)
    digest = hashlib.sha256()
    for path in source_files(item):
        digest.update(path.name.encode("utf-8", "surrogateescape") + b"\0" + bytes.fromhex(_sha256(path)))
    return digest.hexdigest()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise InputFileError(
            _("Không đọc được tệp ({reason}).").format(reason=exc.strerror or exc), path=path
        ) from exc
    return digest.hexdigest()
