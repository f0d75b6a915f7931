"""Import of sales targets from Excel or CSV through the tabular import kit.

One row = one target: ``rep`` (username), ``territory`` (code), ``product`` (SKU code),
``period`` (``2026Q1`` or ``2026-01``), ``amount``, optional ``quantity``, ``currency``.
Headers are matched in English, Chinese or Russian (see ``TARGET_FIELDS``). The import kit's
master-data run gives the rest: every reason of every bad row by file, row and column, a
quarantine file of bad rows, a dry run that stores nothing, one transaction per file. Rows
are upserted by ``Target.key`` (rep, territory, product, period), so re-importing the same
file creates nothing and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import polars as pl

from pharmacrm.catalog import selectors as catalog_selectors
from pharmacrm.catalog.master_import import (
    MasterKind,
    RunContext,
    StoreCounts,
    empty_error_frame,
    error_frame,
    run_master_import,
)
from pharmacrm.catalog.models import Product
from pharmacrm.core.importkit.fields import FieldSpec
from pharmacrm.core.importkit.readers import ROW
from pharmacrm.core.importkit.registry import FileReport, ImportRequest, Progress
from pharmacrm.core.models import User
from pharmacrm.core.roles import Role
from pharmacrm.field.services import targets as target_services
from pharmacrm.territories.models import Territory

TARGET_FIELDS = (
    FieldSpec("rep", "code", synonyms=("rep", "username", "代表", "医药代表", "представитель")),
    FieldSpec("territory", "code", synonyms=("territory", "territory code", "区域", "территория")),
    FieldSpec("product", "code", synonyms=("sku", "product", "sku code", "产品", "продукт")),
    FieldSpec("period", "text", required=True, synonyms=("period", "期间", "период")),
    FieldSpec(
        "amount",
        "float",
        required=True,
        minimum=0.0,
        synonyms=("target", "amount", "target amount", "指标", "目标金额", "план", "сумма"),
    ),
    FieldSpec("quantity", "float", minimum=0.0, synonyms=("qty", "quantity", "数量", "количество")),
    FieldSpec("currency", "code", required=True, synonyms=("currency", "币种", "валюта")),
)


def _unknown(
    frame: pl.DataFrame, context: RunContext, name: str, known: set[str], reason: str
) -> pl.DataFrame:
    values = frame.get_column(name)
    bad = values.is_not_null() & ~values.is_in(pl.Series(sorted(known), dtype=pl.String).implode())
    return error_frame(
        frame.get_column(ROW).filter(bad), context.column(name), values.filter(bad), reason
    )


def _check(frame: pl.DataFrame, context: RunContext) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Resolve reps, territories, products and periods; report each failure on its column."""
    errors = [empty_error_frame()]
    names = set(frame.get_column("rep").drop_nulls().unique().to_list())
    reps = {
        user.username: user.pk
        for user in User.objects.filter(username__in=names, is_active=True).prefetch_related(
            "groups"
        )
        if Role.SALES_REP in user.roles
    }
    errors.append(_unknown(frame, context, "rep", set(reps), "unknown user or not a sales rep"))
    codes = set(frame.get_column("territory").drop_nulls().unique().to_list())
    territories = dict(Territory.objects.filter(code__in=codes).values_list("code", "pk"))
    errors.append(_unknown(frame, context, "territory", set(territories), "unknown territory"))
    skus = frame.get_column("product").drop_nulls().unique().to_list()
    products = catalog_selectors.product_ids_by_sku(sku_codes=skus)
    errors.append(_unknown(frame, context, "product", set(products), "unknown SKU code"))
    neither = frame.get_column("rep").is_null() & frame.get_column("territory").is_null()
    errors.append(
        error_frame(
            frame.get_column(ROW).filter(neither),
            context.column("rep"),
            pl.Series([None] * int(neither.sum()), dtype=pl.String),
            "a target needs a rep, a territory or both",
        )
    )
    periods: dict[str, target_services.Period] = {}
    bad_periods: set[str] = set()
    for text in frame.get_column("period").drop_nulls().unique().to_list():
        try:
            periods[text] = target_services.period_parse(text)
        except ValueError:
            bad_periods.add(text)
    errors.append(
        _unknown(frame, context, "period", set(periods), "not a period; write 2026Q1 or 2026-01")
    )
    frame = frame.with_columns(
        pl.col("rep").replace_strict(reps, default=None, return_dtype=pl.Int64).alias("rep_id"),
        pl.col("territory")
        .replace_strict(territories, default=None, return_dtype=pl.Int64)
        .alias("territory_id"),
        pl.col("product")
        .replace_strict(products, default=None, return_dtype=pl.Int64)
        .alias("product_id"),
    )
    # One target per (rep, territory, product, period) in a file: the first row wins.
    key = pl.concat_str(
        [pl.col(c).cast(pl.String).fill_null("") for c in ("rep", "territory", "product")]
        + [pl.col("period").str.to_uppercase().str.replace_all(r"[\s-]", "")],
        separator="|",
    )
    numbered = frame.with_columns(pl.col(ROW).min().over(key).alias("_first"))
    repeated = numbered.filter(pl.col(ROW) != pl.col("_first"))
    errors.append(
        pl.DataFrame(
            {
                "row": repeated.get_column(ROW).cast(pl.Int64),
                "column": [context.column("period")] * repeated.height,
                "value": repeated.get_column("period").cast(pl.String),
                "reason": [
                    f"duplicate target in this file (first at row {first})"
                    for first in repeated.get_column("_first").to_list()
                ],
            },
            schema={"row": pl.Int64, "column": pl.String, "value": pl.String, "reason": pl.String},
        )
    )
    context.state["periods"] = periods
    return frame, pl.concat(errors, how="vertical_relaxed")


