"""Canonical fields: what an import kind expects, independent of any file's layout."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FieldType = Literal["code", "text", "int", "float", "date", "timestamp", "bool"]
"""``code``: an identifier kept exactly as sent (trimmed); ``text``: free text; ``timestamp``:
local wall time of the source unless it carries an offset."""


@dataclass(frozen=True)
class FieldSpec:
    """One canonical field of an import kind.

    ``minimum`` rejects values below it (``0.0`` for quantities that cannot be negative);
    ``synonyms`` add header spellings to the shared table in :mod:`.mapping`.
    """

    name: str
    type: FieldType
    required: bool = False
    minimum: float | None = None
    synonyms: tuple[str, ...] = ()
    description: str = ""
