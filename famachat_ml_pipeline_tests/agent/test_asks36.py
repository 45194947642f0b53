"""The nineteenth buyer review (agent39): "qual campanha foi melhor no fds?" (the weekend against the
weekdays), "qual campanha mais cresceu essa semana?" (their CPL's improvement), "como foi o fds?" (no
verdict), "esse alerta é grave?" (the list alone) and "é grave?" after it (the help menu), "qual a
prioridade?" (the help menu), "por que o gasto caiu?" (the 7 days' CPL explained, a stopped campaign left
out of the movers), "por que pausar a 11?" (its CPL factors), "quanto eu economizo se seguir as
recomendações?" (the list) and "quanto eu economizo?" after one advice (the help menu), "a previsão tá
certa?" (the forecast), "oq houve ontem" and "qual campanha tá bombando?". Figures from the cleaned source,
the stored anomalies and the stored advice, read here on their own. SQLite only: the answers add no SQL of
their own (the reads are the ones every answer shares, tested on both backends elsewhere)."""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
import pytest

from famachat_ml_pipeline.core.recommendations import format_money, format_number, format_pct
from famachat_ml_pipeline.core.vocab import GOOD_NEWS_ANOMALIES
from famachat_ml_pipeline.db.agent_queries import read_active_recommendations, read_recent_anomalies
from famachat_ml_pipeline_tests.agent.conftest import DemoDb, clock_at, leads_of
from famachat_ml_pipeline_tests.agent.test_asks32 import _one
from famachat_ml_pipeline_tests.agent.test_asks35 import weekend_verdict
from famachat_ml_pipeline_tests.agent.test_offline_asks8 import _d
from famachat_ml_pipeline_tests.agent.test_offline_asks14 import _source
from famachat_ml_pipeline_tests.agent.test_offline_followups import ACCOUNT, _thread

# the demo built once for the session, its SQLite side only
pytestmark = pytest.mark.timeout(600)

DAY = dt.timedelta(days=1)
MONDAY_NOTE = (
    "Hoje (30/11/2026) é segunda: esta semana ainda não tem dia completo, então respondo com a semana "
    "passada, de segunda a domingo."
)


def _signed(pct: float) -> str:
    return ("+" if round(pct) > 0 else "-" if round(pct) < 0 else "") + format_pct(abs(pct))


def _names(db: DemoDb) -> dict[str, str]:
    return {r["campaign_id"]: r["name"] for r in db.data.campaigns.iter_rows(named=True)}


def _numbered(db: DemoDb, n: int) -> str:
    """The id of the account's "Campanha <n>"."""
    c = db.data.campaigns.filter(pl.col("config_id") == ACCOUNT)
    (cid,) = [r["campaign_id"] for r in c.iter_rows(named=True) if f"Campanha {n} " in r["name"]]
    return cid


def _by_campaign(db: DemoDb, first: dt.date, last: dt.date, now: dt.datetime) -> pl.DataFrame:
    return (
        _source(db, ACCOUNT, first, last, now)
        .group_by("campaign_id")
        .agg(pl.col("spend").sum(), pl.col("leads").sum())
    )


# ------------------------------------------------------------ 1. the campaigns over last weekend
@pytest.mark.parametrize(
    ("question", "best"),
    [
        ("qual campanha foi melhor no fds?", True),
        ("quais campanhas foram melhores no fds", True),
        ("qual campanha foi pior no fim de semana?", False),
    ],
)
def test_the_campaigns_ranked_over_last_weekend(demo_db: DemoDb, question: str, best: bool) -> None:
    """Was the weekend against the weekdays, the account's ("Não: o fim de semana está pior..."). Now the
    campaigns over last Saturday and Sunday by their CPL (those with leads), the metric said."""
    intent, lines = _one(demo_db, question)
    assert intent == ("top" if best else "underperformers"), lines
    sunday = demo_db.as_of
    by = (
        _by_campaign(demo_db, sunday - DAY, sunday, demo_db.now)
        .filter(pl.col("leads") > 0)
        .with_columns(cpl=pl.col("spend") / pl.col("leads"))
        .sort("cpl", descending=not best)
    )
    top = by.row(0, named=True)
    assert lines[0] == (
        f"A campanha com o {'melhor' if best else 'pior'} CPL no fim de semana, sábado e domingo "
        f"({_d(sunday - DAY)} a {_d(sunday)}, 2 dias): “{_names(demo_db)[top['campaign_id']]}” "
        f"({top['campaign_id']}): {format_money(top['spend'])} gastos, {leads_of(top['leads'])}, "
        f"CPL {format_money(top['cpl'])}."
    ), lines


