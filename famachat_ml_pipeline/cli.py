"""`famachat-ml`: FamaChat's ML pipeline over Meta Ads lead campaigns: the Dagster graph (run, retrain, ui,
serve, status), its demo and evaluation, and the pt-BR agent (ask, api, mcp)."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape

from famachat_ml_pipeline.counted import counted
from famachat_ml_pipeline.demo.generator import INCIDENT_KINDS, MIN_DAYS
from famachat_ml_pipeline.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    import sqlalchemy as sa

    from famachat_ml_pipeline.agent.types import ChatTurn
    from famachat_ml_pipeline.run_turn import Attempt
    from famachat_ml_pipeline.serve import Service

console = Console()


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


# The range an --as-of can name: no Meta Ads insight exists before Facebook Ads launched (2007-11-06, so
# this floor leaves room for the 90-day lookback), and no day after tomorrow (UTC) is complete anywhere.
EARLIEST_AS_OF = dt.date(2008, 1, 1)


def _as_of(value: str) -> dt.date:
    day = _date(value)
    latest = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)
    if not EARLIEST_AS_OF <= day <= latest:
        raise argparse.ArgumentTypeError(f"must be between {EARLIEST_AS_OF} and {latest}: {value!r}")
    return day


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:  # else argparse says "invalid _positive value"
        raise argparse.ArgumentTypeError(f"must be a positive integer: {value!r}") from None
    if n <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive integer: {value!r}")
    return n


def _port(value: str) -> int:
    n = _positive(value)
    if n > 65535:  # uvicorn would bind n mod 65536 without a word
        raise argparse.ArgumentTypeError(f"must be a TCP port, 1 to 65535: {value!r}")
    return n


def _question(value: str) -> str:
    if not value.strip():  # as the API refuses it (422), rather than the help menu with exit 0
        raise argparse.ArgumentTypeError("the question is empty")
    return value


def _thread_id(value: str) -> str:
    import re

    from famachat_ml_pipeline.db.conversations import THREAD_ID

    if not re.fullmatch(THREAD_ID, value):  # as the API refuses it
        raise argparse.ArgumentTypeError(f"1 to 100 letters, digits or _ . : -, got {value!r}")
    return value


def _at_least(minimum: int):  # noqa: ANN202
    def parse(value: str) -> int:
        try:
            n = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be an integer: {value!r}") from None
        if n < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}: {value!r}")
        return n

    return parse


def cmd_migrate(args: argparse.Namespace) -> int:
    from famachat_ml_pipeline.db.engine import migrate
    from famachat_ml_pipeline.preflight import check_database

    settings = load_settings()
    check_database(settings.database_url, need_source=False)
    rev = migrate(settings.database_url)
    console.print(f"ml_* schema at revision [bold]{rev}[/] on {_safe_url(settings.database_url)}")
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    from famachat_ml_pipeline.db.engine import get_engine
    from famachat_ml_pipeline.demo.generator import generate_demo
    from famachat_ml_pipeline.demo.loader import write_demo
    from famachat_ml_pipeline.preflight import check_database

    settings = load_settings()
    check_database(settings.database_url, need_source=False)
    start = time.perf_counter()
    with console.status(f"generating {args.accounts} accounts x {args.days} days (seed {args.seed})"):
        data = generate_demo(n_accounts=args.accounts, days=args.days, seed=args.seed)
    with console.status(f"writing {data.insights.height:,} insight rows"):
        data = write_demo(get_engine(settings.database_url), data, force=args.force)
    ids = data.campaigns["config_id"]
    console.print(
        f"wrote {data.campaigns.height:,} campaigns and {data.insights.height:,} insight rows for "
        f"{counted(args.accounts, 'account')} (config_id {ids.min()}..{ids.max()}), through {data.end_date}, "
        "with "
        f"{data.incidents['kind'].is_in(INCIDENT_KINDS).sum()} labelled incidents "
        f"in {time.perf_counter() - start:.1f}s"
    )
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from famachat_ml_pipeline.runner import run_pipeline

    settings = load_settings()
    summaries = run_pipeline(
        settings,
        None if args.all else args.config_id,
        args.as_of,
        echo=console.print,
        train_if_no_model=True,  # only `--all` on a fresh deployment: see run_pipeline
    )
    ok = all(s.success for s in summaries)
    for s in summaries:
        state = "[green]success[/]" if s.success else "[red]FAILED[/]"
        what = counted(s.accounts, "account") if s.accounts else "training"
        console.print(f"run {s.run_id[:8]} ({what}): {state} in {s.seconds:.1f}s")
    return 0 if ok else 1


def cmd_retrain(args: argparse.Namespace) -> int:
    from famachat_ml_pipeline.runner import retrain_model

    summary = retrain_model(load_settings(), echo=console.print)
    state = "[green]success[/]" if summary.success else "[red]FAILED[/]"
    console.print(f"run {summary.run_id[:8]} (training): {state} in {summary.seconds:.1f}s")
    return 0 if summary.success else 1


def cmd_ui(args: argparse.Namespace) -> int:
    """The Dagster UI on the CLI's instance: dagster-webserver, with a dagster-daemon unless a `serve` (or
    another `ui`) already runs one there. `dagster dev` started a daemon of its own beside serve's: every
    schedule, sensor and alert ran twice."""
    return _serve_dagster(args, api_port=None, holder="another famachat-ml ui", daemon_optional=True)


def _log_line(text: str) -> None:
    """One line, never wrapped at the console's width: `api` and `serve` print into logs (journald, a
    container's), where rich wrapped a long line into several at 80 columns."""
    console.print(text, soft_wrap=True)


