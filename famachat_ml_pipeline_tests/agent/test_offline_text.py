"""Pure parts of the offline agent (no database): pt-BR numbers, intents, reason texts."""

from __future__ import annotations

import datetime as dt

import pytest

from famachat_ml_pipeline.agent.intents import (
    INTENTS,
    classify_intent,
    numbers_in,
    resolve_campaigns,
    resolve_day,
)
from famachat_ml_pipeline.agent.offline import anomaly_line
from famachat_ml_pipeline.agent.tools.quality import REASONS_PT
from famachat_ml_pipeline.source.clean import REJECT_REASONS


def test_every_reject_reason_has_a_pt_br_text() -> None:
    # an answer must never show a raw English key such as `bad_date`
    assert set(REJECT_REASONS) <= set(REASONS_PT)
    assert all(REASONS_PT[k] and "_" not in REASONS_PT[k] for k in REJECT_REASONS)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("R$ 1.500,00", 1500.0),
        ("1.500", 1500.0),
        ("1,5", 1.5),
        ("1500", 1500.0),
        ("R$ 2,50", 2.5),
        ("1.234.567,89", 1234567.89),
        ("1.5", 1.5),  # written the English way
        ("1,234.56", 1234.56),
        ("R$ 80 por lead", 80.0),
        ("vale R$ 1.500.", 1500.0),  # the sentence's full stop is no decimal
    ],
)
def test_pt_br_numbers(text: str, value: float) -> None:
    assert numbers_in(text) == [value]


def test_roi_value_per_lead_is_read_pt_br() -> None:
    assert classify_intent("Qual o ROI se cada lead vale R$ 1.500,00?").value_per_lead == 1500.0
    assert classify_intent("Qual o ROI da campanha 3 com R$ 80 por lead?").value_per_lead == 80.0


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("Qual campanha devo pausar?", "recommendations"),
        ("Devo pausar a campanha 3?", "recommendations"),
        ("Vale a pena aumentar o orçamento?", "recommendations"),
        ("Qual o CPL?", "performance"),
        ("Quanto gastei ontem?", "performance"),
        ("Quantos leads tive essa semana?", "performance"),
        ("Qual o custo por lead de ontem?", "performance"),
        ("Liste minhas campanhas", "list_campaigns"),
        ("Compare as campanhas A e B", "compare"),
        ("Qual a tendência do CPL?", "trends"),
        ("Não quero previsão, quero saber quais campanhas estão mal", "underperformers"),
        ("O que aconteceu ontem?", "anomalies"),
        ("Como está a Campanha 3?", "campaign_details"),
        ("Faça uma análise completa da conta", "analyze"),
        # the old ones keep their intent
        ("Por que meu CPL subiu ontem?", "anomalies"),
        ("Quantos leads vou ter na próxima semana?", "forecast"),
        ("Quais campanhas estão indo mal?", "underperformers"),
        ("Me dá um resumo da conta", "summary"),
    ],
)
def test_classify_media_buyer_questions(question: str, intent: str) -> None:
    assert classify_intent(question).name == intent
    assert intent in INTENTS


NAMES = {
    "1": "[LEAD] Campanha 3 - Público 3",
    "2": "[LEAD] Campanha 30 - Público 1",
    "3": "Remarketing Óculos",
    "4": "[LEAD] Campanha 4 - Público 4",
}


@pytest.mark.parametrize(
    ("question", "intent", "campaign"),
    [
        ("Como está a campanha 3?", "campaign_details", "1"),  # not "Campanha 30"
        ("como esta a campanha remarketing oculos?", "campaign_details", "3"),  # accents and case
        ("Devo pausar a campanha 3?", "recommendations", "1"),
        ("Como está a campanha Black Friday Mega Promo?", "campaign_not_found", None),
        ("A campanha Black Friday está bem?", "campaign_not_found", None),
        ("A campanha de leads está bem?", "top", None),  # generic words name no campaign
        ("Qual campanha devo pausar?", "recommendations", None),
    ],
)
def test_campaign_names_resolve_against_the_account(question: str, intent: str, campaign: str | None) -> None:
    got = resolve_campaigns(classify_intent(question), NAMES)
    assert (got.name, got.campaign_id) == (intent, campaign)


def test_compare_by_names() -> None:
    got = resolve_campaigns(classify_intent("Compare as campanhas 3 e 4"), NAMES)
    assert got.name == "compare" and got.campaign_ids == ("1", "4")


def test_a_name_in_several_campaigns_is_not_one_campaign() -> None:
    got = resolve_campaigns(
        classify_intent("como está a campanha black friday?"), {"1": "Black Friday A", "2": "Black Friday B"}
    )
    assert got.name == "campaign_not_found" and got.matches == ("1", "2")


@pytest.mark.parametrize(
    ("ref", "day"),
    [
        ("ontem", dt.date(2026, 11, 28)),
        ("hoje", dt.date(2026, 11, 29)),
        ("anteontem", dt.date(2026, 11, 27)),
        ("26/11", dt.date(2026, 11, 26)),
        ("26/12", dt.date(2025, 12, 26)),  # no year and after today: last year's
        ("05/01/2026", dt.date(2026, 1, 5)),
        ("31/02", None),
        (None, None),
    ],
)
def test_resolve_day(ref: str | None, day: dt.date | None) -> None:
    assert resolve_day(ref, dt.date(2026, 11, 29)) == day


def _anomaly(kind: str, metric: str, observed: str) -> dict:
    return {
        "type": kind,
        "metric": metric,
        "observed": observed,
        "expected": "3,29",
        "change": "123%",
        "name": "C",
        "date": "2026-11-26",
        "severity": "CRITICAL",
    }


def test_anomaly_wording_says_the_window_mean_and_good_news() -> None:
    spike = anomaly_line(_anomaly("PERFORMANCE_SPIKE", "leads", "7,33"))
    assert "média diária de leads dos 3 dias até esse dia: 7,33" in spike
    assert "alta de leads" in spike and "boa notícia" in spike and "CRITICAL" not in spike
    drop = anomaly_line(_anomaly("PERFORMANCE_DROP", "leads", "2,00"))
    assert "queda de leads" in drop and "média diária" in drop and "severidade CRITICAL" in drop
    zero = anomaly_line(_anomaly("PERFORMANCE_DROP", "leads", "0"))
    assert "média" not in zero and "nenhum lead" in zero
