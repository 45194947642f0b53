"""The retraining job's read, plain (sampled_accounts, then read_daily_insights) vs pipelined
(read_training_sample), alternated on an existing Postgres source database; checks they are equal.

    DATABASE_URL=postgresql://root@127.0.0.1:5432/fcml_rt .venv/bin/python benchmarks/bench_training_read.py \
        --as-of 2026-11-28 --runs 5
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time

from polars.testing import assert_frame_equal

from famachat_ml_pipeline.db.engine import get_engine
from famachat_ml_pipeline.defs.classification.assets import TRAINING_LOOKBACK_DAYS
from famachat_ml_pipeline.defs.classification.sampling import sampled_accounts
from famachat_ml_pipeline.defs.classification.training_read import read_training_sample
from famachat_ml_pipeline.source.read import campaigns_per_account, list_config_ids, read_daily_insights


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--as-of", type=dt.date.fromisoformat, required=True)
    p.add_argument("--runs", type=int, default=5)
    a = p.parse_args()
    engine = get_engine(os.environ["DATABASE_URL"])
    ids, as_of, days = list_config_ids(engine), a.as_of, TRAINING_LOOKBACK_DAYS
    start, now = as_of - dt.timedelta(days=days - 1), dt.datetime.now(dt.UTC)

    def plain():  # noqa: ANN202
        accounts = sampled_accounts(ids, as_of, lambda x: campaigns_per_account(engine, x, start))
        return accounts, read_daily_insights(engine, accounts, as_of, lookback_days=days, now=now)

    def pipelined():  # noqa: ANN202
        return read_training_sample(engine, ids, as_of, days, now=now)

    results = {}
    for i in range(a.runs):
        for name, read in (("plain", plain), ("pipelined", pipelined)):
            t = time.perf_counter()
            accounts, r = read()
            wall = time.perf_counter() - t
            results[name] = (accounts, r)
            print(
                f"run {i} {name}: {wall:.2f} s, {len(accounts)} accounts, {r.rows_read:,} rows, "
                f"load {os.getloadavg()[0]:.1f}",
                flush=True,
            )
        (pa, pr), (na, nr) = results["plain"], results["pipelined"]
        assert pa == na
        assert_frame_equal(nr.daily, pr.daily, check_exact=True)
        counts = lambda r: (r.rows_read, r.rejected, r.rows_used, r.rows_outside_window)  # noqa: E731
        assert counts(nr) == counts(pr)
    print("equal in every run: accounts, daily frame (exact), counts")


if __name__ == "__main__":
    main()
