"""Offline answers the fifth buyer review left wrong or weak (agent21, second part): "por que você recomenda
reduzir o orçamento da 11?" when it does not; a leads target ("passar de 100 leads essa semana?", "a
campanha 4 vai bater 150 leads?"), the worst case and "o CPL vai subir?" answered with a verdict from the
stored forecast; the CRITICAL anomalies and an alert named ("o alerta de gasto zerado") first; the most
urgent recommendation; how much to raise a budget in money; "ontem e anteontem"; a campaign's CPL first.

Every figure is computed here from the tables (ml_forecasts, ml_anomalies, ml_recommendations) and the
cleaned source on their own."""

from __future__ import annotations

import datetime as dt
import json
import re

import polars as pl
import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.agent.service import open_agent
from famachat_ml_pipeline.agent.tools.context import ToolContext
from famachat_ml_pipeline.core.recommendations import format_money, format_number
from famachat_ml_pipeline_tests.agent.conftest import DemoDb, leads_of
from famachat_ml_pipeline_tests.agent.test_offline_asks8 import _d
from famachat_ml_pipeline_tests.agent.test_offline_asks14 import _source, _sums
from famachat_ml_pipeline_tests.agent.test_offline_asks16 import _numbered
from famachat_ml_pipeline_tests.agent.test_offline_followups import ACCOUNT, _thread

pytestmark = pytest.mark.timeout(1200)
DAY = dt.timedelta(days=1)
GOOD_NEWS = {"CPL_DROP", "CTR_SPIKE", "PERFORMANCE_SPIKE"}


def _json(value: object) -> object:
    return value if isinstance(value, (list, dict)) else json.loads(value or "null")


def _stored(db: DemoDb) -> list[tuple[str, str, list[dict]]]:
    """(campaign, metric, daily points) of the account's latest forecast origin, from ml_forecasts."""
    with db.engine.connect() as c:
        rows = c.execute(
            sa.text(
                "select entity_id, target_metric, predictions from ml_forecasts where config_id = :a and "
                "forecast_date = (select max(forecast_date) from ml_forecasts where config_id = :a)"
            ),
            {"a": ACCOUNT},
        ).all()
    return [(e, m, _json(p) or []) for e, m, p in rows]


def _sum(
    db: DemoDb, metric: str, first: dt.date, last: dt.date, cid: str | None = None
) -> tuple[float, float, float]:
    """The point, the lower and the upper bounds of a metric summed over campaigns and days first..last."""
    point = low = high = 0.0
    for e, m, pts in _stored(db):
        if m != metric or (cid is not None and e != cid):
            continue
        for p in pts:
            if first.isoformat() <= str(p["date"])[:10] <= last.isoformat():
                point, low, high = point + p["predicted"], low + p["lower"], high + p["upper"]
    return point, low, high


def _verdict(target: float, point: float, low: float, high: float) -> str:
    """The rule asked of the answer, written here on its own."""
    if target > high:
        return "Improvável"
    if target < low:
        return "Quase certo"
    return "Provavelmente sim" if point >= target else "Provavelmente não"


def _active_recs(db: DemoDb, account: int = ACCOUNT) -> list[dict]:
    """The account's active recommendations in the pipeline's order (priority, confidence, id)."""
    with db.engine.connect() as c:
        rows = c.execute(
            sa.text(
                "select id, entity_id, recommendation_type, priority, title, confidence_score from "
                "ml_recommendations where config_id = :a and is_active = :t and "
                "(dismissed is null or dismissed = :f)"
            ),
            {"a": account, "t": True, "f": False},
        ).mappings()
        found = [dict(r) for r in rows]
    return sorted(found, key=lambda r: (-r["priority"], -r["confidence_score"], r["id"]))


def _names(db: DemoDb, account: int = ACCOUNT) -> dict[str, str]:
    c = db.data.campaigns.filter(pl.col("config_id") == account)
    return dict(zip(c["campaign_id"], c["name"], strict=True))


def _ask(db: DemoDb, account: int, question: str) -> tuple[str, list[str]]:
    reply = open_agent(db.engine, account, db.settings, mode="offline", now=db.now).ask(question)
    return reply.intent, reply.text.splitlines()