def _store(frame: pl.DataFrame, context: RunContext) -> StoreCounts:
    """Upsert each good row by its natural key; equal rows write nothing."""
    periods: dict[str, target_services.Period] = context.state["periods"]  # type: ignore[assignment]
    users = User.objects.in_bulk(frame.get_column("rep_id").drop_nulls().unique().to_list())
    territories = Territory.objects.in_bulk(
        frame.get_column("territory_id").drop_nulls().unique().to_list()
    )
    products = Product.objects.in_bulk(
        frame.get_column("product_id").drop_nulls().unique().to_list()
    )
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for row in frame.iter_rows(named=True):
        _target, outcome = target_services.target_upsert(
            by=context.by,
            period=periods[row["period"]],
            amount=Decimal(str(row["amount"])),
            quantity=None if row["quantity"] is None else Decimal(str(row["quantity"])),
            currency=row["currency"],
            rep=users.get(row["rep_id"]) if row["rep_id"] is not None else None,
            territory=territories.get(row["territory_id"])
            if row["territory_id"] is not None
            else None,
            product=products.get(row["product_id"]) if row["product_id"] is not None else None,
            source=context.file,
        )
        counts[outcome] += 1
    return StoreCounts(counts["created"], counts["updated"], counts["unchanged"])


TARGETS = MasterKind(
    name="targets",
    fields=TARGET_FIELDS,
    # Rows are told apart by their composite key, checked in ``_check`` once ids are known;
    # the kit's single-column duplicate check sees the source row number, unique per row.
    key=ROW,
    check=_check,
    store=_store,
    description="sales targets per rep, territory, product and period, upserted by their key",
)


@dataclass(frozen=True)
class TargetImportResult:
    """The kit's report of the one file, for the page, the API and the command line."""

    report: FileReport

    @property
    def is_clean(self) -> bool:
        """True when no row was quarantined."""
        return self.report.rows_quarantined == 0


def targets_import(
    *,
    by: User | None,
    path: Path,
    dry_run: bool = False,
    quarantine_dir: Path | None = None,
    progress: object = None,
) -> TargetImportResult:
    """Import one targets file (xlsx, xls, csv); see the module docstring.

    A dry run reads, validates and checks every row and writes the quarantine file, but
    stores nothing. Raises the import kit's ``ImportKitError`` when a required column cannot
    be found in the file (the message names it).
    """
    options = {"user": by.get_username()} if by is not None else {}
    if quarantine_dir is not None:
        options["quarantine_dir"] = str(quarantine_dir)
    request = ImportRequest(
        files=(path,),
        dry_run=dry_run,
        options=options,
        progress=progress if callable(progress) else None,
    )
    (report,) = run_master_import(request, TARGETS)
    return TargetImportResult(report=report)


__all__ = ["TARGETS", "Progress", "TargetImportResult", "targets_import"]
