"""A media buyer's review (agent12): the questions it found answered wrong or beside the point.

- "campanha 4 tá boa?" in an account without a Campanha 4 says so, never offers "Campanha 32 - Público 4";
  "compara campanha 3 e campanha 5" names the ones not in the account.
- On a Monday, "por que o CPL subiu essa semana?" / "o CPL subiu essa semana?" say once that this week has
  no complete day yet.
- When the CPL's factors pull opposite ways, the factor that moved it most is said with its own effect on
  the CPL and the others as offsetting part of it, never "CTR (627% da variação do CPL)".
- "o cpl tá melhorando?" is the CPL's move (not the campaigns with most leads); "os dados tão ok?" is the
  data quality (not the help menu); "hj" is today; "qual campanha tá indo melhor?" names the top tier's best
  CPL; "quanto vou gastar até o fim do mês?" leads with what the month closes at (so far + forecast).

Every figure is computed here from the source rows (cleaned as the pipeline reads them) and the ml_* tables,
on its own; fixed clocks cover several weekdays, so the suite holds on any day it runs."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import polars as pl
import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.agent.answers import generate_response
from famachat_ml_pipeline.agent.intents import Intent
from famachat_ml_pipeline.agent.intents_periods import resolve_period
from famachat_ml_pipeline.agent.types import ToolCall
from famachat_ml_pipeline.core.recommendations import format_money, format_number, format_pct
from famachat_ml_pipeline.db.agent_queries import read_latest_predictions
from famachat_ml_pipeline_tests.agent.conftest import DemoDb, leads_of
from famachat_ml_pipeline_tests.agent.cpl_factors import opposed, weighed_most
from famachat_ml_pipeline_tests.agent.test_offline_asks6 import _span, _weeks
from famachat_ml_pipeline_tests.agent.test_offline_asks7 import (
    WEEKDAYS,
    _after_monday_note,
    _ask,
    _change_line,
    _clock,
    _figures,
)

pytestmark = pytest.mark.timeout(1200)


def _d(day: dt.date) -> str:
    return f"{day:%d/%m/%Y}"


# ------------------------------------------------------------------ 1. a campaign's number


def _numbers(db: DemoDb, cid: int) -> tuple[set[str], set[str]]:
    """(the campaigns' numbers, the audiences' numbers) in the account's names, read here on their own."""
    names = db.data.campaigns.filter(pl.col("config_id") == cid)["name"].to_list()
    found = [re.search(r"Campanha (\d+) - Público (\d+)", n or "") for n in names]
    return {m.group(1) for m in found if m}, {m.group(2) for m in found if m}


def test_a_campaign_number_the_account_lacks_is_said_so(demo_db: DemoDb) -> None:
    cid = 2
    campaigns, audiences = _numbers(demo_db, cid)
    missing = sorted(audiences - campaigns, key=int)
    assert len(missing) >= 2, "account 2 has audience numbers that are no campaign's number"
    p, q = missing[:2]
    name, lines = _ask(demo_db, cid, demo_db.now, f"campanha {p} ta boa?")
    assert name == "campaign_not_found"
    assert lines[0] == f"Não encontrei a Campanha {p} nesta conta.", lines[0]
    assert f"Público {p}" not in lines[0]
    name, lines = _ask(demo_db, cid, demo_db.now, f"compara campanha {p} e campanha {q}")
    assert lines[0] == f"Não encontrei a Campanha {p} nem a Campanha {q} nesta conta.", lines[0]
    # a number the account has is that campaign, as before
    n = sorted(campaigns, key=int)[0]
    name, lines = _ask(demo_db, cid, demo_db.now, f"campanha {n} ta boa?")
    assert name == "campaign_details" and f"Campanha {n} - " in lines[0], lines[0]


# ------------------------------------------------------------------ 2. Monday: said once


@pytest.mark.parametrize(
    ("question", "figure", "move"),
    [
        ("por que o CPL subiu essa semana?", "cpl", "up"),
        ("o CPL subiu essa semana?", "cpl", "up"),
        ("o CTR caiu essa semana?", "ctr", "down"),
    ],
)
def test_on_a_monday_the_week_without_a_complete_day_is_said_once(
    demo_db: DemoDb, question: str, figure: str, move: str
) -> None:
    now = _clock(demo_db, 0)
    through = now.date() - dt.timedelta(days=1)
    (a, b), (c, d), on_monday = _weeks(through)
    assert on_monday
    now_f, before_f = _figures(demo_db, 2, a, b), _figures(demo_db, 2, c, d)
    _, lines = _ask(demo_db, 2, now, question)
    text = "\n".join(lines)
    assert text.count("ainda não tem dia completo") == 1, text
    assert _after_monday_note(lines)[0] == _change_line(now_f, before_f, through, figure, move, " da conta")
    assert f"de seg a dom ({_span((a, b))})" in _after_monday_note(lines)[0]


