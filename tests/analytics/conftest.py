"""Engines for the analytics tests.

One DuckDB connection and one SparkSession serve the whole test session (Spark takes about
10 s to start). ``engine`` parametrises equality tests over both; Spark tests carry the
``spark`` marker so a quick local run can deselect them (``-m "not spark"``), while CI runs
them all.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

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
        pytest.param("spark", id="spark", marks=pytest.mark.spark),
    ]
)
def engine(request: pytest.FixtureRequest) -> BaseBackend:
    """The DuckDB or the Spark connection, for one-test-per-function equality checks."""
    return request.getfixturevalue(f"{request.param}_con")
