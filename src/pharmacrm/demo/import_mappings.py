"""How the files of ``pharmacrm generate`` go through the import paths: mappings as data.

The generator writes each source in a fixed layout (FORMATS.md), so the demo and the
round-trip test never rely on the header guesser: every kind gets an explicit
:class:`ColumnMapping`, exactly what a person would save as a mapping template after checking
the suggestion once. Distributor sell-out reports are the case that needs it most — each
distributor has its own headers, encoding, delimiter, date format and decimal mark, and none
writes its own code or the period into the file (the period is in the file name, as in real
monthly reports).

Pure: no Django, no database. It only lists files, reads headers and builds mappings; the
caller runs the imports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pharmacrm.core.importkit.mapping import ColumnMapping
from pharmacrm.core.importkit.readers import ReadOptions, open_source
from pharmacrm.demo.markets import FlowLayout, Market

MASTER_ORDER = ("territories", "accounts", "contacts", "products", "consumers")
"""Master kinds in load order: accounts need territories; contacts, products (manufacturer)
and consumers (home outlet) need accounts."""


def _same(*names: str) -> dict[str, str]:
    return {name: name for name in names}


MASTER_MAPPINGS: dict[str, ColumnMapping] = {
    "territories": ColumnMapping(columns=_same("code", "name", "parent_code", "level")),
    "accounts": ColumnMapping(
        columns={
            **_same("code", "name", "kind", "tier", "parent_code", "province", "city"),
            **_same("district", "address", "phone", "status", "grade", "hospital_grade", "beds"),
            # the leaf territory code; the account import resolves a region by code or name
            "region": "territory_code",
        }
    ),
    "contacts": ColumnMapping(
        columns=_same(
            *("code", "account_code", "name", "title", "department", "specialty", "phone"),
            *("email", "messenger_id", "birthday", "is_key_contact", "consent_email"),
            *("consent_sms", "consent_messenger", "consent_phone"),
        )
    ),
    "products": ColumnMapping(
        columns={
            **_same("sku_code", "brand", "inn", "atc_code", "category", "rx_otc", "form"),
            **_same("strength", "manufacturer_code", "list_price", "cost_price", "currency"),
            "pack": "pack_size",
        }
    ),
    "consumers": ColumnMapping(
        columns=_same("card_no", "gender", "birth_year", "home_outlet_code", "registered_on")
    ),
}
"""Mappings of ``master/<kind>.csv``. Columns without a field in the import (legal form,
departments, distributor level, the consumer's region code and consents) are not imported."""

RECEIPTS_MAPPING = ColumnMapping(
    columns={
        **_same("check_id", "line_no", "outlet_code", "card_no", "sku_code", "qty"),
        **_same("unit_price", "discount", "amount", "cost", "currency"),
        "ts": "datetime",
        "is_promo": "promo",
        "is_return": "return",
    }
)
INVOICES_MAPPING = ColumnMapping(
    columns={
        **_same("invoice_id", "line_no", "buyer_code", "sku_code", "qty", "unit_price"),
        **_same("amount", "cost", "is_return", "currency"),
        "day": "date",
    }
)
ONLINE_MAPPING = ColumnMapping(
    columns={
        **_same("channel", "store", "order_id", "line_no", "customer_code", "sku_code", "qty"),
        **_same("price", "amount", "status", "currency"),
        "ts": "order_time",
    }
)


@dataclass(frozen=True)
class SourceImport:
    """One import request to make: a kind, its files and the request options.

    ``options`` are the string options of the import kit (``mapping_json``, ``source``,
    ``timezone``, ``currency``); the caller adds where the warehouse and quarantine are.
    """

    kind: str
    files: tuple[Path, ...]
    options: dict[str, str] = field(default_factory=dict)


def master_imports(out: Path) -> list[SourceImport]:
    """The master files of a generated business, in :data:`MASTER_ORDER`."""
    return [
        SourceImport(
            kind,
            (out / "master" / f"{kind}.csv",),
            {"mapping_json": MASTER_MAPPINGS[kind].to_json()},
        )
        for kind in MASTER_ORDER
    ]


def fact_imports(out: Path, market: Market) -> list[SourceImport]:
    """Every source file under ``out/sources`` as import requests, one per sending system.

    Local times without a zone are the market's wall-clock time; receipts are partitioned by
    the chain's POS (``pos-ch01``), invoices by the seller, online orders by the store, flows
    by the distributor — the same partitions the generator writes for ``large``.
    """
    sources = out / "sources"
    zone = market.timezone
    found: list[SourceImport] = []
    for folder in _folders(sources / "receipts"):
        found.append(
            SourceImport(
                "receipts",
                _files(folder),
                {
                    "mapping_json": RECEIPTS_MAPPING.to_json(),
                    "source": folder.name,
                    "timezone": zone,
                },
            )  # fmt: skip
        )
    for folder in _folders(sources / "invoices"):
        # An invoice export comes from one seller's system and does not name the seller.
        mapping = INVOICES_MAPPING.with_changes(constants={"seller_code": folder.name})
        found.append(
            SourceImport(
                "invoices",
                _files(folder),
                {"mapping_json": mapping.to_json(), "source": folder.name.lower()},
            )
        )
    for folder in _folders(sources / "online"):
        found.append(
            SourceImport(
                "online-orders",
                _files(folder),
                {
                    "mapping_json": ONLINE_MAPPING.to_json(),
                    "source": folder.name.lower(),
                    "timezone": zone,
                },
            )  # fmt: skip
        )
    for folder in _folders(sources / "flows"):
        for path in _files(folder):
            mapping = flow_mapping(path, market, distributor_code=folder.name)
            found.append(
                SourceImport(
                    "flows",
                    (path,),
                    {"mapping_json": mapping.to_json(), "currency": market.currency},
                )
            )
    return found


def flow_mapping(path: Path, market: Market, *, distributor_code: str) -> ColumnMapping:
    """The mapping of one monthly sell-out report ``<DISTRIBUTOR>-<YYYY-MM>.csv|xlsx``.

    The layout is recognised by the file's headers among the market's layouts; the period
    comes from the file name.

    Raises
    ------
    ValueError
        When no layout of the market has exactly the file's headers.
    """
    layout = flow_layout_of(path, market)
    period = path.stem.rsplit("-", 2)
    return ColumnMapping(
        columns=dict(layout.columns),
        constants={"distributor_code": distributor_code, "period": f"{period[-2]}-{period[-1]}"},
        date_formats=(layout.date_format,),
        decimal_separator="," if layout.decimal_comma else ".",
        read=ReadOptions(
            encoding=layout.encoding or None,
            delimiter=layout.delimiter or None,
        ),
    )


def flow_layout_of(path: Path, market: Market) -> FlowLayout:
    """The market layout whose headers are exactly those of ``path`` (order ignored)."""
    wanted = {
        layout.name: layout
        for layout in market.flow_layouts
        if (layout.file_format == "xlsx") == (path.suffix.lower() == ".xlsx")
    }
    for layout in wanted.values():
        options = ReadOptions(encoding=layout.encoding or None, delimiter=layout.delimiter or None)
        try:
            headers = set(open_source(path, options).columns)
        except UnicodeDecodeError:
            continue
        if headers == set(layout.columns.values()):
            return layout
    raise ValueError(f"{path}: no {market.code} flow layout has this file's headers")


def _folders(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []


def _files(folder: Path) -> tuple[Path, ...]:
    return tuple(sorted(p for p in folder.iterdir() if p.suffix in (".csv", ".xlsx")))