# ------------------------------------------------------------ 2. the campaigns that grew most this week
@pytest.mark.parametrize(
    "question", ["qual campanha mais cresceu essa semana?", "quais campanhas cresceram mais nessa semana"]
)
@pytest.mark.parametrize("back", [0, 4])  # today Monday 30/11 (last week said), Thursday 26/11 (Mon to Wed)
def test_the_campaign_that_grew_most_this_week(demo_db: DemoDb, question: str, back: int) -> None:
    """Was the campaigns by their CPL's improvement. Now by their gain in leads per day, this calendar week
    so far against the whole week before (on a Monday last week against the one before, said), each week
    over its days with data, as the month's question does."""
    now = clock_at(demo_db.as_of - back * DAY)
    ((intent, lines),) = _thread(demo_db, now, [question])
    assert intent == "trends", lines
    through = now.date() - DAY
    monday = now.date() - dt.timedelta(days=now.date().weekday())
    if through < monday:  # a Monday: last week against the one before
        assert lines[0] == MONDAY_NOTE, lines
        lines = lines[1:]
        first, label, before_label = (
            monday - 7 * DAY,
            "na semana passada, de segunda a domingo",
            "semana retrasada",
        )
    else:
        first, label, before_label = monday, "nesta semana, de segunda a quarta", "semana passada"
    d = _source(demo_db, ACCOUNT, first - 7 * DAY, through, now).with_columns(now=pl.col("date") >= first)
    n_now = d.filter(pl.col("now"))["date"].n_unique()
    n_before = d.filter(~pl.col("now"))["date"].n_unique()
    by = (
        d.group_by("campaign_id")
        .agg(a=pl.col("leads").filter(pl.col("now")).sum(), b=pl.col("leads").filter(~pl.col("now")).sum())
        .with_columns(a=pl.col("a") / n_now, b=pl.col("b") / n_before)
        .with_columns(gain=pl.col("a") - pl.col("b"))
        .sort(["gain", "campaign_id"], descending=[True, False])
    )
    top = by.row(0, named=True)
    assert top["gain"] > 0
    assert lines[0] == (
        f"A campanha que mais cresceu em leads por dia {label} ({_d(first)} a {_d(through)}, {n_now} dias) "
        f"contra a {before_label} ({_d(first - 7 * DAY)} a {_d(first - DAY)}, {n_before} dias): "
        f"“{_names(demo_db)[top['campaign_id']]}” ({top['campaign_id']}): {format_number(top['a'], 1)} "
        f"leads/dia contra {format_number(top['b'], 1)} leads/dia (+{format_number(top['gain'], 1)} por dia, "
        f"+{format_pct(top['gain'] / top['b'] * 100)})."
    ), lines
    assert lines[-1] == (
        f"Comparo leads por dia (cada semana dividida pelos seus dias com dados, {n_now} contra {n_before}), "
        "não os totais."
    ), lines


# ------------------------------------------------------------ 3. "como foi o fds?" judged
@pytest.mark.parametrize("question", ["como foi o fds?", "como foi o fim de semana"])
@pytest.mark.parametrize("back", [0, 7])  # the weekends of 29/11 and 22/11
def test_how_last_weekend_went_is_judged(demo_db: DemoDb, question: str, back: int) -> None:
    """Was its figures alone. Now the verdict against the 4 weekends before it (as "o fds foi bom?", with
    no side asked: "Bom"/"Fraco", "Em parte", "Na média"), then its figures."""
    now = clock_at(demo_db.as_of - back * DAY)
    ((intent, lines),) = _thread(demo_db, now, [question])
    assert intent == "performance", lines
    sunday = demo_db.as_of - back * DAY
    saturday = sunday - DAY
    assert lines[0] == weekend_verdict(demo_db, now, sunday, None), lines
    assert lines[1].startswith(
        f"Fim de semana, sábado e domingo ({_d(saturday)} a {_d(sunday)}, 2 dias): "
    ), lines


# ------------------------------------------------------------ 4. an alert judged serious
def _serious_head(db: DemoDb) -> str:
    """Sim/Não by the open anomalies of the 7 days that are problems, CRITICAL and HIGH counted."""
    since = db.as_of - 6 * DAY
    rows = [
        r
        for r in read_recent_anomalies(db.engine, ACCOUNT, since)
        if r["anomaly_type"] not in GOOD_NEWS_ANOMALIES
    ]
    counts = {s: sum(r["severity"] == s for r in rows) for s in ("CRITICAL", "HIGH")}
    parts = [f"{n} de severidade {s}" for s, n in counts.items() if n]
    if not parts:
        return f"Não: nenhuma anomalia de severidade CRITICAL ou HIGH desde {_d(since)}."
    many = sum(counts.values()) != 1
    head = parts[0].replace(" de ", f" anomalia{'s' if many else ''} de ", 1)
    return f"Sim: desde {_d(since)} houve {' e '.join([head, *parts[1:]])}: é o nível que pede ação já."


