"""Writes generated demo data, and its incident ground truth, into a database."""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa

from famachat_ml_pipeline.db.writer import bulk_insert
from famachat_ml_pipeline.demo.generator import DemoData
from famachat_ml_pipeline.source.tables import campaigns_table, insights_table, source_metadata

_meta = sa.MetaData()
demo_incidents = sa.Table(
    "famachat_demo_incidents",
    _meta,
    sa.Column("config_id", sa.Integer, nullable=False),
    sa.Column("campaign_id", sa.String(100), nullable=False),
    sa.Column("kind", sa.String(30), nullable=False),
    sa.Column("start_date", sa.Date, nullable=False),
    sa.Column("end_date", sa.Date, nullable=False),
)


def create_source_tables(engine: sa.Engine) -> None:
    """Demo and tests only: FamaChat owns these tables in a real deployment."""
    source_metadata.create_all(engine)


def load_source_rows(engine: sa.Engine, campaigns: pl.DataFrame, insights: pl.DataFrame) -> None:
    """Replace the source rows of the accounts in `campaigns` (demo data and tests, never production)."""
    ids = campaigns["config_id"].unique().to_list()
    ins = insights.select([c for c in insights.columns if c in insights_table.c])
    with engine.begin() as conn:
        conn.execute(insights_table.delete().where(insights_table.c.config_id.in_(ids)))
        conn.execute(campaigns_table.delete().where(campaigns_table.c.config_id.in_(ids)))
        bulk_insert(
            conn, campaigns_table, campaigns.select([c for c in campaigns.columns if c in campaigns_table.c])
        )
        bulk_insert(conn, insights_table, ins)


def source_row_count(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(insights_table)).scalar_one())


class RefusingToOverwrite(RuntimeError):
    pass


def is_demo_database(engine: sa.Engine) -> bool:
    return sa.inspect(engine).has_table(demo_incidents.name)


def _pairs(frame: pl.DataFrame) -> set[tuple[int, str]]:
    return set(zip(frame["config_id"].to_list(), frame["campaign_id"].cast(pl.String).to_list(), strict=True))


def foreign_accounts(engine: sa.Engine, data: DemoData) -> list[int]:
    """The demo's accounts whose source rows hold a campaign the demo does not write (a real account, or
    rows someone added): replacing the demo's accounts would delete them."""
    ids = data.campaigns["config_id"].unique().to_list()
    own = _pairs(data.campaigns) | _pairs(data.insights)
    found: set[tuple[int, str]] = set()
    with engine.connect() as conn:
        for table in (campaigns_table, insights_table):
            query = sa.select(table.c.config_id, table.c.campaign_id).where(table.c.config_id.in_(ids))
            found |= {(int(c), str(k)) for c, k in conn.execute(query.distinct())}
    return sorted({c for c, k in found - own})


def _next_config_id(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        top = max(
            conn.execute(sa.select(sa.func.max(t.c.config_id))).scalar_one() or 0
            for t in (campaigns_table, insights_table)
        )
    return int(top) + 1


def shift_accounts(data: DemoData, first: int) -> DemoData:
    """The same demo under config_ids from `first` on."""
    offset = first - int(data.campaigns["config_id"].min())
    moved = [
        f.with_columns(pl.col("config_id") + offset) for f in (data.campaigns, data.insights, data.incidents)
    ]
    return DemoData(*moved, end_date=data.end_date)


def write_demo(engine: sa.Engine, data: DemoData, force: bool = False) -> DemoData:
    """Create the source tables if needed and replace the demo accounts' rows; returns what was written.

    Never deletes a row the demo did not write. A database whose source tables hold data that no demo
    wrote (a real FamaChat database, say), or whose demo accounts hold campaigns someone else added, is
    refused unless `force` is set; then the demo accounts are added beside the others, under config_ids
    no account uses.
    """
    create_source_tables(engine)
    foreign = foreign_accounts(engine, data)
    if not force and (foreign or (not is_demo_database(engine) and source_row_count(engine) > 0)):
        held = (
            f" (accounts {', '.join(map(str, foreign))} hold campaigns it did not write)" if foreign else ""
        )
        raise RefusingToOverwrite(
            f"the source tables already hold data that the demo did not write{held}; "
            "pass --force to add the demo accounts beside it, under config_ids no account uses"
        )
    if foreign:
        data = shift_accounts(data, _next_config_id(engine))
    _meta.create_all(engine)
    load_source_rows(engine, data.campaigns, data.insights)
    ids = data.campaigns["config_id"].unique().to_list()
    with engine.begin() as conn:
        conn.execute(demo_incidents.delete().where(demo_incidents.c.config_id.in_(ids)))
        bulk_insert(conn, demo_incidents, data.incidents)
    return data


def read_incidents(engine: sa.Engine) -> pl.DataFrame:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(demo_incidents)).fetchall()
    return pl.DataFrame(
        [tuple(r) for r in rows],
        schema={
            "config_id": pl.Int64,
            "campaign_id": pl.String,
            "kind": pl.String,
            "start_date": pl.Date,
            "end_date": pl.Date,
        },
        orient="row",
    )
