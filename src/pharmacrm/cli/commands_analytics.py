"""``pharmacrm analytics FUNCTION``: one analysis on CSV/Parquet files, no database.

Interfaces only: parse options, read the files (:mod:`pharmacrm.cli.analytics_io`), call one
pure function of :mod:`pharmacrm.analytics`, write the result with exactly the output columns
of DESIGN.md's command table. The CLV engineer's module adds ``clv`` and ``clusters`` to
:data:`analytics_app`.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import ibis
import ibis.expr.types as ir
import typer

from pharmacrm.analytics import engine as analytics_engine
from pharmacrm.cli import analytics_io

DEFAULT_MEMORY_LIMIT = "1GB"
"""DuckDB's memory for a one-file analysis unless ``ANALYTICS_MEMORY_LIMIT`` says otherwise:
enough for 10 M lines in memory (the BTYD summary of 10 M lines held as a DuckDB table peaks
at 1.0-1.06 GiB of process RSS with it, without spilling and at no measurable CPU cost;
bench/btyd/RESULTS.md, session 3), beyond it DuckDB spills to ``ANALYTICS_TEMP_DIR``. A
laptop analyst's run stays bounded instead of taking 80 % of the machine."""


def duckdb_connect() -> ibis.BaseBackend:
    """DuckDB for the one-file CLI, bounded as the environment (or the default) says."""
    return analytics_engine.connect(
        "duckdb",
        memory_limit=os.environ.get("ANALYTICS_MEMORY_LIMIT") or DEFAULT_MEMORY_LIMIT,
        temp_directory=os.environ.get("ANALYTICS_TEMP_DIR")
        or str(Path(tempfile.gettempdir()) / "pharmacrm-duckdb"),
    )


analytics_app = typer.Typer(
    help="Run one analysis on CSV/Parquet transaction files (no database).",
    no_args_is_help=True,
)

TransactionsOpt = Annotated[
    list[Path],
    typer.Option("--transactions", help="CSV or Parquet transaction file (repeatable)."),
]
ColumnsOpt = Annotated[
    str | None,
    typer.Option("--columns", help="Map view names to file columns: customer_id=cust,ts=date"),
]
AsOfOpt = Annotated[str, typer.Option("--as-of", help="Observation date YYYY-MM-DD, inclusive.")]
OutOpt = Annotated[Path, typer.Option("--out", help="Output file, .csv or .parquet.")]
TzOpt = Annotated[
    str | None, typer.Option("--tz", help="Zone for zoned timestamps (default: this machine's).")
]


def parse_as_of(text: str) -> date:
    """Parse ``--as-of``; a bad date exits with a message instead of a traceback."""
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()  # noqa: DTZ007 - a date, no zone
    except ValueError as exc:
        raise typer.BadParameter(
            f"{text!r} is not a date YYYY-MM-DD", param_hint="--as-of"
        ) from exc


def load(
    transactions: list[Path], columns: str | None, tz: str | None = None
) -> tuple[ibis.BaseBackend, ir.Table]:
    """Open DuckDB and read the transaction files; bad input exits with the reason."""
    con = duckdb_connect()
    try:
        mapping = analytics_io.parse_columns(columns)
        return con, analytics_io.read_transactions(con, transactions, columns=mapping, tz=tz)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc


def _write(table: ir.Table, out: Path) -> None:
    analytics_io.write_table(table, out)
    typer.echo(f"wrote {out}")


@analytics_app.command("btyd-summary")
def btyd_summary_command(
    transactions: TransactionsOpt,
    as_of: AsOfOpt,
    out: OutOpt,
    columns: ColumnsOpt = None,
    unit: Annotated[str, typer.Option(help="days or weeks (days / 7).")] = "days",
    tz: TzOpt = None,
) -> None:
    """Frequency, recency, T and monetary value per customer (lifetimes convention)."""
    from pharmacrm.analytics.btyd import btyd_summary

    if unit not in ("days", "weeks"):
        raise typer.BadParameter("use days or weeks", param_hint="--unit")
    _, tx = load(transactions, columns, tz)
    result = btyd_summary(tx, as_of=parse_as_of(as_of), unit=unit)  # type: ignore[arg-type]
    _write(result.order_by("customer_id"), out)


