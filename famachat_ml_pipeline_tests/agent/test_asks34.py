"""The seventeenth buyer review (agent37): "o cpm do fds é mais caro?" (last weekend's CPM alone), "final de
semana gasta mais que dia útil?" (the CPL's verdict first), "qual campanha tem o cpm mais caro?" (the
account's CPM alone), the online answer to "qual a meta do mês?" (no note that no goal is stored), and month
questions that compared nothing ("o mês tá melhor que o passado?": the month's best campaigns). Figures
from the cleaned source, read here on their own."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import polars as pl
import pytest

from famachat_ml_pipeline.core.recommendations import format_money, format_number, format_pct
from famachat_ml_pipeline.core.recommendations.text_ptbr import WEEKDAYS_PT
from famachat_ml_pipeline_tests.agent.conftest import DemoDb, clock_at
from famachat_ml_pipeline_tests.agent.fake_anthropic import Reply, fake_anthropic, text
from famachat_ml_pipeline_tests.agent.test_asks32 import _one
from famachat_ml_pipeline_tests.agent.test_asks33 import _four_weeks, _online
from famachat_ml_pipeline_tests.agent.test_asks33 import _weekend_sides as _sides
from famachat_ml_pipeline_tests.agent.test_offline_asks8 import _d
from famachat_ml_pipeline_tests.agent.test_offline_asks14 import _source
from famachat_ml_pipeline_tests.agent.test_offline_followups import ACCOUNT, _thread

pytestmark = pytest.mark.timeout(1200)

DAY = dt.timedelta(days=1)


def _names(db: DemoDb) -> dict[str, str]:
    return {r["campaign_id"]: r["name"] for r in db.data.campaigns.iter_rows(named=True)}


# ------------------------------------------------------------ 1-2. the weekend against Monday to Friday


def _when(db: DemoDb) -> str:
    first, last = _four_weeks(db)
    return f"nas últimas 4 semanas completas ({_d(first)} a {_d(last)}, 28 dias"


@pytest.mark.parametrize(
    "question", ["o cpm do fds é mais caro?", "cpm do fim de semana ta mais caro que dia de semana?"]
)
def test_the_weekend_cpm_is_weighed_against_the_weekdays(demo_db: DemoDb, question: str) -> None:
    """Was last weekend's CPM alone, with nothing to be "mais caro" than. Now Saturday and Sunday's CPM of
    the 4 full weeks against Monday to Friday's (spend / impressions * 1000 of each side), the verdict
    first, then each side with its CPM first."""
    intent, lines = _one(demo_db, question)
    assert intent == "weekday", lines
    s = _sides(demo_db)
    end, work = format_money(s["end"]["cpm"]), format_money(s["work"]["cpm"])
    gap = (s["end"]["cpm"] - s["work"]["cpm"]) / s["work"]["cpm"] * 100
    where = "acima" if gap > 0 else "abaixo"
    if abs(gap) < 5:
        head = (
            f"Praticamente igual: o CPM do fim de semana ({end}) fica {format_pct(abs(gap))} {where} do de "
            f"segunda a sexta ({work}) {_when(demo_db)}"
        )
    else:
        word = "mais caro" if gap > 0 else "mais barato"
        head = (
            f"{'Sim' if gap > 0 else 'Não'}: o CPM do fim de semana é {word} que o dos dias úteis: {end} "
            f"contra {work}, {format_pct(abs(gap))} {where} {_when(demo_db)}"
        )
    assert lines[0].startswith(head), lines
    assert lines[1].startswith(f"- Sábado e domingo: CPM {end}, CPL {format_money(s['end']['cpl'])}, "), lines
    assert lines[2].startswith(f"- Segunda a sexta: CPM {work}, CPL {format_money(s['work']['cpl'])}, "), (
        lines
    )
    # with no comparative, the CPM of last Saturday and Sunday alone, as before
    intent, lines = _one(demo_db, "qual o cpm do fds?")
    assert intent == "performance", lines
    sunday = demo_db.as_of - ((demo_db.as_of.weekday() - 6) % 7) * DAY
    assert f"({_d(sunday - DAY)} a {_d(sunday)}, 2 dias)" in lines[0], lines


@pytest.mark.parametrize(
    ("question", "figure"),
    [
        ("final de semana gasta mais que dia útil?", "spend"),
        ("fds gasta menos que dia de semana?", "spend"),
        ("fds traz mais lead que dia de semana?", "leads"),
    ],
)
def test_the_weekend_spend_or_leads_asked_lead_the_answer(
    demo_db: DemoDb, question: str, figure: str
) -> None:
    """ "Gasta mais?" was answered with the CPL's verdict. Now the spend per day of each side first (the
    leads per day when the leads are asked), "Sim"/"Não" to the side asked, then each side with it first."""
    intent, lines = _one(demo_db, question)
    assert intent == "weekday", lines
    s = _sides(demo_db)
    key = f"{figure}_day"
    end, work = s["end"][key], s["work"][key]

    def said(v: float) -> str:
        return f"{format_money(v)}/dia" if figure == "spend" else f"{format_number(v, 1)} leads/dia"

    gap = (end - work) / work * 100
    where = "acima" if gap > 0 else "abaixo"
    if abs(gap) < 5:
        name = "gasto por dia" if figure == "spend" else "número de leads por dia"
        head = (
            f"Praticamente igual: o {name} do fim de semana ({said(end)}) fica {format_pct(abs(gap))} "
            f"{where} do de segunda a sexta ({said(work)}) {_when(demo_db)}"
        )
    else:
        more = "mais" in question.split("que")[0]
        verb = "gasta" if figure == "spend" else "traz"
        noun = " por dia" if figure == "spend" else " leads por dia"
        yes, way = (gap > 0) == more, "mais" if gap > 0 else "menos"
        head = (
            f"{'Sim' if yes else 'Não'}: o fim de semana {verb} {way}{noun} que os "
            f"dias úteis: {said(end)} contra {said(work)}, {format_pct(abs(gap))} {where} {_when(demo_db)}"
        )
    assert lines[0].startswith(head), lines
    first = (
        f"{format_money(end)}/dia de gasto, " if figure == "spend" else f"{format_number(end, 1)} leads/dia, "
    )
    assert lines[1].startswith(f"- Sábado e domingo: {first}"), lines
    assert "CPL" not in lines[0], lines  # the CPL's verdict no longer leads


# ------------------------------------------------------------ 3. the campaigns ranked by CPM
def _cpms(db: DemoDb, first: dt.date, last: dt.date) -> pl.DataFrame:
    return (
        _source(db, ACCOUNT, first, last, db.now)
        .filter(pl.col("date").is_between(first, last))
        .group_by("campaign_id")
        .agg(pl.col("spend").sum(), pl.col("impressions").sum())
        .filter(pl.col("impressions") > 0)
        .with_columns(cpm=pl.col("spend") / pl.col("impressions") * 1000)
    )


@pytest.mark.parametrize(
    ("question", "dear", "days"),
    [
        ("qual campanha tem o cpm mais caro?", True, None),
        ("cpm por campanha", True, None),
        ("qual campanha tem o cpm mais barato em novembro?", False, "month"),
    ],
)
def test_the_campaigns_ranked_by_cpm(demo_db: DemoDb, question: str, dear: bool, days: str | None) -> None:
    """Was the account's CPM alone (per-campaign CPM said to be missing). The cleaned source has
    impressions per campaign and day: the campaigns by their CPM (the 7 days unless a period is asked),
    then the account's CPM of the same days and how many campaigns are above it; summed here."""
    intent, lines = _one(demo_db, question)
    assert intent == "cpl_rank", lines
    last = demo_db.as_of  # November's data end on its last day but one: the month up to it
    first = last.replace(day=1) if days == "month" else last - 6 * DAY
    c = _cpms(demo_db, first, last).sort("cpm", descending=dear)
    top = c.row(0, named=True)
    which = "maior" if dear else "menor"
    label = "nos últimos 7 dias" if days is None else "em novembro de 2026"
    assert lines[0].startswith(
        f"A campanha com o {which} CPM (gasto por mil impressões) {label} ({_d(first)} a {_d(last)}, "
    ), lines
    assert (
        f"“{_names(demo_db)[top['campaign_id']]}” ({top['campaign_id']}): CPM {format_money(top['cpm'])}, "
        in lines[0]
    ), lines
    account = float(c["spend"].sum()) / int(c["impressions"].sum()) * 1000
    above = c.filter(pl.col("cpm") > account).height
    assert (
        f"CPM da conta no mesmo período: {format_money(account)}; {above} de {c.height} campanhas com "
        f"impressões acima dele."
    ) in lines, lines


