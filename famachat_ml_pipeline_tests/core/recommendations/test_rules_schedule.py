"""OPTIMIZE_SCHEDULE: only a real, count-aware weekday spread."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl

from famachat_ml_pipeline.core.features import compute_features_wide
from famachat_ml_pipeline.core.recommendations import (
    RecommendationConfig,
)
from famachat_ml_pipeline.core.tiers import rule_tiers
from famachat_ml_pipeline_tests.core.recommendations.builders import (
    AS_OF,
    anomalies,
    anomaly,
    fired,
    one,
    run,
    run_daily,
    series,
    weekly,
)


def test_optimize_schedule_needs_a_real_weekday_spread() -> None:
    daily = pl.concat(
        [
            series("A", [100.0] * 28, weekly({5: 1, 0: 6})),  # Saturdays 1 lead, Mondays 6, others 5
            series("mild", [100.0] * 28, weekly({5: 4, 0: 6})),  # Saturday CPL 25 vs 16,67: 50 % is the bar
            series("small", [100.0] * 28, weekly({5: 0}, default=1)),  # 0 on Saturdays, but 4 expected: noise
            series("short", [100.0] * 27, weekly({5: 1, 0: 6})[1:]),  # 27 days: not 4 full weeks
            # a trend, not a weekday effect: 5 a day, then 1 a day for the last 2 weeks (every weekday alike)
            series("trend", [100.0] * 28, [5] * 14 + [1] * 14),
        ]
    )
    recs = run_daily(daily)
    assert fired(recs, "OPTIMIZE_SCHEDULE") == {"A"}
    r = one(recs, "A", "OPTIMIZE_SCHEDULE")
    assert r["priority"] == 4
    assert r["title"] == "Ajustar programação: CPL de sábado 500% acima de segunda-feira"
    assert (
        "o CPL de sábado foi R$ 100,00 (4 leads), contra R$ 16,67 de segunda-feira (24 leads)"
        in (r["description"])
    )
    reasoning = json.loads(r["reasoning"])
    assert reasoning["p_value"] < 0.01 and reasoning["worst_weekday"] == 5
    # the bar is configurable: a 50 % spread fires at 40 %
    recs = run_daily(daily, RecommendationConfig(schedule_min_spread_pct=40.0))
    assert "mild" not in fired(recs, "OPTIMIZE_SCHEDULE")  # 16 vs 20 leads expected is not significant


def test_no_schedule_advice_from_a_tracking_break_inside_a_week() -> None:
    """Saturdays at 80 leads against 100 on the other days is no 50 % spread, but 0 leads from Wednesday
    on (a tracking break inside AS_OF's week, Sunday to Saturday) makes that Saturday look 4 times worse
    than its own Sunday to Tuesday: 240 leads against 400 expected. While the anomaly module's CRITICAL
    PERFORMANCE_DROP is open, the weekday counts hold the break: no advice. Acknowledged, it fires."""
    leads = weekly({5: 80}, default=100)[:-4] + [0] * 4
    daily = pl.concat([series(c, [100.0] * 28, leads) for c in ("broken", "acknowledged", "no_alert")])
    days = [AS_OF - dt.timedelta(days=d) for d in (2, 1, 0)]  # CRITICAL from the break's second day
    an = anomalies(
        *[
            anomaly(c, "PERFORMANCE_DROP", "CRITICAL", date=d)
            for c in ("broken", "acknowledged")
            for d in days
        ]
    ).with_columns(is_acknowledged=pl.col("entity_id") == "acknowledged")
    w = compute_features_wide(daily, AS_OF)
    recs = run(w, rule_tiers(w), daily, an=an)
    assert fired(recs, "OPTIMIZE_SCHEDULE") == {"acknowledged", "no_alert"}
    assert json.loads(one(recs, "no_alert", "OPTIMIZE_SCHEDULE")["reasoning"])["worst_leads"] == 240
