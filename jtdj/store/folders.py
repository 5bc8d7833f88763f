"""The folders jtdj keeps beside the database (``backups/``, ``outbox/``): made owner-only, and
trusted only when nobody else can change them.

Anyone who can write in the outbox can plant a message that `email --flush` sends with the
office's SMTP login, and a symlinked backups folder would let rotation delete someone else's
files. So, as ssh's StrictModes and git's safe.directory do, a folder that is a symlink,
world-writable, or owned by anyone but this user or root is refused, with a line saying how to
fix it; a group-writable one (an office's shared folder) is used with a warning.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from jtdj.errors import StorageError
from jtdj.i18n import t


def make_private(path: Path) -> None:
    """Create ``path`` and any missing parents owner-only (mkdir(parents=True) would give the
    parents the umask's mode); folders that exist keep their mode."""
    missing = []
    while not os.path.lexists(path) and path != path.parent:
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:  # made meanwhile by another jtdj
            continue


def trusted_dir(path: Path, warn=None) -> Path:
    """``path``, made 0700 (and its missing parents) if it does not exist; refused when it is a
    symlink, world-writable or someone else's. ``warn(text)`` is told about a group-writable
    one. The checks read the folder itself (``lstat``), never what a link points to."""
    path = Path(path)
    try:
        make_private(path)
    except OSError as exc:
        raise StorageError(t("folder.cannot_make", path=path, reason=exc.strerror or exc)) from None
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        raise StorageError(t("folder.symlink", path=path))
    if not stat.S_ISDIR(info.st_mode):
        raise StorageError(t("folder.not_a_folder", path=path))
    if hasattr(os, "getuid") and info.st_uid not in (os.getuid(), 0):
        raise StorageError(t("folder.foreign", path=path, uid=info.st_uid))
    if info.st_mode & stat.S_IWOTH:
        raise StorageError(t("folder.world_writable", path=path))
    if info.st_mode & stat.S_IWGRP and warn is not None:
        warn(t("folder.group_writable", path=path))
    return path


def database_files(db_path: Path) -> list[Path]:
    """The database and the files SQLite keeps beside it."""
    return [Path(db_path)] + [Path(f"{db_path}{suffix}") for suffix in ("-wal", "-shm", "-journal")]


def is_database_file(path: Path, db_path: Path) -> bool:
    """Whether ``path`` names the database or one of its ``-wal``/``-shm`` files under any name:
    a relative path, a symlink, a hard link."""
    real = os.path.realpath(path)
    for own in database_files(db_path):
        if real == os.path.realpath(own):
            return True
        try:
            if os.path.samefile(path, own):
                return True
        except OSError:
            continue
    return False


def is_inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or anything in it, after resolving links on both sides."""
    real, top = Path(os.path.realpath(path)), Path(os.path.realpath(folder))
    return real == top or top in real.parents
