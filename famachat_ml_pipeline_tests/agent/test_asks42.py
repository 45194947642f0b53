"""The twenty-fifth buyer review (agent45), mostly threads: "previsão do mês que vem" (the next 7 days,
their span unsaid), "pq o cpl subiu?" (a "Sim" first), "a 12 tem ctr maior que a 17?" (her card), "quanto
eu perdi com a 20?" (the card, or the help menu), "(0% de gasto)" for a change that rounds to 0, "ignora
esse alerta" (the anomalies listed again), "já reduzi, e agora?" after one campaign's advice (every cut
listed), "quando vai normalizar?" (the help menu), "por quê?" after the worst campaign (her card) and
after the most urgent advice (the account's CPL factors), "o que mais preocupa?" (a budget increase),
"e o cpl?" after a CTR compared (the CTR again) and "já arrumei" after a campaign's alert (the help
menu). Figures from the cleaned source or the ml tables, read here on their own. SQLite only: the answers
add no SQL of their own (the reads are the ones every answer shares, tested on both backends elsewhere)."""

from __future__ import annotations

import datetime as dt
import math
import re

import polars as pl
import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.agent.service import open_agent
from famachat_ml_pipeline.agent.types import ChatTurn
from famachat_ml_pipeline.core.recommendations import format_money, format_pct
from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline_tests.agent.conftest import DemoDb, leads_of
from famachat_ml_pipeline_tests.agent.test_asks38 import _numbered
from famachat_ml_pipeline_tests.agent.test_offline_asks8 import _d
from famachat_ml_pipeline_tests.agent.test_offline_asks14 import _source
from famachat_ml_pipeline_tests.agent.test_offline_followups import ACCOUNT

# the demo built once for the session, its SQLite side only
pytestmark = pytest.mark.timeout(600)

DAY = dt.timedelta(days=1)
FIRST, THIRD = 1, 3  # the demo's other accounts
SEVERITY = {"CRITICAL": 0, "HIGH": 1, "MEDIUM": 2, "LOW": 3}


def _talk(db: DemoDb, questions: list[str], account: int = ACCOUNT) -> list[tuple[str, list[str]]]:
    """(intent, lines) of each question asked in turn in one thread, as the API passes its turns."""
    agent = open_agent(db.engine, account, db.settings, mode="offline", now=db.now)
    history: list[ChatTurn] = []
    out = []
    for question in questions:
        reply = agent.ask(question, history)
        history += [ChatTurn("user", question), ChatTurn("assistant", reply.text)]
        out.append((reply.intent, reply.text.splitlines()))
    return out


def _one(db: DemoDb, question: str, account: int = ACCOUNT) -> tuple[str, list[str]]:
    ((intent, lines),) = _talk(db, [question], account)
    return intent, lines


def _week(db: DemoDb, cid: str | None = None, account: int = ACCOUNT, back: int = 0) -> pl.DataFrame:
    """The source's 7 days ending `back` weeks before the last complete day, of one campaign or all."""
    last = db.as_of - 7 * back * DAY
    d = _source(db, account, last - 6 * DAY, last, db.now)
    return d if cid is None else d.filter(pl.col("campaign_id") == cid)


def _sum(d: pl.DataFrame, col: str) -> float:
    return float(d[col].sum() or 0.0)


# ------------------------------------------------------------ 1. a month past the stored forecast
def _forecast_days(db: DemoDb, account: int = ACCOUNT) -> tuple[dt.date, dt.date]:
    """First and last day of the account's latest stored forecasts, from ml_forecasts' predictions."""
    f = schema.ml_forecasts
    with db.engine.connect() as conn:
        latest = conn.execute(
            sa.select(sa.func.max(f.c.forecast_date)).where(f.c.config_id == account)
        ).scalar()
        rows = conn.execute(
            sa.select(f.c.predictions).where(f.c.config_id == account, f.c.forecast_date == latest)
        ).fetchall()
    days = [dt.date.fromisoformat(p["date"]) for (preds,) in rows for p in preds or []]
    return min(days), max(days)


