"""The pt-BR answers to tier questions over `facts_tiers.tier_figures`: one campaign's tier with the rule that
placed it, what the next tier up asks for and the model's next week ("por que a campanha 11 está como
MODERATE?", "o que falta pra virar HIGH_PERFORMER?"); the account's campaigns the model sees falling
("quais campanhas estão caindo de tier?"); or the account's tiers ("quais são high performers?")."""

from __future__ import annotations

from typing import Any

from famachat_ml_pipeline.agent.intents import Intent
from famachat_ml_pipeline.agent.wording import (
    Out,
    br_date,
    counted,
    days_text,
    leads_text,
    quoted,
    times_text,
)
from famachat_ml_pipeline.core.recommendations.text_ptbr import format_number, format_pct
from famachat_ml_pipeline.core.tiers import (
    HIGH_MAX_RATIO,
    HIGH_MIN_DAYS_WITH_LEADS,
    LOW_MAX_RATIO,
    MODERATE_MAX_RATIO,
    MODERATE_MIN_LEADS,
)
from famachat_ml_pipeline.core.vocab import TIER_RANK

TIER_WORD = {
    "HIGH_PERFORMER": "alta performance",
    "MODERATE": "moderado",
    "LOW": "baixo",
    "UNDERPERFORMER": "crítico",
}
RULES = (
    f"Regra dos tiers (CPL dos 7 dias ÷ CPL da conta): alta performance até {format_number(HIGH_MAX_RATIO)}x "
    f"com leads em {HIGH_MIN_DAYS_WITH_LEADS}+ dias; moderado até {format_number(MODERATE_MAX_RATIO)}x com "
    f"{MODERATE_MIN_LEADS}+ leads; baixo até {format_number(LOW_MAX_RATIO)}x; crítico acima disso ou gasto "
    "sem lead."
)
NO_CLASSIFICATION = "Não encontrei classificação de tier desta campanha nesta conta (rode `famachat-ml run`)."


def tier_label(tier: str | None) -> str:
    """ "moderado (MODERATE)": the answers' pt-BR word with the label the product shows (the tier's,
    masculine: "o tier moderado", as every tier word the answers write)."""
    return f"{TIER_WORD[tier]} ({tier})" if tier in TIER_WORD else "sem classificação"


def _times(ratio: float | None) -> str:
    """A campaign's own ratio, said as every answer says it (the tier bounds keep two decimals)."""
    return "-" if ratio is None else times_text(ratio)


def _x(ratio: float | None) -> str:
    return "-" if ratio is None else f"{format_number(ratio)}x"


def _why(c: dict[str, Any]) -> str:
    """The rule that placed the campaign, with its own figures."""
    tier, ratio = c["tier"], c["ratio"]
    figures = (
        f"CPL {c['cpl']} nos 7 dias até {br_date(str(c['as_of']))} = {_times(ratio)} o da conta "
        f"({c['account_cpl']}), {leads_text(c['leads'])} em {days_text(c['days_with_leads'])} com lead"
    )
    if tier == "UNDERPERFORMER" and not c["leads"]:
        return f"gastou {c['spend']} sem nenhum lead nos 7 dias: gasto sem lead é tier crítico, sempre."
    if tier == "UNDERPERFORMER":
        return f"{figures}; acima de {format_number(LOW_MAX_RATIO)}x é tier crítico."
    if tier == "LOW" and ratio is not None and ratio <= MODERATE_MAX_RATIO:
        return f"{figures}; o CPL cabe no tier moderado, mas ele pede {MODERATE_MIN_LEADS}+ leads."
    if tier == "LOW":
        return f"{figures}; entre {_x(MODERATE_MAX_RATIO)} e {_x(LOW_MAX_RATIO)} é tier baixo."
    if tier == "MODERATE" and ratio is not None and ratio <= HIGH_MAX_RATIO:
        need = HIGH_MIN_DAYS_WITH_LEADS
        return f"{figures}; o CPL cabe no tier alta performance, mas ele pede leads em {need}+ dias."
    if tier == "MODERATE":
        return (
            f"{figures}; até {format_number(MODERATE_MAX_RATIO)}x é tier moderado, alta performance pede até "
            f"{format_number(HIGH_MAX_RATIO)}x."
        )
    days = HIGH_MIN_DAYS_WITH_LEADS
    return f"{figures}; até {_x(HIGH_MAX_RATIO)} com leads em {days}+ dias é tier alta performance."


def _goal(c: dict[str, Any]) -> str:
    """What the next tier up asks for, at today's account CPL."""
    g = c["goal"]
    if g is None:
        top = _x(HIGH_MAX_RATIO)
        return f"Já está no tier mais alto; para ficar, o CPL precisa seguir até {top} o da conta."
    ways = [f"gastar até {g['spend_max']} com os mesmos {leads_text(c['leads'])}"] if g["spend_max"] else []
    if g["leads_min"] is not None:
        ways.append(f"chegar a {leads_text(g['leads_min'])} com o mesmo gasto ({c['spend']})")
    days = ""
    if g["min_days"] and c["days_with_leads"] < g["min_days"]:
        days = f" e leads em pelo menos {g['min_days']} dos 7 dias (teve {c['days_with_leads']})"
    return (
        f"Para subir para o tier {tier_label(g['tier'])}: CPL de até {g['cpl_max']} ({_x(g['ratio'])} o CPL "
        f"da conta de hoje){days}; nos 7 dias, isso seria {' ou '.join(ways)}. O CPL da conta também se "
        "move, e a linha vai com ele."
    )


