"""NAB (Numenta Anomaly Benchmark) data and its official score, plus the plain window table.

Layout: CSV files `timestamp,value` in category folders, and `combined_windows.json` mapping
"category/file.csv" to a list of [start, end] windows.

The score follows NAB's own code (nab/sweeper.py, v1.1; nab/scorer.py agrees), standard profile:
- the probationary period is min(floor(15 % of the rows), 750) rows; nothing in it is scored, and a window
  that lies wholly inside it is not counted;
- a window with at least one detection scores A_TP * sigma(first detection) / sigma(-1), where
  sigma(y) = 2 / (1 + exp(5y)) - 1 and y = -(right edge - index + 1) / width: an early detection is
  worth ~1, one on the right edge ~0. Later detections in the same window add nothing;
- a window without a detection scores A_FN (-1);
- a detection outside every window costs A_FP (0.11) times sigma of its distance past the preceding
  window's right edge, in window widths minus one (-1 when 3 or more, and when no window precedes it);
- the normalised score is 100 * (raw - null) / (perfect - null), null being the detector that never fires
  (A_FN per window) and perfect the one that fires at each window's left edge (A_TP per window), summed
  over the files reported together (a category, or the whole corpus).

The window table beside it counts events: windows hit, windows missed, and false alerts (detections
outside every window), all after the probationary period.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import polars as pl

from famachat_ml_pipeline.evaluation.series_io import MAX_UNPARSABLE

PROBATION_FRACTION = 0.15
PROBATION_MAX_ROWS = 750  # NAB: probationPercent * 5000


@dataclass(frozen=True)
class Profile:
    tp_weight: float = 1.0
    fp_weight: float = 0.11
    fn_weight: float = 1.0


STANDARD = Profile()


@dataclass(frozen=True)
class NabSeries:
    name: str  # the key in combined_windows.json, e.g. "realKnownCause/nyc_taxi.csv"
    timestamps: np.ndarray  # datetime64[us], in time order
    values: np.ndarray  # float
    windows: list[tuple[np.datetime64, np.datetime64]]
    set_aside: int = 0  # rows whose timestamp did not parse (a value that is not a number is NaN)
    reordered: bool = False  # the file's rows were not in time order (sorted on load)
    missing_values: int = 0  # rows whose value is empty or not a number (read as missing)

    @property
    def category(self) -> str:
        return self.name.split("/")[0]

    @cached_property
    def row_keys(self) -> np.ndarray:
        """One sorted int64 per distinct (timestamp, value) row: the same rows under another file or category
        name, or a trimmed copy, share them (`shared_rows`)."""
        ts = np.ascontiguousarray(self.timestamps).view(np.int64).astype(np.uint64)
        bits = np.ascontiguousarray(self.values, dtype=float).view(np.uint64)
        with np.errstate(over="ignore"):
            return np.unique((ts * np.uint64(0x9E3779B97F4A7C15)) ^ bits).view(np.int64)

    @property
    def interval_seconds(self) -> float:
        if len(self.timestamps) < 2:
            return 86400.0
        diffs = np.diff(self.timestamps).astype("timedelta64[us]").astype(np.int64) / 1e6
        diffs = diffs[diffs > 0]
        return float(np.median(diffs)) if len(diffs) else 86400.0


def shared_rows(a: NabSeries, b: NabSeries) -> float:
    """The share of the smaller file's rows that the other file holds too (0 when their times do not meet)."""
    if not (len(a.timestamps) and len(b.timestamps)):
        return 0.0
    if a.timestamps[0] > b.timestamps[-1] or b.timestamps[0] > a.timestamps[-1]:
        return 0.0
    small, large = (a, b) if len(a.row_keys) <= len(b.row_keys) else (b, a)
    return float(np.isin(small.row_keys, large.row_keys, assume_unique=True).mean())


@dataclass(frozen=True)
class FileScore:
    """One file's NAB score parts and its window table."""

    name: str
    raw: float
    null: float
    perfect: float
    windows: int
    hits: int
    false_alerts: int

    @property
    def category(self) -> str:
        return self.name.split("/")[0]

    @property
    def missed(self) -> int:
        return self.windows - self.hits


