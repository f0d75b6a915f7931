"""``pharmacrm import KIND FILE... [--mapping NAME] [--dry-run]``: any registered import kind.

The command is an interface only: it resolves the kind in the import kit's registry, shows a
Rich progress bar fed by the pipeline's progress callback, and prints each file's counts,
timings and quarantine path. When the database is migrated, the import goes through
``warehouse.services.import_job_run`` (the service the web upload's worker runs), so it is
recorded as an ImportJob; without a database, warehouse kinds still import (nothing recorded).
The installation's ``WAREHOUSE_DIR``, ``BASE_CURRENCY`` and ``TIME_ZONE`` come from settings.

``pharmacrm export-dimensions`` writes the master-data dimension snapshots for analytics.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from pharmacrm.cli.django_setup import setup_django
from pharmacrm.core.importkit.errors import ImportKitError
from pharmacrm.core.importkit.registry import (
    FileReport,
    ImportRequest,
    adapter_names,
    get_kind,
    kind_names,
    load_kinds,
)
from pharmacrm.core.importkit.registry import Progress as ImportProgress

console = Console()


def import_command(
    kind: str = typer.Argument(..., help="accounts, contacts, …, receipts, invoices, flows, …"),
    files: list[Path] = typer.Argument(..., exists=True, dir_okay=False, help="Files to import."),
    mapping: str | None = typer.Option(
        None, "--mapping", help="A named adapter of the kind, or a saved mapping template."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate and report; store nothing."),
    source: str | None = typer.Option(None, help="Partition source (a POS, a distributor)."),
    currency: str | None = typer.Option(None, help="ISO 4217 currency when the file has none."),
    timezone: str | None = typer.Option(None, help="Zone of the file's wall-clock times."),
) -> None:
    """Import files of one KIND: validate every row, quarantine bad ones, store the rest."""
    setup_django()
    from django.conf import settings

    failed = load_kinds()
    try:
        get_kind(kind)
    except ImportKitError as exc:
        console.print(f"[red]{exc}[/]")
        for module, error in failed.items():
            console.print(f"(kinds of {module} unavailable: {error})")
        raise typer.Exit(2) from exc
    options = {
        "warehouse_dir": str(settings.WAREHOUSE_DIR),
        "currency": currency or getattr(settings, "BASE_CURRENCY", "EUR"),
    }
    if source:
        options["source"] = source
    if timezone:
        options["timezone"] = timezone
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=True,
    ) as bar:  # fmt: skip
        task = bar.add_task(f"import {kind}", total=None)

        def on_progress(progress: ImportProgress) -> None:
            total = max(progress.rows_total, progress.rows_done) or None
            bar.update(task, description=progress.file, completed=progress.rows_done, total=total)

        try:
            reports = _run(kind, files, mapping, dry_run, options, on_progress)
        except ImportKitError as exc:
            console.print(f"[red]{exc}[/]")
            if mapping is None and adapter_names(kind):
                console.print(f"named mappings for {kind}: {', '.join(adapter_names(kind))}")
            raise typer.Exit(1) from exc
    _print_reports(reports)
    if any(report.status == "failed" for report in reports):
        raise typer.Exit(1)


def _jobs_recorded() -> bool:
    """True when the import-job table exists (the database is migrated)."""
    from django.db import DatabaseError, connection

    try:
        return "warehouse_importjob" in connection.introspection.table_names()
    except DatabaseError:
        return False


def _run(  # noqa: PLR0913 - the command's options, passed on
    kind: str,
    files: list[Path],
    mapping: str | None,
    dry_run: bool,
    options: dict[str, str],
    on_progress: Callable[[ImportProgress], None],
) -> list[FileReport]:
    """Import through the job service when there is a database, else through the handler."""
    if not _jobs_recorded():
        request = ImportRequest(
            files=tuple(files), mapping=mapping, dry_run=dry_run, options=options,
            progress=on_progress,
        )  # fmt: skip
        return get_kind(kind).handler(request)
    from django.core.exceptions import ValidationError

    from pharmacrm.warehouse import selectors as warehouse_selectors
    from pharmacrm.warehouse import services as warehouse_services

    template = warehouse_selectors.mapping_template_latest(name=mapping) if mapping else None
    job_options = {k: v for k, v in options.items() if k not in {"warehouse_dir"}}
    try:
        job = warehouse_services.import_job_create(
            by=None, kind=kind, files=files, mapping=(mapping or "") if template is None else "",
            template=template, dry_run=dry_run, options=job_options,
        )  # fmt: skip
    except ValidationError as exc:
        raise ImportKitError("; ".join(exc.messages)) from exc
    job = warehouse_services.import_job_run(job=job, progress=on_progress)
    console.print(f"import job #{job.pk}: {job.status}")
    for item in job.reports:
        for error in item["first_errors"][:5]:
            console.print(f"  {error}")
    return [_report(item) for item in job.reports]


def _report(item: dict[str, Any]) -> FileReport:
    """A file report back from the job's JSON (for printing)."""
    return FileReport(
        file=item["file"], status=item["status"], import_id=item["import_id"],
        rows_read=item["rows_read"], rows_stored=item["rows_stored"],
        rows_quarantined=item["rows_quarantined"], duplicates=item["duplicates"],
        unresolved=item["unresolved"],
        quarantine_path=Path(item["quarantine_path"]) if item["quarantine_path"] else None,
        errors_path=Path(item["errors_path"]) if item["errors_path"] else None,
        unresolved_path=Path(item["unresolved_path"]) if item["unresolved_path"] else None,
        timings=item["timings"], message=item["message"], mapping=item["mapping"],
        first_errors=[],
    )  # fmt: skip


