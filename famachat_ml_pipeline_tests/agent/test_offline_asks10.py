"""Offline answers to a buyer's chat review (agent14's weak turns): a pronoun for the campaign named last
("pq o cpl dela subiu?"), two periods compared, a budget scaled by a percentage, a paused campaign's
reactivation.

Every figure is computed here from the cleaned source (or the stored forecasts) on its own, for fixed
clocks, so the suite holds on any weekday."""

from __future__ import annotations

import datetime as dt

import pytest

from famachat_ml_pipeline.core.recommendations import format_money, format_number, format_pct
from famachat_ml_pipeline_tests.agent.conftest import DemoDb, cleaned_daily, leads_of
from famachat_ml_pipeline_tests.agent.test_offline_asks7 import WEEKDAYS, _clock, _figures
from famachat_ml_pipeline_tests.agent.test_offline_asks8 import _d
from famachat_ml_pipeline_tests.agent.test_offline_followups import ACCOUNT, _last_weeks, _spenders, _thread

pytestmark = pytest.mark.timeout(1200)


# ------------------------------------------------------------ 1. "dela", "nessa campanha": the last campaign
def _cpl_rose(db: DemoDb, now: dt.datetime) -> tuple[int, str, str, str]:
    """(number, id, name, the CPL's change written) of the first campaign whose CPL rose clearly over the
    7 days before `now` against the 7 before them."""
    last = now.date() - dt.timedelta(days=1)
    for n, cid, name in _spenders(db, now, []):
        f = _figures(db, ACCOUNT, last - dt.timedelta(days=6), last, cid)
        f0 = _figures(db, ACCOUNT, last - dt.timedelta(days=13), last - dt.timedelta(days=7), cid)
        if f["cpl"] and f0["cpl"] and f["cpl"] >= f0["cpl"] * 1.05:  # a clear rise, no rounding to 0%
            return n, cid, name, format_pct((f["cpl"] - f0["cpl"]) / f0["cpl"] * 100, 0)
    raise AssertionError("a campaign's CPL rose in the demo")


@pytest.mark.parametrize("why", ["pq o cpl dela subiu?", "por que o cpl subiu nessa campanha?"])
def test_a_pronoun_asks_about_the_campaign_named_last(demo_db: DemoDb, why: str) -> None:
    """ "pq o cpl dela subiu?" after a question naming a campaign: that campaign's CPL factors first, not
    the account's; "e ela, tá gastando muito?" then that campaign's 7 days, and "e dela ontem?" its day."""
    now = demo_db.now
    last = now.date() - dt.timedelta(days=1)
    n, cid, name, change = _cpl_rose(demo_db, now)
    answers = _thread(
        demo_db,
        now,
        [f"quantos leads a campanha {n} fez ontem?", why, "e ela, tá gastando muito?", "e dela ontem?"],
    )
    (intent, lines) = answers[1]
    assert intent == "campaign_details"
    assert lines[0].startswith(f"Por que o CPL mudou (+{change} em 7 dias): "), lines[0]  # a rise, signed
    assert f"“{name}”" in lines[1], lines[1]
    week = _figures(demo_db, ACCOUNT, last - dt.timedelta(days=6), last, cid)
    (intent, lines) = answers[2]
    assert intent == "campaign_details"
    assert lines[0].startswith(f"“{name}” ({cid}), status "), lines[0]
    assert lines[1].startswith(
        f"7 dias até {_d(last)}: {format_money(week['spend'])} gastos, {leads_of(int(week['leads']))}, "
    ), lines[1]
    day = _figures(demo_db, ACCOUNT, last, last, cid)
    assert any(
        line.startswith(f"Em {_d(last)}, “{name}”: ") and format_money(day["spend"]) in line
        for line in answers[3][1][:2]
    ), answers[3][1][:2]


@pytest.mark.parametrize("weekday", WEEKDAYS[:2])
def test_a_pronoun_after_a_comparison_names_no_one_campaign(demo_db: DemoDb, weekday: int) -> None:
    """ "dela" after two campaigns compared is neither: not read as the first of them."""
    now = _clock(demo_db, weekday)
    (n, _, _), (m, _, _), *_ = _spenders(demo_db, now, [])
    _, (intent, _) = _thread(demo_db, now, [f"compara a {n} com a {m}", "pq o cpl dela subiu?"])
    assert intent != "campaign_details"