@dataclass(frozen=True)
class Totals:
    """Files scored together (a category or the corpus): NAB normalises over the sum."""

    raw: float
    null: float
    perfect: float
    windows: int
    hits: int
    false_alerts: int

    @classmethod
    def of(cls, files: list[FileScore]) -> Totals:
        return cls(
            raw=sum(f.raw for f in files),
            null=sum(f.null for f in files),
            perfect=sum(f.perfect for f in files),
            windows=sum(f.windows for f in files),
            hits=sum(f.hits for f in files),
            false_alerts=sum(f.false_alerts for f in files),
        )

    @property
    def missed(self) -> int:
        return self.windows - self.hits

    @property
    def score(self) -> float:
        """NAB's normalised score; NaN where there is no window to normalise by (no-anomaly files)."""
        span = self.perfect - self.null
        return 100.0 * (self.raw - self.null) / span if span > 0 else math.nan

    def __add__(self, other: Totals) -> Totals:
        return Totals(*(getattr(self, f) + getattr(other, f) for f in self.__dataclass_fields__))


def _parse_ts(text: str) -> np.datetime64:
    return np.datetime64(text.strip().replace(" ", "T"), "us")


class NabDataError(ValueError):
    """A folder that cannot be scored as NAB: no windows file, or no listed file in it."""


WINDOWS_FILE = "combined_windows.json"


def windows_file(root: Path) -> Path:
    """`combined_windows.json` beside the category folders (this repo's shared/data/nab), or in a `labels`
    folder inside or beside them (the NAB repository keeps data/ and labels/ side by side)."""
    for candidate in (
        root / WINDOWS_FILE,
        root / "labels" / WINDOWS_FILE,
        root.parent / "labels" / WINDOWS_FILE,
    ):
        if candidate.is_file():
            return candidate
    raise NabDataError(
        f"{root}: no {WINDOWS_FILE} in it, in {root / 'labels'} or in {root.parent / 'labels'}"
    )


def load_nab(folder: str | Path) -> list[NabSeries]:
    """Every file listed in combined_windows.json that exists under `folder` (or its `data/`, the NAB
    repository's layout), sorted by name, each file's rows in time order."""
    root = Path(folder)
    if not root.is_dir():
        raise NabDataError(f"{root}: not a folder")
    windows = json.loads(windows_file(root).read_text())
    root = _data_root(root, windows)
    out = [
        _read_series(root / name, name, windows[name]) for name in sorted(windows) if (root / name).is_file()
    ]
    if not out:
        raise NabDataError(f"{root}: none of the {len(windows)} files its {WINDOWS_FILE} lists is in it")
    return out


def _data_root(root: Path, windows: dict) -> Path:
    """`root`, or its `data/` when the files are there (the NAB repository's layout)."""
    if not any((root / name).is_file() for name in windows) and (root / "data").is_dir():
        return root / "data"
    return root


def listing_notes(folder: str | Path) -> list[str]:
    """What the windows file and the folder disagree on: CSV files it does not list (not scored: without
    windows, a file cannot be scored) and files it lists that are not there."""
    root = Path(folder)
    windows = json.loads(windows_file(root).read_text())
    root = _data_root(root, windows)
    present = {p.relative_to(root).as_posix() for p in root.glob("*/*.csv")}
    notes = []
    unlisted = sorted(present - set(windows))
    if unlisted:
        notes.append(f"{len(unlisted)} file(s) not in {WINDOWS_FILE}, not scored: {', '.join(unlisted)}")
    absent = sorted(set(windows) - present - {n for n in windows if (root / n).is_file()})
    if absent:
        notes.append(f"{len(absent)} file(s) in {WINDOWS_FILE} but not in the folder: {', '.join(absent)}")
    return notes


def _read_series(path: Path, name: str, windows: list[list[str]]) -> NabSeries:
    frame = pl.read_csv(path, infer_schema=False)
    missing = {"timestamp", "value"} - set(frame.columns)
    if missing:
        raise NabDataError(f"{name}: no column {', '.join(sorted(missing))}; it has {frame.columns}")
    frame = frame.select(
        pl.col("timestamp").str.strip_chars().str.to_datetime(time_unit="us", strict=False),
        pl.col("value").str.strip_chars().cast(pl.Float64, strict=False),
    )
    kept = frame.drop_nulls("timestamp")
    missing_values = kept["value"].is_null().sum()
    if kept.height < frame.height * (1 - MAX_UNPARSABLE):
        raise NabDataError(f"{name}: {frame.height - kept.height} of {frame.height} timestamps do not parse")
    ts = kept["timestamp"].to_numpy()
    ordered = bool((np.diff(ts) >= np.timedelta64(0, "us")).all())
    if not ordered:
        kept = kept.sort("timestamp", maintain_order=True)
    wins = [(_parse_ts(a), _parse_ts(b)) for a, b in windows]
    return NabSeries(
        name,
        kept["timestamp"].to_numpy(),
        kept["value"].to_numpy().astype(float),
        wins,
        frame.height - kept.height,
        not ordered,
        int(missing_values),
    )