@pytest.mark.parametrize(
    ("question", "span"),
    [
        ("previsão do mês que vem", "dezembro de 2026"),
        ("quanto vou gastar mês que vem?", "dezembro de 2026"),
        ("quantos leads nos próximos 30 dias?", "os próximos 30 dias"),
    ],
)
def test_a_span_past_the_forecast_says_its_days_first(demo_db: DemoDb, question: str, span: str) -> None:
    """Was the next 7 days' forecast with no word that it covers 7 days ("próximos 30 dias" was even the
    last 7 days' figures): that the stored forecast covers fewer days is said first, then what it has."""
    first, last = _forecast_days(demo_db)
    n = (last - first).days + 1
    assert demo_db.now.date().month == 11 and last.month == 12, "the forecast runs into December"
    intent, lines = _one(demo_db, question)
    assert intent == "forecast", lines
    assert lines[0] == (
        f"A previsão guardada do pipeline cobre só {n} dias ({_d(first)} a {_d(last)}): não há previsão "
        f"para {span}. O que ela tem:"
    ), lines
    assert lines[1].startswith(f"Previsão do pipeline (feita com dados até {_d(demo_db.as_of)}) para "), lines


def test_the_forecasts_own_week_says_no_such_note(demo_db: DemoDb) -> None:
    intent, lines = _one(demo_db, "previsao proximos 7 dias")
    assert intent == "forecast", lines
    assert not any("cobre só" in x for x in lines), lines


# ------------------------------------------------------------ 2. "pq o cpl subiu?": the cause first
def _factors(d: pl.DataFrame) -> dict[str, float]:
    spend, imp, clicks, leads = (_sum(d, c) for c in ("spend", "impressions", "clicks", "leads"))
    return {"cpm": spend / imp * 1000, "ctr": clicks / imp, "cvr": leads / clicks}


def test_why_the_cpl_rose_leads_with_the_cause(demo_db: DemoDb) -> None:
    """Started "Sim:" (a why answered as a yes or no): the rise and the factor that pushed it most
    (CPL = CPM / (CTR x leads per click): each factor's own effect on the CPL, the largest first)."""
    now, before = _week(demo_db), _week(demo_db, back=1)
    cpl, b_cpl = (_sum(x, "spend") / _sum(x, "leads") for x in (now, before))
    assert cpl > b_cpl, "the account's CPL rose over its last 7 days"
    fn, fb = _factors(now), _factors(before)
    effect = {"cpm": fn["cpm"] / fb["cpm"], "ctr": fb["ctr"] / fn["ctr"], "cvr": fb["cvr"] / fn["cvr"]}
    top = max(effect, key=lambda k: math.log(effect[k]))
    shown = {
        "cpm": lambda x: format_money(x),
        "ctr": lambda x: format_pct(x * 100, 2),
        "cvr": lambda x: format_pct(x * 100, 2),
    }[top]
    name = {"cpm": "pelo CPM", "ctr": "pelo CTR", "cvr": "pela conversão (leads por clique)"}[top]
    last = demo_db.as_of
    intent, lines = _one(demo_db, "pq o cpl subiu?")
    assert intent == "anomalies", lines
    assert lines[0] == (
        f"O CPL da conta subiu {format_pct((cpl / b_cpl - 1) * 100, 0)} nos últimos 7 dias, puxado {name} "
        f"({shown(fb[top])} → {shown(fn[top])}): {format_money(cpl)} de {_d(last - 6 * DAY)} a {_d(last)}, "
        f"contra {format_money(b_cpl)} nos 7 dias antes ({_d(last - 13 * DAY)} a {_d(last - 7 * DAY)})."
    ), lines
    # the yes-or-no question keeps its "Sim"
    assert _one(demo_db, "o cpl subiu?")[1][0].startswith("Sim: o CPL da conta subiu"), lines


