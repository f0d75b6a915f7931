"""KPIs per period and slice on small logs whose figures are worked out by hand below."""

from datetime import date, timedelta

import ibis
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pharmacrm.analytics.kpis import (
    KPI_COLUMNS,
    AgeBands,
    kpi_documents,
    kpi_mix,
    kpis,
    kpis_of_documents,
)

D = date


def _tx(rows):
    """(customer, doc, day, amount, sku, category, is_return[, region]) tuples."""
    return ibis.memtable(
        pa.table(
            {
                "customer_id": pa.array([r[0] for r in rows], pa.int64()),
                "doc_id": [r[1] for r in rows],
                "day": pa.array([r[2] for r in rows], pa.date32()),
                "amount": pa.array([r[3] for r in rows], pa.float64()),
                "sku": pa.array([r[4] for r in rows], pa.string()),
                "category": pa.array([r[5] for r in rows], pa.string()),
                "is_return": pa.array([r[6] for r in rows], pa.bool_()),
                "region": pa.array([r[7] if len(r) > 7 else None for r in rows], pa.string()),
            }
        )
    )


def _rows(expr):
    return expr.to_pyarrow().to_pylist()


def _measures(row):
    return tuple(row[c] for c in KPI_COLUMNS)


# Jan: customer 1 has two checks on one day — a: 10 (med) + 5 (vitamins) + a 0.00 gift line
# (care), b: 20 — and customer 2 has check c (8 + 4, two medicine SKUs) and refunds 8 (r).
# Feb: nothing at all. Mar: customer 2's check e holds a flagged −3 return line beside a 10
# sale (net 7 ≥ 0 and not every line flagged: a purchase); customer 3's first check f is one
# zero-amount gift line (a purchase with zero spend); g has no card (6). Apr: customer 1
# returns check b (−20, flagged): returns only. May (after as_of): ignored.
LOG = [
    (1, "a", D(2024, 1, 5), 10.0, "x", "medicines", False),
    (1, "a", D(2024, 1, 5), 5.0, "y", "vitamins", False),
    (1, "a", D(2024, 1, 5), 0.0, "gift", "care", False),
    (1, "b", D(2024, 1, 5), 20.0, "x", "medicines", False),
    (2, "c", D(2024, 1, 20), 8.0, "x", "medicines", False),
    (2, "c", D(2024, 1, 20), 4.0, "z", "medicines", False),
    (2, "r", D(2024, 1, 25), -8.0, "x", "medicines", True),
    (2, "e", D(2024, 3, 3), 10.0, "x", "medicines", False),
    (2, "e", D(2024, 3, 3), -3.0, "y", "medicines", True),
    (3, "f", D(2024, 3, 15), 0.0, "gift", "care", False),
    (None, "g", D(2024, 3, 20), 6.0, "y", "vitamins", False),
    (1, "h", D(2024, 4, 2), -20.0, "x", "medicines", True),
    (4, "z", D(2024, 5, 1), 99.0, "x", "medicines", False),
]
AS_OF = D(2024, 4, 30)


def test_monthly_kpis_with_refunds_zero_lines_and_an_empty_month():
    tx = _tx(LOG)

    got = _rows(kpis(tx, as_of=AS_OF, period="month"))

    assert [r["period"] for r in got] == [
        D(2024, 1, 1),
        D(2024, 2, 1),
        D(2024, 3, 1),
        D(2024, 4, 1),
    ]
    jan, feb, mar, apr = got
    # Jan: active 1, 2 (both new); checks a, b, c; net 15 + 20 + 12 − 8 = 39; average 39 / 3;
    # frequency 3 / 2; widths a 3 (gift's care counts), b 1, c 1 → 5/3; SKUs 3, 1, 2 → 2;
    # lines 3, 1, 2 → 2.
    assert _measures(jan) == (2, 2, 3, 39.0, 8.0, 13.0, 1.5, pytest.approx(5 / 3), 2.0, 2.0)
    assert _measures(feb) == (0, 0, 0, 0.0, 0.0, None, None, None, None, None)
    # Mar: active 2 and 3 (3 new); checks e, f, g; net 7 + 0 + 6 = 13; frequency counts the
    # two carded checks over 2 customers; widths 1, 1, 1; SKUs 2, 1, 1; lines 2, 1, 1.
    assert _measures(mar) == (
        2,
        1,
        3,
        13.0,
        0.0,
        pytest.approx(13 / 3),
        1.0,
        1.0,
        pytest.approx(4 / 3),
        pytest.approx(4 / 3),
    )
    assert _measures(apr) == (0, 0, 0, -20.0, 20.0, None, None, None, None, None)


