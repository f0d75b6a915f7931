from datetime import date

import ibis
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pharmacrm.analytics.rfm import (
    DEFAULT_SEGMENT_MAP,
    RfmSegmentMap,
    SegmentRule,
    rfm_scores,
    rfm_segments,
)

AS_OF = date(2024, 3, 31)


def _tx(rows):
    return ibis.memtable(
        pa.table(
            {
                "customer_id": pa.array([r[0] for r in rows], pa.int64()),
                "doc_id": [r[1] for r in rows],
                "day": pa.array([r[2] for r in rows], pa.date32()),
                "amount": pa.array([r[3] for r in rows], pa.float64()),
            }
        )
    )


def _by_id(expr):
    return {r["customer_id"]: r for r in expr.to_pyarrow().to_pylist()}


def test_scores_rank_with_ties_broken_by_customer_id():
    # Five customers, n = 5: score = rank. Customers 2 and 3 tie on frequency (2 checks)
    # → 2 ranks below 3. Customer 5's refund check (−10) lowers M but is not a purchase.
    tx = _tx(
        [
            (1, "a", date(2024, 3, 30), 10.0),
            (2, "b", date(2024, 3, 1), 20.0),
            (2, "c", date(2024, 3, 2), 20.0),
            (3, "d", date(2024, 2, 1), 5.0),
            (3, "e", date(2024, 2, 2), 5.0),
            (4, "f", date(2024, 1, 1), 100.0),
            (4, "g", date(2024, 1, 1), 1.0),
            (4, "h", date(2024, 1, 1), 1.0),
            (5, "i", date(2024, 3, 31), 50.0),
            (5, "r", date(2024, 3, 31), -10.0),
        ]
    )

    got = _by_id(rfm_scores(tx, as_of=AS_OF))

    # days_since_last: 1→1, 2→29, 3→58 (2024 is a leap year), 4→90, 5→0;
    # R sorts descending → 4,3,2,1,5
    assert {c: got[c]["days_since_last"] for c in got} == {1: 1, 2: 29, 3: 58, 4: 90, 5: 0}
    assert {c: got[c]["r_score"] for c in got} == {4: 1, 3: 2, 2: 3, 1: 4, 5: 5}
    # frequency 1,2,2,3,1 → ascending with id ties: 1,5,2,3,4
    assert {c: got[c]["f_score"] for c in got} == {1: 1, 5: 2, 2: 3, 3: 4, 4: 5}
    # monetary 10, 40, 10, 102, 40 → 1,3 (tie by id), 2,5 (tie by id), 4
    assert {c: got[c]["m_score"] for c in got} == {1: 1, 3: 2, 2: 3, 5: 4, 4: 5}
    assert got[5]["monetary"] == 40.0
    assert got[5]["frequency"] == 1


def test_window_leaves_out_customers_without_purchase_in_it():
    tx = _tx([(1, "a", date(2023, 1, 1), 10.0), (2, "b", date(2024, 3, 2), 20.0)])

    got = _by_id(rfm_scores(tx, as_of=AS_OF, window_days=365))

    assert list(got) == [2]
    assert got[2]["r_score"] == got[2]["f_score"] == got[2]["m_score"] == 1


def test_default_map_names_the_classic_segments():
    assert {r.name for r in DEFAULT_SEGMENT_MAP.rules} == {
        "Champions", "Loyal", "Potential Loyalist", "New", "Promising", "Need Attention",
        "About to Sleep", "At Risk", "Can't Lose Them", "Hibernating", "Lost",
    }  # fmt: skip
    assert DEFAULT_SEGMENT_MAP.segment_of(5, 5, 5) == "Champions"
    assert DEFAULT_SEGMENT_MAP.segment_of(3, 4, 3) == "Loyal"
    assert DEFAULT_SEGMENT_MAP.segment_of(1, 5, 4) == "Can't Lose Them"
    assert DEFAULT_SEGMENT_MAP.segment_of(2, 3, 3) == "At Risk"
    assert DEFAULT_SEGMENT_MAP.segment_of(5, 1, 1) == "New"
    assert DEFAULT_SEGMENT_MAP.segment_of(4, 1, 2) == "Promising"
    assert DEFAULT_SEGMENT_MAP.segment_of(1, 1, 2) == "Lost"


def test_map_with_a_hole_is_refused():
    with pytest.raises(ValueError, match="R=1 F=1 M=1"):
        RfmSegmentMap(rules=(SegmentRule("Everyone else", 2, 5, 1, 5),))


def test_segments_in_the_engine_follow_the_map():
    scores = ibis.memtable(
        pa.table(
            {
                "customer_id": [1, 2, 3],
                "r_score": [5, 1, 3],
                "f_score": [4, 5, 2],
                "m_score": [5, 4, 3],
            }
        )
    )

    got = _by_id(rfm_segments(scores))

    assert {c: r["segment"] for c, r in got.items()} == {
        1: "Champions",
        2: "Can't Lose Them",
        3: "Need Attention",
    }


@settings(deadline=None, max_examples=25)
@given(
    st.lists(
        st.tuples(st.integers(1, 40), st.integers(0, 90), st.integers(-5, 100)),
        min_size=1,
        max_size=60,
    )
)
def test_each_score_holds_n_over_5_customers_within_one(rows):
    tx = _tx(
        [(c, f"d{i}", date(2024, 1, 1 + d % 28), float(a)) for i, (c, d, a) in enumerate(rows)]
    )

    got = list(_by_id(rfm_scores(tx, as_of=AS_OF)).values())

    n = len(got)
    for column in ("r_score", "f_score", "m_score"):
        counts = [sum(1 for r in got if r[column] == s) for s in range(1, 6)]
        assert all(1 <= r[column] <= 5 for r in got)
        assert all(abs(c - n / 5) <= 1 for c in counts), (column, counts)


def test_same_result_on_duckdb_and_spark(engine):
    tx = _tx(
        [(c, f"d{c}-{k}", date(2024, 1 + (c * k) % 3, 1 + (c + k) % 27), float(c * 7 % 11 + k))
         for c in range(1, 21) for k in range(c % 4 + 1)]
    )  # fmt: skip
    expected = sorted(rfm_segments(rfm_scores(tx, as_of=AS_OF)).to_pyarrow().to_pylist(), key=str)

    got = engine.to_pyarrow(rfm_segments(rfm_scores(tx, as_of=AS_OF))).to_pylist()

    assert sorted(got, key=str) == expected