# ------------------------------------------------------------------ 3. factors pulling opposite ways


def _clock_back(db: DemoDb, weeks: int, weekday: int) -> dt.datetime:
    today = db.as_of - dt.timedelta(days=7 * weeks)
    today -= dt.timedelta(days=(today.weekday() - weekday) % 7)
    return dt.datetime.combine(today, dt.time(12), ZoneInfo("America/Sao_Paulo"))


def test_factors_pulling_opposite_ways_are_worded_without_a_share_over_100(demo_db: DemoDb) -> None:
    seen = {"opposed": 0, "same": 0}
    for cid in (1, 2, 3):
        for weeks in (1, 2, 3):
            for weekday in (1, 3, 5):
                now = _clock_back(demo_db, weeks, weekday)
                (a, b), (c, d), _ = _weeks(now.date() - dt.timedelta(days=1))
                now_f, before_f = _figures(demo_db, cid, a, b), _figures(demo_db, cid, c, d)
                if not all(now_f[k] and before_f[k] for k in ("cpl", "cpm", "ctr", "cvr")):
                    continue
                if now_f["cpl"] == before_f["cpl"]:
                    continue
                kind = "opposed" if opposed(now_f, before_f) else "same"
                if seen[kind] >= 2:
                    continue
                seen[kind] += 1
                _, lines = _ask(demo_db, cid, now, "por que o CPL subiu essa semana?")
                (why,) = [x for x in lines if x.startswith("Por que o CPL mudou")]
                assert why.endswith(weighed_most(now_f, before_f)), (why, weighed_most(now_f, before_f))
                shares = [int(s) for s in re.findall(r"\((\d+)% da variação do CPL\)", why)]
                assert all(s <= 100 for s in shares), why
    assert seen["opposed"] >= 1, "the demo has a week whose CPL factors pull opposite ways"


# ------------------------------------------------------------------ 4. "melhorando", "piorando"


@pytest.mark.parametrize("weekday", WEEKDAYS)
@pytest.mark.parametrize(
    ("question", "figure", "move"),
    [("o cpl ta melhorando?", "cpl", "better"), ("o ctr ta piorando?", "ctr", "worse")],
)
def test_a_figure_asked_getting_better_or_worse_is_its_move(
    demo_db: DemoDb, question: str, figure: str, move: str, weekday: int
) -> None:
    now = _clock(demo_db, weekday)
    through = now.date() - dt.timedelta(days=1)
    last = _figures(demo_db, 2, through - dt.timedelta(days=6), through)
    prev = _figures(demo_db, 2, through - dt.timedelta(days=13), through - dt.timedelta(days=7))
    x, y = last[figure], prev[figure]
    text = format_money if figure == "cpl" else (lambda v: format_pct(v, 2))
    change = format_pct((x - y) / y * 100, 0 if figure == "cpl" else 1)
    went = "estável" if not any(ch in "123456789" for ch in change) else "caindo" if x < y else "subindo"
    worse = {"subindo": figure == "cpl", "caindo": figure == "ctr"}.get(went)
    yes = "" if worse is None else ("Sim: " if worse == (move == "worse") else "Não: ")
    what = "o CPL" if figure == "cpl" else "o CTR"
    head = f"{yes}{what} da conta está {went}" if yes else f"{what[0].upper()}{what[1:]} da conta está {went}"
    name, lines = _ask(demo_db, 2, now, question)
    assert name == "trends"
    assert lines[0] == (
        f"{head}: {text(x)} nos 7 dias até {_d(through)}, contra {text(y)} nos 7 anteriores ({change})."
    ), lines[0]


# ------------------------------------------------------------------ 5. data quality, "hj"


@pytest.mark.parametrize("question", ["os dados tão ok?", "os dados estao certos?"])
def test_data_asked_ok_is_the_data_quality(demo_db: DemoDb, question: str) -> None:
    name, lines = _ask(demo_db, 1, demo_db.now, question)
    assert name == "data_quality"
    assert lines[0].startswith(f"Dados até {_d(demo_db.as_of)} (último dia completo)"), lines[0]


