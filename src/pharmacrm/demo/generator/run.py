"""Orchestration of ``pharmacrm generate``: master → receipts (both cores) → B2B → truth.

Receipt chunks run in worker processes with per-chunk seeds and are written strictly in chunk
order, at most ``2 × workers`` chunks in flight, so memory stays bounded at any scale and the
files do not depend on the number of workers.
"""

from __future__ import annotations

import json
import multiprocessing
import shutil
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pharmacrm.demo.generator import receipts
from pharmacrm.demo.generator.b2b import B2B, build_b2b
from pharmacrm.demo.generator.config import AS_OF, SEGMENTS, WINDOW_START, GenerateOptions
from pharmacrm.demo.generator.context import FactContext, build_context
from pharmacrm.demo.generator.localtime import unique_wall_time
from pharmacrm.demo.generator.master import Master, build_master
from pharmacrm.demo.generator.writers import (
    CsvAppender,
    PartitionWriter,
    write_master,
    write_rows_csv,
    write_rows_xlsx,
)
from pharmacrm.demo.markets import Market, get_market
from pharmacrm.warehouse.facts import FLOW_LINES, INVOICE_LINES, ONLINE_ORDERS, RECEIPT_LINES

Progress = Callable[[str, int, int], None]
"""(stage description, units done so far, total units) → None."""

BYTES_PER_RECEIPT_LINE = 40
"""Disk per receipt line in zstd Parquet (measured ≈ 25 B; margin for truth and other facts)."""
LINES_PER_MEMBER = 13


def _noop(stage: str, done: int, total: int) -> None:
    return None


def default_out(options: GenerateOptions) -> Path:
    """``var/generated/<market>-<scale>-<seed>`` (the CLI default)."""
    return Path("var") / "generated" / f"{options.market}-{options.scale.name}-{options.seed}"


