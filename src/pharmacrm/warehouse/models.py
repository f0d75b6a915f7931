"""Import jobs and saved mapping templates (the OLTP side of the warehouse).

The facts themselves live in Parquet (:mod:`pharmacrm.warehouse.store`); these tables record
who imported which file with which mapping, how it went, and where its quarantine lies, so any
stored row traces back through its ``import_id`` to a job and a file line.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    """Where a job stands; ``succeeded`` includes dry runs and files already imported."""

    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    SUCCEEDED = "succeeded", _("succeeded")
    FAILED = "failed", _("failed")


class MappingTemplate(models.Model):
    """One saved version of a source layout (an importkit ``ColumnMapping`` as JSON).

    Saving under a name that exists makes a new version; imports name the template and take
    its newest version, and the job records which version it used, so a distributor's
    changed layout never rewrites how last month's file was read.
    """

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("import kind"), max_length=40)
    source = models.CharField(
        _("source"), max_length=100, blank=True, help_text=_("E.g. the distributor's code.")
    )
    version = models.PositiveIntegerField(_("version"))
    mapping = models.JSONField(_("mapping"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("mapping template")
        verbose_name_plural = _("mapping templates")
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="mapping_template_version"),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class ImportJob(models.Model):
    """One import of one or more files of one kind, from the web, the API or the CLI.

    ``files`` lists ``{"name", "path", "sha256"}`` per file; ``reports`` the pipeline's
    per-file outcome (import id, status, counts, quarantine paths, first errors). Counts sum
    over the files and reconcile: ``rows_read = rows_stored + rows_quarantined``.
    """

    kind = models.CharField(_("import kind"), max_length=40)
    status = models.CharField(
        _("status"), max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    files = models.JSONField(_("files"), default=list)
    mapping_name = models.CharField(_("mapping"), max_length=100, blank=True)
    mapping_template = models.ForeignKey(
        MappingTemplate,
        verbose_name=_("mapping template"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="jobs",
    )
    mapping_version = models.PositiveIntegerField(_("mapping version"), null=True, blank=True)
    options = models.JSONField(_("options"), default=dict, blank=True)
    is_dry_run = models.BooleanField(_("dry run"), default=False)
    rows_read = models.BigIntegerField(_("rows read"), default=0)
    rows_stored = models.BigIntegerField(_("rows stored"), default=0)
    rows_quarantined = models.BigIntegerField(_("rows quarantined"), default=0)
    # Per code column, summed: a row with an unknown outlet and an unknown SKU counts twice.
    codes_unresolved = models.BigIntegerField(_("unresolved codes"), default=0)
    duplicates = models.BigIntegerField(_("duplicates"), default=0)
    progress_done = models.BigIntegerField(_("rows done"), default=0)
    progress_total = models.BigIntegerField(_("rows expected"), default=0)
    timings = models.JSONField(_("timings (s)"), default=dict, blank=True)
    reports = models.JSONField(_("file reports"), default=list, blank=True)
    quarantine_paths = models.JSONField(_("quarantine files"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "-created_at"], name="importjob_status")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind}"

    @property
    def file_names(self) -> str:
        """The files' names, comma-separated (list pages)."""
        return ", ".join(item.get("name", "") for item in self.files)

    @property
    def progress_percent(self) -> int:
        """Rows done as a whole percentage of the rows expected (0 while unknown)."""
        if self.status == JobStatus.SUCCEEDED:
            return 100
        if not self.progress_total:
            return 0
        return min(100, int(self.progress_done * 100 / self.progress_total))

    @property
    def is_finished(self) -> bool:
        """True once the job has succeeded or failed (the page stops polling)."""
        return self.status in {JobStatus.SUCCEEDED, JobStatus.FAILED}

    @property
    def duration_seconds(self) -> float | None:
        """Wall time from start to finish."""
        if self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()
