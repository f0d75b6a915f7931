"""The ``products`` import kind and the ``drugs-at-fda`` adapter (``pharmacrm import products``).

Upsert by ``sku_code``. Categories and Rx/OTC accept the spellings the trade sends
(``Vitamins & supplements``, ``处方``, ``безрецептурный``); an ATC code must have the shape of
one ATC level; a manufacturer is named by its account code and must exist.
"""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path

import polars as pl
from django.utils.translation import gettext as _

from pharmacrm.accounts import imports as account_imports
from pharmacrm.catalog import services as catalog_services
from pharmacrm.catalog.atc import ANATOMICAL_GROUPS
from pharmacrm.catalog.master_import import (
    MasterKind,
    RunContext,
    StoreCounts,
    empty_error_frame,
    error_frame,
    register_master_kind,
)
from pharmacrm.catalog.models import Dispensing, ProductCategory
from pharmacrm.core.importkit.coerce import Rule
from pharmacrm.core.importkit.errors import ImportKitError
from pharmacrm.core.importkit.fields import FieldSpec
from pharmacrm.core.importkit.mapping import ColumnMapping
from pharmacrm.core.importkit.readers import ROW, ReadOptions
from pharmacrm.core.importkit.registry import Adapter, register_adapter

ATC_PATTERN = (
    rf"^[{''.join(sorted(ANATOMICAL_GROUPS))}]"
    r"(?:\d{2}(?:[A-Z](?:[A-Z](?:\d{2})?)?)?)?$"
)
"""One ATC level, anatomical main group checked: N, N02, N02B, N02BE, N02BE01."""

ATC_REASON = (
    "not an ATC code: expected a letter, 2 digits, a letter, a letter and 2 digits "
    "(e.g. N02BE01) or a shorter level of it (N, N02, N02B, N02BE), starting with an "
    "anatomical main group (A B C D G H J L M N P R S V)"
)

PRODUCT_FIELDS = (
    FieldSpec("sku_code", "code", required=True),
    FieldSpec(
        "brand",
        "text",
        required=True,
        synonyms=("brand name", "trade name", "drug name", "商品名", "品牌", "торговое название"),
    ),
    FieldSpec(
        "inn",
        "text",
        synonyms=("generic name", "active ingredient", "通用名", "мнн", "действующее вещество"),
    ),
    FieldSpec("atc_code", "code", synonyms=("atc", "atc code", "atc编码", "код атх", "атх")),
    FieldSpec("category", "text", synonyms=("product category", "类别", "品类", "категория")),
    FieldSpec("rx_otc", "text", synonyms=("rx/otc", "rx otc", "处方类别", "отпуск")),
    FieldSpec("form", "text", synonyms=("dosage form", "剂型", "форма выпуска", "форма")),
    FieldSpec("strength", "text", synonyms=("dose", "规格", "дозировка")),
    FieldSpec("pack", "text", synonyms=("pack size", "package", "包装", "упаковка")),
    FieldSpec(
        "manufacturer_code",
        "code",
        synonyms=("manufacturer", "maker", "生产企业", "厂家", "производитель"),
    ),
    FieldSpec("list_price", "float", minimum=0.0, synonyms=("price", "零售价", "цена")),
    FieldSpec("cost_price", "float", minimum=0.0, synonyms=("cost", "成本价", "себестоимость")),
    FieldSpec("currency", "code", synonyms=("币种", "валюта")),
    FieldSpec("is_active", "bool", synonyms=("active", "在售", "активен")),
)

CATEGORY_ALIASES: dict[str, str] = {
    **{choice.value: choice.value for choice in ProductCategory},
    **{str(choice.label).casefold(): choice.value for choice in ProductCategory},
    "medicine": ProductCategory.MEDICINES,
    "drugs": ProductCategory.MEDICINES,
    "药品": ProductCategory.MEDICINES,
    "лекарственные средства": ProductCategory.MEDICINES,
    "vitamins and supplements": ProductCategory.VITAMINS_SUPPLEMENTS,
    "保健品": ProductCategory.VITAMINS_SUPPLEMENTS,
    "бад": ProductCategory.VITAMINS_SUPPLEMENTS,
    "care and cosmetics": ProductCategory.CARE_COSMETICS,
    "cosmetics": ProductCategory.CARE_COSMETICS,
    "化妆品": ProductCategory.CARE_COSMETICS,
    "косметика": ProductCategory.CARE_COSMETICS,
    "mother and child": ProductCategory.MOTHER_CHILD,
    "母婴": ProductCategory.MOTHER_CHILD,
    "мать и дитя": ProductCategory.MOTHER_CHILD,
    "medical device": ProductCategory.MEDICAL_DEVICES,
    "医疗器械": ProductCategory.MEDICAL_DEVICES,
    "медицинские изделия": ProductCategory.MEDICAL_DEVICES,
    "其他": ProductCategory.OTHER,
    "прочее": ProductCategory.OTHER,
}
"""Category spellings (lower case) → stored value."""