def generate(
    options: GenerateOptions, out: Path, *, workers: int = 2, progress: Progress = _noop
) -> dict[str, int]:
    """Write the whole synthetic business under ``out`` and return row counts per output.

    Raises
    ------
    OSError
        When the free disk space under ``out`` is short of the estimate for the scale.
    """
    market = get_market(options.market)
    _check_disk(options, out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    master = build_master(market, options.scale, options.seed)
    progress("master data", 0, 1)
    for name in ("territories", "reps", "accounts", "contacts", "products"):
        write_master(out / "master", name, getattr(master, name), excel=options.scale.write_excel)
    ctx = build_context(options, market, master)
    counts = {"accounts": len(master.accounts), "contacts": len(master.contacts)}
    counts.update(_receipts(ctx, out, workers, progress))
    b2b = build_b2b(market, master, options.seed, _intensity(options), options.scale.members)
    progress("invoices, flows, online orders", 0, 1)
    counts.update(_b2b(ctx, market, master, b2b, out, options))
    _population(ctx, out, counts)
    progress("done", 1, 1)
    return counts


def _intensity(options: GenerateOptions) -> float:
    return {"small": 1.0, "medium": 3.0, "large": 6.0}[options.scale.name]


def _check_disk(options: GenerateOptions, out: Path) -> None:
    need = options.scale.members * LINES_PER_MEMBER * BYTES_PER_RECEIPT_LINE
    probe = out
    while not probe.exists():
        probe = probe.parent
    free = shutil.disk_usage(probe).free
    if free < need:
        raise OSError(
            f"not enough free disk under {probe}: {free / 2**30:.1f} GiB free, "
            f"about {need / 2**30:.1f} GiB needed for scale {options.scale.name!r}"
        )


# --- receipts -------------------------------------------------------------------------------

_WORKER_CTX: FactContext | None = None


def _init_worker(ctx: FactContext) -> None:
    global _WORKER_CTX  # noqa: PLW0603 - one read-only context per worker process
    _WORKER_CTX = ctx


def _run_chunk(task: tuple[str, int, int, int]) -> receipts.ChunkResult:
    kind, chunk, first, n = task
    assert _WORKER_CTX is not None
    if kind == "members":
        return receipts.member_chunk(_WORKER_CTX, chunk, first, n)
    return receipts.anonymous_chunk(_WORKER_CTX, chunk, n)


def _tasks(ctx: FactContext) -> list[tuple[str, int, int, int]]:
    scale = ctx.options.scale
    size = scale.members_per_chunk
    tasks = [("members", i, first, min(size, scale.members - first))
             for i, first in enumerate(range(0, scale.members, size))]  # fmt: skip
    anon_size = size * 4
    tasks += [("anonymous", i, first, min(anon_size, scale.anonymous_checks - first))
              for i, first in enumerate(range(0, scale.anonymous_checks, anon_size))]  # fmt: skip
    return tasks


def _results(ctx: FactContext, workers: int) -> Iterator[receipts.ChunkResult]:
    tasks = _tasks(ctx)
    # Starting a worker costs seconds of imports: small runs are faster in one process.
    if workers <= 1 or ctx.options.scale.members < 10_000:
        _init_worker(ctx)
        yield from (_run_chunk(task) for task in tasks)
        return
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        workers, mp_context=spawn, initializer=_init_worker, initargs=(ctx,)
    ) as pool:
        pending: deque[Future[receipts.ChunkResult]] = deque()
        queue = iter(tasks)
        for task in queue:
            pending.append(pool.submit(_run_chunk, task))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _receipts(ctx: FactContext, out: Path, workers: int, progress: Progress) -> dict[str, int]:
    import_id = f"generated-{ctx.options.seed}"
    facts = PartitionWriter(out / "warehouse", "receipt_lines", RECEIPT_LINES, import_id)
    sources = CsvAppender()
    consumers = CsvAppender()
    truth_writer: pq.ParquetWriter | None = None
    excel_members: list[pa.Table] = []
    total = len(_tasks(ctx))
    members = 0
    for done, result in enumerate(_results(ctx, workers), start=1):
        progress("receipts", done - 1, total)
        _write_receipts(ctx, result.lines, facts, sources, out)
        if result.members is not None:
            members += result.members.num_rows
            master_cols = result.members.select(_CONSUMER_COLUMNS)
            consumers.write(out / "master" / "consumers.csv", master_cols)
            if ctx.options.scale.write_excel:
                excel_members.append(master_cols)
            truth = result.members.select(["card_no", *_TRUTH_COLUMNS])
            if truth_writer is None:
                path = out / "truth" / "members.parquet"
                path.parent.mkdir(parents=True, exist_ok=True)
                truth_writer = pq.ParquetWriter(path, truth.schema, compression="zstd")
            truth_writer.write_table(truth)
        progress("receipts", done, total)
    facts.close()
    sources.close()
    consumers.close()
    if truth_writer is not None:
        truth_writer.close()
    if excel_members:
        table = pa.concat_tables(excel_members)
        write_rows_xlsx(out / "master" / "consumers.xlsx", "consumers", table.column_names,
                        zip(*(c.to_pylist() for c in table.columns), strict=True))  # fmt: skip
    return {"receipt_lines": facts.rows, "members": members}


_CONSUMER_COLUMNS = [
    *("card_no", "gender", "birth_year", "region_code", "home_outlet_code", "registered_on"),
    *("consent_email", "consent_sms", "consent_messenger", "consent_phone"),
]
_TRUTH_COLUMNS = [
    *("segment", "registered_on", "lambda_per_day", "p_dropout", "dropout_after_repeats"),
    *("is_alive_at_as_of", "spend_p", "spend_nu", "expected_spend", "purchases_in_window"),
]


def _write_receipts(
    ctx: FactContext, table: pa.Table, facts: PartitionWriter, sources: CsvAppender, out: Path
) -> None:
    part = table.column("_part").to_numpy()
    if part.size == 0:
        return
    bounds = np.flatnonzero(np.r_[True, part[1:] != part[:-1], True])
    body = table.drop_columns(["_part"])
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        chain, month = divmod(int(part[lo]), len(ctx.months))
        source, period = ctx.chain_sources[chain], ctx.months[month]
        rows = body.slice(lo, hi - lo)
        source_row = None
        if ctx.options.scale.write_sources:
            path = out / "sources" / "receipts" / source / f"{source}-{period}.csv"
            first = sources.write(path, _pos_export(ctx, rows))
            source_row = pa.array(np.arange(first, first + rows.num_rows))
        facts.write(source, period, rows, source_row)


