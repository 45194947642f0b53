"""The eleventh buyer review (agent31): a rate's move asked of the account ("o ctr ta caindo?") says yes or
no first; tomorrow's forecast says "cerca de" for both figures; "teve algum problema essa semana?" is the
7 days' anomalies counted by severity and type (not the tier list); "por que você recomenda pausar a N?"
with no pause advised says so first; a campaign's CPL forecast asked says the CPL first. Figures from the
cleaned source and the ml_* tables, read here on their own."""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.agent.answers_anomalies import TYPE_PT
from famachat_ml_pipeline.agent.intents_talk import decision_asked, normalize
from famachat_ml_pipeline.agent.service import open_agent
from famachat_ml_pipeline.core.recommendations import format_money
from famachat_ml_pipeline.core.vocab import GOOD_NEWS_ANOMALIES
from famachat_ml_pipeline.source.read import first_insight_day
from famachat_ml_pipeline_tests.agent.conftest import DemoDb, _build
from famachat_ml_pipeline_tests.agent.test_offline_asks8 import _d
from famachat_ml_pipeline_tests.agent.test_offline_asks12 import _stored_day
from famachat_ml_pipeline_tests.agent.test_offline_asks14 import _source
from famachat_ml_pipeline_tests.agent.test_offline_asks18 import _one
from famachat_ml_pipeline_tests.agent.test_offline_asks21 import _names, _quoted
from famachat_ml_pipeline_tests.agent.test_offline_asks22 import DAY
from famachat_ml_pipeline_tests.agent.test_offline_followups import ACCOUNT

pytestmark = pytest.mark.timeout(1200)


# ------------------------------------------------------------ 1. a rate's move: yes or no first
def _rate(d: pl.DataFrame, first: dt.date, last: dt.date, figure: str) -> float:
    w = d.filter(pl.col("date").is_between(first, last))
    spend, clicks, imps = (float(w[c].sum() or 0.0) for c in ("spend", "clicks", "impressions"))
    return {"ctr": clicks / imps, "cpm": spend / imps * 1000, "cpc": spend / clicks}[figure]


_LABEL = {
    "ctr": "CTR da conta",
    "cpm": "CPM da conta (gasto por mil impressões)",
    "cpc": "CPC da conta (gasto / cliques)",
}


@pytest.mark.parametrize(
    ("question", "figure", "up"),
    [
        ("o ctr ta caindo?", "ctr", False),
        ("o cpm ta subindo?", "cpm", True),
        ("o CTR caiu?", "ctr", False),
        ("o cpc está aumentando?", "cpc", True),
    ],
)
def test_a_rates_move_asked_of_the_account_says_yes_or_no_first(
    demo_db: DemoDb, question: str, figure: str, up: bool
) -> None:
    last = demo_db.as_of
    src = _source(demo_db, ACCOUNT, last - 13 * DAY, last, demo_db.now)
    now, before = (
        _rate(src, last - 6 * DAY, last, figure),
        _rate(src, last - 13 * DAY, last - 7 * DAY, figure),
    )
    assert abs(now / before - 1) > 0.001  # a move to say yes or no about
    intent, lines = _one(demo_db, question)
    assert intent == "performance", lines
    yes = "Sim: " if (now > before) == up else "Não: "
    # the verdict first (was "CPM da conta (...): Não: R$ 21,34 ..."), then the rate's sentence
    assert lines[0].startswith(f"{yes}o {_LABEL[figure]} foi "), lines
    assert f"nos 7 dias até {_d(last)}" in lines[0], lines
    assert (": subiu (" if now > before else ": caiu (") in lines[0], lines


def test_a_rate_asked_without_a_move_has_no_yes_or_no(demo_db: DemoDb) -> None:
    _, lines = _one(demo_db, "qual o ctr?")
    assert lines[0].startswith("CTR da conta: ") and not lines[0].startswith(
        ("CTR da conta: Sim", "CTR da conta: Não")
    )


# ------------------------------------------------------------ 2. tomorrow's forecast: "cerca de"
@pytest.mark.parametrize(
    ("question", "spend_first"), [("quanto vou gastar amanhã?", True), ("e amanhã?", False)]
)
def test_tomorrows_forecast_says_about_for_both_figures(
    demo_db: DemoDb, question: str, spend_first: bool
) -> None:
    tomorrow = demo_db.now.date() + DAY
    leads, spend = _stored_day(demo_db, tomorrow, "leads"), _stored_day(demo_db, tomorrow, "spend")
    intent, lines = _one(demo_db, question)
    assert intent == "forecast", lines
    money, count = f"cerca de {format_money(spend)} de gasto", f"cerca de {round(leads)} leads"
    both = f"{money} e {count}" if spend_first else f"{count} e {money}"
    assert lines[0] == f"Previsão para {_d(tomorrow)} (só esse dia): {both} na conta.", lines


