"""Issue 13 diagnostic: which hit counts ours can reach at all in one NAB category, over a threshold grid
extended below the production grid's 0.5, and why a window is out of reach.

    .venv/bin/python benchmarks/nab_reach.py ../shared/data/nab realTweets 2 2   (about 1 CPU minute)

The extended grid keeps the production grid's ratio (2 ** 0.1) and goes down to 0.0625 (61 margins, the
production 31 among them). Printed:
- per setting (rank/memory, young memory): the most windows hit at any margin of the extended grid, and at
  each hit count from the production grid's best down, the fewest false alerts and the margin giving them;
- at the setting RANK YOUNG, one line per window and one character per margin up to 0.6: `H` hit (an alert's
  onset inside the window), `h` the score beats the margin inside the window but the alert was raised
  before it and is still held (no onset inside), `.` the score never beats the margin inside the window.
Everything goes through the production alert handling (`nab_methods.alerts`) on the rows' time grid, as
`evaluate anomalies --nab` scores.
"""

from __future__ import annotations

import sys

import numpy as np

from famachat_ml_pipeline.core.anomalies import infer_period
from famachat_ml_pipeline.core.anomalies.series import DEFAULT_SERIES, memory_periods, rank_bar, robust_abs_z
from famachat_ml_pipeline.core.anomalies.time_grid import time_grid
from famachat_ml_pipeline.evaluation.nab import Totals, load_nab, probation_rows
from famachat_ml_pipeline.evaluation.nab_loco import score_grid
from famachat_ml_pipeline.evaluation.nab_methods import METHODS, Method, alerts, hold_rows

WIDE = np.round(np.geomspace(0.0625, 4.0, 61), 4)
MAP_UP_TO = 0.6


def main(folder: str, category: str, rank: int, young: int) -> None:
    robust = next(m for m in METHODS if m.name == "robust")
    assert set(robust.thresholds) <= set(WIDE)
    data = [s for s in load_nab(folder) if s.category == category]
    wide = Method("robust", robust.score, robust.settings, WIDE)
    grid = score_grid(data, (wide,), 2)["robust"]
    print(
        f"{category}: ours over margins {WIDE[0]:g}-{WIDE[-1]:g} (production grid {robust.thresholds[0]:g}-"
        f"{robust.thresholds[-1]:g})"
    )
    print(f"{'setting':>9} {'max hits':>8} {'(prod.)':>7}  fewest false at each hit count (margin)")
    for k, label in enumerate(wide.settings):
        curve = [Totals.of([f[k][i] for f in grid]) for i in range(len(WIDE))]
        prod = max(c.hits for c, t in zip(curve, WIDE, strict=True) if t in set(robust.thresholds))
        top = max(c.hits for c in curve)
        parts = []
        for h in range(top, prod - 1, -1):
            ok = [i for i, c in enumerate(curve) if c.hits >= h]
            i = min(ok, key=lambda j: (curve[j].false_alerts, -j))
            parts.append(f"{h}: {curve[i].false_alerts} ({WIDE[i]:g})")
        print(f"{label:>9} {top:>8} {prod:>7}  " + ", ".join(parts))
    print()
    shown = WIDE[WIDE <= MAP_UP_TO]
    print(f"r{rank}/{memory_periods(rank)} y{young}, margins {shown[0]:g} .. {shown[-1]:g} left to right")
    for s in data:
        g = time_grid(s.timestamps)
        period = infer_period(g.step_seconds)
        hold = hold_rows(period)
        az = robust_abs_z(g.place(s.values), period, DEFAULT_SERIES)
        score = az / np.maximum(DEFAULT_SERIES.z_floor, rank_bar(az, period, rank, young))
        n = len(s.values)
        onsets = {t: np.flatnonzero(g.rows(alerts(score, t, hold))) for t in shown}
        for a, b in s.windows:
            lo = int(np.searchsorted(s.timestamps, a, "left"))
            hi = int(np.searchsorted(s.timestamps, b, "right")) - 1
            if hi < lo or hi < probation_rows(n):
                continue
            top = float(np.nanmax(score[g.slots[lo : hi + 1]]))
            cells = "".join(
                "H" if ((onsets[t] >= lo) & (onsets[t] <= hi)).any() else "h" if top > t else "."
                for t in shown
            )
            print(f"{s.name.split('/')[1][:24]:<24} {f'{lo}-{hi}':>12} max {top:5.2f}  {cells}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
