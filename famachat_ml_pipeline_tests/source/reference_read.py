"""The demo's dirty source rows and `read_daily_insights`' result on them, as recorded before the reader's
cleaner was optimised.

`data/read_reference.parquet` (the daily frame) and `data/read_reference.json` (the counts and examples)
are `read_daily_insights` on `reference_demo()` loaded into Postgres, as computed by commit d723d53 (main
before the speed-up); regenerate them from that commit only, never from the code under test:

    mkdir /tmp/fcml-ref && git archive d723d53 | tar -x -C /tmp/fcml-ref
    T=famachat_ml_pipeline_tests/source
    cp $T/reference_read.py /tmp/fcml-ref/$T/ && mkdir -p /tmp/fcml-ref/$T/data
    (cd /tmp/fcml-ref && PYTHONPATH=. $OLDPWD/.venv/bin/python -m ${T//\//.}.reference_read)
    cp /tmp/fcml-ref/$T/data/read_reference.* $T/data/
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import sqlalchemy as sa

from famachat_ml_pipeline.demo.generator import DemoData, generate_demo
from famachat_ml_pipeline.demo.loader import write_demo
from famachat_ml_pipeline.source.clean import SourceRead
from famachat_ml_pipeline.source.read import read_daily_insights

AS_OF = dt.date(2025, 6, 30)
NOW = dt.datetime(2025, 7, 1, 15, tzinfo=dt.UTC)  # the next day, 15:00 UTC: AS_OF is complete everywhere
ACCOUNTS = 8
DATA = Path(__file__).parent / "data"
DAILY = DATA / "read_reference.parquet"
COUNTS = DATA / "read_reference.json"


def reference_demo() -> DemoData:
    """8 demo accounts, 90 days, with every kind of dirty row the generator injects."""
    return generate_demo(n_accounts=ACCOUNTS, days=90, seed=11, end_date=AS_OF)


def read_reference(engine: sa.Engine) -> SourceRead:
    """The demo written into `engine`'s database, then read back as the `ad_insights` asset reads it."""
    write_demo(engine, reference_demo())
    return read_daily_insights(engine, list(range(1, ACCOUNTS + 1)), AS_OF, now=NOW)


def counts(read: SourceRead) -> dict:
    """Everything `read_daily_insights` returns besides the daily frame, as JSON-able values."""
    return {
        "rows_read": read.rows_read,
        "rejected": dict(sorted(read.rejected.items())),
        "reject_examples": read.reject_examples,
        "rows_used": read.rows_used,
        "rows_outside_window": read.rows_outside_window,
    }


def reference_counts() -> dict:
    """The recorded counts, as the cleaner names them now. The reference predates `duplicate_conflicting`:
    each of its superseded rows is the demo's older row with other figures (3x the spend), which the
    cleaner counts as that now."""
    reference = json.loads(COUNTS.read_text())
    rejected = reference["rejected"]
    rejected["duplicate_conflicting"] = rejected.pop("duplicate_superseded")
    reference["rejected"] = dict(sorted(rejected.items()))
    for example in reference["reject_examples"]:
        if example["reason"] == "duplicate_superseded":
            example["reason"] = "duplicate_conflicting"
    return reference


if __name__ == "__main__":
    from famachat_ml_pipeline.db.engine import get_engine
    from famachat_ml_pipeline_tests.conftest import create_pg_database, drop_pg_database

    url = create_pg_database("fcml_ref")
    try:
        read = read_reference(get_engine(url))
    finally:
        drop_pg_database(url)
    DATA.mkdir(exist_ok=True)
    read.daily.write_parquet(DAILY)
    COUNTS.write_text(json.dumps(counts(read), indent=1, sort_keys=True) + "\n")
    print(read.daily.shape, counts(read)["rejected"])
