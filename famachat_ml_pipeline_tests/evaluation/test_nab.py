from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from famachat_ml_pipeline.cli import main
from famachat_ml_pipeline.evaluation import nab_loco, nab_methods
from famachat_ml_pipeline.evaluation.nab import (
    FileScore,
    NabDataError,
    NabSeries,
    Totals,
    data_notes,
    listing_notes,
    load_nab,
    probation_rows,
    scaled_sigmoid,
    score_file,
)
from famachat_ml_pipeline.evaluation.nab_loco import (
    best_choice,
    curve_runs,
    evaluate_nab,
    fewest_false_at_hits,
    fewest_false_by_hits,
    format_report,
)
from famachat_ml_pipeline.evaluation.nab_methods import alerts, windowed_gaussian_score

START = np.datetime64("2024-01-01T00:00:00", "us")
HOUR = np.timedelta64(3600, "s")


def _ts(i: int) -> str:
    return str((START + i * HOUR).astype("datetime64[s]")).replace("T", " ")


def _write(root: Path, name: str, values: np.ndarray) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    pl.DataFrame({"timestamp": [_ts(i) for i in range(len(values))], "value": values}).write_csv(path)


@pytest.fixture()
def nab_folder(tmp_path: Path) -> Path:
    """480 hourly points (period 24) with a daily swing of +-10 and noise 0.5.

    - sample 300: +40, outside every window: a false positive for any detector;
    - sample 400: +8, inside window 395-410: small against the swing, large against the seasonal residual;
    - window 440-450: nothing happens, so it is missed;
    - window 30-40: inside the 15 % warm-up (72 samples), so it is not scored.
    A second file is flat noise with one obvious spike inside its only window; a third is listed but absent.
    """
    t = np.arange(480)
    rng = np.random.default_rng(11)
    a = 10 * np.sin(2 * np.pi * t / 24) + rng.normal(0, 0.5, len(t)) + 50
    a[300] += 40
    a[400] += 8
    b = 50 + rng.normal(0, 0.5, len(t))
    b[350] += 30
    _write(tmp_path, "sub/a.csv", a)
    _write(tmp_path, "other/b.csv", b)
    windows = {
        "sub/a.csv": [[_ts(30), _ts(40)], [_ts(395), _ts(410)], [_ts(440), _ts(450)]],
        "other/b.csv": [[_ts(345), _ts(360)]],
        "sub/missing.csv": [[_ts(1), _ts(2)]],
    }
    (tmp_path / "combined_windows.json").write_text(json.dumps(windows))
    return tmp_path


def test_load_nab_reads_listed_files(nab_folder: Path):
    data = load_nab(nab_folder)
    assert [s.name for s in data] == ["other/b.csv", "sub/a.csv"]
    assert [s.category for s in data] == ["other", "sub"]
    assert len(data[1].values) == 480
    assert data[1].interval_seconds == 3600.0
    assert len(data[1].windows) == 3


def _series(windows: list[tuple[int, int]], n: int = 100) -> NabSeries:
    ts = START + np.arange(n) * HOUR
    return NabSeries("cat/x.csv", ts, np.zeros(n), [(ts[a], ts[b]) for a, b in windows])


def _at(*rows: int, n: int = 100) -> np.ndarray:
    out = np.zeros(n, dtype=bool)
    out[list(rows)] = True
    return out


def test_scaled_sigmoid_matches_nab_docstring_values():
    # nab/sweeper.py: -1 -> 0.98661, -0.5 -> 0.84828, 0 -> 0, 1 -> -0.98661, >= 3 -> -1
    got = scaled_sigmoid(np.array([-1.0, -0.5, 0.0, 1.0, 3.0, 7.0]))
    assert got == pytest.approx([0.98661, 0.84828, 0.0, -0.98661, -1.0, -1.0], abs=1e-5)


def test_probationary_period_is_15_percent_capped_at_750_rows():
    assert probation_rows(100) == 15
    assert probation_rows(4032) == 604
    assert probation_rows(22695) == 750


