"""Connect the analytics functions to an execution engine.

The analytics functions are engine-free Ibis expressions; the engine is chosen once, here, at
connect time (DESIGN.md, Architecture: DuckDB in process by default, PySpark when a
deployment outgrows one machine). Settings or the ``ANALYTICS_ENGINE`` environment variable
name the engine; the caller passes it in, so this module reads no settings itself.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import ibis
from ibis.backends import BaseBackend

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

Engine = Literal["duckdb", "spark"]
ENGINES: tuple[Engine, ...] = ("duckdb", "spark")


def connect(
    engine: Engine = "duckdb",
    *,
    database: str = ":memory:",
    threads: int | None = None,
    memory_limit: str | None = None,
    temp_directory: str | None = None,
    spark_master: str = "local[2]",
    spark_shuffle_partitions: int = 4,
) -> BaseBackend:
    """Open an Ibis connection on the chosen engine.

    Parameters
    ----------
    engine
        ``"duckdb"`` (in process, the default) or ``"spark"`` (PySpark; ``local[N]`` in tests,
        a cluster master URL in production).
    database
        DuckDB database file, or ``":memory:"``; the Parquet warehouse is read through it
        without being copied in.
    threads, memory_limit
        DuckDB resource limits (``memory_limit`` like ``"1GB"``); ``None`` keeps DuckDB's
        defaults (all cores, 80 % of RAM).
    temp_directory
        Where DuckDB spills what does not fit in ``memory_limit`` (aggregations, joins and
        sorts over 100 M lines do); ``None`` keeps DuckDB's default.
    spark_master
        Spark master URL, used only for ``engine="spark"``.
    spark_shuffle_partitions
        ``spark.sql.shuffle.partitions``: Spark's default of 200 makes small data crawl.

    Returns
    -------
    BaseBackend
        An Ibis backend; call ``.table``/``.read_parquet`` on it and pass the tables to the
        analytics functions.

    Raises
    ------
    ValueError
        If ``engine`` is not one of :data:`ENGINES`.
    """
    if engine == "duckdb":
        config: dict[str, str | int] = {}
        if threads is not None:
            config["threads"] = threads
        if memory_limit is not None:
            config["memory_limit"] = memory_limit
        if temp_directory is not None:
            # DuckDB creates the folder itself but not its parents.
            Path(temp_directory).mkdir(parents=True, exist_ok=True)
            config["temp_directory"] = temp_directory
        return ibis.duckdb.connect(database, **config)
    if engine == "spark":
        return ibis.pyspark.connect(
            spark_session(master=spark_master, shuffle_partitions=spark_shuffle_partitions)
        )
    raise ValueError(f"unknown analytics engine {engine!r}; expected one of {ENGINES}")


def engine_name(value: str | None) -> Engine:
    """Read an engine name as settings and the environment spell it.

    ``ANALYTICS_ENGINE`` arrives as free text (``"DuckDB"``, ``" spark"``, or unset); this is
    the one place that turns it into an :data:`Engine`, so a typo fails at start-up with the
    choices named instead of deep inside a run.

    Parameters
    ----------
    value
        The configured name, any case and surrounding spaces; ``None`` or ``""`` means the
        default, ``"duckdb"``.

    Returns
    -------
    Engine
        ``"duckdb"`` or ``"spark"``.

    Raises
    ------
    ValueError
        Naming the value and the engines there are.
    """
    name = (value or "duckdb").strip().lower()
    for engine in ENGINES:
        if name == engine:
            return engine
    raise ValueError(f"unknown analytics engine {value!r}; expected one of {', '.join(ENGINES)}")


def connect_configured(
    engine: str | None,
    *,
    spark_master: str | None = None,
    database: str = ":memory:",
    threads: int | None = None,
    memory_limit: str | None = None,
    temp_directory: str | None = None,
) -> BaseBackend:
    """Open the engine that settings name: the door for callers holding configuration text.

    The insights app passes ``settings.ANALYTICS_ENGINE`` and ``settings.SPARK_MASTER``
    (environment variables of the same names) straight in; this module still reads no
    settings itself, so :mod:`pharmacrm.analytics` stays free of Django.

    Parameters
    ----------
    engine
        Engine name as configured (see :func:`engine_name`).
    spark_master
        Spark master URL (``local[2]``, ``spark://host:7077``); ``None`` or empty: ``local[2]``.
    database, threads, memory_limit, temp_directory
        As for :func:`connect` (DuckDB only).

    Returns
    -------
    BaseBackend
        The Ibis backend.

    Raises
    ------
    ValueError
        When ``engine`` names no engine.
    """
    return connect(
        engine_name(engine),
        database=database,
        threads=threads,
        memory_limit=memory_limit,
        temp_directory=temp_directory,
        spark_master=spark_master or "local[2]",
    )


def spark_session(*, master: str = "local[2]", shuffle_partitions: int = 4) -> SparkSession:
    """Build (or reuse) the process's SparkSession for analytics.

    Spark's Python workers start whatever ``python3`` is first on ``PATH`` unless told
    otherwise; on our machines that is another interpreter, and every UDF-free query still
    fails with ``PYTHON_VERSION_MISMATCH``. So both variables point at the running
    interpreter unless the deployment set them. The UI is off (it binds a port per session)
    and the session time zone is UTC so timestamps mean the same on both engines.

    Parameters
    ----------
    master
        Spark master URL.
    shuffle_partitions
        Number of shuffle partitions.

    Returns
    -------
    SparkSession
        The active session (``getOrCreate``: one per process).
    """
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    return (
        SparkSession.builder.master(master)
        .appName("pharmacrm-analytics")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.default.parallelism", str(shuffle_partitions))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
