"""Helpers for master-data import tests: run a kind the way every interface does."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from pharmacrm.core.importkit.registry import FileReport, ImportRequest, get_kind, load_kinds

DATA = Path("/work/shared/data")


@pytest.fixture
def run_import(tmp_path: Path) -> Callable[..., list[FileReport]]:
    """``run_import(kind, *files, mapping=None, dry_run=False, **options)`` → file reports."""
    load_kinds()

    def _run(
        kind: str, *files: Path, mapping: str | None = None, dry_run: bool = False, **options: str
    ) -> list[FileReport]:
        request = ImportRequest(
            files=tuple(files),
            mapping=mapping,
            dry_run=dry_run,
            options={"quarantine_dir": str(tmp_path / "quarantine"), **options},
        )
        return get_kind(kind).handler(request)

    return _run
