"""Import jobs: recorded by the service and the CLI, counts and hashes as the file says.

Expected counts come from the hand-worked file of ``job_files.py`` (read 5, stored 2,
quarantined 3); the file hash is computed here from the file's bytes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from job_files import receipts_file
from typer.testing import CliRunner

from pharmacrm.cli import app
from pharmacrm.core import services as core_services
from pharmacrm.core.importkit.mapping import ColumnMapping
from pharmacrm.core.roles import Role
from pharmacrm.warehouse import selectors as warehouse_selectors
from pharmacrm.warehouse import services as warehouse_services
from pharmacrm.warehouse.models import ImportJob, JobStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def warehouse_dir(settings, tmp_path: Path) -> Path:
    root = tmp_path / "var" / "warehouse"
    settings.WAREHOUSE_DIR = str(root)
    return root


def test_service_records_counts_hash_and_quarantine(warehouse_dir, tmp_path):
    admin = core_services.user_create(username="admin", role=Role.ADMINISTRATOR)
    path = receipts_file(tmp_path)
    job = warehouse_services.import_job_create(by=admin, kind="receipts", files=[path])

    job = warehouse_services.import_job_run(job=job)

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert (job.rows_read, job.rows_stored, job.rows_quarantined) == (5, 2, 3)
    assert job.progress_done == 5
    assert job.files == [
        {"name": "pos-march.csv", "path": str(path),
         "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
    ]  # fmt: skip
    assert job.reports[0]["mapping"] == "suggested"
    assert job.started_at <= job.finished_at
    quarantine = warehouse_dir.parent / "quarantine"
    assert [Path(p).parent for p in job.quarantine_paths] == [quarantine] * 3
    # no master data here: every code of the two stored rows is kept and listed as unresolved
    assert [Path(p).name.split(".", 1)[1] for p in job.quarantine_paths] == [
        "quarantine.csv", "errors.csv", "unresolved.csv",
    ]  # fmt: skip
    assert job.codes_unresolved == 2 * 3  # outlet, card and SKU of rows 1 and 2
    assert sorted(job.timings) == ["commit", "hash", "read", "total", "validate", "write"]


def test_re_running_the_same_file_adds_nothing_and_says_so(warehouse_dir, tmp_path):
    path = receipts_file(tmp_path)
    first = warehouse_services.import_job_create(by=None, kind="receipts", files=[path])
    warehouse_services.import_job_run(job=first)
    again = warehouse_services.import_job_create(by=None, kind="receipts", files=[path])

    again = warehouse_services.import_job_run(job=again)

    assert again.status == JobStatus.SUCCEEDED
    assert (again.rows_read, again.rows_stored, again.rows_quarantined) == (0, 0, 0)
    assert again.reports[0]["status"] == "already_imported"
    assert again.reports[0]["import_id"] == first.reports[0]["import_id"]


def test_cli_import_records_a_job(warehouse_dir, tmp_path):
    path = receipts_file(tmp_path)

    result = CliRunner().invoke(app, ["import", "receipts", str(path)])

    assert result.exit_code == 0, result.output
    job = ImportJob.objects.get()
    assert f"import job #{job.pk}: succeeded" in result.output
    assert (job.kind, job.rows_read, job.rows_stored, job.rows_quarantined) == ("receipts", 5, 2, 3)
    assert job.created_by is None
    assert "pos-march.csv, row 4, column 'qty': not a number (value 'abc')" in result.output


def test_cli_dry_run_is_recorded_and_stores_nothing(warehouse_dir, tmp_path):
    path = receipts_file(tmp_path)

    result = CliRunner().invoke(app, ["import", "receipts", str(path), "--dry-run"])

    assert result.exit_code == 0, result.output
    job = ImportJob.objects.get()
    assert job.is_dry_run
    assert job.reports[0]["status"] == "dry_run"
    assert not (warehouse_dir / "receipt_lines").exists()


def test_a_failing_import_is_recorded_failed_with_its_error(warehouse_dir, tmp_path):
    path = tmp_path / "wrong.csv"
    path.write_text("colour,size\nred,3\n", encoding="utf-8")
    job = warehouse_services.import_job_create(by=None, kind="receipts", files=[path])

    with pytest.raises(Exception, match="outlet_code"):
        warehouse_services.import_job_run(job=job)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "outlet_code" in job.error
    assert job.finished_at is not None


def test_unknown_kind_is_refused_naming_it(warehouse_dir, tmp_path):
    with pytest.raises(Exception, match="Unknown import kind pills"):
        warehouse_services.import_job_create(by=None, kind="pills", files=[receipts_file(tmp_path)])

    assert ImportJob.objects.count() == 0


def test_template_saves_make_versions_and_jobs_use_the_newest(warehouse_dir, tmp_path):
    first = ColumnMapping(columns={"outlet_code": "outlet_code"})
    second = ColumnMapping(
        columns={name: name for name in ("outlet_code", "check_id", "line_no", "ts", "card_no",
                                         "sku_code", "qty", "unit_price")}
    )  # fmt: skip
    warehouse_services.mapping_template_save(
        by=None, name="pos-a", kind="receipts", mapping=first, source="POS-A"
    )
    warehouse_services.mapping_template_save(
        by=None, name="pos-a", kind="receipts", mapping=second, source="POS-A"
    )

    latest = warehouse_selectors.mapping_template_latest(name="pos-a")
    job = warehouse_services.import_job_create(
        by=None, kind="receipts", files=[receipts_file(tmp_path)], template=latest
    )
    job = warehouse_services.import_job_run(job=job)

    versions = warehouse_selectors.mapping_template_versions(name="pos-a")
    assert [template.version for template in versions] == [2, 1]
    assert latest.mapping["columns"]["unit_price"] == "unit_price"
    assert (job.mapping_name, job.mapping_version) == ("pos-a", 2)
    assert job.reports[0]["mapping"] == "saved"
    assert job.rows_stored == 2


def test_a_template_name_belongs_to_one_kind(warehouse_dir):
    mapping = ColumnMapping(columns={"outlet_code": "outlet"})
    warehouse_services.mapping_template_save(by=None, name="d1", kind="receipts", mapping=mapping)

    with pytest.raises(Exception, match="maps receipts files"):
        warehouse_services.mapping_template_save(by=None, name="d1", kind="flows", mapping=mapping)

    assert warehouse_selectors.mapping_template_names() == ["d1"]
