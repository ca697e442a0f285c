"""The citizen file's privacy rule on each platform."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest

from dossier.citizen import is_private_mode, read_citizen_file
from dossier.errors import InputFileError


@pytest.mark.parametrize("platform", ["linux", "darwin"])
def test_posix_accepts_only_owner_bits(platform: str) -> None:
    assert is_private_mode(stat.S_IFREG | 0o600, platform)
    assert is_private_mode(stat.S_IFREG | 0o400, platform)
    assert not is_private_mode(stat.S_IFREG | 0o640, platform)
    assert not is_private_mode(stat.S_IFREG | 0o604, platform)


def test_windows_accepts_the_modes_windows_reports() -> None:
    # Python on Windows reports 0o666 (0o444 when read-only) for every file: the access list decides there
    assert is_private_mode(stat.S_IFREG | 0o666, "win32")
    assert is_private_mode(stat.S_IFREG | 0o444, "win32")


def test_a_readable_file_is_refused_here(tmp_path: Path) -> None:
    path = tmp_path / "cong-dan.json"
    path.write_text('{"full_name": "Nguyễn Văn A"}', encoding="utf-8")
    path.chmod(0o644)
    if sys.platform == "win32":  # the CI's Windows runner: the mode says nothing there
        assert read_citizen_file(path) == {"full_name": "Nguyễn Văn A"}
    else:
        with pytest.raises(InputFileError) as refused:
            read_citizen_file(path)
        assert "chmod 600" in refused.value.message
    path.chmod(0o600)
    assert read_citizen_file(path) == {"full_name": "Nguyễn Văn A"}
