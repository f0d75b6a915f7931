"""Value rules that grade customers from the analytics snapshot: edit, preview, apply, audit.

DESIGN.md, Grade. A kind's rules are tried in ``position`` order and the first whose every
condition holds gives the grade; a customer no rule matches gets no grade. A kind without any
rule is left alone entirely, so installing the app never wipes grades set by hand.

Applying runs after every analytics run (:func:`pharmacrm.insights.services.analytics_run_execute`
calls :func:`grades_apply`) and on demand from the rule editor. The new grades are computed
inside the database (one ``CASE`` over the snapshot), walked in key order in batches, compared
with the customers' current grades, and only changes are written: the grades through the
accounts app's bulk service, the audit as one ``INSERT`` of ``GradeChange`` rows per batch.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, CharField, Count, IntegerField, Q, QuerySet, Value, When
from django.db.models.lookups import GreaterThanOrEqual
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pharmacrm.accounts import services_grades as account_grade_services
from pharmacrm.accounts.models import Grade
from pharmacrm.core.models import User
from pharmacrm.insights.grades_models import GradeChange, GradeRule
from pharmacrm.insights.models import AnalyticsRun, CustomerKind, CustomerSnapshot

APPLY_BATCH = 5_000
"""Snapshot rows compared and written per batch (bounded memory at a million consumers)."""

_TEMP_POSITION = 32_767
"""A free position used while two rules swap places (the pair is unique per kind)."""


@dataclass(frozen=True)
class GradePreviewRow:
    """How many customers one rule would grade (``rule`` ``None``: matched by no rule)."""

    rule: GradeRule | None
    grade: str
    customers: int


@dataclass(frozen=True)
class GradePreview:
    """The preview of a kind's rules over the current snapshot."""

    kind: str
    by_rule: list[GradePreviewRow]
    by_grade: dict[str, int]
    total: int


# ------------------------------------------------------------------------------ selectors


def grade_rules_for(*, kind: str) -> QuerySet[GradeRule]:
    """The rules of one customer kind in the order they are tried."""
    return GradeRule.objects.filter(customer_kind=kind).order_by("position", "pk")


def grade_change_list(*, kind: str | None = None) -> QuerySet[GradeChange]:
    """The audit of grade changes, newest first, with the acting user and run at hand."""
    rows = GradeChange.objects.select_related("changed_by", "run").order_by("-changed_at", "-pk")
    if kind:
        rows = rows.filter(customer_kind=kind)
    return rows


def _condition(rule: GradeRule) -> Q:
    """The rule's conditions as one filter over the snapshot (empty: every row)."""
    condition = Q()
    if rule.abc_classes:
        condition &= Q(abc_class__in=list(rule.abc_classes))
    if rule.vip_only:
        condition &= Q(is_vip=True)
    if rule.min_clv is not None:
        condition &= Q(clv__gte=rule.min_clv)
    if rule.min_p_alive is not None:
        condition &= Q(p_alive__gte=rule.min_p_alive)
    if rule.min_revenue is not None:
        condition &= Q(monetary__gte=rule.min_revenue)
    if rule.min_potential is not None:
        potential = account_grade_services.account_potential_subquery(outer_key="customer_key")
        condition &= Q(GreaterThanOrEqual(potential, rule.min_potential))
    return condition


def _when(rule: GradeRule, then: Value) -> When:
    condition = _condition(rule)
    # An empty Q is not a valid When condition: a catch-all matches through an always-true one.
    return When(condition if condition else Q(pk__isnull=False), then=then)


def _grade_case(rules: list[GradeRule]) -> Case:
    return Case(
        *(_when(rule, Value(rule.grade)) for rule in rules),
        default=Value(""),
        output_field=CharField(),
    )


def _rule_case(rules: list[GradeRule]) -> Case:
    return Case(
        *(_when(rule, Value(rule.pk)) for rule in rules),
        default=Value(None),
        output_field=IntegerField(),
    )


def grade_preview(*, kind: str) -> GradePreview:
    """How many of the kind's snapshot customers each rule and each grade would get now.

    One grouped query over the snapshot; rules that would match nobody are listed with 0.
    """
    rules = list(grade_rules_for(kind=kind))
    snapshot = CustomerSnapshot.objects.filter(customer_kind=kind)
    counts: dict[int | None, int] = {}
    if rules:
        grouped = (
            snapshot.annotate(_rule=_rule_case(rules))
            .values("_rule")
            .annotate(n=Count("pk"))
            .order_by()
        )
        counts = {row["_rule"]: row["n"] for row in grouped}
    else:
        counts = {None: snapshot.count()}
    by_rule = [GradePreviewRow(rule, rule.grade, counts.get(rule.pk, 0)) for rule in rules]
    by_rule.append(GradePreviewRow(None, "", counts.get(None, 0)))
    by_grade: dict[str, int] = dict.fromkeys([*Grade.values, ""], 0)
    for row in by_rule:
        by_grade[row.grade] += row.customers
    return GradePreview(kind=kind, by_rule=by_rule, by_grade=by_grade, total=sum(counts.values()))


# ------------------------------------------------------------------------------- services