RX_OTC_ALIASES: dict[str, str] = {
    "rx": Dispensing.RX,
    "prescription": Dispensing.RX,
    "处方": Dispensing.RX,
    "处方药": Dispensing.RX,
    "рецептурный": Dispensing.RX,
    "по рецепту": Dispensing.RX,
    "otc": Dispensing.OTC,
    "over-the-counter": Dispensing.OTC,
    "over the counter": Dispensing.OTC,
    "非处方": Dispensing.OTC,
    "非处方药": Dispensing.OTC,
    "otc甲": Dispensing.OTC,
    "otc乙": Dispensing.OTC,
    "безрецептурный": Dispensing.OTC,
    "без рецепта": Dispensing.OTC,
}
"""Rx/OTC spellings (lower case) → stored value."""

PRODUCT_RULES = (
    Rule(
        "atc_code",
        ATC_REASON,
        lambda: (
            ~pl.col("atc_code")
            .str.replace_all(r"\s+", "")
            .str.to_uppercase()
            .str.contains(ATC_PATTERN)
        ),
    ),
    Rule(
        "currency",
        "not an ISO 4217 currency code (three letters, e.g. CNY)",
        lambda: ~pl.col("currency").str.to_uppercase().str.contains(r"^[A-Z]{3}$"),
    ),
)


