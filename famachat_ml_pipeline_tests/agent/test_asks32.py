"""The fifteenth buyer review (agent35): the answers the last review left wrong. "quanto gastei em reais?"
on a CLP account (the amounts read as reais), "qual a diferença?" / "somando as duas?" after two periods, the
calendar weeks or two campaigns compared (the help menu), "qual foi a pior semana do mês?" (the worst
campaign), a weekday ranked by leads when the CPL was asked, a campaign's leads target given two ranges,
"o cpl de hoje tá alto?" with no verdict, "o mês fechou bem?" answered by a ranking, and the tier words'
gender. Figures from the cleaned source, ml_features and ml_forecasts, read here on their own."""

from __future__ import annotations

import datetime as dt
import json
import re

import polars as pl
import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.agent.service import open_agent
from famachat_ml_pipeline.core.recommendations import format_money, format_number
from famachat_ml_pipeline.core.recommendations.text_ptbr import WEEKDAYS_PT
from famachat_ml_pipeline_tests.agent.conftest import DemoDb, cleaned_daily, leads_of
from famachat_ml_pipeline_tests.agent.test_offline_asks7 import _figures
from famachat_ml_pipeline_tests.agent.test_offline_asks8 import _d
from famachat_ml_pipeline_tests.agent.test_offline_asks14 import _source, _sums
from famachat_ml_pipeline_tests.agent.test_offline_asks16 import _numbered
from famachat_ml_pipeline_tests.agent.test_offline_asks18 import _budgets
from famachat_ml_pipeline_tests.agent.test_offline_followups import ACCOUNT, _thread

pytestmark = pytest.mark.timeout(1200)

DAY = dt.timedelta(days=1)
CLP_ACCOUNT = 4  # the demo's account in a zero-decimal currency, with 4 accounts generated
OCT = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
SEP = (dt.date(2026, 9, 1), dt.date(2026, 9, 30))


def _one(db: DemoDb, question: str, account: int = ACCOUNT) -> tuple[str, list[str]]:
    if account == ACCOUNT:
        ((intent, lines),) = _thread(db, db.now, [question])
        return intent, lines
    reply = open_agent(db.engine, account, db.settings, mode="offline", now=db.now).ask(question, [])
    return reply.intent, reply.text.splitlines()


def _signed(value: float, currency: str = "BRL") -> str:
    text = format_money(abs(value), currency)
    return text if round(value, 2) == 0 else ("+" if value > 0 else "-") + text


# ------------------------------------------------------------ 1. a currency named that is not the account's
def test_the_clp_account_is_in_clp(clp_db: DemoDb) -> None:
    with clp_db.engine.connect() as conn:
        found = conn.execute(
            sa.text("SELECT DISTINCT currency FROM sistema_facebook_ads_campaigns WHERE config_id = :c"),
            {"c": CLP_ACCOUNT},
        ).scalars()
        assert set(found) == {"CLP"}


@pytest.mark.parametrize("question", ["quanto gastei em reais?", "qnto gastei em R$ essa semana"])
def test_spend_asked_in_reais_on_a_clp_account_is_said_in_clp(clp_db: DemoDb, question: str) -> None:
    """Was "CPL da conta: CLP 4.903 ..." under a question in reais, nothing said. Now the account's currency
    first (no conversion), then the 7 days' spend in CLP, summed here; no "R$" anywhere."""
    intent, lines = _one(clp_db, question, CLP_ACCOUNT)
    assert intent == "performance", lines
    assert lines[0] == (
        "A conta é em CLP (peso chileno), não em reais: os valores abaixo estão em CLP, sem conversão (os "
        "dados não trazem câmbio)."
    ), lines
    through = clp_db.as_of
    spend = _figures(clp_db, CLP_ACCOUNT, through - 6 * DAY, through)["spend"]
    before = _figures(clp_db, CLP_ACCOUNT, through - 13 * DAY, through - 7 * DAY)["spend"]
    if "semana" in question:  # "essa semana" on a Monday: last week whole, Monday to Sunday
        assert any(format_money(spend, "CLP") in line for line in lines[1:3]), lines
    else:
        assert lines[1].startswith(
            f"Gasto da conta nos 7 dias até {_d(through)}: {format_money(spend, 'CLP')} (contra "
            f"{format_money(before, 'CLP')} nos 7 dias anteriores"
        ), lines
    assert not any("R$" in line for line in lines), lines


