"""Engines for the analytics tests.

One DuckDB connection and one SparkSession serve the whole test session (Spark takes about
10 s to start). ``engine`` parametrises equality tests over both; Spark tests carry the
``spark`` marker so a quick local run can deselect them (``-m "not spark"``), while CI runs
them all.
"""

from __future__ import annotations

import csv
import os
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import ibis
import pytest
from ibis.backends import BaseBackend

os.environ["PYSPARK_PYTHON"] = sys.executable
os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable


@pytest.fixture(scope="session")
def duckdb_con() -> BaseBackend:
    """One in-memory DuckDB connection for the session."""
    return ibis.duckdb.connect()


@pytest.fixture(scope="session")
def spark_con() -> Iterator[BaseBackend]:
    """One local SparkSession for the session, wrapped by Ibis."""
    from pharmacrm.analytics.engine import spark_session

    session = spark_session(master="local[2]", shuffle_partitions=2)
    yield ibis.pyspark.connect(session)
    session.stop()


@pytest.fixture(
    params=[
        pytest.param("duckdb", id="duckdb"),
        pytest.param(
            "spark",
            id="spark",
            # ibis 12's PySpark backend converts results through pandas and reads the
            # pandas option `future.infer_string`, which pandas 3.1 deprecates with a warning.
            marks=[
                pytest.mark.spark,
                pytest.mark.filterwarnings(
                    "ignore:The 'future.infer_string' option:pandas.errors.Pandas4Warning"
                ),
            ],
        ),
    ]
)
def engine(request: pytest.FixtureRequest) -> BaseBackend:
    """The DuckDB or the Spark connection, for one-test-per-function equality checks."""
    return request.getfixturevalue(f"{request.param}_con")


CDNOW_DIR = Path(os.environ.get("PHARMACRM_SHARED_DATA", "/work/shared/data")) / "cdnow_clv"


def _cdnow_sample_rows() -> list[tuple[int, date, float]]:
    """(sample customer id, purchase date, dollar value) for the 6,919 sample lines."""
    rows = []
    for line in (CDNOW_DIR / "CDNOW_sample.txt").read_text().splitlines():
        if not line.strip():
            continue
        _master, sample_id, ymd, _cds, dollars = line.split()
        day = date(int(ymd[:4]), int(ymd[4:6]), int(ymd[6:]))
        rows.append((int(sample_id), day, float(dollars)))
    return rows


def _cdnow_published() -> dict[int, dict[str, float]]:
    """ID → frequency, recency, T (weeks, 2 decimals) and zbar from the two published files."""
    out: dict[int, dict[str, float]] = {}
    with (CDNOW_DIR / "cdnow_customers_summary.csv").open() as f:
        for row in csv.DictReader(f):
            out[int(row["ID"])] = {
                "frequency": float(row["frequency"]),
                "recency": float(row["recency"]),
                "T": float(row["T"]),
            }
    with (CDNOW_DIR / "cdnow_customers_summary_with_transactions.csv").open() as f:
        for row in csv.DictReader(f):
            out[int(row["ID"])]["zbar"] = float(row["zbar"])
    return out


@pytest.fixture(scope="session")
def cdnow_sample_rows() -> list[tuple[int, date, float]]:
    """(sample customer id, purchase date, dollar value) for the 6,919 lines of
    ``CDNOW_sample.txt``, read by hand (not by our CSV reader): the summary's ids are the
    sample ids of column 2."""
    return _cdnow_sample_rows()


@pytest.fixture(scope="session")
def cdnow_published() -> dict[int, dict[str, float]]:
    """ID → published frequency, recency, T (weeks, 2 decimals) and zbar."""
    return _cdnow_published()
