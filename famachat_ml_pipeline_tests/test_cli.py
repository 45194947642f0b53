"""The CLI: clear errors for bad input, and the commands a user runs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.cli import main
from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline.db.engine import get_engine
from famachat_ml_pipeline.demo.loader import create_source_tables
from famachat_ml_pipeline.settings import Settings, get_settings
from famachat_ml_pipeline.source.tables import insights_table


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


def test_demo_command_end_to_end(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--accounts", "2", "--days", "40"]) == 0
    out = capsys.readouterr().out
    assert "success" in out and "ml_features" in out
    with get_engine(settings.database_url).connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.ml_features)).scalar_one() > 0


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