# ------------------------------------------------------------ 4. the online answer to a goal asked
GOAL = (
    "Não há meta guardada para esta conta: os dados não trazem metas de leads, de gasto ou de CPL. Se você "
    "tem uma, me diga o valor (ex.: “quanto falta pra bater 2000 leads no mês?”)."
)


def test_the_online_answer_to_a_goal_says_none_is_stored(demo_db: DemoDb) -> None:
    """The offline answer said no goal is stored; the online one left it to the model, whose prompt said
    nothing of goals. Now the prompt says the data hold none, and the reply starts with the offline note."""
    with fake_anthropic([Reply([text("Em novembro foram 1.802 leads.")])]) as fake:
        reply = _online(demo_db, fake.url, ACCOUNT).ask("qual a meta do mês?")
    system = fake.requests[0]["body"]["system"]
    system = system if isinstance(system, str) else " ".join(b["text"] for b in system)
    assert "Os dados não trazem metas (de leads, de gasto ou de CPL)" in system, system
    assert reply.text == f"{GOAL}\n\nEm novembro foram 1.802 leads.", reply.text
    # a goal the buyer gives is no stored goal asked: no note
    with fake_anthropic([Reply([text("Faltam 200 leads.")])]) as fake:
        reply = _online(demo_db, fake.url, ACCOUNT).ask("quanto falta pra bater a meta de 2000 leads?")
    assert reply.text == "Faltam 200 leads.", reply.text