def test_hj_is_today(demo_db: DemoDb) -> None:
    today = demo_db.now.date()
    name, lines = _ask(demo_db, 1, demo_db.now, "tem alguma anomalia hj?")
    assert lines[0] == (
        f"Nenhuma anomalia em {_d(today)}: as anomalias são detectadas sobre dias completos, e o último é "
        f"{_d(demo_db.as_of)}."
    ), lines[0]
    f = _figures(demo_db, 1, today, today)
    _, lines = _ask(demo_db, 1, demo_db.now, "qnto gastei hj?")
    assert lines[0].startswith(
        f"Hoje, {_d(today)} (parcial: o dia ainda não terminou): {format_money(f['spend'])} investidos, "
        f"{leads_of(int(f['leads']))}"
    ), lines[0]


# ------------------------------------------------------------------ 6. the best campaign


def _top_tier(db: DemoDb, cid: int) -> list[str]:
    """The account's HIGH_PERFORMER campaigns in their latest classification (ml_campaign_classifications)."""
    with db.engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT campaign_id, tier, classified_at FROM ml_campaign_classifications "
                "WHERE config_id = :c"
            ),
            {"c": cid},
        ).all()
    latest: dict[str, tuple] = {}
    for campaign, tier, at in rows:
        if campaign not in latest or str(at) > str(latest[campaign][1]):
            latest[campaign] = (tier, at)
    return sorted(c for c, (tier, _) in latest.items() if tier == "HIGH_PERFORMER")


@pytest.mark.parametrize("question", ["qual campanha ta indo melhor?", "qual a melhor campanha?"])
def test_the_best_campaign_is_the_top_tiers_lowest_cpl(demo_db: DemoDb, question: str) -> None:
    cid, last = 1, demo_db.as_of
    first = last - dt.timedelta(days=6)
    names = dict(
        demo_db.data.campaigns.filter(pl.col("config_id") == cid).select("campaign_id", "name").rows()
    )
    priced = []
    for campaign in _top_tier(demo_db, cid):
        f = _figures(demo_db, cid, first, last, campaign)
        if f["leads"]:
            priced.append((round(f["cpl"], 2), campaign, f))
    assert priced, "the demo account has a top-tier campaign with leads"
    _, campaign, f = min(priced)
    name, lines = _ask(demo_db, cid, demo_db.now, question)
    assert name == "top"
    assert lines[0].startswith(
        f"A melhor campanha nos 7 dias até {_d(last)} (tier alta performance, pelo CPL): "
        f"“{' '.join(names[campaign].split())[:80]}” ({campaign}): CPL {format_money(f['cpl'])} "
        f"({format_money(f['spend'])} gastos, {leads_of(int(f['leads']))})"
    ), lines[0]


# ------------------------------------------------------------------ 7. what the month closes at


def _month_last(day: dt.date) -> dt.date:
    nxt = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def month_close_lines(db: DemoDb, cid: int) -> tuple[str, str] | None:
    """(the spend's line, the leads' line) of what the month closes at, written here: the month so far
    from the cleaned source plus the stored forecast of the days left, with each bound of its interval
    added too (agent19); None when the stored 7-day forecast does not reach the month's end."""
    as_of = db.as_of
    first, last = as_of + dt.timedelta(days=1), _month_last(as_of)
    if last < first or (last - as_of).days > 7:
        return None
    campaigns = db.data.campaigns.filter(pl.col("config_id") == cid)["campaign_id"].to_list()
    sums = {"spend": 0.0, "leads": 0.0}
    bounds = {(m, b): 0.0 for m in sums for b in ("lower", "upper")}
    for r in read_latest_predictions(db.engine, cid, sorted(campaigns)):
        for p in r["predictions"] if r["target_metric"] in sums else []:
            if first.isoformat() <= p["date"][:10] <= last.isoformat():
                sums[r["target_metric"]] += float(p["predicted"] or 0.0)
                for b in ("lower", "upper"):
                    bounds[r["target_metric"], b] += float(p[b] or 0.0)
    done = _figures(db, cid, as_of.replace(day=1), as_of)
    months = ["janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro",
              "outubro", "novembro", "dezembro"]  # fmt: skip
    month = f"{months[as_of.month - 1].capitalize()} de {as_of.year}"
    so_far = f"{_d(as_of.replace(day=1))} a {_d(as_of)}"
    ahead = _d(first) if first == last else f"{_d(first)} a {_d(last)}"
    spent = [
        round(done["spend"], 2) + round(v, 2)
        for v in (sums["spend"], *(bounds["spend", b] for b in ("lower", "upper")))
    ]
    spend = [format_money(v) for v in spent]
    spend_line = (
        f"{month} deve fechar em {spend[0]} ({spend[1]} a {spend[2]}) de gasto: "
        f"{format_money(done['spend'])} já investidos ({so_far}) + {format_money(sums['spend'])} previstos "
        f"({ahead})."
    )
    leads = [  # counts with pt-BR grouping ("1.892")
        f"{round(done['leads'] + round(v, 1)):,}".replace(",", ".")
        for v in (sums["leads"], *(bounds["leads", b] for b in ("lower", "upper")))
    ]
    so_far_leads = f"{int(done['leads']):,}".replace(",", ".")
    leads_line = (
        f"{month} deve fechar com {leads[0]} ({leads[1]} a {leads[2]}) leads: {so_far_leads} "
        f"já realizados ({so_far}) + {format_number(sums['leads'], 1)} previstos ({ahead})."
    )
    return spend_line, leads_line