# ------------------------------------------------------------ 3. "teve algum problema essa semana?"
_ORDER = ("CRITICAL", "HIGH", "MEDIUM", "LOW")


def _problems(db: DemoDb) -> dict[str, dict[str, int]]:
    """severity -> type -> count of the open anomalies of the last 7 days that are problems, read here."""
    first = dt.datetime.combine(db.as_of - 6 * DAY, dt.time())
    with db.engine.connect() as c:
        rows = c.execute(
            sa.text(
                "select severity, anomaly_type from ml_anomalies where config_id = :a and anomaly_date >= :f "
                "and (is_acknowledged is null or not is_acknowledged)"
            ),
            {"a": ACCOUNT, "f": first},
        ).all()
    out: dict[str, dict[str, int]] = {}
    for sev, kind in rows:
        if kind not in GOOD_NEWS_ANOMALIES:
            out.setdefault(sev, {})
            out[sev][kind] = out[sev].get(kind, 0) + 1
    return out


@pytest.mark.parametrize("question", ["teve algum problema essa semana?", "teve algum problema?"])
def test_a_problem_asked_of_the_week_is_its_anomalies_counted(demo_db: DemoDb, question: str) -> None:
    counts = _problems(demo_db)
    n = sum(sum(k.values()) for k in counts.values())
    assert n > 1  # the demo has problems to count
    intent, lines = _one(demo_db, question)
    assert intent == "anomalies", lines
    span = f"últimos 7 dias ({_d(demo_db.as_of - 6 * DAY)} a {_d(demo_db.as_of)})"
    by_sev = ", ".join(f"{sum(counts[s].values())} {s}" for s in _ORDER if s in counts)
    assert lines[0] == f"Sim: {n} anomalias que são problema nos {span}: {by_sev}.", lines
    sev_lines = [x for x in lines if x.startswith("- ")]
    assert [x.split(":")[0][2:] for x in sev_lines] == [s for s in _ORDER if s in counts], lines
    for line, sev in zip(sev_lines, [s for s in _ORDER if s in counts], strict=True):
        for kind, k in counts[sev].items():
            assert f"{k}x {TYPE_PT[kind]}" in line, (sev, kind, line)
    worst = next(s for s in _ORDER if s in counts)
    assert any(x.startswith("A mais grave: ") and x.endswith(f"severidade {worst}.") for x in lines), lines
    assert not any("baixa performance (UNDERPERFORMER)" in x for x in lines), lines


# ------------------------------------------------------------ 4. "por que você recomenda pausar a N?"
def _advice(db: DemoDb) -> dict[str, list[tuple[str, str]]]:
    """campaign id -> its active (type, title) advice, read here."""
    with db.engine.connect() as c:
        rows = c.execute(
            sa.text(
                "select entity_id, recommendation_type, title from ml_recommendations where config_id = :a "
                "and is_active and not dismissed"
            ),
            {"a": ACCOUNT},
        ).all()
    out: dict[str, list[tuple[str, str]]] = {}
    for cid, kind, title in rows:
        out.setdefault(cid, []).append((kind, title))
    return out


def _number(name: str) -> str:
    return name.split("Campanha ")[1].split(" ")[0]


def test_a_pause_asked_why_with_no_pause_advised_says_so_first(demo_db: DemoDb) -> None:
    advice, names = _advice(demo_db), _names(demo_db)
    cid = next(c for c, a in sorted(advice.items()) if [k for k, _ in a] == ["BUDGET_DECREASE"])
    title = advice[cid][0][1]
    intent, lines = _one(demo_db, f"por que você recomenda pausar a {_number(names[cid])}?")
    assert intent == "recommendations", lines
    assert lines[0] == (
        f"Não recomendo pausar {_quoted(names[cid])} ({cid}): a recomendação ativa é "
        f"{title[0].lower()}{title[1:]}."
    ), lines


@pytest.fixture(scope="module")
def acked_db(tmp_path_factory: pytest.TempPathFactory) -> DemoDb:
    """The demo after its buyer acknowledged the CRITICAL lead drops: the pause they held is advised (the
    demo's only campaign spending without leads is a tracking break, paused once it is checked). SQLite
    only: the answer's SQL is the shared demo's, on both backends, in the test above."""
    tmp = tmp_path_factory.mktemp("acked")
    return _build(f"sqlite:///{tmp / 'famachat_ml.db'}", tmp, acknowledge=("PERFORMANCE_DROP",))


