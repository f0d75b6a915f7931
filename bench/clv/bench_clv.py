"""Benchmark: BG/NBD + Gamma-Gamma fits (CDNOW, 100 k synthetic) and scoring 1 M customers.

Run from the repository root:
    .venv/bin/python bench/clv/bench_clv.py [--customers-score 1000000] [--repeat 3]

Prints one line per measurement (median and min of the repetitions, seconds) and the peak RSS of
the process. Synthetic customers follow BG/NBD r=0.9, α=30, a=0.6, b=5 (days) and Gamma-Gamma
p=6, q=4, v=15, as in /work/shared/notes/analytics-references.md §4.
"""

import argparse
import csv
import os
import statistics
import time
from datetime import date
from pathlib import Path

import numpy as np
import psutil
import pyarrow as pa
from synthetic import simulate  # bench/clv/synthetic.py, shared with the peers

from pharmacrm.analytics.clv import (
    ScoringConfig,
    fit_bgnbd,
    fit_gamma_gamma,
    fit_pareto_nbd,
    score_batches,
)

CDNOW = Path(os.environ.get("PHARMACRM_SHARED_DATA", "/work/shared/data")) / "cdnow_clv"


def timed(label, func, repeat):
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    print(f"{label}: median {statistics.median(times):.3f} s (min {min(times):.3f}) x{repeat}")
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers-score", type=int, default=1_000_000)
    parser.add_argument("--customers-fit", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    with (CDNOW / "cdnow_customers_summary_with_transactions.csv").open() as f:
        rows = list(csv.DictReader(f))
    x, t_x, age, z = (np.array([float(r[k]) for r in rows]) for k in ("x", "t_x", "T", "zbar"))
    p = timed("CDNOW BG/NBD fit (2,357)", lambda: fit_bgnbd(x, t_x, age), args.repeat)
    print("   ", round(p.r, 4), round(p.alpha, 4), round(p.a, 4), round(p.b, 4))
    g = timed("CDNOW Gamma-Gamma fit (946)", lambda: fit_gamma_gamma(x, z), args.repeat)
    print("   ", round(g.p, 4), round(g.q, 4), round(g.v, 4))
    pn = timed("CDNOW Pareto/NBD fit (2,357)", lambda: fit_pareto_nbd(x, t_x, age), args.repeat)
    print("   ", round(pn.r, 4), round(pn.alpha, 4), round(pn.s, 4), round(pn.beta, 4))

    fx, fr, fa, fm = simulate(args.customers_fit)
    p = timed(
        f"synthetic BG/NBD fit ({args.customers_fit:,})", lambda: fit_bgnbd(fx, fr, fa), args.repeat
    )
    print("   ", round(p.r, 4), round(p.alpha, 3), round(p.a, 4), round(p.b, 3), p.fit.converged)
    g = timed(
        f"synthetic Gamma-Gamma fit ({int((fx > 0).sum()):,})",
        lambda: fit_gamma_gamma(fx, fm),
        args.repeat,
    )
    print("   ", round(g.p, 3), round(g.q, 3), round(g.v, 3), g.fit.converged)

    n = args.customers_score
    sx, sr, sa, sm = simulate(n, seed=2)
    table = pa.table(
        {"customer_id": np.arange(n), "frequency": sx, "recency": sr, "T": sa, "monetary_value": sm}
    )
    del sx, sr, sa, sm
    config = ScoringConfig(as_of=date(2024, 12, 31))

    def score():
        rows = 0
        for batch in score_batches(
            table.to_batches(max_chunksize=100_000), purchases=p, spend=g, config=config
        ):
            rows += batch.num_rows
        return rows

    rss_before = psutil.Process().memory_info().rss
    scored = timed(f"scoring {n:,} customers (BG/NBD + GG, 100k batches)", score, args.repeat)
    peak = psutil.Process().memory_info().rss
    try:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    except ImportError:
        pass
    print(
        f"    rows {scored:,}; RSS before scoring {rss_before / 2**20:.0f} MiB, "
        f"process peak {peak / 2**20:.0f} MiB"
    )


if __name__ == "__main__":
    main()
