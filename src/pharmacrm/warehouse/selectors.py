"""Reads of the warehouse app: import jobs, mapping templates, quarantine files, dimensions.

The dimension readers go through the owning apps' models directly because no selector of
theirs lists every row without a user's territory scope (an export for the analytics engine
is not a person looking at accounts); catalogue and territories selectors are used where they
fit. They yield plain dicts, one per row, in id order.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from pharmacrm.warehouse.models import ImportJob, MappingTemplate

ITERATOR_CHUNK = 10_000


def import_job_list() -> QuerySet[ImportJob]:
    """Every import job, newest first, with the importing user joined (list pages, API)."""
    return ImportJob.objects.select_related("created_by", "mapping_template").order_by(
        "-created_at", "-pk"
    )


def import_job_get(*, job_id: int) -> ImportJob:
    """One job, or ``Http404``."""
    return get_object_or_404(import_job_list(), pk=job_id)


def mapping_template_latest(*, name: str) -> MappingTemplate | None:
    """The newest version of template ``name``, or ``None``."""
    return MappingTemplate.objects.filter(name=name).order_by("-version").first()


def mapping_template_names(*, kind: str | None = None) -> list[str]:
    """Names of the saved templates (of ``kind`` when given), sorted."""
    rows = MappingTemplate.objects.all()
    if kind:
        rows = rows.filter(kind=kind)
    return sorted(set(rows.values_list("name", flat=True)))


def mapping_template_versions(*, name: str) -> QuerySet[MappingTemplate]:
    """Every version of template ``name``, newest first."""
    return MappingTemplate.objects.filter(name=name).order_by("-version")


def quarantine_file(*, job: ImportJob, index: int) -> Path:
    """The ``index``-th quarantine file of ``job`` (rows, errors or unresolved codes).

    Only paths the job itself recorded are served; one that is gone gives ``Http404``.
    """
    if not 0 <= index < len(job.quarantine_paths):
        raise Http404
    path = Path(job.quarantine_paths[index])
    if not path.is_file():
        raise Http404
    return path


# ------------------------------------------------------------------------- dimensions


def _rows(queryset: QuerySet[Any], names: dict[str, str]) -> Iterator[dict[str, Any]]:
    """Rows of ``queryset`` as dicts, renaming ORM fields to dimension columns."""
    fields = list(names.values())
    for values in queryset.order_by("pk").values_list(*fields).iterator(ITERATOR_CHUNK):
        yield dict(zip(names, values, strict=True))


def dimension_accounts() -> Iterator[dict[str, Any]]:
    """Every account; ``region`` = province (the level analytics slices by)."""
    from pharmacrm.accounts.models import Account

    for row in _rows(
        Account.objects.all(),
        {"account_id": "id", "code": "code", "name": "name", "kind": "kind", "tier": "tier",
         "parent_id": "parent_id", "province": "province", "city": "city",
         "district": "district", "status": "status", "grade": "grade",
         "territory_id": "territory_id", "merged_into_id": "merged_into_id"},
    ):  # fmt: skip
        row["region"] = row["province"] or None
        yield row


def dimension_contact_accounts() -> Iterator[dict[str, Any]]:
    """Which account each contact works at, with role and key-contact flag (no personal data)."""
    from pharmacrm.accounts.models import Contact

    return _rows(
        Contact.objects.all(),
        {"contact_id": "id", "account_id": "account_id", "title": "title",
         "department": "department", "specialty": "specialty",
         "is_key_contact": "is_key_contact"},
    )  # fmt: skip


def dimension_consumers() -> Iterator[dict[str, Any]]:
    """Every loyalty member, pseudonymised: card number, gender, birth year, region, outlet."""
    from pharmacrm.accounts.models import Consumer

    return _rows(
        Consumer.objects.all(),
        {"consumer_id": "id", "card_no": "card_no", "gender": "gender",
         "birth_year": "birth_year", "province": "province", "city": "city",
         "home_outlet_id": "home_outlet_id", "registered_on": "registered_on",
         "grade": "grade"},
    )  # fmt: skip


def dimension_products() -> Iterator[dict[str, Any]]:
    """Every product of the catalogue (through its own selector)."""
    from pharmacrm.catalog import selectors as catalog_selectors

    return _rows(
        catalog_selectors.product_list(),
        {"product_id": "id", "sku_code": "sku_code", "inn": "inn", "brand": "brand",
         "atc_code": "atc_code", "category": "category", "rx_otc": "rx_otc",
         "manufacturer_id": "manufacturer_id", "is_active": "is_active"},
    )  # fmt: skip


def dimension_territories() -> Iterator[dict[str, Any]]:
    """The territory tree as rows with parent ids (through the territories selector)."""
    from pharmacrm.territories import selectors as territory_selectors

    return _rows(
        territory_selectors.territory_list(),
        {"territory_id": "id", "code": "code", "name": "name", "level": "level",
         "parent_id": "parent_id"},
    )  # fmt: skip
