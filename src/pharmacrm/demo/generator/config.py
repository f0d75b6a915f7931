"""Scales, the observation window and the behavioural model's parameters.

Every number that shapes the generated business lives here, so the truth file can record it
and tests can recompute expectations from it (MODEL.md explains each one).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Literal

ModelKind = Literal["realistic", "pure"]

WINDOW_START = date(2024, 1, 1)
"""First day of generated history (members register from this day on)."""
AS_OF = date(2025, 12, 31)
"""Last day of generated history; the natural ``as_of`` for analytics on the output."""

CATEGORIES = (
    "medicines",
    "vitamins_supplements",
    "care_cosmetics",
    "mother_child",
    "medical_devices",
)

CARD_PREFIX = {"cn": "8860", "ru": "2700", "en": "6330"}
"""Loyalty card number prefix per market (card = prefix + 9-digit member number)."""


@dataclass(frozen=True)
class Segment:
    """A latent loyalty-member segment.

    BG/NBD time unit is the day: ``lambda ~ Gamma(r, rate=alpha)`` purchases per day while
    alive, dropout probability after each repeat purchase ``p ~ Beta(a, b)``. Spend per
    purchase is Gamma-Gamma in catalogue euros: ``z ~ Gamma(p_spend, rate=nu)``,
    ``nu ~ Gamma(q_spend, rate=gamma_spend)``, so the population mean spend per purchase is
    ``p_spend * gamma_spend / (q_spend - 1)``.
    """

    name: str
    share: float
    r: float
    alpha: float
    a: float
    b: float
    p_spend: float
    q_spend: float
    gamma_spend: float
    category_mix: tuple[float, float, float, float, float]
    """Probability of each of :data:`CATEGORIES` for one check line."""
    basket_lines: float
    """Mean lines per check (1 + Poisson(basket_lines - 1))."""
    price_sensitivity: float
    """0..1: how strongly promotions pull this segment's choices (and its return rate)."""
    chronic_affinity: float = 1.0
    """Weight multiplier of long-term-therapy medicines (those with a days supply)."""


SEGMENTS: tuple[Segment, ...] = (
    Segment("chronic_regulars", 0.22, 3.0, 90.0, 2.2, 14.0, 4.0, 3.5, 12.0,
            (0.70, 0.04, 0.02, 0.00, 0.24), 2.6, 0.1, chronic_affinity=8.0),
    Segment("vitamin_fans", 0.18, 1.5, 75.0, 1.5, 8.0, 4.0, 3.5, 11.0,
            (0.10, 0.80, 0.06, 0.02, 0.02), 2.0, 0.6),
    Segment("mother_child", 0.15, 2.0, 70.0, 2.0, 10.0, 4.0, 3.5, 14.0,
            (0.18, 0.06, 0.04, 0.70, 0.02), 3.2, 0.5),
    Segment("beauty_care", 0.17, 1.2, 80.0, 1.5, 6.0, 4.0, 3.5, 12.5,
            (0.08, 0.06, 0.84, 0.01, 0.01), 2.0, 0.7),
    Segment("occasional_acute", 0.28, 0.8, 120.0, 1.4, 3.0, 4.0, 3.5, 7.5,
            (0.90, 0.02, 0.03, 0.01, 0.04), 1.4, 0.2, chronic_affinity=0.3),
)  # fmt: skip
"""The five latent segments (shares sum to 1)."""

PROMOTION_WEEK_SHARE = 0.5
"""Chance that a category runs a promotion in a given week (six non-Rx products, 10-30 % off)."""
PROMOTION_PULL = 8.0
"""Choice weight of a promoted product = 1 + PROMOTION_PULL × the segment's price sensitivity."""

ANONYMOUS_MIX = (0.74, 0.08, 0.08, 0.04, 0.06)
"""Category mix of checks without a loyalty card (mostly acute medicines)."""


@dataclass(frozen=True)
class Scale:
    """Sizes of one generated business."""

    name: str
    members: int
    anonymous_checks: int
    chains: int
    outlets_per_chain: int
    independent_pharmacies: int
    hospitals: int
    clinics: int
    distributors_national: int
    distributors_regional: int
    manufacturers: int
    reps: int
    members_per_chunk: int
    write_sources: bool
    write_excel: bool


SCALES: dict[str, Scale] = {
    "small": Scale("small", 3_000, 20_000, 2, 6, 12, 10, 10, 2, 3, 12, 6, 1_000, True, True),
    "medium": Scale("medium", 45_000, 250_000, 4, 15, 40, 30, 40, 3, 6, 12, 16, 10_000, True, True),
    "large": Scale(
        "large", 6_000_000, 13_000_000, 6, 60, 150, 80, 120, 4, 10, 12, 40, 50_000, False, False
    ),
}


@dataclass(frozen=True)
class GenerateOptions:
    """What the user asked for; with the package version it fully determines the output."""

    scale: Scale
    market: str = "cn"
    model: ModelKind = "realistic"
    seed: int = 0

    def as_json(self) -> dict[str, object]:
        """Options as written into ``truth/population.json``."""
        return {
            "scale": asdict(self.scale),
            "market": self.market,
            "model": self.model,
            "seed": self.seed,
        }
