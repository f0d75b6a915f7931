"""``pharmacrm generate``: write a synthetic pharma business with its ground truth to files."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn


def register(app: typer.Typer) -> None:
    """Add the ``generate`` command to ``app``."""
    app.command("generate")(generate)


def generate(
    scale: Annotated[str, typer.Option(help="small | medium | large")] = "small",
    market: Annotated[str, typer.Option(help="cn | ru | en")] = "cn",
    model: Annotated[
        str, typer.Option(help="realistic | pure (exact BG/NBD + Gamma-Gamma)")
    ] = "realistic",
    seed: Annotated[int, typer.Option(help="same seed and options → byte-identical files")] = 0,
    out: Annotated[
        Path | None, typer.Option(help="default: var/generated/<market>-<scale>-<seed>")
    ] = None,
    workers: Annotated[int, typer.Option(help="worker processes for receipts")] = min(
        2, os.cpu_count() or 1
    ),
) -> None:
    """Generate master data, facts (Parquet + source files) and truth; no database needed."""
    from pharmacrm.demo.generator.config import SCALES, GenerateOptions
    from pharmacrm.demo.generator.run import default_out
    from pharmacrm.demo.generator.run import generate as run_generate

    if scale not in SCALES:
        raise typer.BadParameter(
            f"unknown scale {scale!r}; choose small, medium or large", param_hint="--scale"
        )
    if model not in ("realistic", "pure"):
        raise typer.BadParameter(
            f"unknown model {model!r}; choose realistic or pure", param_hint="--model"
        )
    if market not in ("cn", "ru", "en"):
        raise typer.BadParameter(
            f"unknown market {market!r}; choose cn, ru or en", param_hint="--market"
        )
    options = GenerateOptions(SCALES[scale], market, model, seed)  # type: ignore[arg-type]
    target = out or default_out(options)
    console = Console()
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as bar:
        tasks: dict[str, TaskID] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        try:
            counts = run_generate(options, target, workers=workers, progress=report)
        except OSError as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from exc
    console.print(f"wrote {target}")
    for name, value in counts.items():
        console.print(f"  {name}: {value:,}")