def test_quarterly_kpis_count_customers_once_per_quarter():
    tx = _tx(LOG)

    q1, q2 = _rows(kpis(tx, as_of=AS_OF, period="quarter"))

    # Q1: customers 1, 2, 3, all new; six checks (a, b, c, e, f, g), five of them carded;
    # net 39 + 13 = 52; categories 3+1+1+1+1+1 = 8, SKUs 3+1+2+2+1+1 = 10, lines 10.
    assert q1["period"] == D(2024, 1, 1)
    assert _measures(q1) == (
        3,
        3,
        6,
        52.0,
        8.0,
        pytest.approx(52 / 6),
        pytest.approx(5 / 3),
        pytest.approx(8 / 6),
        pytest.approx(10 / 6),
        pytest.approx(10 / 6),
    )
    assert q2["period"] == D(2024, 4, 1)
    assert _measures(q2) == (0, 0, 0, -20.0, 20.0, None, None, None, None, None)


def test_start_limits_the_periods_but_not_who_is_new():
    tx = _tx(LOG)

    got = _rows(kpis(tx, as_of=AS_OF, period="month", start=D(2024, 3, 10)))

    # The range starts with March (the month holding start); customer 2 bought in January,
    # so only customer 3 is new in March.
    assert [(r["period"], r["active_customers"], r["new_customers"]) for r in got] == [
        (D(2024, 3, 1), 2, 1),
        (D(2024, 4, 1), 0, 0),
    ]


def test_iso_weeks_start_on_monday_and_days_run_to_as_of():
    # 2024-01-07 is a Sunday (week of Monday 1 January), 2024-01-08 a Monday; as_of is
    # Tuesday 16 January, so the third week has no checks.
    tx = _tx(
        [
            (1, "a", D(2024, 1, 7), 3.0, "x", "medicines", False),
            (1, "b", D(2024, 1, 8), 5.0, "x", "medicines", False),
            (2, "c", D(2024, 1, 8), 7.0, "y", "medicines", False),
        ]
    )

    weeks = _rows(kpis(tx, as_of=D(2024, 1, 16), period="week"))
    days = _rows(kpis(tx, as_of=D(2024, 1, 16), period="day"))

    assert [
        (r["period"], r["active_customers"], r["new_customers"], r["net_revenue"]) for r in weeks
    ] == [
        (D(2024, 1, 1), 1, 1, 3.0),
        (D(2024, 1, 8), 2, 1, 12.0),
        (D(2024, 1, 15), 0, 0, 0.0),
    ]
    assert [r["period"] for r in days] == [D(2024, 1, d) for d in range(7, 17)]
    assert [r["checks"] for r in days] == [1, 2, 0, 0, 0, 0, 0, 0, 0, 0]


# Customer 1 (North) check a: a −10 medicine line (not flagged) beside a 15 vitamin line, net
# 5 → a purchase, so in the category slice its medicine part is a check with net −10, not a
# return. Customer 2 (region unknown): check b 4 (medicine) in January, return c −4 in February.
SLICED = [
    (1, "a", D(2024, 1, 10), -10.0, "m", "medicines", False, "North"),
    (1, "a", D(2024, 1, 10), 15.0, "v", "vitamins", False, "North"),
    (2, "b", D(2024, 1, 12), 4.0, "m", "medicines", False, None),
    (2, "c", D(2024, 2, 3), -4.0, "m", "medicines", True, None),
]


