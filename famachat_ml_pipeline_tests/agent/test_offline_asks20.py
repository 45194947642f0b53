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


def last_week_and_before(db: DemoDb) -> tuple[tuple[dt.date, dt.date], tuple[dt.date, dt.date]]:
    """Last week (Monday to Sunday) and the week before it, as of the day after the demo's last day."""
    today = db.as_of + DAY
    monday = today - dt.timedelta(days=today.weekday() + 7)
    return (monday, monday + 6 * DAY), (monday - 7 * DAY, monday - DAY)


def month_so_far_and_before(db: DemoDb) -> tuple[dt.date, dt.date, dt.date]:
    """This month's first day, and the same days of the month before (first, last)."""
    first = db.as_of.replace(day=1)
    prev_first = (first - DAY).replace(day=1)
    return first, prev_first, min(prev_first + (db.as_of - first), first - DAY)


def assert_week_cpl_move(
    lines: list[str], subject: str, now_cpl: float, old_cpl: float, week: tuple, before: tuple
) -> None:
    """The first line: the verdict on the CPL of `subject` ("da conta", "de <name>"), last week against the
    week before with both spans; then the factors, and nothing of the 7 days."""
    verdict = f"Sim: o CPL {subject} subiu" if now_cpl > old_cpl else f"Não: o CPL {subject} caiu"
    assert lines[0].startswith(f"{verdict}: {format_money(now_cpl)} na semana passada"), lines
    assert f"({_d(week[0])} a {_d(week[1])})" in lines[0], lines[0]
    assert f"contra {format_money(old_cpl)} na semana retrasada" in lines[0], lines[0]
    assert f"({_d(before[0])} a {_d(before[1])})" in lines[0], lines[0]
    assert any(x.startswith("Por que o CPL mudou") for x in lines), lines
    assert not any("7 dias" in x for x in lines), lines


def assert_month_leads_move(
    lines: list[str], subject: str, now_leads: int, old_leads: int, db: DemoDb, absent: tuple[str, ...]
) -> None:
    """The first line: the verdict on the leads of `subject`, this month so far against the same days of
    the month before; then their split into spend and CPL and the factors; none of `absent`."""
    through = db.as_of
    _, prev_first, prev_last = month_so_far_and_before(db)
    month = MONTHS_PT[through.month - 1]
    went = f"Sim: os leads {subject} caíram" if now_leads < old_leads else f"Não: os leads {subject} subiram"
    grouped = f"{now_leads:,}".replace(",", ".")
    assert lines[0].startswith(f"{went}: {grouped} em {month} de {through.year} até {through:%d/%m}"), lines
    assert f"nos mesmos dias de {MONTHS_PT[prev_first.month - 1]}" in lines[0], lines[0]
    assert f"({_d(prev_first)} a {_d(prev_last)})" in lines[0], lines[0]
    assert f"({_pct(now_leads, old_leads):+d}%)" in lines[0], lines[0]
    assert lines[1].startswith("Leads = gasto ÷ CPL: gasto "), lines
    assert any(x.startswith("Por que o CPL mudou") for x in lines), lines
    assert not any(w in x for x in lines for w in absent), lines


# ------------------------------------------------------------ 1. a period's move, against the one before
def test_why_the_cpl_moved_last_week_compares_it_with_the_week_before(demo_db: DemoDb) -> None:
    """ "por que o CPL subiu semana passada?": last week (Monday to Sunday) against the week before, the
    verdict on the premise first, then that span's factors; nothing of the 7 days' move."""
    week, before = last_week_and_before(demo_db)
    now_cpl, old_cpl = _cpl(_per_campaign(demo_db, *week)), _cpl(_per_campaign(demo_db, *before))
    intent, lines = _one(demo_db, "por que o CPL subiu semana passada?")
    assert_week_cpl_move(lines, "da conta", now_cpl, old_cpl, week, before)
    why = [x for x in lines if x.startswith("Por que o CPL mudou")]
    assert len(why) == 1 and "CPM" in why[0] and "CTR" in why[0], lines
    assert f"({_d(week[0])} a {_d(week[1])}) contra semana retrasada" in why[0], why


def test_the_leads_of_this_month_are_compared_with_the_same_days_of_the_month_before(demo_db: DemoDb) -> None:
    """ "por que os leads caíram em <este mês>?": the month so far against the same days of the month before,
    said as such, with the leads' split into spend and CPL and the factors."""
    first, prev_first, prev_last = month_so_far_and_before(demo_db)
    now, old = _per_campaign(demo_db, first, demo_db.as_of), _per_campaign(demo_db, prev_first, prev_last)
    now_leads, old_leads = int(now["leads"].sum()), int(old["leads"].sum())
    intent, lines = _one(demo_db, f"por que os leads caíram em {MONTHS_PT[demo_db.as_of.month - 1]}?")
    assert intent == "trends", lines
    assert_month_leads_move(lines, "da conta", now_leads, old_leads, demo_db, ("7 dias", "anomalia"))


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
