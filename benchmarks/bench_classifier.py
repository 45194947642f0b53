"""Campaign classifier benchmark: fleet training and classification times, model vs persistence F1.

    .venv/bin/python benchmarks/bench_classifier.py                 # demo (6 accounts) and fleet (1,000)
    .venv/bin/python benchmarks/bench_classifier.py --accounts 200  # a smaller fleet
    .venv/bin/python benchmarks/bench_classifier.py --skip-demo --cap --days 120 --cv-folds 5 3
        # the retraining job's sample: 120 days, as-of days sampled to the 120k cap; CV at 5 and 3 folds

1. Demo data (generate_demo() defaults): training set over every as-of day, held-out F1-macro of the
   model and of the persistence baseline (next week's tier = today's rule tier).
2. Fleet (generate_demo(n_accounts=1000): ~12k campaigns x 90 days): time to build the training set and
   train (time-aware CV included, once per --cv-folds value, back to back), the same F1 figures, and the
   time to classify every campaign.
3. For both: today's rule tier x the model's predicted next-week tier (campaign counts), i.e. how often the
   forecast differs from today's tier and in which direction.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import datetime
from pathlib import Path

import polars as pl

from famachat_ml_pipeline.core.classifier import (
    CV_FOLDS,
    build_training_set,
    classify,
    load_model,
    save_model,
    train_classifier,
    training_as_of_dates,
)
from famachat_ml_pipeline.core.features import compute_features_wide
from famachat_ml_pipeline.core.vocab import TIERS
from famachat_ml_pipeline.demo.generator import clean_demo, generate_demo


def load_daily(n_accounts: int, days: int) -> tuple[pl.DataFrame, datetime]:
    d = generate_demo(n_accounts=n_accounts, days=days)
    return clean_demo(d, lookback_days=days).daily, d.end_date


def report(name: str, res) -> None:  # noqa: ANN001
    m, b, s = res.metrics["model"], res.metrics["baseline"], res.metrics["split"]
    cv = res.metrics["cv"]
    print(
        f"[{name}] samples: train {s['train_samples']:,} (as-of {s['train_start']}..{s['train_end']}), "
        f"held-out {s['holdout_samples']:,} ({s['holdout_start']}..{s['holdout_end']}), "
        f"purge {s['purge_days']} d"
    )
    for label, v in (("model      ", m), ("persistence", b)):
        cvf = "n/a" if v["cv_f1_macro_mean"] is None else f"{v['cv_f1_macro_mean']:.4f}"
        print(
            f"[{name}] {label}: held-out F1-macro {v['f1_macro']:.4f}  accuracy {v['accuracy']:.4f}  "
            f"F1-weighted {v['f1_weighted']:.4f}  CV F1-macro mean ({cv['folds']} folds) {cvf}"
        )
    print(f"[{name}] gate: should_activate = {res.should_activate}")


def bench(  # noqa: PLR0913
    name: str, n_accounts: int, step: int, classify_runs: int, days: int, cap: bool, cv_folds: list[int]
) -> None:
    t0 = time.perf_counter()
    daily, end = load_daily(n_accounts, days)
    n_campaigns = daily.select("config_id", "campaign_id").n_unique()
    print(
        f"[{name}] generate_demo({n_accounts}, days={days}) + clean_insights: {daily.height:,} daily rows, "
        f"{n_campaigns:,} campaigns, {time.perf_counter() - t0:.1f} s (not counted below)"
    )

    all_dates = training_as_of_dates(daily)
    if cap:  # as the classifier_model asset samples them
        from famachat_ml_pipeline.defs.classification.sampling import (
            MAX_TRAINING_SAMPLES,
            sampled_as_of_dates,
        )

        dates = sampled_as_of_dates(all_dates, n_campaigns)
        every = (dates[1] - dates[0]).days if len(dates) > 1 else len(all_dates)
        how = f"sampled to the {MAX_TRAINING_SAMPLES:,} cap: every {every} days"
    else:
        dates, how = training_as_of_dates(daily, step=step), f"step {step}"
    t0, c0 = time.perf_counter(), time.process_time()
    train_set = build_training_set(daily, dates)
    t_build, c_build = time.perf_counter() - t0, time.process_time() - c0
    print(
        f"[{name}] build_training_set ({len(dates)} of {len(all_dates)} as-of days, {how}): {t_build:.2f} s "
        f"(CPU {c_build:.2f} s), {train_set.height:,} rows"
    )
    for folds in cv_folds:
        t0, c0 = time.perf_counter(), time.process_time()
        res = train_classifier(train_set, cv_folds=folds)
        t_train, c_train = time.perf_counter() - t0, time.process_time() - c0
        print(
            f"[{name}] train_classifier (fit + {folds}-fold CV + metrics): {t_train:.2f} s "
            f"(CPU {c_train:.2f} s); build + train {t_build + t_train:.2f} s"
        )
        report(name, res)

    with tempfile.TemporaryDirectory() as tmp:
        path = save_model(res.model, Path(tmp) / "classifier.json")
        model = load_model(path)
        print(f"[{name}] artifact: {path.stat().st_size / 1e6:.1f} MB JSON, reloaded")

    t0 = time.perf_counter()
    wide = compute_features_wide(daily, end)
    t_wide = time.perf_counter() - t0
    timings = {}
    for label, kwargs in (("rules", None), ("model", False), ("model, exact SHAP", True)):
        best = float("inf")
        for _ in range(classify_runs):
            t0 = time.perf_counter()
            out = (
                classify(wide, None) if kwargs is None else classify(wide, model, exact_contributions=kwargs)
            )
            best = min(best, time.perf_counter() - t0)
        timings[label] = (best, out.height)
    print(
        f"[{name}] compute_features_wide (as of {end}, all windows): {t_wide:.2f} s for {wide.height:,} "
        f"campaigns"
    )
    for label, (secs, rows) in timings.items():
        print(f"[{name}] classify ({label}): {secs:.2f} s (best of {classify_runs}), {rows:,} classified")
    tiers = out["tier"].value_counts().sort("tier").iter_rows()
    print(f"[{name}] today's tier (rules) distribution: {dict(tiers)}")
    print_confusion(name, out)


def print_confusion(name: str, out: pl.DataFrame) -> None:
    """Today's rule tier (rows) x the model's predicted next-week tier (columns), campaign counts."""
    table = (
        out.group_by("tier", "predicted_next_tier")
        .len()
        .pivot(on="predicted_next_tier", index="tier", values="len")
        .fill_null(0)
    )
    table = pl.DataFrame({"tier": list(TIERS)}).join(table, on="tier", how="left").fill_null(0)
    cols = [t for t in TIERS if t in table.columns]
    width = max(len(t) for t in TIERS) + 2
    print(f"[{name}] today's rule tier (rows) x predicted next-week tier (columns):")
    print(f"[{name}]   {'':<{width}}" + "".join(f"{c[:9]:>11}" for c in cols))
    for row in table.iter_rows(named=True):
        print(f"[{name}]   {row['tier']:<{width}}" + "".join(f"{row[c]:>11,}" for c in cols))
    same = out.filter(pl.col("tier") == pl.col("predicted_next_tier")).height
    print(
        f"[{name}] predicted next-week tier = today's: {same:,} of {out.height:,} "
        f"({same / out.height:.1%}); "
        f"likely to fall (P >= 0.5): {int(out['likely_to_fall'].sum()):,}"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--accounts", type=int, default=1000)
    p.add_argument("--step", type=int, default=3, help="days between as-of days on the fleet")
    p.add_argument("--runs", type=int, default=3, help="classify runs (best is reported)")
    p.add_argument("--days", type=int, default=90, help="days of history (the retraining job reads 120)")
    p.add_argument("--cap", action="store_true", help="sample the fleet's as-of days as the asset does")
    p.add_argument("--cv-folds", type=int, nargs="+", default=[CV_FOLDS], help="train once per value")
    p.add_argument("--skip-demo", action="store_true")
    a = p.parse_args()
    if not a.skip_demo:
        bench("demo", 6, 1, a.runs, 90, False, a.cv_folds)
        print()
    bench("fleet", a.accounts, a.step, a.runs, a.days, a.cap, a.cv_folds)


if __name__ == "__main__":
    main()
