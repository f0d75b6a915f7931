"""Core sub-commands: serve, worker, migrate, check, createuser, demo."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import typer
from rich.console import Console

from pharmacrm.cli.django_setup import call_django, setup_django

console = Console()

ROLE_SLUGS = (
    "administrator",
    "director",
    "regional_manager",
    "sales_rep",
    "analyst",
    "campaign_manager",
    "channel_manager",
    "supplier_manager",
)


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to bind."),
    port: int = typer.Option(8000, help="Port to bind."),
    dev: bool = typer.Option(False, "--dev", help="Django's auto-reloading development server."),
    workers: int = typer.Option(0, help="gunicorn worker processes (0: one per core, 2 to 9)."),
    threads: int = typer.Option(8, help="Threads per worker (gthread)."),
) -> None:
    """Run the web server: gunicorn by default, Django's runserver with --dev."""
    # One gthread worker per core with 8 threads each: a worker runs Python on one core at a
    # time (the GIL) and its threads overlap the database waits, so more processes than cores
    # only preempt one another mid-request. On 2 cores under the customer-master bench (20
    # users) 2 × 8 answered with a p95 of 140 ms where 5 × 4 (gunicorn's 2 × cores + 1, meant
    # for sync workers) took 1,100 ms at a similar load (bench/customer_master/RESULTS.md).
    if dev:
        call_django("runserver", f"{host}:{port}")
        return
    call_django("collectstatic", "--noinput", "--verbosity", "0")
    count = workers or min(max(os.cpu_count() or 1, 2), 9)
    console.print(
        f"pharmacrm serving on [bold]http://{host}:{port}/[/] ({count} workers × {threads} threads)"
    )
    args = [
        sys.executable,
        "-m",
        "gunicorn",
        "pharmacrm.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(count),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread",
        "--access-logfile",
        "-",
        "--timeout",
        "120",
    ]
    os.execvp(args[0], args)  # noqa: S606 - replace this process by gunicorn


def worker(
    queue: str = typer.Option("*", help="Queues to process, comma-separated; * for all."),
    batch: bool = typer.Option(False, "--batch", help="Run what is queued, then exit."),
) -> None:
    """Run the background task worker and the periodic-job scheduler (no broker needed)."""
    import threading

    args = ["db_worker", "--queue-name", queue, "--no-reload", "--interval", "1"]
    if batch:
        args.append("--batch")
        call_django(*args)
        return
    setup_django()
    from pharmacrm.core.schedule import run_scheduler_loop

    stop = threading.Event()
    scheduler = threading.Thread(
        target=run_scheduler_loop, kwargs={"stop": stop}, name="scheduler", daemon=True
    )
    scheduler.start()
    try:
        call_django(*args)
    finally:
        stop.set()


def migrate() -> None:
    """Create or update the database tables (Django's migrate)."""
    call_django("migrate", "--noinput")


def check(
    deploy: bool = typer.Option(False, "--deploy", help="Also the production checks."),
) -> None:
    """Django's system checks; `--deploy` with production settings must report nothing."""
    args = ["check", "--fail-level", "WARNING"]
    if deploy:
        args.append("--deploy")
    call_django(*args)


def createuser(
    username: str = typer.Argument(..., help="Login name."),
    role: str = typer.Option(..., help="One of: " + ", ".join(ROLE_SLUGS)),
    email: str = typer.Option("", help="E-mail address (for password resets and reminders)."),
    password: str = typer.Option(
        "", help="Password; empty: asked interactively (or unusable when not a terminal)."
    ),
) -> None:
    """Create a user with one role."""
    if role not in ROLE_SLUGS:
        console.print(f"[red]Unknown role {role!r}.[/] Choose one of: {', '.join(ROLE_SLUGS)}")
        raise typer.Exit(2)
    if not password and sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    setup_django()
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from pharmacrm.core import services as core_services
    from pharmacrm.core.roles import Role

    try:
        if password:
            validate_password(password)
        user = core_services.user_create(
            username=username, role=Role(role), password=password or None, email=email
        )
    except ValidationError as exc:
        for message in exc.messages:
            console.print(f"[red]{message}[/]")
        raise typer.Exit(1) from exc
    console.print(f"Created [bold]{user.username}[/] ({role}).")


def demo(
    market: str = typer.Option("en", help="Market of the demo data: cn, ru or en."),
    no_serve: bool = typer.Option(False, "--no-serve", help="Set up, print a summary and exit."),
    host: str = typer.Option("127.0.0.1"),
    port: int = typer.Option(8000),
) -> None:
    """Set up the embedded install with demo data and serve it with a worker."""
    from pharmacrm.demo_setup import demo_setup

    summary = demo_setup(market=market, console=console)
    console.rule("pharmacrm demo")
    for line in summary.lines():
        console.print(line)
    if no_serve:
        return
    console.print(
        f"\nOpen [bold]http://{host}:{port}/[/] — Ctrl+C stops the server and the worker."
    )
    exe = shutil.which("pharmacrm") or str(Path(sys.executable).with_name("pharmacrm"))
    worker_proc = subprocess.Popen([exe, "worker"])
    server_proc = subprocess.Popen([exe, "serve", "--host", host, "--port", str(port)])
    try:
        while worker_proc.poll() is None and server_proc.poll() is None:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for proc in (server_proc, worker_proc):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in (server_proc, worker_proc):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


# Tasks the CLI may run by name; each app adds its long-running jobs here.
RUNNABLE_TASKS = {
    "system-check": "pharmacrm.core.tasks.system_check",
    "analytics-run": "pharmacrm.insights.tasks.analytics_run_task",
}


def task(
    name: str = typer.Argument(..., help="Task name: " + ", ".join(RUNNABLE_TASKS)),
    params: list[str] = typer.Argument(None, help="Keyword arguments as KEY=VALUE."),
    enqueue: bool = typer.Option(
        False, "--enqueue", help="Queue it for `pharmacrm worker` instead of running it here."
    ),
) -> None:
    """Run a background task in the foreground (or queue it with --enqueue)."""
    import json

    from django.utils.module_loading import import_string

    if name not in RUNNABLE_TASKS:
        console.print(f"[red]Unknown task {name!r}.[/] Known: {', '.join(RUNNABLE_TASKS)}")
        raise typer.Exit(2)
    kwargs: dict[str, str] = {}
    for item in params or []:
        key, sep, value = item.partition("=")
        if not sep:
            console.print(f"[red]Expected KEY=VALUE, got {item!r}.[/]")
            raise typer.Exit(2)
        kwargs[key] = value
    setup_django()
    job = import_string(RUNNABLE_TASKS[name])
    if enqueue:
        result = job.enqueue(**kwargs)
        console.print(f"Queued {name}: {result.id}")
        return
    with console.status(f"Running {name}…"):
        value = job.call(**kwargs)
    console.print_json(json.dumps(value, default=str))


def register(app: typer.Typer) -> None:
    """Add the core commands to the ``pharmacrm`` app."""
    app.command()(serve)
    app.command()(worker)
    app.command()(migrate)
    app.command()(check)
    app.command()(createuser)
    app.command()(demo)
    app.command()(task)