# ------------------------------------------------------------ 1. the advice asked about, when it is not there
def test_why_a_cut_not_advised_says_no_first_then_who_has_it(demo_db: DemoDb) -> None:
    """ "por que você recomenda reduzir o orçamento da campanha N?" of a campaign with no cut advice: "Não
    há recomendação de reduzir o orçamento" of it first, then the campaigns that have one; of a campaign
    with one, its title (the why), not the CPL's factors."""
    recs = _active_recs(demo_db)
    cuts = {
        r["entity_id"]: r["title"]
        for r in recs
        if r["recommendation_type"] in {"BUDGET_DECREASE", "PAUSE_CAMPAIGN"}
    }
    numbered = _numbered(demo_db)
    without = [n for n, c in sorted(numbered.items()) if c not in cuts]
    with_cut = [n for n, c in sorted(numbered.items()) if c in cuts]
    assert without and with_cut
    n = without[0]
    cid = numbered[n]
    ((intent, lines),) = _thread(
        demo_db, demo_db.now, [f"por que você recomenda reduzir o orçamento da campanha {n}?"]
    )
    assert intent == "recommendations", lines
    assert lines[0].startswith("Não há recomendação de reduzir o orçamento"), lines[0]
    assert f"({cid})" in lines[0], lines[0]
    for other, title in cuts.items():
        assert f"({other}): {title}" in lines[1], lines[1]
    assert not any(x.startswith("Por que o CPL mudou") for x in lines), lines
    n = with_cut[0]
    ((_, lines),) = _thread(
        demo_db, demo_db.now, [f"por que você recomenda reduzir o orçamento da campanha {n}?"]
    )
    assert lines[0].startswith("O pipeline recomenda para "), lines[0]
    assert cuts[numbered[n]] in lines[0], lines[0]


# ------------------------------------------------------------ 2. a leads target against the stored forecast
def test_a_leads_target_this_week_gets_the_verdict_of_the_rule_first(demo_db: DemoDb) -> None:
    """ "qual a chance de passar de N leads essa semana?": the week's complete days (source) plus the stored
    forecast of its days left; "Improvável" only above the sum of the upper bounds, "Quase certo" below the
    lower ones, else "Provavelmente sim/não" by the point; the point said."""
    through = demo_db.as_of
    today = through + DAY
    monday = today - dt.timedelta(days=today.weekday())
    sunday = monday + 6 * DAY
    done = (
        _sums(_source(demo_db, ACCOUNT, monday, through, demo_db.now), monday, through)["leads"]
        if monday <= through
        else 0
    )
    point, low, high = _sum(demo_db, "leads", today, sunday)
    point, low, high = point + done, low + done, high + done
    assert low < point < high
    targets = [max(1, int(low) - 1), int((low + point) / 2), int((point + high) / 2), int(high) + 5]
    seen = set()
    for target in targets:
        ((intent, lines),) = _thread(
            demo_db, demo_db.now, [f"qual a chance de passar de {target} leads essa semana?"]
        )
        assert intent == "forecast", lines
        verdict = _verdict(target, point, low, high)
        seen.add(verdict)
        assert lines[0].startswith(f"{verdict}: pela previsão do pipeline, a conta deve fazer cerca de "), (
            lines[0]
        )
        assert f"{format_number(point, 0)} leads esta semana ({_d(monday)} a {_d(sunday)})" in lines[0], (
            lines[0]
        )
        assert "não é um intervalo de 95% da conta" in lines[1], lines[1]
    assert seen == {"Improvável", "Quase certo", "Provavelmente sim", "Provavelmente não"}


def test_a_campaigns_target_next_week_is_its_own_forecast(demo_db: DemoDb) -> None:
    """ "a campanha N vai bater M leads semana que vem?": that campaign's stored forecast over the horizon,
    the verdict first, its point said (not the account's, not only the range)."""
    first = demo_db.as_of + DAY
    last = first + 6 * DAY
    numbered = _numbered(demo_db)
    n, cid = max(numbered.items(), key=lambda x: _sum(demo_db, "leads", first, last, x[1])[0])
    point, low, high = _sum(demo_db, "leads", first, last, cid)
    target = int(point * 1.2) + 1
    ((intent, lines),) = _thread(
        demo_db, demo_db.now, [f"a campanha {n} vai bater {target} leads semana que vem?"]
    )
    assert intent == "forecast", lines
    name = _names(demo_db)[cid]
    assert lines[0].startswith(
        f"{_verdict(target, point, low, high)}: pela previsão do pipeline, “{name}” deve fazer cerca de "
        f"{format_number(point, 1)} leads nos próximos 7 dias ({_d(first)} a {_d(last)})"
    ), lines[0]


