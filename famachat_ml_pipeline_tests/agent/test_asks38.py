"""The twenty-first buyer review (agent41): "esse alerta é grave?" with no anomaly open (no "Não" first),
"oq houve com a 12 ontem" (its anomalies and 7 days left out), "dia 20 na 12" (the account's day), "a 11
parou?" / "por que a 9 parou?" (its card, its alerts), "como ta a 5?" on an account without it (the help
menu), "de 1 a 11 de novembro" (the whole month), a campaign's month before it first spent (zeros), "12"
alone (the help menu), "quanto custa o lead da 17?" (no CPL first), "semana retrasada vs passada" (a
campaign comparison), "a 20 parou de gerar lead?" (its spend), "os leads pararam?" (the help menu), "gastei
mais que semana passada?" (no verdict) and "últimos 30 dias vs os 30 anteriores" ("Campanha 30" not
found). Figures from the cleaned source and the stored anomalies, read here on their own. SQLite only: the
answers add no SQL of their own (the reads are the ones every answer shares, tested on both backends
elsewhere)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.agent.service import open_agent
from famachat_ml_pipeline.agent.types import ChatTurn
from famachat_ml_pipeline.core.recommendations import format_money
from famachat_ml_pipeline.db.agent_queries import read_recent_anomalies
from famachat_ml_pipeline.db.engine import get_engine
from famachat_ml_pipeline.settings import Settings
from famachat_ml_pipeline_tests.agent.conftest import DemoDb, clock_at, leads_of
from famachat_ml_pipeline_tests.agent.test_asks32 import _one
from famachat_ml_pipeline_tests.agent.test_offline_asks8 import _d
from famachat_ml_pipeline_tests.agent.test_offline_asks14 import _source
from famachat_ml_pipeline_tests.agent.test_offline_followups import ACCOUNT, _thread

# the demo built once for the session, its SQLite side only
pytestmark = pytest.mark.timeout(600)

DAY = dt.timedelta(days=1)


def _numbered(db: DemoDb, account: int, n: int) -> tuple[str, str]:
    """(id, name) of the account's "Campanha <n>"."""
    c = db.data.campaigns.filter(pl.col("config_id") == account)
    ((cid, name),) = [
        (r["campaign_id"], r["name"]) for r in c.iter_rows(named=True) if f"Campanha {n} " in r["name"]
    ]
    return cid, name


# ------------------------------------------------------------ 1. an alert judged serious with none open
@pytest.fixture
def all_acknowledged(demo_db: DemoDb, tmp_path: Path) -> Iterator[sa.Engine]:
    """A copy of the demo's SQLite file in which the buyer acknowledged every anomaly of ACCOUNT (the
    shared demo stays as it is)."""
    copy = tmp_path / "acknowledged.db"
    with sqlite3.connect(demo_db.engine.url.database) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    engine = get_engine(f"sqlite:///{copy}")
    with engine.begin() as c:
        c.execute(sa.text("update ml_anomalies set is_acknowledged = 1 where config_id = :a"), {"a": ACCOUNT})
    yield engine
    engine.dispose()


@pytest.mark.parametrize(
    "questions", [["esse alerta é grave?"], ["tem algum alerta?", "é grave?"], ["o alerta é sério?"]]
)
def test_an_alert_judged_serious_with_none_open_says_nao_first(
    demo_db: DemoDb, all_acknowledged: sa.Engine, questions: list[str]
) -> None:
    """Was "Nenhuma anomalia aberta desde ..." with no verdict, where the answer with some open starts with
    Sim/Não (and the day's variant, "o alerta de ontem é sério?", with "Não: nenhuma anomalia em ...")."""
    since = demo_db.as_of - 6 * DAY
    assert not read_recent_anomalies(all_acknowledged, ACCOUNT, since), "none open in the copy"
    agent = open_agent(
        all_acknowledged,
        ACCOUNT,
        Settings(database_url=str(all_acknowledged.url)),
        mode="offline",
        now=demo_db.now,
    )
    history: list[ChatTurn] = []
    for q in questions:
        reply = agent.ask(q, history)
        history += [ChatTurn("user", q), ChatTurn("assistant", reply.text)]
    lines = reply.text.splitlines()
    assert reply.intent == "anomalies", lines
    assert lines[0] == f"Não: nenhuma anomalia aberta desde {_d(since)}.", lines


