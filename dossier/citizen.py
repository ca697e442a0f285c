"""The citizen's details from a private JSON file, so that names and ID numbers stay off the command line.

One file per citizen serves every command that needs them (`dossier notice --applicant-file`,
`dossier submit --citizen-file`): command lines show in `ps` and in the shell history, files can be private.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path

from dossier.errors import InputFileError
from dossier.i18n import _

CITIZEN_KEYS = frozenset({"id_number", "full_name", "phone", "email", "consent_reference", "address"})


def read_citizen_file(path: Path) -> dict[str, str]:
    """A JSON object of the citizen's data; refused if others can read it (it holds personal data)."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InputFileError(
            _("Không đọc được tệp thông tin công dân: {reason}").format(reason=error), path
        ) from error
    if mode & 0o077:
        raise InputFileError(_("Tệp thông tin công dân phải chỉ chủ sở hữu đọc được (chmod 600)."), path)
    if not isinstance(document, dict) or set(document) - CITIZEN_KEYS:
        raise InputFileError(
            _("Tệp thông tin công dân phải là đối tượng JSON với các khóa: {keys}").format(
                keys=", ".join(sorted(CITIZEN_KEYS))
            ),
            path,
        )
    return {k: str(v).strip() for k, v in document.items() if v is not None}
