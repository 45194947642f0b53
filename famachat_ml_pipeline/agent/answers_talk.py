"""The pt-BR answers that are no figure of the account: small talk ("oi", "obrigado", "asdfgh"), a term
explained as the pipeline uses it ("o que é CPL?", "o que significa HIGH_PERFORMER?", "como vocês calculam
a previsão?"), the users' decisions on the advice ("ignora a recomendação de pausar", "quais recomendações
eu já descartei?": the chat only reads, the decision is recorded through FamaChat or the API) and the
campaigns' daily budgets summed ("qual o orçamento diário total?")."""

from __future__ import annotations

from typing import Any

from famachat_ml_pipeline.agent.answers_anomalies import anomaly_line
from famachat_ml_pipeline.agent.intents import Intent
from famachat_ml_pipeline.agent.tools.anomalies import ACKNOWLEDGED_DAYS
from famachat_ml_pipeline.agent.wording import Out, br_date, counted, quoted
from famachat_ml_pipeline.core.anomalies.config import DEFAULT_CONFIG as ANOMALY
from famachat_ml_pipeline.core.recommendations.config import DEFAULT_CONFIG as REC
from famachat_ml_pipeline.core.recommendations.text_ptbr import format_number
from famachat_ml_pipeline.core.tiers import (
    HIGH_MAX_RATIO,
    HIGH_MIN_DAYS_WITH_LEADS,
    LOW_MAX_RATIO,
    MODERATE_MAX_RATIO,
    MODERATE_MIN_LEADS,
)

# a dismissed or applied advice stays away this long unless the case got this much worse
COOLDOWN_DAYS = REC.dismiss_cooldown_days
COOLDOWN_WORSE_PCT = format_number(REC.materially_worse_pct, 0)

