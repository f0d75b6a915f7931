"""The ``pharmacrm`` console command (Typer + Rich).

Each group of sub-commands lives in its own ``commands_*`` module exposing
``register(app: typer.Typer) -> None``; this module only assembles them, so adding a command
never means editing a shared file beyond the list below. Command names follow the command
table of DESIGN.md.
"""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="pharmacrm",
    help="pharmacrm: CRM and customer analytics for the pharmaceutical trade.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=False,
)

# Order matters where a module adds commands to a group another module created
# (commands_clv adds `clv` and `clusters` to the `analytics` group).
_COMMAND_MODULES = (
    "pharmacrm.cli.commands_core",
    "pharmacrm.cli.commands_analytics",
    "pharmacrm.cli.commands_clv",
    "pharmacrm.cli.commands_generate",
    "pharmacrm.cli.commands_import",
    "pharmacrm.cli.commands_insights",
)

for _name in _COMMAND_MODULES:
    try:
        _module = importlib.import_module(_name)
    except ModuleNotFoundError as exc:  # a group still being built in this session
        if exc.name != _name:
            raise
        continue
    _module.register(app)


def main() -> None:
    """Entry point of the console script."""
    app()
