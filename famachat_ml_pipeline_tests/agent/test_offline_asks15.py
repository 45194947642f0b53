"""Offline answers to three buyer questions left weak (agent19's review): "o cpm tá caro?" (and "meu ctr tá
bom?", "a conversão tá boa?") is a verdict against the account's own weeks, as the CPL's, each rate graded
the way it is better (a high CPM is bad, a high CTR or conversion good); "quais campanhas estão em fase de
aprendizado?" says the source has no learning status, then the campaigns under 50 leads in 7 days as a
proxy; "a campanha 4 tá saturando?" is yes / no / not clear from its frequency and CTR trends first.

Every figure is computed here from the cleaned source on its own."""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.agent.intents import classify_intent
from famachat_ml_pipeline.core.recommendations import format_money, format_pct
from famachat_ml_pipeline_tests.agent.conftest import DemoDb, leads_of
from famachat_ml_pipeline_tests.agent.test_offline import _ask
from famachat_ml_pipeline_tests.agent.test_offline_asks8 import _d
from famachat_ml_pipeline_tests.agent.test_offline_asks14 import (
    _source,
    _verdict,
    weeks_before_the_last_7_days,
)
from famachat_ml_pipeline_tests.agent.test_offline_followups import ACCOUNT, _thread

pytestmark = pytest.mark.timeout(1200)
DAY = dt.timedelta(days=1)
NO_BENCHMARK = (
    "Comparo com o histórico da própria conta: não tenho referência de mercado (benchmark) nos dados."
)


def _rate(d: pl.DataFrame, first: dt.date, last: dt.date, figure: str) -> tuple[float, float | None]:
    """(spend, the CPM, CTR or leads per click) of first..last, summed here."""
    w = d.filter(pl.col("date").is_between(first, last))
    spend, leads = float(w["spend"].sum() or 0.0), int(w["leads"].sum() or 0)
    clicks, imps = int(w["clicks"].sum() or 0), int(w["impressions"].sum() or 0)
    value = {
        "cpm": spend / imps * 1000 if imps else None,
        "ctr": clicks / imps * 100 if imps else None,
        "cvr": leads / clicks * 100 if clicks else None,
    }[figure]
    return spend, value


def _text(figure: str, value: float) -> str:
    return format_money(value) if figure == "cpm" else format_pct(value, 2)


# ----------------------------------------------------------------- 1. a rate against the account's own weeks
@pytest.mark.parametrize(
    ("question", "metric"),
    [
        ("o cpm tá caro?", "judge_cpm_bad"),
        ("o cpm ta alto?", "judge_cpm_bad"),
        ("o cpm tá bom?", "judge_cpm"),
        ("meu ctr tá bom?", "judge_ctr"),
        ("o ctr tá baixo?", "judge_ctr_bad"),
        ("a conversão tá boa?", "judge_cvr"),
        ("tá boa a conversão?", "judge_cvr"),
    ],
)
def test_a_rate_judged_asks_which_way_is_bad(question: str, metric: str) -> None:
    """ "tá caro?"/"tá alto?" of the CPM and "tá baixo?" of the CTR ask if it is bad: their "Sim" is the bad
    news; "tá bom?" asks if it is good."""
    intent = classify_intent(question)
    assert (intent.name, intent.metric) == ("performance", metric)


_NAMES = {"cpm": "o CPM (gasto por mil impressões)", "ctr": "o CTR", "cvr": "a conversão (leads por clique)"}