def test_the_currency_asked_is_the_answer(clp_db: DemoDb) -> None:
    """ "qual a moeda da conta?" was the account's summary. Now the currency, by its code and name."""
    _, lines = _one(clp_db, "qual a moeda da conta?", CLP_ACCOUNT)
    assert lines == ["A moeda da conta é CLP (peso chileno): todos os valores da conta estão nela."], lines


def test_the_summary_counts_agree_with_one(clp_db: DemoDb) -> None:
    """ "1 recomendações ativas", "1 críticas" read wrong: a count of 1 takes the singular."""
    _, lines = _one(clp_db, "resumo da conta", CLP_ACCOUNT)
    text = "\n".join(lines)
    assert not re.search(r"\b1 (moderadas|baixas|críticas|recomendações|anomalias)\b", text), lines


def test_spend_asked_with_no_period_leads_with_the_spend(demo_db: DemoDb) -> None:
    """ "quanto gastei?" led with the CPL's move. Now the 7 days' spend first, summed here."""
    intent, lines = _one(demo_db, "quanto gastei?")
    assert intent == "performance", lines
    through = demo_db.as_of
    spend = _figures(demo_db, ACCOUNT, through - 6 * DAY, through)["spend"]
    assert lines[0].startswith(f"Gasto da conta nos 7 dias até {_d(through)}: {format_money(spend)} "), lines


# ------------------------------------------------------------ 2. the gap and the sum of two things compared
def _gap(a: dict, b: dict, labels: tuple[str, str]) -> str:
    """ "Diferença, B menos A: gasto ..., leads ..., CPL ...", written here from the sums."""
    return (
        f"Diferença, {labels[1]} menos {labels[0]}: gasto {_signed(b['spend'] - a['spend'])} "
        f"({format_money(b['spend'])} contra {format_money(a['spend'])}), leads "
        f"{b['leads'] - a['leads']:+d} ({format_number(b['leads'], 0)} contra "
        f"{format_number(a['leads'], 0)}), "
        f"CPL {_signed(b['cpl'] - a['cpl'])} ({format_money(b['cpl'])} contra {format_money(a['cpl'])})."
    )


def _sum(a: dict, b: dict, labels: tuple[str, str], when: str = "") -> str:
    spend, leads = a["spend"] + b["spend"], a["leads"] + b["leads"]
    return (
        f"Somando {labels[0]} e {labels[1]}{when}: {format_money(spend)} investidos, {leads_of(leads)}, CPL "
        f"{format_money(spend / leads)} (o gasto somado ÷ os leads somados)."
    )


def test_difference_and_sum_after_two_months(demo_db: DemoDb) -> None:
    """After "outubro vs novembro", "qual a diferença?" and "somando os dois?" were the help menu."""
    nov = (dt.date(2026, 11, 1), demo_db.as_of)
    src = _source(demo_db, ACCOUNT, OCT[0], nov[1], demo_db.now)
    o, n = _sums(src, *OCT), _sums(src, *nov)
    labels = ("outubro de 2026", "novembro de 2026")
    (_, _), (i2, gap), (i3, total) = _thread(
        demo_db, demo_db.now, ["outubro vs novembro", "qual a diferença?", "somando os dois?"]
    )
    assert i2 == i3 == "performance", (gap, total)
    assert gap[0] == _gap(o, n, labels), gap
    assert total[0] == _sum(o, n, labels), total


