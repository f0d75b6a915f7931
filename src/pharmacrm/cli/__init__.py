"""The ``pharmacrm`` console command (Typer + Rich).

Each group of sub-commands lives in its own ``commands_*`` module exposing
``register(app: typer.Typer) -> None``; this module only assembles them. Command names follow the
command table of DESIGN.md.

Start-up cost matters (``pharmacrm serve`` should not load Ibis, Polars and PySpark): ``main``
imports only the module that owns the command being run; ``--help`` and unknown commands load
them all. ``pharmacrm.cli.app`` (used by tests) is the complete application, built on first use.
"""

from __future__ import annotations

import importlib
import sys

import typer

# module → the top-level commands it registers. Order matters where a module adds commands to a
# group another module created (commands_clv adds `clv` and `clusters` to `analytics`).
_COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "pharmacrm.cli.commands_core": (
        "serve",
        "worker",
        "migrate",
        "check",
        "createuser",
        "demo",
        "task",
    ),
    "pharmacrm.cli.commands_analytics": ("analytics",),
    "pharmacrm.cli.commands_clv": ("analytics",),
    "pharmacrm.cli.commands_generate": ("generate",),
    "pharmacrm.cli.commands_import": ("import", "export-dimensions"),
    "pharmacrm.cli.commands_insights": ("analyze",),
    "pharmacrm.cli.commands_field": ("field",),
}


def build_app(command: str | None = None) -> typer.Typer:
    """The Typer app with every command, or only the modules that provide ``command``."""
    app = typer.Typer(
        name="pharmacrm",
        help="pharmacrm: CRM and customer analytics for the pharmaceutical trade.",
        no_args_is_help=True,
        pretty_exceptions_show_locals=False,
        add_completion=False,
    )

    @app.callback()
    def _root() -> None:
        """Pharmacrm: CRM and customer analytics for the pharmaceutical trade."""

    for module_name, commands in _COMMAND_MODULES.items():
        if command is not None and command not in commands:
            continue
        importlib.import_module(module_name).register(app)
    return app


_full_app: typer.Typer | None = None


def __getattr__(name: str) -> typer.Typer:
    """``pharmacrm.cli.app``: the complete application, built once on first access."""
    global _full_app
    if name != "app":
        raise AttributeError(name)
    if _full_app is None:
        _full_app = build_app()
    return _full_app


def main() -> None:
    """Entry point of the console script."""
    first = next((arg for arg in sys.argv[1:] if not arg.startswith("-")), None)
    known = any(first in commands for commands in _COMMAND_MODULES.values())
    build_app(first if known else None)()
