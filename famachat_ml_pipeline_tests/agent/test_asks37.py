"""The twentieth buyer review (agent40): "o alerta de ontem é sério?" on a day with no anomaly (no "Não"
first), "o que aconteceu com a campanha 9 ontem?" (no verdict on the day), "por que o CPL subiu?" (its
rolling 7 days not said as spans, beside "por que o gasto caiu?" over the calendar weeks) and "por que
não pausar a 20?" / "devo pausar a 20?" ("vale considerar pausar" beside a pause list that holds its pause
behind a tracking alert). Figures from the cleaned source and the stored anomalies, read here on their
own. SQLite only: the answers add no SQL of their own (the reads are the ones every answer shares, tested
on both backends elsewhere)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.core.recommendations import format_money, format_pct
from famachat_ml_pipeline_tests.agent.conftest import DemoDb, leads_of
from famachat_ml_pipeline_tests.agent.test_asks32 import _one
from famachat_ml_pipeline_tests.agent.test_offline_asks8 import _d
from famachat_ml_pipeline_tests.agent.test_offline_asks14 import _source
from famachat_ml_pipeline_tests.agent.test_offline_followups import ACCOUNT

# the demo built once for the session, its SQLite side only
pytestmark = pytest.mark.timeout(600)

DAY = dt.timedelta(days=1)
THIRD = 3  # the demo account with campaigns 18-32 (ACCOUNT, config_id 2, has 9-17)


def _signed(pct: float) -> str:
    return ("+" if round(pct) > 0 else "") + format_pct(pct)


def _numbered(db: DemoDb, account: int, n: int) -> tuple[str, str]:
    """(id, name) of the account's "Campanha <n>"."""
    c = db.data.campaigns.filter(pl.col("config_id") == account)
    ((cid, name),) = [
        (r["campaign_id"], r["name"]) for r in c.iter_rows(named=True) if f"Campanha {n} " in r["name"]
    ]
    return cid, name


def _anomaly_days(db: DemoDb, account: int) -> set[str]:
    with db.engine.connect() as c:
        rows = c.execute(
            sa.text("select anomaly_date from ml_anomalies where config_id = :a"), {"a": account}
        )
        return {str(r[0])[:10] for r in rows}


# ------------------------------------------------------------ 1. a day's alert judged on a day with none
def test_a_days_alert_judged_on_a_day_with_none_says_nao_first(demo_db: DemoDb) -> None:
    """Was "Nenhuma anomalia em 29/11/2026." with no verdict, where the other answers to it start with
    Sim/Não."""
    day = demo_db.as_of
    assert day.isoformat() not in _anomaly_days(demo_db, ACCOUNT), "the account has no anomaly that day"
    intent, lines = _one(demo_db, "o alerta de ontem é sério?", ACCOUNT)
    assert intent == "anomalies", lines
    assert lines[0] == f"Não: nenhuma anomalia em {_d(day)}.", lines


# ------------------------------------------------------------ 2. a campaign's day judged against its own
def _days(db: DemoDb, account: int, cid: str) -> pl.DataFrame:
    day = db.as_of
    return _source(db, account, day - 7 * DAY, day, db.now).filter(pl.col("campaign_id") == cid)


def test_what_happened_to_a_stopped_campaign_says_since_when_first(demo_db: DemoDb) -> None:
    """The demo's campaign 9 stopped spending: was its day's figures and card with no verdict."""
    cid, name = _numbered(demo_db, ACCOUNT, 9)
    rows, day = _days(demo_db, ACCOUNT, cid), demo_db.as_of
    spent = rows.filter(pl.col("spend") > 0)["date"]
    assert spent.len() and spent.max() < day - DAY, "campaign 9 stopped spending before the day before"
    last = spent.max()
    intent, lines = _one(demo_db, "o que aconteceu com a campanha 9 ontem?", ACCOUNT)
    assert intent == "campaign_details", lines
    assert lines[0] == (
        f"Sem novidade para “{name}”: não gastou em {_d(day)}, parada desde {_d(last + DAY)} (último gasto: "
        f"{_d(last)})."
    ), lines


@pytest.mark.parametrize("n", [12, 14, 16])
def test_what_happened_to_a_campaign_yesterday_judges_the_day_first(demo_db: DemoDb, n: int) -> None:
    """The day's spend against its 7 days before per day, its CPL against theirs; either off by more than
    30% is "Fora do normal", else "Dia normal"."""
    cid, name = _numbered(demo_db, ACCOUNT, n)
    rows, day = _days(demo_db, ACCOUNT, cid), demo_db.as_of
    on, before = rows.filter(pl.col("date") == day), rows.filter(pl.col("date") < day)
    spend, leads = float(on["spend"].sum()), int(on["leads"].sum())
    b_spend, b_leads = float(before["spend"].sum()), int(before["leads"].sum())
    assert spend and leads and b_spend and b_leads, f"campaign {n} spent and had leads on both sides"
    per_day, cpl, b_cpl = b_spend / 7, spend / leads, b_spend / b_leads
    s_pct, c_pct = (spend / per_day - 1) * 100, (cpl / b_cpl - 1) * 100
    verdict = "Fora do normal" if max(abs(s_pct), abs(c_pct)) > 30 else "Dia normal"
    intent, lines = _one(demo_db, f"o que aconteceu com a campanha {n} ontem?", ACCOUNT)
    assert intent == "campaign_details", lines
    assert lines[0] == (
        f"{verdict} para “{name}” em {_d(day)}, contra os 7 dias antes ({_d(day - 7 * DAY)} a "
        f"{_d(day - DAY)}): gasto {format_money(spend)} contra {format_money(per_day)} por dia "
        f"({_signed(s_pct)}), CPL {format_money(cpl)} contra {format_money(b_cpl)} ({_signed(c_pct)})."
    ), lines
    assert any(x.startswith(f"Em {_d(day)}, “{name}”: ") for x in lines[1:]), lines  # the figures kept