def test_hand_computed_nab_score():
    """100 rows, probation 15 rows, one window over rows 40..49 (width 10). Detections:
    - row 10: probationary, ignored;
    - row 30: before any window: A_FP * sigma(3) = -0.11;
    - row 42: first in the window: y = -(49 - 42 + 1) / 10 = -0.8, sigma = 2/(1+e^-4) - 1 = 0.9640276,
      scaled by A_TP / sigma(-1) = 1 / 0.9866143: +0.9771068;
    - row 45: a second detection in the same window adds nothing;
    - row 55: 6 rows past the right edge, y = 6 / (10 - 1) = 0.6667, sigma = 2/(1+e^3.3333) - 1 = -0.9311096,
      times A_FP 0.11: -0.1024221;
    - row 90: y = 41 / 9 > 3: -0.11.
    raw = 0.9771068 - 0.11 - 0.1024221 - 0.11 = 0.6546848; null -1, perfect +1: 100 * 1.6546848 / 2 = 82.734.
    """
    f = score_file(_series([(40, 49)]), _at(10, 30, 42, 45, 55, 90))
    assert f.raw == pytest.approx(0.6546848, abs=1e-6)
    assert (f.windows, f.hits, f.missed, f.false_alerts) == (1, 1, 0, 3)
    assert Totals.of([f]).score == pytest.approx(82.734, abs=1e-3)


def test_missed_window_and_window_inside_probation():
    # window 2..8 lies inside the 15-row probation: not counted; window 60..69 missed: A_FN = -1
    f = score_file(_series([(2, 8), (60, 69)]), _at(5))
    assert (f.raw, f.null, f.perfect, f.windows, f.hits, f.false_alerts) == (-1.0, -1.0, 1.0, 1, 0, 0)
    assert Totals.of([f]).score == 0.0  # the null detector's score
    # a detection on a window's left edge is the perfect detector's
    assert Totals.of([score_file(_series([(60, 69)]), _at(60))]).score == pytest.approx(100.0)
    # files without windows have no normalised score, only their false alerts' cost
    empty = Totals.of([score_file(_series([]), _at(20, 50))])
    assert np.isnan(empty.score) and empty.raw == pytest.approx(-0.22) and empty.false_alerts == 2


def test_alert_handling_is_one_detection_per_held_alert():
    score = np.zeros(40)
    score[[5, 6, 7, 10, 30]] = 2.0
    det = alerts(score, 1.0, hold=4)  # 5-7 and 10 (within 4 rows of 7) are one alert; 30 is another
    assert np.flatnonzero(det).tolist() == [5, 30]
    assert np.flatnonzero(alerts(score, 1.0, hold=1)).tolist() == [5, 10, 30]


def test_windowed_gaussian_is_a_faithful_port():
    """Same |z| as a direct transcription of NAB's windowedGaussian_detector (window of 1000 values, mean
    and population std before the new value is added, std 0 -> 1e-6)."""
    rng = np.random.default_rng(4)
    x = np.concatenate([rng.normal(5, 2, 1200), np.full(5, 3.0)])
    window: list[float] = []
    expected = []
    mean, std = 0.0, 1.0
    for v in x:
        expected.append(abs(v - mean) / std if window else 0.0)
        window = (window + [v])[-1000:]
        mean, std = float(np.mean(window)), float(np.std(window)) or 1e-6
    assert windowed_gaussian_score(x, 24) == pytest.approx(np.array(expected), rel=1e-6, abs=1e-6)


def test_every_method_scores_causally():
    """Changing the future never changes the past scores (IsolationForest only learns in probation)."""
    rng = np.random.default_rng(8)
    x = 10 + np.sin(np.arange(600) * 2 * np.pi / 24) + rng.normal(0, 0.3, 600)
    y = x.copy()
    y[500:] += 50
    for m in (*nab_methods.METHODS, nab_methods.FORMER):
        sx, sy = m.score(x, 24), m.score(y, 24)
        assert sx.shape == (len(m.settings), 600), m.name
        assert sx[:, :500] == pytest.approx(sy[:, :500]), m.name


