"""Creating and editing accounts and contacts through the API and the contact forms.

Validation errors come back in the one problem+json shape with the field names; a refused
write changes nothing. Also: the relation network drawn on the 360 page, and the quick search
in the navbar.
"""

from __future__ import annotations

import pytest

from pharmacrm.accounts import services as account_services
from pharmacrm.accounts.models import Account, Contact
from pharmacrm.core import services as core_services
from pharmacrm.core.roles import Role

from . import factories  # noqa: TID252 - tests/ is not a package; the sibling factories module

JSON = "application/json"
PROBLEM = "application/problem+json"
NEW_ACCOUNT = {
    "code": "BJ-0099",
    "name": "Jiuzhou Pharmacy Xicheng",
    "kind": "pharmacy",
    "tier": "terminal",
    "province": "Beijing",
    "city": "Beijing",
    "territory_code": "CN-BJ-XC",
}


def _errors(response: object) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for error in response.json()["errors"]:  # type: ignore[attr-defined]
        errors.setdefault(error["field"], []).append(error["message"])
    return errors


# --- accounts through the API -------------------------------------------------------------


def test_administrator_creates_an_account_through_the_api(world, client_for):
    response = client_for("admin").post("/api/v1/accounts/", NEW_ACCOUNT, content_type=JSON)

    assert response.status_code == 201
    created = Account.objects.get(code="BJ-0099")
    assert response.json()["id"] == created.pk
    assert (created.name, created.status, created.territory.code) == (
        "Jiuzhou Pharmacy Xicheng",
        "prospect",
        "CN-BJ-XC",
    )
    assert created.history.get().history_user == world.admin


def test_invalid_kind_and_taken_code_are_reported_by_field(world, client_for):
    payload = {**NEW_ACCOUNT, "code": "BJ-0001", "kind": "spaceship"}

    response = client_for("admin").post("/api/v1/accounts/", payload, content_type=JSON)

    assert (response.status_code, response["Content-Type"]) == (422, PROBLEM)
    assert _errors(response) == {
        "kind": ["Value 'spaceship' is not a valid choice."],
        "code": ["Account with this Code already exists."],
    }
    assert Account.objects.count() == 2


def test_missing_name_is_reported_by_the_schema(world, client_for):
    payload = {k: v for k, v in NEW_ACCOUNT.items() if k != "name"}

    response = client_for("admin").post("/api/v1/accounts/", payload, content_type=JSON)

    assert (response.status_code, response["Content-Type"]) == (422, PROBLEM)
    assert list(_errors(response)) == ["name"]
    assert not Account.objects.filter(code="BJ-0099").exists()


def test_unknown_territory_code_is_reported_by_field(world, client_for):
    payload = {**NEW_ACCOUNT, "territory_code": "CN-XX"}

    response = client_for("admin").post("/api/v1/accounts/", payload, content_type=JSON)

    assert response.status_code == 422
    assert _errors(response) == {"territory_code": ["Unknown territory CN-XX."]}


def test_update_to_a_region_node_is_refused_with_the_field(world, client_for):
    url = f"/api/v1/accounts/{world.pharmacy.pk}"

    response = client_for("admin").patch(url, {"territory_code": "CN-BJ"}, content_type=JSON)

    assert response.status_code == 422
    assert _errors(response) == {
        "territory": ["Choose a leaf territory; Beijing has sub-territories."]
    }
    assert Account.objects.get(pk=world.pharmacy.pk).territory_id == world.dongcheng.pk


def test_update_renames_and_makes_the_new_name_searchable(world, client_for):
    url = f"/api/v1/accounts/{world.pharmacy.pk}"

    response = client_for("director").patch(url, {"name": "Jinxiang Pharmacy"}, content_type=JSON)
    hits = client_for("director").get("/api/v1/accounts/search?q=jinxiang").json()

    assert response.status_code == 200
    assert response.json()["name"] == "Jinxiang Pharmacy"
    assert [(h["kind"], h["id"]) for h in hits] == [("account", world.pharmacy.pk)]


@pytest.mark.parametrize(("who", "status"), [("rep_inside", 403), ("manager_other", 404)])
def test_update_refused_for_a_rep_and_outside_the_territory(world, client_for, who, status):
    url = f"/api/v1/accounts/{world.pharmacy.pk}"

    response = client_for(who).patch(url, {"name": "Hijacked"}, content_type=JSON)

    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM
    assert Account.objects.get(pk=world.pharmacy.pk).name == "Tongrentang Pharmacy Dongcheng"


# --- contacts through the API -------------------------------------------------------------


def test_rep_adds_a_contact_at_their_pharmacy(world, client_for):
    payload = {
        "account_id": world.pharmacy.pk,
        "name": "Zhang Wei",
        "title": "Head pharmacist",
        "email": "zhang.wei@tongrentang.cn",
        "is_key_contact": True,
    }

    response = client_for("rep_inside").post(
        "/api/v1/accounts/contacts", payload, content_type=JSON
    )

    assert response.status_code == 201
    contact = Contact.objects.get()
    assert (contact.account_id, contact.name, contact.email, contact.is_key_contact) == (
        world.pharmacy.pk,
        "Zhang Wei",
        "zhang.wei@tongrentang.cn",
        True,
    )
    assert response.json()["id"] == contact.pk


def test_contact_with_a_bad_email_is_reported_by_field(world, client_for):
    payload = {"account_id": world.pharmacy.pk, "name": "Zhang Wei", "email": "zhang.wei@"}

    response = client_for("rep_inside").post(
        "/api/v1/accounts/contacts", payload, content_type=JSON
    )

    assert (response.status_code, response["Content-Type"]) == (422, PROBLEM)
    assert _errors(response) == {"email": ["Enter a valid email address."]}
    assert Contact.objects.count() == 0


