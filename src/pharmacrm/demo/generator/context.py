"""The frozen, picklable context every fact worker needs: calendar, catalogue, outlets, mixes.

Built once in the parent process from the master data and options, then shipped to worker
processes, so workers never rebuild master data and the same context gives the same facts
whatever process runs a chunk.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from pharmacrm.demo.generator.config import (
    ANONYMOUS_MIX,
    AS_OF,
    CARD_PREFIX,
    CATEGORIES,
    PROMOTION_PULL,
    PROMOTION_WEEK_SHARE,
    SEGMENTS,
    WINDOW_START,
    GenerateOptions,
)
from pharmacrm.demo.generator.master import Master
from pharmacrm.demo.markets import Market

EPOCH = date(1970, 1, 1)

# ATC prefixes whose sales follow the cold-and-flu winter or the allergy spring.
FLU_ATC = ("R05", "R01A", "R02", "N02BE", "N02BA", "M01AE01", "J05AH", "J01", "A11GA")
ALLERGY_ATC = ("R06", "R01AD", "S01G", "R03")


@dataclass(frozen=True)
class Promotion:
    """A week-long discount on a few non-Rx products of one category."""

    week: int
    category: str
    product_index: tuple[int, ...]
    discount: float


@dataclass(frozen=True)
class FactContext:
    """Arrays indexed by day (window day 0 = WINDOW_START), week, product and outlet."""

    options: GenerateOptions
    currency: str
    eur_rate: float
    card_prefix: str
    ndays: int
    epoch_day0: int
    utc_offset_s: np.ndarray
    day_intensity: np.ndarray
    cum_intensity: np.ndarray
    week_of_day: np.ndarray
    month_of_day: np.ndarray
    months: tuple[str, ...]
    sku_codes: tuple[str, ...]
    product_category: np.ndarray
    price: np.ndarray
    cost: np.ndarray
    is_rx: np.ndarray
    days_supply: np.ndarray
    product_cdf: np.ndarray
    """(rows × weeks, products) cumulative choice probabilities; rows = segments + anonymous."""
    promo_discount: np.ndarray
    """(weeks, products) discount rate, 0 where no promotion runs."""
    promotions: tuple[Promotion, ...]
    chronic_index: np.ndarray
    chronic_cdf: np.ndarray
    outlet_codes: tuple[str, ...]
    outlet_chain: np.ndarray
    outlet_city: np.ndarray
    outlet_region_code: tuple[str, ...]
    outlet_weight_cdf: np.ndarray
    chain_sources: tuple[str, ...]

    @property
    def is_pure(self) -> bool:
        """True for ``--model pure`` (no seasonality, promotions, refills or returns)."""
        return self.options.model == "pure"

    @property
    def nweeks(self) -> int:
        """Number of (partial) weeks in the window."""
        return int(self.week_of_day[-1]) + 1


def build_context(options: GenerateOptions, market: Market, master: Master) -> FactContext:
    """Derive every array the fact generators use from the options, market and master."""
    rng = np.random.default_rng(np.random.SeedSequence([options.seed, 7]))
    pure = options.model == "pure"
    ndays = (AS_OF - WINDOW_START).days + 1
    days = [WINDOW_START + timedelta(days=i) for i in range(ndays)]
    zone = ZoneInfo(market.timezone)
    offsets = np.array([_trading_day_offset(d, zone) for d in days])
    intensity = np.ones(ndays) if pure else _day_intensity(days, market)
    cum = np.concatenate([[0.0], np.cumsum(intensity)])
    week = (np.arange(ndays) + WINDOW_START.weekday()) // 7
    month_keys = [f"{d.year:04d}-{d.month:02d}" for d in days]
    months = tuple(dict.fromkeys(month_keys))
    month_of_day = np.array([months.index(k) for k in month_keys], dtype=np.int32)

    products = master.products
    category = np.array([CATEGORIES.index(str(p["category"])) for p in products])
    price = np.array([float(p["list_price"]) for p in products])
    cost = np.array([float(p["cost_price"]) for p in products])
    is_rx = np.array([p["rx_otc"] == "Rx" for p in products])
    supply = np.array([int(p["days_supply"]) if p["days_supply"] != "" else 0 for p in products])
    popularity = rng.lognormal(0.0, 0.8, len(products))
    nweeks = int(week[-1]) + 1
    promotions = () if pure else _promotions(rng, nweeks, category, is_rx)
    promo = np.zeros((nweeks, len(products)))
    for promotion in promotions:
        promo[promotion.week, list(promotion.product_index)] = promotion.discount
    cdf = _product_cdf(products, category, popularity, supply, week, days, promo, pure)

    chronic = np.flatnonzero(supply > 0)
    chronic_w = popularity[chronic] / popularity[chronic].sum()
    outlets = master.outlets
    chains = sorted({str(o["parent_code"]) for o in outlets})
    cities = sorted({str(o["city"]) for o in outlets})
    outlet_weight = rng.lognormal(0.0, 0.5, len(outlets))
    return FactContext(
        options=options,
        currency=market.currency,
        eur_rate=market.eur_rate,
        card_prefix=CARD_PREFIX[market.code],
        ndays=ndays,
        epoch_day0=(WINDOW_START - EPOCH).days,
        utc_offset_s=offsets,
        day_intensity=intensity,
        cum_intensity=cum,
        week_of_day=week,
        month_of_day=month_of_day,
        months=months,
        sku_codes=tuple(str(p["sku_code"]) for p in products),
        product_category=category,
        price=price,
        cost=cost,
        is_rx=is_rx,
        days_supply=supply,
        product_cdf=cdf,
        promo_discount=promo,
        promotions=promotions,
        chronic_index=chronic,
        chronic_cdf=np.cumsum(chronic_w),
        outlet_codes=tuple(str(o["code"]) for o in outlets),
        outlet_chain=np.array([chains.index(str(o["parent_code"])) for o in outlets]),
        outlet_city=np.array([cities.index(str(o["city"])) for o in outlets]),
        outlet_region_code=tuple(str(o["territory_code"]) for o in outlets),
        outlet_weight_cdf=np.cumsum(outlet_weight / outlet_weight.sum()),
        chain_sources=tuple(f"pos-{c.lower()}" for c in chains),
    )


def _day_intensity(days: list[date], market: Market) -> np.ndarray:
    """Relative shop traffic per day: flu winter peak, weekly rhythm, quiet public holidays."""
    weekday = np.array([1.0, 0.97, 0.97, 1.0, 1.08, 1.12, 0.86])
    values = np.array(
        [
            (1.0 + 0.2 * math.cos(2 * math.pi * (d.timetuple().tm_yday - 20) / 365.25))
            * weekday[d.weekday()]
            * (0.7 if d in market.holidays else 1.0)
            for d in days
        ]
    )
    return values / values.mean()


def _season_multiplier(product: dict[str, Any], yday: float) -> float:
    atc = str(product["atc_code"])
    name = str(product["inn"])
    winter = 0.5 * (1 + math.cos(2 * math.pi * (yday - 20) / 365.25))  # 1 mid-January, 0 July
    spring = math.exp(-(((yday - 125) / 25) ** 2))  # pollen season peaking early May
    summer = math.exp(-(((yday - 200) / 35) ** 2))
    if atc.startswith(FLU_ATC):
        return 1.0 + 1.5 * winter
    if atc.startswith(ALLERGY_ATC):
        return 1.0 + 2.5 * spring
    if "sunscreen" in name or "electrolytes" in name:
        return 0.3 + 2.5 * summer
    return 1.0


def _promotions(
    rng: np.random.Generator, nweeks: int, category: np.ndarray, is_rx: np.ndarray
) -> tuple[Promotion, ...]:
    promotions = []
    for week in range(nweeks):
        for cat in range(len(CATEGORIES)):
            if rng.random() >= PROMOTION_WEEK_SHARE:
                continue
            eligible = np.flatnonzero((category == cat) & ~is_rx)
            chosen = rng.choice(eligible, size=min(6, len(eligible)), replace=False)
            discount = float(rng.choice([0.10, 0.15, 0.20, 0.25, 0.30]))
            promotions.append(
                Promotion(week, CATEGORIES[cat], tuple(sorted(int(i) for i in chosen)), discount)
            )
    return tuple(promotions)


def _product_cdf(
    products: list[dict[str, Any]],
    category: np.ndarray,
    popularity: np.ndarray,
    supply: np.ndarray,
    week: np.ndarray,
    days: list[date],
    promo: np.ndarray,
    pure: bool,
) -> np.ndarray:
    nweeks = promo.shape[0]
    first_day = np.searchsorted(week, np.arange(nweeks))
    ydays = [days[i].timetuple().tm_yday + 3 for i in first_day]
    season = np.array([[_season_multiplier(p, y) for p in products] for y in ydays])
    if pure:
        season[:] = 1.0
    mixes = [(s.category_mix, s.chronic_affinity, s.price_sensitivity) for s in SEGMENTS]
    mixes.append((ANONYMOUS_MIX, 0.5, 0.3))
    rows = []
    for mix, chronic_affinity, sensitivity in mixes:
        base = popularity * np.where(supply > 0, chronic_affinity, 1.0)
        share = np.array(mix)[category]
        in_category = np.bincount(category, weights=base, minlength=len(CATEGORIES))[category]
        weight = share * base / in_category
        for w in range(nweeks):
            row = weight * season[w] * (1.0 + PROMOTION_PULL * sensitivity * (promo[w] > 0))
            rows.append(np.cumsum(row / row.sum()))
    cdf = np.array(rows)
    cdf[:, -1] = 1.0
    return cdf


TRADING_HOURS = (8, 22)
"""Outlets trade 08:00-22:00 local time (receipt times are drawn in this span)."""


def _trading_day_offset(day: date, zone: ZoneInfo) -> float:
    """The one UTC offset of a trading day, in seconds east of UTC.

    Receipt times are drawn as local wall times between the opening and closing hour and
    converted with one offset per day. That is exact only when the zone does not switch
    between opening and closing; every real zone switches at night, so it holds — but it is
    checked here, not assumed: a zone switching in trading hours would put checks in a DST gap
    or fold (nonexistent or ambiguous local times in the POS export).
    """
    opening, closing = (
        _utc_offset_seconds(datetime(day.year, day.month, day.day, hour, tzinfo=zone))
        for hour in TRADING_HOURS
    )
    if opening != closing:
        raise ValueError(f"{zone.key} changes its UTC offset during trading hours on {day}")
    return opening


def _utc_offset_seconds(moment: datetime) -> float:
    """Seconds east of UTC of an aware datetime (ZoneInfo always gives an offset)."""
    offset = moment.utcoffset()
    assert offset is not None
    return offset.total_seconds()