# ------------------------------------------------------------ 3. the CPL's why with its 7 days said
def test_why_the_cpl_rose_says_its_two_7_day_spans_first(demo_db: DemoDb) -> None:
    """Kept on the rolling 7 days (the span its anomalies and factors are read over), now said with both
    spans, as "por que o gasto caiu?" says its calendar weeks; the cause first, no "Sim" (agent45: a why
    is no yes-or-no; the factor named is checked in test_asks42)."""
    day = demo_db.as_of
    d = _source(demo_db, ACCOUNT, day - 13 * DAY, day, demo_db.now)
    now, prev = d.filter(pl.col("date") > day - 7 * DAY), d.filter(pl.col("date") <= day - 7 * DAY)
    cpl, b_cpl = (float(x["spend"].sum()) / int(x["leads"].sum()) for x in (now, prev))
    assert cpl > b_cpl, "the demo account's CPL rose over its last 7 days"
    intent, lines = _one(demo_db, "por que o CPL subiu?")
    assert intent == "anomalies", lines
    assert lines[0].startswith(
        f"O CPL da conta subiu {_signed((cpl / b_cpl - 1) * 100).lstrip('+')} nos últimos 7 dias, puxado "
    ), lines
    assert lines[0].endswith(
        f": {format_money(cpl)} de {_d(day - 6 * DAY)} a {_d(day)}, contra {format_money(b_cpl)} nos 7 dias "
        f"antes ({_d(day - 13 * DAY)} a {_d(day - 7 * DAY)})."
    ), lines
    assert any(x.startswith("Por que o CPL mudou (") and "em 7 dias)" in x for x in lines), lines


# ------------------------------------------------------------ 4. a held pause said as the pause list says it
def _held(db: DemoDb) -> dict[str, str]:
    """The pause list's critical campaigns with their 'Sem pausa nem corte' reason (name -> reason)."""
    _, lines = _one(db, "quais campanhas eu deveria pausar?", THIRD)
    out = {}
    for x in lines:
        if x.startswith("- “") and ". Sem pausa nem corte: " in x:
            out[x[3 : x.index("”")]] = x.split(". Sem pausa nem corte: ", 1)[1].removesuffix(".")
    return out


@pytest.mark.parametrize("question", ["por que não pausar a campanha {n}?", "devo pausar a campanha {n}?"])
def test_a_held_pause_is_said_as_the_pause_list_says_it(demo_db: DemoDb, question: str) -> None:
    """Campaign 20 spent without a lead under an open CRITICAL lead-drop alert: the pause list holds its
    pause until the tracking is checked; asked about it alone, it was "vale considerar pausar"."""
    cid, name = _numbered(demo_db, THIRD, 20)
    with demo_db.engine.connect() as c:
        alerts = c.execute(
            sa.text(
                "select count(*) from ml_anomalies where config_id = :a and entity_id = :c and "
                "anomaly_type = 'PERFORMANCE_DROP' and severity = 'CRITICAL' and not is_acknowledged"
            ),
            {"a": THIRD, "c": cid},
        ).scalar_one()
    assert alerts, "campaign 20 has an open CRITICAL lead-drop alert"
    week = _days(demo_db, THIRD, cid).filter(pl.col("date") > demo_db.as_of - 7 * DAY)
    assert float(week["spend"].sum()) > 0 and int(week["leads"].sum()) == 0, leads_of(
        int(week["leads"].sum())
    )
    held = _held(demo_db)
    assert held[name].startswith("a pausa está suspensa: há alerta CRÍTICO aberto de queda de leads"), held
    intent, lines = _one(demo_db, question.format(n=20), THIRD)
    assert intent == "recommendations", lines
    assert f"sem pausa nem corte: {held[name]}." in lines[0], lines
    assert "vale considerar" not in lines[0].lower(), lines
    if question.startswith("devo"):
        assert lines[0].startswith("Ainda não: o pipeline não recomenda pausar "), lines


def test_every_held_campaign_is_answered_with_its_reason(demo_db: DemoDb) -> None:
    """Each critical campaign the pause list holds back gets the same reason when asked why not pause it."""
    held = _held(demo_db)
    assert len(held) >= 2, held
    for name, why in held.items():
        n = int(name.split("Campanha ", 1)[1].split()[0])
        _, lines = _one(demo_db, f"por que não pausar a campanha {n}?", THIRD)
        assert f"sem pausa nem corte: {why}." in lines[0], lines
