"""What ``pharmacrm demo`` does before serving: migrate, demo users, demo data, analytics.

It orchestrates several apps through their services, so it lives beside them rather than in
any one of them. Idempotent: running the demo twice reuses what the first run created.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.console import Console

DEMO_PASSWORD = "pharmacrm-demo"  # noqa: S105 - published demo credential, local installs only

DEMO_USERS = (
    ("admin", "administrator", "Ada", "Admin"),
    ("director", "director", "Dmitri", "Director"),
    ("manager", "regional_manager", "Mei", "Manager"),
    ("rep", "sales_rep", "Raj", "Rep"),
    ("analyst", "analyst", "Anna", "Analyst"),
    ("campaigns", "campaign_manager", "Carla", "Campaigns"),
    ("channels", "channel_manager", "Chen", "Channels"),
    ("suppliers", "supplier_manager", "Sam", "Suppliers"),
)


@dataclass
class DemoSummary:
    """What the demo set up, printed before serving (and by ``--no-serve``)."""

    database: str = ""
    users: list[tuple[str, str]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Human-readable summary lines."""
        out = [f"Database: {self.database}", "Demo logins (password: " + DEMO_PASSWORD + "):"]
        out += [f"  {username:<10} {role}" for username, role in self.users]
        if self.counts:
            out.append("Loaded: " + ", ".join(f"{k} {v}" for k, v in self.counts.items()))
        out += self.notes
        return out


def demo_setup(*, market: str, console: Console) -> DemoSummary:
    """Migrate, create the demo users and load the demo data for ``market``."""
    from pharmacrm.cli.django_setup import setup_django

    setup_django()
    from django.conf import settings
    from django.core.management import call_command

    from pharmacrm.core import services as core_services
    from pharmacrm.core.models import User
    from pharmacrm.core.roles import Role

    summary = DemoSummary(database=str(settings.DATABASES["default"]["NAME"]))
    with console.status("Migrating the database…"):
        call_command("migrate", "--noinput", verbosity=0)
    for username, role, first, last in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = core_services.user_create(
                username=username,
                role=Role(role),
                password=DEMO_PASSWORD,
                email=f"{username}@demo.pharmacrm.local",
                first_name=first,
                last_name=last,
            )
        summary.users.append((username, role))
    summary.counts["users"] = User.objects.count()
    summary.notes.append(f"Market: {market}")
    return summary
