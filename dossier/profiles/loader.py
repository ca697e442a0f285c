"""Strict loading of procedure profile files (TOML) with `path:line: message` errors, plus province overrides.

Why TOML and not YAML: TOML is in the standard library (`tomllib`), the working-day calendar files already
use it, and its grammar has none of YAML's surprises (`no` becoming False, `1.10` becoming a float), which
matters for files that officers edit by hand. tomllib reports no line numbers for values, so
`tomllines.key_lines` scans the text for table headers and `key =` lines to place each problem; syntax errors
carry tomllib's own "(at line N, column M)".
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from itertools import pairwise
from pathlib import Path
from typing import Any

from dossier.errors import ConfigError
from dossier.i18n import _
from dossier.profiles.model import (
    DISTRICT_LEVEL_ABOLISHED,
    Component,
    ExpectedField,
    Form,
    Hints,
    Level,
    Procedure,
    Profile,
    Requirement,
)
from dossier.profiles.tomllines import KeyPath, key_lines

PROFILES_DIR_ENV = "DOSSIER_PROFILES_DIR"
PACKAGED_DIR = Path(__file__).parent / "data" / "procedures"
# A national code (1.001193), or `local.<name>` while the national code is not known (province-defined).
CODE_PATTERN = re.compile(r"^(\d\.\d{6}|local\.[a-z0-9-]+)$")
COMPONENT_ID_PATTERN = re.compile(r"^TP\d{2}$")


@dataclass(frozen=True)
class Problem:
    """One lint finding, printed the way compilers do so editors can jump to it."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class ProfileError(ConfigError):
    """One or more profile files are invalid; `problems` lists every finding."""

    def __init__(self, problems: Iterable[Problem], hint: str | None = None) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems), hint=hint)


@dataclass(frozen=True)
class Catalogue:
    """Every known procedure after province overrides, sorted by code."""

    procedures: tuple[Procedure, ...]

    def codes(self) -> tuple[str, ...]:
        return tuple(p.code for p in self.procedures)

    def get(self, code: str) -> Procedure:
        for procedure in self.procedures:
            if procedure.code == code.strip():
                return procedure
        raise ConfigError(
            _("Không có hồ sơ mẫu cho thủ tục {code}.").format(code=code), hint=self.suggest(code)
        )

    def profile_for(self, code: str, on: date) -> Profile:
        procedure = self.get(code)
        profile = procedure.version_on(on)
        if profile is None:
            message = _("Thủ tục {code} không có quy định nào có hiệu lực ngày {day}.")
            raise ConfigError(message.format(code=procedure.code, day=on.isoformat()), path=procedure.path)
        return profile

    def suggest(self, text: str) -> str:
        """A 'did you mean' line from the nearest codes and names (difflib), or how to list them all."""
        names = {p.current.name.lower(): p.code for p in self.procedures}
        hits = difflib.get_close_matches(text.strip(), self.codes(), n=3, cutoff=0.6)
        hits += [names[n] for n in difflib.get_close_matches(text.strip().lower(), names, n=3, cutoff=0.4)]
        hits += [code for name, code in names.items() if text.strip().lower() in name]
        unique = list(dict.fromkeys(hits))[:3]
        if not unique:
            return _("Xem danh sách: dossier profiles list")
        choices = ", ".join(f"{code} ({self.get(code).name})" for code in unique)
        return _("Có phải: {choices}?").format(choices=choices)


def profiles_dir_from_env() -> Path | None:
    value = os.environ.get(PROFILES_DIR_ENV, "").strip()
    return Path(value) if value else None


def load_catalogue(profiles_dir: Path | None = None) -> Catalogue:
    """Packaged profiles, then the province folder (argument or $DOSSIER_PROFILES_DIR) replacing by code."""
    province = profiles_dir if profiles_dir is not None else profiles_dir_from_env()
    folders = [PACKAGED_DIR] + ([province] if province is not None else [])
    merged: dict[str, Procedure] = {}
    problems: list[Problem] = []
    for folder in folders:
        if not folder.is_dir():
            problems.append(Problem(folder, 0, _("không tìm thấy thư mục hồ sơ mẫu")))
            continue
        procedures, found = _load_folder(folder)
        problems += found
        merged.update({p.code: p for p in procedures})
    if problems:
        raise ProfileError(problems, hint=_("Kiểm tra bằng: dossier profiles lint"))
    return Catalogue(tuple(merged[code] for code in sorted(merged)))


