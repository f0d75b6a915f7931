"""Writes of the warehouse app: mapping templates, import jobs and the dimension export.

``import_job_run`` is the one door every interface goes through: the web upload and the API
queue a job that the worker runs (:mod:`pharmacrm.warehouse.tasks`), the CLI runs it in the
foreground; either way the job row records the files and their hashes, the mapping (and its
version), the counts, the timings and the quarantine files, and shows progress while it runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from pharmacrm.core.importkit.errors import ImportKitError
from pharmacrm.core.importkit.mapping import ColumnMapping
from pharmacrm.core.importkit.registry import (
    FileReport,
    ImportRequest,
    Progress,
    adapter_names,
    get_kind,
    kind_names,
    load_kinds,
)
from pharmacrm.core.models import User
from pharmacrm.warehouse import selectors as warehouse_selectors
from pharmacrm.warehouse.models import ImportJob, JobStatus, MappingTemplate
from pharmacrm.warehouse.resolution import MasterDataResolver

DIMENSION_BATCH = 50_000
"""Rows per Parquet row group when exporting dimensions (bounded memory for consumers)."""


def warehouse_root() -> Path:
    """``settings.WAREHOUSE_DIR`` as a path."""
    return Path(settings.WAREHOUSE_DIR)


def uploads_dir() -> Path:
    """Where uploaded files wait for their import (beside the warehouse, never inside it)."""
    return warehouse_root().parent / "uploads"


def quarantine_dir() -> Path:
    """Where every import's quarantine and unresolved-code files go."""
    return warehouse_root().parent / "quarantine"


# ------------------------------------------------------------------------- mapping templates


def mapping_template_save(
    *, by: User | None, name: str, kind: str, mapping: ColumnMapping, source: str = ""
) -> MappingTemplate:
    """Save ``mapping`` as the next version of template ``name`` (version 1 when new).

    Raises
    ------
    ValidationError
        When the name is empty or the template already exists for another kind.
    """
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the mapping template a name.")})
    with transaction.atomic():
        existing = MappingTemplate.objects.select_for_update().filter(name=name)
        other = existing.exclude(kind=kind).values_list("kind", flat=True).first()
        if other is not None:
            raise ValidationError(
                {"name": _("The template “%(name)s” maps %(kind)s files.")
                 % {"name": name, "kind": other}}
            )  # fmt: skip
        latest = existing.aggregate(latest=Max("version"))["latest"] or 0
        template = MappingTemplate(
            name=name, kind=kind, source=source, version=latest + 1,
            mapping=json_mapping(mapping), created_by=by,
        )  # fmt: skip
        template.full_clean()
        template.save()
    return template


def json_mapping(mapping: ColumnMapping) -> dict[str, Any]:
    """A mapping as the JSON object stored in a template."""
    return json.loads(mapping.to_json())


# ------------------------------------------------------------------------------ uploads


_UNSAFE = re.compile(r"[^\w.\-]+")