def _model(c: dict[str, Any]) -> str | None:
    if c["predicted"] not in TIER_RANK:
        return None
    p_fall = f"; chance de cair de tier {format_pct(c['p_fall'] * 100)}" if c["p_fall"] is not None else ""
    return f"Previsão do modelo para a próxima semana: {tier_label(c['predicted'])}{p_fall}."


def _premise(intent: Intent, c: dict[str, Any]) -> str:
    """The tier, said first: "Não" when the question's premise names another tier."""
    metric = intent.metric or ""
    asked = metric.removeprefix("tier_is_") if metric.startswith("tier_is_") else None
    who = f"{quoted(c['name'])} ({c['campaign_id']})"
    if asked and asked != c["tier"]:
        return f"Não: {who} não está no tier {tier_label(asked)}, e sim no tier {tier_label(c['tier'])}."
    return f"{who} está no tier {tier_label(c['tier'])}."


def _campaign_lines(intent: Intent, c: dict[str, Any]) -> list[str]:
    goal = (intent.metric or "").removeprefix("tier_to_")
    if goal in TIER_RANK and TIER_RANK[goal] <= TIER_RANK.get(c["tier"], -1):
        head = f"{quoted(c['name'])} ({c['campaign_id']}) já está no tier {tier_label(c['tier'])}."
    else:
        head = _premise(intent, c)
    lines = [head, f"Por quê: {_why(c)}", _goal(c)]
    return [*lines, *filter(None, [_model(c)])]


def _falling_lines(rows: list[dict[str, Any]]) -> list[str]:
    falling = sorted((c for c in rows if c["falls"]), key=lambda c: (-(c["p_fall"] or 0.0), c["campaign_id"]))
    if not any(c["predicted"] in TIER_RANK for c in rows):
        return [
            "Não há previsão de tier do modelo para esta conta (nenhum modelo ativo): só tenho o tier "
            "de hoje."
        ]
    dropped = [c for c in rows if c["direction"] == "DOWN"]
    lines = [
        f"{counted(len(falling), 'campanha', 'campanhas')} com queda de tier prevista pelo modelo para "
        "a próxima semana:"
        if falling
        else "Nenhuma campanha com queda de tier prevista pelo modelo para a próxima semana."
    ]
    lines += [
        f"- {quoted(c['name'])} ({c['campaign_id']}): {tier_label(c['tier'])} → "
        f"{tier_label(c['predicted'])}, chance de cair {format_pct((c['p_fall'] or 0.0) * 100)}; "
        f"CPL {c['cpl']} = {_times(c['ratio'])} o da conta."
        for c in falling
    ]
    if dropped:
        lines.append("Já caíram na última classificação:")
        lines += [
            f"- {quoted(c['name'])}: {tier_label(c['previous_tier'])} → {tier_label(c['tier'])}"
            for c in dropped
        ]
    return lines


def _tiers_lines(intent: Intent, rows: list[dict[str, Any]]) -> list[str]:
    """The account's campaigns by tier (the one asked, or all), best first."""
    metric = intent.metric or ""
    named = metric.removeprefix("tier_is_").removeprefix("tier_to_") if metric != "tier" else None
    shown = [c for c in rows if named not in TIER_RANK or c["tier"] == named]
    shown.sort(key=lambda c: (-TIER_RANK.get(c["tier"], -1), c["ratio"] or 0.0, c["campaign_id"]))
    head = (
        f"{counted(len(shown), 'campanha', 'campanhas')} no tier {tier_label(named)}:"
        if named in TIER_RANK
        else f"Tiers das {len(shown)} campanhas classificadas:"
    )
    body = [
        f"- {quoted(c['name'])} ({c['campaign_id']}): {tier_label(c['tier'])}, CPL {c['cpl']} = "
        f"{_times(c['ratio'])} o da conta"
        for c in shown
    ]
    none = f"Nenhuma campanha no tier {tier_label(named)} na última classificação."
    return [head, *body] if shown else [none]


def say_tier(intent: Intent, out: Out) -> list[str]:
    t = out.get("_tiers") or {}
    rows = t.get("campaigns", [])
    if t.get("campaign_id") is not None:
        if not rows:
            return [NO_CLASSIFICATION]
        return _campaign_lines(intent, rows[0])
    if not rows:
        return ["Ainda não há classificação de tier nesta conta: rode `famachat-ml run`."]
    if intent.metric == "tier_fall":
        return _falling_lines(rows)
    return [*_tiers_lines(intent, rows), RULES]