@pytest.mark.parametrize(
    "questions",
    [["esse alerta é grave?"], ["tem algum alerta?", "é grave?"], ["tem alguma anomalia?", "isso é sério?"]],
)
def test_an_alert_asked_serious_is_judged_first(demo_db: DemoDb, questions: list[str]) -> None:
    """Was the anomalies' list alone ("é grave?" after them: the help menu). Now Sim/Não first by the
    severities of the open anomalies that are problems, then the list."""
    intent, lines = _thread(demo_db, demo_db.now, questions)[-1]
    assert intent == "anomalies", lines
    assert lines[0] == _serious_head(demo_db), lines
    assert lines[0].startswith("Sim: "), lines  # the demo's week has CRITICAL ones
    assert re.match(r"\d+ anomalias abertas desde ", lines[1]), lines  # then the list, as before


# ------------------------------------------------------------ 5. the priority
@pytest.mark.parametrize("questions", [["qual a prioridade?"], ["o que vc recomenda?", "qual a prioridade?"]])
def test_the_priority_is_the_most_urgent_advice(demo_db: DemoDb, questions: list[str]) -> None:
    """Was the help menu. Now the advice of the highest stored priority first."""
    intent, lines = _thread(demo_db, demo_db.now, questions)[-1]
    assert intent == "recommendations", lines
    top = read_active_recommendations(demo_db.engine, ACCOUNT)[0]
    assert lines[0].startswith(
        f"A mais urgente: {top['title']} — “{_names(demo_db)[top['entity_id']]}” ({top['entity_id']}), "
        f"prioridade {top['priority']} de 10."
    ), lines


# ------------------------------------------------------------ 6. why the spend fell
def test_why_the_spend_fell_is_the_spends_move_and_who_moved_it(demo_db: DemoDb) -> None:
    """Was the 7 days' CPL explained. Now the spend's move over the calendar weeks (last week against the
    one before, on a Monday), and the campaigns that cut it most, one that stopped counted at zero (was
    left out: the demo's campaign 9, no row last week)."""
    intent, lines = _one(demo_db, "por que o gasto caiu?")
    assert intent == "anomalies", lines
    assert lines[0] == MONDAY_NOTE, lines
    sunday = demo_db.as_of
    first, before = sunday - 6 * DAY, sunday - 13 * DAY
    now_by, old_by = (_by_campaign(demo_db, a, a + 6 * DAY, demo_db.now) for a in (first, before))
    s_now, s_old = float(now_by["spend"].sum()), float(old_by["spend"].sum())
    assert s_now < s_old
    assert lines[1] == (
        f"Sim: o gasto da conta caiu na semana passada: {format_money(s_now)} de seg a dom ({_d(first)} a "
        f"{_d(sunday)}), contra {format_money(s_old)} na semana retrasada ({_d(before)} a {_d(first - DAY)}) "
        f"({_signed((s_now - s_old) / s_old * 100)})."
    ), lines
    moved = (
        old_by.join(now_by, on="campaign_id", how="left", suffix="_now")
        .with_columns(cut=pl.col("spend_now").fill_null(0.0) - pl.col("spend"))
        .sort("cut")
    )
    top = moved.row(0, named=True)
    assert top["spend_now"] is None  # the largest cut is a campaign with no row last week
    assert lines[2].startswith(
        f"A campanha que mais reduziu o gasto na semana passada, seg a dom ({_d(first)} a {_d(sunday)}), "
        f"contra a retrasada ({_d(before)} a {_d(first - DAY)}): “{_names(demo_db)[top['campaign_id']]}” "
        f"({top['campaign_id']}): gasto {format_money(top['spend'])} → {format_money(0.0)} "
        f"(-{format_money(-top['cut'])}, -100%)"
    ), lines


# ------------------------------------------------------------ 7. an action asked why
def test_why_pause_a_paused_campaign_says_it_is_stopped(demo_db: DemoDb) -> None:
    """Was its CPL factors and card. Now the advice's why (as "por que você recomenda pausar a 11?"): none
    for it, and it is already stopped."""
    cid = _numbered(demo_db, 11)
    status = demo_db.data.campaigns.filter(pl.col("campaign_id") == cid)["status"][0]
    assert status == "PAUSED"
    assert not [r for r in read_active_recommendations(demo_db.engine, ACCOUNT) if r["entity_id"] == cid]
    intent, lines = _one(demo_db, "por que pausar a 11?")
    assert intent == "recommendations", lines
    assert lines[0] == (
        f"Não recomendo pausar “{_names(demo_db)[cid]}” ({cid}): ela já está parada (status PAUSED) e não "
        "tem recomendação ativa."
    ), lines


