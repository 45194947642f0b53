"""Offline answers to buyer questions left wrong or weak (agent21's review): a campaign's tier asked
("por que a campanha 22 está como MODERATE?", "o que falta pra virar HIGH_PERFORMER?", "quais campanhas
estão caindo de tier?") is the tier's rule with the campaign's own 7 days, first, not the anomalies or the
help menu; "dia 15" is that day, "desde segunda" the days from it; an ad set or a creative asked is said to
be below what the source holds before the campaigns' answer; "quanto faturei?" says the source has no
revenue.

Every figure is computed here from the cleaned source on its own."""

from __future__ import annotations

import datetime as dt
import json
import math
import re

import polars as pl
import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.core.recommendations import format_money, format_number
from famachat_ml_pipeline_tests.agent.conftest import DemoDb, leads_of
from famachat_ml_pipeline_tests.agent.test_offline_asks8 import _d
from famachat_ml_pipeline_tests.agent.test_offline_asks12 import _stored_day
from famachat_ml_pipeline_tests.agent.test_offline_asks14 import _source, _sums
from famachat_ml_pipeline_tests.agent.test_offline_followups import ACCOUNT, _thread

pytestmark = pytest.mark.timeout(1200)
DAY = dt.timedelta(days=1)
WORD = {
    "HIGH_PERFORMER": "alta performance",
    "MODERATE": "moderado",
    "LOW": "baixo",
    "UNDERPERFORMER": "crítico",
}
RANK = {"UNDERPERFORMER": 0, "LOW": 1, "MODERATE": 2, "HIGH_PERFORMER": 3}
HELP = "Posso responder sobre esta conta"


def _x(ratio: float) -> str:
    return f"{ratio:.2f}".replace(".", ",") + "x"


def _times(ratio: float) -> str:
    """A campaign's CPL over the account's as every answer says it (agent33): one decimal, rounded once from
    the unrounded ratio; two where one would sit on a tier bound (0,7, 1,0, 1,5) the ratio is not."""
    one = round(ratio, 1)
    digits = 2 if one in (0.7, 1.0, 1.5) and abs(ratio - one) >= 0.005 else 1
    return format_number(ratio, digits) + "x"


def _numbered(db: DemoDb) -> dict[int, str]:
    """The account's campaigns named "Campanha N - ...", by N."""
    c = db.data.campaigns.filter(pl.col("config_id") == ACCOUNT)
    return {
        int(m.group(1)): cid
        for cid, name in zip(c["campaign_id"], c["name"], strict=True)
        if (m := re.search(r"Campanha (\d+) -", name or ""))
    }


def _week(db: DemoDb) -> tuple[dict[str, tuple[float, int, int]], float]:
    """Each campaign's (spend, leads, days with leads) over the last 7 days, and the account's CPL there."""
    through = db.as_of
    d = _source(db, ACCOUNT, through - 6 * DAY, through, db.now)
    per = d.group_by("campaign_id").agg(
        pl.col("spend").sum(), pl.col("leads").sum(), (pl.col("leads") > 0).sum().alias("dwl")
    )
    total = _sums(d, through - 6 * DAY, through)
    rows = {
        r["campaign_id"]: (float(r["spend"]), int(r["leads"]), int(r["dwl"]))
        for r in per.iter_rows(named=True)
    }
    return rows, total["cpl"]


def _rule(spend: float, leads: int, dwl: int, account_cpl: float) -> str:
    """The seed's tier rule, written here on its own."""
    if leads == 0:
        return "UNDERPERFORMER"
    ratio = round(spend / leads / account_cpl, 9)
    if ratio <= 0.70 and dwl >= 4:
        return "HIGH_PERFORMER"
    if ratio <= 1.00 and leads >= 2:
        return "MODERATE"
    return "LOW" if ratio <= 1.50 else "UNDERPERFORMER"


def latest_tiers(db: DemoDb) -> dict[str, tuple[str, dict]]:
    """campaign_id -> (tier, metrics snapshot) of the latest classification day, read with SQL."""
    with db.engine.connect() as c:
        rows = c.execute(
            sa.text(
                "select campaign_id, tier, metrics_snapshot from ml_campaign_classifications "
                "where config_id = :a and classified_at = "
                "(select max(classified_at) from ml_campaign_classifications where config_id = :a)"
            ),
            {"a": ACCOUNT},
        ).all()
    return {r[0]: (r[1], r[2] if isinstance(r[2], dict) else json.loads(r[2] or "{}")) for r in rows}


