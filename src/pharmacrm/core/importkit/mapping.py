"""Column mappings: which source column feeds which canonical field, and how to read it.

A mapping is data (saved as JSON, versioned by the warehouse app) so that one distributor's
layout is described once and reused every month. :func:`suggest_mapping` proposes one from the
headers in English, Chinese or Russian, which a person then confirms.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

from rapidfuzz import fuzz

from pharmacrm.core.importkit.fields import FieldSpec
from pharmacrm.core.importkit.readers import ReadOptions

SYNONYMS: dict[str, tuple[str, ...]] = {
    "outlet_code": (
        "outlet",
        "store code",
        "pharmacy code",
        "shop",
        "point of sale",
        "pos",
        "门店编码",
        "门店",
        "药店编码",
        "药店",
        "код аптеки",
        "аптека",
        "торговая точка",
    ),
    "store": ("store", "shop", "店铺", "магазин"),
    "check_id": (
        "check",
        "receipt",
        "receipt no",
        "check no",
        "basket",
        "basket id",
        "小票号",
        "单据号",
        "收银单号",
        "номер чека",
        "чек",
    ),
    "line_no": ("line", "line number", "position", "行号", "序号", "номер строки", "позиция"),
    "ts": (
        "timestamp",
        "datetime",
        "date time",
        "sale time",
        "transaction time",
        "销售时间",
        "时间",
        "дата и время",
        "время продажи",
    ),
    "day": ("date", "sale date", "invoice date", "日期", "销售日期", "дата", "дата продажи"),
    "card_no": (
        "card",
        "card number",
        "loyalty card",
        "member",
        "household",
        "会员卡号",
        "会员号",
        "номер карты",
        "карта",
    ),
    "customer_code": (
        "customer",
        "customer id",
        "client",
        "buyer",
        "客户",
        "客户编码",
        "покупатель",
        "клиент",
        "код клиента",
    ),
    "sku_code": (
        "sku",
        "product code",
        "item code",
        "article",
        "product id",
        "stock code",
        "商品编码",
        "药品编码",
        "货号",
        "артикул",
        "код товара",
    ),
    "product_raw": (
        "product",
        "product name",
        "item",
        "description",
        "商品名称",
        "药品名称",
        "品名",
        "товар",
        "наименование",
        "препарат",
    ),
    "qty": (
        "quantity",
        "qty",
        "units",
        "amount units",
        "count",
        "数量",
        "销量",
        "количество",
        "кол-во",
    ),
    "unit_price": ("price", "unit price", "单价", "价格", "цена", "цена за единицу"),
    "price": ("price", "unit price", "单价", "价格", "цена"),
    "discount": ("discount", "折扣", "优惠", "скидка"),
    "amount": (
        "amount",
        "sum",
        "total",
        "sales value",
        "revenue",
        "金额",
        "销售额",
        "сумма",
        "выручка",
    ),
    "cost": ("cost", "cost price", "成本", "себестоимость"),
    "is_promo": ("promo", "promotion", "促销", "акция", "промо"),
    "is_return": ("return", "is return", "退货", "возврат"),
    "currency": ("currency", "币种", "валюта"),
    "seller_code": ("seller", "supplier", "vendor", "销售方", "供应商", "продавец", "поставщик"),
    "invoice_id": (
        "invoice",
        "invoice no",
        "invoice number",
        "发票号",
        "单号",
        "номер накладной",
        "накладная",
        "счет-фактура",
    ),
    "buyer_code": (
        "buyer",
        "buyer code",
        "purchaser",
        "购买方",
        "客户编码",
        "покупатель",
        "код покупателя",
    ),
    "distributor_code": ("distributor", "wholesaler", "经销商", "配送商", "дистрибьютор"),
    "period": ("period", "month", "期间", "月份", "период", "месяц"),
    "terminal_name": (
        "terminal",
        "terminal name",
        "customer name",
        "hospital",
        "pharmacy name",
        "终端名称",
        "终端",
        "医院名称",
        "客户名称",
        "название клиента",
        "наименование клиента",
        "получатель",
    ),
    "terminal_address": ("address", "地址", "终端地址", "адрес"),
    "terminal_region": ("region", "city", "province", "地区", "城市", "省份", "регион", "город"),
    "terminal_phone": ("phone", "telephone", "电话", "телефон"),
    "channel": ("channel", "platform", "渠道", "平台", "канал"),
    "order_id": ("order", "order id", "order no", "订单号", "номер заказа", "заказ"),
    "status": ("status", "order status", "状态", "订单状态", "статус"),
    "category": ("category", "class", "atc", "类别", "品类", "категория"),
}
"""Header spellings per canonical field in English, Chinese and Russian (lower case)."""

SUGGEST_THRESHOLD = 85.0


def normalise_header(text: str) -> str:
    """Lower-case, drop punctuation, spaces and underscores: ``"Stock_Code "`` → ``stockcode``."""
    return re.sub(r"[\W_]+", "", text.casefold())


@dataclass(frozen=True)
class ColumnMapping:
    """How one source layout maps onto an import kind's canonical fields.

    ``columns`` maps field → source column; ``constants`` gives fields a fixed value (the
    distributor's code, the period a report covers) written as text and parsed like a cell;
    ``units`` multiplies numeric fields (packs → units, thousands → units); ``date_formats``
    and ``timestamp_formats`` are strptime patterns tried in order, ISO 8601 always last;
    naive times are wall-clock times in ``timezone``, and one that clocks going back make happen
    twice is quarantined (``ambiguous_times="quarantine"``) or read as its ``"earliest"`` or
    ``"latest"`` occurrence.
    """

    columns: dict[str, str] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    date_formats: tuple[str, ...] = ()
    timestamp_formats: tuple[str, ...] = ()
    decimal_separator: str = "."
    thousands_separator: str = ""
    units: dict[str, float] = field(default_factory=dict)
    timezone: str = "UTC"
    ambiguous_times: Literal["quarantine", "earliest", "latest"] = "quarantine"
    source: str | None = None
    read: ReadOptions = field(default_factory=ReadOptions)

    def with_changes(self, **changes: Any) -> ColumnMapping:  # noqa: ANN401
        """Return a copy with some attributes replaced (mappings are immutable)."""
        return replace(self, **changes)

    def to_json(self) -> str:
        """Serialise for a saved mapping template."""
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> ColumnMapping:
        """Rebuild a mapping saved with :meth:`to_json`."""
        data = json.loads(text)
        read = data.pop("read", {})
        if read.get("column_names") is not None:
            read["column_names"] = tuple(read["column_names"])
        data["date_formats"] = tuple(data.get("date_formats", ()))
        data["timestamp_formats"] = tuple(data.get("timestamp_formats", ()))
        return cls(read=ReadOptions(**read), **data)


@dataclass(frozen=True)
class Suggestion:
    """A proposed source column for one field, with rapidfuzz's 0–100 score."""

    field: str
    column: str
    score: float


def suggest_mapping(headers: Sequence[str], fields: Sequence[FieldSpec]) -> list[Suggestion]:
    """Propose a source column for each field from the file's headers.

    Each (field, header) pair scores the best rapidfuzz ratio between the normalised header and
    the field's name and synonyms; pairs are then taken best first so that no header feeds two
    fields, keeping those scoring at least :data:`SUGGEST_THRESHOLD`.
    """
    pairs: list[tuple[float, str, str]] = []
    for spec in fields:
        names = {normalise_header(name) for name in (spec.name, *SYNONYMS.get(spec.name, ()),
                                                     *spec.synonyms)}  # fmt: skip
        for header in headers:
            key = normalise_header(header)
            if not key:
                continue
            score = max(fuzz.ratio(key, name) for name in names)
            pairs.append((score, spec.name, header))
    pairs.sort(key=lambda pair: (-pair[0], pair[1], pair[2]))
    taken_fields: set[str] = set()
    taken_headers: set[str] = set()
    suggestions = []
    for score, field_name, header in pairs:
        if score < SUGGEST_THRESHOLD or field_name in taken_fields or header in taken_headers:
            continue
        taken_fields.add(field_name)
        taken_headers.add(header)
        suggestions.append(Suggestion(field_name, header, score))
    return suggestions