# ------------------------------------------------------------ 3. the worst case, said for what it is
def test_the_worst_case_is_the_sum_of_the_lower_bounds_said_pessimistic(demo_db: DemoDb) -> None:
    first = demo_db.as_of + DAY
    last = first + 6 * DAY
    point, low, high = _sum(demo_db, "leads", first, last)
    ((intent, lines),) = _thread(demo_db, demo_db.now, ["quantos leads na próxima semana, no pior caso?"])
    assert intent == "forecast", lines
    assert lines[0].startswith(
        f"No pior caso, cerca de {format_number(low, 0)} leads de {_d(first)} a {_d(last)}: a soma dos "
        "limites inferiores de 95% de cada campanha"
    ), lines[0]
    assert "não um intervalo de 95% do total" in lines[0], lines[0]
    assert lines[1].startswith(f"Previsão central: {format_number(point, 0)} leads"), lines[1]


# ------------------------------------------------------------ 4. the CPL ahead
@pytest.mark.parametrize("question", ["o CPL vai subir?", "o cpl da conta vai cair?"])
def test_the_cpl_ahead_is_the_forecasts_against_the_last_7_days(demo_db: DemoDb, question: str) -> None:
    """The stored spend over the stored leads of the horizon against the 7 days' CPL (source): "Sobe",
    "Cai" or "Fica estável" (within 5 %) first, both CPLs said."""
    through = demo_db.as_of
    first, last = through + DAY, through + 7 * DAY
    spend, leads = _sum(demo_db, "spend", first, last)[0], _sum(demo_db, "leads", first, last)[0]
    ahead = spend / leads
    now = _sums(
        _source(demo_db, ACCOUNT, through - 6 * DAY, through, demo_db.now), through - 6 * DAY, through
    )["cpl"]
    change = (ahead - now) / now * 100
    verdict = "Fica estável" if abs(change) <= 5 else "Sobe" if change > 0 else "Cai"
    ((intent, lines),) = _thread(demo_db, demo_db.now, [question])
    assert intent == "forecast", lines
    assert lines[0].startswith(
        f"{verdict}: pela previsão do pipeline, o CPL da conta deve ficar em {format_money(ahead)} de "
        f"{_d(first)} a {_d(last)}, contra {format_money(now)} nos 7 dias de {_d(through - 6 * DAY)} a "
        f"{_d(through)}"
    ), lines[0]
    assert "até ±5% conto como estável" in lines[0], lines[0]


# ------------------------------------------------------------ 5. the CRITICAL anomalies, an alert named
def _anomalies(db: DemoDb, since: dt.date) -> list[dict]:
    with db.engine.connect() as c:
        rows = c.execute(
            sa.text(
                "select entity_id, anomaly_type, severity, anomaly_date from ml_anomalies where "
                "config_id = :a and anomaly_date >= :s and (is_acknowledged is null or is_acknowledged = :f)"
            ),
            {"a": ACCOUNT, "s": dt.datetime.combine(since, dt.time()), "f": False},
        ).mappings()
        return [{**r, "day": str(r["anomaly_date"])[:10]} for r in rows]


def test_a_critical_problem_asked_lists_the_critical_anomalies_first(demo_db: DemoDb) -> None:
    since = demo_db.as_of - 6 * DAY
    critical = [
        a
        for a in _anomalies(demo_db, since)
        if a["severity"] == "CRITICAL" and a["anomaly_type"] not in GOOD_NEWS
    ]
    names = _names(demo_db)
    ((intent, lines),) = _thread(demo_db, demo_db.now, ["teve algum problema crítico?"])
    assert intent == "anomalies", lines
    if not critical:
        assert lines[0] == f"Não: nenhuma anomalia de severidade CRITICAL desde {_d(since)}.", lines
        return
    n = len(critical)
    assert (
        lines[0] == f"Sim: {n} anomalia{'s' if n != 1 else ''} de severidade CRITICAL desde {_d(since)}:"
    ), lines
    listed = lines[1 : 1 + n]
    for a in critical:
        day = dt.date.fromisoformat(a["day"])
        assert any(f"“{names[a['entity_id']]}” ({_d(day)})" in x and "CRITICAL" in x for x in listed), listed