def _fs(name: str, raw: float) -> FileScore:
    return FileScore(name, raw=raw, null=-1.0, perfect=1.0, windows=1, hits=int(raw > 0), false_alerts=0)


def test_best_choice_picks_setting_and_threshold_together():
    # [setting][threshold]: setting 1 at threshold 0 is best pooled, though file a alone prefers setting 0
    a = [[_fs("c/a", 0.9), _fs("c/a", 0.1)], [_fs("c/a", 0.2), _fs("c/a", -1.0)]]
    b = [[_fs("c/b", -1.0), _fs("c/b", -1.0)], [_fs("c/b", 0.8), _fs("c/b", 0.8)]]
    assert best_choice([a]) == (0, 0)
    assert best_choice([a, b]) == (1, 0)
    # a tie goes to the higher threshold (fewer alerts)
    assert best_choice([b]) == (1, 1)


def test_report_names_each_held_out_setting(nab_folder: Path):
    rows = evaluate_nab(nab_folder)
    ours = [r for r in rows if r.method == "robust" and r.category != "TOTAL"]
    robust = next(m for m in nab_methods.METHODS if m.name == "robust")
    assert all(r.setting in robust.settings for r in ours)
    assert [r.setting for r in rows if r.category == "TOTAL"] == [""] * len(nab_methods.METHODS)


def test_leave_one_category_out_report(nab_folder: Path):
    rows = evaluate_nab(nab_folder)
    methods = [m.name for m in nab_methods.METHODS]
    assert [(r.method, r.category) for r in rows] == [
        (m, c) for m in methods for c in ("other", "sub", "TOTAL")
    ]
    for m in methods:
        held = [r for r in rows if r.method == m]
        total = held[-1].totals
        assert total.windows == 3  # b's window and a's two after the probation (a's first is inside it)
        assert total.hits == held[0].totals.hits + held[1].totals.hits
    ours = {r.category: r.totals for r in rows if r.method == "robust"}
    assert ours["other"].hits == 1 and ours["other"].false_alerts == 0  # b's obvious spike
    report = format_report(rows)
    assert "windowed_gaussian" in report and "TOTAL" in report and "leave one category out" in report


def _t(hits: int, false_alerts: int, raw: float = 0.0) -> Totals:
    return Totals(raw=raw, null=-10.0, perfect=10.0, windows=10, hits=hits, false_alerts=false_alerts)


def test_fewest_false_at_hits_reaches_the_reference_count():
    # thresholds from low to high: hits and false alerts both fall; the curve is not monotone in false alerts
    curve = [_t(9, 50), _t(8, 20), _t(8, 25), _t(6, 4), _t(3, 1)]
    assert fewest_false_at_hits(curve, 8) == 1
    assert fewest_false_at_hits(curve, 6) == 3
    assert fewest_false_at_hits(curve, 10) is None
    # equal false alerts: the better NAB score, then the higher threshold
    assert fewest_false_at_hits([_t(5, 3, raw=1.0), _t(5, 3, raw=2.0), _t(5, 3, raw=2.0)], 5) == 2


def test_the_whole_curve_is_compared_at_every_hit_count():
    # thresholds low to high; a lower threshold need not raise more false alerts (the alert hold merges them)
    ours = [_t(4, 40), _t(3, 9), _t(3, 12), _t(2, 2), _t(0, 0)]
    seed = [_t(5, 30), _t(3, 10), _t(2, 2), _t(1, 0)]
    assert fewest_false_by_hits(ours) == {1: 2, 2: 2, 3: 9, 4: 40}
    assert fewest_false_by_hits(seed) == {1: 0, 2: 2, 3: 10, 4: 30, 5: 30}
    assert fewest_false_by_hits([_t(0, 3)]) == {}
    assert curve_runs(ours, seed) == [
        ("the seed fewer", 1, 1, "2 vs 0"),
        ("equal", 2, 2, "2 vs 2"),
        ("ours fewer", 3, 3, "9 vs 10"),
        ("the seed fewer", 4, 4, "40 vs 30"),
        ("only the seed reaches", 5, 5, "30 false"),
    ]
    assert curve_runs(seed, ours)[-1] == ("only ours reaches", 5, 5, "30 false")
    assert curve_runs([_t(0, 1)], [_t(0, 5)]) == []