def profile_for(code: str, on: date | None = None, profiles_dir: Path | None = None) -> Profile:
    """The rules of procedure `code` in force on `on` (default today), e.g. a dossier's reception date."""
    return load_catalogue(profiles_dir).profile_for(code, on or date.today())


def lint_paths(paths: Iterable[Path]) -> tuple[Problem, ...]:
    """Every problem in the given files and folders (folders: their *.toml files, codes unique per folder)."""
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            problems += _load_folder(path)[1]
        elif path.is_file():
            problems += read_procedure(path)[1]
        else:
            problems.append(Problem(path, 0, _("không tìm thấy tệp hoặc thư mục")))
    return tuple(problems)


def procedure_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.toml") if p.is_file())


def load_procedure(path: Path) -> Procedure:
    """One procedure file, or ProfileError listing every problem in it."""
    procedure, problems = read_procedure(path)
    if problems or procedure is None:
        raise ProfileError(problems)
    return procedure


def read_procedure(path: Path) -> tuple[Procedure | None, tuple[Problem, ...]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return None, (Problem(path, 0, _("không đọc được tệp: {e}").format(e=error)),)
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"at line (\d+)", str(error))
        line = int(match.group(1)) if match else 1
        return None, (Problem(path, line, _("lỗi cú pháp TOML: {e}").format(e=error)),)
    reader = _Reader(path, key_lines(text))
    procedure = reader.procedure(document)
    return (procedure if not reader.problems else None), tuple(reader.problems)


def _load_folder(folder: Path) -> tuple[list[Procedure], list[Problem]]:
    procedures: list[Procedure] = []
    problems: list[Problem] = []
    first_file: dict[str, Path] = {}
    for path in procedure_files(folder):
        procedure, found = read_procedure(path)
        problems += found
        if procedure is None:
            continue
        if procedure.code in first_file:
            message = _("mã thủ tục {code} đã có trong {other}").format(
                code=procedure.code, other=first_file[procedure.code].name
            )
            problems.append(
                Problem(path, key_lines(path.read_text(encoding="utf-8")).get(("code",), 1), message)
            )
            continue
        first_file[procedure.code] = path
        procedures.append(procedure)
    return procedures, problems


# --- checking values ---

Check = Callable[[Any], tuple[Any, str | None]]


def _text(value: Any) -> tuple[Any, str | None]:
    ok = isinstance(value, str) and value.strip() != ""
    return (value.strip() if ok else None), (None if ok else _("cần một chuỗi không rỗng"))


def _texts(value: Any) -> tuple[Any, str | None]:
    ok = isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)
    return (tuple(v.strip() for v in value) if ok else None), (
        None if ok else _("cần một danh sách chuỗi không rỗng")
    )


def _count(minimum: int) -> Check:
    def check(value: Any) -> tuple[Any, str | None]:
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= minimum
        return (value if ok else None), (None if ok else _("cần số nguyên >= {n}").format(n=minimum))

    return check


def _day(value: Any) -> tuple[Any, str | None]:
    ok = isinstance(value, date) and not isinstance(value, datetime)
    return (value if ok else None), (
        None if ok else _("cần một ngày dạng 2025-07-01 (không để trong ngoặc kép)")
    )


def _enum(kind: type[StrEnum]) -> Check:
    def check(value: Any) -> tuple[Any, str | None]:
        if isinstance(value, str) and value in kind.__members__:
            return kind(value), None
        allowed = ", ".join(kind.__members__)
        return None, _("giá trị {value!r} không hợp lệ; chọn một trong: {allowed}").format(
            value=value, allowed=allowed
        )

    return check


def _enums(kind: type[StrEnum]) -> Check:
    def check(value: Any) -> tuple[Any, str | None]:
        if not isinstance(value, list):
            return None, _("cần một danh sách")
        results = [_enum(kind)(v) for v in value]
        errors = [e for _value, e in results if e]
        return (tuple(v for v, _e in results) if not errors else None), (errors[0] if errors else None)

    return check


def _pattern(pattern: re.Pattern[str], example: str) -> Check:
    def check(value: Any) -> tuple[Any, str | None]:
        ok = isinstance(value, str) and pattern.match(value) is not None
        return (value if ok else None), (None if ok else _("sai dạng, ví dụ đúng: {e}").format(e=example))

    return check


def _page_box(value: Any) -> tuple[Any, str | None]:
    numbers = isinstance(value, list) and len(value) == 4
    numbers = numbers and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    if numbers:
        x, y, width, height = (float(v) for v in value)
        if 0 <= x < 1 and 0 <= y < 1 and 0 < width <= 1 - x and 0 < height <= 1 - y:
            return (x, y, width, height), None
    return None, _("cần [x, y, rộng, cao] là phần của trang (0-1), ví dụ [0.55, 0.75, 0.35, 0.15]")


