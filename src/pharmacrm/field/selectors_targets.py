"""Reads of sales targets: scoped lists, actuals from the warehouse, attainment and drill-down.

**Actuals.** A rep's actual for a period = net amount (returns lower it) of the invoice lines
(by buying account) and receipt lines (by outlet) whose account sits in a territory the rep
covered *on that line's day* — a handover in mid-quarter splits the quarter between the two
reps. Two reps covering the same leaf on the same day (an oncology and a cardiology rep) each
get the sale. Only lines in the target's currency count: the warehouse keeps each line's
currency and there is no rate table yet. Lines are read from the live Parquet files of the
months the period touches, on an in-process DuckDB connection; the OLTP side (who covered
which territory when, which account sits where) is handed to DuckDB as two small Arrow
tables, so the join runs in the engine, never row by row in Python.

**Attainment** = actual / target (``None`` without a target). A rep's target for a period is
the sum of their targets without a product for exactly that period, else (none such) of
their product targets, else of their monthly targets inside a quarter. **Change** =
(actual − previous period's actual) / previous actual. Drill-down: region (the region-level
ancestor of the rep's territory) → rep → account → product; ranking by attainment, then
actual, then name.

**Territory targets** (a territory, no rep) are shown against the sales of the accounts in
the territory's subtree on each day (``territory_attainment_report``), drilled territory →
account → product, scoped to the territories the user covers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import duckdb
import pyarrow as pa
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from pharmacrm.accounts import selectors as account_selectors
from pharmacrm.accounts.models import Account
from pharmacrm.catalog import selectors as catalog_selectors
from pharmacrm.core.models import User
from pharmacrm.core.roles import Role
from pharmacrm.field import selectors as field_selectors
from pharmacrm.field.models import Target
from pharmacrm.field.services.targets import Period
from pharmacrm.territories import selectors as territory_selectors
from pharmacrm.territories.models import TerritoryLevel

# fact → the column that names the account the sale counts for
SALES_FACTS = {"invoice_lines": "buyer_id", "receipt_lines": "outlet_id"}


# ------------------------------------------------------------------ scoped target lists


def target_list_for(*, user: User, on: date | None = None) -> QuerySet[Target]:
    """Targets ``user`` may see, newest period first.

    A rep their own and the territory targets (no rep) of the territories they cover, a
    manager their team's and the targets of territories under their node, director and
    administrator all, other roles none.
    """
    day = on or timezone.localdate()
    rows = Target.objects.select_related("rep", "territory", "product").order_by(
        "-period_start", "rep__username", "territory__code", "product__sku_code", "pk"
    )
    rep_ids = field_selectors._rep_ids_visible_to(user=user, on=day)
    if rep_ids is None:
        return rows
    covered = territory_ids_with_targets_for(user=user, on=day) or frozenset()
    if not user.roles & field_selectors.ROLES_SEEING_TEAMS:
        territory_only = Q(rep__isnull=True, territory_id__in=sorted(covered))
        return rows.filter(Q(rep_id__in=sorted(rep_ids)) | territory_only)
    return rows.filter(Q(rep_id__in=sorted(rep_ids)) | Q(territory_id__in=sorted(covered)))


# ------------------------------------------------------------------ warehouse actuals


def _fact_files(fact: str, period: Period) -> list[Path]:
    """Live files of ``fact`` in the months ``period`` touches (partitions are by month)."""
    root = Path(settings.WAREHOUSE_DIR)
    if (root / "manifest.json").exists():
        from pharmacrm.warehouse.store import WarehouseStore

        files = WarehouseStore(root).live_files(fact)
    else:
        files = sorted((root / fact).glob("source=*/month=*/*.parquet"))
    months = set()
    index = period.start.year * 12 + period.start.month - 1
    while index <= period.end.year * 12 + period.end.month - 1:
        months.add(f"month={index // 12}-{index % 12 + 1:02d}")
        index += 1
    return [path for path in files if path.parent.name in months]


def _children() -> tuple[dict[int | None, list[int]], dict[int, tuple[int | None, str, str]]]:
    children: dict[int | None, list[int]] = defaultdict(list)
    nodes: dict[int, tuple[int | None, str, str]] = {}
    for pk, parent_id, level, name in territory_selectors.territory_list().values_list(
        "pk", "parent_id", "level", "name"
    ):
        children[parent_id].append(pk)
        nodes[pk] = (parent_id, level, name)
    return children, nodes


def _subtree(root: int, children: dict[int | None, list[int]]) -> list[int]:
    found, stack = [], [root]
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(children.get(node, ()))
    return found


@dataclass(frozen=True)
class Coverage:
    """Who covered which territory when, over one period, with the tree to place reps."""

    rows: list[tuple[int, int, date, date | None]]  # rep, leaf or node, from, to
    rep_home: dict[int, int]  # rep → the first node assigned in the period
    nodes: dict[int, tuple[int | None, str, str]]

    def region_of(self, rep_id: int) -> int | None:
        """The region-level ancestor of the rep's first territory (else its top node)."""
        node: int | None = self.rep_home.get(rep_id)
        top = node
        while node is not None:
            parent_id, level, _name = self.nodes[node]
            if level == TerritoryLevel.REGION:
                return node
            if parent_id is not None:
                top = node
            node = parent_id
        return top