# ------------------------------------------------------------ 3. two campaigns by CTR or CPL: Sim/Não
@pytest.mark.parametrize(
    ("question", "figure", "more"),
    [
        ("a 12 tem ctr maior que a 17?", "ctr", True),
        ("a 17 tem ctr menor q a 12?", "ctr", False),
        ("a 12 tem cpl maior que a 17?", "cpl", True),
        ("a 12 tem cpl mais baixo que a 17?", "cpl", False),
    ],
)
def test_a_rate_compared_says_yes_or_no(demo_db: DemoDb, question: str, figure: str, more: bool) -> None:
    """Was the first campaign's card (CTR), or "Melhor pelo CPL" with no answer to "maior?" (CPL)."""
    first, second = (12, 17) if question.startswith("a 12") else (17, 12)
    (a, na), (b, nb) = _numbered(demo_db, ACCOUNT, first), _numbered(demo_db, ACCOUNT, second)
    wa, wb = _week(demo_db, a), _week(demo_db, b)
    if figure == "ctr":
        va, vb = (_sum(w, "clicks") / _sum(w, "impressions") * 100 for w in (wa, wb))
        ta, tb = format_pct(va, 2), format_pct(vb, 2)
    else:
        va, vb = (_sum(w, "spend") / _sum(w, "leads") for w in (wa, wb))
        ta, tb = format_money(va), format_money(vb)
    yes = va > vb if more else va < vb
    intent, lines = _one(demo_db, question)
    assert intent == "compare", lines
    assert lines[0] == (
        f"{'Sim' if yes else 'Não'}: “{na}” teve {figure.upper()} {ta} nos 7 dias, contra {tb} de “{nb}”."
    ), lines


def test_the_figure_asked_next_keeps_the_side_and_the_day(demo_db: DemoDb) -> None:
    """ "e o cpl?" after "a 12 tem ctr maior que a 17?" and "e ontem?" repeated the CTR's verdict."""
    day = demo_db.as_of
    (a, na), (b, nb) = _numbered(demo_db, ACCOUNT, 12), _numbered(demo_db, ACCOUNT, 17)
    da, db_ = (
        _source(demo_db, ACCOUNT, day, day, demo_db.now).filter(pl.col("campaign_id") == c) for c in (a, b)
    )
    ca, cb = (_sum(x, "spend") / _sum(x, "leads") for x in (da, db_))
    la, lb = int(_sum(da, "leads")), int(_sum(db_, "leads"))
    answers = _talk(demo_db, ["a 12 tem ctr maior que a 17?", "e ontem?", "e o cpl?", "e os leads?"])
    assert answers[2][1][0] == (
        f"{'Sim' if ca > cb else 'Não'}: “{na}” teve CPL {format_money(ca)} em {_d(day)}, contra "
        f"{format_money(cb)} de “{nb}”."
    ), answers[2]
    assert answers[3][1][0] == (
        f"{'Sim' if la > lb else 'Não'}: “{na}” teve {leads_of(la)} em {_d(day)}, contra {leads_of(lb)} de "
        f"“{nb}”."
    ), answers[3]


# ------------------------------------------------------------ 4. "quanto eu perdi com a 20?"
def test_what_a_campaign_lost_is_its_spend_without_leads(demo_db: DemoDb) -> None:
    """Was her card: with no lead in the 7 days, all its spend, plainly, first."""
    last = demo_db.as_of
    cid, name = _numbered(demo_db, THIRD, 20)
    w = _week(demo_db, cid, THIRD)
    assert _sum(w, "leads") == 0 and _sum(w, "spend") > 0, "campaign 20 spends with no lead"
    intent, lines = _one(demo_db, "quanto eu perdi com a 20?", THIRD)
    assert intent == "pause_savings", lines
    assert lines[0] == (
        f"{format_money(_sum(w, 'spend'))}: tudo o que “{name}” ({cid}) gastou nos últimos 7 dias "
        f"({_d(last - 6 * DAY)} a {_d(last)}), sem nenhum lead (se o rastreamento estiver certo)."
    ), lines