@pytest.mark.parametrize(
    ("question", "figure", "bad_asked"),
    [
        ("o cpm tá caro?", "cpm", True),
        ("meu ctr tá bom?", "ctr", False),
        ("a conversão tá boa?", "cvr", False),
    ],
)
def test_a_rate_is_judged_against_the_accounts_own_weeks(
    demo_db: DemoDb, question: str, figure: str, bad_asked: bool
) -> None:
    """The last 7 days' rate against the same rate of each whole week before them the source covers (up to
    12): the verdict from how many weeks were better (lower for the CPM, higher for the CTR and the
    conversion), with their median and range, the direction and what it is compared with."""
    now, through, spans = weeks_before_the_last_7_days(demo_db)
    d = _source(demo_db, ACCOUNT, spans[-1][0], through, now)
    _, value = _rate(d, through - 6 * DAY, through, figure)
    history = sorted(v for s, v in (_rate(d, a, b, figure) for a, b in spans) if s > 0 and v is not None)
    n = len(history)
    better = sum(1 for x in history if (x > value if figure != "cpm" else x < value))
    median = (history[(n - 1) // 2] + history[n // 2]) / 2
    ((intent, lines),) = _thread(demo_db, now, [question])
    assert intent == "performance", lines
    assert lines[0].startswith(
        f"{_verdict(better, n, not bad_asked)}: {_NAMES[figure]} da conta nos 7 dias até {_d(through)} foi "
        f"{_text(figure, value)}, "
    ), lines[0]
    assert (
        f"Nas {n} semanas anteriores ({_d(spans[-1][0])} a {_d(through - 7 * DAY)}), "
        f"{_NAMES[figure].split(' (')[0]} semanal foi de {_text(figure, history[0])} a "
        f"{_text(figure, history[-1])}, mediana {_text(figure, median)}; {better} delas "
    ) in lines[0], lines[0]
    assert ("é ruim" if figure == "cpm" else "é bo") in lines[0], lines[0]
    assert lines[-1] == NO_BENCHMARK, lines


# ------------------------------------------------------------------ 2. the learning phase: no status, a proxy
def test_the_learning_phase_is_said_missing_then_the_campaigns_under_50_leads(demo_db: DemoDb) -> None:
    """No learning status in the source, said first in one line; then every campaign that spent in the last
    7 days with fewer than 50 leads there, fewest first, named as a proxy; no help menu."""
    through = demo_db.as_of
    d = _source(demo_db, ACCOUNT, through - 6 * DAY, through, demo_db.now)
    per = d.group_by("campaign_id").agg(pl.col("spend", "leads").sum()).filter(pl.col("spend") > 0)
    rows = sorted((int(r["leads"] or 0), r["campaign_id"]) for r in per.iter_rows(named=True))
    under = [x for x in rows if x[0] < 50]
    assert under, "the demo has campaigns under 50 leads a week"
    ((intent, lines),) = _thread(demo_db, demo_db.now, ["quais campanhas estão em fase de aprendizado?"])
    assert intent == "learning", lines
    assert lines[0].startswith("Não sei dizer quais estão em aprendizado: a fonte"), lines[0]
    assert "proxy" in lines[1] and "50 resultados em 7 dias" in lines[1], lines[1]
    assert f"({_d(through - 6 * DAY)} a {_d(through)}), {len(under)} campanha" in lines[1], lines[1]
    listed = [x for x in lines if x.startswith("- “")]
    assert len(listed) == len(under), lines
    for line, (leads, cid) in zip(listed, under, strict=True):
        assert f"({cid}): {leads_of(leads)}, " in line, line
    assert not any("Posso responder" in x for x in lines), lines


# ------------------------------------------------------------------ 3. one campaign's saturation
def _numbered(db: DemoDb) -> dict[int, str]:
    """Account 1's campaigns named "Campanha N - ...", by N."""
    with db.engine.connect() as c:
        rows = c.execute(
            sa.text("select campaign_id, name from sistema_facebook_ads_campaigns where config_id = 1")
        ).all()
    return {int(m.group(1)): cid for cid, name in rows if (m := re.search(r"Campanha (\d+) -", name or ""))}


def test_a_campaign_saturating_is_yes_no_or_unclear_from_its_frequency_and_ctr(demo_db: DemoDb) -> None:
    """ "a campanha 4 tá saturando?" (and each other campaign of account 1 that delivered both weeks): Sim
    when its frequency (impressions / summed daily reach) rose 5 % or more while its CTR fell 5 % or more
    (last 7 days against the 7 before), Não when neither did, not clear when only one did; then both
    figures, and the rule."""
    through = demo_db.as_of
    d = _source(demo_db, 1, through - 13 * DAY, through, demo_db.now)  # account 1, as the brief asks
    numbered = _numbered(demo_db)
    assert 4 in numbered
    asked = 0
    for number, cid in sorted(numbered.items()):
        own = d.filter(pl.col("campaign_id") == cid)
        weeks = [own.filter(pl.col("date").is_between(x - 6 * DAY, x)) for x in (through - 7 * DAY, through)]
        if any(int(w["reach"].sum()) == 0 or int(w["clicks"].sum()) == 0 for w in weeks):
            continue
        (f0, c0), (f1, c1) = (
            (
                int(w["impressions"].sum()) / int(w["reach"].sum()),
                int(w["clicks"].sum()) / int(w["impressions"].sum()) * 100,
            )
            for w in weeks
        )
        up, down = (f1 - f0) / f0 * 100 >= 5, (c1 - c0) / c0 * 100 <= -5
        head = "Sim" if up and down else "Não está claro" if up or down else "Não, sem sinal"
        reply = _ask(demo_db, f"a campanha {number} tá saturando?", 1)
        lines = reply.text.splitlines()
        assert reply.intent == "campaign_details", lines
        assert lines[0].startswith(head), lines[0]
        moves = f"a frequência {'subiu' if up else 'não subiu'} e o CTR {'caiu' if down else 'não caiu'}"
        assert f"({cid}): {moves}" in lines[0], lines[0]
        assert lines[1].startswith(f"Frequência {f0:.2f} → {f1:.2f}".replace(".", ",") + " ("), lines[1]
        assert f"CTR {format_pct(c0, 2)} → {format_pct(c1, 2)} (" in lines[1], lines[1]
        assert lines[2].startswith("Regra: saturação é a frequência subindo"), lines[2]
        asked += 1
    assert asked >= 2, numbered