def coverage_for(*, period: Period, rep_ids: Iterable[int] | None = None) -> Coverage:
    """Assignments of sales reps overlapping ``period``, each node expanded to its subtree."""
    children, nodes = _children()
    reps = User.objects.filter(is_active=True, groups__name=Role.SALES_REP.value)
    if rep_ids is not None:
        reps = reps.filter(pk__in=sorted(rep_ids))
    assignments = (
        territory_selectors.assignment_list()
        .filter(user_id__in=reps.values("pk"), starts_on__lte=period.end)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=period.start))
        .order_by("starts_on", "pk")
        .values_list("user_id", "territory_id", "starts_on", "ends_on")
    )
    rows: list[tuple[int, int, date, date | None]] = []
    home: dict[int, int] = {}
    for user_id, territory_id, starts_on, ends_on in assignments:
        home.setdefault(user_id, territory_id)
        rows.extend(
            (user_id, leaf, starts_on, ends_on) for leaf in _subtree(territory_id, children)
        )
    return Coverage(rows=rows, rep_home=home, nodes=nodes)


@dataclass(frozen=True)
class Sale:
    """Net sales of one rep to one account in one product over the period."""

    rep_id: int
    account_id: int
    product_id: int | None
    amount: float
    quantity: float


def _facts_sql(period: Period, currency: str) -> tuple[str, list[object]]:
    parts, params = [], []
    for fact, account_column in SALES_FACTS.items():
        files = _fact_files(fact, period)
        if not files:
            continue
        parts.append(
            f"SELECT {account_column} AS account_id, product_id, day, amount, qty "  # noqa: S608 - column names are ours
            "FROM read_parquet(?, hive_partitioning = false) "
            f"WHERE day BETWEEN ? AND ? AND currency = ? AND {account_column} IS NOT NULL"
        )
        params.extend([[str(p) for p in files], period.start, period.end, currency])
    return " UNION ALL ".join(parts), params


def rep_sales(*, period: Period, currency: str, coverage: Coverage) -> list[Sale]:
    """Net sales per (rep, account, product) over ``period`` (module docstring: actuals)."""
    facts, params = _facts_sql(period, currency)
    if not facts or not coverage.rows:
        return []
    # Where each account sits is a dimension read, not a person browsing accounts: like the
    # warehouse's dimension export it reads the table whole (the caller scoped the reps).
    account_pairs = list(
        Account.objects.filter(territory__isnull=False).values_list("pk", "territory_id")
    )
    con = duckdb.connect()
    try:
        con.register(
            "cover",
            pa.table(
                {
                    "rep_id": [r[0] for r in coverage.rows],
                    "territory_id": [r[1] for r in coverage.rows],
                    "starts_on": pa.array([r[2] for r in coverage.rows], pa.date32()),
                    "ends_on": pa.array([r[3] for r in coverage.rows], pa.date32()),
                }
            ),
        )
        con.register(
            "accounts",
            pa.table(
                {
                    "account_id": pa.array([a[0] for a in account_pairs], pa.int64()),
                    "territory_id": pa.array([a[1] for a in account_pairs], pa.int64()),
                }
            ),
        )
        rows = con.execute(
            f"WITH facts AS ({facts}) "  # noqa: S608 - the facts part is built from our names
            "SELECT c.rep_id, f.account_id, f.product_id, sum(f.amount), sum(f.qty) "
            "FROM facts f JOIN accounts a USING (account_id) "
            "JOIN cover c ON c.territory_id = a.territory_id AND f.day >= c.starts_on "
            "AND (c.ends_on IS NULL OR f.day <= c.ends_on) "
            "GROUP BY ALL ORDER BY 1, 2, 3",
            params,
        ).fetchall()
    finally:
        con.close()
    return [Sale(int(r[0]), int(r[1]), r[2], float(r[3]), float(r[4])) for r in rows]