@pytest.mark.parametrize("question", ["quanto perdi com a 26?", "qto joguei fora na 26?"])
def test_what_a_campaign_lost_is_its_leads_over_the_accounts_cpl(demo_db: DemoDb, question: str) -> None:
    """With leads dearer than the account's: its spend less its leads at the account's CPL of the days."""
    last = demo_db.as_of
    cid, name = _numbered(demo_db, THIRD, 26)
    w, acc = _week(demo_db, cid, THIRD), _week(demo_db, None, THIRD)
    spend, leads = _sum(w, "spend"), int(_sum(w, "leads"))
    account_cpl = _sum(acc, "spend") / _sum(acc, "leads")
    assert leads and spend / leads > account_cpl, "campaign 26 pays more per lead than the account"
    intent, lines = _one(demo_db, question, THIRD)
    assert intent == "pause_savings", lines
    assert lines[0] == (
        f"Cerca de {format_money(spend - leads * account_cpl)} pagos a mais: “{name}” ({cid}) gastou "
        f"{format_money(spend)} nos últimos 7 dias ({_d(last - 6 * DAY)} a {_d(last)}) por {leads_of(leads)} "
        f"(CPL {format_money(spend / leads)}); ao CPL da conta nos mesmos dias "
        f"({format_money(account_cpl)}), esses leads custariam {format_money(leads * account_cpl)}."
    ), lines


# ------------------------------------------------------------ 5. a change that rounds to 0 is stable
def test_a_change_that_rounds_to_zero_reads_stable(demo_db: DemoDb) -> None:
    """ "(0% de gasto)" was printed for a spend 0,4 % lower: "gasto estável"."""
    now, before = (
        _sum(_week(demo_db, account=FIRST), "spend"),
        _sum(_week(demo_db, account=FIRST, back=1), "spend"),
    )
    change = (now / before - 1) * 100
    assert change != 0 and round(change) == 0, "account 1's spend moved by less than 0,5 %"
    _, lines = _one(demo_db, "tô gastando muito?", FIRST)
    assert lines[0].endswith(f", {format_money(before)} (gasto estável)."), lines
    _, why = _one(demo_db, "o cpl subiu?", FIRST)
    assert f"gasto {format_money(now)} (estável)" in why[1], why


# ------------------------------------------------------------ 6. alerts: acknowledged in FamaChat
def _open_alerts(db: DemoDb, account: int = ACCOUNT, cid: str | None = None) -> list[int]:
    """The ids of the open anomalies of the last 7 days, the gravest first, then the latest."""
    a = schema.ml_anomalies
    since = db.as_of - 6 * DAY
    with db.engine.connect() as conn:
        rows = conn.execute(
            sa.select(a.c.id, a.c.severity, a.c.anomaly_date, a.c.entity_id).where(
                a.c.config_id == account, a.c.anomaly_date >= since, a.c.is_acknowledged.isnot(True)
            )
        ).fetchall()
    rows = [r for r in rows if cid is None or r.entity_id == cid]
    return [r.id for r in sorted(rows, key=lambda r: (SEVERITY[r.severity], -r.anomaly_date.toordinal()))]


def test_ignoring_an_alert_says_how_to_acknowledge_it(demo_db: DemoDb) -> None:
    """ "ignora esse alerta" after the alerts listed them again: the chat only reads; how to acknowledge
    one, what that changes, and the open ones with their ids."""
    ids = _open_alerts(demo_db)
    assert 1 < len(ids) <= 5, "account 2 has a few open alerts, all listed"
    (_, _), (intent, lines) = _talk(demo_db, ["tem algum alerta?", "ignora esse alerta"])
    assert intent == "decisions", lines
    assert lines[0].startswith("Não consigo registrar isso por aqui: o chat só lê os dados."), lines
    assert "POST /api/v1/anomalies/{id}/acknowledge" in lines[0], lines
    assert lines[3] == "Alertas abertos nos últimos 7 dias, o número é o id:", lines
    assert [int(x.split()[1].lstrip("#")) for x in lines[4:]] == ids, lines


