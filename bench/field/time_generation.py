"""Time ``call_plans_generate_all`` for one period, split into database wait and Python CPU.

Usage (against the bench database loaded by ``load.py``)::

    .venv/bin/python bench/field/time_generation.py --period 2026Q3 [--fresh]

``--fresh`` deletes the period's plans first, so the run creates every plan and line (the
first generation of a quarter); without it an existing period is re-run (nothing changes).
Prints one JSON line: wall seconds, Python CPU seconds of this process, seconds spent waiting
on PostgreSQL (every statement timed through Django's execute wrapper), statements, plans,
lines, the load average before and after, and the process's peak RSS. On a shared machine
the wall time is the figure the issue asks about; the split tells how much is our code.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any


def main() -> None:
    """Run one generation and print the timings."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--period", required=True)
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pharmacrm.settings")
    import django

    django.setup()
    from django.db import connection

    from pharmacrm.field.models import CallPlanLine
    from pharmacrm.field.services import call_plans as call_plan_services
    from pharmacrm.field.services import targets as target_services

    period = target_services.period_parse(args.period)
    if args.fresh:
        # Plain SQL: the ORM's delete would write an audit row per line (60 k) first.
        with connection.cursor() as cursor:
            plans = "SELECT id FROM field_callplan WHERE period_start = %s"
            lines = f"SELECT id FROM field_callplanline WHERE plan_id IN ({plans})"
            cursor.execute(
                f"DELETE FROM field_callplanline_products WHERE callplanline_id IN ({lines})",  # noqa: S608
                [period.start],
            )
            cursor.execute(
                f"DELETE FROM field_callplanline WHERE plan_id IN ({plans})", [period.start]
            )  # noqa: S608
            cursor.execute("DELETE FROM field_callplan WHERE period_start = %s", [period.start])
    waited = {"seconds": 0.0, "statements": 0}

    def timer(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:  # noqa: ANN401, FBT001
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            waited["seconds"] += time.perf_counter() - started
            waited["statements"] += 1

    load_before = os.getloadavg()[0]
    wall, cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(timer):
        plans = call_plan_services.call_plans_generate_all(
            by=None, period_start=period.start, period_end=period.end
        )
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    lines = CallPlanLine.objects.filter(plan__in=[p.pk for p in plans]).count()
    print(
        json.dumps(
            {
                "period": period.label,
                "fresh": args.fresh,
                "wall_s": round(wall, 2),
                "python_cpu_s": round(cpu, 2),
                "db_wait_s": round(waited["seconds"], 2),
                "statements": waited["statements"],
                "plans": len(plans),
                "lines": lines,
                "load_before": round(load_before, 1),
                "load_after": round(os.getloadavg()[0], 1),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            }
        )
    )


if __name__ == "__main__":
    main()
