"""A user's territory coverage is computed once per user object, and never served stale.

Each request loads its user afresh, so remembering the coverage on the user object saves the
assignment and tree queries of the second and third scoping call of a page; any change of an
assignment, the tree or a role membership must show at once, even on the same object.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pharmacrm.accounts import selectors as account_selectors
from pharmacrm.core import services as core_services
from pharmacrm.core.models import User
from pharmacrm.core.roles import Role
from pharmacrm.territories import selectors as territory_selectors
from pharmacrm.territories import services as territory_services
from pharmacrm.territories.models import Assignment

ON = date(2026, 6, 1)


def _visible_codes(user: User) -> set[str]:
    return set(account_selectors.account_list_for(user=user, on=ON).values_list("code", flat=True))


def test_coverage_is_computed_once_per_user_object(world):
    rep = User.objects.get(pk=world.rep_inside.pk)
    first = territory_selectors.territory_ids_covered_by(user=rep, on=ON)

    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            assert territory_selectors.territory_ids_covered_by(user=rep, on=ON) == first

    assert first == {world.dongcheng.pk}
    assert len(queries) == 0


def test_a_new_assignment_shows_at_once_on_the_same_user_object(world):
    rep = User.objects.get(pk=world.rep_inside.pk)
    assert _visible_codes(rep) == {"BJ-0001"}

    territory_services.assignment_create(
        by=None, user=User.objects.get(pk=rep.pk), territory=world.pudong, starts_on=ON
    )

    assert _visible_codes(rep) == {"BJ-0001", "SH-0001"}


def test_an_ended_or_deleted_assignment_shows_at_once(world):
    rep = User.objects.get(pk=world.rep_inside.pk)
    assert _visible_codes(rep) == {"BJ-0001"}
    assignment = Assignment.objects.get(user=rep, territory=world.dongcheng)

    territory_services.assignment_end(by=None, assignment=assignment, ends_on=date(2025, 12, 31))
    assert _visible_codes(rep) == set()

    assignment.ends_on = None
    assignment.save()
    assert _visible_codes(rep) == {"BJ-0001"}
    assignment.delete()
    assert _visible_codes(rep) == set()


def test_a_moved_territory_node_shows_at_once(world):
    manager = User.objects.get(pk=world.manager_other.pk)  # covers Shanghai's subtree
    assert _visible_codes(manager) == {"SH-0001"}

    world.dongcheng.parent = world.pudong.parent
    world.dongcheng.save()

    assert _visible_codes(manager) == {"SH-0001", "BJ-0001"}


def test_a_role_change_shows_at_once(world):
    rep = User.objects.get(pk=world.rep_inside.pk)
    assert _visible_codes(rep) == {"BJ-0001"}

    core_services.user_set_role(user=User.objects.get(pk=rep.pk), role=Role.DIRECTOR)
    assert _visible_codes(rep) == {"BJ-0001", "SH-0001"}

    Group.objects.get(name=Role.DIRECTOR.value).user_set.remove(rep)
    assert _visible_codes(rep) == set()


def test_deactivation_shows_at_once(world):
    rep = User.objects.get(pk=world.rep_inside.pk)
    assert territory_selectors.territory_ids_covered_by(user=rep, on=ON) == {world.dongcheng.pk}

    rep.is_active = False

    assert territory_selectors.territory_ids_covered_by(user=rep, on=ON) == set()


def test_coverage_is_per_date(world):
    rep = User.objects.get(pk=world.rep_inside.pk)

    assert territory_selectors.territory_ids_covered_by(user=rep, on=ON) == {world.dongcheng.pk}
    assert territory_selectors.territory_ids_covered_by(user=rep, on=date(2019, 1, 1)) == set()
    assert territory_selectors.territory_ids_covered_by(user=rep, on=ON) == {world.dongcheng.pk}
