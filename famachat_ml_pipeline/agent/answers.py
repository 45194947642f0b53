"""The offline agent's last step: the pt-BR sentences of each intent over the tools' outputs
(`generate_response`), each intent's answer written by its topic module (answers_*); here the menu, what
is out of scope, the whole analysis and what every answer leads with. Figures arrive formatted by the
tools; dates are written dd/mm/aaaa here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from famachat_ml_pipeline.agent.answers_account import (
    say_data_quality,
    say_frequency,
    say_roi,
    say_summary,
    source_lines,
)
from famachat_ml_pipeline.agent.answers_anomalies import campaign_alert_lines, say_anomalies, say_tracking
from famachat_ml_pipeline.agent.answers_budget import (
    no_budget_lines,
    pacing_lines,
    say_leads_cost,
    say_pause_savings,
    spending_much_lines,
)
from famachat_ml_pipeline.agent.answers_campaigns import (
    campaign_head,
    say_campaign_details,
    say_campaign_not_found,
    say_paused,
)
from famachat_ml_pipeline.agent.answers_compare import say_compare
from famachat_ml_pipeline.agent.answers_days import say_best_day, say_weekday
from famachat_ml_pipeline.agent.answers_forecast import say_forecast
from famachat_ml_pipeline.agent.answers_history import say_campaign_age
from famachat_ml_pipeline.agent.answers_month_rank import say_month_rank
from famachat_ml_pipeline.agent.answers_months import (
    say_month_ahead,
    say_period_campaigns,
    say_period_summary,
)
from famachat_ml_pipeline.agent.answers_performance import say_daily_average, say_performance
from famachat_ml_pipeline.agent.answers_periods import day_lines
from famachat_ml_pipeline.agent.answers_rankings import (
    say_cpl_rank,
    say_list_campaigns,
    say_top,
    say_underperformers,
)
from famachat_ml_pipeline.agent.answers_recommendations import say_recommendations
from famachat_ml_pipeline.agent.answers_stability import say_cpl_stability
from famachat_ml_pipeline.agent.answers_talk import (
    daily_budget_lines,
    say_decisions,
    say_explain,
    small_talk_lines,
)
from famachat_ml_pipeline.agent.answers_tiers import say_tier
from famachat_ml_pipeline.agent.answers_trends import say_trends, trend_lines
from famachat_ml_pipeline.agent.answers_verdicts import learning_lines, say_budget
from famachat_ml_pipeline.agent.intents import Intent
from famachat_ml_pipeline.agent.types import ToolCall
from famachat_ml_pipeline.agent.wording import Out, failed, not_found, quoted

NO_RESULTS = "Ainda não há resultados do pipeline para esta conta: rode `famachat-ml run`."
# answers built on ml_* results: before the first run they lead with NO_RESULTS and claim no zero figures
PIPELINE_INTENTS = frozenset(
    {
        "summary",
        "analyze",
        "underperformers",
        "top",
        "recommendations",
        "anomalies",
        "forecast",
        "campaign_details",
        "cpl_rank",
        "tracking",
        "frequency",
        "tier",
    }
)


HELP = (
    "Posso responder sobre esta conta de anúncios com os números do pipeline:\n"
    "- quais campanhas estão indo mal ou bem;\n"
    "- recomendações ativas (pausar, escalar, ajustar orçamento…);\n"
    "- anomalias e por que o CPL subiu;\n"
    "- previsão de leads e CPL para a próxima semana (também por campanha, com o id);\n"
    "- resumo da conta, lista e comparação de campanhas;\n"
    "- detalhes de uma campanha (pelo nome ou id) e qualidade dos dados;\n"
    "- ROI estimado, se você informar quanto vale um lead (ex.: “ROI com R$ 80 por lead”)."
)


def _say_help(intent: Intent, out: Out) -> list[str]:
    return small_talk_lines(intent.metric, HELP)  # "oi", "obrigado", "asdfgh": answered as such first


BELOW_CAMPAIGN = (
    "Os dados desta conta não descem a conjunto de anúncios, anúncio, criativo nem posicionamento (feed, "
    "stories, reels): a fonte traz gasto, "
    "impressões, cliques e leads por campanha e por dia. A resposta abaixo é por campanha."
)
AUDIENCE = (
    "Os dados desta conta não têm quebra por público (audiência, idade, gênero): a fonte traz gasto, "
    "impressões, cliques e leads por campanha e por dia, então só consigo comparar campanhas e dias."
)


OUT_OF_SCOPE = {
    "weather": "Desculpe, não tenho previsão do tempo: só respondo sobre os dados desta conta de anúncios.",
    "chat": "Aqui eu só sei falar dos dados desta conta de anúncios: piada e papo fora disso não são comigo.",
    "platform": (
        "Só tenho os dados do Meta Ads (Facebook e Instagram) desta conta: Google Ads, TikTok e outras "
        "plataformas não chegam aqui, então não tenho os números delas."
    ),
    "conversations": (
        "Não vejo as conversas nem as mensagens do WhatsApp: estes dados são dos anúncios do Meta (gasto, "
        "impressões, cliques e leads por campanha e por dia), e as conversas ficam no FamaChat. O que tenho "
        "são os leads que os anúncios trouxeram."
    ),
    "write": (
        "Desculpe, não consigo criar nem editar campanhas: só leio os dados desta conta, não altero nada "
        "no gerenciador de anúncios."
    ),
    "accounts": (
        "Não comparo contas: cada conversa lê só os dados de uma conta, esta, e não vejo os números de "
        "outra. Posso comparar campanhas desta conta ou períodos dela (ex.: “compara essa semana com a "
        "semana passada”)."
    ),
    "files": (
        "Desculpe, não consigo enviar arquivos (PDF, planilha, e-mail): respondo só aqui, em texto, "
        "com os números da conta."
    ),
}


# after a refusal, what it can do in three questions, not the whole menu (a refusal is kept short)
REFUSAL_EXAMPLES = (
    "Posso responder sobre esta conta, por exemplo: “quais campanhas devo pausar?”, “quanto gastei "
    "ontem?” ou “quantos leads vou ter na próxima semana?”."
)


def _say_out_of_scope(intent: Intent, out: Out) -> list[str]:
    """What the agent cannot do, in one polite sentence, then three questions it can answer."""
    return [OUT_OF_SCOPE.get(intent.metric or "", OUT_OF_SCOPE["files"]), REFUSAL_EXAMPLES]


def _say_audience(intent: Intent, out: Out) -> list[str]:
    return [AUDIENCE]


def _say_analyze(intent: Intent, out: Out) -> list[str]:
    """A whole analysis: the campaign's (details, trend, forecast), or the account's (figures, tiers,
    anomalies, recommendations and forecast), each part in the words of its own answer."""
    if intent.campaign_id:
        details = say_campaign_details(intent, out)
        if not_found(out["get_campaign_details"]):
            return details
        return [*details, *trend_lines(out["analyze_trends"]), *say_forecast(intent, out)]
    top = out["get_high_performers"]
    best = ", ".join(quoted(c["name"]) for c in top.get("campaigns", []))
    return [
        "Análise da conta.",
        *say_summary(intent, out),
        *trend_lines(out["analyze_trends"]),
        *say_underperformers(intent, out),
        f"Tier de alta performance: {best}." if best else "Nenhuma campanha de alta performance.",
        *say_anomalies(intent, {**out, "analyze_trends": {}}),
        *say_recommendations(intent, out),
        *say_forecast(intent, out),
    ]


_SAY = {
    "help": _say_help,
    "summary": say_summary,
    "underperformers": say_underperformers,
    "top": say_top,
    "recommendations": say_recommendations,
    "anomalies": say_anomalies,
    "forecast": say_forecast,
    "campaign_details": say_campaign_details,
    "data_quality": say_data_quality,
    "roi": say_roi,
    "analyze": _say_analyze,
    "campaign_not_found": say_campaign_not_found,
    "compare": say_compare,
    "list_campaigns": say_list_campaigns,
    # "o ctr da campanha 17 despencou, o que houve?": her move, then her open alerts
    "trends": lambda intent, out: [*say_trends(intent, out), *campaign_alert_lines(intent, out)],
    "performance": say_performance,
    "cpl_rank": say_cpl_rank,
    "paused": say_paused,
    "daily_average": say_daily_average,
    "weekday": say_weekday,
    "audience": _say_audience,
    "tracking": say_tracking,
    "best_day": say_best_day,
    "frequency": say_frequency,
    "budget": lambda intent, out: (
        daily_budget_lines(out["_daily_budget"])
        if intent.ask == "budget_total"
        else spending_much_lines(out, little=intent.ask == "spending_little")
        if intent.ask in {"spending_much", "spending_little"}
        else no_budget_lines(out)
        if intent.ask == "no_budget"
        else [
            *pacing_lines(out),
            *(x for x in say_budget(intent, out) if "não têm orçamento na campanha" not in x),
        ]
        if "_pacing" in out
        else say_budget(intent, out)
    ),
    "learning": lambda intent, out: learning_lines(out),
    "tier": say_tier,
    "out_of_scope": _say_out_of_scope,
    "explain": say_explain,
    "decisions": say_decisions,
    "pause_savings": lambda intent, out: [
        *say_pause_savings(intent, out),
        *(
            say_recommendations(replace(intent, name="recommendations", metric="cut"), out)
            if out.get("_pause_savings")
            else []
        ),
    ],
    "campaign_age": say_campaign_age,
    "month_rank": say_month_rank,
    "cpl_stability": say_cpl_stability,
    "month_ahead": say_month_ahead,
    "leads_cost": say_leads_cost,
    "period_campaigns": say_period_campaigns,
    "period_summary": say_period_summary,
}


def generate_response(
    intent: Intent, calls: Sequence[ToolCall], notes: Sequence[str], facts: dict[str, Any] | None = None
) -> str:
    """The pt-BR answer: the intent's sentences over the tools' outputs, then the quality caveats.

    `facts` are what the agent knows besides the tools (the day asked, the last complete day). A tool
    called for one day is keyed "name@day". Before the pipeline's first run an answer built on its results
    leads with that, and gives only the source's own figures.
    """
    out: dict[str, Any] = {c.name + ("@day" if c.input.get("day") else ""): c.output for c in calls}
    out.update(facts or {})
    # "29/02" in a non-leap year: said first, not silently dropped
    bad = out.get("_invalid_day")
    head = [f"{bad} não é uma data válida; a resposta abaixo não é sobre esse dia."] if bad else []
    if intent.below_campaign:  # "qual criativo performa melhor?": said first, then the campaigns' answer
        head.append(BELOW_CAMPAIGN)
    # "essa semana" asked on a Monday, "esse mês" on the 1st: why the answer is about last week or month,
    # said first (once, when two periods are compared)
    periods = [out.get("_period"), *(out.get("_periods") or {}).get("periods", [])]
    head += list(dict.fromkeys(p.note for p in periods if p is not None and p.note))
    if NO_RESULTS in notes and intent.name in PIPELINE_INTENTS:
        rest = [n for n in notes if n != NO_RESULTS]
        d = out.get("get_campaign_details")
        if intent.name == "campaign_details" and d is not None:
            if msg := failed(d):
                return "\n".join([msg, *rest])
            card = [campaign_head(d), *day_lines(out, f", {quoted(d['name'])}")]
            return "\n".join([*head, NO_RESULTS, *card, *source_lines(out), *rest])
        return "\n".join([*head, NO_RESULTS, *source_lines(out), *rest])
    return "\n".join([*head, *_SAY[intent.name](intent, out), *notes])
