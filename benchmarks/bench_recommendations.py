"""Budget advice on the demo fleet: who gets cut, paused or scaled, through the pure functions only.

    .venv/bin/python benchmarks/bench_recommendations.py              # generate_demo(n_accounts=50)
    .venv/bin/python benchmarks/bench_recommendations.py --accounts 20

The demo (fixed seed and end date, so the figures reproduce) is cleaned as the source contract does,
then, as of its last complete day:
- anomalies: `detect_anomalies` over the last 7 days (open CRITICALs block scaling); forecasts: none;
- tiers twice: by the rules only (no model), and with a classifier trained on the demo's own history used
  as if ACTIVE (whether or not it passed the persistence gate, which is printed);
- `generate_recommendations` on each.

Counted over ACTIVE campaigns with a campaign-level daily budget (the only ones a budget rule can touch):
- high-CPL: leads_7d > 0 and CPL_7d >= 1.3 x account CPL_7d (BUDGET_DECREASE's ratio), or 0 leads with
  spend_7d >= 2 x account CPL (PAUSE_CAMPAIGN's spend bar); how many got a BUDGET_DECREASE or a PAUSE;
  and the subset that is also rising (CPL trend >= +15 %, the seed's BUDGET_DECREASE), and the one that is
  not rising but high with evidence (the CPL's one-sided 95 % lower bound >= 1.3 x account CPL);
- HIGH_PERFORMER (the seed's rule tier today) and, among them, those with evidence: the one-sided 95 %
  upper bound of the CPL (exact Poisson/Gamma interval on leads given spend, scipy here) below the account
  CPL; how many of each got a BUDGET_INCREASE or a SCALE_UP;
- the share with leads_7d < 50 (the old learning proxy).
"""

from __future__ import annotations

import argparse
import datetime as dt

import polars as pl
from scipy import stats

from famachat_ml_pipeline.core.anomalies import detect_anomalies
from famachat_ml_pipeline.core.classifier import (
    build_training_set,
    classify,
    train_classifier,
    training_as_of_dates,
)
from famachat_ml_pipeline.core.features import compute_features_wide
from famachat_ml_pipeline.core.recommendations import generate_recommendations
from famachat_ml_pipeline.core.tiers import rule_tiers
from famachat_ml_pipeline.demo.generator import clean_demo, generate_demo

KEY = ["config_id", "campaign_id"]
END = dt.date(2026, 11, 27)


def _upper_cpl(spend: pl.Series, leads: pl.Series, alpha: float = 0.05) -> pl.Series:
    """One-sided (1 - alpha) upper bound of the CPL: spend / the exact Poisson lower bound of the leads."""
    k = leads.to_numpy()
    lower = stats.gamma.ppf(alpha, a=k.clip(1))  # k >= 1 here; 0 leads has no finite bound
    return pl.Series(spend.to_numpy() / lower).fill_nan(None)


def _lower_cpl(spend: pl.Series, leads: pl.Series, alpha: float = 0.05) -> pl.Series:
    """One-sided (1 - alpha) lower bound of the CPL: spend / the exact Poisson upper bound of the leads."""
    return pl.Series(spend.to_numpy() / stats.gamma.ppf(1 - alpha, a=leads.to_numpy() + 1))


def campaign_frame(daily: pl.DataFrame, wide: pl.DataFrame) -> pl.DataFrame:
    latest = daily.sort("date").group_by(KEY).agg(pl.col("status").last(), pl.col("daily_budget").last())
    w = wide.join(latest, on=KEY, how="left").join(rule_tiers(wide).select(*KEY, "tier"), on=KEY, how="left")
    w = w.filter((pl.col("status") == "ACTIVE") & (pl.col("daily_budget").fill_null(0) > 0))
    ratio = pl.col("spend_7d") / pl.col("leads_7d") / pl.col("account_cpl_7d")
    upper = _upper_cpl(w["spend_7d"], w["leads_7d"])
    lower = _lower_cpl(w["spend_7d"], w["leads_7d"])
    return w.with_columns(upper_cpl=upper, lower_cpl=lower).with_columns(
        high_cpl=((pl.col("leads_7d") > 0) & (ratio >= 1.3))
        | ((pl.col("leads_7d") == 0) & (pl.col("spend_7d") >= 2 * pl.col("account_cpl_7d"))),
        # BUDGET_DECREASE's own ratio and trend conditions hold (what the learning proxy used to block)
        cut_candidate=(pl.col("leads_7d") > 0) & (ratio >= 1.3) & (pl.col("cpl_trend_7d") >= 15),
        # high and not rising, but its CPL's 95 % lower bound is at or above 1.3 x the account's
        steady_cut=(pl.col("leads_7d") > 0)
        & (ratio >= 1.3)
        & ~(pl.col("cpl_trend_7d") >= 15).fill_null(False)
        & (pl.col("lower_cpl") >= 1.3 * pl.col("account_cpl_7d")),
        high=pl.col("tier") == "HIGH_PERFORMER",
        evidence=(pl.col("tier") == "HIGH_PERFORMER")
        & (pl.col("leads_7d") > 0)
        & (pl.col("upper_cpl") < pl.col("account_cpl_7d")),
        learning=pl.col("leads_7d") < 50,
    )


