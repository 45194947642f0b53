"""No optimisation and no backend changes a result: the demo's daily runs, written through the writer's COPY
path on Postgres, through a plain SQLAlchemy Core executemany of the same frames, and through the writer on
SQLite, leave the same ml_* rows (ids and wall-clock timestamps aside)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from famachat_ml_pipeline.db import schema, writer
from famachat_ml_pipeline.db.engine import get_engine, migrate
from famachat_ml_pipeline.demo import loader
from famachat_ml_pipeline.demo.generator import generate_demo
from famachat_ml_pipeline.runner import run_pipeline
from famachat_ml_pipeline.settings import get_settings
from famachat_ml_pipeline.source.tables import insights_table
from famachat_ml_pipeline_tests.conftest import create_pg_database, drop_pg_database

# Row ids differ between two databases; these stamps are the wall clock of the write, not a result.
IGNORED = {"id", "created_at", "detected_at", "expires_at"}
REFERENCES = {"model_id", "recommendation_id"}  # compared as present / absent


def _binds(conn: sa.Connection, table: sa.Table, columns: Sequence[str]) -> dict[str, sa.BindParameter]:
    """A missing JSON value is SQL NULL on Postgres, as the writer's COPY has always stored it (on SQLite,
    SQLAlchemy's JSON null, as the writer's executemany has always stored it)."""
    pg = conn.dialect.name == "postgresql"
    return {
        c: sa.bindparam(c, type_=JSONB(none_as_null=True) if pg and _is_json(table, c) else table.c[c].type)
        for c in columns
    }


def _is_json(table: sa.Table, column: str) -> bool:
    return isinstance(table.c[column].type, sa.JSON)


def _python(table: sa.Table, column: str, value: object) -> object:
    """Our frames carry JSON as text; SQLAlchemy's JSON columns take Python objects."""
    return json.loads(value) if _is_json(table, column) and isinstance(value, str) else value


def plain_insert(conn: sa.Connection, table: sa.Table, frame: pl.DataFrame) -> int:
    """The reference: one INSERT executemany through SQLAlchemy Core."""
    if frame.is_empty():
        return 0
    rows = [{c: _python(table, c, v) for c, v in row.items()} for row in frame.iter_rows(named=True)]
    conn.execute(table.insert().values(_binds(conn, table, frame.columns)), rows)
    return frame.height


def plain_update(
    conn: sa.Connection,
    table: sa.Table,
    frame: pl.DataFrame,
    key: Sequence[str],
    guard: sa.ColumnElement[bool] | None = None,
) -> int:
    """The reference: one UPDATE ... WHERE key executemany, row after row."""
    if frame.is_empty():
        return 0
    values = [c for c in frame.columns if c not in key]
    stmt = table.update().where(*[table.c[k] == sa.bindparam(f"k_{k}") for k in key])
    if guard is not None:
        stmt = stmt.where(guard)
    params = [
        {**{f"k_{k}": row[k] for k in key}, **{c: _python(table, c, row[c]) for c in values}}
        for row in frame.iter_rows(named=True)
    ]
    conn.execute(stmt.values(_binds(conn, table, values)), params)
    return frame.height


def _daily_runs(url: str, home: Path, monkeypatch: pytest.MonkeyPatch) -> sa.Engine:
    """The demo, then the daily graph for the day before, the day, and the day again after a restatement
    (inserts, replacements, anomaly and recommendation updates, prediction actuals)."""
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("MODELS_STORAGE_PATH", str(home / "models"))
    monkeypatch.setenv("FRAMES_STORAGE_PATH", str(home / "frames"))
    monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster_home"))
    monkeypatch.delenv("DAGSTER_PG_URL", raising=False)
    get_settings.cache_clear()
    settings = get_settings()
    engine = get_engine(url)
    data = generate_demo(n_accounts=3, days=70, seed=3)
    loader.write_demo(engine, data)
    as_of = data.end_date
    for day in (as_of - dt.timedelta(days=1), as_of):
        (run,) = run_pipeline(settings, as_of=day, echo=lambda _: None)
        assert run.success
    with engine.begin() as conn:  # a restatement of one account's last day
        conn.execute(
            insights_table.update()
            .where(insights_table.c.config_id == 2, insights_table.c.date_start == as_of)
            .values(spend=0, leads=0, updated_at=sa.func.now())
        )
    (run,) = run_pipeline(settings, as_of=as_of, echo=lambda _: None)
    assert run.success
    get_settings.cache_clear()
    return engine