def _pos_export(ctx: FactContext, rows: pa.Table) -> pa.Table:
    """A chain POS export: local wall-clock time, no resolved ids, flags as 0/1."""
    day_index = rows.column("day").cast(pa.int32()).to_numpy() - ctx.epoch_day0
    offset_us = (ctx.utc_offset_s[day_index] * 1_000_000).astype(np.int64)
    local = pa.array(rows.column("ts").cast(pa.int64()).to_numpy() + offset_us).cast(
        pa.timestamp("us")
    )
    return _table(
        {
            "check_id": rows.column("check_id"),
            "line_no": rows.column("line_no"),
            "datetime": pc.strftime(local, format="%Y-%m-%d %H:%M:%S"),
            "outlet_code": rows.column("outlet_code"),
            "card_no": rows.column("card_no"),
            "sku_code": rows.column("sku_code"),
            "qty": rows.column("qty"),
            "unit_price": rows.column("unit_price"),
            "discount": rows.column("discount"),
            "amount": rows.column("amount"),
            "cost": rows.column("cost"),
            "promo": rows.column("is_promo").cast(pa.int8()),
            "return": rows.column("is_return").cast(pa.int8()),
            "currency": rows.column("currency"),
        }
    )


# --- invoices, flows, online orders, truth ------------------------------------------------


def _b2b(
    ctx: FactContext, market: Market, master: Master, b2b: B2B, out: Path, options: GenerateOptions
) -> dict[str, int]:
    import_id = f"generated-{options.seed}"
    sources = options.scale.write_sources
    names = {str(a["code"]): str(a["name"]) for a in master.accounts}
    invoices = PartitionWriter(out / "warehouse", "invoice_lines", INVOICE_LINES, import_id)
    for (seller, month), rows in _grouped(
        b2b.invoices, "seller_code", lambda r: f"{r['day']:%Y-%m}"
    ):
        if sources:
            write_rows_csv(
                out / "sources" / "invoices" / seller / f"{seller}-{month}.csv",
                _INVOICE_SOURCE,
                ([r["invoice_id"], r["line_no"], f"{r['day']:%Y-%m-%d}", r["buyer_code"],
                  names[str(r["buyer_code"])], r["sku_code"], r["qty"], r["unit_price"],
                  r["amount"], r["cost"], int(bool(r["is_return"])), ctx.currency] for r in rows),
            )  # fmt: skip
        table = _fact_table(INVOICE_LINES, rows, currency=ctx.currency)
        invoices.write(seller.lower(), month, table, pa.array(range(1, len(rows) + 1)))
    invoices.close()

    flows = PartitionWriter(out / "warehouse", "flow_lines", FLOW_LINES, import_id)
    for (distributor, period), rows in _grouped(
        b2b.flows, "distributor_code", lambda r: r["period"]
    ):
        layout = rows[0]["_layout"]
        if sources:
            _write_flow_report(out, distributor, period, rows, layout)  # type: ignore[arg-type]
        table = _fact_table(FLOW_LINES, rows, currency=ctx.currency)
        flows.write(distributor.lower(), str(period), table, pa.array(range(1, len(rows) + 1)))
    flows.close()
    truth = out / "truth"
    pq.write_table(
        pa.Table.from_pylist(b2b.flow_truth), truth / "flow_lines.parquet", compression="zstd"
    )

    online = PartitionWriter(out / "warehouse", "online_orders", ONLINE_ORDERS, import_id)
    zone = ZoneInfo(market.timezone)
    for row in b2b.online:
        drawn = datetime.combine(row["day"], time()) + timedelta(seconds=int(row["second"]))  # type: ignore[arg-type]
        # The order report carries naive local times: never one in a DST gap or fold.
        local = unique_wall_time(drawn, zone)
        row["ts"] = local.replace(tzinfo=zone).astimezone(UTC)
        row["local"] = local
        row["day"] = local.date()
    for (store, month), rows in _grouped(b2b.online, "_store_code", lambda r: f"{r['day']:%Y-%m}"):
        table = _fact_table(ONLINE_ORDERS, rows, currency=ctx.currency)
        online.write(store.lower(), month, table, pa.array(range(1, len(rows) + 1)))
        if sources:
            write_rows_csv(
                out / "sources" / "online" / store / f"{store}-{month}.csv",
                _ONLINE_SOURCE,
                ([r["channel"], r["store"], r["order_id"], r["line_no"],
                  f"{r['local']:%Y-%m-%d %H:%M:%S}", r["customer_code"], r["sku_code"], r["qty"],
                  r["price"], r["amount"], r["status"], ctx.currency] for r in rows),
            )  # fmt: skip
    online.close()
    if b2b.price_violations:
        violations = b2b.price_violations
        write_rows_csv(truth / "price_violations.csv", list(violations[0]),
                       ([v[c] for c in violations[0]] for v in violations))  # fmt: skip
    return {
        "invoice_lines": invoices.rows,
        "flow_lines": flows.rows,
        "online_orders": online.rows,
        "price_violations": len(b2b.price_violations),
    }


