"""One campaign's budget asked as a what-if (2026-12-02): "se eu subir o orçamento da campanha 4 pra 300 por
dia, quantos leads?" and "se eu reduzir 30% a verba da campanha 4, quantos leads perco?" were her scale or
cut advice (the leads asked unanswered); "e se eu baixar o orçamento dela pra 150?" after her card was her
advice again. Now her forecast scaled as arithmetic, an amount read against her daily budget in the source."""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
import pytest

from famachat_ml_pipeline.agent.intents import classify_intent
from famachat_ml_pipeline.agent.intents_budget_scenario import budget_scenario
from famachat_ml_pipeline.agent.intents_numbers import parse_number
from famachat_ml_pipeline.agent.intents_talk import normalize, split_asks
from famachat_ml_pipeline.core.recommendations import format_money, format_number, format_pct
from famachat_ml_pipeline_tests.agent.conftest import DemoDb
from famachat_ml_pipeline_tests.agent.test_asks42 import _one, _talk
from famachat_ml_pipeline_tests.agent.test_offline_asks14 import _source

pytestmark = pytest.mark.timeout(600)


def _budgeted(db: DemoDb, with_budget: bool = True) -> tuple[int, str, str, float | None]:
    """(account, number, name, daily budget in reais) of the active campaign with the most leads in the last 7
    days, among those with (or without) a daily budget in the source, over the demo's accounts."""
    c = db.data.campaigns.filter(
        (pl.col("status") == "ACTIVE")
        & (pl.col("daily_budget").is_not_null() if with_budget else pl.col("daily_budget").is_null())
    )
    best: tuple[float, int, str, str, float | None] | None = None
    for account in sorted(set(c["config_id"])):
        week = _source(db, account, db.as_of - dt.timedelta(days=6), db.as_of, db.now)
        for row in c.filter(pl.col("config_id") == account).iter_rows(named=True):
            leads = float(week.filter(pl.col("campaign_id") == row["campaign_id"])["leads"].sum() or 0)
            if best is None or leads > best[0]:
                number = re.search(r"Campanha (\d+)", row["name"])
                if number:
                    assert row["currency"] == "BRL", row  # the source's budget is in centavos (minor units)
                    budget = row["daily_budget"] / 100 if with_budget else None
                    best = (leads, account, number.group(1), row["name"], budget)
    assert best is not None and best[0] > 0, "the demo has such a campaign delivering"
    return best[1:]


def _saving(budget: float, to: float) -> str:
    """What a cut says it saves: the budget taken off, a day and 7 days ("" for a raise)."""
    off = budget - to
    return (
        f": até {format_money(off)} por dia a menos de gasto ({format_money(7 * off)} em 7 dias)"
        if off > 0
        else ""
    )


def _scaled(lines: list[str], factor: float) -> None:
    """Her forecast said, then that figure times the factor, said with the factor."""
    forecast = next(x for x in lines if "é com o orçamento atual" in x)
    value = parse_number(re.search(r": ([\d.,]+) leads \(", forecast).group(1))
    expected = f"daria cerca de {format_number(value * factor, 1)} leads ({format_number(value, 1)} × "
    assert any(expected + format_number(factor, 2) in x for x in lines), (expected, lines)


@pytest.mark.parametrize("more", [True, False])
def test_a_campaigns_budget_to_an_amount_is_her_forecast_scaled(demo_db: DemoDb, more: bool) -> None:
    account, n, name, budget = _budgeted(demo_db)
    amount = round(budget * (1.3 if more else 0.6))
    verb = "subir" if more else "baixar"
    intent, lines = _one(
        demo_db, f"se eu {verb} o orçamento da campanha {n} pra {amount} por dia, quantos leads?", account
    )
    assert intent == "forecast", lines
    pct = (amount / budget - 1) * 100
    side = "a mais" if more else "a menos"
    assert lines[1] == (
        f"O orçamento diário de “{name}” é {format_money(budget)} hoje; {format_money(amount)} por dia são "
        f"{format_pct(abs(pct), 0)} {side}{_saving(budget, amount)}."
    ), lines
    _scaled(lines, 1 + pct / 100)


def test_her_budget_to_an_amount_after_her_card(demo_db: DemoDb) -> None:
    account, n, name, budget = _budgeted(demo_db)
    amount = round(budget / 2)
    (_, card), (intent, lines) = _talk(
        demo_db, [f"como está a campanha {n}?", f"e se eu baixar o orçamento dela pra {amount}?"], account
    )
    assert intent == "forecast", lines
    assert lines[1].startswith(f"O orçamento diário de “{name}” é {format_money(budget)} hoje;"), lines
    _scaled(lines, amount / budget)