def test_report_prints_the_whole_curve_per_category():
    def held(method: str, curve: list[Totals]) -> nab_loco.HeldOut:
        return nab_loco.HeldOut(method, "c", "-", 1.0, curve[0], curve[0], 1.0, tuple(curve))

    rows = [
        held("robust", [_t(6, 20), _t(5, 8), _t(2, 1)]),
        held("seed_zscore", [_t(7, 50), _t(5, 12), _t(2, 4)]),
        held("windowed_gaussian", [_t(5, 30)]),
    ]
    report = format_report(rows).splitlines()
    line = report[report.index(next(x for x in report if x.startswith("The whole curve"))) + 3]
    assert line.split(maxsplit=1) == ["c", "ours fewer 1-6 (20 vs 50); only the seed reaches 7 (50 false)"]


def test_report_reads_every_method_at_the_seed_hits(nab_folder: Path):
    rows = evaluate_nab(nab_folder)
    by = {(r.method, r.category): r for r in rows}
    for cat in ("other", "sub"):
        seed_hits = by["seed_zscore", cat].totals.hits
        for m in nab_methods.METHODS:
            r = by[m.name, cat]
            if r.matched is not None:
                assert r.matched.hits >= seed_hits
                assert r.matched_threshold in m.thresholds
                # the seed reaches its own hit count at no more false alerts than its held-out point
                if m.name == "seed_zscore":
                    assert r.matched.false_alerts <= r.totals.false_alerts
    assert all(r.matched is None for r in rows if r.category == "TOTAL")
    report = format_report(rows)
    assert "At the seed's held-out hit count" in report and "Issue 13's bar for robust" in report


def _periods_seen(values: np.ndarray, period: int) -> np.ndarray:
    """A method that records the period and the length it is given, and flags every finite slot."""
    _SEEN.append((period, len(values)))
    return np.isfinite(values).astype(float)[None, :]


_SEEN: list[tuple[int, int]] = []


def test_methods_see_rows_on_a_time_grid_with_a_one_day_period():
    # 5-minute rows with the night (00:00-08:00) missing: 192 rows a day, a day is still 288 slots
    slot = np.arange(5 * 288)
    keep = slot % 288 >= 96
    ts = np.datetime64("2024-01-01T00:00", "us") + slot[keep] * np.timedelta64(300, "s")
    series = NabSeries("x/night.csv", ts, np.ones(keep.sum()), [(ts[384], ts[400])])
    method = nab_methods.Method("probe", _periods_seen, ("-",), np.array([0.5]))
    _SEEN.clear()
    (scores,) = nab_loco._grid((method, series))
    assert _SEEN == [(288, 5 * 288 - 96)]
    # a trigger on every row, held a quarter day (72 slots, 6 h): the night (8 h) ends each alert, so the
    # first row of each day (rows 192, 384, 576, 768 after the 144 probation rows) starts a new one
    assert (scores[0].hits, scores[0].false_alerts) == (1, 3)


def _held(method: str, cat: str, hits: int, false: int, matched: tuple[int, int] | None) -> nab_loco.HeldOut:
    t = Totals(float(hits), -10.0, 10.0, 10, hits, false)
    m = None if matched is None else Totals(float(matched[0]), -10.0, 10.0, 10, *matched)
    return nab_loco.HeldOut(method, cat, "-", 1.0, t, m, 1.0 if m else float("nan"))