def test_a_fix_said_after_a_campaigns_alert_names_its_id(demo_db: DemoDb) -> None:
    """ "já arrumei, e agora?" after "o que aconteceu com a 9?" was the help menu: its one alert's id."""
    cid, _ = _numbered(demo_db, ACCOUNT, 9)
    (only,) = _open_alerts(demo_db, cid=cid)
    (_, _), (intent, lines) = _talk(demo_db, ["o que aconteceu com a 9?", "já arrumei, e agora?"])
    assert intent == "decisions", lines
    assert f"POST /api/v1/anomalies/{only}/acknowledge" in lines[0], lines
    assert lines[-1].startswith(f"- #{only} gasto zerado em "), lines


# ------------------------------------------------------------ 7. an advice's thread: applied, then when
def test_applied_then_when_it_normalizes_keep_the_campaign(demo_db: DemoDb) -> None:
    """ "já reduzi, e agora?" after "por que recomenda reduzir a 18?" listed every cut with "{id}";
    "quando vai normalizar?" was the help menu: that advice's id, then no date but its forecast's CPL."""
    cid, name = _numbered(demo_db, THIRD, 18)
    r = schema.ml_recommendations
    with demo_db.engine.connect() as conn:
        (rid,) = conn.execute(
            sa.select(r.c.id).where(
                r.c.config_id == THIRD,
                r.c.entity_id == cid,
                r.c.is_active.is_(True),
                r.c.recommendation_type == "BUDGET_DECREASE",
            )
        ).one()
    first, last = _forecast_days(demo_db, THIRD)
    answers = _talk(
        demo_db, ["por que recomenda reduzir a 18?", "já reduzi, e agora?", "quando vai normalizar?"], THIRD
    )
    intent, lines = answers[1]
    assert intent == "decisions", lines
    assert f"marque a recomendação de “{name}” como aplicada" in lines[0], lines
    assert f"POST /api/v1/recommendations/{rid}/apply" in lines[0], lines
    intent, lines = answers[2]
    assert intent == "forecast", lines
    assert lines[0].startswith(
        f"Não dá para dar uma data: o pipeline só prevê os próximos 7 dias ({_d(first)} a {_d(last)})"
    ), lines
    assert f"o CPL de “{name}” deve ficar em " in lines[1], lines


# ------------------------------------------------------------ 8. "por quê?" after a ranking or the urgent
def test_why_after_the_worst_campaign_is_its_tier_reason(demo_db: DemoDb) -> None:
    """Was her card: the reason of the tier that ranked her worst."""
    (_, first), (intent, lines) = _talk(demo_db, ["qual campanha tá pior?", "por quê?"])
    worst = first[0].split("(tier crítico, pelo CPL): ")[1].split(":")[0]
    assert intent == "tier", lines
    assert lines[0] == f"{worst} está no tier crítico (UNDERPERFORMER).", lines
    assert lines[1].startswith("Por quê: CPL "), lines


