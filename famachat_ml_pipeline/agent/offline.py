"""Offline mode: deterministic pt-BR answers with the real figures, no LLM.

It follows the seed graph's steps as plain functions: classify_intent -> gather_data (the same tools the
model would call) -> check_quality -> generate_response. Campaign names come from the tables and are
quoted as data; nothing in a question or a name changes which account is read.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from famachat_ml_pipeline.agent.tools import ToolContext, run_tool
from famachat_ml_pipeline.agent.tools.forecasts import range_note
from famachat_ml_pipeline.agent.types import AgentEvent, AgentReply, ChatTurn, ToolCall
from famachat_ml_pipeline.db import agent_queries as q

INTENTS = (
    "help",
    "campaign_details",
    "data_quality",
    "roi",
    "forecast",
    "anomalies",
    "recommendations",
    "underperformers",
    "top",
    "summary",
)

# Checked in order: the first intent with a matching pattern wins. Patterns run on accent-free lowercase.
_PATTERNS: tuple[tuple[str, str], ...] = (
    ("help", r"\b(ajuda|help|o que (voce|vc) (sabe|faz|pode)|como (te )?uso|comandos)\b"),
    ("data_quality", r"qualidade|sincroniz|descartad|set aside|dados (estao )?atualizados|ultima atualiza"),
    ("roi", r"\broi\b|\broas\b|retorno"),
    ("forecast", r"previs|prever|preve|proxima semana|semana que vem|proximos (7 )?dias|vai gerar|projec"),
    (
        "anomalies",
        r"anomal|por ?que|subiu|disparou|pulou|aumentou|caiu|queda|alerta|estranh|cpl (alto|jump)",
    ),
    ("recommendations", r"recomend|sugest|o que (devo|eu devo|fazer)|\bacao|\bacoes|proximos passos"),
    ("underperformers", r"\bmal\b|pior|piores|ruim|ruins|baixa performance|underperform|problema|perdendo"),
    ("top", r"\bbem\b|melhor|melhores|\btop\b|destaque|alta performance|high perform"),
    ("summary", r"resumo|visao geral|como (esta|vai) a conta|panorama|overview|conta"),
)
_CAMPAIGN_ID = re.compile(r"\b\d{6,30}\b")
# "conta 2", "config_id=2", "cliente #2": an account named in the question
_ACCOUNT_REF = re.compile(r"""\b(?:conta|config_?id|cliente|account)["']?\s*[=:#nº°o.]*\s*(\d{1,9})\b""")
_NUMBER = re.compile(r"(\d+(?:[.,]\d+)?)")