# ------------------------------------------------------------ 5. this month against the one before
def _mid_month(db: DemoDb) -> dt.datetime:
    """Noon in São Paulo of the demo's last month's 18th: the 17th is the last complete day."""
    return dt.datetime.combine(db.as_of.replace(day=18), dt.time(12), ZoneInfo("America/Sao_Paulo"))


def _per_day(db: DemoDb, now: dt.datetime, first: dt.date, last: dt.date) -> dict[str, float]:
    d = _source(db, ACCOUNT, first, last, now)
    spend, leads, n = float(d["spend"].sum()), int(d["leads"].sum()), d["date"].n_unique()
    return {"spend": spend / n, "leads": leads / n, "cpl": spend / leads, "days": n}


def _this_and_last_month(db: DemoDb, now: dt.datetime) -> tuple[dict, dict]:
    """This month through yesterday and the whole month before, per day (`_per_day`)."""
    through = now.date() - DAY
    before_last = through.replace(day=1) - DAY
    return (
        _per_day(db, now, through.replace(day=1), through),
        _per_day(db, now, before_last.replace(day=1), before_last),
    )


@pytest.mark.parametrize(
    ("question", "judged"),
    [
        ("o mes ta melhor que o passado?", "better"),
        ("esse mes ta pior q o anterior?", "worse"),
        ("comparado ao mes anterior como estamos?", None),
        ("gastei mais esse mes ou no passado?", None),
    ],
)
def test_this_month_against_the_one_before(demo_db: DemoDb, question: str, judged: str | None) -> None:
    """Were the month's best campaigns, a prompt to name 2 campaigns, or this month alone. Now this month
    so far against the month before, compared per day (this month is partial), the verdict by the CPL
    first when one is asked."""
    now = _mid_month(demo_db)
    ((intent, lines),) = _thread(demo_db, now, [question])
    assert intent == "performance", lines
    this, before = _this_and_last_month(demo_db, now)
    per_day = [x for x in lines if x.startswith("Como um lado é parcial (")]
    assert per_day, lines
    assert (
        f"gasto por dia {format_money(before['spend'])} contra {format_money(this['spend'])}" in per_day[0]
    ), lines
    if judged is not None:
        worse = this["cpl"] > before["cpl"]
        yes = worse if judged == "worse" else not worse
        assert lines[0].startswith(
            f"{'Sim' if yes else 'Não'}: o CPL em novembro de 2026 até agora é {format_money(this['cpl'])}, "
            f"contra {format_money(before['cpl'])} em outubro de 2026"
        ), lines


# ------------------------------------------------------------ 6. the buyer's own words
def test_one_campaign_cpm_is_said_first(demo_db: DemoDb) -> None:
    """ "qual o cpm da campanha N?" was its card, with no CPM at all. Now its CPM of the 7 days from the
    source first (spend / impressions * 1000, summed here), then its figures and card."""
    last = demo_db.as_of
    first = last - 6 * DAY
    c = _cpms(demo_db, first, last).sort("spend", descending=True).row(0, named=True)
    name = _names(demo_db)[c["campaign_id"]]
    number = re.search(r"Campanha (\d+) ", name).group(1)  # type: ignore[union-attr]
    intent, lines = _one(demo_db, f"qual o cpm da campanha {number}?")
    assert intent == "campaign_details", lines
    assert lines[0] == (
        f"CPM de “{name}” (gasto por mil impressões) nos últimos 7 dias ({_d(first)} a {_d(last)}, 7 dias): "
        f"{format_money(c['cpm'])}."
    ), lines


