"""Pages of sales targets: attainment with drill-down and chart, the list, entry and import.

Thin: parse, authorise, call one selector or service, render. Managers, directors and
administrators enter and import targets; reps see their own attainment.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import altair as alt
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from pharmacrm.catalog import selectors as catalog_selectors
from pharmacrm.core import exports
from pharmacrm.core.importkit.errors import ImportKitError
from pharmacrm.core.lists import SortOption, list_page
from pharmacrm.core.models import User
from pharmacrm.core.roles import Role
from pharmacrm.field import selectors as field_selectors
from pharmacrm.field import selectors_targets as target_selectors
from pharmacrm.field.forms_targets import TargetForm, TargetImportForm
from pharmacrm.field.services import targets as target_services
from pharmacrm.field.services import targets_import as target_import_services
from pharmacrm.territories import selectors as territory_selectors

VIEW_ROLES = (Role.SALES_REP, Role.REGIONAL_MANAGER, Role.DIRECTOR, Role.ADMINISTRATOR)
EDIT_ROLES = (Role.REGIONAL_MANAGER, Role.DIRECTOR, Role.ADMINISTRATOR)
TARGET_SORTS = [
    SortOption("period", gettext_lazy("Period"), ("period_start",)),
    SortOption("rep", gettext_lazy("Rep"), ("rep__username",)),
    SortOption("territory", gettext_lazy("Territory"), ("territory__code",)),
    SortOption("amount", gettext_lazy("Amount"), ("amount",)),
]
LEVEL_TITLES = {
    "territory": gettext_lazy("Territory"),
    "region": gettext_lazy("Region"),
    "rep": gettext_lazy("Rep"),
    "account": gettext_lazy("Account"),
    "product": gettext_lazy("Product"),
}


def _user(request: HttpRequest, roles: tuple[Role, ...]) -> User:
    user = request.user
    if not isinstance(user, User) or not user.has_role(*roles):
        raise PermissionDenied(_("Your role does not allow this page."))
    return user


def _int(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


def _chart(report: target_selectors.AttainmentReport) -> dict[str, Any]:
    """Attainment per row as bars against the 100 % rule (actual when there is no target)."""
    rows = [
        {
            "name": row.label,
            "attainment": None if row.attainment is None else round(float(row.attainment), 4),
            "actual": row.actual,
            "previous": row.previous,
        }
        for row in report.rows[:30]
    ]
    has_targets = any(row["attainment"] is not None for row in rows)
    measure = "attainment" if has_targets else "actual"
    axis = alt.Axis(format="%") if has_targets else alt.Axis(format=",.0f")
    bars = (
        alt.Chart(alt.Data(values=rows))
        .mark_bar()
        .encode(
            y=alt.Y("name:N", sort=None, title=None),
            x=alt.X(f"{measure}:Q", axis=axis, title=None),
            tooltip=[
                "name:N",
                alt.Tooltip("attainment:Q", format=".1%"),
                alt.Tooltip("actual:Q", format=",.2f"),
                alt.Tooltip("previous:Q", format=",.2f"),
            ],
        )
    )
    layers: list[Any] = [bars]
    if has_targets:
        layers.append(alt.Chart(alt.Data(values=[{"x": 1}])).mark_rule(color="red").encode(x="x:Q"))
    chart = alt.layer(*layers).properties(width="container", height=max(80, 22 * len(rows)))
    spec: dict[str, Any] = chart.to_dict()
    return spec


def _period(request: HttpRequest) -> tuple[target_services.Period, str]:
    """The period the query string asks for (else the current quarter) and a parse error."""
    text = request.GET.get("period", "")
    error = ""
    try:
        period = target_services.period_parse(text) if text else None
    except ValueError as refused:
        error, period = str(refused), None
    return period or target_services.period_containing(timezone.localdate()), error


def _share(value: object) -> float | None:
    return None if value is None else round(float(value), 4)  # type: ignore[arg-type]


EXPORT_COLUMNS = (
    exports.ExportColumn(gettext_lazy("Rank"), "rank"),
    exports.ExportColumn(gettext_lazy("Name"), "label"),
    exports.ExportColumn(gettext_lazy("Target"), "target"),
    exports.ExportColumn(gettext_lazy("Actual"), "actual"),
    exports.ExportColumn(gettext_lazy("Attainment"), lambda row: _share(row.attainment)),
    exports.ExportColumn(gettext_lazy("Previous period"), "previous"),
    exports.ExportColumn(gettext_lazy("Change"), lambda row: _share(row.change)),
)


def _export(
    report: target_selectors.AttainmentReport, fmt: str, name: str
) -> HttpResponse | StreamingHttpResponse:
    """The rows of one drill-down level as the page shows them (shares as 0.85 = 85 %)."""
    filename = f"{name}-{report.period.label}-{report.level}"
    return exports.export_response(report.rows, EXPORT_COLUMNS, fmt=fmt, filename=filename)


@require_GET
def target_attainment(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Attainment and ranking for a period, drilled region → rep → account → product."""
    user = _user(request, VIEW_ROLES)
    period, error = _period(request)
    region_id, rep_id = _int(request, "region"), _int(request, "rep")
    account_id = _int(request, "account") if rep_id is not None else None
    if rep_id is None and region_id is None and not user.roles & field_selectors.ROLES_SEEING_TEAMS:
        rep_id = user.pk  # a rep starts at their own accounts
    report = target_selectors.attainment_report(
        user=user, period=period, region_id=region_id, rep_id=rep_id, account_id=account_id
    )
    if fmt := exports.requested_export(request):
        return _export(report, fmt, "attainment")
    context = {
        "report": report,
        "period_error": error,
        "level_title": LEVEL_TITLES[report.level],
        "next_param": {"region": "region", "rep": "rep", "account": "account"}.get(report.level),
        "region_id": region_id,
        "rep_id": rep_id,
        "account_id": account_id,
        "previous_label": period.previous().label,
        "chart": _chart(report),
        "can_edit": user.has_role(*EDIT_ROLES),
    }
    return render(request, "field/targets/attainment.html", context)


