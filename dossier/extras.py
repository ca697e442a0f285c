"""Optional parts of the package (pip "extras") and the one message that names the extra to install.

The core install (`pip install dossier`) scans, checks, signs, verifies and submits. Two commands need more:
the sandbox portal (`dossier portal serve`: Starlette and Uvicorn, extra `portal`) and the test PKI
(`dossier samples pki`: certomancer, PyYAML and Werkzeug, extra `pki`). Each checks here before it starts.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

from dossier.errors import MissingDependencyError
from dossier.i18n import _


@dataclass(frozen=True)
class Extra:
    name: str
    modules: tuple[str, ...]  # importable module names
    purpose: str


EXTRAS: dict[str, Extra] = {
    "portal": Extra("portal", ("starlette", "uvicorn"), "dossier portal serve"),
    "pki": Extra("pki", ("certomancer", "yaml", "werkzeug"), "dossier samples pki"),
}


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def missing_modules(name: str) -> tuple[str, ...]:
    """The modules of extra `name` that cannot be imported here (found without importing them)."""
    return tuple(module for module in EXTRAS[name].modules if not _importable(module))


def install_command(name: str) -> str:
    return f'pip install "dossier[{name}]"'


def require_extra(name: str) -> None:
    """Raise a missing-dependency error naming the extra when one of its modules is absent."""
    missing = missing_modules(name)
    if missing:
        extra = EXTRAS[name]
        raise MissingDependencyError(
            _("Lệnh {command} cần gói bổ sung '{extra}' (thiếu: {modules}).").format(
                command=extra.purpose, extra=name, modules=", ".join(missing)
            ),
            hint=_("Cài đặt: {install}").format(install=install_command(name)),
        )
