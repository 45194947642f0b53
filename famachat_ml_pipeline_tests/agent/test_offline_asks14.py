"""Offline answers to four buyer questions the agent answered poorly (agent19): "por que o CPL subiu ontem?"
(and "o que aconteceu ontem?", "por que os leads caíram ontem?", "o cpl de ontem tá alto?") is that day
against the day before and the same weekday a week earlier, with the campaigns that moved it; "quanto vou
gastar esse mês?" is a projection (the month so far plus the stored forecast, with its interval, never past
the forecast's last day); "meu custo por lead tá bom?" is a verdict against the account's own weeks; and
"quais campanhas devo pausar?" leads with the pause advice, each budget cut saying why it is no pause.

Every figure is computed here from the cleaned source, the stored forecasts or ml_features on its own, for
fixed clocks, so the suite holds on any weekday."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from famachat_ml_pipeline.agent.answers import generate_response
from famachat_ml_pipeline.agent.intents import Intent, classify_intent
from famachat_ml_pipeline.agent.intents_periods import resolve_period
from famachat_ml_pipeline.agent.types import ToolCall
from famachat_ml_pipeline.core.recommendations import format_money, format_pct
from famachat_ml_pipeline.core.recommendations.text_ptbr import WEEKDAYS_PT, days_text
from famachat_ml_pipeline.db.agent_queries import read_active_recommendations
from famachat_ml_pipeline.source.read import first_insight_day
from famachat_ml_pipeline_tests.agent.conftest import DemoDb, cleaned_daily, leads_of
from famachat_ml_pipeline_tests.agent.test_offline import _ask, _features
from famachat_ml_pipeline_tests.agent.test_offline_asks import short_horizon_forecast
from famachat_ml_pipeline_tests.agent.test_offline_asks3 import _numbered
from famachat_ml_pipeline_tests.agent.test_offline_asks6 import _weeks
from famachat_ml_pipeline_tests.agent.test_offline_asks7 import WEEKDAYS, _clock
from famachat_ml_pipeline_tests.agent.test_offline_asks8 import _d, month_close_lines
from famachat_ml_pipeline_tests.agent.test_offline_asks12 import _change
from famachat_ml_pipeline_tests.agent.test_offline_followups import ACCOUNT, _figures_text, _thread

pytestmark = pytest.mark.timeout(1200)
DAY = dt.timedelta(days=1)


def _source(db: DemoDb, cid: int, first: dt.date, last: dt.date, now: dt.datetime) -> pl.DataFrame:
    """The cleaned source's valid campaign-days of first..last (a row set aside has null metrics)."""
    daily = cleaned_daily(db.engine, [cid], last, (last - first).days + 1, now=now)
    return daily.filter(pl.col("has_row") & pl.col("spend").is_not_null())


def _sums(d: pl.DataFrame, first: dt.date, last: dt.date) -> dict:
    """spend, leads and CPL of first..last, summed here."""
    w = d.filter(pl.col("date").is_between(first, last))
    spend, leads = float(w["spend"].sum() or 0.0), int(w["leads"].sum() or 0)
    return {"spend": spend, "leads": leads, "cpl": spend / leads if leads else None, "rows": w.height}


def _went(new: float | None, old: float | None, plural: bool = False) -> str:
    text = _change(new, old)
    went = "ficou estável" if text == "0%" else "subiu" if text.startswith("+") else "caiu"
    if plural:
        went = {"subiu": "subiram", "caiu": "caíram"}.get(went, "ficaram estáveis")
    return went


# ------------------------------------------------------------ 1. one day against the day before and a week
def _days(now: dt.datetime) -> tuple[dt.date, dt.date, dt.date]:
    yesterday = now.date() - DAY
    return yesterday, yesterday - DAY, yesterday - 7 * DAY


def _day_head(day: dt.date) -> str:
    return f"{_d(day)} ({WEEKDAYS_PT[day.weekday()]})"


def _cpl_text(f: dict) -> str:
    return format_money(f["cpl"]) if f["cpl"] is not None else "sem leads"


def _effects(d: pl.DataFrame, day: dt.date) -> dict[str, float]:
    """Each campaign's effect on the account's CPL from the day before to `day`: (Δspend - CPL0 x Δleads)
    / leads1, computed here."""
    before = day - DAY
    per = {
        k: {
            r["campaign_id"]: (float(r["spend"]), int(r["leads"]))
            for r in d.filter(pl.col("date") == x)
            .group_by("campaign_id")
            .agg(pl.col("spend", "leads").sum())
            .iter_rows(named=True)
        }
        for k, x in (("new", day), ("old", before))
    }
    cpl0, leads1 = _sums(d, before, before)["cpl"], _sums(d, day, day)["leads"]
    out = {}
    for cid in set(per["new"]) | set(per["old"]):
        (s1, l1), (s0, l0) = per["new"].get(cid, (0.0, 0)), per["old"].get(cid, (0.0, 0))
        out[cid] = ((s1 - s0) - cpl0 * (l1 - l0)) / leads1
    return out


