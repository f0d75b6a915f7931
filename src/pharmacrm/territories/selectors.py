"""Reads of the territories app, above all the one door for scoping: who covers what, when.

Every other app asks :func:`territory_ids_covered_by` (or :func:`territory_scope_q`) which
territories a user may see on a date; nobody else interprets assignments or roles for scoping.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from pharmacrm.core.models import User, role_generation
from pharmacrm.core.roles import Role
from pharmacrm.territories.models import Assignment, Territory

# Roles that see every account and contact (DESIGN.md, "Roles and what they see").
ROLES_SEEING_ALL = frozenset(
    {Role.ADMINISTRATOR, Role.DIRECTOR, Role.ANALYST, Role.CAMPAIGN_MANAGER}
)
# Roles whose sight is bounded by their dated assignments.
ROLES_SCOPED_BY_ASSIGNMENT = frozenset({Role.REGIONAL_MANAGER, Role.SALES_REP})


@dataclass(frozen=True)
class TreeNode:
    """A territory with its depth, for drawing the tree."""

    territory: Territory
    depth: int


def _children_map() -> dict[int | None, list[int]]:
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent_id in Territory.objects.values_list("pk", "parent_id"):
        children[parent_id].append(pk)
    return children


def territory_subtree_ids(*, root_ids: Iterable[int]) -> frozenset[int]:
    """The ids of the given nodes and of every node below them.

    Loads the (id, parent) pairs once: trees hold thousands of nodes, not millions, and one
    query beats a recursive CTE that SQLite and PostgreSQL spell differently.
    """
    roots = list(root_ids)
    if not roots:
        return frozenset()
    children = _children_map()
    found: set[int] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        if node in found:
            continue
        found.add(node)
        stack.extend(children.get(node, ()))
    return frozenset(found)


def territory_ancestor_ids(*, territory_id: int) -> list[int]:
    """The node and its ancestors, from the node up to the root."""
    parents = dict(Territory.objects.values_list("pk", "parent_id"))
    chain: list[int] = []
    node: int | None = territory_id
    while node is not None and node not in chain:
        chain.append(node)
        node = parents.get(node)
    return chain


def assignments_active_on(*, on: date) -> QuerySet[Assignment]:
    """Assignments covering the day ``on`` (both ends inclusive, an empty end is open)."""
    return Assignment.objects.filter(starts_on__lte=on).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=on)
    )


_changes = itertools.count(1)
_generation = [0]


@receiver(post_save, sender=Assignment)
@receiver(post_delete, sender=Assignment)
@receiver(post_save, sender=Territory)
@receiver(post_delete, sender=Territory)
def _coverage_changed(**_kwargs: Any) -> None:
    """An assignment or the tree changed: every remembered coverage is stale."""
    _generation[0] = next(_changes)


def territory_ids_covered_by(*, user: User, on: date) -> frozenset[int] | None:
    """The territory ids whose accounts ``user`` may see on ``on``; ``None`` means all of them.

    Remembered on the user object (one per request) until an assignment, the tree or a role
    membership changes in this process: a list page asks two or three times (rows, filter
    choices, search), and each answer costs the assignments and the whole tree.
    """
    key = (on, user.is_active, _generation[0], role_generation())
    memo = user.__dict__.setdefault("_coverage_memo", {})
    if key not in memo:
        memo.clear()
        memo[key] = _territory_ids_covered_by(user=user, on=on)
    result: frozenset[int] | None = memo[key]
    return result


def _territory_ids_covered_by(*, user: User, on: date) -> frozenset[int] | None:
    """The territory ids whose accounts ``user`` may see on ``on``; ``None`` means all of them.

    ``None`` (administrator, director, analyst, campaign manager) also covers accounts that
    have no territory yet. A regional manager or sales rep covers the subtree of every node
    assigned to them on that date (a rep's nodes are normally leaves, so that is the leaves).
    Anyone else, including an inactive user, covers nothing: an empty set.
    """
    if not user.is_active:
        return frozenset()
    roles = user.roles
    if roles & ROLES_SEEING_ALL:
        return None
    if not roles & ROLES_SCOPED_BY_ASSIGNMENT:
        return frozenset()
    node_ids = assignments_active_on(on=on).filter(user=user).values_list("territory_id", flat=True)
    return territory_subtree_ids(root_ids=node_ids)


def territory_scope_q(*, user: User, on: date, field: str = "territory_id") -> Q:
    """A filter on ``field`` (a territory foreign key) limiting rows to what ``user`` covers."""
    covered = territory_ids_covered_by(user=user, on=on)
    if covered is None:
        return Q()
    return Q(**{f"{field}__in": sorted(covered)})


def territory_tree() -> list[TreeNode]:
    """Every node in depth-first order (children sorted by code), with its depth."""
    nodes = {t.pk: t for t in Territory.objects.all()}
    children: dict[int | None, list[Territory]] = defaultdict(list)
    for node in nodes.values():
        children[node.parent_id].append(node)
    ordered: list[TreeNode] = []
    stack: list[tuple[Territory, int]] = [
        (t, 0) for t in sorted(children[None], key=lambda t: t.code, reverse=True)
    ]
    while stack:
        node, depth = stack.pop()
        ordered.append(TreeNode(node, depth))
        for child in sorted(children[node.pk], key=lambda t: t.code, reverse=True):
            stack.append((child, depth + 1))
    return ordered


def territory_leaf_ids() -> frozenset[int]:
    """Nodes without children: the only places an account may sit."""
    parent_ids = set(Territory.objects.exclude(parent=None).values_list("parent_id", flat=True))
    return frozenset(set(Territory.objects.values_list("pk", flat=True)) - parent_ids)


def territory_get_by_code(*, code: str) -> Territory | None:
    """The node with external ``code``, or ``None``."""
    return Territory.objects.filter(code=code).first()


def territory_list() -> QuerySet[Territory]:
    """Every node with its parent, for lists and the API."""
    return Territory.objects.select_related("parent").order_by("code")


def assignment_list(
    *, user_id: int | None = None, territory_id: int | None = None, on: date | None = None
) -> QuerySet[Assignment]:
    """Assignments, newest first, optionally of one user, one node or active on a date."""
    rows = Assignment.objects.select_related("user", "territory")
    if user_id is not None:
        rows = rows.filter(user_id=user_id)
    if territory_id is not None:
        rows = rows.filter(territory_id=territory_id)
    if on is not None:
        rows = rows.filter(pk__in=assignments_active_on(on=on).values("pk"))
    return rows.order_by("-starts_on", "pk")


def assignment_history_for_territory(*, territory_id: int) -> list[Assignment]:
    """Every assignment that ever covered the node, directly or through an ancestor.

    This is the "rep history" of an account in that leaf: who covered it, from when to when.
    """
    chain = territory_ancestor_ids(territory_id=territory_id)
    return list(
        Assignment.objects.select_related("user", "territory")
        .filter(territory_id__in=chain)
        .order_by("-starts_on", "pk")
    )


def users_covering(*, territory_id: int, on: date) -> list[User]:
    """Users whose assignments on ``on`` cover the node (directly or through an ancestor)."""
    chain = territory_ancestor_ids(territory_id=territory_id)
    user_ids = (
        assignments_active_on(on=on)
        .filter(territory_id__in=chain)
        .values_list("user_id", flat=True)
    )
    return list(User.objects.filter(pk__in=user_ids, is_active=True).order_by("username"))
