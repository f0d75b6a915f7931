"""Receipt lines of loyalty members and anonymous buyers, one chunk at a time.

A chunk is a run of members (or of anonymous checks) with its own seed spawned from the run
seed, so chunks can be computed in any process, in any order, and still give the same bytes.
Everything is vectorised NumPy; one chunk of 50 000 members is a few million array elements.
MODEL.md describes the behaviour drawn here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pharmacrm.demo.generator.config import SEGMENTS
from pharmacrm.demo.generator.context import TRADING_HOURS, FactContext
from pharmacrm.warehouse.facts import RECEIPT_LINES, UTC_TS

ANONYMOUS_ROW = len(SEGMENTS)
_SEG = {
    name: np.array([getattr(s, name) for s in SEGMENTS], dtype=float)
    for name in (
        *("share", "r", "alpha", "a", "b", "p_spend", "q_spend", "gamma_spend"),
        *("basket_lines", "price_sensitivity"),
    )
}
KIND_FIRST, KIND_REPEAT, KIND_REFILL, KIND_EXTRA = 0, 1, 2, 3


@dataclass(frozen=True)
class ChunkResult:
    """One chunk's receipt lines (sorted by partition, time, check, line) and its members."""

    lines: pa.Table
    """RECEIPT_LINES columns without ``import_id``/``source_row`` plus ``_part`` (partition)."""
    members: pa.Table | None
    """Consumer master + truth columns, one row per member (None for anonymous chunks)."""


def _seed(ctx: FactContext, kind: int, chunk: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([ctx.options.seed, kind, chunk]))


def member_chunk(ctx: FactContext, chunk: int, first_member: int, n: int) -> ChunkResult:
    """Members ``first_member … first_member + n - 1``: their traits, truth and receipts."""
    rng = _seed(ctx, 1, chunk)
    seg = rng.choice(len(SEGMENTS), size=n, p=_SEG["share"] / _SEG["share"].sum())
    reg = rng.integers(0, ctx.ndays, size=n)
    lam = rng.gamma(_SEG["r"][seg], 1.0 / _SEG["alpha"][seg])
    p_drop = rng.beta(_SEG["a"][seg], _SEG["b"][seg])
    nu = rng.gamma(_SEG["q_spend"][seg], 1.0 / _SEG["gamma_spend"][seg])
    dropout_after = rng.geometric(p_drop)
    cum = ctx.cum_intensity
    start = cum[reg]
    span = cum[ctx.ndays] - start
    poisson = rng.poisson(lam * span)
    repeats = np.minimum(poisson, dropout_after)

    # The first `repeats` of `poisson` uniform order statistics, drawn directly:
    # log(1 - U_(k)) = sum_{j<=k} log(V_j) / (M - j + 1)  (Rényi's representation).
    owner = np.repeat(np.arange(n), repeats)
    offsets = np.cumsum(repeats) - repeats
    j = np.arange(owner.size) - offsets[owner] + 1
    steps = np.log(rng.random(owner.size)) / (poisson[owner] - j + 1)
    running = np.concatenate([[0.0], np.cumsum(steps)])
    u = 1.0 - np.exp(running[1:] - running[offsets[owner]])
    repeat_day = np.searchsorted(cum, start[owner] + u * span[owner], side="right") - 1
    repeat_day = np.minimum(repeat_day, ctx.ndays - 1)

    member = np.concatenate([np.arange(n), owner])
    day = np.concatenate([reg, repeat_day])
    kind = np.concatenate([np.full(n, KIND_FIRST), np.full(owner.size, KIND_REPEAT)])
    order = np.lexsort((kind, day, member))
    member, day, kind = member[order], day[order], kind[order]
    if ctx.is_pure:
        member, day, kind = _one_purchase_per_day(member, day, kind, ctx.ndays)
    alive = dropout_after > poisson
    last_day = np.full(n, -1)
    np.maximum.at(last_day, member, day)
    spend_scale = ctx.eur_rate / nu  # local currency: z = eur_rate * Gamma(p, rate nu)
    checks_z = rng.gamma(_SEG["p_spend"][seg[member]], spend_scale[member])

    refill_member = refill_day = refill_product = np.empty(0, dtype=np.int64)
    if not ctx.is_pure:
        refill_member, refill_day, refill_product = _refills(rng, ctx, seg, reg, last_day, alive)
    lines = _member_lines(
        rng, ctx, seg, member, day, kind, checks_z, refill_member, refill_day, refill_product
    )
    lines = _with_identity(
        ctx, lines, chunk, first_member, home_outlets := _home_outlets(rng, ctx, n)
    )
    purchases = np.bincount(member, minlength=n)
    members = _members_table(
        rng,
        ctx,
        first_member,
        seg,
        reg,
        lam,
        p_drop,
        nu,
        dropout_after,
        alive,
        purchases,
        home_outlets,
    )
    return ChunkResult(_to_arrow(ctx, lines, "K", chunk), members)