def test_report_states_the_literal_criterion_with_its_numbers():
    rows = [
        _held("robust", "c", 11, 68, (6, 4)),
        _held("seed_zscore", "c", 4, 9, (4, 9)),
        _held("windowed_gaussian", "c", 5, 14, (4, 12)),
        _held("robust", "d", 26, 64, None),
        _held("seed_zscore", "d", 33, 343, (33, 282)),
        _held("windowed_gaussian", "d", 33, 356, (33, 266)),
        _held("robust", "e", 14, 4, (0, 0)),  # a seed that raises no alert at all
        _held("seed_zscore", "e", 0, 0, (0, 0)),
        _held("windowed_gaussian", "e", 0, 0, (0, 0)),
    ]
    rows += [
        _held("robust", "f", 2, 0, (2, 0)),  # neither raises a false alert
        _held("seed_zscore", "f", 1, 0, (1, 0)),
        _held("windowed_gaussian", "f", 1, 0, (1, 0)),
    ]
    lines = [line for line in format_report(rows).splitlines() if "| literal" in line]
    assert len(lines) == 4
    # fewer false alerts than none is impossible: not applicable when ours raises none either, else failed
    assert "literal no (hits 14 vs 0, false 4 vs 0)" in lines[2] and "matched n/a(0 vs 0 false)" in lines[2]
    assert "literal n/a(hits 2 vs 1, false 0 vs 0)" in lines[3] and "matched n/a(0 vs 0 false)" in lines[3]
    assert "literal no " in lines[0] and "(hits 11 vs 4, false 68 vs 9)" in lines[0]
    assert "matched yes(4 vs 9 false)" in lines[0]
    assert "literal no " in lines[1] and "matched no (ours never reaches 33 hits)" in lines[1]


def test_windowed_gaussian_counts_values_not_slots():
    # NAB's window is the last 1000 values: empty slots of a time grid change nothing for the rows
    rng = np.random.default_rng(5)
    values = rng.normal(0, 1, 1500)
    slots = np.sort(rng.choice(4000, 1500, replace=False))
    placed = np.full(4000, np.nan)
    placed[slots] = values
    on_grid = windowed_gaussian_score(placed, 288)
    assert np.array_equal(on_grid[slots], windowed_gaussian_score(values, 288))
    assert not on_grid[np.setdiff1d(np.arange(4000), slots)].any()


def test_isolation_forest_scores_the_rows_after_a_gap():
    values = np.sin(np.arange(2000) / 20.0) + np.random.default_rng(2).normal(0, 0.1, 2000)
    score = nab_methods.isolation_forest_score(values, 288)
    assert np.isfinite(score).all() and (score[300:] > 0).all()
    gappy = values.copy()
    gappy[1000:1100] = np.nan  # an outage: its slots score 0, the rows after it are still scored
    score = nab_methods.isolation_forest_score(gappy, 288)
    assert not score[1000:1100].any() and (score[1100:] > 0).all()


def _one_category(root: Path, category: str, spike_at: int = 350) -> Path:
    """A folder holding one category, with one flat file and an obvious spike inside its window."""
    b = 50 + np.random.default_rng(5).normal(0, 0.5, 480)
    b[spike_at] += 30
    _write(root, f"{category}/b.csv", b)
    windows = {f"{category}/b.csv": [[_ts(spike_at - 5), _ts(spike_at + 10)]]}
    (root / "combined_windows.json").write_text(json.dumps(windows))
    return root


def test_one_category_is_refused_without_a_folder_to_tune_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    new = _one_category(tmp_path / "new", "realNew")
    with pytest.raises(NabDataError, match="only category 'realNew'.*--tune-on"):
        evaluate_nab(new)
    assert main(["evaluate", "anomalies", "--nab", str(new)]) == 2
    out = capsys.readouterr().out.strip()
    assert len(out.splitlines()) == 1 and "--tune-on" in out  # fails before the demo is scored