def test_why_cut_is_the_advice_written(demo_db: DemoDb) -> None:
    cid = _numbered(demo_db, 14)
    (advice,) = [r for r in read_active_recommendations(demo_db.engine, ACCOUNT) if r["entity_id"] == cid]
    intent, lines = _one(demo_db, "pq reduzir a 14?")
    assert intent == "recommendations", lines
    assert lines[0] == f"O pipeline recomenda para “{_names(demo_db)[cid]}”: {advice['title']}.", lines


# ------------------------------------------------------------ 8. what the advice saves
def _saved(row: dict) -> float:
    """A cut's weekly saving from its stored action: the budget's cut over 7 days."""
    a = row["suggested_action"]
    assert a["field"] == "daily_budget"  # the demo's cuts are budget decreases
    return (float(a["current"]) - float(a["suggested"])) * 7


@pytest.mark.parametrize(
    "questions",
    [
        ["quanto eu economizo se seguir as recomendações?"],
        ["quanto economizo se seguir tudo?"],
        ["pq reduzir a 14?", "quanto eu economizo?"],
    ],
)
def test_what_following_the_advice_saves(demo_db: DemoDb, questions: list[str]) -> None:
    """Was the advice's list ("se seguir tudo?": the help menu; "quanto eu economizo?" after one advice:
    the help menu). Now the weekly savings of the active cuts summed (one campaign's after its advice)."""
    intent, lines = _thread(demo_db, demo_db.now, questions)[-1]
    assert intent == "recommendations", lines
    cid = _numbered(demo_db, 14) if len(questions) > 1 else None
    cuts = [
        r
        for r in read_active_recommendations(demo_db.engine, ACCOUNT)
        if r["recommendation_type"] in {"BUDGET_DECREASE", "PAUSE_CAMPAIGN"} and cid in {None, r["entity_id"]}
    ]
    n = len(cuts)
    which = "a recomendação de corte ativa" if n == 1 else f"as {n} recomendações de corte ativas"
    whose = f" para “{_names(demo_db)[cid]}” ({cid})" if cid else ""
    assert lines[0].startswith(
        f"Cerca de {format_money(sum(_saved(r) for r in cuts))} por semana, seguindo {which}{whose} "
        "(reduzir orçamento ou pausar)"
    ), lines
    assert [x for x in lines if x.startswith("- ")] == [
        f"- {r['title']} — “{_names(demo_db)[r['entity_id']]}” ({r['entity_id']}): "
        f"{r['suggested_action']['expected_impact']}."
        for r in cuts
    ], lines


# ------------------------------------------------------------ 9. slang, typos, the forecast's record
def test_the_forecast_asked_right_is_its_record(demo_db: DemoDb) -> None:
    """Was the forecast's figures. Now how it did over the last 4 weeks."""
    intent, lines = _one(demo_db, "a previsão de leads está certa?")
    assert intent == "forecast", lines
    assert lines[0].startswith("Medi o acerto nas últimas 4 semanas"), lines


def test_oq_houve_ontem_is_what_the_day_brought(demo_db: DemoDb) -> None:
    """Was its figures alone ("oq" not read as "o que"). Now the day against the day before and the same
    weekday a week earlier."""
    intent, lines = _one(demo_db, "oq houve ontem")
    assert intent == "anomalies", lines
    day = demo_db.as_of
    assert lines[0].startswith(f"Em {_d(day)} (domingo): "), lines
    assert lines[1].startswith(f"Contra {_d(day - DAY)}: gasto "), lines


def test_bombando_is_the_best(demo_db: DemoDb) -> None:
    """Was the campaigns' list by spend. Now the best ranked, the metric said (the most leads)."""
    intent, lines = _one(demo_db, "qual campanha ta bombando?")
    assert intent == "top", lines
    last = demo_db.as_of
    assert lines[0] == f"Campanhas com mais leads nos 7 dias até {_d(last)}:", lines
    by = _by_campaign(demo_db, last - 6 * DAY, last, demo_db.now).sort(
        ["leads", "campaign_id"], descending=[True, False]
    )
    top = by.row(0, named=True)
    assert re.match(
        rf"- “{re.escape(_names(demo_db)[top['campaign_id']])}” \({top['campaign_id']}\): ", lines[1]
    )
    assert f"{leads_of(top['leads'])}" in lines[1], lines
