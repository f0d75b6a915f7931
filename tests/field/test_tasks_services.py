"""Task services: assignment and delegation follow the team scoping; every change is audited.

Beside the field world (see conftest), ``manager_beijing`` covers Beijing (so Dongcheng, where
``rep_inside`` works, and Xicheng); ``manager_other`` covers Shanghai (``rep_outside``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError

from pharmacrm.core import services as core_services
from pharmacrm.core.models import User
from pharmacrm.core.roles import Role
from pharmacrm.field import selectors_tasks
from pharmacrm.field.models import Task, TaskStatus
from pharmacrm.field.services import tasks as task_services
from pharmacrm.territories import services as territory_services

from .conftest import World  # noqa: TID252 - tests/ is not a package

DUE = date(2026, 12, 10)


@pytest.fixture
def manager_beijing(world: World) -> User:
    """A regional manager over Beijing since 2020."""
    manager = core_services.user_create(
        username="manager_beijing", role=Role.REGIONAL_MANAGER, email="mb@pharma.test"
    )
    beijing = world.dongcheng.parent
    assert beijing is not None
    territory_services.assignment_create(
        by=None, user=manager, territory=beijing, starts_on=date(2020, 1, 1)
    )
    return manager


def test_rep_creates_a_task_for_themself_without_a_delegator(world):
    task = task_services.task_create(
        by=world.rep_inside, title="  Bring the tender dossier ", due_on=DUE
    )

    task.refresh_from_db()
    assert (task.title, task.assignee, task.created_by, task.delegated_by, task.status) == (
        "Bring the tender dossier",
        world.rep_inside,
        world.rep_inside,
        None,
        TaskStatus.OPEN,
    )
    assert task.history.get().history_user == world.rep_inside


def test_rep_cannot_give_a_task_to_a_colleague(world):
    with pytest.raises(ValidationError) as refused:
        task_services.task_create(
            by=world.rep_inside, title="Call Dr Li", due_on=DUE, assignee=world.rep_outside
        )

    assert refused.value.message_dict == {"assignee": ["You cannot assign tasks to rep_outside."]}
    assert Task.objects.count() == 0


def test_manager_assigns_to_own_team_and_is_recorded_as_delegator(world, manager_beijing):
    task = task_services.task_create(
        by=manager_beijing, title="Visit the new ward", due_on=DUE, assignee=world.rep_inside
    )

    assert (task.assignee, task.created_by, task.delegated_by) == (
        world.rep_inside,
        manager_beijing,
        manager_beijing,
    )


def test_manager_cannot_assign_to_another_regions_rep(world, manager_beijing):
    with pytest.raises(ValidationError) as refused:
        task_services.task_create(
            by=manager_beijing, title="Visit", due_on=DUE, assignee=world.rep_outside
        )

    assert list(refused.value.message_dict) == ["assignee"]
    assert Task.objects.count() == 0


def test_assignable_users_per_role(world, manager_beijing):
    names = {
        who: sorted(
            selectors_tasks.task_assignees_for(user=user, on=date(2026, 1, 10)).values_list(
                "username", flat=True
            )
        )
        for who, user in {
            "rep": world.rep_inside,
            "manager_beijing": manager_beijing,
            "manager_other": world.manager_other,
            "director": world.director,
        }.items()
    }

    assert names == {
        "rep": ["rep_inside"],
        # Dongcheng's and Xicheng's reps (rep_leaving still covers Xicheng on 2026-01-10).
        "manager_beijing": ["manager_beijing", "rep_inside", "rep_leaving"],
        "manager_other": ["manager_other", "rep_outside"],
        "director": [
            "director",
            "manager_beijing",
            "manager_other",
            "rep_inside",
            "rep_leaving",
            "rep_outside",
        ],
    }


def test_rep_cannot_delegate_but_their_manager_can_take_the_task_over(world, manager_beijing):
    own = task_services.task_create(by=world.rep_inside, title="Price list", due_on=DUE)

    with pytest.raises(ValidationError) as refused:
        task_services.task_delegate(by=world.rep_inside, task=own, assignee=world.rep_leaving)
    task_services.task_delegate(
        by=manager_beijing, task=own, assignee=manager_beijing, reason="Rep on leave"
    )

    assert list(refused.value.message_dict) == ["assignee"]
    own.refresh_from_db()
    assert (own.assignee, own.delegated_by) == (manager_beijing, manager_beijing)
    last = own.history.order_by("-history_id").first()
    assert (last.history_user, last.history_change_reason, last.assignee_id) == (
        manager_beijing,
        "Rep on leave",
        manager_beijing.pk,
    )


def test_manager_of_another_region_cannot_touch_the_task(world, manager_beijing):
    task = task_services.task_create(by=world.rep_inside, title="Price list", due_on=DUE)

    with pytest.raises(ValidationError) as refused:
        task_services.task_cancel(by=world.manager_other, task=task)

    assert refused.value.message_dict == {"task": ["You may not change this task."]}
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_edit_changes_fields_and_rearms_the_reminder(world):
    task = task_services.task_create(
        by=world.rep_inside,
        title="Price list",
        due_on=DUE,
        reminder_at=datetime(2026, 12, 9, 1, 0, tzinfo=UTC),
    )
    Task.objects.filter(pk=task.pk).update(reminder_sent_at=datetime(2026, 12, 9, 1, 5, tzinfo=UTC))
    task.refresh_from_db()

    task_services.task_update(
        by=world.rep_inside,
        task=task,
        title="Price list 2027",
        reminder_at=datetime(2026, 12, 10, 1, 0, tzinfo=UTC),
    )

    task.refresh_from_db()
    assert (task.title, task.reminder_at, task.reminder_sent_at) == (
        "Price list 2027",
        datetime(2026, 12, 10, 1, 0, tzinfo=UTC),
        None,
    )


def test_edit_refuses_an_empty_title_and_keeps_the_old_one(world):
    task = task_services.task_create(by=world.rep_inside, title="Price list", due_on=DUE)

    with pytest.raises(ValidationError) as refused:
        task_services.task_update(by=world.rep_inside, task=task, title="  ")

    assert list(refused.value.message_dict) == ["title"]
    assert Task.objects.get().title == "Price list"


def test_complete_sets_completed_at_and_only_the_assignee_may(world, manager_beijing):
    task = task_services.task_create(
        by=manager_beijing, title="Ward round", due_on=DUE, assignee=world.rep_inside
    )

    with pytest.raises(ValidationError) as refused:
        task_services.task_complete(by=manager_beijing, task=task)
    task_services.task_complete(by=world.rep_inside, task=task)

    assert refused.value.message_dict == {"task": ["Only the assignee completes a task."]}
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    assert task.completed_at is not None


def test_a_closed_task_cannot_be_cancelled_or_edited(world):
    task = task_services.task_create(by=world.rep_inside, title="Ward round", due_on=DUE)
    task_services.task_cancel(by=world.rep_inside, task=task, reason="Ward closed")

    with pytest.raises(ValidationError) as cancel_again:
        task_services.task_cancel(by=world.rep_inside, task=task)
    with pytest.raises(ValidationError) as edit:
        task_services.task_update(by=world.rep_inside, task=task, title="New")

    assert cancel_again.value.message_dict == {"status": ["The task is Cancelled already."]}
    assert list(edit.value.message_dict) == ["status"]
    assert task.history.order_by("-history_id").first().history_change_reason == "Ward closed"


def test_task_scoping_rep_manager_director(world, manager_beijing):
    mine = task_services.task_create(by=world.rep_inside, title="Mine", due_on=DUE)
    theirs = task_services.task_create(by=world.rep_outside, title="Theirs", due_on=DUE)

    def seen(user: User) -> set[str]:
        return set(
            selectors_tasks.task_list_for(user=user, on=date(2026, 1, 10)).values_list(
                "title", flat=True
            )
        )

    assert seen(world.rep_inside) == {mine.title}
    assert seen(manager_beijing) == {mine.title}
    assert seen(world.manager_other) == {theirs.title}
    assert seen(world.director) == {mine.title, theirs.title}
    assert seen(world.admin) == {mine.title, theirs.title}