def test_contact_at_an_account_outside_the_territory_is_404(world, client_for):
    payload = {"account_id": world.other_pharmacy.pk, "name": "Zhang Wei"}

    response = client_for("rep_inside").post(
        "/api/v1/accounts/contacts", payload, content_type=JSON
    )

    assert response.status_code == 404
    assert "Yifeng" not in response.content.decode()
    assert Contact.objects.count() == 0


def test_contact_update_through_the_api(world, client_for):
    contact = factories.contact(account=world.pharmacy, name="Wang Fang")
    url = f"/api/v1/accounts/contacts/{contact.pk}"

    changed = client_for("rep_inside").patch(url, {"title": "Buyer"}, content_type=JSON)
    refused = client_for("rep_outside").patch(url, {"title": "Owner"}, content_type=JSON)

    assert (changed.status_code, refused.status_code) == (200, 404)
    assert Contact.objects.get(pk=contact.pk).title == "Buyer"


# --- contact forms ------------------------------------------------------------------------


def test_contact_form_offers_only_accounts_in_the_reps_territory(world, client_for):
    page = client_for("rep_inside").get(f"/crm/contacts/new/?account={world.pharmacy.pk}")

    body = page.content.decode()
    assert page.status_code == 200
    assert f'<option value="{world.pharmacy.pk}" selected>' in body
    assert "Yifeng Pharmacy Pudong" not in body


def test_contact_form_creates_the_contact_and_opens_it(world, client_for):
    data = {"account": world.pharmacy.pk, "name": "Li Qiang", "title": "Store manager"}

    response = client_for("rep_inside").post("/crm/contacts/new/", data)

    contact = Contact.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/crm/contacts/{contact.pk}/"
    assert (contact.name, contact.title, contact.account_id) == (
        "Li Qiang",
        "Store manager",
        world.pharmacy.pk,
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "li.qiang@", "Enter a valid email address."),
        ("name", "", "This field is required."),
        (
            "account",
            "other",
            "Select a valid choice. That choice is not one of the available choices.",
        ),
    ],
)
def test_contact_form_shows_the_field_error_and_saves_nothing(
    world, client_for, field, value, message
):
    data = {"account": world.pharmacy.pk, "name": "Li Qiang", field: value}
    if value == "other":
        data["account"] = world.other_pharmacy.pk

    response = client_for("rep_inside").post("/crm/contacts/new/", data)

    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    assert Contact.objects.count() == 0


def test_contact_edit_form_saves_the_change(world, client_for):
    contact = factories.contact(account=world.pharmacy, name="Wang Fang")
    data = {
        "account": world.pharmacy.pk,
        "name": "Wang Fang",
        "title": "Buyer",
        "consent_sms": "on",
    }

    response = client_for("rep_inside").post(f"/crm/contacts/{contact.pk}/edit/", data)

    stored = Contact.objects.get(pk=contact.pk)
    assert response.status_code == 302
    assert (stored.title, stored.consent_sms, stored.consent_email) == ("Buyer", True, False)


# --- relation network ---------------------------------------------------------------------


def test_relation_network_draws_neighbours_on_a_circle_and_hides_foreign_names(world, client_for):
    distributor = factories.account(
        code="BJ-D-01",
        name="Jiuzhoutong Distribution",
        kind="distributor",
        tier="downstream",
        territory=world.dongcheng,
    )
    account_services.account_relation_add(
        by=None, from_account=distributor, to_account=world.pharmacy, kind="supplies"
    )
    account_services.account_relation_add(
        by=None,
        from_account=world.pharmacy,
        to_account=world.other_pharmacy,
        kind="belongs_to_chain",
    )

    rep_page = client_for("rep_inside").get(f"/crm/accounts/{world.pharmacy.pk}/")
    admin_page = client_for("admin").get(f"/crm/accounts/{world.pharmacy.pk}/")

    rep_body = rep_page.content.decode()
    # 600 × 400 box: the account in the middle (300, 200); two neighbours, by id, on a circle
    # of radius 0.38 starting at the top: (0.5, 0.12) → (300, 48) and (0.5, 0.88) → (300, 352).
    assert '<line x1="300" y1="200" x2="300" y2="48"' in rep_body
    assert 'data-kind="belongs_to_chain"' in rep_body
    assert '<line x1="300" y1="352" x2="300" y2="200"' in rep_body
    assert 'data-kind="supplies"' in rep_body
    assert f'<g data-node="{world.other_pharmacy.pk}"><circle cx="300" cy="48" r="9"' in rep_body
    assert "Jiuzhoutong Distribution <em>supplies</em> Tongrentang Pharmacy Dongcheng" in rep_body
    assert "(outside your territory)" in rep_body
    assert "Yifeng Pharmacy Pudong" not in rep_body
    assert "Yifeng Pharmacy Pudong" in admin_page.content.decode()


# --- navbar quick search ------------------------------------------------------------------


def test_quick_search_is_in_the_navbar_of_other_apps_pages_for_account_viewers(world, client_for):
    core_services.user_create(username="supplier", role=Role.SUPPLIER_MANAGER)
    supplier = client_for("anonymous")
    supplier.force_login(
        world.admin.__class__.objects.get(username="supplier"),
        backend="pharmacrm.core.auth_backends.RoleModelBackend",
    )

    rep_home = client_for("rep_inside").get("/")
    supplier_home = supplier.get("/")

    assert (rep_home.status_code, supplier_home.status_code) == (200, 200)
    # Every role sees some accounts now (a supplier manager: the suppliers assigned to them).
    assert 'data-testid="quick-search"' in rep_home.content.decode()
    assert 'data-testid="quick-search"' in supplier_home.content.decode()
