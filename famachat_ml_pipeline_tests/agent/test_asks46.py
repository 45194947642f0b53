"""Questions from a buyer's audit of 73 asks (2026-12-02), each answered wrong before: another platform's or
WhatsApp's figures given as Meta's leads, sales and audiences the data do not hold, a budget "mais 500"
read as a budget of 500, the ROI of a month read as the last 30 days, and "tá rodando? parece que parou"
answered for the wrong question."""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.agent.answers import AUDIENCE, OUT_OF_SCOPE, REFUSAL_EXAMPLES
from famachat_ml_pipeline.agent.answers_account import SALES_NOTE
from famachat_ml_pipeline.agent.wording import quoted
from famachat_ml_pipeline.core.recommendations import format_money, format_number
from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline.db.agent_queries import read_active_recommendations, read_latest_predictions
from famachat_ml_pipeline_tests.agent.conftest import DemoDb
from famachat_ml_pipeline_tests.agent.test_asks38 import _numbered
from famachat_ml_pipeline_tests.agent.test_asks42 import _one, _talk
from famachat_ml_pipeline_tests.agent.test_offline import _features, _names
from famachat_ml_pipeline_tests.agent.test_offline_asks8 import _d
from famachat_ml_pipeline_tests.agent.test_offline_asks14 import _source
from famachat_ml_pipeline_tests.agent.test_offline_followups import ACCOUNT


@pytest.mark.parametrize(
    ("asked", "kind"),
    [
        ("quantos leads vieram do google ads semana passada?", "platform"),  # was Meta's 415 leads
        ("e no google ads, como ta?", "platform"),  # was "Não entendi"
        ("qnts leads o tiktok trouxe ontem?", "platform"),
        ("quantas conversas chegaram no whats ontem?", "conversations"),  # was Meta's leads of the day
        ("qnts mensagens recebi no whatsapp essa semana", "conversations"),
    ],
)
def test_another_platform_or_the_whatsapp_inbox_is_said_out_of_these_data(
    demo_db: DemoDb, asked: str, kind: str
) -> None:
    intent, lines = _one(demo_db, asked)
    assert (intent, lines) == ("out_of_scope", [OUT_OF_SCOPE[kind], REFUSAL_EXAMPLES])


@pytest.mark.parametrize(
    "asked",
    ["o publico feminino converte melhor q o masculino?", "homens ou mulheres, quem traz lead mais barato?"],
)
def test_a_gender_asked_is_said_absent_from_the_data(demo_db: DemoDb, asked: str) -> None:
    """Was the best campaigns by CPL, as if they answered it."""
    assert _one(demo_db, asked) == ("audience", [AUDIENCE])


def test_sales_asked_say_first_the_data_hold_none(demo_db: DemoDb) -> None:
    """Was the value of a lead asked for, as if sales were there to weigh."""
    intent, lines = _one(demo_db, "quantas vendas eu fiz ontem?")
    assert intent == "roi", lines
    assert lines[0] == SALES_NOTE, lines


def test_the_roi_of_a_month_is_that_months_figures(demo_db: DemoDb) -> None:
    """ "qual meu roi em outubro?" was the last 30 days' ROI."""
    first, last = dt.date(2026, 10, 1), dt.date(2026, 10, 31)
    d = _source(demo_db, ACCOUNT, first, last, demo_db.now)
    spend, leads = float(d["spend"].sum()), int(d["leads"].sum())
    intent, lines = _one(demo_db, "se cada lead vale 80 reais, qual meu roi em outubro?")
    assert intent == "roi", lines
    assert lines[0].startswith(
        f"ROI estimado (conta, 31 dias, {_d(first)} a {_d(last)}): {format_number(leads, 0)} leads x "
        f"R$ 80,00 = {format_money(leads * 80.0)} contra {format_money(spend)} investidos: "
        f"ROI {format_number((leads * 80 - spend) / spend * 100, 0)}%"
    ), lines


