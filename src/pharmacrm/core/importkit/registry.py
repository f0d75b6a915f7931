"""Registries of import kinds (``pharmacrm import KIND``) and named adapters (``--mapping``).

A kind is a handler plus its canonical fields; the module that owns the data registers it
(the warehouse its five fact kinds, the customer master accounts, contacts, …), so the command
line, the web upload and the API dispatch the same way without knowing any kind.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import polars as pl

from pharmacrm.core.importkit.coerce import Rule
from pharmacrm.core.importkit.errors import ImportKitError, RowError
from pharmacrm.core.importkit.fields import FieldSpec
from pharmacrm.core.importkit.mapping import ColumnMapping

KIND_MODULES = (
    "pharmacrm.warehouse.kinds",
    "pharmacrm.accounts.imports",
    "pharmacrm.catalog.imports",
    "pharmacrm.territories.imports",
)
"""Modules that register kinds when imported; a missing one (not built yet) is skipped."""


@dataclass(frozen=True)
class Progress:
    """Where an import stands: rows of the current file done, of about ``rows_total``."""

    file: str
    rows_done: int
    rows_total: int


class CodeResolver(Protocol):
    """Maps source codes to OLTP ids; an unknown code gives null (the row is kept)."""

    def resolve(self, entity: str, codes: pl.Series) -> pl.Series:
        """Return an Int64 series of ids for ``codes`` of ``entity`` (outlet, product, …)."""
        ...


@dataclass(frozen=True)
class ImportRequest:
    """What the caller asks for; ``options`` carries kind-specific settings (``source=…``).

    ``code_resolver`` fills the id columns of fact kinds from their source codes; the import
    job service passes the customer master's, a run without a database passes none (ids stay
    empty and every code is listed as unresolved).
    """

    files: tuple[Path, ...]
    mapping: str | None = None
    dry_run: bool = False
    options: dict[str, str] = field(default_factory=dict)
    progress: Callable[[Progress], None] | None = None
    code_resolver: CodeResolver | None = None
    content_hashes: dict[str, str] = field(default_factory=dict)
    """SHA-256 of files already hashed by the caller (path as text → hex), so a file imported
    before is refused without reading it again."""


@dataclass
class FileReport:
    """Outcome of one file: the counts reconcile as rows_read = rows_stored + rows_quarantined."""

    file: str
    status: str  # committed, dry_run, already_imported, failed
    import_id: str = ""
    rows_read: int = 0
    rows_stored: int = 0
    rows_quarantined: int = 0
    duplicates: int = 0
    facts_written: int = 0
    unresolved: dict[str, int] = field(default_factory=dict)
    quarantine_path: Path | None = None
    errors_path: Path | None = None
    unresolved_path: Path | None = None
    timings: dict[str, float] = field(default_factory=dict)
    message: str = ""
    first_errors: list[RowError] = field(default_factory=list)
    mapping: str = ""


ImportHandler = Callable[[ImportRequest], list[FileReport]]


@dataclass(frozen=True)
class ImportKind:
    """A kind of import: its canonical fields and the handler that runs it."""

    name: str
    fields: tuple[FieldSpec, ...]
    handler: ImportHandler
    description: str = ""
    needs_django: bool = False


@dataclass(frozen=True)
class Adapter:
    """A named layout of a known source (a registry, a POS vendor, a published data set).

    ``prepare`` reshapes raw batches before mapping (unpivot a wide sheet, split a column);
    ``derive`` adds fields after coercion (status from an invoice-number prefix); ``rules``
    quarantine rows by the adapter's stated policy. ``state`` passed to both lives for one file.
    """

    name: str
    kind: str
    mapping: ColumnMapping
    description: str = ""
    prepare: Callable[[pl.DataFrame, dict[str, object]], pl.DataFrame] | None = None
    derive: Callable[[pl.DataFrame, dict[str, object]], pl.DataFrame] | None = None
    rules: tuple[Rule, ...] = ()
    raw_columns: tuple[str, ...] | None = None


_KINDS: dict[str, ImportKind] = {}
_ADAPTERS: dict[tuple[str, str], Adapter] = {}


def register_kind(kind: ImportKind) -> None:
    """Register (or replace, on module reload) an import kind."""
    _KINDS[kind.name] = kind


def register_adapter(adapter: Adapter) -> None:
    """Register a named adapter for its kind."""
    _ADAPTERS[(adapter.kind, adapter.name)] = adapter


def load_kinds(modules: Sequence[str] = KIND_MODULES) -> dict[str, ImportError]:
    """Import the modules that register kinds; return those that could not be imported.

    A module that does not exist yet is skipped silently; one that fails to import is returned
    with its error, so one broken kind does not take every other kind down with it.
    """
    failed: dict[str, ImportError] = {}
    for name in modules:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name is None or not name.startswith(exc.name):
                failed[name] = exc
        except ImportError as exc:
            failed[name] = exc
    return failed


def get_kind(name: str) -> ImportKind:
    """Return a registered kind.

    Raises
    ------
    ImportKitError
        Naming the known kinds when ``name`` is not one of them.
    """
    try:
        return _KINDS[name]
    except KeyError:
        known = ", ".join(sorted(_KINDS)) or "none registered"
        raise ImportKitError(f"unknown import kind {name!r}; known kinds: {known}") from None


def kind_names() -> list[str]:
    """Names of the registered kinds, sorted."""
    return sorted(_KINDS)


def get_adapter(kind: str, name: str) -> Adapter:
    """Return the adapter ``name`` of ``kind``, or raise naming the ones that exist."""
    try:
        return _ADAPTERS[(kind, name)]
    except KeyError:
        known = ", ".join(adapter_names(kind)) or "none"
        raise ImportKitError(f"no mapping {name!r} for {kind!r}; known: {known}") from None


def adapter_names(kind: str) -> list[str]:
    """Names of the adapters registered for ``kind``, sorted."""
    return sorted(name for (owner, name) in _ADAPTERS if owner == kind)
