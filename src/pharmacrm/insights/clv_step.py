"""The CLV step of a run: fit BG/NBD + Gamma-Gamma on the BTYD summary, score every customer.

Django-free like :mod:`pharmacrm.insights.pipeline`. Fitting leaves the engine (three numeric
columns of the summary, materialised); scoring streams the summary out of the engine as Arrow
record batches through :func:`pharmacrm.analytics.clv.score_batches` and writes each scored
batch straight to Parquet, so memory is bounded by the batch, not the customer count.

A fit that does not converge, or data too thin to identify the models, scores nobody: the
outcome carries a message for the run and the snapshot's CLV columns stay empty (never NaN).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import ibis.expr.types as ir
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from ibis.backends import BaseBackend

from pharmacrm.analytics import clv
from pharmacrm.analytics.btyd import btyd_summary
from pharmacrm.insights import clv_report_step
from pharmacrm.insights.pipeline import stream

MIN_FIT_CUSTOMERS = 50
"""Fewer customers than this and the four BG/NBD parameters are not identified: no CLV."""

MIN_REPEAT_BUYERS = 10
"""Gamma-Gamma learns only from repeat buyers; fewer than this and spend is not identified."""

CLV_COLUMNS = (
    "customer_key",
    "p_alive",
    "expected_purchases",
    "clv",
    "churn_band",
    "expected_spend",
)
"""Columns of a kind's ``clv_<kind>.parquet``; the snapshot takes them by ``customer_key``."""

CLV_SCHEMA = pa.schema(
    [
        pa.field("customer_key", pa.int64()),
        pa.field("p_alive", pa.float64()),
        pa.field("expected_purchases", pa.float64()),
        pa.field("clv", pa.float64()),
        pa.field("churn_band", pa.string()),
        # Per purchase (Gamma-Gamma): the cluster what-if model multiplies it by purchases.
        pa.field("expected_spend", pa.float64()),
        # The median wait to the next purchase, when the customer is likely alive (scoring.py).
        pa.field("next_purchase_day", pa.date32()),
    ]
)


@dataclass(frozen=True)
class ClvOutcome:
    """What the CLV step did for one customer kind.

    ``scored`` customers were written to ``path``; ``message`` is empty on success and
    otherwise says, for the run's record, why nobody was scored.
    """

    scored: int
    message: str
    path: Path | None


def _fit_arrays(con: BaseBackend, summary: ir.Table) -> dict[str, np.ndarray]:
    columns = ("frequency", "recency", "T", "monetary_value")
    parts: dict[str, list[np.ndarray]] = {name: [] for name in columns}
    for batch in stream(con, summary.select(*columns)):
        for name in columns:
            values = batch.column(name).to_numpy(zero_copy_only=False)
            parts[name].append(np.asarray(values, dtype=float))
    return {
        name: np.concatenate(chunks) if chunks else np.empty(0) for name, chunks in parts.items()
    }


def _no_nan(values: pa.Array) -> pa.Array:
    """NaN becomes null: the snapshot shows an unknown score as empty, never as NaN."""
    return pc.if_else(pc.is_nan(values), pa.scalar(None, pa.float64()), values)


def clv_score(
    con: BaseBackend, tx: ir.Table, *, as_of: date, kind: str, out_dir: Path
) -> ClvOutcome:
    """Fit the CLV models on one kind's BTYD summary and write every customer's scores.

    Parameters
    ----------
    con
        Ibis connection the transactions view lives on.
    tx
        The kind's transactions view.
    as_of
        Observation date (the run's).
    kind
        ``"consumer"`` or ``"account"``: names the output file and the message.
    out_dir
        The run's output folder; scores go to ``clv_<kind>.parquet`` there.

    Returns
    -------
    ClvOutcome
        The number scored and the file, or a message saying why nobody was scored.
    """
    summary = btyd_summary(tx, as_of=as_of, unit="days")
    data = _fit_arrays(con, summary)
    customers = int(data["frequency"].size)
    repeat = int(np.count_nonzero(data["frequency"] > 0))
    if customers < MIN_FIT_CUSTOMERS or repeat < MIN_REPEAT_BUYERS:
        return ClvOutcome(
            0,
            f"CLV ({kind}): not fitted — {customers} customers, {repeat} repeat buyers; the "
            f"models need at least {MIN_FIT_CUSTOMERS} customers and {MIN_REPEAT_BUYERS} "
            "repeat buyers.",
            None,
        )
    purchases = clv.fit_bgnbd(data["frequency"], data["recency"], data["T"])
    spend = clv.fit_gamma_gamma(data["frequency"], data["monetary_value"])
    for model, fit in (("BG/NBD", purchases.fit), ("Gamma-Gamma", spend.fit)):
        if fit is None or not fit.converged:
            why = "no diagnostics" if fit is None else fit.message
            return ClvOutcome(0, f"CLV ({kind}): the {model} fit did not converge — {why}.", None)
    config = clv.ScoringConfig(as_of=as_of, unit="days")
    path = out_dir / f"clv_{kind}.parquet"
    scored = 0
    with pq.ParquetWriter(path, CLV_SCHEMA) as writer:
        for batch in clv.score_batches(
            stream(con, summary), purchases=purchases, spend=spend, config=config
        ):
            out = pa.RecordBatch.from_arrays(
                [
                    batch.column("customer_id").cast(pa.int64()),
                    _no_nan(batch.column("p_alive")),
                    _no_nan(batch.column("expected_purchases")),
                    _no_nan(batch.column("clv")),
                    batch.column("churn_band"),
                    _no_nan(batch.column("expected_spend")),
                    batch.column("next_purchase_day"),
                ],
                schema=CLV_SCHEMA,
            )
            writer.write_batch(out)
            scored += out.num_rows
    clv_report_step.clv_report_write(
        con, tx, kind=kind, out_dir=out_dir, purchases=purchases, spend=spend, config=config,
        scores_path=path, customers=customers,
    )  # fmt: skip
    return ClvOutcome(scored, "", path)