@analytics_app.command("rfm")
def rfm_command(
    transactions: TransactionsOpt,
    as_of: AsOfOpt,
    out: OutOpt,
    columns: ColumnsOpt = None,
    window_days: Annotated[
        int | None, typer.Option(help="Window length in days (default: all history).")
    ] = None,
    tz: TzOpt = None,
) -> None:
    """RFM scores 1-5 by rank and the named segment per customer."""
    from pharmacrm.analytics.rfm import rfm_scores, rfm_segments

    _, tx = load(transactions, columns, tz)
    result = rfm_segments(rfm_scores(tx, as_of=parse_as_of(as_of), window_days=window_days))
    _write(result.order_by("customer_id"), out)


@analytics_app.command("lifecycle")
def lifecycle_command(
    transactions: TransactionsOpt,
    as_of: AsOfOpt,
    out: OutOpt,
    columns: ColumnsOpt = None,
    tz: TzOpt = None,
) -> None:
    """Lifecycle stage (new / active / inactive / lost) and play per customer."""
    from pharmacrm.analytics.lifecycle import lifecycle_stage

    _, tx = load(transactions, columns, tz)
    _write(lifecycle_stage(tx, as_of=parse_as_of(as_of)).order_by("customer_id"), out)


@analytics_app.command("abc")
def abc_command(
    transactions: TransactionsOpt,
    as_of: AsOfOpt,
    out: OutOpt,
    columns: ColumnsOpt = None,
    by: Annotated[str, typer.Option(help="customer or sku.")] = "customer",
    measure: Annotated[str, typer.Option(help="revenue, margin or quantity.")] = "revenue",
    tz: TzOpt = None,
) -> None:
    """ABC class per customer (or SKU) by net revenue, margin or quantity."""
    from pharmacrm.analytics.abc_xyz import abc

    if by not in ("customer", "sku"):
        raise typer.BadParameter("use customer or sku", param_hint="--by")
    _, tx = load(transactions, columns, tz)
    result = abc(tx, as_of=parse_as_of(as_of), by=by, measure=measure)
    _write(result.order_by(result.value.desc(), result[result.columns[0]]), out)


@analytics_app.command("xyz")
def xyz_command(
    transactions: TransactionsOpt,
    as_of: AsOfOpt,
    out: OutOpt,
    columns: ColumnsOpt = None,
    by: Annotated[str, typer.Option(help="sku or customer.")] = "sku",
    tz: TzOpt = None,
) -> None:
    """XYZ class per SKU (or customer) from monthly quantity over complete months."""
    from pharmacrm.analytics.abc_xyz import xyz

    if by not in ("customer", "sku"):
        raise typer.BadParameter("use customer or sku", param_hint="--by")
    _, tx = load(transactions, columns, tz)
    result = xyz(tx, as_of=parse_as_of(as_of), by=by)
    _write(result.order_by(result.columns[0]), out)


@analytics_app.command("pareto")
def pareto_command(
    transactions: TransactionsOpt,
    as_of: AsOfOpt,
    out: OutOpt,
    columns: ColumnsOpt = None,
    summary_out: Annotated[
        Path | None, typer.Option("--summary-out", help="JSON file for gini and top20_share.")
    ] = None,
    tz: TzOpt = None,
) -> None:
    """Lorenz points per customer rank; Gini and top-20 % share to --summary-out."""
    from pharmacrm.analytics.pareto import pareto, pareto_summary

    _, tx = load(transactions, columns, tz)
    day = parse_as_of(as_of)
    points = pareto(tx, as_of=day).drop("is_vip")
    _write(points.order_by("rank"), out)
    if summary_out is not None:
        row = pareto_summary(tx, as_of=day).to_pyarrow().to_pylist()[0]
        summary = {"gini": row["gini"], "top20_share": row["top20_share"]}
        summary_out.write_text(json.dumps(summary, indent=2) + "\n")
        typer.echo(f"wrote {summary_out}")