def _validate_order(rule: GradeRule) -> None:
    """Refuse a rule that can never match, or a catch-all that would hide the rules below it."""
    others = grade_rules_for(kind=rule.customer_kind).exclude(pk=rule.pk)
    above = [other for other in others if other.position < rule.position]
    below = [other for other in others if other.position > rule.position]
    blocking = next((other for other in above if other.is_catch_all), None)
    if blocking is not None:
        raise ValidationError(
            {
                "position": _(
                    "This rule can never match: rule “%(rule)s” above it matches every customer."
                )
                % {"rule": blocking.name}
            }
        )
    if rule.is_catch_all and below:
        raise ValidationError(
            {
                "position": ngettext(
                    "A rule without conditions matches every customer; put it last "
                    "(%(count)d rule below it could never match).",
                    "A rule without conditions matches every customer; put it last "
                    "(%(count)d rules below it could never match).",
                    len(below),
                )
                % {"count": len(below)}
            }
        )


def _validate(rule: GradeRule) -> None:
    letters = rule.abc_classes.upper().replace(" ", "").replace(",", "")
    if any(letter not in "ABC" for letter in letters) or len(set(letters)) != len(letters):
        raise ValidationError(
            {"abc_classes": _("Use the letters A, B and C, each at most once, e.g. “AB”.")}
        )
    rule.abc_classes = "".join(sorted(letters))
    if rule.min_potential is not None and rule.customer_kind != CustomerKind.ACCOUNT:
        raise ValidationError(
            {"min_potential": _("Potential is recorded on accounts only, not on consumers.")}
        )
    if rule.customer_kind not in CustomerKind.values:
        raise ValidationError({"customer_kind": _("Unknown customer kind.")})


def grade_rule_save(*, by: User, rule: GradeRule) -> GradeRule:
    """Create or update a value rule (a new rule without position goes last).

    Raises
    ------
    ValidationError
        Naming the field: unknown ABC letters, potential on a consumer rule, a position
        already taken, a rule placed below a catch-all, or a catch-all above other rules.
    """
    with transaction.atomic():
        if rule.position is None:
            last = grade_rules_for(kind=rule.customer_kind).order_by("-position").first()
            rule.position = 1 if last is None else last.position + 1
        if rule.created_by_id is None:
            rule.created_by = by
        _validate(rule)
        rule.full_clean()
        _validate_order(rule)
        rule.save()
    return rule


def grade_rule_delete(*, rule: GradeRule) -> None:
    """Delete a rule; its audit rows keep the rule's name (the link becomes empty)."""
    rule.delete()


def grade_rule_move(*, rule: GradeRule, up: bool) -> GradeRule:
    """Swap a rule with its neighbour above (``up``) or below; at either end nothing moves.

    Raises
    ------
    ValidationError
        When the move would put a rule below a catch-all (or a catch-all above a rule).
    """
    rules = grade_rules_for(kind=rule.customer_kind)
    neighbour = (
        rules.filter(position__lt=rule.position).order_by("-position").first()
        if up
        else rules.filter(position__gt=rule.position).order_by("position").first()
    )
    if neighbour is None:
        return rule
    mine, theirs = rule.position, neighbour.position
    if (rule.is_catch_all and up) or (neighbour.is_catch_all and not up):
        raise ValidationError(
            {"position": _("A rule without conditions matches every customer; it stays last.")}
        )
    with transaction.atomic():
        rule.position = _TEMP_POSITION
        rule.save(update_fields=["position"])
        neighbour.position = mine
        neighbour.save(update_fields=["position"])
        rule.position = theirs
        rule.save(update_fields=["position"])
    return rule


def _apply_kind(*, kind: str, by: User | None, run: AnalyticsRun | None) -> int:
    rules = list(grade_rules_for(kind=kind))
    if not rules:
        return 0
    names = {rule.pk: rule.name for rule in rules}
    snapshot = CustomerSnapshot.objects.filter(customer_kind=kind)
    graded = snapshot.annotate(_grade=_grade_case(rules), _rule=_rule_case(rules)).order_by(
        "customer_key"
    )
    changed = 0
    last_key: int | None = None
    while True:
        page = graded if last_key is None else graded.filter(customer_key__gt=last_key)
        rows = list(page.values_list("customer_key", "_grade", "_rule")[:APPLY_BATCH])
        if not rows:
            break
        last_key = rows[-1][0]
        current = account_grade_services.customer_grades_get(
            kind=kind, ids=[key for key, _grade, _rule in rows]
        )
        changes = [
            GradeChange(
                changed_by=by,
                run=run,
                rule_id=rule_pk,
                rule_name=names.get(rule_pk, ""),
                customer_kind=kind,
                customer_key=key,
                old_grade=current[key],
                new_grade=grade,
            )
            for key, grade, rule_pk in rows
            if key in current and current[key] != grade
        ]
        if changes:
            GradeChange.objects.bulk_create(changes, batch_size=1_000)
            account_grade_services.customer_grades_set(
                kind=kind, grades={change.customer_key: change.new_grade for change in changes}
            )
            changed += len(changes)
    snapshot.update(grade=_grade_case(rules))
    return changed


def grades_apply(
    *, by: User | None, run: AnalyticsRun | None, kind: str | None = None
) -> dict[str, int]:
    """Grade the snapshot's customers by the rules and write the changes to the master data.

    Parameters
    ----------
    by
        Who applied the rules (``None`` when an analytics run applies them for the scheduler).
    run
        The analytics run whose snapshot is graded (recorded on every audit row).
    kind
        One customer kind, or ``None`` for both.

    Returns
    -------
    dict
        Customers whose grade changed, per kind. A kind without rules is skipped (0).

    Side effects: one transaction; accounts' and consumers' ``grade``, the snapshot's
    ``grade`` column, and one ``GradeChange`` row per changed customer.
    """
    kinds = [kind] if kind else list(CustomerKind.values)
    with transaction.atomic():
        return {name: _apply_kind(kind=name, by=by, run=run) for name in kinds}