# ------------------------------------------------------------ 2. "oq houve com a 12 ontem"
@pytest.mark.parametrize(
    "question",
    ["oq houve com a {n} ontem", "o que houve com a campanha {n} ontem?", "oq rolou com a {n} ontem"],
)
@pytest.mark.parametrize("n", [12, 16])
def test_what_happened_in_other_words_is_what_aconteceu_answers(
    demo_db: DemoDb, question: str, n: int
) -> None:
    """ "houve"/"rolou" ask what "aconteceu" asks: was the day's judgement and card without the campaign's
    open anomalies nor its 7 days."""
    cid, name = _numbered(demo_db, ACCOUNT, n)
    since = demo_db.as_of - 6 * DAY
    open_ = [r for r in read_recent_anomalies(demo_db.engine, ACCOUNT, since) if r["entity_id"] == cid]
    assert open_, f"campaign {n} has open anomalies in the demo's last 7 days"
    intent, lines = _one(demo_db, question.format(n=n))
    assert intent == "campaign_details", lines
    many = f"{len(open_)} anomalias abertas" if len(open_) != 1 else "1 anomalia aberta"
    assert f"{many} para “{name}” nos últimos 7 dias:" in lines, lines
    assert any(x.startswith(f"7 dias até {_d(demo_db.as_of)}: ") for x in lines), lines
    assert lines == _one(demo_db, f"o que aconteceu com a campanha {n} ontem?")[1]


# ------------------------------------------------------------ 3. "na 12" next to a day or a period
def _sums(db: DemoDb, cid: str, first: dt.date, last: dt.date) -> tuple[float, int]:
    d = _source(db, ACCOUNT, first, last, db.now).filter(pl.col("campaign_id") == cid)
    return float(d["spend"].sum()), int(d["leads"].sum())


@pytest.mark.parametrize("question", ["quanto gastei dia 20 na 12", "gasto da 12 dia 20"])
def test_a_campaign_by_its_number_next_to_a_day(demo_db: DemoDb, question: str) -> None:
    """Was the account's day: "dia 20 na 12" read as a range ("de 1 a 11"), "12 dia 20" as "12 dias"."""
    cid, name = _numbered(demo_db, ACCOUNT, 12)
    day = demo_db.as_of.replace(day=20)
    spend, leads = _sums(demo_db, cid, day, day)
    assert spend and leads, "campaign 12 spent and had leads on the 20th"
    intent, lines = _one(demo_db, question)
    assert intent == "campaign_details", lines
    assert lines[0] == (
        f"Em {_d(day)}, “{name}”: {format_money(spend)} investidos, {leads_of(leads)}, "
        f"CPL {format_money(spend / leads)}."
    ), lines


def test_a_campaign_by_its_number_next_to_a_period(demo_db: DemoDb) -> None:
    """Was the account's week: "12 semana passada" read as "12 semanas". "dia 1 a 11" (a range's end) and
    "a 3 dias" (a quantity) still name no campaign (the account's run from 9 to 17: 11 would be one)."""
    cid, name = _numbered(demo_db, ACCOUNT, 12)
    sunday = demo_db.as_of  # today is Monday 30/11: last week is 23/11 to 29/11
    spend, leads = _sums(demo_db, cid, sunday - 6 * DAY, sunday)
    intent, lines = _one(demo_db, "quantos leads na 12 semana passada")
    assert intent == "campaign_details", lines
    assert lines[0].startswith(
        f"Semana passada, de segunda a domingo, “{name}” ({_d(sunday - 6 * DAY)} a {_d(sunday)}, 7 dias): "
        f"{leads_of(leads)}, {format_money(spend)} investidos, CPL {format_money(spend / leads)}"
    ), lines
    for other in ("leads do dia 1 a 11", "a 3 dias atrás teve lead?"):
        intent, lines = _one(demo_db, other)
        assert intent != "campaign_details" and "“[LEAD] Campanha" not in lines[0], (other, lines)


