"""The short summary `famachat-ml demo` prints after a run: what FamaChat will now read.

Presentation only; the queries live in db/summary_queries.py.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from famachat_ml_pipeline.db.engine import get_engine
from famachat_ml_pipeline.db.summary_queries import per_account, table_counts, top_recommendations
from famachat_ml_pipeline.settings import Settings

TOP_PER_ACCOUNT = 3


def _table(title: str, columns: tuple[str, ...], rows: list[tuple]) -> Table:
    table = Table(title=title)
    for col in columns:
        table.add_column(col)
    for row in rows:
        table.add_row(*[str(v) for v in row])
    return table


def print_summary(settings: Settings, console: Console) -> None:
    engine = get_engine(settings.database_url)
    accounts = per_account(engine)
    top = top_recommendations(engine, TOP_PER_ACCOUNT)
    columns = ("config_id", "campaigns with features", "high performers", "critical anomalies")
    console.print(_table("By account", columns, accounts))
    columns = ("config_id", "priority", "type", "campaign", "title")
    console.print(_table(f"Top {TOP_PER_ACCOUNT} recommendations per account", columns, top))
    counts = ", ".join(f"{k}={v:,}" for k, v in table_counts(engine).items())
    console.print(f"rows: {counts}")
