"""Safe file writing: private modes, atomic replace, hashes."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, cast

import filelock

FILE_MODE = 0o600
DIR_MODE = 0o700


def make_private_dir(path: Path) -> Path:
    """Create `path` (and parents) with mode 0700 for the folders we create."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    return path


def fsync_path(path: Path) -> None:
    """Flush a file's or a folder's entries to disk (best effort: some filesystems refuse a folder fsync)."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_writer(path: Path, mode: str = "wb") -> Iterator[BinaryIO]:
    """Write to a hidden temporary file beside `path`, fsync it, then rename it over `path`.

    On any exception the temporary file is removed and `path` is left as it was.
    """
    tmp = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, renamed on success
        mode, dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
    )
    tmp_path = Path(tmp.name)
    try:
        tmp_path.chmod(FILE_MODE)
        yield cast(BinaryIO, tmp)  # typeshed's wrapper is an IO[Any], not a BinaryIO
        tmp.flush()
        os.fsync(tmp.fileno())
        tmp.close()
        tmp_path.replace(path)
        fsync_path(path.parent)
    except BaseException:
        tmp.close()
        tmp_path.unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    with atomic_writer(path, "wb") as fh:
        fh.write(data)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _aside(target: Path) -> Path:
    return target.with_name(f".{target.name}.old")


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)


def recover_replace(target: Path) -> None:
    """Finish or undo a `replace_dir` interrupted between its two renames.

    The old folder waits aside as `.NAME.old` between the renames: with no `target`, it is the last complete
    folder and is renamed back; beside a `target`, the swap finished and it is removed. Only ever a rename
    back, never a deletion, when `target` is missing.
    """
    old = _aside(target)
    if not (old.exists() or old.is_symlink()):
        return
    if target.exists() or target.is_symlink():
        _remove(old)
    else:
        old.replace(target)
        fsync_path(target.parent)


def replace_dir(staging: Path, target: Path) -> None:
    """Move a fully written `staging` folder into place as `target`, keeping the old one until the end.

    The old `target` is renamed aside, the new one renamed in, then the old one deleted: a crash leaves
    either the old complete folder or the new complete one (plus a `.old` folder that `recover_replace`,
    called first here and before any later swap, puts back or removes).
    """
    fsync_path(staging)
    recover_replace(target)
    old = _aside(target)
    if target.exists() or target.is_symlink():
        target.replace(old)
    staging.replace(target)
    fsync_path(target.parent)
    if old.exists() or old.is_symlink():
        _remove(old)


class LockBusyError(BlockingIOError):
    """Raised by `exclusive_lock(..., wait=False)` when another process holds the lock."""


@contextlib.contextmanager
def exclusive_lock(path: Path, *, wait: bool = True) -> Iterator[None]:
    """Hold an exclusive lock on the file `path` (created 0600) until the block ends.

    For read-check-write steps on files that two desks may touch at once (a dossier folder on a shared
    disk): the second desk waits here, then sees what the first one wrote. With `wait=False` a held lock
    raises `LockBusyError` at once. `filelock` takes the operating system's own lock (flock on POSIX,
    LockFileEx on Windows), which the kernel drops when the holder dies, so a killed run never leaves a
    stuck lock behind.
    """
    lock = filelock.FileLock(path, timeout=-1 if wait else 0, mode=FILE_MODE)
    try:
        lock.acquire()
    except filelock.Timeout as exc:
        raise LockBusyError(f"lock held: {path}") from exc
    try:
        yield
    finally:
        lock.release()