def data_notes(data: list[NabSeries]) -> list[str]:
    """What loading changed or could not score, file by file: rows set aside, rows sorted, windows
    without any row of their file (no detector can hit them, and they are not counted)."""
    notes = []
    for s in data:
        outside = sum(1 for a, b in s.windows if b < s.timestamps[0] or a > s.timestamps[-1] or b < a)
        parts = [
            f"{s.set_aside} rows set aside (timestamp did not parse)" if s.set_aside else "",
            f"{s.missing_values} values empty or not numbers (read as missing)" if s.missing_values else "",
            "rows sorted into time order" if s.reordered else "",
            f"{outside} of {len(s.windows)} windows outside the file, not counted" if outside else "",
        ]
        if any(parts):
            notes.append(f"{s.name}: " + "; ".join(p for p in parts if p))
    return notes


def probation_rows(n: int) -> int:
    return int(min(math.floor(PROBATION_FRACTION * n), PROBATION_FRACTION * 5000))


def scaled_sigmoid(position: np.ndarray | float) -> np.ndarray:
    """NAB's sigma: 0.98661 at -1 (a window's left edge), 0 at its right edge, -1 from 3 widths past it."""
    y = np.asarray(position, dtype=float)
    with np.errstate(over="ignore"):
        return np.where(y >= 3.0, -1.0, 2.0 / (1.0 + np.exp(5.0 * y)) - 1.0)


def score_file(series: NabSeries, detections: np.ndarray, profile: Profile = STANDARD) -> FileScore:
    """NAB's score and the window table of one file, for a boolean detection per row."""
    ts = series.timestamps
    n = len(ts)
    det = np.flatnonzero(np.asarray(detections, dtype=bool))
    det = det[det >= probation_rows(n)]
    left = np.searchsorted(ts, np.array([a for a, _ in series.windows], dtype="datetime64[us]"), "left")
    right = np.searchsorted(ts, np.array([b for _, b in series.windows], dtype="datetime64[us]"), "right") - 1
    keep = right >= left  # a window with no row in the file cannot be scored by anyone
    left, right = left[keep], right[keep]
    order = np.argsort(left)
    left, right = left[order], right[order]
    width = (right - left + 1).astype(float)
    scored = right >= probation_rows(n)
    max_tp = float(scaled_sigmoid(-1.0))

    # the first detection at or after each window's left edge; a hit when it is inside the window
    hit = np.zeros(len(left), dtype=bool)
    tp = np.zeros(len(left))
    if len(det) and len(left):
        pos = np.searchsorted(det, left)
        first = det[np.minimum(pos, len(det) - 1)]
        hit = (pos < len(det)) & (first <= right) & scored
        tp = scaled_sigmoid(-(right - first + 1) / width) * profile.tp_weight / max_tp
    raw = float(tp[hit].sum()) - profile.fn_weight * int((scored & ~hit).sum())

    # detections outside every window cost by their distance past the closest preceding window
    if len(left):
        k = np.searchsorted(left, det, "right") - 1  # the last window starting at or before the detection
        inside = (k >= 0) & (det <= right[np.maximum(k, 0)])
    else:
        inside = np.zeros(len(det), dtype=bool)
    fp = det[~inside]
    position = np.full(len(fp), 3.0)  # no preceding window: the full A_FP
    if len(left) and len(fp):
        prev = np.searchsorted(right, fp, "left") - 1  # right edges strictly before the detection
        w = width[np.maximum(prev, 0)]
        ok = (prev >= 0) & (w > 1)
        position[ok] = (fp[ok] - right[prev[ok]]) / (w[ok] - 1)
    raw += float((scaled_sigmoid(position) * profile.fp_weight).sum())
    n_scored = int(scored.sum())
    return FileScore(
        name=series.name,
        raw=raw,
        null=-profile.fn_weight * n_scored,
        perfect=profile.tp_weight * n_scored,
        windows=n_scored,
        hits=int(hit.sum()),
        false_alerts=len(fp),
    )
