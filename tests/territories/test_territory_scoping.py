"""Who covers which territories on a date (DESIGN.md roles table) and the one-step handover."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from pharmacrm.core.roles import Role
from pharmacrm.territories import selectors as territory_selectors
from pharmacrm.territories import services as territory_services
from pharmacrm.territories.models import Assignment

from .factories import AssignmentFactory  # noqa: TID252 - tests/ is not a package; the sibling factories module


def test_rep_covers_only_their_leaf_on_an_assigned_day(tree, make_user):
    rep = make_user(Role.SALES_REP)
    AssignmentFactory(user=rep, territory=tree.dongcheng, starts_on=date(2025, 1, 1))

    covered = territory_selectors.territory_ids_covered_by(user=rep, on=date(2025, 6, 1))

    assert covered == frozenset({tree.dongcheng.pk})


def test_assignment_dates_are_inclusive_and_outside_them_nothing_is_covered(tree, make_user):
    rep = make_user(Role.SALES_REP)
    AssignmentFactory(
        user=rep, territory=tree.pudong, starts_on=date(2025, 3, 1), ends_on=date(2025, 3, 31)
    )

    def covered(on: date) -> frozenset[int] | None:
        return territory_selectors.territory_ids_covered_by(user=rep, on=on)

    assert covered(date(2025, 2, 28)) == frozenset()
    assert covered(date(2025, 3, 1)) == frozenset({tree.pudong.pk})
    assert covered(date(2025, 3, 31)) == frozenset({tree.pudong.pk})
    assert covered(date(2025, 4, 1)) == frozenset()


def test_regional_manager_covers_the_subtree_of_their_node(tree, make_user):
    manager = make_user(Role.REGIONAL_MANAGER)
    AssignmentFactory(user=manager, territory=tree.beijing)

    covered = territory_selectors.territory_ids_covered_by(user=manager, on=date(2025, 6, 1))

    assert covered == frozenset({tree.beijing.pk, tree.dongcheng.pk, tree.xicheng.pk})


@pytest.mark.parametrize(
    "role", [Role.ADMINISTRATOR, Role.DIRECTOR, Role.ANALYST, Role.CAMPAIGN_MANAGER]
)
def test_roles_that_see_everything_get_none_meaning_all(tree, make_user, role):
    user = make_user(role)

    assert territory_selectors.territory_ids_covered_by(user=user, on=date(2025, 6, 1)) is None


def test_inactive_rep_covers_nothing_even_with_an_assignment(tree, make_user):
    rep = make_user(Role.SALES_REP)
    AssignmentFactory(user=rep, territory=tree.dongcheng)
    rep.is_active = False
    rep.save()

    assert (
        territory_selectors.territory_ids_covered_by(user=rep, on=date(2025, 6, 1)) == frozenset()
    )


def test_handover_ends_old_assignments_and_opens_new_ones_keeping_history(tree, make_user):
    admin = make_user(Role.ADMINISTRATOR)
    leaver = make_user(Role.SALES_REP, "leaver")
    successor = make_user(Role.SALES_REP, "successor")
    AssignmentFactory(user=leaver, territory=tree.dongcheng, starts_on=date(2025, 1, 1))
    AssignmentFactory(user=leaver, territory=tree.xicheng, starts_on=date(2025, 2, 1))

    created = territory_services.territory_handover(
        by=admin, from_user=leaver, to_user=successor, on=date(2025, 7, 1)
    )

    assert [(a.territory.code, a.starts_on, a.ends_on) for a in created] == [
        ("CN-BJ-DC", date(2025, 7, 1), None),
        ("CN-BJ-XC", date(2025, 7, 1), None),
    ]
    old = Assignment.objects.filter(user=leaver).order_by("territory__code")
    assert [(a.territory.code, a.ends_on) for a in old] == [
        ("CN-BJ-DC", date(2025, 6, 30)),
        ("CN-BJ-XC", date(2025, 6, 30)),
    ]
    assert territory_selectors.territory_ids_covered_by(user=leaver, on=date(2025, 6, 30)) == {
        tree.dongcheng.pk,
        tree.xicheng.pk,
    }
    assert territory_selectors.territory_ids_covered_by(user=leaver, on=date(2025, 7, 1)) == set()
    assert territory_selectors.territory_ids_covered_by(user=successor, on=date(2025, 7, 1)) == {
        tree.dongcheng.pk,
        tree.xicheng.pk,
    }
    assert old.get(territory=tree.dongcheng).history.first().history_user == admin


def test_handover_to_the_same_user_is_refused_and_changes_nothing(tree, make_user):
    rep = make_user(Role.SALES_REP)
    AssignmentFactory(user=rep, territory=tree.dongcheng)

    with pytest.raises(ValidationError) as error:
        territory_services.territory_handover(
            by=None, from_user=rep, to_user=rep, on=date(2025, 7, 1)
        )

    assert error.value.message_dict == {
        "to_user": ["Choose someone other than the departing user."]
    }
    assert Assignment.objects.get(user=rep).ends_on is None


def test_overlapping_assignment_of_the_same_node_is_refused(tree, make_user):
    rep = make_user(Role.SALES_REP)
    AssignmentFactory(user=rep, territory=tree.dongcheng, starts_on=date(2025, 1, 1))

    with pytest.raises(ValidationError) as error:
        territory_services.assignment_create(
            by=None, user=rep, territory=tree.dongcheng, starts_on=date(2025, 5, 1)
        )

    assert error.value.message_dict == {
        "starts_on": ["sales_rep already covers Dongcheng in that period."]
    }
    assert Assignment.objects.count() == 1


def test_territory_upsert_is_idempotent_and_keeps_a_cleared_review_flag(tree):
    node, created = territory_services.territory_upsert(
        by=None,
        code="CN-BJ-HD",
        name="Haidian",
        level="district",
        parent=tree.beijing,
        needs_review=True,
    )
    territory_services.territory_review_clear(by=None, territory=node)

    again, created_again = territory_services.territory_upsert(
        by=None,
        code="CN-BJ-HD",
        name="Haidian",
        level="district",
        parent=tree.beijing,
        needs_review=True,
    )

    assert (created, created_again) == (True, False)
    assert again.pk == node.pk
    assert again.needs_review is False
    assert again.history.count() == 2


def test_a_territory_cannot_be_moved_under_its_own_subtree(tree):
    with pytest.raises(ValidationError) as error:
        territory_services.territory_upsert(
            by=None, code="CN-BJ", name="Beijing", level="region", parent=tree.dongcheng
        )

    assert error.value.message_dict == {
        "parent": ["A territory cannot be placed under itself or its own subtree."]
    }
