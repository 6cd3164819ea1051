"""The SMTP password, read only when a message goes: from the environment variable the team
settings name, or from a file only its owner may read (never kept in the database)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from callblock.config.smtp import SmtpSettings
from callblock.services import ServiceError

PASSWORD_FILE_MAX = 4096  # bytes


def smtp_password(smtp: SmtpSettings) -> str:
    """The password from where the settings say it is; refused (one line) when it is not
    there, or when its file could be read by anyone but its owner."""
    if smtp.password_env:
        value = os.environ.get(smtp.password_env, "")
        if not value:
            raise ServiceError(
                f"smtp.password_env names {smtp.password_env}, which is not set in this "
                f"environment: set it to the password of {smtp.username!r}, then send again"
            )
        return value
    return _password_file(Path(smtp.password_file).expanduser())


def _password_file(path: Path) -> str:
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0)  # a FIFO never blocks
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise ServiceError(f"smtp.password_file: {path}: no such file") from None
    except OSError as error:
        raise ServiceError(f"smtp.password_file: {path}: {error.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ServiceError(f"smtp.password_file: {path} is not a regular file")
        if info.st_mode & 0o077:
            mode = stat.filemode(info.st_mode)
            raise ServiceError(
                f"smtp.password_file: {path} can be read or written by others ({mode}): "
                f"refused; `chmod 600 {path}` keeps it to its owner"
            )
        raw = os.read(fd, PASSWORD_FILE_MAX + 1)
    finally:
        os.close(fd)
    if len(raw) > PASSWORD_FILE_MAX:
        raise ServiceError(f"smtp.password_file: {path} is not a password (over 4 KB)")
    try:
        password = raw.decode("utf-8").splitlines()[0] if raw.strip() else ""
    except UnicodeDecodeError:
        raise ServiceError(f"smtp.password_file: {path} is not UTF-8 text") from None
    if not password:
        raise ServiceError(f"smtp.password_file: {path} is empty (the password on its first line)")
    return password
