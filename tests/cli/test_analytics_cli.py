import csv
import json
import os
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pharmacrm.cli import app

runner = CliRunner()

# The CDNOW readers of tests/analytics/conftest.py, repeated: conftest fixtures do not cross
# sibling test folders.
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


def _write_cdnow_csv(path, rows):
    # The sample file is whitespace-separated without a header; give it a header and ISO dates
    # the way an analyst would export it, and a check number per row.
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["member", "check", "bought_on", "dollars"])
        for i, (member, day, dollars) in enumerate(rows):
            writer.writerow([member, f"c{i}", day.isoformat(), f"{dollars:.2f}"])


def _read(path):
    with path.open() as f:
        return list(csv.DictReader(f))


def test_btyd_summary_of_cdnow_matches_published_summary(
    tmp_path, cdnow_sample_rows, cdnow_published
):
    source = tmp_path / "cdnow.csv"
    _write_cdnow_csv(source, cdnow_sample_rows)
    out = tmp_path / "x.csv"

    result = runner.invoke(
        app,
        [
            "analytics",
            "btyd-summary",
            "--transactions",
            str(source),
            "--columns",
            "customer_id=member,ts=bought_on,amount=dollars,doc_id=check",
            "--as-of",
            "1997-09-30",
            "--unit",
            "weeks",
            "--out",
            str(out),
        ],
    )

    assert result.exit_code == 0, result.output
    rows = _read(out)
    assert list(rows[0]) == ["customer_id", "frequency", "recency", "T", "monetary_value"]
    assert len(rows) == 2357
    for row in rows:
        want = cdnow_published[int(row["customer_id"])]
        assert int(row["frequency"]) == want["frequency"]
        assert round(float(row["recency"]), 2) == pytest.approx(want["recency"], abs=1e-9)
        assert round(float(row["T"]), 2) == pytest.approx(want["T"], abs=1e-9)
        assert float(row["monetary_value"]) == pytest.approx(want["zbar"], abs=0.005 + 1e-9)


def _small_file(tmp_path):
    # Timestamps without a zone: local wall time; 23:30 on Jan 31 is still January.
    path = tmp_path / "tx.csv"
    path.write_text(
        "cust,check,at,total,item\n"
        "1,a,2024-01-31 23:30:00,60.0,p1\n"
        "2,b,2024-01-10 10:02:00,30.0,p2\n"
        "2,c,2024-02-10 18:40:00,10.0,p2\n"
        "3,d,2024-02-15 09:00:00,0.0,p3\n"
    )
    return path


@pytest.mark.parametrize(
    ("function", "header"),
    [
        (
            "rfm",
            "customer_id,days_since_last,frequency,monetary,r_score,f_score,m_score,segment",
        ),
        ("lifecycle", "customer_id,first_day,last_day,stage,play"),
        ("abc", "customer_id,value,share_before,class"),
        ("xyz", "sku,months,mean,std,cv,class"),
        ("pareto", "rank,customer_id,value,cum_customer_share,cum_value_share"),
        (
            "leaky-bucket",
            "period,active_prev,active,new,retained,returning,churned,churn_rate,"
            "acquisitions_needed,revenue_new,revenue_retained,revenue_returning,revenue_churned",
        ),
        (
            "cohorts",
            "cohort,months_since_first,cohort_size,active,share_active,revenue,revenue_per_member",
        ),
        (
            "kpis",
            "period,active_customers,new_customers,checks,net_revenue,returns,average_check,"
            "frequency,basket_width,basket_width_sku,check_length",
        ),
    ],
)
def test_each_function_writes_the_documented_columns(tmp_path, function, header):
    out = tmp_path / "out.csv"
    columns = "customer_id=cust,doc_id=check,ts=at,amount=total,sku=item"

    result = runner.invoke(
        app,
        [
            "analytics",
            function,
            "--transactions",
            str(_small_file(tmp_path)),
            "--columns",
            columns,
            "--as-of",
            "2024-03-31",
            "--out",
            str(out),
        ],
    )

    assert result.exit_code == 0, result.output
    assert out.read_text().splitlines()[0] == header


def test_pareto_summary_and_abc_values(tmp_path):
    # Values: 1 → 60, 2 → 40, 3 → 0. Gini = Σ|xi−xj| / (2·n²·mean) = 2·(20+60+40)/(2·9·100/3)
    # = 240/600 = 0.4; top ceil(0.6) = 1 customer → 60/100.
    out = tmp_path / "p.csv"
    summary = tmp_path / "p.json"
    args = ["--columns", "customer_id=cust,doc_id=check,ts=at,amount=total,sku=item"]

    result = runner.invoke(
        app,
        ["analytics", "pareto", "--transactions", str(_small_file(tmp_path)), *args]
        + ["--as-of", "2024-03-31", "--out", str(out), "--summary-out", str(summary)],
    )

    assert result.exit_code == 0, result.output
    got = json.loads(summary.read_text())
    assert got["gini"] == pytest.approx(0.4)
    assert got["top20_share"] == pytest.approx(0.6)
    assert [r["customer_id"] for r in _read(out)] == ["1", "2", "3"]