@pytest.mark.parametrize(
    "question", ["o criativo ta cansado?", "tem fadiga de anuncio?", "o publico ja ta queimado?"]
)
def test_a_tired_creative_is_the_frequency_question(demo_db: DemoDb, question: str) -> None:
    """Were the help menu ("Não entendi") or the underperformers. Now the frequency and saturation answer."""
    intent, lines = _one(demo_db, question)
    assert intent == "frequency", lines
    assert not any(line.startswith("Não entendi") for line in lines), lines
    assert any("frequência de 7 dias até" in line for line in lines), lines


@pytest.mark.parametrize("question", ["cpa", "qual o custo por resultado?", "qual o custo por conversão?"])
def test_the_cpl_by_its_other_names(demo_db: DemoDb, question: str) -> None:
    """Were the help menu. On a lead account the CPA / cost per result is the CPL: its 7 days, summed here."""
    intent, lines = _one(demo_db, question)
    assert intent == "performance", lines
    last = demo_db.as_of
    d = _source(demo_db, ACCOUNT, last - 6 * DAY, last, demo_db.now)
    cpl = float(d["spend"].sum()) / int(d["leads"].sum())
    assert lines[0].startswith(f"CPL da conta: {format_money(cpl)} nos 7 dias até {_d(last)}"), lines


@pytest.mark.parametrize(
    "question", ["qual o gasto diario?", "qual o investimento diário total?", "quanto invisto por dia?"]
)
def test_the_daily_spend_is_per_day(demo_db: DemoDb, question: str) -> None:
    """Were the 7 days' total spend or the help menu. Now the spend per day of the 7 days, summed here."""
    intent, lines = _one(demo_db, question)
    assert intent == "daily_average", lines
    last = demo_db.as_of
    d = _source(demo_db, ACCOUNT, last - 6 * DAY, last, demo_db.now)
    per_day = float(d["spend"].sum()) / d["date"].n_unique()
    assert lines[0].startswith("Média diária nos últimos 7 dias ("), lines
    assert f"{format_money(per_day)} de gasto" in lines[0], lines


# ------------------------------------------------------------ 7. follow-ups and more of the buyer's words
def test_a_weekend_follow_up_swaps_the_figure(demo_db: DemoDb) -> None:
    """ "e o cpl?", "e o ctr?" after "o cpm do fds é mais caro?" repeated the first answer. Now each is the
    weekend against the weekdays by that figure (the CTR: clicks / impressions of each side, summed here)."""
    (_, first), (i2, cpl_lines), (i3, ctr_lines) = _thread(
        demo_db, demo_db.now, ["o cpm do fds é mais caro?", "e o cpl?", "e o ctr?"]
    )
    assert i2 == i3 == "weekday", (cpl_lines, ctr_lines)
    assert "CPL" in cpl_lines[0].split(" nas últimas")[0] and "CPM" not in cpl_lines[0], cpl_lines
    w_first, w_last = _four_weeks(demo_db)
    d = _source(demo_db, ACCOUNT, w_first, w_last, demo_db.now).with_columns(
        end=pl.col("date").dt.weekday() >= 6
    )
    ctr = {
        flag: float(d.filter(pl.col("end") == flag)["clicks"].sum())
        / float(d.filter(pl.col("end") == flag)["impressions"].sum())
        * 100
        for flag in (True, False)
    }
    assert (
        f"({format_pct(ctr[True], 2)})" in ctr_lines[0]
        or f": {format_pct(ctr[True], 2)} contra" in ctr_lines[0]
    ), ctr_lines
    assert ctr_lines[1].startswith(f"- Sábado e domingo: CTR {format_pct(ctr[True], 2)}, "), ctr_lines
    assert first[0] != ctr_lines[0], (first, ctr_lines)