def test_tune_on_chooses_on_the_other_folder_never_on_the_scored_category(nab_folder: Path, tmp_path: Path):
    methods = nab_methods.METHODS[:2]  # ours and the seed: enough to see the choices
    tune = load_nab(nab_folder)
    grid = nab_loco.score_grid(tune, methods, workers=1)
    new = _one_category(tmp_path / "new", "realNew")
    rows = evaluate_nab(new, methods, tune_on=nab_folder)
    assert [(r.method, r.category) for r in rows] == [
        (m.name, c) for m in methods for c in ("realNew", "TOTAL")
    ]
    for m, r in zip(methods, rows[::2], strict=True):
        k, i = best_choice(grid[m.name])  # a new category: every file of the tuning folder
        assert (r.setting, r.threshold) == (m.settings[k], float(m.thresholds[i]))
    assert rows[0].totals.hits == 1 and rows[0].totals.false_alerts == 0
    # a category the tuning folder has too is left out of its own tuning: "other" is chosen on "sub" only
    same = _one_category(tmp_path / "same", "other")
    rows = evaluate_nab(same, methods, tune_on=nab_folder)
    sub = [g for g, s in zip(grid["robust"], tune, strict=True) if s.category == "sub"]
    k, i = best_choice(sub)
    assert (rows[0].setting, rows[0].threshold) == (methods[0].settings[k], float(methods[0].thresholds[i]))
    assert "chosen on" in format_report(rows, nab_folder) and "never on the files scored" in format_report(
        rows, nab_folder
    )


def test_a_scored_file_is_never_tuned_on_under_another_name(
    nab_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    # other/b.csv copied under a new category name: a name check alone would tune on the file it scores
    new = tmp_path / "new"
    (new / "renamed").mkdir(parents=True)
    shutil.copy(nab_folder / "other/b.csv", new / "renamed/b.csv")
    windows = json.loads((nab_folder / "combined_windows.json").read_text())
    (new / "combined_windows.json").write_text(json.dumps({"renamed/b.csv": windows["other/b.csv"]}))
    _write(new, "renamed/unlisted.csv", np.ones(100))
    data, tune = load_nab(new), load_nab(nab_folder)
    assert nab_loco.tuning_files(data, tune, "renamed") == [s.name == "sub/a.csv" for s in tune]
    methods = nab_methods.METHODS[:2]
    grid = nab_loco.score_grid(tune, methods, workers=1)
    rows = evaluate_nab(data, methods, tune_on=tune)
    for m, r in zip(methods, rows[::2], strict=True):
        k, i = best_choice([g for g, s in zip(grid[m.name], tune, strict=True) if s.name == "sub/a.csv"])
        assert (r.setting, r.threshold) == (m.settings[k], float(m.thresholds[i]))
    assert nab_loco.overlap_notes(data, tune) == [
        "renamed/b.csv and other/b.csv share 100.0% of the smaller one's rows: other/b.csv is not tuned"
        " on for renamed"
    ]
    # a copy inside one folder (its other category) is caught too
    assert [n.split(":")[0] for n in nab_loco.overlap_notes(tune + data, None)] == [
        "other/b.csv and renamed/b.csv share 100.0% of the smaller one's rows",
        "renamed/b.csv and other/b.csv share 100.0% of the smaller one's rows",
    ]
    # a trimmed copy (its last rows cut) is the same file too; a file sharing a few rows is not
    lines = (nab_folder / "other/b.csv").read_text().splitlines()
    (new / "renamed/b.csv").write_text("\n".join(lines[:-40]) + "\n")
    trimmed = load_nab(new)
    assert nab_loco.tuning_files(trimmed, tune, "renamed") == [s.name == "sub/a.csv" for s in tune]
    few = [replace(s, values=s.values + np.where(np.arange(len(s.values)) < 100, 0.0, 1.0)) for s in trimmed]
    assert nab_loco.tuning_files(few, tune, "renamed") == [True, True]
    # and the command names what it scored, what it could not, and what it did not tune on
    assert (
        main(["evaluate", "anomalies", "--accounts", "1", "--nab", str(new), "--tune-on", str(nab_folder)])
        == 0
    )
    out = capsys.readouterr().out
    assert "1 files scored in 1 categories" in out
    assert "1 file(s) not in combined_windows.json, not scored: renamed/unlisted.csv" in out
    assert "renamed/b.csv and other/b.csv share 100.0% of the smaller one's rows" in out
    assert listing_notes(nab_folder) == [
        "1 file(s) in combined_windows.json but not in the folder: sub/missing.csv"
    ]


def test_windows_file_in_a_labels_folder_and_clear_errors(nab_folder: Path, tmp_path: Path):
    # the NAB repository's layout: data/<category>/*.csv beside labels/combined_windows.json
    data, labels = tmp_path / "NAB" / "data", tmp_path / "NAB" / "labels"
    _one_category(data, "realNew")
    labels.mkdir(parents=True)
    (data / "combined_windows.json").rename(labels / "combined_windows.json")
    assert [s.name for s in load_nab(data)] == ["realNew/b.csv"]
    with pytest.raises(NabDataError, match="no combined_windows.json"):
        load_nab(tmp_path / "NAB" / "data" / "realNew")
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "combined_windows.json").write_text(json.dumps({"x/y.csv": []}))
    with pytest.raises(NabDataError, match="none of the 1 files"):
        load_nab(tmp_path / "empty")
    with pytest.raises(NabDataError, match="not a folder"):
        load_nab(tmp_path / "nowhere")