def test_difference_and_sum_after_the_weeks_compared(demo_db: DemoDb) -> None:
    """After "compara essa semana com a passada" (on a Monday: last week against the one before)."""
    last_sun = demo_db.as_of  # Sunday 29/11
    now_w, before_w = (last_sun - 6 * DAY, last_sun), (last_sun - 13 * DAY, last_sun - 7 * DAY)
    src = _source(demo_db, ACCOUNT, before_w[0], now_w[1], demo_db.now)
    b, n = _sums(src, *before_w), _sums(src, *now_w)
    labels = (
        f"semana retrasada ({_d(before_w[0])} a {_d(before_w[1])})",
        f"semana passada ({_d(now_w[0])} a {_d(now_w[1])})",
    )
    (_, _), (_, gap), (_, total) = _thread(
        demo_db, demo_db.now, ["compara essa semana com a passada", "qual a diferença?", "somando as duas?"]
    )
    assert gap[0] == _gap(b, n, labels), gap
    assert total[0] == _sum(b, n, labels), total


def test_sum_after_two_campaigns_compared(demo_db: DemoDb) -> None:
    """After "compara a campanha N com a M", "somando as duas?" was the help menu. Now their 7 days' spend
    (as each is shown, to the cent) and leads added, and the CPL of the sum."""
    numbered = _numbered(demo_db)
    (n, a), (m, b) = sorted(numbered.items())[-2:]
    through = demo_db.as_of
    fa, fb = (_figures(demo_db, ACCOUNT, through - 6 * DAY, through, c) for c in (a, b))
    names = {
        c: next(r["name"] for r in demo_db.data.campaigns.iter_rows(named=True) if r["campaign_id"] == c)
        for c in (a, b)
    }
    sa_, sb = ({"spend": round(f["spend"], 2), "leads": int(f["leads"])} for f in (fa, fb))
    (_, _), (intent, total) = _thread(
        demo_db, demo_db.now, [f"compara a campanha {n} com a {m}", "somando as duas?"]
    )
    assert intent == "compare", total
    labels = (f"“{names[a]}”", f"“{names[b]}”")
    assert total[0] == _sum(sa_, sb, labels, " nos 7 dias"), total


# ------------------------------------------------------------ 3. the worst week of the month
def test_the_worst_week_of_the_month_is_a_week(demo_db: DemoDb) -> None:
    """Was the worst campaign of the month. Now November's whole calendar weeks ranked by the CPL, the
    worst named with its dates, summed here."""
    intent, lines = _one(demo_db, "qual foi a pior semana do mês?")
    assert intent == "best_day", lines
    through = demo_db.as_of
    first = through.replace(day=1)
    src = _source(demo_db, ACCOUNT, first, through, demo_db.now)
    mondays = [first + i * DAY for i in range((through - first).days + 1) if (first + i * DAY).weekday() == 0]
    weeks = [(mo, mo + 6 * DAY) for mo in mondays if mo + 6 * DAY <= through]
    sums = sorted(((_sums(src, *w), w) for w in weeks), key=lambda x: -x[0]["cpl"])
    worst, (w0, w1) = sums[0]
    assert lines[0] == (
        f"Pior semana (maior CPL) em novembro de 2026 ({_d(first)} a {_d(through)}), entre as {len(weeks)} "
        f"semanas inteiras (segunda a domingo), pelo CPL: {_d(w0)} a {_d(w1)}: "
        f"{format_money(worst['spend'])} gastos, {leads_of(worst['leads'])}, "
        f"CPL {format_money(worst['cpl'])}."
    ), lines


# ------------------------------------------------------------ 4. a weekday ranked by the CPL asked
@pytest.mark.parametrize(
    "question", ["qual dia da semana converte mais barato?", "qual dia da semana tem o cpl mais barato?"]
)
def test_weekday_asked_by_cost_is_ranked_by_cpl(demo_db: DemoDb, question: str) -> None:
    """ "converte mais barato" was ranked by the leads ("converte mais"). Now by the CPL, cheapest first,
    over the last 4 whole weeks, summed here."""
    intent, lines = _one(demo_db, question)
    assert intent == "weekday", lines
    last = demo_db.as_of  # a Sunday: the 4 weeks end on it
    first = last - 27 * DAY
    src = _source(demo_db, ACCOUNT, first, last, demo_db.now)
    per = (
        src.with_columns(wd=pl.col("date").dt.weekday() - 1)
        .group_by("wd")
        .agg(pl.col("spend").sum(), pl.col("leads").sum())
        .with_columns(cpl=pl.col("spend") / pl.col("leads"))
        .sort("cpl")
    )
    best = per.row(0, named=True)
    assert lines[0].startswith("Melhor dia da semana (menor CPL) nas últimas 4 semanas completas"), lines
    assert f": {WEEKDAYS_PT[best['wd']]}, CPL {format_money(best['cpl'])}, " in lines[0], lines
    ranked = [line.split(":")[0].removeprefix("- ") for line in lines if line.startswith("- ")]
    assert ranked == [WEEKDAYS_PT[d] for d in per["wd"]], lines


