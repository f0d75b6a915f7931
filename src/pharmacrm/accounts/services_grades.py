"""Bulk grade writes on accounts and consumers, for the value rules of the insights app.

The value rules re-grade every scored customer after each analytics run — up to millions of
loyalty members — so these services write with one ``UPDATE … WHERE id IN (…)`` per grade and
batch instead of a model save (and a django-simple-history row) per customer. The audit of
these changes is the insights app's ``GradeChange`` table, written by the caller in bulk with
the rule and run that caused each change. Grades set by hand on the account form still go
through :func:`pharmacrm.accounts.services.account_update` and its history.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from pharmacrm.accounts.models import Account, Consumer, Grade

GRADE_KINDS = ("account", "consumer")
"""Customer kinds that carry a grade (the insights snapshot's ``customer_kind`` values)."""

WRITE_BATCH = 5_000
"""Ids per ``UPDATE … IN (…)``: well under SQLite's and PostgreSQL's parameter limits."""


def _model(kind: str) -> type[Account] | type[Consumer]:
    if kind == "account":
        return Account
    if kind == "consumer":
        return Consumer
    raise ValidationError({"customer_kind": _("Unknown customer kind %(kind)s.") % {"kind": kind}})


def customer_grades_get(*, kind: str, ids: Iterable[int]) -> dict[int, str]:
    """The current grade of each existing account or consumer among ``ids`` ("" for none).

    Ids that name no record are absent from the result (a snapshot row whose customer was
    merged away or erased), so the caller neither audits nor writes them.
    """
    model = _model(kind)
    wanted = list(ids)
    found: dict[int, str] = {}
    for start in range(0, len(wanted), WRITE_BATCH):
        chunk = wanted[start : start + WRITE_BATCH]
        found.update(model.objects.filter(pk__in=chunk).values_list("pk", "grade"))
    return found


def customer_grades_set(*, kind: str, grades: Mapping[int, str]) -> int:
    """Set the grade of many accounts or consumers at once; return how many rows changed.

    ``grades`` maps the record id to its new grade (``""`` clears it). One transaction, one
    ``UPDATE`` per grade and batch of :data:`WRITE_BATCH` ids. Accounts also get their
    ``updated_at`` stamped (``UPDATE`` skips ``auto_now``).

    Raises
    ------
    ValidationError
        When a grade is not one of the configured grades, or the kind is unknown; nothing
        is written then.
    """
    model = _model(kind)
    by_grade: dict[str, list[int]] = defaultdict(list)
    for pk, grade in grades.items():
        if grade and grade not in Grade.values:
            raise ValidationError({"grade": _("Unknown grade %(grade)s.") % {"grade": grade}})
        by_grade[grade].append(pk)
    changed = 0
    stamp = {"updated_at": timezone.now()} if model is Account else {}
    with transaction.atomic():
        for grade, pks in by_grade.items():
            for start in range(0, len(pks), WRITE_BATCH):
                chunk = pks[start : start + WRITE_BATCH]
                changed += model.objects.filter(pk__in=chunk).update(grade=grade, **stamp)
    return changed


def account_potential_subquery(*, outer_key: str) -> Subquery:
    """An expression giving the potential of the account whose id is the outer row's field.

    The insights value rules compare it with a rule's minimum potential inside one query over
    the snapshot (``outer_key="customer_key"``), instead of loading every account's potential.
    """
    return Subquery(Account.objects.filter(pk=OuterRef(outer_key)).values("potential")[:1])
