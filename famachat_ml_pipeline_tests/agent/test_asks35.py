"""The eighteenth buyer review (agent38): "tá entregando?" (the help menu), "de seg a sex semana passada"
(the whole week), "por que o cpl subiu hoje?" (the 7 days), "qual campanha mais cresceu esse mês?" (the
account's CPL trend), "o mês passado foi melhor que o anterior?" (last month's best campaigns), "qual o ctr
da campanha 4 ontem?" (no CTR), "o fds foi bom?" (no verdict) and "até o fim do mês" on a month's 1st
(the stored forecast's 6 days only). Figures from the cleaned source and the stored forecast, read here on
their own. SQLite only: the answers add no SQL of their own (the source's read is the one every answer
shares, tested on both backends elsewhere)."""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
import pytest

from famachat_ml_pipeline.core.recommendations import format_money, format_number, format_pct
from famachat_ml_pipeline.core.recommendations.text_ptbr import WEEKDAYS_PT
from famachat_ml_pipeline.db.agent_queries import read_latest_predictions
from famachat_ml_pipeline_tests.agent.conftest import DemoDb, clock_at, leads_of
from famachat_ml_pipeline_tests.agent.test_asks32 import _one
from famachat_ml_pipeline_tests.agent.test_offline_asks8 import _d
from famachat_ml_pipeline_tests.agent.test_offline_asks14 import _source
from famachat_ml_pipeline_tests.agent.test_offline_followups import ACCOUNT, _thread

# the demo built once for the session, its SQLite side only
pytestmark = pytest.mark.timeout(600)

DAY = dt.timedelta(days=1)


def _asked(db: DemoDb, now: dt.datetime, question: str) -> tuple[str, list[str]]:
    ((intent, lines),) = _thread(db, now, [question])
    return intent, lines


def _signed(pct: float) -> str:
    return ("+" if round(pct) > 0 else "-" if round(pct) < 0 else "") + format_pct(abs(pct))


def _names(db: DemoDb) -> dict[str, str]:
    return {r["campaign_id"]: r["name"] for r in db.data.campaigns.iter_rows(named=True)}


# ------------------------------------------------------------ 1. "tá entregando?"
@pytest.mark.parametrize(
    "question", ["tá entregando?", "as campanhas estão rodando?", "a conta ta entregando?"]
)
def test_delivering_is_the_last_days_delivery(demo_db: DemoDb, question: str) -> None:
    """Was the help menu (the summary for "a conta"). Now whether the account delivered (spend or
    impressions) on the last complete day, each campaign that did, and the active ones that did not."""
    intent, lines = _one(demo_db, question)
    assert intent == "list_campaigns", lines
    day = demo_db.as_of
    d = (
        _source(demo_db, ACCOUNT, day, day, demo_db.now)
        .filter(pl.col("date") == day)
        .group_by("campaign_id")
        .agg(pl.col("spend").sum(), pl.col("impressions").sum())
        .filter((pl.col("spend") > 0) | (pl.col("impressions") > 0))
    )
    c = demo_db.data.campaigns.filter(pl.col("config_id") == ACCOUNT)
    active = c.filter((pl.col("status") == "ACTIVE") & (pl.col("effective_status") == "ACTIVE"))
    spent = set(d.filter(pl.col("spend") > 0)["campaign_id"])
    stopped = [x for x in active["campaign_id"] if x not in spent]
    head = "Sim" if not stopped else "Sim, mas não todas"
    assert lines[0] == (
        f"{head}: a conta entregou em {_d(day)}, o último dia completo: "
        f"{format_money(float(d['spend'].sum()))} de gasto e {format_number(int(d['impressions'].sum()), 0)} "
        f"impressões em {d.height} campanhas:"
    ), lines
    for r in d.iter_rows(named=True):
        assert any(
            x.startswith(f"- “{_names(demo_db)[r['campaign_id']]}” ({r['campaign_id']}): ")
            and x.endswith(f"{format_number(r['impressions'], 0)} impressões")
            for x in lines
        ), lines
    if stopped:
        word = "parou" if len(stopped) == 1 else "pararam"
        assert f"{len(stopped)} de {active.height} campanhas ativas {word} de entregar:" in lines, lines
        for cid in stopped:
            assert any(x.startswith("- ") and f"({cid}): sem gasto" in x for x in lines), lines