def test_an_alert_named_leads_with_that_alert_and_its_meaning(demo_db: DemoDb) -> None:
    """ "por que o alerta de gasto zerado?": the ZERO_SPEND alerts of the 30 days first (campaign, day), what
    the alert means, before any CPL factor; "Nenhum alerta" when there is none."""
    since = demo_db.as_of - 29 * DAY
    names = _names(demo_db)
    for words, kind in (("gasto zerado", "ZERO_SPEND"), ("frequência alta", "FREQUENCY_ALERT")):
        found = [a for a in _anomalies(demo_db, since) if a["anomaly_type"] == kind]
        ((intent, lines),) = _thread(demo_db, demo_db.now, [f"por que o alerta de {words}?"])
        assert intent == "anomalies", lines
        if not found:
            assert lines[0].startswith(f"Nenhum alerta de {words} ({kind})"), lines
            continue
        n = len(found)
        head = f"O alerta de {words} ({kind})" if n == 1 else f"{n} alertas de {words} ({kind})"
        assert lines[0] == f"{head} desde {_d(since)}:", lines
        latest = max(found, key=lambda a: a["day"])
        assert f"“{names[latest['entity_id']]}” ({_d(dt.date.fromisoformat(latest['day']))})" in "\n".join(
            lines[1:6]
        )
        meaning = next(i for i, x in enumerate(lines) if x.startswith("O que significa: "))
        assert meaning <= 6 and not any(x.startswith("Por que o CPL mudou") for x in lines[:meaning]), lines


# ------------------------------------------------------------ 6. the most urgent, the step in money
def test_the_most_urgent_recommendation_is_one_named_first_with_the_tie_rule(demo_db: DemoDb) -> None:
    """The first by priority (10 = most urgent), then confidence, then id, as the pipeline orders them; a
    tie at the top priority said with its rule (every account of the demo, one has a tie)."""
    ties = 0
    for account in (1, 2, 3):
        recs = _active_recs(demo_db, account)
        if not recs:
            continue
        top = recs[0]
        name = _names(demo_db, account)[top["entity_id"]]
        name = " ".join(name.split())[:80]  # quoted as the answers quote a name
        intent, lines = _ask(demo_db, account, "qual recomendação é mais urgente?")
        assert intent == "recommendations", lines
        assert lines[0].startswith(
            f"A mais urgente: {top['title']} — “{name}” ({top['entity_id']}), prioridade "
            f"{top['priority']} de 10."
        ), lines[0]
        tied = [r for r in recs if r["priority"] == top["priority"]]
        if len(tied) > 1:
            ties += 1
            assert lines[1].startswith(
                f"Há {len(tied)} empatadas na prioridade {top['priority']}; desempato pela confiança"
            ), lines[1]
    assert ties


def test_how_much_to_raise_a_budget_is_the_20_pct_step_in_money(demo_db: DemoDb) -> None:
    """ "quanto devo aumentar o orçamento da campanha X?" of a campaign with scale advice and a daily budget
    (any of the demo's accounts): from the budget to 1,2x it, first; of one with cut advice, "Não" first."""
    asked = set()
    for account in (1, 2, 3):
        ctx = ToolContext(demo_db.engine, account, now=demo_db.now)
        for r in _active_recs(demo_db, account):
            cid, kind = r["entity_id"], r["recommendation_type"]
            b = ctx.campaigns[cid].get("daily_budget")
            question = f"quanto devo aumentar o orçamento da campanha {cid}?"
            if kind in {"SCALE_UP", "BUDGET_INCREASE"} and b and "up" not in asked:
                intent, lines = _ask(demo_db, account, question)
                assert intent == "recommendations", lines
                b = float(b)
                assert lines[0].startswith(
                    f"No máximo 20% por vez: de {format_money(b)} para {format_money(b * 1.2)} por dia "
                    f"(+{format_money(b * 0.2)})"
                ), lines[0]
                assert len(lines) == len(set(lines)), lines
                asked.add("up")
            if kind in {"BUDGET_DECREASE", "PAUSE_CAMPAIGN"} and "down" not in asked:
                _, lines = _ask(demo_db, account, question)
                assert lines[0].startswith("Não: "), lines[0]
                asked.add("down")
    assert asked == {"up", "down"}


