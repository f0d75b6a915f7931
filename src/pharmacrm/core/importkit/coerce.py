"""Validate and coerce a batch of raw columns into canonical typed fields — vectorised.

Each field is parsed for the whole batch at once with Polars (no Python loop over rows), and
every reason a row is bad is reported — a row with a wrong date *and* text in the quantity gets
two errors, so the sender fixes the file in one round.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import polars as pl
import pyarrow as pa

from pharmacrm.core.importkit.errors import ERROR_SCHEMA, ImportKitError, empty_errors
from pharmacrm.core.importkit.fields import FieldSpec
from pharmacrm.core.importkit.mapping import ColumnMapping
from pharmacrm.core.importkit.readers import ROW

ISO_DATE_FORMATS = ("%Y-%m-%d",)
ISO_TIMESTAMP_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M",
)
_TRUE = ("1", "true", "yes", "y", "t", "да", "是", "x")
_FALSE = ("0", "false", "no", "n", "f", "нет", "否", "")


@dataclass(frozen=True)
class Rule:
    """A business rule over coerced fields: rows where ``invalid`` is true are quarantined.

    ``invalid`` builds a Polars expression over canonical field names; nulls count as valid
    (a missing value is reported by ``required``, not by every rule that reads it).
    """

    field: str
    reason: str
    invalid: Callable[[], pl.Expr]


@dataclass
class CoercedBatch:
    """Result of coercing one batch.

    ``good`` has one typed column per canonical field plus ``_row`` for rows without any error;
    ``bad`` holds the raw source columns (plus ``_row``) of the other rows; ``errors`` lists every
    reason (schema :data:`~.errors.ERROR_SCHEMA`), reader errors included.
    """

    good: pl.DataFrame
    bad: pl.DataFrame
    errors: pa.Table


def check_mapping(fields: Sequence[FieldSpec], mapping: ColumnMapping, columns: list[str]) -> None:
    """Refuse a mapping before reading any row when it cannot work for this file.

    Raises
    ------
    ImportKitError
        Naming every required field that is neither mapped nor constant, and every mapped
        column the file does not have.
    """
    problems = []
    known = {spec.name for spec in fields}
    for spec in fields:
        if (
            spec.required
            and spec.name not in mapping.columns
            and spec.name not in mapping.constants
        ):
            problems.append(f"required field {spec.name!r} is not mapped to a column")
    for name, column in mapping.columns.items():
        if name not in known:
            problems.append(f"{name!r} is not a field of this import")
        elif column not in columns:
            problems.append(f"column {column!r} (for {name!r}) is not in the file")
    if problems:
        raise ImportKitError("; ".join(problems) + f". The file's columns: {', '.join(columns)}")


def coerce_batch(
    raw: pa.Table | pl.DataFrame,
    *,
    fields: Sequence[FieldSpec],
    mapping: ColumnMapping,
    rules: Sequence[Rule] = (),
    reader_errors: pa.Table | None = None,
) -> CoercedBatch:
    """Parse every mapped field of ``raw`` and split its rows into good and bad.

    ``raw`` comes from a reader (strings, or typed Parquet columns) with a ``_row`` column, as
    Arrow or already as Polars (no copy back and forth);
    ``reader_errors`` are the reader's errors for this batch — rows named there that are in
    ``raw`` (foreign-encoded cells) are bad too.
    """
    frame = raw if isinstance(raw, pl.DataFrame) else pl.from_arrow(raw)
    assert isinstance(frame, pl.DataFrame)
    fused = _fused_pass(frame, fields, mapping, rules)
    if fused is None:
        return _coerce_rows(frame, fields, mapping, rules, reader_errors)
    values, suspect = fused
    has_reader_errors = reader_errors is not None and reader_errors.num_rows > 0
    if has_reader_errors:
        assert reader_errors is not None
        named = pl.Series(reader_errors.column("row").to_numpy(), dtype=pl.Int64)
        suspect = suspect | frame.get_column(ROW).is_in(named.implode())
    if not has_reader_errors and not suspect.any():
        return CoercedBatch(good=values, bad=frame.clear(), errors=empty_errors())
    # The few suspect rows (and the reader's errors) take the row-by-row reasons path; a row it
    # finds good after all (a date in a later format) joins the good rows in file order.
    checked = _coerce_rows(frame.filter(suspect), fields, mapping, rules, reader_errors)
    good = values.filter(~suspect)
    if checked.good.height:
        good = pl.concat([good, checked.good], how="vertical").sort(ROW)
    return CoercedBatch(good=good, bad=checked.bad, errors=checked.errors)


def _coerce_rows(
    frame: pl.DataFrame,
    fields: Sequence[FieldSpec],
    mapping: ColumnMapping,
    rules: Sequence[Rule],
    reader_errors: pa.Table | None,
) -> CoercedBatch:
    """Field by field with every reason of every bad row (the exact path for suspect rows)."""
    rows = frame.get_column(ROW)
    parsed: dict[str, pl.Series] = {ROW: rows}
    problems: list[pl.DataFrame] = []

    for spec in fields:
        column = mapping.columns.get(spec.name)
        if column is not None:
            text = _clean_text(frame.get_column(column))
            label = column
        elif spec.name in mapping.constants:
            text = pl.repeat(
                mapping.constants[spec.name], frame.height, eager=True, dtype=pl.String
            )
            label = f"{spec.name} (constant)"
        else:
            parsed[spec.name] = pl.Series(spec.name, [None] * frame.height, dtype=_dtype(spec))
            continue
        value, failures = _parse(text, spec, mapping)
        parsed[spec.name] = value.alias(spec.name)
        shown = text.cast(pl.String) if text.dtype != pl.String else text
        for failed, reason in failures:
            problems.append(_problem(rows, shown, failed, label, reason))
        if spec.required:
            problems.append(_problem(rows, shown, text.is_null(), label, "required value missing"))
        if spec.minimum is not None:
            below = (value < spec.minimum).fill_null(False)
            reason = "must not be negative" if spec.minimum == 0 else f"below {spec.minimum}"
            problems.append(_problem(rows, shown, below, label, reason))

    good_frame = pl.DataFrame(parsed)
    for rule in rules:
        mask = good_frame.select(rule.invalid().fill_null(False)).to_series()
        label = mapping.columns.get(rule.field, rule.field)
        shown = good_frame.get_column(rule.field).cast(pl.String)
        problems.append(_problem(rows, shown, mask, label, rule.reason))

    errors = pl.concat([_errors_frame_empty(), *(p for p in problems if p.height)], how="vertical")
    if reader_errors is not None and reader_errors.num_rows:
        extra = pl.from_arrow(reader_errors)
        assert isinstance(extra, pl.DataFrame)
        errors = pl.concat([errors, extra], how="vertical")
    errors = errors.sort("row", maintain_order=True)
    is_bad = rows.is_in(errors.get_column("row").unique().implode())
    return CoercedBatch(
        good=good_frame.filter(~is_bad),
        bad=frame.filter(is_bad),
        errors=errors.to_arrow().cast(ERROR_SCHEMA),
    )


def _fused_pass(
    frame: pl.DataFrame,
    fields: Sequence[FieldSpec],
    mapping: ColumnMapping,
    rules: Sequence[Rule],
) -> tuple[pl.DataFrame, pl.Series] | None:
    """Every field of the batch parsed and checked in one lazy Polars query.

    Returns the parsed fields — for each row that is not *suspect*, exactly what
    :func:`_coerce_rows` gives — and the mask of suspect rows. Every row with an error is
    suspect, and so is any row this pass does not read the way the exact path would: a date or
    time not in the first format (a later one may read it), a number or time with spaces around
    it (only codes are trimmed here: trimming every column was half the cost of a batch).
    Polars evaluates the columns in one query, without a materialised column per step.
    ``None`` when the batch has a column this pass does not handle (typed Parquet columns,
    ``%z`` formats): the caller then takes the exact path for the whole batch.
    """
    schema = frame.schema
    values: list[pl.Expr] = []
    flags: list[pl.Expr] = []
    for index, spec in enumerate(fields):
        column = mapping.columns.get(spec.name)
        if column is not None:
            if schema[column] != pl.String:
                return None
            raw = pl.col(column)
        elif spec.name in mapping.constants:
            raw = pl.lit(mapping.constants[spec.name], pl.String)
        else:
            values.append(pl.lit(None, _dtype(spec)).alias(spec.name))
            continue
        field = pl.col(spec.name)
        missing_name = f"__missing{index}"
        if spec.type in ("code", "text"):
            if column is None:  # a constant is taken as written, like the exact path does
                value, missing = raw, pl.lit(False)
            else:
                stripped = raw.str.strip_chars()
                missing = (stripped == "").fill_null(True)
                value = stripped if spec.required else pl.when(~missing).then(stripped)
        else:
            parsed = _fused_value(raw, spec, mapping)
            if parsed is None:
                return None
            value = parsed
            # Empty and missing cells give null like the exact path; a cell of spaces is
            # suspect (not a value here) and the exact path decides.
            missing = pl.lit(False) if column is None else (raw == "").fill_null(True)
            # A float keeps an infinite or NaN reading here (no copy to null it): not finite is
            # suspect, and the exact path gives such rows null and their reason.
            unread = (
                ~field.is_finite().fill_null(False) if spec.type == "float" else field.is_null()
            )
            flags.append(~pl.col(missing_name) & unread)
        values.extend((value.alias(spec.name), missing.alias(missing_name)))
        if spec.required:
            flags.append(pl.col(missing_name))
        if spec.minimum is not None:
            flags.append((field < spec.minimum).fill_null(False))
    flags.extend(rule.invalid().fill_null(False) for rule in rules)
    names = [ROW, *(spec.name for spec in fields)]
    suspect = pl.any_horizontal(flags) if flags else pl.lit(False)
    result = (
        frame.lazy()
        .select(pl.col(ROW), *values)
        .select(*names, suspect.alias("__suspect"))
        .collect()
    )
    return result.select(names), result.get_column("__suspect")


def _fused_value(raw: pl.Expr, spec: FieldSpec, mapping: ColumnMapping) -> pl.Expr | None:
    """The parsed value of one non-text field as an expression (``None``: not handled here)."""
    if spec.type in ("int", "float"):
        cleaned = raw
        if mapping.thousands_separator:
            cleaned = cleaned.str.replace_all(mapping.thousands_separator, "", literal=True)
        if mapping.decimal_separator != ".":
            cleaned = cleaned.str.replace(mapping.decimal_separator, ".", literal=True)
        number = cleaned.cast(pl.Float64, strict=False) * mapping.units.get(spec.name, 1.0)
        if spec.type == "float":
            return number
        number = pl.when(number.is_finite()).then(number)
        whole = number.is_not_null() & (number.round(0) == number)
        return pl.when(whole).then(number).cast(pl.Int64)
    if spec.type == "bool":
        falses = [word for word in _FALSE if word]  # an empty cell is missing, not "no"
        return raw.str.to_lowercase().replace_strict(
            [*_TRUE, *falses], [True] * len(_TRUE) + [False] * len(falses),
            default=None, return_dtype=pl.Boolean,
        )  # fmt: skip
    if spec.type == "date":
        return raw.str.to_date((*mapping.date_formats, *ISO_DATE_FORMATS)[0], strict=False)
    first = (*mapping.timestamp_formats, *ISO_TIMESTAMP_FORMATS)[0]
    if "%z" in first or "%Z" in first or "%#z" in first:
        return None
    policy = mapping.ambiguous_times
    return raw.str.to_datetime(first, strict=False, time_unit="us").dt.replace_time_zone(
        mapping.timezone,
        ambiguous="null" if policy == "quarantine" else policy,
        non_existent="null",
    )


def _errors_frame_empty() -> pl.DataFrame:
    frame = pl.from_arrow(empty_errors())
    assert isinstance(frame, pl.DataFrame)
    return frame


def _problem(
    rows: pl.Series, shown: pl.Series, mask: pl.Series, column: str, reason: str | pl.Series
) -> pl.DataFrame:
    """Error rows where ``mask`` holds; ``reason`` is one sentence or one per row."""
    if not mask.any():
        return pl.DataFrame()
    count = int(mask.sum())
    reasons = (
        pl.repeat(reason, count, eager=True, dtype=pl.String)
        if isinstance(reason, str)
        else reason.filter(mask)
    )
    return pl.DataFrame(
        {
            "row": rows.filter(mask),
            "column": pl.repeat(column, count, eager=True, dtype=pl.String),
            "value": shown.filter(mask),
            "reason": reasons.alias("reason"),
        }
    )


def _clean_text(series: pl.Series) -> pl.Series:
    """Trim strings and treat empty cells as missing; typed (Parquet) columns pass through."""
    if series.dtype != pl.String:
        return series
    stripped = series.str.strip_chars()
    return stripped.set(stripped == "", None)  # type: ignore[arg-type]


def _dtype(spec: FieldSpec) -> pl.DataType:
    return {
        "code": pl.String(),
        "text": pl.String(),
        "int": pl.Int64(),
        "float": pl.Float64(),
        "date": pl.Date(),
        "timestamp": pl.Datetime("us"),
        "bool": pl.Boolean(),
    }[spec.type]


Failures = list[tuple[pl.Series, "str | pl.Series"]]
"""(mask of failed rows, reason) pairs of one field; a reason may differ per row."""


def _parse(text: pl.Series, spec: FieldSpec, mapping: ColumnMapping) -> tuple[pl.Series, Failures]:
    """Return ``(value, failures)`` for one field; a field that cannot fail has none."""
    if spec.type in ("code", "text"):
        return (text if text.dtype == pl.String else text.cast(pl.String)), []
    if spec.type in ("int", "float"):
        number = _parse_number(text, mapping) * mapping.units.get(spec.name, 1.0)
        if spec.type == "float":
            return number, [(text.is_not_null() & number.is_null(), "not a number")]
        whole = number.is_not_null() & (number.round(0) == number)
        value = number.set(~whole, None).cast(pl.Int64)  # type: ignore[arg-type]
        return value, [(text.is_not_null() & value.is_null(), "not a whole number")]
    if spec.type == "bool":
        if text.dtype == pl.Boolean:
            return text, []
        lowered = text.cast(pl.String).str.to_lowercase()
        value = lowered.replace_strict(
            [*_TRUE, *_FALSE], [True] * len(_TRUE) + [False] * len(_FALSE),
            default=None, return_dtype=pl.Boolean,
        )  # fmt: skip
        return value, [(text.is_not_null() & value.is_null(), "not yes/no (1/0, true/false)")]
    if spec.type == "date":
        formats = (*mapping.date_formats, *ISO_DATE_FORMATS)
        value = _parse_temporal(text, formats, ISO_TIMESTAMP_FORMATS, date=True)
        reason = f"not a date (expected {' or '.join(formats)})"
        return value, [(text.is_not_null() & value.is_null(), reason)]
    formats = (*mapping.timestamp_formats, *ISO_TIMESTAMP_FORMATS)
    local = _parse_temporal(text, formats, (*mapping.date_formats, *ISO_DATE_FORMATS), date=False)
    unparsed = text.is_not_null() & local.is_null()
    failures: Failures = [(unparsed, f"not a date and time (expected {' or '.join(formats)})")]
    zone = local.dtype.time_zone if isinstance(local.dtype, pl.Datetime) else None
    if zone is not None:
        return local.dt.convert_time_zone(mapping.timezone), failures
    aware, clock_failures = _localise(local, mapping)
    return aware, failures + clock_failures


def _localise(local: pl.Series, mapping: ColumnMapping) -> tuple[pl.Series, Failures]:
    """Read naive wall-clock times of the source in ``mapping.timezone``.

    Where clocks change, some wall-clock times are not a point in time: the hour skipped in
    spring does not exist (``2025-03-30 01:05:07`` in Europe/London), and the hour repeated in
    autumn happens twice. Each gets its own reason naming the zone, so the sender knows the
    file is not broken but its clock is; ``mapping.ambiguous_times="earliest"`` (or
    ``"latest"``) reads a repeated time as that occurrence instead of quarantining it.
    """
    zone = mapping.timezone
    policy = mapping.ambiguous_times
    aware = local.dt.replace_time_zone(
        zone, ambiguous="null" if policy == "quarantine" else policy, non_existent="null"
    )
    lost = local.is_not_null() & aware.is_null()
    if not lost.any():
        return aware, []
    # A second, rarer pass tells the two clock changes apart: a time that exists at least
    # once is ambiguous, one that never exists is in the gap.
    exists = local.dt.replace_time_zone(zone, ambiguous="earliest", non_existent="null")
    shown = local.dt.strftime("%Y-%m-%d %H:%M:%S")
    gap = lost & exists.is_null()
    repeated = lost & exists.is_not_null()
    return aware, [
        (gap, shown + f" does not exist in {zone} (daylight-saving gap)"),
        (repeated, shown + f" happens twice in {zone} (clocks go back): the file must say which"),
    ]


def _parse_number(text: pl.Series, mapping: ColumnMapping) -> pl.Series:
    if text.dtype.is_numeric():
        return text.cast(pl.Float64)
    if text.dtype != pl.String:
        return pl.Series(text.name, [None] * len(text), dtype=pl.Float64)
    cleaned = text
    if mapping.thousands_separator:
        cleaned = cleaned.str.replace_all(mapping.thousands_separator, "", literal=True)
    if mapping.decimal_separator != ".":
        cleaned = cleaned.str.replace(mapping.decimal_separator, ".", literal=True)
    number = cleaned.cast(pl.Float64, strict=False)
    return number.set(~number.is_finite().fill_null(True), None)  # type: ignore[arg-type]


def _parse_temporal(
    text: pl.Series, primary: tuple[str, ...], secondary: tuple[str, ...], *, date: bool
) -> pl.Series:
    """Try formats in order, each only where earlier ones failed; stop once all parse.

    A batch usually has one spelling, so the common case is a single vectorised pass; a
    column mixing ``01-12-2014`` and ``1/13/2014`` (pharma_sales_atc) takes two.
    """
    if text.dtype == pl.Date:
        return text if date else text.cast(pl.Datetime("us"))
    if isinstance(text.dtype, pl.Datetime):
        return text.dt.date() if date else text.cast(pl.Datetime("us", text.dtype.time_zone))
    target = pl.Date if date else pl.Datetime("us")
    strings = text if text.dtype == pl.String else text.cast(pl.String)
    result = pl.Series(text.name, [None] * len(text), dtype=target)
    wanted = strings.is_not_null().sum()
    for index, fmt in enumerate((*primary, *secondary)):
        if index < len(primary):
            parsed = (
                strings.str.to_date(fmt, strict=False)
                if date
                else strings.str.to_datetime(fmt, strict=False, time_unit="us")
            )
        elif date:
            parsed = strings.str.to_datetime(fmt, strict=False, time_unit="us").dt.date()
        else:
            parsed = strings.str.to_date(fmt, strict=False).cast(pl.Datetime("us"))
        result = result.zip_with(result.is_not_null(), parsed)
        if result.is_not_null().sum() == wanted:
            break
    return result
