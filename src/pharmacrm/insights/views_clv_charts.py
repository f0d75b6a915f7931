"""Vega-Lite specs of the customer-value pages (CLV, holdout calibration, cluster map).

Built with Altair like :mod:`pharmacrm.insights.charts`; each takes the rows the page also
offers as CSV, so the download and the picture show the same numbers. PNG and SVG come from
vega-embed's action menu.
"""

from __future__ import annotations

from typing import Any

import altair as alt

from pharmacrm.insights.charts import WIDTH


def _spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    spec: dict[str, Any] = chart.to_dict()
    return spec


def histogram(rows: list[dict[str, Any]], *, title: str, x_title: str) -> dict[str, Any]:
    """Customers per equal-width bar (``start``, ``end``, ``customers``)."""
    chart = (
        alt.Chart(alt.Data(values=rows), title=title, width=WIDTH, height=200)
        .mark_bar()
        .encode(
            x=alt.X("start:Q", bin="binned", title=x_title),
            x2="end:Q",
            y=alt.Y("customers:Q", title=None),
            tooltip=["start:Q", "end:Q", "customers:Q"],
        )
    )
    return _spec(chart)


def churn_bars(rows: list[dict[str, Any]], *, title: str) -> dict[str, Any]:
    """Customers per churn band (``band``, ``customers``), low to high."""
    chart = (
        alt.Chart(alt.Data(values=rows), title=title, width=WIDTH, height=160)
        .mark_bar()
        .encode(
            y=alt.Y("band:N", sort=None, title=None),
            x=alt.X("customers:Q", title=None),
            color=alt.Color(
                "band:N",
                sort=None,
                scale=alt.Scale(range=["#2e7d32", "#f9a825", "#c62828"]),
                legend=None,
            ),
            tooltip=["band:N", "customers:Q"],
        )
    )
    return _spec(chart)


def holdout_by_frequency(rows: list[dict[str, Any]], *, title: str) -> dict[str, Any]:
    """Mean repeat purchases in the holdout per calibration frequency: actual and each model."""
    chart = (
        alt.Chart(alt.Data(values=rows), title=title, width=WIDTH, height=240)
        .transform_fold(["actual", "bgnbd", "pareto_nbd"], as_=["series", "value"])
        .mark_line(point=True)
        .encode(
            x=alt.X("frequency_bucket:N", sort=None, title=None),
            y=alt.Y("value:Q", title=None),
            color=alt.Color("series:N", title=None),
            tooltip=["frequency_bucket:N", "series:N", alt.Tooltip("value:Q", format=".3f")],
        )
    )
    return _spec(chart)


def tracking(rows: list[dict[str, Any]], *, calibration_end: str, title: str) -> dict[str, Any]:
    """Cumulative repeat purchases per week, actual and each model; a rule at the split."""
    lines = (
        alt.Chart(alt.Data(values=rows), title=title, width=WIDTH, height=240)
        .transform_fold(["actual", "bgnbd", "pareto_nbd"], as_=["series", "value"])
        .mark_line()
        .encode(
            x=alt.X("day:T", title=None),
            y=alt.Y("value:Q", title=None),
            color=alt.Color("series:N", title=None),
            tooltip=["day:T", "series:N", alt.Tooltip("value:Q", format=",.0f")],
        )
    )
    split = (
        alt.Chart(alt.Data(values=[{"day": calibration_end}]))
        .mark_rule(strokeDash=[4, 4], color="#666")
        .encode(x="day:T")
    )
    return _spec(alt.layer(lines, split))


def k_choice(rows: list[dict[str, Any]], *, chosen: int, title: str) -> dict[str, Any]:
    """Silhouette (the choice: highest wins) and inertia (the elbow) for each k tried.

    Rows: ``k, silhouette, inertia``. Two panels side by side, the chosen k marked in both,
    so an analyst sees why k was picked and whether the elbow agrees.
    """
    base = alt.Chart(alt.Data(values=rows), width=320, height=200)
    rule = (
        alt.Chart(alt.Data(values=[{"k": chosen}]))
        .mark_rule(strokeDash=[4, 3], color="#d62728")
        .encode(x="k:Q")
    )
    silhouette = alt.layer(
        base.mark_line(point=True).encode(
            x=alt.X("k:Q", title="k", axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("silhouette:Q", title="silhouette", scale=alt.Scale(zero=False)),
            tooltip=["k:Q", alt.Tooltip("silhouette:Q", format=".3f")],
        ),
        rule,
    )
    elbow = alt.layer(
        base.mark_line(point=True).encode(
            x=alt.X("k:Q", title="k", axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("inertia:Q", title="inertia", scale=alt.Scale(zero=False)),
            tooltip=["k:Q", alt.Tooltip("inertia:Q", format=",.0f")],
        ),
        rule,
    )
    return _spec(alt.hconcat(silhouette, elbow, title=title))


def cluster_map(rows: list[dict[str, Any]], *, title: str) -> dict[str, Any]:
    """A sample of customers on the first two principal components, coloured by cluster."""
    chart = (
        alt.Chart(alt.Data(values=rows), title=title, width=WIDTH, height=360)
        .mark_circle(size=18, opacity=0.6)
        .encode(
            x=alt.X("x:Q", title="PC1"),
            y=alt.Y("y:Q", title="PC2"),
            color=alt.Color("label:N", title=None),
            tooltip=["label:N"],
        )
    )
    return _spec(chart)