def test_up_to_the_months_end_leads_with_what_the_month_closes_at(demo_db: DemoDb) -> None:
    cid = 1
    if (close := month_close_lines(demo_db, cid)) is None:
        pytest.skip(
            "the stored 7-day forecast does not reach this month's end (the fixed-facts test covers it)"
        )
    spend_line, leads_line = close
    _, lines = _ask(demo_db, cid, demo_db.now, "quanto vou gastar ate o fim do mes?")
    assert lines[:2] == [spend_line, leads_line], lines[:2]
    _, lines = _ask(demo_db, cid, demo_db.now, "quantos leads vou ter ate o fim do mes?")
    assert lines[:2] == [leads_line, spend_line], lines[:2]


def _month_end_answer(first_day: str, metric: str) -> str:
    """The month-end answer on fixed figures: November so far through the 26th (R$ 39.999,75, 1802 leads),
    and a stored forecast of R$ 2.100,50 and 90,4 leads from `first_day` to the 30th."""
    through = dt.date(2026, 11, 26)
    forecasts = {
        "made_on": "2026-11-26",
        "total": 1,
        "account_totals": {"spend": "R$ 2.100,50", "leads": "90,4"},
        "account_low": {"spend": "R$ 1.800,00", "leads": "60,0"},
        "account_high": {"spend": "R$ 2.400,00", "leads": "120,0"},
        "forecasts": [{"first_day": first_day, "last_day": "2026-11-30"}],
    }
    done = {
        "first_day": dt.date(2026, 11, 1),
        "last_day": through,
        "spend": "R$ 39.999,75",
        "leads": 1802,
        "cpl": "R$ 22,20",
    }
    call = ToolCall(name="get_forecasts", input={"first_day": "2026-11-27"}, output=forecasts)
    facts = {"_through": through, "_period": resolve_period("esse mes", through), "_period_figures": done}
    return generate_response(Intent("forecast", metric=metric), [call], [], facts)


def test_the_months_close_adds_the_forecast_to_the_month_so_far() -> None:
    """The same sum on fixed figures, so it is checked whatever day the suite runs."""
    text = _month_end_answer("2026-11-27", "month_end_leads")
    assert text.splitlines()[:2] == [
        "Novembro de 2026 deve fechar com 1.892 (1.862 a 1.922) leads: 1.802 já realizados (01/11/2026 a "
        "26/11/2026) + 90,4 previstos (27/11/2026 a 30/11/2026).",
        "Novembro de 2026 deve fechar em R$ 42.100,25 (R$ 41.799,75 a R$ 42.399,75) de gasto: R$ 39.999,75 "
        "já investidos (01/11/2026 a 26/11/2026) + R$ 2.100,50 previstos (27/11/2026 a 30/11/2026).",
    ]


def test_the_months_close_is_not_summed_across_a_gap() -> None:
    """A forecast that does not start the day after the month so far (the pipeline has not run since):
    summing them would leave the 27th out, so no close is said; the forecast's own lines still are."""
    text = _month_end_answer("2026-11-28", "month_end")
    assert "deve fechar" not in text, text
    assert text.startswith("Até o fim do mês (28/11/2026 a 30/11/2026)"), text