def test_the_other_way_round_follow_up(demo_db: DemoDb) -> None:
    """ "e a mais barata?" after "qual campanha tem o cpm mais caro?" was the help menu. Now the same 7
    days' campaigns by their CPM, the cheapest first."""
    (_, _), (intent, lines) = _thread(
        demo_db, demo_db.now, ["qual campanha tem o cpm mais caro?", "e a mais barata?"]
    )
    assert intent == "cpl_rank", lines
    last = demo_db.as_of
    low = _cpms(demo_db, last - 6 * DAY, last).sort("cpm").row(0, named=True)
    assert lines[0].startswith("A campanha com o menor CPM (gasto por mil impressões) nos últimos 7 dias"), (
        lines
    )
    assert f"({low['campaign_id']}): CPM {format_money(low['cpm'])}, " in lines[0], lines


@pytest.mark.parametrize("dear", [False, True])
def test_the_weekdays_by_cpm(demo_db: DemoDb, dear: bool) -> None:
    """ "qual dia da semana o cpm é mais barato?" ranked the weekdays by their CPL. Now by their CPM."""
    question = f"qual dia da semana o cpm é mais {'caro' if dear else 'barato'}?"
    intent, lines = _one(demo_db, question)
    assert intent == "weekday", lines
    first, last = _four_weeks(demo_db)
    by_day = (
        _source(demo_db, ACCOUNT, first, last, demo_db.now)
        .group_by(pl.col("date").dt.weekday().alias("wd"))
        .agg(pl.col("spend").sum(), pl.col("impressions").sum())
        .with_columns(cpm=pl.col("spend") / pl.col("impressions") * 1000)
        .sort("cpm", descending=dear)
    )
    top = by_day.row(0, named=True)
    head = "Dia da semana com o maior CPM" if dear else "Dia da semana com o menor CPM"
    assert lines[0].startswith(head), lines
    assert f": {WEEKDAYS_PT[top['wd'] - 1]}, CPM {format_money(top['cpm'])}, " in lines[0], lines


@pytest.mark.parametrize(
    ("question", "intent_", "first"),
    [
        ("qual campanha eu corto?", "recommendations", "Pausar: "),
        ("ta valendo a pena investir mais?", "recommendations", None),
        ("melhor horario pra anunciar", "weekday", "Não tenho a hora do dia"),
    ],
)
def test_cut_scale_and_hour_in_other_words(
    demo_db: DemoDb, question: str, intent_: str, first: str | None
) -> None:
    """Were the campaign list, the help menu and the best campaign."""
    intent, lines = _one(demo_db, question)
    assert intent == intent_, lines
    assert not any(line.startswith("Não entendi") for line in lines), lines
    if first:
        assert lines[0].startswith(first), lines
    else:
        assert "escalar" in lines[0], lines


def test_where_are_todays_leads(demo_db: DemoDb) -> None:
    """ "cadê os leads de hoje" was the anomalies, which are found on complete days only (none today).
    Now today's leads so far, summed here."""
    intent, lines = _one(demo_db, "cade os leads de hoje")
    assert intent == "performance", lines
    today = demo_db.now.date()
    d = _source(demo_db, ACCOUNT, today, today, demo_db.now)
    assert lines[0].startswith(f"Hoje, {_d(today)} (parcial: o dia ainda não terminou): "), lines
    assert f"{format_number(int(d['leads'].sum()), 0)} lead" in lines[0], lines


# ------------------------------------------------------------ 8. the months by a figure, a goal's pace
@pytest.mark.parametrize(
    ("question", "key", "most"),
    [("qual mes teve mais leads?", "leads", True), ("em que mes gastei menos?", "spend", False)],
)
def test_the_months_by_a_figure_per_day(demo_db: DemoDb, question: str, key: str, most: bool) -> None:
    """Were the 7 days' top campaigns. Now the months by that figure per day with data (a partial month's
    total is no comparison), summed here."""
    intent, lines = _one(demo_db, question)
    assert intent == "month_rank", lines
    d = _source(demo_db, ACCOUNT, dt.date(2026, 1, 1), demo_db.as_of, demo_db.now)
    months = (
        d.group_by(pl.col("date").dt.truncate("1mo").alias("month"))
        .agg(pl.col(key).sum(), pl.col("date").n_unique().alias("days"))
        .with_columns(per_day=pl.col(key) / pl.col("days"))
        .sort("per_day", descending=most)
    )
    top = months.row(0, named=True)
    value = (
        f"{format_number(top['per_day'], 1)} leads/dia"
        if key == "leads"
        else f"{format_money(top['per_day'])}/dia"
    )
    assert lines[0].startswith("O mês com " + ("mais leads por dia" if most else "menor gasto por dia")), (
        lines
    )
    assert f"): {value} (" in lines[0], lines
    assert f"{top['days']} dias)." in lines[0], lines