# ------------------------------------------------------------ 2. Monday to Friday of last week
@pytest.mark.parametrize(
    "question",
    ["quanto gastei de seg a sex semana passada?", "quanto gastei de segunda a sexta da semana passada?"],
)
@pytest.mark.parametrize(
    "back", [0, 2]
)  # today Monday 30/11; Saturday 28/11 (its latest Friday is this week's)
def test_monday_to_friday_of_last_week(demo_db: DemoDb, question: str, back: int) -> None:
    """Was the whole of last week ("seg a sex" not read), or on a Saturday this week's Monday to Friday.
    Now Monday to Friday of last calendar week, summed here."""
    now = clock_at(demo_db.as_of - back * DAY)
    intent, lines = _asked(demo_db, now, question)
    assert intent == "performance", lines
    today = now.date()
    first = today - dt.timedelta(days=today.weekday() + 7)
    last = first + 4 * DAY
    d = _source(demo_db, ACCOUNT, first, last, now)
    assert lines[0].startswith(
        f"Semana passada, de segunda a sexta ({_d(first)} a {_d(last)}, 5 dias): "
        f"{format_money(float(d['spend'].sum()))} investidos, {leads_of(int(d['leads'].sum()))}"
    ), lines


# ------------------------------------------------------------ 3. today's CPL against the usual
def _today(db: DemoDb) -> tuple[dict, dict, pl.DataFrame]:
    """Today's spend and leads so far, the 28 days before it, and each campaign's effect on the account's
    CPL with the usual scaled to today's spend (they sum to CPL today - CPL usual)."""
    today = db.now.date()
    d = _source(db, ACCOUNT, today - 28 * DAY, today, db.now).with_columns(now=pl.col("date") == today)
    side = {
        k: {"spend": float(w["spend"].sum()), "leads": int(w["leads"].sum())}
        for k, w in (("now", d.filter(pl.col("now"))), ("usual", d.filter(~pl.col("now"))))
    }
    s1, l1 = side["now"]["spend"], side["now"]["leads"]
    s0, l0 = side["usual"]["spend"], side["usual"]["leads"]
    k, cpl0 = s1 / s0, s0 / l0
    by = d.group_by("campaign_id").agg(
        a=pl.col("spend").filter(pl.col("now")).sum(),
        b=pl.col("leads").filter(pl.col("now")).sum(),
        c=pl.col("spend").filter(~pl.col("now")).sum(),
        e=pl.col("leads").filter(~pl.col("now")).sum(),
    )
    by = by.with_columns(
        effect=((pl.col("a") - k * pl.col("c")) - cpl0 * (pl.col("b") - k * pl.col("e"))) / l1
    )
    return side["now"], side["usual"], by


@pytest.mark.parametrize(
    ("question", "up"), [("por que o cpl subiu hoje?", True), ("pq o cpl caiu hj?", False)]
)
def test_why_todays_cpl_moved(demo_db: DemoDb, question: str, up: bool) -> None:
    """Was the 7 days' anomalies and CPL trend. Now today's CPL so far against the 28 days before it, Sim/Não
    to the move asked, the spend and leads said partial, the factors, and the campaigns that moved it most
    (their effects add up to the move)."""
    intent, lines = _one(demo_db, question)
    assert intent == "anomalies", lines
    now, usual, by = _today(demo_db)
    cpl1, cpl0 = now["spend"] / now["leads"], usual["spend"] / usual["leads"]
    assert abs(float(by["effect"].sum()) - (cpl1 - cpl0)) < 1e-6  # the decomposition is exact
    gap = (cpl1 - cpl0) / cpl0 * 100
    today = demo_db.now.date()
    when = f"hoje, {_d(today)} ({WEEKDAYS_PT[today.weekday()]}, parcial: o dia ainda não terminou)"
    figures = (
        f"até agora {format_money(cpl1)} ({format_money(now['spend'])} gastos, {leads_of(now['leads'])}), "
        f"contra {format_money(cpl0)} no normal dos 28 dias anteriores ({_d(today - 28 * DAY)} a "
        f"{_d(today - DAY)}), {_signed(gap)}."
    )
    assert abs(gap) >= 5, gap  # the demo's today moved: the verdict is said
    verdict = "Sim" if (gap > 0) == up else "Não"
    assert lines[0] == f"{verdict}: o CPL da conta {'subiu' if gap > 0 else 'caiu'} {when}: {figures}", lines
    assert lines[1].startswith(
        f"Gasto e leads: hoje, até agora, {format_money(now['spend'])} e {leads_of(now['leads'])}; nos 28 "
        f"dias anteriores, em média {format_money(usual['spend'] / 28)} e "
        f"{format_number(usual['leads'] / 28, 1)} leads por dia."
    ), lines
    assert lines[2].startswith(f"Por que o CPL mudou ({_signed(gap)} hoje, {_d(today)}): "), lines
    top = by.sort("effect", descending=gap > 0).row(0, named=True)
    moved = "subiram" if gap > 0 else "baixaram"
    assert lines[3] == f"Campanhas que mais {moved} o CPL da conta hoje (contra os 28 dias anteriores):", (
        lines
    )
    assert lines[4].startswith(f"- “{_names(demo_db)[top['campaign_id']]}” ({top['campaign_id']}): "), lines
    assert lines[4].endswith(f"{format_money(abs(top['effect']))} no CPL da conta."), lines