# ------------------------------------------------------------------------------ 2. two periods compared
def _change(new: float | None, old: float | None) -> str:
    return "-" if new is None or not old else _signed_pct((new - old) / old * 100)


def _signed_pct(v: float) -> str:
    text = format_pct(v, 0)
    return text if text.startswith("-") else f"+{text}"


def _side(label: str, f: dict, first: dt.date, last: dt.date, note: str = "") -> str:
    """A period's line, written here: its label, days (a partial note), spend, leads, CPL, CTR."""
    cpl = format_money(f["cpl"]) if f["cpl"] is not None else "sem leads"
    days = (last - first).days + 1
    return (
        f"{label} ({_d(first)} a {_d(last)}, {days} dias{note}): {format_money(f['spend'])} investidos, "
        f"{leads_of(int(f['leads']))}, CPL {cpl}"
    )


@pytest.mark.parametrize("weekday", WEEKDAYS)
@pytest.mark.parametrize(
    "ask", ["semana passada vs retrasada", "como foi a semana passada comparado com a retrasada?"]
)
def test_last_week_against_the_week_before(demo_db: DemoDb, weekday: int, ask: str) -> None:
    """The changes first (agent42: were last), then both calendar weeks, Monday to Sunday, from the source,
    older first."""
    now = _clock(demo_db, weekday)
    weeks = _last_weeks(now)
    ((intent, lines),) = _thread(demo_db, now, [ask])
    assert intent == "performance"
    old, new = (_figures(demo_db, ACCOUNT, a, b) for a, b in weeks)
    for line, label, f, (a, b) in zip(
        lines[1:], ("Semana retrasada", "Semana passada"), (old, new), weeks, strict=False
    ):
        assert line.startswith(_side(f"{label}, de segunda a domingo", f, a, b)), line
    assert lines[0] == (
        f"Variação de semana retrasada para semana passada: gasto {_change(new['spend'], old['spend'])}, "
        f"leads {_change(new['leads'], old['leads'])}, CPL {_change(new['cpl'], old['cpl'])}."
    ), lines[0]


@pytest.mark.parametrize("ask", ["compara mês passado com esse mês", "{last} vs {this}"])
def test_last_month_against_this_partial_month(demo_db: DemoDb, ask: str) -> None:
    """The spend per day and the changes first (agent42), then last month whole and this month so far
    (said partial)."""
    from famachat_ml_pipeline_tests.agent.test_offline_asks9 import MONTHS, _mid_month_clock

    now = _mid_month_clock(demo_db)
    through = now.date() - dt.timedelta(days=1)
    first = through.replace(day=1)
    last_month = ((first - dt.timedelta(days=1)).replace(day=1), first - dt.timedelta(days=1))
    question = ask.format(last=MONTHS[last_month[0].month - 1], this=MONTHS[first.month - 1])
    ((intent, lines),) = _thread(demo_db, now, [question])
    assert intent == "performance"
    old, new = _figures(demo_db, ACCOUNT, *last_month), _figures(demo_db, ACCOUNT, first, through)
    month_end = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    assert lines[1].startswith(
        _side(f"{MONTHS[last_month[0].month - 1].capitalize()} de {last_month[0].year}", old, *last_month)
    ), lines[1]
    note = f"; parcial: o período vai até {_d(month_end)}"
    assert lines[2].startswith(
        _side(f"{MONTHS[first.month - 1].capitalize()} de {first.year}", new, first, through, note)
    ), lines[2]
    # a partial side: no raw % of the totals (agent36), the spend and leads per day and the CPL's change
    days = [(b - a).days + 1 for a, b in (last_month, (first, through))]
    spend_day = [f["spend"] / n for f, n in zip((old, new), days, strict=True)]
    leads_day = [f["leads"] / n for f, n in zip((old, new), days, strict=True)]
    assert lines[0].startswith(
        f"Como um lado é parcial ({days[0]} contra {days[1]} dias com dados), comparo por dia, não pelos "
        f"totais. De "
    ), lines[0]
    assert lines[0].endswith(
        f"gasto por dia {format_money(spend_day[0])} contra {format_money(spend_day[1])} "
        f"({_change(spend_day[1], spend_day[0]).replace('+0%', '0%')}), leads por dia "
        f"{format_number(leads_day[0], 1)} contra {format_number(leads_day[1], 1)} "
        f"({_change(leads_day[1], leads_day[0]).replace('+0%', '0%')}), "
        f"CPL {_change(new['cpl'], old['cpl']).replace('+0%', '0%')}."
    ), lines[0]
    assert not any(line.startswith("Variação de") for line in lines), lines


