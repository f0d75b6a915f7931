"""``pharmacrm analytics clv`` and ``pharmacrm analytics clusters`` (DESIGN.md command table).

Interfaces only: read the files, fit the models on a (sampled) materialised summary, stream
every customer's summary out of DuckDB as Arrow record batches through the pure scoring
function, and write the rows with exactly the documented columns.
"""

from __future__ import annotations

import dataclasses
import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import typer
from ibis.backends import BaseBackend

from pharmacrm.cli.commands_analytics import (
    ColumnsOpt,
    OutOpt,
    TzOpt,
    analytics_app,
    duckdb_connect,
    load,
    parse_as_of,
)

SUMMARY_COLUMNS = ("customer_id", "frequency", "recency", "T", "monetary_value")
_ROWS_PER_BATCH = 100_000


def engine_record_batches(
    backend: BaseBackend, expr: ir.Table, *, rows_per_batch: int = _ROWS_PER_BATCH
) -> Iterator[pa.RecordBatch]:
    """Stream ``expr`` out of the engine as Arrow record batches of bounded size.

    Ibis 12's DuckDB ``to_pyarrow_batches`` calls ``fetch_record_batch`` on the connection,
    which DuckDB 2.0 removed — and the failed call leaves the connection with an unfinished
    result, so every later query on it fails too. For DuckDB we therefore compile the
    expression and read the relation through ``to_arrow_reader``; other engines use Ibis.
    """
    if backend.name == "duckdb":
        backend._run_pre_execute_hooks(expr)  # noqa: SLF001 - registers memtables
        relation = backend.con.sql(str(backend.compile(expr)))  # type: ignore[attr-defined]
        yield from relation.to_arrow_reader(rows_per_batch)
    else:
        yield from backend.to_pyarrow_batches(expr, chunk_size=rows_per_batch)


def _fail(message: str) -> typer.Exit:
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code=1)


def _read_summary(con: BaseBackend, path: Path) -> ir.Table:
    suffix = path.suffix.lower()
    if suffix not in (".parquet", ".csv", ".txt", ".tsv"):
        raise _fail(f"{path}: unsupported file type {suffix!r} (use .csv or .parquet)")
    # ibis 12 reads the schema through DuckDB 2.0's deprecated fetch_arrow_table(); the
    # warning is ibis' to fix and means nothing to an analyst running the command.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "fetch_arrow_table", DeprecationWarning)
        table = con.read_parquet(path) if suffix == ".parquet" else con.read_csv(path)
    missing = [name for name in SUMMARY_COLUMNS if name not in table.columns]
    if missing:
        raise _fail(
            f"{path}: the summary needs columns {', '.join(SUMMARY_COLUMNS)}; "
            f"missing {', '.join(missing)} (has: {', '.join(table.columns)})"
        )
    return table.select(*SUMMARY_COLUMNS)


def _params_dict(params: Any) -> dict[str, Any]:
    values = dataclasses.asdict(params)
    fit = values.pop("fit")
    names = [name for name in values if name != "n_excluded"]
    out: dict[str, Any] = dict(values)
    if fit is not None:
        out["converged"] = fit["converged"]
        out["message"] = fit["message"]
        out["log_likelihood"] = fit["log_likelihood"]
        out["n_customers"] = fit["n_customers"]
        out["standard_errors"] = dict(zip(names, fit["standard_errors"], strict=False))
    return out


def _writer(path: Path, schema: pa.Schema) -> pq.ParquetWriter | pa_csv.CSVWriter:
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return pq.ParquetWriter(path, schema)
    if suffix == ".csv":
        return pa_csv.CSVWriter(path, schema)
    raise _fail(f"{path}: unsupported output type {suffix!r} (use .csv or .parquet)")


