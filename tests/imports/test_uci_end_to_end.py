"""The real UCI Online Retail file, end to end: import, analyze, and figures worked from the file.

The customer master is loaded first, as a shop would load its members: one consumer per
distinct ``CustomerID`` of the file (card number = the id without its ``.0``), through the
``consumers`` import. Then the order lines go through the ``online-orders`` import with the
``uci-online-retail`` adapter, by the import job service every interface uses (so codes
resolve to consumer ids), and ``analyze`` runs as of the last day of the facts.

The expected figures are computed here straight from the CSV with the standard library, by
these cleaning rules (README of the data set and DESIGN.md, "Purchases, returns and zero
lines"):

1. a line with a negative ``UnitPrice`` ("Adjust bad debt", 2 lines) is dropped;
2. a line with a negative ``Quantity`` on an invoice not starting with ``C`` (stock
   adjustments, 1,336 lines) is dropped;
3. an invoice starting with ``C`` is a cancellation: its lines are returns, worth
   −|Quantity × UnitPrice|, they lower net revenue and never make a purchase;
4. every other invoice is a purchase (zero-priced gift lines included), its lines worth
   Quantity × UnitPrice; lines without a ``CustomerID`` count in invoices and revenue, never
   as a customer;
5. the month is the calendar month of ``InvoiceDate`` (London wall time, as the file gives it).

Then, per month: invoices = distinct purchase invoices, revenue = sum of line values,
active customers = distinct customers with a purchase invoice, new customers = customers whose
first purchase falls in the month; customers = distinct customers with any purchase.
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from pharmacrm.insights import selectors as insights_selectors
from pharmacrm.insights import services as insights_services
from pharmacrm.insights.models import CustomerSnapshot
from pharmacrm.warehouse import services as warehouse_services

UCI = Path("/work/shared/data/online_retail_uci/online_retail.csv")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not UCI.exists(), reason="shared/data is not beside the repo"),
]

REVENUE_TOLERANCE = 0.01
"""GBP per month: the file's prices have at most 3 decimals; sums may differ in the last cent
by float summation order only."""


@dataclass
class FileFigures:
    """What the cleaning rules above give, month by month (keys ``YYYY-MM``)."""

    customers: set[str] = field(default_factory=set)
    invoices: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    revenue: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    active: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    first_month: dict[str, str] = field(default_factory=dict)
    dropped: int = 0
    last_day: date | None = None

    def new_customers(self, month: str) -> int:
        return sum(1 for first in self.first_month.values() if first == month)


def _figures_from_the_file(path: Path) -> FileFigures:
    found = FileFigures()
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            quantity = int(row["Quantity"])
            price = float(row["UnitPrice"])
            invoice = row["InvoiceNo"]
            is_cancellation = invoice.startswith("C")
            if price < 0 or (quantity < 0 and not is_cancellation):
                found.dropped += 1
                continue
            month = row["InvoiceDate"][:7]
            day = date.fromisoformat(row["InvoiceDate"][:10])
            found.last_day = day if found.last_day is None else max(found.last_day, day)
            value = quantity * price
            found.revenue[month] += -abs(value) if is_cancellation else value
            if is_cancellation:
                continue
            customer = row["CustomerID"].removesuffix(".0")
            found.invoices[month].add(invoice)
            if customer:
                found.customers.add(customer)
                found.active[month].add(customer)
                found.first_month[customer] = min(found.first_month.get(customer, month), month)
    return found


def _run_import(kind: str, path: Path, mapping: str = "") -> Any:
    job = warehouse_services.import_job_create(by=None, kind=kind, files=[path], mapping=mapping)
    return warehouse_services.import_job_run(job=job)


def test_uci_online_retail_imports_and_analyses_to_the_files_own_figures(
    db: Any, settings: Any, tmp_path: Path
) -> None:
    settings.WAREHOUSE_DIR = str(tmp_path / "warehouse")
    settings.ANALYTICS_ENGINE = "duckdb"
    expected = _figures_from_the_file(UCI)
    members = tmp_path / "uci_members.csv"
    with members.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["card_no"])
        writer.writerows([card] for card in sorted(expected.customers))

    member_job = _run_import("consumers", members)
    order_job = _run_import("online-orders", UCI, mapping="uci-online-retail")
    run = insights_services.run_analytics(by=None, engine="duckdb")

    # The cleaning rules drop what the README counts: 1,336 adjustments + 2 bad-debt lines.
    assert expected.dropped == 1_338
    assert (member_job.status, order_job.status) == ("succeeded", "succeeded")
    assert run.status == "succeeded"
    assert run.as_of == expected.last_day == date(2011, 12, 9)
    customers = CustomerSnapshot.objects.filter(customer_kind="consumer").count()
    assert customers == len(expected.customers)
    kpis = insights_selectors.aggregate_rows(run=run, name="kpis", kind="consumer")
    months = sorted(expected.revenue)
    assert [row["period"].strftime("%Y-%m") for row in kpis] == months
    for row in kpis:
        month = row["period"].strftime("%Y-%m")
        assert row["checks"] == len(expected.invoices[month]), month
        assert math.isclose(
            row["net_revenue"], expected.revenue[month], abs_tol=REVENUE_TOLERANCE
        ), month
        assert row["active_customers"] == len(expected.active[month]), month
        assert row["new_customers"] == expected.new_customers(month), month
