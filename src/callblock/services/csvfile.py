"""Reading a CSV export from any CRM: encoding, delimiter, quoted cells, line numbers.

UTF-8 (with or without a byte-order mark), UTF-16 with a mark (Excel's "Unicode text"), else
Windows-1252; comma, semicolon or tab, whichever the header line uses most.
"""

from __future__ import annotations

import codecs
import csv
import io
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from callblock.services import ServiceError

DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
MAX_CELL = 1_000_000  # characters; a bigger cell is refused with its line number
MAX_FILE = 512 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class CsvRow:
    line: int  # the file line the record starts on (1 = the header)
    cells: list[str]


@dataclass(frozen=True, slots=True)
class CsvTable:
    path: Path
    encoding: str
    delimiter: str
    header: list[str]
    rows: list[CsvRow]


def decode(data: bytes, path: Path) -> tuple[str, str]:
    """The file's text and the name of its encoding; undecodable files are refused."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data.decode("utf-8-sig"), "UTF-8 with BOM"
        except UnicodeDecodeError as error:
            raise _bad_bytes(path, data, error, "UTF-8") from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError as error:
            raise _bad_bytes(path, data, error, "UTF-16") from None
    try:
        text, encoding = data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        try:
            text, encoding = data.decode("cp1252"), "Windows-1252"
        except UnicodeDecodeError as error:
            raise _bad_bytes(path, data, error, "UTF-8 or Windows-1252") from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ServiceError(
            f"{path}: line {line}: NUL bytes: not CSV text (UTF-16 without a BOM, or binary?)"
        )
    return text, encoding


def _bad_bytes(path: Path, data: bytes, error: UnicodeDecodeError, tried: str) -> ServiceError:
    line = data.count(b"\n", 0, error.start) + 1
    byte = data[error.start : error.start + 1].hex()
    return ServiceError(f"{path}: line {line}: byte 0x{byte} is not {tried} text")


def sniff_delimiter(text: str) -> str:
    """The delimiter the header line uses most (outside quotes); comma when in doubt."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "\r\n":
            break
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def read_csv(path: Path) -> CsvTable:
    """The whole file, parsed; empty rows dropped. Refuses what cannot be a CSV export."""
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise ServiceError(f"{path}: is a directory, not a CSV file")
        if not stat.S_ISREG(info.st_mode):  # /dev/zero never ends, a FIFO waits for a writer
            raise ServiceError(f"{path}: not a regular file (a device, FIFO or socket)")
        if info.st_size > MAX_FILE:
            raise ServiceError(f"{path}: larger than {MAX_FILE // 2**20} MB")
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE + 1)
        if len(data) > MAX_FILE:  # grew since the stat
            raise ServiceError(f"{path}: larger than {MAX_FILE // 2**20} MB")
    except FileNotFoundError:
        raise ServiceError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ServiceError(f"{path}: is a directory, not a CSV file") from None
    except OSError as error:
        raise ServiceError(f"{path}: cannot read it ({error.strerror})") from None
    except ServiceError:
        raise
    except ValueError:  # a NUL in the path (only from inside Python: argv cannot hold one)
        raise ServiceError(f"{str(path)!r}: not a file name") from None
    text, encoding = decode(data, path)
    if not text.strip():
        raise ServiceError(f"{path}: the file is empty: nothing to import")
    delimiter = sniff_delimiter(text)
    records = _records(text, delimiter, path)
    header_line, header = next(records)
    if not any(cell.strip() for cell in header):
        raise ServiceError(f"{path}: line {header_line}: the header row is empty")
    rows = [CsvRow(line, cells) for line, cells in records]
    return CsvTable(path, encoding, delimiter, [cell.strip() for cell in header], rows)


def _records(text: str, delimiter: str, path: Path) -> Iterator[tuple[int, list[str]]]:
    previous_limit = csv.field_size_limit(MAX_CELL)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    line = 1
    try:
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise ServiceError(f"{path}: line {line}: cannot read the CSV: {error}") from None
            if any(cell.strip() for cell in cells):
                yield line, cells
            line = reader.line_num + 1
    finally:
        csv.field_size_limit(previous_limit)