# ------------------------------------------------------------ 4. "a 11 parou?", "por que a 9 parou?"
def _last_spend(db: DemoDb, cid: str, days: int) -> tuple[dt.date | None, float]:
    """The campaign's last day with spend over the last `days` complete days, and that day's spend."""
    d = _source(db, ACCOUNT, db.as_of - (days - 1) * DAY, db.as_of, db.now)
    d = d.filter((pl.col("campaign_id") == cid) & (pl.col("spend") > 0))
    if d.is_empty():
        return None, 0.0
    last = d["date"].max()
    return last, float(d.filter(pl.col("date") == last)["spend"].sum())


def test_parou_alone_asks_whether_it_stopped(demo_db: DemoDb) -> None:
    """ "a 11 parou?" was its card (only "parou de gastar" was read); now the yes or no of its 14 days."""
    cid, name = _numbered(demo_db, ACCOUNT, 11)
    assert _last_spend(demo_db, cid, 14)[0] is None, "campaign 11 spent nothing in the last 14 days"
    intent, lines = _one(demo_db, "a 11 parou?")
    assert intent == "campaign_details", lines
    assert (
        lines[0] == f"Sim: “{name}” não gastou nada de {_d(demo_db.as_of - 13 * DAY)} a {_d(demo_db.as_of)}."
    )


def _status(db: DemoDb, cid: str) -> str:
    return db.data.campaigns.filter(pl.col("campaign_id") == cid)["status"][0]


def test_why_a_paused_campaign_stopped_is_its_pause(demo_db: DemoDb) -> None:
    """Was "Não há anomalias abertas para ..." and its card: now the pause, with its last spend read back
    further than 14 days (campaign 11 stopped weeks ago)."""
    cid, name = _numbered(demo_db, ACCOUNT, 11)
    assert _status(demo_db, cid) == "PAUSED"
    last, spent = _last_spend(demo_db, cid, 90)
    assert last is not None and last < demo_db.as_of - 13 * DAY, last
    intent, lines = _one(demo_db, "por que a 11 parou?")
    assert intent == "campaign_details", lines
    assert lines[0] == (
        f"Porque está pausada: “{name}” tem status PAUSED e não gasta desde {_d(last + DAY)} (último gasto: "
        f"{format_money(spent)} em {_d(last)}; dados até {_d(demo_db.as_of)})."
    ), lines


@pytest.mark.parametrize("question", ["por que a 9 parou?", "pq a campanha 9 parou de gastar?"])
def test_why_an_active_campaign_stopped_says_it_was_no_pause(demo_db: DemoDb, question: str) -> None:
    """Campaign 9 is ACTIVE and stopped spending: was its open alert and card ("pq ... parou de gastar?":
    "Sim: ... não gasta desde"); now that no pause explains it, since when, and its "gasto zerado" alert."""
    cid, name = _numbered(demo_db, ACCOUNT, 9)
    assert _status(demo_db, cid) == "ACTIVE"
    last, spent = _last_spend(demo_db, cid, 90)
    assert last is not None and last < demo_db.as_of, last
    intent, lines = _one(demo_db, question)
    assert intent == "campaign_details", lines
    assert lines[0].startswith(
        f"Não foi pausa na campanha: “{name}” tem status ACTIVE, mas não gasta desde {_d(last + DAY)} "
        f"(último gasto: {format_money(spent)} em {_d(last)}; dados até {_d(demo_db.as_of)}). O motivo não "
        "está nos dados que leio"
    ), lines
    zero = [
        r
        for r in read_recent_anomalies(demo_db.engine, ACCOUNT, demo_db.as_of - 6 * DAY)
        if r["entity_id"] == cid and r["anomaly_type"] == "ZERO_SPEND"
    ]
    assert zero and any(
        x.startswith(f"- gasto zerado em “{name}” ({_d(zero[0]['anomaly_date'])})") for x in lines
    )


def test_why_a_campaign_that_spends_stopped_is_nao_parou(demo_db: DemoDb) -> None:
    cid, name = _numbered(demo_db, ACCOUNT, 12)
    last, spent = _last_spend(demo_db, cid, 14)
    assert last == demo_db.as_of
    intent, lines = _one(demo_db, "pq a 12 parou?")
    assert intent == "campaign_details", lines
    assert lines[0].startswith(
        f"Não parou: “{name}” gastou {format_money(spent)} em {_d(last)}, o último dia completo."
    ), lines