# ------------------------------------------------------------------ attainment report


@dataclass
class AttainmentRow:
    """One line of the attainment table at any drill-down level."""

    key: int | None
    label: str
    target: Decimal | None = None
    actual: float = 0.0
    previous: float = 0.0
    rank: int = 0

    @property
    def attainment(self) -> Fraction | None:
        """Share of target sold: actual / target; ``None`` without a (non-zero) target."""
        if not self.target:
            return None
        return Fraction(self.actual).limit_denominator(10**6) / Fraction(self.target)

    @property
    def change(self) -> float | None:
        """(actual − previous) / previous; ``None`` when the previous period sold nothing."""
        return (self.actual - self.previous) / self.previous if self.previous else None


@dataclass
class AttainmentReport:
    """Rows of one drill-down level with the totals and the path that led there."""

    level: str  # region, rep, account, product
    period: Period
    currency: str
    rows: list[AttainmentRow]
    total: AttainmentRow
    crumbs: list[tuple[str, dict[str, int]]] = field(default_factory=list)


def _rep_targets(
    targets: Iterable[Target], period: Period
) -> tuple[dict[int, Decimal], dict[tuple[int, int], Decimal]]:
    """Each rep's target total and each (rep, product) target (module docstring's rule)."""
    exact_total: dict[int, Decimal] = defaultdict(Decimal)
    exact_product: dict[int, Decimal] = defaultdict(Decimal)
    inner_total: dict[int, Decimal] = defaultdict(Decimal)
    product: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for target in targets:
        if target.rep_id is None:
            continue
        is_exact = (target.period_start, target.period_end) == (period.start, period.end)
        if target.product_id is None:
            (exact_total if is_exact else inner_total)[target.rep_id] += target.amount
        elif is_exact:
            exact_product[target.rep_id] += target.amount
            product[(target.rep_id, target.product_id)] += target.amount
    totals: dict[int, Decimal] = {}
    for rep_id in {*exact_total, *exact_product, *inner_total}:
        totals[rep_id] = exact_total.get(rep_id) or exact_product.get(rep_id) or inner_total[rep_id]
    return totals, dict(product)


def _ranked(rows: list[AttainmentRow]) -> list[AttainmentRow]:
    def order(row: AttainmentRow) -> tuple[int, float, float, str]:
        share = row.attainment
        return (share is None, -float(share or 0), -row.actual, row.label)

    rows.sort(key=order)
    for rank, row in enumerate(rows, start=1):
        row.rank = rank
    return rows


