"""Guess how a text file is encoded and laid out, from its first bytes.

Distributors and POS vendors send whatever their software writes: UTF-8 (with or without a
byte-order mark), GBK/GB18030 from Chinese systems, cp1251 from Russian ones; commas,
semicolons (Excel in locales with a decimal comma), tabs or runs of spaces (CDNOW_master).
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import charset_normalizer

SAMPLE_BYTES = 256 * 1024
_DELIMITERS = (",", ";", "\t", "|")
# Only the legacy code pages the trade actually sends; an open guess among every code page
# picks mac_cyrillic for a short cp1251 sample.
_LEGACY_ENCODINGS = ["gb18030", "cp1251", "cp1252", "utf_16"]

Layout = Literal["csv", "whitespace", "excel", "parquet"]
EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"})


@dataclass(frozen=True)
class TextLayout:
    """How a delimited text file is written."""

    encoding: str
    delimiter: str | None  # None: fields separated by runs of whitespace
    has_bom: bool


def detect_layout(path: Path) -> Layout:
    """Name the reader for ``path``: by suffix for Excel and Parquet, else by content."""
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        return "excel"
    if suffix == ".parquet":
        return "parquet"
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        return "excel"
    return "whitespace" if sniff_text(path).delimiter is None else "csv"


def sniff_encoding(sample: bytes) -> tuple[str, bool]:
    """Return ``(encoding, has_bom)`` of a sample of a text file.

    UTF-8 wins whenever any non-ASCII line of the sample is valid UTF-8: legacy code pages
    almost never form valid multi-byte UTF-8 sequences, so a file that mixes encodings is read
    as UTF-8 and its foreign lines are reported row by row instead of garbling the whole file.
    """
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8", True
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", True
    if sample.isascii():
        return "utf-8", False
    cut = sample.rfind(b"\n")
    lines = (sample[: cut + 1] if cut > 0 else sample).splitlines()
    for line in lines:
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            continue
        return "utf-8", False
    best = charset_normalizer.from_bytes(sample, cp_isolation=_LEGACY_ENCODINGS).best()
    if best is None:
        return "utf-8", False
    encoding = best.encoding
    # GB18030 is a superset of GBK and GB2312: decoding with it never loses a character.
    return ("gb18030" if encoding in {"gbk", "gb2312"} else encoding), False


def sniff_delimiter(text: str) -> str | None:
    """Pick the delimiter that splits the sample's lines into a constant number (> 1) of fields.

    Returns ``None`` when only runs of whitespace separate the fields consistently.
    """
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if len(lines) > 1:
        lines = lines[:-1]  # the sample may end inside a line
    best: tuple[int, int, str] | None = None
    for delimiter in _DELIMITERS:
        counts = [
            len(row) for row in csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
        ]
        if not counts or min(counts) < 2:
            continue
        agreeing = sum(1 for count in counts if count == counts[0])
        candidate = (agreeing, counts[0], delimiter)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    if best is not None:
        return best[2]
    split_counts = {len(line.split()) for line in lines}
    if len(split_counts) == 1 and split_counts.pop() > 1:
        return None
    return ","


def sniff_text(path: Path, *, sample_bytes: int = SAMPLE_BYTES) -> TextLayout:
    """Sniff the encoding and the delimiter of a text file from its first bytes."""
    with path.open("rb") as handle:
        sample = handle.read(sample_bytes)
    encoding, has_bom = sniff_encoding(sample)
    text = sample.decode(encoding, errors="replace")
    return TextLayout(encoding=encoding, delimiter=sniff_delimiter(text), has_bom=has_bom)
