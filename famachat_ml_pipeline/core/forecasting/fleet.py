"""The fleet entry point: the daily frame in, one long frame of spend, leads and CPL forecasts out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

import numpy as np
import polars as pl

from famachat_ml_pipeline.core.forecasting.common import (
    BUDGET_OVERSPEND,
    LEVEL,
    MAX_HISTORY,
    MatrixForecast,
)
from famachat_ml_pipeline.core.forecasting.cpl import CPL_LEAD_CLASSES, cpl_log_bounds, derive_cpl
from famachat_ml_pipeline.core.forecasting.matrix import Calibration, forecast_matrix_calibrated
from famachat_ml_pipeline.core.vocab import is_inactive

OUTPUT_SCHEMA: dict[str, pl.DataType] = {
    "config_id": pl.Int64(),
    "entity_id": pl.String(),
    "metric": pl.String(),
    "target_date": pl.Date(),
    "horizon_day": pl.Int32(),
    "predicted_value": pl.Float64(),
    "confidence_lower": pl.Float64(),
    "confidence_upper": pl.Float64(),
    "method": pl.String(),
    "insufficient_data": pl.Boolean(),
    "low_volume": pl.Boolean(),
}


def fleet_matrix(
    daily: pl.DataFrame, as_of: dt.date, columns: Sequence[str], max_history: int = MAX_HISTORY
) -> tuple[pl.DataFrame, list[dt.date], dict[str, np.ndarray]]:
    """Pivot the dense daily frame into one (campaigns x days) matrix per column.

    Days before a campaign's first row are NaN; a day inside its span without a row is 0 (source
    contract: no row means nothing was delivered); a day whose row was set aside is imputed, not zeroed,
    and a campaign with no known day is left out. Only the last `max_history` days up to `as_of`.
    Returns the campaign keys (config_id, campaign_id, status, effective_status, daily_budget at their
    last day; effective_status is null when the frame has no such column), the
    dates of the columns and the matrices.
    """
    first_day = as_of - dt.timedelta(days=max_history - 1)
    d = daily.filter(pl.col("date") <= as_of)
    if "effective_status" not in d.columns:
        d = d.with_columns(pl.lit(None, pl.String).alias("effective_status"))
    key = ["config_id", "campaign_id"]
    keys = (
        d.group_by(key)
        .agg(
            pl.col("date").min().alias("_first"),
            # one row per campaign-day: the last by date is the campaign's latest day
            pl.col("status", "effective_status", "daily_budget").sort_by("date").last(),
        )
        .sort(key)
    )
    T = (as_of - max(first_day, keys["_first"].min() if keys.height else as_of)).days + 1
    start_day = as_of - dt.timedelta(days=T - 1)
    dates = [start_day + dt.timedelta(days=i) for i in range(T)]
    first_col = np.clip(
        keys.select((pl.col("_first") - pl.lit(start_day)).dt.total_days()).to_series().to_numpy(), 0, None
    )
    in_span = np.arange(T)[None, :] >= first_col[:, None]
    # A campaign's row in `keys` is its dense rank by (config_id, campaign_id) (the order `keys` is
    # sorted in), ranked before any day is dropped: no join of every day on the string id.
    cells = (
        d.with_columns(_row=pl.struct(key).rank("dense") - 1)
        .filter(pl.col("date") >= start_day)
        .with_columns((pl.col("date") - pl.lit(start_day)).dt.total_days().alias("_col"))
    )
    rows, cols = cells["_row"].to_numpy(), cells["_col"].to_numpy()
    mats = {}
    for c in columns:
        M = np.where(in_span, 0.0, np.nan)
        vals = cells[c].cast(pl.Float64).to_numpy()  # null (a set-aside source row) -> NaN
        M[rows, cols] = np.clip(vals, 0.0, None)
        mats[c] = _impute_unknown_days(M, in_span)
    # A campaign none of whose days is known (every row set aside) has nothing to forecast from: it is
    # left out, never forecast as a certain zero.
    known = np.logical_and.reduce([~np.isnan(m).all(axis=1) for m in mats.values()]) if mats else None
    if known is not None and not known.all():
        keys = keys.filter(pl.Series(known))
        mats = {c: m[known] for c, m in mats.items()}
    return keys, dates, mats


def _impute_unknown_days(M: np.ndarray, in_span: np.ndarray) -> np.ndarray:
    """A day whose source row was set aside is unknown, not zero: take the same weekday a week earlier,
    else the day before (a missing row, by contrast, is already a real zero). A stretch too long to
    impute leaves the series unknown up to its end: the series starts after it, as a younger campaign's
    would (zeros there made a campaign whose every row was set aside a certain zero forecast)."""
    out = M.copy()
    for lag in (7, 1):
        for _ in range(3):  # a few passes cover short runs of unknown days
            hole = np.isnan(out) & in_span
            if not hole.any():
                return out
            shifted = np.full_like(out, np.nan)
            shifted[:, lag:] = out[:, :-lag]
            out = np.where(hole, shifted, out)
    hole = np.isnan(out) & in_span
    T = out.shape[1]
    last_hole = np.where(hole.any(axis=1), T - 1 - np.argmax(hole[:, ::-1], axis=1), -1)
    out[np.arange(T)[None, :] <= last_hole[:, None]] = np.nan
    return out


@dataclass(frozen=True)
class FleetCalibration:
    """A forecast run's calibration of spend and leads (`matrix.Calibration`) and of CPL at `level`
    (`cpl_log_bounds`), with the method it was made for: what a run of a few accounts on the same days
    borrows from the fleet's run, so that its intervals are the ones the fleet run gave its campaigns.
    JSON for storage."""

    n_series: int
    level: float
    method: str
    metrics: dict[str, Calibration]  # "spend", "leads"
    cpl: np.ndarray  # (classes, 2)

    def lends_to(self, n: int, method: str, horizon: int, level: float) -> bool:
        """`Calibration.lends_to` for a run of `n` campaigns, of the same method and level."""
        return (
            method == self.method
            and level == self.level
            and all(c.lends_to(n, horizon) for c in self.metrics.values())
        )

    def to_json(self) -> dict:
        def pair(lo_hi: tuple[np.ndarray, np.ndarray]) -> list[list[float | str | None]]:
            return [_json_floats(a) for a in lo_hi]

        return {
            "n_series": self.n_series,
            "level": self.level,
            "method": self.method,
            "cpl": [_json_floats(row) for row in self.cpl],
            "metrics": {
                name: {
                    "n_series": c.n_series,
                    "depth": c.depth,
                    "horizon": c.horizon,
                    "pooled": [[m, lv, pair(b)] for (m, lv), b in c.pooled.items()],
                    "young": [[lv, pair(b)] for lv, b in c.young.items()],
                }
                for name, c in self.metrics.items()
            },
        }

    @classmethod
    def from_json(cls, doc: dict) -> FleetCalibration:
        """The stored form back; ValueError when it is not one (a hand-edited or truncated row)."""
        try:
            cal = cls._from_json(doc)
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise ValueError(f"not a stored forecast calibration: {exc!r}") from exc
        h = {c.horizon for c in cal.metrics.values()}
        sizes = {
            a.size for c in cal.metrics.values() for b in (*c.pooled.values(), *c.young.values()) for a in b
        }
        classes = (len(CPL_LEAD_CLASSES) + 1, 2)
        if set(cal.metrics) != {"spend", "leads"} or len(h) != 1 or sizes - h or cal.cpl.shape != classes:
            raise ValueError("not a stored forecast calibration: its arrays do not match its horizon")
        return cal

    @classmethod
    def _from_json(cls, doc: dict) -> FleetCalibration:
        def pair(v: list[list[float | str | None]]) -> tuple[np.ndarray, np.ndarray]:
            return _floats(v[0]), _floats(v[1])

        metrics = {
            name: Calibration(
                int(c["n_series"]),
                int(c["depth"]),
                int(c["horizon"]),
                {(str(m), float(lv)): pair(b) for m, lv, b in c["pooled"]},
                {float(lv): pair(b) for lv, b in c["young"]},
            )
            for name, c in doc["metrics"].items()
        }
        cpl = np.array([_floats(row) for row in doc["cpl"]], dtype=float).reshape(-1, 2)
        return cls(int(doc["n_series"]), float(doc["level"]), str(doc["method"]), metrics, cpl)


def _json_floats(values: np.ndarray) -> list[float | str | None]:
    """JSON (and Postgres' jsonb) has no NaN or infinity: NaN (a CPL class without enough errors) is null,
    an infinite bound (log CPL ratio of a day with a lead and no spend) the string "inf" or "-inf"."""
    return [float(v) if np.isfinite(v) else (None if np.isnan(v) else str(float(v))) for v in values]


def _floats(values: list[float | str | None]) -> np.ndarray:
    return np.array([np.nan if v is None else float(v) for v in values], dtype=float)


def _wider(level: float) -> float:
    return 1.0 - (1.0 - level) / 2.0


def forecast_fleet(
    daily: pl.DataFrame,
    as_of: dt.date,
    horizon: int = 7,
    method: str = "auto",
    *,
    level: float = LEVEL,
    respect_status: bool = True,
    max_history: int = MAX_HISTORY,
    lent: FleetCalibration | None = None,
) -> pl.DataFrame:
    """One row per (config_id, entity_id, metric, target_date) for spend, leads and CPL: the frames of
    `forecast_fleet_parts` (`lent`: the calibration it may borrow), concatenated.

    Only days <= as_of are read. Business rules on top of the statistical forecast:
    - a campaign that `vocab.is_inactive` calls inactive at as_of (status or effective_status: a paused
      ad set delivers nothing either) is forecast to deliver nothing (0, bounds [0, 0], method
      "inactive"), and so is one that spent nothing on each of its last IDLE_DAYS days (method "idle"),
      unless `respect_status` is False;
    - no lead is forecast on a day with no spend forecast (point) or possible (upper bound);
    - spend (point and bounds) is capped at 1.25 x the daily budget when the campaign has one.
    CPL rows come from `derive_cpl`; a day with neither expected spend nor leads has no CPL row.
    """
    parts = list(
        forecast_fleet_parts(
            daily,
            as_of,
            horizon,
            method,
            level=level,
            respect_status=respect_status,
            max_history=max_history,
            lent=lent,
        )
    )
    return pl.concat(parts) if parts else pl.DataFrame(schema=OUTPUT_SCHEMA)


def forecast_fleet_parts(
    daily: pl.DataFrame,
    as_of: dt.date,
    horizon: int = 7,
    method: str = "auto",
    *,
    level: float = LEVEL,
    respect_status: bool = True,
    max_history: int = MAX_HISTORY,
    lent: FleetCalibration | None = None,
    made: list[FleetCalibration] | None = None,
) -> Iterator[pl.DataFrame]:
    """`forecast_fleet`'s rows one metric at a time (spend, leads, then CPL), each frame as soon as it is
    computed, so that a caller can write one metric while the next is computed. Nothing for an empty
    frame.

    `lent`: a larger run's calibration (a one-account run borrows the fleet's), used when
    `FleetCalibration.lends_to` says so. `made`: the calibration
    used is appended to it once the frames are out (lent or this run's own), for the caller to store."""
    keys, _, mats = fleet_matrix(daily, as_of, ["spend", "leads"], max_history)
    n = keys.height
    if n == 0:
        return
    stopped = keys.select(is_inactive()).to_series().to_numpy()
    idle = _idle(mats["spend"])
    inactive = stopped | idle if respect_status else np.zeros(n, dtype=bool)
    off_method = np.where(stopped, "inactive", "idle")
    budget = keys["daily_budget"].fill_null(np.nan).to_numpy().astype(float)
    cap = np.where(np.isfinite(budget) & (budget > 0), BUDGET_OVERSPEND * budget, np.inf)[:, None]
    dates = [as_of + dt.timedelta(days=j) for j in range(1, horizon + 1)]
    fc: dict[str, MatrixForecast] = {}
    wide: dict[str, MatrixForecast] = {}
    if lent is not None and not lent.lends_to(n, method, horizon, level):
        lent = None
    used: dict[str, Calibration] = {}
    for metric in ("spend", "leads"):
        res, used[metric] = forecast_matrix_calibrated(
            mats[metric],
            horizon,
            (method,),
            (level, _wider(level)),
            lent=lent.metrics.get(metric) if lent is not None else None,
        )
        metric_cap = cap if metric == "spend" else None
        spend = (fc["spend"], wide["spend"]) if metric == "leads" else (None, None)
        fc[metric] = _apply_rules(res[(method, level)], inactive, off_method, metric_cap, spend[0])
        wide[metric] = _apply_rules(res[(method, _wider(level))], inactive, off_method, metric_cap, spend[1])
        f = fc[metric]
        yield _long_frame(keys, dates, metric, f.point, f.lower, f.upper, f.method, f.insufficient).cast(
            OUTPUT_SCHEMA  # type: ignore[arg-type]
        )
    log_bounds = lent.cpl if lent is not None else cpl_log_bounds(fc["spend"], fc["leads"], level)
    cpl = derive_cpl(fc["spend"], fc["leads"], wide["spend"], wide["leads"], level, log_bounds)
    cpl_method = np.char.add(np.char.add(np.char.add("cpl:", fc["spend"].method), "/"), fc["leads"].method)
    yield _long_frame(
        keys,
        dates,
        "cpl",
        cpl.point,
        cpl.lower,
        cpl.upper,
        cpl_method,
        fc["spend"].insufficient | fc["leads"].insufficient,
        cpl.low_volume,
        cpl.defined,
    ).cast(OUTPUT_SCHEMA)  # type: ignore[arg-type]
    if made is not None:
        made.append(lent if lent is not None else FleetCalibration(n, level, method, used, log_bounds))


IDLE_DAYS = 3  # a campaign that delivered nothing on each of its last 3 days is forecast to deliver nothing


def _idle(spend: np.ndarray) -> np.ndarray:
    """[campaign] True where the last IDLE_DAYS days are all recorded at zero spend (ACTIVE but not
    delivering: the delivery stop ZERO_SPEND alerts on). On the synthetic fleet a zero forecast beats the
    statistical one over the next 7 days (`benchmarks/forecast_idle_rule.py`, seed 3, 571 cases: spend MAE
    122 against 131, leads 7.9 against 10.2; seed 7: 110 against 115, 6.0 against 8.0)."""
    last = spend[:, -IDLE_DAYS:]
    return (last.shape[1] == IDLE_DAYS) & np.all(last == 0.0, axis=1)


def _apply_rules(
    fc: MatrixForecast,
    off: np.ndarray,
    off_method: np.ndarray,
    cap: np.ndarray | None,
    spend: MatrixForecast | None = None,
) -> MatrixForecast:
    """The business rules on a metric's forecast: spend capped (`cap`), nothing for a campaign `off`
    (inactive or idle, said in its method), and, given the spend's forecast, no lead where no spend is
    expected (its point) or possible (its upper bound)."""
    point, lower, upper = fc.point.copy(), fc.lower.copy(), fc.upper.copy()
    if cap is not None:
        point, lower, upper = np.minimum(point, cap), np.minimum(lower, cap), np.minimum(upper, cap)
    if spend is not None:
        no_spend = spend.point == 0.0
        point[no_spend], lower[no_spend] = 0.0, 0.0
        upper[spend.upper == 0.0] = 0.0
    point[off], lower[off], upper[off] = 0.0, 0.0, 0.0
    method = np.where(off, off_method, fc.method)
    return replace(fc, point=point, lower=lower, upper=upper, method=method)


def _long_frame(
    keys: pl.DataFrame,
    dates: list[dt.date],
    metric: str,
    point: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    method: np.ndarray,
    insufficient: np.ndarray,
    low_volume: np.ndarray | None = None,
    keep: np.ndarray | None = None,
) -> pl.DataFrame:
    n, h = point.shape
    frame = pl.DataFrame(
        {
            "config_id": np.repeat(keys["config_id"].to_numpy(), h),
            "entity_id": np.repeat(keys["campaign_id"].to_numpy(), h),
            "metric": [metric] * (n * h),
            "target_date": pl.Series(dates * n, dtype=pl.Date),
            "horizon_day": np.tile(np.arange(1, h + 1, dtype=np.int32), n),
            "predicted_value": point.ravel(),
            "confidence_lower": lower.ravel(),
            "confidence_upper": upper.ravel(),
            "method": np.repeat(method, h),
            "insufficient_data": np.repeat(insufficient, h),
            "low_volume": (low_volume if low_volume is not None else np.zeros((n, h), bool)).ravel(),
        }
    )
    return frame.filter(pl.Series(keep.ravel())) if keep is not None else frame