def _classified(db: DemoDb) -> dict[str, tuple[str, str | None]]:
    """campaign_id -> (today's tier, the model's next-week tier) of the latest classification day."""
    return {cid: (tier, snap.get("predicted_next_tier")) for cid, (tier, snap) in latest_tiers(db).items()}


# ------------------------------------------------------------ 1. a campaign's tier, its rule, the premise
def test_a_tier_asked_with_a_wrong_premise_says_no_then_the_rule_with_its_figures(demo_db: DemoDb) -> None:
    """ "por que a campanha N está como MODERATE?": "Não" first when it is in another tier, the tier it is
    in (the rule's, recomputed here), its 7-day CPL against the account's and the rule's line; "Sim"-like
    "está no tier" when it is MODERATE. Never the anomalies' or the help menu's answer."""
    rows, account_cpl = _week(demo_db)
    tiers = _classified(demo_db)
    asked = 0
    for number, cid in sorted(_numbered(demo_db).items()):
        if cid not in tiers or cid not in rows or rows[cid][0] <= 0:
            continue
        spend, leads, dwl = rows[cid]
        tier = _rule(spend, leads, dwl, account_cpl)
        assert tiers[cid][0] == tier, (cid, tiers[cid], rows[cid])
        ((intent, lines),) = _thread(
            demo_db, demo_db.now, [f"por que a campanha {number} está como MODERATE?"]
        )
        assert intent == "tier", lines
        if tier == "MODERATE":
            assert lines[0].endswith(f"({cid}) está no tier moderado (MODERATE)."), lines[0]
        else:
            assert lines[0].startswith("Não: "), lines[0]
            wrong = f"({cid}) não está no tier moderado (MODERATE), e sim no tier {WORD[tier]} ({tier})."
            assert wrong in lines[0], lines[0]
        assert lines[1].startswith("Por quê: "), lines
        if leads:
            cpl = spend / leads
            assert f"CPL {format_money(cpl)} nos 7 dias até {_d(demo_db.as_of)} = " in lines[1], lines[1]
            assert (
                f"= {_times(cpl / account_cpl)} o da conta ({format_money(account_cpl)}), {leads_of(leads)}"
                in (lines[1])
            ), lines[1]
        else:
            assert f"gastou {format_money(spend)} sem nenhum lead nos 7 dias" in lines[1], lines[1]
        assert not any(HELP in x or "anomalias abertas" in x for x in lines), lines
        asked += 1
    assert asked >= 5


def test_what_the_next_tier_up_asks_for_is_the_ceiling_at_todays_account_cpl(demo_db: DemoDb) -> None:
    """ "o que falta para a campanha N virar HIGH_PERFORMER?" (a MODERATE one), "... virar MODERATE?" (a LOW
    one), "... virar LOW?" (an UNDERPERFORMER one with leads): its tier first, then the CPL ceiling (0,70x,
    1,00x or 1,50x the account's), the
    most spend for the same leads and the fewest leads for the same spend, all computed here."""
    rows, account_cpl = _week(demo_db)
    tiers = _classified(demo_db)
    goals = {
        "MODERATE": ("HIGH_PERFORMER", 0.70, 1),
        "LOW": ("MODERATE", 1.00, 2),
        "UNDERPERFORMER": ("LOW", 1.50, 1),
    }
    done = set()
    for number, cid in sorted(_numbered(demo_db).items()):
        tier = tiers.get(cid, (None,))[0]
        if tier not in goals or tier in done or not rows.get(cid, (0, 0, 0))[1]:
            continue
        up, ratio, min_leads = goals[tier]
        spend, leads, _ = rows[cid]
        ((intent, lines),) = _thread(
            demo_db, demo_db.now, [f"o que falta para a campanha {number} virar {up}?"]
        )
        assert intent == "tier", lines
        assert lines[0].endswith(f"({cid}) está no tier {WORD[tier]} ({tier})."), lines[0]
        ceiling = ratio * account_cpl
        need = max(math.ceil(round(spend / ceiling, 9)), min_leads)
        (goal,) = [x for x in lines if x.startswith("Para subir para ")]
        assert goal.startswith(
            f"Para subir para o tier {WORD[up]} ({up}): CPL de até {format_money(ceiling)} "
            f"({_x(ratio)} o CPL da conta"
        ), goal
        assert f"gastar até {format_money(ceiling * leads)} com os mesmos {leads} leads" in goal, goal
        assert f"chegar a {leads_of(need)} com o mesmo gasto ({format_money(spend)})" in goal, goal
        done.add(tier)
    assert len(done) >= 2, done


