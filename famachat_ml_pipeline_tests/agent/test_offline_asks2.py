"""More pt-BR questions the offline agent misrouted (found by asking the demo account 2), on real
databases: each answer's figure is checked against the tables, computed here on its own."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.agent.service import open_agent
from famachat_ml_pipeline.core.recommendations import format_money
from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline.source.read import read_daily_insights
from famachat_ml_pipeline_tests.agent.conftest import DemoDb
from famachat_ml_pipeline_tests.agent.test_offline import _features, _names

pytestmark = pytest.mark.timeout(1200)
CID = 2


def _ask(db: DemoDb, question: str, cid: int = CID):  # noqa: ANN202
    return open_agent(db.engine, cid, db.settings, mode="offline", now=db.now).ask(question)


def _source(db: DemoDb, first: dt.date, last: dt.date) -> pl.DataFrame:
    """The cleaned source rows of first..last (set-aside days have null metrics)."""
    daily = read_daily_insights(db.engine, [CID], last, (last - first).days + 1, now=db.now).daily
    return daily.filter(pl.col("date").is_between(first, last))


# ------------------------------------------------------------------ 1. worst / best CPL, the worst campaign


@pytest.mark.parametrize(
    ("question", "worst"),
    [
        ("Qual campanha tem o pior CPL?", True),
        ("qual campanha tem o melhor CPL?", False),
        ("qual campanha tem o CPL mais baixo?", False),
        ("qual campanha tem o CPL mais barato?", False),
    ],
)
def test_worst_and_best_cpl_rank_by_the_7_day_cpl(demo_db: DemoDb, question: str, worst: bool) -> None:
    feats, names = _features(demo_db, CID), _names(demo_db, CID)
    priced = {c: f["spend_7d"] / f["leads_7d"] for c, f in feats.items() if f["leads_7d"]}
    pick = (max if worst else min)(priced, key=priced.__getitem__)
    reply = _ask(demo_db, question)
    assert reply.intent == "cpl_rank"
    first = reply.text.splitlines()[0]
    assert first.startswith(f"Campanha com o {'maior' if worst else 'menor'} CPL nos 7 dias")
    assert f"“{names[pick]}” ({pick})" in first and f"CPL {format_money(priced[pick])}." in first


def _json(v: object) -> dict:
    return json.loads(v) if isinstance(v, str) else v  # type: ignore[return-value]


def test_the_worst_campaign_is_the_critical_tier_worst_cpl_first(demo_db: DemoDb) -> None:
    t = schema.ml_campaign_classifications
    with demo_db.engine.connect() as conn:
        rows = conn.execute(
            sa.select(t.c.campaign_id, t.c.metrics_snapshot).where(
                t.c.config_id == CID, t.c.tier == "UNDERPERFORMER"
            )
        ).all()
    snaps = {cid: _json(s) for cid, s in rows}
    assert len(snaps) >= 2, "the demo account 2 has a critical tier to sort"
    # a campaign that spent with no lead is worse than any CPL; then the highest CPL
    order = sorted(
        snaps,
        key=lambda c: (
            (0, -snaps[c]["spend_7d"])
            if not snaps[c]["leads_7d"]
            else (1, -snaps[c]["spend_7d"] / snaps[c]["leads_7d"])
        ),
    )
    names = _names(demo_db, CID)
    reply = _ask(demo_db, "qual a pior campanha?")
    lines = reply.text.splitlines()
    assert reply.intent == "underperformers"
    worst = snaps[order[0]]
    assert lines[0].startswith("A pior campanha nos 7 dias até ")
    assert f"“{names[order[0]]}” ({order[0]}): " in lines[0]
    if not worst["leads_7d"]:
        assert f"gastou {format_money(worst['spend_7d'])} sem nenhum lead" in lines[0]
    listed = [line[3:].split("”")[0] for line in lines[2:] if line.startswith("- ")]
    assert listed == [names[c] for c in order[:5]]


# ------------------------------------------------------------------ 2. spending without leads


def test_spending_without_leads_lists_exactly_those_campaigns(demo_db: DemoDb) -> None:
    seen = set()
    for cid in (1, 2, 3):
        feats = _features(demo_db, cid)
        idle = sorted(
            (c for c, f in feats.items() if (f["spend_7d"] or 0) > 0 and not f["leads_7d"]),
            key=lambda c: -feats[c]["spend_7d"],
        )
        seen.add(bool(idle))
        reply = _ask(demo_db, "quais campanhas estão gastando sem gerar lead?", cid)
        assert reply.intent == "underperformers"
        lines = reply.text.splitlines()
        day = f"{demo_db.as_of:%d/%m/%Y}"
        if not idle:
            assert lines[0].startswith(f"Nenhuma campanha gastou sem gerar lead nos 7 dias até {day}")
            continue
        n = len(idle)
        assert lines[0].startswith(f"{n} campanha{'s' if n != 1 else ''} gast")
        assert lines[0].endswith(f"sem gerar nenhum lead nos 7 dias até {day}:")
        listed = [line for line in lines[1:] if line.startswith("- ")]
        assert len(listed) == n
        for line, c in zip(listed, idle, strict=True):
            assert f"({c}): {format_money(feats[c]['spend_7d'])} gastos, 0 leads;" in line
    assert seen == {True, False}  # the demo accounts have both cases
