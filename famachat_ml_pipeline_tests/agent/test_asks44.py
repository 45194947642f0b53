"""The month's money asked as a buyer asks it (2026-12-02): "vou estourar a verba de 40 mil?" (was the daily
budgets' overspend of the last 7 days, "Não"), "quero 400 leads esse mês, quanto preciso investir?" (was
the month so far; "...pra fazer 400 leads esse mês?" costed all 400 from zero), "quanto falta pra bater 2000
leads no mês?" when the stored forecast ends before the month (said nothing of getting there), and a count
with its noun ("1 campanha", was "1 campanha(s)"). Figures from the cleaned source and the stored
predictions, summed here; on a demo whose last day is 1 December (the month's first complete day)."""

from __future__ import annotations

import datetime as dt
import math
import re

import polars as pl
import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.agent.intents import classify_intent
from famachat_ml_pipeline.agent.intents_asks import month_budget_asked
from famachat_ml_pipeline.agent.intents_talk import normalize
from famachat_ml_pipeline.agent.wording import br_date, counted
from famachat_ml_pipeline.core.recommendations import format_money, format_number
from famachat_ml_pipeline.core.recommendations.text_ptbr import WEEKDAYS_PT
from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline.db.agent_queries import read_latest_predictions
from famachat_ml_pipeline_tests.agent.conftest import DemoDb, _build, clock_at
from famachat_ml_pipeline_tests.agent.test_asks42 import _one, _talk
from famachat_ml_pipeline_tests.agent.test_offline_asks8 import _d
from famachat_ml_pipeline_tests.agent.test_offline_asks14 import _source
from famachat_ml_pipeline_tests.agent.test_offline_followups import ACCOUNT

pytestmark = pytest.mark.timeout(600)

DAY = dt.timedelta(days=1)
END = dt.date(2026, 12, 1)  # the demo's last day; today is 2/12: December has one complete day
MONTH_LAST = dt.date(2026, 12, 31)


@pytest.fixture(scope="module")
def dec_db(tmp_path_factory: pytest.TempPathFactory) -> DemoDb:
    tmp = tmp_path_factory.mktemp("dec1")
    return _build(f"sqlite:///{tmp / 'famachat_ml.db'}", tmp, END, clock_at(END))


def _so_far(db: DemoDb) -> dict[str, float]:
    d = _source(db, ACCOUNT, END.replace(day=1), END, db.now)
    return {"spend": float(d["spend"].sum() or 0.0), "leads": float(d["leads"].sum() or 0)}


def _pace(db: DemoDb) -> tuple[dict[str, float], dict[str, float], dt.date]:
    """The stored forecast's days of the month summed (in cents and tenths of a lead, as the answer shows
    them), its pace per day, and its last day."""
    campaigns = sorted(db.data.campaigns.filter(db.data.campaigns["config_id"] == ACCOUNT)["campaign_id"])
    sums, covered = {"spend": 0.0, "leads": 0.0}, set()
    for r in read_latest_predictions(db.engine, ACCOUNT, campaigns):
        for p in r["predictions"] if r["target_metric"] in sums else []:
            if (END + DAY).isoformat() <= p["date"][:10] <= MONTH_LAST.isoformat():
                covered.add(p["date"][:10])
                sums[r["target_metric"]] += float(p["predicted"] or 0.0)
    last = dt.date.fromisoformat(max(covered))
    assert last < MONTH_LAST, last  # the stored forecast ends before December does: the pace carries it
    ahead = {"spend": round(sums["spend"], 2), "leads": round(sums["leads"], 1)}
    return ahead, {k: v / (last - END).days for k, v in ahead.items()}, last


def _projected(db: DemoDb) -> dict[str, float]:
    """The month so far, plus the stored forecast's days of the month, plus its pace per day after it."""
    ahead, per_day, last = _pace(db)
    done = _so_far(db)
    return {k: round(done[k], 2) + ahead[k] + per_day[k] * (MONTH_LAST - last).days for k in ahead}


@pytest.mark.parametrize(("offset", "verdict", "side"), [(-2000, "Sim", "acima"), (2000, "Não", "abaixo")])
def test_a_month_budget_named_is_the_months_close_against_it(
    dec_db: DemoDb, offset: int, verdict: str, side: str
) -> None:
    spend = _projected(dec_db)["spend"]
    cap = round(spend / 1000) * 1000 + offset
    asked = f"vou estourar a verba de {cap // 1000} mil?"
    intent, lines = _one(dec_db, asked)
    assert intent == "forecast", lines
    assert lines[0] == (
        f"{verdict}, no ritmo da previsão: dezembro de 2026 deve fechar em cerca de {format_money(spend)}, "
        f"{format_money(abs(spend - cap))} {side} de {format_money(cap)}."
    ), lines
    # then what is left a day to stay within it
    assert lines[1].startswith(f"Para fechar dezembro de 2026 em {format_money(cap)}: até "), lines


