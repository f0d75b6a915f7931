"""The engine door the insights app opens with configuration text."""

import pytest

from pharmacrm.analytics.engine import connect_configured, engine_name


@pytest.mark.parametrize(
    ("configured", "expected"),
    [(None, "duckdb"), ("", "duckdb"), (" DuckDB ", "duckdb"), ("SPARK", "spark")],
)
def test_engine_name_reads_settings_text(configured, expected):
    assert engine_name(configured) == expected


def test_unknown_engine_is_named_with_the_choices():
    with pytest.raises(ValueError, match=r"'postgres'; expected one of duckdb, spark"):
        connect_configured("postgres")


def test_configured_duckdb_takes_its_thread_limit():
    con = connect_configured("duckdb", threads=1, spark_master="")

    threads = con.con.sql("SELECT current_setting('threads')").fetchall()[0][0]

    assert con.name == "duckdb"
    assert threads == 1