# ------------------------------------------------------------ 4. the campaigns that grew most this month
@pytest.mark.parametrize(
    ("question", "figure"),
    [
        ("qual campanha mais cresceu esse mês?", "leads"),
        ("quais campanhas cresceram mais no mes?", "leads"),
        ("qual campanha mais cresceu em gasto esse mes?", "spend"),
    ],
)
def test_the_campaign_that_grew_most_this_month(demo_db: DemoDb, question: str, figure: str) -> None:
    """Was the account's CPL trend ("Sim: o CPL da conta está subindo"). Now the campaigns by their gain in
    leads per day (spend when named) in November so far against October, each over its days with data."""
    intent, lines = _one(demo_db, question)
    assert intent == "trends", lines
    last = demo_db.as_of
    nov, octo = last.replace(day=1), dt.date(2026, 10, 1)
    d = _source(demo_db, ACCOUNT, octo, last, demo_db.now).with_columns(now=pl.col("date") >= nov)
    n_now = d.filter(pl.col("now"))["date"].n_unique()
    n_before = d.filter(~pl.col("now"))["date"].n_unique()
    by = (
        d.group_by("campaign_id")
        .agg(a=pl.col(figure).filter(pl.col("now")).sum(), b=pl.col(figure).filter(~pl.col("now")).sum())
        .with_columns(a=pl.col("a") / n_now, b=pl.col("b") / n_before)
        .with_columns(gain=pl.col("a") - pl.col("b"))
        .sort(["gain", "campaign_id"], descending=[True, False])
    )
    top = by.row(0, named=True)
    assert top["gain"] > 0
    name = "gasto por dia" if figure == "spend" else "leads por dia"
    value = (
        (lambda v: f"{format_money(v)}/dia")
        if figure == "spend"
        else (lambda v: f"{format_number(v, 1)} leads/dia")
    )
    assert lines[0].startswith(
        f"A campanha que mais cresceu em {name} em novembro de 2026 ({_d(nov)} a {_d(last)}, {n_now} dias) "
        f"contra outubro de 2026 ({_d(octo)} a {_d(dt.date(2026, 10, 31))}, {n_before} dias): "
        f"“{_names(demo_db)[top['campaign_id']]}” ({top['campaign_id']}): {value(top['a'])} contra "
        f"{value(top['b'])}"
    ), lines
    assert lines[-1] == (
        f"Comparo {name} (cada mês dividido pelos seus dias com dados, {n_now} contra {n_before}), não os "
        "totais."
    ), lines


# ------------------------------------------------------------ 5. last month against the one before
@pytest.mark.parametrize(
    ("question", "worse"),
    [("o mês passado foi melhor que o anterior?", False), ("o mes passado foi pior que o retrasado?", True)],
)
@pytest.mark.parametrize("first_of_december", [False, True])
def test_last_month_against_the_one_before(
    demo_db: DemoDb, question: str, worse: bool, first_of_december: bool
) -> None:
    """Was last month's best campaigns. Now last month against the month before it, the verdict by the CPL
    first, compared per day when a side is partial (September begins with the data) or the months differ in
    length (on 1 December: November's 30 days against October's 31)."""
    now = clock_at(dt.date(2026, 11, 30)) if first_of_december else demo_db.now
    intent, lines = _asked(demo_db, now, question)
    assert intent == "performance", lines
    if first_of_december:
        (old, old_label), (new, new_label) = (
            (dt.date(2026, 10, 1), "outubro"),
            (dt.date(2026, 11, 1), "novembro"),
        )
    else:
        (old, old_label), (new, new_label) = (
            (dt.date(2026, 9, 1), "setembro"),
            (dt.date(2026, 10, 1), "outubro"),
        )
    sides = []
    for first in (old, new):
        last = (first + 32 * DAY).replace(day=1) - DAY
        d = _source(demo_db, ACCOUNT, first, last, now)
        spend, leads, n = float(d["spend"].sum()), int(d["leads"].sum()), d["date"].n_unique()
        sides.append({"spend": spend, "leads": leads, "cpl": spend / leads, "days": n})
    a, b = sides
    went_worse = b["cpl"] > a["cpl"]
    assert lines[0].startswith(
        f"{'Sim' if went_worse == worse else 'Não'}: o CPL em {new_label} de 2026 foi "
        f"{format_money(b['cpl'])}, contra {format_money(a['cpl'])} em {old_label} de 2026"
    ), lines
    why = "os períodos têm tamanhos diferentes" if first_of_december else "um lado é parcial"
    per_day = [x for x in lines if x.startswith("Como ")]
    assert per_day and per_day[0].startswith(
        f"Como {why} ({a['days']} contra {b['days']} dias com dados), comparo por dia, não pelos totais. De "
        f"{old_label} de 2026 para {new_label} de 2026: gasto por dia {format_money(a['spend'] / a['days'])} "
        f"contra {format_money(b['spend'] / b['days'])}"
    ), lines


