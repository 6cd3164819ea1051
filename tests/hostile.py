"""The hostile strings every outside-text field is fed in the output tests, and the scan."""

from __future__ import annotations

import re

import pytest

HOSTILE = [
    pytest.param("Smith [/] Jr", id="close-tag"),
    pytest.param("Acme [UK] Ltd", id="brackets"),
    pytest.param("[@click=app.quit]x[/]", id="click-action"),
    pytest.param("[link=http://x]y[/]", id="link"),
    pytest.param("Clip\x1b]52;c;aGVsbG8=\x07board", id="osc52-clipboard"),
    pytest.param("\x1b]8;;http://x\x1b\\y\x1b]8;;\x1b\\", id="osc8-hyperlink"),
    pytest.param("Wipe\x1b[2Jout", id="csi-clear"),
    pytest.param("Wipe\x9b2Jout", id="c1-csi"),
    pytest.param("Abc\u202eevil\u2066x\u2069", id="bidi-override"),
    pytest.param("Ac\u200dme\u200d Co", id="zero-width-joiner"),
]
# What may never reach a terminal, a spreadsheet or a JSON reader's screen: C0 controls but
# the newline (a CSV line ends "\r\n": check after folding those), DEL, C1, bidi overrides
# and isolates, line/paragraph separators.
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028-\u202e\u2066-\u2069]")


def unsafe_in(text: str) -> list[str]:
    """The unsafe characters in `text` (empty: clean)."""
    return sorted({repr(char) for char in UNSAFE.findall(text.replace("\r\n", "\n"))})


def assert_clean_bytes(data: bytes, where: str) -> None:
    """Raw bytes written (UTF-8): no ESC, no 8-bit CSI, no C0/C1 or bidi controls."""
    assert b"\x1b" not in data, f"ESC in {where}"
    found = unsafe_in(data.decode("utf-8"))
    assert not found, f"{found} in {where}:\n{data.decode('utf-8')[:2000]}"