def attainment_report(
    *,
    user: User,
    period: Period,
    currency: str | None = None,
    region_id: int | None = None,
    rep_id: int | None = None,
    account_id: int | None = None,
) -> AttainmentReport:
    """The attainment table at the level the arguments select (see the module docstring).

    No argument: one row per region; ``region_id``: the reps of that region; ``rep_id``: that
    rep's accounts; ``rep_id`` and ``account_id``: the products the rep sold there. Only reps
    ``user`` may see take part; a rep outside that scope gives an empty table.
    """
    currency = (currency or settings.BASE_CURRENCY).upper()
    visible = field_selectors._rep_ids_visible_to(user=user, on=timezone.localdate())
    wanted = None if visible is None else set(visible)
    if rep_id is not None:
        wanted = {rep_id} if wanted is None or rep_id in wanted else set()
    coverage = coverage_for(period=period, rep_ids=wanted)
    previous_coverage = coverage_for(period=period.previous(), rep_ids=wanted)
    reps_in_scope = set(coverage.rep_home) if wanted is None else wanted & set(coverage.rep_home)
    if region_id is not None:
        reps_in_scope = {r for r in reps_in_scope if coverage.region_of(r) == region_id}
    sales = [s for s in rep_sales(period=period, currency=currency, coverage=coverage)
             if s.rep_id in reps_in_scope]  # fmt: skip
    before = [
        s
        for s in rep_sales(period=period.previous(), currency=currency, coverage=previous_coverage)
        if s.rep_id in reps_in_scope
    ]
    targets = Target.objects.filter(
        rep_id__in=sorted(reps_in_scope),
        currency=currency,
        period_start__gte=period.start,
        period_end__lte=period.end,
    )
    rep_totals, product_targets = _rep_targets(targets, period)
    if rep_id is not None and account_id is not None:
        level = "product"
        sales = [s for s in sales if s.account_id == account_id]
        before = [s for s in before if s.account_id == account_id]
        rows = _group(sales, before, lambda s: s.product_id, _product_names)
    elif rep_id is not None:
        level = "account"
        rows = _group(sales, before, lambda s: s.account_id, _account_names(user))
    elif region_id is not None:
        level = "rep"
        rows = _group(sales, before, lambda s: s.rep_id, _user_names, keys=reps_in_scope)
        for row in rows:
            row.target = rep_totals.get(row.key or 0)
    else:
        level = "region"
        regions = {rep: coverage.region_of(rep) for rep in reps_in_scope}
        names = {pk: name for pk, (_p, _l, name) in coverage.nodes.items()}
        rows = _group(
            sales,
            before,
            lambda s: regions.get(s.rep_id),
            lambda keys: {k: names.get(k, "—") for k in keys if k is not None},
            keys={r for r in regions.values() if r is not None},
        )
        for row in rows:
            reps = [rep for rep, region in regions.items() if region == row.key]
            found = [rep_totals[rep] for rep in reps if rep in rep_totals]
            row.target = sum(found, Decimal(0)) if found else None
    if level == "product":
        for row in rows:
            row.target = product_targets.get((rep_id or 0, row.key or 0))
    total = AttainmentRow(
        key=None,
        label="",
        actual=sum(s.actual for s in rows),
        previous=sum(s.previous for s in rows),
    )
    if level in {"region", "rep"}:
        total.target = sum((r.target for r in rows if r.target is not None), Decimal(0)) or None
    elif rep_id is not None and level == "account":
        total.target = rep_totals.get(rep_id)
    return AttainmentReport(level, period, currency, _ranked(rows), total)


def _group(
    sales: list[Sale],
    before: list[Sale],
    key_of: object,
    names_of: object,
    keys: Iterable[int] | None = None,
) -> list[AttainmentRow]:
    actual: dict[int | None, float] = defaultdict(float)
    previous: dict[int | None, float] = defaultdict(float)
    for sale in sales:
        actual[key_of(sale)] += sale.amount  # type: ignore[operator]
    for sale in before:
        previous[key_of(sale)] += sale.amount  # type: ignore[operator]
    all_keys = {*actual, *(keys or ())}
    names = names_of({k for k in all_keys if k is not None})  # type: ignore[operator]
    return [
        AttainmentRow(
            key=key,
            label=names.get(key, f"#{key}") if key is not None else "—",
            actual=round(actual.get(key, 0.0), 2),
            previous=round(previous.get(key, 0.0), 2),
        )
        for key in all_keys
    ]


def _user_names(keys: set[int]) -> dict[int, str]:
    return dict(User.objects.filter(pk__in=sorted(keys)).values_list("pk", "username"))


def _product_names(keys: set[int]) -> dict[int, str]:
    rows = catalog_selectors.product_list().filter(pk__in=sorted(keys))
    return {pk: f"{sku} {brand}" for pk, sku, brand in rows.values_list("pk", "sku_code", "brand")}


def _account_names(user: User) -> object:
    def names(keys: set[int]) -> dict[int, str]:
        rows = account_selectors.account_list_for(user=user, include_merged=True)
        return dict(rows.filter(pk__in=sorted(keys)).values_list("pk", "name"))

    return names


# ------------------------------------------------------------------ territory targets
#
# A territory target (a target with a territory and no rep) is met by the net sales of the
# accounts placed in the territory's subtree on each sale's day, whoever covered them. Where
# an account sat when is read from its audit trail (as the account page's territory history
# does); an account without audit rows (loaded in bulk) counts where it sits today.