# ------------------------------------------------------------ 5. one range for a campaign's leads target
def _forecast_sums(db: DemoDb, campaign: str) -> tuple[float, float, float]:
    with db.engine.connect() as conn:
        raw = conn.execute(
            sa.text(
                "SELECT predictions FROM ml_forecasts WHERE config_id = :c AND entity_id = :e "
                "AND target_metric = 'leads' ORDER BY forecast_date DESC, id DESC LIMIT 1"
            ),
            {"c": ACCOUNT, "e": campaign},
        ).scalar_one()
    rows = json.loads(raw) if isinstance(raw, str) else raw
    return tuple(sum(float(r[k]) for r in rows) for k in ("predicted", "lower", "upper"))  # type: ignore[return-value]


def test_a_campaigns_leads_target_has_one_range(demo_db: DemoDb) -> None:
    """ "qnd a campanha N vai bater 100 leads?" gave the stored forecast's range, then a fresh prediction's
    other range. Now the verdict on the stored forecast alone, its sums read here."""
    n, cid = max(_numbered(demo_db).items(), key=lambda x: _forecast_sums(demo_db, x[1])[0])
    point, low, high = _forecast_sums(demo_db, cid)
    intent, lines = _one(demo_db, f"qnd a campanha {n} vai bater 100 leads?")
    assert intent == "forecast", lines
    verdict = "Improvável" if high < 100 else "Quase certo" if low > 100 else "Provavelmente"
    assert lines[0].startswith(verdict), lines
    assert f"cerca de {format_number(point, 1)} leads nos próximos 7 dias" in lines[0], lines
    ranges = re.findall(r"\d+,\d a \d+,\d", "\n".join(lines))
    assert ranges == [f"{format_number(low, 1)} a {format_number(high, 1)}"], lines
    assert not any("método" in line for line in lines), lines


# ------------------------------------------------------------ 6. today's CPL judged
def test_todays_cpl_is_judged_and_said_partial(demo_db: DemoDb) -> None:
    """ "o cpl de hoje tá alto?" gave today's figures, no verdict. Now Sim/Não first, today's CPL so far
    (partial) against each of the 28 days before, counted here."""
    today = demo_db.now.date()
    d = cleaned_daily(demo_db.engine, [ACCOUNT], today, 29, now=demo_db.now)
    d = d.filter(pl.col("has_row") & pl.col("spend").is_not_null())
    now = _sums(d, today, today)
    days = [today - i * DAY for i in range(1, 29)]
    cpls = [c for day in days if (c := _sums(d, day, day)["cpl"]) is not None]
    cheaper = sum(1 for c in cpls if c < now["cpl"])
    intent, lines = _one(demo_db, "o cpl de hoje tá alto?")
    assert intent == "performance", lines
    assert re.match(r"^(Sim|Não|Um pouco|Mais ou menos|Na média)\b", lines[0]), lines
    assert (
        f"hoje, {_d(today)} ({WEEKDAYS_PT[today.weekday()]}, parcial: o dia ainda não terminou)" in lines[0]
    )
    assert (
        f"até agora ({format_money(now['spend'])} gastos, {leads_of(now['leads'])}), "
        f"{format_money(now['cpl'])}" in lines[0]
    ), lines
    assert f"; {cheaper} deles " in lines[0], lines


