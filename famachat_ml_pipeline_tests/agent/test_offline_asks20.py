"""Offline answers to a period the buyer names keep that period (agent25): a move asked of a period compared
with the period before it and explained by its factors; a rate of a period without the 7 days' line; a
campaign's period without its 7-day card; "as N melhores" lists N; in "as N piores" of a period the ones
that spent without a lead first.

Every figure is computed here from the cleaned source on its own."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from famachat_ml_pipeline.core.recommendations import format_money
from famachat_ml_pipeline_tests.agent.conftest import DemoDb
from famachat_ml_pipeline_tests.agent.test_offline_asks8 import _d
from famachat_ml_pipeline_tests.agent.test_offline_asks18 import MONTHS_PT, _one, _per_campaign

pytestmark = pytest.mark.timeout(1200)
DAY = dt.timedelta(days=1)


def _cpl(per: pl.DataFrame) -> float:
    return float(per["spend"].sum()) / int(per["leads"].sum())


def _pct(new: float, old: float) -> int:
    return round((new / old - 1) * 100)


# ------------------------------------------------------------ 1. a period's move, against the one before
def test_why_the_cpl_moved_last_week_compares_it_with_the_week_before(demo_db: DemoDb) -> None:
    """ "por que o CPL subiu semana passada?": last week (Monday to Sunday) against the week before, the
    verdict on the premise first, then that span's factors; nothing of the 7 days' move."""
    today = demo_db.as_of + DAY
    monday = today - dt.timedelta(days=today.weekday() + 7)
    week, before = (monday, monday + 6 * DAY), (monday - 7 * DAY, monday - DAY)
    now_cpl, old_cpl = _cpl(_per_campaign(demo_db, *week)), _cpl(_per_campaign(demo_db, *before))
    intent, lines = _one(demo_db, "por que o CPL subiu semana passada?")
    verdict = "Sim: o CPL da conta subiu" if now_cpl > old_cpl else "Não: o CPL da conta caiu"
    assert lines[0].startswith(f"{verdict}: {format_money(now_cpl)} na semana passada"), lines
    assert f"({_d(week[0])} a {_d(week[1])})" in lines[0], lines[0]
    assert f"contra {format_money(old_cpl)} na semana retrasada" in lines[0], lines[0]
    assert f"({_d(before[0])} a {_d(before[1])})" in lines[0], lines[0]
    why = [x for x in lines if x.startswith("Por que o CPL mudou")]
    assert len(why) == 1 and "CPM" in why[0] and "CTR" in why[0], lines
    assert f"({_d(week[0])} a {_d(week[1])}) contra semana retrasada" in why[0], why
    assert not any("7 dias" in x for x in lines), lines


def test_the_leads_of_this_month_are_compared_with_the_same_days_of_the_month_before(demo_db: DemoDb) -> None:
    """ "por que os leads caíram em <este mês>?": the month so far against the same days of the month before,
    said as such, with the leads' split into spend and CPL and the factors."""
    through = demo_db.as_of
    first = through.replace(day=1)
    prev_first = (first - DAY).replace(day=1)
    prev_last = min(prev_first + (through - first), first - DAY)
    now, old = _per_campaign(demo_db, first, through), _per_campaign(demo_db, prev_first, prev_last)
    now_leads, old_leads = int(now["leads"].sum()), int(old["leads"].sum())
    month = MONTHS_PT[through.month - 1]
    intent, lines = _one(demo_db, f"por que os leads caíram em {month}?")
    assert intent == "trends", lines
    went = "Sim: os leads da conta caíram" if now_leads < old_leads else "Não: os leads da conta subiram"
    grouped = f"{now_leads:,}".replace(",", ".")
    assert lines[0].startswith(f"{went}: {grouped} em {month} de {through.year} até {through:%d/%m}"), lines
    assert f"nos mesmos dias de {MONTHS_PT[prev_first.month - 1]}" in lines[0], lines[0]
    assert f"({_d(prev_first)} a {_d(prev_last)})" in lines[0], lines[0]
    assert f"({_pct(now_leads, old_leads):+d}%)" in lines[0], lines[0]
    assert lines[1].startswith("Leads = gasto ÷ CPL: gasto "), lines
    assert any(x.startswith("Por que o CPL mudou") for x in lines), lines
    assert not any("7 dias" in x or "anomalia" in x for x in lines), lines


def test_the_cpl_of_last_month_is_compared_with_the_month_before(demo_db: DemoDb) -> None:
    """ "o CPL subiu em <mês passado>?": that whole month against the month before (the days the source
    covers of it, said), not the 7 days."""
    last = demo_db.as_of.replace(day=1) - DAY
    first = last.replace(day=1)
    prev_last = first - DAY
    data_first = demo_db.as_of - 69 * DAY  # the demo's 70 days
    prev_first = max(prev_last.replace(day=1), data_first)
    now_cpl = _cpl(_per_campaign(demo_db, first, last))
    old_cpl = _cpl(_per_campaign(demo_db, prev_first, prev_last))
    month = MONTHS_PT[last.month - 1]
    intent, lines = _one(demo_db, f"o CPL subiu em {month}?")
    assert intent == "trends", lines
    assert lines[0].startswith(("Sim: o CPL da conta subiu: ", "Não: o CPL da conta caiu: ")), lines
    assert f"{format_money(now_cpl)} em {month} de {last.year} ({_d(first)} a {_d(last)})" in lines[0], lines
    prev = MONTHS_PT[prev_last.month - 1]
    assert f"contra {format_money(old_cpl)} em {prev} de {prev_last.year} ({_d(prev_first)} a " in lines[0]
    assert any(x.startswith("Por que o CPL mudou") for x in lines), lines
    assert not any("7 dias" in x for x in lines), lines