def test_a_leads_goal_on_the_pace(demo_db: DemoDb) -> None:
    """ "tô no ritmo pra bater 2000 leads no mês?" was the daily budgets' pacing. Now the goal against the
    month so far (its leads summed here), as "quanto falta pra bater 2000 leads no mês?" answers."""
    intent, lines = _one(demo_db, "to no ritmo pra bater 2000 leads no mes?")
    assert intent == "forecast", lines
    last = demo_db.as_of
    leads = int(_source(demo_db, ACCOUNT, last.replace(day=1), last, demo_db.now)["leads"].sum())
    assert lines[0].startswith(("Sim, ", "Não, ")), lines  # the verdict first
    assert lines[1].startswith(
        f"Para bater 2.000 leads em novembro de 2026 faltam {format_number(2000 - leads, 0)}: o mês soma "
        f"{format_number(leads, 0)} leads ({_d(last.replace(day=1))} a {_d(last)}); são "
    ), lines


def test_a_leads_goal_on_the_first_of_the_month(demo_db: DemoDb) -> None:
    """On a month's 1st the goal asked was not said at all (the 7 days' forecast alone). Now all of it is
    left, and the leads per day it takes over the month's days."""
    now = clock_at(dt.date(2026, 11, 30))  # noon of 1 December: no day of December is complete
    ((intent, lines),) = _thread(demo_db, now, ["quanto falta pra bater 2000 leads no mes?"])
    assert intent == "forecast", lines
    (goal,) = [line for line in lines if line.startswith("Para bater")]
    assert goal.startswith(
        "Para bater 2.000 leads em dezembro de 2026 faltam todos os 2.000: o mês ainda não tem dia "
        f"completo; são {format_number(2000 / 31, 1)} leads por dia nos 31 dias que faltam"
    ), lines


# ------------------------------------------------------------ 9. "mais que" the month, the week, a campaign
@pytest.mark.parametrize(
    ("question", "judged"),
    [
        ("esse mes ta gastando mais que o passado?", None),
        ("quantos leads a mais que mes passado?", None),
        ("o mes ta pior?", "worse"),
    ],
)
def test_more_than_last_month(demo_db: DemoDb, question: str, judged: str | None) -> None:
    """Were a campaign ranking, last month alone and the month's worst campaigns. Now this month so far
    against last month per day (the verdict by the CPL first when judged)."""
    now = _mid_month(demo_db)
    ((intent, lines),) = _thread(demo_db, now, [question])
    assert intent == "performance", lines
    this, before = _this_and_last_month(demo_db, now)
    per_day = [x for x in lines if x.startswith("Como um lado é parcial (")]
    assert per_day and f"leads por dia {format_number(before['leads'], 1)} contra " in per_day[0], lines
    if judged:
        yes = this["cpl"] > before["cpl"]
        assert lines[0].startswith(f"{'Sim' if yes else 'Não'}: o CPL em novembro de 2026 até agora é "), (
            lines
        )


def test_more_than_last_week(demo_db: DemoDb) -> None:
    """ "gastei mais que semana passada?" was last week alone. Now this week's days against the same days
    of last week."""
    intent, lines = _one(demo_db, "gastei mais que semana passada?")
    assert intent == "trends", lines
    assert any(line.startswith("Variação da semana ") for line in lines), lines
    assert not lines[0].startswith("Semana passada, de segunda a domingo"), lines


def test_a_campaign_more_than_another(demo_db: DemoDb) -> None:
    """ "a campanha N gastou mais que a M?" was campaign N's card alone. Now the two compared, the Sim
    first (N spent the most of the 7 days; test_asks41 checks the verdict's figures)."""
    last = demo_db.as_of
    top2 = _cpms(demo_db, last - 6 * DAY, last).sort("spend", descending=True).head(2)
    numbers = [re.search(r"Campanha (\d+) ", _names(demo_db)[c]).group(1) for c in top2["campaign_id"]]  # type: ignore[union-attr]
    intent, lines = _one(demo_db, f"campanha {numbers[0]} gastou mais q a {numbers[1]}?")
    assert intent == "compare", lines
    assert lines[0].startswith("Sim: "), lines
    assert lines[1] == "Comparação (7 dias):", lines
    for cid in top2["campaign_id"]:
        assert any(f"({cid}): " in line for line in lines), lines