# ------------------------------------------------------------ 5. "a 5" the account does not have
@pytest.mark.parametrize(
    "question",
    ["como ta a 5?", "vale a pena aumentar a 5?", "a 40 tá boa?", "por que a 3 parou?", "devo pausar a 3?"],
)
def test_a_campaign_number_the_account_lacks_is_said_not_found(demo_db: DemoDb, question: str) -> None:
    """The account's campaigns are 9 to 17: "como ta a 5?" and "a 40 tá boa?" were the help menu, "vale a
    pena aumentar a 5?" the account's scale list, "por que a 3 parou?" the account's CPL explained: each
    answered as if the number were not there. Now said not found, as "a campanha 5 ta boa?" is."""
    n = int(next(w for w in question.replace("?", "").split() if w.isdigit()))
    numbers = {
        int(r["name"].split("Campanha ", 1)[1].split()[0])
        for r in demo_db.data.campaigns.filter(pl.col("config_id") == ACCOUNT).iter_rows(named=True)
    }
    assert n not in numbers, numbers
    intent, lines = _one(demo_db, question)
    assert intent == "campaign_not_found", lines
    assert lines[0] == f"Não encontrei a Campanha {n} nesta conta.", lines


# ------------------------------------------------------------ 6. days named with the month's word
def _account(db: DemoDb, first: dt.date, last: dt.date) -> tuple[float, int]:
    d = _source(db, ACCOUNT, first, last, db.now)
    return float(d["spend"].sum()), int(d["leads"].sum())


@pytest.mark.parametrize(
    ("question", "first", "last", "spend_first"),
    [
        ("leads de 1 a 11 de novembro", 1, 11, False),
        ("quanto gastei de 1 a 11 de novembro?", 1, 11, True),
        ("gasto de 3 a 9 de nov", 3, 9, True),
        ("leads entre 1 e 11 de novembro", 1, 11, False),
        ("leads de 1 de novembro a 11 de novembro", 1, 11, False),
    ],
)
def test_a_range_of_days_in_a_named_month(
    demo_db: DemoDb, question: str, first: int, last: int, spend_first: bool
) -> None:
    """Was the whole of November ("de 3 a 9 de nov": the last 7 days): the range's numbers were read only
    as "dia N" or "N/M"."""
    a, b = (demo_db.as_of.replace(day=x) for x in (first, last))
    spend, leads = _account(demo_db, a, b)
    figures = [f"{format_money(spend)} investidos", leads_of(leads)]
    figures = figures if spend_first else figures[::-1]
    intent, lines = _one(demo_db, question)
    assert intent == "performance", lines
    assert lines[0].startswith(
        f"O período pedido ({_d(a)} a {_d(b)}, {(b - a).days + 1} dias): {', '.join(figures)}, "
        f"CPL {format_money(spend / leads)}"
    ), lines


@pytest.mark.parametrize(
    ("question", "day", "spend_first"),
    [
        ("leads em 5 de novembro", dt.date(2026, 11, 5), False),
        ("quanto gastei dia 20 de outubro", dt.date(2026, 10, 20), True),
    ],
)
def test_a_day_in_a_named_month(demo_db: DemoDb, question: str, day: dt.date, spend_first: bool) -> None:
    """ "em 5 de novembro" was the whole month; "dia 20 de outubro" was 20/11 (the month's word dropped)."""
    spend, leads = _account(demo_db, day, day)
    figures = [f"{format_money(spend)} investidos", leads_of(leads)]
    figures = figures if spend_first else figures[::-1]
    intent, lines = _one(demo_db, question)
    assert intent == "performance", lines
    assert lines[0] == f"Em {_d(day)}: {', '.join(figures)}, CPL {format_money(spend / leads)}.", lines


# ------------------------------------------------------------ 7. a campaign's period outside its life
def _spent_days(db: DemoDb, cid: str) -> pl.Series:
    d = _source(db, ACCOUNT, db.as_of - 89 * DAY, db.as_of, db.now)
    return d.filter((pl.col("campaign_id") == cid) & (pl.col("spend") > 0))["date"]


