"""Pure cleaning of FamaChat's raw source rows into the dense daily frame of `core.frames.DAILY_SCHEMA`.

No SQL here: `read.py` fetches the raw frames, this module decides what each row is worth. Every row that
is read is used, set aside under one of `REJECT_REASONS`, or outside the run's window; nothing raises on
dirty data and nothing bad is silently turned into zeros.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl

from famachat_ml_pipeline.core.frames import DAILY_SCHEMA, KEY, minor_unit_divisor
from famachat_ml_pipeline.core.vocab import DEFAULT_TIMEZONE

# Lead action types that alias the same conversions, in order of precedence (never summed).
LEAD_ACTION_PRECEDENCE = (
    "lead",
    "onsite_conversion.lead_grouped",
    "offsite_conversion.fb_pixel_lead",
    "leadgen_grouped",
)
_ALIAS_PREFIXES = ("", "omni_", "onsite_web_")
_ALIAS_RANK = {
    prefix + action: i * len(_ALIAS_PREFIXES) + j
    for i, action in enumerate(LEAD_ACTION_PRECEDENCE)
    for j, prefix in enumerate(_ALIAS_PREFIXES)
}

# Plausibility bounds for ONE campaign on ONE day (an insights row), in the contract's units. A value
# above them is a sync bug, not delivery; summing it over days would overflow Int64 (bigint max twice
# wraps to nonsense), so the row is set aside as `implausible_value`, never clipped or wrapped.
MAX_DAILY_SPEND = 1e11  # major units: 10^11 VND (the weakest minor-unit-1 currency) is ~US$ 4 M a day
MAX_DAILY_COUNT = 10**10  # impressions, clicks, reach: 2.5x every person on Earth, in one day
MAX_DAILY_LEADS = 10**7  # leads, from the column or from `actions`
# Facebook's ads platform launched on 2007-11-06: an insight dated before it (year 1, 1970) is a sync bug,
# and as an account's first day it made the agent read and fill every day since (739,000 for year 1)
EARLIEST_AD_DAY = dt.date(2007, 11, 6)
METRICS = ("spend", "impressions", "clicks", "reach")
DENSE_METRICS = (*METRICS, "leads")  # the daily frame's values, zero on a day without a source row

# Why a source row was set aside. Every reason is counted; none is silently turned into zeros.
REJECT_REASONS = (
    "duplicate_superseded",  # an older copy of a (campaign, day) whose latest row has the same figures
    "duplicate_conflicting",  # an older row of a (campaign, day) with other figures: the latest updated_at
    # instant (then the highest id) is used, but which is true is a guess, so it counts as bad data
    "orphan_campaign",  # insight whose campaign is missing from the campaigns table
    "bad_date",  # date_start/date_stop is not a calendar date we can use (infinity, year 12026, BC, null,
    # or before EARLIEST_AD_DAY)
    "future_date",  # a day after today in the account's timezone (today itself is provisional, not bad)
    "not_daily",  # date_stop != date_start
    "not_numeric",  # a numeric column holds a value that is not a number of its type (SQLite's type affinity
    # lets any column hold text: 'abc', 'three' leads, 3.5 impressions, and '12,50', which is not guessed)
    "null_metric",  # spend, impressions, clicks or reach is null (or spend is NaN, which numeric allows)
    "negative_metric",  # a negative number
    "implausible_value",  # above the MAX_DAILY_* bounds (metrics, leads, or the lead value in actions)
    "bad_actions",  # leads is null and actions is not a list of {action_type, plain decimal value}
    "leads_unknown",  # leads is null and there is no actions list to resolve it from
)


# The reader's flag (a Boolean column beside the raw insight columns): True where a numeric column held
# a value its type cannot read, which the lenient cast turned into a null. Such a row is `not_numeric`,
# never a null metric nor "leads not extracted". A frame without the column has no such value.
NOT_NUMERIC = "not_numeric"
# What two rows of one (campaign, day) must agree on to be copies of each other (their raw values)
DUPLICATE_FIGURES = ("date_stop", *METRICS, "leads", "actions", NOT_NUMERIC)


@dataclass
class SourceRead:
    daily: pl.DataFrame
    rows_read: int
    rejected: dict[str, int] = field(default_factory=dict)
    reject_examples: list[dict] = field(default_factory=list)
    rows_used: int = 0  # rows whose values are in `daily`
    rows_outside_window: int = 0  # valid rows before the window's start or after as_of (not future)
    # accounts with no row used because their rows were set aside as malformed: config_id -> rows set aside
    all_set_aside: dict[int, int] = field(default_factory=dict)

    @property
    def rows_set_aside(self) -> int:
        return sum(self.rejected.values())


def account_zone(timezone_name: str | None) -> ZoneInfo:
    """The account's zone; an unknown or empty name falls back to the column's default, not a crash."""
    try:
        return ZoneInfo(timezone_name or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def latest_complete_day(timezone_name: str | None, now: dt.datetime | None = None) -> dt.date:
    """Yesterday in the account's timezone: today is partial and its conversions are provisional."""
    now = now or dt.datetime.now(dt.UTC)
    return now.astimezone(account_zone(timezone_name)).date() - dt.timedelta(days=1)


