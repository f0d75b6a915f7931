"""Distributor invoices, distributor sell-out ("drug flow") reports with noise, online orders.

Invoices are the truth of who bought what; a flow report is a distributor's retelling of the
invoices of our principals' products (plus transfers to other distributors), typed by a clerk:
names are abbreviated, legal forms dropped, words swapped, typos made. The truth table keeps
the real account behind every reported line, so matching can be scored.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from pharmacrm.demo.generator.config import AS_OF, CARD_PREFIX, WINDOW_START
from pharmacrm.demo.generator.master import Master
from pharmacrm.demo.markets import Market

PRINCIPALS = ("MFR01", "MFR02", "MFR03", "MFR04")
"""Manufacturers whose sell-out the distributors report to us."""


@dataclass
class B2B:
    """Rows of every B2B/online output, each a dict keyed by fact column names."""

    invoices: list[dict[str, Any]] = field(default_factory=list)
    flows: list[dict[str, Any]] = field(default_factory=list)
    flow_truth: list[dict[str, Any]] = field(default_factory=list)
    online: list[dict[str, Any]] = field(default_factory=list)
    price_violations: list[dict[str, Any]] = field(default_factory=list)


def _months() -> list[date]:
    months, day = [], WINDOW_START
    while day <= AS_OF:
        months.append(day)
        day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return months


def build_b2b(market: Market, master: Master, seed: int, intensity: float, members: int) -> B2B:
    """Invoices, flow reports with truth, and online orders with planted price violations.

    ``intensity`` scales the number of invoices and online orders (1.0 at ``small``).
    """
    rng = random.Random(f"b2b-{seed}")  # noqa: S311 (synthetic data, not security)
    out = B2B()
    _invoices(out, master, rng, intensity)
    _flows(out, market, master, rng)
    _online(out, market, master, rng, intensity, members)
    return out


def _invoices(out: B2B, master: Master, rng: random.Random, intensity: float) -> None:
    distributors = master.accounts_of_kind("distributor")
    terminals = [
        a
        for a in master.accounts_of_kind("pharmacy", "hospital", "clinic")
        if a["status"] == "active"
    ]
    products = master.products
    hospital_items = [p for p in products if p["category"] in ("medicines", "medical_devices")]
    suppliers = {
        str(t["code"]): rng.sample(distributors, 2 if rng.random() < 0.4 else 1) for t in terminals
    }
    sequence: dict[str, int] = {}
    for month in _months():
        days_in_month = ((month.replace(day=28) + timedelta(days=4)).replace(day=1) - month).days
        for terminal in terminals:
            kind = str(terminal["kind"])
            base = {"hospital": 4.0, "clinic": 1.0}.get(kind, 2.0) * intensity
            for _ in range(_poisson(rng, base)):
                seller = rng.choice(suppliers[str(terminal["code"])])
                seller_code = str(seller["code"])
                sequence[seller_code] = sequence.get(seller_code, 0) + 1
                invoice_id = f"{seller_code}-{month:%y%m}-{sequence[seller_code]:06d}"
                day = month + timedelta(days=rng.randrange(days_in_month))
                pool = hospital_items if kind == "hospital" else products
                for line_no, product in enumerate(
                    rng.sample(pool, 1 + _poisson(rng, 3.0)), start=1
                ):
                    qty = float(rng.choice((5, 10, 10, 20, 30, 50, 100)))
                    is_return = rng.random() < 0.01
                    unit_price = round(float(product["list_price"]) * rng.uniform(0.68, 0.82), 2)
                    sign = -1.0 if is_return else 1.0
                    out.invoices.append(
                        {
                            "seller_code": seller_code,
                            "invoice_id": invoice_id,
                            "line_no": line_no,
                            "day": day,
                            "buyer_code": terminal["code"],
                            "sku_code": product["sku_code"],
                            "qty": sign * qty,
                            "unit_price": unit_price,
                            "amount": round(sign * qty * unit_price, 2),
                            "cost": round(sign * qty * float(product["cost_price"]), 2),
                            "is_return": is_return,
                            "_manufacturer": product["manufacturer_code"],
                            "_product": product,
                            "_buyer": terminal,
                        }
                    )


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method: small means only, and stdlib random keeps the stream seed-stable.
    limit, k, product = pow(2.718281828459045, -mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def _flows(out: B2B, market: Market, master: Master, rng: random.Random) -> None:
    distributors = master.accounts_of_kind("distributor")
    regional = [d for d in distributors if d["distributor_level"] == "2"]
    layouts = {
        str(d["code"]): market.flow_layouts[i % len(market.flow_layouts)]
        for i, d in enumerate(distributors)
    }
    by_report: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for line in out.invoices:
        if line["_manufacturer"] in PRINCIPALS:
            period = f"{line['day']:%Y-%m}"  # type: ignore[str-format]
            by_report.setdefault((str(line["seller_code"]), period), []).append(line)
    for (seller, period), lines in sorted(by_report.items(), key=lambda item: item[0]):
        reported: list[tuple[dict[str, Any], dict[str, Any], bool]] = []
        for line in lines:
            reported.append((line, line["_buyer"], False))  # type: ignore[arg-type]
            if seller.startswith("DIS1") and regional and rng.random() < 0.08:
                target = rng.choice(regional)
                transfer = dict(
                    line, qty=float(line["qty"]) * 10, amount=float(line["amount"]) * 10
                )  # type: ignore[arg-type]
                reported.append((transfer, target, True))
        layout = layouts[seller]
        for line_no, (line, account, is_transfer) in enumerate(reported, start=1):
            product = line["_product"]
            name, noise = noisy_name(str(account["name"]), market, rng)
            address = noisy_address(account, market, rng)
            reported_fields = {
                "day": line["day"],
                "terminal_name": name,
                "terminal_address": address,
                "terminal_region": f"{account['province']} {account['city']}".strip(),
                "terminal_phone": account["phone"] if rng.random() < 0.7 else "",
                "product_raw": _product_text(product, rng),  # type: ignore[arg-type]
                "sku_code": product["sku_code"],  # type: ignore[index]
                "qty": line["qty"],
                "amount": line["amount"],
            }
            # The fact holds what the report says: a field the layout omits is unknown (the
            # true SKU stays in the truth file), and an empty cell is missing, as on import.
            out.flows.append(
                {
                    "distributor_code": seller,
                    "period": period,
                    "line_no": line_no,
                    **{
                        key: (value if key in layout.columns and value != "" else None)
                        for key, value in reported_fields.items()
                    },
                    "_layout": layout,
                }
            )
            out.flow_truth.append(
                {
                    "distributor_code": seller,
                    "period": period,
                    "line_no": line_no,
                    "account_code": account["code"],
                    "is_transfer": is_transfer,
                    "sku_code": product["sku_code"],  # type: ignore[index]
                    "noise": ";".join(noise),
                }
            )


def _product_text(product: dict[str, Any], rng: random.Random) -> str:
    """How a distributor names a product: brand or INN, strength, sometimes the pack."""
    head = product["brand"] if rng.random() < 0.6 else product["inn"]
    pack = f" x{product['pack_size']}" if rng.random() < 0.5 else ""
    return f"{head} {product['strength']}{pack}".strip()


def noisy_name(name: str, market: Market, rng: random.Random) -> tuple[str, list[str]]:
    """A terminal name as a clerk might type it, and the list of noise kinds applied."""
    applied: list[str] = []
    if rng.random() < 0.4:
        for long, short in market.abbreviations:
            if long in name:
                name = name.replace(long, short, 1)
                applied.append("abbreviation")
                break
    if rng.random() < 0.25:
        for form in market.company_legal_forms + market.pharmacy_legal_forms:
            if form and form in name:
                name = name.replace(form, "").replace("«", "").replace("»", "").strip(" ,")
                applied.append("legal_form_off")
                break
    if rng.random() < 0.2:
        stripped = _without_outlet_number(name, market)
        if stripped != name:
            name = stripped
            applied.append("outlet_number_off")
    if rng.random() < 0.15 and " " in name:
        words = name.split(" ")
        i = rng.randrange(len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
        name = " ".join(words)
        applied.append("word_order")
    if rng.random() < 0.15 and len(name) > 4:
        i = rng.randrange(1, len(name) - 2)
        name = name[:i] + name[i + 1] + name[i] + name[i + 2 :]
        applied.append("typo")
    if market.uses_fullwidth_brackets and rng.random() < 0.5:
        name = f"{name}（{rng.choice(('总店', '分店', '门店'))}）" if rng.random() < 0.3 else name
        name = name.replace("(", "（").replace(")", "）") if rng.random() < 0.5 else name
        applied.append("brackets")
    return name, applied


def _without_outlet_number(name: str, market: Market) -> str:
    import re

    patterns = {"cn": r"\d+号店$", "ru": r"\s*№\s*\d+$", "en": r"\s*\(No\. \d+\)$"}
    return re.sub(patterns[market.code], "", name)


def noisy_address(account: dict[str, Any], market: Market, rng: random.Random) -> str:
    """The delivery address, sometimes without its district or province."""
    address = str(account["address"])
    district = str(account["district"])
    if district and rng.random() < 0.2:
        address = address.replace(f"{district}, " if market.code == "en" else district, "", 1)
    if market.code == "cn" and rng.random() < 0.3:
        address = address.replace(str(account["province"]), "", 1)
    return address


def _online(
    out: B2B, market: Market, master: Master, rng: random.Random, intensity: float, members: int
) -> None:
    products = master.products
    otc = [p for p in products if p["rx_otc"] != "Rx"]
    rx = [p for p in products if p["rx_otc"] == "Rx"]
    stores = master.accounts_of_kind("online_store")
    prices: dict[tuple[str, str], float] = {}
    planted: set[tuple[str, str]] = set()
    for store in stores:
        channel = str(store["departments"])
        for product in otc:
            key = (str(store["code"]), str(product["sku_code"]))
            list_price = float(product["list_price"])
            if rng.random() < 0.03:
                prices[key] = round(list_price * rng.uniform(0.55, 0.75), 2)
                planted.add(key)
                out.price_violations.append(
                    _violation(store, product, prices[key], "below_offline_floor")
                )
            else:
                prices[key] = round(list_price * rng.uniform(0.86, 1.0), 2)
        if channel == "marketplace":
            for product in rng.sample(rx, 3):
                key = (str(store["code"]), str(product["sku_code"]))
                prices[key] = round(float(product["list_price"]) * rng.uniform(0.9, 1.0), 2)
                out.price_violations.append(
                    _violation(store, product, prices[key], "rx_offered_online")
                )
    order_no = 0
    ndays = (AS_OF - WINDOW_START).days + 1
    for store in stores:
        store_code = str(store["code"])
        offered = [p for p in products if (store_code, str(p["sku_code"])) in prices]
        for _ in range(int(600 * intensity)):
            order_no += 1
            day = WINDOW_START + timedelta(days=rng.randrange(ndays))
            if rng.random() < 0.4:  # a loyalty member ordering with the card number
                customer = f"{CARD_PREFIX[market.code]}{rng.randrange(1, members + 1):09d}"
            else:
                customer = f"U{rng.randrange(1, 10**7):07d}"
            status = rng.choices(
                ("delivered", "shipped", "paid", "cancelled", "returned"), (88, 4, 2, 4, 2)
            )[0]
            second = rng.randrange(86400)
            for line_no, product in enumerate(rng.sample(offered, 1 + _poisson(rng, 0.8)), start=1):
                qty = float(1 + (rng.random() < 0.2))
                price = prices[(store_code, str(product["sku_code"]))]
                out.online.append(
                    {
                        "channel": store["departments"],
                        "store": store["name"],
                        "order_id": f"{store_code}-{order_no:08d}",
                        "line_no": line_no,
                        "day": day,
                        "second": second,
                        "customer_code": customer,
                        "sku_code": product["sku_code"],
                        "qty": qty,
                        "price": price,
                        "amount": round(qty * price, 2),
                        "status": status,
                        "_store_code": store_code,
                    }
                )


def _violation(
    store: dict[str, Any], product: dict[str, Any], price: float, kind: str
) -> dict[str, Any]:
    return {
        "store_code": store["code"],
        "channel": store["departments"],
        "store": store["name"],
        "sku_code": product["sku_code"],
        "online_price": price,
        "offline_list_price": product["list_price"],
        "offline_floor": round(float(product["list_price"]) * 0.8, 2),
        "kind": kind,
    }
