"""The CLI: clear errors for bad input, and the commands a user runs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.cli import NEXT_STEPS, main
from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline.db.engine import get_engine
from famachat_ml_pipeline.db.summary_queries import top_recommendations
from famachat_ml_pipeline.demo.loader import create_source_tables
from famachat_ml_pipeline.settings import Settings, get_settings
from famachat_ml_pipeline.source.tables import campaigns_table, insights_table


def test_bad_setting_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://nope")
    get_settings.cache_clear()
    assert main(["migrate"]) == 2
    assert "DATABASE_URL" in capsys.readouterr().out
    get_settings.cache_clear()


BAD_ARGUMENTS = [
    ["run"],
    ["run", "--all", "--config-id", "1"],
    ["run", "--all", "--as-of", "2026-13-01"],
    ["generate-demo-data", "--days", "10"],
    ["generate-demo-data", "--accounts", "0"],
]


@pytest.mark.parametrize("argv", BAD_ARGUMENTS)
def test_bad_arguments_are_refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert "error" in capsys.readouterr().err


def test_generate_refuses_to_overwrite_foreign_source_data(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = get_engine(settings.database_url)
    create_source_tables(engine)
    with engine.begin() as conn:
        day = dt.date(2026, 1, 1)
        conn.execute(
            insights_table.insert().values(config_id=1, campaign_id="1", date_start=day, date_stop=day)
        )
    assert main(["generate-demo-data", "--accounts", "1", "--days", "40"]) == 2
    assert "--force" in capsys.readouterr().out
    with engine.connect() as conn:  # nothing lost
        assert conn.execute(sa.select(sa.func.count()).select_from(insights_table)).scalar_one() == 1


def _source_rows(engine: sa.Engine, where: sa.ColumnElement[bool]) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(insights_table).where(where)).scalar_one()


def test_generate_with_force_adds_the_demo_beside_real_accounts_and_deletes_nothing(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = get_engine(settings.database_url)
    create_source_tables(engine)
    day = dt.date(2026, 1, 1)
    with engine.begin() as conn:
        for config_id in (1, 2):
            conn.execute(
                campaigns_table.insert().values(
                    config_id=config_id, campaign_id=f"REAL-{config_id}", name="real"
                )
            )
            conn.execute(
                insights_table.insert().values(
                    config_id=config_id, campaign_id=f"REAL-{config_id}", date_start=day, date_stop=day
                )
            )
    real = insights_table.c.campaign_id.like("REAL-%")
    assert main(["generate-demo-data", "--accounts", "2", "--days", "40", "--force"]) == 0
    assert "config_id 3..4" in capsys.readouterr().out
    assert _source_rows(engine, real) == 2  # the real accounts' rows are all there
    assert _source_rows(engine, insights_table.c.config_id.in_([1, 2]) & ~real) == 0  # and alone
    assert _source_rows(engine, insights_table.c.config_id.in_([3, 4])) > 0


def test_regenerating_the_demo_keeps_a_campaign_someone_added_to_a_demo_account(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = get_engine(settings.database_url)
    argv = ["generate-demo-data", "--accounts", "2", "--days", "40"]
    assert main(argv) == 0
    demo_rows = _source_rows(engine, insights_table.c.config_id == 1)
    day = dt.date(2026, 1, 1)
    with engine.begin() as conn:
        conn.execute(campaigns_table.insert().values(config_id=1, campaign_id="ADDED", name="added"))
        conn.execute(
            insights_table.insert().values(config_id=1, campaign_id="ADDED", date_start=day, date_stop=day)
        )
    capsys.readouterr()
    assert main(argv) == 2  # the demo would delete it: refused, one line naming the account
    assert "accounts 1 hold campaigns" in capsys.readouterr().out
    assert _source_rows(engine, insights_table.c.campaign_id == "ADDED") == 1
    assert _source_rows(engine, insights_table.c.config_id == 1) == demo_rows + 1
    assert main([*argv, "--force"]) == 0  # beside it, under new accounts
    assert _source_rows(engine, insights_table.c.campaign_id == "ADDED") == 1
    assert _source_rows(engine, insights_table.c.config_id == 1) == demo_rows + 1


def test_demo_command_end_to_end(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--accounts", "2", "--days", "40"]) == 0
    out = capsys.readouterr().out
    assert "success" in out and "ml_features" in out
    assert " ".join(out.split()).endswith(" ".join(NEXT_STEPS.format(config_id=1).split())), out[-600:]
    engine = get_engine(settings.database_url)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.ml_features)).scalar_one() > 0
        r, c = schema.ml_recommendations, campaigns_table
        names = dict(conn.execute(sa.select(r.c.id, r.c.entity_id)).tuples().all())
        named = dict(conn.execute(sa.select(c.c.campaign_id, c.c.name)).tuples().all())
    # the summary's actions name their campaign (the source's name), not only a type and a title
    top = top_recommendations(engine, 3)
    assert top and all(row[3] in named.values() for row in top), top
    assert {row[3] for row in top} <= {named[e] for e in names.values() if e in named}
    assert "campaign" in out and any(str(row[3])[:12] in out for row in top)


def test_evaluate_forecasts_on_a_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    days = pl.date_range(dt.date(2026, 1, 1), dt.date(2026, 4, 30), eager=True)
    values = [100 + 20 * (d.weekday() >= 5) for d in days]
    csv = tmp_path / "series.csv"
    pl.DataFrame({"day": days, "sales": values}).write_csv(csv)
    argv = ["evaluate", "forecasts", "--csv", str(csv), "--date-col", "day", "--value-col", "sales"]
    assert main([*argv, "--no-autoets"]) == 0  # AutoETS has its own tests: evaluation/test_autoets.py
    out = capsys.readouterr().out
    assert "auto" in out and "ema" in out and "snaive" in out
    assert main(["evaluate", "forecasts", "--csv", str(csv)]) == 2  # no columns named