@pytest.mark.parametrize("weekday", WEEKDAYS)
def test_why_the_cpl_rose_yesterday_is_that_day_against_the_day_before_and_a_week_earlier(
    demo_db: DemoDb, weekday: int
) -> None:
    """ "por que o CPL subiu ontem?": Sim/Não first with the day's CPL against the day before's and the
    same weekday's a week earlier, the three days' figures, the CPL's factors, then the campaigns that
    moved it most, each with its effect on the account's CPL (the effects add up to the move)."""
    now = _clock(demo_db, weekday)
    day, before, week = _days(now)
    d = _source(demo_db, ACCOUNT, week, day, now)
    f1, f0, fw = (_sums(d, x, x) for x in (day, before, week))
    ((intent, lines),) = _thread(demo_db, now, ["por que o CPL subiu ontem?"])
    assert intent == "anomalies", lines
    went = _went(f1["cpl"], f0["cpl"])
    yes = {"subiu": "Sim: ", "caiu": "Não: "}.get(went, "")
    head = (
        f"o CPL da conta {went} em {_day_head(day)}: {_cpl_text(f1)}, contra {_cpl_text(f0)} em {_d(before)} "
        f"({_change(f1['cpl'], f0['cpl'])}) e {_cpl_text(fw)} em {_d(week)}, o mesmo dia da semana anterior "
        f"({_change(f1['cpl'], fw['cpl'])})."
    )
    assert lines[0] == (yes + head if yes else head[0].upper() + head[1:]), lines[0]
    assert lines[1] == (
        f"Em {_d(day)}: {_figures_text(f1)}; em {_d(before)} (dia anterior): {_figures_text(f0)}; em "
        f"{_d(week)} (mesmo dia da semana anterior): {_figures_text(fw)}."
    ), lines[1]
    assert lines[2].startswith(f"Por que o CPL mudou ({_change(f1['cpl'], f0['cpl'])} em {_d(day)})"), lines[
        2
    ]
    effects = _effects(d, day)
    assert sum(effects.values()) == pytest.approx(f1["cpl"] - f0["cpl"])  # the split is exact
    up = f1["cpl"] > f0["cpl"]
    moved = sorted(
        (x for x in effects.items() if (x[1] > 0 if up else x[1] < 0)),
        key=lambda x: (-x[1] if up else x[1], x[0]),
    )
    assert lines[3] == (
        f"Campanhas que mais {'subiram' if up else 'baixaram'} o CPL da conta em {_d(day)} "
        f"(contra {_d(before)}):"
    ), lines[3]
    listed = [x for x in lines[4:] if x.startswith("- “")][:3]
    assert len(listed) == min(3, len(moved)), lines
    for line, (cid, effect) in zip(listed, moved, strict=False):
        assert f"({cid}): " in line, line
        assert line.endswith(f": {'+' if up else '-'}{format_money(abs(effect))} no CPL da conta."), line


@pytest.mark.parametrize("weekday", WEEKDAYS[:2])
def test_why_the_leads_fell_yesterday_and_what_happened_yesterday(demo_db: DemoDb, weekday: int) -> None:
    """ "por que os leads caíram ontem?": the leads' move first, split into spend and CPL, the campaigns
    with the biggest change of leads; "o que aconteceu ontem?": the day's figures, then its changes against
    both days; "e anteontem?" after asks the same of the day before."""
    now = _clock(demo_db, weekday)
    day, before, week = _days(now)
    d = _source(demo_db, ACCOUNT, week - DAY, day, now)
    f1, f0, fw = (_sums(d, x, x) for x in (day, before, week))
    (intent, lines), (_, again) = _thread(demo_db, now, ["por que os leads caíram ontem?", "e anteontem?"])
    assert intent == "anomalies", lines
    went = _went(f1["leads"], f0["leads"], plural=True)
    yes = {"caíram": "Sim: ", "subiram": "Não: "}.get(went, "")
    head = (
        f"os leads da conta {went} em {_day_head(day)}: {f1['leads']}, contra {f0['leads']} em {_d(before)} "
        f"({_change(f1['leads'], f0['leads'])}) e {fw['leads']} em {_d(week)}, o mesmo dia da semana "
        f"anterior ({_change(f1['leads'], fw['leads'])})."
    )
    assert lines[0] == (yes + head if yes else head[0].upper() + head[1:]), lines[0]
    assert lines[2] == (
        f"Leads = gasto ÷ CPL: gasto {_change(f1['spend'], f0['spend'])}, "
        f"CPL {_change(f1['cpl'], f0['cpl'])} contra {_d(before)}."
    ), lines[2]
    # "e anteontem?": the day before, against its own day before
    f2 = _sums(d, before - DAY, before - DAY)
    assert again[0].endswith(
        f"{_day_head(before)}: {f0['leads']}, contra {f2['leads']} em {_d(before - DAY)} "
        f"({_change(f0['leads'], f2['leads'])}) e {_sums(d, week - DAY, week - DAY)['leads']} em "
        f"{_d(week - DAY)}, o mesmo dia da semana anterior "
        f"({_change(f0['leads'], _sums(d, week - DAY, week - DAY)['leads'])})."
    ), again[0]
    ((intent, lines),) = _thread(demo_db, now, ["o que aconteceu ontem?"])
    assert intent == "anomalies", lines
    assert lines[0] == f"Em {_day_head(day)}: {_figures_text(f1)}.", lines[0]

    def moves(f: dict) -> str:
        return ", ".join(
            f"{name} {_change(f1[k], f[k])}"
            for k, name in (("spend", "gasto"), ("leads", "leads"), ("cpl", "CPL"))
        )

    assert lines[1] == (
        f"Contra {_d(before)}: {moves(f0)}; contra {_d(week)}, o mesmo dia da semana anterior: {moves(fw)}."
    ), lines[1]


def _verdict(cheaper: int, n: int, good_asked: bool) -> str:
    share = cheaper / n
    level = 0 if share <= 0.5 else 1 if share <= 0.75 else 2
    return (("Sim", "Razoável", "Não") if good_asked else ("Não", "Um pouco", "Sim"))[level]


