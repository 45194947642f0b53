"""Least privilege for the two Postgres roles that touch the ml_* tables (`famachat-ml grants`).

- the pipeline: SELECT on FamaChat's source tables; read/write on every ml_* table and its id sequence,
  and on its own anomaly_inputs and forecast_calibration. The agent's HTTP API connects as this role too
  (`serve` runs it on the pipeline's DATABASE_URL; deploy/agent-api.yaml reads the same secret): it reads
  the source and ml_* tables and writes the users' columns and the agent's agent_* conversations, so the
  role reads and writes agent_* and their id sequences (without them every chat answered 500,
  "permission denied for table agent_threads").
- FamaChat's app: SELECT on every ml_* table, and UPDATE only on the columns its users own.

Table-list driven: every table in `db.schema.metadata` is covered, so a table added there (and migrated)
is granted by re-running the command. Roles are created by the operator (passwords are theirs to set);
the migration runs as the tables' owner, never as either role.
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from famachat_ml_pipeline.core.vocab import ANOMALY_USER_COLUMNS, RECOMMENDATION_USER_COLUMNS
from famachat_ml_pipeline.db.anomaly_inputs import ANOMALY_INPUT_TABLES
from famachat_ml_pipeline.db.conversations import AGENT_TABLES
from famachat_ml_pipeline.db.engine import VERSION_TABLE  # the pipeline reads it on every run
from famachat_ml_pipeline.db.forecast_calibration import FORECAST_CALIBRATION_TABLES
from famachat_ml_pipeline.db.schema import metadata, ml_anomalies, ml_recommendations
from famachat_ml_pipeline.source.tables import SOURCE_TABLES

# What FamaChat's users decide; everything else in ml_* is the pipeline's to write.
USER_COLUMNS: dict[sa.Table, tuple[str, ...]] = {
    ml_recommendations: RECOMMENDATION_USER_COLUMNS,
    ml_anomalies: ANOMALY_USER_COLUMNS,
}

_ROLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


class BadRoleName(ValueError):
    pass


def _ident(name: str) -> str:
    if not _ROLE.fullmatch(name):
        raise BadRoleName(f"role names are letters, digits and _ (at most 63): {name!r}")
    return f'"{name}"'


def _sequences(table: sa.Table) -> list[str]:
    # serial / identity columns own a sequence named <table>_<column>_seq (Postgres' naming)
    return [
        f"{table.name}_{c.name}_seq"
        for c in table.primary_key.columns
        if isinstance(c.type, sa.Integer) and c.autoincrement in (True, "auto")
    ]


def grant_statements(pipeline_role: str, app_role: str, database: str | None = None) -> list[str]:
    """The SQL, one statement per item, idempotent (GRANT/REVOKE can be re-run)."""
    pipeline, app = _ident(pipeline_role), _ident(app_role)
    tables = [t for t in metadata.sorted_tables]
    names = ", ".join(t.name for t in tables)
    sequences = ", ".join(s for t in tables for s in _sequences(t))
    own = ", ".join(t.name for t in (*ANOMALY_INPUT_TABLES, *FORECAST_CALIBRATION_TABLES))
    agent = ", ".join(t.name for t in AGENT_TABLES)
    agent_sequences = ", ".join(s for t in AGENT_TABLES for s in _sequences(t))
    sql = []
    if database:
        sql.append(f'GRANT CONNECT ON DATABASE "{database}" TO {pipeline}, {app}')
        # the writer's UPDATEs go through a temporary table (db/writer.update_rows), even where a hardened
        # database revoked TEMPORARY from PUBLIC
        sql.append(f'GRANT TEMPORARY ON DATABASE "{database}" TO {pipeline}')
    sql += [
        f"GRANT USAGE ON SCHEMA public TO {pipeline}, {app}",
        # the pipeline
        f"GRANT SELECT ON {', '.join(SOURCE_TABLES)} TO {pipeline}",
        f"GRANT SELECT ON {VERSION_TABLE} TO {pipeline}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON {names} TO {pipeline}",
        f"GRANT USAGE, SELECT ON SEQUENCE {sequences} TO {pipeline}",
        # the pipeline's own bookkeeping (db/anomaly_inputs.py, db/forecast_calibration.py): FamaChat's
        # app never reads it
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON {own} TO {pipeline}",
        # the agent API's conversations (db/conversations.py), written as this role: FamaChat's app never
        # reads them
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON {agent} TO {pipeline}",
        f"GRANT USAGE, SELECT ON SEQUENCE {agent_sequences} TO {pipeline}",
        # FamaChat's app: start from nothing, so a re-run also takes back anything granted before
        f"REVOKE ALL ON {names} FROM {app}",
        f"GRANT SELECT ON {names} TO {app}",
    ]
    for table, columns in USER_COLUMNS.items():
        sql.append(f"GRANT UPDATE ({', '.join(columns)}) ON {table.name} TO {app}")
    return sql


def grants_sql(pipeline_role: str, app_role: str, database: str | None = None) -> str:
    return "".join(f"{s};\n" for s in grant_statements(pipeline_role, app_role, database))


def apply_grants(engine: sa.Engine, pipeline_role: str, app_role: str) -> list[str]:
    """Run the statements in one transaction (as the tables' owner). Returns what was run."""
    if engine.dialect.name != "postgresql":
        raise BadRoleName("grants are Postgres-only: SQLite has no roles")
    statements = grant_statements(pipeline_role, app_role, engine.url.database)
    with engine.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)
    return statements