def test_more_money_a_day_is_added_to_the_budget_not_set_as_it(demo_db: DemoDb) -> None:
    """ "colocar mais 500 reais por dia" was the budget set to R$ 500 ("58% a menos ... 226 a menos")."""
    intent, lines = _one(demo_db, "se eu colocar mais 500 reais por dia na conta qnts leads a mais eu ganho?")
    assert intent == "forecast", lines
    said = "\n".join(lines)
    found = re.search(r"soma (R\$ [\d.,]+) hoje.*?; (R\$ [\d.,]+) por dia são [\d,]+% a mais", said)
    assert found, lines
    now, to = (float(x[3:].replace(".", "").replace(",", ".")) for x in found.groups())
    assert to == pytest.approx(now + 500), lines
    assert "a menos" not in said, lines


def test_running_asked_before_a_doubt_is_the_running_verdict(demo_db: DemoDb) -> None:
    """ "a campanha N tá rodando? parece que parou" was answered as "parou?" ("Sim" for one that stopped,
    "Não" for one that ran), the verdict the other way round from the question asked."""
    last = _source(demo_db, ACCOUNT, demo_db.as_of, demo_db.as_of, demo_db.now)
    spent = set(last.filter(pl.col("spend") > 0)["campaign_id"].to_list())
    n = next(n for n in range(40) if _has(demo_db, n) and _numbered(demo_db, ACCOUNT, n)[0] in spent)
    intent, lines = _one(demo_db, f"a campanha {n} ta rodando? parece q parou")
    assert intent == "campaign_details", lines
    assert lines[0].startswith("Sim: "), lines


def _has(db: DemoDb, n: int) -> bool:
    c = db.data.campaigns.filter(pl.col("config_id") == ACCOUNT)
    return any(f"Campanha {n} " in name for name in c["name"].to_list())


@pytest.mark.parametrize("side", ["melhor", "pior"])
def test_a_day_judged_against_another_is_a_verdict_by_the_cpl(demo_db: DemoDb, side: str) -> None:
    """ "ontem foi melhor q anteontem?" was the best campaigns of yesterday alone."""
    new, old = demo_db.as_of, demo_db.as_of - dt.timedelta(days=1)
    d = _source(demo_db, ACCOUNT, old, new, demo_db.now)
    cpl = {}
    for day in (new, old):
        one = d.filter(pl.col("date") == day)
        cpl[day] = float(one["spend"].sum()) / int(one["leads"].sum())
    moved = (cpl[new] - cpl[old]) / cpl[old] * 100
    better = moved < 0
    verdict = "Praticamente igual" if abs(moved) <= 5 else "Sim" if better == (side == "melhor") else "Não"
    intent, lines = _one(demo_db, f"ontem foi {side} q anteontem?")
    assert intent == "performance", lines
    assert lines[0].startswith(
        f"{verdict}, pelo CPL: {format_money(cpl[new])} em {_d(new)} contra {format_money(cpl[old])} em "
        f"{_d(old)}"
    ), lines


@pytest.mark.parametrize(("factor", "verdict"), [(0.8, "Não"), (1.25, "Sim")])
def test_a_cpl_to_reach_next_week_is_the_forecasts_verdict(
    demo_db: DemoDb, factor: float, verdict: str
) -> None:
    """ "consigo um cpl de 18 semana q vem?" was the last 7 days' CPL and the campaigns whose CPL rose."""
    campaigns = sorted(demo_db.data.campaigns.filter(pl.col("config_id") == ACCOUNT)["campaign_id"])
    sums = {"spend": 0.0, "leads": 0.0}
    for r in read_latest_predictions(demo_db.engine, ACCOUNT, campaigns):
        if r["target_metric"] in sums:
            sums[r["target_metric"]] += sum(float(p["predicted"] or 0.0) for p in r["predictions"])
    ahead = sums["spend"] / sums["leads"]
    target = round(ahead * factor)
    intent, lines = _one(demo_db, f"consigo um cpl de {target} semana q vem?")
    assert intent == "forecast", lines
    side = "abaixo" if ahead <= target else "acima"
    assert lines[0].startswith(f"{verdict}, pela previsão do pipeline: o CPL da conta de "), lines
    assert lines[0].endswith(
        f"deve ficar em cerca de {format_money(ahead)}, {side} de {format_money(target)}."
    ), lines
    if verdict == "Não":  # what the CPL asked takes: the leads at the forecast's spend
        need = sums["spend"] / target
        assert f"seriam {format_number(need, 0)} leads" in lines[1], lines