def counts(name: str, camps: pl.DataFrame, recs: pl.DataFrame) -> None:
    got = lambda *types: camps.join(  # noqa: E731
        recs.filter(pl.col("recommendation_type").is_in(types))
        .select("config_id", pl.col("entity_id").alias("campaign_id"))
        .unique(),
        on=KEY,
        how="semi",
    )
    cut = got("BUDGET_DECREASE", "PAUSE_CAMPAIGN")
    dec, pause = got("BUDGET_DECREASE"), got("PAUSE_CAMPAIGN")
    up = got("BUDGET_INCREASE", "SCALE_UP")
    n = lambda f, col: int(f[col].sum())  # noqa: E731
    zero = camps.filter(pl.col("high_cpl") & (pl.col("leads_7d") == 0))
    print(
        f"[{name}] active campaigns with a daily budget: {camps.height}; leads_7d < 50: "
        f"{n(camps, 'learning')} ({n(camps, 'learning') / camps.height:.0%})"
    )
    print(
        f"[{name}] high-CPL: {n(camps, 'high_cpl')} (0 leads: {zero.height}); got a decrease or a pause: "
        f"{n(cut, 'high_cpl')} (decrease {n(dec, 'high_cpl')}, pause {n(pause, 'high_cpl')}; "
        f"0-lead spenders paused {pause.join(zero, on=KEY, how='semi').height}/{zero.height})"
    )
    print(
        f"[{name}] high-CPL and rising (CPL >= 1.3 x account, trend >= +15 %): "
        f"{n(camps, 'cut_candidate')}; "
        f"got a decrease or a pause: {n(cut, 'cut_candidate')}"
    )
    print(
        f"[{name}] high-CPL, not rising, CPL lower 95 % >= 1.3 x account: {n(camps, 'steady_cut')}; "
        f"got a decrease or a pause: {n(cut, 'steady_cut')}"
    )
    print(
        f"[{name}] HIGH_PERFORMER (rule tier): {n(camps, 'high')}, with evidence (CPL upper 95 % < account "
        f"CPL): {n(camps, 'evidence')}; scaled (increase or scale-up): {n(up, 'high')} of all, "
        f"{n(up, 'evidence')} of those with evidence; scaled without being HIGH_PERFORMER by the rules: "
        f"{up.height - n(up, 'high')}"
    )
    by_type = dict(sorted(recs.group_by("recommendation_type").len().iter_rows()))
    print(f"[{name}] recommendations by type: {by_type}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--accounts", type=int, default=50)
    p.add_argument("--step", type=int, default=3, help="days between training as-of days")
    a = p.parse_args()
    daily = clean_demo(generate_demo(n_accounts=a.accounts, end_date=END)).daily
    as_of = daily.filter(pl.col("date") <= END)["date"].max()
    wide = compute_features_wide(daily, as_of)
    anomalies = detect_anomalies(daily, as_of, lookback_days=7)
    camps = campaign_frame(daily.filter(pl.col("date") <= as_of), wide)
    empty = pl.DataFrame()

    res = train_classifier(build_training_set(daily, training_as_of_dates(daily, step=a.step)))
    m, b = res.metrics["model"]["f1_macro"], res.metrics["baseline"]["f1_macro"]
    print(
        f"demo: {a.accounts} accounts, as of {as_of}; classifier held-out F1-macro {m:.3f} vs persistence "
        f"{b:.3f} (gate: should_activate={res.should_activate}; used below as if ACTIVE)"
    )
    for name, model in (("rules", None), ("model", res.model)):
        cls = classify(wide, model)
        recs = generate_recommendations(wide, cls, anomalies, empty, daily, as_of)
        counts(name, camps, recs)


if __name__ == "__main__":
    main()
