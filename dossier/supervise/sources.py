"""Where the report model comes from: the portal's paged list API or a desk's registry."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from dossier.errors import InputFileError
from dossier.i18n import _
from dossier.submit.auth import token_provider
from dossier.submit.rest import RestPortalAdapter
from dossier.submit.settings import PortalSettings, load_portal_settings
from dossier.supervise.model import Apology, Dossier, StatusChange, moment_parser
from dossier.supervise.registry import open_registry, read_dossiers

PAGE_SIZE = 2000
Progress = Callable[[int], None]  # dossiers read so far


@dataclass(frozen=True)
class Source:
    """`--portal URL` or `--workspace DIR` (exactly one)."""

    portal: str | None = None
    workspace: Path | None = None

    @property
    def label(self) -> str:
        return self.portal if self.portal is not None else str(self.workspace)


def portal_adapter(url: str, settings: PortalSettings | None = None) -> RestPortalAdapter:
    settings = settings if settings is not None else load_portal_settings()
    return RestPortalAdapter(url, settings, token_provider(settings, url))


def load_dossiers(source: Source, progress: Progress | None = None) -> tuple[Dossier, ...]:
    if source.portal is not None:
        return from_portal(source.portal, progress=progress)
    assert source.workspace is not None
    with closing(open_registry(source.workspace)) as conn:
        return read_dossiers(conn)


def from_portal(url: str, progress: Progress | None = None) -> tuple[Dossier, ...]:
    """Every dossier the credential may read, page by page (only finalized ones: those with a code).

    The next page is fetched while this one is parsed (one thread ahead), so the portal's work and ours
    overlap instead of adding up.
    """
    dossiers: list[Dossier] = []
    with portal_adapter(url) as adapter, ThreadPoolExecutor(max_workers=1) as fetcher:
        pending = fetcher.submit(adapter.list_page, None, PAGE_SIZE)
        while True:
            items, cursor = pending.result()
            if cursor is not None:
                pending = fetcher.submit(adapter.list_page, cursor, PAGE_SIZE)
            dossiers.extend(d for d in (parse_portal_dossier(item) for item in items) if d is not None)
            if progress is not None:
                progress(len(dossiers))
            if cursor is None:
                return tuple(dossiers)


_PARSE = moment_parser()  # one memory for every page of a run


def _moment(value: Any, field: str) -> datetime:
    try:
        return _PARSE(str(value))
    except ValueError:
        raise InputFileError(
            _("Cổng trả về thời điểm không hợp lệ ở {field}: {value!r}").format(field=field, value=value)
        ) from None


def parse_portal_dossier(item: dict[str, Any]) -> Dossier | None:
    """The contract's Dossier document as the report model; None for one not finalized yet (no code)."""
    code = item.get("code")
    if not code:
        return None
    apology = item.get("apology")
    return Dossier(
        code=str(code),
        procedure_code=str(item["procedure_code"]),
        procedure_name=str(item.get("procedure_name") or item["procedure_code"]),
        unit=str(item.get("agency_code", "")),
        officer=str(item.get("officer", "")),
        channel=int(item.get("channel") or 0),
        received_at=_moment(item["received_at"], "received_at"),
        appointment=_moment(item["appointment"], "appointment") if item.get("appointment") else None,
        digitised=bool(item.get("digitised", False)),
        signed=bool(item.get("signed", False)),
        history=tuple(
            sorted(
                (
                    StatusChange(
                        int(h["status"]["code"]), _moment(h["at"], "history.at"), str(h.get("note", ""))
                    )
                    for h in item.get("history", ())
                ),
                key=lambda change: change.at,
            )
        ),
        apology=None
        if not apology
        else Apology(
            _moment(apology["at"], "apology.at"),
            str(apology.get("reason", "")),
            _moment(apology["new_appointment"], "apology.new_appointment"),
        ),
    )