def test_day_is_the_local_date_of_a_zone_less_timestamp(tmp_path):
    out = tmp_path / "l.csv"

    result = runner.invoke(
        app,
        ["analytics", "lifecycle", "--transactions", str(_small_file(tmp_path))]
        + ["--columns", "customer_id=cust,doc_id=check,ts=at,amount=total"]
        + ["--as-of", "2024-03-31", "--out", str(out)],
    )

    assert result.exit_code == 0, result.output
    first = _read(out)[0]
    assert first["customer_id"] == "1"
    assert date.fromisoformat(first["first_day"]) == date(2024, 1, 31)


def test_missing_required_column_names_file_and_column(tmp_path):
    source = _small_file(tmp_path)

    result = runner.invoke(
        app,
        ["analytics", "rfm", "--transactions", str(source)]
        + ["--columns", "customer_id=cust,ts=at,amount=total"]
        + ["--as-of", "2024-03-31", "--out", str(tmp_path / "o.csv")],
    )

    assert result.exit_code == 2
    assert "doc_id" in result.output
    assert "tx.csv" in result.output


def _kpis(tmp_path, *extra):
    out = tmp_path / "k.csv"
    result = runner.invoke(
        app,
        ["analytics", "kpis", "--transactions", str(_small_file(tmp_path))]
        + ["--columns", "customer_id=cust,doc_id=check,ts=at,amount=total,sku=item"]
        + ["--as-of", "2024-03-31", "--out", str(out), *extra],
    )
    assert result.exit_code == 0, result.output
    return _read(out)


def test_kpis_per_month_with_an_empty_month(tmp_path):
    got = _kpis(tmp_path)

    # Jan: checks a (60, customer 1, 23:30 local is still January) and b (30, customer 2);
    # Feb: c (10, customer 2) and customer 3's zero-amount check d (new); Mar: nothing. No
    # category column, so basket width in categories is empty; one SKU and one line per check.
    assert [(r["period"], r["active_customers"], r["new_customers"], r["checks"]) for r in got] == [
        ("2024-01-01", "2", "2", "2"),
        ("2024-02-01", "2", "1", "2"),
        ("2024-03-01", "0", "0", "0"),
    ]
    assert [float(r["net_revenue"]) for r in got] == [90.0, 10.0, 0.0]
    assert [r["average_check"] for r in got][2] == ""
    assert [float(r["average_check"]) for r in got[:2]] == [45.0, 5.0]
    assert [r["basket_width"] for r in got] == ["", "", ""]
    assert [r["basket_width_sku"] for r in got[:2]] == ["1.0", "1.0"]


def test_kpis_sliced_by_gender_with_an_age_band_mix(tmp_path):
    customers = tmp_path / "customers.csv"
    customers.write_text("customer_id,gender,birth_year\n1,F,1980\n2,M,2000\n")
    mix = tmp_path / "mix.csv"

    got = _kpis(
        tmp_path,
        *["--slice", "gender", "--customers", str(customers)],
        *["--mix-by", "age_band", "--mix-out", str(mix)],
    )

    # Customer 3 is not in the dimension: unknown gender, shown as an empty cell.
    revenue = {(r["period"], r["gender"]): float(r["net_revenue"]) for r in got}
    assert revenue == {
        ("2024-01-01", "F"): 60.0,
        ("2024-01-01", "M"): 30.0,
        ("2024-01-01", ""): 0.0,
        ("2024-02-01", "F"): 0.0,
        ("2024-02-01", "M"): 10.0,
        ("2024-02-01", ""): 0.0,
        ("2024-03-01", "F"): 0.0,
        ("2024-03-01", "M"): 0.0,
        ("2024-03-01", ""): 0.0,
    }
    # 2024 − 1980 = 44 → 35-44 (60 of January's 90); 2024 − 2000 = 24 → 18-24 (30 of 90).
    january = {r["age_band"]: r for r in _read(mix) if r["period"] == "2024-01-01"}
    assert float(january["35-44"]["revenue_share"]) == pytest.approx(2 / 3)
    assert float(january["18-24"]["customer_share"]) == 0.5


def test_kpis_unknown_slice_is_refused_with_its_name(tmp_path):
    result = runner.invoke(
        app,
        ["analytics", "kpis", "--transactions", str(_small_file(tmp_path))]
        + ["--columns", "customer_id=cust,doc_id=check,ts=at,amount=total"]
        + ["--as-of", "2024-03-31", "--out", str(tmp_path / "k.csv"), "--slice", "segment"],
    )

    assert result.exit_code == 2
    assert "segment" in result.output


def test_one_file_cli_bounds_duckdb_memory_and_spills_where_told(monkeypatch, tmp_path):
    import duckdb

    from pharmacrm.cli.commands_analytics import duckdb_connect

    def limit_of(con: object) -> str:
        return con.sql("SELECT current_setting('memory_limit')").fetchall()[0][0]  # type: ignore[attr-defined]

    monkeypatch.delenv("ANALYTICS_MEMORY_LIMIT", raising=False)
    monkeypatch.setenv("ANALYTICS_TEMP_DIR", str(tmp_path / "spill" / "duckdb"))
    default = duckdb_connect().con
    monkeypatch.setenv("ANALYTICS_MEMORY_LIMIT", "512MB")
    told = duckdb_connect().con

    assert limit_of(default) == limit_of(duckdb.connect(config={"memory_limit": "1GB"}))
    assert limit_of(told) == limit_of(duckdb.connect(config={"memory_limit": "512MB"}))
    assert (tmp_path / "spill" / "duckdb").is_dir()
