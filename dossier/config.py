"""The officer's configuration file: one TOML file with a section per concern ([signing], [portal], ...).

Found at `$DOSSIER_CONFIG`, else `config.toml` in `$DOSSIER_HOME` when that is set, else in the platform's
per-user configuration folder (`platformdirs`: the data folder on Windows and macOS, `~/.config/dossier` on
Linux, where a file left in the older place, the data folder, is still read while the new one is absent).
Each package parses its own section into a typed dataclass; this module only finds, reads and reports
errors with the file name. Secrets (PINs, passwords, tokens) do not belong in this file.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

import platformdirs

from dossier.errors import ConfigError
from dossier.home import APP_NAME, HOME_ENV, dossier_home
from dossier.i18n import _

CONFIG_ENV = "DOSSIER_CONFIG"
CONFIG_NAME = "config.toml"


def default_config_path() -> Path:
    """Where the configuration file is looked for when `$DOSSIER_CONFIG` does not name one."""
    if os.environ.get(HOME_ENV, "").strip():
        return dossier_home() / CONFIG_NAME
    path = platformdirs.user_config_path(APP_NAME, appauthor=False) / CONFIG_NAME
    legacy = dossier_home() / CONFIG_NAME
    return legacy if not path.exists() and legacy.exists() else path


def config_path() -> Path:
    configured = os.environ.get(CONFIG_ENV, "").strip()
    if configured:
        return Path(configured).expanduser()
    return default_config_path()


def load_config(path: Path | None = None) -> dict[str, Any]:
    """The whole configuration as a dict; an absent default file is an empty configuration."""
    path = path if path is not None else config_path()
    explicit = path != default_config_path()  # a file named by $DOSSIER_CONFIG or a caller must exist
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if explicit:
            raise ConfigError(_("Không tìm thấy tệp cấu hình."), path) from None
        return {}
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(_("Không đọc được tệp cấu hình: {reason}").format(reason=error), path) from error
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(_("Tệp cấu hình sai cú pháp TOML: {reason}").format(reason=error), path) from error


def config_section(name: str, path: Path | None = None) -> dict[str, Any]:
    """One `[name]` table of the configuration (empty when absent); a non-table value is an error."""
    section = load_config(path).get(name, {})
    if not isinstance(section, dict):
        where = path if path is not None else config_path()
        raise ConfigError(_("Mục [{name}] trong tệp cấu hình phải là một bảng.").format(name=name), where)
    return section


def resolve_config_path(value: str, path: Path | None = None) -> Path:
    """A path written in the configuration file, taken relative to the file's own folder."""
    base = (path if path is not None else config_path()).parent
    candidate = Path(value).expanduser()
    return candidate if candidate.is_absolute() else base / candidate
