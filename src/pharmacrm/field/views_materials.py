"""Knowledge-base pages: list with search and filters, detail with versions, upload forms.

Every signed-in user reads the knowledge base, but what they see comes from
``selectors_materials`` (reps: approved, unexpired versions only). Files are served through
``material_version_file`` after that check, never from a public media URL.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pharmacrm.catalog import selectors as catalog_selectors
from pharmacrm.core import selectors as core_selectors
from pharmacrm.core.lists import SortOption, list_page
from pharmacrm.core.models import User
from pharmacrm.field import selectors_materials
from pharmacrm.field.forms_materials import MaterialForm, MaterialStatusForm, MaterialVersionForm
from pharmacrm.field.models import MaterialKind, MaterialStatus
from pharmacrm.field.services import materials as material_services

MATERIAL_SORTS = [
    SortOption("title", gettext_lazy("Title"), ("title",)),
    SortOption("area", gettext_lazy("Therapeutic area"), ("therapeutic_area",)),
    SortOption("created", gettext_lazy("Created"), ("created_at",)),
]


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - LoginRequiredMiddleware admits only users
    return user


def _editor(request: HttpRequest) -> User:
    user = _user(request)
    if not selectors_materials.material_is_editor(user=user):
        raise PermissionDenied(_("Your role does not allow this page."))
    return user


def _int_or_none(value: str) -> int | None:
    return int(value) if value.isdigit() else None


@require_GET
def material_list(request: HttpRequest) -> HttpResponse:
    """Materials in view with search (titles and text), kind/status/area filters, sorting."""
    user = _user(request)
    is_editor = selectors_materials.material_is_editor(user=user)
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "") if is_editor else ""
    area = request.GET.get("area", "").strip()[:7]
    rows = selectors_materials.material_list_for(
        user=user,
        q=request.GET.get("q", ""),
        kind=kind if kind in MaterialKind.values else "",
        status=status if status in MaterialStatus.values else "",
        therapeutic_area=area,
    ).prefetch_related("products")
    page = list_page(
        request,
        rows,
        sort_options=MATERIAL_SORTS,
        default_sort="title",
        filters={"kind": kind, "status": status, "area": area},
    )
    context = {
        "list": page,
        "is_editor": is_editor,
        "kind_choices": MaterialKind.choices,
        "status_choices": MaterialStatus.choices,
    }
    htmx = getattr(request, "htmx", False)
    template = "field/materials/list.html#rows" if htmx else "field/materials/list.html"
    return render(request, template, context)


def _apply_errors(form: MaterialVersionForm, refused: ValidationError) -> None:
    for field, errors in refused.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@require_http_methods(["GET", "POST"])
def material_new(request: HttpRequest) -> HttpResponse:
    """Upload a new material (first version, a draft)."""
    user = _editor(request)
    products = catalog_selectors.product_list_for(user=user).order_by("brand", "pk")
    form = MaterialForm(request.POST or None, request.FILES or None, products=products)
    if request.method == "POST" and form.is_valid():
        try:
            material = material_services.material_create(by=user, **form.cleaned_data)
        except ValidationError as refused:
            _apply_errors(form, refused)
        else:
            messages.success(
                request, _("Uploaded %(title)s as a draft.") % {"title": material.title}
            )
            return redirect("field-material-detail", material_id=material.pk)
    return render(request, "field/materials/form.html", {"form": form, "material": None})


@require_GET
def material_detail(request: HttpRequest, material_id: int) -> HttpResponse:
    """A material with the versions the user sees and, for approvers, approve/withdraw."""
    user = _user(request)
    material = selectors_materials.material_get_for(user=user, material_id=material_id)
    versions = list(selectors_materials.material_versions_of(user=user, material=material))
    context = {
        "material": material,
        "versions": versions,
        "is_editor": selectors_materials.material_is_editor(user=user),
        "is_approver": selectors_materials.material_is_approver(user=user),
        "history": core_selectors.audit_history_for(obj=versions[0]) if versions else [],
    }
    return render(request, "field/materials/detail.html", context)


@require_http_methods(["GET", "POST"])
def material_version_new(request: HttpRequest, material_id: int) -> HttpResponse:
    """Upload the next version of a material (a draft until approved)."""
    user = _editor(request)
    material = selectors_materials.material_get_for(user=user, material_id=material_id)
    form = MaterialVersionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = material_services.material_version_add(
                by=user, material=material, **form.cleaned_data
            )
        except ValidationError as refused:
            _apply_errors(form, refused)
        else:
            messages.success(
                request, _("Uploaded version %(n)s as a draft.") % {"n": version.number}
            )
            return redirect("field-material-detail", material_id=material.pk)
    return render(request, "field/materials/form.html", {"form": form, "material": material})


@require_POST
def material_version_status(request: HttpRequest, version_id: int) -> HttpResponse:
    """Approve or withdraw a version (approver roles); refusals come back as messages."""
    user = _user(request)
    version = selectors_materials.material_version_get_for(user=user, version_id=version_id)
    if not selectors_materials.material_is_approver(user=user):
        raise PermissionDenied(_("Your role does not allow approving materials."))
    form = MaterialStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or withdraw."))
        return redirect("field-material-detail", material_id=version.material_id)
    try:
        if form.cleaned_data["status"] == MaterialStatus.APPROVED:
            material_services.material_version_approve(by=user, version=version)
        else:
            material_services.material_version_withdraw(
                by=user, version=version, reason=form.cleaned_data["reason"]
            )
    except ValidationError as refused:
        for errors in refused.message_dict.values():
            for error in errors:
                messages.error(request, error)
    else:
        messages.success(
            request,
            _("Version %(n)s is %(status)s now.")
            % {"n": version.number, "status": version.get_status_display()},
        )
    return redirect("field-material-detail", material_id=version.material_id)


@require_GET
def material_version_file(request: HttpRequest, version_id: int) -> FileResponse:
    """The file of a version the user may see, inline for PDFs and images."""
    user = _user(request)
    version = selectors_materials.material_version_get_for(user=user, version_id=version_id)
    if not version.file:
        raise Http404(_("This version has no file."))
    name = (version.file.name or "").rsplit("/", 1)[-1]
    response = FileResponse(version.file.open("rb"), filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"  # an uploaded file never runs script
    return response
