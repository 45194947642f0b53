"""Score anomaly detectors on a NAB-format folder (Numenta Anomaly Benchmark layout).

Layout: CSV files `timestamp,value` in sub-folders, and `combined_windows.json` mapping
"sub/file.csv" to a list of [start, end] windows.

Scoring, the same for every method:
- The first 15 % of each file (by rows) is warm-up: detections there are ignored, and a window that ends
  inside it is not scored.
- A window is hit if at least one detection falls inside it (only the first one counts).
- Detections outside every window are false positives, counted as events: a run of consecutive flagged
  samples is one false positive, not one per sample. A run is cut where it enters or leaves a window, so
  the part inside a window still hits it and the part outside still costs one false positive.
  Both methods are scored with exactly this rule.
- Window precision = hits / (hits + false positives); recall = hits / windows; F1 their harmonic mean.

One setting for all files: the seasonal period comes from the median sampling interval (`infer_period`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from famachat_ml_pipeline.core.anomalies import (
    AnomalyConfig,
    detect_series,
    detect_series_zscore,
    infer_period,
)

WARMUP_FRACTION = 0.15
Detector = Callable[[np.ndarray, int, AnomalyConfig], np.ndarray]
METHODS: dict[str, Detector] = {"robust": detect_series, "seed_zscore": detect_series_zscore}


@dataclass(frozen=True)
class NabSeries:
    name: str  # the key in combined_windows.json, e.g. "realKnownCause/nyc_taxi.csv"
    timestamps: np.ndarray  # datetime64[us], file order
    values: np.ndarray  # float
    windows: list[tuple[np.datetime64, np.datetime64]]

    @property
    def interval_seconds(self) -> float:
        if len(self.timestamps) < 2:
            return 86400.0
        diffs = np.diff(self.timestamps).astype("timedelta64[us]").astype(np.int64) / 1e6
        diffs = diffs[diffs > 0]
        return float(np.median(diffs)) if len(diffs) else 86400.0


@dataclass(frozen=True)
class FileScore:
    name: str
    windows: int
    hits: int
    false_positives: int

    @property
    def missed(self) -> int:
        return self.windows - self.hits


@dataclass(frozen=True)
class MethodScore:
    method: str
    files: list[FileScore] = field(default_factory=list)

    @property
    def windows(self) -> int:
        return sum(f.windows for f in self.files)

    @property
    def hits(self) -> int:
        return sum(f.hits for f in self.files)

    @property
    def missed(self) -> int:
        return sum(f.missed for f in self.files)

    @property
    def false_positives(self) -> int:
        return sum(f.false_positives for f in self.files)

    @property
    def precision(self) -> float:
        return _ratio(self.hits, self.hits + self.false_positives)

    @property
    def recall(self) -> float:
        return _ratio(self.hits, self.windows)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return _ratio(2 * p * r, p + r)


def _ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


def _parse_ts(text: str) -> np.datetime64:
    return np.datetime64(text.strip().replace(" ", "T"), "us")


def load_nab(folder: str | Path) -> list[NabSeries]:
    """Every file listed in combined_windows.json that exists under `folder`, sorted by name."""
    root = Path(folder)
    windows = json.loads((root / "combined_windows.json").read_text())
    out = []
    for name in sorted(windows):
        path = root / name
        if not path.is_file():
            continue
        frame = pl.read_csv(path, schema_overrides={"timestamp": pl.String, "value": pl.Float64})
        ts = frame["timestamp"].str.to_datetime(time_unit="us", strict=True).to_numpy()
        wins = [(_parse_ts(a), _parse_ts(b)) for a, b in windows[name]]
        out.append(NabSeries(name, ts, frame["value"].to_numpy().astype(float), wins))
    return out


def score_detections(series: NabSeries, flags: np.ndarray) -> FileScore:
    """Windows hit and false-positive events for one file (see the module docstring for the rules)."""
    ts = series.timestamps
    n = len(ts)
    if n == 0:
        return FileScore(series.name, 0, 0, 0)
    warm_end = ts[int(np.floor(WARMUP_FRACTION * n))]
    scored = [(a, b) for a, b in series.windows if b >= warm_end]
    region = np.full(n, -1)
    for j, (a, b) in enumerate(scored):
        region[(ts >= a) & (ts <= b)] = j
    flagged = np.asarray(flags, dtype=bool) & (ts >= warm_end)
    prev_flagged = np.concatenate([[False], flagged[:-1]])
    prev_region = np.concatenate([[-2], region[:-1]])
    onset = flagged & (~prev_flagged | (prev_region != region))
    hits = len(set(region[flagged & (region >= 0)].tolist()))
    false_positives = int((onset & (region < 0)).sum())
    return FileScore(series.name, len(scored), hits, false_positives)


def evaluate(
    folder: str | Path,
    config: AnomalyConfig | None = None,
    methods: dict[str, Detector] | None = None,
) -> dict[str, MethodScore]:
    """Run each method on every file with the same setting and score it."""
    config = config or AnomalyConfig()
    methods = methods or METHODS
    data = load_nab(folder)
    results: dict[str, MethodScore] = {}
    for method, detector in methods.items():
        files = []
        for series in data:
            flags = detector(series.values, infer_period(series.interval_seconds), config)
            files.append(score_detections(series, flags))
        results[method] = MethodScore(method, files)
    return results


def format_report(results: dict[str, MethodScore]) -> str:
    """A plain-text table: per file and total, for each method."""
    header = f"{'method':<12} {'file':<58} {'windows':>7} {'hit':>4} {'missed':>6} {'FP':>5}"
    lines = [header, "-" * len(header)]
    for method, score in results.items():
        for f in score.files:
            lines.append(
                f"{method:<12} {f.name:<58} {f.windows:>7} {f.hits:>4} {f.missed:>6} {f.false_positives:>5}"
            )
    lines.append("-" * len(header))
    lines.append(
        f"{'method':<12} {'TOTAL':<58} {'windows':>7} {'hit':>4} {'missed':>6} {'FP':>5}"
        f" {'precision':>9} {'recall':>6} {'F1':>6}"
    )
    for method, s in results.items():
        lines.append(
            f"{method:<12} {'TOTAL':<58} {s.windows:>7} {s.hits:>4} {s.missed:>6} {s.false_positives:>5}"
            f" {s.precision:>9.3f} {s.recall:>6.3f} {s.f1:>6.3f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    import sys

    args = sys.argv[1:] if argv is None else argv
    folder = args[0] if args else "../shared/data/nab"
    print(format_report(evaluate(folder)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
