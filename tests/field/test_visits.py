"""Visit logging: territory on the visit's date, follow-up tasks, audited corrections."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError

from pharmacrm.field.models import Task, TaskStatus, Visit, VisitStatus
from pharmacrm.field.services import visits as visit_services

from . import factories  # noqa: TID252 - tests/ is not a package
from .conftest import World  # noqa: TID252

MORNING = datetime(2026, 1, 12, 9, 30, tzinfo=UTC)


def test_rep_logs_a_visit_with_what_happened(world: World) -> None:
    head = factories.contact(account=world.hospital)

    visit = visit_services.visit_log(
        by=world.rep_inside,
        account=world.hospital,
        at=MORNING,
        channel="in_person",
        contacts=[head],
        key_messages="Atorvastatin 40 mg: LDL target attainment in secondary prevention",
        samples="Atorvastatin 20 mg starter packs",
        samples_qty=10,
        outcome="Agreed to a department meeting",
        keywords="statins, meeting",
    )

    stored = Visit.objects.get()
    assert stored.pk == visit.pk
    assert (stored.rep, stored.account, stored.status) == (
        world.rep_inside,
        world.hospital,
        VisitStatus.DONE,
    )
    assert [c.name for c in stored.contacts.all()] == ["Zhang Wei"]
    assert stored.closed_at is not None
    # One audit entry for the row and one for the contacts met (simple_history's m2m rows).
    assert [h.history_user for h in stored.history.all()] == [world.rep_inside] * 2


def test_visit_outside_the_reps_territory_is_refused_and_nothing_saved(world: World) -> None:
    with pytest.raises(ValidationError) as refused:
        visit_services.visit_log(
            by=world.rep_inside,
            account=world.pudong_hospital,
            at=MORNING,
            follow_up_on=date(2026, 1, 20),
        )

    assert refused.value.message_dict == {
        "account": ["Shanghai East Hospital, Oncology is not in your territory on 2026-01-12."]
    }
    assert Visit.objects.count() == 0
    assert Task.objects.count() == 0


def test_visit_after_the_reps_assignment_ended_is_refused(world: World) -> None:
    # rep_leaving covers Xicheng until 2026-02-15 inclusive.
    visit_services.visit_log(
        by=world.rep_leaving,
        account=world.xicheng_pharmacy,
        at=datetime(2026, 2, 15, 16, 0, tzinfo=UTC),
    )

    with pytest.raises(ValidationError) as refused:
        visit_services.visit_log(
            by=world.rep_leaving,
            account=world.xicheng_pharmacy,
            at=datetime(2026, 2, 16, 9, 0, tzinfo=UTC),
        )

    assert refused.value.message_dict == {
        "account": ["Jinxiangyuan Pharmacy Xicheng is not in your territory on 2026-02-16."]
    }
    assert Visit.objects.count() == 1


def test_contact_of_another_account_is_refused(world: World) -> None:
    stranger = factories.contact(account=world.pharmacy, name="Liu Yang")

    with pytest.raises(ValidationError) as refused:
        visit_services.visit_log(
            by=world.rep_inside, account=world.hospital, at=MORNING, contacts=[stranger]
        )

    assert refused.value.message_dict == {
        "contacts": ["Liu Yang do not work at Peking Union Medical College Hospital, Cardiology."]
    }
    assert Visit.objects.count() == 0


def test_samples_quantity_without_description_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as refused:
        visit_services.visit_log(
            by=world.rep_inside, account=world.pharmacy, at=MORNING, samples_qty=5
        )

    assert refused.value.message_dict == {"samples": ["Describe the samples or gifts given."]}
    assert Visit.objects.count() == 0


def test_follow_up_date_creates_a_task_for_the_rep(world: World) -> None:
    visit = visit_services.visit_log(
        by=world.rep_inside,
        account=world.hospital,
        at=MORNING,
        next_step="Bring the ESC 2025 lipid guideline summary",
        follow_up_on=date(2026, 1, 26),
    )

    task = Task.objects.get()
    assert (task.title, task.due_on, task.assignee, task.created_by) == (
        "Bring the ESC 2025 lipid guideline summary",
        date(2026, 1, 26),
        world.rep_inside,
        world.rep_inside,
    )
    assert (task.account, task.visit, task.status) == (world.hospital, visit, TaskStatus.OPEN)


def test_follow_up_without_next_step_is_titled_with_the_account(world: World) -> None:
    visit_services.visit_log(
        by=world.rep_inside, account=world.pharmacy, at=MORNING, follow_up_on=date(2026, 2, 2)
    )

    assert Task.objects.get().title == "Follow up Tongrentang Pharmacy Dongcheng"


def test_closed_visit_correction_without_reason_is_refused(world: World) -> None:
    visit = visit_services.visit_log(
        by=world.rep_inside, account=world.pharmacy, at=MORNING, outcome="Order of 20 packs"
    )

    with pytest.raises(ValidationError) as refused:
        visit_services.visit_correct(by=world.rep_inside, visit=visit, outcome="Order of 200")

    assert refused.value.message_dict == {"reason": ["Say why a closed visit is corrected."]}
    assert Visit.objects.get().outcome == "Order of 20 packs"
    assert Visit.history.count() == 1  # type: ignore[attr-defined]


def test_closed_visit_correction_is_audited_with_its_reason(world: World) -> None:
    visit = visit_services.visit_log(
        by=world.rep_inside, account=world.pharmacy, at=MORNING, outcome="Order of 20 packs"
    )

    visit_services.visit_correct(
        by=world.rep_inside,
        visit=visit,
        reason="Typo: the pharmacist ordered 200 packs",
        outcome="Order of 200 packs",
    )

    latest, first = Visit.history.order_by("-history_id")  # type: ignore[attr-defined]
    assert (first.outcome, latest.outcome) == ("Order of 20 packs", "Order of 200 packs")
    assert latest.history_change_reason == "Typo: the pharmacist ordered 200 packs"
    assert latest.history_user == world.rep_inside


def test_planned_visit_is_edited_freely_and_closes_when_done(world: World) -> None:
    visit = visit_services.visit_log(
        by=world.rep_inside, account=world.pharmacy, at=MORNING, status=VisitStatus.PLANNED
    )

    visit_services.visit_correct(
        by=world.rep_inside, visit=visit, status=VisitStatus.DONE, outcome="Listed Vitamin D3"
    )

    stored = Visit.objects.get()
    assert (stored.status, stored.outcome) == (VisitStatus.DONE, "Listed Vitamin D3")
    assert stored.closed_at is not None


def test_another_rep_cannot_correct_a_visit(world: World) -> None:
    visit = visit_services.visit_log(by=world.rep_inside, account=world.pharmacy, at=MORNING)

    with pytest.raises(ValidationError) as refused:
        visit_services.visit_correct(
            by=world.rep_outside, visit=visit, reason="mine now", notes="overwritten"
        )

    assert refused.value.message_dict == {"visit": ["Only the rep who logged a visit corrects it."]}
    assert Visit.objects.get().notes == ""
