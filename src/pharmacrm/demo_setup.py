"""What ``pharmacrm demo`` does before serving: migrate, users, generated data, analytics.

It orchestrates several apps through their services and the import paths, so it lives beside
them rather than in any one of them. The demo business is generated once (``small``, fixed
seed) under ``var/generated/`` and then loaded exactly as a customer's files would be: master
data through the master-data import kinds, facts through the warehouse import, each with the
explicit mappings of :mod:`pharmacrm.demo.import_mappings`.

Idempotent: a second run finds the generated files, upserts master data without changes,
skips fact files whose content hash was imported already, keeps existing users and
assignments, and starts no new analytics run when no new fact arrived.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from pharmacrm.core.importkit.registry import FileReport, ImportRequest
from pharmacrm.demo.generator.config import SCALES, WINDOW_START, GenerateOptions, Scale
from pharmacrm.demo.import_mappings import fact_imports, master_imports

if TYPE_CHECKING:
    from pharmacrm.core.models import User
    from pharmacrm.warehouse.pipeline import DictResolver

DEMO_PASSWORD = "pharmacrm-demo"  # noqa: S105 - published demo credential, local installs only
DEMO_SEED = 7
"""Seed of the demo business: every install shows the same customers."""

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

FACT_NAMES = {
    "receipts": "receipt_lines",
    "invoices": "invoice_lines",
    "online-orders": "online_orders",
    "flows": "flow_lines",
}

StepCallback = Callable[[str, int], None]


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
            out.append("Loaded: " + ", ".join(f"{k} {v:,}" for k, v in self.counts.items()))
        out += self.notes
        return out


@dataclass
class LoadResult:
    """Reports of one load, for the summary and for tests."""

    master: dict[str, FileReport] = field(default_factory=dict)
    facts: dict[str, list[FileReport]] = field(default_factory=dict)
    users_created: int = 0
    assignments_created: int = 0

    def new_fact_rows(self) -> int:
        """Fact rows stored by this load (0 when every file had been imported before)."""
        return sum(
            report.rows_stored
            for reports in self.facts.values()
            for report in reports
            if report.status == "committed"
        )


def demo_setup(
    *,
    market: str,
    console: Console,
    scale: Scale | None = None,
    seed: int = DEMO_SEED,
    analyze: bool = True,
) -> DemoSummary:
    """Migrate, create the demo users, generate and load the demo business, run analytics.

    Parameters
    ----------
    market
        ``cn``, ``ru`` or ``en``.
    console
        Where the progress display and messages go.
    scale
        Size of the business; default ``small`` (tests pass a smaller one).
    seed
        Generator seed; the default gives every install the same demo.
    analyze
        Run the full analytics after loading (when the insights app offers it).
    """
    from pharmacrm.cli.django_setup import setup_django

    setup_django()
    from django.conf import settings
    from django.core.management import call_command

    scale = scale or SCALES["small"]
    out = generated_dir(Path(settings.VAR_DIR), market=market, scale=scale, seed=seed)
    _claim_install(Path(settings.VAR_DIR), out, console)
    summary = DemoSummary(database=str(settings.DATABASES["default"]["NAME"]))
    with console.status("Migrating the database…"):
        call_command("migrate", "--noinput", verbosity=0)
    admin = _demo_users(summary)
    with _progress(console) as step:
        ensure_generated(out, market=market, scale=scale, seed=seed, step=step)
        result = load_business(
            out,
            market=market,
            by=admin,
            warehouse_dir=Path(settings.WAREHOUSE_DIR),
            quarantine_dir=Path(settings.VAR_DIR) / "quarantine",
            step=step,
        )
        if analyze:
            summary.notes += _analytics(admin, result, step)
        from pharmacrm.demo.field_demo import field_demo_note

        summary.notes.append(field_demo_note(by=admin))
    summary.counts.update(loaded_counts(Path(settings.WAREHOUSE_DIR)))
    summary.notes.insert(0, f"Market: {market}; generated data: {out}")
    quarantined = sum(r.rows_quarantined for r in _all_reports(result))
    if quarantined:
        summary.notes.append(f"{quarantined} rows were quarantined (see var/quarantine/)")
    return summary


class DemoConflictError(typer.Exit):
    """The install already holds another demo business (another market, seed or size).

    A ``typer.Exit`` (status 2): ``pharmacrm demo`` ends quietly after the message, which
    :func:`demo_setup` has printed, instead of showing a traceback.
    """

    def __init__(self, message: str) -> None:
        super().__init__(2)
        self.message = message


def _claim_install(var_dir: Path, out: Path, console: Console) -> None:
    """Record which demo business this install holds; refuse to mix in a second one.

    Two generated businesses share account codes (``MFR01``, ``HOS001`` …): loading a second
    market would overwrite the first one's accounts and quarantine its facts as duplicates.

    Raises
    ------
    DemoConflictError
        Naming the business already loaded and how to start another one.
    """
    marker = var_dir / "demo-business.txt"
    if marker.exists():
        loaded = marker.read_text("utf-8").strip()
        if loaded != out.name:
            message = (
                f"this install already holds the demo business {loaded!r}; to see "
                f"{out.name!r}, use another state folder (PHARMACRM_VAR=var-{out.name} "
                "pharmacrm demo …) or delete var/"
            )
            console.print(f"[red]{message}[/]")
            raise DemoConflictError(message)
        return
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(out.name + "\n", "utf-8")


def generated_dir(var_dir: Path, *, market: str, scale: Scale, seed: int) -> Path:
    """``var/generated/<market>-<scale>-<seed>``; a non-standard size adds its member count."""
    name = f"{market}-{scale.name}-{seed}"
    if scale != SCALES.get(scale.name):
        name = f"{market}-{scale.name}-{scale.members}m-{seed}"
    return var_dir / "generated" / name


def ensure_generated(
    out: Path, *, market: str, scale: Scale, seed: int, step: StepCallback | None = None
) -> bool:
    """Generate the business into ``out`` unless a complete one is there; True if generated.

    ``truth/population.json`` is written last, so its presence marks a finished generation.
    """
    from pharmacrm.demo.generator.run import generate

    if (out / "truth" / "population.json").exists():
        return False
    _announce(step, "Generating the demo business", 1)
    # One process: small starts faster than a worker pool (see generator.run._results).
    generate(GenerateOptions(scale, market, "realistic", seed), out, workers=1)
    _advance(step)
    return True


def load_business(
    out: Path,
    *,
    market: str,
    by: User | None,
    warehouse_dir: Path,
    quarantine_dir: Path,
    step: StepCallback | None = None,
) -> LoadResult:
    """Load a generated business: territories, reps, master data, then every fact file.

    Master data first, so the warehouse import resolves outlet, card, SKU and account codes to
    the ids it stores beside them (analytics counts customers by those ids).
    """
    from pharmacrm.core.importkit.registry import get_kind, load_kinds
    from pharmacrm.demo.markets import get_market
    from pharmacrm.warehouse.kinds import FACT_KINDS, run_import

    load_kinds()
    result = LoadResult()
    steps = master_imports(out)
    facts = fact_imports(out, get_market(market))
    _announce(step, "Loading master data", len(steps) + 1)
    for item in steps:
        options = {**item.options, "quarantine_dir": str(quarantine_dir)}
        if by is not None:
            options["user"] = by.get_username()
        (report,) = get_kind(item.kind).handler(ImportRequest(files=item.files, options=options))
        result.master[item.kind] = report
        _advance(step)
        if item.kind == "territories":
            result.users_created, result.assignments_created = reps_load(
                out / "master" / "reps.csv", by=by
            )
            _advance(step)
    resolver = code_resolver()
    _announce(step, "Importing sales facts", sum(len(item.files) for item in facts))
    for item in facts:
        options = {
            **item.options,
            "warehouse_dir": str(warehouse_dir),
            "quarantine_dir": str(quarantine_dir),
        }
        request = ImportRequest(files=item.files, options=options)
        reports = run_import(request, FACT_KINDS[item.kind], resolver=resolver)
        result.facts.setdefault(item.kind, []).extend(reports)
        for _report in reports:
            _advance(step)
    return result


def reps_load(path: Path, *, by: User | None) -> tuple[int, int]:
    """Create the generated reps as users and give each their territories from the window start.

    Returns (users created, assignments created); existing users and assignments are kept.
    """
    import csv

    from pharmacrm.core import services as core_services
    from pharmacrm.core.models import User
    from pharmacrm.core.roles import Role

    users = assignments = 0
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        user = User.objects.filter(username=row["username"]).first()
        if user is None:
            first, _space, last = row["name"].partition(" ")
            user = core_services.user_create(
                username=row["username"],
                role=Role(row["role"]),
                password=DEMO_PASSWORD,
                email=row["email"],
                first_name=first,
                last_name=last,
            )
            users += 1
        assignments += _assign(user, row["territory_codes"].split(";"), by=by)
    # The demo's own manager and rep logins cover what the first generated ones cover, so
    # signing in as "rep" shows a populated, territory-scoped account list.
    for demo_name, role in (("manager", "regional_manager"), ("rep", "sales_rep")):
        demo_user = User.objects.filter(username=demo_name).first()
        model = next((r for r in rows if r["role"] == role), None)
        if demo_user is not None and model is not None:
            assignments += _assign(demo_user, model["territory_codes"].split(";"), by=by)
    return users, assignments


def _assign(user: User, codes: list[str], *, by: User | None) -> int:
    from pharmacrm.territories import selectors as territory_selectors
    from pharmacrm.territories import services as territory_services

    covered = {a.territory_id for a in territory_selectors.assignment_list(user_id=user.pk)}
    created = 0
    for code in filter(None, (c.strip() for c in codes)):
        territory = territory_selectors.territory_get_by_code(code=code)
        if territory is None or territory.pk in covered:
            continue
        territory_services.assignment_create(
            by=by, user=user, territory=territory, starts_on=WINDOW_START
        )
        created += 1
    return created


def code_resolver() -> DictResolver:
    """Source codes → OLTP ids from the master data now stored (the dimension selectors)."""
    from pharmacrm.warehouse import selectors as warehouse_selectors
    from pharmacrm.warehouse.pipeline import DictResolver

    accounts = {r["code"]: r["account_id"] for r in warehouse_selectors.dimension_accounts()}
    return DictResolver(
        {
            "account": accounts,
            "outlet": accounts,
            "consumer": {
                r["card_no"]: r["consumer_id"] for r in warehouse_selectors.dimension_consumers()
            },
            "product": {
                r["sku_code"]: r["product_id"] for r in warehouse_selectors.dimension_products()
            },
        }
    )


def loaded_counts(warehouse_dir: Path) -> dict[str, int]:
    """Rows now in the database and the warehouse, for the summary."""
    import pyarrow.parquet as pq

    from pharmacrm.accounts.models import Account, Consumer, Contact
    from pharmacrm.catalog.models import Product
    from pharmacrm.core.models import User
    from pharmacrm.territories.models import Territory
    from pharmacrm.warehouse.store import WarehouseStore

    counts = {
        "users": User.objects.count(),
        "territories": Territory.objects.count(),
        "accounts": Account.objects.count(),
        "contacts": Contact.objects.count(),
        "consumers": Consumer.objects.count(),
        "products": Product.objects.count(),
    }
    if (warehouse_dir / "manifest.json").exists():
        store = WarehouseStore(warehouse_dir)
        for fact in FACT_NAMES.values():
            counts[fact] = sum(
                pq.ParquetFile(path).metadata.num_rows for path in store.live_files(fact)
            )
    return counts


def _demo_users(summary: DemoSummary) -> User:
    from pharmacrm.core import services as core_services
    from pharmacrm.core.models import User
    from pharmacrm.core.roles import Role

    for username, role, first, last in DEMO_USERS:
        if not User.objects.filter(username=username).exists():
            core_services.user_create(
                username=username,
                role=Role(role),
                password=DEMO_PASSWORD,
                email=f"{username}@demo.pharmacrm.local",
                first_name=first,
                last_name=last,
            )
        summary.users.append((username, role))
    return User.objects.get(username="admin")


def _analytics(by: User, result: LoadResult, step: StepCallback) -> list[str]:
    """Run the full analytics when the insights app offers it and new facts arrived."""
    try:
        from pharmacrm.insights import selectors as insights_selectors
        from pharmacrm.insights import services as insights_services
    except ImportError:
        return ["Analytics: skipped (the insights app is not installed)."]
    run_analytics = getattr(insights_services, "run_analytics", None)
    if run_analytics is None:
        return ["Analytics: skipped (pharmacrm.insights offers no run service yet)."]
    latest = insights_selectors.run_latest()
    if latest is not None and latest.status == "succeeded" and not result.new_fact_rows():
        return [f"Analytics: run {latest.pk} (as of {latest.as_of}) is current; nothing to do."]
    from pharmacrm.warehouse import services as warehouse_services

    _announce(step, "Running analytics", 1)
    warehouse_services.dimensions_export()
    try:
        run = run_analytics(by=by)
    except Exception as exc:  # noqa: BLE001 - the demo still serves; the run records the error
        return [f"Analytics: the run failed ({type(exc).__name__}: {exc}); see the runs page."]
    finally:
        _advance(step)
    return [f"Analytics: run {run.pk} as of {run.as_of}, {run.customer_count:,} customers scored."]


def _all_reports(result: LoadResult) -> Iterator[FileReport]:
    yield from result.master.values()
    for reports in result.facts.values():
        yield from reports


def _announce(step: StepCallback | None, description: str, total: int) -> None:
    if step is not None:
        step(description, -total)


def _advance(step: StepCallback | None) -> None:
    if step is not None:
        step("", 1)


@contextmanager
def _progress(console: Console) -> Iterator[StepCallback]:
    """A Rich progress display driven by one callback.

    ``step(description, -total)`` starts a stage of ``total`` units; ``step("", n)`` advances
    the current stage by ``n``.
    """
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as progress:
        current: list[TaskID] = []

        def step(description: str, amount: int) -> None:
            if description:
                current.append(progress.add_task(description, total=-amount))
                return
            if current:
                progress.advance(current[-1], amount)

        yield step
