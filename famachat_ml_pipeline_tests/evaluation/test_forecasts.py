"""Evaluation library: metrics, the rolling-origin backtest, the CSV loader and the report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from famachat_ml_pipeline.cli import main
from famachat_ml_pipeline.core.forecasting import MAX_HISTORY
from famachat_ml_pipeline.evaluation.forecasts import (
    MIN_TRAIN,
    TUNED_SERIES,
    EvaluationResult,
    _verdict,
    backtest_groups,
    backtest_methods,
    binomial_band,
    block_bootstrap,
    chance_in_accept,
    evaluate_csv,
    evaluate_matrices,
    evaluate_series,
    evaluation_origins,
    format_report,
    format_summary,
    mase_scale,
    series_bootstrap,
    smape,
    summary_table,
    tuning_split,
    versus_best_baseline,
)
from famachat_ml_pipeline.evaluation.series_io import load_daily_csv, read_daily_series
from famachat_ml_pipeline.evaluation.synthetic import synthetic_ad_fleet

PATTERN = np.array([10.0, 12.0, 15.0, 14.0, 11.0, 4.0, 3.0])


def test_metrics_known_values() -> None:
    y = np.tile(PATTERN, 3)[None, :] + np.r_[np.zeros(7), np.ones(7) * 2, np.ones(7) * 4][None, :]
    np.testing.assert_allclose(mase_scale(y), [2.0])  # seasonal naive misses by 2 every day
    assert np.isnan(mase_scale(np.full((1, 20), 5.0)))[0]  # constant: no scale, left out
    np.testing.assert_allclose(
        smape(np.array([0.0, 10.0, 0.0]), np.array([0.0, 30.0, 5.0])), [0.0, 100.0, 200.0]
    )


def test_origins_are_past_and_complete() -> None:
    assert evaluation_origins(100, 7, 3, 7) == [79, 86, 93]
    assert evaluation_origins(30, 7, 5, 1) == []  # needs MIN_TRAIN days of training


def test_backtest_always_has_the_baselines_and_is_exact_on_a_pure_pattern() -> None:
    Y = np.tile(np.tile(PATTERN, 12), (3, 1))
    t = backtest_methods(Y, 7, ["hw", "auto"], n_origins=2)
    assert {"ema", "snaive", "hw", "auto"} == set(t["method"])
    row = {r["method"]: r for r in t.iter_rows(named=True)}
    assert row["snaive"]["mase"] < 1e-9 and row["auto"]["mase"] < 1e-6
    assert row["ema"]["mase"] > 0.1  # the seed EMA cannot follow a weekly pattern


def _write_csv(tmp_path: Path) -> Path:
    # 6-hourly rows over 40 days, a missing day (day 10) and a partial last day (one row)
    start = dt.datetime(2024, 3, 1)
    rows = []
    for d in range(40):
        if d == 10:
            continue
        for q in range(4):
            rows.append((start + dt.timedelta(days=d, hours=6 * q), float(d + 1)))
    rows.append((start + dt.timedelta(days=40), 999.0))
    text = "when,rides,other\n" + "".join(f"{ts:%Y-%m-%d %H:%M:%S},{v},x\n" for ts, v in rows)
    path = tmp_path / "series.csv"
    path.write_text(text)
    return path


def test_loader_aggregates_drops_partial_day_and_fills_gaps(tmp_path: Path) -> None:
    s = load_daily_csv(_write_csv(tmp_path), "when", "rides")
    assert s.columns == ["date", "value", "filled"]
    assert s.height == 40 and s["date"].max() == dt.date(2024, 4, 9)  # partial 41st day dropped
    assert s["value"][0] == 4.0 and s["value"][9] == 40.0
    assert s["filled"].sum() == 1 and s["value"][10] == s["value"][9]  # forward-filled, not zero
    means = load_daily_csv(_write_csv(tmp_path), "when", "rides", agg="mean")
    assert means["value"][0] == 1.0


def test_evaluate_csv_and_report(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    days = pl.date_range(dt.date(2024, 1, 1), dt.date(2024, 3, 10), "1d", eager=True)
    vals = np.tile(PATTERN, 11)[: len(days)] * 3
    pl.DataFrame({"day": days.cast(pl.String), "v": vals}).write_csv(path)
    res = evaluate_csv(path, "day", "v", horizon=7, n_origins=5)
    text = format_report(res)
    for word in ("MASE", "sMAPE", "cov95", "ema", "snaive", "auto", "(baseline)"):
        assert word in text
    table = res.tables["v"]
    assert table.filter(pl.col("method") == "snaive")["mase"].item() < 1e-9


def test_auto_beats_seed_ema_on_a_small_ad_like_fleet_with_honest_coverage() -> None:
    fleet = synthetic_ad_fleet(300, 100, seed=11)
    res = evaluate_matrices({"spend": fleet.spend, "leads": fleet.leads}, 7, n_origins=2)
    for metric, table in res.tables.items():
        row = {r["method"]: r for r in table.iter_rows(named=True)}
        assert row["auto"]["mase"] < row["ema"]["mase"], metric
        assert 0.90 <= row["auto"]["coverage"] <= 0.98, metric
    assert any("all finite: True" in n for n in res.notes)


def test_the_pooled_row_is_the_backtest_over_every_forecast_of_all_series() -> None:
    rng = np.random.default_rng(6)
    long_, short = rng.gamma(3.0, 5.0, 90), rng.gamma(3.0, 50.0, 50)
    Y = np.vstack([long_, np.r_[np.full(40, np.nan), short]])
    groups = {"a": np.array([0]), "b": np.array([1]), "all": np.array([0, 1])}
    tabs = backtest_groups(Y, groups, 7, ("auto",), n_origins=100, step=1, min_history=28)
    both = {r["method"]: r for r in tabs["all"].iter_rows(named=True)}
    result = EvaluationResult("t", 7, {"a": tabs["a"], "b": tabs["b"]}, [])
    pooled = next(ln for ln in format_summary(result).splitlines() if ln.startswith("pooled"))
    cells = pooled.split()[4:]  # after "pooled (every forecast)" and the points
    assert int(pooled.split()[3]) == both["auto"]["n_points"]
    for k, m in enumerate(("auto", "autoets", "snaive", "ema")):
        if m in both:
            assert float(cells[2 * k]) == round(both[m]["mase"], 3), m
            assert float(cells[2 * k + 1]) == round(both[m]["coverage"], 3), m


def test_binomial_band_and_verdict_read_a_short_series_honestly() -> None:
    lo, hi = binomial_band(26)  # a short NAB tweet series: ~26 distinct target days
    assert lo < 0.93 and hi == 1.0  # 1.000 on 26 days is consistent with a correct 95 % interval
    lo2, hi2 = binomial_band(2000)
    assert 0.93 < lo2 < 0.95 < hi2 < 0.97
    assert _verdict(0.95, (lo2, hi2)) == "in"
    assert _verdict(1.0, (lo, hi)) == "ok~" and _verdict(1.0, (lo2, hi2)) == "HIGH"
    assert _verdict(0.90, (lo2, hi2)) == "LOW"


def test_the_chance_of_landing_in_range_is_that_of_a_correct_interval_on_so_few_days() -> None:
    # on 26 days only 25 covered lands in [0.93, 0.97] (24/26 = 0.923, 26/26 = 1)
    assert chance_in_accept(26) == pytest.approx(26 * 0.05 * 0.95**25)
    assert chance_in_accept(2000) > 0.99
    assert chance_in_accept(20) == pytest.approx(20 * 0.05 * 0.95**19)  # only 19/20 = 0.95
    assert np.isnan(chance_in_accept(0))


def test_the_split_names_the_tuned_series_and_holds_out_any_other() -> None:
    shared = sorted(
        [
            *(f"realKnownCause/{n}" for n in ("ambient_temperature_system_failure", "nyc_taxi")),
            *(
                f"realKnownCause/{n}"
                for n in ("machine_temperature_system_failure", "cpu_utilization_asg_misconfiguration")
            ),
            *(f"realTraffic/TravelTime_{n}" for n in ("387", "451")),
            *(
                f"realTweets/Twitter_volume_{t}"
                for t in ("AAPL", "AMZN", "CRM", "CVS", "FB", "GOOG", "IBM", "KO", "PFE", "UPS")
            ),
        ]
    )
    roles = tuning_split(shared)
    # the split the settings were chosen on: every other one of the shared folder's 16, in name order
    assert {n for i, n in enumerate(shared) if i % 2 == 0} == TUNED_SERIES
    assert {n for n, r in roles.items() if r == "tune"} == TUNED_SERIES
    # a series of another folder was never looked at, whatever its position
    assert tuning_split(["realAdExchange/a", "realTraffic/TravelTime_387"]) == {
        "realAdExchange/a": "held",
        "realTraffic/TravelTime_387": "tune",
    }


def _nab_csv(path: Path, days: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    t0 = dt.datetime(2015, 3, 1)
    noise = rng.gamma(2.0, 3.0, 4 * days)
    rows = [
        f"{t0 + dt.timedelta(hours=6 * k):%Y-%m-%d %H:%M:%S},{PATTERN[(k // 4) % 7] * 10 + noise[k]:.3f}"
        for k in range(4 * days)
    ]
    path.write_text("timestamp,value\n" + "\n".join(rows) + "\n")


def test_evaluate_forecasts_nab_daily_prints_the_coverage_verdict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for i, days in enumerate((90, 70, 60)):
        _nab_csv(tmp_path / "realX" / f"s{i}.csv", days, i)
    assert main(["evaluate", "forecasts", "--nab-daily", str(tmp_path), "--no-autoets"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    head = next(ln for ln in lines if ln.startswith("series"))
    for col in ("set", "cov all", "days", "band95", "verdict"):
        assert col in head
    row = next(ln for ln in lines if ln.startswith("realX/s1"))
    cells = row.split()
    assert cells[1] == "held" and cells[-1] in ("in", "ok~", "LOW", "HIGH")
    cov, days, band = float(cells[-4]), int(cells[-3]), cells[-2]
    # 70 days: origins 28..63 scored, targets 28..69: 42 distinct days
    assert days == 42 and 0.0 < cov <= 1.0
    assert band == "{:.3f}-{:.3f}".format(*binomial_band(42))
    # none of these series was looked at when the calibration settings were chosen
    assert "set held: 3 series" in out and "set tune" not in out
    assert (
        "chosen on (tune): none of these; 8 shared/data/nab series and the demo fleet; held out: s0, s1, s2"
        in out
    )


def test_block_bootstrap_brackets_the_mean_of_correlated_differences() -> None:
    rng = np.random.default_rng(3)
    shared = np.repeat(rng.normal(0, 0.2, 8), 7)  # a week of origins shares its error
    d = 0.5 + shared + rng.normal(0, 0.05, shared.size)
    lo, hi = block_bootstrap(d)
    assert lo < d.mean() < hi and lo > 0.0  # clearly positive
    assert hi - lo > 2 * 1.96 * d.std() / np.sqrt(d.size)  # wider than the iid interval would be
    assert np.isnan(block_bootstrap(np.ones(6))).all()  # fewer values than one block


def test_versus_best_baseline_pairs_origins_and_picks_the_better_baseline() -> None:
    keys = [5_000_000 + o for o in range(40, 60)]
    ours = np.linspace(1.0, 1.2, 20)
    by = {
        "auto": {"mase_keys": keys, "mase_each": ours.tolist()},
        "snaive": {"mase_keys": keys, "mase_each": (ours - 0.3).tolist()},
        # AutoETS failed at the first 5 origins: compared only where every method has a value
        "autoets": {"mase_keys": keys[5:], "mase_each": (ours[5:] - 0.1).tolist()},
    }
    v = versus_best_baseline(by)
    assert v["best_base"] == "snaive"
    assert v["vs_best"] == pytest.approx(0.3)
    assert v["vs_best_lo"] == pytest.approx(0.3) == v["vs_best_hi"]  # a constant difference
    by["snaive"]["mase_each"] = (ours + 0.3).tolist()
    v = versus_best_baseline(by)
    assert v["best_base"] == "autoets" and v["vs_best"] == pytest.approx(0.1)
    two_series = {m: {"mase_keys": [1_000_040, 2_000_040], "mase_each": [1.0, 1.0]} for m in by}
    v = versus_best_baseline(two_series)
    assert v["vs_best"] == 0.0 and np.isnan(v["vs_best_lo"])  # two series are too few to resample


def test_a_fleet_gets_an_interval_that_resamples_whole_series() -> None:
    rng = np.random.default_rng(5)
    n, origins = 40, 28
    keys = [s * 1_000_000 + o for s in range(n) for o in range(origins)]
    # each series' difference is its own constant: its 28 origins are one observation, not 28
    per_series = np.repeat(0.05 + rng.normal(0, 0.2, n), origins)
    d = per_series + rng.normal(0, 0.01, per_series.size)
    ours = 1.0 + d
    by = {
        "auto": {"mase_keys": keys, "mase_each": ours.tolist()},
        "autoets": {"mase_keys": keys, "mase_each": np.ones(len(keys)).tolist()},
        "snaive": {"mase_keys": keys, "mase_each": np.full(len(keys), 2.0).tolist()},
    }
    v = versus_best_baseline(by)
    assert v["best_base"] == "autoets" and v["vs_best"] == pytest.approx(d.mean())
    lo, hi = v["vs_best_lo"], v["vs_best_hi"]
    assert lo < d.mean() < hi
    iid = 1.96 * d.std() / np.sqrt(d.size)
    assert hi - lo > 3 * 2 * iid  # about sqrt(28) times the interval of independent origins
    assert lo < 0.0 < hi  # 40 series of sd 0.2 cannot tell a mean of 0.05 from 0
    assert np.isfinite(series_bootstrap(d[: 10 * origins], np.repeat(np.arange(10), origins))).all()
    assert np.isnan(series_bootstrap(d[: 9 * origins], np.repeat(np.arange(9), origins))).all()


def test_the_summary_prints_ours_minus_the_better_baseline_per_series() -> None:
    rng = np.random.default_rng(4)
    series = np.tile(PATTERN, 14) * rng.gamma(20.0, 0.05, 98)
    tabs = backtest_groups(series[None, :], {"s": np.array([0])}, 7, ("auto",), n_origins=100, step=1)
    row = {r["method"]: r for r in tabs["s"].iter_rows(named=True)}
    summary = summary_table(EvaluationResult("t", 7, tabs, [])).row(0, named=True)
    # no AutoETS here: the baseline is the seasonal naive, scored at the same origins as ours
    assert summary["best_base"] == "snaive"
    assert summary["vs_best"] == pytest.approx(row["auto"]["mase"] - row["snaive"]["mase"])
    assert summary["vs_best_lo"] < summary["vs_best"] < summary["vs_best_hi"]
    line = format_summary(EvaluationResult("t", 7, tabs, [])).splitlines()[1]
    assert f"{summary['vs_best']:+.3f} vs snaive [" in line


def test_forecasts_of_filled_days_are_not_scored_and_the_scale_skips_them(tmp_path: Path) -> None:
    days = [dt.date(2024, 1, 1) + dt.timedelta(days=i) for i in range(100)]
    values = [None if 60 <= i < 65 else float(10 + (i % 7) * 3 + i % 3) for i in range(100)]
    csv = tmp_path / "gaps.csv"
    pl.DataFrame({"day": days, "v": values}).write_csv(csv)
    series = read_daily_series(csv, "day", "v")
    assert series.empty_values == 5 and series.frame["filled"].sum() == 5
    table = evaluate_series(series, autoets=False)
    auto = table.filter(pl.col("method") == "auto").row(0, named=True)
    origins = 100 - 7 - MIN_TRAIN + 1  # every origin with 28 days of history and a full horizon
    # the origins whose 7 target days include one of days 60-64 (origins 54..64) are left out
    assert auto["n_origins"] == origins and auto["n_series_origins"] == origins - 11
    assert auto["n_points"] == (origins - 11) * 7


def test_a_history_that_never_changed_says_why_it_has_no_mase_and_warns_nothing(tmp_path: Path) -> None:
    # flat for 45 days, then moving: the origins whose whole history is flat have no MASE scale
    # (a series flat throughout is refused: test_series_io)
    import warnings

    csv = tmp_path / "flat_then_moving.csv"
    days = [dt.date(2024, 1, 1) + dt.timedelta(days=i) for i in range(60)]
    pl.DataFrame({"day": days, "v": [100.0] * 45 + [107.0 + 7 * (i % 3) for i in range(15)]}).write_csv(csv)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's "Mean of empty slice" used to reach stderr
        result = evaluate_csv(csv, "day", "v", autoets=False)
    flat_origins = 45 - MIN_TRAIN + 1  # origins MIN_TRAIN..45 see only the flat days
    assert (
        f"{flat_origins} forecasts without a MASE: the history before their origin never changed"
        in " ".join(result.notes)
    )


def test_the_progress_hook_counts_every_origin(tmp_path: Path) -> None:
    csv = tmp_path / "s.csv"
    days = [dt.date(2024, 1, 1) + dt.timedelta(days=i) for i in range(50)]
    pl.DataFrame({"day": days, "v": [float(10 + i % 7) for i in range(50)]}).write_csv(csv)
    calls: list[tuple[int, int]] = []
    evaluate_csv(csv, "day", "v", autoets=False, progress=lambda done, total: calls.append((done, total)))
    origins = 50 - 7 - MIN_TRAIN + 1
    assert calls == [(k, origins) for k in range(origins + 1)]  # before each origin, then done


def test_ours_is_scored_on_the_days_production_reads_the_baselines_on_all() -> None:
    """Days older than MAX_HISTORY before every origin do not move ours (production never reads them);
    they still move AutoETS and the MASE scale."""
    rng = np.random.default_rng(9)
    recent = 40.0 + np.tile(PATTERN, 40)[:250] * rng.lognormal(0.0, 0.1, 250)
    origins_span = 250 - 7 - 2 - MAX_HISTORY  # the first of the last 3 origins, minus the window
    old_a, old_b = np.full(origins_span, 5.0), 400.0 + rng.normal(0.0, 50.0, origins_span)
    tabs = [
        backtest_groups(
            np.r_[old, recent[origins_span:]][None, :],
            {"s": np.array([0])},
            7,
            ("auto",),
            n_origins=3,
            step=1,
            autoets_series=1,
        )["s"]
        for old in (old_a, old_b)
    ]
    row = [{r["method"]: r for r in t.iter_rows(named=True)} for t in tabs]
    assert row[0]["auto"]["smape"] == row[1]["auto"]["smape"]
    assert row[0]["auto"]["coverage"] == row[1]["auto"]["coverage"]
    assert row[0]["autoets"]["smape"] != row[1]["autoets"]["smape"]
    assert row[0]["auto"]["mase"] != row[1]["auto"]["mase"]