def normalize(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@dataclass(frozen=True)
class Intent:
    name: str
    campaign_id: str | None = None  # a campaign id named in the question (maybe not this account's)
    value_per_lead: float | None = None
    accounts_named: tuple[int, ...] = ()  # account numbers the question names


def accounts_named(text: str) -> tuple[int, ...]:
    return tuple(sorted({int(m) for m in _ACCOUNT_REF.findall(text)}))


def classify_intent(message: str) -> Intent:
    """The intent of a question, from keywords; a campaign id in it makes it about that campaign."""
    text = normalize(message)
    campaign = _CAMPAIGN_ID.search(text)
    cid = campaign.group(0) if campaign else None
    named = accounts_named(text)
    matched = next((n for n, pattern in _PATTERNS if re.search(pattern, text)), None)
    if matched == "roi":
        money_text = _ACCOUNT_REF.sub(" ", _CAMPAIGN_ID.sub(" ", text))
        numbers = [float(x.replace(",", ".")) for x in _NUMBER.findall(money_text)]
        return Intent("roi", cid, numbers[0] if numbers else None, named)
    if cid and matched not in {"forecast", "help", "data_quality"}:
        return Intent("campaign_details", cid, accounts_named=named)
    return Intent(matched or "help", cid, accounts_named=named)


def _call(ctx: ToolContext, name: str, args: dict[str, Any]) -> ToolCall:
    return ToolCall(name=name, input=args, output=run_tool(ctx, name, args))


def gather_data(ctx: ToolContext, intent: Intent) -> list[ToolCall]:
    """Run the tools an intent needs, through the same registry the model uses."""
    cid = intent.campaign_id
    plan: dict[str, list[tuple[str, dict[str, Any]]]] = {
        "help": [("get_account_summary", {})],
        "summary": [("get_account_summary", {}), ("get_high_priority_recommendations", {"limit": 3})],
        "underperformers": [("get_underperformers", {"limit": 5, "include_low": False})],
        "top": [
            ("get_top_campaigns", {"metric": "leads", "limit": 5}),
            ("get_high_performers", {"limit": 5}),
        ],
        "recommendations": [("get_recommendations", {"limit": 5})],
        "anomalies": [("get_anomalies", {"days": 7, "limit": 5}), ("analyze_trends", {})],
        "forecast": [
            ("predict_campaign_leads", {"campaign_id": cid}),
            ("predict_campaign_cpl", {"campaign_id": cid}),
        ]
        if cid
        else [("get_forecasts", {"metric": "leads"}), ("get_account_summary", {})],
        "campaign_details": [("get_campaign_details", {"campaign_id": cid or ""})],
        "data_quality": [("get_data_quality", {"days": 30})],
        "roi": [
            (
                "calculate_roi",
                {"value_per_lead": intent.value_per_lead, **({"campaign_id": cid} if cid else {})},
            )
        ]
        if intent.value_per_lead
        else [],
    }
    return [_call(ctx, name, args) for name, args in plan[intent.name]]


def check_quality(ctx: ToolContext, intent: Intent, calls: Sequence[ToolCall]) -> list[str]:
    """Caveats the answer must carry: another account asked for, missing or stale results, failed tools."""
    notes = []
    if any(n != ctx.config_id for n in intent.accounts_named):
        notes.append("Observação: só tenho acesso aos dados desta conta; a resposta acima é sobre ela.")
    for call in calls:
        if "error" in call.output:
            notes.append(f"Não consegui consultar {call.name}: {call.output['error']}")
    if intent.name in {"help", "data_quality"}:
        return notes
    through, results = ctx.data_through(), q.latest_results_day(ctx.engine, ctx.config_id)
    if results is None:
        notes.append("Ainda não há resultados do pipeline para esta conta: rode `famachat-ml run`.")
    elif results < through:
        notes.append(
            f"Atenção: os resultados do pipeline são de {_br(results.isoformat())}, "
            f"e os dados vão até {_br(through.isoformat())}."
        )
    return notes


# ---------------------------------------------------------------------------------------------- text


def _br(iso: str | None) -> str:
    return "-" if not iso else f"{iso[8:10]}/{iso[5:7]}/{iso[0:4]}"


def _q(name: str) -> str:
    """A campaign name as quoted data (it comes from the account's tables, not from us)."""
    return "“" + " ".join(str(name).split())[:80] + "”"


TIER_PT = {
    "HIGH_PERFORMER": "alta performance",
    "MODERATE": "moderada",
    "LOW": "baixa",
    "UNDERPERFORMER": "crítica",
}
HELP = (
    "Posso responder sobre esta conta de anúncios com os números do pipeline:\n"
    "- quais campanhas estão indo mal ou bem;\n"
    "- recomendações ativas (pausar, escalar, ajustar orçamento…);\n"
    "- anomalias e por que o CPL subiu;\n"
    "- previsão de leads e CPL para a próxima semana (também por campanha, com o id);\n"
    "- resumo da conta, detalhes de uma campanha (pelo id) e qualidade dos dados;\n"
    "- ROI estimado, se você informar quanto vale um lead (ex.: “ROI com R$ 80 por lead”)."
)


def _summary_text(s: dict[str, Any]) -> list[str]:
    tiers = s.get("tiers", {})
    lines = [
        f"Resumo da conta (7 dias até {_br(s.get('as_of'))}): {s['spend_7d']} investidos, "
        f"{s['leads_7d']} leads, CPL de {s['cpl_7d'] or '-'}.",
        f"{s['active_campaigns']} de {s['campaigns']} campanhas ativas; tiers: "
        f"{tiers.get('HIGH_PERFORMER', 0)} de alta performance, {tiers.get('MODERATE', 0)} moderadas, "
        f"{tiers.get('LOW', 0)} baixas e {tiers.get('UNDERPERFORMER', 0)} críticas.",
        f"{s['active_recommendations']} recomendações ativas ({s['high_priority_recommendations']} de alta "
        f"prioridade) e {s['open_anomalies_7d']} anomalias abertas na semana "
        f"({s['critical_anomalies_7d']} crítica{'s' if s['critical_anomalies_7d'] != 1 else ''}).",
    ]
    if s.get("forecast_leads"):
        lines.append(
            f"Previsão para os próximos {s['forecast_next_days']} dias: {s['forecast_leads']} leads e "
            f"{s['forecast_spend']} de gasto."
        )
    return lines


def _campaign_line(c: dict[str, Any]) -> str:
    cpl = c.get("cpl_7d") or "sem leads"
    return (
        f"- {_q(c['name'])} ({c['campaign_id']}): {c.get('spend_7d') or '-'} gastos, "
        f"{c.get('leads_7d') if c.get('leads_7d') is not None else '-'} leads, CPL {cpl}"
    )


def _not_found(out: dict[str, Any]) -> str | None:
    return out.get("message") if out.get("found") is False else None


Out = dict[str, dict[str, Any]]


def _say_help(intent: Intent, out: Out) -> list[str]:
    return [HELP]


def _say_summary(intent: Intent, out: Out) -> list[str]:
    s = out["get_account_summary"]
    lines = _summary_text(s) if "error" not in s else []
    for r in out["get_high_priority_recommendations"].get("recommendations", []):
        lines.append(f"- Prioridade {r['priority']}: {r['title']} ({_q(r['name'])}).")
    return lines


def _say_underperformers(intent: Intent, out: Out) -> list[str]:
    u = out["get_underperformers"]
    if not u.get("total"):
        return ["Nenhuma campanha está no tier crítico (UNDERPERFORMER) na última classificação."]
    shown = u["campaigns"]
    head = f"{u['total']} campanhas estão com baixa performance (UNDERPERFORMER) em {_br(u['as_of'])}"
    head += f"; as {len(shown)} que mais gastaram:" if len(shown) < u["total"] else ":"
    lines = [head]
    for c in shown:
        lines.append(_campaign_line(c) + _why(c) + ".")
    return lines


def _why(c: dict[str, Any]) -> str:
    if not c.get("leads_7d") and c.get("spend_7d"):
        return f". Gastou sem gerar leads (CPL da conta: {c.get('account_cpl_7d') or '-'})"
    if c.get("cpl_vs_account"):
        ratio = f"{c['cpl_vs_account']:.1f}".replace(".", ",")
        return f". CPL {ratio}x o da conta ({c.get('account_cpl_7d') or '-'})"
    return ""


def _say_top(intent: Intent, out: Out) -> list[str]:
    t, h = out["get_top_campaigns"], out["get_high_performers"]
    lines = [f"Campanhas com mais leads nos 7 dias até {_br(t['as_of'])}:"]
    lines += [_campaign_line(c) for c in t["campaigns"]]
    names = ", ".join(_q(c["name"]) for c in h.get("campaigns", []))
    lines.append(f"Tier de alta performance: {names}." if names else "Nenhuma campanha de alta performance.")
    return lines


def _say_recommendations(intent: Intent, out: Out) -> list[str]:
    r = out["get_recommendations"]
    if not r.get("total"):
        return ["Não há recomendações ativas para esta conta agora."]
    lines = [f"{r['total']} recomendações ativas; as principais:"]
    for x in r["recommendations"]:
        impact = f" Impacto esperado: {x['expected_impact']}." if x.get("expected_impact") else ""
        lines.append(f"- [{x['priority']}] {x['title']} — {_q(x['name'])}.{impact}")
    return lines


def _say_anomalies(intent: Intent, out: Out) -> list[str]:
    a, t = out["get_anomalies"], out["analyze_trends"]
    lines = []
    if "last_7d" in t:
        last, prev = t["last_7d"], t["previous_7d"]
        lines.append(
            f"CPL da conta: {last['cpl'] or '-'} nos 7 dias até {_br(last['last_day'])}, contra "
            f"{prev['cpl'] or '-'} na semana anterior ({t['cpl_change'] or 'sem comparação'}); "
            f"gasto {last['spend']} ({t['spend_change'] or '-'}), "
            f"leads {last['leads']} ({t['leads_change'] or '-'})."
        )
        for m in t.get("biggest_cpl_increases", []):
            lines.append(
                f"- CPL subiu {m['cpl_trend']} em {_q(m['name'])} ({m['campaign_id']}): {m['cpl_7d']}."
            )
    if not a.get("total"):
        return [*lines, f"Nenhuma anomalia aberta desde {_br(a.get('since'))}."]
    lines.append(f"{a['total']} anomalias abertas desde {_br(a['since'])}:")
    for x in a["anomalies"]:
        lines.append(
            f"- {x['severity']} {x['type']} em {_q(x['name'])} ({_br(x['date'])}): {x['metric']} "
            f"{x['observed']} contra {x['expected']} esperado ({x['change'] or '-'})."
        )
    return lines


def _freq(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}".replace(".", ",")


def _br_number(text: str) -> float:
    return float(text.replace(".", "").replace(",", "."))


def _say_forecast(intent: Intent, out: Out) -> list[str]:
    if intent.campaign_id:
        lines = []
        for name in ("predict_campaign_leads", "predict_campaign_cpl"):
            p = out[name]
            if _not_found(p) or "error" in p:
                return [_not_found(p) or p["error"]]
            what = "leads no total" if p["metric"] == "leads" else "de CPL médio por dia"
            lines.append(
                f"{_q(p['name'])}: {p['value']} {what} nos próximos {len(p['days'])} dias "
                f"({p['low']} a {p['high']}; método {p['method']}); {range_note(p['metric'])}."
            )
        return lines
    f = out["get_forecasts"]
    if not f.get("total"):
        return ["Ainda não há previsões para esta conta."]
    first = f["forecasts"][0]
    spend = out["get_account_summary"].get("forecast_spend") or "-"
    leads = f["account_totals"].get("leads", "-")
    lines = [
        f"Previsão do pipeline (feita com dados até {_br(f['made_on'])}) para {_br(first['first_day'])} a "
        f"{_br(first['last_day'])}: {leads} leads e {spend} de gasto na conta.",
        "Campanhas com mais leads previstos:",
    ]
    top = sorted(f["forecasts"], key=lambda x: -_br_number(x["value"]))[:5]
    lines += [f"- {_q(x['name'])}: {x['value']} leads ({x['low']} a {x['high']})" for x in top]
    return [*lines, f"Entre parênteses, a {range_note('leads')}."]


def _say_campaign_details(intent: Intent, out: Out) -> list[str]:
    d = out["get_campaign_details"]
    if _not_found(d) or "error" in d:
        return [_not_found(d) or d["error"]]
    tier = TIER_PT.get(d["tier"] or "", "sem classificação")
    lines = [
        f"{_q(d['name'])} ({d['campaign_id']}), status {d['status']}, tier {tier}, orçamento diário "
        f"{d['daily_budget'] or 'não definido'}.",
        f"7 dias até {_br(d['as_of'])}: {d['spend_7d'] or '-'} gastos, {d['leads_7d']} leads, CPL "
        f"{d['cpl_7d'] or 'sem leads'}, CTR {d['ctr_7d'] or '-'}, frequência {_freq(d['frequency_7d'])}. "
        f"30 dias: {d['leads_30d']} leads, CPL {d['cpl_30d'] or '-'}.",
    ]
    lines += [f"- Recomendação: {t}" for t in d["active_recommendations"]]
    return lines + [f"- Anomalia: {t}" for t in d["open_anomalies"]]


def _say_data_quality(intent: Intent, out: Out) -> list[str]:
    q = out["get_data_quality"]
    reasons = ", ".join(f"{v} por {q['reasons_explained'][k]}" for k, v in q["set_aside_by_reason"].items())
    return [
        f"Dados até {_br(q['data_through'])} (último dia completo); último dia sincronizado: "
        f"{_br(q['last_synced_day'])}; resultados do pipeline de {_br(q['results_as_of'])}.",
        f"Nos últimos {q['window_days']} dias li {q['rows_read']} linhas da fonte e deixei "
        f"{q['rows_set_aside']} de lado" + (f": {reasons}." if reasons else "."),
    ]


def _say_roi(intent: Intent, out: Out) -> list[str]:
    if "calculate_roi" not in out:
        return [
            "A fonte não tem receita, então preciso que você diga quanto vale um lead "
            "(ex.: “ROI com R$ 80 por lead”) ou o ticket médio e a taxa de fechamento."
        ]
    r = out["calculate_roi"]
    if _not_found(r) or "error" in r:
        return [_not_found(r) or r["error"]]
    roas = str(r["roas"]).replace(".", ",")
    return [
        f"ROI estimado ({r['scope']}, {r['window_days']} dias): {r['leads']} leads x {r['value_per_lead']} = "
        f"{r['estimated_revenue']} contra {r['spend']} investidos: ROI {r['roi'] or '-'}, ROAS {roas}. "
        f"CPL atual {r['cpl'] or '-'}; o ponto de equilíbrio é um CPL de {r['break_even_cpl']}.",
        r["note"],
    ]


_SAY = {
    "help": _say_help,
    "summary": _say_summary,
    "underperformers": _say_underperformers,
    "top": _say_top,
    "recommendations": _say_recommendations,
    "anomalies": _say_anomalies,
    "forecast": _say_forecast,
    "campaign_details": _say_campaign_details,
    "data_quality": _say_data_quality,
    "roi": _say_roi,
}


def generate_response(intent: Intent, calls: Sequence[ToolCall], notes: Sequence[str]) -> str:
    """The pt-BR answer: the intent's sentences over the tools' outputs, then the quality caveats."""
    out = {c.name: c.output for c in calls}
    return "\n".join([*_SAY[intent.name](intent, out), *notes])


# --------------------------------------------------------------------------------------------- agent


@dataclass
class OfflineAgent:
    ctx: ToolContext

    @property
    def config_id(self) -> int:
        return self.ctx.config_id

    def stream(self, message: str, history: Sequence[ChatTurn] = ()) -> Iterator[AgentEvent]:
        intent = classify_intent(message)
        calls = gather_data(self.ctx, intent)
        for call in calls:
            yield AgentEvent(kind="tool", tool=call)
        text = generate_response(intent, calls, check_quality(self.ctx, intent, calls))
        for line in text.splitlines(keepends=True):
            yield AgentEvent(kind="text", text=line)
        reply = AgentReply(
            text=text,
            mode="offline",
            intent=intent.name,
            tool_calls=tuple(calls),
            data_through=self.ctx.data_through(),
        )
        yield AgentEvent(kind="done", reply=reply)

    def ask(self, message: str, history: Sequence[ChatTurn] = ()) -> AgentReply:
        return drain(self.stream(message, history))


def drain(events: Iterator[AgentEvent]) -> AgentReply:
    reply = None
    for event in events:
        if event.kind == "done":
            reply = event.reply
    if reply is None:  # a stream always ends with "done"; this guards a broken implementation
        raise RuntimeError("agent stream ended without a reply")
    return reply