def test_category_slice_splits_a_check_but_keeps_its_document_kind():
    tx = _tx(SLICED)

    got = {
        (r["period"], r["category"]): _measures(r)
        for r in _rows(kpis(tx, as_of=D(2024, 2, 29), slice_by=("category",)))
    }

    assert got == {
        (D(2024, 1, 1), "medicines"): (2, 2, 2, -6.0, 0.0, -3.0, 1.0, 1.0, 1.0, 1.0),
        (D(2024, 1, 1), "vitamins"): (1, 1, 1, 15.0, 0.0, 15.0, 1.0, 1.0, 1.0, 1.0),
        (D(2024, 2, 1), "medicines"): (0, 0, 0, -4.0, 4.0, None, None, None, None, None),
        (D(2024, 2, 1), "vitamins"): (0, 0, 0, 0.0, 0.0, None, None, None, None, None),
    }


def test_region_slice_keeps_the_unknown_region_as_its_own_row():
    tx = _tx(SLICED)

    got = {
        (r["period"], r["region"]): _measures(r)
        for r in _rows(kpis(tx, as_of=D(2024, 2, 29), slice_by=("region",)))
    }

    assert got == {
        (D(2024, 1, 1), "North"): (1, 1, 1, 5.0, 0.0, 5.0, 1.0, 2.0, 2.0, 2.0),
        (D(2024, 1, 1), None): (1, 1, 1, 4.0, 0.0, 4.0, 1.0, 1.0, 1.0, 1.0),
        (D(2024, 2, 1), "North"): (0, 0, 0, 0.0, 0.0, None, None, None, None, None),
        (D(2024, 2, 1), None): (0, 0, 0, -4.0, 4.0, None, None, None, None, None),
    }


def test_output_columns_are_the_command_table_s():
    got = kpis(_tx(LOG), as_of=AS_OF).columns

    assert got == (
        "period",
        "active_customers",
        "new_customers",
        "checks",
        "net_revenue",
        "returns",
        "average_check",
        "frequency",
        "basket_width",
        "basket_width_sku",
        "check_length",
    )


def test_unknown_slice_column_is_named():
    with pytest.raises(ValueError, match="cannot slice by 'segment'"):
        kpis(_tx(LOG), as_of=AS_OF, slice_by=("segment",))


# January 2024, one check each: customer 1 (F, born 1990 → 34), 2 (M, 1950 → 74), 3 (gender
# unknown, 2010 → 14), 4 (F, 1989 → 35: the first age of the 35-44 band).
MIX_LOG = [
    (1, "a", D(2024, 1, 3), 10.0, "x", "medicines", False),
    (2, "b", D(2024, 1, 4), 30.0, "x", "medicines", False),
    (3, "c", D(2024, 1, 5), 10.0, "x", "medicines", False),
    (4, "d", D(2024, 1, 6), 20.0, "x", "medicines", False),
]


def _consumers():
    return ibis.memtable(
        pa.table(
            {
                "customer_id": pa.array([1, 2, 3, 4], pa.int64()),
                "gender": pa.array(["F", "M", None, "F"], pa.string()),
                "birth_year": pa.array([1990, 1950, 2010, 1989], pa.int64()),
            }
        )
    )


def test_gender_mix_shares_of_customers_and_revenue():
    got = {
        r["gender"]: (r["active_customers"], r["customer_share"], r["revenue_share"])
        for r in _rows(
            kpi_mix(_tx(MIX_LOG), as_of=D(2024, 1, 31), by="gender", customers=_consumers())
        )
    }

    assert got == {
        "F": (2, 0.5, pytest.approx(30 / 70)),
        "M": (1, 0.25, pytest.approx(30 / 70)),
        None: (1, 0.25, pytest.approx(10 / 70)),
    }


def test_age_bands_count_whole_years_to_the_purchase_year():
    got = {
        r["age_band"]: r["net_revenue"]
        for r in _rows(
            kpi_mix(_tx(MIX_LOG), as_of=D(2024, 1, 31), by="age_band", customers=_consumers())
        )
    }

    assert AgeBands().labels() == ("<18", "18-24", "25-34", "35-44", "45-54", "55-64", "65+")
    assert got == {"<18": 10.0, "25-34": 10.0, "35-44": 20.0, "65+": 30.0}