def test_how_much_to_raise_is_each_scaled_campaigns_step_in_money(demo_db: DemoDb) -> None:
    """ "quanto devo aumentar?" was the list of advice without an amount, and "quanto eu aumento nela?"
    after several advised to scale the same list again: now the 20 % step of each, from its daily budget
    (the source's minor units: cents)."""
    account = 1  # two campaigns advised to scale, each with a daily budget
    scaled = [
        r["entity_id"]
        for r in read_active_recommendations(demo_db.engine, account)
        if r["recommendation_type"] in {"SCALE_UP", "BUDGET_INCREASE"}
    ]
    c = demo_db.data.campaigns.filter(pl.col("campaign_id").is_in(scaled))
    budgeted = {r["name"]: r["daily_budget"] / 100 for r in c.iter_rows(named=True) if r["daily_budget"]}
    assert len(budgeted) >= 2, budgeted
    for turns in (["quanto devo aumentar?"], ["qual campanha devo escalar?", "quanto eu aumento nela?"]):
        *_, (intent, lines) = _talk(demo_db, turns, account)
        assert intent == "recommendations", lines
        for name, budget in budgeted.items():
            step = (
                f"- {quoted(name)}: no máximo 20% por vez: de {format_money(budget)} para "
                f"{format_money(budget * 1.2)} por dia (+{format_money(budget * 0.2)})"
            )
            assert any(line.startswith(step) for line in lines), (step, lines)


def test_two_rates_asked_are_each_answered(demo_db: DemoDb) -> None:
    """ "qual o ctr e o cpm da conta ontem?" was the CTR alone."""
    day = demo_db.as_of
    d = _source(demo_db, ACCOUNT, day, day, demo_db.now)
    spend, impressions, clicks = (float(d[c].sum()) for c in ("spend", "impressions", "clicks"))
    intent, lines = _one(demo_db, "qual o ctr e o cpm da conta ontem?")
    assert intent == "performance", lines
    assert lines[:2] == [
        f"CTR da conta (cliques / impressões) em {_d(day)}: {format_number(clicks / impressions * 100, 2)}%.",
        f"CPM da conta (gasto por mil impressões) em {_d(day)}: {format_money(spend / impressions * 1000)}.",
    ], lines


def _runs_without_leads(db: DemoDb, account: int) -> dict[str, tuple[dt.date, int, float]]:
    """Each campaign's trailing days up to the last complete one that all spent with no lead, counted here
    day by day: (since, days, spend) where there are 2 or more, costing 2 or more of its 7-day CPL."""
    last = db.as_of
    d = _source(db, account, last - dt.timedelta(days=6), last, db.now)
    runs = {}
    for cid in d["campaign_id"].unique().to_list():
        days = sorted(d.filter(pl.col("campaign_id") == cid).iter_rows(named=True), key=lambda r: r["date"])
        spend_7d, leads_7d = sum(r["spend"] for r in days), sum(r["leads"] for r in days)
        run = []
        for r in reversed(days):
            if r["leads"] > 0 or r["spend"] <= 0:
                break
            run.append(r)
        if leads_7d and run and run[0]["date"] == last and len(run) >= 2:
            spend = sum(r["spend"] for r in run)
            if spend >= 2 * spend_7d / leads_7d:
                runs[cid] = (run[-1]["date"], len(run), spend)
    return runs


