"""Benchmark: value rules re-grading N loyalty members (grades_apply) on PostgreSQL.

Usage (a throw-away database; it is created, migrated and filled)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_ins8 \\
        .venv/bin/python bench/grades/bench_grades_apply.py --consumers 1000000

Measures, each on the same data: the first apply (every member changes grade: N audit rows),
a second apply (nothing changes: no writes) and an apply after one rule's threshold moved
(the members between the two thresholds change). Prints wall time, rows changed and the
process's peak RSS.
"""

from __future__ import annotations

import argparse
import os
import resource
import time

import django


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pharmacrm.settings")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, skip_checks=True)


def _fill(consumers: int) -> None:
    from datetime import date

    from pharmacrm.accounts.models import Consumer
    from pharmacrm.insights.models import AnalyticsRun, CustomerSnapshot, GradeRule

    GradeRule.objects.all().delete()
    CustomerSnapshot.objects.all().delete()
    AnalyticsRun.objects.all().delete()
    Consumer.objects.all().delete()
    run = AnalyticsRun.objects.create(engine="duckdb", status="succeeded", as_of=date(2026, 6, 30))
    batch = 20_000
    for start in range(0, consumers, batch):
        made = Consumer.objects.bulk_create(
            [Consumer(card_no=f"B{n:09d}") for n in range(start, min(start + batch, consumers))]
        )
        CustomerSnapshot.objects.bulk_create(
            [
                CustomerSnapshot(
                    run=run,
                    customer_kind="consumer",
                    customer_key=member.pk,
                    abc_class="ABC"[member.pk % 3],
                    is_vip=member.pk % 20 == 0,
                    clv=float(member.pk % 1000),
                    p_alive=(member.pk % 100) / 100,
                )
                for member in made
            ]
        )


def _rules() -> None:
    from pharmacrm.insights import grades
    from pharmacrm.insights.models import GradeRule

    for name, grade, conditions in (
        ("VIP", "S", {"vip_only": True}),
        ("High CLV", "A", {"min_clv": 800.0}),
        ("Alive", "B", {"min_p_alive": 0.5}),
        ("Everyone else", "C", {}),
    ):
        grades.grade_rule_save(
            by=None,  # type: ignore[arg-type]
            rule=GradeRule(customer_kind="consumer", name=name, grade=grade, **conditions),
        )


def _timed(label: str) -> None:
    from pharmacrm.insights import grades

    started = time.perf_counter()
    changed = grades.grades_apply(by=None, run=None, kind="consumer")
    elapsed = time.perf_counter() - started
    print(f"{label}: {elapsed:.1f} s, {changed['consumer']:,} changed")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--consumers", type=int, default=100_000)
    args = parser.parse_args()
    _setup()
    started = time.perf_counter()
    _fill(args.consumers)
    print(
        f"fill {args.consumers:,} consumers + snapshot rows: {time.perf_counter() - started:.1f} s"
    )
    _rules()
    _timed("first apply (all change)")
    _timed("second apply (no change)")
    from pharmacrm.insights.models import GradeRule

    GradeRule.objects.filter(name="High CLV").update(min_clv=900.0)
    _timed("after moving the CLV threshold 800 -> 900")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MB")


if __name__ == "__main__":
    main()