_ALWAYS = date(1900, 1, 1)


def _placements(territory_ids: set[int]) -> list[tuple[int, int, date, date | None]]:
    """(account, territory, from, to) for every account that ever sat in ``territory_ids``.

    Intervals are local days, both ends inclusive; the last one of an account is open. Two
    moves on one day: the later one holds from that day.
    """
    if not territory_ids:
        return []
    wanted = sorted(territory_ids)
    history = Account.history.model.objects  # type: ignore[attr-defined]
    placed_now = Account.objects.filter(territory_id__in=wanted)
    ever = Q(id__in=history.filter(territory_id__in=wanted).values("id")) | Q(
        id__in=placed_now.values("pk")
    )
    rows: dict[int, list[tuple[date, int | None, str]]] = defaultdict(list)
    for account_id, at, territory_id, kind in (
        history.filter(ever)
        .order_by("id", "history_date", "history_id")
        .values_list("id", "history_date", "territory_id", "history_type")
        .iterator(chunk_size=20_000)
    ):
        rows[account_id].append((timezone.localdate(at), territory_id, kind))
    found: list[tuple[int, int, date, date | None]] = []
    found.extend(
        (account_id, territory_id, _ALWAYS, None)
        for account_id, territory_id in placed_now.values_list("pk", "territory_id")
        if account_id not in rows
    )
    for account_id, changes in rows.items():
        for index, (day, territory_id, kind) in enumerate(changes):
            following = changes[index + 1][0] if index + 1 < len(changes) else None
            if kind == "-" or territory_id not in territory_ids:
                continue
            if following is not None and following <= day:
                continue  # replaced the same day
            starts_on = _ALWAYS if index == 0 else day
            ends_on = None if following is None else following - timedelta(days=1)
            found.append((account_id, territory_id, starts_on, ends_on))
    return found


@dataclass(frozen=True)
class TerritorySale:
    """Net sales of one account in one product counted for one target territory."""

    territory_id: int
    account_id: int
    product_id: int | None
    amount: float
    quantity: float


def territory_sales(
    *, period: Period, currency: str, territory_ids: Iterable[int]
) -> list[TerritorySale]:
    """Net sales per (target territory, account, product) over ``period``.

    Each territory counts the accounts in its subtree on each sale's day (the block comment
    above); a territory and one of its descendants both count the same sale.
    """
    targets = sorted(set(territory_ids))
    facts, params = _facts_sql(period, currency)
    if not facts or not targets:
        return []
    children, _nodes = _children()
    tree = [(root, node) for root in targets for node in _subtree(root, children)]
    placed = _placements({node for _root, node in tree})
    if not placed:
        return []
    con = duckdb.connect()
    try:
        con.register(
            "tree",
            pa.table(
                {
                    "target_id": pa.array([t[0] for t in tree], pa.int64()),
                    "territory_id": pa.array([t[1] for t in tree], pa.int64()),
                }
            ),
        )
        con.register(
            "placed",
            pa.table(
                {
                    "account_id": pa.array([p[0] for p in placed], pa.int64()),
                    "territory_id": pa.array([p[1] for p in placed], pa.int64()),
                    "starts_on": pa.array([p[2] for p in placed], pa.date32()),
                    "ends_on": pa.array([p[3] for p in placed], pa.date32()),
                }
            ),
        )
        rows = con.execute(
            f"WITH facts AS ({facts}) "  # noqa: S608 - the facts part is built from our names
            "SELECT t.target_id, f.account_id, f.product_id, sum(f.amount), sum(f.qty) "
            "FROM facts f JOIN placed p ON p.account_id = f.account_id AND f.day >= p.starts_on "
            "AND (p.ends_on IS NULL OR f.day <= p.ends_on) "
            "JOIN tree t ON t.territory_id = p.territory_id "
            "GROUP BY ALL ORDER BY 1, 2, 3",
            params,
        ).fetchall()
    finally:
        con.close()
    return [TerritorySale(int(r[0]), int(r[1]), r[2], float(r[3]), float(r[4])) for r in rows]