def cmd_api(args: argparse.Namespace) -> int:
    import uvicorn

    from famachat_ml_pipeline.api.app import create_app
    from famachat_ml_pipeline.preflight import check_ready
    from famachat_ml_pipeline.serve import bind_problem

    settings = load_settings()
    check_ready(settings.database_url)  # refuse at start, not with a 500 on the first question
    # before the line that says it serves (it did, then failed to bind: exit 3, undocumented)
    if problem := bind_problem(args.host, [args.port], "--port"):
        raise UsageError(problem)
    app = create_app(settings)  # warns (one JSON line) when neither ML_API_KEY nor JWT_SECRET is set
    _log_line(f"API and chat page on http://{args.host}:{args.port} ({_safe_url(settings.database_url)})")
    _hear_stop_signals()
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=settings.api_shutdown_grace_seconds,  # default: wait forever
    )
    return 0


def _hear_stop_signals() -> None:
    """SIGINT and SIGTERM back to their defaults where the parent left them ignored (`nohup cmd &`, some
    supervisors): uvicorn's drain grace did not then apply, and a stop waited for the slowest chat (a 40 s
    LLM call held a SIGTERM 40 s, past Kubernetes' 30 s)."""
    import signal

    for sig in (signal.SIGINT, signal.SIGTERM):
        if signal.getsignal(sig) is signal.SIG_IGN:
            signal.signal(sig, signal.SIG_DFL)


def _initialise_dagster_storage(settings: Settings) -> None:
    """Dagster's Postgres unreachable at start: one line naming DAGSTER_PG_URL, not dagster_postgres's
    traceback ending in "too many retries for DB connection" (measured: 21 s, 40 lines)."""
    from dagster_postgres.utils import DagsterPostgresException

    from famachat_ml_pipeline.instance import initialise_storage
    from famachat_ml_pipeline.preflight import first_line
    from famachat_ml_pipeline.storage_watch import probe_postgres

    url = settings.dagster_pg_url
    # First with a connect timeout: a server that accepts and never answers held dagster_postgres's connect
    # (psycopg2, no timeout) for ever, and not even Ctrl-C ended it.
    error = probe_postgres(url) if url else None
    if error is None:
        try:
            initialise_storage(settings)
            return
        except DagsterPostgresException as exc:
            error = first_line(exc.__cause__ or exc)
    raise UsageError(f"cannot use DAGSTER_PG_URL ({_safe_url(url or '')}): {error}; nothing was started")


def cmd_serve(args: argparse.Namespace) -> int:
    api_port = None if args.no_api else args.api_port
    return _serve_dagster(args, api_port, holder="another famachat-ml serve", daemon_optional=False)