def test_a_campaigns_budget_cut_in_percent_is_her_forecast_scaled(demo_db: DemoDb) -> None:
    account, n, _, _ = _budgeted(demo_db)
    intent, lines = _one(demo_db, f"se eu reduzir 30% a verba da campanha {n}, quantos leads perco?", account)
    assert intent == "forecast", lines
    _scaled(lines, 0.7)


def test_a_campaign_without_a_daily_budget_asks_for_the_change_in_percent(demo_db: DemoDb) -> None:
    account, n, name, _ = _budgeted(demo_db, with_budget=False)
    intent, lines = _one(demo_db, f"se eu subir o orçamento da campanha {n} pra 500 por dia?", account)
    assert intent == "forecast", lines
    assert lines[0].startswith("Não há orçamento diário na campanha"), lines
    assert "diga a mudança em %" in lines[0], lines
    assert lines[1].startswith(f"A previsão do pipeline para “{name}” é com o orçamento atual:"), lines


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("se eu subir o orçamento da campanha 4 pra 300 por dia, quantos leads?", ("to", 300.0)),
        ("se eu colocar R$ 1.500,00 por dia na campanha 4, quantos leads ela traz?", ("to", 1500.0)),
        ("se eu passar a verba da campanha 4 para 2 mil por dia", ("to", 2000.0)),
        ("e se eu dobrar o orçamento da campanha 4?", ("pct", 100.0)),
        ("se eu reduzir 30% a verba da campanha 4 quantos leads perco?", ("pct", -30.0)),
        # a verdict asked is the advice's question, not the arithmetic's
        ("posso aumentar o orçamento da campanha 4 em 50%?", None),
        ("se eu aumentar o orçamento da campanha 4 em 50%, vale?", None),
        # no change named, a date, a number of days
        ("se eu mexer na campanha 4, o que acontece?", None),
        ("se eu aumentar o orçamento da campanha 4 pra 15/12?", None),
    ],
)
def test_the_budget_scenario_read_from_the_question(
    question: str, expected: tuple[str, float] | None
) -> None:
    assert budget_scenario(normalize(question)) == expected


def test_advice_asked_of_a_campaigns_budget_stays_the_advice() -> None:
    intent = classify_intent("posso aumentar o orçamento da campanha 4 em 50%?")
    assert (intent.name, intent.metric, intent.threshold) == ("recommendations", "scale", 50.0)


def test_a_thread_of_what_ifs_on_her_budget(demo_db: DemoDb) -> None:
    # "baixar" without "orçamento" after her card was a file download refused; "e pra 2k?" a campaign
    # named "2k"; "tirar 30% dela" her share of the account; "subir 50 reais" her advice
    account, n, name, budget = _budgeted(demo_db)
    low = round(budget * 0.6)
    asked = [
        f"como tá a campanha {n}?",
        f"e se eu baixar pra {low}?",
        "e pra 2k?",
        "e se eu tirar 30% dela?",
        "e se eu subir 50 reais no orçamento dela?",
    ]
    _, *answers = _talk(demo_db, asked, account)
    assert all(intent == "forecast" for intent, _ in answers), answers
    (_, down), (_, up), (_, cut), (_, by) = answers
    for lines, to in ((down, low), (up, 2000), (by, budget + 50)):
        pct = (to / budget - 1) * 100
        assert lines[1] == (
            f"O orçamento diário de “{name}” é {format_money(budget)} hoje; {format_money(to)} por dia são "
            f"{format_pct(abs(pct), 0)} {'a mais' if pct > 0 else 'a menos'}{_saving(budget, to)}."
        ), lines
        _scaled(lines, to / budget)
    _scaled(cut, 0.7)
    assert cut[-1] == (
        f"O orçamento diário de “{name}” é {format_money(budget)} hoje; 30% a menos são "
        f"{format_money(budget * 0.7)} por dia{_saving(budget, budget * 0.7)}."
    ), cut


def test_an_amount_past_her_budget_taken_off_or_as_long_as_an_id(demo_db: DemoDb) -> None:
    account, n, name, budget = _budgeted(demo_db)
    asked = [
        f"como tá a campanha {n}?",
        f"e se eu tirar {round(budget) + 100} reais dela?",
        "e pra 99999999999999?",
    ]
    _, (_, off), (intent, huge) = _talk(demo_db, asked, account)
    assert off[0] == (
        f"O orçamento diário de “{name}” é {format_money(budget)} hoje: tirar "
        f"{format_money(round(budget) + 100)} por dia passa de zero."
    ), off
    # a long number alone after a scenario is its amount, not a campaign's id ("Essa campanha não existe")
    assert intent == "forecast" and huge[1].startswith(f"O orçamento diário de “{name}”"), huge