_TIER_RULE = (
    "O tier compara o CPL dos últimos 7 dias da campanha com o CPL da conta nos mesmos 7 dias (a razão "
    "entre os dois)"
)
_N = format_number
GLOSSARY: dict[str, str] = {
    "cpl": (
        "CPL (custo por lead) é quanto custou, em média, cada lead: o gasto do período dividido pelos leads "
        "do período (R$ 1.000,00 com 40 leads = CPL R$ 25,00). Aqui é sempre a soma do gasto ÷ a soma dos "
        "leads dos dias pedidos, não a média dos CPLs de cada dia; um período com gasto e nenhum lead não "
        "tem CPL (“sem leads”). Quanto menor, melhor."
    ),
    "ctr": (
        "CTR (taxa de cliques) é a porcentagem das impressões que viraram clique: cliques ÷ "
        "impressões × 100. "
        "CTR caindo costuma indicar criativo cansado ou público errado, e tende a subir o CPL."
    ),
    "cpm": (
        "CPM (custo por mil impressões) é o gasto ÷ impressões × 1.000: o preço do leilão para mostrar o "
        "anúncio. CPM subindo encarece o lead mesmo com o mesmo CTR."
    ),
    "cpc": "CPC (custo por clique) é o gasto ÷ cliques.",
    "frequency": (
        "Frequência é quantas vezes, em média, cada pessoa alcançada viu os anúncios: impressões ÷ alcance. "
        f"O pipeline usa a dos últimos {ANOMALY.frequency_window_days} dias; acima de "
        f"{_N(ANOMALY.frequency_threshold)} abre o alerta de frequência (FREQUENCY_ALERT)."
    ),
    "frequency_alert": (
        "Uma anomalia de frequência (FREQUENCY_ALERT, “frequência alta”) quer dizer que a frequência da "
        f"campanha nos últimos {ANOMALY.frequency_window_days} dias (impressões ÷ alcance somados "
        "nesses dias) "
        f"passou de {_N(ANOMALY.frequency_threshold)}, com pelo menos "
        f"{_N(ANOMALY.frequency_min_impressions, 0)} "
        "impressões: o mesmo público está vendo o anúncio vezes demais (fadiga), o que costuma "
        "derrubar o CTR "
        "e subir o CPL. A severidade vem de quanto passou do limite "
        f"({_N(ANOMALY.frequency_threshold)}): até "
        "30% acima, LOW; 30-50%, MEDIUM; 50-80%, HIGH; mais de 80%, CRITICAL. O que fazer: renovar o "
        "criativo ou ampliar o público. Pergunte “tá saturando?” para ver a frequência de cada campanha."
    ),
    "reach_saturation": (
        "Saturação de alcance (REACH_SATURATION) é a frequência de 7 dias subindo "
        f"{_N(ANOMALY.saturation_frequency_growth_pct, 0)}% ou mais sobre os 7 dias anteriores (a partir de "
        f"{_N(ANOMALY.saturation_min_frequency)}) enquanto o alcance cresce no máximo "
        f"{_N(ANOMALY.saturation_reach_growth_pct, 0)}%: a campanha está repetindo as mesmas pessoas "
        "em vez de "
        "achar gente nova."
    ),
    "anomaly": (
        "Uma anomalia é um dia em que uma métrica da campanha (gasto, CPL, CTR, leads, frequência, "
        "impressões) saiu do que o próprio histórico dela fazia esperar: o pipeline compara cada dia com os "
        f"{ANOMALY.history_days} dias anteriores e com o mesmo dia da semana, e dá a severidade LOW, MEDIUM, "
        "HIGH ou CRITICAL pelo tamanho do desvio. São 12 tipos (ex.: alta do CPL, queda de leads, gasto "
        "zerado, frequência alta); pergunte “teve anomalia?” para ver as da semana."
    ),
    "HIGH_PERFORMER": (
        f"HIGH_PERFORMER (alta performance) é o melhor dos 4 tiers: CPL dos últimos 7 dias até "
        f"{_N(HIGH_MAX_RATIO)}x o CPL da conta e leads em pelo menos {HIGH_MIN_DAYS_WITH_LEADS} desses dias. "
        "Uma campanha nele é candidata a escalar (em passos de no máximo 20% no orçamento)."
    ),
    "MODERATE": (
        f"MODERATE (moderado): CPL dos últimos 7 dias até {_N(MODERATE_MAX_RATIO)}x o da conta, com pelo "
        f"menos {MODERATE_MIN_LEADS} leads. Manter e otimizar."
    ),
    "LOW": (
        f"LOW (baixo): CPL dos últimos 7 dias até {_N(LOW_MAX_RATIO)}x o da conta. Revisar a estratégia "
        "(público, criativo, orçamento)."
    ),
    "UNDERPERFORMER": (
        f"UNDERPERFORMER (crítico): CPL dos últimos 7 dias acima de {_N(LOW_MAX_RATIO)}x o da conta, "
        "ou gasto "
        "sem nenhum lead. Reduzir o orçamento, pausar ou reestruturar."
    ),
    "tier": (
        f"{_TIER_RULE}: HIGH_PERFORMER (alta performance) até {_N(HIGH_MAX_RATIO)}x com leads em "
        f"{HIGH_MIN_DAYS_WITH_LEADS}+ dias; MODERATE (moderado) até {_N(MODERATE_MAX_RATIO)}x com "
        f"{MODERATE_MIN_LEADS}+ leads; LOW (baixo) até {_N(LOW_MAX_RATIO)}x; UNDERPERFORMER (crítico) acima "
        "disso ou gasto sem lead. Um modelo (XGBoost) treinado no histórico prevê também o tier da próxima "
        "semana."
    ),
    "forecast": (
        "A previsão é feita por campanha, para gasto e leads de cada um dos próximos 7 dias, a partir do "
        "histórico diário dela: para cada dia, a mediana de três métodos (Holt-Winters amortecido com "
        "sazonalidade semanal, suavização exponencial simples e a média do mesmo dia da semana nas últimas "
        "4 semanas). O CPL previsto é o gasto previsto ÷ os leads previstos (no mínimo 1 por dia). O "
        "intervalo de 95% vem dos erros "
        "que essas previsões teriam cometido no passado (backtest, calibração conformal), então é honesto "
        "sobre a incerteza: a faixa é larga em campanhas pequenas ou instáveis. A previsão supõe que nada "
        "muda: não sabe de aumentos de orçamento, pausas ou criativos novos que você fizer."
    ),
    "recommendation": (
        "As recomendações são regras do pipeline sobre os últimos 7 dias de cada campanha (pausar "
        "quem gastou "
        "sem lead, reduzir ou aumentar o orçamento em passos de no máximo 20% pelo CPL contra o da conta, "
        "escalar HIGH_PERFORMER consistente, renovar o criativo, revisar o público, reativar, ajustar "
        "horários), cada uma com prioridade "
        "de 1 a 10 e confiança. Uma recomendação descartada ou aplicada não volta por "
        f"{COOLDOWN_DAYS} dias, a menos que o caso piore {COOLDOWN_WORSE_PCT}%."
    ),
}
# the tiers' definitions end with how the account's campaigns stand now
_TIER_TERMS = frozenset({"HIGH_PERFORMER", "MODERATE", "LOW", "UNDERPERFORMER", "tier"})


