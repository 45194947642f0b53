"""The CLI says what is wrong in one line and exits 2: bad --as-of, unreachable or foreign databases."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.cli import main
from famachat_ml_pipeline.db.engine import get_engine
from famachat_ml_pipeline.settings import Settings, get_settings
from famachat_ml_pipeline_tests.conftest import POSTGRES_SERVER


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("as_of", ["0001-01-05", "1999-12-31", "9999-12-31"])
def test_as_of_outside_the_possible_range_is_refused_before_anything_runs(
    settings: Settings, as_of: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["generate-demo-data", "--accounts", "1", "--days", "40"]) == 0
    capsys.readouterr()
    with pytest.raises(SystemExit) as exc:
        main(["run", "--all", "--as-of", as_of])
    assert exc.value.code == 2
    err = _lines(capsys.readouterr().err)
    assert "--as-of" in err[-1] and "between" in err[-1]
    assert not sa.inspect(get_engine(settings.database_url)).has_table("ml_features")  # nothing ran


def _with_database_url(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory, url: str
) -> None:
    home = tmp_path_factory.mktemp("cli_errors")
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster_home"))
    monkeypatch.setenv("MODELS_STORAGE_PATH", str(home / "models"))
    monkeypatch.setenv("FRAMES_STORAGE_PATH", str(home / "frames"))
    monkeypatch.delenv("DAGSTER_PG_URL", raising=False)
    get_settings.cache_clear()


def _server(**parts: object) -> str:
    url = sa.engine.make_url(POSTGRES_SERVER).set(drivername="postgresql", **parts)
    return url.render_as_string(hide_password=False)


UNUSABLE = {
    "unreachable port": (_server(port=1, password="s3cret"), "refused"),
    "unknown role": (_server(username="no_such_role_fcml", password="s3cret"), "no_such_role_fcml"),
    "unknown database": (_server(database="no_such_db_fcml", password="s3cret"), "no_such_db_fcml"),
}
COMMANDS = [["run", "--all"], ["migrate"], ["generate-demo-data", "--accounts", "1", "--days", "40"]]
# The agent's commands read ml_* tables and never migrate: the same one line, before anything starts.
AGENT_COMMANDS = [
    ["ask", "--config-id", "1", "resumo", "--offline"],
    ["mcp", "--config-id", "1"],
    ["api", "--port", "8766"],
]


def _refused_in_one_line(
    command: list[str],
    url: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
) -> str:
    """`famachat-ml <command>` on DATABASE_URL=url: exit 2 and exactly one line (out and err), returned."""
    _with_database_url(monkeypatch, tmp_path_factory, url)
    try:
        code = main(command)
    finally:
        get_settings.cache_clear()
    captured = capsys.readouterr()
    out = _lines(captured.out + captured.err)
    assert code == 2
    assert len(out) == 1, out
    return out[0]


@pytest.mark.postgres
@pytest.mark.parametrize("command", COMMANDS + AGENT_COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("case", list(UNUSABLE))
def test_an_unusable_database_is_one_line_naming_the_variable_without_the_password(
    case: str,
    command: list[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, detail = UNUSABLE[case]
    line = _refused_in_one_line(command, url, monkeypatch, tmp_path_factory, capsys)
    assert "DATABASE_URL" in line and detail in line
    assert "s3cret" not in line and "***" in line


@pytest.mark.postgres
def test_run_on_a_database_without_the_source_tables_creates_nothing(
    pg_url: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
) -> None:
    line = _refused_in_one_line(["run", "--all"], pg_url, monkeypatch, tmp_path_factory, capsys)
    assert "DATABASE_URL" in line and "sistema_facebook_ads_campaigns" in line
    assert sa.inspect(get_engine(pg_url)).get_table_names() == []  # no ml_* tables, no alembic table


def _source_only(url: str, revision: str | None) -> None:
    """FamaChat's source tables with one demo account, and the ml_* schema at `revision` (None: never)."""
    from alembic import command

    from famachat_ml_pipeline.db.engine import alembic_config
    from famachat_ml_pipeline.demo.generator import generate_demo
    from famachat_ml_pipeline.demo.loader import write_demo

    engine = get_engine(url)
    write_demo(engine, generate_demo(n_accounts=1, days=40, seed=1))
    if revision is not None:
        cfg = alembic_config(url)
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)


@pytest.mark.parametrize("command", AGENT_COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize(("revision", "says"), [(None, "never migrated"), ("0006", "at revision 0006")])
def test_the_agent_commands_on_a_schema_not_at_head_say_run_migrate(
    command: list[str],
    revision: str | None,
    says: str,
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _source_only(db_url, revision)
    before = set(sa.inspect(get_engine(db_url)).get_table_names())
    line = _refused_in_one_line(command, db_url, monkeypatch, tmp_path_factory, capsys)
    assert "DATABASE_URL" in line and says in line and "famachat-ml migrate" in line
    assert set(sa.inspect(get_engine(db_url)).get_table_names()) == before  # nothing migrated
