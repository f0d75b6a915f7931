"""A small world for the customer-master tests.

Territories China → Beijing → {Dongcheng, Xicheng} and China → Shanghai → Pudong; a rep
covering Dongcheng, a rep covering Pudong, a regional manager of Shanghai, a director and an
administrator; one pharmacy in Dongcheng and one in Pudong.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from django.core.cache import cache
from django.test import Client

from pharmacrm.accounts.models import Account
from pharmacrm.core import services as core_services
from pharmacrm.core.models import User
from pharmacrm.core.roles import Role
from pharmacrm.territories import services as territory_services
from pharmacrm.territories.models import Territory

from . import factories  # noqa: TID252 - tests/ is not a package; the sibling factories module

BACKEND = "pharmacrm.core.auth_backends.RoleModelBackend"


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts with an empty cache (search caches its per-gram row counts)."""
    cache.clear()


@dataclass
class World:
    """Everything the role-matrix tests need."""

    dongcheng: Territory
    pudong: Territory
    admin: User
    director: User
    analyst: User
    rep_inside: User
    rep_outside: User
    manager_other: User
    pharmacy: Account
    other_pharmacy: Account

    def user(self, name: str) -> User | None:
        """The user a matrix parameter names; ``anonymous`` is ``None``."""
        return None if name == "anonymous" else getattr(self, name)


def _user(username: str, role: Role) -> User:
    # No password: the tests sign in with force_login, and Argon2 hashing is slow on purpose.
    return core_services.user_create(username=username, role=role, email=f"{username}@pharma.test")


@pytest.fixture
def world(db: None) -> World:
    """The territories, users and two pharmacies described in the module docstring."""
    # core syncs role groups after its own post_migrate, before these apps' permissions
    # exist; sync again so the administrator group holds the customer-master permissions.
    core_services.roles_sync()
    node = territory_services.territory_upsert
    china, _ = node(by=None, code="CN", name="China", level="country")
    beijing, _ = node(by=None, code="CN-BJ", name="Beijing", level="region", parent=china)
    shanghai, _ = node(by=None, code="CN-SH", name="Shanghai", level="region", parent=china)
    dongcheng, _ = node(
        by=None, code="CN-BJ-DC", name="Dongcheng", level="district", parent=beijing
    )
    node(by=None, code="CN-BJ-XC", name="Xicheng", level="district", parent=beijing)
    pudong, _ = node(by=None, code="CN-SH-PD", name="Pudong", level="district", parent=shanghai)
    users = {
        "admin": _user("admin", Role.ADMINISTRATOR),
        "director": _user("director", Role.DIRECTOR),
        "analyst": _user("analyst", Role.ANALYST),
        "rep_inside": _user("rep_inside", Role.SALES_REP),
        "rep_outside": _user("rep_outside", Role.SALES_REP),
        "manager_other": _user("manager_other", Role.REGIONAL_MANAGER),
    }
    start = date(2020, 1, 1)
    assign = territory_services.assignment_create
    assign(by=None, user=users["rep_inside"], territory=dongcheng, starts_on=start)
    assign(by=None, user=users["rep_outside"], territory=pudong, starts_on=start)
    assign(by=None, user=users["manager_other"], territory=shanghai, starts_on=start)
    pharmacy = factories.account(
        code="BJ-0001",
        name="Tongrentang Pharmacy Dongcheng",
        territory=dongcheng,
        address="Wangfujing 1",
    )
    other = factories.account(
        code="SH-0001",
        name="Yifeng Pharmacy Pudong",
        city="Shanghai",
        province="Shanghai",
        territory=pudong,
    )
    return World(
        dongcheng=dongcheng, pudong=pudong, pharmacy=pharmacy, other_pharmacy=other, **users
    )


@pytest.fixture
def client_for(world: World):  # noqa: ANN201
    """A test client signed in as the named matrix user (or anonymous)."""

    def make(name: str) -> Client:
        client = Client()
        user = world.user(name)
        if user is not None:
            client.force_login(user, backend=BACKEND)
        return client

    return make