# ------------------------------------------------------------ 7. the month closed, judged
@pytest.mark.parametrize("question", ["o mês fechou bem?", "como fechou o mes?"])
def test_the_month_closed_is_judged_against_the_one_before(demo_db: DemoDb, question: str) -> None:
    """Was the campaigns ranked by leads. Now the last closed month (October, on 30/11) against September
    (as far as the data go), the verdict by the CPL first, summed here."""
    intent, lines = _one(demo_db, question)
    assert intent == "performance", lines
    src = _source(demo_db, ACCOUNT, SEP[0], OCT[1], demo_db.now)
    o, s = _sums(src, *OCT), _sums(src, *SEP)
    verdict = "Sim" if o["cpl"] < s["cpl"] else "Não"
    assert lines[0].startswith(
        f"{verdict}: o CPL em outubro de 2026 foi {format_money(o['cpl'])}, contra {format_money(s['cpl'])} "
        "em setembro de 2026"
    ), lines
    assert any(
        line.startswith(f"Outubro de 2026 (01/10/2026 a 31/10/2026, 31 dias): {format_money(o['spend'])}")
        for line in lines
    ), lines


# ------------------------------------------------------------ 8. the tier words agree with "tier"
_FEMININE = re.compile(r"\b(moderada|baixa|crítica)\b(?! (de|performance))")


@pytest.mark.parametrize(
    "question", ["quais campanhas tão em cada tier?", "como funciona os tiers?", "o que é HIGH_PERFORMER?"]
)
def test_tier_words_are_the_tiers_masculine(demo_db: DemoDb, question: str) -> None:
    """ "Regra dos tiers: ... moderada ... baixa ... crítica", "HIGH_PERFORMER ... é o melhor dos tiers. É
    candidata": the tier (masculine) named in the feminine."""
    _, lines = _one(demo_db, question)
    text = "\n".join(lines)
    assert not _FEMININE.search(text), lines
    assert "É candidata" not in text, lines
    if "cada tier" in question:
        assert lines[-1].startswith(
            "Regra dos tiers (CPL dos 7 dias ÷ CPL da conta): alta performance até "
        ), lines
        assert (
            "; moderado até " in lines[-1] and "; baixo até " in lines[-1] and "; crítico acima" in lines[-1]
        )


def test_each_campaigns_tier_reason_agrees_with_its_tier(demo_db: DemoDb) -> None:
    """ "está no tier crítico ... acima de 1,50x é crítica": each campaign's tier and the rule that placed it
    in the same (masculine) words."""
    for n in sorted(_numbered(demo_db)):
        _, lines = _one(demo_db, f"qual o tier da campanha {n}?")
        if not lines[0].startswith("“"):  # a campaign with no classification
            continue
        tier = re.search(r"está no tier (alta performance|moderado|baixo|crítico) ", lines[0])
        assert tier, lines
        assert lines[1].startswith("Por quê: "), lines
        assert not _FEMININE.search("\n".join(lines)), lines
        assert f"é tier {tier.group(1)}" in lines[1] or "cabe no tier" in lines[1], lines


# ------------------------------------------------------------ part 2: a demanding buyer's new questions
@pytest.mark.parametrize(("question", "rate"), [("o cpm ta ruim?", "CPM"), ("ctr ta ruim?", "CTR")])
def test_a_rate_asked_ruim_is_the_accounts_rate_judged(demo_db: DemoDb, question: str, rate: str) -> None:
    """ "o cpm tá ruim?" was the underperforming campaigns ("ruim" is their word). Now the account's 7
    days' rate against its own weeks, Sim/Não first, the rate summed here."""
    intent, lines = _one(demo_db, question)
    assert intent == "performance", lines
    through = demo_db.as_of
    f = _figures(demo_db, ACCOUNT, through - 6 * DAY, through)
    shown = re.escape(format_money(f["cpm"]) if rate == "CPM" else f"{format_number(f['ctr'], 2)}%")
    assert re.match(
        rf"^(Sim|Não|Mais ou menos|Na média)\b.*\b{rate}\b.* nos 7 dias até {_d(through)} foi {shown}, ",
        lines[0],
    ), lines