def test_a_campaigns_month_before_it_first_spent_says_nothing_and_why(demo_db: DemoDb) -> None:
    """Campaign 12 first spent in November: "cpl da 12 mês passado" was October's "CPL sem leads, R$ 0,00
    investidos, 0 leads, CTR -", as if it had run all month without spending."""
    cid, name = _numbered(demo_db, ACCOUNT, 12)
    first = _spent_days(demo_db, cid).min()
    assert first > dt.date(2026, 10, 31), first
    intent, lines = _one(demo_db, "cpl da 12 mes passado")
    assert intent == "campaign_details", lines
    assert lines[0] == (
        f"Nada: “{name}” ainda não gastava em outubro de 2026 (01/10/2026 a 31/10/2026); o primeiro dia "
        f"com gasto dela é {_d(first)}."
    ), lines


def test_a_campaigns_week_after_it_last_spent_says_nothing_and_why(demo_db: DemoDb) -> None:
    cid, name = _numbered(demo_db, ACCOUNT, 13)
    last, sunday = _spent_days(demo_db, cid).max(), demo_db.as_of
    assert last < sunday - 6 * DAY, last
    intent, lines = _one(demo_db, "quanto a 13 gastou semana passada?")
    assert intent == "campaign_details", lines
    assert lines[0] == (
        f"Nada: “{name}” já não gastava na semana passada, de segunda a domingo ({_d(sunday - 6 * DAY)} a "
        f"{_d(sunday)}); o último dia com gasto dela é {_d(last)}."
    ), lines


# ------------------------------------------------------------ 8. a campaign's number typed alone
@pytest.mark.parametrize("question", ["12", "12?"])
def test_a_campaign_number_alone_is_its_card(demo_db: DemoDb, question: str) -> None:
    """Was the help menu."""
    cid, name = _numbered(demo_db, ACCOUNT, 12)
    intent, lines = _one(demo_db, question)
    assert intent == "campaign_details", lines
    assert lines[0].startswith(f"“{name}” ({cid}), status "), lines
    assert lines == _one(demo_db, "campanha 12")[1]


def test_a_campaign_number_alone_in_a_thread_carries_the_question(demo_db: DemoDb) -> None:
    """ "qual o cpl da 14 ontem?" then "12?": campaign 12's day (was the help menu)."""
    cid, name = _numbered(demo_db, ACCOUNT, 12)
    day = demo_db.as_of
    spend, leads = _sums(demo_db, cid, day, day)
    (_, _), (intent, lines) = _thread(demo_db, demo_db.now, ["qual o cpl da 14 ontem?", "12?"])
    assert intent == "campaign_details", lines
    assert lines[0] == (
        f"Em {_d(day)}, “{name}”: CPL {format_money(spend / leads)}, {format_money(spend)} investidos, "
        f"{leads_of(leads)}."
    ), lines


# ------------------------------------------------------------ 9. "quanto custa o lead" is the CPL
def test_what_the_lead_costs_on_a_campaign_is_its_cpl_first(demo_db: DemoDb) -> None:
    """ "quanto custa o lead da 17?" was its card with no CPL first ("quanto custa cada lead" had it)."""
    cid, name = _numbered(demo_db, ACCOUNT, 17)
    day = demo_db.as_of
    spend, leads = _sums(demo_db, cid, day - 6 * DAY, day)
    intent, lines = _one(demo_db, "quanto custa o lead da 17?")
    assert intent == "campaign_details", lines
    assert lines[0] == (
        f"CPL de “{name}” nos 7 dias até {_d(day)}: {format_money(spend / leads)} ({format_money(spend)} "
        f"gastos, {leads_of(leads)})."
    ), lines


@pytest.mark.parametrize("question", ["quanto custou o lead ontem?", "qual o custo do lead ontem"])
def test_what_the_lead_cost_on_a_day_leads_with_the_cpl(demo_db: DemoDb, question: str) -> None:
    """Was the day's spend first, as for "quanto gastei ontem?"."""
    day = demo_db.as_of
    spend, leads = _account(demo_db, day, day)
    intent, lines = _one(demo_db, question)
    assert intent == "performance", lines
    assert lines[0] == (
        f"Em {_d(day)}: CPL {format_money(spend / leads)}, {format_money(spend)} investidos, "
        f"{leads_of(leads)}."
    ), lines