@analytics_app.command("clv")
def clv_command(
    as_of: Annotated[str, typer.Option("--as-of", help="Observation date YYYY-MM-DD.")],
    out: OutOpt,
    transactions: Annotated[
        list[Path] | None,
        typer.Option("--transactions", help="CSV or Parquet transaction file (repeatable)."),
    ] = None,
    summary: Annotated[
        Path | None,
        typer.Option("--summary", help="BTYD summary file (as btyd-summary writes it)."),
    ] = None,
    columns: ColumnsOpt = None,
    tz: TzOpt = None,
    unit: Annotated[str, typer.Option(help="Time unit: days or weeks.")] = "days",
    model: Annotated[str, typer.Option(help="Purchase model: bgnbd or pareto-nbd.")] = "bgnbd",
    horizon_days: Annotated[float, typer.Option(help="CLV horizon in days.")] = 365.0,
    discount_rate: Annotated[float, typer.Option(help="Annual discount rate.")] = 0.10,
    churn_window_days: Annotated[float, typer.Option(help="Churn window in days.")] = 90.0,
    churn_medium: Annotated[
        float, typer.Option(help="P(no purchase in window) from which the band is medium.")
    ] = 0.5,
    churn_high: Annotated[
        float, typer.Option(help="P(no purchase in window) from which the band is high.")
    ] = 0.8,
    fit_sample: Annotated[
        int, typer.Option(help="Fit on a random sample of at most this many customers.")
    ] = 500_000,
    seed: Annotated[int, typer.Option(help="Seed of the fitting sample.")] = 0,
    params_out: Annotated[
        Path | None, typer.Option("--params-out", help="Write fitted parameters as JSON.")
    ] = None,
) -> None:
    """Fit BG/NBD (or Pareto/NBD) + Gamma-Gamma and score every customer."""
    from pharmacrm.analytics.clv import (
        ScoringConfig,
        fit_bgnbd,
        fit_gamma_gamma,
        fit_pareto_nbd,
        score_batches,
    )

    if (transactions is None) == (summary is None):
        raise typer.BadParameter("give either --transactions or --summary (one of them)")
    if unit not in ("days", "weeks"):
        raise typer.BadParameter("use days or weeks", param_hint="--unit")
    if model not in ("bgnbd", "pareto-nbd"):
        raise typer.BadParameter("use bgnbd or pareto-nbd", param_hint="--model")
    observed_on = parse_as_of(as_of)
    try:
        config = ScoringConfig(
            as_of=observed_on,
            unit=unit,  # type: ignore[arg-type]
            horizon_days=horizon_days,
            annual_discount_rate=discount_rate,
            churn_window_days=churn_window_days,
            churn_medium_from=churn_medium,
            churn_high_from=churn_high,
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc

    if transactions is not None:
        from pharmacrm.analytics.btyd import btyd_summary

        con, tx = load(transactions, columns, tz)
        table = btyd_summary(tx, as_of=observed_on, unit=unit)  # type: ignore[arg-type]
    else:
        assert summary is not None  # noqa: S101 - exactly one of the two, checked above
        con = duckdb_connect()
        table = _read_summary(con, summary)

    n_customers = int(con.to_pyarrow(table.count()).as_py())
    if n_customers == 0:
        raise _fail("no customer has a purchase on or before --as-of: nothing to fit")
    sample = table
    if n_customers > fit_sample:
        sample = table.sample(fit_sample / n_customers, seed=seed)
    fit_data = con.to_pyarrow(sample.select("frequency", "recency", "T", "monetary_value"))
    x = np.asarray(fit_data["frequency"].to_numpy(), dtype=np.float64)
    t_x = np.asarray(fit_data["recency"].to_numpy(), dtype=np.float64)
    age = np.asarray(fit_data["T"].to_numpy(), dtype=np.float64)
    monetary = np.nan_to_num(
        np.asarray(fit_data["monetary_value"].to_numpy(zero_copy_only=False), dtype=np.float64)
    )
    try:
        fit = fit_bgnbd if model == "bgnbd" else fit_pareto_nbd
        purchases = fit(x, t_x, age)
        spend = fit_gamma_gamma(x, monetary)
    except ValueError as exc:
        raise _fail(str(exc)) from exc

    if params_out is not None:
        params_out.parent.mkdir(parents=True, exist_ok=True)
        document = {
            "model": model,
            "unit": unit,
            "as_of": observed_on.isoformat(),
            "customers": n_customers,
            "purchases": _params_dict(purchases),
            "spend": _params_dict(spend),
            "scoring": {
                key: (value.isoformat() if key == "as_of" else value)
                for key, value in dataclasses.asdict(config).items()
            },
        }
        params_out.write_text(json.dumps(document, indent=2) + "\n")
        typer.echo(f"wrote {params_out}")
    for name, params in (("purchase", purchases), ("spend", spend)):
        if params.fit is not None and not params.fit.converged:
            raise _fail(f"the {name} model did not converge: {params.fit.message}")
    if spend.n_excluded:
        typer.echo(
            f"note: {spend.n_excluded} repeat buyer(s) with zero or negative mean spend were "
            "left out of the spend fit; they are scored with spend 0 per past purchase"
        )
    try:
        spend.require_converged()
    except RuntimeError as exc:
        raise _fail(str(exc)) from exc

    batches = engine_record_batches(con, table.order_by("customer_id"))
    scored = score_batches(batches, purchases=purchases, spend=spend, config=config)
    writer = None
    rows = 0
    try:
        for batch in scored:
            if writer is None:
                writer = _writer(out, batch.schema)
            writer.write_batch(batch)
            rows += batch.num_rows
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    finally:
        if writer is not None:
            writer.close()
    typer.echo(f"wrote {out} ({rows} customers)")


@analytics_app.command("clusters")
def clusters_command(
    transactions: Annotated[
        list[Path],
        typer.Option("--transactions", help="CSV or Parquet transaction file (repeatable)."),
    ],
    as_of: Annotated[str, typer.Option("--as-of", help="Observation date YYYY-MM-DD.")],
    out: OutOpt,
    columns: ColumnsOpt = None,
    tz: TzOpt = None,
    k: Annotated[int | None, typer.Option(help="Fixed number of clusters.")] = None,
    k_min: Annotated[int, typer.Option(help="Smallest k tried.")] = 2,
    k_max: Annotated[int, typer.Option(help="Largest k tried.")] = 8,
    fit_sample: Annotated[
        int, typer.Option(help="Fit centroids on a random sample of at most this many.")
    ] = 20_000,
    seed: Annotated[int, typer.Option(help="Seed of the sample and of KMeans.")] = 0,
    language: Annotated[str, typer.Option(help="Label language: en, zh-hans or ru.")] = "en",
    profiles_out: Annotated[
        Path | None, typer.Option("--profiles-out", help="Write cluster profiles as JSON.")
    ] = None,
) -> None:
    """Cluster customers on the DESIGN.md features; label every cluster in words."""
    from pharmacrm.analytics.clusters import (
        LANGUAGES,
        ClusterFeatureConfig,
        assign_clusters,
        cluster_features,
        cluster_profiles,
        cluster_stability,
        cluster_summary,
        fit_clusters,
    )

    if language not in LANGUAGES:
        raise typer.BadParameter(f"use one of {', '.join(LANGUAGES)}", param_hint="--language")
    observed_on = parse_as_of(as_of)
    con, tx = load(transactions, columns, tz)
    config = ClusterFeatureConfig()
    names = config.feature_names()
    features = cluster_features(tx, as_of=observed_on, config=config)
    n_customers = int(con.to_pyarrow(features.count()).as_py())
    if n_customers == 0:
        raise _fail("no customer has a purchase on or before --as-of: nothing to cluster")
    sample = features
    if n_customers > fit_sample:
        sample = features.sample(fit_sample / n_customers, seed=seed)
    data = con.to_pyarrow(sample.select(*names))
    matrix = np.column_stack([data[name].to_numpy() for name in names])
    try:
        model = fit_clusters(matrix, names, k=k, k_range=(k_min, k_max), seed=seed)
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    assigned = assign_clusters(features, model)
    profiles = cluster_profiles(con.to_pyarrow(cluster_summary(assigned, model)).to_pylist(), model)
    labels = {profile.cluster: profile.labels[language] for profile in profiles}
    label_table = ibis.memtable(pa.table({"cluster": list(labels), "label": list(labels.values())}))
    result = assigned.join(label_table, "cluster").select("customer_id", "cluster", "label")
    from pharmacrm.cli.analytics_io import write_table

    write_table(result.order_by("customer_id"), out)
    typer.echo(f"wrote {out} ({n_customers} customers, k = {model.k})")
    if profiles_out is not None:
        stability = cluster_stability(matrix, model, bootstraps=10, seed=seed)
        document = {
            "as_of": observed_on.isoformat(),
            "k": model.k,
            "features": list(names),
            "silhouette_by_k": {str(key): value for key, value in model.silhouette_by_k.items()},
            "inertia_by_k": {str(key): value for key, value in model.inertia_by_k.items()},
            "stability_mean_ari": stability.mean_ari,
            "clusters": [dataclasses.asdict(profile) for profile in profiles],
        }
        profiles_out.parent.mkdir(parents=True, exist_ok=True)
        profiles_out.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        typer.echo(f"wrote {profiles_out}")


def register(app: typer.Typer) -> None:
    """Add ``clv`` (and ``clusters``) to the ``analytics`` group; importing did the work."""
    del app
