"""OPTIMIZE_SCHEDULE: a weekday whose leads fall short of the same weeks' other days."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from famachat_ml_pipeline.core import tails
from famachat_ml_pipeline.core.exprs import clip01, div
from famachat_ml_pipeline.core.frames import KEY
from famachat_ml_pipeline.core.recommendations.config import (
    RecommendationConfig,
)
from famachat_ml_pipeline.core.recommendations.emit import (
    NO_NUMBER,
    change_action,
    confidence,
    emit,
    reasoning,
    rounded,
)
from famachat_ml_pipeline.core.recommendations.text_ptbr import (
    WEEKDAYS_PT,
    join_text,
    leads_of,
    money_of,
    number_of,
    pct_of,
)


def weekday_spread(daily: pl.DataFrame, as_of: dt.date, config: RecommendationConfig) -> pl.DataFrame:
    """Per campaign with a full window: the worst and best weekday, and a count-aware test of the worst.

    The worst weekday is the one with the fewest leads against what the other days of the same week
    predict for its spend: expected = sum over weeks of spend(weekday, week) x leads/spend of the rest of
    that week. Comparing within each week keeps a trend over the window (a new creative, a pause) from
    passing for a weekday effect; not a tracking break that starts inside a week, so `optimize_schedule`
    gives no advice while an open CRITICAL PERFORMANCE_DROP lies in the window. A one-sided Poisson test
    of the observed leads against that expectation gives the p-value, Bonferroni-corrected (x 7) because
    the worst weekday is picked after looking. The best weekday is the cheapest raw CPL with enough leads;
    the spread is best / worst leads per unit of spend (0 leads on the worst weekday count as half a lead)."""
    w = config.schedule_window_days
    # only ACTIVE campaigns can act on it (status is the campaign's current one, repeated on its rows)
    d = daily.filter(
        pl.col("date").is_between(as_of - dt.timedelta(days=w - 1), as_of), pl.col("status") == "ACTIVE"
    )
    days = d.group_by(KEY).agg(pl.len().alias("_days")).filter(pl.col("_days") >= w)
    by_week = (
        d.join(days, on=KEY, how="semi")
        .with_columns(
            week=(pl.lit(as_of) - pl.col("date")).dt.total_days() // 7,
            dow=pl.col("date").dt.weekday().cast(pl.Int32) - 1,  # Monday = 0
        )
        .group_by([*KEY, "week", "dow"])
        .agg(pl.col("spend").sum(), pl.col("leads").sum().cast(pl.Float64))
    )
    by_week = by_week.with_columns(
        _ws=pl.col("spend").sum().over([*KEY, "week"]), _wl=pl.col("leads").sum().over([*KEY, "week"])
    ).with_columns(
        expected=pl.col("spend") * div(pl.col("_wl") - pl.col("leads"), pl.col("_ws") - pl.col("spend"))
    )
    by = (
        by_week.group_by([*KEY, "dow"])
        .agg(pl.col("spend").sum(), pl.col("leads").sum(), pl.col("expected").sum())
        .filter(pl.col("spend") > 0)
        .with_columns(
            rate=pl.col("leads") / pl.col("spend"), shortfall=div(pl.col("leads"), pl.col("expected"))
        )
    )
    tot = by.group_by(KEY).agg(
        pl.col("spend").sum().alias("tot_spend"), pl.col("leads").sum().alias("tot_leads")
    )
    worst = (
        by.filter(pl.col("expected") > 0)
        .group_by(KEY)
        .agg(
            pl.col("dow", "spend", "leads", "expected")
            .sort_by("shortfall", "spend", descending=[False, True])
            .first()
        )
    )
    best = (
        by.filter(pl.col("leads") >= config.schedule_min_best_leads)
        .group_by(KEY)
        .agg(pl.col("dow", "spend", "leads", "rate").sort_by("rate").last())
    )
    out = (
        worst.rename({c: f"worst_{c}" for c in ("dow", "spend", "leads", "expected")})
        .join(best.rename({c: f"best_{c}" for c in ("dow", "spend", "leads", "rate")}), on=KEY, how="inner")
        .join(tot, on=KEY)
        .filter(pl.col("best_dow") != pl.col("worst_dow"))
        .with_columns(
            worst_cpl=div(pl.col("worst_spend"), pl.col("worst_leads")),
            best_cpl=div(pl.col("best_spend"), pl.col("best_leads")),
            spread=pl.col("best_rate")
            / (pl.max_horizontal(pl.col("worst_leads"), 0.5) / pl.col("worst_spend")),
            rest_rate=div(
                pl.col("tot_leads") - pl.col("worst_leads"), pl.col("tot_spend") - pl.col("worst_spend")
            ),
        )
    )
    observed = out["worst_leads"].fill_null(0).to_numpy()
    expected = out["worst_expected"].cast(pl.Float64).fill_null(0.0).to_numpy()
    p = tails.poisson_cdf(observed, np.nan_to_num(expected, nan=0.0))
    return out.with_columns(p_value=pl.Series(np.minimum(1.0, 7 * p), dtype=pl.Float64))


def optimize_schedule(
    base: pl.DataFrame, daily: pl.DataFrame, as_of: dt.date, config: RecommendationConfig, expires: dict
) -> pl.DataFrame:
    s = weekday_spread(daily, as_of, config)
    cond = (
        (pl.col("tot_leads") >= config.schedule_min_total_leads)
        & (pl.col("worst_expected") >= config.schedule_min_expected_leads)
        & (pl.col("spread") >= 1 + config.schedule_min_spread_pct / 100)
        & (pl.col("p_value") <= config.schedule_alpha)
    ).fill_null(False)
    weeks = config.schedule_window_days / 7
    day_name = lambda c: pl.col(c).replace_strict(dict(enumerate(WEEKDAYS_PT)), return_dtype=pl.String)  # noqa: E731
    df = (
        s.filter(cond)
        .join(
            # a tracking break inside a week (from a Monday: that Friday is judged against its Saturday
            # and Sunday) reads as a weekday effect: none while one is open in the window
            base.filter(pl.col("is_active_now").fill_null(False) & ~pl.col("leads_break_in_schedule")).select(
                *KEY, "currency"
            ),
            on=KEY,
            how="inner",
        )
        .with_columns(
            worst_name=day_name("worst_dow"),
            best_name=day_name("best_dow"),
            spread_pct=(pl.col("spread") - 1) * 100,
            # leads a week the worst weekday's spend would buy at the other weekdays' rate
            gain_week=pl.col("worst_spend")
            / weeks
            * (pl.col("rest_rate") - pl.col("worst_leads") / pl.col("worst_spend")),
        )
    )
    worst_text = (
        pl.when(pl.col("worst_leads") > 0)
        .then(
            join_text(
                "o CPL de ",
                pl.col("worst_name"),
                " foi ",
                money_of("worst_cpl"),
                " (",
                leads_of("worst_leads"),
                ")",
            )
        )
        .otherwise(join_text(pl.col("worst_name"), " gastou ", money_of("worst_spend"), " sem nenhum lead"))
    )
    title = (
        pl.when(pl.col("worst_leads") > 0)
        .then(
            join_text(
                "Ajustar programação: CPL de ",
                pl.col("worst_name"),
                " ",
                pct_of("spread_pct"),
                " acima de ",
                pl.col("best_name"),
            )
        )
        .otherwise(
            join_text(
                "Ajustar programação: ",
                pl.col("worst_name"),
                " sem leads em ",
                number_of(pl.lit(config.schedule_window_days)),
                " dias",
            )
        )
    )
    return emit(
        df,
        "OPTIMIZE_SCHEDULE",
        title=title,
        description=join_text(
            "Nos últimos ",
            number_of(pl.lit(config.schedule_window_days)),
            " dias, ",
            worst_text,
            ", contra ",
            money_of("best_cpl"),
            " de ",
            pl.col("best_name"),
            " (",
            number_of("best_leads"),
            " leads). ",
            "A diferença é consistente, não ruído: pela taxa dos outros dias de cada semana, ",
            pl.col("worst_name"),
            " teria gerado cerca de ",
            number_of("worst_expected", 1),
            " leads. Concentre a verba nos melhores dias: ",
            "a programação de anúncios exige orçamento vitalício no conjunto; ",
            "com orçamento diário, use regras automatizadas para reduzir o orçamento no pior dia.",
        ),
        action=change_action(
            "schedule",
            pl.lit("todos os dias"),
            join_text("reduzir a entrega de ", pl.col("worst_name")),
            join_text(
                "até +",
                number_of("gain_week", 1),
                " leads/semana se a verba de ",
                pl.col("worst_name"),
                " render como a dos outros dias",
            ),
        ),
        confidence=confidence(
            pl.col("tot_leads") / (config.volume_full_leads * 2),
            clip01(1 - pl.col("p_value") / config.schedule_alpha),
            NO_NUMBER,
        ),
        reasoning=reasoning(
            "worst weekday CPL >= (1 + spread) x best, leads below the same-week rate (Poisson p <= alpha)",
            pl.col("spread"),
            window_days=config.schedule_window_days,
            worst_weekday=pl.col("worst_dow"),
            best_weekday=pl.col("best_dow"),
            worst_spend=rounded("worst_spend", 2),
            worst_leads=pl.col("worst_leads").cast(pl.Int64),
            worst_expected_leads=rounded("worst_expected", 2),
            worst_cpl=rounded("worst_cpl"),
            best_cpl=rounded("best_cpl"),
            best_leads=pl.col("best_leads").cast(pl.Int64),
            total_leads=pl.col("tot_leads").cast(pl.Int64),
            p_value=rounded("p_value", 6),
            min_spread_pct=config.schedule_min_spread_pct,
            alpha=config.schedule_alpha,
        ),
        severity=pl.col("spread"),
        expires_at=expires["OPTIMIZE_SCHEDULE"],
    )
