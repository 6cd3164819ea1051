"""The files of a team database shared by a Unix group: the folder, the database and the
-wal/-shm files SQLite keeps beside it, all group read-write.

SQLite creates -wal and -shm with the database file's permission bits (whatever the umask of
the rep who opens it first), and a new file takes its folder's group when the folder is setgid:
so a 0660 database in a setgid, group-writable folder is usable by every member of the group.
"""

from __future__ import annotations

import grp
import os
import shlex
import stat
from contextlib import suppress
from pathlib import Path

from callblock.services import ServiceError

FILE_MODE = 0o660
FOLDER_MODE = 0o2770  # setgid: new files (-wal, -shm) take the folder's group


def group_id(name: str) -> int:
    """The id of the Unix group `name` (or a number); refused in one line when unknown."""
    try:
        return grp.getgrgid(int(name)).gr_gid if name.isdigit() else grp.getgrnam(name).gr_gid
    except (KeyError, ValueError, OverflowError):
        shown = repr(name) if len(name) <= 40 else repr(name[:37] + "...")
        raise ServiceError(f"--group: no group {shown} on this machine") from None


def make_folder(folder: Path, gid: int | None) -> bool:
    """Create the database's folder when missing (setgid and group rwx with a group); True
    when it was created here."""
    if folder.is_dir():
        return False
    try:
        folder.mkdir(parents=True)
    except OSError as error:
        raise ServiceError(f"cannot create the folder {folder} ({error.strerror})") from None
    if gid is not None:
        os.chown(folder, -1, gid)
        os.chmod(folder, FOLDER_MODE)  # after chown: chown may clear the setgid bit
    return True


def make_file(path: Path, gid: int | None) -> None:
    """The new, empty database file, owner-only until it is shared (no moment world-readable)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    if gid is not None:
        share(path, gid)


def share(path: Path, gid: int) -> None:
    """The database and its -wal/-shm (when present): group `gid`, read-write for the group."""
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if file.exists():
            os.chown(file, -1, gid)
            os.chmod(file, FILE_MODE)


def folder_hint(folder: Path, gid: int, group: str) -> str | None:
    """What to run when an existing folder would not let the group create -wal/-shm there."""
    info = folder.stat()
    needed = stat.S_ISGID | stat.S_IRWXG
    if info.st_gid == gid and info.st_mode & needed == needed:
        return None
    quoted = shlex.quote(str(folder))
    return (
        f"{folder} must let group {group} create files (SQLite's -wal and -shm): run "
        f"`chgrp {shlex.quote(group)} {quoted} && chmod g+rwxs {quoted}`"
    )


def remove_created(path: Path, folder: Path | None) -> None:
    """Undo a failed `team init`: the files it made, and the folder when it made it."""
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        with suppress(OSError):
            file.unlink()
    if folder is not None:
        with suppress(OSError):
            folder.rmdir()
