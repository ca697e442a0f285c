"""The citizen's details from a private JSON file, so that names and ID numbers stay off the command line.

One file per citizen serves every command that needs them (`dossier notice --applicant-file`,
`dossier submit --citizen-file`): command lines show in `ps` and in the shell history, files can be private.
"""

from __future__ import annotations

import json
import stat
import sys
from pathlib import Path

from dossier.errors import InputFileError
from dossier.i18n import _

CITIZEN_KEYS = frozenset({"id_number", "full_name", "phone", "email", "consent_reference", "address"})


def is_private_mode(mode: int, platform: str = sys.platform) -> bool:
    """Whether a file's permission bits keep it to its owner, by the rule of `platform`.

    POSIX (Linux, macOS): no bit for the group or others (`chmod 600`). Windows: Python's `st_mode` is made
    up from the read-only flag alone (0o666 or 0o444 for every file) and says nothing about who may read it,
    which Windows decides by the file's access list; there every mode is accepted, and the file's privacy
    is that of the folder it is in (keep it under the officer's own user profile).
    """
    if platform == "win32":
        return True
    return not stat.S_IMODE(mode) & 0o077


def read_citizen_file(path: Path) -> dict[str, str]:
    """A JSON object of the citizen's data; refused if others can read it (it holds personal data)."""
    try:
        mode = path.stat().st_mode
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InputFileError(
            _("Không đọc được tệp thông tin công dân: {reason}").format(reason=error), path
        ) from error
    if not is_private_mode(mode):
        raise InputFileError(_("Tệp thông tin công dân phải chỉ chủ sở hữu đọc được (chmod 600)."), path)
    if not isinstance(document, dict) or set(document) - CITIZEN_KEYS:
        raise InputFileError(
            _("Tệp thông tin công dân phải là đối tượng JSON với các khóa: {keys}").format(
                keys=", ".join(sorted(CITIZEN_KEYS))
            ),
            path,
        )
    return {k: str(v).strip() for k, v in document.items() if v is not None}
