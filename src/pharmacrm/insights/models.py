"""Analytics runs, the per-customer snapshot the CRM acts on, and saved customer lists.

The snapshot holds one row per customer (a loyalty member or an account) as of the latest
successful run: every run upserts it in bulk and removes customers it no longer scored, so the
CRM filters one small, current table. Each run's full outputs, including per-period aggregates,
stay in Parquet under ``WAREHOUSE_DIR/analytics/run=<id>/`` for comparison.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Engine(models.TextChoices):
    """The analytics engines of :mod:`pharmacrm.analytics.engine`."""

    DUCKDB = "duckdb", "DuckDB"
    SPARK = "spark", "PySpark"


class RunStatus(models.TextChoices):
    """Life of a run: queued by a page or the scheduler, running, then done or failed."""

    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    SUCCEEDED = "succeeded", _("succeeded")
    FAILED = "failed", _("failed")


class CustomerKind(models.TextChoices):
    """Whose purchases a snapshot row scores: a loyalty member's checks or an account's."""

    CONSUMER = "consumer", _("consumer")
    ACCOUNT = "account", _("account")


class AnalyticsRun(models.Model):
    """One run of the full analytics over the warehouse facts, as of a date.

    ``row_counts`` maps each output (``transactions_consumer``, ``snapshot``, ``kpis`` …) to
    its number of rows; ``skipped`` lists analyses this installation's analytics package does
    not provide yet, so a run never claims more than it did.
    """

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    as_of = models.DateField(_("as of"), null=True, blank=True)
    engine = models.CharField(_("engine"), max_length=10, choices=Engine.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    duration_seconds = models.FloatField(_("duration (s)"), null=True, blank=True)
    customer_count = models.PositiveIntegerField(_("customers"), default=0)
    row_counts = models.JSONField(_("row counts"), default=dict, blank=True)
    skipped = models.JSONField(_("skipped analyses"), default=list, blank=True)
    output_dir = models.CharField(_("output folder"), max_length=500, blank=True)
    error = models.TextField(_("error"), blank=True)
    notes = models.JSONField(_("notes"), default=list, blank=True)
    """Messages about analyses that ran but produced nothing (a CLV fit that did not
    converge, data too thin to cluster): the run succeeded, those columns stay empty."""

    class Meta:
        verbose_name = _("analytics run")
        verbose_name_plural = _("analytics runs")
        ordering = ["-created_at", "-pk"]
        permissions = [("view_snapshot", _("Can view customer analytics"))]
        indexes = [models.Index(fields=["status", "-finished_at"], name="run_status_finished")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.as_of or '—'} {self.engine} {self.status}"


class CustomerSnapshot(models.Model):
    """The latest analytics of one customer: scores, segment, stage, classes, predictions.

    Natural key: (``customer_kind``, ``customer_key``) — the consumer's or account's OLTP id
    as the warehouse resolved it. The CLV and cluster columns stay empty until the CLV and
    cluster analyses run (DESIGN.md, CLV and Clusters).
    """

    run = models.ForeignKey(
        AnalyticsRun, on_delete=models.CASCADE, related_name="snapshots", verbose_name=_("run")
    )
    customer_kind = models.CharField(_("customer kind"), max_length=10, choices=CustomerKind)
    customer_key = models.BigIntegerField(_("customer id"))
    r_score = models.PositiveSmallIntegerField(_("R score"), null=True, blank=True)
    f_score = models.PositiveSmallIntegerField(_("F score"), null=True, blank=True)
    m_score = models.PositiveSmallIntegerField(_("M score"), null=True, blank=True)
    rfm_segment = models.CharField(_("RFM segment"), max_length=40, blank=True)
    lifecycle_stage = models.CharField(_("lifecycle stage"), max_length=10, blank=True)
    abc_class = models.CharField(_("ABC class"), max_length=1, blank=True)
    is_vip = models.BooleanField(_("VIP"), default=False)
    monetary = models.FloatField(_("net revenue"), null=True, blank=True)
    frequency = models.PositiveIntegerField(_("purchases"), null=True, blank=True)
    days_since_last = models.PositiveIntegerField(_("days since last purchase"), null=True)
    first_day = models.DateField(_("first purchase"), null=True, blank=True)
    last_day = models.DateField(_("last purchase"), null=True, blank=True)
    p_alive = models.FloatField(_("P(alive)"), null=True, blank=True)
    expected_purchases = models.FloatField(_("expected purchases"), null=True, blank=True)
    clv = models.FloatField(_("CLV"), null=True, blank=True)
    expected_spend = models.FloatField(_("expected spend per purchase"), null=True, blank=True)
    next_purchase_day = models.DateField(_("expected next purchase"), null=True, blank=True)
    churn_band = models.CharField(_("churn risk"), max_length=10, blank=True)
    cluster = models.SmallIntegerField(_("cluster"), null=True, blank=True)
    cluster_label = models.CharField(_("cluster label"), max_length=200, blank=True)
    grade = models.CharField(_("grade"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("customer snapshot")
        verbose_name_plural = _("customer snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["customer_kind", "customer_key"], name="snapshot_customer_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(r_score__range=(1, 5)) | models.Q(r_score__isnull=True),
                name="snapshot_r_score_1_5",
            ),
        ]
        indexes = [
            models.Index(fields=["customer_kind", "rfm_segment"], name="snapshot_segment"),
            models.Index(fields=["customer_kind", "lifecycle_stage"], name="snapshot_stage"),
            models.Index(fields=["customer_kind", "abc_class"], name="snapshot_abc"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_kind} {self.customer_key}"


class SavedCustomerList(models.Model):
    """A named list of customers taken from a snapshot filter (later: a campaign audience).

    The keys are frozen when the list is saved, so an audience does not change under a
    campaign when the next run re-segments; ``filters`` records how it was drawn.
    """

    name = models.CharField(_("name"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    run = models.ForeignKey(
        AnalyticsRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("run"),
    )
    customer_kind = models.CharField(_("customer kind"), max_length=10, choices=CustomerKind)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    customer_keys = models.JSONField(_("customer ids"), default=list)
    size = models.PositiveIntegerField(_("customers"), default=0)

    class Meta:
        verbose_name = _("saved customer list")
        verbose_name_plural = _("saved customer lists")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["name"], name="saved_list_name_unique")]

    def __str__(self) -> str:
        return self.name


# The grade tables live in their own module; importing them here is how Django finds them.
from pharmacrm.insights.grades_models import GradeChange, GradeRule  # noqa: E402, F401