def _rounded(value: object) -> object:
    """Floats to 12 significant digits, inside JSON too: two runs of the same computation differ in the
    last bit of a few sums (polars' parallel summation order; seen on SQLite, where both paths are the
    same executemany). The write path's own exactness: test_bulk_insert_and_update_round_trip_exactly."""
    if isinstance(value, float):
        return float(f"{value:.12g}")
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def _value(column: sa.Column, value: object) -> object:
    if column.name in REFERENCES:
        return value is not None
    if isinstance(column.type, sa.JSON) and value is not None:
        parsed = json.loads(value) if isinstance(value, str) else value
        return json.dumps(_rounded(parsed), sort_keys=True)
    return _rounded(value)


def ml_rows(engine: sa.Engine) -> dict[str, list[str]]:
    """Every ml_* table's rows, ids and write stamps left out, as sorted reprs (NaN equals NaN)."""
    out = {}
    with engine.connect() as conn:
        for table in schema.ML_TABLES:
            cols = [c for c in table.columns if c.name not in IGNORED]
            rows = conn.execute(sa.select(*cols)).fetchall()
            out[table.name] = sorted(
                repr(tuple(_value(c, v) for c, v in zip(cols, r, strict=True))) for r in rows
            )
    return out


@pytest.fixture
def pg_urls() -> Iterator[tuple[str, str]]:
    urls = create_pg_database(), create_pg_database()
    try:
        yield urls
    finally:
        for url in urls:
            drop_pg_database(url)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def two_urls(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'copy.db'}", f"sqlite:///{tmp_path / 'plain.db'}"
    return request.getfixturevalue("pg_urls")