# ------------------------------------------------------------ 2. a rate of a period, that period's only
def test_the_ctr_of_a_month_is_not_followed_by_the_7_days_ctr(demo_db: DemoDb) -> None:
    """ "qual o CTR de <mês>?": that month's CTR first, and no 7-day CTR line after it."""
    last = demo_db.as_of.replace(day=1) - DAY
    per = _per_campaign(demo_db, last.replace(day=1), last)
    ctr = 100 * int(per["clicks"].sum()) / int(per["impressions"].sum())
    month = MONTHS_PT[last.month - 1]
    intent, lines = _one(demo_db, f"qual o CTR de {month}?")
    assert lines[0].startswith(f"CTR da conta (cliques / impressões) em {month} de {last.year}"), lines
    assert f"{ctr:.2f}%".replace(".", ",") in lines[0], lines[0]
    assert not any("7 dias" in x for x in lines), lines


# ------------------------------------------------------------ 3. a campaign's period, not its 7-day card
def test_a_campaigns_spend_of_a_month_leads_without_its_7_day_card(demo_db: DemoDb) -> None:
    """ "quanto a campanha N gastou em <mês>?": that month's spend of that campaign first, its name and
    status, and not its 7-day card, advice nor open anomalies."""
    last = demo_db.as_of.replace(day=1) - DAY
    per = _per_campaign(demo_db, last.replace(day=1), last).sort("spend", descending=True)
    c = per.row(0, named=True)
    month = MONTHS_PT[last.month - 1]
    intent, lines = _one(demo_db, f"quanto a campanha {c['campaign_id']} gastou em {month}?")
    assert lines[0].startswith(f"{month.capitalize()} de {last.year}, "), lines
    assert f"): {format_money(c['spend'])} investidos" in lines[0], lines[0]
    assert not any("7 dias" in x for x in lines), lines
    assert not any(x.startswith("- ") for x in lines), lines  # no advice nor anomaly rows
    assert len(lines) <= 2, lines


# ------------------------------------------------------------ 4. "as N melhores": N, top tier first
def test_the_n_best_campaigns_are_n_with_the_top_tier_first(demo_db: DemoDb) -> None:
    """ "as N melhores campanhas" (no period): exactly N rows, the top tier's first, then the others with
    leads by the 7-day CPL (spend ÷ leads of the source's last 7 days), each with its tier said; N is one
    more than the top tier holds."""
    through = demo_db.as_of
    per = _per_campaign(demo_db, through - 6 * DAY, through).filter(pl.col("leads") > 0)
    per = per.with_columns(cpl=pl.col("spend") / pl.col("leads"))
    probe = _one(demo_db, "qual a melhor campanha?")[1]
    top_n = sum(1 for x in probe if x.startswith("- “")) or 1
    n = top_n + 1
    intent, lines = _one(demo_db, f"as {n} melhores campanhas")
    assert intent == "top", lines
    rows = [x for x in lines if x.startswith("- “")]
    assert len(rows) == n, lines
    assert all("; tier alta performance" in x for x in rows[:top_n]), rows
    assert "; tier alta performance" not in rows[-1], rows
    tiered = {x.split("(")[-1] for x in rows[:top_n]}
    others = per.sort("cpl")
    ids = [r.split(" (", 1)[1].split(")", 1)[0] for r in rows[:top_n]]
    nxt = others.filter(~pl.col("campaign_id").is_in(ids)).row(0, named=True)
    assert f"({nxt['campaign_id']}): " in rows[-1], (nxt, rows, tiered)
    assert f"CPL {format_money(nxt['cpl'])}" in rows[-1], (nxt, rows)


# ------------------------------------------------------------ 5. "as N piores" of a period: no lead first
def test_the_worst_of_a_day_name_the_ones_without_a_lead_first(demo_db: DemoDb) -> None:
    """ "as 3 piores campanhas ontem": the campaigns that spent without a lead are worse than any CPL: named
    first (most spent first), then the worst CPLs, 3 in all (or all the no-lead ones, said exceeded)."""
    day = demo_db.as_of
    found = None
    for back in range(14):  # a day on which some campaign spent without a lead
        d = day - back * DAY
        per = _per_campaign(demo_db, d, d)
        idle = per.filter((pl.col("leads") == 0) & (pl.col("spend") > 0)).sort("spend", descending=True)
        if idle.height:
            found = d, per, idle
            break
    assert found is not None
    d, per, idle = found
    priced = per.filter(pl.col("leads") > 0).with_columns(cpl=pl.col("spend") / pl.col("leads"))
    worst = priced.sort(["cpl", "campaign_id"], descending=[True, False])
    intent, lines = _one(demo_db, f"as 3 piores campanhas em {d:%d/%m}")
    assert intent == "underperformers", lines
    k = idle.height
    head = f"{k} campanhas gastaram sem nenhum lead" if k != 1 else "1 campanha gastou sem nenhum lead"
    assert lines[0].startswith(f"{head} em {_d(d)}"), lines
    rows = [x for x in lines if x.startswith("- ")]
    for line, c in zip(rows, idle.to_dicts(), strict=False):
        assert f"({c['campaign_id']}): {format_money(c['spend'])} gastos, 0 leads" in line, (line, c)
    if k >= 3:
        assert len(rows) == k, lines
        if k > 3:
            assert lines[-1].startswith("Você pediu 3: "), lines
    else:
        assert len(rows) == 3, lines
        for line, c in zip(rows[k:], worst.head(3 - k).to_dicts(), strict=True):
            assert f"({c['campaign_id']}): " in line and f"CPL {format_money(c['cpl'])}" in line, (line, c)
