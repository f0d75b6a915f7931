"""Master data: territories, reps, accounts of every kind and tier, contacts and products.

Built in one process from one ``random.Random`` and one seeded Faker, so the same seed gives
the same master whatever the number of worker processes. Rows are plain dicts whose keys are
the plain-English canonical column names of FORMATS.md (the customer-master importer maps them
without a template).
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import resources
from typing import Any

from faker import Faker

from pharmacrm.demo.generator.config import Scale
from pharmacrm.demo.markets import City, Market, Region

# Heterogeneous CSV-like records; values are checked against the schemas when written.
Row = dict[str, Any]


@dataclass(frozen=True)
class Leaf:
    """A leaf territory (district, or a city without districts) and where it sits."""

    code: str
    region: Region
    city: City
    district: str


@dataclass
class Master:
    """All master tables plus the indexes the fact generators need."""

    territories: list[Row] = field(default_factory=list)
    reps: list[Row] = field(default_factory=list)
    accounts: list[Row] = field(default_factory=list)
    contacts: list[Row] = field(default_factory=list)
    products: list[Row] = field(default_factory=list)
    leaves: list[Leaf] = field(default_factory=list)
    outlets: list[Row] = field(default_factory=list)
    """Chain outlets (the POS sources of receipts and the home outlets of members)."""

    def accounts_of_kind(self, *kinds: str) -> list[Row]:
        """Accounts whose ``kind`` is one of ``kinds``, in file order."""
        return [a for a in self.accounts if a["kind"] in kinds]


def load_catalogue() -> list[dict[str, str]]:
    """The curated product list shipped in ``pharmacrm/demo/data/products.csv``."""
    text = resources.files("pharmacrm.demo").joinpath("data/products.csv").read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


def build_master(market: Market, scale: Scale, seed: int) -> Master:
    """Generate every master table for ``market`` at ``scale``."""
    rng = random.Random(f"master-{seed}")  # noqa: S311 (synthetic data, not security)
    fake = Faker(market.faker_locale)
    fake.seed_instance(seed)
    master = Master()
    _territories(master, market)
    _accounts(master, market, scale, rng, fake)
    _reps(master, market, scale, rng, fake)
    _contacts(master, market, rng, fake)
    _products(master, market)
    return master


def _territories(master: Master, market: Market) -> None:
    master.territories.append(
        {"code": market.country_code, "name": market.country, "parent_code": "", "level": "country"}
    )
    for region in market.regions:
        master.territories.append(
            {
                "code": region.code,
                "name": region.name,
                "parent_code": market.country_code,
                "level": "region",
            }
        )
        for city in region.cities:
            master.territories.append(
                {"code": city.code, "name": city.name, "parent_code": region.code, "level": "city"}
            )
            if not city.districts:
                master.leaves.append(Leaf(city.code, region, city, ""))
            for suffix, name in city.districts:
                code = f"{city.code}-{suffix}"
                master.territories.append(
                    {"code": code, "name": name, "parent_code": city.code, "level": "district"}
                )
                master.leaves.append(Leaf(code, region, city, name))


def _place(market: Market, leaf: Leaf, rng: random.Random) -> Row:
    street = rng.choice(market.streets)
    return {
        "territory_code": leaf.code,
        "province": leaf.region.name,
        "city": leaf.city.name,
        "district": leaf.district,
        "address": market.address(rng, leaf.region, leaf.city, leaf.district, street),
        "phone": market.landline_phone(rng, leaf.city.code),
    }


def _account(code: str, name: str, kind: str, tier: str, **extra: object) -> Row:
    row: Row = {
        "code": code,
        "name": name,
        "kind": kind,
        "tier": tier,
        "parent_code": "",
        "territory_code": "",
        "province": "",
        "city": "",
        "district": "",
        "address": "",
        "phone": "",
        "status": "active",
        "grade": "",
        "legal_form": "",
        "hospital_grade": "",
        "departments": "",
        "beds": "",
        "distributor_level": "",
    }
    row.update(extra)
    return row


def _company_name(
    market: Market, fake: Faker, words: tuple[str, ...], rng: random.Random
) -> tuple[str, str]:
    stem = fake.last_name() if market.code != "cn" else fake.city_name().removesuffix("市")
    legal = rng.choice(market.company_legal_forms)
    word = rng.choice(words)
    if market.code == "ru":
        return f"{legal} «{stem} {word}»", legal
    if market.code == "cn":
        return f"{stem}{word}{legal}", legal
    return f"{stem} {word} {legal}", legal


def _accounts(
    master: Master, market: Market, scale: Scale, rng: random.Random, fake: Faker
) -> None:
    leaves = master.leaves
    grades = ("S", "A", "B", "C")
    for i in range(1, scale.manufacturers + 1):
        name, legal = _company_name(market, fake, market.manufacturer_words, rng)
        master.accounts.append(
            _account(
                f"MFR{i:02d}",
                name,
                "manufacturer",
                "upstream",
                legal_form=legal,
                **_place(market, rng.choice(leaves), rng),
            )  # fmt: skip
        )
    national = [leaf for leaf in leaves if leaf.region is market.regions[0]] or leaves
    for level, count in ((1, scale.distributors_national), (2, scale.distributors_regional)):
        for i in range(1, count + 1):
            name, legal = _company_name(market, fake, market.distributor_words, rng)
            leaf = rng.choice(national) if level == 1 else leaves[(i * 7) % len(leaves)]
            master.accounts.append(
                _account(
                    f"DIS{level}{i:02d}",
                    name,
                    "distributor",
                    "downstream",
                    legal_form=legal,
                    grade=rng.choice(grades[:3]),
                    distributor_level=str(level),
                    **_place(market, leaf, rng),
                )  # fmt: skip
            )
    brands = list(market.chain_brands)
    rng.shuffle(brands)
    for c in range(scale.chains):
        chain_code = f"CH{c + 1:02d}"
        brand = brands[c % len(brands)]
        legal = rng.choice(market.company_legal_forms)
        chain_name = _chain_name(market, brand, legal)
        hq = rng.choice(leaves)
        master.accounts.append(
            _account(
                chain_code,
                chain_name,
                "pharmacy_chain",
                "terminal",
                legal_form=legal,
                grade=rng.choice(grades),
                **_place(market, hq, rng),
            )  # fmt: skip
        )
        for o in range(1, scale.outlets_per_chain + 1):
            leaf = leaves[(c * 5 + o * 3) % len(leaves)] if o % 4 else rng.choice(leaves)
            place = leaf.district or leaf.city.name
            outlet = _account(
                f"{chain_code}-{o:03d}", market.outlet_name(brand, place, o),
                "pharmacy", "terminal",
                parent_code=chain_code, legal_form=legal, grade=rng.choice(grades),
                **_place(market, leaf, rng),
            )  # fmt: skip
            outlet["_brand"] = brand
            outlet["_number"] = o
            master.accounts.append(outlet)
            master.outlets.append(outlet)
    for i in range(1, scale.independent_pharmacies + 1):
        leaf = rng.choice(leaves)
        legal = rng.choice(market.pharmacy_legal_forms)
        word = rng.choice(market.pharmacy_words)
        stem = fake.last_name()
        name = {
            "cn": f"{leaf.district or leaf.city.name}{stem}氏{word}",
            "ru": f"{word} «{stem}»",
        }.get(market.code, f"{stem} {word}")
        master.accounts.append(
            _account(
                f"PH{i:04d}",
                name,
                "pharmacy",
                "terminal",
                legal_form=legal,
                grade=rng.choice(grades),
                **_place(market, leaf, rng),
            )  # fmt: skip
        )
    for i in range(1, scale.hospitals + 1):
        leaf = rng.choice(leaves)
        name = _fill(rng.choice(market.hospital_patterns), leaf, i, fake, rng, market)
        depts = rng.sample(market.departments, rng.randint(4, min(10, len(market.departments))))
        grade = rng.choice(grades)
        hospital_grade = rng.choice(market.hospital_grades)
        master.accounts.append(
            _account(
                f"HOS{i:03d}",
                name,
                "hospital",
                "terminal",
                grade=grade,
                hospital_grade=hospital_grade,
                departments=";".join(depts),
                beds=str(
                    _beds(
                        market.hospital_grades.index(hospital_grade),
                        len(market.hospital_grades),
                        rng,
                    )
                ),
                **_place(market, leaf, rng),
            )  # fmt: skip
        )
    for i in range(1, scale.clinics + 1):
        leaf = rng.choice(leaves)
        name = _fill(rng.choice(market.clinic_patterns), leaf, i, fake, rng, market)
        master.accounts.append(
            _account(
                f"CLN{i:03d}",
                name,
                "clinic",
                "terminal",
                grade=rng.choice(grades[1:]),
                status=rng.choice(("active", "active", "active", "prospect")),
                **_place(market, leaf, rng),
            )  # fmt: skip
        )
    for i, (channel, store) in enumerate(market.online_stores, start=1):
        master.accounts.append(_account(f"WEB{i:02d}", store, "online_store", "terminal", grade="A",
                                        departments=channel))  # fmt: skip
    for i in range(1, 3):
        leaf = rng.choice(leaves)
        master.accounts.append(
            _account(
                f"TND{i:02d}",
                _fill(market.agency_patterns[i - 1], leaf, i, fake, rng, market),
                "tender_agency",
                "peripheral",
                **_place(market, leaf, rng),
            )  # fmt: skip
        )
        master.accounts.append(
            _account(
                f"MED{i:02d}",
                _fill(market.media_patterns[i - 1], leaf, i, fake, rng, market),
                "media",
                "peripheral",
                status=rng.choice(("active", "dormant")),
                **_place(market, leaf, rng),
            )  # fmt: skip
        )


def _chain_name(market: Market, brand: str, legal: str) -> str:
    if market.code == "cn":
        return f"{brand}大药房连锁{legal}"
    if market.code == "ru":
        return f"{legal} «Аптечная сеть {brand}»"
    return f"{brand} Pharmacy {legal}"


def _fill(pattern: str, leaf: Leaf, n: int, fake: Faker, rng: random.Random, market: Market) -> str:
    return pattern.format(
        city=leaf.city.name.removesuffix("市"),
        district=leaf.district or leaf.city.name,
        province=leaf.region.name,
        street=rng.choice(market.streets),
        name=fake.first_name(),
        n=n,
    )


def _reps(master: Master, market: Market, scale: Scale, rng: random.Random, fake: Faker) -> None:
    leaves = [leaf.code for leaf in master.leaves]
    managers = min(len(market.regions), max(1, scale.reps // 4))
    for m in range(managers):
        master.reps.append(_person_row(f"manager{m + 1:02d}", "regional_manager",
                                       market.regions[m].code, fake, market))  # fmt: skip
    for r in range(scale.reps):
        covered = leaves[r :: scale.reps] or [rng.choice(leaves)]
        master.reps.append(
            _person_row(f"rep{r + 1:03d}", "sales_rep", ";".join(covered), fake, market)
        )


def _person_row(username: str, role: str, territories: str, fake: Faker, market: Market) -> Row:
    domain = {"cn": "pharmacrm.cn", "ru": "pharmacrm.ru"}.get(market.code, "pharmacrm.co.uk")
    return {
        "username": username,
        "name": fake.name(),
        "email": f"{username}@{domain}",
        "role": role,
        "territory_codes": territories,
    }


def _contacts(master: Master, market: Market, rng: random.Random, fake: Faker) -> None:
    n = 0
    for account in master.accounts:
        kind = str(account["kind"])
        if kind in ("online_store", "media"):
            continue
        count = {"hospital": rng.randint(3, 6), "clinic": rng.randint(1, 3)}.get(
            kind, rng.randint(1, 2)
        )
        depts = str(account["departments"]).split(";") if kind == "hospital" else [""]
        for k in range(count):
            n += 1
            dept = rng.choice(depts)
            if kind in ("hospital", "clinic"):
                title = rng.choice(market.hospital_titles)
                specialty = (
                    market.specialties[market.departments.index(dept)]
                    if dept
                    else rng.choice(market.specialties)
                )
            elif kind == "pharmacy":
                title, specialty = rng.choice(market.pharmacy_titles), ""
            else:
                title, specialty = rng.choice(market.company_titles), ""
            birthday = date(1955, 1, 1) + timedelta(days=rng.randrange(0, 365 * 45))
            master.contacts.append(
                {
                    "code": f"CT{n:06d}",
                    "account_code": account["code"],
                    "name": fake.name(),
                    "title": title,
                    "department": dept,
                    "specialty": specialty,
                    "phone": market.mobile_phone(rng),
                    "email": f"{fake.user_name()}{n}@{fake.free_email_domain()}",
                    "messenger_id": f"{market.messenger}:{fake.user_name()}{n}",
                    "birthday": birthday.isoformat(),
                    "is_key_contact": "true" if k == 0 else "false",
                    "consent_email": _flag(rng, 0.7),
                    "consent_sms": _flag(rng, 0.5),
                    "consent_messenger": _flag(rng, 0.6),
                    "consent_phone": _flag(rng, 0.8),
                }
            )


def _flag(rng: random.Random, probability: float) -> str:
    return "true" if rng.random() < probability else "false"


def _products(master: Master, market: Market) -> None:
    for item in load_catalogue():
        master.products.append(
            {
                "sku_code": item["sku_code"],
                "inn": item["inn"],
                "brand": item["brand"],
                "atc_code": item["atc_code"],
                "category": item["category"],
                "rx_otc": item["rx_otc"],
                "form": item["form"],
                "strength": item["strength"],
                "pack_size": int(item["pack_size"]),
                "days_supply": int(item["days_supply"]) if item["days_supply"] else "",
                "manufacturer_code": item["manufacturer_code"],
                "list_price": local_price(float(item["list_price"]), market),
                "cost_price": local_price(float(item["cost_price"]), market),
                "currency": market.currency,
            }
        )


def local_price(euros: float, market: Market) -> float:
    """Catalogue euros → a local shelf price (whole roubles; cents elsewhere)."""
    value = euros * market.eur_rate
    return float(round(value)) if market.currency == "RUB" else round(value, 1 if value > 20 else 2)


def _beds(rank: int, grades: int, rng: random.Random) -> int:
    """Beds that fit the hospital grade, rounded to tens.

    A market lists its grades from the top (三级甲等, federal, teaching: 800–3,000 beds) down to
    the lowest (一级甲等, district, community: 20–150); the bounds step geometrically between.
    """
    share = rank / max(grades - 1, 1)
    low = 800 * (20 / 800) ** share
    high = 3000 * (150 / 3000) ** share
    return int(rng.uniform(low, high) // 10 * 10)