def test_leads_left_to_a_month_goal_named_before_the_number(demo_db: DemoDb) -> None:
    """ "quantos leads faltam pra bater 600 no mês?" was the month's figures, the goal not said."""
    through = demo_db.as_of
    first = through.replace(day=1)
    leads = int(_figures(demo_db, ACCOUNT, first, through)["leads"])
    goal = leads + 54
    intent, lines = _one(demo_db, f"quantos leads faltam pra bater {goal} no mes?")
    assert intent == "forecast", lines
    assert lines[0].startswith(("Sim, ", "Não, ")), lines  # the verdict first
    assert lines[1].startswith(
        f"Para bater {format_number(goal, 0)} leads em novembro de 2026 faltam 54: o mês soma "
        f"{leads_of(leads)} ({_d(first)} a {_d(through)}); são "
    ), lines


def test_a_campaigns_goal_of_this_week_in_the_present_is_the_forecast(demo_db: DemoDb) -> None:
    """ "a campanha N passa de 20 leads essa semana?" was last week's figures (on a Monday). Now the
    verdict on the stored forecast of this week, its sum read here."""
    n, cid = max(_numbered(demo_db).items(), key=lambda x: _forecast_sums(demo_db, x[1])[0])
    point, _, _ = _forecast_sums(demo_db, cid)
    intent, lines = _one(demo_db, f"a campanha {n} passa de 20 leads essa semana?")
    assert intent == "forecast", lines
    assert re.match(r"^(Improvável|Quase certo|Provavelmente sim|Provavelmente não): ", lines[0]), lines
    assert f"cerca de {format_number(point, 1)} leads esta semana" in lines[0], lines


def test_the_budget_called_verba_is_the_daily_budgets_summed(demo_db: DemoDb) -> None:
    """ "quanto de verba eu tenho por dia somando tudo?" was the recommendations list."""
    budgets, _ = _budgets(demo_db)
    intent, lines = _one(demo_db, "quanto de verba eu tenho por dia somando tudo?")
    assert intent == "budget", lines
    assert lines[0].startswith(
        f"Orçamento diário total das campanhas ativas: {format_money(sum(budgets.values()))} por dia"
    ), lines


def test_two_days_asked_in_turn_then_summed_or_compared(demo_db: DemoDb) -> None:
    """ "qnts leads ontem", "e anteontem?", "somando os dois?" and "ontem vs anteontem", "qual a
    diferença?" were the help menu."""
    y = demo_db.now.date() - DAY
    src = _source(demo_db, ACCOUNT, y - DAY, y, demo_db.now)
    a, b = _sums(src, y - DAY, y - DAY), _sums(src, y, y)
    labels = (_d(y - DAY), _d(y))
    *_, (i3, total) = _thread(demo_db, demo_db.now, ["qnts leads ontem", "e anteontem?", "somando os dois?"])
    assert i3 == "performance", total
    assert total[0] == _sum(a, b, labels), total
    _, (i2, gap) = _thread(demo_db, demo_db.now, ["ontem vs anteontem", "qual a diferença?"])
    assert i2 == "performance", gap
    assert gap[0] == _gap(a, b, labels), gap


def test_bleeding_money_is_the_underperformers(demo_db: DemoDb) -> None:
    """ "qual campanha tá sangrando mais grana?" was every campaign by spend."""
    intent, lines = _one(demo_db, "qual campanha ta sangrando mais grana?")
    assert intent == "underperformers", lines


def test_leads_counted_in_the_singular_lead_the_answer(demo_db: DemoDb) -> None:
    """ "qnts lead a conta fez desde o dia 15" was the period then the 7 days' summary, the spend first.
    Now the period's leads first, summed here, and nothing else."""
    last = demo_db.as_of
    first = last.replace(day=15)
    s = _sums(_source(demo_db, ACCOUNT, first, last, demo_db.now), first, last)
    intent, lines = _one(demo_db, "qnts lead a conta fez desde o dia 15")
    assert intent == "performance", lines
    assert lines[0].startswith(
        f"O período desde dia 15 ({_d(first)} a {_d(last)}, {(last - first).days + 1} dias): "
        f"{leads_of(s['leads'])}, {format_money(s['spend'])} investidos"
    ), lines
    assert not any(line.startswith("Resumo da conta") for line in lines), lines