# ------------------------------------------------------------ 10. a CTR limit, "q faço", "tx"
@pytest.mark.parametrize(
    ("question", "above", "limit"),
    [
        ("alguma campanha com ctr abaixo de 1%?", False, 1.0),
        ("quais campanhas tem ctr acima de 2%?", True, 2.0),
    ],
)
def test_the_campaigns_past_a_ctr_limit(demo_db: DemoDb, question: str, above: bool, limit: float) -> None:
    """Were the account's CTR. Now the campaigns whose 7-day CTR is past the limit (clicks / impressions,
    summed here), or none said with the nearest one."""
    intent, lines = _one(demo_db, question)
    assert intent == "cpl_rank", lines
    last = demo_db.as_of
    c = (
        _source(demo_db, ACCOUNT, last - 6 * DAY, last, demo_db.now)
        .group_by("campaign_id")
        .agg(pl.col("clicks").sum(), pl.col("impressions").sum())
        .filter(pl.col("impressions") > 0)
        .with_columns(ctr=(pl.col("clicks") / pl.col("impressions") * 100).round(2))
    )
    past = c.filter(pl.col("ctr") > limit if above else pl.col("ctr") < limit)
    side = "acima" if above else "abaixo"
    if past.height:
        n = past.height
        assert lines[0] == (
            f"{n} campanha{'s' if n != 1 else ''} com CTR {side} de {format_pct(limit, 2)} nos 7 dias até "
            f"{_d(last)}:"
        ), lines
        for cid in past["campaign_id"]:
            assert any(line.startswith("- ") and f"({cid}): CTR " in line for line in lines), lines
    else:
        assert lines[0].startswith(
            f"Nenhuma campanha com CTR {side} de {format_pct(limit, 2)} nos 7 dias até "
        ), lines


@pytest.mark.parametrize(
    ("question", "intent_"),
    [("lead ta caro demais, q faço", "recommendations"), ("tx de conversao", "performance")],
)
def test_short_words_are_read(demo_db: DemoDb, question: str, intent_: str) -> None:
    """ "q faço" and "tx" were the help menu."""
    intent, lines = _one(demo_db, question)
    assert intent == intent_, lines
    assert not any(line.startswith("Não entendi") for line in lines), lines
    if intent_ == "performance":
        assert lines[0].startswith("Taxa de conversão da conta (leads / cliques) nos últimos 7 dias ("), lines


# ------------------------------------------------------------ 11. the least spent
def test_the_least_spent_and_the_other_way(demo_db: DemoDb) -> None:
    """ "qual campanha gastou menos semana passada?" was the account's figures of last week, and "e a que
    menos gastou?" after the most spent the help menu. Now the campaigns that spent, least first."""
    last = demo_db.as_of  # a Sunday: last week is the 7 days up to it
    first = last - 6 * DAY
    least = (
        _source(demo_db, ACCOUNT, first, last, demo_db.now)
        .group_by("campaign_id")
        .agg(pl.col("spend").sum())
        .filter(pl.col("spend") > 0)
        .sort(["spend", "campaign_id"])
        .row(0, named=True)
    )
    head = (
        "A campanha que menos gastou (entre as que gastaram) na semana passada, de segunda a domingo "
        f"({_d(first)}"
    )
    intent, lines = _one(demo_db, "qual campanha gastou menos semana passada?")
    assert intent == "list_campaigns", lines
    assert lines[0].startswith(head), lines
    assert f"({least['campaign_id']}): {format_money(least['spend'])} gastos" in lines[0], lines
    (_, _), (intent, lines) = _thread(
        demo_db, demo_db.now, ["qual a campanha q mais gastou semana passada", "e a que menos gastou?"]
    )
    assert intent == "list_campaigns", lines
    assert lines[0].startswith(head), lines


@pytest.mark.parametrize(("question", "day"), [("sabado vale a pena?", 5), ("domingo compensa?", 6)])
def test_a_weekday_worth_it(demo_db: DemoDb, question: str, day: int) -> None:
    """Was the active recommendations. Now that weekday's place by CPL among the 4 full weeks' weekdays."""
    intent, lines = _one(demo_db, question)
    assert intent == "weekday", lines
    assert f"pelo CPL, {WEEKDAYS_PT[day]} é o " in lines[0], lines