def _print_reports(reports: list[FileReport]) -> None:
    table = Table(title="import")
    for column in ("file", "status", "read", "stored", "quarantined", "duplicates", "seconds"):
        table.add_column(column, justify="right" if column not in {"file", "status"} else "left")
    for report in reports:
        table.add_row(
            Path(report.file).name, report.status, f"{report.rows_read:,}",
            f"{report.rows_stored:,}", f"{report.rows_quarantined:,}", f"{report.duplicates:,}",
            f"{report.timings.get('total', 0.0):.2f}",
        )  # fmt: skip
    console.print(table)
    for report in reports:
        if report.message:
            console.print(f"{Path(report.file).name}: {report.message}")
        if report.quarantine_path:
            console.print(f"quarantine: {report.quarantine_path}")
            console.print(f"errors:     {report.errors_path}")
            for error in report.first_errors[:5]:
                console.print(f"  {error}")
        if report.unresolved:
            counts = ", ".join(f"{name}: {count:,}" for name, count in report.unresolved.items())
            console.print(
                f"unresolved codes kept with empty ids ({counts}): {report.unresolved_path}"
            )
        if report.timings:
            timings = ", ".join(
                f"{name} {seconds:.2f}s" for name, seconds in report.timings.items()
            )
            console.print(f"timings: {timings}")


def export_dimensions_command(
    out: Path | None = typer.Option(None, help="Folder (default: WAREHOUSE_DIR/dimensions)."),
) -> None:
    """Write accounts, contacts' accounts, consumers, products and territories to Parquet."""
    setup_django()
    from pharmacrm.warehouse import services as warehouse_services

    counts = warehouse_services.dimensions_export(out_dir=out)
    for name, rows in counts.items():
        console.print(f"{name}: {rows:,} rows")


def register(app: typer.Typer) -> None:
    """Add ``import`` and ``export-dimensions`` to the ``pharmacrm`` command."""
    app.command("export-dimensions", help="Write the dimension snapshots for analytics.")(
        export_dimensions_command
    )
    app.command(
        "import",
        help="Import files of one kind: " + ", ".join(kind_names() or ["(see DESIGN.md)"]),
    )(import_command)