@analytics_app.command("leaky-bucket")
def leaky_bucket_command(
    transactions: TransactionsOpt,
    as_of: AsOfOpt,
    out: OutOpt,
    columns: ColumnsOpt = None,
    period: Annotated[str, typer.Option(help="month or quarter.")] = "month",
    tz: TzOpt = None,
) -> None:
    """Flows of active customers (new, retained, returning, churned) per period."""
    from pharmacrm.analytics.leaky_bucket import leaky_bucket

    if period not in ("month", "quarter"):
        raise typer.BadParameter("use month or quarter", param_hint="--period")
    _, tx = load(transactions, columns, tz)
    _write(leaky_bucket(tx, as_of=parse_as_of(as_of), period=period), out)  # type: ignore[arg-type]


@analytics_app.command("cohorts")
def cohorts_command(
    transactions: TransactionsOpt,
    as_of: AsOfOpt,
    out: OutOpt,
    columns: ColumnsOpt = None,
    tz: TzOpt = None,
) -> None:
    """Acquisition-month cohorts by months since first purchase."""
    from pharmacrm.analytics.cohorts import cohorts

    _, tx = load(transactions, columns, tz)
    _write(cohorts(tx, as_of=parse_as_of(as_of)), out)


@analytics_app.command("kpis")
def kpis_command(
    transactions: TransactionsOpt,
    as_of: AsOfOpt,
    out: OutOpt,
    columns: ColumnsOpt = None,
    period: Annotated[str, typer.Option(help="month, quarter, week (ISO) or day.")] = "month",
    slice_by: Annotated[
        str | None,
        typer.Option(
            "--slice", help="Comma-separated columns to slice by: region,channel,gender,age_band"
        ),
    ] = None,
    customers: Annotated[
        Path | None,
        typer.Option(
            "--customers", help="CSV/Parquet customer dimension: customer_id, gender, birth_year"
        ),
    ] = None,
    start: Annotated[
        str | None, typer.Option("--start", help="First day reported (YYYY-MM-DD).")
    ] = None,
    mix_by: Annotated[
        str | None, typer.Option("--mix-by", help="gender or age_band: also write the mix.")
    ] = None,
    mix_out: Annotated[
        Path | None, typer.Option("--mix-out", help="Output file for the --mix-by mix.")
    ] = None,
    tz: TzOpt = None,
) -> None:
    """Customers, checks, money, basket width and check length per period (and slice)."""
    from pharmacrm.analytics.kpis import PERIODS, kpi_mix, kpis

    if period not in PERIODS:
        raise typer.BadParameter(f"use one of {', '.join(PERIODS)}", param_hint="--period")
    if (mix_by is None) != (mix_out is None):
        raise typer.BadParameter("give --mix-by and --mix-out together", param_hint="--mix-out")
    if mix_by not in (None, "gender", "age_band"):
        raise typer.BadParameter("use gender or age_band", param_hint="--mix-by")
    con, tx = load(transactions, columns, tz)
    dimension = None
    if customers is not None:
        try:
            dimension = analytics_io.read_customers(
                con, customers, customer_id_type=tx.customer_id.type()
            )
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--customers") from exc
    slices = tuple(c.strip() for c in slice_by.split(",") if c.strip()) if slice_by else ()
    day = parse_as_of(as_of)
    first = None if start is None else parse_as_of(start)
    options = {"as_of": day, "period": period, "customers": dimension, "start": first}
    try:
        result = kpis(tx, slice_by=slices, **options)  # type: ignore[arg-type]
        mix = None if mix_by is None else kpi_mix(tx, by=mix_by, **options)  # type: ignore[arg-type]
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    _write(result, out)
    if mix is not None and mix_out is not None:
        _write(mix, mix_out)


def register(app: typer.Typer) -> None:
    """Attach the ``analytics`` group to the ``pharmacrm`` command."""
    app.add_typer(analytics_app, name="analytics")
