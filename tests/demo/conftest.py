"""Fixtures: tiny generated businesses (a few hundred members) shared by the demo tests."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from pharmacrm.demo.generator.config import SCALES, GenerateOptions, Scale
from pharmacrm.demo.generator.run import generate

TINY = replace(
    SCALES["small"], name="small", members=600, anonymous_checks=2_000, members_per_chunk=250
)


def make(
    tmp: Path, *, market: str = "cn", model: str = "realistic", seed: int = 1, members: int = 600
) -> Path:
    options = GenerateOptions(replace(TINY, members=members), market, model, seed)  # type: ignore[arg-type]
    generate(options, tmp, workers=1)
    return tmp


@pytest.fixture
def make_business() -> object:
    return make


@pytest.fixture(scope="session")
def realistic_cn(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make(tmp_path_factory.mktemp("cn"))


@pytest.fixture(scope="session")
def pure_en(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make(tmp_path_factory.mktemp("pure"), market="en", model="pure", seed=11, members=4000)


DEMO_TEST_SCALE = replace(
    SCALES["small"],
    members=300,
    anonymous_checks=1_000,
    chains=1,
    outlets_per_chain=4,
    independent_pharmacies=4,
    hospitals=4,
    clinics=3,
    distributors_national=1,
    distributors_regional=1,
    members_per_chunk=150,
)
"""A demo business with fewer sending systems than ``small`` (one chain, two distributors):
every kind of source file is still there, in fewer copies, so demo tests load quickly."""


@pytest.fixture
def demo_scale() -> object:
    return DEMO_TEST_SCALE


ROUNDTRIP_SCALE = replace(
    TINY,
    members=300,
    anonymous_checks=1_000,
    chains=1,
    outlets_per_chain=4,
    independent_pharmacies=4,
    hospitals=4,
    clinics=3,
    distributors_national=1,
    distributors_regional=2,
    members_per_chunk=150,
)
"""Every kind of source file, every flow layout (three distributors cycle through a market's
three layouts), every online store and all 24 months, in as few sending systems as that takes:
the import round trip of each market stays a few hundred files."""

ROUNDTRIP_SEEDS = {"cn": 1, "ru": 3, "en": 20}
"""Seeds of the round-trip businesses; en 20 draws two online orders inside DST transitions."""


@pytest.fixture(scope="session")
def roundtrip_business(tmp_path_factory: pytest.TempPathFactory) -> object:
    """``roundtrip_business(market)``: that market's compact realistic business, made once."""
    made: dict[str, Path] = {}

    def business(market: str) -> Path:
        if market not in made:
            out = tmp_path_factory.mktemp(f"roundtrip-{market}")
            options = GenerateOptions(ROUNDTRIP_SCALE, market, "realistic", ROUNDTRIP_SEEDS[market])
            generate(options, out, workers=1)
            made[market] = out
        return made[market]

    return business


@pytest.fixture
def roundtrip_options() -> tuple[Scale, dict[str, int]]:
    """The scale and per-market seeds behind :func:`roundtrip_business`."""
    return ROUNDTRIP_SCALE, ROUNDTRIP_SEEDS
