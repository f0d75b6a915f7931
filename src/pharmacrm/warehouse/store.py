"""The Parquet warehouse on disk: partitions, manifest, atomic commits, versions of re-sent reports.

Layout under ``WAREHOUSE_DIR``::

    manifest.json                                   the truth: which files are live
    <fact>/source=<source>/month=<YYYY-MM>/part-<import_id>-<n>.parquet
    _versions/<fact>/source=…/month=…/<import_id>/…  earlier versions of re-sent periods
    _staging/<operation_id>/                         work in progress (gone after recovery)

Atomicity. An import writes its partitions into ``_staging`` (each file fsynced), writes a
journal of the moves it is about to make, moves the files into place with ``os.replace``, and
then replaces ``manifest.json`` (temporary file, fsync, rename) — the commit point. Opening the
store undoes any operation whose id the manifest does not list, so an import killed at any
instant leaves the warehouse byte for byte as it was (see :meth:`WarehouseStore.tree_digest`).
One operation at a time holds an exclusive ``flock`` on ``.lock``.

Readers must take the file list from :meth:`WarehouseStore.live_files`, not from a glob.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from pharmacrm.warehouse.facts import FACTS
from pharmacrm.warehouse.keyset import key_hashes

MANIFEST = "manifest.json"
STAGING = "_staging"
VERSIONS = "_versions"
LOCK = ".lock"
ROW_GROUP_ROWS = 256 * 1024
UNIQUE_PER_ROW = frozenset(
    {"source_row", "check_id", "invoice_id", "order_id", "ts", "card_no", "consumer_id",
     "customer_code", "terminal_name", "terminal_address", "terminal_phone", "product_raw",
     "match_score"}
)  # fmt: skip
"""Fact columns whose values (nearly) all differ within a row group. Dictionary-encoding them
fills the dictionary page, falls back to plain encoding and has cost the time for nothing
(~25 % of Parquet encoding on receipt lines); every other column — codes, days, prices,
flags, currency — repeats and keeps its dictionary."""
FLUSHES_IN_FLIGHT = 2
"""Row groups queued for the encoding thread at most (bounds memory: each is ≤ ROW_GROUP_ROWS)."""


def dictionary_columns(schema: pa.Schema) -> list[str]:
    """Columns of ``schema`` worth dictionary-encoding (all but :data:`UNIQUE_PER_ROW`)."""
    return [name for name in schema.names if name not in UNIQUE_PER_ROW]


def statistics_columns(schema: pa.Schema) -> list[str]:
    """Columns of ``schema`` given min/max statistics: all but unique-per-row strings.

    A row group's minimum and maximum check id or card number prune nothing (they span the
    whole range) and computing them cost ~20 % of Parquet encoding; days, times, numbers, ids
    and the repeating codes keep theirs for readers that skip row groups.
    """
    return [
        name
        for name in schema.names
        if not (name in UNIQUE_PER_ROW and pa.types.is_string(schema.field(name).type))
    ]


def source_slug(text: str) -> str:
    """Directory-safe slug of a source name: ``"Distributor #7"`` → ``distributor-7``."""
    slug = re.sub(r"[^\w.-]+", "-", text.strip().casefold()).strip("-")
    return slug or "unknown"


@dataclass(frozen=True, order=True)
class Partition:
    """One leaf directory of the warehouse."""

    fact: str
    source: str
    month: str

    @property
    def relpath(self) -> str:
        """Path of the partition directory relative to the warehouse root."""
        return f"{self.fact}/source={self.source}/month={self.month}"


def _fsync_file(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _write_json_atomically(path: Path, data: dict[str, Any]) -> None:
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, sort_keys=True, indent=1)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    _fsync_dir(path.parent)


def _empty_manifest() -> dict[str, Any]:
    return {"format": 1, "operations": [], "imports": {}, "files": {}, "versions": {}}


class WarehouseStore:
    """Partitioned Parquet facts under ``root`` with a manifest (see the module docstring)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        with self.locked():
            self.recover()

    # ----------------------------------------------------------------- locking and state

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the warehouse's exclusive lock (one writing operation at a time)."""
        with (self.root / LOCK).open("a") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def manifest(self) -> dict[str, Any]:
        """The committed manifest (an empty one for a new warehouse)."""
        path = self.root / MANIFEST
        if not path.exists():
            return _empty_manifest()
        return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]

    def recover(self) -> list[str]:
        """Undo operations that were not committed; return their ids.

        Call with the lock held (the constructor does).
        """
        staging = self.root / STAGING
        if not staging.exists():
            return []
        committed = set(self.manifest()["operations"])
        undone = []
        for directory in sorted(staging.iterdir()):
            journal_path = directory / "journal.json"
            if directory.name not in committed and journal_path.exists():
                journal = json.loads(journal_path.read_text(encoding="utf-8"))
                for source, target in reversed(journal["moves"]):
                    source_path, target_path = self.root / source, self.root / target
                    if target_path.exists() and not source_path.exists():
                        source_path.parent.mkdir(parents=True, exist_ok=True)
                        os.replace(target_path, source_path)
            if directory.name not in committed:
                undone.append(directory.name)
            shutil.rmtree(directory)
        shutil.rmtree(staging, ignore_errors=True)
        self._prune_empty_dirs()
        return undone

    def _prune_empty_dirs(self) -> None:
        for top in [*FACTS, VERSIONS]:
            base = self.root / top
            if not base.exists():
                continue
            for directory, _, _ in sorted(os.walk(base), key=lambda item: -len(item[0])):
                path = Path(directory)
                if not any(path.iterdir()):
                    path.rmdir()

    def tree_digest(self) -> str:
        """SHA-256 over every file's relative path and bytes (the lock file excepted).

        Two warehouses with equal digests hold the same manifest, partitions and versions.
        """
        digest = hashlib.sha256()
        for path in sorted(p for p in self.root.rglob("*") if p.is_file()):
            relative = path.relative_to(self.root).as_posix()
            if relative == LOCK:
                continue
            digest.update(relative.encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        return digest.hexdigest()

    # ------------------------------------------------------------------------ reading

    def import_for_hash(self, content_hash: str) -> str | None:
        """The id of the committed import of a file with this content hash, if any."""
        for import_id, entry in self.manifest()["imports"].items():
            if entry.get("content_hash") == content_hash:
                return str(import_id)
        return None

    def live_files(self, fact: str, partition: Partition | None = None) -> list[Path]:
        """Live Parquet files of ``fact`` (optionally of one partition), in a stable order."""
        files = self.manifest()["files"]
        return [
            self.root / relpath
            for relpath, entry in sorted(files.items())
            if entry["fact"] == fact
            and (
                partition is None
                or (entry["source"], entry["month"]) == (partition.source, partition.month)
            )
        ]

    def read_fact(self, fact: str) -> pa.Table:
        """All live rows of ``fact`` as one table (small warehouses and tests)."""
        files = self.live_files(fact)
        if not files:
            return FACTS[fact].empty_table()
        return pa.concat_tables(pq.read_table(path, schema=FACTS[fact]) for path in files)

    def existing_key_hashes(
        self, partition: Partition, keys: tuple[str, ...]
    ) -> npt.NDArray[np.uint64]:
        """Hashes of the natural keys already stored in ``partition``."""
        hashes = [np.empty(0, dtype=np.uint64)]
        for path in self.live_files(partition.fact, partition):
            frame = pl.from_arrow(
                pq.read_table(path, columns=list(keys), schema=FACTS[partition.fact])
            )
            assert isinstance(frame, pl.DataFrame)
            hashes.append(key_hashes(frame, keys))
        return np.concatenate(hashes)

    def versions(self, partition: Partition) -> list[dict[str, Any]]:
        """Earlier versions kept for a partition (oldest first)."""
        return list(self.manifest()["versions"].get(partition.relpath, []))

    # ------------------------------------------------------------------------ writing

    def begin(self, import_id: str, fact: str) -> StagedImport:
        """Start an import; the returned object holds the lock until commit or abort."""
        return StagedImport(self, import_id, fact)

    def apply(
        self,
        operation_id: str,
        moves: list[tuple[str, str]],
        update: dict[str, Any],
    ) -> None:
        """Move files and commit a new manifest as one atomic operation (lock held by caller).

        ``moves`` are (from, to) paths relative to the root; ``update`` is the new manifest.
        """
        directory = self.root / STAGING / operation_id
        directory.mkdir(parents=True, exist_ok=True)
        _write_json_atomically(directory / "journal.json", {"moves": moves})
        touched: set[Path] = set()
        for source, target in moves:
            target_path = self.root / target
            target_path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.root / source, target_path)
            touched.add(target_path.parent)
        for parent in touched:
            _fsync_dir(parent)
        update["operations"] = [*update["operations"], operation_id]
        _write_json_atomically(self.root / MANIFEST, update)
        shutil.rmtree(directory)
        with contextlib.suppress(OSError):
            (self.root / STAGING).rmdir()
        self._prune_empty_dirs()

    def version_restore(self, partition: Partition, import_id: str, operation_id: str) -> None:
        """Make an earlier version of a partition live again; the current one becomes a version.

        Raises
        ------
        KeyError
            When ``import_id`` is not a kept version of ``partition``.
        """
        with self.locked():
            manifest = self.manifest()
            kept = manifest["versions"].get(partition.relpath, [])
            chosen = next((entry for entry in kept if entry["import_id"] == import_id), None)
            if chosen is None:
                raise KeyError(f"{partition.relpath} has no kept version from import {import_id}")
            moves, current = self._retire_live(manifest, partition, replaced_by=import_id)
            for version_path in chosen["files"]:
                live_path = f"{partition.relpath}/{Path(version_path).name}"
                moves.append((version_path, live_path))
                manifest["files"][live_path] = {
                    "fact": partition.fact, "source": partition.source,
                    "month": partition.month, "import_id": import_id, "rows": chosen["rows"],
                }  # fmt: skip
            remaining = [entry for entry in kept if entry["import_id"] != import_id]
            manifest["versions"][partition.relpath] = [*remaining, *current]
            self.apply(operation_id, moves, manifest)

    def _retire_live(
        self, manifest: dict[str, Any], partition: Partition, *, replaced_by: str
    ) -> tuple[list[tuple[str, str]], list[dict[str, Any]]]:
        """Plan moving a partition's live files to ``_versions`` (manifest edited in place)."""
        by_import: dict[str, list[str]] = {}
        rows: dict[str, int] = {}
        for relpath, entry in list(manifest["files"].items()):
            if entry["fact"] != partition.fact or (entry["source"], entry["month"]) != (
                partition.source,
                partition.month,
            ):
                continue
            by_import.setdefault(entry["import_id"], []).append(relpath)
            rows[entry["import_id"]] = rows.get(entry["import_id"], 0) + entry["rows"]
            del manifest["files"][relpath]
        moves: list[tuple[str, str]] = []
        retired = []
        for old_import, paths in sorted(by_import.items()):
            version_dir = f"{VERSIONS}/{partition.relpath}/{old_import}"
            targets = [f"{version_dir}/{Path(path).name}" for path in paths]
            moves.extend(zip(paths, targets, strict=True))
            retired.append(
                {"import_id": old_import, "files": targets, "rows": rows[old_import],
                 "replaced_by": replaced_by}
            )  # fmt: skip
        return moves, retired


