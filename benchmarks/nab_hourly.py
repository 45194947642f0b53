"""Issue 13: the NAB comparison on the corpus resampled to hourly means, a proxy for hourly data such as
ad-exchange CPC and CPM, which `shared/data/nab` does not hold (its files are 5-minute, except
realKnownCause's 30-minute nyc_taxi and hourly ambient_temperature).

    .venv/bin/python benchmarks/nab_hourly.py ../shared/data/nab [--every 1h] [--tuned-as-given]
    (about 30 CPU seconds; a minute with --tuned-as-given)

Each file's rows are averaged per `--every` bucket (polars `dt.truncate`); its labelled windows keep their
times. Then the report of `evaluate anomalies --nab`: ours, the seed's z-score and the windowed Gaussian,
each setting and threshold chosen leave one category out on the resampled files. With `--tuned-as-given`,
chosen instead on the folder's own files as they are (5-minute), without the scored category, as
`evaluate anomalies --nab NEW --tune-on ../shared/data/nab` chooses them for new hourly data.
"""

from __future__ import annotations

import argparse
import dataclasses

import polars as pl

from famachat_ml_pipeline.evaluation import nab_methods as nm
from famachat_ml_pipeline.evaluation.nab import NabSeries, load_nab
from famachat_ml_pipeline.evaluation.nab_loco import evaluate_nab, format_report


def resampled(series: NabSeries, every: str) -> NabSeries:
    frame = (
        pl.DataFrame({"t": series.timestamps, "v": series.values})
        .group_by(pl.col("t").dt.truncate(every))
        .agg(pl.col("v").mean())
        .sort("t")
    )
    return dataclasses.replace(
        series,
        timestamps=frame["t"].to_numpy().astype("datetime64[us]"),
        values=frame["v"].to_numpy().astype(float),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    parser.add_argument("--every", default="1h", help="polars duration of a bucket (default 1h)")
    parser.add_argument(
        "--tuned-as-given",
        action="store_true",
        help="choose settings on the files as they are (without the scored category), not on the resampled",
    )
    args = parser.parse_args()
    given = load_nab(args.folder)
    data = [resampled(s, args.every) for s in given]
    print(f"{len(data)} files resampled to {args.every} means: {sum(len(s.values) for s in data):,} rows")
    methods = tuple(m for m in nm.METHODS if m.name in ("robust", "seed_zscore", "windowed_gaussian"))
    tune = given if args.tuned_as_given else None
    print(format_report(evaluate_nab(data, methods, tune_on=tune)))


if __name__ == "__main__":
    main()