def upload_stage(*, name: str, chunks: Iterable[bytes]) -> Path:
    """Write an uploaded file under its own folder in :func:`uploads_dir`; return its path.

    The name is reduced to letters, digits, dots and dashes (no path from the browser reaches
    the file system); the folder is a fresh UUID so two uploads of ``report.xlsx`` never meet.
    """
    safe = _UNSAFE.sub("_", Path(name).name).strip("._") or "upload"
    folder = uploads_dir() / uuid.uuid4().hex
    folder.mkdir(parents=True)
    path = folder / safe
    with path.open("wb") as handle:
        for chunk in chunks:
            handle.write(chunk)
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(4 * 1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


# --------------------------------------------------------------------------- import jobs


def import_job_create(  # noqa: PLR0913 - the request's parts, each named
    *,
    by: User | None,
    kind: str,
    files: Sequence[Path],
    mapping: str = "",
    template: MappingTemplate | None = None,
    dry_run: bool = False,
    options: dict[str, str] | None = None,
) -> ImportJob:
    """Record a queued import of ``files`` as ``kind`` (hashes taken now, before any change).

    ``mapping`` names an adapter of the kind; ``template`` a saved mapping (its version is
    recorded); with neither, columns are suggested from the headers when the job runs.

    Raises
    ------
    ValidationError
        Unknown kind or adapter, a template of another kind, both mapping and template, or no
        files.
    """
    load_kinds()
    if kind not in kind_names():
        raise ValidationError({"kind": _("Unknown import kind %(kind)s.") % {"kind": kind}})
    if mapping and mapping not in adapter_names(kind):
        raise ValidationError(
            {
                "mapping": _("No mapping %(mapping)s for %(kind)s.")
                % {"mapping": mapping, "kind": kind}
            }
        )
    if template is not None and template.kind != kind:
        raise ValidationError(
            {"mapping": _("The template %(name)s maps %(kind)s files.")
             % {"name": template.name, "kind": template.kind}}
        )  # fmt: skip
    if template is not None and mapping:
        raise ValidationError({"mapping": _("Choose a named mapping or a template, not both.")})
    if not files:
        raise ValidationError({"files": _("Choose at least one file.")})
    job = ImportJob(
        kind=kind,
        files=[{"name": p.name, "path": str(p), "sha256": _sha256(p)} for p in files],
        mapping_name=template.name if template else (mapping or ""),
        mapping_template=template,
        mapping_version=template.version if template else None,
        options=dict(options or {}),
        is_dry_run=dry_run,
        created_by=by,
    )
    job.full_clean()
    job.save()
    return job


def import_job_enqueue(  # noqa: PLR0913 - as import_job_create
    *,
    by: User | None,
    kind: str,
    files: Sequence[Path],
    mapping: str = "",
    template: MappingTemplate | None = None,
    dry_run: bool = False,
    options: dict[str, str] | None = None,
) -> ImportJob:
    """Record a queued job and hand it to the background worker once the record is committed."""
    from pharmacrm.warehouse.tasks import import_job_task

    with transaction.atomic():
        job = import_job_create(
            by=by, kind=kind, files=files, mapping=mapping, template=template,
            dry_run=dry_run, options=options,
        )  # fmt: skip
        transaction.on_commit(lambda: import_job_task.enqueue(job_id=job.pk))
    return job


@dataclass
class _ProgressRecorder:
    """Feeds the pipeline's progress callback into the job row (and an optional listener).

    Rows of finished files are carried so that a multi-file job's bar runs once, not per file.
    """

    job_id: int
    listener: Callable[[Progress], None] | None
    finished_rows: int = 0
    current_file: str = ""
    current_rows: int = 0

    def __call__(self, progress: Progress) -> None:
        if progress.file != self.current_file:
            self.finished_rows += self.current_rows
            self.current_file = progress.file
        self.current_rows = progress.rows_done
        done = self.finished_rows + progress.rows_done
        total = self.finished_rows + max(progress.rows_total, progress.rows_done)
        ImportJob.objects.filter(pk=self.job_id).update(progress_done=done, progress_total=total)
        if self.listener is not None:
            self.listener(progress)


def import_job_run(
    *, job: ImportJob, progress: Callable[[Progress], None] | None = None
) -> ImportJob:
    """Run a recorded job through its kind's handler and record the outcome on the row.

    Fact kinds resolve their source codes (card, outlet, buyer, seller, SKU) to the customer
    master's ids as they go (:class:`~pharmacrm.warehouse.resolution.MasterDataResolver`).

    Not inside a transaction: progress updates must be visible to the job page while the
    import runs, and the warehouse's own commit is atomic. The job ends ``succeeded`` (every
    file committed, dry-run or already imported) or ``failed`` (a file failed, or the import
    raised: then the error is recorded and the exception propagates to the task or CLI).
    """
    job.status = JobStatus.RUNNING
    job.started_at = timezone.now()
    job.error = ""
    job.save(update_fields=["status", "started_at", "error"])
    request = ImportRequest(
        files=tuple(Path(item["path"]) for item in job.files),
        mapping=job.mapping_name if job.mapping_template_id is None and job.mapping_name else None,
        dry_run=job.is_dry_run,
        options=_options(job),
        progress=_ProgressRecorder(job.pk, progress),
        code_resolver=MasterDataResolver(),
        content_hashes={item["path"]: item["sha256"] for item in job.files},
    )
    try:
        load_kinds()
        reports = get_kind(job.kind).handler(request)
    except Exception as exc:
        job.status = JobStatus.FAILED
        job.error = str(exc) if isinstance(exc, ImportKitError) else f"{type(exc).__name__}: {exc}"
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
        raise
    _record_reports(job, reports)
    job.finished_at = timezone.now()
    job.save()
    return job


def _options(job: ImportJob) -> dict[str, str]:
    options = {
        "warehouse_dir": str(warehouse_root()),
        "quarantine_dir": str(quarantine_dir()),
        "currency": getattr(settings, "BASE_CURRENCY", "EUR"),
        **{key: str(value) for key, value in job.options.items()},
    }
    if job.created_by is not None:
        options["user"] = job.created_by.get_username()
    if job.mapping_template is not None:
        options["mapping_json"] = ColumnMapping.from_json(
            _json_text(job.mapping_template.mapping)
        ).to_json()
    return options


def _json_text(value: Any) -> str:  # noqa: ANN401 - JSON as stored
    return json.dumps(value, ensure_ascii=False)


def _record_reports(job: ImportJob, reports: list[FileReport]) -> None:
    job.reports = [report_json(report) for report in reports]
    job.rows_read = sum(r.rows_read for r in reports)
    job.rows_stored = sum(r.rows_stored for r in reports)
    job.rows_quarantined = sum(r.rows_quarantined for r in reports)
    job.duplicates = sum(r.duplicates for r in reports)
    job.codes_unresolved = sum(sum(r.unresolved.values()) for r in reports)
    timings: dict[str, float] = {}
    for report in reports:
        for name, seconds in report.timings.items():
            timings[name] = round(timings.get(name, 0.0) + seconds, 3)
    job.timings = timings
    job.quarantine_paths = [
        str(path)
        for r in reports
        for path in (r.quarantine_path, r.errors_path, r.unresolved_path)
        if path is not None
    ]
    job.progress_done = job.rows_read
    job.progress_total = job.rows_read
    failed = [r for r in reports if r.status == "failed"]
    job.status = JobStatus.FAILED if failed else JobStatus.SUCCEEDED
    job.error = "; ".join(f"{Path(r.file).name}: {r.message}" for r in failed)


def report_json(report: FileReport) -> dict[str, Any]:
    """A file report as plain JSON (paths as text, first errors as their sentences)."""
    return {
        "file": Path(report.file).name,
        "status": report.status,
        "import_id": report.import_id,
        "rows_read": report.rows_read,
        "rows_stored": report.rows_stored,
        "rows_quarantined": report.rows_quarantined,
        "duplicates": report.duplicates,
        "unresolved": dict(report.unresolved),
        "quarantine_path": str(report.quarantine_path) if report.quarantine_path else "",
        "errors_path": str(report.errors_path) if report.errors_path else "",
        "unresolved_path": str(report.unresolved_path) if report.unresolved_path else "",
        "timings": {name: round(value, 3) for name, value in report.timings.items()},
        "message": report.message,
        "mapping": report.mapping,
        "first_errors": [str(error) for error in report.first_errors],
    }


# --------------------------------------------------------------------- dimension export


DIMENSION_SCHEMAS: dict[str, pa.Schema] = {
    "accounts": pa.schema(
        [("account_id", pa.int64()), ("code", pa.string()), ("name", pa.string()),
         ("kind", pa.string()), ("tier", pa.string()), ("parent_id", pa.int64()),
         ("region", pa.string()), ("province", pa.string()), ("city", pa.string()),
         ("district", pa.string()), ("status", pa.string()), ("grade", pa.string()),
         ("territory_id", pa.int64()), ("merged_into_id", pa.int64())]
    ),
    "contact_accounts": pa.schema(
        [("contact_id", pa.int64()), ("account_id", pa.int64()), ("title", pa.string()),
         ("department", pa.string()), ("specialty", pa.string()),
         ("is_key_contact", pa.bool_())]
    ),
    "consumers": pa.schema(
        [("consumer_id", pa.int64()), ("card_no", pa.string()), ("gender", pa.string()),
         ("birth_year", pa.int64()), ("province", pa.string()), ("city", pa.string()),
         ("home_outlet_id", pa.int64()), ("registered_on", pa.date32()),
         ("grade", pa.string())]
    ),
    "products": pa.schema(
        [("product_id", pa.int64()), ("sku_code", pa.string()), ("inn", pa.string()),
         ("brand", pa.string()), ("atc_code", pa.string()), ("category", pa.string()),
         ("rx_otc", pa.string()), ("manufacturer_id", pa.int64()), ("is_active", pa.bool_())]
    ),
    "territories": pa.schema(
        [("territory_id", pa.int64()), ("code", pa.string()), ("name", pa.string()),
         ("level", pa.string()), ("parent_id", pa.int64())]
    ),
}  # fmt: skip
"""Columns of each dimension snapshot. No names, phones or e-mails of people: analytics sees
consumers pseudonymised (card number, gender, birth year, region), as analysts do."""


def dimensions_export(*, out_dir: Path | None = None) -> dict[str, int]:
    """Write accounts, contacts' accounts, consumers, products and territories to Parquet.

    One file per dimension under ``WAREHOUSE_DIR/dimensions/`` (or ``out_dir``), each written
    to a temporary name and renamed into place, so a reader never sees half a file. Call it
    before analytics runs; ``pharmacrm export-dimensions`` calls it on demand. Returns the
    number of rows written per dimension.
    """
    target = out_dir or warehouse_root() / "dimensions"
    target.mkdir(parents=True, exist_ok=True)
    rows_by_dimension = {
        "accounts": warehouse_selectors.dimension_accounts(),
        "contact_accounts": warehouse_selectors.dimension_contact_accounts(),
        "consumers": warehouse_selectors.dimension_consumers(),
        "products": warehouse_selectors.dimension_products(),
        "territories": warehouse_selectors.dimension_territories(),
    }
    counts = {}
    for name, rows in rows_by_dimension.items():
        counts[name] = _write_dimension(target / f"{name}.parquet", DIMENSION_SCHEMAS[name], rows)
    return counts


def _write_dimension(path: Path, schema: pa.Schema, rows: Iterable[dict[str, Any]]) -> int:
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    written = 0
    try:
        with pq.ParquetWriter(temporary, schema) as writer:
            batch: list[dict[str, Any]] = []
            for row in rows:
                batch.append(row)
                if len(batch) == DIMENSION_BATCH:
                    writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                    written += len(batch)
                    batch = []
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            written += len(batch)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return written