# ------------------------------------------------------------------- 3. a budget scaled by a percentage
def _stored_leads(db: DemoDb) -> float:
    """The account's leads of the latest stored forecast: the sum of every campaign's `predicted`."""
    from famachat_ml_pipeline.agent.tools import ToolContext
    from famachat_ml_pipeline_tests.agent.test_fast_reads import ref_latest_forecasts

    rows = ref_latest_forecasts(ToolContext(db.engine, ACCOUNT, now=db.now))
    return sum(p["predicted"] for r in rows if r["target_metric"] == "leads" for p in r["predictions"])


def _scaled(value: str, pct: int) -> str:
    from famachat_ml_pipeline.agent.intents_numbers import parse_number
    from famachat_ml_pipeline.core.recommendations import format_number

    return format_number(parse_number(value) * (1 + pct / 100), 1)


def test_a_budget_increase_says_the_forecast_is_at_the_current_budget(demo_db: DemoDb) -> None:
    """ "se eu aumentar 20% o orçamento da campanha N, quantos leads vou ter?" then "e se for 50%?": the
    forecast at the current budget first (the same figure the plain forecast gives), then the scaled
    figure as arithmetic at a constant CPL, and the CPL's rise when scaling; the whole account's from the
    stored forecast."""
    from famachat_ml_pipeline.core.recommendations import format_number

    # one that spent on its last 3 days: a stopped one is forecast nothing (the idle rule), said as such
    recent = [demo_db.as_of - dt.timedelta(days=k) for k in range(3)]
    (n, _, name), *_ = _spenders(demo_db, demo_db.now, recent)
    plain, scaled, again = _thread(
        demo_db,
        demo_db.now,
        [
            f"quantos leads a campanha {n} vai gerar na próxima semana?",
            f"se eu aumentar 20% o orçamento da campanha {n}, quantos leads vou ter?",
            "e se for 50%?",
        ],
    )
    value = plain[1][0].split(": ", 1)[1].split(" leads", 1)[0]  # "17,4"
    for (intent, lines), pct in ((scaled, 20), (again, 50)):
        assert intent == "forecast"
        assert lines[0].startswith(f"A previsão do pipeline para “{name}” é com o orçamento atual"), lines[0]
        assert f": {value} leads (" in lines[0], lines[0]
        assert lines[1].startswith(
            f"Se o CPL se mantiver, {pct}% a mais de orçamento daria cerca de {_scaled(value, pct)} leads"
        ), lines[1]
        assert "não uma previsão" in lines[1] and "CPL costuma subir" in lines[2], lines[1:3]
    assert "50% de uma vez passa disso" in again[1][2], again[1][2]
    ((intent, lines),) = _thread(
        demo_db, demo_db.now, ["se eu aumentar o orçamento em 30%, quantos leads vou ter?"]
    )
    total = round(_stored_leads(demo_db))  # the account's forecast in whole leads, as it is said elsewhere
    assert lines[0].startswith("A previsão do pipeline para a conta é com o orçamento atual"), lines[0]
    assert f": cerca de {format_number(total, 0)} leads de " in lines[0], lines[0]
    assert f"cerca de {format_number(total * 1.3, 0)} leads" in lines[1], lines[1]


# ----------------------------------------------------------------- 4. a paused campaign's reactivation
def _paused(db: DemoDb) -> list[tuple[int, int, str, str]]:
    """(account, number, id, name) of every paused "Campanha <n>" campaign of the demo."""
    import re

    import polars as pl

    c = db.data.campaigns.filter(pl.col("status") == "PAUSED")
    return [
        (row["config_id"], int(m.group(1)), row["campaign_id"], row["name"])
        for row in c.sort("config_id", "campaign_id").iter_rows(named=True)
        if (m := re.search(r"Campanha (\d+) ", row["name"] or ""))
    ]


def _ran(db: DemoDb, account: int, cid: str) -> tuple[list[dt.date], dict, dict]:
    """The campaign's last 30 days with spend in the 180 before the demo's last day, and its and the
    account's spend and leads over those days, from the cleaned source."""
    import polars as pl

    daily = cleaned_daily(db.engine, [account], db.as_of, 180, now=db.now)
    days = sorted(set(daily.filter((pl.col("campaign_id") == cid) & (pl.col("spend") > 0))["date"]))[-30:]
    same = daily.filter(pl.col("date").is_in(days))

    def sums(d: pl.DataFrame) -> dict:
        spend, leads = float(d["spend"].sum() or 0), int(d["leads"].sum() or 0)
        return {"spend": spend, "leads": leads, "cpl": spend / leads if leads else None}

    return days, sums(same.filter(pl.col("campaign_id") == cid)), sums(same)


