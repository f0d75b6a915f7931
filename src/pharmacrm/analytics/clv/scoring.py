"""Score every customer with fitted CLV models, streaming Arrow record batches.

The engine (DuckDB or PySpark) produces the BTYD summary; the formulas need the Gaussian
hypergeometric ₂F₁, which no SQL engine has, so the summary leaves the engine as
``pyarrow.RecordBatch`` es, is scored here with vectorised SciPy one batch at a time (memory is
bounded by the batch size, not the customer count) and the scored batches go back to the
caller to be written. The code is the same whichever engine produced the batches.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np
import pyarrow as pa

from pharmacrm.analytics.clv._mle import FloatArray
from pharmacrm.analytics.clv.bgnbd import (
    BgNbdParams,
    bgnbd_expected_purchases,
    bgnbd_p_alive,
    bgnbd_p_no_purchase,
)
from pharmacrm.analytics.clv.gamma_gamma import GammaGammaParams, gamma_gamma_expected_spend
from pharmacrm.analytics.clv.pareto_nbd import (
    ParetoNbdParams,
    pareto_nbd_expected_purchases,
    pareto_nbd_p_alive,
    pareto_nbd_p_no_purchase,
)

PurchaseParams = BgNbdParams | ParetoNbdParams

SUMMARY_COLUMNS = ("customer_id", "frequency", "recency", "T", "monetary_value")
"""Columns of the input batches, as :func:`pharmacrm.analytics.btyd.btyd_summary` writes them."""

_DAYS_PER_UNIT = {"days": 1.0, "weeks": 7.0}
_DAYS_PER_YEAR = 365.25
_DAYS_PER_MONTH = _DAYS_PER_YEAR / 12.0
_EPOCH = date(1970, 1, 1)

_SCORE_FIELDS: list[pa.Field] = [  # type: ignore[type-arg]
    pa.field("p_alive", pa.float64()),
    pa.field("expected_purchases", pa.float64()),
    pa.field("expected_spend", pa.float64()),
    pa.field("clv", pa.float64()),
    pa.field("churn_band", pa.string()),
    pa.field("next_purchase_day", pa.date32()),
]
SCORE_SCHEMA = pa.schema(_SCORE_FIELDS)
"""Score columns, added after ``customer_id`` (which keeps its input type)."""


@dataclass(frozen=True)
class ScoringConfig:
    """What a CLV score means: horizon, discounting, churn bands, next-purchase rule.

    Attributes
    ----------
    as_of
        Observation date of the summary; next-purchase dates count from it.
    unit
        Time unit of the summary and of the fitted parameters (``"days"`` or ``"weeks"``).
    horizon_days
        Horizon of ``expected_purchases`` and ``clv`` in days (default one year).
    annual_discount_rate
        Yearly discount rate d of the CLV: purchases expected in month k of the horizon are
        worth (1 + d)^(−t_k / 365.25) of their spend, t_k the month's end in days
        (10 % a year by default; 0 gives undiscounted revenue).
    churn_window_days
        The churn band reads P(no purchase in the next ``churn_window_days`` days) — 90 by
        default, the "stopped for 3 months" of the lifecycle definition.
    churn_medium_from, churn_high_from
        Band limits on that probability: below ``churn_medium_from`` is ``low``, from
        ``churn_high_from`` on is ``high``, in between ``medium``.
    next_purchase_min_p_alive
        Customers less likely than this to be alive get no next-purchase date.

    Notes
    -----
    Next purchase rule: ``next_purchase_day`` is ``as_of`` plus the median waiting time to the
    next purchase of a customer who is still active, rounded up to whole days. Under both
    models an active customer's purchase rate has the posterior Gamma(r+x, α+T), so that median
    is (α+T)(2^(1/(r+x)) − 1) time units. The date is left empty (null) when P(alive) is below
    ``next_purchase_min_p_alive`` or the date falls after the horizon: for those customers no
    purchase is expected, and a far-away date would be false precision.

    ``expected_spend`` is the Gamma-Gamma expected spend *per purchase*; ``clv`` is the
    discounted expected revenue over the horizon, Σ_k (E[X(t_k)] − E[X(t_(k−1))]) · E[M] ·
    (1 + d)^(−t_k/365.25), with monthly steps t_k.
    """

    as_of: date
    unit: Literal["days", "weeks"] = "days"
    horizon_days: float = 365.0
    annual_discount_rate: float = 0.10
    churn_window_days: float = 90.0
    churn_medium_from: float = 0.5
    churn_high_from: float = 0.8
    next_purchase_min_p_alive: float = 0.5

    def __post_init__(self) -> None:
        """Refuse settings that would make the scores meaningless."""
        if self.unit not in _DAYS_PER_UNIT:
            raise ValueError(f"unit must be 'days' or 'weeks', not {self.unit!r}")
        if self.horizon_days <= 0 or self.churn_window_days <= 0:
            raise ValueError("horizon_days and churn_window_days must be > 0")
        if self.annual_discount_rate <= -1.0:
            raise ValueError("annual_discount_rate must be > -1")
        if not 0.0 <= self.churn_medium_from <= self.churn_high_from <= 1.0:
            raise ValueError("churn thresholds need 0 <= churn_medium_from <= churn_high_from <= 1")


def score_batches(
    batches: Iterable[pa.RecordBatch],
    *,
    purchases: PurchaseParams,
    spend: GammaGammaParams,
    config: ScoringConfig,
) -> Iterator[pa.RecordBatch]:
    """Score a stream of BTYD summary batches.

    Parameters
    ----------
    batches
        Record batches with ``customer_id, frequency, recency, T, monetary_value`` (any
        numeric types; time in ``config.unit``), e.g. ``expr.to_pyarrow_batches()``.
    purchases
        Fitted BG/NBD or Pareto/NBD parameters (in ``config.unit``).
    spend
        Fitted Gamma-Gamma parameters.
    config
        Horizon, discount rate, churn thresholds and the observation date.

    Yields
    ------
    pyarrow.RecordBatch
        One per input batch, one row per customer: ``customer_id, p_alive,
        expected_purchases, expected_spend, clv, churn_band, next_purchase_day``.

    Raises
    ------
    ConvergenceError
        If either model comes from a fit that did not converge.
    ValueError
        If a batch lacks a column or holds nulls in ``frequency``, ``recency`` or ``T``.
    """
    purchases.require_converged()
    spend.require_converged()
    for batch in batches:
        yield _score_batch(batch, purchases=purchases, spend=spend, config=config)


def _score_batch(
    batch: pa.RecordBatch,
    *,
    purchases: PurchaseParams,
    spend: GammaGammaParams,
    config: ScoringConfig,
) -> pa.RecordBatch:
    missing = [name for name in SUMMARY_COLUMNS if name not in batch.schema.names]
    if missing:
        raise ValueError(f"CLV scoring: the summary has no column(s) {', '.join(missing)}")
    x = _column(batch, "frequency", required=True)
    t_x = _column(batch, "recency", required=True)
    age = _column(batch, "T", required=True)
    monetary = _column(batch, "monetary_value", required=False)

    per_unit = _DAYS_PER_UNIT[config.unit]
    horizon = config.horizon_days / per_unit
    p_alive = _p_alive(purchases, x, t_x, age)
    expected = _expected(purchases, horizon, x, t_x, age)
    spend_per_purchase = gamma_gamma_expected_spend(spend, x, monetary)

    steps = max(1, round(config.horizon_days / _DAYS_PER_MONTH))
    discounted_purchases = np.zeros_like(x)
    previous = np.zeros_like(x)
    for k in range(1, steps + 1):
        step_days = config.horizon_days * k / steps
        cumulative = (
            expected if k == steps else _expected(purchases, step_days / per_unit, x, t_x, age)
        )
        factor = (1.0 + config.annual_discount_rate) ** (-step_days / _DAYS_PER_YEAR)
        discounted_purchases += (cumulative - previous) * factor
        previous = cumulative
    clv = discounted_purchases * spend_per_purchase

    quiet = _p_no_purchase(purchases, config.churn_window_days / per_unit, x, t_x, age)
    band = np.where(
        quiet >= config.churn_high_from,
        "high",
        np.where(quiet >= config.churn_medium_from, "medium", "low"),
    )

    wait = (purchases.alpha + age) * np.expm1(math.log(2.0) / (purchases.r + x)) * per_unit
    has_date = (p_alive >= config.next_purchase_min_p_alive) & (wait <= config.horizon_days)
    as_of_key = (config.as_of - _EPOCH).days
    day_keys = as_of_key + np.ceil(np.where(has_date, wait, 0.0)).astype(np.int32)
    next_day = pa.array(day_keys, type=pa.int32(), mask=~has_date).cast(pa.date32())

    for name, values in (
        ("p_alive", p_alive),
        ("expected_purchases", expected),
        ("expected_spend", spend_per_purchase),
        ("clv", clv),
    ):
        _refuse_nan(name, values, batch)
    return pa.RecordBatch.from_arrays(
        [
            batch.column(batch.schema.get_field_index("customer_id")),
            pa.array(p_alive),
            pa.array(expected),
            pa.array(spend_per_purchase),
            pa.array(clv),
            pa.array(band, type=pa.string()),
            next_day,
        ],
        schema=pa.schema(
            [batch.schema.field("customer_id"), *SCORE_SCHEMA],
        ),
    )


def _column(batch: pa.RecordBatch, name: str, *, required: bool) -> FloatArray:
    column = batch.column(batch.schema.get_field_index(name))
    if column.null_count and required:
        raise ValueError(f"CLV scoring: column {name!r} holds {column.null_count} null(s)")
    values = np.asarray(column.cast(pa.float64()).to_numpy(zero_copy_only=False), np.float64)
    # A customer without repeat purchases may come with a null monetary value: no spend seen.
    return np.where(np.isnan(values), 0.0, values) if column.null_count else values


def _p_alive(params: PurchaseParams, x: FloatArray, t_x: FloatArray, age: FloatArray) -> FloatArray:
    if isinstance(params, BgNbdParams):
        return bgnbd_p_alive(params, x, t_x, age)
    return pareto_nbd_p_alive(params, x, t_x, age)


def _expected(
    params: PurchaseParams, t: float, x: FloatArray, t_x: FloatArray, age: FloatArray
) -> FloatArray:
    if isinstance(params, BgNbdParams):
        return bgnbd_expected_purchases(params, t, x, t_x, age)
    return pareto_nbd_expected_purchases(params, t, x, t_x, age)


def _p_no_purchase(
    params: PurchaseParams, t: float, x: FloatArray, t_x: FloatArray, age: FloatArray
) -> FloatArray:
    if isinstance(params, BgNbdParams):
        return bgnbd_p_no_purchase(params, t, x, t_x, age)
    return pareto_nbd_p_no_purchase(params, t, x, t_x, age)


def _refuse_nan(name: str, values: FloatArray, batch: pa.RecordBatch) -> None:
    bad = ~np.isfinite(values)
    if np.any(bad):
        ids = batch.column(batch.schema.get_field_index("customer_id")).filter(pa.array(bad))
        raise ValueError(
            f"CLV scoring: {name} is not finite for customer(s) {ids.slice(0, 5).to_pylist()} "
            f"({int(bad.sum())} in this batch); check their summary values"
        )
