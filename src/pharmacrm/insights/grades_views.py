"""Pages of the grade rule editor and the audit of grade changes.

Editing and applying rules is for administrators and analysts (DESIGN.md: analysts own
"segments, rules, analytics runs"); the audit of changes is readable by every analytics role.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pharmacrm.core.lists import SortOption, list_page
from pharmacrm.insights import grades
from pharmacrm.insights import selectors as insights_selectors
from pharmacrm.insights.access import ANALYTICS_ROLES, RUN_ROLES, acting_user, roles_required
from pharmacrm.insights.grades_forms import GradeRuleForm
from pharmacrm.insights.grades_models import GradeRule
from pharmacrm.insights.models import CustomerKind

CHANGE_SORTS = [
    SortOption("changed", gettext_lazy("Changed at"), ("changed_at",)),
    SortOption("customer", gettext_lazy("Customer id"), ("customer_key",)),
    SortOption("new", gettext_lazy("New grade"), ("new_grade",)),
]


def _kind(request: HttpRequest) -> str:
    kind = request.GET.get("kind") or request.POST.get("kind") or CustomerKind.CONSUMER
    return kind if kind in CustomerKind.values else CustomerKind.CONSUMER


def _rules_url(kind: str) -> str:
    return f"{reverse('insights:grade-rules')}?kind={kind}"


def _form_errors(form: GradeRuleForm, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _render_rules(request: HttpRequest, kind: str, form: GradeRuleForm) -> HttpResponse:
    return render(
        request,
        "insights/clv/grade_rules.html",
        {
            "kind": kind,
            "kinds": CustomerKind.choices,
            "run": insights_selectors.run_latest(),
            "page": "grades",
            "preview": grades.grade_preview(kind=kind),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@roles_required(RUN_ROLES)
@require_http_methods(["GET", "POST"])
def grade_rules(request: HttpRequest) -> HttpResponse:
    """The kind's rules in order with the preview of each, and the form adding a rule."""
    kind = _kind(request)
    form = GradeRuleForm(request.POST or None, kind=kind)
    if request.method == "POST" and form.is_valid():
        rule = form.save(commit=False)
        rule.customer_kind = kind
        try:
            grades.grade_rule_save(by=acting_user(request), rule=rule)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Rule “%(name)s” added.") % {"name": rule.name})
            return redirect(_rules_url(kind))
    return _render_rules(request, kind, form)


@roles_required(RUN_ROLES)
@require_http_methods(["GET", "POST"])
def grade_rule_edit(request: HttpRequest, rule_id: int) -> HttpResponse:
    """Change one rule's name, grade or conditions."""
    rule = get_object_or_404(GradeRule, pk=rule_id)
    form = GradeRuleForm(request.POST or None, instance=rule, kind=rule.customer_kind)
    if request.method == "POST" and form.is_valid():
        try:
            grades.grade_rule_save(by=acting_user(request), rule=form.save(commit=False))
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Rule “%(name)s” saved.") % {"name": rule.name})
            return redirect(_rules_url(rule.customer_kind))
    return render(
        request,
        "insights/clv/grade_rule_form.html",
        {"rule": rule, "form": form, "kind": rule.customer_kind},
        status=400 if form.errors else 200,
    )


@roles_required(RUN_ROLES)
@require_POST
def grade_rule_delete(request: HttpRequest, rule_id: int) -> HttpResponse:
    """Delete a rule (its audit rows keep its name)."""
    rule = get_object_or_404(GradeRule, pk=rule_id)
    grades.grade_rule_delete(rule=rule)
    messages.success(request, _("Rule “%(name)s” deleted.") % {"name": rule.name})
    return redirect(_rules_url(rule.customer_kind))


@roles_required(RUN_ROLES)
@require_POST
def grade_rule_move(request: HttpRequest, rule_id: int) -> HttpResponse:
    """Move a rule one place up or down."""
    rule = get_object_or_404(GradeRule, pk=rule_id)
    try:
        grades.grade_rule_move(rule=rule, up=request.POST.get("direction") == "up")
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
    return redirect(_rules_url(rule.customer_kind))


@roles_required(RUN_ROLES)
@require_POST
def grades_apply_now(request: HttpRequest) -> HttpResponse:
    """Apply the kind's rules to the latest snapshot now (runs also apply them)."""
    kind = _kind(request)
    changed = grades.grades_apply(
        by=acting_user(request), run=insights_selectors.run_latest(), kind=kind
    )
    messages.success(
        request, _("Rules applied: %(count)d customers changed grade.") % {"count": changed[kind]}
    )
    return redirect(_rules_url(kind))


@roles_required(ANALYTICS_ROLES)
@require_GET
def grade_changes(request: HttpRequest) -> HttpResponseBase:
    """The audit of grade changes: who or which run, which rule, old → new; newest first."""
    kind = request.GET.get("kind", "")
    kind = kind if kind in CustomerKind.values else ""
    rows = grades.grade_change_list(kind=kind or None)
    query = request.GET.get("q", "").strip()
    if query.isdigit():
        rows = rows.filter(customer_key=int(query))
    page = list_page(
        request,
        rows,
        sort_options=CHANGE_SORTS,
        default_sort="-changed",
        filters={"kind": kind},
    )
    return render(
        request,
        "insights/clv/grade_changes.html",
        {"list": page, "kind": kind, "kinds": CustomerKind.choices},
    )