def _history(cpls: list[float]) -> dict:
    """median, range and count of the CPLs of the history (inf: spend with no lead), computed here."""
    o, finite = sorted(cpls), sorted(x for x in cpls if x != float("inf"))
    median = (o[(len(o) - 1) // 2] + o[len(o) // 2]) / 2
    return {"n": len(o), "median": median, "low": finite[0], "high": finite[-1]}


def _span_cpls(d: pl.DataFrame, spans: list[tuple[dt.date, dt.date]]) -> list[float]:
    out = []
    for a, b in spans:
        f = _sums(d, a, b)
        if f["spend"] > 0:
            out.append(f["cpl"] if f["cpl"] is not None else float("inf"))
    return out


@pytest.mark.parametrize("weekday", WEEKDAYS[1:3])
def test_yesterdays_cpl_high_is_weighed_against_the_28_days_before(demo_db: DemoDb, weekday: int) -> None:
    """ "o cpl de ontem tá alto?": the day's CPL against each of the 28 days before it (how many were
    cheaper, their median and range), "Sim" meaning high; then the day against the day before and a week
    earlier; no market benchmark."""
    now = _clock(demo_db, weekday)
    day, before, week = _days(now)
    d = _source(demo_db, ACCOUNT, day - 28 * DAY, day, now)
    cpl = _sums(d, day, day)["cpl"]
    cpls = _span_cpls(d, [(day - i * DAY, day - i * DAY) for i in range(1, 29)])
    h, cheaper = _history(cpls), sum(1 for x in cpls if x < cpl)
    ((intent, lines),) = _thread(demo_db, now, ["o cpl de ontem tá alto?"])
    assert intent == "performance", lines
    assert lines[0].startswith(
        f"{_verdict(cheaper, h['n'], False)}: o CPL da conta em {_day_head(day)} foi {format_money(cpl)}, "
    ), lines[0]
    assert (
        f"Nos {h['n']} dias anteriores ({_d(day - 28 * DAY)} a {_d(before)}), o CPL diário foi de "
        f"{format_money(h['low'])} a {format_money(h['high'])}, mediana {format_money(h['median'])}; "
        f"{cheaper} "
    ) in lines[0], lines[0]
    assert lines[1].startswith(f"O CPL da conta {_went(cpl, _sums(d, before, before)['cpl'])} em "), lines[1]
    assert lines[-1].startswith("Comparo com o histórico da própria conta"), lines


@pytest.mark.parametrize(
    ("question", "metric"),
    [
        ("por que o CPL subiu ontem?", "day_cpl_up"),
        ("pq o cpl subiu anteontem?", "day_cpl_up"),
        ("o cpl subiu ontem?", "day_cpl_up"),
        ("por que os leads caíram ontem?", "day_leads_down"),
        ("os leads caíram ontem?", "day_leads_down"),
        ("por que o gasto caiu ontem?", "day_spend_down"),
        ("o que aconteceu ontem?", "day_what"),
        ("o que houve ontem?", "day_what"),
        ("o que aconteceu no sábado?", "day_what"),
    ],
)
def test_a_move_asked_of_one_past_day_is_read_as_that_days_move(question: str, metric: str) -> None:
    intent = classify_intent(question)
    assert (intent.name, intent.metric) == ("anomalies", metric)


@pytest.mark.parametrize(
    "question",
    ["o que aconteceu hoje?", "por que o CPL subiu essa semana?", "por que o CPL da campanha 3 subiu ontem?"],
)
def test_today_a_week_or_a_campaign_is_no_days_move(question: str) -> None:
    """Today is partial, a week has its own comparison, a campaign's why stays its card."""
    assert not (classify_intent(question).metric or "").startswith("day_")


# --------------------------------------------------------------------- 2. the month asked ahead: a projection
@pytest.mark.parametrize(
    ("question", "leads_first"),
    [
        ("quanto vou gastar esse mês?", False),
        ("quanto vou investir esse mes?", False),
        ("o mês vai fechar em quanto?", False),
        ("quantos leads vou ter esse mês?", True),
        ("quantos leads vamos ter no mês?", True),
    ],
)
def test_the_month_asked_ahead_is_the_month_so_far_plus_the_forecast(
    demo_db: DemoDb, question: str, leads_first: bool
) -> None:
    """ "quanto vou gastar esse mês?" gave the month so far only: it is what the month closes at, the
    month so far plus the stored forecast of the days left, with the interval."""
    if (close := month_close_lines(demo_db, 1)) is None:
        pytest.skip(
            "the stored 7-day forecast does not reach this month's end (the fixed-facts test covers it)"
        )
    reply = _ask(demo_db, question, 1)
    assert reply.intent == "forecast"
    assert reply.text.splitlines()[:2] == (list(close[::-1]) if leads_first else list(close))


def test_the_month_past_the_forecasts_horizon_is_summed_only_up_to_its_last_day() -> None:
    """On 10/11 the 7-day forecast ends on 17/11: the month so far plus it is said up to 17/11, with the
    interval; the days after are carried at the forecast's pace per day, said as an extrapolation."""
    through, call = short_horizon_forecast()
    done = {
        "first_day": dt.date(2026, 11, 1),
        "last_day": through,
        "spend": "R$ 1.000,00",
        "leads": 50,
        "cpl": "R$ 20,00",
    }
    facts = {"_through": through, "_period": resolve_period("esse mes", through), "_period_figures": done}
    lines = generate_response(Intent("forecast", metric="month_end"), [call], [], facts).splitlines()
    # the month's close first (the month asked), then the sums up to the forecast's last day
    # the days after are carried at the forecast's pace, said as an extrapolation (agent38), never summed
    # into the interval: R$ 1.000 + R$ 700 + 13 days at R$ 100
    assert lines[0].startswith(
        "Novembro de 2026 deve fechar em cerca de R$ 3.000,00 de gasto até 30/11/2026: "
    ), lines
    assert lines[2].startswith("A previsão guardada cobre só até 17/11/2026; o mês vai até 30/11/2026"), lines
    assert lines[3:5] == [
        "Novembro de 2026 até 17/11/2026 deve somar R$ 1.700,00 (R$ 1.600,00 a R$ 1.800,00) de gasto: "
        "R$ 1.000,00 já investidos (01/11/2026 a 10/11/2026) + R$ 700,00 previstos (11/11/2026 a "
        "17/11/2026).",
        "Novembro de 2026 até 17/11/2026 deve somar 80 (70 a 90) leads: 50 já realizados (01/11/2026 a "
        "10/11/2026) + 30,0 previstos (11/11/2026 a 17/11/2026).",
    ]
    assert "uma extrapolação, não uma previsão do pipeline" in lines[2]


@pytest.mark.parametrize(
    ("question", "metric"),
    [
        ("quanto vou gastar esse mês?", "month_end"),
        ("quanto vamos investir neste mês?", "month_end"),
        ("o mês vai fechar em quanto?", "month_end"),
        ("quantos leads vou ter esse mês?", "month_end_leads"),
        ("quantos leads vai dar esse mês?", "month_end_leads"),
    ],
)
def test_the_month_asked_in_the_future_is_a_projection(question: str, metric: str) -> None:
    intent = classify_intent(question)
    assert (intent.name, intent.metric) == ("forecast", metric)


@pytest.mark.parametrize("question", ["quanto gastei esse mês?", "quantos leads tive esse mês?"])
def test_the_month_asked_in_the_past_stays_the_month_so_far(question: str) -> None:
    assert classify_intent(question).name == "performance"


Spans = list[tuple[dt.date, dt.date]]


def weeks_before_the_last_7_days(demo_db: DemoDb) -> tuple[dt.datetime, dt.date, Spans]:
    """The clock, the last complete day and the whole weeks before the last 7 days the source covers (up to
    12, newest first): what a verdict against the account's own weeks compares with."""
    now = _clock(demo_db, WEEKDAYS[1])
    through = now.date() - DAY
    first_data = first_insight_day(demo_db.engine, ACCOUNT)
    spans = [(through - (7 * i + 6) * DAY, through - 7 * i * DAY) for i in range(1, 13)]
    spans = [s for s in spans if s[0] >= first_data]
    assert len(spans) >= 4
    return now, through, spans


# --------------------------------------------------------- 3. the account's CPL against its own weeks
@pytest.mark.parametrize(
    ("question", "good_asked"),
    [("meu custo por lead tá bom?", True), ("meu cpl ta bom?", True), ("o cpl da conta tá alto?", False)],
)
def test_the_accounts_cpl_is_judged_against_its_own_weeks(
    demo_db: DemoDb, question: str, good_asked: bool
) -> None:
    """The last 7 days' CPL against each whole week before them the source covers (up to 12): the verdict
    from how many were cheaper, with their median and range, and what it is compared with."""
    now, through, spans = weeks_before_the_last_7_days(demo_db)
    d = _source(demo_db, ACCOUNT, spans[-1][0], through, now)
    cpl = _sums(d, through - 6 * DAY, through)["cpl"]
    cpls = _span_cpls(d, spans)
    h, cheaper = _history(cpls), sum(1 for x in cpls if x < cpl)
    ((intent, lines),) = _thread(demo_db, now, [question])
    assert intent == "performance", lines
    which = "teve" if cheaper == 1 else "tiveram"
    assert lines[0].startswith(
        f"{_verdict(cheaper, h['n'], good_asked)}: o CPL da conta nos 7 dias até {_d(through)} foi "
        f"{format_money(cpl)}, "
    ), lines[0]
    assert lines[0].endswith(
        f"Nas {h['n']} semanas anteriores ({_d(spans[-1][0])} a {_d(through - 7 * DAY)}), o CPL semanal foi "
        f"de {format_money(h['low'])} a {format_money(h['high'])}, mediana {format_money(h['median'])}; "
        f"{cheaper} delas {which} CPL mais baixo."
    ), lines[0]
    assert lines[1].startswith(f"CPL da conta: {format_money(cpl)} nos 7 dias até {_d(through)}"), lines[1]
    assert lines[2] == (
        "Comparo com o histórico da própria conta: não tenho referência de mercado (benchmark) nos dados."
    )


# ----------------------------------------------------------------- 4. which to pause: the pause advice first
@pytest.mark.parametrize("cid", [1, 2, 3])
def test_which_to_pause_leads_with_the_pause_advice_and_says_why_a_cut_is_no_pause(
    demo_db: DemoDb, cid: int
) -> None:
    """The pause advice (PAUSE_CAMPAIGN) first, or that there is none and the rule that gives one; each
    BUDGET_DECREASE with its 7-day CPL, its multiple of the account's, its leads and why that is no pause
    (the pause rule needs no lead in the 7 days), and a pause also defensible from 2x the account's CPL."""
    recs = read_active_recommendations(demo_db.engine, cid)
    feats = _features(demo_db, cid)
    reply = _ask(demo_db, "quais campanhas devo pausar?", cid)
    lines = reply.text.splitlines()
    assert reply.intent == "recommendations"
    pauses = [r for r in recs if r["recommendation_type"] == "PAUSE_CAMPAIGN"]
    cuts = [r for r in recs if r["recommendation_type"] == "BUDGET_DECREASE"]
    when = f"nos 7 dias até {_d(demo_db.as_of)}"
    if pauses:
        assert lines[0].startswith(f"Pausar ({len(pauses)} campanha"), lines[0]
    else:
        assert lines[0] == (
            "Pausar: nenhuma campanha tem recomendação de pausa (PAUSE_CAMPAIGN) agora. O pipeline recomenda "
            f"pausar só campanha ativa do tier crítico que gastou {when} pelo menos 2x o CPL da conta sem "
            "nenhum lead."
        ), lines[0]
    for r in pauses:
        f = feats[r["entity_id"]]
        (line,) = [x for x in lines if f"({r['entity_id']}): " in x and x.startswith("- ")]
        assert f"{format_money(f['spend_7d'])} gastos {when} sem nenhum lead" in line, line
    for r in cuts:
        f = feats[r["entity_id"]]
        cpl, account = f["spend_7d"] / f["leads_7d"], f["account_cpl_7d"]
        ratio = f"{cpl / account:.1f}".replace(".", ",")
        (line,) = [x for x in lines if f"({r['entity_id']}): " in x and x.startswith("- ")]
        assert line.startswith("- “"), line
        assert f": {r['title'].split(':')[0]}. CPL {format_money(cpl)} {when}, {ratio}x o da conta " in line
        assert f"({format_money(account)})" in line
        assert f"Não é pausa porque teve {leads_of(f['leads_7d'])} {when}" in line, line
        assert ("pausar também se justifica" in line) == (cpl / account >= 2.0), line
    if cuts:
        assert any(x.startswith("Reduzir orçamento, não pausar (") for x in lines)


def test_a_cut_at_17x_the_accounts_cpl_says_why_it_is_no_pause() -> None:
    """On fixed facts: a BUDGET_DECREASE at 17,4x the account's CPL is said with its figures and why it is
    no pause, before the critical tier; never only "reduzir 20%"."""
    cut = {
        "campaign_id": "13",
        "name": "Campanha 13",
        "type": "BUDGET_DECREASE",
        "priority": 7,
        "title": "Reduzir orçamento em 20%: CPL 1.640% acima da média e subindo",
        "spend_7d": "R$ 366,70",
        "leads_7d": 1,
        "cpl_7d": "R$ 366,70",
        "account_cpl_7d": "R$ 21,08",
        "ratio": 366.70 / 21.08,
        "cpl_trend": "205%",
        "trend_v": 205.07,
        "tier": "UNDERPERFORMER",
    }
    facts = {
        "_cuts": {
            "as_of": dt.date(2026, 11, 29),
            "rows": [cut],
            "pause_multiple": 2.0,
            "decrease_ratio": 1.3,
            "decrease_trend": 15.0,
        }
    }
    calls = [
        ToolCall(name="get_recommendations", input={}, output={"total": 0, "recommendations": []}),
        ToolCall(
            name="get_underperformers",
            input={},
            output={"total": 0, "campaigns": [], "as_of": "2026-11-29"},
        ),
    ]
    lines = generate_response(Intent("recommendations", metric="cut"), calls, [], facts).splitlines()
    assert lines[0].startswith("Pausar: nenhuma campanha tem recomendação de pausa (PAUSE_CAMPAIGN) agora.")
    assert lines[1] == "Reduzir orçamento, não pausar (1 campanha, BUDGET_DECREASE):"
    assert lines[2] == (
        "- “Campanha 13” (13): Reduzir orçamento em 20%. CPL R$ 366,70 nos 7 dias até 29/11/2026, 17,4x o da "
        "conta (R$ 21,08), +205% sobre os 7 dias anteriores. Não é pausa porque teve 1 lead nos 7 dias até "
        "29/11/2026: a pausa do pipeline é só para quem gastou sem nenhum lead; com o CPL 17,4x o da conta, "
        "pausar também se justifica se você não quiser esperar o efeito da redução."
    )


# ------------------------------------------------------------------------ the buyer review's fixes (agent19)
def test_the_leads_after_yesterdays_cpl_move_are_that_days_leads(demo_db: DemoDb) -> None:
    """ "por que o CPL subiu ontem?" then "e os leads?": that day's leads against the same two days, no
    Sim/Não (the CPL's "subiu" says nothing of the leads); it stayed the CPL's answer."""
    now = _clock(demo_db, WEEKDAYS[2])
    day, before, week = _days(now)
    d = _source(demo_db, ACCOUNT, week, day, now)
    f1, f0, fw = (_sums(d, x, x) for x in (day, before, week))
    _, (intent, lines) = _thread(demo_db, now, ["por que o CPL subiu ontem?", "e os leads?"])
    assert intent == "anomalies", lines
    head = (
        f"os leads da conta {_went(f1['leads'], f0['leads'], plural=True)} em {_day_head(day)}: "
        f"{f1['leads']}, "
        f"contra {f0['leads']} em {_d(before)} ({_change(f1['leads'], f0['leads'])}) e {fw['leads']} em "
        f"{_d(week)}, o mesmo dia da semana anterior ({_change(f1['leads'], fw['leads'])})."
    )
    assert lines[0] == head[0].upper() + head[1:], lines[0]


def test_a_day_then_compared_with_last_week_is_that_day_against_a_week_earlier(demo_db: DemoDb) -> None:
    """ "como foi ontem?" then "e comparado com a semana passada?": the day against the day before and the
    same weekday a week earlier; it was the "name 2 campaigns to compare" menu."""
    now = _clock(demo_db, WEEKDAYS[1])
    day, before, week = _days(now)
    d = _source(demo_db, ACCOUNT, week, day, now)
    f1 = _sums(d, day, day)
    _, (intent, lines) = _thread(demo_db, now, ["como foi ontem?", "e comparado com a semana passada?"])
    assert intent == "anomalies", lines
    assert lines[0] == f"Em {_day_head(day)}: {_figures_text(f1)}.", lines[0]
    assert lines[1].startswith(f"Contra {_d(before)}: gasto "), lines[1]
    assert f"; contra {_d(week)}, o mesmo dia da semana anterior: gasto " in lines[1], lines[1]


@pytest.mark.parametrize("weekday", WEEKDAYS)
def test_the_weekend_is_the_last_saturday_and_sunday(demo_db: DemoDb, weekday: int) -> None:
    """ "quanto gastei no fim de semana?": the last Saturday and Sunday up to the last complete day; it was
    the 7 days' trend."""
    now = _clock(demo_db, weekday)
    through = now.date() - DAY
    sunday = through - dt.timedelta(days=(through.weekday() - 6) % 7)
    d = _source(demo_db, ACCOUNT, sunday - DAY, sunday, now)
    f = _sums(d, sunday - DAY, sunday)
    ((intent, lines),) = _thread(demo_db, now, ["quanto gastei no fim de semana?"])
    assert intent == "performance", lines
    assert lines[0].startswith(
        f"Fim de semana, sábado e domingo ({_d(sunday - DAY)} a {_d(sunday)}, 2 dias): {_figures_text(f)}"
    ), lines[0]


@pytest.mark.parametrize(
    ("question", "high"), [("qual campanha tem o melhor ctr?", True), ("qual o pior ctr?", False)]
)
def test_the_best_ctr_ranks_the_campaigns_by_their_ctr(demo_db: DemoDb, question: str, high: bool) -> None:
    """ "qual campanha tem o melhor CTR?": the campaigns by their 7-day CTR (ml_features); it was the top
    tier by CPL."""
    feats = _features(demo_db, ACCOUNT)
    rated = [(float(f["ctr_7d"]), c) for c, f in feats.items() if f.get("ctr_7d")]
    ctr, cid = (max if high else min)(rated)
    reply = _ask(demo_db, question, ACCOUNT)
    first = reply.text.splitlines()[0]
    which = "maior" if high else "menor"
    assert first.startswith(f"Campanha com o {which} CTR nos 7 dias até {_d(demo_db.as_of)}: “"), first
    assert f" ({cid}): CTR {format_pct(ctr, 2)}, CPL " in first, first


def test_a_campaigns_cpl_asked_high_says_yes_when_it_is_high(demo_db: DemoDb) -> None:
    """ "o cpl da campanha N tá alto?": "Sim" when its 7-day CPL is 1,3x the account's or more, "Não" at or
    below it; it read "tá alto?" as "tá bom?"."""
    feats, numbers = _features(demo_db, ACCOUNT), _numbered(demo_db, ACCOUNT)
    spend = sum(float(f.get("spend_7d") or 0) for f in feats.values())
    account = spend / sum(int(f.get("leads_7d") or 0) for f in feats.values())
    seen = set()
    for c, f in sorted(feats.items()):
        if c not in numbers or not f.get("leads_7d"):
            continue
        ratio = float(f["spend_7d"]) / int(f["leads_7d"]) / account
        word = "Não" if ratio <= 1 else "Um pouco" if ratio < 1.3 else "Sim"
        seen.add(word)
        first = _ask(demo_db, f"o cpl da campanha {numbers[c]} tá alto?", ACCOUNT).text.splitlines()[0]
        assert first.startswith(f"{word}: CPL "), first
    assert {"Sim", "Não"} <= seen


@pytest.mark.parametrize(("question", "up"), [("qual campanha mais caiu em leads ontem?", False)])
def test_which_campaign_lost_most_leads_yesterday_is_named_first(
    demo_db: DemoDb, question: str, up: bool
) -> None:
    """ "qual campanha mais caiu em leads ontem?": the campaign with the biggest drop of leads against the day
    before, whatever the account did; it was the account's 7-day CPL trend."""
    now = _clock(demo_db, WEEKDAYS[1])
    day, before, _ = _days(now)
    d = _source(demo_db, ACCOUNT, before, day, now)
    per = {
        cid: (
            _sums(d.filter(pl.col("campaign_id") == cid), day, day),
            _sums(d.filter(pl.col("campaign_id") == cid), before, before),
        )
        for cid in d["campaign_id"].unique().to_list()
    }
    fell = sorted(
        (f1["leads"] - f0["leads"], cid) for cid, (f1, f0) in per.items() if f1["leads"] < f0["leads"]
    )
    ((intent, lines),) = _thread(demo_db, now, [question])
    assert intent == "anomalies", lines
    if not fell:
        assert lines[0] == f"Nenhuma campanha perdeu leads em {_d(day)} (contra {_d(before)}).", lines[0]
        return
    _, cid = fell[0]
    f1, f0 = per[cid]
    assert lines[0].startswith(f"A campanha que mais perdeu leads em {_d(day)} (contra {_d(before)}): “"), (
        lines[0]
    )
    assert f" ({cid}): leads {f0['leads']} → {f1['leads']}, gasto {format_money(f0['spend'])} → " in lines[0]


def test_the_account_worse_than_last_month_is_said_first_by_the_cpl(demo_db: DemoDb) -> None:
    """ "a conta tá pior que mês passado?": this month so far against last month, Sim/Não by the CPL first,
    then both months; it listed the worst campaigns."""
    as_of, now = demo_db.as_of, demo_db.now
    first = as_of.replace(day=1)
    last_month_end = first - DAY
    start = max(last_month_end.replace(day=1), first_insight_day(demo_db.engine, ACCOUNT))
    d = _source(demo_db, ACCOUNT, start, as_of, now)
    new, old = _sums(d, first, as_of), _sums(d, start, last_month_end)
    change = _change(new["cpl"], old["cpl"])
    word = "Praticamente igual" if change == "0%" else "Sim" if new["cpl"] > old["cpl"] else "Não"
    reply = _ask(demo_db, "a conta tá pior que mês passado?", ACCOUNT)
    assert reply.intent == "performance"
    assert reply.text.splitlines()[0].startswith(
        f"{word}: o CPL em {_month_label(as_of)} até agora é {format_money(new['cpl'])}, contra "
        f"{format_money(old['cpl'])} em {_month_label(last_month_end)} ({change}); "
    ), reply.text


def _month_label(day: dt.date) -> str:
    months = ("janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro")
    months += ("outubro", "novembro", "dezembro")
    return f"{months[day.month - 1]} de {day.year}"


def test_the_conversion_rate_is_leads_per_click(demo_db: DemoDb) -> None:
    """ "qual a taxa de conversão da conta?": leads / clicks over the last 7 days (or the day asked); it was
    the account's summary."""
    now = _clock(demo_db, WEEKDAYS[2])
    through = now.date() - DAY
    daily = cleaned_daily(demo_db.engine, [ACCOUNT], through, 7, now=now)
    clicks, leads = float(daily["clicks"].sum()), float(daily["leads"].sum())
    ((intent, lines),) = _thread(demo_db, now, ["qual a taxa de conversão da conta?"])
    assert intent == "performance", lines
    assert lines[0].startswith(
        f"Taxa de conversão da conta (leads / cliques) nos últimos 7 dias ({_d(through - 6 * DAY)} a "
        f"{_d(through)}, 7 dias): {format_pct(leads / clicks * 100, 2)}"
    ), lines[0]


def test_campaigns_past_a_spend_are_all_listed(demo_db: DemoDb) -> None:
    """ "quais campanhas gastaram mais de R$ 300 semana passada?": every campaign past it, with the count;
    it was the top 5 by spend whatever the limit."""
    now = _clock(demo_db, WEEKDAYS[1])
    monday = now.date() - dt.timedelta(days=now.date().weekday() + 7)
    d = _source(demo_db, ACCOUNT, monday, monday + 6 * DAY, now)
    spent = {
        cid: _sums(d.filter(pl.col("campaign_id") == cid), monday, monday + 6 * DAY)["spend"]
        for cid in d["campaign_id"].unique().to_list()
    }
    over = sorted((cid for cid, s in spent.items() if s > 300), key=lambda c: (-spent[c], c))
    ((intent, lines),) = _thread(demo_db, now, ["quais campanhas gastaram mais de R$ 300 semana passada?"])
    assert intent == "list_campaigns", lines
    n = len(over)
    assert lines[0].startswith(
        f"{n} campanha{'s' if n != 1 else ''} gast{'aram' if n != 1 else 'ou'} mais de R$ 300,00 na semana "
        "passada"
    ), lines[0]
    listed = [x for x in lines[1:] if x.startswith("- “")]
    assert len(listed) == n
    for line, cid in zip(listed, over, strict=True):
        assert f" ({cid}): {format_money(spent[cid])} gastos" in line, line


def test_a_months_leads_target_says_what_is_left_and_whether_the_forecast_gets_there(demo_db: DemoDb) -> None:
    """ "quanto falta pra bater N leads no mês?": the leads left to N, then whether what the month closes at
    (month so far plus forecast) reaches it; it gave the month so far only."""
    if (close := month_close_lines(demo_db, 1)) is None:
        pytest.skip("the stored 7-day forecast does not reach this month's end")
    as_of = demo_db.as_of
    d = _source(demo_db, 1, as_of.replace(day=1), as_of, demo_db.now)
    done = _sums(d, as_of.replace(day=1), as_of)["leads"]
    closes = int(close[1].split("deve fechar com ")[1].split(" ")[0].replace(".", ""))

    def grouped(n: int) -> str:  # a count as the answers write it: "5.546"
        return f"{n:,}".replace(",", ".")

    for target in (done + 5, done + 5000):  # six digits would read as a campaign id
        reply = _ask(demo_db, f"quanto falta pra bater {target} leads no mês?", 1)
        lines = reply.text.splitlines()
        assert lines[1].startswith(
            f"Para bater {grouped(target)} leads em {_month_label(as_of)} faltam {grouped(target - done)}: o "
            f"mês soma {grouped(done)} leads ({_d(as_of.replace(day=1))} a {_d(as_of)}); são "
        ), lines[1]
        # the verdict first: yes (with the day the pace gets there), or how far the close falls short
        verdict = "Sim, pela previsão do pipeline: " if closes >= target else "Não, no ritmo da previsão: "
        assert lines[0].startswith(verdict), lines[0]
        assert f"fecha com {grouped(closes)} leads (faixa " in lines[0], lines[0]
        assert lines[2] == close[1]


@pytest.mark.parametrize("weekday", WEEKDAYS[:2])
def test_which_campaign_got_worse_this_week_is_named_first(demo_db: DemoDb, weekday: int) -> None:
    """ "qual campanha piorou mais essa semana?": the campaign whose CPL rose most over the weeks compared
    (this week's days against the same weekdays of last week; on a Monday last week against the one before);
    it was the account's CPL."""
    now = _clock(demo_db, weekday)
    (now_first, now_last), (old_first, old_last), _ = _weeks(now.date() - DAY)
    d = _source(demo_db, ACCOUNT, old_first, now_last, now)
    moved = []
    for cid in d["campaign_id"].unique().to_list():
        own = d.filter(pl.col("campaign_id") == cid)
        new, old = _sums(own, now_first, now_last), _sums(own, old_first, old_last)
        if old["cpl"] is None or own.filter(pl.col("date").is_between(now_first, now_last)).height == 0:
            continue
        if new["cpl"] is not None:
            moved.append((new["cpl"] / old["cpl"] - 1, cid, new, old))
        elif new["spend"] > 0:
            moved.append((float("inf"), cid, new, old))
    worst = max((m for m in moved if m[0] > 0), default=None, key=lambda m: m[0])
    ((intent, lines),) = _thread(demo_db, now, ["qual campanha piorou mais essa semana?"])
    assert intent == "trends", lines
    if worst is None:
        assert lines[0].startswith("Nenhuma campanha piorou pelo CPL "), lines[0]
        return
    _, cid, new, old = worst
    assert lines[0].startswith("A campanha que mais piorou pelo CPL "), lines[0]
    assert f" ({cid}): CPL {_cpl_text(old)} → {_cpl_text(new)}" in lines[0], lines[0]
    assert lines[-1].startswith("Na conta inteira, mesma comparação: gasto "), lines[-1]


@pytest.mark.parametrize("cid", [1, 2, 3])
def test_a_budget_blown_is_spend_past_the_daily_budget_by_more_than_25_percent(
    demo_db: DemoDb, cid: int
) -> None:
    """ "tem alguma campanha estourando o orçamento?": Sim/Não by the days of the last 7 whose spend passed
    the campaign's daily budget by more than 25 % (the source contract lets Meta spend up to that over on a
    day); it listed every active recommendation."""
    through = demo_db.as_of
    d = _source(demo_db, cid, through - 6 * DAY, through, demo_db.now).filter(
        (pl.col("spend") > 0) & pl.col("daily_budget").is_not_null() & (pl.col("daily_budget") > 0)
    )
    over = d.filter(pl.col("spend") > pl.col("daily_budget") * 1.25)
    within = d.filter(
        (pl.col("spend") > pl.col("daily_budget")) & (pl.col("spend") <= pl.col("daily_budget") * 1.25)
    )
    reply = _ask(demo_db, "tem alguma campanha estourando o orçamento?", cid)
    lines = reply.text.splitlines()
    assert reply.intent == "budget"
    span = f"({_d(through - 6 * DAY)} a {_d(through)})"
    n = over["campaign_id"].n_unique()
    if n:
        assert lines[0].startswith(f"Sim: {n} campanha"), lines[0]
        for x in over.group_by("campaign_id").agg(pl.len().alias("days")).iter_rows(named=True):
            (line,) = [y for y in lines if f"({x['campaign_id']}): orçamento " in y]
            assert f"; {x['days']} dia{'s' if x['days'] != 1 else ''} acima da margem;" in line, line
    else:
        assert lines[0].startswith(
            f"Não: nenhuma campanha gastou mais de 25% acima do orçamento diário nos 7 dias {span}"
        )
        if within.height:
            assert (
                lines[1]
                == f"Acima do orçamento, mas dentro dessa margem: {days_text(within.height)} de campanha."
            )


def test_a_budget_blown_names_the_campaign_and_its_worst_day() -> None:
    """On fixed facts: the campaign past the margin, its budget, its worst day and its 7 days."""
    row = {
        "campaign_id": "7",
        "name": "Campanha 7",
        "days": 2,
        "day": dt.date(2026, 11, 28),
        "spend": "R$ 150,00",
        "budget": "R$ 100,00",
        "above": "50%",
        "above_v": 0.5,
        "spend_7d": "R$ 800,00",
        "budget_7d": "R$ 700,00",
    }
    facts = {
        "_budget": {
            "first_day": dt.date(2026, 11, 23),
            "last_day": dt.date(2026, 11, 29),
            "campaigns": [row],
            "within_days": 3,
            "no_budget": 0,
            "slack": 0.25,
        }
    }
    lines = generate_response(Intent("budget"), [], [], facts).splitlines()
    assert lines == [
        "Sim: 1 campanha gastou mais de 25% acima do orçamento diário em algum dos 7 dias (23/11/2026 a "
        "29/11/2026); o Meta pode gastar até 25% acima do orçamento diário num dia, então só conto o que "
        "passou disso:",
        "- “Campanha 7” (7): orçamento R$ 100,00/dia; em 28/11/2026 gastou R$ 150,00 (50% acima); 2 dias "
        "acima da margem; nos 7 dias, R$ 800,00 de R$ 700,00 de orçamento.",
    ]
