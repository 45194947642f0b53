"""The campaigns by how steady their daily CPL is ("qual campanha tem o cpl mais estável?"), the rule said:
the coefficient of variation of the daily CPL over 14 days, among campaigns with leads on most days."""

from __future__ import annotations

from famachat_ml_pipeline.agent.facts_stability import MIN_LEAD_DAYS, STABILITY_DAYS
from famachat_ml_pipeline.agent.intents import Intent
from famachat_ml_pipeline.agent.wording import Out, br_span, quoted
from famachat_ml_pipeline.core.recommendations import format_pct

SHOWN = 3


def _line(r: dict) -> str:
    return (
        f"{quoted(r['name'])} ({r['campaign_id']}): variação {format_pct(r['cv'] * 100, 0)}, CPL diário "
        f"médio {r['mean_text']} (de {r['low_text']} a {r['high_text']}), leads em {r['lead_days']} dos "
        f"{STABILITY_DAYS} dias"
    )


def say_cpl_stability(intent: Intent, out: Out) -> list[str]:
    s = out.get("_cpl_stability")
    if not s:
        return ["Não há dados desta conta para medir a estabilidade do CPL."]
    rule = (
        "Regra: variação = desvio-padrão ÷ média do CPL de cada dia com lead, de "
        f"{br_span(s['first'], s['last'])} ({STABILITY_DAYS} dias); só entram campanhas com leads em pelo "
        f"menos {MIN_LEAD_DAYS} desses dias ({len(s['campaigns'])} de {s['spenders']} que gastaram)."
    )
    rows = s["campaigns"]
    if not rows:
        return [
            f"Nenhuma campanha teve leads em {MIN_LEAD_DAYS}+ dos últimos {STABILITY_DAYS} dias: com poucos "
            "dias de lead não há CPLs diários suficientes para dizer qual é mais estável.",
            rule,
        ]
    least = intent.metric == "least"
    ranked = rows[::-1] if least else rows
    word = "menos estável" if least else "mais estável"
    lines = [f"O CPL {word}: {_line(ranked[0])}."]
    if len(ranked) > 1:
        lines += ["Em seguida:", *(f"- {_line(r)}" for r in ranked[1:SHOWN])]
    return [*lines, rule]
