"""Market packs: the words, places and formats that make generated data look local.

A market bundles everything that differs between China, the Russian-speaking market and the
English-speaking one: the region hierarchy (province → city → district, oblast → city, region →
city → district), company legal forms, hospital grades, phone formats, public holidays, online
channels and the layouts in which local distributors send their sell-out reports. Generators
take a :class:`Market` and never branch on the market code themselves, so adding a market means
adding one module here.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class City:
    """A city with its districts (leaf territories); no districts means the city is the leaf."""

    code: str
    name: str
    districts: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Region:
    """A province, oblast or region: the first level below the country."""

    code: str
    name: str
    cities: tuple[City, ...]


@dataclass(frozen=True)
class FlowLayout:
    """How one distributor writes its sell-out report.

    ``columns`` maps our canonical flow fields (``day``, ``terminal_name``,
    ``terminal_address``, ``terminal_region``, ``terminal_phone``, ``product_raw``, ``sku_code``,
    ``qty``, ``amount``) to the header the distributor uses; fields it omits are not reported.
    """

    name: str
    file_format: str  # "csv" or "xlsx"
    encoding: str  # Python codec of a CSV file ("utf-8", "utf-8-sig", "gbk", "cp1251")
    delimiter: str
    date_format: str  # strftime pattern
    decimal_comma: bool
    columns: dict[str, str]


@dataclass(frozen=True)
class Market:
    """Everything local about one market (see the module docstring)."""

    code: str
    country: str
    country_code: str
    faker_locale: str
    currency: str
    timezone: str
    eur_rate: float
    """Local currency units per catalogue euro, with the local price level folded in."""
    regions: tuple[Region, ...]
    company_legal_forms: tuple[str, ...]
    pharmacy_legal_forms: tuple[str, ...]
    chain_brands: tuple[str, ...]
    pharmacy_words: tuple[str, ...]
    distributor_words: tuple[str, ...]
    manufacturer_words: tuple[str, ...]
    hospital_grades: tuple[str, ...]
    hospital_patterns: tuple[str, ...]
    clinic_patterns: tuple[str, ...]
    agency_patterns: tuple[str, ...]
    media_patterns: tuple[str, ...]
    departments: tuple[str, ...]
    specialties: tuple[str, ...]
    hospital_titles: tuple[str, ...]
    pharmacy_titles: tuple[str, ...]
    company_titles: tuple[str, ...]
    streets: tuple[str, ...]
    holidays: frozenset[date]
    messenger: str
    online_stores: tuple[tuple[str, str], ...]
    """(channel, store) pairs: marketplace flagship stores, own web shop, O2O delivery."""
    flow_layouts: tuple[FlowLayout, ...]
    abbreviations: tuple[tuple[str, str], ...]
    """(long, short) pairs the noise model swaps when a distributor types a terminal name."""
    mobile_phone: Callable[[random.Random], str]
    landline_phone: Callable[[random.Random, str], str]
    address: Callable[[random.Random, Region, City, str, str], str]
    """(rng, region, city, district, street) → a full postal address line."""
    outlet_name: Callable[[str, str, int], str]
    """(chain brand, district or city, outlet number) → the outlet's registered name."""
    uses_fullwidth_brackets: bool = False
    extra: dict[str, str] = field(default_factory=dict)


def get_market(code: str) -> Market:
    """Return the market pack for ``code`` (``cn``, ``ru`` or ``en``).

    Raises
    ------
    ValueError
        For an unknown market code, naming the known ones.
    """
    from pharmacrm.demo.markets import cn, en, ru

    markets = {"cn": cn.MARKET, "ru": ru.MARKET, "en": en.MARKET}
    if code not in markets:
        raise ValueError(f"unknown market {code!r}; known: {', '.join(sorted(markets))}")
    return markets[code]


def holiday_dates(*spans: tuple[str, str]) -> frozenset[date]:
    """Expand inclusive ISO date spans into a set of dates (holiday tables are written as spans)."""
    days: set[date] = set()
    for first, last in spans:
        start, end = date.fromisoformat(first), date.fromisoformat(last)
        days.update(date.fromordinal(o) for o in range(start.toordinal(), end.toordinal() + 1))
    return frozenset(days)