def test_what_worries_most_is_a_problem_and_its_why_the_advice(demo_db: DemoDb) -> None:
    """ "o que mais preocupa?" named a budget increase; its "por quê?" was the account's CPL factors: the
    most urgent advice that fixes a problem (by the stored priority, then confidence), then its reason."""
    r = schema.ml_recommendations
    with demo_db.engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                r.c.entity_id, r.c.title, r.c.priority, r.c.confidence_score, r.c.recommendation_type
            ).where(r.c.config_id == THIRD, r.c.is_active.is_(True))
        ).fetchall()
    chances = {"BUDGET_INCREASE", "SCALE_UP", "REACTIVATE"}
    assert max(rows, key=lambda x: x.priority).recommendation_type in chances, "the top advice scales"
    top = sorted(
        (x for x in rows if x.recommendation_type not in chances),
        key=lambda x: (-x.priority, -x.confidence_score),
    )[0]
    name = demo_db.data.campaigns.filter(pl.col("campaign_id") == top.entity_id)["name"][0]
    (_, worry), (intent, why) = _talk(demo_db, ["o que mais preocupa?", "por quê?"], THIRD)
    # the last days' CRITICAL alerts lead when there are any (test_asks43), the advice after them
    heads = ("Entre as recomendações, a mais urgente: ", "O que mais preocupa: ")
    advice = next(x for x in worry if x.startswith(heads) and "com alerta de severidade" not in x)
    assert advice.split(": ", 1)[1].startswith(f"{top.title} — “{name}” ({top.entity_id}), "), worry
    assert intent == "recommendations", why
    assert why[0] == f"O pipeline recomenda para “{name}”: {top.title}.", why


def test_why_after_the_advice_to_scale_is_the_first_ones_reason(demo_db: DemoDb) -> None:
    """ "por quê?" after "qual campanha devo escalar?" was the account's CPL factors: the reason the
    pipeline wrote for the first campaign listed."""
    (_, listed), (intent, why) = _talk(demo_db, ["qual campanha devo escalar?", "por quê?"], FIRST)
    cid = re.search(r"” \((\d{6,30})\)", listed[1]).group(1)  # the first campaign listed
    r = schema.ml_recommendations
    with demo_db.engine.connect() as conn:
        titles = conn.execute(
            sa.select(r.c.title).where(
                r.c.config_id == FIRST,
                r.c.entity_id == cid,
                r.c.is_active.is_(True),
                r.c.recommendation_type.in_(["BUDGET_INCREASE", "SCALE_UP"]),
            )
        ).fetchall()
    name = demo_db.data.campaigns.filter(pl.col("campaign_id") == cid)["name"][0]
    assert titles, listed
    assert intent == "recommendations", why
    assert why[: len(titles)] == [f"O pipeline recomenda para “{name}”: {t}." for (t,) in titles], why


# ------------------------------------------------------------ 9. one campaign's alerts judged, then acted on
def _severities(db: DemoDb, cid: str) -> dict[str, int]:
    a = schema.ml_anomalies
    with db.engine.connect() as conn:
        rows = conn.execute(
            sa.select(a.c.severity).where(
                a.c.config_id == ACCOUNT,
                a.c.entity_id == cid,
                a.c.anomaly_date >= db.as_of - 6 * DAY,
                a.c.is_acknowledged.isnot(True),
            )
        ).fetchall()
    return {s: sum(1 for (x,) in rows if x == s) for s in ("CRITICAL", "HIGH")}


def test_a_campaigns_alert_judged_says_yes_or_no_first(demo_db: DemoDb) -> None:
    """ "o alerta da 12 é grave?" listed her alerts with no verdict; "é grave?" after "tem alerta na 16?"
    was the help menu: Sim/Não by her open alerts' severity."""
    cid, name = _numbered(demo_db, ACCOUNT, 12)
    n = _severities(demo_db, cid)
    assert n == {"CRITICAL": 1, "HIGH": 1}, n
    _, lines = _one(demo_db, "o alerta da 12 é grave?")
    assert lines[0] == (
        f"Sim: em “{name}” houve 1 anomalia de severidade CRITICAL e 1 de severidade HIGH: é o nível que "
        "pede ação já."
    ), lines
    cid, name = _numbered(demo_db, ACCOUNT, 16)
    assert _severities(demo_db, cid) == {"CRITICAL": 0, "HIGH": 1}
    (_, _), (intent, lines) = _talk(demo_db, ["tem alerta na 16?", "é grave?"])
    assert intent == "campaign_details", lines
    assert lines[0] == f"Sim: em “{name}” houve 1 anomalia de severidade HIGH: é o nível que pede ação já.", (
        lines
    )


