"""Holdout calibration report: split, actuals by hand, forecasts against lifetimes on CDNOW.

The split expressions are checked on a hand-worked example. On the CDNOW sample (39-week
calibration to 1997-09-30, holdout to 1998-06-30, weeks) the actual holdout purchases are
counted in the test straight from ``CDNOW_sample.txt`` with plain Python, the calibration
counts come from the published ``cdnow_customers_summary.csv``, and the forecasts are compared
with lifetimes 0.11.3 (``bench/.venv``: ``BetaGeoFitter`` / ``ParetoNBDFitter(iterative_fitting=3)``
fitted on the published summary, then ``conditional_expected_number_of_purchases_up_to_time(39,
…)`` per customer and Σ_s n_s ``expected_number_of_purchases_up_to_time`` over acquisition
days). Its fits and ours agree to about 1e-5 and the published summary is rounded to 2
decimals, so forecasts are compared to a relative 2e-4.
"""

import csv
import os
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

import ibis
import pyarrow as pa
import pytest

from pharmacrm.analytics.clv.holdout import (
    calibration_holdout_summary,
    cohort_repeat_purchases_by_day,
    holdout_report,
)

CDNOW_DIR = Path(os.environ.get("PHARMACRM_SHARED_DATA", "/work/shared/data")) / "cdnow_clv"
CALIBRATION_END = date(1997, 9, 30)
HOLDOUT_END = date(1998, 6, 30)
FORECAST_RTOL = 2e-4


def _tiny_transactions():
    # c1: two receipts on Jan 1 (one purchase), Jan 5; holdout Jan 12 (twice) and Jan 15.
    # c2: Jan 8 only. c3: first seen in the holdout. c4: Jan 3, then a return on Jan 14.
    rows = [
        (1, date(2024, 1, 1), "a", 10.0),
        (1, date(2024, 1, 1), "b", 5.0),
        (1, date(2024, 1, 5), "c", 4.0),
        (1, date(2024, 1, 12), "d", 6.0),
        (1, date(2024, 1, 12), "e", 1.0),
        (1, date(2024, 1, 15), "f", 2.0),
        (2, date(2024, 1, 8), "g", 3.0),
        (3, date(2024, 1, 12), "h", 7.0),
        (4, date(2024, 1, 3), "i", 8.0),
        (4, date(2024, 1, 14), "r", -5.0),
    ]
    return ibis.memtable(
        pa.table(
            {
                "customer_id": [r[0] for r in rows],
                "day": [r[1] for r in rows],
                "doc_id": [r[2] for r in rows],
                "amount": [r[3] for r in rows],
            }
        )
    )


def test_calibration_holdout_summary_counts_holdout_purchase_days_of_calibration_customers():
    tx = _tiny_transactions()

    summary = calibration_holdout_summary(
        tx, calibration_end=date(2024, 1, 10), holdout_end=date(2024, 1, 20)
    )

    rows = sorted(summary.to_pyarrow().to_pylist(), key=lambda row: row["customer_id"])
    assert rows == [
        {"customer_id": 1, "frequency": 1, "recency": 4.0, "T": 9.0, "monetary_value": 4.0,
         "frequency_holdout": 2, "duration_holdout": 10.0},
        {"customer_id": 2, "frequency": 0, "recency": 0.0, "T": 2.0, "monetary_value": 0.0,
         "frequency_holdout": 0, "duration_holdout": 10.0},
        {"customer_id": 4, "frequency": 0, "recency": 0.0, "T": 7.0, "monetary_value": 0.0,
         "frequency_holdout": 0, "duration_holdout": 10.0},
    ]  # fmt: skip


def test_cohort_repeat_purchases_by_day_counts_days_after_the_first():
    tx = _tiny_transactions()

    daily = cohort_repeat_purchases_by_day(
        tx, calibration_end=date(2024, 1, 10), holdout_end=date(2024, 1, 20)
    )

    rows = sorted(daily.to_pyarrow().to_pylist(), key=lambda row: row["day"])
    assert rows == [
        {"day": date(2024, 1, 5), "repeat_purchases": 1},
        {"day": date(2024, 1, 12), "repeat_purchases": 1},
        {"day": date(2024, 1, 15), "repeat_purchases": 1},
    ]


def test_holdout_must_follow_calibration():
    with pytest.raises(ValueError, match="holdout_end must be after calibration_end"):
        calibration_holdout_summary(
            _tiny_transactions(), calibration_end=date(2024, 1, 10), holdout_end=date(2024, 1, 10)
        )


@pytest.fixture(scope="module")
def cdnow_rows():
    with (CDNOW_DIR / "CDNOW_sample.txt").open() as handle:
        return [
            (int(fields[1]), datetime.strptime(fields[2], "%Y%m%d").date(), float(fields[4]))
            for fields in (line.split() for line in handle)
        ]


