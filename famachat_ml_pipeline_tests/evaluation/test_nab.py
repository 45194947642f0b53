from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from famachat_ml_pipeline.evaluation.nab import (
    NabSeries,
    evaluate,
    format_report,
    load_nab,
    score_detections,
)

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
    assert len(data[1].values) == 480
    assert data[1].interval_seconds == 3600.0
    assert len(data[1].windows) == 3


def test_evaluate_known_answer(nab_folder: Path):
    results = evaluate(nab_folder)
    robust, seed = results["robust"], results["seed_zscore"]
    by_file = {f.name: (f.windows, f.hits, f.missed, f.false_positives) for f in robust.files}
    assert by_file == {"other/b.csv": (1, 1, 0, 0), "sub/a.csv": (2, 1, 1, 1)}
    seed_by_file = {f.name: (f.windows, f.hits, f.missed, f.false_positives) for f in seed.files}
    # on plain Gaussian noise the seed's |z| > 2.5 fires about 1 % of the time: 4 false positives in b
    assert seed_by_file == {"other/b.csv": (1, 1, 0, 4), "sub/a.csv": (2, 0, 2, 1)}
    assert (robust.hits, robust.missed, robust.false_positives) == (2, 1, 1)
    assert robust.precision == pytest.approx(2 / 3)
    assert robust.recall == pytest.approx(2 / 3)
    assert robust.f1 == pytest.approx(2 / 3)
    assert (seed.hits, seed.missed, seed.false_positives) == (1, 2, 5)
    report = format_report(results)
    assert "sub/a.csv" in report and "seed_zscore" in report and "TOTAL" in report


def _series(windows: list[tuple[int, int]], n: int = 100) -> NabSeries:
    ts = START + np.arange(n) * HOUR
    return NabSeries("x.csv", ts, np.zeros(n), [(ts[a], ts[b]) for a, b in windows])


def test_scoring_rules():
    series = _series([(5, 10), (40, 50), (70, 80)])  # warm-up ends at sample 15: first window unscored
    flags = np.zeros(100, dtype=bool)
    flags[[7, 8]] = True  # in the warm-up: ignored
    flags[20:30] = True  # one run outside: one false positive, not ten
    flags[36:45] = True  # a run crossing into window 40-50: one false positive and a hit
    flags[47] = True  # a second detection in the same window: counts once
    flags[90] = True
    flags[92] = True  # two separate runs: two false positives
    score = score_detections(series, flags)
    assert (score.windows, score.hits, score.missed, score.false_positives) == (2, 1, 1, 4)


def test_no_detections_scores_zero():
    score = score_detections(_series([(40, 50)]), np.zeros(100, dtype=bool))
    assert (score.windows, score.hits, score.missed, score.false_positives) == (1, 0, 1, 0)