@require_GET
def target_territory_attainment(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Territory targets against actuals, drilled territory → account → product."""
    user = _user(request, VIEW_ROLES)
    period, error = _period(request)
    territory_id = _int(request, "territory")
    account_id = _int(request, "account") if territory_id is not None else None
    report = target_selectors.territory_attainment_report(
        user=user, period=period, territory_id=territory_id, account_id=account_id
    )
    if fmt := exports.requested_export(request):
        return _export(report, fmt, "territory-attainment")
    context = {
        "report": report,
        "period_error": error,
        "level_title": LEVEL_TITLES[report.level],
        "territory_id": territory_id,
        "account_id": account_id,
        "previous_label": period.previous().label,
        "chart": _chart(report),
        "can_edit": user.has_role(*EDIT_ROLES),
    }
    return render(request, "field/targets/territory_attainment.html", context)


@require_GET
def target_list(request: HttpRequest) -> HttpResponse:
    """Targets in scope with search, sort and pagination."""
    user = _user(request, VIEW_ROLES)
    page = list_page(
        request,
        target_selectors.target_list_for(user=user),
        search_fields=("rep__username", "territory__code", "territory__name", "product__sku_code"),
        sort_options=TARGET_SORTS,
        default_sort="-period",
    )
    template = "field/targets/list.html#rows" if getattr(request, "htmx", False) else None
    context = {"list": page, "can_edit": user.has_role(*EDIT_ROLES)}
    return render(request, template or "field/targets/list.html", context)


def _target_form(request: HttpRequest, user: User) -> TargetForm:
    today = timezone.localdate()
    team = field_selectors._rep_ids_visible_to(user=user, on=today)
    reps = User.objects.filter(is_active=True, groups__name=Role.SALES_REP.value)
    if team is not None:
        reps = reps.filter(pk__in=sorted(team))
    covered = territory_selectors.territory_ids_covered_by(user=user, on=today)
    territories = territory_selectors.territory_list()
    if covered is not None:
        territories = territories.filter(pk__in=sorted(covered))
    return TargetForm(
        request.POST or None,
        reps=reps.order_by("username"),
        territories=territories,
        products=catalog_selectors.product_list().filter(is_active=True).order_by("sku_code"),
        initial={"currency": settings.BASE_CURRENCY},
    )


@require_http_methods(["GET", "POST"])
def target_create(request: HttpRequest) -> HttpResponse:
    """Enter (or correct) one target; the same key updates the stored one."""
    user = _user(request, EDIT_ROLES)
    form = _target_form(request, user)
    if request.method == "POST" and form.is_valid():
        try:
            target, outcome = target_services.target_upsert(by=user, **form.cleaned_data)
        except ValidationError as refused:
            for field, errors in refused.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            text = {
                "created": _("Saved the new target."),
                "updated": _("Updated the existing target of that rep, product and period."),
                "unchanged": _("That target was already stored with these values."),
            }[outcome]
            messages.success(request, text)
            return redirect("field-target-list")
    return render(request, "field/targets/form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def target_import(request: HttpRequest) -> HttpResponse:
    """Upload a targets file: a dry run lists every error by row and column; then import."""
    user = _user(request, EDIT_ROLES)
    form = TargetImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / Path(upload.name).name
            with path.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            try:
                result = target_import_services.targets_import(
                    by=user, path=path, dry_run=form.cleaned_data["dry_run"]
                )
            except ImportKitError as refused:
                form.add_error("file", str(refused))
            except ValueError as refused:  # a file the readers cannot open
                form.add_error("file", _("Cannot read %(suffix)s file: %(error)s")
                               % {"suffix": suffix, "error": refused})  # fmt: skip
    return render(request, "field/targets/import.html", {"form": form, "result": result})
