"""Shared fixtures: a tree China → Beijing → {Dongcheng, Xicheng}, Shanghai → Pudong."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from pharmacrm.core import services as core_services
from pharmacrm.core.models import User
from pharmacrm.core.roles import Role
from pharmacrm.territories.models import Territory, TerritoryLevel

from .factories import TerritoryFactory  # noqa: TID252 - tests/ is not a package; the sibling factories module


@dataclass
class Tree:
    """The test geography."""

    china: Territory
    beijing: Territory
    dongcheng: Territory
    xicheng: Territory
    shanghai: Territory
    pudong: Territory


@pytest.fixture
def tree(db: None) -> Tree:
    """Six nodes, three leaves in two regions."""
    china = TerritoryFactory(code="CN", name="China", level=TerritoryLevel.COUNTRY)
    beijing = TerritoryFactory(
        code="CN-BJ", name="Beijing", level=TerritoryLevel.REGION, parent=china
    )
    shanghai = TerritoryFactory(
        code="CN-SH", name="Shanghai", level=TerritoryLevel.REGION, parent=china
    )
    return Tree(
        china=china,
        beijing=beijing,
        dongcheng=TerritoryFactory(code="CN-BJ-DC", name="Dongcheng", parent=beijing),
        xicheng=TerritoryFactory(code="CN-BJ-XC", name="Xicheng", parent=beijing),
        shanghai=shanghai,
        pudong=TerritoryFactory(code="CN-SH-PD", name="Pudong", parent=shanghai),
    )


@pytest.fixture
def make_user(db: None):  # noqa: ANN201
    """Create a user with a role (and a password, for pages that sign in for real)."""

    def make(role: Role, username: str | None = None, email: str = "") -> User:
        return core_services.user_create(
            username=username or role.value,
            role=role,
            email=email or f"{username or role.value}@pharma.test",
        )

    return make
