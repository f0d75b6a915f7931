"""``pharmacrm analytics FUNCTION``: one analysis on CSV/Parquet files, no database.

Interfaces only: parse options, read the files (:mod:`pharmacrm.cli.analytics_io`), call one
pure function of :mod:`pharmacrm.analytics`, write the result with exactly the output columns
of DESIGN.md's command table. The CLV engineer's module adds ``clv`` and ``clusters`` to
:data:`analytics_app`.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import ibis
import ibis.expr.types as ir
import typer

from pharmacrm.cli import analytics_io

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
    con = ibis.duckdb.connect()
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


def register(app: typer.Typer) -> None:
    """Attach the ``analytics`` group to the ``pharmacrm`` command."""
    app.add_typer(analytics_app, name="analytics")


__all__ = ["analytics_app", "json", "register"]
