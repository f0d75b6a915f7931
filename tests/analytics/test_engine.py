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


def test_duckdb_spill_folder_is_made_with_its_parents(tmp_path):
    # analyze points DuckDB at var/tmp/duckdb, which a fresh install does not have yet.
    folder = tmp_path / "var" / "tmp" / "duckdb"

    con = connect_configured("duckdb", memory_limit="256MB", temp_directory=str(folder))

    setting = con.con.sql("SELECT current_setting('temp_directory')").fetchall()[0][0]
    assert folder.is_dir()
    assert setting == str(folder)
    assert con.con.sql("SELECT count(*) FROM range(1000)").fetchall() == [(1000,)]
