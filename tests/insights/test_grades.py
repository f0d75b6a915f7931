"""Value rules grade accounts and consumers from the snapshot (DESIGN.md, Grade).

Accounts, worked by hand against the four rules of ``account_rules``:

=====  ===  ===  =======  ==========  ==============================  =====
acct   ABC  VIP  CLV      potential   first matching rule             grade
=====  ===  ===  =======  ==========  ==============================  =====
a1     A    yes  5000     1,000,000   1 "VIP"                         S
a2     A    no    800       200,000   2 "A with potential ≥ 100k"     A
a3     B    no    300     2,000,000   3 "B with potential ≥ 1M"       B
a4     C    no    —            —      4 catch-all                     C (was B by hand)
=====  ===  ===  =======  ==========  ==============================  =====
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from pharmacrm.accounts import services as account_services
from pharmacrm.accounts.models import Account, Consumer
from pharmacrm.core import services as core_services
from pharmacrm.core.roles import Role
from pharmacrm.insights import grades
from pharmacrm.insights.models import (
    AnalyticsRun,
    CustomerSnapshot,
    GradeChange,
    GradeRule,
    RunStatus,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst(db):
    return core_services.user_create(username="ana", role=Role.ANALYST)


@pytest.fixture
def run(db):
    return AnalyticsRun.objects.create(
        engine="duckdb", status=RunStatus.SUCCEEDED, as_of=date(2024, 3, 31)
    )


_serial = iter(range(1, 10_000))


def _account(**fields):
    code = f"G{next(_serial):05d}"
    return account_services.account_create(
        by=None, code=code, name="Tongrentang Pharmacy", kind="pharmacy", tier="terminal",
        city="Beijing", **fields
    )  # fmt: skip


def _consumer(**fields):
    created, _new = account_services.consumer_upsert(
        by=None, card_no=f"CARD{next(_serial):06d}", gender="F", birth_year=1986, **fields
    )
    return created


def _snapshot(run, kind, key, **values):
    return CustomerSnapshot.objects.create(run=run, customer_kind=kind, customer_key=key, **values)


@pytest.fixture
def accounts(run):
    a1 = _account(potential=Decimal("1000000"))
    a2 = _account(potential=Decimal("200000"))
    a3 = _account(potential=Decimal("2000000"))
    a4 = _account(grade="B")
    _snapshot(run, "account", a1.pk, abc_class="A", is_vip=True, clv=5000.0)
    _snapshot(run, "account", a2.pk, abc_class="A", clv=800.0)
    _snapshot(run, "account", a3.pk, abc_class="B", clv=300.0)
    _snapshot(run, "account", a4.pk, abc_class="C")
    return a1, a2, a3, a4


def _rule(by, kind, name, grade, **conditions):
    return grades.grade_rule_save(
        by=by, rule=GradeRule(customer_kind=kind, name=name, grade=grade, **conditions)
    )


@pytest.fixture
def account_rules(analyst):
    return [
        _rule(analyst, "account", "VIP", "S", vip_only=True),
        _rule(analyst, "account", "A with potential", "A", abc_classes="A",
              min_potential=Decimal("100000")),
        _rule(analyst, "account", "B with potential", "B", abc_classes="B",
              min_potential=Decimal("1000000")),
        _rule(analyst, "account", "Everyone else", "C"),
    ]  # fmt: skip


def test_first_matching_rule_grades_each_account(analyst, run, accounts, account_rules):
    changed = grades.grades_apply(by=analyst, run=run)

    assert changed == {"consumer": 0, "account": 4}
    got = dict(Account.objects.filter(pk__in=[a.pk for a in accounts]).values_list("pk", "grade"))
    assert [got[a.pk] for a in accounts] == ["S", "A", "B", "C"]
    snapshot = dict(
        CustomerSnapshot.objects.filter(customer_kind="account").values_list(
            "customer_key", "grade"
        )
    )
    assert [snapshot[a.pk] for a in accounts] == ["S", "A", "B", "C"]


def test_each_change_is_audited_with_rule_run_and_old_grade(analyst, run, accounts, account_rules):
    grades.grades_apply(by=analyst, run=run)

    a4 = accounts[3]
    change = GradeChange.objects.get(customer_kind="account", customer_key=a4.pk)
    assert (change.old_grade, change.new_grade) == ("B", "C")
    assert change.rule == account_rules[3]
    assert change.rule_name == "Everyone else"
    assert change.run == run
    assert change.changed_by == analyst
    assert GradeChange.objects.count() == 4


def test_reapplying_unchanged_rules_writes_no_audit(analyst, run, accounts, account_rules):
    grades.grades_apply(by=analyst, run=run)

    again = grades.grades_apply(by=analyst, run=run)

    assert again == {"consumer": 0, "account": 0}
    assert GradeChange.objects.count() == 4


def test_preview_counts_customers_per_rule_and_grade(analyst, run, accounts, account_rules):
    preview = grades.grade_preview(kind="account")

    assert [(row.rule, row.customers) for row in preview.by_rule] == [
        (account_rules[0], 1),
        (account_rules[1], 1),
        (account_rules[2], 1),
        (account_rules[3], 1),
        (None, 0),
    ]
    assert preview.by_grade == {"S": 1, "A": 1, "B": 1, "C": 1, "": 0}
    assert Account.objects.get(pk=accounts[3].pk).grade == "B"  # a preview writes nothing


def test_consumer_rules_use_clv_and_p_alive_and_clear_unmatched(analyst, run):
    c1 = _consumer()
    c2 = _consumer()
    c3 = _consumer(grade="B")
    _snapshot(run, "consumer", c1.pk, clv=1200.0, p_alive=0.9)
    _snapshot(run, "consumer", c2.pk, clv=1200.0, p_alive=0.3)
    _snapshot(run, "consumer", c3.pk)
    _rule(analyst, "consumer", "Valuable and alive", "A", min_clv=1000.0, min_p_alive=0.5)

    changed = grades.grades_apply(by=analyst, run=run, kind="consumer")

    assert changed == {"consumer": 2}
    got = dict(Consumer.objects.values_list("pk", "grade"))
    assert (got[c1.pk], got[c2.pk], got[c3.pk]) == ("A", "", "")
    cleared = GradeChange.objects.get(customer_key=c3.pk)
    assert (cleared.old_grade, cleared.new_grade, cleared.rule) == ("B", "", None)


def test_kind_without_rules_keeps_hand_set_grades(analyst, run, accounts, account_rules):
    member = _consumer(grade="S")
    _snapshot(run, "consumer", member.pk, clv=10.0)

    grades.grades_apply(by=analyst, run=run)

    assert Consumer.objects.get(pk=member.pk).grade == "S"
    assert not GradeChange.objects.filter(customer_kind="consumer").exists()


def test_rule_below_a_catch_all_is_refused(analyst, account_rules):
    with pytest.raises(ValidationError) as refused:
        _rule(analyst, "account", "Late VIPs", "S", vip_only=True)

    assert refused.value.message_dict == {
        "position": ["This rule can never match: rule “Everyone else” above it matches every "
                     "customer."]
    }  # fmt: skip
    assert GradeRule.objects.count() == 4


def test_catch_all_above_other_rules_is_refused(analyst):
    _rule(analyst, "consumer", "VIP", "S", vip_only=True)
    catch_all = GradeRule(customer_kind="consumer", name="All", grade="C", position=0)

    with pytest.raises(ValidationError) as refused:
        grades.grade_rule_save(by=analyst, rule=catch_all)

    assert refused.value.message_dict["position"] == [
        "A rule without conditions matches every customer; put it last (1 rule below it "
        "could never match)."
    ]


@pytest.mark.parametrize(
    ("conditions", "field", "message"),
    [
        ({"abc_classes": "AD"}, "abc_classes",
         "Use the letters A, B and C, each at most once, e.g. “AB”."),
        ({"min_potential": Decimal("5")}, "min_potential",
         "Potential is recorded on accounts only, not on consumers."),
        ({"min_p_alive": 1.5}, "min_p_alive",
         "Ensure this value is less than or equal to 1."),
    ],
)  # fmt: skip
def test_invalid_conditions_name_the_field(analyst, conditions, field, message):
    with pytest.raises(ValidationError) as refused:
        _rule(analyst, "consumer", "Bad", "A", **conditions)

    assert refused.value.message_dict[field] == [message]
    assert not GradeRule.objects.exists()


def test_moving_a_rule_up_swaps_it_with_its_neighbour(analyst):
    first = _rule(analyst, "account", "VIP", "S", vip_only=True)
    second = _rule(analyst, "account", "Class A", "A", abc_classes="a")

    grades.grade_rule_move(rule=second, up=True)

    assert list(grades.grade_rules_for(kind="account")) == [second, first]
    assert second.abc_classes == "A"


def test_an_analytics_run_applies_the_rules_to_its_snapshot(analyst, warehouse):
    """The hand-made warehouse (conftest): account 501 is class A, 502 class B."""
    from pharmacrm.insights import services as insights_services

    _rule(analyst, "account", "Class A", "S", abc_classes="A")
    _rule(analyst, "account", "Everyone else", "C")

    run = insights_services.run_analytics(by=analyst, engine="duckdb")

    graded = dict(
        CustomerSnapshot.objects.filter(customer_kind="account").values_list(
            "customer_key", "grade"
        )
    )
    assert graded == {501: "S", 502: "C"}
    assert run.row_counts["grade_changes_account"] == 0  # no account 501/502 in the master
