"""Real series for the forecast evaluation: one dated CSV, or a folder of NAB-format CSVs, as daily series.

Dates are parsed with an explicit strftime format when one is given, else inferred. Values may carry
thousands separators ("2,146", as spreadsheet exports write them; "2.146,50" with `decimal_comma`).
Either way the loader counts the rows whose date or value did not parse and refuses the file when
either is more than MAX_UNPARSABLE of it: a silently dropped or forward-filled share of the days is a
scrambled series, not a small loss. The column separator (comma, semicolon or tab) is read from the
header line.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl

MAX_UNPARSABLE = 0.01  # share of rows whose date, or value, may fail to parse before the file is refused
NAB_MIN_DAYS = 50  # a NAB series needs this many days once aggregated to be evaluated (28 + horizon + 15)
SEPARATORS = (",", ";", "\t")
# a number written with thousands separators, by decimal mark: 1,234,567.8 and 1.234.567,8. The first
# group never starts with 0: "0,512" is a decimal comma (0.512), never 512, so it is not a number here
_GROUPED = {".": r"^[+-]?[1-9]\d{0,2}(,\d{3})+(\.\d+)?$", ",": r"^[+-]?[1-9]\d{0,2}(\.\d{3})+(,\d+)?$"}


class UnreadableSeries(ValueError):
    """The file cannot be read as the series asked for: the CLI prints the message and exits 2."""


class UnparsableDates(UnreadableSeries):
    """More than MAX_UNPARSABLE of a file's dates did not parse (wrong or missing --date-format)."""


class UnparsableValues(UnreadableSeries):
    """More than MAX_UNPARSABLE of a file's values are not numbers (a decimal comma, text, units)."""


@dataclass(frozen=True)
class DailySeries:
    name: str
    frame: pl.DataFrame  # date, value, filled
    rows: int  # rows read from the file
    dropped: int  # rows dropped because their date did not parse
    agg: str
    bad_values: int = 0  # rows whose value is not a number (read as missing)
    empty_values: int = 0  # rows without a value
    partial_days: int = 0  # days with fewer rows than the typical day, read as missing (sums only)
    merged_days: int = 0  # days of daily data that had more than one row (aggregated with `agg`)


def _parse_dates(text: pl.Series, date_format: str | None) -> pl.Series:
    """Dates from the date column's text (`_read_columns` reads every column as text)."""
    s = text.str.strip_chars()
    if date_format:
        parsed = s.str.to_datetime(date_format, strict=False)
        if parsed.null_count() == parsed.len():  # a date-only format may need the date parser
            return s.str.to_date(date_format, strict=False)
        return parsed.cast(pl.Date)
    # a trailing UTC offset would move the timestamp to UTC and, near midnight, to another day: the day a
    # row belongs to is the one its writer saw
    s = s.str.replace(r"(?:Z|[+-]\d{2}:?\d{2})$", "")
    parsed = s.str.to_datetime(strict=False)
    if parsed.null_count() == parsed.len():
        return s.str.to_date(strict=False)
    return parsed.cast(pl.Date)


def _parse_values(text: pl.Series, decimal_comma: bool) -> pl.Series:
    """Numbers as Float64 from the value column's text; text without a number is null. Thousands
    separators are dropped where a value is written with them, and with `decimal_comma` the comma is the
    decimal mark."""
    mark, group = (",", ".") if decimal_comma else (".", ",")
    v = pl.col("v").str.strip_chars()
    v = pl.when(v.str.contains(_GROUPED[mark])).then(v.str.replace_all(group, "", literal=True)).otherwise(v)
    if decimal_comma:
        v = v.str.replace(",", ".", literal=True)
    return pl.DataFrame({"v": text}).select(v.cast(pl.Float64, strict=False))["v"]


def _csv_text(path: str | Path) -> str:
    """The file as text: UTF-8 (with or without a BOM), else Windows-1252 (a spreadsheet export from a
    pt-BR Windows machine writes "Sessões" that way); comment lines (`#`) and blank lines above the header,
    as analytics exports write them, are dropped."""
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    lines = text.splitlines(keepends=True)
    first = next((i for i, line in enumerate(lines) if line.strip() and not line.startswith("#")), len(lines))
    return "".join(lines[first:])


def _separator(header: str) -> str:
    """The separator that splits the header line into the most fields, counted outside double quotes (a
    comma on a tie)."""
    bare = "".join(part for i, part in enumerate(header.split('"')) if i % 2 == 0)
    return max(SEPARATORS, key=lambda sep: (bare.count(sep), sep == ","))


def _read_columns(path: str | Path, date_col: str, value_col: str) -> pl.DataFrame:
    text = _csv_text(path)
    sep = _separator(text.split("\n", 1)[0])
    data = text.encode("utf-8")
    names = pl.read_csv(io.BytesIO(data), separator=sep, n_rows=0).columns if text else []
    missing = [c for c in (date_col, value_col) if c not in names]
    if missing:
        raise UnreadableSeries(
            f"{Path(path).name}: no column {', '.join(map(repr, missing))}; it has {names}"
        )
    # both as text: a type guessed from the first rows would fail on a later "12.5" or "n/a"
    return pl.read_csv(io.BytesIO(data), separator=sep, columns=[date_col, value_col], infer_schema=False)