@pytest.mark.parametrize(
    "build",
    [
        lambda tx, _: kpis(tx, as_of=AS_OF, period="month", slice_by=("region",)),
        lambda tx, consumers: kpi_mix(
            tx, as_of=AS_OF, by="age_band", period="week", customers=consumers
        ),
        lambda tx, consumers: kpis_of_documents(
            kpi_documents(tx, as_of=AS_OF, attributes=("region", "age_band"), customers=consumers),
            as_of=AS_OF,
            slice_by=("age_band",),
        ),
    ],
    ids=["kpis_by_region", "kpi_mix", "kpis_of_documents"],
)
# ibis 12 reads a Parquet file's schema through DuckDB 2.0's deprecated fetch_arrow_table().
@pytest.mark.filterwarnings("ignore:fetch_arrow_table\\(\\) is deprecated:DeprecationWarning")
def test_same_result_on_duckdb_and_spark(engine, build, tmp_path):
    # Through Parquet, not memtables: ibis' PySpark memtables travel through pandas 3, which
    # turns a null string into the text "NaN" — and the null region must stay null here.
    log = [(*row[:7], "North" if row[0] == 1 else None) for row in LOG + SLICED]
    pq.write_table(_tx(log).to_pyarrow(), tmp_path / "tx.parquet")
    pq.write_table(_consumers().to_pyarrow(), tmp_path / "consumers.parquet")
    duckdb = ibis.duckdb.connect()
    expected = sorted(
        _rows(
            build(
                duckdb.read_parquet(tmp_path / "tx.parquet"),
                duckdb.read_parquet(tmp_path / "consumers.parquet"),
            )
        ),
        key=str,
    )

    got = sorted(
        engine.to_pyarrow(
            build(
                engine.read_parquet(str(tmp_path / "tx.parquet")),
                engine.read_parquet(str(tmp_path / "consumers.parquet")),
            )
        ).to_pylist(),
        key=str,
    )

    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert g.keys() == e.keys()
        for k in g:
            assert g[k] == (pytest.approx(e[k]) if isinstance(e[k], float) else e[k]), k