def _one_purchase_per_day(
    member: np.ndarray, day: np.ndarray, kind: np.ndarray, ndays: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Move a same-day repeat to the member's next free day (pure model: ≤ 1 purchase a day).

    Shifting instead of dropping keeps each member's purchase count exactly BG/NBD; a
    purchase pushed past the window end is dropped (rare: it needs a collision on the last days).
    """
    if member.size == 0:
        return member, day, kind
    starts = np.flatnonzero(np.r_[True, member[1:] != member[:-1]])
    k = np.arange(member.size) - np.repeat(starts, np.diff(np.r_[starts, member.size]))
    big = np.int64(4 * ndays)
    shifted = np.maximum.accumulate(day - k + member * big) - member * big + k
    keep = shifted < ndays
    return member[keep], shifted[keep], kind[keep]


def _refills(
    rng: np.random.Generator,
    ctx: FactContext,
    seg: np.ndarray,
    reg: np.ndarray,
    last_day: np.ndarray,
    alive: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Chronic-therapy refills: one pack of a long-term medicine every days-supply (±)."""
    chronic_members = np.flatnonzero(seg == 0)
    therapies = 1 + (rng.random(chronic_members.size) < 0.4)
    pair_member = np.repeat(chronic_members, therapies)
    product = ctx.chronic_index[np.searchsorted(ctx.chronic_cdf, rng.random(pair_member.size))]
    supply = ctx.days_supply[product].astype(float)
    stop = np.where(alive[pair_member], ctx.ndays, last_day[pair_member] + supply)
    max_refills = int(ctx.ndays / ctx.days_supply[ctx.chronic_index].min()) + 2
    gaps = supply[:, None] * rng.uniform(0.9, 1.3, size=(pair_member.size, max_refills))
    gaps[:, 0] = rng.uniform(0.0, 1.0, size=pair_member.size) * supply
    when = reg[pair_member][:, None] + np.cumsum(gaps, axis=1)
    mask = (when < stop[:, None]) & (when < ctx.ndays)
    rows, _cols = np.nonzero(mask)
    return pair_member[rows], when[mask].astype(np.int64), product[rows]


def _draw_products(
    rng: np.random.Generator, ctx: FactContext, row: np.ndarray, week: np.ndarray
) -> np.ndarray:
    """Sample one product per line from the (row, week) choice distribution."""
    flat = row * ctx.nweeks + week
    grid = ctx.product_cdf
    nprod = grid.shape[1]
    shifted = (grid + np.arange(grid.shape[0])[:, None]).ravel()
    hit = np.searchsorted(shifted, flat + rng.random(flat.size), side="right")
    return np.minimum(hit - flat * nprod, nprod - 1)


def _member_lines(
    rng: np.random.Generator,
    ctx: FactContext,
    seg: np.ndarray,
    member: np.ndarray,
    day: np.ndarray,
    kind: np.ndarray,
    checks_z: np.ndarray,
    refill_member: np.ndarray,
    refill_day: np.ndarray,
    refill_product: np.ndarray,
) -> dict[str, np.ndarray]:
    """Check lines for BG/NBD purchases (Gamma-Gamma spend) and for refills."""
    nchecks = member.size
    nlines = 1 + rng.poisson(_SEG["basket_lines"][seg[member]] - 1.0)
    check = np.repeat(np.arange(nchecks), nlines)
    line_day = day[check]
    product = _draw_products(rng, ctx, seg[member][check], ctx.week_of_day[line_day])
    weight = rng.gamma(1.0, size=check.size)
    weight /= np.bincount(check, weights=weight)[check]
    target = checks_z[check] * weight
    if ctx.is_pure:
        amount = np.round(target, 2)
        qty = np.ones(check.size)
        unit_price = amount.copy()
        discount = np.zeros(check.size)
        cost = np.round(amount * ctx.cost[product] / ctx.price[product], 2)
    else:
        qty = np.clip(np.round(target / ctx.price[product]), 1, 5)
        unit_price, discount, amount, cost = _priced(ctx, product, qty, line_day)
    line_no = np.arange(check.size) - np.repeat(np.cumsum(nlines) - nlines, nlines) + 1
    out = {
        "check": check,
        "member": member[check],
        "day": line_day,
        "product": product,
        "qty": qty,
        "unit_price": unit_price,
        "discount": discount,
        "amount": amount,
        "cost": cost,
        "line_no": line_no,
    }
    if refill_member.size:
        out = _concat(
            out, _refill_lines(rng, ctx, seg, refill_member, refill_day, refill_product, nchecks)
        )
    if not ctx.is_pure:
        out = _concat(out, _returns(rng, ctx, seg, out))
    return out


def _priced(
    ctx: FactContext, product: np.ndarray, qty: np.ndarray, day: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    unit_price = ctx.price[product]
    rate = ctx.promo_discount[ctx.week_of_day[day], product]
    discount = np.round(unit_price * qty * rate, 2)
    amount = np.round(unit_price * qty - discount, 2)
    cost = np.round(ctx.cost[product] * qty, 2)
    return unit_price, discount, amount, cost


def _refill_lines(
    rng: np.random.Generator,
    ctx: FactContext,
    seg: np.ndarray,
    member: np.ndarray,
    day: np.ndarray,
    product: np.ndarray,
    first_check: int,
) -> dict[str, np.ndarray]:
    """One refill check each: the therapy pack (sometimes two) plus, at times, one extra item."""
    n = member.size
    extra = rng.random(n) < 0.35
    check = first_check + np.concatenate([np.arange(n), np.flatnonzero(extra)])
    line_member = np.concatenate([member, member[extra]])
    line_day = np.concatenate([day, day[extra]])
    extra_product = _draw_products(rng, ctx, seg[member[extra]], ctx.week_of_day[day[extra]])
    line_product = np.concatenate([product, extra_product])
    qty = np.concatenate([1.0 + (rng.random(n) < 0.15), np.ones(int(extra.sum()))])
    line_no = np.concatenate([np.ones(n), np.full(int(extra.sum()), 2.0)]).astype(np.int64)
    unit_price, discount, amount, cost = _priced(ctx, line_product, qty, line_day)
    return {
        "check": check,
        "member": line_member,
        "day": line_day,
        "product": line_product,
        "qty": qty,
        "unit_price": unit_price,
        "discount": discount,
        "amount": amount,
        "cost": cost,
        "line_no": line_no,
    }


def _returns(
    rng: np.random.Generator, ctx: FactContext, seg: np.ndarray, lines: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """A few lines come back 1-14 days later as a separate return check (negative qty/amount)."""
    first_lines = np.flatnonzero(lines["line_no"] == 1)
    probability = 0.003 * (1.0 + _SEG["price_sensitivity"][seg[lines["member"][first_lines]]])
    back = first_lines[rng.random(first_lines.size) < probability]
    back_day = lines["day"][back] + rng.integers(1, 15, size=back.size)
    back = back[back_day < ctx.ndays]
    back_day = back_day[back_day < ctx.ndays]
    first_check = int(lines["check"].max()) + 1 if lines["check"].size else 0
    out = {
        name: -values[back]
        for name, values in lines.items()
        if name in ("qty", "discount", "amount", "cost")
    }
    out.update(
        check=first_check + np.arange(back.size),
        member=lines["member"][back],
        day=back_day,
        product=lines["product"][back],
        unit_price=lines["unit_price"][back],
        line_no=np.ones(back.size, dtype=np.int64),
        is_return=np.ones(back.size, dtype=bool),
    )
    return out


def _concat(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    names = set(a) | set(b)
    size_a = len(a["check"])
    size_b = len(b["check"])
    return {
        name: np.concatenate(
            [a.get(name, np.zeros(size_a, dtype=bool)), b.get(name, np.zeros(size_b, dtype=bool))]
        )
        for name in sorted(names)
    }


def _home_outlets(rng: np.random.Generator, ctx: FactContext, n: int) -> np.ndarray:
    return np.searchsorted(ctx.outlet_weight_cdf, rng.random(n), side="right").clip(
        0, len(ctx.outlet_codes) - 1
    )


def _with_identity(
    ctx: FactContext, lines: dict[str, np.ndarray], chunk: int, first_member: int, home: np.ndarray
) -> dict[str, np.ndarray]:
    """Outlet and time of day per check (members shop mostly at their home outlet)."""
    rng = _seed(ctx, 3, chunk)
    nchecks = int(lines["check"].max()) + 1 if lines["check"].size else 0
    check_member = np.zeros(nchecks, dtype=np.int64)
    check_member[lines["check"]] = lines["member"]
    outlet = home[check_member]
    if not ctx.is_pure:
        away = np.flatnonzero(rng.random(nchecks) < 0.15)
        by_city = np.argsort(ctx.outlet_city, kind="stable")
        count = np.bincount(ctx.outlet_city)
        first = np.cumsum(count) - count
        city = ctx.outlet_city[outlet[away]]
        outlet[away] = by_city[first[city] + rng.integers(0, 1 << 30, size=away.size) % count[city]]
    seconds = _check_seconds(rng, nchecks)
    lines["outlet"] = outlet[lines["check"]]
    lines["second"] = seconds[lines["check"]]
    lines["member"] = lines["member"] + first_member
    return lines


def _check_seconds(rng: np.random.Generator, n: int) -> np.ndarray:
    """Local second of the day of ``n`` checks: Beta(2, 2) over the trading hours."""
    opening, closing = TRADING_HOURS
    span = rng.beta(2.0, 2.0, size=n) * (closing - opening) * 3600
    return (opening * 3600 + span).astype(np.int64)


def anonymous_chunk(ctx: FactContext, chunk: int, n_checks: int) -> ChunkResult:
    """``n_checks`` checks without a loyalty card: acute-heavy mix, one or two items each."""
    rng = _seed(ctx, 2, chunk)
    day_cdf = np.cumsum(ctx.day_intensity) / ctx.day_intensity.sum()
    day = np.searchsorted(day_cdf, rng.random(n_checks), side="right").clip(0, ctx.ndays - 1)
    nlines = 1 + rng.poisson(0.7, size=n_checks)
    check = np.repeat(np.arange(n_checks), nlines)
    line_day = day[check]
    product = _draw_products(
        rng, ctx, np.full(check.size, ANONYMOUS_ROW), ctx.week_of_day[line_day]
    )
    qty = 1.0 + (rng.random(check.size) < 0.12)
    unit_price, discount, amount, cost = _priced(ctx, product, qty, line_day)
    outlet = np.searchsorted(ctx.outlet_weight_cdf, rng.random(n_checks), side="right").clip(
        0, len(ctx.outlet_codes) - 1
    )
    seconds = _check_seconds(rng, n_checks)
    lines = {
        "check": check,
        "member": np.full(check.size, -1),
        "day": line_day,
        "product": product,
        "qty": qty,
        "unit_price": unit_price,
        "discount": discount,
        "amount": amount,
        "cost": cost,
        "line_no": np.arange(check.size) - np.repeat(np.cumsum(nlines) - nlines, nlines) + 1,
        "outlet": outlet[check],
        "second": seconds[check],
    }
    return ChunkResult(_to_arrow(ctx, lines, "A", chunk), None)


def _to_arrow(ctx: FactContext, lines: dict[str, np.ndarray], prefix: str, chunk: int) -> pa.Table:
    """Sorted Arrow table in RECEIPT_LINES order (trace columns are added by the writer)."""
    day = lines["day"].astype(np.int64)
    local_s = (ctx.epoch_day0 + day) * 86400 + lines["second"]
    utc_us = (local_s - ctx.utc_offset_s[day].astype(np.int64)) * 1_000_000
    part = ctx.outlet_chain[lines["outlet"]] * len(ctx.months) + ctx.month_of_day[day]
    order = np.lexsort((lines["line_no"], lines["check"], utc_us, part))
    pick = {name: values[order] for name, values in lines.items()}
    utc_us, part, day = utc_us[order], part[order], day[order]
    member = pick["member"]
    has_card = member >= 0
    card = pc.binary_join_element_wise(
        ctx.card_prefix,
        pc.utf8_lpad(pc.cast(pa.array(member + 1), pa.string()), width=9, padding="0"),
        "",
    )
    card = pc.if_else(pa.array(has_card), card, pa.scalar(None, pa.string()))
    check_id = pc.binary_join_element_wise(
        f"{prefix}{chunk:05d}",
        pc.utf8_lpad(pc.cast(pa.array(pick["check"]), pa.string()), width=7, padding="0"),
        "",
    )
    is_return = pick.get("is_return", np.zeros(day.size, dtype=bool))
    columns = {
        "outlet_code": pc.take(pa.array(ctx.outlet_codes), pa.array(pick["outlet"])),
        "outlet_id": pa.nulls(day.size, pa.int64()),
        "check_id": check_id,
        "line_no": pa.array(pick["line_no"].astype(np.int32)),
        "ts": pa.array(utc_us).cast(UTC_TS),
        "day": pa.array((ctx.epoch_day0 + day).astype(np.int32)).cast(pa.date32()),
        "card_no": card,
        "consumer_id": pa.nulls(day.size, pa.int64()),
        "sku_code": pc.take(pa.array(ctx.sku_codes), pa.array(pick["product"])),
        "product_id": pa.nulls(day.size, pa.int64()),
        "qty": pa.array(pick["qty"].astype(float)),
        "unit_price": pa.array(pick["unit_price"].astype(float)),
        "discount": pa.array(pick["discount"].astype(float)),
        "amount": pa.array(pick["amount"].astype(float)),
        "cost": pa.array(pick["cost"].astype(float)),
        "is_promo": pa.array(pick["discount"] > 0),
        "is_return": pa.array(is_return),
        "currency": pa.repeat(pa.scalar(ctx.currency), day.size),
    }
    fields = [RECEIPT_LINES.field(name) for name in columns]
    table = pa.Table.from_arrays(list(columns.values()), schema=pa.schema(fields))
    return table.append_column("_part", pa.array(part.astype(np.int32)))


def _members_table(
    rng: np.random.Generator,
    ctx: FactContext,
    first_member: int,
    seg: np.ndarray,
    reg: np.ndarray,
    lam: np.ndarray,
    p_drop: np.ndarray,
    nu: np.ndarray,
    dropout_after: np.ndarray,
    alive: np.ndarray,
    purchases: np.ndarray,
    home: np.ndarray,
) -> pa.Table:
    """Consumer master columns and the member's latent truth, side by side."""
    n = seg.size
    female_share = np.array([0.55, 0.62, 0.92, 0.88, 0.5])[seg]
    gender = pc.take(pa.array(["M", "F"]), pa.array((rng.random(n) < female_share).astype(np.int8)))
    mean_birth = np.array([1958, 1980, 1990, 1988, 1982])[seg]
    birth_year = np.clip(np.round(rng.normal(mean_birth, 8.0)), 1930, 2006).astype(np.int32)
    number = pa.array(np.arange(first_member, first_member + n) + 1)
    card = pc.binary_join_element_wise(
        ctx.card_prefix, pc.utf8_lpad(pc.cast(number, pa.string()), width=9, padding="0"), ""
    )
    consent = rng.random((n, 4)) < np.array([0.55, 0.7, 0.45, 0.3])
    registered = pa.array((ctx.epoch_day0 + reg).astype(np.int32)).cast(pa.date32())
    return _table(
        {
            "card_no": card,
            "gender": gender,
            "birth_year": pa.array(birth_year),
            "region_code": pc.take(pa.array(ctx.outlet_region_code), pa.array(home)),
            "home_outlet_code": pc.take(pa.array(ctx.outlet_codes), pa.array(home)),
            "registered_on": registered,
            "consent_email": pa.array(consent[:, 0]),
            "consent_sms": pa.array(consent[:, 1]),
            "consent_messenger": pa.array(consent[:, 2]),
            "consent_phone": pa.array(consent[:, 3]),
            "segment": pc.take(pa.array([s.name for s in SEGMENTS]), pa.array(seg)),
            "lambda_per_day": pa.array(lam),
            "p_dropout": pa.array(p_drop),
            "dropout_after_repeats": pa.array(dropout_after.astype(np.int64)),
            "is_alive_at_as_of": pa.array(alive),
            "spend_p": pa.array(_SEG["p_spend"][seg]),
            "spend_nu": pa.array(nu / ctx.eur_rate),
            "expected_spend": pa.array(_SEG["p_spend"][seg] * ctx.eur_rate / nu),
            "purchases_in_window": pa.array(purchases.astype(np.int64)),
        }
    )


def _table(columns: dict[str, pa.Array]) -> pa.Table:
    """``pa.table`` without its pandas probe (importing pandas costs seconds per worker)."""
    return pa.Table.from_arrays(list(columns.values()), names=list(columns))