@dataclass
class _PartitionWriter:
    path: Path
    writer: pq.ParquetWriter
    pending: list[pa.Table] = field(default_factory=list)
    pending_rows: int = 0
    rows: int = 0


class StagedImport:
    """Partition files of one import being written in ``_staging``; nothing is live yet."""

    def __init__(self, store: WarehouseStore, import_id: str, fact: str) -> None:
        self.store = store
        self.import_id = import_id
        self.fact = fact
        self.schema = FACTS[fact]
        self.directory = store.root / STAGING / import_id
        self._lock = store.locked()
        self._lock.__enter__()
        self.directory.mkdir(parents=True, exist_ok=True)
        self._writers: dict[Partition, _PartitionWriter] = {}
        self._done = False
        # Parquet encoding and compression release the GIL: one thread encodes row groups
        # while the caller parses the next batch (in order: a single worker keeps each
        # file's row groups in the order written).
        self._encoder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="parquet-encode")
        self._in_flight: list[Future[None]] = []

    def write(self, partition: Partition, table: pa.Table) -> None:
        """Append rows (conforming to the fact schema) to a partition of this import."""
        writer = self._writers.get(partition)
        if writer is None:
            index = len(self._writers)
            path = self.directory / f"part-{self.import_id}-{index}.parquet"
            parquet = pq.ParquetWriter(
                path, self.schema, compression="zstd", compression_level=1,
                use_dictionary=dictionary_columns(self.schema),
                write_statistics=statistics_columns(self.schema),
            )  # fmt: skip
            writer = _PartitionWriter(path, parquet)
            self._writers[partition] = writer
        writer.pending.append(table)
        writer.pending_rows += table.num_rows
        if writer.pending_rows >= ROW_GROUP_ROWS:
            self._flush(writer)

    def _flush(self, writer: _PartitionWriter) -> None:
        """Hand the partition's pending rows to the encoding thread as one row group."""
        if writer.pending_rows:
            rows = pa.concat_tables(writer.pending)
            writer.rows += writer.pending_rows
            while len(self._in_flight) >= FLUSHES_IN_FLIGHT:
                self._in_flight.pop(0).result()  # re-raises an encoding error here
            self._in_flight.append(
                self._encoder.submit(writer.writer.write_table, rows, ROW_GROUP_ROWS)
            )
        writer.pending = []
        writer.pending_rows = 0

    def _drain(self) -> None:
        """Wait until every queued row group is written; raise the first encoding error."""
        try:
            while self._in_flight:
                self._in_flight.pop(0).result()
        finally:
            self._encoder.shutdown(wait=True, cancel_futures=True)

    @property
    def partitions(self) -> list[Partition]:
        """Partitions this import has written to."""
        return sorted(self._writers)

    def commit(
        self, entry: dict[str, Any], *, replace: set[Partition] | None = None
    ) -> dict[str, Any]:
        """Make the staged partitions live and record ``entry`` under the import id.

        Partitions in ``replace`` (a distributor's re-sent period) first move their live files
        to ``_versions``, kept and restorable. Returns the committed manifest entry.
        """
        try:
            for writer in self._writers.values():
                self._flush(writer)
            self._drain()
            for writer in self._writers.values():
                writer.writer.close()
                _fsync_file(writer.path)
            manifest = self.store.manifest()
            moves: list[tuple[str, str]] = []
            replaced = []
            for partition in sorted(replace or set()):
                retire_moves, retired = self.store._retire_live(
                    manifest, partition, replaced_by=self.import_id
                )
                if retired:
                    moves.extend(retire_moves)
                    kept = manifest["versions"].setdefault(partition.relpath, [])
                    kept.extend(retired)
                    old_ids = [item["import_id"] for item in retired]
                    replaced.append({"partition": partition.relpath, "import_ids": old_ids})
            files = []
            for partition, writer in sorted(self._writers.items()):
                if not writer.rows:
                    continue
                live = f"{partition.relpath}/{writer.path.name}"
                moves.append((writer.path.relative_to(self.store.root).as_posix(), live))
                manifest["files"][live] = {
                    "fact": partition.fact, "source": partition.source, "month": partition.month,
                    "import_id": self.import_id, "rows": writer.rows,
                }  # fmt: skip
                files.append(live)
            committed = {**entry, "fact": self.fact, "files": files, "replaced": replaced}
            manifest["imports"][self.import_id] = committed
            self.store.apply(self.import_id, moves, manifest)
            return committed
        finally:
            self._release()

    def abort(self) -> None:
        """Drop everything staged (dry runs and failures)."""
        try:
            with contextlib.suppress(Exception):  # an encoding error is why we abort
                self._drain()
            for writer in self._writers.values():
                writer.writer.close()
            shutil.rmtree(self.directory, ignore_errors=True)
            with contextlib.suppress(OSError):
                (self.store.root / STAGING).rmdir()
        finally:
            self._release()

    def _release(self) -> None:
        if not self._done:
            self._done = True
            self._lock.__exit__(None, None, None)
