"""BTYD summary: pharmacrm (Ibis on DuckDB) against a hand-written DuckDB SQL query.

Synthetic, seeded transaction log (BG/NBD-like purchase process, Gamma spend, 5 % of receipts
followed by a second receipt the same day, rows shuffled), columns ``customer_id int64,
doc_id int64, day date, amount float64``, held in a DuckDB table. Both sides compute the same
summary as of 2024-12-31 in days and materialise it as Arrow; the results are checked equal
before timing. Median (min) of --repeat runs after one warm-up, each side in the same process.

    .venv/bin/python bench/btyd/bench_btyd.py --rows 1000000 --repeat 5
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import date

import duckdb
import ibis
import numpy as np
import psutil
import pyarrow as pa

from pharmacrm.analytics.btyd import btyd_summary

AS_OF = date(2024, 12, 31)
START = date(2022, 1, 1)

HAND_SQL = """
WITH days AS (
    SELECT customer_id, day - DATE '1970-01-01' AS d, SUM(amount) AS spend
    FROM tx WHERE day <= DATE '{as_of}'
    GROUP BY customer_id, d
)
SELECT customer_id,
       COUNT(*) - 1 AS frequency,
       CAST(MAX(d) - MIN(d) AS DOUBLE) AS recency,
       CAST({as_of_key} - MIN(d) AS DOUBLE) AS T,
       CASE WHEN COUNT(*) > 1
            THEN (SUM(spend) - arg_min(spend, d)) / (COUNT(*) - 1) ELSE 0.0 END AS monetary_value
FROM days GROUP BY customer_id
"""


def synthetic(rows: int, seed: int = 7) -> pa.Table:
    """About ``rows`` receipts of rows/10 customers over 2022-2024 (seeded)."""
    rng = np.random.default_rng(seed)
    customers = max(rows // 10, 1)
    rate = rng.gamma(0.9, 1 / 30, customers)  # purchases per day
    span = (AS_OF - START).days + 1
    first = rng.integers(0, span, customers)
    counts = np.maximum(rng.poisson(rate * (span - first)), 1)
    scale = rows / counts.sum()
    counts = np.maximum((counts * scale).astype(np.int64), 1)
    customer = np.repeat(np.arange(customers, dtype=np.int64), counts)
    offset = (rng.random(customer.size) * (span - first[customer])).astype(np.int64)
    day = first[customer] + offset
    day[np.r_[0, np.cumsum(counts)[:-1]]] = first  # each customer's first day is theirs
    amount = np.round(rng.gamma(6, 15 / 3, customer.size) * 2, 2)
    twice = rng.random(customer.size) < 0.05
    customer = np.concatenate([customer, customer[twice]])
    day = np.concatenate([day, day[twice]])
    amount = np.concatenate([amount, amount[twice] / 2])
    order = rng.permutation(customer.size)
    epoch = (START - date(1970, 1, 1)).days
    return pa.table(
        {
            "customer_id": customer[order],
            "doc_id": np.arange(customer.size, dtype=np.int64),
            "day": pa.array((day[order] + epoch).astype(np.int32), pa.date32()),
            "amount": amount[order],
        }
    )


def timed(run: Callable[[], pa.Table], repeat: int) -> tuple[float, float, pa.Table]:
    result = run()  # warm-up
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), min(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    data = synthetic(args.rows)
    raw = duckdb.connect()
    raw.register("tx_arrow", data)
    raw.execute("CREATE TABLE tx AS SELECT * FROM tx_arrow")
    raw.unregister("tx_arrow")
    con = ibis.duckdb.from_connection(raw)
    tx = con.table("tx")
    expr = btyd_summary(tx, as_of=AS_OF)
    sql = HAND_SQL.format(as_of=AS_OF.isoformat(), as_of_key=(AS_OF - date(1970, 1, 1)).days)

    ours_med, ours_min, ours = timed(lambda: con.to_pyarrow(expr), args.repeat)
    hand_med, hand_min, hand = timed(lambda: raw.sql(sql).to_arrow_table(), args.repeat)

    ours, hand = ours.sort_by("customer_id"), hand.sort_by("customer_id")
    assert ours.num_rows == hand.num_rows
    assert ours["frequency"].to_pylist() == hand["frequency"].to_pylist()
    diff = np.abs(ours["monetary_value"].to_numpy() - hand["monetary_value"].to_numpy()).max()
    assert diff < 1e-6, diff

    rss = psutil.Process().memory_info().rss / 2**20
    print(f"rows={data.num_rows:,} customers={ours.num_rows:,} repeat={args.repeat}")
    print(f"pharmacrm btyd_summary (Ibis→DuckDB): median {ours_med:.3f} s (min {ours_min:.3f})")
    print(f"hand-written DuckDB SQL:             median {hand_med:.3f} s (min {hand_min:.3f})")
    print(
        f"ratio median {ours_med / hand_med:.2f}, min {ours_min / hand_min:.2f}; RSS {rss:.0f} MiB"
    )


if __name__ == "__main__":
    main()
