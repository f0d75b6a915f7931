"""Pages of the warehouse app: upload (with a suggested mapping), job list, job page, quarantine.

Interfaces only: they parse, authorise and call the services and selectors, which the API and
the CLI call too.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from pharmacrm.core.exports import XLSX_CONTENT_TYPE
from pharmacrm.core.importkit.errors import ImportKitError
from pharmacrm.core.importkit.mapping import ColumnMapping, suggest_mapping
from pharmacrm.core.importkit.quarantine import quarantine_to_xlsx
from pharmacrm.core.importkit.readers import open_source
from pharmacrm.core.importkit.registry import get_kind
from pharmacrm.core.lists import SortOption, list_page
from pharmacrm.warehouse import selectors as warehouse_selectors
from pharmacrm.warehouse import services as warehouse_services
from pharmacrm.warehouse.access import IMPORT_ROLES, VIEW_ROLES, acting_user, roles_required
from pharmacrm.warehouse.forms import UploadForm

JOB_SORTS = [
    SortOption("created", gettext_lazy("Created"), ("created_at",)),
    SortOption("kind", gettext_lazy("Kind"), ("kind",)),
    SortOption("status", gettext_lazy("Status"), ("status",)),
    SortOption("read", gettext_lazy("Rows read"), ("rows_read",)),
    SortOption("quarantined", gettext_lazy("Rows quarantined"), ("rows_quarantined",)),
]
_STAGED = re.compile(r"^[0-9a-f]{32}/[\w.\-]+$")


@roles_required(VIEW_ROLES)
@require_GET
def jobs(request: HttpRequest) -> HttpResponse:
    """Import jobs with search (kind, mapping, user), sort and pagination."""
    page = list_page(
        request,
        warehouse_selectors.import_job_list(),
        search_fields=("kind", "mapping_name", "created_by__username", "status"),
        sort_options=JOB_SORTS,
        default_sort="-created",
    )
    template = (
        "warehouse/jobs.html#rows" if getattr(request, "htmx", False) else "warehouse/jobs.html"
    )
    user = acting_user(request)
    return render(request, template, {"list": page, "may_import": user.has_role(*IMPORT_ROLES)})


@roles_required(VIEW_ROLES)
@require_GET
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    """One job: status, progress (polled by HTMX while running), counts, files, quarantine."""
    job = warehouse_selectors.import_job_get(job_id=job_id)
    template = (
        "warehouse/job_detail.html#progress"
        if getattr(request, "htmx", False)
        else "warehouse/job_detail.html"
    )
    quarantine = [(index, Path(path).name) for index, path in enumerate(job.quarantine_paths)]
    return render(request, template, {"job": job, "quarantine": quarantine})


@roles_required(VIEW_ROLES)
@require_GET
def quarantine_download(
    request: HttpRequest, job_id: int, index: int, fmt: str
) -> HttpResponseBase:
    """A quarantine file of a job as CSV (as written) or Excel (every cell as text)."""
    job = warehouse_selectors.import_job_get(job_id=job_id)
    path = warehouse_selectors.quarantine_file(job=job, index=index)
    if fmt == "csv":
        return FileResponse(path.open("rb"), as_attachment=True, filename=path.name,
                            content_type="text/csv; charset=utf-8")  # fmt: skip
    if fmt != "xlsx":
        raise Http404
    with tempfile.TemporaryDirectory() as folder:
        workbook = quarantine_to_xlsx(path, Path(folder) / "quarantine.xlsx")
        body = workbook.read_bytes()
    response = HttpResponse(body, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{path.stem}.xlsx"'
    return response


def _staged_path(token: str) -> Path | None:
    """The previewed upload named by ``token`` (``<uuid>/<name>``), if it is one of ours."""
    if not _STAGED.match(token):
        return None
    path = warehouse_services.uploads_dir() / token
    return path if path.is_file() else None


def _suggestions(path: Path, kind: str) -> list[dict[str, Any]]:
    """Each canonical field with the header proposed for it (or none), for the preview."""
    fields = get_kind(kind).fields
    found = {s.field: s for s in suggest_mapping(open_source(path).columns, fields)}
    return [
        {
            "field": spec.name,
            "required": spec.required,
            "column": found[spec.name].column if spec.name in found else "",
            "score": round(found[spec.name].score) if spec.name in found else None,
        }
        for spec in fields
    ]


@roles_required(IMPORT_ROLES)
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    """Upload a file; ``preview`` shows the mapping suggested from its headers, ``import`` queues.

    A previewed file is kept (``staged``) so the import step does not upload it again.
    """
    form = UploadForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form}
    if request.method != "POST" or not form.is_valid():
        return render(request, "warehouse/upload.html", context)
    data = form.cleaned_data
    path = _staged_path(data["staged"]) if data["staged"] else None
    if path is None and data["file"] is None:
        form.add_error("file", _("Choose a file."))
        return render(request, "warehouse/upload.html", context)
    if path is None:
        upload_file = data["file"]
        path = warehouse_services.upload_stage(name=upload_file.name, chunks=upload_file.chunks())
    staged = str(path.relative_to(warehouse_services.uploads_dir()))
    try:
        suggestions = _suggestions(path, data["kind"])
    except ImportKitError as exc:
        form.add_error("file", str(exc))
        return render(request, "warehouse/upload.html", context)
    if request.POST.get("action") != "import":
        form = UploadForm(initial={**data, "staged": staged, "file": None})
        context.update(form=form, suggestions=suggestions, staged_name=path.name)
        return render(request, "warehouse/upload.html", context)
    try:
        job = _enqueue(request, path, data, suggestions)
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return render(request, "warehouse/upload.html", context)
    messages.success(request, _("Import job #%(id)s queued.") % {"id": job.pk})
    return redirect("warehouse:job-detail", job_id=job.pk)


def _enqueue(
    request: HttpRequest, path: Path, data: dict[str, Any], suggestions: list[dict[str, Any]]
) -> Any:  # noqa: ANN401 - the job
    user = acting_user(request)
    choice: str = data["mapping"] or ""
    template = None
    adapter = ""
    if choice.startswith("template:"):
        template = warehouse_selectors.mapping_template_latest(
            name=choice.removeprefix("template:")
        )
    elif choice.startswith("adapter:"):
        adapter = choice.removeprefix("adapter:")
    elif data["save_as"]:
        template = warehouse_services.mapping_template_save(
            by=user,
            name=data["save_as"],
            kind=data["kind"],
            source=data["source"],
            mapping=ColumnMapping(
                columns={row["field"]: row["column"] for row in suggestions if row["column"]}
            ),
        )
    options = {"source": data["source"]} if data["source"] else {}
    return warehouse_services.import_job_enqueue(
        by=user, kind=data["kind"], files=[path], mapping=adapter, template=template,
        dry_run=data["dry_run"], options=options,
    )  # fmt: skip
