"""Reads of the customer-value pages: a run's CLV and cluster reports, top customers, what-if.

The reports are the JSON files the run wrote beside its outputs
(:mod:`pharmacrm.insights.clv_report_step`, :mod:`pharmacrm.insights.cluster_report_step`);
nothing is refitted per request. A run without a report for a kind (too few customers, a fit
that did not converge, a run older than the reports) gives ``None`` and the page says why from
the run's notes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.utils.translation import get_language

from pharmacrm.analytics.clusters import ClusterEconomics, WhatIf, what_if
from pharmacrm.insights import cluster_report_step, clv_report_step
from pharmacrm.insights.models import AnalyticsRun, CustomerSnapshot


def _read(path: Path) -> dict[str, Any] | None:
    if not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def clv_report(*, run: AnalyticsRun | None, kind: str) -> dict[str, Any] | None:
    """The CLV report of ``kind`` in ``run`` (parameters, distributions, top, holdout)."""
    if run is None or not run.output_dir:
        return None
    return _read(clv_report_step.report_path(Path(run.output_dir), kind))


def cluster_report(*, run: AnalyticsRun | None, kind: str) -> dict[str, Any] | None:
    """The cluster report of ``kind`` in ``run``, labels and descriptions in the UI language.

    Each profile gains ``label`` and ``description`` in the active language (English when the
    analytics package has no text in it) and ``features``: the z-scores sorted by size, the
    most distinguishing first.
    """
    if run is None or not run.output_dir:
        return None
    report = _read(cluster_report_step.report_path(Path(run.output_dir), kind))
    if report is None:
        return None
    language = (get_language() or "en").lower()
    for profile in report["profiles"]:
        profile["label"] = profile["labels"].get(language) or profile["labels"]["en"]
        profile["description"] = (
            profile["descriptions"].get(language) or profile["descriptions"]["en"]
        )
        profile["features"] = sorted(
            ({"name": name, "z": z} for name, z in profile["z_scores"].items()),
            key=lambda item: (-abs(item["z"]), item["name"]),
        )
    return report


def top_customers(*, kind: str, limit: int = 20) -> list[CustomerSnapshot]:
    """The kind's customers with the highest CLV in the current snapshot (ties by id)."""
    return list(
        CustomerSnapshot.objects.filter(customer_kind=kind, clv__isnull=False).order_by(
            "-clv", "customer_key"
        )[:limit]
    )


def cluster_what_if(
    *, report: dict[str, Any], cluster: int, frequency_uplift: float, reactivated_share: float
) -> WhatIf | None:
    """Project one cluster's revenue under the scenario (``None``: the cluster is not costed).

    Raises
    ------
    ValueError
        From :func:`pharmacrm.analytics.clusters.what_if` when the uplift is below −100 % or
        the reactivated share is outside 0 … 1.
    """
    profile = next((p for p in report["profiles"] if p["cluster"] == cluster), None)
    if profile is None or not profile.get("economics"):
        return None
    economics = ClusterEconomics(**profile["economics"])
    return what_if(
        economics, frequency_uplift=frequency_uplift, reactivated_share=reactivated_share
    )