def test_rows_out_of_time_order_are_sorted_and_said(nab_folder: Path, tmp_path: Path):
    sorted_ = load_nab(nab_folder)
    shuffled = tmp_path / "shuffled"
    shutil.copytree(nab_folder, shuffled)
    frame = pl.read_csv(shuffled / "sub/a.csv")
    frame.sample(fraction=1.0, shuffle=True, seed=3).write_csv(shuffled / "sub/a.csv")
    loaded = load_nab(shuffled)
    a = next(s for s in loaded if s.name == "sub/a.csv")
    assert a.reordered and not any(s.reordered for s in sorted_)
    ref = next(s for s in sorted_ if s.name == "sub/a.csv")
    assert (a.timestamps == ref.timestamps).all() and np.array_equal(a.values, ref.values)
    assert data_notes(loaded) == ["sub/a.csv: rows sorted into time order"]
    # scored exactly as the sorted file: every window still counted (searchsorted needs time order)
    methods = nab_methods.METHODS[:1]
    assert evaluate_nab(loaded, methods) == evaluate_nab(sorted_, methods)


def test_bad_rows_windows_outside_and_missing_columns(nab_folder: Path, tmp_path: Path):
    odd = tmp_path / "odd"
    shutil.copytree(nab_folder, odd)
    lines = (odd / "other/b.csv").read_text().splitlines()
    lines[5] = lines[5].split(",")[0] + ",n/a"  # a value that is not a number: a missing row
    lines.insert(7, "yesterday,3.0")  # a timestamp that does not parse: set aside
    (odd / "other/b.csv").write_text("\n".join(lines) + "\n")
    windows = json.loads((odd / "combined_windows.json").read_text())
    windows["other/b.csv"].append(["2013-01-01 00:00:00", "2013-01-02 00:00:00"])  # before the file
    (odd / "combined_windows.json").write_text(json.dumps(windows))
    b = next(s for s in load_nab(odd) if s.name == "other/b.csv")
    assert b.set_aside == 1 and len(b.values) == 480 and np.isnan(b.values[4]) and np.isfinite(b.values[5])
    assert (
        "other/b.csv: 1 rows set aside (timestamp did not parse); 1 values empty or not numbers (read as"
        " missing); 1 of 2 windows outside the file"
    ) in (" | ".join(data_notes(load_nab(odd))))
    (odd / "sub/a.csv").write_text("time,value\n2024-01-01 00:00:00,1\n")
    with pytest.raises(NabDataError, match="sub/a.csv: no column timestamp"):
        load_nab(odd)


def test_the_nab_repository_root_reads_its_data_folder(tmp_path: Path):
    root = tmp_path / "NAB"
    _one_category(root / "data", "realNew")
    (root / "labels").mkdir()
    (root / "data" / "combined_windows.json").rename(root / "labels" / "combined_windows.json")
    assert [s.name for s in load_nab(root)] == [s.name for s in load_nab(root / "data")] == ["realNew/b.csv"]
