"""``User.roles`` reads the role groups once per user object and never serves a stale set."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pharmacrm.core import services as core_services
from pharmacrm.core.models import User
from pharmacrm.core.roles import Role


def _rep() -> User:
    return core_services.user_create(username="rep", role=Role.SALES_REP)


def _group_queries(queries: CaptureQueriesContext) -> int:
    return sum('"auth_group"' in q["sql"] for q in queries.captured_queries)


def test_roles_are_read_once_per_user_object(db):
    user = User.objects.get(pk=_rep().pk)

    with CaptureQueriesContext(connection) as queries:
        first = user.roles
        for _ in range(5):
            assert user.roles == first
            assert user.has_role(Role.SALES_REP)

    assert first == {Role.SALES_REP}
    assert len(queries) == 1


def test_a_group_added_through_the_user_shows_at_once(db):
    user = User.objects.get(pk=_rep().pk)
    assert user.roles == {Role.SALES_REP}

    user.groups.add(Group.objects.get(name=Role.ANALYST.value))

    assert user.roles == {Role.SALES_REP, Role.ANALYST}


def test_a_membership_changed_from_the_group_side_shows_at_once(db):
    user = User.objects.get(pk=_rep().pk)
    assert user.roles == {Role.SALES_REP}

    Group.objects.get(name=Role.SALES_REP.value).user_set.remove(user)
    assert user.roles == set()
    Group.objects.get(name=Role.DIRECTOR.value).user_set.add(user)
    assert user.roles == {Role.DIRECTOR}


def test_a_role_changed_through_another_copy_of_the_user_shows_at_once(db):
    rep = _rep()
    held = User.objects.get(pk=rep.pk)
    assert held.roles == {Role.SALES_REP}

    core_services.user_set_role(user=User.objects.get(pk=rep.pk), role=Role.DIRECTOR)

    assert held.roles == {Role.DIRECTOR}


def test_a_renamed_or_deleted_role_group_shows_at_once(db):
    user = User.objects.get(pk=_rep().pk)
    assert user.roles == {Role.SALES_REP}

    group = Group.objects.get(name=Role.SALES_REP.value)
    group.name = "former reps"
    group.save()
    assert user.roles == set()
    group.name = Role.SALES_REP.value
    group.save()
    assert user.roles == {Role.SALES_REP}
    group.delete()
    assert user.roles == set()


def test_superuser_flag_counts_without_a_new_query(db):
    user = User.objects.get(pk=_rep().pk)
    assert Role.ADMINISTRATOR not in user.roles

    user.is_superuser = True

    assert user.roles == {Role.SALES_REP, Role.ADMINISTRATOR}


def test_refresh_from_db_forgets_the_roles(db):
    user = User.objects.get(pk=_rep().pk)
    assert user.roles == {Role.SALES_REP}

    with CaptureQueriesContext(connection) as queries:
        user.refresh_from_db()
        assert user.roles == {Role.SALES_REP}

    assert _group_queries(queries) == 1


def test_a_page_reads_the_role_groups_once(db, client):
    user = _rep()
    client.force_login(user, backend="pharmacrm.core.auth_backends.RoleModelBackend")

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/crm/accounts/")

    assert response.status_code == 200
    assert _group_queries(queries) == 1
