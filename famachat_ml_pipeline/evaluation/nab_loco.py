"""NAB, leave one category out: each method's setting and threshold are chosen on four categories and
scored on the fifth. The held-out figures are the headline; a setting chosen on the files it is scored on
overstates what a method will do on data it has not seen.

Each method's anomaly scores are computed once per file (one row per setting); a threshold only changes
the alert handling (`nab_methods.alerts`), so the whole setting x threshold grid is cheap to score.
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from famachat_ml_pipeline.core.anomalies import infer_period
from famachat_ml_pipeline.evaluation.nab import FileScore, NabSeries, Totals, load_nab, score_file
from famachat_ml_pipeline.evaluation.nab_methods import METHODS, Method, alerts, hold_rows


@dataclass(frozen=True)
class HeldOut:
    method: str
    category: str  # the held-out category, or "TOTAL" (each category at its own held-out choice)
    setting: str  # "" for TOTAL
    threshold: float  # NaN for TOTAL
    totals: Totals


Grid = list[list[FileScore]]  # [setting][threshold]


def _grid(task: tuple[Method, NabSeries]) -> Grid:
    """One method on one file: its score at every setting and threshold of the method's grid."""
    method, series = task
    period = infer_period(series.interval_seconds)
    scores = method.score(series.values, period)
    hold = hold_rows(period)
    return [[score_file(series, alerts(row, thr, hold)) for thr in method.thresholds] for row in scores]


def score_grid(data: list[NabSeries], methods: tuple[Method, ...], workers: int) -> dict[str, list[Grid]]:
    """method -> [file][setting][threshold] FileScore."""
    tasks = [(m, s) for m in methods for s in data]
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            results = list(pool.map(_grid, tasks, chunksize=1))
    else:
        results = [_grid(t) for t in tasks]
    out: dict[str, list[Grid]] = {m.name: [] for m in methods}
    for (m, _), r in zip(tasks, results, strict=True):
        out[m.name].append(r)
    return out


def best_choice(files: list[Grid]) -> tuple[int, int]:
    """The (setting, threshold) indices with the best pooled NAB score; on a tie the higher threshold
    (fewer alerts), then the first setting."""
    settings, thresholds = len(files[0]), len(files[0][0])
    scored = {
        (s, i): Totals.of([f[s][i] for f in files]).score for s in range(settings) for i in range(thresholds)
    }
    return max(scored, key=lambda k: (scored[k], k[1], -k[0]))


def leave_one_category_out(
    data: list[NabSeries], methods: tuple[Method, ...] = METHODS, workers: int | None = None
) -> list[HeldOut]:
    """Held-out rows for every method and category, then each method's held-out TOTAL."""
    workers = workers or min(2, os.cpu_count() or 1)
    grid = score_grid(data, methods, workers)
    categories = sorted({s.category for s in data})
    out: list[HeldOut] = []
    for m in methods:
        files = grid[m.name]
        total = Totals(0.0, 0.0, 0.0, 0, 0, 0)
        for cat in categories:
            train = [f for f, s in zip(files, data, strict=True) if s.category != cat]
            test = [f for f, s in zip(files, data, strict=True) if s.category == cat]
            k, i = best_choice(train)
            held = Totals.of([f[k][i] for f in test])
            total = total + held
            out.append(HeldOut(m.name, cat, m.settings[k], float(m.thresholds[i]), held))
        out.append(HeldOut(m.name, "TOTAL", "", math.nan, total))
    return out


def evaluate_nab(folder: str | Path, methods: tuple[Method, ...] = METHODS) -> list[HeldOut]:
    return leave_one_category_out(load_nab(folder), methods)


def format_report(rows: list[HeldOut]) -> str:
    """One table, category by category, each method's held-out NAB score and window table."""
    header = (
        f"{'category':<20} {'method':<18} {'setting':>9} {'threshold':>9} {'NAB':>7} {'raw':>8}"
        f" {'windows':>7} {'hit':>4} {'missed':>6} {'false':>6}"
    )
    lines = [
        "NAB standard profile (A_TP 1, A_FP -0.11, A_FN -1), 15 % probation; setting and threshold chosen on",
        "the other four categories (leave one category out). NAB is n/a where a category has no window:",
        "see raw/false.",
        header,
        "-" * len(header),
    ]
    order = sorted({r.category for r in rows}, key=lambda c: (c == "TOTAL", c))
    for cat in order:
        for r in (r for r in rows if r.category == cat):
            t = r.totals
            nab = "n/a" if math.isnan(t.score) else f"{t.score:.1f}"
            thr = "" if math.isnan(r.threshold) else f"{r.threshold:g}"
            lines.append(
                f"{cat:<20} {r.method:<18} {r.setting:>9} {thr:>9} {nab:>7} {t.raw:>8.2f}"
                f" {t.windows:>7} {t.hits:>4} {t.missed:>6} {t.false_alerts:>6}"
            )
        lines.append("")
    return "\n".join(lines).rstrip()
