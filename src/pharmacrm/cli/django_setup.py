"""Start Django once for commands that need the ORM (the one-file analytics CLI does not)."""

from __future__ import annotations

import os


def setup_django() -> None:
    """Configure settings (default ``pharmacrm.settings``) and populate the app registry."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pharmacrm.settings")
    import django

    django.setup()


def call_django(*args: str) -> None:
    """Run a Django management command in this process."""
    setup_django()
    from django.core.management import call_command

    call_command(*args)