def test_campaigns_spending_without_leads_include_the_last_days_runs(demo_db: DemoDb) -> None:
    """ "tem campanha gastando sem trazer lead?" listed only the campaigns with no lead in all 7 days, not
    those with none in their last days (the pipeline's own zero-lead alerts named them)."""
    found = 0
    for account in (1, 2, 3):
        runs = _runs_without_leads(demo_db, account)
        intent, lines = _one(demo_db, "tem campanha gastando sem trazer lead?", account)
        listed = [line for line in lines if line.startswith("- ") and "sem lead desde" in line]
        assert len(listed) == len(runs), (runs, lines)
        for cid, (since, days, spend) in runs.items():
            assert any(
                f"({cid}): sem lead desde {_d(since)} ({days} dias), {format_money(spend)} gastos" in line
                for line in listed
            ), (cid, lines)
        found += len(runs)
    assert found, "no campaign in the demo accounts has such a run: the check would be empty"


def test_the_other_end_of_a_ranking_keeps_its_day(demo_db: DemoDb) -> None:
    """ "e a pior?" after "qual a melhor campanha ontem?" was the 7 days' worst tier, the day dropped."""
    turns = _talk(demo_db, ["qual a melhor campanha ontem?", "e a pior?"])
    (_, best), (intent, worst) = turns
    day = _d(demo_db.as_of)
    assert best[0].startswith(f"A campanha com o melhor CPL em {day}: "), best
    assert f" em {day}" in worst[0] and "7 dias" not in worst[0], worst
    assert "pior" in worst[0], worst


def test_what_happened_to_a_campaigns_move_names_her_open_alerts(demo_db: DemoDb) -> None:
    """ "o ctr da campanha N despencou, o que houve?" was her CTR's move alone: now her open alerts of the 7
    days after it (counted here from ml_anomalies), or that there is none."""
    since = dt.datetime.combine(demo_db.as_of - dt.timedelta(days=6), dt.time())
    with demo_db.engine.connect() as conn:
        rows = conn.execute(
            sa.select(schema.ml_anomalies.c.entity_id).where(
                (schema.ml_anomalies.c.config_id == ACCOUNT)
                & (schema.ml_anomalies.c.anomaly_date >= since)
                & ~schema.ml_anomalies.c.is_acknowledged
            )
        ).all()
    counts: dict[str, int] = {}
    for (cid,) in rows:
        counts[cid] = counts.get(cid, 0) + 1
    for n in range(40):
        if not _has(demo_db, n):
            continue
        cid, name = _numbered(demo_db, ACCOUNT, n)
        if cid in counts:
            break
    else:
        pytest.fail("no campaign of the account has an open alert: the check would be empty")
    intent, lines = _one(demo_db, f"o ctr da campanha {n} despencou, o que houve?")
    assert intent == "trends", lines
    assert f"Alertas abertos de {quoted(name)} nos últimos 7 dias ({counts[cid]}):" in lines, lines


@pytest.mark.parametrize(
    "asked", ["a {n} ta pausada? vale religar?", "a campanha {n} ta pausada? vale religar?"]
)
def test_worth_reactivating_a_paused_campaign_named_before_it_is_her_reactivation(
    demo_db: DemoDb, asked: str
) -> None:
    """Was the paused campaigns worth reactivating (the number dropped), or "devo pausar?" ("Não: o pipeline
    não recomenda pausar"): now her reactivation weighed, as "vale religar a N?" reads."""
    paused = demo_db.data.campaigns.filter((pl.col("config_id") == ACCOUNT) & (pl.col("status") == "PAUSED"))
    n, name = next(
        (int(m.group(1)), r) for r in paused["name"].to_list() if (m := re.search(r"Campanha (\d+) ", r))
    )
    intent, lines = _one(demo_db, asked.format(n=n))
    assert intent == "campaign_details", lines
    assert _one(demo_db, f"vale religar a {n}?") == (intent, lines)
    assert f"{quoted(name)} está com status PAUSED" in "\n".join(lines), lines


