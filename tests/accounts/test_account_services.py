"""Account life cycle, merge, duplicates, search, consumers' personal data and reminders."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError

from pharmacrm.accounts import selectors as account_selectors
from pharmacrm.accounts import services as account_services
from pharmacrm.accounts.models import Account, AccountRelation, Consumer

from . import factories  # noqa: TID252 - tests/ is not a package; the sibling factories module


def test_status_moves_along_allowed_transitions_with_reason_and_date(world):
    account = world.pharmacy

    account_services.account_status_change(
        by=world.admin, account=account, status="active", on=date(2025, 1, 2)
    )
    account_services.account_status_change(
        by=world.admin,
        account=account,
        status="dormant",
        reason="No orders for 6 months",
        on=date(2025, 8, 1),
    )

    stored = Account.objects.get(pk=account.pk)
    assert (stored.status, stored.status_reason, stored.status_changed_on) == (
        "dormant",
        "No orders for 6 months",
        date(2025, 8, 1),
    )
    assert [h.status for h in stored.history.order_by("history_id")] == [
        "prospect",
        "active",
        "dormant",
    ]
    assert stored.history.first().history_user == world.admin


def test_forbidden_transition_is_refused_and_nothing_changes(world):
    with pytest.raises(ValidationError) as error:
        account_services.account_status_change(
            by=world.admin, account=world.pharmacy, status="dormant", reason="x"
        )

    assert error.value.message_dict == {
        "status": ["An account cannot go from Prospect to Dormant."]
    }
    assert Account.objects.get(pk=world.pharmacy.pk).status == "prospect"


def test_termination_needs_a_reason(world):
    with pytest.raises(ValidationError) as error:
        account_services.account_status_change(
            by=world.admin, account=world.pharmacy, status="terminated"
        )

    assert error.value.message_dict == {"status_reason": ["Say why the account is Terminated."]}


def test_upsert_by_code_twice_adds_nothing_and_writes_one_audit_entry(world):
    values = {
        "code": "BJ-0100",
        "name": "Jinxiang Pharmacy",
        "kind": "pharmacy",
        "tier": "terminal",
        "city": "Beijing",
    }

    first, created = account_services.account_upsert_by_code(by=None, **values)
    second, created_again = account_services.account_upsert_by_code(by=None, **values)

    assert (created, created_again, first.pk == second.pk) == (True, False, True)
    assert Account.objects.filter(code="BJ-0100").get().history.count() == 1


def test_merge_moves_every_reference_and_keeps_the_duplicate_as_terminated(world):
    survivor = world.pharmacy
    duplicate = factories.account(
        code="BJ-0002", name="Tong Ren Tang Pharmacy (Dongcheng)", territory=world.dongcheng
    )
    chain = factories.account(code="BJ-CHAIN", name="Tongrentang Group", kind="pharmacy_chain")
    outlet = factories.account(code="BJ-0003", name="Tongrentang Outlet 3", parent=duplicate)
    person = factories.contact(account=duplicate, name="Zhao Lei")
    member = factories.consumer(home_outlet=duplicate)
    account_services.qualification_document_upsert(
        by=None,
        account=duplicate,
        kind="pharmacy_licence",
        number="JING-2024-001",
        expires_on=date(2026, 1, 1),
    )
    account_services.account_relation_add(
        by=None, from_account=duplicate, to_account=chain, kind="belongs_to_chain"
    )
    account_services.account_relation_add(
        by=None, from_account=survivor, to_account=chain, kind="belongs_to_chain"
    )
    account_services.account_relation_add(
        by=None, from_account=world.other_pharmacy, to_account=duplicate, kind="partners_with"
    )

    moved = account_services.account_merge(
        by=world.admin, survivor=survivor, duplicate=duplicate, on=date(2025, 9, 1)
    )

    assert moved == {
        "accounts.Account.parent": 1,
        "accounts.QualificationDocument.account": 1,
        "accounts.Contact.account": 1,
        "accounts.Consumer.home_outlet": 1,
        "accounts.AccountRelation": 1,
    }
    assert Account.objects.get(pk=outlet.pk).parent_id == survivor.pk
    assert person.__class__.objects.get(pk=person.pk).account_id == survivor.pk
    assert Consumer.objects.get(pk=member.pk).home_outlet_id == survivor.pk
    assert survivor.documents.get().number == "JING-2024-001"
    assert sorted(
        AccountRelation.objects.values_list("from_account__code", "kind", "to_account__code")
    ) == [
        ("BJ-0001", "belongs_to_chain", "BJ-CHAIN"),
        ("SH-0001", "partners_with", "BJ-0001"),
    ]
    merged = Account.objects.get(pk=duplicate.pk)
    assert (merged.status, merged.status_reason, merged.merged_into_id) == (
        "terminated",
        "Merged into BJ-0001",
        survivor.pk,
    )
    assert merged.history.first().history_user == world.admin
    assert list(account_selectors.account_list_for(user=world.admin).filter(code="BJ-0002")) == []


def test_merging_an_account_into_itself_is_refused(world):
    with pytest.raises(ValidationError) as error:
        account_services.account_merge(by=None, survivor=world.pharmacy, duplicate=world.pharmacy)

    assert error.value.message_dict == {"duplicate": ["Choose two different accounts to merge."]}


def test_duplicate_warning_finds_the_same_name_in_the_same_city_only(world):
    same_city = account_selectors.account_similar_in_city(
        name="dongcheng tongrentang  PHARMACY", city="beijing"
    )
    other_city = account_selectors.account_similar_in_city(
        name="Tongrentang Pharmacy Dongcheng", city="Shanghai"
    )

    assert [a.code for a in same_city] == ["BJ-0001"]
    assert other_city == []


def test_create_page_warns_about_a_duplicate_until_confirmed(world, client_for):
    client = client_for("admin")
    form = {
        "code": "BJ-0009",
        "name": "Tongrentang Pharmacy, Dongcheng",
        "kind": "pharmacy",
        "tier": "terminal",
        "city": "Beijing",
    }

    warned = client.post("/crm/accounts/new/", form)
    confirmed = client.post("/crm/accounts/new/", {**form, "confirm_duplicate": "on"})

    assert warned.status_code == 200
    assert "Possible duplicates:" in warned.content.decode()
    assert "Tongrentang Pharmacy Dongcheng (BJ-0001, Beijing)" in warned.content.decode()
    assert confirmed.status_code == 302
    assert Account.objects.filter(code="BJ-0009").count() == 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Tongrentang Dongcheng", "Tongrentang Pharmacy Dongcheng"),  # exact words
        ("dongcheng tongrentang", "Tongrentang Pharmacy Dongcheng"),  # word order
        ("Tonrgentang Pharmcy", "Tongrentang Pharmacy Dongcheng"),  # two typos
        ("ｙｉｆｅｎｇ", "Yifeng Pharmacy Pudong"),  # full-width letters
        ("北京协和", "北京协和医院"),  # Chinese, part of the name
        ("apteka rigla", "Аптека Ригла №5"),  # Latin query, Cyrillic name
        ("Rigla Аптека", "Аптека Ригла №5"),  # mixed scripts in one query
    ],
)
def test_search_tolerates_typos_word_order_and_scripts(world, query, expected):
    factories.account(code="BJ-H001", name="北京协和医院", kind="hospital", city="北京")
    factories.account(code="RU-0005", name="Аптека Ригла №5", city="Moscow", province="Moscow")

    hits = account_selectors.account_search_for(user=world.admin, q=query)

    assert hits[0].title == expected


def test_consumer_consent_export_and_erasure(world):
    member = factories.consumer(card_no="8800123", home_outlet=world.pharmacy)
    account_services.consumer_consent_set(
        by=None,
        consumer=member,
        channel="sms",
        granted=True,
        at=datetime(2024, 3, 1, 9, 0, tzinfo=UTC),
        source="till",
    )
    account_services.consumer_consent_set(
        by=None,
        consumer=member,
        channel="sms",
        granted=False,
        at=datetime(2024, 6, 1, 9, 0, tzinfo=UTC),
        source="app",
    )

    export = account_selectors.consumer_export_for(user=world.admin, consumer_id=member.pk)
    tombstone = account_services.consumer_erase(by=world.admin, consumer=member)

    assert export["profile"]["name"] == "Li Na"
    assert export["profile"]["card_no"] == "8800123"
    assert export["consents"] == [
        {"channel": "sms", "granted": False, "at": "2024-06-01T09:00:00+00:00", "source": "app"}
    ]
    assert [(c["granted"], c["source"]) for c in export["consent_history"]] == [
        (True, "till"),
        (False, "app"),
    ]
    erased = Consumer.objects.get(pk=member.pk)
    assert (erased.card_no, erased.name, erased.phone, erased.email, erased.birth_date) == (
        tombstone,
        "",
        "",
        "",
        None,
    )
    assert (erased.gender, erased.birth_year, erased.home_outlet_id) == (
        "F",
        1986,
        world.pharmacy.pk,
    )
    stored_history = set(erased.history.values_list("card_no", "name", "phone", "email"))
    assert stored_history == {(tombstone, "", "", "")}
    assert tombstone.startswith("erased-")


@pytest.mark.parametrize(
    ("who", "status", "name_shown"),
    [
        ("admin", 200, True),
        ("analyst", 200, False),
        ("rep_inside", 403, False),
    ],
)
def test_consumer_pages_are_role_aware(world, client_for, who, status, name_shown):
    member = factories.consumer(card_no="8800456", name="Chen Jing", phone="+86 139 0000 1111")

    response = client_for(who).get("/crm/consumers/")
    api = client_for(who).get(f"/api/v1/accounts/consumers/{member.pk}")

    assert (response.status_code, api.status_code) == (status, status)
    assert ("Chen Jing" in response.content.decode()) is name_shown
    assert ("+86 139 0000 1111" in api.content.decode()) is name_shown
    if status == 200:
        assert api.json()["card_no"] == "8800456"


def test_only_administrators_export_a_persons_data(world, client_for):
    member = factories.consumer(card_no="8800789")

    assert client_for("analyst").get(f"/crm/consumers/{member.pk}/export/").status_code == 403
    assert (
        client_for("admin").get(f"/crm/consumers/{member.pk}/export/").json()["profile"]["card_no"]
        == "8800789"
    )


def test_qualification_reminder_is_mailed_once_to_the_covering_rep(world, smtp_server):
    account_services.qualification_document_upsert(
        by=None,
        account=world.pharmacy,
        kind="pharmacy_licence",
        number="JING-YJ-2021-0042",
        expires_on=date(2025, 7, 20),
    )
    account_services.qualification_document_upsert(
        by=None,
        account=world.pharmacy,
        kind="contract",
        number="C-2025-7",
        expires_on=date(2025, 12, 31),
    )

    sent = account_services.qualification_reminders_send(on=date(2025, 7, 1), days_before=30)
    sent_again = account_services.qualification_reminders_send(on=date(2025, 7, 2), days_before=30)

    messages = smtp_server.wait_for(1)
    assert (sent, sent_again, len(messages)) == (1, 0, 1)
    assert messages[0]["To"] == "rep_inside@pharma.test"
    assert messages[0]["Subject"] == (
        "GSP / pharmacy licence of Tongrentang Pharmacy Dongcheng expires on 2025-07-20"
    )
    assert "JING-YJ-2021-0042" in smtp_server.text_of(messages[0])
    assert "in 19 days" in smtp_server.text_of(messages[0])


@pytest.mark.parametrize("rows", [3, 30])
def test_account_list_page_query_count_does_not_grow_with_rows(
    world, client_for, django_assert_num_queries, rows
):
    for index in range(rows):
        factories.account(
            code=f"BJ-1{index:03d}", name=f"Dongcheng Pharmacy {index}", territory=world.dongcheng
        )
    client = client_for("rep_inside")

    # Session, user, role groups (read once for scoping and navigation), assignments and the
    # tree (once for rows and filter choices), the provinces filter, the count and the page:
    # the same for 3 rows as for 30.
    with django_assert_num_queries(8):
        response = client.get("/crm/accounts/")

    assert response.status_code == 200
    assert response.content.decode().count("data-account=") == min(rows + 1, 25)