def test_campaigns_falling_a_tier_are_the_models_next_week_below_today(demo_db: DemoDb) -> None:
    """ "quais campanhas estão caindo de tier?": the campaigns whose model's next-week tier ranks below
    today's, each named with both tiers; "Nenhuma" when none; never the help menu."""
    tiers = _classified(demo_db)
    falling = sorted(cid for cid, (t, p) in tiers.items() if p in RANK and RANK[p] < RANK[t])
    ((intent, lines),) = _thread(demo_db, demo_db.now, ["quais campanhas estão caindo de tier?"])
    assert intent == "tier", lines
    assert not any(HELP in x for x in lines), lines
    if not any(p in RANK for _, p in tiers.values()):
        assert lines[0].startswith("Não há previsão de tier do modelo"), lines
        return
    if not falling:
        assert lines[0].startswith("Nenhuma campanha com queda de tier prevista"), lines
        return
    assert lines[0].startswith(
        f"{len(falling)} campanha{'s' if len(falling) != 1 else ''} com queda de tier prevista"
    ), lines[0]
    listed = sorted(re.search(r"\((\d+)\): ", x).group(1) for x in lines if x.startswith("- “"))
    assert listed == falling, lines
    for cid in falling:
        (line,) = [x for x in lines if f"({cid}): " in x]
        t, p = tiers[cid]
        assert f"{WORD[t]} ({t}) → {WORD[p]} ({p})" in line, line


def test_a_tier_thread_carries_the_campaign_to_the_goal_and_to_the_next_one(demo_db: DemoDb) -> None:
    """ "qual o tier da campanha N?", "o que falta pra ela virar HIGH_PERFORMER?", "e da campanha M?": the
    pronoun is the campaign before, "e da campanha M?" the same question of M."""
    tiers = _classified(demo_db)
    numbered = [
        (n, c)
        for n, c in sorted(_numbered(demo_db).items())
        if c in tiers and tiers[c][0] != "HIGH_PERFORMER"
    ]
    (n1, c1), (n2, c2) = numbered[:2]
    answers = _thread(
        demo_db,
        demo_db.now,
        [
            f"qual o tier da campanha {n1}?",
            "o que falta pra ela virar HIGH_PERFORMER?",
            f"e da campanha {n2}?",
        ],
    )
    for (intent, lines), cid in zip(answers, (c1, c1, c2), strict=True):
        assert intent == "tier", lines
        t = tiers[cid][0]
        assert lines[0].endswith(f"({cid}) está no tier {WORD[t]} ({t})."), lines[0]
    assert any(x.startswith("Para subir para ") for x in answers[1][1]), answers[1][1]


# ----------------------------------------------------------------- 2. "dia 15", "desde segunda"
def test_dia_n_is_the_latest_day_with_that_number(demo_db: DemoDb) -> None:
    """ "quanto gastei dia N?": that day of this month (or last month's when it has not come), its spend
    first, from the source; not the 7 days."""
    through = demo_db.as_of
    for back in (0, 3, 9):
        day = through - back * DAY
        d = _source(demo_db, ACCOUNT, day, day, demo_db.now)
        s = _sums(d, day, day)
        ((intent, lines),) = _thread(demo_db, demo_db.now, [f"quanto gastei dia {day.day}?"])
        assert intent == "performance", lines
        assert lines[0].startswith(
            f"Em {_d(day)}: {format_money(s['spend'])} investidos, {leads_of(s['leads'])}"
        ), lines[0]


def test_desde_a_day_is_the_period_from_it_to_the_last_complete_day(demo_db: DemoDb) -> None:
    """ "quanto gastei desde segunda?" (the last Monday before today), "quantos leads desde o dia N?": the
    days from it up to the last complete day, summed here; the figure asked first."""
    through = demo_db.as_of
    today = through + DAY
    monday = today - dt.timedelta(days=today.weekday() or 7)
    twelve = through - 11 * DAY
    for question, first, lead in (
        ("quanto gastei desde segunda?", monday, "spend"),
        (f"quantos leads desde o dia {twelve.day}?", twelve, "leads"),
    ):
        d = _source(demo_db, ACCOUNT, first, through, demo_db.now)
        s = _sums(d, first, through)
        n = (through - first).days + 1
        ((intent, lines),) = _thread(demo_db, demo_db.now, [question])
        assert intent == "performance", lines
        head = f"({_d(first)} a {_d(through)}, {n} dias): "
        assert head in lines[0] and lines[0].startswith("O período desde "), lines[0]
        figures = lines[0].split(head, 1)[1]
        money, leads = f"{format_money(s['spend'])} investidos", leads_of(s["leads"])
        assert figures.startswith(money if lead == "spend" else leads), figures
        assert money in figures and leads in figures, figures


