"""The `[signing]` section of the configuration file as a typed, frozen object (unknown keys are refused)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import StrEnum
from pathlib import Path
from typing import Any

from dossier.config import config_path, config_section, resolve_config_path
from dossier.errors import ConfigError
from dossier.fonts import FontStyle, font_file
from dossier.i18n import _


class Level(StrEnum):
    """PAdES baseline levels, weakest first."""

    b_b = "B-B"
    b_t = "B-T"
    b_lt = "B-LT"
    b_lta = "B-LTA"

    @property
    def needs_timestamp(self) -> bool:
        return self is not Level.b_b

    @property
    def embeds_validation_info(self) -> bool:
        return self in (Level.b_lt, Level.b_lta)


# Top-right of the first page (the rule for paper digitised on receipt): a box this large, this
# far from the page edges, in PDF points.
STAMP_WIDTH = 230.0
STAMP_HEIGHT = 64.0
STAMP_MARGIN = 18.0
# Liberation Serif, shipped in the package: metric-compatible with Times New Roman (official papers).
DEFAULT_FONT = font_file(FontStyle.regular)


@dataclass(frozen=True)
class SigningSettings:
    """Defaults for `dossier sign` and `dossier tokens`; options on the command line override them."""

    pkcs11_module: Path | None = None
    token_label: str | None = None
    key_label: str | None = None
    key_id: str | None = None  # hex
    cert_subject: str | None = None
    p12: Path | None = None
    tsa_url: str | None = None
    level: Level | None = None  # None: B-LT when a TSA is configured, B-B otherwise
    trust: tuple[Path, ...] = ()
    agency: str | None = None
    visible: bool = True
    page: int = 1  # 1-based; -1 is the last page
    box: tuple[float, float, float, float] | None = None  # x1, y1, x2, y2 in points; None = top-right corner
    seal_image: Path | None = None
    font: Path = DEFAULT_FONT
    strict_revocation: bool = False  # refuse when revocation cannot be checked, at every level
    reason: str | None = None
    location: str | None = None


_PATHS = {"pkcs11_module", "p12", "seal_image", "font"}
_STRINGS = {"token_label", "key_label", "key_id", "cert_subject", "tsa_url", "agency", "reason", "location"}


def parse_signing_settings(section: dict[str, Any], source: Path) -> SigningSettings:
    """Build settings from a `[signing]` table; keys may be written with '-' or '_'."""
    known = {f.name for f in fields(SigningSettings)}
    values: dict[str, Any] = {}
    for raw_key, value in section.items():
        key = raw_key.replace("-", "_")
        if key not in known:
            raise ConfigError(
                _("Khóa không hợp lệ trong [signing]: {key} (có: {known}).").format(
                    key=raw_key, known=", ".join(sorted(known))
                ),
                source,
            )
        values[key] = _convert(key, value, source)
    return SigningSettings(**values)


def _bad(key: str, expected: str, source: Path) -> ConfigError:
    return ConfigError(_("[signing] {key} phải là {expected}.").format(key=key, expected=expected), source)


def _convert(key: str, value: Any, source: Path) -> Any:
    if key in _PATHS:
        if not isinstance(value, str):
            raise _bad(key, _("một đường dẫn"), source)
        return resolve_config_path(value, source)
    if key in _STRINGS:
        if not isinstance(value, str) or not value.strip():
            raise _bad(key, _("một chuỗi không rỗng"), source)
        if key == "key_id":
            return parse_key_id(value)
        return value.strip()
    if key == "level":
        try:
            return Level(str(value).upper())
        except ValueError:
            raise _bad(key, "B-B, B-T, B-LT, B-LTA", source) from None
    if key == "trust":
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
            raise _bad(key, _("danh sách đường dẫn tệp PEM"), source)
        return tuple(resolve_config_path(item, source) for item in items)
    if key in ("visible", "strict_revocation"):
        if not isinstance(value, bool):
            raise _bad(key, "true/false", source)
        return value
    if key == "page":
        if not isinstance(value, int) or isinstance(value, bool) or value == 0:
            raise _bad(key, _("số trang (1 là trang đầu, -1 là trang cuối)"), source)
        return value
    if key == "box":
        if (
            not isinstance(value, list)
            or len(value) != 4
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
            or value[0] >= value[2]
            or value[1] >= value[3]
        ):
            raise _bad(key, _("[x1, y1, x2, y2] tính bằng point, x1 < x2 và y1 < y2"), source)
        return tuple(float(v) for v in value)
    raise AssertionError(key)  # every field is handled above


def parse_key_id(value: str) -> str:
    """A key id written in hex (spaces and colons allowed), normalised to lower-case hex."""
    cleaned = value.replace(":", "").replace(" ", "").lower()
    try:
        bytes.fromhex(cleaned)
    except ValueError:
        raise ConfigError(_("Mã khóa (key id) phải ở dạng hex: {value}").format(value=value)) from None
    return cleaned


def load_signing_settings(path: Path | None = None) -> SigningSettings:
    source = path if path is not None else config_path()
    return parse_signing_settings(config_section("signing", path), source)