# ------------------------------------------------------------------------------------- leads from actions


_ACTION_TYPE = pl.Struct({"action_type": pl.String, "value": pl.String})
# Meta's canonical serialisation: a list of {"action_type": "...", "value": "<number>"} objects. Values of
# at most 7 integer digits stay below MAX_DAILY_LEADS, so the fast path's cast cannot overflow; anything
# longer takes the slow path, which judges it.
_NUM = r"[0-9]{1,7}(\.[0-9]{1,6})?"
_PAIR_A = rf'"action_type": ?"[a-z_.]+", ?"value": ?"{_NUM}"'
_PAIR_B = rf'"value": ?"{_NUM}", ?"action_type": ?"[a-z_.]+"'  # Postgres jsonb orders keys
_CANONICAL = rf"^\[(\{{({_PAIR_A}|{_PAIR_B})\}}(, ?)?)*\]$"
_PLAIN_DECIMAL = re.compile(r"[0-9]+(\.[0-9]+)?")  # what Meta writes; not "1_000", "1e30", "Infinity"


class _NotANumber(ValueError):
    pass


def _action_value(value: object) -> Decimal:
    """A plain decimal string (the contract) or a finite JSON number; anything else is not a number."""
    if isinstance(value, str) and _PLAIN_DECIMAL.fullmatch(value):
        return Decimal(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, float) and value == value and abs(value) != float("inf"):
        return Decimal(value)
    raise _NotANumber


def _leads_of_one(raw: str) -> tuple[int | None, str | None]:
    """(leads, reason) for one non-canonical `actions` value; reason is None when it is usable."""
    try:
        parsed = json.loads(raw)
        if not isinstance(parsed, list):
            raise _NotANumber
        by_type: dict[str, Decimal] = {}
        for item in parsed:
            if not isinstance(item, dict) or "action_type" not in item:
                raise _NotANumber
            value = _action_value(item.get("value"))
            if value < 0:
                raise _NotANumber
            by_type.setdefault(str(item["action_type"]), value)
    except (ValueError, TypeError, RecursionError, InvalidOperation):  # json's errors are ValueErrors
        return None, "bad_actions"
    for action in LEAD_ACTION_PRECEDENCE:
        hits = [by_type[p + action] for p in _ALIAS_PREFIXES if p + action in by_type]
        if hits:
            if hits[0] > MAX_DAILY_LEADS:
                return None, "implausible_value"
            return int(hits[0].to_integral_value()), None
    return 0, None


