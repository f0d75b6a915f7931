"""Lifecycle, Pareto, ABC/XYZ, leaky bucket and cohorts on small hand-worked logs."""

from datetime import date

import ibis
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pharmacrm.analytics.abc_xyz import abc, xyz
from pharmacrm.analytics.cohorts import cohorts
from pharmacrm.analytics.leaky_bucket import leaky_bucket
from pharmacrm.analytics.lifecycle import lifecycle_stage
from pharmacrm.analytics.pareto import pareto, pareto_summary

D = date


def _tx(rows):
    """(customer, doc, day, amount, sku, qty) tuples."""
    return ibis.memtable(
        pa.table(
            {
                "customer_id": pa.array([r[0] for r in rows], pa.int64()),
                "doc_id": [r[1] for r in rows],
                "day": pa.array([r[2] for r in rows], pa.date32()),
                "amount": pa.array([r[3] for r in rows], pa.float64()),
                "sku": [r[4] if len(r) > 4 else "s" for r in rows],
                "qty": pa.array([r[5] if len(r) > 5 else 1.0 for r in rows], pa.float64()),
            }
        )
    )


def _rows(expr):
    return expr.to_pyarrow().to_pylist()


def test_lifecycle_stages_in_order_with_plays():
    # as_of 2024-06-30. 1: first 2024-06-10 (d_first 20) → new even though active too;
    # 2: first long ago, last 2024-05-01 (d_last 60) → active; 3: last 2024-02-01 (150) →
    # inactive; 4: last 2023-12-01 (212) → lost; 5: a refund in June does not revive them.
    tx = _tx(
        [
            (1, "a", D(2024, 6, 10), 5.0),
            (2, "b", D(2023, 1, 1), 5.0),
            (2, "c", D(2024, 5, 1), 5.0),
            (3, "d", D(2024, 2, 1), 5.0),
            (4, "e", D(2023, 12, 1), 5.0),
            (5, "f", D(2023, 11, 1), 5.0),
            (5, "g", D(2024, 6, 1), -5.0),
        ]
    )

    got = {
        r["customer_id"]: (r["stage"], r["play"])
        for r in _rows(lifecycle_stage(tx, as_of=D(2024, 6, 30)))
    }

    assert got == {
        1: ("new", "welcome"),
        2: ("active", "loyalty offers and birthday greetings"),
        3: ("inactive", "reactivation"),
        4: ("lost", "win-back"),
        5: ("lost", "win-back"),
    }


def test_abc_item_crossing_80_percent_is_a_and_ties_go_by_id():
    # values 50, 30, 10, 10 (ids 3 and 4 tie) → shares before 0, .5, .8, .9 → A, A, B, B
    tx = _tx([(1, "a", D(2024, 1, 1), 50.0), (2, "b", D(2024, 1, 1), 30.0),
              (4, "c", D(2024, 1, 1), 10.0), (3, "d", D(2024, 1, 1), 10.0)])  # fmt: skip

    got = [
        (r["customer_id"], r["share_before"], r["class"])
        for r in _rows(abc(tx, as_of=D(2024, 1, 1)).order_by("share_before"))
    ]

    assert got == [(1, 0.0, "A"), (2, 0.5, "A"), (3, 0.8, "B"), (4, 0.9, "B")]


def test_xyz_counts_complete_months_only_with_zero_months():
    # Data from 2024-01-15 to as_of 2024-04-30: complete months Feb, Mar, Apr (January is cut).
    # sku p: Feb 10, Mar 0, Apr 20 (January's 99 ignored) → mean 10, std √(200/3) ≈ 8.165,
    # cv 0.8165 → Z. sku q: 10, 10, 11 → mean 31/3, std √(2/9) = 0.4714, cv 0.0456 → X.
    tx = _tx(
        [
            (1, "a", D(2024, 1, 15), 1.0, "p", 99.0),
            (1, "b", D(2024, 2, 3), 1.0, "p", 10.0),
            (1, "c", D(2024, 4, 30), 1.0, "p", 20.0),
            (1, "d", D(2024, 2, 1), 1.0, "q", 10.0),
            (1, "e", D(2024, 3, 1), 1.0, "q", 10.0),
            (1, "f", D(2024, 4, 1), 1.0, "q", 11.0),
        ]
    )

    got = {r["sku"]: r for r in _rows(xyz(tx, as_of=D(2024, 4, 30)))}

    assert got["p"]["months"] == got["q"]["months"] == 3
    assert got["p"]["mean"] == pytest.approx(10.0)
    assert got["p"]["std"] == pytest.approx((200 / 3) ** 0.5)
    assert got["p"]["class"] == "Z"
    assert got["q"]["cv"] == pytest.approx((2 / 9) ** 0.5 / (31 / 3))
    assert got["q"]["class"] == "X"


def test_pareto_gini_without_correction_and_top_share():
    # values 60, 30, 10, 0, 0: Σ|xi−xj| over ordered pairs = 600, n = 5, mean 20
    # → Gini 600 / (2·25·20) = 0.6; top ceil(0.2·5) = 1 → 60 / 100.
    tx = _tx(
        [
            (c, str(c), D(2024, 1, 1), v)
            for c, v in [(1, 10.0), (2, 0.0), (3, 30.0), (4, 0.0), (5, 60.0)]
        ]
    )

    summary = _rows(pareto_summary(tx, as_of=D(2024, 1, 1)))[0]
    points = _rows(pareto(tx, as_of=D(2024, 1, 1)).order_by("rank"))

    assert summary["gini"] == pytest.approx(0.6)
    assert summary["top20_share"] == pytest.approx(0.6)
    assert [p["customer_id"] for p in points] == [5, 3, 1, 2, 4]
    assert [p["cum_value_share"] for p in points] == pytest.approx([0.6, 0.9, 1.0, 1.0, 1.0])


