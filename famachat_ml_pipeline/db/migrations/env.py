"""Alembic environment: migrates only the ml_* tables, never FamaChat's sistema_* tables."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from famachat_ml_pipeline.db.engine import VERSION_TABLE
from famachat_ml_pipeline.db.schema import metadata

config = context.config


def include_object(obj, name, type_, reflected, compare_to):  # noqa: ANN001
    # Autogenerate must never propose changes to tables FamaChat owns.
    return not (type_ == "table" and not str(name).startswith("ml_"))


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url"))
        with engine.begin() as conn:
            _run(conn)
        engine.dispose()
    else:
        _run(connection)


def _run(connection) -> None:  # noqa: ANN001
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_object=include_object,
        version_table=VERSION_TABLE,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