def read_daily_series(
    path: str | Path,
    date_col: str,
    value_col: str,
    agg: str = "sum",
    *,
    date_format: str | None = None,
    decimal_comma: bool = False,
    max_unparsable: float = MAX_UNPARSABLE,
) -> DailySeries:
    """Read any dated CSV into a regular daily series (`date`, `value`, `filled`).

    - Timestamps are truncated to the day and aggregated with `agg` ("sum" for flows such as spend,
      leads or rides; "mean" for levels such as a temperature).
    - Rows whose date does not parse are dropped and counted; more than `max_unparsable` of them
      raises UnparsableDates. Values that are not numbers are counted and read as missing; more than
      `max_unparsable` of them raises UnparsableValues.
    - When the data is sub-daily, a first or last day with fewer rows than the typical (median) day is
      partial and is dropped, so that a half day is not read as a collapse; with a sum, such a day
      inside the file (rows lost around a gap) is read as missing too (`partial_days`). Daily data with
      several rows on one day is aggregated the same way, and those days are counted (`merged_days`).
    - The series is reindexed to every calendar day. A missing day is treated as missing data, not as
      a zero (unlike the ad source, a generic CSV gives no reason to believe nothing happened), and is
      forward-filled from the previous day; the `filled` column marks those days. A day whose values
      are all null or unparsable is treated the same way.
    """
    raw = _read_columns(path, date_col, value_col)
    dates = _parse_dates(raw[date_col], date_format)
    dropped = dates.null_count()
    how = f"--date-format {date_format!r}" if date_format else "inferred format; pass --date-format"
    if raw.height == 0 or dropped > max_unparsable * raw.height:
        raise UnparsableDates(f"{Path(path).name}: {dropped} of {raw.height} dates do not parse ({how})")
    values = _parse_values(raw[value_col], decimal_comma)
    text = raw[value_col].str.strip_chars()
    empty = int((text.is_null() | (text == "")).sum())
    bad = values.null_count() - empty
    if bad > max_unparsable * raw.height:
        first = text.filter(values.is_null() & (text != ""))[0]
        hint = "" if decimal_comma else "; pass --decimal-comma if ',' is the decimal mark"
        raise UnparsableValues(
            f"{Path(path).name}: {bad} of {raw.height} values of {value_col!r} are not numbers "
            f"(first: {first!r}){hint}"
        )
    frame = pl.DataFrame({"date": dates, "value": values})
    frame = frame.drop_nulls("date")
    agg_expr = pl.col("value").mean() if agg == "mean" else pl.col("value").sum()
    daily = (
        frame.group_by("date")
        .agg(agg_expr.alias("value"), pl.len().alias("_n"), pl.col("value").is_not_null().sum().alias("_ok"))
        .sort("date")
    )
    daily = daily.with_columns(pl.when(pl.col("_ok") > 0).then(pl.col("value")).alias("value"))
    typical = daily["_n"].median()
    partial_days = merged_days = 0
    if typical is not None and typical > 1 and daily.height > 2:
        edges = [daily["date"][0], daily["date"][-1]]
        partial = daily.filter(pl.col("date").is_in(edges) & (pl.col("_n") < typical))["date"]
        daily = daily.filter(~pl.col("date").is_in(partial.implode()))
        if agg != "mean":  # a sum over part of a day (rows lost around a gap) is not that day's total
            short = pl.col("_n") < typical
            partial_days = int(daily.select(short.sum()).item())
            daily = daily.with_columns(pl.when(short).then(None).otherwise(pl.col("value")).alias("value"))
    elif typical is not None:
        merged_days = int((daily["_n"] > 1).sum())
    full = pl.DataFrame({"date": pl.date_range(daily["date"].min(), daily["date"].max(), "1d", eager=True)})
    out = full.join(daily.select("date", "value"), on="date", how="left")
    out = out.with_columns(
        pl.col("value").is_null().alias("filled"), pl.col("value").forward_fill().backward_fill()
    )
    return DailySeries(Path(path).stem, out, raw.height, dropped, agg, bad, empty, partial_days, merged_days)


def load_daily_csv(
    path: str | Path,
    date_col: str,
    value_col: str,
    agg: str = "sum",
    *,
    date_format: str | None = None,
    decimal_comma: bool = False,
) -> pl.DataFrame:
    """`read_daily_series` without the counts: the daily frame only."""
    return read_daily_series(
        path, date_col, value_col, agg, date_format=date_format, decimal_comma=decimal_comma
    ).frame


def read_nab_daily(folder: str | Path, min_days: int = NAB_MIN_DAYS) -> tuple[list[DailySeries], list[str]]:
    """Every NAB-format CSV (timestamp, value) under `folder`, as daily means, longest first.

    The daily *mean* is used for every series: NAB mixes levels (temperatures, CPU) with counts (taxi
    rides, tweets), the mean is right for levels and a constant multiple of the sum for counts sampled
    regularly, and MASE and coverage do not depend on that constant. Series shorter than `min_days`
    once aggregated are left out and named in the second list, as are files that cannot be read as a
    NAB series (with the reason after "unreadable:"). Timestamps are NAB's `%Y-%m-%d %H:%M:%S`, else
    inferred (ISO 8601 with `T` or a zone).
    """
    if not Path(folder).is_dir():
        raise UnreadableSeries(f"{folder}: not a folder")
    kept, skipped = [], []
    for path in sorted(Path(folder).rglob("*.csv")):
        name = f"{path.parent.name}/{path.stem}"
        try:
            try:
                s = read_daily_series(path, "timestamp", "value", "mean", date_format="%Y-%m-%d %H:%M:%S")
            except UnparsableDates:
                s = read_daily_series(path, "timestamp", "value", "mean")
        except UnreadableSeries as exc:
            skipped.append(f"{name} (unreadable: {exc})")
            continue
        if s.frame.height < min_days:
            skipped.append(f"{name} ({s.frame.height} days)")
            continue
        kept.append(replace(s, name=name))
    return sorted(kept, key=lambda s: (-s.frame.height, s.name)), skipped