# ------------------------------------------------------------ 6. one campaign's CTR on a day
@pytest.mark.parametrize(
    ("question", "back"), [("qual o ctr da campanha 4 ontem?", 0), ("ctr da campanha 4 anteontem", 1)]
)
def test_one_campaigns_ctr_on_a_day(demo_db: DemoDb, question: str, back: int) -> None:
    """Was that day's spend, leads and CPL, with no CTR. Now its CTR that day first (clicks / impressions of
    the source, summed here); account 1 has the Campanha 4."""
    intent, lines = _one(demo_db, question, account=1)
    assert intent == "campaign_details", lines
    (cid,) = [c for c, n in _names(demo_db).items() if re.search(r"\bCampanha 4 ", n or "")]
    day = demo_db.as_of - back * DAY
    d = _source(demo_db, 1, day, day, demo_db.now).filter(pl.col("campaign_id") == cid)
    ctr = int(d["clicks"].sum()) / int(d["impressions"].sum()) * 100
    assert lines[0] == (
        f"CTR de “{_names(demo_db)[cid]}” (cliques / impressões) em {_d(day)}: {format_pct(ctr, 2)}."
    ), lines


def weekend_verdict(db: DemoDb, now: dt.datetime, sunday: dt.date, asked_good: bool | None) -> str:
    """The first line expected for last weekend (Saturday, `sunday`) judged against the 4 weekends before:
    Sim/Não to the side asked (`asked_good`), "Bom"/"Fraco" when none is (None); "Em parte", "Na média"."""
    saturday = sunday - DAY
    d = _source(db, ACCOUNT, sunday - 34 * DAY, sunday, now).filter(pl.col("date").dt.weekday() >= 6)
    sides = {}
    for key, w in (
        ("last", d.filter(pl.col("date") >= saturday)),
        ("usual", d.filter(pl.col("date") < saturday)),
    ):
        spend, leads, n = float(w["spend"].sum()), int(w["leads"].sum()), w["date"].n_unique()
        sides[key] = {
            "cpl": spend / leads,
            "day": leads / n,
            "first": w["date"].min(),
            "last": w["date"].max(),
        }
    last, usual = sides["last"], sides["usual"]
    cpl_gap = (last["cpl"] - usual["cpl"]) / usual["cpl"] * 100
    leads_gap = (last["day"] - usual["day"]) / usual["day"] * 100
    cheaper, dearer, more, fewer = cpl_gap <= -5, cpl_gap >= 5, leads_gap >= 10, leads_gap <= -10
    good = (cheaper and not fewer) or (more and not dearer)
    weak = (dearer and not more) or (fewer and not cheaper)
    who = f"o fim de semana ({_d(saturday)} a {_d(sunday)})"
    if good == weak:
        mixed = (cheaper or more) and (dearer or fewer)
        better = "lead mais barato, mas menos leads" if cheaper else "mais leads, mas lead mais caro"
        head = f"Em parte: {who} teve {better}" if mixed else f"Na média: {who} ficou perto do normal"
    else:
        word = "melhor" if good else "mais fraco"
        said = (
            ("Bom" if good else "Fraco") if asked_good is None else ("Sim" if good == asked_good else "Não")
        )
        head = f"{said}: {who} foi {word} que o normal"
    return (
        f"{head}: CPL {format_money(last['cpl'])} contra {format_money(usual['cpl'])} ({_signed(cpl_gap)}) e "
        f"{format_number(last['day'], 1)} leads por dia contra {format_number(usual['day'], 1)} "
        f"({_signed(leads_gap)}), "
        f"nos 4 fins de semana anteriores ({_d(usual['first'])} a {_d(usual['last'])})."
    )