def test_the_spend_after_a_campaigns_leads_forecast_is_her_spend_forecast(demo_db: DemoDb) -> None:
    """ "e o gasto?" after "previsão de leads da N pra semana que vem" repeated the leads' forecast."""
    last = _source(demo_db, ACCOUNT, demo_db.as_of, demo_db.as_of, demo_db.now)
    spent = set(last.filter(pl.col("spend") > 0)["campaign_id"].to_list())
    n = next(n for n in range(40) if _has(demo_db, n) and _numbered(demo_db, ACCOUNT, n)[0] in spent)
    cid, name = _numbered(demo_db, ACCOUNT, n)
    (_, leads), (intent, spend) = _talk(demo_db, [f"previsao de leads da {n} pra semana q vem", "e o gasto?"])
    assert leads[0].startswith(f"{quoted(name)}: "), leads
    assert intent == "forecast", spend
    assert spend[0].startswith(f"{quoted(name)}: R$ ") and " de gasto no total de " in spend[0], spend


def test_that_day_in_a_thread_is_the_day_asked_before(demo_db: DemoDb) -> None:
    """ "e o cpl dela esse dia?" after "a N gastou quanto dia D?" was her CPL of the 7 days."""
    day = demo_db.as_of - dt.timedelta(days=4)
    d = _source(demo_db, ACCOUNT, day, day, demo_db.now)
    spent = d.filter((pl.col("spend") > 0) & (pl.col("leads") > 0))["campaign_id"].to_list()
    n = next(n for n in range(40) if _has(demo_db, n) and _numbered(demo_db, ACCOUNT, n)[0] in spent)
    cid, name = _numbered(demo_db, ACCOUNT, n)
    one = d.filter(pl.col("campaign_id") == cid)
    cpl = float(one["spend"].sum()) / int(one["leads"].sum())
    turns = _talk(demo_db, [f"a {n} gastou quanto dia {day.day}?", "e o cpl dela esse dia?"])
    (_, first), (intent, lines) = turns
    assert first[0].startswith(f"Em {_d(day)}, {quoted(name)}: "), first
    assert lines[0].startswith(f"Em {_d(day)}, {quoted(name)}: CPL {format_money(cpl)}"), lines


def test_her_budget_asked_in_short_words_after_her_advice_is_her_daily_budget(demo_db: DemoDb) -> None:
    """ "qnto ta o orcamento dela" after "por que reduzir a N?" was her advice again, no budget."""
    c = demo_db.data.campaigns.filter((pl.col("config_id") == ACCOUNT) & (pl.col("daily_budget") > 0))
    name, budget = next(
        (r["name"], r["daily_budget"] / 100)
        for r in c.iter_rows(named=True)
        if re.search(r"Campanha \d+ ", r["name"])
    )
    n = int(re.search(r"Campanha (\d+) ", name).group(1))
    *_, (intent, lines) = _talk(demo_db, [f"por que reduzir a {n}?", "qnto ta o orcamento dela"])
    assert lines[0] == f"Orçamento diário de {quoted(name)}: {format_money(budget)}.", lines


def test_which_to_pause_first_names_one_campaign_first(demo_db: DemoDb) -> None:
    """ "qual eu pauso primeiro?" was the advice list, the biggest waste last in it: now the active campaign
    whose 7 days cost the most beyond its leads at the account's CPL, first (from ml_features, here)."""
    active = set(
        demo_db.data.campaigns.filter(
            (pl.col("config_id") == ACCOUNT)
            & (pl.col("status") == "ACTIVE")
            & (pl.col("effective_status") == "ACTIVE")
        )["campaign_id"].to_list()
    )
    excess = {
        cid: float(f["spend_7d"] or 0) - int(f["leads_7d"] or 0) * float(f["account_cpl_7d"])
        for cid, f in _features(demo_db, ACCOUNT).items()
        if cid in active and f.get("account_cpl_7d")
    }
    cid = max(excess, key=excess.__getitem__)
    assert excess[cid] > 0
    intent, lines = _one(demo_db, "qual eu pauso primeiro?")
    assert intent == "recommendations", lines
    assert lines[0].startswith(f"Primeiro: {quoted(_names(demo_db, ACCOUNT)[cid])} ({cid}), "), lines
    assert f", {format_money(excess[cid])} a mais do que esses leads custariam ao CPL da conta" in lines[0], (
        lines
    )