@pytest.mark.parametrize(("offset", "verdict", "side"), [(-2000, "Não", "acima"), (2000, "Sim", "abaixo")])
def test_a_month_budget_declared_is_sim_when_the_close_fits_in_it(
    dec_db: DemoDb, offset: int, verdict: str, side: str
) -> None:
    """ "minha verba mensal é 35k, dá pra fechar o mês?" dumped the projection with no word of the 35k."""
    spend = _projected(dec_db)["spend"]
    cap = round(spend / 1000) * 1000 + offset
    intent, lines = _one(dec_db, f"minha verba mensal é {cap // 1000}k, da pra fechar o mes?")
    assert intent == "forecast", lines
    assert lines[0] == (
        f"{verdict}, no ritmo da previsão: dezembro de 2026 deve fechar em cerca de {format_money(spend)}, "
        f"{format_money(abs(spend - cap))} {side} de {format_money(cap)}."
    ), lines


def test_a_month_budget_already_passed_says_so(dec_db: DemoDb) -> None:
    spent = _so_far(dec_db)["spend"]
    cap = int(spent // 2)
    intent, lines = _one(dec_db, f"meu orçamento mensal é R$ {cap}, vou passar?")
    assert intent == "forecast", lines
    assert lines[0] == (
        f"Sim: dezembro de 2026 já passou de {format_money(cap)}: o mês soma {format_money(spent)}, "
        f"{format_money(spent - cap)} acima."
    ), lines


def test_the_daily_budgets_overspend_is_still_asked_without_an_amount(dec_db: DemoDb) -> None:
    intent, lines = _one(dec_db, "tem campanha estourando o orçamento?")
    assert intent == "budget", lines
    assert "orçamento diário" in lines[0], lines


@pytest.mark.parametrize(
    ("question", "cap"),
    [
        ("vou estourar a verba de 40 mil?", 40000.0),
        ("o gasto do mês vai passar de 50k?", 50000.0),
        ("minha verba do mês é 30 mil, vou passar?", 30000.0),
        ("vou passar dos R$ 36.000 esse mês?", 36000.0),
        ("meu orçamento mensal é R$ 500, vou passar?", 500.0),
        # no month, or no money
        ("a campanha 4 passou de 40 leads?", None),
        ("o cpl vai passar de 30%?", None),
        ("ontem passou de 500?", None),
        ("o cpl vai passar de 30 esse mês?", None),
        ("vou passar de 1000 leads no mês?", None),
        # a week's, a day's, a daily budget, a budget changed: no month's budget (a review's cases)
        ("o gasto da semana vai passar de 5 mil?", None),
        ("o gasto vai passar de 1000 essa semana?", None),
        ("vou passar de 200 por dia?", None),
        ("quanto vou gastar ate o fim do mes se passar o orcamento pra 300?", None),
        ("tem campanha estourando o orçamento?", None),
    ],
)
def test_the_month_budget_read_from_the_question(question: str, cap: float | None) -> None:
    asked = month_budget_asked(normalize(question))
    assert (asked and asked[0]) == cap
    assert asked is None or asked[1] == "overspend"


@pytest.mark.parametrize(
    ("question", "cap"),
    [
        ("minha verba mensal é 35k, da pra fechar o mes?", 35000.0),
        ("tenho 12 milhoes de pesos pro mes, vai dar?", 12e6),
        ("meu orçamento do mês é R$ 30.000, vai sobrar?", 30000.0),
        ("minha verba do mês é 35 mil, é suficiente?", 35000.0),
        ("minha verba mensal é 35k", None),  # said, nothing asked of it
        ("o budget é 2 mil por dia, dá pra fechar o mês?", None),  # a daily budget
        ("meu orçamento é 10 mil por mês, quanto gastei da verba?", None),  # "da" is no "dá pra"
    ],
)
def test_a_month_budget_declared_with_enough_asked_is_read(question: str, cap: float | None) -> None:
    asked = month_budget_asked(normalize(question))
    assert asked == (None if cap is None else (cap, "fits"))


def test_a_month_leads_goal_counts_the_leads_the_month_has(dec_db: DemoDb) -> None:
    done = int(_so_far(dec_db)["leads"])
    week = _source(dec_db, ACCOUNT, END - 6 * DAY, END, dec_db.now)
    spend, leads = float(week["spend"].sum()), int(week["leads"].sum())
    cpl = round(spend / leads, 2)  # the answer costs at the CPL it shows
    goal, left_days = done + 100, (MONTH_LAST - END).days
    for asked in (
        f"quero {goal} leads esse mês, quanto preciso investir?",
        f"quanto preciso investir pra fazer {goal} leads esse mês?",
    ):
        intent, lines = _one(dec_db, asked)
        assert intent == "leads_cost", lines
        cost = spend / leads * 100
        assert lines[0] == (
            f"Para {goal} leads em dezembro de 2026 faltam 100: o mês soma {done} leads ({_d(END)}). "
            f"Ao CPL dos últimos 7 dias ({format_money(cpl)}, {_d(END - 6 * DAY)} a {_d(END)}), são cerca de "
            f"{format_money(cost)}: {format_money(cost / left_days)} por dia nos {left_days} dias que faltam "
            f"({_d(END + DAY)} a {_d(MONTH_LAST)})."
        ), lines
    # with no month named, the goal is costed whole, as before
    intent, lines = _one(dec_db, f"quanto preciso investir pra fazer {goal} leads?")
    assert lines[0].startswith(f"Cerca de {format_money(spend / leads * goal)} para {goal} leads, "), lines
    intent, lines = _one(dec_db, f"quero {done} leads esse mês, quanto preciso investir?")
    assert lines == [
        f"A meta de {done} leads em dezembro de 2026 já foi batida: o mês soma {done} leads ({_d(END)})."
    ]


@pytest.mark.parametrize("more", [True, False])
def test_a_month_leads_target_past_the_forecast_says_if_its_pace_gets_there(
    dec_db: DemoDb, more: bool
) -> None:
    """Yes or no first; a goal reached, the day the forecast's pace gets there (was "chega à meta" only,
    after the leads left)."""
    leads, (_, per_day, last) = _projected(dec_db)["leads"], _pace(dec_db)
    target = round(leads) + (-50 if more else 50)
    intent, lines = _one(dec_db, f"quanto falta pra bater {target} leads no mês?")
    assert intent == "forecast", lines
    after = f"no ritmo da previsão (uma extrapolação depois de {_d(last)})"
    if more:
        day = END + DAY * math.ceil((target - _so_far(dec_db)["leads"]) / per_day["leads"])
        assert last < day <= MONTH_LAST
        assert lines[0] == (
            f"Sim, {after}: a conta chega a {format_number(target, 0)} leads em dezembro de 2026 por volta "
            f"de {_d(day)}, e o mês fecha com cerca de {format_number(leads, 0)} leads."
        ), lines
    else:
        assert lines[0] == (
            f"Não, {after}: o mês fecha com cerca de {format_number(leads, 0)} leads, "
            f"{format_number(target - round(leads), 0)} abaixo da meta de {format_number(target, 0)} em "
            "dezembro de 2026."
        ), lines
    left = target - int(_so_far(dec_db)["leads"])
    assert lines[1].endswith(
        f"são {format_number(left / 30, 1)} leads por dia nos 30 dias que faltam; a previsão faz "
        f"{format_number(per_day['leads'], 1)} por dia."
    ), lines
    assert lines[2].startswith(
        f"Dezembro de 2026 deve fechar com cerca de {format_number(leads, 0)} leads"
    ), lines
    assert not any("gasto" in line for line in lines), lines  # the leads asked, not the spend's close


def test_the_month_so_far_of_one_day_is_said_as_that_day(dec_db: DemoDb) -> None:
    # the month's 2nd: one complete day, said once ("01/12/2026"), never "01/12/2026 a 01/12/2026"
    day = br_date(END.isoformat())
    intent, lines = _one(dec_db, "quanto vou gastar até o fim do mês?")
    assert intent == "forecast", lines
    said = "\n".join(lines)
    assert f"já investidos ({day}) +" in said and f"já realizados ({day}) +" in said, lines
    assert f"Já realizado em dezembro de 2026 ({day}):" in said, lines
    assert f"{day} a {day}" not in said, lines


@pytest.mark.parametrize(("n", "text"), [(1, "1 campanha"), (2, "2 campanhas"), (1200, "1.200 campanhas")])
def test_a_count_agrees_with_its_noun(n: int, text: str) -> None:
    assert counted(n, "campanha", "campanhas") == text


# ------------------------------------------------------------ one campaign's weekdays, her week, the summary
def _busiest(db: DemoDb) -> tuple[str, str, int]:
    """(id, name, number) of the account's campaign with the most leads in the last 28 days."""
    d = _source(db, ACCOUNT, db.as_of - 27 * DAY, db.as_of, db.now)
    cid = (
        d.group_by("campaign_id").agg(pl.col("leads").sum()).sort("leads", descending=True)["campaign_id"][0]
    )
    name = db.data.campaigns.filter(pl.col("campaign_id") == cid)["name"][0]
    return cid, name, int(re.search(r"Campanha (\d+) ", name).group(1))


def test_a_campaigns_best_weekday_is_hers(demo_db: DemoDb) -> None:
    """ "qual o melhor dia da semana da campanha 5?" (and "...dela?" after her card) was her card: her
    weekdays over the 4 weeks by the CPL of her rows in the source, the lowest first."""
    cid, name, n = _busiest(demo_db)
    d = _source(demo_db, ACCOUNT, demo_db.as_of - 27 * DAY, demo_db.as_of, demo_db.now)
    by_day = (
        d.filter(pl.col("campaign_id") == cid)
        .group_by(pl.col("date").dt.weekday().alias("wd"))
        .agg(pl.col("spend").sum(), pl.col("leads").sum())
        .filter(pl.col("leads") > 0)
        .with_columns(cpl=pl.col("spend") / pl.col("leads"))
        .sort("cpl")
    )
    best = by_day.row(0, named=True)
    intent, lines = _one(demo_db, f"qual o melhor dia da semana da campanha {n}?")
    assert intent == "weekday", lines
    assert lines[0].startswith(
        f"Melhor dia da semana (menor CPL) de “{name}” nas últimas 4 semanas completas "
        f"({_d(demo_db.as_of - 27 * DAY)} a {_d(demo_db.as_of)}, "
    ), lines
    assert (
        f": {WEEKDAYS_PT[best['wd'] - 1]}, CPL {format_money(best['cpl'])}, {best['leads']} leads" in lines[0]
    )
    assert len([x for x in lines if x.startswith("- ")]) == by_day.height, lines
    (_, _), (intent, followed) = _talk(
        demo_db, [f"como está a campanha {n}?", "qual o melhor dia da semana dela?"]
    )
    assert (intent, followed) == ("weekday", lines)
    # the account's, unchanged: no campaign named
    _, account = _one(demo_db, "qual o melhor dia da semana?")
    assert account[0].startswith("Melhor dia da semana (menor CPL) nas últimas 4 semanas completas ("), (
        account
    )


def _cpl_between(db: DemoDb, cid: str, first: dt.date, last: dt.date) -> float | None:
    d = _source(db, ACCOUNT, first, last, db.now).filter(pl.col("campaign_id") == cid)
    leads = int(d["leads"].sum() or 0)
    return float(d["spend"].sum()) / leads if leads else None


_SPAN = re.compile(r"\((\d\d/\d\d/\d{4}) a (\d\d/\d\d/\d{4})\)")


def _days(line: str) -> tuple[dt.date, dt.date]:
    a, b = _SPAN.search(line).groups()
    return (dt.datetime.strptime(a, "%d/%m/%Y").date(), dt.datetime.strptime(b, "%d/%m/%Y").date())


def test_a_campaign_better_than_last_week_is_her_weeks_verdict(dec_db: DemoDb) -> None:
    """Was her last week's figures with no verdict: Sim/Não by her CPL over the days compared, as the
    account's "tá melhor que semana passada?" is (on a Tuesday: Monday and Tuesday of both weeks)."""
    cid, name, n = _busiest(dec_db)
    intent, lines = _one(dec_db, f"a campanha {n} tá melhor que semana passada?")
    assert intent == "trends", lines
    now_line = next(x for x in lines if x.startswith(f"Esta semana de “{name}”"))
    before_line = next(x for x in lines if x.startswith("Semana passada"))
    now_cpl = _cpl_between(dec_db, cid, *_days(now_line))
    before_cpl = _cpl_between(dec_db, cid, *_days(before_line))
    assert now_cpl is not None and before_cpl is not None, lines
    verdict = "Sim" if now_cpl < before_cpl else "Não"
    assert lines[0].startswith(f"{verdict}: o CPL de “{name}” "), (lines, now_cpl, before_cpl)
    assert format_money(now_cpl) in lines[0] and format_money(before_cpl) in lines[0], lines


@pytest.mark.parametrize("campaign", [True, False])
def test_compared_with_last_week_after_a_question_of_no_day_is_the_calendar_weeks(
    dec_db: DemoDb, campaign: bool
) -> None:
    """ "e comparado com a semana passada?" after a campaign's card (or the account's summary) asked for
    2 to 5 campaigns to compare: the calendar week against the same days of the week before."""
    _, name, n = _busiest(dec_db)
    first = f"como está a campanha {n}?" if campaign else "como está minha conta?"
    (_, _), (intent, lines) = _talk(dec_db, [first, "e comparado com a semana passada?"])
    assert intent == "trends", lines
    of = f" de “{name}”" if campaign else ""
    assert lines[0].startswith("Variação da semana passada para esta (") and lines[0].split(":")[0].endswith(
        f"){of}"
    ), lines
    assert any(x.startswith(f"Esta semana{of}, ") for x in lines), lines


@pytest.mark.parametrize(
    ("asked", "n"), [("me dá um resumo em 3 linhas", 3), ("resume a conta em uma frase", 1)]
)
def test_a_summary_in_n_lines_takes_n(demo_db: DemoDb, asked: str, n: int) -> None:
    _, whole = _one(demo_db, "resumo da conta")
    assert len(whole) > 3, whole
    intent, lines = _one(demo_db, asked)
    assert intent == "summary", lines
    assert lines == whole[:n]


def test_a_stopped_campaigns_forecast_is_said_to_be_nothing(dec_db: DemoDb) -> None:
    """A campaign ACTIVE but with nothing spent on its last 3 days was forecast 8,8 leads beside "R$ 0,00 de
    CPL médio por dia nos próximos 0 dias": the forecaster's idle rule (nothing to deliver) said as such."""
    f = schema.ml_forecasts
    with dec_db.engine.connect() as conn:
        rows = conn.execute(
            sa.select(f.c.config_id, f.c.entity_id).where(f.c.method == "idle", f.c.target_metric == "leads")
        ).fetchall()
    assert rows, "the demo has a delivery stop of 3 days or more at its end"
    config_id, cid = rows[0]
    last3 = _source(dec_db, config_id, END - 2 * DAY, END, dec_db.now).filter(pl.col("campaign_id") == cid)
    assert float(last3["spend"].sum()) == 0.0, last3  # the source agrees: nothing spent (or no row)
    name = dec_db.data.campaigns.filter(pl.col("campaign_id") == cid)["name"][0]
    intent, lines = _one(dec_db, f"qual a previsão de leads da campanha {cid}?", config_id)
    assert intent == "forecast", lines
    assert lines == [
        f"“{name}” não gastou nada nos últimos 3 dias completos ({_d(END - 2 * DAY)} a {_d(END)}): a "
        "previsão do pipeline para os próximos 7 dias é de 0 leads e nenhum gasto, e sem gasto não há CPL "
        "previsto. Se ela voltar a entregar, a próxima execução do pipeline prevê a partir dos novos dias."
    ]


# ------------------------------------------------------------ a stopped campaign's delivery, asked after her
def _stopped_one(db: DemoDb) -> tuple[str, str, int, dt.date]:
    """(id, name, config_id, last day with spend) of a campaign that spent before the last 3 days and not in
    them, from the source."""
    for config_id in (2, 3):  # account 1's names are rewritten in the database (conftest.INJECTED_NAMES)
        d = _source(db, config_id, END - 27 * DAY, END, db.now).filter(pl.col("spend") > 0)
        last = d.group_by("campaign_id").agg(pl.col("date").max()).filter(pl.col("date") < END - 2 * DAY)
        if last.height:
            cid, day = last.sort("campaign_id").row(0)
            return cid, db.data.campaigns.filter(pl.col("campaign_id") == cid)["name"][0], config_id, day
    raise AssertionError("no campaign of the demo stopped in its last 28 days")


def test_delivering_asked_of_a_stopped_campaign_is_nao_and_since_when_is_its_day(dec_db: DemoDb) -> None:
    """ "a campanha 5 ta entregando?" was her card with no verdict, and "desde quando ta parada?" after it
    "Não entendi": "Não" with the day she stopped, then that day alone."""
    cid, name, config_id, last = _stopped_one(dec_db)
    stop = f"“{name}” não gasta desde {_d(last + DAY)}; o último gasto foi "
    (_, delivering), (intent, since) = _talk(
        dec_db, [f"a campanha {cid} ta entregando?", "desde quando ta parada?"], config_id
    )
    assert delivering[0].startswith(f"Não: {stop}"), delivering
    assert intent == "campaign_details" and since[0].startswith(stop), since
    (_, _), (_, on_air) = _talk(dec_db, [f"como está a campanha {cid}?", "tá no ar?"], config_id)
    assert on_air[0].startswith(f"Não: {stop}"), on_air


# ------------------------------------------------------------ buyers' words for a comparison, a move, a type
@pytest.mark.parametrize(
    ("question", "name", "metric", "ask"),
    [
        # was the card of a campaign named "4 x campanha 8"
        ("campanha 4 x campanha 8, qual ta melhor?", "compare", "better", None),
        # was every campaign by its spend
        ("qual campanha ta ficando mais cara?", "trends", "week_cpl_up_which", None),
        ("qual campanha tá ficando mais barata?", "trends", "week_cpl_down_which", None),
        # was the account's spend, the account's CTR
        ("teve algum pico de gasto?", "anomalies", "list", "anomaly_type:SPEND_SPIKE"),
        ("ctr caiu em alguma?", "anomalies", "list", "anomaly_type:CTR_DROP"),
        ("alguma campanha teve queda de ctr?", "anomalies", "list", "anomaly_type:CTR_DROP"),
        # the account's own move stays
        ("o ctr caiu?", "performance", "ctr", "move_down"),
    ],
)
def test_buyers_words_for_a_comparison_a_move_or_an_alert_type(
    question: str, name: str, metric: str, ask: str | None
) -> None:
    intent = classify_intent(question)
    assert (intent.name, intent.metric, intent.ask) == (name, metric, ask), intent


def test_two_campaigns_joined_by_x_are_compared(demo_db: DemoDb) -> None:
    d = _source(demo_db, ACCOUNT, demo_db.as_of - 6 * DAY, demo_db.as_of, demo_db.now)
    ids = (
        d.group_by("campaign_id").agg(pl.col("leads").sum()).sort("leads", descending=True)["campaign_id"][:2]
    )
    names = [demo_db.data.campaigns.filter(pl.col("campaign_id") == c)["name"][0] for c in ids]
    a, b = (int(re.search(r"Campanha (\d+) ", n).group(1)) for n in names)
    intent, lines = _one(demo_db, f"campanha {a} x campanha {b}, qual ta melhor?")
    assert intent == "compare", lines
    assert all(f"“{n}”" in "\n".join(lines) for n in names), lines
    assert lines[0].startswith("Melhor: “"), lines


@pytest.mark.parametrize(
    ("question", "name", "metric", "ask"),
    [
        # the runs of days without leads, the tracking check's (was "Não entendi")
        ("quais campanhas pararam de gerar lead?", "tracking", "cpl_high", None),
        ("qual a critica?", "anomalies", "list", "gravest"),  # after alerts listed; was "Não entendi"
        ("e quais as críticas?", "anomalies", "list", "gravest"),
    ],
)
def test_short_asks_after_a_list(question: str, name: str, metric: str, ask: str | None) -> None:
    intent = classify_intent(question)
    assert (intent.name, intent.metric, intent.ask) == (name, metric, ask), intent


@pytest.mark.parametrize(("n", "said"), [(1, "O total não a inclui."), (2, "O total não as inclui.")])
def test_the_budgets_left_out_agree_in_number(n: int, said: str) -> None:
    from famachat_ml_pipeline.agent.answers_talk import _without_line

    (line,) = _without_line({"without": [f"Campanha {i}" for i in range(n)]})
    assert line.endswith(said), line


def test_her_figures_after_a_ranking_of_a_period_keep_that_period(demo_db: DemoDb) -> None:
    """ "qual campanha mais gastou no mês passado?" then "e ela trouxe quantos leads?" gave her last 7 days
    (1 lead, against 34 in the month asked)."""
    first, last = dt.date(2026, 10, 1), dt.date(2026, 10, 31)  # the demo's today is 30/11
    d = _source(demo_db, ACCOUNT, first, last, demo_db.now)
    top = d.group_by("campaign_id").agg(pl.col("spend").sum(), pl.col("leads").sum()).sort("spend").row(-1)
    name = demo_db.data.campaigns.filter(pl.col("campaign_id") == top[0])["name"][0]
    (_, ranking), (intent, lines) = _talk(
        demo_db, ["qual campanha mais gastou no mes passado?", "e ela trouxe qtos leads?"]
    )
    assert f"“{name}”" in ranking[0], ranking
    assert intent == "campaign_details", lines
    assert lines[0].startswith(
        f"Outubro de 2026, “{name}” ({_d(first)} a {_d(last)}, 31 dias): {top[2]} leads"
    ), lines


@pytest.mark.parametrize(
    ("question", "rate"),
    [
        ("quanto ta o dolar hoje?", True),  # was today's figures
        ("e em reais qto da isso?", True),  # was the currency note, then "Não entendi"
        ("qual a cotação do euro?", True),
        ("quanto gastei em reais?", False),  # the spend, under the currency note
        ("qual a moeda da conta?", False),
    ],
)
def test_an_exchange_rate_asked_is_said_missing_alone(clp_db: DemoDb, question: str, rate: bool) -> None:
    _, lines = _one(clp_db, question, 4)
    said = lines[0].startswith("Não tenho câmbio nem cotação: os dados da conta trazem só os valores em CLP")
    assert said is rate, lines
    assert (len(lines) == 1) if rate else not said, lines


@pytest.mark.parametrize(
    ("question", "pct"),
    [
        (
            "se eu reduzir 20% o orçamento da campanha 8, quantos leads vou ter?",
            -20.0,
        ),  # was the forecast alone
        ("se eu cortar 30% da verba, quantos leads vou ter?", -30.0),  # was the budgets' pacing
        ("se eu aumentar 20% o orçamento, quantos leads vou ter?", 20.0),
    ],
)
def test_a_budget_cut_asked_is_the_forecast_scaled_down(question: str, pct: float) -> None:
    intent = classify_intent(question)
    assert (intent.name, intent.metric, intent.threshold) == ("forecast", "budget_scaled", pct), intent


def test_a_budget_cut_is_said_as_less_with_its_own_caveat(demo_db: DemoDb) -> None:
    _, lines = _one(demo_db, "se eu cortar 30% da verba, quantos leads vou ter?")
    total = re.search(r": cerca de ([\d.]+) leads", lines[0]) or re.search(r": ([\d.,]+) leads", lines[0])
    assert total, lines
    leads = float(total.group(1).replace(".", "").replace(",", "."))
    # the leads with the ones lost, the caveat, then the cut in money on the active campaigns' daily budgets
    assert lines[3].startswith("O orçamento diário das campanhas ativas da conta soma R$ "), lines
    assert "30% a menos são R$ " in lines[3], lines
    assert lines[1] == (
        f"Se o CPL se mantiver, 30% a menos de orçamento daria cerca de {format_number(leads * 0.7, 0)} "
        f"leads ({total.group(1)} × 0,70), {format_number(leads * 0.3, 0)} a menos: uma conta proporcional, "
        "não uma previsão."
    ), lines
    assert (
        lines[2].startswith("Ao reduzir, o CPL costuma ficar igual ou cair um pouco")
        and "30% de uma vez" in lines[2]
    )


def test_a_month_leads_goal_on_the_months_first_day_is_the_month_begun(demo_db: DemoDb) -> None:
    """On 1 December "esse mês" resolved to November (closed): "a meta de 400 leads em novembro já foi
    batida". The goal's month is the one begun, with no complete day yet, its cost over all its days."""
    from famachat_ml_pipeline_tests.agent.test_offline_followups import _thread

    now = clock_at(dt.date(2026, 11, 30))  # today 1/12; the demo's data end on 29/11
    ((intent, lines),) = _thread(demo_db, now, ["quero 400 leads esse mês, quanto preciso investir?"])
    assert intent == "leads_cost", lines
    assert lines[0].startswith(
        "Para 400 leads em dezembro de 2026 faltam 400: o mês ainda não tem dia completo. Ao CPL dos últimos "
    ), lines
    assert lines[0].endswith(" por dia nos 31 dias que faltam (01/12/2026 a 31/12/2026)."), lines


@pytest.mark.parametrize(
    ("question", "name", "threshold"),
    [
        ("gerei 50 leads ontem, quanto preciso investir pra ter 100?", "performance", None),  # was 50 leads
        ("minha meta é 300 leads, quanto preciso investir?", "leads_cost", 300.0),
    ],
)
def test_a_goal_said_first_needs_a_goal_word(question: str, name: str, threshold: float | None) -> None:
    intent = classify_intent(question)
    assert (intent.name, intent.threshold) == (name, threshold), intent


def test_the_account_asked_after_a_campaign_is_not_hers(dec_db: DemoDb) -> None:
    """After "como está a campanha X?", "quais campanhas estão paradas?" and "o pixel tá funcionando?" were
    answered for her (a review found the delivery follow-up too eager)."""
    cid, _, config_id, _ = _stopped_one(dec_db)
    for asked, intent_name in (
        ("quais campanhas estão paradas?", "list_campaigns"),
        ("o pixel tá funcionando?", "tracking"),
    ):
        (_, _), (intent, lines) = _talk(dec_db, [f"como está a campanha {cid}?", asked], config_id)
        assert intent == intent_name, (asked, lines)


def test_a_campaigns_weekdays_of_another_account_are_not_found(dec_db: DemoDb) -> None:
    other = dec_db.data.campaigns.filter(pl.col("config_id") == 3)["campaign_id"][0]
    intent, lines = _one(dec_db, f"qual o melhor dia da semana da campanha {other}?", 2)
    assert lines == [f"Não encontrei a campanha {other} nesta conta."], lines


def test_what_a_pause_saves_asked_after_her_advice_is_her_pause(demo_db: DemoDb) -> None:
    """ "devo pausar a N?" then "quanto eu economizo se pausar?" repeated her advice: her pause's savings,
    as "se eu pausar a campanha N, quanto economizo?" gives them."""
    cid, _, n = _busiest(demo_db)
    (_, _), (intent, followed) = _talk(
        demo_db, [f"devo pausar a campanha {n}?", "quanto eu economizo se pausar?"]
    )
    direct_intent, direct = _one(demo_db, f"se eu pausar a campanha {n}, quanto economizo?")
    assert intent == direct_intent == "pause_savings", followed
    assert followed == direct and cid in followed[0], followed


def test_another_value_of_a_lead_after_the_roi_is_the_roi_again(demo_db: DemoDb) -> None:
    """ "e se valer 50?" after "qual o ROI com R$ 80 por lead?" was "Não entendi"."""
    (_, _), (intent, lines) = _talk(demo_db, ["qual o ROI com R$ 80 por lead?", "e se valer 50?"])
    _, direct = _one(demo_db, "qual o ROI com R$ 50 por lead?")
    assert intent == "roi" and lines == direct and " x R$ 50,00 = " in lines[0], lines


# ------------------------------------------------------------ a month's leads goal, however it is said
@pytest.mark.parametrize(
    "asked",
    [
        "quero {n} leads esse mês, dá?",  # was the month so far, the goal not said
        "minha meta é {n} leads no mês, vou bater?",  # was the 7 days' forecast, no verdict
        "consigo bater {n} leads em dezembro?",  # was "Provavelmente não" of the next 7 days' leads
        "preciso de {n} leads no mes",  # was read as "is the forecast precise?"
    ],
)
def test_a_month_leads_goal_said_any_way_is_the_months_verdict(dec_db: DemoDb, asked: str) -> None:
    """A goal reached within the stored forecast's days: "Sim", by the forecast itself, on the day its pace
    gets there (the month so far plus the pace a day, counted here)."""
    ahead, per_day, last = _pace(dec_db)
    done = _so_far(dec_db)["leads"]
    goal = round(done + per_day["leads"] * 3)  # the forecast's third day
    day = END + DAY * math.ceil((goal - done) / per_day["leads"])
    assert day <= last
    intent, lines = _one(dec_db, asked.format(n=goal))
    assert intent == "forecast", lines
    assert lines[0].startswith(
        f"Sim, pela previsão do pipeline: a conta chega a {format_number(goal, 0)} leads em dezembro de 2026 "
        f"por volta de {_d(day)}, e o mês fecha com cerca de "
    ), lines
    assert lines[1].startswith(f"Para bater {format_number(goal, 0)} leads em dezembro de 2026 faltam "), (
        lines
    )


def test_another_goal_in_the_thread_is_the_same_month_at_the_new_number(dec_db: DemoDb) -> None:
    """ "e 2000?" after a month's goal was the help menu."""
    close = _projected(dec_db)["leads"]
    low, high = round(close) - 100, round(close) + 100
    turns = _talk(dec_db, [f"vou bater {low} leads no mês?", f"e {high}?", f"e se a meta for {low}?"])
    assert [intent for intent, _ in turns] == ["forecast"] * 3, turns
    verdicts = [lines[0].split(",")[0] for _, lines in turns]
    assert verdicts == ["Sim", "Não", "Sim"], turns
    assert f"abaixo da meta de {format_number(high, 0)} em dezembro de 2026." in turns[1][1][0], turns


@pytest.mark.parametrize(("offset", "verdict", "side"), [(-100, "Sim", "acima"), (100, "Não", "abaixo")])
def test_a_goal_of_a_month_over_is_its_leads_against_it(
    dec_db: DemoDb, offset: int, verdict: str, side: str
) -> None:
    """ "bati 2000 leads em novembro?" was November's figures, the goal not said."""
    d = _source(dec_db, ACCOUNT, dt.date(2026, 11, 1), dt.date(2026, 11, 30), dec_db.now)
    leads = int(d["leads"].sum())
    intent, lines = _one(dec_db, f"bati {leads + offset} leads em novembro?")
    assert intent == "forecast", lines
    assert lines == [
        f"{verdict}: novembro de 2026 fechou com {format_number(leads, 0)} leads, {abs(offset)} {side} da "
        f"meta de {format_number(leads + offset, 0)}."
    ]