# ------------------------------------------------------------ 7. last weekend judged
@pytest.mark.parametrize(
    ("question", "asked_good"),
    [("o fds foi bom?", True), ("o fim de semana foi ruim?", False), ("o fds passado foi pior?", False)],
)
@pytest.mark.parametrize("back", [0, 7, 14])  # the weekends of 29/11, 22/11 and 15/11
def test_last_weekend_judged(demo_db: DemoDb, question: str, asked_good: bool, back: int) -> None:
    """Was its figures alone (the underperformers for "foi ruim?"). Now a verdict: last Saturday and Sunday
    against the 4 weekends before them by the CPL and the leads per day (good: a lead 5% cheaper without
    10% fewer leads a day, or 10% more at no dearer lead), then its figures."""
    now = clock_at(demo_db.as_of - back * DAY)
    intent, lines = _asked(demo_db, now, question)
    assert intent == "performance", lines
    sunday = demo_db.as_of - back * DAY
    saturday = sunday - DAY
    assert lines[0] == weekend_verdict(demo_db, now, sunday, asked_good), lines
    assert lines[1].startswith(
        f"Fim de semana, sábado e domingo ({_d(saturday)} a {_d(sunday)}, 2 dias): "
    ), lines


# ------------------------------------------------------------ 8. "até o fim do mês" on a month's 1st
@pytest.mark.parametrize(
    ("question", "leads_first"),
    [("quantos leads vou ter até o fim do mês?", True), ("quanto vou gastar até o fim do mes?", False)],
)
def test_to_the_months_end_on_the_first_runs_to_its_last_day(
    demo_db: DemoDb, question: str, leads_first: bool
) -> None:
    """On 1 December the answer was the stored forecast's days alone ("Até o fim do mês (01/12/2026 a
    06/12/2026)"). Now December to the 31st: the stored forecast (summed here from the stored predictions)
    plus its spend and leads per day over the days after it, said as an extrapolation."""
    now = clock_at(dt.date(2026, 11, 30))
    intent, lines = _asked(demo_db, now, question)
    assert intent == "forecast", lines
    first, end = dt.date(2026, 12, 1), dt.date(2026, 12, 31)
    campaigns = sorted(demo_db.data.campaigns.filter(pl.col("config_id") == ACCOUNT)["campaign_id"])
    sums, covered = {"spend": 0.0, "leads": 0.0}, set()
    for r in read_latest_predictions(demo_db.engine, ACCOUNT, campaigns):
        for p in r["predictions"] if r["target_metric"] in sums else []:
            if first.isoformat() <= p["date"][:10] <= end.isoformat():
                covered.add(p["date"][:10])
                sums[r["target_metric"]] += float(p["predicted"] or 0.0)
    last = dt.date.fromisoformat(max(covered))
    n, rest = (last - first).days + 1, (end - last).days
    assert rest > 0, last  # the stored forecast ends before December does
    # the forecast's totals as the answer shows them (leads with 1 decimal, money in cents)
    ahead = {"spend": round(sums["spend"], 2), "leads": round(sums["leads"], 1)}
    spend_day, leads_day = ahead["spend"] / n, ahead["leads"] / n
    leads_line = (
        "Dezembro de 2026 deve fechar com cerca de "
        f"{format_number(ahead['leads'] + leads_day * rest, 0)} leads até 31/12/2026: "
        f"{format_number(ahead['leads'], 0)} previstos pelo pipeline ({_d(first)} a {_d(last)}) + "
        f"{format_number(leads_day * rest, 0)} nos {rest} dias seguintes ({_d(last + DAY)} a 31/12/2026), "
        f"no ritmo da previsão ({format_number(leads_day, 1)} por dia)."
    )
    spend_line = (
        "Dezembro de 2026 deve fechar em cerca de "
        f"{format_money(ahead['spend'] + spend_day * rest)} de gasto até 31/12/2026: "
        f"{format_money(ahead['spend'])} previstos pelo pipeline ({_d(first)} a {_d(last)}) + "
        f"{format_money(spend_day * rest)} nos {rest} dias seguintes ({_d(last + DAY)} a 31/12/2026), no "
        f"ritmo da previsão ({format_money(spend_day)} por dia)."
    )
    assert lines[:2] == ([leads_line, spend_line] if leads_first else [spend_line, leads_line]), lines
    assert lines[2].startswith(f"A previsão guardada cobre só até {_d(last)}; o mês vai até 31/12/2026: "), (
        lines
    )
    assert "uma extrapolação, não uma previsão do pipeline" in lines[2], lines
    assert not any(x.startswith("Até o fim do mês (") for x in lines), lines