def test_leaky_bucket_flows_and_empty_month():
    # 1: Jan, Feb, Apr; 2: Jan, Feb; 3: Mar. as_of May.
    # Feb: retained 2. Mar: 1 and 2 churn (revenue 20+2 in Feb), 3 new.
    # Apr: 1 returns, 3 churns. May: nobody active, 1 churns.
    tx = _tx(
        [
            (1, "a", D(2024, 1, 5), 10.0),
            (1, "b", D(2024, 2, 1), 20.0),
            (1, "c", D(2024, 4, 3), 30.0),
            (2, "d", D(2024, 1, 9), 1.0),
            (2, "e", D(2024, 2, 2), 2.0),
            (3, "f", D(2024, 3, 3), 3.0),
        ]
    )

    got = _rows(leaky_bucket(tx, as_of=D(2024, 5, 31)))

    flows = [
        (r["active_prev"], r["active"], r["new"], r["retained"], r["returning"], r["churned"])
        for r in got
    ]
    assert [r["period"] for r in got] == [D(2024, m, 1) for m in range(1, 6)]
    assert flows == [
        (0, 2, 2, 0, 0, 0),
        (2, 2, 0, 2, 0, 0),
        (2, 1, 1, 0, 0, 2),
        (1, 1, 0, 0, 1, 1),
        (1, 0, 0, 0, 0, 1),
    ]
    assert got[2]["revenue_churned"] == 22.0
    assert got[2]["churn_rate"] == 1.0
    assert got[3]["revenue_returning"] == 30.0
    assert [r["acquisitions_needed"] for r in got] == [0, 0, 2, 0, 1]


@settings(deadline=None, max_examples=20)
@given(
    st.lists(
        st.tuples(st.integers(1, 8), st.integers(0, 300), st.integers(-3, 50)),
        min_size=1,
        max_size=40,
    )
)
def test_leaky_bucket_identity_and_abc_partition(rows):
    tx = _tx(
        [
            (c, f"d{i}", D(2024, 1, 1).fromordinal(D(2024, 1, 1).toordinal() + d), float(a))
            for i, (c, d, a) in enumerate(rows)
        ]
    )
    as_of = D(2024, 12, 31)

    periods = _rows(leaky_bucket(tx, as_of=as_of))
    classes = _rows(abc(tx, as_of=as_of))
    stages = _rows(lifecycle_stage(tx, as_of=as_of))

    for r in periods:
        assert r["active"] == r["active_prev"] - r["churned"] + r["new"] + r["returning"]
    assert sorted(r["customer_id"] for r in classes) == sorted({c for c, _, _ in rows})
    assert all(r["class"] in ("A", "B", "C") for r in classes)
    for r in stages:
        d_last = (as_of - r["last_day"]).days
        d_first = (as_of - r["first_day"]).days
        expected = (
            "new"
            if d_first < 30
            else "active"
            if d_last < 90
            else "inactive"
            if d_last < 180
            else "lost"
        )
        assert r["stage"] == expected


def test_cohorts_grid_with_zero_months():
    tx = _tx(
        [
            (1, "a", D(2024, 1, 5), 10.0),
            (1, "b", D(2024, 2, 1), 20.0),
            (1, "c", D(2024, 4, 3), 30.0),
            (2, "d", D(2024, 1, 9), 1.0),
            (2, "e", D(2024, 2, 2), 2.0),
            (3, "f", D(2024, 3, 3), 3.0),
        ]
    )

    got = [
        (r["cohort"], r["months_since_first"], r["cohort_size"], r["active"], r["revenue"])
        for r in _rows(cohorts(tx, as_of=D(2024, 4, 30)))
    ]

    assert got == [
        (D(2024, 1, 1), 0, 2, 2, 11.0),
        (D(2024, 1, 1), 1, 2, 2, 22.0),
        (D(2024, 1, 1), 2, 2, 0, 0.0),
        (D(2024, 1, 1), 3, 2, 1, 30.0),
        (D(2024, 3, 1), 0, 1, 1, 3.0),
        (D(2024, 3, 1), 1, 1, 0, 0.0),
    ]


def _demo_log():
    return _tx(
        [(c, f"d{c}-{k}", D(2024, 1 + (c * k) % 5, 1 + (c + k) % 27),
          float(c * 7 % 11 + k), f"s{c % 3}", float(k + 1))
         for c in range(1, 16) for k in range(c % 4 + 1)]
    )  # fmt: skip


@pytest.mark.parametrize(
    "build",
    [
        lambda tx: lifecycle_stage(tx, as_of=D(2024, 6, 30)),
        lambda tx: abc(tx, as_of=D(2024, 6, 30)),
        lambda tx: xyz(tx, as_of=D(2024, 6, 30)),
        lambda tx: pareto(tx, as_of=D(2024, 6, 30)),
        lambda tx: pareto_summary(tx, as_of=D(2024, 6, 30)),
        lambda tx: leaky_bucket(tx, as_of=D(2024, 6, 30)),
        lambda tx: cohorts(tx, as_of=D(2024, 6, 30)),
    ],
    ids=["lifecycle", "abc", "xyz", "pareto", "pareto_summary", "leaky_bucket", "cohorts"],
)
def test_same_result_on_duckdb_and_spark(engine, build):
    tx = _demo_log()
    expected = sorted(_rows(build(tx)), key=str)

    got = sorted(engine.to_pyarrow(build(tx)).to_pylist(), key=str)

    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert g.keys() == e.keys()
        for k in g:
            assert g[k] == (pytest.approx(e[k]) if isinstance(e[k], float) else e[k]), k