@pytest.mark.postgres
def test_copy_path_and_sqlite_write_the_same_rows_as_plain_inserts(
    pg_urls: tuple[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same daily runs three ways: through the writer on Postgres (COPY, temp-table updates), through
    plain executemany on Postgres, and through the writer on SQLite (the embedded default)."""
    fast_url, plain_url = pg_urls
    fast_engine = _daily_runs(fast_url, tmp_path / "fast", monkeypatch)
    fast = ml_rows(fast_engine)
    sqlite_url = f"sqlite:///{tmp_path / 'embedded.db'}"
    embedded = ml_rows(_daily_runs(sqlite_url, tmp_path / "embedded", monkeypatch))

    with monkeypatch.context() as plain_path:
        plain_path.setattr(writer, "bulk_insert", plain_insert)
        plain_path.setattr(writer, "update_rows", plain_update)
        plain_path.setattr(loader, "bulk_insert", plain_insert)
        plain = ml_rows(_daily_runs(plain_url, tmp_path / "plain", monkeypatch))

    written = {
        "ml_features",
        "ml_anomalies",
        "ml_forecasts",
        "ml_predictions",
        "ml_campaign_classifications",
        "ml_recommendations",
    }
    assert all(fast[t] for t in written), {t: len(fast[t]) for t in written}
    p = schema.ml_predictions
    with fast_engine.connect() as conn:  # the runs filled actuals (an UPDATE path) on some predictions
        assert conn.execute(sa.select(sa.func.count()).where(p.c.actual_value.is_not(None))).scalar_one()
    for table in fast:
        assert fast[table] == plain[table], table
        assert embedded[table] == fast[table], table


TRICKY_TEXT = ['aspas "duplas", vírgula', "", "\\N", "linha\nnova", None, "tab\there ☃"]
TRICKY_FLOATS = [1 / 3, float("nan"), float("inf"), float("-inf"), 5e-324, None]


def _recommendations() -> pl.DataFrame:
    n = len(TRICKY_TEXT)
    return pl.DataFrame(
        {
            "config_id": [1] * n,
            "entity_type": ["campaign"] * n,
            "entity_id": [str(i) for i in range(n)],
            "recommendation_type": ["PAUSE_CAMPAIGN", "BUDGET_INCREASE"] * (n // 2),
            "priority": [1, None, 3, 4, 5, 6],
            "title": [t if t is not None else "sem título" for t in TRICKY_TEXT],
            "description": [t if t is not None else "x" for t in TRICKY_TEXT[::-1]],
            "suggested_action": ['{"a": [1, 2.5, null], "b": "ç \\"q\\""}', None, "{}", "[]", '"s"', "1e300"],
            "confidence_score": TRICKY_FLOATS,
            "is_active": [True, False, None, True, True, True],
            "expires_at": [dt.datetime(2026, 3, 10, 23, 59, 59, 999999), None] * (n // 2),
        },
        schema_overrides={"priority": pl.Int32},
    )


def _insights() -> pl.DataFrame:
    zone = "America/Sao_Paulo"
    return pl.DataFrame(
        {
            "config_id": [7, 7, 8],
            "campaign_id": ["a", "b", ""],
            "date_start": [dt.date(2026, 1, 1), dt.date(2026, 12, 31), dt.date(2000, 2, 29)],
            "date_stop": [dt.date(2026, 1, 1), dt.date(2026, 12, 31), dt.date(2000, 2, 29)],
            "spend": [12.34, None, 0.0],
            "impressions": [2**40, 0, None],
            "actions": ['[{"action_type": "lead", "value": "3"}]', None, "[]"],
            "updated_at": [
                dt.datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=ZoneInfo(zone)),
                dt.datetime(2026, 6, 1, tzinfo=dt.UTC),
                dt.datetime(2026, 1, 2, 23, 0, tzinfo=ZoneInfo(zone)),
            ],
        }
    ).with_columns(pl.col("updated_at").dt.convert_time_zone(zone))


def _all_rows(engine: sa.Engine, table: sa.Table) -> list[str]:
    cols = [c for c in table.columns if c.name != "created_at"]  # the wall clock of the write
    with engine.connect() as conn:
        return [repr(tuple(r)) for r in conn.execute(sa.select(*cols).order_by(table.c.id))]


def test_bulk_insert_and_update_round_trip_exactly(
    two_urls: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Awkward values (quotes, newlines, empty vs null, a literal \\N, NaN and infinities, the smallest
    float, JSON, enums, aware timestamps) land the same through COPY as through a plain executemany;
    update_rows matches an UPDATE executemany (last duplicate wins, the guard holds)."""
    r = schema.ml_recommendations
    engines = []
    for url, (insert, update) in zip(
        two_urls, [(writer.bulk_insert, writer.update_rows), (plain_insert, plain_update)], strict=True
    ):
        migrate(url)
        engine = get_engine(url)
        loader.create_source_tables(engine)
        with engine.begin() as conn:
            assert insert(conn, r, _recommendations()) == 6
            assert insert(conn, insights_table, _insights()) == 3
            conn.execute(r.update().where(r.c.id == 3).values(dismissed=True))
            changes = pl.DataFrame(
                {
                    "id": [1, 2, 2, 3],
                    "title": ["novo", "primeiro", "último", "decidido"],
                    "suggested_action": ['{"k": 1}', None, '{"k": "é"}', "{}"],
                    "confidence_score": [0.1, None, 2 / 3, 0.5],
                    "expires_at": [None, dt.datetime(2026, 3, 11), dt.datetime(2026, 3, 12, 1), None],
                }
            )
            update(conn, r, changes, ["id"], guard=writer._no_user_decision(r))
        engines.append(engine)
    fast, plain = ([*_all_rows(e, r), *_all_rows(e, insights_table)] for e in engines)
    assert fast == plain
    assert "'último'" in fast[1] and "'decidido'" not in fast[2]
