"""``pharmacrm analytics clv`` / ``clusters`` on files: published CDNOW parameters, clear errors."""

import csv
import json
import os
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from pharmacrm.cli import app

CDNOW_DIR = Path(os.environ.get("PHARMACRM_SHARED_DATA", "/work/shared/data")) / "cdnow_clv"


@pytest.fixture
def summary_csv(tmp_path):
    path = tmp_path / "summary.csv"
    with (CDNOW_DIR / "cdnow_customers_summary_with_transactions.csv").open() as f:
        rows = list(csv.DictReader(f))
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["customer_id", "frequency", "recency", "T", "monetary_value"])
        for row in rows:
            writer.writerow([row["ID"], row["x"], row["t_x"], row["T"], row["zbar"]])
    return path


def test_clv_from_published_summary_writes_published_parameters_and_scores(summary_csv, tmp_path):
    out = tmp_path / "clv.parquet"
    params = tmp_path / "params.json"

    result = CliRunner().invoke(
        app,
        [
            "analytics",
            "clv",
            "--summary",
            str(summary_csv),
            "--as-of",
            "1997-09-30",
            "--unit",
            "weeks",
            "--out",
            str(out),
            "--params-out",
            str(params),
        ],
    )

    assert result.exit_code == 0, result.output
    fitted = json.loads(params.read_text())
    purchases = fitted["purchases"]
    assert [purchases[name] for name in ("r", "alpha", "a", "b")] == pytest.approx(
        [0.243, 4.414, 0.793, 2.426], abs=0.015
    )
    assert [fitted["spend"][name] for name in ("p", "q", "v")] == pytest.approx(
        [6.25, 3.74, 15.44], abs=0.015
    )
    table = pq.read_table(out)
    assert table.column_names == [
        "customer_id",
        "p_alive",
        "expected_purchases",
        "expected_spend",
        "clv",
        "churn_band",
        "next_purchase_day",
    ]
    assert table.num_rows == 2357
    assert table["customer_id"].to_pylist()[:3] == [1, 2, 3]
    # Customer 1 (x=2, z̄=22.35): Hardie's conditional expected spend 24.65 ± 0.1.
    assert table["expected_spend"][0].as_py() == pytest.approx(24.65, abs=0.1)


def test_clv_on_one_time_buyers_only_explains_why(tmp_path):
    path = tmp_path / "tx.csv"
    path.write_text("customer_id,ts,amount,doc_id\n1,2024-01-02,5.0,a\n2,2024-01-03,7.5,b\n")

    result = CliRunner().invoke(
        app,
        [
            "analytics",
            "clv",
            "--transactions",
            str(path),
            "--as-of",
            "2024-02-01",
            "--out",
            str(tmp_path / "out.csv"),
        ],
    )

    assert result.exit_code == 1
    assert "no customer made a repeat purchase" in result.output
    assert not (tmp_path / "out.csv").exists()


def test_clv_needs_exactly_one_input(tmp_path, summary_csv):
    result = CliRunner().invoke(
        app,
        [
            "analytics",
            "clv",
            "--summary",
            str(summary_csv),
            "--transactions",
            str(summary_csv),
            "--as-of",
            "1997-09-30",
            "--out",
            str(tmp_path / "out.csv"),
        ],
    )

    assert result.exit_code == 2
    assert "either --transactions or --summary" in result.output
