"""Holdout calibration report: fit on a calibration period, compare with what happened next.

The usual validation of a BTYD model (Fader, Hardie & Lee 2005, figures 2-4): split the history
at a date, fit on the calibration period, then compare

* per calibration frequency bucket (0, 1, …, 7+), the mean number of repeat purchases each
  model expects in the holdout period (conditional on each customer's history) with the mean
  actually made — the "conditional expectations" plot;
* the holdout totals;
* the tracking curve: cumulative repeat purchases of the cohort over calendar time, actual
  against expected, where expected = Σ over acquisition days s of n_s · E[X(t − s)] (the
  unconditional expectation of a customer acquired on day s, so the curve is a forecast from
  the acquisition pattern alone, across the split).

BG/NBD and Pareto/NBD are fitted on the same split, so the two can be compared.

The two Ibis functions build the inputs in the engine; :func:`holdout_report` takes them
materialised as Arrow tables (the fits leave the engine anyway) and returns small Arrow tables
for the insights pages to chart and offer for download. Nothing here does I/O or reads the
clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import ibis
import ibis.expr.types as ir
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from pharmacrm.analytics.btyd import btyd_summary
from pharmacrm.analytics.clv._mle import FloatArray
from pharmacrm.analytics.clv.bgnbd import (
    BgNbdParams,
    bgnbd_expected_purchases,
    bgnbd_expected_purchases_new_customer,
    fit_bgnbd,
)
from pharmacrm.analytics.clv.pareto_nbd import (
    ParetoNbdParams,
    fit_pareto_nbd,
    pareto_nbd_expected_purchases,
    pareto_nbd_expected_purchases_new_customer,
)
from pharmacrm.analytics.schemas import REQUIRED_COLUMNS, require
from pharmacrm.analytics.transactions import purchase_days

Unit = Literal["days", "weeks"]
_DAYS_PER_UNIT = {"days": 1, "weeks": 7}
_EPOCH = date(1970, 1, 1)


def calibration_holdout_summary(
    tx: ir.Table, *, calibration_end: date, holdout_end: date, unit: Unit = "days"
) -> ir.Table:
    """BTYD summary of the calibration period plus repeat purchases made in the holdout.

    Parameters
    ----------
    tx
        Transactions view; reads ``customer_id, day, doc_id, amount`` (and ``is_return``).
    calibration_end
        Last day of the calibration period (inclusive): the ``as_of`` of the summary.
    holdout_end
        Last day of the holdout period (inclusive); the holdout runs from the day after
        ``calibration_end``.
    unit
        Time unit of ``recency``, ``T`` and ``duration_holdout``.

    Returns
    -------
    ir.Table
        One row per customer with a purchase on or before ``calibration_end``:
        ``customer_id, frequency, recency, T, monetary_value`` (as
        :func:`pharmacrm.analytics.btyd.btyd_summary`), ``frequency_holdout`` (int64: purchase
        days in the holdout, each a repeat purchase, same-day documents counted once) and
        ``duration_holdout`` (float64, holdout length in ``unit``). Customers first seen in the
        holdout are not in it: they were not there to be predicted.
    """
    require(tx, REQUIRED_COLUMNS, function="calibration_holdout_summary")
    if holdout_end <= calibration_end:
        raise ValueError(
            "calibration_holdout_summary: holdout_end must be after calibration_end "
            f"({holdout_end} <= {calibration_end})"
        )
    calibration = btyd_summary(tx, as_of=calibration_end, unit=unit)
    holdout_days = purchase_days(tx, as_of=holdout_end, start=calibration_end + timedelta(days=1))
    holdout = holdout_days.group_by("customer_id").agg(_holdout=holdout_days.count())
    joined = calibration.left_join(holdout, "customer_id")
    duration = (holdout_end - calibration_end).days / _DAYS_PER_UNIT[unit]
    return joined.select(
        "customer_id",
        "frequency",
        "recency",
        "T",
        "monetary_value",
        frequency_holdout=joined._holdout.fill_null(0).cast("int64"),
        duration_holdout=ibis.literal(float(duration), type="float64"),
    )


def cohort_repeat_purchases_by_day(
    tx: ir.Table, *, calibration_end: date, holdout_end: date
) -> ir.Table:
    """Repeat purchases per calendar day of the customers first seen by ``calibration_end``.

    The actual side of the tracking curve. A repeat purchase is a purchase day after the
    customer's first (so a second receipt on the first day is not one, as in the BTYD summary).

    Returns
    -------
    ir.Table
        ``day`` (date), ``repeat_purchases`` (int64): one row per day with at least one repeat
        purchase, up to ``holdout_end``.
    """
    require(tx, REQUIRED_COLUMNS, function="cohort_repeat_purchases_by_day")
    days = purchase_days(tx, as_of=holdout_end)
    first = days.group_by("customer_id").agg(_first=days.day.min())
    cohort = first.filter(first._first <= calibration_end)
    joined = days.join(cohort, "customer_id")
    repeats = joined.filter(joined.day > joined._first)
    return repeats.group_by("day").agg(repeat_purchases=repeats.count().cast("int64"))


@dataclass(frozen=True)
class ModelHoldoutFit:
    """One model's fit on the calibration period and its holdout forecast.

    Attributes
    ----------
    model
        ``"bgnbd"`` or ``"pareto_nbd"``.
    params
        The fitted parameters (with the fit diagnostics).
    predicted_holdout_total
        Σ over customers of E[X(holdout) | calibration history]: repeat purchases expected in
        the holdout from the customers' own histories.
    actual_holdout_total
        Repeat purchases actually made in the holdout by the same customers.
    """

    model: str
    params: BgNbdParams | ParetoNbdParams
    predicted_holdout_total: float
    actual_holdout_total: int

    @property
    def error_share(self) -> float:
        """(predicted − actual) / actual; NaN when nobody bought in the holdout."""
        if self.actual_holdout_total == 0:
            return float("nan")
        return (self.predicted_holdout_total - self.actual_holdout_total) / (
            self.actual_holdout_total
        )


@dataclass(frozen=True)
class HoldoutReport:
    """Everything the CLV calibration page charts and offers for download.

    Attributes
    ----------
    fits
        One :class:`ModelHoldoutFit` per model, BG/NBD first.
    by_frequency
        One row per calibration frequency bucket (``"0"`` … ``"{top}+"``): ``frequency_bucket``
        (string), ``customers`` (int64), ``actual`` (mean holdout repeat purchases) and one
        column per model with the mean expected (``bgnbd``, ``pareto_nbd``).
    tracking
        One row per period end from the first acquisition day to ``holdout_end``: ``day``
        (date32, the last day of the period), ``in_holdout`` (bool), ``actual`` (cumulative
        repeat purchases by the end of that day) and one cumulative expected column per model.
    """

    fits: tuple[ModelHoldoutFit, ...]
    by_frequency: pa.Table
    tracking: pa.Table


def holdout_report(
    summary: pa.Table,
    repeats_by_day: pa.Table,
    *,
    calibration_end: date,
    holdout_end: date,
    unit: Unit = "days",
    top_bucket: int = 7,
    step_days: int | None = None,
) -> HoldoutReport:
    """Fit BG/NBD and Pareto/NBD on the calibration summary and compare with the holdout.

    Parameters
    ----------
    summary
        :func:`calibration_holdout_summary`, materialised.
    repeats_by_day
        :func:`cohort_repeat_purchases_by_day` over the same split, materialised.
    calibration_end, holdout_end
        The split used for both inputs.
    unit
        Time unit of ``summary`` (the fitted α and β are in it).
    top_bucket
        Calibration frequencies ≥ this share the last bucket (7 → "7+").
    step_days
        Spacing of the tracking curve in days; default one ``unit``.

    Returns
    -------
    HoldoutReport
        Fits, the per-frequency comparison and the tracking curve.

    Raises
    ------
    ValueError
        If the calibration summary cannot be fitted (no repeat buyers, …; the message says why).
    """
    per_unit = _DAYS_PER_UNIT[unit]
    x = _column(summary, "frequency")
    t_x = _column(summary, "recency")
    age = _column(summary, "T")
    actual = _column(summary, "frequency_holdout")
    horizon = _column(summary, "duration_holdout")

    bgnbd = fit_bgnbd(x, t_x, age)
    pareto = fit_pareto_nbd(x, t_x, age)
    expected = {
        "bgnbd": _conditional(bgnbd, horizon, x, t_x, age),
        "pareto_nbd": _conditional(pareto, horizon, x, t_x, age),
    }
    fits = tuple(
        ModelHoldoutFit(
            model=name,
            params=params,
            predicted_holdout_total=float(expected[name].sum()),
            actual_holdout_total=int(actual.sum()),
        )
        for name, params in (("bgnbd", bgnbd), ("pareto_nbd", pareto))
    )
    by_frequency = _by_frequency(x, actual, expected, top_bucket)
    first_day = np.rint(calibration_end.toordinal() - age * per_unit).astype(np.int64)
    tracking = _tracking(
        first_day,
        repeats_by_day,
        models={"bgnbd": bgnbd, "pareto_nbd": pareto},
        calibration_end=calibration_end,
        holdout_end=holdout_end,
        per_unit=per_unit,
        step_days=step_days or per_unit,
    )
    return HoldoutReport(fits=fits, by_frequency=by_frequency, tracking=tracking)


def _conditional(
    params: BgNbdParams | ParetoNbdParams,
    horizon: FloatArray,
    x: FloatArray,
    t_x: FloatArray,
    age: FloatArray,
) -> FloatArray:
    """E[X(horizon) | x, t_x, T] per customer; horizons are grouped (usually all equal)."""
    out = np.empty_like(x)
    for value in np.unique(horizon):
        rows = horizon == value
        if isinstance(params, BgNbdParams):
            out[rows] = bgnbd_expected_purchases(params, value, x[rows], t_x[rows], age[rows])
        else:
            out[rows] = pareto_nbd_expected_purchases(params, value, x[rows], t_x[rows], age[rows])
    return out


def _by_frequency(
    x: FloatArray, actual: FloatArray, expected: dict[str, FloatArray], top_bucket: int
) -> pa.Table:
    bucket = np.minimum(x, top_bucket).astype(np.int64)
    counts = np.bincount(bucket, minlength=top_bucket + 1)
    present = counts > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        columns: dict[str, object] = {
            "frequency_bucket": [
                f"{b}+" if b == top_bucket else str(b) for b in range(top_bucket + 1) if present[b]
            ],
            "customers": pa.array(counts[present], type=pa.int64()),
            "actual": (np.bincount(bucket, actual, top_bucket + 1) / counts)[present],
        }
        for name, values in expected.items():
            columns[name] = (np.bincount(bucket, values, top_bucket + 1) / counts)[present]
    return pa.table(columns)


def _tracking(
    first_day: npt.NDArray[np.int64],
    repeats_by_day: pa.Table,
    *,
    models: dict[str, BgNbdParams | ParetoNbdParams],
    calibration_end: date,
    holdout_end: date,
    per_unit: int,
    step_days: int,
) -> pa.Table:
    """Cumulative repeat purchases, actual and expected, at the end of every ``step_days``.

    Expected at the end of day d: Σ_s n_s E[X((d − s) / unit)] over acquisition days s ≤ d,
    n_s customers acquired on day s (a customer first seen on day s is observed for d − s days
    by the end of day d, as T counts it).
    """
    start = int(first_day.min())
    end = holdout_end.toordinal()
    ends = np.arange(start + step_days - 1, end + 1, step_days, dtype=np.int64)
    if ends.size == 0 or ends[-1] != end:
        ends = np.append(ends, end)
    acquisition_days, acquired = np.unique(first_day, return_counts=True)

    days = _column(repeats_by_day, "day", ordinal=True).astype(np.int64)
    counts = _column(repeats_by_day, "repeat_purchases")
    order = np.argsort(days)
    cumulative = np.cumsum(counts[order])
    position = np.searchsorted(days[order], ends, side="right")
    actual = np.where(position > 0, cumulative[np.maximum(position - 1, 0)], 0.0)

    columns: dict[str, object] = {
        "day": pa.array([date.fromordinal(int(d)) for d in ends], type=pa.date32()),
        "in_holdout": pa.array(ends > calibration_end.toordinal()),
        "actual": actual,
    }
    elapsed = np.clip(ends[:, np.newaxis] - acquisition_days[np.newaxis, :], 0, None) / per_unit
    for name, params in models.items():
        if isinstance(params, BgNbdParams):
            per_customer = bgnbd_expected_purchases_new_customer(params, elapsed)
        else:
            per_customer = pareto_nbd_expected_purchases_new_customer(params, elapsed)
        columns[name] = per_customer @ acquired.astype(np.float64)
    return pa.table(columns)


def _column(table: pa.Table, name: str, *, ordinal: bool = False) -> FloatArray:
    """A column as float64 NumPy (dates as proleptic ordinals when ``ordinal``)."""
    if name not in table.column_names:
        raise ValueError(f"holdout_report: input lacks column {name!r}")
    column = table.column(name)
    if ordinal:
        offset = _EPOCH.toordinal()
        epoch_days = column.cast(pa.date32()).cast(pa.int32()).to_numpy(zero_copy_only=False)
        return np.asarray(epoch_days, dtype=np.float64) + offset
    return np.asarray(column.to_numpy(zero_copy_only=False), dtype=np.float64)
