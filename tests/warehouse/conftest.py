"""Fixtures for warehouse tests: an empty warehouse."""

from __future__ import annotations

from pathlib import Path

import pytest

from pharmacrm.warehouse.store import WarehouseStore


@pytest.fixture
def store(tmp_path: Path) -> WarehouseStore:
    return WarehouseStore(tmp_path / "warehouse")