def _leads_from_actions_slow(actions: Iterable[str | None]) -> tuple[pl.Series, pl.Series]:
    leads: list[int | None] = []
    reasons: list[str | None] = []
    for raw in actions:
        found, reason = (None, None) if raw is None else _leads_of_one(raw)
        leads.append(found)
        reasons.append(reason)
    return pl.Series(leads, dtype=pl.Int64), pl.Series(reasons, dtype=pl.String)


def leads_from_actions(actions: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Resolve leads from raw `actions` JSON by alias precedence. Returns (leads, reason set aside).

    Each distinct string is resolved once and joined back: a fleet's ~200k rows repeat a few hundred
    values, and the regex and JSON work dominate. A null stays (null, null), as it resolves to.
    """
    frame = pl.DataFrame({"raw": actions}, schema={"raw": pl.String})
    distinct = frame.unique().drop_nulls()
    leads, reason = _resolve_rows(distinct["raw"])
    table = distinct.with_columns(v=leads, reason=reason)
    out = frame.join(table, on="raw", how="left", maintain_order="left")
    return out["v"], out["reason"]


def _resolve_rows(actions: pl.Series) -> tuple[pl.Series, pl.Series]:
    """`leads_from_actions` row by row (no deduplication), in the input's order.

    Canonical rows are decoded in one vectorised pass; anything else goes through Python's json, since
    the column is dirty by contract and polars' decoder fails a whole column on one malformed value.
    """
    frame = pl.DataFrame({"raw": actions}, schema={"raw": pl.String}).with_row_index("_i")
    canonical = frame.filter(pl.col("raw").str.contains(_CANONICAL))
    decoded = (
        canonical.with_columns(pl.col("raw").str.json_decode(pl.List(_ACTION_TYPE)))
        .explode("raw")
        .unnest("raw")
        .with_columns(
            # the same order as the slow path: base alias first, then the plain / omni_ / onsite_web_ variant
            _rank=pl.col("action_type").replace_strict(_ALIAS_RANK, default=None)
        )
        .group_by("_i")
        .agg(
            pl.col("value")
            .cast(pl.Float64)
            .filter(pl.col("_rank") == pl.col("_rank").min())
            .first()
            .alias("v")
        )
        .select("_i", pl.col("v").fill_null(0).round().cast(pl.Int64))
    )
    rest = frame.filter(~pl.col("_i").is_in(canonical["_i"].implode()))
    slow_leads, slow_reason = _leads_from_actions_slow(rest["raw"].to_list())
    decoded = (
        canonical.select("_i")
        .join(decoded, on="_i", how="left")
        .with_columns(
            pl.col("v").fill_null(0)  # "[]" or no lead action: zero leads, as the slow path says
        )
    )
    out = frame.select("_i").join(
        pl.concat(
            [
                decoded.with_columns(reason=pl.lit(None, pl.String)),
                pl.DataFrame({"_i": rest["_i"], "v": slow_leads, "reason": slow_reason}),
            ]
        ),
        on="_i",
        how="left",
        maintain_order="left",
    )
    return out["v"], out["reason"]


# ------------------------------------------------------------------------------------------------ cleaning


def _today_by_timezone(timezones: pl.Series, now: dt.datetime | None) -> pl.DataFrame:
    zones = timezones.unique().drop_nulls().to_list()
    return pl.DataFrame(
        {
            "timezone_name": zones,
            "today": [latest_complete_day(z, now) + dt.timedelta(days=1) for z in zones],
        },
        schema={"timezone_name": pl.String, "today": pl.Date},
    )


def _as_date(frame: pl.DataFrame, column: str) -> pl.Expr:
    """Dates arrive as text from the reader (Postgres may say `infinity` or `12026-01-01`): parse leniently,
    so one impossible date becomes a null to set aside instead of failing the whole read."""
    if frame.schema[column] == pl.Date:
        return pl.col(column)
    return pl.col(column).cast(pl.String).str.strptime(pl.Date, "%Y-%m-%d", strict=False)


def updated_instant(column: str = "updated_at") -> pl.Expr:
    """`updated_at` text as a UTC instant: text order is wrong across offsets ("09:00-03" is after
    "10:00+00"). A value without an offset (SQLite) is UTC; an unparsable one is null and loses ties."""
    text = pl.col(column).cast(pl.String).str.replace("T", " ")
    return pl.coalesce(
        text.str.strptime(pl.Datetime("us", "UTC"), "%Y-%m-%d %H:%M:%S%.f%#z", strict=False),
        text.str.strptime(pl.Datetime("us"), "%Y-%m-%d %H:%M:%S%.f", strict=False).dt.replace_time_zone(
            "UTC"
        ),
    )


def _campaign_day() -> pl.Expr:
    """One Int64 per (campaign, day), injective: the campaign's number in the high 32 bits, the day
    (Int32 days, shifted to be non-negative) in the low ones."""
    day = pl.col("date_start").cast(pl.Int32).cast(pl.Int64) + (1 << 31)
    return pl.col("_campaign").cast(pl.Int64) * (1 << 32) + day


def _copy_of_the_used_row(ins: pl.DataFrame) -> pl.Series:
    """Whether each row of `ins` (the used row of each (campaign, day) first) has the figures of its day's
    used row. A copy loses nothing; a row with other figures is a conflict (a restatement updates the row in
    place, per the contract: it leaves no older row behind). Only the days with several rows are compared:
    hashing every row cost ~0.1 s per 470k rows."""
    copies = pl.repeat(False, ins.height, eager=True)
    several = ins.filter(pl.col("_dup"))
    if several.is_empty():
        return copies
    figures = pl.struct(*DUPLICATE_FIGURES).hash()
    day = _campaign_day()
    days = ins.with_row_index("_r").filter(day.is_in(several.select(day).to_series().implode()))
    same = days.select("_r", _same=figures == figures.first().over(day)).filter("_same")["_r"]
    return copies.scatter(same, True)


def _metric_reason() -> pl.Expr:
    counts = ["impressions", "clicks", "reach"]
    return (
        pl.when(pl.col(NOT_NUMERIC))
        .then(pl.lit("not_numeric"))
        .when(pl.col("date_stop") != pl.col("date_start"))
        .then(pl.lit("not_daily"))
        .when(pl.any_horizontal(pl.col(m).is_null() for m in METRICS) | pl.col("spend").is_nan())
        .then(pl.lit("null_metric"))
        .when(pl.any_horizontal(pl.col(m) < 0 for m in [*METRICS, "leads"]))
        .then(pl.lit("negative_metric"))
        .when(
            (pl.col("spend") > MAX_DAILY_SPEND)
            | pl.any_horizontal(pl.col(m) > MAX_DAILY_COUNT for m in counts)
            | (pl.col("leads") > MAX_DAILY_LEADS).fill_null(False)
        )
        .then(pl.lit("implausible_value"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )


def clean_insights(
    campaigns: pl.DataFrame,
    insights: pl.DataFrame,
    as_of: dt.date,
    start: dt.date,
    now: dt.datetime | None = None,
) -> SourceRead:
    """Pure: raw source frames in, the dense clean daily frame and a count of what was set aside out."""
    rows_read = insights.height
    budget = pl.col("daily_budget").cast(pl.Float64) / minor_unit_divisor(pl.col("currency"))
    camps = campaigns.unique(subset=KEY, keep="first").with_columns(
        # a negative budget, or one above any day's plausible spend, is a sync bug: unknown, as a budget
        # set per ad set (it was advised on: "cut 9e18 to 7.2e18, about 1e15 leads a week fewer")
        pl.when(budget.is_between(0, MAX_DAILY_SPEND)).then(budget).alias("daily_budget"),
        # Meta's statuses are upper case; "active" or " PAUSED" is the same status (recommendations
        # compared with "ACTIVE", forecasts with the inactive statuses: an "active" campaign got no
        # advice, a "paused" one a delivery forecast)
        *[
            pl.col(c).cast(pl.String).str.strip_chars().str.to_uppercase()
            for c in ("status", "effective_status")
        ],
        pl.col("created_time").str.slice(0, 10).str.to_date(strict=False).alias("created_date"),
        # A real table may lack the contract's NOT NULL default: no zone is the default zone (as
        # `account_zone` says), not a missing campaign (its rows were all set aside as orphans).
        pl.col("timezone_name").fill_null(DEFAULT_TIMEZONE),
    )
    rejects: list[pl.DataFrame] = []

    def set_aside(frame: pl.DataFrame, mask: pl.Expr, reason: str) -> pl.DataFrame:
        flagged = frame.filter(mask)
        if flagged.height:
            rejects.append(
                flagged.select("id", "config_id", "campaign_id", "date_start").with_columns(
                    reason=pl.lit(reason)
                )
            )
        return frame.filter(~mask)

    ins = insights.with_columns(
        date_start=_as_date(insights, "date_start"),
        date_stop=_as_date(insights, "date_stop"),
        **{NOT_NUMERIC: pl.col(NOT_NUMERIC) if NOT_NUMERIC in insights.columns else pl.lit(False)},
    )
    # `_campaign` numbers the campaigns (their row in `camps`): the duplicate check and densify group and
    # join on it instead of the string id
    ins = ins.join(camps.select(*KEY, "timezone_name").with_row_index("_campaign"), on=KEY, how="left")
    ins = set_aside(ins, pl.col("timezone_name").is_null(), "orphan_campaign")
    unusable = pl.any_horizontal(
        pl.col(c).is_null() | (pl.col(c) < EARLIEST_AD_DAY) for c in ("date_start", "date_stop")
    )
    ins = set_aside(ins, unusable, "bad_date")
    ins = ins.join(_today_by_timezone(ins["timezone_name"], now), on="timezone_name", how="left")
    ins = set_aside(ins, pl.col("date_start") > pl.col("today"), "future_date")
    # Rows outside [start, as_of] but not in the future are simply outside this run's window.
    in_window = pl.col("date_start").is_between(start, as_of)
    rows_outside_window = ins.filter(~in_window).height
    ins = ins.filter(in_window)

    # Restatement: the latest updated_at instant (then the highest id) is the truth for a (campaign, day).
    ins = ins.with_columns(_updated=updated_instant()).sort(
        ["_updated", "id"], descending=True, nulls_last=True
    )
    ins = ins.with_columns(_dup=_campaign_day().is_first_distinct().not_())
    ins = set_aside(ins, pl.col("_dup") & _copy_of_the_used_row(ins), "duplicate_superseded")
    ins = set_aside(ins, pl.col("_dup"), "duplicate_conflicting").drop("_dup", "_updated")

    ins = ins.with_columns(invalid=_metric_reason())
    needs = ins["leads"].is_null() & ins["invalid"].is_null()
    idx = needs.arg_true()
    resolved, reason = leads_from_actions(ins["actions"].gather(idx))
    fix = pl.DataFrame({"_i": idx, "_leads": resolved, "_reason": reason}).with_columns(
        _reason=pl.coalesce("_reason", pl.when(pl.col("_leads").is_null()).then(pl.lit("leads_unknown")))
    )
    ins = (
        ins.with_row_index("_i")
        .with_columns(pl.col("_i").cast(idx.dtype))
        .join(fix, on="_i", how="left")
        .with_columns(
            leads=pl.coalesce("leads", "_leads"),
            invalid=pl.coalesce("invalid", "_reason"),
        )
        .drop("_i", "_leads", "_reason")
    )
    bad_rows = ins.filter(pl.col("invalid").is_not_null())
    if bad_rows.height:
        rejects.append(
            bad_rows.select("id", "config_id", "campaign_id", "date_start", reason=pl.col("invalid"))
        )
    good = ins.filter(pl.col("invalid").is_null())
    # A set-aside row's day is unknown, not zero: it stays in the frame with null metrics.
    unknown_days = bad_rows.select("_campaign", "date_start").unique()

    daily = densify(good, unknown_days, camps, as_of, start)
    reject_frame = (
        pl.concat(rejects)
        if rejects
        else pl.DataFrame(
            schema={
                "id": pl.Int64,
                "config_id": pl.Int64,
                "campaign_id": pl.String,
                "date_start": pl.Date,
                "reason": pl.String,
            }
        )
    )
    counts = dict(reject_frame.group_by("reason").len().iter_rows())
    examples = (
        reject_frame.group_by("reason")
        .head(2)
        .sort("reason")
        .select("reason", "config_id", "campaign_id", pl.col("date_start").cast(pl.String), pl.col("id"))
        .to_dicts()
    )
    return SourceRead(
        daily=daily,
        rows_read=rows_read,
        rejected=counts,
        reject_examples=examples,
        rows_used=good.height,
        rows_outside_window=rows_outside_window,
        all_set_aside=accounts_all_set_aside(reject_frame, good),
    )


# Set aside without the data being bad: a copy of the row that is used, or a campaign that is not in the
# campaigns table (deleted, or not synced yet), whose account's advice retires as a vanished campaign's.
NOT_MALFORMED = ("duplicate_superseded", "orphan_campaign")


def accounts_all_set_aside(rejects: pl.DataFrame, good: pl.DataFrame) -> dict[int, int]:
    """The accounts none of whose rows is used because the rows were malformed (config_id -> rows set
    aside). Their usable data vanished, which is not an account without data: the run keeps their stored
    results (defs/shared/account_run.py). An account with only orphan rows, or no row at all, is not one."""
    by_account = (
        rejects.filter(pl.col("config_id").is_not_null())
        .group_by("config_id")
        .agg(rows=pl.len(), malformed=(~pl.col("reason").is_in(NOT_MALFORMED)).sum())
        .filter(pl.col("malformed") > 0, ~pl.col("config_id").is_in(good["config_id"].unique().implode()))
    )
    return {int(c): int(n) for c, n in by_account.select("config_id", "rows").sort("config_id").iter_rows()}


def combine_reads(parts: Sequence[SourceRead]) -> SourceRead:
    """Cleanings of disjoint sets of accounts (at least one) as the cleaning of all their rows at once.

    Nothing in `clean_insights` looks across accounts: campaigns are deduplicated per (config_id,
    campaign_id), duplicates are found per (campaign, day), `today` is per timezone (given one `now`), a
    campaign's first day is bounded per account, and the daily frame is sorted by (config_id,
    campaign_id, date). So the parts' frames, each in that order, need only their accounts put in order,
    and the counts add up. The examples are the first two per reason in the parts' order (which two the
    whole read shows depends on the server's row order, as it always did)."""
    # Each part is sorted by config_id: its accounts' runs of rows, put in config_id order, are the whole
    # frame in order (a third of the time of a stable sort, which gathers every column row by row).
    runs = []
    for i, part in enumerate(parts):
        rle = part.daily["config_id"].rle().struct.unnest()
        offsets = rle["len"].cum_sum() - rle["len"]
        runs.extend(zip(rle["value"], [i] * rle.height, offsets, rle["len"], strict=True))
    slices = [parts[i].daily.slice(offset, n) for _, i, offset, n in sorted(runs)]
    daily = pl.concat(slices, rechunk=True) if slices else parts[0].daily
    rejected: dict[str, int] = {}
    examples: dict[str, list[dict]] = {}
    for part in parts:
        for reason, n in part.rejected.items():
            rejected[reason] = rejected.get(reason, 0) + n
        for example in part.reject_examples:
            kept = examples.setdefault(example["reason"], [])
            if len(kept) < 2:
                kept.append(example)
    return SourceRead(
        daily=daily,
        rows_read=sum(p.rows_read for p in parts),
        rejected=rejected,
        reject_examples=[e for reason in sorted(examples) for e in examples[reason]],
        rows_used=sum(p.rows_used for p in parts),
        rows_outside_window=sum(p.rows_outside_window for p in parts),
        all_set_aside=dict(sorted((c, n) for p in parts for c, n in p.all_set_aside.items())),
    )