# ------------------------------------------------------------ 10. "semana retrasada vs passada"
def _weeks(db: DemoDb) -> tuple[tuple[float, int], tuple[float, int]]:
    """(spend, leads) of last week and of the week before (Monday 30/11 is today)."""
    sunday = db.as_of
    return _account(db, sunday - 6 * DAY, sunday), _account(db, sunday - 13 * DAY, sunday - 7 * DAY)


@pytest.mark.parametrize(
    "question", ["quanto gastei semana retrasada vs passada", "leads semana retrasada x passada"]
)
def test_the_week_before_last_against_last_week_named_second(demo_db: DemoDb, question: str) -> None:
    """ "passada" after "retrasada" was no period: the comparison was read as one of campaigns ("diga 2 a 5
    campanhas"). Now both weeks, as "semana passada vs retrasada" answers."""
    (s_now, l_now), (s_old, l_old) = _weeks(demo_db)
    sunday = demo_db.as_of
    intent, lines = _one(demo_db, question)
    assert intent == "performance", lines
    assert lines[1].startswith(
        f"Semana retrasada, de segunda a domingo ({_d(sunday - 13 * DAY)} a {_d(sunday - 7 * DAY)}, 7 dias): "
        f"{format_money(s_old)} investidos, {leads_of(l_old)}"
    ), lines
    assert lines[2].startswith(
        f"Semana passada, de segunda a domingo ({_d(sunday - 6 * DAY)} a {_d(sunday)}, 7 dias): "
        f"{format_money(s_now)} investidos, {leads_of(l_now)}"
    ), lines
    assert lines == _one(demo_db, "quanto gastei semana passada vs retrasada")[1]


def test_the_week_before_last_judged_against_last_week(demo_db: DemoDb) -> None:
    """Was the campaigns of the week before last ranked by their CPL."""
    (s_now, l_now), (s_old, l_old) = _weeks(demo_db)
    cpl_now, cpl_old = s_now / l_now, s_old / l_old
    assert cpl_old < cpl_now, "the week before last had the lower CPL"
    intent, lines = _one(demo_db, "a semana retrasada foi melhor que a passada?")
    assert intent == "performance", lines
    assert lines[0].startswith(
        f"Sim: o CPL na semana passada foi {format_money(cpl_now)}, contra {format_money(cpl_old)} na semana "
        "retrasada"
    ), lines


# ------------------------------------------------------------ 11. "parou de gerar lead?"
THIRD = 3  # the demo account with campaigns 18-32 (campaign 20 spends with no lead)


def test_a_campaign_that_spends_without_leads_is_said_to_have_stopped_its_leads(demo_db: DemoDb) -> None:
    """Campaign 20 spends with no lead: "a 20 parou de gerar lead?" was "Não: gastou R$ ... em 29/11" (its
    spend, the other question). Now its last day with leads and what it spent since."""
    cid, name = _numbered(demo_db, THIRD, 20)
    d = _source(demo_db, THIRD, demo_db.as_of - 13 * DAY, demo_db.as_of, demo_db.now)
    d = d.filter(pl.col("campaign_id") == cid)
    last = d.filter(pl.col("leads") > 0)["date"].max()
    assert last is not None and last < demo_db.as_of, last
    n = int(d.filter(pl.col("date") == last)["leads"].sum())
    after = float(d.filter(pl.col("date") > last)["spend"].sum())
    assert after > 0
    intent, lines = _one(demo_db, "a 20 parou de gerar lead?", THIRD)
    assert intent == "campaign_details", lines
    assert lines[0] == (
        f"Sim: “{name}” não tem lead desde {_d(last + DAY)} (último: {leads_of(n)} em {_d(last)}; dados até "
        f"{_d(demo_db.as_of)}); desde então gastou {format_money(after)} sem lead."
    ), lines


@pytest.mark.parametrize("question", ["a 12 parou de gerar lead?", "os leads da 12 pararam?"])
def test_a_campaign_with_leads_yesterday_did_not_stop_its_leads(demo_db: DemoDb, question: str) -> None:
    cid, name = _numbered(demo_db, ACCOUNT, 12)
    day = demo_db.as_of
    _, leads = _sums(demo_db, cid, day, day)
    assert leads
    intent, lines = _one(demo_db, question)
    assert intent == "campaign_details", lines
    assert lines[0] == f"Não: “{name}” teve {leads_of(leads)} em {_d(day)}, o último dia completo.", lines


