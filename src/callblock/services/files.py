"""Files a command writes (exports, rejects): never the database or an input, never half-done.

An output is checked before anything is written, then written through a temporary file in the
same folder and moved into place at the end; on failure only that temporary file is removed.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TextIO

from callblock.services import ServiceError


def database_files(db_path: Path) -> list[Path]:
    """The database and the files SQLite keeps beside it: beside the real file when `db_path`
    is a symlink (that is where SQLite puts them), and beside the link too. None for a
    database on a server (store.path is then its URL's printable parts, not a file)."""
    if not isinstance(db_path, Path):
        return []
    files = []
    for path in dict.fromkeys((db_path, db_path.resolve())):
        ends = ("-wal", "-shm", "-journal")
        files += [path, *(path.with_name(path.name + end) for end in ends)]
    return files


def check_output(path: Path, *, option: str, protected: Iterable[Path]) -> None:
    """Refuse an output path that is a protected file (the database, an input), a directory,
    or in a folder that does not exist."""
    if path.is_dir():
        raise ServiceError(f"{option}: {path} is a directory; give a file name")
    folder = path.resolve().parent
    if not folder.is_dir():
        raise ServiceError(f"{option}: the folder {folder} does not exist")
    for other in protected:
        if _same_file(path, other):
            raise ServiceError(
                f"{option}: {path} is {other}, the database or an input of this command; "
                "refusing to overwrite it"
            )


def _same_file(path: Path, other: Path) -> bool:
    try:
        if path.exists() and other.exists():
            return os.path.samefile(path, other)
    except OSError:
        pass
    return path.resolve() == other.resolve()


def written_in_place(path: Path) -> bool:
    """A target written through as it is, never replaced: a device or a pipe, or a symlink
    (`/dev/stdout` is one; replacing a link would replace the link, not what it points at)."""
    return path.is_symlink() or (path.exists() and not path.is_file() and not path.is_dir())


class StagedFile:
    """A file written under a temporary name beside its target; `commit` moves it into place,
    `discard` removes the temporary file only (never the target). A device or a pipe
    (`/dev/stdout`, `/dev/null`, a FIFO) or a symlink is written through and never replaced.
    A new file gets `new_mode` (default: the usual 0666 less the umask); a replaced one keeps
    its mode, and with `keep_owner` its owner and group too (when root replaces a user's file)."""

    def __init__(
        self, path: Path, *, option: str, new_mode: int | None = None, keep_owner: bool = False
    ) -> None:
        self.path = path
        self.new_mode = new_mode
        self.keep_owner = keep_owner
        self.temporary: Path | None = None
        try:
            if written_in_place(path):
                self.stream: TextIO = path.open("w", encoding="utf-8", newline="")
                return
            handle, temporary = tempfile.mkstemp(
                prefix=f".{path.name}.", suffix=".part", dir=path.resolve().parent
            )
        except OSError as error:
            raise ServiceError(f"{option}: cannot write {path} ({error.strerror})") from None
        self.temporary = Path(temporary)
        self.stream = os.fdopen(handle, "w", encoding="utf-8", newline="")

    def commit(self) -> None:
        self.stream.close()
        if self.temporary is not None:
            os.chmod(self.temporary, _mode_for(self.path, self.new_mode))
            if self.keep_owner and self.path.exists():
                _copy_owner(self.path, self.temporary)
            os.replace(self.temporary, self.path)

    def discard(self) -> None:
        self.stream.close()
        if self.temporary is not None:
            self.temporary.unlink(missing_ok=True)


def write_file(path: Path, write: Callable[[TextIO], int], *, option: str) -> int:
    """Write through a staged file: a failed write leaves no file and an old one as it was."""
    staged = StagedFile(path, option=option)
    try:
        count = write(staged.stream)
        staged.commit()
    except BaseException:
        staged.discard()
        raise
    return count


def _copy_owner(source: Path, target: Path) -> None:
    """Give `target` the owner and group of `source` (only root may give a file away)."""
    stat = source.stat()
    if (stat.st_uid, stat.st_gid) != (os.geteuid(), os.getegid()):
        os.chown(target, stat.st_uid, stat.st_gid)


def _mode_for(path: Path, new_mode: int | None = None) -> int:
    """An existing file's mode, else `new_mode`, else what `open()` gives a new file."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        if new_mode is not None:
            return new_mode
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
