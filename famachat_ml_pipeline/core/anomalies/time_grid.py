"""A timestamped series on a regular time grid, so that "a period" and "the last N periods" mean wall time.

The series detectors count periods and windows in samples. That is right for a regularly sampled series and
wrong for one that skips rows (road sensors that go quiet at night, a metric with outages): there, a day's
worth of rows spans more than a day, the seasonal lag compares different times of day, and a window of "4
periods" reaches back further than 4 days. Placing each row in its slot of a regular grid (NaN where no row
fell) makes every row count a time span: the period is one day of slots, whatever the rows.

The step is the file's typical spacing (the median of its positive gaps). A row goes to its nearest slot; a
row whose nearest slot is already taken (jittered or repeated timestamps) goes to the next free one, so each
row keeps a slot of its own, in file order. The drift this adds is a few slots where timestamps jitter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class TimeGrid:
    step_seconds: float  # the grid's spacing
    slots: np.ndarray  # [row] the row's slot, strictly increasing
    size: int  # the number of slots

    def place(self, values: np.ndarray) -> np.ndarray:
        """[slot] the rows' values in their slots, NaN in the slots no row fell in."""
        out = np.full(self.size, np.nan)
        out[self.slots] = np.asarray(values, dtype=float)
        return out

    def rows(self, on_grid: np.ndarray) -> np.ndarray:
        """[row] a per-slot array read back at the rows' slots."""
        return np.asarray(on_grid)[self.slots]


def typical_step(timestamps: np.ndarray) -> float:
    """The median positive gap between consecutive timestamps, in seconds; a day when there is none."""
    ts = np.asarray(timestamps).astype("datetime64[us]").astype(np.int64)
    gaps = np.diff(ts) / 1e6
    gaps = gaps[gaps > 0]
    return float(np.median(gaps)) if len(gaps) else 86400.0


def time_grid(timestamps: np.ndarray) -> TimeGrid:
    """Each row's slot on the grid of the file's typical step, starting at its first timestamp."""
    ts = np.asarray(timestamps).astype("datetime64[us]").astype(np.int64)
    n = len(ts)
    if n == 0:
        return TimeGrid(86400.0, np.zeros(0, dtype=np.intp), 0)
    step = typical_step(timestamps)
    nearest = np.round((ts - ts[0]) / 1e6 / step).astype(np.intp)
    i = np.arange(n)
    # slot_i = max(nearest_i, slot_{i-1} + 1): the running maximum of nearest - i, plus i
    slots = i + np.maximum.accumulate(nearest - i)
    return TimeGrid(step, slots, int(slots[-1]) + 1)
