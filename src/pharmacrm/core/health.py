"""What ``/healthz`` checks: the OLTP database answers and the warehouse folder is usable."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings


def health_status(*, connection: Any) -> dict[str, Any]:
    """``{"status": "ok"|"fail", "checks": {"database": …, "warehouse": …}}``."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure is reported, not raised
        checks["database"] = f"fail: {type(exc).__name__}"
    warehouse = Path(settings.WAREHOUSE_DIR)
    try:
        warehouse.mkdir(parents=True, exist_ok=True)
        checks["warehouse"] = (
            "ok" if os.access(warehouse, os.R_OK | os.W_OK) else "fail: not writable"
        )
    except OSError as exc:
        checks["warehouse"] = f"fail: {type(exc).__name__}"
    ok = all(v == "ok" for v in checks.values())
    return {"status": "ok" if ok else "fail", "checks": checks}