_INVOICE_SOURCE = [
    *("invoice_id", "line_no", "date", "buyer_code", "buyer_name", "sku_code", "qty"),
    *("unit_price", "amount", "cost", "is_return", "currency"),
]
_ONLINE_SOURCE = [
    *("channel", "store", "order_id", "line_no", "order_time", "customer_code", "sku_code"),
    *("qty", "price", "amount", "status", "currency"),
]


def _grouped(
    rows: list[dict[str, object]], key: str, month: Callable[[dict[str, object]], object]
) -> list[tuple[tuple[str, str], list[dict[str, object]]]]:
    """Rows grouped by (source, month), groups sorted, row order kept within a group."""
    groups: dict[tuple[str, str], list[dict[str, object]]] = {}
    for row in rows:
        groups.setdefault((str(row[key]), str(month(row))), []).append(row)
    return sorted(groups.items(), key=lambda item: item[0])


def _fact_table(schema: pa.Schema, rows: list[dict[str, object]], *, currency: str) -> pa.Table:
    names = [n for n in schema.names if n not in ("import_id", "source_row")]
    columns: dict[str, list[Any]] = {}
    for name in names:
        if name == "currency":
            columns[name] = [currency] * len(rows)
        else:
            columns[name] = [r.get(name) for r in rows]
    fields = [schema.field(n) for n in names]
    return pa.Table.from_pydict(columns, schema=pa.schema(fields))


def _write_flow_report(
    out: Path, distributor: str, period: str, rows: list[dict[str, object]], layout: object
) -> None:
    from pharmacrm.demo.markets import FlowLayout

    assert isinstance(layout, FlowLayout)
    fields = list(layout.columns)
    header = [layout.columns[f] for f in fields]
    folder = out / "sources" / "flows" / distributor
    name = f"{distributor}-{period}"

    def cell(row: dict[str, object], field: str, excel: bool) -> object:
        value = row[field]
        if field == "day":
            return value if excel else f"{value:{layout.date_format}}"
        if field in ("qty", "amount") and not excel:
            text = f"{value:.2f}" if field == "amount" else f"{value:g}"
            return text.replace(".", ",") if layout.decimal_comma else text
        return value

    if layout.file_format == "xlsx":
        write_rows_xlsx(folder / f"{name}.xlsx", period, header,
                        ([cell(r, f, True) for f in fields] for r in rows))  # fmt: skip
    else:
        write_rows_csv(folder / f"{name}.csv", header,
                       ([cell(r, f, False) for f in fields] for r in rows),
                       encoding=layout.encoding, delimiter=layout.delimiter)  # fmt: skip


def _population(ctx: FactContext, out: Path, counts: dict[str, int]) -> None:
    """``truth/population.json`` and ``truth/promotions.csv``: the parameters behind it all."""
    segments = []
    for segment in SEGMENTS:
        values = asdict(segment)
        values["gamma_spend_local"] = segment.gamma_spend * ctx.eur_rate  # rate scales with money
        segments.append(values)
    population = {
        "options": ctx.options.as_json(),
        "window_start": WINDOW_START.isoformat(),
        "as_of": AS_OF.isoformat(),
        "currency": ctx.currency,
        "eur_rate": ctx.eur_rate,
        "time_unit": "day",
        "segments": segments,
        "counts": counts,
    }
    (out / "truth" / "population.json").write_text(
        json.dumps(population, ensure_ascii=False, indent=2, sort_keys=True) + "\n", "utf-8"
    )
    write_rows_csv(
        out / "truth" / "promotions.csv",
        ["week_start", "week_end", "category", "sku_code", "discount"],
        ([_week_start(p.week).isoformat(), (_week_start(p.week) + timedelta(days=6)).isoformat(),
          p.category, ctx.sku_codes[i], p.discount]
         for p in ctx.promotions for i in p.product_index),
    )  # fmt: skip


def _week_start(week: int) -> date:
    return WINDOW_START - timedelta(days=WINDOW_START.weekday()) + timedelta(weeks=week)


def _table(columns: dict[str, pa.Array]) -> pa.Table:
    """``pa.table`` without its pandas probe (importing pandas costs seconds per worker)."""
    return pa.Table.from_arrays(list(columns.values()), names=list(columns))