def test_a_paused_campaigns_reactivation_weighs_its_cpl_while_it_ran(demo_db: DemoDb) -> None:
    """ "vale reativar a 31?" (a number alone): when it last spent, its last 30 days with spend against
    the account's same days, and the judgement from that CPL gap, first."""
    from famachat_ml_pipeline.agent.service import open_agent

    paused = _paused(demo_db)
    assert paused, "the demo has paused campaigns"
    # the first that spent in the 180 days ("a 0" reads as no campaign number)
    account, n, cid, name, (days, mine, whole) = next(
        (*p, ran) for p in paused if p[1] > 0 and (ran := _ran(demo_db, p[0], p[2]))[0]
    )
    agent = open_agent(demo_db.engine, account, demo_db.settings, mode="offline", now=demo_db.now)
    lines = agent.ask(f"vale reativar a {n}?").text.splitlines()
    # the verdict first, Sim/Não (agent43): then the status and the figures it rests on
    verdict_line, lines = lines[0], lines[1:]
    assert lines[0] == f"“{name}” está com status PAUSED; o último dia com gasto foi {_d(days[-1])}.", lines[
        0
    ]
    cpl = format_money(mine["cpl"]) if mine["cpl"] else "sem leads"
    assert lines[1] == (
        f"Nos últimos {len(days)} dias em que gastou ({_d(days[0])} a {_d(days[-1])}): "
        f"{format_money(mine['spend'])} gastos, {leads_of(mine['leads'])}, CPL {cpl}; a conta nesses mesmos "
        f"dias: CPL {format_money(whole['cpl'])}."
    ), lines[1]
    if mine["cpl"]:
        gap = (mine["cpl"] / whole["cpl"] - 1) * 100
        side = "abaixo" if gap <= 0 else "acima"
        yes = "Sim" if gap <= -10 else "Não"
        assert verdict_line.startswith(
            f"{yes}: o CPL dela era {format_pct(abs(gap), 0)} {side} do da conta nesses mesmos dias: "
        )
        verdict = "vale reativar" if gap <= -10 else "não compensa" if gap >= 10 else "perto da média"
        assert verdict in verdict_line, verdict_line


def test_an_active_campaign_asked_to_reactivate_says_it_runs_and_how(demo_db: DemoDb) -> None:
    """ "vale reativar a 13?" for a campaign that is ACTIVE: nothing to reactivate, said first, then how its
    CPL compares with the account's over the same days (not a "reativar" verdict)."""
    import re

    import polars as pl

    from famachat_ml_pipeline.agent.service import open_agent

    campaigns = demo_db.data.campaigns.filter(pl.col("config_id") == ACCOUNT)  # plain names
    c = campaigns.filter(pl.col("status") == "ACTIVE").sort("campaign_id")
    for row in c.iter_rows(named=True):
        m = re.search(r"Campanha (\d+) ", row["name"] or "")
        if not m or int(m.group(1)) == 0:
            continue
        days, mine, whole = _ran(demo_db, row["config_id"], row["campaign_id"])
        if days and mine["cpl"] and whole["cpl"]:
            break
    else:
        raise AssertionError("the demo has an active numbered campaign with leads")
    agent = open_agent(demo_db.engine, row["config_id"], demo_db.settings, mode="offline", now=demo_db.now)
    lines = agent.ask(f"vale reativar a campanha {m.group(1)}?").text.splitlines()
    name = row["name"]
    assert lines[0] == (
        f"“{name}” já está ativa (status ACTIVE): não há o que reativar; o último dia com gasto foi "
        f"{_d(days[-1])}."
    ), lines[0]
    gap = (mine["cpl"] / whole["cpl"] - 1) * 100
    side = "abaixo" if gap <= 0 else "acima"
    assert lines[2].startswith(f"O CPL dela está {format_pct(abs(gap), 0)} {side} do da conta nesses dias: ")
    how = "melhor que a conta" if gap <= -10 else "pior que a conta" if gap >= 10 else "perto da média"
    assert how in lines[2] and "reativar" not in lines[2], lines[2]
