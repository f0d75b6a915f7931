"""``pharmacrm analyze``: the full analytics run into the Parquet snapshot and the OLTP database.

The same service the page's "Run now" button and the scheduled task call
(:func:`pharmacrm.insights.services.run_analytics`), in the foreground with a Rich progress
bar. Without ``--as-of`` the run takes the last day present in the facts and prints it, so
nobody mistakes a run for "as of today".
"""

from __future__ import annotations

from datetime import date, datetime

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from pharmacrm.cli.django_setup import setup_django

console = Console()

_STEPS = 10
"""Progress steps of a run: read, score, CLV, clusters and aggregate ×2 kinds each, save."""


def _parse_as_of(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()  # noqa: DTZ007 - a date, no zone
    except ValueError as exc:
        raise typer.BadParameter(
            f"{text!r} is not a date YYYY-MM-DD", param_hint="--as-of"
        ) from exc


def analyze(
    as_of: str | None = typer.Option(
        None, "--as-of", help="Observation date YYYY-MM-DD (default: the last day in the facts)."
    ),
    engine: str | None = typer.Option(
        None, "--engine", help="duckdb or spark (default: the ANALYTICS_ENGINE setting)."
    ),
) -> None:
    """Run every analysis over the warehouse; write the snapshot to Parquet and the database."""
    day = _parse_as_of(as_of)
    if engine is not None and engine not in ("duckdb", "spark"):
        raise typer.BadParameter(f"{engine!r} is not duckdb or spark", param_hint="--engine")
    setup_django()
    from pharmacrm.insights import services as insights_services

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        bar = progress.add_task("Starting", total=_STEPS)

        def step(description: str) -> None:
            progress.update(bar, description=description, advance=1)

        try:
            run = insights_services.run_analytics(by=None, as_of=day, engine=engine, progress=step)
        except ValueError as exc:
            console.print(f"[red]{exc}[/]")
            raise typer.Exit(1) from exc
        progress.update(bar, description="Done", completed=_STEPS)
    assert run.as_of is not None
    source = "given" if day else "the last day present in the facts"
    console.print(f"as_of: {run.as_of.isoformat()} ({source})")
    console.print(
        f"Run #{run.pk} on {run.engine}: {run.customer_count} customers in "
        f"{run.duration_seconds or 0:.1f} s; outputs in {run.output_dir}"
    )
    for name, rows in sorted(run.row_counts.items()):
        console.print(f"  {name}: {rows}")
    if run.skipped:
        console.print(f"Not available in this installation: {', '.join(run.skipped)}")
    for note in run.notes:
        console.print(f"[yellow]{note}[/]")


def register(app: typer.Typer) -> None:
    """Add ``analyze`` to the ``pharmacrm`` app."""
    app.command()(analyze)
