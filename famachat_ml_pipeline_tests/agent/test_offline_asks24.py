"""Leftovers of the eighth buyer review: what a leads goal costs at the recent CPL ("quanto preciso investir
para 1000 leads?") and "quanto custou cada lead ontem?" said CPL first. Figures from the cleaned source."""

from __future__ import annotations

import pytest

from famachat_ml_pipeline.core.recommendations import format_money, format_number
from famachat_ml_pipeline_tests.agent.conftest import DemoDb
from famachat_ml_pipeline_tests.agent.test_offline_asks8 import _d
from famachat_ml_pipeline_tests.agent.test_offline_asks14 import _source, _sums
from famachat_ml_pipeline_tests.agent.test_offline_asks18 import _one
from famachat_ml_pipeline_tests.agent.test_offline_asks22 import DAY
from famachat_ml_pipeline_tests.agent.test_offline_followups import ACCOUNT

pytestmark = pytest.mark.timeout(1200)


@pytest.mark.parametrize(
    ("question", "target"),
    [
        ("quanto preciso investir para 1000 leads?", 1000),
        ("qto eu teria que gastar pra fazer 2.500 leads", 2500),
    ],
)
def test_a_leads_goal_costs_the_recent_cpl_times_the_goal(
    demo_db: DemoDb, question: str, target: int
) -> None:
    through = demo_db.as_of
    src = _source(demo_db, ACCOUNT, through - 27 * DAY, through, demo_db.now)
    week, month = _sums(src, through - 6 * DAY, through), _sums(src, through - 27 * DAY, through)
    intent, lines = _one(demo_db, question)
    assert intent == "leads_cost", lines
    goal = format_number(target, 0)
    assert lines[0] == (
        f"Cerca de {format_money(week['cpl'] * target)} para {goal} leads, ao CPL dos últimos 7 dias "
        f"({format_money(week['cpl'])}, {_d(through - 6 * DAY)} a {_d(through)})."
    ), lines
    days = month["cpl"] * target / (month["spend"] / 28)
    assert lines[2].startswith(f"- CPL dos últimos 28 dias, {format_money(month['cpl'])}"), lines
    assert f"{format_money(month['cpl'] * target)}; " in lines[2] and f"cerca de {days:.0f} dias" in lines[2]
    assert "estimativa" in lines[-1] and "20%" in lines[-1], lines


def test_what_each_lead_cost_yesterday_says_the_cpl_first(demo_db: DemoDb) -> None:
    day = demo_db.as_of
    d = _sums(_source(demo_db, ACCOUNT, day, day, demo_db.now), day, day)
    _, lines = _one(demo_db, "quanto custou cada lead ontem")
    assert lines[0].startswith(f"Em {_d(day)}: CPL {format_money(d['cpl'])}, "), lines


@pytest.mark.parametrize(
    "question",
    [
        "quantos leads vou fechar essa semana?",
        "quantos leads vamos fazer essa semana?",
        "quanto vou gastar essa semana?",
    ],
)
def test_this_weeks_figures_asked_in_the_future_are_the_forecast(demo_db: DemoDb, question: str) -> None:
    intent, lines = _one(demo_db, question)
    assert intent == "forecast", lines
    start = demo_db.as_of + DAY
    assert any(x.startswith("Previsão do pipeline") and f"para {_d(start)} a " in x for x in lines), lines


def test_a_budget_raise_on_the_account_is_said_in_whole_leads(demo_db: DemoDb) -> None:
    import re

    _, lines = _one(demo_db, "se eu aumentar 20% o orçamento, quantos leads vou ter?")
    now = re.search(r"orçamento\): cerca de ([\d.]+) leads de ", lines[0])
    assert now, lines
    base = int(now.group(1).replace(".", ""))
    assert (
        f"daria cerca de {format_number(round(base * 1.2), 0)} leads ({format_number(base, 0)} × 1,20)"
        in (lines[1])
    ), lines


def test_a_campaign_burning_money_is_judged_by_its_cpl_against_the_accounts(demo_db: DemoDb) -> None:
    """ "a campanha N está queimando dinheiro?": the verdict of "o CPL dela tá alto?" said first; the
    account asked: its lowest tier, where the money goes without return."""
    from famachat_ml_pipeline_tests.agent.test_offline_asks21 import _names

    through = demo_db.as_of
    src = _source(demo_db, ACCOUNT, through - 6 * DAY, through, demo_db.now)
    account = _sums(src, through - 6 * DAY, through)
    per = {
        cid: _sums(src.filter(src["campaign_id"] == cid), through - 6 * DAY, through)
        for cid in src["campaign_id"].unique()
    }
    judged = [(cid, s) for cid, s in per.items() if s["cpl"]]
    worst = max(judged, key=lambda x: x[1]["cpl"])
    best = min(judged, key=lambda x: x[1]["cpl"])
    for (cid, s), verdict in ((worst, "Sim"), (best, "Não")):
        number = _names(demo_db)[cid].split("Campanha ")[1].split(" ")[0]
        for question in (
            f"a campanha {number} está queimando dinheiro?",
            f"a campanha {number} ta torrando grana?",
        ):
            _, lines = _one(demo_db, question)
            assert lines[0].startswith(f"{verdict}: CPL {format_money(s['cpl'])} nos 7 dias"), lines
            assert f"o CPL da conta ({format_money(account['cpl'])})" in lines[0], lines
    intent, lines = _one(demo_db, "onde estou jogando dinheiro fora?")
    assert intent == "underperformers", lines


@pytest.mark.parametrize(
    "question", ["cpl de ontem vs anteontem", "compara o cpl de ontem com o de anteontem"]
)
def test_two_days_compared_are_each_days_figures_not_campaigns(demo_db: DemoDb, question: str) -> None:
    intent, lines = _one(demo_db, question)
    assert intent == "performance" and len(lines) >= 2, lines
    assert lines[0].startswith("Variação de "), lines  # the change first (agent42)
    for line, day in zip(lines[1:], (demo_db.as_of, demo_db.as_of - DAY), strict=False):
        d = _sums(_source(demo_db, ACCOUNT, day, day, demo_db.now), day, day)
        assert line.startswith(f"Em {_d(day)}: CPL {format_money(d['cpl'])}, "), lines