def say_explain(intent: Intent, out: Out) -> list[str]:
    """The term's definition first, as the pipeline computes it; then a pointer to the account's own "
    "figure."""
    term = intent.metric or ""
    lines = [GLOSSARY[term]]
    if term in _TIER_TERMS:
        lines.append("Pergunte “quais campanhas estão em cada tier?” para ver as desta conta.")
    return lines


# ------------------------------------------------------------------------------------------ small talk
HELLO = "Olá! Sou o assistente de dados desta conta de anúncios."
THANKS = "De nada! Se quiser, é só perguntar mais sobre a conta (ex.: “me dá um resumo da conta”)."
UNCLEAR = "Não entendi a pergunta."


def small_talk_lines(kind: str | None, help_text: str) -> list[str]:
    """A greeting answered, thanks acknowledged, an unreadable message said so; the menu after, but
    not after thanks."""
    if kind == "thanks":
        return [THANKS]
    if kind == "greeting":
        return [HELLO, help_text]
    if kind == "unclear":
        return [UNCLEAR, help_text]
    return [help_text]


# ------------------------------------------------------------------------------------------ decisions
NO_CHAT_DECISIONS = (
    "Não consigo registrar decisões por aqui: o chat só lê os dados. Para {what}, use o botão da "
    "recomendação no FamaChat (ou a API: POST /api/v1/recommendations/{{id}}/{verb})."
)
_COOLDOWN = (
    f"Descartada ou marcada como aplicada, a recomendação sai da lista e não volta por {COOLDOWN_DAYS} dias, "
    f"a menos que o caso piore {COOLDOWN_WORSE_PCT}%."
)
_SCALE_TYPES = {"BUDGET_INCREASE", "SCALE_UP"}


def _rec_line(r: dict[str, Any]) -> str:
    return f"- #{r['id']} {r['title']} — {quoted(r['name'])} ({r['campaign_id']})"


