"""OpenSSH public keys and the authorized_keys lines that give a key one callblock session.

A line gives its key exactly one thing (the gitolite/Gitea pattern):
`restrict,pty,command="<program> --db <PATH> ssh-session NAME" <TYPE> <BASE64>`. `restrict`
turns off forwarding, agent and X11; `pty` gives back the terminal the app needs; sshd runs the
command whatever the client asked (what it asked is in SSH_ORIGINAL_COMMAND).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import shlex
import struct
from dataclasses import dataclass

KEY_TYPES = (
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
)
KEY_FILE_MAX = 16_384  # an RSA 16384-bit key's line is ~2.8 KB
_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")
_COMMENT = re.compile(r"[\x20-\x7e]*")
# Characters a path in the forced command may not hold: sshd's quoting knows only `\"`, and a
# control character or a newline would end or bend the line.
_PATH_REFUSED = re.compile(r'["\\\x00-\x1f\x7f]')


class SshKeyError(ValueError):
    """A public key or a path that cannot go into authorized_keys; the message is one line."""


@dataclass(frozen=True, slots=True)
class PublicKey:
    kind: str
    blob: str  # base64, as in the .pub file

    @property
    def text(self) -> str:
        return f"{self.kind} {self.blob}"

    @property
    def fingerprint(self) -> str:
        """As `ssh-keygen -l` prints it: SHA256 of the key, base64 without padding."""
        digest = hashlib.sha256(base64.b64decode(self.blob)).digest()
        return "SHA256:" + base64.b64encode(digest).decode("ascii").rstrip("=")


def parse_public_key(text: str) -> PublicKey:
    """One public key line, `TYPE BASE64 [COMMENT]` (a .pub file). Options, a second key or
    anything else are refused: the line written for it must give it one session, nothing more."""
    if len(text) > KEY_FILE_MAX:
        raise SshKeyError(f"more than {KEY_FILE_MAX} characters; a public key is one short line")
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) != 1 or "\r" in text.strip():
        raise SshKeyError(f"expected exactly one line 'TYPE BASE64 [COMMENT]', found {len(lines)}")
    parts = lines[0].split()
    if parts[0] not in KEY_TYPES:
        raise SshKeyError(
            f"expected one line 'TYPE BASE64 [COMMENT]' with TYPE one of {', '.join(KEY_TYPES)} "
            "(options such as command= or restrict are not allowed; give the .pub file)"
        )
    if len(parts) < 2 or not _BASE64.fullmatch(parts[1]):
        raise SshKeyError(f"the {parts[0]} key is not base64")
    comment = " ".join(parts[2:])
    if not _COMMENT.fullmatch(comment):
        raise SshKeyError("the key's comment holds control or non-ASCII characters")
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        raise SshKeyError(f"the {parts[0]} key is not base64") from None
    if _blob_type(blob) != parts[0]:
        raise SshKeyError(f"the key's data is not a {parts[0]} key")
    return PublicKey(parts[0], parts[1])


def _blob_type(blob: bytes) -> str | None:
    """The key type a key blob names first (SSH wire format: uint32 length + name)."""
    if len(blob) < 4:
        return None
    (length,) = struct.unpack(">I", blob[:4])
    if length > 64 or len(blob) < 4 + length + 4:
        return None
    try:
        return blob[4 : 4 + length].decode("ascii")
    except UnicodeDecodeError:
        return None


def forced_command(program: str, db: str, name: str) -> str:
    """The shell command sshd runs for the key (run by the account's shell: quoted for it)."""
    for what, path in (("the callblock program", program), ("the database", db)):
        server = what == "the database" and path.startswith(("postgresql://", "postgres://"))
        if not path.startswith("/") and not server:
            raise SshKeyError(f"{what} path {path!r} is not absolute")
        if _PATH_REFUSED.search(path):
            raise SshKeyError(
                f"{what} path {path[:200]!r} holds a double quote, a backslash or a control "
                "character; authorized_keys cannot carry it: move it"
            )
    return shlex.join([program, "--db", db, "ssh-session", name])


def authorized_line(command: str, key: PublicKey) -> str:
    """The authorized_keys line: the command in double quotes (sshd's only escape is `\\"`)."""
    quoted = command.replace('"', '\\"')
    return f'restrict,pty,command="{quoted}" {key.text}'


def key_of_line(line: str) -> PublicKey | None:
    """The key an authorized_keys line holds (its options skipped as sshd reads them: up to
    the first blank outside double quotes), or None (a comment, a blank or unreadable line)."""
    text = line.strip()
    if not text or text.startswith("#"):
        return None
    if text.split()[0] not in KEY_TYPES:
        quoted, at = False, 0
        while at < len(text) and (quoted or text[at] not in " \t"):
            if text[at] == "\\" and text[at + 1 : at + 2] == '"':
                at += 1
            elif text[at] == '"':
                quoted = not quoted
            at += 1
        text = text[at:]
    parts = text.split()
    if len(parts) >= 2 and parts[0] in KEY_TYPES:
        return PublicKey(parts[0], parts[1])
    return None


def without_key_lines(text: str, line: str, key: PublicKey) -> tuple[str, int]:
    """The authorized_keys text without the line written for `key` (as written, or edited
    since but still the key's callblock line), and how many lines were taken out."""
    kept, removed = [], 0
    for existing in text.splitlines(keepends=True):
        options = existing.split(f" {key.kind} ", 1)[0]
        if existing.strip() == line.strip() or (
            key_of_line(existing) == key and "ssh-session" in options
        ):
            removed += 1
        else:
            kept.append(existing)
    return "".join(kept), removed


def with_line(text: str, line: str) -> str:
    """The authorized_keys text with `line` appended (on a line of its own)."""
    if text and not text.endswith("\n"):
        text += "\n"
    return f"{text}{line}\n"
