"""The grade rule editor and the audit page: role matrix, validation messages, apply."""

from __future__ import annotations

from datetime import date

import pytest

from pharmacrm.accounts import services as account_services
from pharmacrm.accounts.models import Consumer
from pharmacrm.core import services as core_services
from pharmacrm.core.roles import Role
from pharmacrm.insights.models import (
    AnalyticsRun,
    CustomerSnapshot,
    GradeChange,
    GradeRule,
    RunStatus,
)

pytestmark = pytest.mark.django_db

EDITOR = "/insights/grades/rules/?kind=consumer"
AUDIT = "/insights/grades/changes/"


@pytest.fixture
def as_role(client):
    def _login(role: Role):
        client.force_login(core_services.user_create(username=role.value, role=role))
        return client

    return _login


@pytest.fixture
def member():
    """One loyalty member with a snapshot row: CLV 1,500, P(alive) 0.8, graded C by hand."""
    run = AnalyticsRun.objects.create(
        engine="duckdb", status=RunStatus.SUCCEEDED, as_of=date(2024, 3, 31)
    )
    created, _new = account_services.consumer_upsert(
        by=None, card_no="CARD-77", gender="M", birth_year=1970, grade="C"
    )
    CustomerSnapshot.objects.create(
        run=run, customer_kind="consumer", customer_key=created.pk, clv=1500.0, p_alive=0.8
    )
    return created


@pytest.mark.parametrize("path", [EDITOR, AUDIT])
def test_anonymous_is_sent_to_sign_in(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/auth/login/")


@pytest.mark.parametrize(
    ("role", "editor", "audit"),
    [
        (Role.ADMINISTRATOR, 200, 200),
        (Role.ANALYST, 200, 200),
        (Role.DIRECTOR, 403, 200),
        (Role.REGIONAL_MANAGER, 403, 403),
        (Role.SALES_REP, 403, 403),
        (Role.CAMPAIGN_MANAGER, 403, 403),
    ],
)
def test_pages_by_role(as_role, member, role, editor, audit):
    client = as_role(role)

    assert client.get(EDITOR).status_code == editor
    assert client.get(AUDIT).status_code == audit


@pytest.mark.parametrize("role", [Role.DIRECTOR, Role.SALES_REP, Role.CAMPAIGN_MANAGER])
def test_refused_roles_cannot_add_or_apply_rules(as_role, member, role):
    client = as_role(role)

    added = client.post(EDITOR, {"name": "All", "grade": "S"})
    applied = client.post("/insights/grades/apply/", {"kind": "consumer"})

    assert (added.status_code, applied.status_code) == (403, 403)
    assert not GradeRule.objects.exists()
    assert Consumer.objects.get(pk=member.pk).grade == "C"


def test_analyst_adds_a_rule_sees_the_preview_and_applies_it(as_role, member):
    client = as_role(Role.ANALYST)

    added = client.post(
        EDITOR, {"kind": "consumer", "name": "Valuable", "grade": "A", "min_clv": "1000"}
    )
    page = client.get(EDITOR).content.decode()
    applied = client.post("/insights/grades/apply/", {"kind": "consumer"}, follow=True)

    assert added.status_code == 302
    assert 'data-testid="preview-count">1</td>' in page
    assert '<td class="small">CLV ≥ 1,000.00</td>' in page
    assert "Rules applied: 1 customers changed grade." in applied.content.decode()
    assert Consumer.objects.get(pk=member.pk).grade == "A"
    change = GradeChange.objects.get()
    assert (change.old_grade, change.new_grade, change.rule_name) == ("C", "A", "Valuable")
    audit = client.get(AUDIT).content.decode()
    assert "Valuable" in audit
    assert f"<td>{member.pk}</td>" in audit


def test_invalid_rule_is_shown_with_the_fields_message(as_role, member):
    client = as_role(Role.ANALYST)

    response = client.post(
        EDITOR, {"kind": "consumer", "name": "Odd", "grade": "A", "abc_classes": "XZ"}
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="error-abc_classes">Use the letters A, B and C' in body
    assert not GradeRule.objects.exists()


def test_audit_page_is_empty_before_any_change(as_role, member):
    response = as_role(Role.DIRECTOR).get(AUDIT)

    assert "No grade has changed yet." in response.content.decode()