def test_a_pause_asked_why_with_a_pause_advised_gives_its_why(acked_db: DemoDb) -> None:
    """The demo account with a pause advised (whichever it is): that advice and its why, first."""
    demo_db = acked_db
    with demo_db.engine.connect() as c:
        account, cid, title = c.execute(
            sa.text(
                "select config_id, entity_id, title from ml_recommendations where is_active "
                "and not dismissed and recommendation_type = 'PAUSE_CAMPAIGN' order by config_id, entity_id"
            )
        ).first()
        name = c.execute(
            sa.text(
                "select name from sistema_facebook_ads_campaigns where config_id = :a and campaign_id = :c"
            ),
            {"a": account, "c": cid},
        ).scalar_one()
    agent = open_agent(demo_db.engine, account, demo_db.settings, mode="offline", now=demo_db.now)
    lines = agent.ask(f"por que você recomenda pausar a {_number(name)}?").text.splitlines()
    assert lines[0] == f"O pipeline recomenda para {_quoted(name)}: {title}.", lines


# ------------------------------------------------------------ 5. a campaign's CPL forecast: the CPL first
def test_a_campaigns_cpl_forecast_asked_says_the_cpl_first(demo_db: DemoDb) -> None:
    advice, names = _advice(demo_db), _names(demo_db)
    cid = next(c for c, a in sorted(advice.items()) if [k for k, _ in a] == ["BUDGET_DECREASE"])
    number, name = _number(names[cid]), _quoted(names[cid])
    intent, lines = _one(demo_db, f"qual o cpl previsto da campanha {number}?")
    assert intent == "forecast", lines
    assert lines[0].startswith(f"{name}: R$ ") and "de CPL médio por dia" in lines[0], lines
    assert "leads no total" in lines[1], lines
    # the leads asked still lead with the leads
    _, lines = _one(demo_db, f"quantos leads a campanha {number} vai trazer?")
    assert "leads no total" in lines[0], lines


# ------------------------------------------------------------ review: "qual campanha mais melhorou?"
def _spans(line: str) -> tuple[tuple[dt.date, dt.date], tuple[dt.date, dt.date]]:
    """The two spans a weeks' answer states, newer first ("(23/11/2026 a 29/11/2026), contra ...")."""
    found = re.findall(r"\((\d\d/\d\d/\d{4}) a (\d\d/\d\d/\d{4})\)", line)
    days = [tuple(dt.datetime.strptime(x, "%d/%m/%Y").date() for x in pair) for pair in found[:2]]
    return days[0], days[1]


@pytest.mark.parametrize(
    ("question", "better"), [("qual campanha mais melhorou?", True), ("qual campanha mais piorou?", False)]
)
def test_which_campaign_moved_most_names_the_campaign_not_the_accounts_yes_or_no(
    demo_db: DemoDb, question: str, better: bool
) -> None:
    """Was "Sim: o CPL da conta está caindo" (the account's move, a yes to a which). Now the campaign whose
    CPL moved most that way between the two weeks the answer states, summed here from the source."""
    intent, lines = _one(demo_db, question)
    assert intent == "trends", lines
    assert not lines[0].startswith(("Sim", "Não")), lines
    (now_first, now_last), (old_first, old_last) = _spans(lines[0])
    src = _source(demo_db, ACCOUNT, old_first, now_last, demo_db.now)
    names = _names(demo_db)

    def cpl(cid: str, first: dt.date, last: dt.date) -> float | None:
        w = src.filter((pl.col("campaign_id") == cid) & pl.col("date").is_between(first, last))
        leads = int(w["leads"].sum() or 0)
        return float(w["spend"].sum() or 0.0) / leads if leads else None

    moves = {}
    for cid in src["campaign_id"].unique().to_list():
        new, old = cpl(cid, now_first, now_last), cpl(cid, old_first, old_last)
        if new is not None and old is not None:
            moves[cid] = new / old - 1
    if not better:  # a campaign gone without leads (no CPL now) weighs as the worst: only a name checked here
        assert any(f"{_quoted(n)} ({c})" in lines[0] for c, n in names.items()), lines
        return
    pick = min(moves, key=moves.get)
    assert f"{_quoted(names[pick])} ({pick})" in lines[0], (lines, moves)