def _serve_dagster(args: argparse.Namespace, api_port: int | None, holder: str, daemon_optional: bool) -> int:
    """serve and ui: the checks, the instance's daemon lock, then the services until a stop."""
    import signal

    # Ctrl-C or SIGTERM while serve prepares (imports, storage, checks: seconds) stops it with a line, not a
    # KeyboardInterrupt traceback (SIGINT) or a silent death (SIGTERM); run_services takes over the signals.
    previous = {
        sig: signal.signal(sig, signal.default_int_handler) for sig in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        with contextlib.ExitStack() as held:  # the instance's daemon lock, until every service is stopped
            try:
                settings, wanted = _prepare_serve(args, api_port, held, holder, daemon_optional)
            except KeyboardInterrupt:
                _log_line("stop requested before the services started; nothing is running")
                return 0
            from famachat_ml_pipeline.serve import DAEMON, run_services, stop_grace

            try:
                with _watch_dagster_storage(settings):
                    grace = stop_grace(settings, api_port is not None)
                    return run_services(wanted, echo=_log_line, grace=grace)
            finally:
                if any(svc.name == DAEMON for svc in wanted):
                    # its last heartbeat would make a `run` in the next minute queue for a daemon that is gone
                    from famachat_ml_pipeline.instance import get_instance

                    get_instance(settings).wipe_daemon_heartbeats()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _watch_dagster_storage(settings: Settings) -> contextlib.AbstractContextManager[object]:
    """Dagster's Postgres going down while serving: one line, a reminder each minute, one line when back."""
    from famachat_ml_pipeline import storage_watch

    url = settings.dagster_pg_url
    if not url:  # SQLite under DAGSTER_HOME: nothing to lose on the network
        return contextlib.nullcontext()
    what = f"Dagster's storage DAGSTER_PG_URL ({_safe_url(url)})"
    probe = storage_watch.probe_postgres
    return storage_watch.StorageWatch(what, lambda: probe(url), _log_line, every=storage_watch.PROBE_SECONDS)


def _daemon_lock(settings: Settings, holder: str) -> contextlib.AbstractContextManager[Callable[[], Attempt]]:
    """The instance's daemon lock (one dagster-daemon per Dagster instance), taken by serve and ui."""
    from famachat_ml_pipeline.run_turn import SERVE_ADVISORY_KEY, SERVE_LOCK_FILE, instance_lock

    return instance_lock(
        settings.dagster_home,
        settings.dagster_pg_url,
        key=SERVE_ADVISORY_KEY,
        lock_file=SERVE_LOCK_FILE,
        holder=holder,
    )


def _hold_daemon_lock(
    settings: Settings, held: contextlib.ExitStack, holder: str, wait_seconds: float = 5.0
) -> str | None:
    """Takes the instance's daemon lock onto `held`; None once held, else who holds it.

    A second serve on the same DAGSTER_HOME / DAGSTER_PG_URL ran a second daemon beside the first (Dagster
    only logs "Another SENSOR daemon is still sending heartbeats" and goes on: sensors, alerts and the run
    queue twice), and its stop wiped the first daemon's heartbeats. A few seconds' patience: a serve killed
    a moment ago (a supervisor's restart) may not have been let go by Postgres yet."""
    try_acquire = held.enter_context(_daemon_lock(settings, holder))
    deadline = time.monotonic() + wait_seconds
    while not (attempt := try_acquire()).acquired:
        if time.monotonic() > deadline:
            return attempt.who
        time.sleep(0.5)
    return None


def _prepare_serve(
    args: argparse.Namespace,
    api_port: int | None,
    held: contextlib.ExitStack,
    holder: str,
    daemon_optional: bool,
) -> tuple[Settings, list[Service]]:
    """The checks, the Dagster storage and the instance's daemon lock (kept on `held`), before anything
    starts; returns the settings and the services to run. Without the lock serve refuses; ui
    (`daemon_optional`) runs the webserver alone."""
    from famachat_ml_pipeline.instance import prepare_dagster_home
    from famachat_ml_pipeline.preflight import check_database, check_ready
    from famachat_ml_pipeline.serve import DAEMON, bind_problem, make_run_dir, services
    from famachat_ml_pipeline.settings import export_resource_environment

    settings = load_settings()
    api_flags = " / --api-port (or --no-api)" if api_port is not None else ""
    ports = [args.port, *([api_port] if api_port is not None else [])]
    if problem := bind_problem(args.host, ports, f"--port{api_flags}"):
        raise UsageError(problem)
    if api_port is not None:
        check_ready(settings.database_url)  # the API refuses an unmigrated schema: say so before starting
    else:
        # the daemon's sensors read FamaChat's tables every 30 s: without them each tick was a traceback
        check_database(settings.database_url, need_source=True)
    export_resource_environment(settings)
    home = prepare_dagster_home(settings)
    _initialise_dagster_storage(settings)
    wanted = services(args.host, args.port, api_port, run_dir=make_run_dir(held))
    holder_of_daemon = _hold_daemon_lock(settings, held, holder, wait_seconds=0.0 if daemon_optional else 5.0)
    where = (
        f"DAGSTER_PG_URL {_safe_url(settings.dagster_pg_url)}"
        if settings.dagster_pg_url
        else f"DAGSTER_HOME {settings.dagster_home}"
    )
    storage = "Postgres (DAGSTER_PG_URL)" if settings.dagster_pg_url else f"SQLite under {home}"
    if holder_of_daemon is not None and not daemon_optional:
        raise UsageError(
            f"{holder_of_daemon} already serves this Dagster instance ({where}): a second "
            "dagster-daemon would run every schedule, sensor and alert twice; stop it first "
            "(nothing was started)"
        )
    if holder_of_daemon is not None:
        wanted = [svc for svc in wanted if svc.name != DAEMON]
        _log_line(
            f"{holder_of_daemon} runs this instance's dagster-daemon ({where}): dagster-webserver only, on "
            f"http://{args.host}:{args.port} (storage: {storage}); Ctrl-C stops it"
        )
        return settings, wanted
    api = f", agent API on http://{args.host}:{api_port}" if api_port is not None else ""
    _log_line(
        f"dagster-daemon + dagster-webserver on http://{args.host}:{args.port}{api} "
        f"(DAGSTER_HOME={home}, storage: {storage}); Ctrl-C stops them all"
    )
    return settings, wanted


def cmd_evaluate(args: argparse.Namespace) -> int:
    if args.what == "anomalies":
        from famachat_ml_pipeline.evaluation import demo_incidents, nab_loco
        from famachat_ml_pipeline.evaluation.nab import NabDataError, data_notes, listing_notes, load_nab

        rows, notes = None, []
        if args.nab:  # first, so that a folder that cannot be scored fails before the demo is scored
            with console.status(f"scoring on NAB folder {args.nab} (leave one category out)"):
                try:
                    data = load_nab(args.nab)
                    tune = load_nab(args.tune_on) if args.tune_on else None
                    rows = nab_loco.evaluate_nab(data, tune_on=tune)
                    notes = [
                        f"{len(data)} files scored in {len({s.category for s in data})} categories",
                        *listing_notes(args.nab),
                        *data_notes(data),
                        *nab_loco.overlap_notes(data, tune),
                    ]
                except NabDataError as exc:
                    raise UsageError(str(exc)) from exc
        elif args.tune_on:
            raise UsageError("--tune-on needs --nab")
        seeds = range(args.seed, args.seed + args.fleets)
        with console.status(f"scoring the detector on the labelled incidents of {args.fleets} demo fleets"):
            scores = demo_incidents.evaluate_demo(
                n_accounts=args.accounts, seed=args.seed, n_seeds=args.fleets
            )
        fleets = f"seed {args.seed}" if args.fleets == 1 else f"seeds {seeds[0]}-{seeds[-1]}, pooled"
        console.print(f"[bold]demo incidents[/] ({args.fleets} fleets of {args.accounts} accounts, {fleets})")
        print(demo_incidents.format_report(scores))
        if rows is not None:
            console.print(f"\n[bold]NAB[/] {args.nab}")
            print(nab_loco.format_report(rows, args.tune_on, notes))
        return 0
    from famachat_ml_pipeline.evaluation import forecasts
    from famachat_ml_pipeline.evaluation.series_io import UnreadableSeries

    autoets = not args.no_autoets
    what = "AutoETS and every method" if autoets else "every method"
    try:
        with _origins_progress(f"backtesting {what}") as progress:
            if args.csv:
                if not (args.date_col and args.value_col):
                    raise UsageError("--csv needs --date-col and --value-col")
                result = forecasts.evaluate_csv(
                    args.csv,
                    args.date_col,
                    args.value_col,
                    horizon=args.horizon,
                    agg=args.agg,
                    date_format=args.date_format,
                    decimal_comma=args.decimal_comma,
                    autoets=autoets,
                    autoets_refit=args.autoets_refit,
                    progress=progress,
                )
            elif args.nab_daily:
                result = forecasts.evaluate_nab_daily(
                    args.nab_daily,
                    horizon=args.horizon,
                    autoets=autoets,
                    autoets_refit=args.autoets_refit,
                    progress=progress,
                )
            else:
                with console.status(f"backtesting {what} on the demo fleet ({args.accounts} accounts)"):
                    result = forecasts.evaluate_demo(
                        n_accounts=args.accounts,
                        seed=args.seed,
                        horizon=args.horizon,
                        autoets_series=forecasts.AUTOETS_FLEET_SAMPLE if autoets else 0,
                        autoets_refit=args.autoets_refit,
                    )
    except UnreadableSeries as exc:
        raise UsageError(str(exc)) from exc
    print(forecasts.format_report(result, detail=not args.nab_daily))
    return 0


class UsageError(ValueError):
    pass


@contextmanager
def _origins_progress(description: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar over a backtest's origins (on stderr, so the report on stdout stays clean); it
    appears with the first call."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("origins"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = None

    def update(done: int, total: int) -> None:
        nonlocal task
        if task is None:
            bar.start()
            task = bar.add_task(description, total=total)
        bar.update(task, completed=done, total=total)

    try:
        yield update
    finally:
        bar.stop()


def cmd_grants(args: argparse.Namespace) -> int:
    import sqlalchemy as sa

    from famachat_ml_pipeline.db.engine import get_engine
    from famachat_ml_pipeline.db.grants import apply_grants, grants_sql
    from famachat_ml_pipeline.db.schema import metadata
    from famachat_ml_pipeline.preflight import check_database

    if not args.apply:
        settings = load_settings()
        database = sa.engine.make_url(settings.database_url).database if settings.is_postgres else None
        print(grants_sql(args.pipeline_role, args.app_role, database), end="")
        return 0
    settings = load_settings()
    if not settings.is_postgres:
        raise UsageError("--apply needs a postgresql DATABASE_URL: SQLite has no roles")
    check_database(settings.database_url, need_source=True)
    engine = get_engine(settings.database_url)
    missing = sorted(set(metadata.tables) - set(sa.inspect(engine).get_table_names()))
    if missing:
        raise UsageError(
            f"the ml_* tables are not there yet ({', '.join(missing)}): run `famachat-ml migrate`"
        )
    statements = apply_grants(engine, args.pipeline_role, args.app_role)
    console.print(f"applied {len(statements)} statements for roles {args.pipeline_role} and {args.app_role}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from famachat_ml_pipeline.summary import print_summary

    args.force = False
    cmd_generate(args)
    args.all, args.as_of = True, None
    code = cmd_run(args)
    print_summary(load_settings(), console)
    if code == 0:
        _demo_questions()
    return code


DEMO_FLEETS = 10  # `evaluate anomalies`: 1,000 labelled incidents, about 1.5 s
# `famachat-ml status` exit codes (status.py applies them); here so --help needs no import of Dagster
STATUS_RULES = (
    "exit 0: healthy. exit 1, something needs a person: the dagster-daemon's heartbeat is stale (it ran "
    "and died without serve's clean stop), or it runs with a required daemon unhealthy, or --expect-daemon "
    "is given and no daemon runs; runs are queued while no daemon runs to launch them; a run FAILED in the "
    "last 24 h and no run of the same job created after it succeeded; an account's results (its latest day "
    "of campaign classifications) are more than one day behind its latest day of insights in the source. "
    "Accounts with insights but no results at all are listed, not counted as a problem (new_accounts_sensor "
    "runs them within minutes). exit 2: a usage or configuration error (no ml_* schema, no Dagster storage, "
    "a database that does not answer), in one line."
)


DEMO_QUESTIONS = ("Quais campanhas estão indo mal?", "Quantos leads vou ter na próxima semana?")
# the demo's last lines: where to go from here (the demo said nothing after its answers)
NEXT_STEPS = (
    'next: famachat-ml ask --config-id {config_id} "como está minha conta?" (the agent, pt-BR) | '
    "famachat-ml ui (the Dagster UI, http://127.0.0.1:3000) | famachat-ml api (the chat page and API, "
    "http://127.0.0.1:8000) | famachat-ml status (is it healthy)"
)


def _demo_questions() -> None:
    """The demo's last step: two questions to the offline agent about the first account."""
    from famachat_ml_pipeline.agent.service import open_agent
    from famachat_ml_pipeline.db.engine import get_engine
    from famachat_ml_pipeline.source.read import list_config_ids

    settings = load_settings()
    engine = get_engine(settings.database_url)
    config_id = list_config_ids(engine)[0]
    agent = open_agent(engine, config_id, settings, mode="offline")
    console.rule(f"[bold]agente (offline), conta {config_id}[/]")
    for question in DEMO_QUESTIONS:
        console.print(f"[bold cyan]> {question}[/]")
        print(agent.ask(question).text + "\n")
    console.print(NEXT_STEPS.format(config_id=config_id), highlight=False)


def cmd_ask(args: argparse.Namespace) -> int:
    """One question to the agent for one account: online with an Anthropic key, else offline."""
    from famachat_ml_pipeline.agent.service import open_agent
    from famachat_ml_pipeline.db.engine import get_engine
    from famachat_ml_pipeline.preflight import check_ready

    settings = load_settings()
    check_ready(settings.database_url)
    engine = get_engine(settings.database_url)
    agent = open_agent(engine, args.config_id, settings, mode="offline" if args.offline else None)
    history = _thread_history(engine, args) if args.thread else []
    reply = None
    for event in agent.stream(args.question, history):
        if event.kind == "text":
            print(event.text, end="", flush=True)
        elif event.kind == "done":
            reply = event.reply
    print()
    if args.thread and reply is not None:
        from famachat_ml_pipeline.agent.thread_turns import store_reply

        store_reply(engine, args.config_id, args.thread, reply)
    if reply is not None and reply.error:
        console.print(f"[red]{reply.error}[/]")
        return 1
    return 0


def _thread_history(engine: sa.Engine, args: argparse.Namespace) -> list[ChatTurn]:
    """The earlier turns of `--thread` (created when new), the question stored in it."""
    from famachat_ml_pipeline.agent.thread_turns import start_turn
    from famachat_ml_pipeline.db.conversations import ThreadNotFound

    try:
        return start_turn(engine, args.config_id, args.thread, args.question)
    except ThreadNotFound:
        raise UsageError(
            f"conversation {args.thread!r} is another account's, not {args.config_id}'s; nothing was asked"
        ) from None


def cmd_mcp(args: argparse.Namespace) -> int:
    from famachat_ml_pipeline.agent.mcp_server import serve_stdio
    from famachat_ml_pipeline.preflight import check_ready

    check_ready(load_settings().database_url)  # before stdio is taken over by the protocol
    serve_stdio(args.config_id)
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    """Health in figures, read-only (famachat_ml_pipeline/status.py); the exit code is STATUS_RULES."""
    from famachat_ml_pipeline import status
    from famachat_ml_pipeline.db.engine import get_engine
    from famachat_ml_pipeline.instance import existing_instance
    from famachat_ml_pipeline.preflight import check_ready

    settings = load_settings()
    check_ready(settings.database_url)  # no schema: one line, exit 2; it never migrates
    instance = existing_instance(settings)
    sections = status.gather(instance, get_engine(settings.database_url), args.expect_daemon)
    for section in sections:
        for line in section.lines:
            console.print(escape(line), soft_wrap=True, highlight=False)
        for problem in section.problems:
            console.print(f"[red]PROBLEM:[/] {escape(problem)}", soft_wrap=True, highlight=False)
    code = status.exit_code(sections)
    problems = sum(len(s.problems) for s in sections)
    verdict = "healthy" if code == 0 else f"needs a person: {counted(problems, 'problem')}"
    console.print(f"status: {verdict} (exit {code})", highlight=False)
    return code


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


class _Parser(argparse.ArgumentParser):
    """argparse with an unknown flag named as such, in the usage of the command it was given to (was
    "the following arguments are required: command" for `famachat-ml --bogus`, and the top-level usage
    for `famachat-ml run --all --bogus`)."""

    commands: dict[str, argparse.ArgumentParser]

    def parse_args(self, args=None, namespace=None):  # type: ignore[no-untyped-def]
        parsed, extra = self.parse_known_args(args, namespace)
        commands = getattr(self, "commands", {})
        if extra:
            commands.get(getattr(parsed, "command", None) or "", self).error(
                f"unrecognized arguments: {' '.join(extra)}"
            )
        if getattr(parsed, "command", None) is None:
            self.error(f"a command is required: {', '.join(commands)} (famachat-ml --help)")
        return parsed


class _ShowsDefaults(argparse.HelpFormatter):
    """A flag's default in its help, when it has one worth saying (not None, not a switch's False)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        quiet = action.default is None or action.default is False or action.default == argparse.SUPPRESS
        shown = not quiet and action.option_strings and "default" not in text
        return f"{text} (default: %(default)s)" if shown else action.help


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="famachat-ml",
        description=__doc__,
        epilog='First steps: `famachat-ml demo`, then `famachat-ml ask --config-id 1 "como está minha '
        'conta?"` or `famachat-ml ui`.',
    )
    sub = parser.add_subparsers(dest="command")
    parser.commands = sub.choices  # argparse's own table of the subcommands' parsers

    def command(name: str, **kw: object) -> argparse.ArgumentParser:
        """A subcommand whose --help shows its defaults and says what it does."""
        kw.setdefault("description", kw.get("help"))
        return sub.add_parser(name, formatter_class=_ShowsDefaults, **kw)  # type: ignore[arg-type]

    command("migrate", help="create or upgrade the ml_* schema (idempotent)").set_defaults(fn=cmd_migrate)

    def demo_args(p: argparse.ArgumentParser, accounts: int) -> None:
        p.add_argument("--accounts", type=_positive, default=accounts, help="demo accounts (config_id 1..N)")
        p.add_argument("--days", type=_at_least(MIN_DAYS), default=90, help="days of insights per account")
        p.add_argument("--seed", type=int, default=7, help="the generator's seed (same seed, same data)")

    gen = command("generate-demo-data", help="write deterministic demo accounts into the source tables")
    demo_args(gen, 6)
    gen.add_argument("--force", action="store_true", help="write even if the source tables hold other data")
    gen.set_defaults(fn=cmd_generate)

    run = command("run", help="materialise the whole graph for accounts, as one ranged run")
    who = run.add_mutually_exclusive_group(required=True)
    who.add_argument("--all", action="store_true", help="every account in the source tables")
    who.add_argument("--config-id", type=_positive, nargs="+", metavar="N", help="these accounts (config_id)")
    run.add_argument(
        "--as-of",
        type=_as_of,
        default=None,
        metavar="YYYY-MM-DD",
        help="the day to run as; by default the latest complete day in São Paulo",
    )
    run.set_defaults(fn=cmd_run)

    command(
        "retrain", help="train the tier classifier now (the 05:00 retraining job), registered and gated"
    ).set_defaults(fn=cmd_retrain)

    ui = command(
        "ui", help="the Dagster UI on the same instance as the CLI (and its daemon, unless serve runs one)"
    )
    ui.add_argument("--host", default="127.0.0.1", help="the address to listen on")
    ui.add_argument("--port", type=_port, default=3000, help="the Dagster UI's port")
    ui.set_defaults(fn=cmd_ui)

    api = command("api", help="serve the HTTP API for FamaChat and the chat page (uvicorn)")
    api.add_argument("--host", default="127.0.0.1", help="the address to listen on")
    api.add_argument("--port", type=_port, default=8000, help="the API's port")
    api.set_defaults(fn=cmd_api)

    serve = command(
        "serve",
        help="production on one machine: code server, dagster-daemon (schedules, sensors, queue), UI, API",
    )
    serve.add_argument("--host", default="127.0.0.1", help="the address the UI and the API listen on")
    serve.add_argument("--port", type=_port, default=3000, help="the Dagster UI")
    serve.add_argument("--api-port", type=_port, default=8000, help="the agent's HTTP API (famachat-ml api)")
    serve.add_argument("--no-api", action="store_true", help="the Dagster pair only")
    serve.set_defaults(fn=cmd_serve)

    ev = command("evaluate", help="score the anomaly detector or the forecasts against baselines")
    ev.add_argument("what", choices=["anomalies", "forecasts"])
    ev.add_argument("--accounts", type=_positive, default=50, help="demo accounts to score on")
    ev.add_argument("--seed", type=int, default=7)
    ev.add_argument(
        "--fleets",
        type=_positive,
        default=DEMO_FLEETS,
        help="anomalies: demo fleets scored, seeds SEED..SEED+N-1, their incidents pooled",
    )
    ev.add_argument("--nab", default=None, help="a NAB-format folder, e.g. ../shared/data/nab")
    ev.add_argument(
        "--tune-on",
        default=None,
        help="anomalies: choose the settings on this NAB folder (../shared/data/nab), score --nab (new data)",
    )
    ev.add_argument("--csv", default=None, help="a real daily series to backtest (forecasts)")
    ev.add_argument("--date-col")
    ev.add_argument("--value-col")
    ev.add_argument("--date-format", default=None, help="strftime format of --date-col, e.g. %%m/%%d/%%Y")
    ev.add_argument(
        "--agg",
        choices=["sum", "mean"],
        default="sum",
        help="--csv: how rows of one day combine (sum for flows such as visits or spend, mean for levels)",
    )
    ev.add_argument(
        "--decimal-comma", action="store_true", help="--value-col is written 1.234,5 (pt-BR), not 1,234.5"
    )
    ev.add_argument("--nab-daily", default=None, help="forecasts: a NAB-format folder, each series as daily")
    ev.add_argument("--no-autoets", action="store_true", help="forecasts: skip the (slow) AutoETS baseline")
    ev.add_argument(
        "--autoets-refit",
        type=_positive,
        default=7,  # autoets.AUTOETS_REFIT_DAYS (a test checks); not imported: the CLI starts without numpy
        metavar="DAYS",
        help="forecasts: refit AutoETS on a series every DAYS days of history (default 7; 1 fits at every "
        "origin, hours on a long series)",
    )
    ev.add_argument("--horizon", type=_positive, default=7)
    ev.set_defaults(fn=cmd_evaluate)

    grants = command(
        "grants", help="print (or --apply) least-privilege SQL for the pipeline's and FamaChat's roles"
    )
    grants.add_argument("--pipeline-role", required=True, help="the role `famachat-ml run` connects as")
    grants.add_argument("--app-role", required=True, help="the role FamaChat's app reads ml_* tables as")
    grants.add_argument("--apply", action="store_true", help="run the SQL on DATABASE_URL (as the owner)")
    grants.set_defaults(fn=cmd_grants)

    demo = command("demo", help="migrate, generate demo data, run everything and print a summary")
    demo_args(demo, 6)
    demo.set_defaults(fn=cmd_demo)

    ask = command("ask", help="ask the agent about one account (pt-BR; offline without an API key)")
    ask.add_argument(
        "--config-id", type=_positive, required=True, metavar="N", help="the account (config_id)"
    )
    ask.add_argument("--offline", action="store_true", help="deterministic answers, even with an API key")
    ask.add_argument(
        "--thread",
        metavar="ID",
        type=_thread_id,
        help="continue (or start) the stored conversation ID, as the chat API's thread_id: a follow-up "
        '("e a 17?", "por quê?") reads its earlier turns, and the question and answer are kept in it',
    )
    ask.add_argument("question", type=_question, help="the question, in Portuguese (quoted)")
    ask.set_defaults(fn=cmd_ask)

    mcp = command("mcp", help="serve the agent's tools for one account over MCP (stdio)")
    mcp.add_argument(
        "--config-id", type=_positive, required=True, metavar="N", help="the account (config_id)"
    )
    mcp.set_defaults(fn=cmd_mcp)

    st = command(
        "status",
        help="is the deployment healthy: daemon, runs, failures, stale accounts (read-only; exit 0/1/2)",
        description="Read-only health of the deployment. " + STATUS_RULES,
    )
    st.add_argument(
        "--expect-daemon",
        action="store_true",
        help="a daemon should run here (serve): none running is exit 1",
    )
    st.set_defaults(fn=cmd_status)
    return parser


def _reader_went_away() -> int:
    """`famachat-ml ask ... | head -1`: the reader closed the pipe. Not an error worth a traceback; point
    stdout at /dev/null so the interpreter's flush at exit does not raise again (Python's documented
    recipe, "Note on SIGPIPE"), and exit 1 as a process killed by SIGPIPE would not be 0 either."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 1


def main(argv: list[str] | None = None) -> int:
    # On a shared 2-core machine, OpenMP's default busy-waiting makes XGBoost with n_jobs=2 up to 4x slower
    # when another process holds a core (measured: 21.7 s vs 5.5 s for one fit). It must be set before the
    # OpenMP runtime loads (sklearn or xgboost), so the process entry point sets it; an explicit setting wins.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", message=".*is currently in beta.*")
    warnings.filterwarnings("ignore", message=".*is currently in preview.*")
    args = build_parser().parse_args(argv)
    try:
        return args.fn(args)
    except BrokenPipeError:
        return _reader_went_away()
    except KeyboardInterrupt:  # Ctrl-C: one line (what it did to a run is said above it), not a traceback
        console.print("[red]interrupted[/]", highlight=False)
        return 130
    except SettingsError as exc:
        console.print(f"[red]{escape(str(exc))}[/]", soft_wrap=True, highlight=False)
        return 2
    except Exception as exc:  # noqa: BLE001 - one clear line for known user errors, traceback otherwise
        from famachat_ml_pipeline.agent.service import UnknownAccount
        from famachat_ml_pipeline.db.grants import BadRoleName
        from famachat_ml_pipeline.demo.loader import RefusingToOverwrite
        from famachat_ml_pipeline.instance import StorageMissing
        from famachat_ml_pipeline.preflight import DatabaseUnavailable, SchemaAhead, SchemaBehind
        from famachat_ml_pipeline.runner import IncompleteDay, QueueBusy, UnknownAccounts

        known = (
            UnknownAccounts | IncompleteDay | QueueBusy | RefusingToOverwrite | UsageError | FileNotFoundError
        )
        unusable = DatabaseUnavailable | SchemaBehind | SchemaAhead | StorageMissing
        if isinstance(exc, known | unusable | BadRoleName | UnknownAccount):
            # soft_wrap: one line even when it is wider than the terminal
            console.print(f"[red]error:[/] {escape(str(exc))}", soft_wrap=True, markup=True, highlight=False)
            return 2
        line = _database_error(exc)
        if line:
            console.print(f"[red]error:[/] {escape(line)}", soft_wrap=True, markup=True, highlight=False)
            return 2
        raise


def _database_error(exc: BaseException) -> str | None:
    """One line for a database that refused an operation outside a run's steps (e.g. the dead-run sweep
    on a SQLite file another process holds a write transaction on): no traceback."""
    import sqlalchemy as sa

    if not isinstance(exc, sa.exc.OperationalError):
        return None
    from famachat_ml_pipeline.preflight import first_line

    detail = first_line(exc)
    if "database is locked" in detail:
        detail += " (another process holds a write transaction on the SQLite file: retry when it ends)"
    return f"the database refused an operation: {detail}"


if __name__ == "__main__":
    sys.exit(main())