def densify(
    good: pl.DataFrame, unknown_days: pl.DataFrame, camps: pl.DataFrame, as_of: dt.date, start: dt.date
) -> pl.DataFrame:
    """One row per campaign per day, from its first day in the window to as_of; no row means a zero day.

    `good` (the used rows) and `unknown_days` (the days of rows set aside) carry `_campaign`, their
    campaign's row in `camps`."""
    observed = (
        pl.concat([good.select("_campaign", "date_start"), unknown_days.select("_campaign", "date_start")])
        .group_by("_campaign")
        .agg(first=pl.col("date_start").min())
    )
    # A campaign's days start at its creation when that is earlier than its first row, but never before
    # the account's first synced row: before that, FamaChat had no data, which is not zero delivery.
    attributes = ["status", "effective_status", "objective", "daily_budget", "currency", "timezone_name"]
    spans = (
        observed.join(
            camps.select(*KEY, "created_date", *attributes).with_row_index("_campaign"), on="_campaign"
        )
        .with_columns(
            first=pl.max_horizontal(
                pl.lit(start),
                pl.col("first").min().over("config_id"),
                pl.min_horizontal("first", pl.col("created_date").fill_null(pl.col("first"))),
            )
        )
        .sort(KEY)
    )
    # The campaigns' attributes ride along the calendar (one join per campaign, not per day), and the
    # calendar is built in the output's order: (config_id, campaign_id) sorted, days ascending.
    calendar = spans.select(
        "_campaign", *KEY, *attributes, "first", date=pl.date_ranges("first", pl.lit(as_of))
    )
    lengths = calendar["date"].list.len().cast(pl.Int64)
    grid = calendar.drop("_campaign", "first").explode("date")
    # A (campaign, day) has one surviving source row, either good or set aside. Its place in the calendar
    # is its campaign's offset plus its day: a join per campaign, then a scatter, instead of a join of
    # ~1M (campaign, day) keys on each side.
    places = calendar.select("_campaign", "first", _offset=lengths.cum_sum() - lengths, _length=lengths)
    day = (pl.col("date_start") - pl.col("first")).dt.total_days()
    cells = (
        pl.concat(
            [
                good.select("_campaign", "date_start", *DENSE_METRICS, _unknown=pl.lit(False)),
                unknown_days.select(
                    "_campaign",
                    "date_start",
                    *[pl.lit(None, good.schema[c]).alias(c) for c in DENSE_METRICS],
                    _unknown=pl.lit(True),
                ),
            ]
        )
        .join(places, on="_campaign", how="inner")
        .filter(day.is_between(0, pl.col("_length") - 1))
        .with_columns(_place=pl.col("_offset") + day)
    )
    zero = {"spend": 0.0, "impressions": 0, "clicks": 0, "reach": 0, "leads": 0}
    place = cells["_place"]
    frame = grid.with_columns(
        # zero on days with no source row at all; an unknown (set-aside) day stays null
        *[
            pl.repeat(v, grid.height, dtype=good.schema[c], eager=True)
            .scatter(place, cells.select(pl.when(~pl.col("_unknown")).then(pl.col(c).fill_null(v)))[c])
            .alias(c)
            for c, v in zero.items()
        ],
        has_row=pl.repeat(False, grid.height, eager=True).scatter(place, True),
    )
    return frame.select([pl.col(c).cast(t) for c, t in DAILY_SCHEMA.items()])
