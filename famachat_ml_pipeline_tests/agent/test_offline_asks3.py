"""A buyer's review of the offline agent (judge5): the metric of the period asked, wordings that fell to
the wrong answer, out-of-scope asks, a misspelt campaign, an invalid day and the anomaly count, on real
databases; each figure is checked against the tables, computed here on its own."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.agent.intents_periods import MONTHS
from famachat_ml_pipeline.agent.service import open_agent
from famachat_ml_pipeline.core.recommendations import format_money
from famachat_ml_pipeline.core.recommendations.text_ptbr import days_text as _days
from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline.db.engine import get_engine, migrate
from famachat_ml_pipeline.demo.generator import generate_demo
from famachat_ml_pipeline.demo.loader import write_demo
from famachat_ml_pipeline.settings import Settings
from famachat_ml_pipeline.source.tables import insights_table
from famachat_ml_pipeline_tests.agent.conftest import DemoDb, cleaned_daily, leads_of
from famachat_ml_pipeline_tests.agent.test_offline import _critical_snapshots, _features, _names
from famachat_ml_pipeline_tests.agent.test_offline_asks import _ask

pytestmark = pytest.mark.timeout(1200)


def _src(db: DemoDb, cid: int, first: dt.date, last: dt.date) -> pl.DataFrame:
    """The cleaned source rows of first..last (set-aside campaign-days have null metrics)."""
    daily = cleaned_daily(db.engine, [cid], last, (last - first).days + 1, now=db.now)
    return daily.filter(pl.col("date").is_between(first, last))


def _sums(d: pl.DataFrame) -> dict[str, float]:
    return {k: float(d[k].sum() or 0) for k in ("spend", "leads", "clicks", "impressions")}


def _pct2(v: float) -> str:
    return f"{v:.2f}".replace(".", ",") + "%"


def _num2(v: float) -> str:
    return f"{v:.2f}".replace(".", ",")


# ------------------------------------------------------------------ 1. the metric of the period / day asked


@pytest.mark.parametrize("cid", [1, 2])
def test_cpm_and_ctr_are_those_of_the_period_or_day_asked(demo_db: DemoDb, cid: int) -> None:
    last = demo_db.as_of
    s = _sums(_src(demo_db, cid, last - dt.timedelta(days=14), last))
    reply = _ask(demo_db, "qual o CPM medio da conta nos ultimos 15 dias?", cid)
    first = reply.text.splitlines()[0]
    assert first.startswith("CPM da conta (gasto por mil impressões) nos últimos 15 dias (")
    # the CPM, then what the total leaves out when the window holds set-aside rows (it depends on the date)
    cpm = first.split(" dias): ", 1)[1]
    money = format_money(s["spend"] / s["impressions"] * 1000)
    assert cpm == f"{money}." or cpm.startswith(f"{money} (sem "), cpm
    day = _sums(_src(demo_db, cid, last, last))
    first = _ask(demo_db, "qual o CTR da conta ontem?", cid).text.splitlines()[0]
    ctr = _pct2(day["clicks"] / day["impressions"] * 100)
    head = f"CTR da conta (cliques / impressões) em {last:%d/%m/%Y}: {ctr}"
    assert first == f"{head}." or first.startswith(f"{head} (sem "), first


@pytest.mark.parametrize("question", ["qual o custo por clique da conta?", "qual o CPC?"])
def test_cpc_is_spend_over_clicks_of_the_7_days_against_the_7_before(demo_db: DemoDb, question: str) -> None:
    cid, last = 1, demo_db.as_of
    now = _sums(_src(demo_db, cid, last - dt.timedelta(days=6), last))
    before = _sums(_src(demo_db, cid, last - dt.timedelta(days=13), last - dt.timedelta(days=7)))
    reply = _ask(demo_db, question, cid)
    assert reply.intent == "performance"
    assert reply.text.splitlines()[0].startswith(
        f"CPC da conta (gasto / cliques): {format_money(now['spend'] / now['clicks'])} nos 7 dias até "
        f"{last:%d/%m/%Y}, contra {format_money(before['spend'] / before['clicks'])} na semana anterior"
    )


def _open_frequency_anomalies(db: DemoDb, cid: int) -> list[tuple[str, str]]:
    a = schema.ml_anomalies
    since = dt.datetime.combine(db.as_of - dt.timedelta(days=6), dt.time())
    with db.engine.connect() as conn:
        rows = conn.execute(
            sa.select(a.c.anomaly_type, a.c.entity_id).where(
                a.c.config_id == cid,
                a.c.anomaly_date >= since,
                a.c.is_acknowledged.isnot(True),
                a.c.anomaly_type.in_(["FREQUENCY_ALERT", "REACH_SATURATION"]),
            )
        ).all()
    return [(r[0], r[1]) for r in rows]


@pytest.mark.parametrize("cid", [1, 2, 3])
def test_frequency_is_the_campaigns_7_day_frequency_against_the_alert(demo_db: DemoDb, cid: int) -> None:
    feats, names = _features(demo_db, cid), _names(demo_db, cid)
    freq = {c: float(f["frequency_7d"]) for c, f in feats.items() if f.get("frequency_7d")}
    top = max(freq, key=lambda c: (freq[c], c))  # ties do not happen in the demo
    above = sorted((c for c in freq if freq[c] > 3.5), key=lambda c: -freq[c])
    anomalies = _open_frequency_anomalies(demo_db, cid)
    reply = _ask(demo_db, "qual a frequencia media da conta? tá saturando?", cid)
    assert reply.intent == "frequency"
    lines = reply.text.splitlines()
    yes = bool(above or anomalies)
    assert lines[0].startswith("Sim, há sinal de saturação:" if yes else "Não, nada indica saturação:")
    assert f"média de {_num2(sum(freq.values()) / len(freq))} entre as {len(freq)} campanhas" in lines[0]
    assert f"a mais alta é “{names[top]}” ({top}), com {_num2(freq[top])}, " in lines[0]
    assert "limite de 3,50 do alerta de frequência (FREQUENCY_ALERT)" in lines[0]
    listed = [line for line in lines if line.startswith("- ")]
    assert [line.split("(")[-1].split(")")[0] for line in listed] == above[:5]
    n_alert = sum(1 for t, _ in anomalies if t == "FREQUENCY_ALERT")
    n_sat = len(anomalies) - n_alert
    if anomalies:
        assert f": {n_alert} de frequência alta (FREQUENCY_ALERT) e {n_sat} de saturação" in lines[-1]
    else:
        assert lines[-1].startswith("Nenhuma anomalia de frequência alta")


# ------------------------------------------------------------------ 2. wordings that fell to another answer


def test_a_ranking_by_leads_of_a_period_is_the_ranking(demo_db: DemoDb) -> None:
    cid, last = 2, demo_db.as_of
    first = last - dt.timedelta(days=14)
    names = _names(demo_db, cid)
    by = (
        _src(demo_db, cid, first, last)
        .group_by("campaign_id")
        .agg(pl.col("leads").sum(), pl.col("spend").sum())
        .sort(["leads", "campaign_id"], descending=[True, False])
    )
    top = by.row(0, named=True)
    for question in (
        "ranking de campanhas por leads nos últimos 15 dias",
        "quais campanhas trouxeram mais leads nos últimos 15 dias?",
    ):
        reply = _ask(demo_db, question, cid)
        assert reply.intent == "top"
        line = reply.text.splitlines()[0]
        assert line.startswith(
            f"A campanha com mais leads nos últimos 15 dias ({first:%d/%m/%Y} a {last:%d/%m/%Y}, 15 dias): "
            f"“{names[top['campaign_id']]}” ({top['campaign_id']}): {format_money(top['spend'])} gastos, "
            f"{leads_of(top['leads'])}"
        )


def _first_insight(db: DemoDb, cid: int) -> dt.date:
    i = insights_table
    with db.engine.connect() as conn:
        v = conn.execute(sa.select(sa.func.min(i.c.date_start)).where(i.c.config_id == cid)).scalar_one()
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v)[:10])


@pytest.mark.parametrize("question", ["qual o gasto total desde o inicio?", "quanto gastei no total?"])
def test_the_total_since_the_start_is_from_the_first_day_of_data(demo_db: DemoDb, question: str) -> None:
    cid, last = 1, demo_db.as_of
    first = _first_insight(demo_db, cid)
    d = _src(demo_db, cid, first, last)
    spend, leads = float(d["spend"].sum()), int(d["leads"].sum())
    aside = d.filter(pl.col("spend").is_null()).height
    assert aside > 0, "account 1 has set-aside rows in the demo"
    reply = _ask(demo_db, question, cid)
    line = reply.text.splitlines()[0]
    n = (last - first).days + 1
    assert line.startswith(
        f"Desde o início dos dados ({first:%d/%m/%Y} a {last:%d/%m/%Y}, {n} dias): "
        f"{format_money(spend)} investidos, {leads_of(leads)}"
    )
    assert f"sem {_days(aside)} de campanha cujos dados a fonte trouxe inválidos" in line


def test_a_problem_in_the_data_is_the_data_quality_answer(demo_db: DemoDb) -> None:
    reply = _ask(demo_db, "tem problema nos dados da conta?", 1)
    assert reply.intent == "data_quality"
    assert reply.text == _ask(demo_db, "como está a qualidade dos dados?", 1).text


# ------------------------------------------------------------------ 3. out of scope


@pytest.mark.parametrize(
    ("question", "sentence"),
    [
        ("qual a previsão do tempo pra SP amanhã?", "não tenho previsão do tempo"),
        ("cria uma campanha nova pra mim", "não consigo criar nem editar campanhas: só leio"),
        ("exporta os dados em csv", "não consigo enviar arquivos"),
    ],
)
def test_out_of_scope_says_what_it_cannot_do(demo_db: DemoDb, question: str, sentence: str) -> None:
    reply = _ask(demo_db, question, 1)
    assert reply.intent == "out_of_scope"
    lines = reply.text.splitlines()
    assert lines[0].startswith("Desculpe, ") and sentence in lines[0]
    assert lines[1].startswith("Posso responder sobre esta conta")  # then what it can do
    assert not reply.tool_calls and "leads e R$" not in reply.text  # no figure of an unrelated answer


def test_a_leads_forecast_for_tomorrow_is_still_the_forecast(demo_db: DemoDb) -> None:
    reply = _ask(demo_db, "previsão de leads amanhã", 1)
    assert reply.intent == "forecast"
    tomorrow = demo_db.as_of + dt.timedelta(days=2)
    assert reply.text.startswith(f"Previsão para {tomorrow:%d/%m/%Y} (só esse dia): ")


# ------------------------------------------------------------------ 4. a misspelt "campanha"


def test_a_misspelt_campaign_is_read_as_campanha_not_dropped(demo_db: DemoDb) -> None:
    cid, last = 2, demo_db.as_of
    names = _names(demo_db, cid)
    pick, name = next(
        (c, n) for c, n in sorted(names.items()) if re.search(r"Campanha \d+ - Público \d+", n or "")
    )
    number, audience = re.search(r"Campanha (\d+) - Público (\d+)", name).groups()  # type: ignore[union-attr]
    first = max(last.replace(day=1), _first_insight(demo_db, cid))
    d = _src(demo_db, cid, first, last).filter(pl.col("campaign_id") == pick)
    month = MONTHS[last.month - 1]
    figures = f"{format_money(float(d['spend'].sum()))} investidos, {leads_of(int(d['leads'].sum()))}"
    for typo in ("campanhaa", "campnha", "cmapanha"):
        reply = _ask(demo_db, f"quanto gastei na {typo} {number} publico {audience} em {month}?", cid)
        lines = reply.text.splitlines()
        assert figures in lines[0]  # the month asked first
        assert lines[1].startswith(f"“{name}” ({pick})")
    # a misspelt campaign that names none of the account's is said not found, not the account's month
    reply = _ask(demo_db, f"quanto gastei na campanhaa Natal em {month}?", cid)
    assert reply.text.startswith("Não encontrei campanha com esse nome nesta conta.")


# ------------------------------------------------------------------ 5. a day whose rows were set aside


INVALID = "vieram inválidos e foram deixados de lado"


def test_a_campaign_day_set_aside_is_unknown_not_zero(demo_db: DemoDb) -> None:
    last = demo_db.as_of
    found = None
    for cid in (3, 2, 1):
        d = _src(demo_db, cid, last - dt.timedelta(days=80), last - dt.timedelta(days=8))
        aside = d.filter(pl.col("spend").is_null()).sort(["date", "campaign_id"])
        names = _names(demo_db, cid)
        for row in aside.iter_rows(named=True):
            m = re.search(r"Campanha (\d+) - Público", names.get(row["campaign_id"]) or "")
            if m:
                found = cid, row["campaign_id"], row["date"], m.group(1)
                break
        if found:
            break
    assert found, "the demo has a set-aside campaign-day"
    cid, campaign, day, number = found
    reply = _ask(demo_db, f"quanto a campanha {number} gastou em {day:%d/%m}?", cid)
    lines = reply.text.splitlines()
    assert lines[0].startswith(f"Em {day:%d/%m/%Y}, “{_names(demo_db, cid)[campaign]}”: os dados que a fonte")
    assert INVALID in lines[0] and "R$ 0,00" not in lines[0] and " 0 leads" not in lines[0]
    assert f"({campaign})" in lines[1]


def test_an_account_day_whose_rows_were_all_set_aside_is_unknown_not_zero(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'aside.db'}"
    data = generate_demo(n_accounts=1, days=40, seed=5)
    engine = get_engine(url)
    write_demo(engine, data)
    migrate(url)
    day = data.end_date - dt.timedelta(days=3)
    i = insights_table
    with engine.begin() as conn:  # every row of that day comes with a negative spend: all set aside
        conn.execute(i.update().where(i.c.config_id == 1, i.c.date_start == day).values(spend=-5))
    now = dt.datetime.combine(data.end_date + dt.timedelta(days=1), dt.time(12), dt.UTC)
    agent = open_agent(engine, 1, Settings(database_url=url), mode="offline", now=now)
    d = cleaned_daily(engine, [1], day, 1, now=now).filter(pl.col("date") == day)
    n = d.filter(pl.col("spend").is_null()).height
    assert n > 1 and d["spend"].is_null().all()
    text = agent.ask(f"quanto gastei em {day:%d/%m}?").text
    assert text.splitlines()[0] == (
        f"Em {day:%d/%m/%Y}: os dados que a fonte trouxe para esse dia {INVALID} ({_days(n)} de campanha), "
        "então não sei o gasto nem os leads: não é zero, é desconhecido."
    )
    ctr = agent.ask(f"qual o CTR em {day:%d/%m}?").text.splitlines()[0]
    assert (
        ctr.startswith(f"CTR da conta (cliques / impressões) em {day:%d/%m/%Y}: os dados") and INVALID in ctr
    )


# ------------------------------------------------------------------ 6. the anomaly count of a campaign


def test_a_campaigns_anomaly_count_is_the_true_count_not_the_5_listed(demo_db: DemoDb) -> None:
    a = schema.ml_anomalies
    since = dt.datetime.combine(demo_db.as_of - dt.timedelta(days=6), dt.time())
    seen_more = False
    for cid in (1, 2, 3):
        with demo_db.engine.connect() as conn:
            counts = dict(
                conn.execute(
                    sa.select(a.c.entity_id, sa.func.count())
                    .where(a.c.config_id == cid, a.c.anomaly_date >= since, a.c.is_acknowledged.isnot(True))
                    .group_by(a.c.entity_id)
                ).all()
            )
        names = _names(demo_db, cid)
        for campaign, n in sorted(counts.items(), key=lambda x: -x[1])[:2]:
            m = re.search(r"Campanha (\d+) - Público", names.get(campaign) or "")
            if not m:
                continue
            lines = _ask(demo_db, f"teve alguma anomalia na campanha {m.group(1)}?", cid).text.splitlines()
            assert lines[0].startswith(f"{n} anomalia{'s' if n != 1 else ''} aberta")
            listed = [line for line in lines if line.startswith("- ") and "Recomendação" not in line]
            assert len(listed) == min(n, 5)
            if n > 5:
                seen_more = True
                assert lines[0].endswith("; as 5 mais recentes:")
                assert f"e mais {n - 5}." in lines
    assert seen_more, "the demo has a campaign with more than 5 open anomalies"


# ------------------------------------------------------------------ 7. yes/no questions lead with the answer


def _active_recs(db: DemoDb, cid: int) -> list[tuple[str, str]]:
    r = schema.ml_recommendations
    with db.engine.connect() as conn:
        rows = conn.execute(
            sa.select(r.c.entity_id, r.c.recommendation_type).where(
                r.c.config_id == cid, r.c.is_active.is_(True), r.c.dismissed.isnot(True)
            )
        ).all()
    return [(x[0], str(x[1])) for x in rows]


def _numbered(db: DemoDb, cid: int) -> dict[str, str]:
    """campaign id -> its number in "Campanha N - Público M", for the questions."""
    out = {}
    for c, n in _names(db, cid).items():
        if m := re.search(r"Campanha (\d+) - Público", n or ""):
            out[c] = m.group(1)
    return out


def test_the_cpl_judgement_and_no_leads_questions_say_yes_or_no_first(demo_db: DemoDb) -> None:
    cid = 2
    feats, numbers = _features(demo_db, cid), _numbered(demo_db, cid)
    spend = sum(float(f.get("spend_7d") or 0) for f in feats.values())
    leads = sum(int(f.get("leads_7d") or 0) for f in feats.values())
    account = spend / leads
    seen = set()
    for c, f in sorted(feats.items()):
        if c not in numbers or not f.get("leads_7d"):
            continue
        cpl = float(f["spend_7d"]) / int(f["leads_7d"])
        ratio = cpl / account
        first = _ask(demo_db, f"tá bom o cpl da campanha {numbers[c]}?", cid).text.splitlines()[0]
        word = "Sim" if ratio <= 1 else "Razoável" if ratio < 1.3 else "Não"
        seen.add(word)
        assert first.startswith(f"{word}: CPL {format_money(cpl)} nos 7 dias, ")
        assert f"x o CPL da conta ({format_money(account)})" in first
        text = _ask(demo_db, f"a campanha {numbers[c]} tá gastando sem gerar lead?", cid).text
        first = text.splitlines()[0]
        assert first.startswith(f"Não: {leads_of(f['leads_7d'])} em 7 dias até {demo_db.as_of:%d/%m/%Y}")
    assert {"Sim", "Não"} <= seen


def test_scaling_questions_weigh_tier_cpl_and_the_active_scale_advice(demo_db: DemoDb) -> None:
    cid = 1
    recs = _active_recs(demo_db, cid)
    ups = sorted({c for c, t in recs if t in {"SCALE_UP", "BUDGET_INCREASE"}})
    reply = _ask(demo_db, "qual campanha devo escalar?", cid)
    lines = reply.text.splitlines()
    if ups:
        assert lines[0].startswith(f"{len(ups)} campanha")
        listed = sorted(line.split("(")[1].split(")")[0] for line in lines if line.startswith("- ["))
        assert listed == ups
    else:
        assert lines[0].startswith("Nenhuma campanha com recomendação ativa de escalar")
    numbers = _numbered(demo_db, cid)
    c = next(x for x in ups if x in numbers) if ups else None
    if c is not None:
        text = _ask(demo_db, f"posso aumentar o orçamento da Campanha {numbers[c]} em 50%?", cid).text
        first, second = text.splitlines()[:2]
        assert first.startswith("Sim: ") and "há recomendação ativa de escalar" in first
        assert second.startswith("Mas não 50% de uma vez: suba no máximo 20% por vez")
    # a critical-tier campaign: no
    critical = [x for x, _ in _critical_snapshots(demo_db, cid) if x in numbers]
    if critical:
        text = _ask(demo_db, f"posso aumentar o orçamento da Campanha {numbers[critical[0]]}?", cid).text
        assert text.startswith("Não: ") and "tier crítico" in text.splitlines()[0]
