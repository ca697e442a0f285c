"""The contract's JSON documents of a dossier, a file and a status (dossier/submit/openapi.yaml)."""

from __future__ import annotations

from typing import Any

from dossier.submit.portal.model import DossierView, FileState, Status


def status_url(view: DossierView) -> str:
    return f"/v1/dossiers/{view.id}"


STATUS_DOCUMENTS = {status: {"code": int(status), "name": status.label} for status in Status}


def status_document(status: Status) -> dict[str, Any]:
    return dict(STATUS_DOCUMENTS[status])


def file_document(state: FileState) -> dict[str, Any]:
    document: dict[str, Any] = {
        "name": state.name,
        "size": state.size,
        "received": state.received,
        "complete": state.complete,
    }
    if state.complete:
        document["sha256"] = state.sha256
    return document


def dossier_document(view: DossierView) -> dict[str, Any]:
    return {
        "id": view.id,
        "idempotency_key": view.idempotency_key,
        "code": view.code,
        "status": status_document(view.status),
        "procedure_code": view.procedure_code,
        "received_at": view.received_at,
        "appointment": view.appointment,
        "status_url": status_url(view),
        "files": [
            {
                "name": f.name,
                "component_code": f.component_code,
                "size": f.size,
                "sha256": f.sha256,
                "received": f.received,
                "complete": f.complete,
            }
            for f in view.files
        ],
        # the shared status objects are only read by the JSON encoder (a list page holds thousands)
        "history": [{"status": STATUS_DOCUMENTS[h.status], "at": h.at, "note": h.note} for h in view.history],
        "agency_code": view.agency_code,
        "officer": view.officer,
        "channel": view.channel,
        "procedure_name": view.procedure_name,
        "digitised": view.digitised,
        "signed": view.signed,
        "apology": None
        if view.apology is None
        else {
            "at": view.apology.at,
            "reason": view.apology.reason,
            "old_appointment": view.apology.old_appointment,
            "new_appointment": view.apology.new_appointment,
        },
    }