@pytest.mark.parametrize("question", ["os leads pararam?", "pararam os leads?"])
def test_the_accounts_leads_asked_stopped_is_the_tracking_check(demo_db: DemoDb, question: str) -> None:
    """Was the help menu; "parou de entrar lead?" had the zero-lead check."""
    intent, lines = _one(demo_db, question)
    assert intent == "tracking", lines
    assert lines == _one(demo_db, "parou de entrar lead?")[1]


# ------------------------------------------------------------ 12. "gastei mais que semana passada?"
@pytest.mark.parametrize(
    ("question", "same", "figure"),
    [
        ("to gastando mais que semana passada?", "o gasto subiu essa semana?", "spend"),
        ("tive mais leads que semana passada?", "os leads subiram essa semana?", "leads"),
        ("o cpl ta mais barato que semana passada?", "o cpl caiu essa semana?", "cpl"),
    ],
)
@pytest.mark.parametrize("back", [0, 3])  # today Monday 30/11 (last week whole), Friday 27/11 (Mon to Thu)
def test_more_than_last_week_is_answered_yes_or_no_first(
    demo_db: DemoDb, question: str, same: str, figure: str, back: int
) -> None:
    """Was the two weeks' figures side by side with no verdict; now as "o gasto subiu essa semana?" says
    it: Sim/Não first, the figure asked over this week's days against the same days of the week before."""
    now = clock_at(demo_db.as_of - back * DAY)
    ((intent, lines),) = _thread(demo_db, now, [question])
    assert intent == "trends", lines
    assert lines == _thread(demo_db, now, [same])[0][1]
    through = now.date() - DAY
    monday = now.date() - dt.timedelta(days=now.date().weekday())
    first = monday - 7 * DAY if through < monday else monday  # on a Monday, last week whole
    a = _source(demo_db, ACCOUNT, first, through, now)
    b = _source(demo_db, ACCOUNT, first - 7 * DAY, through - 7 * DAY, now)
    value = {
        "spend": lambda d: float(d["spend"].sum()),
        "leads": lambda d: int(d["leads"].sum()),
        "cpl": lambda d: float(d["spend"].sum()) / int(d["leads"].sum()),
    }[figure]
    went_up = value(a) > value(b)
    asked_up = figure != "cpl"  # "mais barato" asks a CPL that went down
    assert lines[0].startswith("Sim: " if went_up == asked_up else "Não: "), lines
    shown = {"spend": format_money, "leads": str, "cpl": format_money}[figure]
    assert shown(value(a)) in lines[0] and shown(value(b)) in lines[0], lines


# ------------------------------------------------------------ 13. "últimos 30 dias vs os 30 anteriores"
@pytest.mark.parametrize(
    ("question", "n"),
    [
        ("quanto gastei nos ultimos 14 dias vs 14 anteriores", 14),
        ("compara os ultimos 30 dias com os 30 anteriores", 30),
        ("ultimos 14 dias x anteriores", 14),
    ],
)
def test_the_last_n_days_against_the_n_before(demo_db: DemoDb, question: str, n: int) -> None:
    """Was a campaign comparison ("diga 2 a 5 campanhas"), "Não encontrei a Campanha 30", or the last 14
    days alone."""
    last = demo_db.as_of
    now_first, old_last = last - (n - 1) * DAY, last - n * DAY
    old_first = old_last - (n - 1) * DAY
    (s_now, l_now), (s_old, l_old) = (
        _account(demo_db, now_first, last),
        _account(demo_db, old_first, old_last),
    )
    intent, lines = _one(demo_db, question)
    assert intent == "performance", lines
    assert lines[1].startswith(
        f"{n} dias anteriores ({_d(old_first)} a {_d(old_last)}, {n} dias): {format_money(s_old)} "
        f"investidos, {leads_of(l_old)}, CPL {format_money(s_old / l_old)}"
    ), lines
    assert lines[2].startswith(
        f"De {_d(now_first)} a {_d(last)} ({n} dias): {format_money(s_now)} investidos, {leads_of(l_now)}, "
        f"CPL {format_money(s_now / l_now)}"
    ), lines
    assert lines[0].startswith(f"Variação de {n} dias anteriores para últimos {n} dias: gasto "), lines
