"""A small world for the field-force tests.

Territories China → Beijing → {Dongcheng, Xicheng} and China → Shanghai → Pudong. Reps:
``rep_inside`` covers Dongcheng from 2020; ``rep_outside`` covers Pudong; ``rep_leaving``
covered Xicheng until 2026-02-15 (handover). A regional manager of Shanghai, a director and
an administrator. A grade S hospital and a grade B pharmacy in Dongcheng, a grade S hospital
in Pudong, a grade A pharmacy in Xicheng. The default call-plan rules of migration 0002.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import date

import pytest
from django.apps import apps as django_apps
from django.test import Client

from pharmacrm.accounts.models import Account
from pharmacrm.core import services as core_services
from pharmacrm.core.models import User
from pharmacrm.core.roles import Role
from pharmacrm.territories import services as territory_services
from pharmacrm.territories.models import Territory

from . import factories  # noqa: TID252 - tests/ is not a package; the sibling factories module

BACKEND = "pharmacrm.core.auth_backends.RoleModelBackend"


@dataclass
class World:
    """Everything the field tests need."""

    dongcheng: Territory
    xicheng: Territory
    pudong: Territory
    admin: User
    director: User
    rep_inside: User
    rep_outside: User
    rep_leaving: User
    manager_other: User
    hospital: Account
    pharmacy: Account
    pudong_hospital: Account
    xicheng_pharmacy: Account

    def user(self, name: str) -> User | None:
        """The user a matrix parameter names; ``anonymous`` is ``None``."""
        return None if name == "anonymous" else getattr(self, name)


def _user(username: str, role: Role) -> User:
    # No password: the tests sign in with force_login, and Argon2 hashing is slow on purpose.
    return core_services.user_create(username=username, role=role, email=f"{username}@pharma.test")


@pytest.fixture
def world(db: None) -> World:
    """The territories, users and accounts described in the module docstring."""
    core_services.roles_sync()
    # The default call-plan rules of data migration 0002, put back as the migration does: on
    # PostgreSQL a transactional test (live_server, threads) flushes every table, and a test
    # that ran after it would otherwise plan nothing. Order of tests must not matter.
    rules = importlib.import_module("pharmacrm.field.migrations.0002_default_call_plan_rules")
    rules.add_rules(django_apps, None)
    node = territory_services.territory_upsert
    china, _ = node(by=None, code="CN", name="China", level="country")
    beijing, _ = node(by=None, code="CN-BJ", name="Beijing", level="region", parent=china)
    shanghai, _ = node(by=None, code="CN-SH", name="Shanghai", level="region", parent=china)
    dongcheng, _ = node(
        by=None, code="CN-BJ-DC", name="Dongcheng", level="district", parent=beijing
    )
    xicheng, _ = node(by=None, code="CN-BJ-XC", name="Xicheng", level="district", parent=beijing)
    pudong, _ = node(by=None, code="CN-SH-PD", name="Pudong", level="district", parent=shanghai)
    users = {
        "admin": _user("admin", Role.ADMINISTRATOR),
        "director": _user("director", Role.DIRECTOR),
        "rep_inside": _user("rep_inside", Role.SALES_REP),
        "rep_outside": _user("rep_outside", Role.SALES_REP),
        "rep_leaving": _user("rep_leaving", Role.SALES_REP),
        "manager_other": _user("manager_other", Role.REGIONAL_MANAGER),
    }
    start = date(2020, 1, 1)
    assign = territory_services.assignment_create
    assign(by=None, user=users["rep_inside"], territory=dongcheng, starts_on=start)
    assign(by=None, user=users["rep_outside"], territory=pudong, starts_on=start)
    assign(
        by=None,
        user=users["rep_leaving"],
        territory=xicheng,
        starts_on=start,
        ends_on=date(2026, 2, 15),
    )
    assign(by=None, user=users["manager_other"], territory=shanghai, starts_on=start)
    return World(
        dongcheng=dongcheng,
        xicheng=xicheng,
        pudong=pudong,
        hospital=factories.hospital(code="BJ-H-001", territory=dongcheng),
        pharmacy=factories.account(
            code="BJ-P-001", name="Tongrentang Pharmacy Dongcheng", territory=dongcheng
        ),
        pudong_hospital=factories.hospital(
            code="SH-H-001",
            name="Shanghai East Hospital, Oncology",
            city="Shanghai",
            province="Shanghai",
            territory=pudong,
        ),
        xicheng_pharmacy=factories.account(
            code="BJ-P-002", name="Jinxiangyuan Pharmacy Xicheng", grade="A", territory=xicheng
        ),
        **users,
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