def _tables(value: Any) -> tuple[Any, str | None]:
    ok = isinstance(value, list) and value != [] and all(isinstance(v, dict) for v in value)
    return (value if ok else None), (None if ok else _("cần ít nhất một bảng [[...]]"))


# key -> (check, required)
TOP_KEYS: dict[str, tuple[Check, bool]] = {
    "code": (_pattern(CODE_PATTERN, "1.001193"), True),
    "name": (_text, True),
    "field": (_text, True),
    "sources": (_texts, True),
    "unconfirmed": (_texts, False),
    "versions": (_tables, True),
}
VERSION_KEYS: dict[str, tuple[Check, bool]] = {
    "label": (_text, False),
    "valid_from": (_day, False),
    "valid_to": (_day, False),
    "level": (_enum(Level), True),
    "agency": (_text, True),
    "fee": (_text, True),
    "processing_days": (_count(0), True),
    "processing_note": (_text, False),
    "sets": (_count(1), False),
    "sources": (_texts, False),
    "unconfirmed": (_texts, False),
    "components": (_tables, True),
}


def _flag(value: Any) -> tuple[Any, str | None]:
    return (value, None) if isinstance(value, bool) else (None, _("cần true hoặc false"))


COMPONENT_KEYS: dict[str, tuple[Check, bool]] = {
    "id": (_pattern(COMPONENT_ID_PATTERN, "TP01"), True),
    "name": (_text, True),
    "requirement": (_enum(Requirement), True),
    "condition": (_text, False),
    "form": (_enum(Form), True),
    "copies": (_count(1), True),
    "one_of": (_text, False),
    "note": (_text, False),
    "any_paper": (_flag, False),
    "copy_of": (_pattern(COMPONENT_ID_PATTERN, "TP01"), False),
    "titles": (_texts, False),
    "key_phrases": (_texts, False),
    "expected_fields": (_enums(ExpectedField), False),
    "max_age_days": (_count(1), False),
    "max_age_months": (_count(1), False),
    "signature_box": (_page_box, False),
}