def test_what_to_do_after_one_campaign_is_her_advice(demo_db: DemoDb) -> None:
    """ "o que eu faço?" after "como tá a 14?" listed the account's advice: hers."""
    cid, name = _numbered(demo_db, ACCOUNT, 14)
    r = schema.ml_recommendations
    with demo_db.engine.connect() as conn:
        titles = [
            t
            for (t,) in conn.execute(
                sa.select(r.c.title).where(
                    r.c.config_id == ACCOUNT, r.c.entity_id == cid, r.c.is_active.is_(True)
                )
            )
        ]
    assert titles, "campaign 14 has active advice"
    (_, _), (intent, lines) = _talk(demo_db, ["como tá a 14?", "o que eu faço?"])
    assert intent == "recommendations", lines
    assert lines[0] == f"“{name}” ({cid}), tier crítico: recomendações ativas:", lines
    assert lines[1 : 1 + len(titles)] == [f"- {t}" for t in titles], lines


def test_what_a_campaign_lost_in_a_period_asked_next(demo_db: DemoDb) -> None:
    """ "e em outubro?" after "quanto perdi com a 14?" repeated the 7 days: October's loss, from the
    source."""
    cid, name = _numbered(demo_db, ACCOUNT, 14)
    first, last = dt.date(2026, 10, 1), dt.date(2026, 10, 31)
    acc = _source(demo_db, ACCOUNT, first, last, demo_db.now)
    own = acc.filter(pl.col("campaign_id") == cid)
    spend, leads = _sum(own, "spend"), int(_sum(own, "leads"))
    account_cpl = _sum(acc, "spend") / _sum(acc, "leads")
    (_, _), (intent, lines) = _talk(demo_db, ["quanto perdi com a 14?", "e em outubro?"])
    assert intent == "pause_savings", lines
    assert lines[0] == (
        f"Cerca de {format_money(spend - leads * account_cpl)} pagos a mais: “{name}” ({cid}) gastou "
        f"{format_money(spend)} em outubro de 2026 ({_d(first)} a {_d(last)}) por {leads_of(leads)} "
        f"(CPL {format_money(spend / leads)}); ao CPL da conta nos mesmos dias "
        f"({format_money(account_cpl)}), esses leads custariam {format_money(leads * account_cpl)}."
    ), lines


def test_why_after_a_day_against_the_day_before_is_that_days_cpl(demo_db: DemoDb) -> None:
    """ "por quê?" after "comparado com o dia anterior?" explained the 7 days' CPL: that day's factors."""
    day = demo_db.as_of
    d = _source(demo_db, ACCOUNT, day - DAY, day, demo_db.now)
    cpl, before = (
        _sum(x, "spend") / _sum(x, "leads") for x in (d.filter(pl.col("date") == t) for t in (day, day - DAY))
    )
    pct = (cpl / before - 1) * 100
    change = ("+" if round(pct) > 0 else "") + format_pct(pct, 0)
    answers = _talk(demo_db, ["como foi ontem?", "e comparado com o dia anterior?", "por quê?"])
    intent, lines = answers[2]
    assert intent == "anomalies", lines
    assert any(x.startswith(f"Por que o CPL mudou ({change} em {_d(day)}): ") for x in lines), lines
    assert not any("em 7 dias)" in x for x in lines), lines


@pytest.mark.parametrize("question", ["quanto perdi?", "quanto dinheiro joguei fora?"])
def test_what_the_account_lost_is_where_money_burns(demo_db: DemoDb, question: str) -> None:
    """Was the help menu: the campaigns of the lowest tier, as "tô queimando dinheiro?" lists them."""
    intent, lines = _one(demo_db, question)
    assert intent == "underperformers", lines
    assert lines == _one(demo_db, "to queimando dinheiro?")[1], lines
    assert lines[0].endswith(f"(UNDERPERFORMER) em {_d(demo_db.as_of)}:"), lines
