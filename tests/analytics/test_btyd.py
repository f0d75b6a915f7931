from datetime import date

import ibis
import pyarrow as pa
import pytest

from pharmacrm.analytics.btyd import btyd_summary


def _rows(expr):
    return sorted(expr.to_pyarrow().to_pylist(), key=lambda r: r["customer_id"])


def _tx(rows):
    """(customer, doc, day, amount[, is_return]) tuples → transactions memtable."""
    return ibis.memtable(
        pa.table(
            {
                "customer_id": [r[0] for r in rows],
                "doc_id": [r[1] for r in rows],
                "day": [r[2] for r in rows],
                "amount": [r[3] for r in rows],
                "is_return": [r[4] if len(r) > 4 else False for r in rows],
            }
        )
    )


def test_cdnow_sample_matches_published_summary_for_every_customer(
    cdnow_sample_rows, cdnow_published
):
    rows = cdnow_sample_rows
    tx = ibis.memtable(
        pa.table(
            {
                "customer_id": [r[0] for r in rows],
                "doc_id": [f"{r[0]}-{i}" for i, r in enumerate(rows)],
                "day": [r[1] for r in rows],
                "amount": [r[2] for r in rows],
            }
        )
    )

    got = {
        r["customer_id"]: r for r in _rows(btyd_summary(tx, as_of=date(1997, 9, 30), unit="weeks"))
    }

    expected = cdnow_published
    assert len(got) == len(expected) == 2357
    for customer_id, want in expected.items():
        row = got[customer_id]
        assert row["frequency"] == want["frequency"], customer_id
        assert round(row["recency"], 2) == pytest.approx(want["recency"], abs=1e-9), customer_id
        assert round(row["T"], 2) == pytest.approx(want["T"], abs=1e-9), customer_id
        assert row["monetary_value"] == pytest.approx(want["zbar"], abs=0.005 + 1e-9), customer_id


def test_same_day_receipts_collapse_and_first_day_is_not_in_monetary():
    # Customer 1: two checks on Jan 1 (5 + 3), one on Jan 8 (4) and two on Jan 10 (1 + 1):
    # purchase days Jan 1, 8, 10 → frequency 2, recency 9, T 14, monetary (4 + 2) / 2 = 3.
    tx = _tx(
        [
            (1, "a", date(2024, 1, 1), 5.0),
            (1, "b", date(2024, 1, 1), 3.0),
            (1, "c", date(2024, 1, 8), 4.0),
            (1, "d", date(2024, 1, 10), 1.0),
            (1, "e", date(2024, 1, 10), 1.0),
        ]
    )

    assert _rows(btyd_summary(tx, as_of=date(2024, 1, 15))) == [
        {"customer_id": 1, "frequency": 2, "recency": 9.0, "T": 14.0, "monetary_value": 3.0}
    ]


def test_single_purchase_customer_has_zero_frequency_recency_and_monetary():
    tx = _tx([(7, "a", date(2024, 1, 1), 12.5)])

    assert _rows(btyd_summary(tx, as_of=date(2024, 1, 15), unit="weeks")) == [
        {"customer_id": 7, "frequency": 0, "recency": 0.0, "T": 2.0, "monetary_value": 0.0}
    ]


def test_returns_make_no_purchase_day_and_zero_amount_documents_do():
    # Customer 1: purchase Jan 1 (10); a refund document Jan 5 (−4, net < 0); a document on
    # Jan 6 fully marked is_return with amount 0 (a cancelled order); a gift check of 0 on
    # Jan 9 — a purchase day with zero spend. Days: Jan 1, Jan 9 → frequency 1, recency 8,
    # monetary 0. Customer 2 only returned something: no row. Lines after as_of are ignored.
    tx = _tx(
        [
            (1, "a", date(2024, 1, 1), 10.0),
            (1, "r", date(2024, 1, 5), -4.0, True),
            (1, "x", date(2024, 1, 6), 0.0, True),
            (1, "g", date(2024, 1, 9), 0.0),
            (1, "late", date(2024, 2, 1), 50.0),
            (2, "r2", date(2024, 1, 3), -9.0, True),
        ]
    )

    assert _rows(btyd_summary(tx, as_of=date(2024, 1, 31))) == [
        {"customer_id": 1, "frequency": 1, "recency": 8.0, "T": 30.0, "monetary_value": 0.0}
    ]


def test_exchange_document_with_positive_net_is_a_purchase():
    # One check: a returned item (−3, flagged) and a new one (+5): net 2 ≥ 0 and not every
    # line flagged → a purchase of 2 on Jan 2.
    tx = _tx(
        [
            (1, "a", date(2024, 1, 1), 6.0),
            (1, "b", date(2024, 1, 2), -3.0, True),
            (1, "b", date(2024, 1, 2), 5.0),
        ]
    )

    assert _rows(btyd_summary(tx, as_of=date(2024, 1, 2))) == [
        {"customer_id": 1, "frequency": 1, "recency": 1.0, "T": 1.0, "monetary_value": 2.0}
    ]


def test_missing_column_is_named():
    tx = ibis.memtable(pa.table({"customer_id": [1], "day": [date(2024, 1, 1)], "amount": [1.0]}))

    with pytest.raises(ValueError, match="no column 'doc_id'"):
        btyd_summary(tx, as_of=date(2024, 1, 1))


def test_same_result_on_duckdb_and_spark(engine, cdnow_sample_rows):
    rows = [r for r in cdnow_sample_rows if r[0] <= 300]
    data = {
        "customer_id": [r[0] for r in rows],
        "doc_id": [str(i) for i in range(len(rows))],
        "day": [r[1] for r in rows],
        "amount": [r[2] for r in rows],
    }
    tx = ibis.memtable(pa.table(data))
    expected = {r["customer_id"]: r for r in _rows(btyd_summary(tx, as_of=date(1997, 9, 30)))}

    got = engine.to_pyarrow(btyd_summary(tx, as_of=date(1997, 9, 30))).to_pylist()

    assert len(got) == len(expected) == 300
    for row in got:
        want = expected[row["customer_id"]]
        assert row["frequency"] == want["frequency"]
        assert row["recency"] == want["recency"]
        assert row["T"] == want["T"]
        assert row["monetary_value"] == pytest.approx(want["monetary_value"], abs=1e-9)
