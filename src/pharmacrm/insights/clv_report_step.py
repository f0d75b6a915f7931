"""What the CLV pages need, written once per run beside its outputs (no refitting per request).

Django-free like :mod:`pharmacrm.insights.clv_step`, which calls :func:`clv_report_write` after a
kind's models converged and its scores are on disk. It writes ``clv_report_<kind>.json``:

* the fitted parameters (BG/NBD, Gamma-Gamma) with their fit diagnostics and the scoring
  settings (horizon, discount rate, churn window and bands);
* distributions of CLV and P(alive) and the churn-band counts, read back from the scores file;
* the customers with the highest CLV (ids and scores; the page links them to their 360 page);
* the holdout calibration: BG/NBD and Pareto/NBD fitted on the first part of the history,
  predicted against actual repeat purchases in the last part, per calibration frequency and
  in total, and the cumulative tracking curve (DESIGN.md, CLV: "a holdout calibration report").

A holdout that cannot be computed (history too short, a fit that fails) leaves a message in
the report instead; the run's scores are unaffected.
"""

from __future__ import annotations

import json
import math
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import ibis.expr.types as ir
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from ibis.backends import BaseBackend

from pharmacrm.analytics import clv

HOLDOUT_SAMPLE = 20_000
"""At most about this many customers enter the holdout fits (an id-modulo sample)."""

MIN_HISTORY_DAYS = 84
"""With less history than this (12 weeks) a calibration/holdout split says nothing."""

TOP_CUSTOMERS = 50
"""How many top-CLV customers the report keeps."""

BINS = 20
"""Bars of the CLV and P(alive) histograms."""


def report_path(out_dir: Path, kind: str) -> Path:
    """Where a kind's CLV report lives in a run's folder."""
    return out_dir / f"clv_report_{kind}.json"