def test_the_accounts_budget_to_an_amount_is_read_against_its_campaigns_budgets(demo_db: DemoDb) -> None:
    account = 1
    c = demo_db.data.campaigns.filter((pl.col("config_id") == account) & (pl.col("status") == "ACTIVE"))
    total = float(c["daily_budget"].fill_null(0).sum()) / 100  # centavos in the source
    without = c.filter(pl.col("daily_budget").is_null()).height
    amount = round(total * 1.25)
    intent, lines = _one(
        demo_db, f"se eu subir o orçamento da conta pra {amount} por dia, quantos leads?", account
    )
    assert intent == "forecast", lines
    assert lines[0].startswith("A previsão do pipeline para a conta é com o orçamento atual"), lines
    assert lines[1].startswith(
        f"O orçamento diário das campanhas ativas da conta soma {format_money(total)} hoje"
    ), lines
    assert (f"{without} campanha" in lines[1]) == (without > 0), lines
    pct = (amount / total - 1) * 100
    assert lines[1].endswith(f"{format_money(amount)} por dia são {format_pct(pct, 0)} a mais."), lines
    forecast = parse_number(re.search(r": cerca de ([\d.]+) leads", lines[0]).group(1))
    assert f"daria cerca de {format_number(forecast * amount / total, 0)} leads" in lines[2], lines


@pytest.mark.parametrize(
    ("question", "carried", "after", "expected"),
    [
        ("e se eu baixar pra 150?", True, False, ("to", 150.0)),
        ("e se eu baixar pra 150?", False, False, None),  # alone: no budget named, no scenario
        ("e pra 2k?", True, True, ("to", 2000.0)),
        ("e pra 2k?", True, False, None),  # an amount alone carries only a scenario asked just before
        ("e se eu tirar 30% dela?", True, False, ("pct", -30.0)),
        ("e se eu subir 50 reais no orçamento dela?", True, False, ("by", 50.0)),
        ("se eu colocar 500 reais por dia na campanha 9?", False, False, ("to", 500.0)),
        ("se eu cortar 20% da verba, quanto economizo?", False, False, ("pct", -20.0)),
        ("e se eu pausar?", True, True, None),
        ("e se eu baixar pra 0?", True, False, ("to", 0.0)),  # nothing a day: the forecast scaled to none
        ("e se eu subir 1e400 reais?", True, False, None),
    ],
)
def test_a_what_if_carried_in_a_thread(
    question: str, carried: bool, after: bool, expected: tuple[str, float] | None
) -> None:
    assert budget_scenario(normalize(question), carried=carried, after_scenario=after) == expected


@pytest.mark.parametrize(
    ("asked", "pct"), [("posso dobrar a {n}?", 100), ("posso aumentar a {n} em 50%?", 50)]
)
def test_a_raise_asked_as_advice_without_the_budget_word_is_the_verdict(
    demo_db: DemoDb, asked: str, pct: int
) -> None:
    # was her card ("posso dobrar a campanha 8?") or "Não entendi" ("posso dobrar a 8?"): no Sim/Não
    account, n, name, _ = _budgeted(demo_db)
    intent, lines = _one(demo_db, asked.format(n=n), account)
    assert intent == "recommendations", lines
    assert re.match(rf"(Sim|Não|Com cautela): “{re.escape(name)}”", lines[0]), lines
    verdict = classify_intent(asked.format(n=n))
    assert (verdict.name, verdict.metric, verdict.threshold) == ("recommendations", "scale", pct), verdict


# ------------------------------------------------------------- two weeks compared in the buyer's words
def test_last_week_against_the_one_before_in_other_words_is_the_weeks_compared(demo_db: DemoDb) -> None:
    # "vs a anterior" and "e a semana retrasada? compara as duas" (after last week's figures) were a
    # campaign comparison ("diga 2 a 5 campanhas"): the same answer as "semana passada vs semana retrasada"
    _, plain = _one(demo_db, "quanto gastei semana passada vs semana retrasada?")
    assert plain[0].startswith("Variação de semana retrasada para semana passada"), plain
    _, other = _one(demo_db, "quanto gastei semana passada vs a anterior?")
    (_, _), (intent, thread) = _talk(
        demo_db, ["quanto gastei semana passada?", "e a semana retrasada? compara as duas"]
    )
    assert other == plain and thread == plain, (other, thread)


@pytest.mark.parametrize(
    ("message", "asks"),
    [
        ("e a semana retrasada? compara as duas", []),  # one ask: the comparison is of the one before it
        ("e o mês passado? compara", []),
        ("quanto gastei ontem? e também quais devo pausar?", ["quanto gastei ontem", "quais devo pausar"]),
    ],
)
def test_a_comparison_asked_after_a_period_is_one_ask(message: str, asks: list[str]) -> None:
    assert split_asks(message) == asks
