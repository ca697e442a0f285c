"""Where the common token drivers install their PKCS#11 modules, per platform (`data/pkcs11_modules.toml`).

The Vietnamese CAs' paths are reported, not verified on real tokens: the file says which. `dossier doctor`
lists the modules present on this machine; the officer's own module is `[signing] pkcs11_module`.
"""

from __future__ import annotations

import sys
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "pkcs11_modules.toml"


@dataclass(frozen=True)
class KnownModule:
    name: str
    platform: str  # a sys.platform value: win32, darwin, linux
    path: str
    status: str  # "reported" (seen, not verified) or "vendor" (documented by the driver's packages)


@cache
def known_modules() -> tuple[KnownModule, ...]:
    document = tomllib.loads(DATA.read_text(encoding="utf-8"))
    return tuple(KnownModule(**entry) for entry in document["module"])


def modules_for(platform: str = sys.platform) -> tuple[KnownModule, ...]:
    return tuple(m for m in known_modules() if platform.startswith(m.platform))


def present_modules(platform: str = sys.platform) -> tuple[KnownModule, ...]:
    """The known modules of `platform` whose file exists here."""
    return tuple(m for m in modules_for(platform) if Path(m.path).is_file())