def _kept(intent: Intent, recs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The active advice the question is about: of the campaign named, of the kind named ("de pausar"),
    else all."""
    if intent.campaign_id:
        recs = [r for r in recs if r["campaign_id"] == intent.campaign_id]
    if intent.metric == "pause":  # "a recomendação de pausar"
        recs = [r for r in recs if r["type"] == "PAUSE_CAMPAIGN"] or recs
    elif intent.metric == "cut":  # "de reduzir"
        recs = [r for r in recs if r["type"] == "BUDGET_DECREASE"] or recs
    elif intent.metric == "scale":
        recs = [r for r in recs if r["type"] in _SCALE_TYPES] or recs
    return recs


def _decided_lines(decided: list[dict[str, Any]]) -> list[str]:
    if not decided:
        return ["Nenhuma recomendação desta conta foi descartada nem marcada como aplicada até agora."]
    dismissed = [d for d in decided if d["dismissed"]]
    applied = [d for d in decided if d["applied"] and not d["dismissed"]]
    lines = []
    if dismissed:
        lines.append(f"{counted(len(dismissed), 'recomendação descartada', 'recomendações descartadas')}:")
        for d in dismissed:
            reason = f"; motivo: {d['reason']}" if d.get("reason") else ""
            when = f" em {br_date(d['on'])}" if d.get("on") else ""
            lines.append(f"- #{d['id']} {d['title']} — {quoted(d['name'])}: descartada{when}{reason}")
    else:
        lines.append("Nenhuma recomendação desta conta foi descartada até agora.")
    if applied:
        lines.append(f"{counted(len(applied), 'marcada como aplicada', 'marcadas como aplicadas')}:")
        for d in applied:
            when = f" em {br_date(d['applied_on'])}" if d.get("applied_on") else ""
            lines.append(f"- #{d['id']} {d['title']} — {quoted(d['name'])}: aplicada{when}")
    return lines


def say_decisions(intent: Intent, out: Out) -> list[str]:
    """What the buyer decided, or how to record it: the chat never pretends to have dismissed or applied."""
    recs = (out.get("get_recommendations") or {}).get("recommendations", [])
    decided = out.get("_decided") or []
    if intent.ask == "decided":
        return [
            *_decided_lines(decided),
            NO_CHAT_DECISIONS.format(what="descartar ou aplicar", verb="dismiss"),
        ]
    if intent.ask == "acknowledge":
        return acknowledge_lines(intent, out.get("get_anomalies") or {})
    if intent.ask == "acknowledged":
        return acknowledged_lines(intent, out.get("get_anomalies") or {})
    kept = _kept(intent, recs)
    # one advice meant: its id in the call, not a placeholder
    rid = str(kept[0]["id"]) if len(kept) == 1 else "{id}"
    if intent.ask == "dismiss":
        head = NO_CHAT_DECISIONS.format(what="descartar uma recomendação, com o motivo", verb="dismiss")
        head = head.replace("{id}", rid)
        tail = [_COOLDOWN]
    elif intent.ask == "applied":
        who = f" de {quoted(out['_campaign_name'])}" if out.get("_campaign_name") else ""
        head = (
            f"Ótimo. Não consigo registrar isso por aqui: marque a recomendação{who} como aplicada no "
            "FamaChat "
            f"(ou POST /api/v1/recommendations/{rid}/apply), para o pipeline não repeti-la."
        )
        tail = [
            _COOLDOWN,
            "O efeito só aparece nos dados dos próximos dias: espere ao menos 3 a 7 dias antes de "
            "outro ajuste "
            "(passos de no máximo 20% no orçamento) e então pergunte de novo pelo CPL da campanha.",
        ]
    else:  # how to record
        head = NO_CHAT_DECISIONS.format(what="marcar como aplicada", verb="apply") + (
            " Para descartar: .../dismiss, com o motivo."
        )
        tail = [_COOLDOWN]
    if kept:
        listed = [f"Recomendações ativas{' dessa campanha' if intent.campaign_id else ''} (o número é o id):"]
        listed += [_rec_line(r) for r in kept[:10]]
    elif intent.campaign_id:
        listed = ["Essa campanha não tem recomendação ativa agora."]
    else:
        listed = ["Não há recomendação ativa nesta conta agora."]
    return [head, *listed, *tail]


def _campaigns_alerts(intent: Intent, a: dict[str, Any]) -> list[dict[str, Any]]:
    """The alerts of `a` (get_anomalies' output), only the named campaign's when one is."""
    return [
        x for x in a.get("anomalies", []) if not intent.campaign_id or x["campaign_id"] == intent.campaign_id
    ]


def acknowledge_lines(intent: Intent, a: dict[str, Any]) -> list[str]:
    """ "Ignora esse alerta": the chat only reads; how to acknowledge it in FamaChat, what that changes, and
    the open alerts with their ids (the campaign's, when one is named), the gravest first."""
    rows = _campaigns_alerts(intent, a)
    rid = str(rows[0]["id"]) if len(rows) == 1 else "{id}"
    lines = [
        "Não consigo registrar isso por aqui: o chat só lê os dados. Para tirar um alerta da lista "
        "(ignorado ou resolvido), reconheça-o no FamaChat (ou POST "
        f"/api/v1/anomalies/{rid}/acknowledge, com uma nota em resolution_notes).",
        "Reconhecido, o alerta sai da lista de abertos; se for um alerta CRÍTICO de queda de leads com "
        "gasto (o que segura a pausa), o pipeline passa a recomendar a pausa se os leads seguirem em 0.",
        "Uma correção (pixel, formulário, entrega) só aparece nos dados dos próximos dias completos: "
        "pergunte de novo amanhã pelos números da campanha.",
    ]
    if not rows:
        return [
            *lines,
            "Não há alerta aberto nos últimos 7 dias" + (" dessa campanha." if intent.campaign_id else "."),
        ]
    shown = rows[:5]
    more = f" (os {len(shown)} mais graves de {len(rows)})" if len(rows) > len(shown) else ""
    return [
        *lines,
        f"Alertas abertos nos últimos 7 dias, o número é o id{more}:",
        *(f"- #{x['id']} {anomaly_line(x).removeprefix('- ')}" for x in shown),
    ]


def acknowledged_lines(intent: Intent, a: dict[str, Any]) -> list[str]:
    """ "Quais alertas eu já reconheci?": the alerts acknowledged in FamaChat over the window read (the
    campaign's, when one is named), the gravest first."""
    rows = _campaigns_alerts(intent, a)
    where = " dessa campanha" if intent.campaign_id else ""
    # the window is the alerts' dates (ml_anomalies' acknowledged_at is FamaChat's, often empty)
    window = (
        f"de {br_date(a['since'])} em diante" if a.get("since") else f"dos últimos {ACKNOWLEDGED_DAYS} dias"
    )
    if not rows:
        return [
            f"Nenhum alerta{where} {window} foi reconhecido.",
            "Um alerta se reconhece no FamaChat (ou POST /api/v1/anomalies/{id}/acknowledge); o chat só lê.",
        ]
    total = a.get("total", len(rows)) if not intent.campaign_id else len(rows)
    more = f" (os {len(rows)} mais graves de {total})" if total > len(rows) else ""
    return [
        f"Alertas{where} {window} já reconhecidos, o número é o id{more}:",
        *(f"- #{x['id']} {anomaly_line(x).removeprefix('- ')}" for x in rows),
    ]


# ------------------------------------------------------------------------------------------ budgets
def _without_line(b: dict[str, Any]) -> list[str]:
    names = b["without"]
    if not names:
        return []
    more = f" e mais {len(names) - 5}" if len(names) > 5 else ""
    return [
        "Sem orçamento diário na campanha (orçamento no conjunto de anúncios ou vitalício, que não tenho): "
        f"{', '.join(quoted(n) for n in names[:5])}{more}. O total não "
        f"{'a inclui' if len(names) == 1 else 'as inclui'}."
    ]


def daily_budget_lines(b: dict[str, Any]) -> list[str]:
    """ "Qual o orçamento diário total?": the active campaigns' daily budgets summed, the largest, and
    those without one on the campaign said (not counted)."""
    if not b["active"]:
        return ["Nenhuma campanha ativa nesta conta: não há orçamento diário em uso."]
    lines = [
        f"Orçamento diário total das campanhas ativas: {b['total']} por dia ({b['with_budget']} de "
        f"{b['active']} campanhas ativas com orçamento diário na campanha).",
        *_without_line(b),
    ]
    if b["top"]:
        lines.append("Maiores orçamentos diários:")
        lines += [f"- {quoted(c['name'])} ({c['campaign_id']}): {c['budget']}/dia" for c in b["top"][:5]]
    return lines


NO_MONTHLY_BUDGET = (
    "Não há orçamento mensal nos dados (a fonte só tem o orçamento diário de cada campanha), então não sei "
    "quanto falta para uma meta do mês. O que dá para dizer:"
)


def left_to_spend_lines(b: dict[str, Any] | None) -> list[str]:
    """ "Quanto falta gastar no mês?": said first that no monthly budget exists; then the pace of the
    active campaigns' daily budgets over the month's days left (the month-end forecast follows)."""
    lines = [NO_MONTHLY_BUDGET]
    if b and b["days_left"] and b["with_budget"]:
        first, last = br_date(b["first_left"].isoformat()), br_date(b["last_left"].isoformat())
        days = (
            f"o dia que falta no mês ({first})"
            if b["days_left"] == 1
            else f"os {b['days_left']} dias que faltam no mês ({first} a {last})"
        )
        lines.append(
            f"- No ritmo dos orçamentos diários das campanhas ativas ({b['total']}/dia), {days}: até "
            f"{b['rest_of_month']}."
        )
    lines.append(
        "- Se você tem uma meta, pergunte “quanto posso gastar por dia pra fechar em R$ 30 mil?” (com o seu "
        "valor). Abaixo, o mês até agora e a previsão do pipeline até o fim do mês."
    )
    return lines
