"""The CLI says what is wrong in one line and exits 2: bad --as-of, unreachable or foreign databases."""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from pathlib import Path

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


# --- storage folders, a locked SQLite file, a schema from a newer deploy, a SQLite path that is not there


def _sqlite_env(monkeypatch: pytest.MonkeyPatch, root: Path, **overrides: str) -> str:
    """DATABASE_URL on a SQLite file under `root` and the three storage folders beside it, then overrides."""
    url = f"sqlite:///{root / 'famachat_ml.db'}"
    env = {
        "DATABASE_URL": url,
        "DAGSTER_HOME": str(root / "dagster_home"),
        "MODELS_STORAGE_PATH": str(root / "models"),
        "FRAMES_STORAGE_PATH": str(root / "frames"),
        **overrides,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("DAGSTER_PG_URL", raising=False)
    get_settings.cache_clear()
    return env["DATABASE_URL"]


def _one_line(code: int, capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    out = _lines(captured.out + captured.err)
    assert code == 2, out
    assert len(out) == 1, out
    assert "Traceback" not in out[0]
    return out[0]


STORAGE = ["FRAMES_STORAGE_PATH", "MODELS_STORAGE_PATH", "DAGSTER_HOME"]


@pytest.mark.parametrize("command", [["run", "--all"], ["retrain"]], ids=lambda c: c[0])
@pytest.mark.parametrize("variable", STORAGE)
def test_a_storage_folder_under_a_file_is_one_line_naming_the_variable(
    variable: str,
    command: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """It was a 77-line trace (`OSError: Not a directory (os error 20)`, NotADirectoryError for DAGSTER_HOME)
    from the middle of a run, the variable not named."""
    (tmp_path / "afile").write_text("")
    _sqlite_env(monkeypatch, tmp_path, **{variable: str(tmp_path / "afile" / "sub")})
    try:
        line = _one_line(main(command), capsys)
    finally:
        get_settings.cache_clear()
    assert line.startswith(f"{variable} (")
    assert f"{tmp_path / 'afile'} is a file, not a folder" in line
    assert not (tmp_path / "famachat_ml.db").exists()  # stopped before anything else


@pytest.mark.parametrize("where", ["/sys/famachat_frames", "/proc/famachat_frames/x"])
def test_a_frames_folder_that_cannot_be_written_is_one_line_naming_the_variable(
    where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A location this process cannot create or write in (root included; a read-only file system is the
    same OSError): one line, not the run's `[Errno 30] Read-only file system` traces."""
    _sqlite_env(monkeypatch, tmp_path, FRAMES_STORAGE_PATH=where)
    try:
        line = _one_line(main(["run", "--all"]), capsys)
    finally:
        get_settings.cache_clear()
    assert line.startswith(f"FRAMES_STORAGE_PATH ({where}) cannot be used: cannot write in")


def test_storage_folders_that_can_be_made_pass_and_the_check_leaves_nothing_behind(tmp_path: Path) -> None:
    from famachat_ml_pipeline.preflight import check_storage

    settings = Settings(
        models_storage_path=tmp_path / "a" / "models",
        frames_storage_path=str(tmp_path / "b" / "c" / "frames"),
        dagster_home=tmp_path / "home",
    )
    check_storage(settings)
    assert list(tmp_path.iterdir()) == []


def _hold_write_lock(path: Path) -> sqlite3.Connection:
    """Another process's write transaction on the SQLite file (`BEGIN IMMEDIATE`), until closed."""
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    return holder


def test_a_step_failed_on_a_locked_sqlite_file_says_database_is_locked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The summary line was `step campaign_features failed: ... Error occurred while executing op
    "campaign_features":`; "database is locked" was only inside the traces."""
    _sqlite_env(monkeypatch, tmp_path)
    try:
        assert main(["generate-demo-data", "--accounts", "1", "--days", "40"]) == 0
        assert main(["migrate"]) == 0
        capsys.readouterr()
        holder = _hold_write_lock(tmp_path / "famachat_ml.db")
        try:
            code = main(["run", "--config-id", "1"])
        finally:
            holder.close()
    finally:
        get_settings.cache_clear()
    out = capsys.readouterr().out
    assert code == 1
    # each "step X failed: ..." line, rejoined where the console wrapped it at its width
    wrapped = re.findall(r"^step \S+ failed: .*?(?=^(?:step|run) |\Z)", out, re.M | re.S)
    failed = [" ".join(m.split()) for m in wrapped]
    assert failed, out[-3000:]
    assert all(line.endswith("database is locked") for line in failed), failed


def test_a_locked_sqlite_file_outside_a_step_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`migrate` (like the dead-run sweep at a run's start) writing while another process holds the file."""
    _sqlite_env(monkeypatch, tmp_path)
    with closing(sqlite3.connect(tmp_path / "famachat_ml.db")) as conn:  # readable while locked: the
        conn.execute("PRAGMA journal_mode=WAL")  # pre-flight passes, the migration's first write waits
    holder = _hold_write_lock(tmp_path / "famachat_ml.db")
    try:
        line = _one_line(main(["migrate"]), capsys)
    finally:
        holder.close()
        get_settings.cache_clear()
    assert "database is locked" in line and line.startswith("error:")


@pytest.mark.parametrize("command", [["migrate"], ["run", "--all"], *AGENT_COMMANDS[:1]], ids=lambda c: c[0])
def test_a_schema_from_a_newer_deploy_says_deploy_the_matching_version(
    command: list[str],
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A rolled-back deploy on a database a newer version migrated: it was 77 lines ending in alembic's
    `Can't locate revision '0008_future'`."""
    from famachat_ml_pipeline.db.engine import VERSION_TABLE, current_revision, head_revision

    _source_only(db_url, head_revision())
    with get_engine(db_url).begin() as conn:
        conn.execute(sa.text(f"UPDATE {VERSION_TABLE} SET version_num = '0008_future'"))
    line = _refused_in_one_line(command, db_url, monkeypatch, tmp_path_factory, capsys)
    assert "DATABASE_URL" in line and "0008_future" in line and "newer" in line
    assert "deploy the version that matches" in line and "famachat-ml migrate" not in line
    assert current_revision(get_engine(db_url)) == "0008_future"  # nothing changed


def test_run_on_a_sqlite_file_that_does_not_exist_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """It said "nothing was created" and left a 4 KB file."""
    _sqlite_env(monkeypatch, tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'empty.db'}")
    (tmp_path / "zero.db").write_bytes(b"")
    try:
        line = _one_line(main(["run", "--all"]), capsys)
        assert "does not exist" in line and "nothing was created" in line
        assert not (tmp_path / "empty.db").exists()
        monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'zero.db'}")
        get_settings.cache_clear()
        line = _one_line(main(["run", "--all"]), capsys)
    finally:
        get_settings.cache_clear()
    assert "has no source table" in line and "nothing was created" in line
    assert (tmp_path / "zero.db").stat().st_size == 0


def test_run_on_a_sqlite_file_in_a_folder_that_does_not_exist_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """It said "has no source table" (and created the folder)."""
    missing = tmp_path / "nonexistent_dir"
    _sqlite_env(monkeypatch, tmp_path, DATABASE_URL=f"sqlite:///{missing / 'x.db'}")
    try:
        line = _one_line(main(["run", "--all"]), capsys)
    finally:
        get_settings.cache_clear()
    assert f"the folder {missing} does not exist" in line and "no source table" not in line
    assert not missing.exists()