# ----------------------------------------------------------------- 3. what the source does not hold
@pytest.mark.parametrize(
    "question",
    [
        "qual conjunto de anúncios tem o melhor CPL?",
        "qual criativo tá performando melhor?",
        "quais anúncios trazem mais leads?",
    ],
)
def test_an_ad_set_or_creative_asked_is_said_missing_before_the_campaigns(
    demo_db: DemoDb, question: str
) -> None:
    ((_, lines),) = _thread(demo_db, demo_db.now, [question])
    assert lines[0].startswith(
        "Os dados desta conta não descem a conjunto de anúncios, anúncio, criativo nem posicionamento"
    ), lines
    assert "A resposta abaixo é por campanha." in lines[0], lines[0]
    assert len(lines) > 1 and "Campanha" in lines[1], lines


def test_the_account_of_ads_is_no_ad_level_ask(demo_db: DemoDb) -> None:
    ((_, lines),) = _thread(demo_db, demo_db.now, ["como está minha conta de anúncios?"])
    assert not lines[0].startswith("Os dados desta conta não descem"), lines


@pytest.mark.parametrize("question", ["quanto faturei com os leads?", "qual a receita da conta?"])
def test_revenue_asked_says_the_source_has_none(demo_db: DemoDb, question: str) -> None:
    ((intent, lines),) = _thread(demo_db, demo_db.now, [question])
    assert intent == "roi", lines
    assert lines[0].startswith("A fonte não tem receita"), lines
    assert not any(HELP in x for x in lines), lines


# ----------------------------------------------------------------- 4. tomorrow's spend asked, said first
def test_tomorrows_spend_asked_leads_with_the_spend(demo_db: DemoDb) -> None:
    """ "quanto vou gastar amanhã?": the account's stored forecast of that day, its spend first; "quantos
    leads amanhã?" still leads with the leads."""
    tomorrow = demo_db.now.date() + DAY
    leads, spend = _stored_day(demo_db, tomorrow, "leads"), _stored_day(demo_db, tomorrow, "spend")
    head = f"Previsão para {_d(tomorrow)} (só esse dia): "
    ((intent, lines),) = _thread(demo_db, demo_db.now, ["quanto vou gastar amanhã?"])
    assert intent == "forecast", lines
    # a forecast, said as one (agent31): "cerca de" each figure, the leads whole
    assert (
        lines[0] == f"{head}cerca de {format_money(spend)} de gasto e cerca de {round(leads)} leads na conta."
    ), lines
    ((_, lines),) = _thread(demo_db, demo_db.now, ["quantos leads amanhã?"])
    assert (
        lines[0] == f"{head}cerca de {round(leads)} leads e cerca de {format_money(spend)} de gasto na conta."
    ), lines


# ------------------------------------------------------------ 5. the falling campaigns, as a pure function
def test_tier_rows_mark_a_fall_only_below_todays_tier() -> None:
    """The model's next-week tier below today's is a fall; the same or above is not; no prediction, none."""
    from famachat_ml_pipeline.agent.facts_tiers import tier_rows  # here: the module is new (agent21)

    snap = {"spend_7d": 100.0, "leads_7d": 5, "account_cpl_7d": 25.0, "days_with_leads_7d": 4}
    rows = tier_rows(
        [
            {
                "campaign_id": "a",
                "tier": "MODERATE",
                "metrics_snapshot": {**snap, "predicted_next_tier": "LOW"},
            },
            {
                "campaign_id": "b",
                "tier": "LOW",
                "metrics_snapshot": {**snap, "predicted_next_tier": "MODERATE"},
            },
            {"campaign_id": "c", "tier": "LOW", "metrics_snapshot": snap},
        ]
    )
    assert [r["falls"] for r in rows] == [True, False, False]
    # MODERATE -> HIGH_PERFORMER at CPL <= 0,70 x 25 = 17,50: R$ 87,50 for 5 leads, or 6 leads for R$ 100
    goal = rows[0]["goal"]
    assert (goal["tier"], goal["cpl_max"], goal["spend_max"], goal["leads_min"]) == (
        "HIGH_PERFORMER",
        17.5,
        87.5,
        6,
    )
