"""The migrated schema is the seed's DDL (section 8): FamaChat reads these tables directly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.db.engine import get_engine, migrate
from famachat_ml_pipeline.db.schema import ML_TABLES
from famachat_ml_pipeline.demo.loader import create_source_tables
from famachat_ml_pipeline.source.tables import insights_table
from famachat_ml_pipeline_tests.conftest import create_pg_database, drop_pg_database

SEED_DDL = (Path(__file__).parent / "seed_ddl.sql").read_text()
OUR_INDEXES = (
    (
        "ix_ml_features_feature_date",
        "CREATE INDEX ix_ml_features_feature_date ON public.ml_features USING btree (feature_date)",
    ),
    (
        "ix_ml_forecasts_forecast_date",
        "CREATE INDEX ix_ml_forecasts_forecast_date ON public.ml_forecasts USING btree (forecast_date)",
    ),
    (
        "ix_ml_predictions_made_on",
        "CREATE INDEX ix_ml_predictions_made_on ON public.ml_predictions"
        " USING btree (forecast_date, horizon_days)",
    ),
)


def _apply_seed_ddl(url: str) -> None:
    statements = [s.strip() for s in re.sub(r"--[^\n]*", "", SEED_DDL).split(";") if s.strip()]
    # The seed lists its enums after the tables that use them: create types first.
    ordered = sorted(
        statements, key=lambda s: (not s.startswith("CREATE TYPE"), s.startswith("CREATE INDEX"))
    )
    with get_engine(url).begin() as conn:
        for statement in ordered:
            conn.exec_driver_sql(statement)


def _introspect(url: str) -> dict[str, object]:
    with get_engine(url).connect() as conn:
        columns = conn.execute(
            sa.text("""
            SELECT table_name, column_name, data_type, udt_name, character_maximum_length,
                   is_nullable, column_default
            FROM information_schema.columns
            WHERE table_schema = 'public' AND table_name LIKE 'ml\\_%' AND table_name <> 'ml_alembic_version'
            ORDER BY table_name, ordinal_position""")
        ).fetchall()
        enums = conn.execute(
            sa.text("""
            SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder)
            FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname""")
        ).fetchall()
        indexes = conn.execute(
            sa.text("""
            SELECT indexname, indexdef FROM pg_indexes
            WHERE schemaname = 'public' AND indexname LIKE 'ix\\_%'""")
        ).fetchall()
        fks = conn.execute(
            sa.text("""
            SELECT tc.table_name, kcu.column_name, ccu.table_name, ccu.column_name
            FROM information_schema.table_constraints tc
            JOIN information_schema.key_column_usage kcu ON tc.constraint_name = kcu.constraint_name
            JOIN information_schema.constraint_column_usage ccu ON tc.constraint_name = ccu.constraint_name
            WHERE tc.constraint_type = 'FOREIGN KEY'""")
        ).fetchall()
    return {
        "columns": [tuple(r) for r in columns],
        "enums": sorted((n, list(v)) for n, v in enums),
        "indexes": sorted(tuple(r) for r in indexes),
        "foreign_keys": sorted(tuple(r) for r in fks),
    }


@pytest.mark.postgres
def test_migrated_postgres_schema_matches_the_seed_ddl(pg_url: str) -> None:
    seed_url = create_pg_database("fcml_seed")
    try:
        _apply_seed_ddl(seed_url)
        expected = _introspect(seed_url)
    finally:
        drop_pg_database(seed_url)
    migrate(pg_url)
    actual = _introspect(pg_url)
    assert len({c[0] for c in expected["columns"]}) == 8
    assert len(expected["enums"]) == 7 and len(expected["indexes"]) == 5
    # our indexes beside the seed's (migrations 0004, 0006); the seed's tables, columns and indexes unchanged
    expected["indexes"] = sorted([*expected["indexes"], *OUR_INDEXES])
    for part in ("enums", "indexes", "foreign_keys", "columns"):
        assert actual[part] == expected[part], part
    # one storage parameter of ours (migration 0005): the daily actuals update ml_predictions in place
    with get_engine(pg_url).connect() as conn:
        options = conn.execute(
            sa.text(
                "SELECT relname, reloptions FROM pg_class"
                " WHERE relname LIKE 'ml\\_%' AND reloptions IS NOT NULL"
            )
        ).fetchall()
    assert [tuple(r) for r in options] == [("ml_predictions", ["fillfactor=85"])]


def test_migrate_is_idempotent_and_leaves_source_tables_alone(db_url: str) -> None:
    engine = get_engine(db_url)
    create_source_tables(engine)
    with engine.begin() as conn:
        conn.execute(
            insights_table.insert().values(
                config_id=1,
                campaign_id="1",
                date_start=sa.func.current_date(),
                date_stop=sa.func.current_date(),
            )
        )
    before = sa.inspect(engine).get_columns(insights_table.name)
    assert migrate(db_url) == "0007"
    assert migrate(db_url) == "0007"
    inspector = sa.inspect(get_engine(db_url))
    tables = set(inspector.get_table_names())
    assert {t.name for t in ML_TABLES} <= tables
    assert [c["name"] for c in inspector.get_columns(insights_table.name)] == [c["name"] for c in before]
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(insights_table)).scalar_one() == 1