def _territory_targets(
    targets: Iterable[Target], period: Period
) -> tuple[dict[int, Decimal], dict[tuple[int, int], Decimal]]:
    """Each territory's target total and (territory, product) targets, by the reps' rule."""
    exact_total: dict[int, Decimal] = defaultdict(Decimal)
    exact_product: dict[int, Decimal] = defaultdict(Decimal)
    inner_total: dict[int, Decimal] = defaultdict(Decimal)
    product: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for target in targets:
        if target.rep_id is not None or target.territory_id is None:
            continue
        is_exact = (target.period_start, target.period_end) == (period.start, period.end)
        if target.product_id is None:
            (exact_total if is_exact else inner_total)[target.territory_id] += target.amount
        elif is_exact:
            exact_product[target.territory_id] += target.amount
            product[(target.territory_id, target.product_id)] += target.amount
    totals = {
        key: exact_total.get(key) or exact_product.get(key) or inner_total[key]
        for key in {*exact_total, *exact_product, *inner_total}
    }
    return totals, dict(product)


def territory_ids_with_targets_for(*, user: User, on: date | None = None) -> frozenset[int] | None:
    """Territories whose targets and attainment ``user`` may see; ``None``: every territory.

    The territories ``user`` covers (a rep their own subtree, a regional manager their
    region's): a target on a node above would show colleagues' sales, so it is not shown.
    Director and administrator see every territory; other roles (analyst, campaign manager,
    who see accounts but not the field force's results) none, as on the reps' pages.
    """
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if not user.roles & {Role.SALES_REP, *field_selectors.ROLES_SEEING_TEAMS}:
        return frozenset()
    return territory_selectors.territory_ids_covered_by(user=user, on=on or timezone.localdate())


def territory_attainment_report(
    *,
    user: User,
    period: Period,
    currency: str | None = None,
    territory_id: int | None = None,
    account_id: int | None = None,
) -> AttainmentReport:
    """Territory targets against their actuals, drilled territory → account → product.

    No argument: one row per territory with a territory-only target for the period (in the
    currency) that ``user`` may see; ``territory_id``: the accounts that sold there, under the
    territory's target; with ``account_id``: the products of that account there, under the
    territory's product targets. A territory outside ``user``'s sight gives an empty table.
    Same arithmetic, change and ranking as ``attainment_report``.
    """
    currency = (currency or settings.BASE_CURRENCY).upper()
    visible = territory_ids_with_targets_for(user=user)
    targets = Target.objects.filter(
        rep__isnull=True,
        territory__isnull=False,
        currency=currency,
        period_start__gte=period.start,
        period_end__lte=period.end,
    )
    if visible is not None:
        targets = targets.filter(territory_id__in=sorted(visible))
    totals, product_targets = _territory_targets(targets, period)
    if territory_id is not None:
        in_sight = visible is None or territory_id in visible
        chosen = {territory_id} if in_sight else set()
    else:
        chosen = set(totals)
    sales = territory_sales(period=period, currency=currency, territory_ids=chosen)
    before = territory_sales(period=period.previous(), currency=currency, territory_ids=chosen)
    if territory_id is not None and account_id is not None:
        level = "product"
        sales = [s for s in sales if s.account_id == account_id]
        before = [s for s in before if s.account_id == account_id]
        rows = _group(sales, before, lambda s: s.product_id, _product_names)  # type: ignore[arg-type]
        for row in rows:
            row.target = product_targets.get((territory_id, row.key or 0))
    elif territory_id is not None:
        level = "account"
        rows = _group(sales, before, lambda s: s.account_id, _account_names(user))  # type: ignore[arg-type]
    else:
        level = "territory"
        names = {pk: name for pk, (_p, _l, name) in _children()[1].items()}
        rows = _group(
            sales,  # type: ignore[arg-type]
            before,  # type: ignore[arg-type]
            lambda s: s.territory_id,
            lambda keys: {k: names.get(k, f"#{k}") for k in keys},
            keys=chosen,
        )
        for row in rows:
            row.target = totals.get(row.key or 0)
    total = AttainmentRow(
        key=None,
        label="",
        actual=round(sum(r.actual for r in rows), 2),
        previous=round(sum(r.previous for r in rows), 2),
    )
    if level == "territory":
        # Nested territories (a region and one of its districts) would count a sale twice.
        total.target = None
    elif level == "account" and territory_id in chosen:
        total.target = totals.get(territory_id or 0)
    return AttainmentReport(level, period, currency, _ranked(rows), total)