# ------------------------------------------------------------ 7. two days asked, one campaign's CPL first
def test_yesterday_and_the_day_before_are_each_said(demo_db: DemoDb) -> None:
    yesterday = demo_db.as_of
    before = yesterday - DAY
    ((intent, lines),) = _thread(demo_db, demo_db.now, ["quantos leads ontem e anteontem?"])
    assert intent == "performance", lines
    for line, day in zip(lines[:2], (yesterday, before), strict=True):
        s = _sums(_source(demo_db, ACCOUNT, day, day, demo_db.now), day, day)
        assert line.startswith(
            f"Em {_d(day)}: {leads_of(s['leads'])}, {format_money(s['spend'])} investidos"
        ), line


def test_a_campaigns_cpl_asked_is_said_first(demo_db: DemoDb) -> None:
    """ "qual o cpl da campanha N": its 7 days' CPL first (the source's, a campaign with all 7 days valid),
    then the card."""
    through = demo_db.as_of
    first = through - 6 * DAY
    d = _source(demo_db, ACCOUNT, first, through, demo_db.now)
    names = _names(demo_db)
    asked = 0
    for n, cid in sorted(_numbered(demo_db).items()):
        own = d.filter(pl.col("campaign_id") == cid)
        s = _sums(own, first, through)
        if s["rows"] != 7 or not s["leads"]:
            continue
        ((intent, lines),) = _thread(demo_db, demo_db.now, [f"qual o cpl da campanha {n}"])
        assert intent == "campaign_details", lines
        assert lines[0] == (
            f"CPL de “{names[cid]}” nos 7 dias até {_d(through)}: {format_money(s['cpl'])} "
            f"({format_money(s['spend'])} gastos, {leads_of(s['leads'])})."
        ), lines[0]
        asked += 1
        if asked == 3:
            break
    assert asked


# ------------------------------------------------------------ 8. the verdicts' rules, as pure functions
def test_target_verdict_and_cpl_move_rules() -> None:
    from famachat_ml_pipeline.agent.facts_forecast import cpl_move, target_verdict  # new (agent21)

    assert target_verdict(120, 100, 50, 110) == "improvável"
    assert target_verdict(40, 100, 50, 150) == "quase certo"
    assert target_verdict(90, 100, 50, 150) == "provavelmente sim"
    assert target_verdict(100, 100, 50, 150) == "provavelmente sim"
    assert target_verdict(101, 100, 50, 150) == "provavelmente não"
    assert cpl_move(20.0, 21.0) == "fica estável"
    assert cpl_move(20.0, 21.2) == "sobe"
    assert cpl_move(20.0, 18.8) == "cai"
    assert cpl_move(None, 18.0) is None


def test_forecast_sums_are_the_points_and_bounds_of_the_days_asked() -> None:
    from famachat_ml_pipeline.agent.facts_forecast import forecast_sums  # new (agent21)

    pts = [
        {"date": "2026-12-01", "predicted": 2.0, "lower": 1.0, "upper": 4.0},
        {"date": "2026-12-02", "predicted": 3.0, "lower": 0.0, "upper": 6.0},
    ]
    rows = [
        {"entity_id": "a", "target_metric": "leads", "predictions": pts},
        {"entity_id": "b", "target_metric": "leads", "predictions": pts[:1]},
        {"entity_id": "a", "target_metric": "spend", "predictions": pts},
    ]
    s = forecast_sums(rows, "leads")
    assert (s.point, s.low, s.high, s.campaigns) == (7.0, 2.0, 14.0, 2)
    s = forecast_sums(rows, "leads", dt.date(2026, 12, 2), None, "a")
    assert (s.point, s.low, s.high, s.first, s.last) == (
        3.0,
        0.0,
        6.0,
        dt.date(2026, 12, 2),
        dt.date(2026, 12, 2),
    )
    assert re.fullmatch(r"\d+", str(s.campaigns))