def _choice_errors(
    frame: pl.DataFrame, field: str, aliases: dict[str, str], column: str, reason: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Replace spellings by stored values; report values that are none of them."""
    lowered = frame.get_column(field).str.strip_chars().str.to_lowercase()
    mapped = lowered.replace_strict(
        list(aliases), list(aliases.values()), default=None, return_dtype=pl.String
    )
    unknown = lowered.is_not_null() & mapped.is_null()
    errors = error_frame(
        frame.get_column(ROW).filter(unknown), column, frame.get_column(field).filter(unknown),
        reason,
    )  # fmt: skip
    return frame.with_columns(mapped.alias(field)), errors


def _check_products(frame: pl.DataFrame, context: RunContext) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Normalise category, Rx/OTC and ATC code; resolve manufacturer codes to accounts."""
    errors = [empty_error_frame()]
    categories = ", ".join(choice.value for choice in ProductCategory)
    frame, problems = _choice_errors(
        frame, "category", CATEGORY_ALIASES, context.column("category"),
        f"unknown category; expected one of: {categories}",
    )  # fmt: skip
    errors.append(problems)
    frame, problems = _choice_errors(
        frame, "rx_otc", RX_OTC_ALIASES, context.column("rx_otc"),
        "not Rx or OTC (also accepted: prescription, over-the-counter, 处方, 非处方, "
        "рецептурный, безрецептурный)",
    )  # fmt: skip
    errors.append(problems)
    frame = frame.with_columns(
        pl.col("atc_code").str.replace_all(r"\s+", "").str.to_uppercase(),
        pl.col("currency").str.to_uppercase(),
    )
    codes = frame.get_column("manufacturer_code")
    known = account_imports.account_ids_by_code(codes=codes.drop_nulls().unique().to_list())
    ids = codes.replace_strict(
        list(known), list(known.values()), default=None, return_dtype=pl.Int64
    )
    unknown = codes.is_not_null() & ids.is_null()
    errors.append(
        error_frame(
            frame.get_column(ROW).filter(unknown),
            context.column("manufacturer_code"),
            codes.filter(unknown),
            "unknown manufacturer: no account has this code",
        )
    )
    return frame.with_columns(ids.alias("manufacturer_id")), pl.concat(errors)


def _money(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.0001"))


def _store_products(frame: pl.DataFrame, context: RunContext) -> StoreCounts:
    """Upsert by SKU code; fields the file does not map keep their stored values."""
    texts = [
        name
        for name in ("inn", "atc_code", "category", "rx_otc", "form", "strength", "pack")
        if context.mapped(name)
    ]
    prices = [name for name in ("list_price", "cost_price") if context.mapped(name)]
    rows = []
    for record in frame.iter_rows(named=True):
        row: dict[str, object] = {"sku_code": record["sku_code"], "brand": record["brand"]}
        for name in texts:
            row[name] = record[name] or (ProductCategory.OTHER if name == "category" else "")
        for name in prices:
            row[name] = _money(record[name])
        if context.mapped("manufacturer_code"):
            row["manufacturer_id"] = record["manufacturer_id"]
        if context.mapped("currency") and record["currency"]:
            row["currency"] = record["currency"]
        if context.mapped("is_active") and record["is_active"] is not None:
            row["is_active"] = record["is_active"]
        rows.append(row)
    result = catalog_services.product_upsert_many(by=context.by, rows=rows)
    return StoreCounts(result.created, result.updated, result.unchanged)


# ---------------------------------------------------------------------- Drugs@FDA

FDA_STATUS = {"1": "rx", "2": "otc", "3": "discontinued", "4": "tentative"}
"""MarketingStatus_Lookup.txt: 1 Prescription, 2 Over-the-counter, 3 Discontinued,
4 None (Tentative Approval)."""


def _fda_side_table(products_path: Path, name: str, files: tuple[Path, ...]) -> Path:
    for path in files:
        if path.name.lower() == name.lower():
            return path
    beside = products_path.with_name(name)
    if beside.is_file():
        return beside
    raise ImportKitError(
        _("drugs-at-fda needs %(name)s (pass it too, or keep it beside Products.txt)")
        % {"name": name}
    )


def _fda_primary_files(files: tuple[Path, ...]) -> tuple[Path, ...]:
    """Only Products.txt is imported row by row; the other Drugs@FDA files are joined to it.

    Products.txt is not strict CSV: 13 lines carry a stray trailing tab (9 fields) and 5 brand
    names hold bare quotes (``HYDRO-SERP "25"``). It is read here field by field, without
    quoting and keeping the first 8 fields, into Parquet beside a temporary copy (row numbers
    unchanged), so those real products are not lost to a CSV quirk.
    """
    primary = tuple(path for path in files if path.name.lower() == "products.txt")
    if not primary:
        return files
    converted = []
    for path in primary:
        folder = Path(tempfile.mkdtemp(prefix="drugs-at-fda-"))
        target = folder / "Products.txt.parquet"
        _read_tab(path).write_parquet(target)
        (folder / "source").write_text(str(path))
        converted.append(target)
    return tuple(converted)


def _read_tab(path: Path) -> pl.DataFrame:
    # Drugs@FDA files are tab-separated, latin-1, without quoting (quotes occur in names).
    return pl.read_csv(
        path,
        separator="\t",
        encoding="utf8-lossy",
        infer_schema=False,
        quote_char=None,
        truncate_ragged_lines=True,
    )


def _fda_prepare(frame: pl.DataFrame, state: dict[str, object]) -> pl.DataFrame:
    """Join a batch of Products.txt with its marketing status and application (sponsor)."""
    if "fda_status" not in state:
        products_path = Path((Path(str(state["path"])).parent / "source").read_text())
        files = state.get("files", ())
        assert isinstance(files, tuple)
        statuses = _read_tab(_fda_side_table(products_path, "MarketingStatus.txt", files))
        applications = _read_tab(_fda_side_table(products_path, "Applications.txt", files))
        state["fda_status"] = statuses.select(
            "ApplNo", "ProductNo", pl.col("MarketingStatusID").alias("_status")
        ).unique(subset=["ApplNo", "ProductNo"], keep="first")
        state["fda_applications"] = applications.select(
            "ApplNo",
            pl.col("ApplType").alias("_appl_type"),
            pl.col("SponsorName").alias("_sponsor"),
        )
    fda_status, fda_applications = state["fda_status"], state["fda_applications"]
    assert isinstance(fda_status, pl.DataFrame)
    assert isinstance(fda_applications, pl.DataFrame)
    joined = frame.join(
        fda_status,
        on=["ApplNo", "ProductNo"],
        how="left",  # type: ignore[arg-type]
    ).join(fda_applications, on="ApplNo", how="left")  # type: ignore[arg-type]
    status = pl.col("_status").replace_strict(FDA_STATUS, default=None, return_dtype=pl.String)
    return joined.with_columns(
        pl.format("FDA-{}-{}", pl.col("ApplNo"), pl.col("ProductNo"))
        .alias("_sku_code"),
        pl.when(status.is_in(["rx", "otc"])).then(status).otherwise(None).alias("_rx_otc"),
        pl.when(status.is_in(["rx", "otc"])).then(pl.lit("1")).otherwise(pl.lit("0"))
        .alias("_is_active"),
    ).sort(ROW)  # fmt: skip


DRUGS_AT_FDA = Adapter(
    name="drugs-at-fda",
    kind="products",
    description=(
        "FDA Drugs@FDA: Products.txt joined with MarketingStatus.txt and Applications.txt; "
        "Rx/OTC from the marketing status, discontinued and tentative products inactive"
    ),
    mapping=ColumnMapping(
        columns={
            "sku_code": "_sku_code",
            "brand": "DrugName",
            "inn": "ActiveIngredient",
            "form": "Form",
            "strength": "Strength",
            "rx_otc": "_rx_otc",
            "is_active": "_is_active",
        },
        constants={"category": "medicines", "currency": "USD"},
        read=ReadOptions(delimiter="\t", encoding="latin-1"),
    ),
    prepare=_fda_prepare,
)


PRODUCTS = MasterKind(
    name="products",
    fields=PRODUCT_FIELDS,
    key="sku_code",
    rules=PRODUCT_RULES,
    check=_check_products,
    store=_store_products,
    description="catalogue products (SKUs), upserted by sku_code",
    primary_files=_fda_primary_files,
)

register_master_kind(PRODUCTS)
register_adapter(DRUGS_AT_FDA)
