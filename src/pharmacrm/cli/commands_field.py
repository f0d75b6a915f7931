"""``pharmacrm field …``: call-plan generation for every rep and the targets import.

``generate-plans --period 2026Q1|2026-01`` runs ``call_plans_generate_all`` with a progress bar
(idempotent: a re-run rewrites only what changed); ``import-targets FILE [--dry-run]`` runs the
targets import of the import kit and prints every error by row and column.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from pharmacrm.cli.django_setup import setup_django

if TYPE_CHECKING:
    from pharmacrm.core.models import User

# Soft wrap: counts and paths stay on one line for scripts that read the output.
console = Console(soft_wrap=True)
field_app = typer.Typer(help="Field force: call plans and sales targets.", no_args_is_help=True)


def _acting_user(username: str) -> User | None:
    from pharmacrm.core.models import User

    if not username:
        return None
    user = User.objects.filter(username=username).first()
    if user is None:
        console.print(f"[red]No user {username!r}.[/]")
        raise typer.Exit(2)
    return user


@field_app.command("generate-plans")
def generate_plans(
    period: str = typer.Option(..., help="A quarter as 2026Q1 or a month as 2026-01."),
    user: str = typer.Option("", "--user", help="Username recorded in the audit trail."),
) -> None:
    """Generate (or refresh) the call plan of every active sales rep for one period."""
    setup_django()
    from pharmacrm.field.services import call_plans as call_plan_services
    from pharmacrm.field.services import targets as target_services

    try:
        chosen = target_services.period_parse(period)
    except ValueError as refused:
        console.print(f"[red]{refused}[/]")
        raise typer.Exit(2) from refused
    by = _acting_user(user)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        task = bar.add_task(f"Plans {chosen.label}", total=None)

        def on_progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        plans = call_plan_services.call_plans_generate_all(
            by=by,
            period_start=chosen.start,
            period_end=chosen.end,
            progress=on_progress,
        )
    from pharmacrm.field.models import CallPlanLine

    lines = CallPlanLine.objects.filter(plan__in=[p.pk for p in plans]).count()
    console.print(
        f"{len(plans)} plans for {chosen.label} "
        f"({chosen.start.isoformat()} – {chosen.end.isoformat()}), {lines} lines."
    )


@field_app.command("import-targets")
def import_targets(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="xlsx, xls or csv."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check every row; store nothing."),
    user: str = typer.Option("", "--user", help="Username recorded in the audit trail."),
) -> None:
    """Import sales targets; bad rows are listed by row and column and quarantined."""
    setup_django()
    from pharmacrm.core.importkit.errors import ImportKitError
    from pharmacrm.field.services import targets_import as target_import_services

    by = _acting_user(user)
    try:
        result = target_import_services.targets_import(
            by=by,
            path=file,
            dry_run=dry_run,
        )
    except ImportKitError as refused:
        console.print(f"[red]{file.name}: {refused}[/]")
        raise typer.Exit(2) from refused
    report = result.report
    for error in report.first_errors:
        console.print(f"{file.name}, row {error.row}, column {error.column}: {error.reason}")
    head = "Dry run, nothing stored" if dry_run else report.message
    console.print(
        f"{file.name}: {report.rows_read} rows read, {report.rows_stored} good, "
        f"{report.rows_quarantined} quarantined. {head}."
    )
    if report.quarantine_path is not None:
        console.print(f"Quarantined rows: {report.quarantine_path}")
    if report.rows_quarantined:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the ``field`` group to the ``pharmacrm`` command."""
    app.add_typer(field_app, name="field")
