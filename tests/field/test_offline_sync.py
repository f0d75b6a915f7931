"""Offline sync of visits: idempotent on the device's uuid, conflicts keep both edits, the
territory, CSRF and roles still hold. Through the real API (session + CSRF) on the test world.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from pharmacrm.field.models import Task, Visit
from pharmacrm.field.services import offline as offline_services
from pharmacrm.field.services import visits as visit_services

from .conftest import BACKEND, World  # noqa: TID252 - tests/ is not a package

SYNC = "/api/v1/field/sync/visits"
UUID_A = uuid.UUID("0f8fad5b-d9cb-469f-a165-70867728950e")
UUID_B = uuid.UUID("7c9e6679-7425-40de-944b-e07fc1f90ae7")


def _item(account_id: int, client_uuid: uuid.UUID, **extra: Any) -> dict[str, Any]:
    return {
        "client_uuid": str(client_uuid),
        "account_id": account_id,
        "at": "2026-03-02T09:30:00+00:00",
        "channel": "in_person",
        "outcome": "Presented the new dosing schedule",
        **extra,
    }


def _post(client: Client, *items: dict[str, Any]) -> Any:
    return client.post(SYNC, json.dumps({"visits": list(items)}), content_type="application/json")


def test_a_visit_synced_twice_is_stored_once(world: World, client_for) -> None:  # noqa: ANN001
    client = client_for("rep_inside")
    batch = (
        _item(world.hospital.pk, UUID_A),
        _item(world.pharmacy.pk, UUID_B, channel="phone", follow_up_on="2026-03-09"),
    )

    first = _post(client, *batch)
    second = _post(client, *batch)

    assert first.status_code == 200
    assert [r["outcome"] for r in first.json()["results"]] == ["created", "created"]
    assert [r["outcome"] for r in second.json()["results"]] == ["duplicate", "duplicate"]
    assert [r["visit_id"] for r in second.json()["results"]] == [
        r["visit_id"] for r in first.json()["results"]
    ]
    visits = Visit.objects.order_by("client_uuid")
    assert [(v.client_uuid, v.account_id, v.channel) for v in visits] == [
        (UUID_A, world.hospital.pk, "in_person"),
        (UUID_B, world.pharmacy.pk, "phone"),
    ]
    assert Task.objects.get().visit == Visit.objects.get(client_uuid=UUID_B)


def test_an_edit_on_the_current_version_is_applied_and_raises_the_version(
    world: World, client_for
) -> None:  # noqa: ANN001
    client = client_for("rep_inside")
    _post(client, _item(world.hospital.pk, UUID_A))

    result = _post(
        client,
        _item(
            world.hospital.pk,
            UUID_A,
            base_version=1,
            outcome="Agreed to list the product",
            reason="Outcome written after the meeting",
        ),
    ).json()["results"][0]

    visit = Visit.objects.get()
    assert (result["outcome"], result["version"]) == ("updated", 2)
    assert (visit.outcome, visit.version) == ("Agreed to list the product", 2)
    assert visit.history.latest().history_change_reason == "Outcome written after the meeting"


def test_an_edit_from_an_older_version_is_a_conflict_that_loses_nothing(
    world: World, client_for
) -> None:  # noqa: ANN001
    phone, tablet = client_for("rep_inside"), client_for("rep_inside")
    _post(phone, _item(world.hospital.pk, UUID_A))
    _post(
        phone,
        _item(world.hospital.pk, UUID_A, base_version=1, outcome="Agreed", reason="Typo"),
    )

    result = _post(
        tablet,
        _item(
            world.hospital.pk,
            UUID_A,
            base_version=1,
            outcome="Asked for 20 samples",
            reason="More detail",
        ),
    ).json()["results"][0]

    visit = Visit.objects.get()
    assert result["outcome"] == "conflict"
    assert "changed on another device" in result["message"]
    assert visit.outcome == "Agreed"
    assert "Asked for 20 samples" in visit.notes
    assert "outcome: Asked for 20 samples" in visit.notes
    assert visit.version == 3
    assert visit.history.latest().history_change_reason == (
        "Conflicting offline edit kept in the notes."
    )


def test_a_visit_outside_the_territory_is_refused_and_the_rest_is_kept(
    world: World, client_for
) -> None:  # noqa: ANN001
    response = _post(
        client_for("rep_inside"),
        _item(world.pudong_hospital.pk, UUID_A),
        _item(world.hospital.pk, UUID_B),
    )

    results = response.json()["results"]
    assert [r["outcome"] for r in results] == ["refused", "created"]
    assert results[0]["errors"] == [
        {"field": "account_id", "message": "No such account in your territory on that day."}
    ]
    assert "Shanghai" not in response.content.decode()
    assert list(Visit.objects.values_list("client_uuid", flat=True)) == [UUID_B]


def test_a_uuid_of_another_reps_visit_is_refused_without_saying_whose(
    world: World, client_for
) -> None:  # noqa: ANN001
    _post(client_for("rep_outside"), _item(world.pudong_hospital.pk, UUID_A))

    response = _post(client_for("rep_inside"), _item(world.hospital.pk, UUID_A))

    result = response.json()["results"][0]
    assert result["outcome"] == "refused"
    assert result["message"] == "This device id is already in use."
    assert "rep_outside" not in response.content.decode()
    assert Visit.objects.get().rep == world.rep_outside


def test_sync_without_the_csrf_token_is_refused(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.rep_inside, backend=BACKEND)

    response = _post(client, _item(world.hospital.pk, UUID_A))

    assert response.status_code == 403
    assert not Visit.objects.exists()


def test_sync_with_the_csrf_token_passes(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.rep_inside, backend=BACKEND)
    client.get("/field/")  # the page sets the CSRF cookie, as in the browser
    token = client.cookies["csrftoken"].value

    response = client.post(
        SYNC,
        json.dumps({"visits": [_item(world.hospital.pk, UUID_A)]}),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )

    assert response.status_code == 200
    assert Visit.objects.get().client_uuid == UUID_A


@pytest.mark.parametrize(
    ("who", "status", "outcome"),
    [
        ("anonymous", 401, None),
        ("rep_inside", 200, "created"),
        ("rep_outside", 200, "refused"),
        ("manager_other", 403, None),
        ("director", 403, None),
        ("admin", 403, None),
    ],
)
def test_sync_by_role(world: World, client_for, who: str, status: int, outcome: str | None) -> None:  # noqa: ANN001
    response = _post(client_for(who), _item(world.hospital.pk, UUID_A))

    assert response.status_code == status
    if outcome is not None:
        assert response.json()["results"][0]["outcome"] == outcome
    if outcome != "created":
        assert "Peking Union" not in response.content.decode()
    assert Visit.objects.count() == (1 if outcome == "created" else 0)


def test_more_visits_than_a_batch_holds_are_refused_whole(world: World, client_for) -> None:  # noqa: ANN001
    items = [_item(world.hospital.pk, uuid.uuid4()) for _ in range(201)]

    response = _post(client_for("rep_inside"), *items)

    assert response.status_code == 422
    assert not Visit.objects.exists()


def test_service_refuses_an_edit_of_a_visit_that_never_arrived(world: World) -> None:
    result = offline_services.visit_sync(
        by=world.rep_inside,
        client_uuid=UUID_A,
        base_version=2,
        account=world.hospital,
        at=datetime(2026, 3, 2, 9, 30, tzinfo=UTC),
        outcome="Edited",
    )

    assert result.outcome == "refused"
    assert result.errors == {"client_uuid": ["The visit this edit is based on does not exist."]}
    assert not Visit.objects.exists()


# --- the app shell: manifest, service worker, accounts kept offline ------------------------


def test_manifest_is_public_and_scoped_to_the_field_pages(world: World) -> None:
    response = Client().get("/field/manifest.webmanifest")

    body = response.json()
    assert response["Content-Type"] == "application/manifest+json"
    assert (body["scope"], body["start_url"]) == ("/field/", "/field/")
    assert body["display"] == "standalone"
    assert [icon["sizes"] for icon in body["icons"]] == ["192x192", "512x512"]


def test_service_worker_is_served_under_field_and_never_cached(world: World) -> None:
    response = Client().get("/field/sw.js")

    text = response.content.decode()
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/field/"
    assert "no-cache" in response["Cache-Control"]
    assert '"/field/", "/field/visits/new/", "/field/offline/accounts.json"' in text


@pytest.mark.parametrize(
    ("who", "status", "codes"),
    [
        ("anonymous", 302, None),
        ("rep_inside", 200, ["BJ-H-001", "BJ-P-001"]),
        ("rep_outside", 200, ["SH-H-001"]),
        ("manager_other", 403, None),
        ("director", 403, None),
        ("admin", 403, None),
    ],
)
def test_offline_accounts_by_role(world: World, client_for, who: str, status: int, codes) -> None:  # noqa: ANN001
    response = client_for(who).get("/field/offline/accounts.json")

    assert response.status_code == status
    if codes is not None:
        assert sorted(a["code"] for a in response.json()["accounts"]) == codes
    else:
        assert b"BJ-H-001" not in response.content


# --- edits of a visit logged online, on two devices ------------------------------------------


def _edit_form(visit: Visit, **changes: Any) -> dict[str, Any]:
    return {
        "base_version": visit.version,
        "at": "2026-03-02T09:30",
        "channel": "in_person",
        "status": "done",
        "outcome": visit.outcome,
        "next_step": "",
        "notes": "",
        "reason": "Outcome completed",
        **changes,
    }


def test_two_devices_edit_the_same_visit_and_the_page_reports_the_conflict(
    world: World, client_for
) -> None:  # noqa: ANN001
    visit = visit_services.visit_log(
        by=world.rep_inside,
        account=world.hospital,
        at=datetime(2026, 3, 2, 9, 30, tzinfo=UTC),
        outcome="Met the head",
    )
    phone, laptop = client_for("rep_inside"), client_for("rep_inside")
    loaded = _edit_form(visit)  # both pages were opened on version 1

    first = phone.post(f"/field/visits/{visit.pk}/edit/", {**loaded, "outcome": "Agreed"})
    second = laptop.post(
        f"/field/visits/{visit.pk}/edit/", {**loaded, "outcome": "Asked for samples"}, follow=True
    )

    visit.refresh_from_db()
    assert first.status_code == 302
    assert visit.outcome == "Agreed"
    assert "Asked for samples" in visit.notes
    assert visit.version == 3
    assert "was changed on another device" in second.content.decode()


def test_an_offline_edit_by_visit_id_keeps_fields_it_does_not_send(
    world: World, client_for
) -> None:  # noqa: ANN001
    visit = visit_services.visit_log(
        by=world.rep_inside,
        account=world.hospital,
        at=datetime(2026, 3, 2, 9, 30, tzinfo=UTC),
        key_messages="Efficacy in elderly patients",
        outcome="Met the head",
    )

    result = _post(
        client_for("rep_inside"),
        {
            "client_uuid": str(UUID_A),
            "visit_id": visit.pk,
            "base_version": 1,
            "account_id": world.hospital.pk,
            "at": "2026-03-02T09:30:00+00:00",
            "outcome": "Agreed to list",
            "reason": "Written up on the train",
        },
    ).json()["results"][0]

    visit.refresh_from_db()
    assert result["outcome"] == "updated"
    assert (visit.outcome, visit.key_messages, visit.version) == (
        "Agreed to list",
        "Efficacy in elderly patients",
        2,
    )
    assert visit.client_uuid is None


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("rep_inside", 200),
        ("rep_outside", 404),
        ("manager_other", 403),
        ("director", 403),
        ("admin", 403),
    ],
)
def test_visit_edit_page_by_role(world: World, client_for, who: str, status: int) -> None:  # noqa: ANN001
    visit = visit_services.visit_log(
        by=world.rep_inside,
        account=world.hospital,
        at=datetime(2026, 3, 2, 9, 30, tzinfo=UTC),
        outcome="Met the head",
    )

    response = client_for(who).get(f"/field/visits/{visit.pk}/edit/")

    assert response.status_code == status
    assert ("Met the head" in response.content.decode()) == (status == 200)