# ------------------------------------------------------------ review: "meu pior mês?"
@pytest.mark.parametrize(("question", "best"), [("meu pior mês?", False), ("qual o melhor mês?", True)])
def test_the_best_or_worst_month_is_the_months_by_cpl(demo_db: DemoDb, question: str, best: bool) -> None:
    """Was the worst (or best) campaign of the 7 days. Now every month of the data by its CPL, summed here
    from the source, the one asked first."""
    first = first_insight_day(demo_db.engine, ACCOUNT)
    src = _source(demo_db, ACCOUNT, first, demo_db.as_of, demo_db.now)
    months = (
        src.with_columns(pl.col("date").dt.truncate("1mo").alias("m"))
        .group_by("m")
        .agg(pl.col("spend").sum(), pl.col("leads").sum())
        .with_columns((pl.col("spend") / pl.col("leads")).alias("cpl"))
        .sort("m")
    )
    assert months.height >= 2
    pick = months.sort("cpl", descending=not best).row(0, named=True)
    name = [
        "janeiro",
        "fevereiro",
        "março",
        "abril",
        "maio",
        "junho",
        "julho",
        "agosto",
        "setembro",
        "outubro",
        "novembro",
        "dezembro",
    ][pick["m"].month - 1]
    intent, lines = _one(demo_db, question)
    assert intent == "month_rank", lines
    word = "melhor" if best else "pior"
    assert lines[0].startswith(f"O {word} mês pelo CPL foi {name} de {pick['m'].year} ("), lines
    assert f"CPL {format_money(pick['cpl'])}, {format_money(pick['spend'])} investidos" in lines[0], lines
    listed = [x for x in lines if x.startswith("- ")]
    assert len(listed) == months.height, lines


# --------------------------------------------------- "quais alertas eu já reconheci?": those, not the open
def test_the_alerts_acknowledged_are_listed_when_asked(acked_db: DemoDb) -> None:
    """Was the open alerts (the acknowledged ones are exactly those the list of open alerts leaves out)."""
    with acked_db.engine.connect() as c:
        account = c.execute(
            sa.text("select min(config_id) from ml_anomalies where is_acknowledged = :yes"), {"yes": True}
        ).scalar_one()
        acked = c.execute(
            sa.text(
                "select id, anomaly_date from ml_anomalies where config_id = :a and is_acknowledged = :yes"
            ),
            {"a": account, "yes": True},
        ).fetchall()
        open_ids = {
            r[0]
            for r in c.execute(
                sa.text("select id from ml_anomalies where config_id = :a and is_acknowledged = :no"),
                {"a": account, "no": False},
            )
        }
    agent = open_agent(acked_db.engine, account, acked_db.settings, mode="offline", now=acked_db.now)
    reply = agent.ask("quais alertas eu já reconheci?")
    lines = reply.text.splitlines()
    assert reply.intent == "decisions", lines
    since = acked_db.data.end_date - dt.timedelta(days=29)
    expected = {i for i, day in acked if _day_of(day) >= since}
    assert expected, "the acknowledged lead drops are within the 30 days read"
    assert lines[0].startswith(f"Alertas de {_d(since)} em diante já reconhecidos, o número é o id"), lines
    listed = {int(m) for m in re.findall(r"^- #(\d+) ", reply.text, flags=re.M)}
    assert listed == expected and not listed & open_ids, lines


def test_no_alert_acknowledged_is_said_so(demo_db: DemoDb) -> None:
    intent, lines = _one(demo_db, "quais alertas eu ja reconheci?")
    assert intent == "decisions", lines
    since = demo_db.data.end_date - dt.timedelta(days=29)
    assert lines[0] == f"Nenhum alerta de {_d(since)} em diante foi reconhecido.", lines
    assert "#" not in "\n".join(lines), lines


def _day_of(value: object) -> dt.date:
    """ml_anomalies.anomaly_date as SQLite returns it (text) or a driver does (a datetime)."""
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value.date() if isinstance(value, dt.datetime) else value  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("question", "ask"),
    [
        ("quais alertas eu já reconheci?", "acknowledged"),
        ("tem algum alerta que eu já reconheci?", "acknowledged"),
        ("eu já ignorei algum alerta?", "acknowledged"),
        ("me mostra as anomalias que eu marquei como vistas", "acknowledged"),
        ("quais alertas eu ainda não reconheci?", None),  # the open ones
        ("quais alertas posso ignorar?", None),
        ("que alertas devo reconhecer?", None),
        ("ignora esse alerta", "acknowledge"),
        ("pode ignorar o alerta que apareceu ontem", "acknowledge"),
        ("já vi esse alerta", "acknowledge"),
    ],
)
def test_which_alert_questions_ask_for_the_acknowledged_list(question: str, ask: str | None) -> None:
    assert decision_asked(normalize(question)) == ask