_lines = st.lists(
    st.tuples(
        st.one_of(st.none(), st.integers(1, 6)),  # customer (None: no card)
        st.integers(1, 8),  # document number within the customer
        st.integers(0, 120),  # day offset from 2024-01-01
        st.sampled_from([-7.5, -2.0, 0.0, 3.0, 12.25]),
        st.sampled_from(["North", "South", None]),
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=25, deadline=None)
@given(rows=_lines)
def test_totals_over_periods_and_regions_add_up(rows):
    # A document's day and region are those of its first line here, as a till would write them.
    first = {}
    for customer, doc, offset, _amount, region in rows:
        first.setdefault((customer, doc), (D(2024, 1, 1) + timedelta(days=offset), region))
    log = [
        (customer, f"{customer}-{doc}", *first[(customer, doc)][:1], amount, "s", "c", False,
         first[(customer, doc)][1])
        for customer, doc, _offset, amount, _region in rows
    ]  # fmt: skip
    tx = _tx(log)
    as_of = D(2024, 4, 30)
    net = {}
    for customer, doc, _day, amount, *_ in log:
        net[(customer, doc)] = net.get((customer, doc), 0.0) + amount
    purchases = [key for key, value in net.items() if value >= 0]
    buyers = {customer for customer, _doc in purchases if customer is not None}

    months = _rows(kpis(tx, as_of=as_of))
    regions = _rows(kpis(tx, as_of=as_of, slice_by=("region",)))

    assert sum(r["checks"] for r in months) == len(purchases)
    assert sum(r["new_customers"] for r in months) == len(buyers)
    assert sum(r["net_revenue"] for r in months) == pytest.approx(sum(net.values()))
    assert sum(r["checks"] for r in regions) == len(purchases)
    assert sum(r["net_revenue"] for r in regions) == pytest.approx(sum(net.values()))


def _oracle(log, *, as_of, slice_by):
    """The KPI definitions worked out in plain Python, month by month and slice value."""

    def month(day):
        return day.year * 12 + day.month - 1

    kept = [row for row in log if row[2] <= as_of]
    docs = {}
    for customer, doc, day, amount, _sku, _category, flagged, _region in kept:
        total, all_flagged, first = docs.get((customer, doc), (0.0, True, day))
        docs[(customer, doc)] = (total + amount, all_flagged and flagged, min(first, day))
    kind = {
        key: (total < 0 or flagged, month(first)) for key, (total, flagged, first) in docs.items()
    }
    first_p = {}
    for (customer, _doc), (is_return, p) in kind.items():
        if customer is not None and not is_return:
            first_p[customer] = min(first_p.get(customer, p), p)
    pieces = {}
    for customer, doc, _day, amount, sku, category, _flagged, region in kept:
        value = {"region": region, "category": category}[slice_by] if slice_by else None
        piece = pieces.setdefault((customer, doc, value), [0.0, 0, set(), set()])
        piece[0] += amount
        piece[1] += 1
        piece[2].update([category] if category is not None else [])
        piece[3].update([sku] if sku is not None else [])
    cells = {}
    for (customer, doc, value), (amount, lines, categories, skus) in pieces.items():
        is_return, p = kind[(customer, doc)]
        cell = cells.setdefault(
            (p, value),
            {"active": set(), "new": set(), "checks": 0, "known": 0, "net": 0.0,
             "returned": 0.0, "width": [], "width_sku": [], "length": []},
        )  # fmt: skip
        cell["net"] += amount
        if is_return:
            cell["returned"] += amount
            continue
        cell["checks"] += 1
        cell["length"].append(lines)
        cell["width"] += [len(categories)] if categories else []
        cell["width_sku"] += [len(skus)] if skus else []
        if customer is not None:
            cell["known"] += 1
            cell["active"].add(customer)
            if first_p[customer] == p:
                cell["new"].add(customer)
    if not cells:
        return []
    values = {value for _p, value in cells}
    rows = []
    for p in range(min(p for p, _value in cells), month(as_of) + 1):
        for value in values:
            cell = cells.get((p, value))
            if cell is None:
                rows.append(((p, value), (0, 0, 0, 0.0, 0.0, None, None, None, None, None)))
                continue
            active, checks = len(cell["active"]), cell["checks"]

            def mean(xs):
                return sum(xs) / len(xs) if xs else None

            rows.append(((p, value), (
                active, len(cell["new"]), checks, cell["net"], 0.0 - cell["returned"],
                cell["net"] / checks if checks else None,
                cell["known"] / active if active else None,
                mean(cell["width"]), mean(cell["width_sku"]), mean(cell["length"]),
            )))  # fmt: skip
    return rows


def _assert_equals_oracle(got, expected, slice_by):
    """KPI rows equal the oracle's cells: integers exactly, floats to rounding, no extra rows."""

    def month(day):
        return day.year * 12 + day.month - 1

    assert {(month(r["period"]), r[slice_by] if slice_by else None): _measures(r) for r in got} == {
        key: tuple(pytest.approx(x) if isinstance(x, float) else x for x in measures)
        for key, measures in expected
    }
    assert len(got) == len(expected)


_mixed_lines = st.lists(
    st.tuples(
        st.one_of(st.none(), st.integers(1, 4)),  # customer (None: no card)
        st.integers(1, 4),  # document number within the customer
        st.integers(0, 100),  # day offset from 2024-01-01: a document may span months
        st.sampled_from([-7.5, -2.0, 0.0, 3.0, 12.25]),
        st.sampled_from(["s1", "s2", "s3", None]),
        st.sampled_from(["medicines", "vitamins", None]),  # not a function of the SKU here
        st.booleans(),  # is_return flag
        st.sampled_from(["North", "South", None]),  # may change within a document
    ),
    min_size=1,
    max_size=30,
)


# The product dimension's map, for logs whose category comes from the SKU (as in every view
# the transactions builders make); the unknown SKU has no category.
_CATEGORY_OF = {"s1": "medicines", "s2": "vitamins", "s3": "medicines", None: None}


@settings(max_examples=60, deadline=None)
@given(
    rows=_mixed_lines,
    slice_by=st.sampled_from([None, "region", "category"]),
    category_by_sku=st.booleans(),
)
def test_every_measure_equals_the_definition_worked_out_line_by_line(
    rows, slice_by, category_by_sku
):
    # Documents that span months and slice values, flagged lines in purchases, anonymous
    # lines, and (unless categories come by SKU) SKUs in two categories: the grouped, joined
    # formulation that streams over 100 M lines must give exactly the definition's figures
    # (floats to rounding), with distinct counts or with the per-SKU counting.
    log = [
        (customer, f"{customer}-{doc}", D(2024, 1, 1) + timedelta(days=offset), amount, sku,
         _CATEGORY_OF[sku] if category_by_sku else category, flagged, region)
        for customer, doc, offset, amount, sku, category, flagged, region in rows
    ]  # fmt: skip
    as_of = D(2024, 3, 31)
    expected = _oracle(log, as_of=as_of, slice_by=slice_by)

    got = _rows(
        kpis(
            _tx(log),
            as_of=as_of,
            slice_by=(slice_by,) if slice_by else (),
            category_by_sku=category_by_sku,
        )
    )

    _assert_equals_oracle(got, expected, slice_by)


@settings(max_examples=60, deadline=None)
@given(
    rows=_mixed_lines,
    slice_by=st.sampled_from([None, "region"]),
    category_by_sku=st.booleans(),
)
def test_kpis_from_the_shared_document_table_equal_the_definition(rows, slice_by, category_by_sku):
    # The analyze run groups the lines per document once and slices that table by each
    # document attribute; a document's region is its first line's here, as a till writes it.
    region_of = {}
    for customer, doc, _offset, _amount, _sku, _category, _flagged, region in rows:
        region_of.setdefault((customer, doc), region)
    log = [
        (customer, f"{customer}-{doc}", D(2024, 1, 1) + timedelta(days=offset), amount, sku,
         _CATEGORY_OF[sku] if category_by_sku else category, flagged, region_of[(customer, doc)])
        for customer, doc, offset, amount, sku, category, flagged, _region in rows
    ]  # fmt: skip
    as_of = D(2024, 3, 31)
    expected = _oracle(log, as_of=as_of, slice_by=slice_by)
    documents = kpi_documents(
        _tx(log), as_of=as_of, attributes=("region",), category_by_sku=category_by_sku
    )

    got = _rows(kpis_of_documents(documents, as_of=as_of, slice_by=(slice_by,) if slice_by else ()))

    _assert_equals_oracle(got, expected, slice_by)


def test_document_age_band_is_that_of_the_document_s_first_day():
    # A check rung up over New Year's midnight (lines on Dec 31 and Jan 1) belongs to the
    # month and the age band of its first day, in one row — not split between two bands.
    log = [
        (1, "a", D(2023, 12, 31), 10.0, "x", "medicines", False),
        (1, "a", D(2024, 1, 1), 5.0, "y", "vitamins", False),
        (2, "b", D(2024, 1, 3), 7.0, "x", "medicines", False),
    ]
    consumers = ibis.memtable(
        pa.table({"customer_id": pa.array([1, 2], pa.int64()), "birth_year": [2006, 1990]})
    )
    documents = kpi_documents(
        _tx(log), as_of=D(2024, 1, 31), attributes=("age_band",), customers=consumers
    )

    got = _rows(kpis_of_documents(documents, as_of=D(2024, 1, 31), slice_by=("age_band",)))

    cells = {(r["period"], r["age_band"]): (r["checks"], r["net_revenue"]) for r in got}
    assert cells[(D(2023, 12, 1), "<18")] == (1, 15.0)
    assert cells[(D(2024, 1, 1), "25-34")] == (1, 7.0)
    assert cells[(D(2024, 1, 1), "<18")] == (0, 0.0)
    assert sum(checks for checks, _net in cells.values()) == 2


def test_document_attribute_missing_is_named():
    with pytest.raises(ValueError, match="'segment'"):
        kpi_documents(_tx(LOG), as_of=AS_OF, attributes=("segment",))