@pytest.fixture(scope="module")
def cdnow_report(cdnow_rows, duckdb_con):
    tx = ibis.memtable(
        pa.table(
            {
                "customer_id": [row[0] for row in cdnow_rows],
                "day": [row[1] for row in cdnow_rows],
                "doc_id": [str(i) for i in range(len(cdnow_rows))],
                "amount": [row[2] for row in cdnow_rows],
            }
        )
    )
    split = {"calibration_end": CALIBRATION_END, "holdout_end": HOLDOUT_END}
    summary = duckdb_con.to_pyarrow(calibration_holdout_summary(tx, **split, unit="weeks"))
    daily = duckdb_con.to_pyarrow(cohort_repeat_purchases_by_day(tx, **split))
    return holdout_report(summary, daily, **split, unit="weeks")


def _holdout_days_by_customer(rows):
    days = defaultdict(set)
    for customer_id, day, _ in rows:
        if CALIBRATION_END < day <= HOLDOUT_END:
            days[customer_id].add(day)
    return days


def _published_frequencies():
    with (CDNOW_DIR / "cdnow_customers_summary.csv").open() as handle:
        return {int(row["ID"]): int(row["frequency"]) for row in csv.DictReader(handle)}


def test_cdnow_report_fits_both_models_to_the_published_parameters(cdnow_report):
    bgnbd, pareto = cdnow_report.fits

    assert (bgnbd.params.r, bgnbd.params.alpha, bgnbd.params.a, bgnbd.params.b) == pytest.approx(
        (0.243, 4.414, 0.793, 2.426), abs=0.015
    )
    assert (pareto.params.r, pareto.params.alpha, pareto.params.s, pareto.params.beta) == (
        pytest.approx((0.553, 10.578, 0.606, 11.669), abs=0.015)
    )


def test_cdnow_report_holdout_totals(cdnow_report, cdnow_rows):
    actual = sum(len(days) for days in _holdout_days_by_customer(cdnow_rows).values())
    bgnbd, pareto = cdnow_report.fits

    assert bgnbd.actual_holdout_total == pareto.actual_holdout_total == actual
    assert bgnbd.predicted_holdout_total == pytest.approx(1653.4233, rel=FORECAST_RTOL)
    assert pareto.predicted_holdout_total == pytest.approx(1665.5665, rel=FORECAST_RTOL)
    assert bgnbd.error_share == pytest.approx((1653.4233 - actual) / actual, rel=1e-3)


def test_cdnow_report_by_frequency_bucket(cdnow_report, cdnow_rows):
    frequencies = _published_frequencies()
    holdout = _holdout_days_by_customer(cdnow_rows)
    customers, purchases = defaultdict(int), defaultdict(int)
    for customer_id, frequency in frequencies.items():
        bucket = min(frequency, 7)
        customers[bucket] += 1
        purchases[bucket] += len(holdout.get(customer_id, ()))

    table = cdnow_report.by_frequency.to_pydict()

    assert table["frequency_bucket"] == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert table["customers"] == [customers[b] for b in range(8)]
    assert table["actual"] == pytest.approx([purchases[b] / customers[b] for b in range(8)])
    lifetimes_bgnbd = [0.225086, 0.523125, 1.044137, 1.52026, 2.163905, 2.653913, 3.50409, 6.157412]
    lifetimes_pareto = [
        0.138453,
        0.599491,
        1.195871,
        1.713861,
        2.398392,
        2.907301,
        3.818667,
        6.403304,
    ]
    assert table["bgnbd"] == pytest.approx(lifetimes_bgnbd, rel=FORECAST_RTOL)
    assert table["pareto_nbd"] == pytest.approx(lifetimes_pareto, rel=FORECAST_RTOL)


def test_cdnow_tracking_curve_at_the_split_and_the_end(cdnow_report, cdnow_rows):
    calibration_repeats = sum(_published_frequencies().values())
    holdout = sum(len(days) for days in _holdout_days_by_customer(cdnow_rows).values())

    tracking = cdnow_report.tracking.to_pydict()
    at_split = tracking["day"].index(CALIBRATION_END)

    assert tracking["day"][0] == date(1997, 1, 7)
    assert tracking["day"][-1] == HOLDOUT_END
    assert len(tracking["day"]) == 78
    assert tracking["in_holdout"].count(True) == 39
    assert tracking["actual"][at_split] == calibration_repeats
    assert tracking["actual"][-1] == calibration_repeats + holdout
    assert tracking["bgnbd"][at_split] == pytest.approx(2493.9692, rel=FORECAST_RTOL)
    assert tracking["bgnbd"][-1] == pytest.approx(4160.6377, rel=FORECAST_RTOL)
    assert tracking["pareto_nbd"][at_split] == pytest.approx(2524.9478, rel=FORECAST_RTOL)
    assert tracking["pareto_nbd"][-1] == pytest.approx(4270.1235, rel=FORECAST_RTOL)