class _Reader:
    """Turns one parsed document into a Procedure, collecting every problem with its line."""

    def __init__(self, path: Path, lines: dict[KeyPath, int]) -> None:
        self.path = path
        self.lines = lines
        self.problems: list[Problem] = []

    def problem(self, where: KeyPath, message: str) -> None:
        while where not in self.lines:
            where = where[:-1]
        self.problems.append(Problem(self.path, self.lines[where], message))

    def table(
        self, table: dict[str, Any], keys: dict[str, tuple[Check, bool]], where: KeyPath
    ) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for key, value in table.items():
            if key not in keys:
                allowed = ", ".join(keys)
                self.problem(
                    (*where, key),
                    _("khóa không được phép: {key} (cho phép: {allowed})").format(key=key, allowed=allowed),
                )
                continue
            converted, error = keys[key][0](value)
            if error:
                self.problem((*where, key), f"{key}: {error}")
            else:
                values[key] = converted
        for key, (_check, required) in keys.items():
            if required and key not in table:
                self.problem(where, _("thiếu khóa bắt buộc: {key}").format(key=key))
        return values

    def procedure(self, document: dict[str, Any]) -> Procedure | None:
        top = self.table(document, TOP_KEYS, ())
        raw_versions = top.get("versions", [])
        versions = [self.version(v, ("versions", i), top) for i, v in enumerate(raw_versions)]
        if self.problems or not versions:
            return None
        ordered = tuple(sorted((v for v in versions if v), key=lambda v: v.valid_from or date.min))
        self.check_overlaps(ordered, versions)
        if self.problems:
            return None
        return Procedure(code=top["code"], name=top["name"], versions=ordered, path=self.path)

    def version(self, table: dict[str, Any], where: KeyPath, top: dict[str, Any]) -> Profile | None:
        values = self.table(table, VERSION_KEYS, where)
        components = [
            self.component(c, (*where, "components", i)) for i, c in enumerate(values.get("components", []))
        ]
        self.check_component_ids(table.get("components", []), where)
        self.check_groups([c for c in components if c], where)
        valid_from, valid_to = values.get("valid_from"), values.get("valid_to")
        if valid_from and valid_to and valid_to < valid_from:
            self.problem((*where, "valid_to"), _("valid_to trước valid_from"))
        if values.get("level") is Level.huyen and (valid_to is None or valid_to >= DISTRICT_LEVEL_ABOLISHED):
            message = _("cấp huyện không còn từ 01/7/2025: đặt valid_to = 2025-06-30 hoặc chọn tinh/xa")
            self.problem((*where, "level"), message)
        if any(c is None for c in components):
            return None
        if (
            not {"level", "agency", "fee", "processing_days", "components"} <= values.keys()
            or "name" not in top
        ):
            return None
        return Profile(
            code=top.get("code", ""),
            name=top["name"],
            field=top.get("field", ""),
            level=values["level"],
            agency=values["agency"],
            fee=values["fee"],
            processing_days=values["processing_days"],
            processing_note=values.get("processing_note"),
            sets=values.get("sets", 1),
            components=tuple(c for c in components if c),
            sources=top.get("sources", ()) + values.get("sources", ()),
            unconfirmed=top.get("unconfirmed", ()) + values.get("unconfirmed", ()),
            valid_from=valid_from,
            valid_to=valid_to,
            label=values.get("label", valid_from.isoformat() if valid_from else ""),
            path=self.path,
        )

    def component(self, table: dict[str, Any], where: KeyPath) -> Component | None:
        values = self.table(table, COMPONENT_KEYS, where)
        requirement, condition = values.get("requirement"), values.get("condition")
        if requirement is Requirement.conditional and "condition" not in table:
            self.problem((*where, "requirement"), _("thành phần có điều kiện cần khóa condition"))
        if condition and requirement not in (None, Requirement.conditional):
            self.problem((*where, "condition"), _('condition chỉ dùng khi requirement = "conditional"'))
        if "max_age_days" in table and "max_age_months" in table:
            self.problem((*where, "max_age_months"), _("chỉ dùng một trong max_age_days và max_age_months"))
        if not {"id", "name", "requirement", "form", "copies"} <= values.keys():
            return None
        hints = Hints(
            titles=values.get("titles", ()),
            key_phrases=values.get("key_phrases", ()),
            expected_fields=values.get("expected_fields", ()),
        )
        return Component(
            id=values["id"],
            name=values["name"],
            requirement=values["requirement"],
            form=values["form"],
            copies=values["copies"],
            condition=condition,
            one_of=values.get("one_of"),
            note=values.get("note"),
            any_paper=values.get("any_paper", False),
            copy_of=values.get("copy_of"),
            hints=hints,
            max_age_days=values.get("max_age_days"),
            max_age_months=values.get("max_age_months"),
            signature_box=values.get("signature_box"),
        )

    def check_component_ids(self, tables: list[Any], where: KeyPath) -> None:
        seen: set[str | None] = set()
        for index, table in enumerate(tables):
            component_id = table.get("id") if isinstance(table, dict) else None
            if component_id in seen:
                message = _("mã thành phần trùng: {id}").format(id=component_id)
                self.problem((*where, "components", index, "id"), message)
            seen.add(component_id)

    def check_groups(self, components: list[Component], where: KeyPath) -> None:
        groups: dict[str, list[int]] = {}
        for index, component in enumerate(components):
            if component.one_of:
                groups.setdefault(component.one_of, []).append(index)
        for name, members in groups.items():
            first = members[0]
            if len(members) < 2:
                message = _("nhóm one_of {name!r} chỉ có một thành phần").format(name=name)
                self.problem((*where, "components", first, "one_of"), message)
            elif len({components[i].requirement for i in members}) > 1:
                message = _("các thành phần trong nhóm one_of {name!r} phải cùng requirement").format(
                    name=name
                )
                self.problem((*where, "components", members[1], "requirement"), message)
        ids = {c.id for c in components}
        for index, component in enumerate(components):
            if component.copy_of is not None and (
                component.copy_of not in ids or component.copy_of == component.id
            ):
                message = _("copy_of {id} không phải một thành phần khác của thủ tục").format(
                    id=component.copy_of
                )
                self.problem((*where, "components", index, "copy_of"), message)

    def check_overlaps(self, ordered: tuple[Profile, ...], in_file_order: list[Profile | None]) -> None:
        for earlier, later in pairwise(ordered):
            if earlier.valid_to is None or later.valid_from is None or later.valid_from <= earlier.valid_to:
                index = in_file_order.index(later)
                message = _("các phiên bản chồng lấn thời gian hiệu lực (với phiên bản từ {start})").format(
                    start=earlier.valid_from.isoformat() if earlier.valid_from else "…"
                )
                self.problem(("versions", index, "valid_from"), message)


def iter_profiles(catalogue: Catalogue) -> Iterator[Profile]:
    for procedure in catalogue.procedures:
        yield from procedure.versions