def _finite(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def _diagnostics(fit: clv.FitDiagnostics | None) -> dict[str, Any]:
    if fit is None:
        return {}
    return {
        "converged": bool(fit.converged),
        "message": fit.message,
        "log_likelihood": _finite(fit.log_likelihood),
        "customers": int(fit.n_customers),
    }


def _params(params: Any, names: tuple[str, ...]) -> dict[str, Any]:
    values = {name: _finite(float(getattr(params, name))) for name in names}
    return {"values": values, "fit": _diagnostics(params.fit)}


def _histogram(values: np.ndarray, *, low: float, high: float) -> list[dict[str, float]]:
    """Equal-width bars from ``low`` to ``high`` (the last bar holds ``high``)."""
    if values.size == 0 or high <= low:
        high = low + 1.0
    counts, edges = np.histogram(values, bins=BINS, range=(low, high))
    return [
        {"start": float(edges[i]), "end": float(edges[i + 1]), "customers": int(counts[i])}
        for i in range(BINS)
    ]


def _distributions(scores: pa.Table) -> dict[str, Any]:
    p_alive = scores.column("p_alive").drop_null().to_numpy(zero_copy_only=False)
    values = scores.column("clv").drop_null().to_numpy(zero_copy_only=False)
    # The top 1 % would stretch the axis over empty bars: the last bar is "p99 and above".
    cap = float(np.quantile(values, 0.99)) if values.size else 1.0
    bands = scores.column("churn_band").to_pylist()
    return {
        "p_alive": _histogram(p_alive, low=0.0, high=1.0),
        "clv": _histogram(np.minimum(values, cap), low=0.0, high=max(cap, 1e-9)),
        "clv_cap": cap,
        "churn_bands": {band: bands.count(band) for band in ("low", "medium", "high")},
        "clv_total": float(values.sum()) if values.size else 0.0,
        "clv_mean": float(values.mean()) if values.size else None,
    }


def _top(scores: pa.Table) -> list[dict[str, Any]]:
    keys = scores.column("customer_key").to_numpy(zero_copy_only=False)
    values = np.nan_to_num(
        scores.column("clv").to_numpy(zero_copy_only=False).astype(float), nan=-np.inf
    )
    # Highest CLV first, ties by customer id ascending (deterministic).
    order = np.lexsort((keys, -values))[:TOP_CUSTOMERS]
    rows = scores.take(pa.array(order)).to_pylist()
    return [
        {
            "customer_key": row["customer_key"],
            "clv": row["clv"],
            "p_alive": row["p_alive"],
            "expected_purchases": row["expected_purchases"],
            "churn_band": row["churn_band"],
        }
        for row in rows
        if row["clv"] is not None
    ]


def holdout_split(first_day: date, as_of: date) -> tuple[date, date] | None:
    """Calibration end and holdout end: the last third of the history (4 to 52 weeks).

    ``None`` when the history is shorter than :data:`MIN_HISTORY_DAYS`.
    """
    span = (as_of - first_day).days
    if span < MIN_HISTORY_DAYS:
        return None
    holdout_days = min(364, max(28, 7 * round(span / 3 / 7)))
    return as_of - timedelta(days=holdout_days), as_of


def _holdout(con: BaseBackend, tx: ir.Table, *, as_of: date, customers: int) -> dict[str, Any]:
    from pharmacrm.insights.pipeline import stream

    first = tx.day.min().to_pyarrow().as_py()
    split = None if first is None else holdout_split(first, as_of)
    if split is None:
        return {
            "message": f"History too short for a holdout (needs {MIN_HISTORY_DAYS} days).",
        }
    calibration_end, holdout_end = split
    step = max(1, math.ceil(customers / HOLDOUT_SAMPLE))
    sample = tx if step == 1 else tx.filter(tx.customer_id % step == 0)
    summary = clv.calibration_holdout_summary(
        sample, calibration_end=calibration_end, holdout_end=holdout_end
    )
    repeats = clv.cohort_repeat_purchases_by_day(
        sample, calibration_end=calibration_end, holdout_end=holdout_end
    )
    summary_table = pa.Table.from_batches(list(stream(con, summary)))
    repeats_table = pa.Table.from_batches(list(stream(con, repeats)))
    try:
        report = clv.holdout_report(
            summary_table,
            repeats_table,
            calibration_end=calibration_end,
            holdout_end=holdout_end,
            step_days=7,
        )
    except (ValueError, clv.ConvergenceError) as exc:
        return {"message": f"Holdout not computed: {exc}"}
    return {
        "message": "",
        "calibration_end": calibration_end.isoformat(),
        "holdout_end": holdout_end.isoformat(),
        "sample_every": step,
        "customers": summary_table.num_rows,
        "fits": [
            {
                "model": fit.model,
                "predicted": fit.predicted_holdout_total,
                "actual": fit.actual_holdout_total,
                "error_share": _finite(fit.error_share),
                "fit": _diagnostics(fit.params.fit),
            }
            for fit in report.fits
        ],
        "by_frequency": report.by_frequency.to_pylist(),
        "tracking": [{**row, "day": row["day"].isoformat()} for row in report.tracking.to_pylist()],
    }


def clv_report_write(
    con: BaseBackend,
    tx: ir.Table,
    *,
    kind: str,
    out_dir: Path,
    purchases: clv.BgNbdParams,
    spend: clv.GammaGammaParams,
    config: clv.ScoringConfig,
    scores_path: Path,
    customers: int,
    holdout: bool = True,
) -> Path:
    """Write ``clv_report_<kind>.json`` for a kind whose CLV models converged.

    Parameters
    ----------
    con, tx
        The engine and the kind's transactions view (for the holdout split).
    kind
        ``"consumer"`` or ``"account"``.
    out_dir
        The run's folder.
    purchases, spend, config
        The fitted models and the scoring settings the scores used.
    scores_path
        The kind's scores (``clv_<kind>.parquet``).
    customers
        Customers in the kind's BTYD summary (sizes the holdout sample).
    holdout
        ``False`` skips the holdout fits (they refit two models on a sample).

    Returns
    -------
    Path
        The report file.
    """
    scores = pq.read_table(scores_path)
    report = {
        "kind": kind,
        "as_of": config.as_of.isoformat(),
        "customers": customers,
        "settings": {
            "horizon_days": config.horizon_days,
            "annual_discount_rate": config.annual_discount_rate,
            "churn_window_days": config.churn_window_days,
            "churn_medium_from": config.churn_medium_from,
            "churn_high_from": config.churn_high_from,
        },
        "bgnbd": _params(purchases, ("r", "alpha", "a", "b")),
        "gamma_gamma": _params(spend, ("p", "q", "v")),
        "distributions": _distributions(scores),
        "top": _top(scores),
        "holdout": _holdout(con, tx, as_of=config.as_of, customers=customers)
        if holdout
        else {"message": "Holdout not requested."},
    }
    path = report_path(out_dir, kind)
    path.write_text(json.dumps(report, indent=1), encoding="utf-8")
    return path
