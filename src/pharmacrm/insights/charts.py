"""Vega-Lite specs of the insights pages, built with Altair (DESIGN.md: one spec for web and PDF).

Each function takes the rows a selector returned and gives a plain ``dict`` spec; the page
embeds it with the vendored vega-embed, whose action menu exports PNG and SVG, and each chart
has a CSV link to the same rows. Dates become ISO text so the spec is plain JSON.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final, Literal

import altair as alt

WIDTH: Final[Literal["container"]] = "container"
"""Charts fill their card; vega-embed re-lays them out when the window resizes."""


def _plain(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {key: value.isoformat() if isinstance(value, date) else value for key, value in row.items()}
        for row in rows
    ]


def _spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    spec: dict[str, Any] = chart.to_dict()
    return spec


def kpi_trend(rows: list[dict[str, Any]], *, measure: str, title: str) -> dict[str, Any]:
    """One KPI per period as a line with points."""
    chart = (
        alt.Chart(alt.Data(values=_plain(rows)), title=title, width=WIDTH, height=220)
        .mark_line(point=True)
        .encode(
            x=alt.X("period:T", title=None),
            y=alt.Y(f"{measure}:Q", title=None),
            tooltip=["period:T", f"{measure}:Q"],
        )
    )
    return _spec(chart)


def segment_bars(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Customers per RFM segment, coloured by their net revenue."""
    chart = (
        alt.Chart(alt.Data(values=rows), width=WIDTH, height=300)
        .mark_bar()
        .encode(
            y=alt.Y("segment:N", sort=None, title=None),
            x=alt.X("customers:Q"),
            color=alt.Color("revenue:Q", scale=alt.Scale(scheme="blues")),
            tooltip=["segment:N", "customers:Q", alt.Tooltip("revenue:Q", format=",.2f")],
        )
    )
    return _spec(chart)


def lorenz_curve(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Cumulative value share against cumulative customer share, with the equality line."""
    points = [{"cum_customer_share": 0.0, "cum_value_share": 0.0}, *rows]
    curve = (
        alt.Chart(alt.Data(values=points))
        .mark_line()
        .encode(
            x=alt.X("cum_customer_share:Q", title="customers (share)", axis=alt.Axis(format="%")),
            # Not "nice": a 0–100 % curve should not get an empty band up to 110 %.
            y=alt.Y(
                "cum_value_share:Q",
                title="revenue (share)",
                axis=alt.Axis(format="%"),
                scale=alt.Scale(nice=False),
            ),
        )
    )
    equality = (
        alt.Chart(alt.Data(values=[{"x": 0, "y": 0}, {"x": 1, "y": 1}]))
        .mark_line(strokeDash=[4, 4], color="gray")
        .encode(x="x:Q", y="y:Q")
    )
    return _spec(alt.layer(equality, curve).properties(width=WIDTH, height=320))


def funnel(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Customers per lifecycle stage, in funnel order."""
    chart = (
        alt.Chart(alt.Data(values=rows), width=WIDTH, height=200)
        .mark_bar()
        .encode(
            y=alt.Y("stage:N", sort=None, title=None),
            x=alt.X("customers:Q"),
            tooltip=["stage:N", "customers:Q", "play:N"],
        )
    )
    return _spec(chart)


def waterfall(row: dict[str, Any]) -> dict[str, Any]:
    """One period's leaky bucket: active before, minus churned, plus new and returning."""
    steps = [
        ("active before", 0, row["active_prev"]),
        ("churned", row["active_prev"] - row["churned"], row["active_prev"]),
        (
            "new",
            row["active_prev"] - row["churned"],
            row["active_prev"] - row["churned"] + row["new"],
        ),
        (
            "returning",
            row["active_prev"] - row["churned"] + row["new"],
            row["active"],
        ),
        ("active now", 0, row["active"]),
    ]
    values = [
        {"step": name, "start": start, "end": end, "order": i}
        for i, (name, start, end) in enumerate(steps)
    ]
    chart = (
        alt.Chart(alt.Data(values=values), width=WIDTH, height=260)
        .mark_bar()
        .encode(
            x=alt.X("step:N", sort=[name for name, _, _ in steps], title=None),
            y=alt.Y("start:Q", title="customers"),
            y2="end:Q",
            color=alt.Color("step:N", legend=None),
            tooltip=["step:N", "start:Q", "end:Q"],
        )
    )
    return _spec(chart)


def cohort_heatmap(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Share of each acquisition cohort active, by months since the first purchase."""
    chart = (
        alt.Chart(alt.Data(values=_plain(rows)), width=WIDTH, height=320)
        .mark_rect()
        .encode(
            x=alt.X("months_since_first:O", title="months since first purchase"),
            y=alt.Y("cohort:O", title="cohort", timeUnit="yearmonth"),
            color=alt.Color("share_active:Q", scale=alt.Scale(scheme="greens")),
            tooltip=["cohort:T", "months_since_first:O", "cohort_size:Q", "share_active:Q"],
        )
    )
    return _spec(chart)


def value_curve(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The customer life-cycle value curve: cumulative revenue per member by age, per cohort."""
    cumulative: dict[Any, float] = {}
    points = []
    for row in rows:
        total = cumulative.get(row["cohort"], 0.0) + (row["revenue_per_member"] or 0.0)
        cumulative[row["cohort"]] = total
        points.append(
            {
                "cohort": row["cohort"],
                "months_since_first": row["months_since_first"],
                "value": total,
            }
        )
    chart = (
        alt.Chart(alt.Data(values=_plain(points)), width=WIDTH, height=280)
        .mark_line()
        .encode(
            x=alt.X("months_since_first:Q", title="months since first purchase"),
            y=alt.Y("value:Q", title="cumulative revenue per member"),
            color=alt.Color("cohort:O", timeUnit="yearmonth", legend=None),
            tooltip=["cohort:T", "months_since_first:Q", alt.Tooltip("value:Q", format=",.2f")],
        )
    )
    return _spec(chart)


def abc_xyz_heatmap(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Items per ABC × XYZ cell."""
    base = alt.Chart(alt.Data(values=rows), width=240, height=200).encode(
        x=alt.X("xyz:N", title="XYZ"), y=alt.Y("abc:N", title="ABC")
    )
    cells = base.mark_rect().encode(
        color=alt.Color("items:Q", scale=alt.Scale(scheme="oranges")),
        tooltip=["abc:N", "xyz:N", "items:Q", alt.Tooltip("value:Q", format=",.2f")],
    )
    labels = base.mark_text().encode(text="items:Q")
    return _spec(alt.layer(cells, labels))
