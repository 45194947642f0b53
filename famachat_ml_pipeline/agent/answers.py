"""The offline agent's last step: the pt-BR sentences of each intent over the tools' outputs
(`generate_response`). Figures arrive formatted by the tools; dates are written dd/mm/aaaa here."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from famachat_ml_pipeline.agent.answers_anomalies import (
    TYPE_PT,
    anomaly_block,
    critical_lines,
    say_tracking,
    type_lines,
)
from famachat_ml_pipeline.agent.answers_days import say_best_day, say_weekday
from famachat_ml_pipeline.agent.answers_forecast import say_forecast
from famachat_ml_pipeline.agent.answers_talk import (
    daily_budget_lines,
    say_decisions,
    say_explain,
    small_talk_lines,
)
from famachat_ml_pipeline.agent.answers_tiers import say_tier
from famachat_ml_pipeline.agent.answers_verdicts import (
    cpl_judge_lines,
    cut_advice_lines,
    day_move_lines,
    learning_lines,
    rate_judge_lines,
    saturation_lines,
    say_budget,
    week_movers_lines,
)
from famachat_ml_pipeline.agent.intents import WHICH_CAMPAIGN, Intent
from famachat_ml_pipeline.agent.intents_numbers import numbers_in, parse_number
from famachat_ml_pipeline.agent.intents_periods import ALL_TIME_LABEL, PERIODS_RATES, periods_rate
from famachat_ml_pipeline.agent.intents_verdicts import rate_judged
from famachat_ml_pipeline.agent.tools.analysis import excluded_text
from famachat_ml_pipeline.agent.types import ToolCall
from famachat_ml_pipeline.agent.wording import (
    Out,
    br_date,
    br_span,
    count_text,
    failed,
    figures_text,
    freq,
    leads_text,
    not_found,
    period_in,
    quoted,
)
from famachat_ml_pipeline.core.recommendations import format_number
from famachat_ml_pipeline.core.recommendations.config import DEFAULT_CONFIG as DEFAULT_RECOMMENDATION_CONFIG
from famachat_ml_pipeline.core.vocab import GOOD_NEWS_ANOMALIES, INACTIVE_STATUSES

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
    "- resumo da conta, lista e comparação de campanhas;\n"
    "- detalhes de uma campanha (pelo nome ou id) e qualidade dos dados;\n"
    "- ROI estimado, se você informar quanto vale um lead (ex.: “ROI com R$ 80 por lead”)."
)


def _summary_text(s: dict[str, Any]) -> list[str]:
    tiers = s.get("tiers", {})
    lines = [
        f"Resumo da conta (7 dias até {br_date(s.get('as_of'))}): {s['spend_7d']} investidos, "
        f"{leads_text(s['leads_7d'])}, CPL de {s['cpl_7d'] or '-'}.",
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
        f"- {quoted(c['name'])} ({c['campaign_id']}): {c.get('spend_7d') or '-'} gastos, "
        f"{leads_text(c.get('leads_7d'))}, CPL {cpl}"
    )


def _tier(x: dict[str, Any]) -> str:
    return TIER_PT.get(x["tier"] or "", "sem classificação")


def _shown(c: dict[str, Any]) -> list[str]:
    """ "(mostrando 20 de 35)" under a list the tool cut."""
    return [f"(mostrando {len(c['campaigns'])} de {c['total']})"] if c["total"] > len(c["campaigns"]) else []


def _say_help(intent: Intent, out: Out) -> list[str]:
    return small_talk_lines(intent.metric, HELP)  # "oi", "obrigado", "asdfgh": answered as such first


def _say_summary(intent: Intent, out: Out) -> list[str]:
    s = out["get_account_summary"]
    # "resumo do mês": that period's figures from the source first, then the week's summary
    lines = [*_day_lines(out), *_period_lines(out)]
    lines += _summary_text(s) if "error" not in s else []
    for r in out["get_high_priority_recommendations"].get("recommendations", []):
        lines.append(f"- Prioridade {r['priority']}: {r['title']} ({quoted(r['name'])}).")
    return lines


def _spent(c: dict[str, Any]) -> float:
    """A row's 7-day spend as a number (it arrives formatted: "R$ 0,00" is a non-empty string)."""
    found = numbers_in(c.get("spend_7d") or "0")
    return found[-1] if found else 0.0


def _worst_first(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Worst 7-day CPL first: the ones that spent with no lead (most spent first), then the highest CPL."""
    idle = sorted((c for c in rows if not c.get("leads_7d") and _spent(c) > 0), key=lambda c: -_spent(c))
    priced = sorted((c for c in rows if c.get("leads_7d") and c.get("cpl_7d")), key=lambda c: -_cpl_of(c))
    return idle + priced + [c for c in rows if c not in idle and c not in priced]


def _cpl_of(c: dict[str, Any]) -> float:
    return numbers_in(c["cpl_7d"])[-1]


def _say_worst(u: dict[str, Any]) -> list[str]:
    """ "Qual a pior campanha?": the critical tier sorted by the 7-day CPL, the worst named first."""
    rows = _worst_first(u["campaigns"])
    worst = rows[0]
    how = (
        f"gastou {worst['spend_7d']} sem nenhum lead"
        if not worst.get("leads_7d")
        else f"CPL {worst['cpl_7d']} ({worst['spend_7d']} gastos, {leads_text(worst['leads_7d'])})"
    )
    lines = [
        f"A pior campanha nos 7 dias até {br_date(u['as_of'])} (tier crítico, pelo CPL): "
        f"{quoted(worst['name'])} ({worst['campaign_id']}): {how}"
        + (_why(worst) if worst.get("leads_7d") else f" (CPL da conta: {worst.get('account_cpl_7d') or '-'})")
        + "."
    ]
    return lines + _tier_list(rows, u["total"], "do tier crítico (UNDERPERFORMER), do pior CPL ao melhor")


def _say_no_leads(c: dict[str, Any]) -> list[str]:
    """ "Quais campanhas estão gastando sem gerar lead?": exactly the ones that spent in the 7 days with
    not one lead, most spent first, or that there is none."""
    when = f"nos 7 dias até {br_date(c['as_of'])}"
    if not c["total"]:
        return [f"Nenhuma campanha gastou sem gerar lead {when}: todas as que gastaram tiveram leads."]
    n = c["total"]
    lines = [
        f"{n} campanha{'s' if n != 1 else ''} gast{'aram' if n != 1 else 'ou'} sem gerar nenhum lead {when}:"
    ]
    lines += [
        f"- {quoted(x['name'])} ({x['campaign_id']}): {x['spend_7d']} gastos, 0 leads; "
        f"{x['status'] or '-'}, tier {_tier(x)}"
        for x in c["campaigns"]
    ]
    return lines + _shown(c)


def _say_underperformers(intent: Intent, out: Out) -> list[str]:
    if intent.metric == "no_leads":
        return _say_no_leads(out["list_campaigns"])
    if intent.metric == "worst" and (ranked := _ranking_lines(intent, out)) is not None:
        return ranked  # "as 2 piores campanhas em outubro": by that period's CPL, not the 7 days' tier
    u = out["get_underperformers"]
    if not u.get("total"):
        return ["Nenhuma campanha está no tier crítico (UNDERPERFORMER) na última classificação."]
    if intent.metric == "worst":
        return _say_worst(u)
    shown = u["campaigns"]
    head = f"{u['total']} campanhas estão com baixa performance (UNDERPERFORMER) em {br_date(u['as_of'])}"
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
    if (ranked := _ranking_lines(intent, out)) is not None:
        return ranked
    t, h = out["get_top_campaigns"], out["get_high_performers"]
    if intent.metric == "best" and h.get("campaigns"):
        if best_n := _best_n_lines(intent, h, out.get("list_campaigns") or {}):
            return [*_say_best(h)[:1], *best_n]
        return _say_best(h)
    lines = [f"Campanhas com mais leads nos 7 dias até {br_date(t['as_of'])}:"]
    lines += [_campaign_line(c) for c in t["campaigns"]]
    names = ", ".join(quoted(c["name"]) for c in h.get("campaigns", []))
    lines.append(f"Tier de alta performance: {names}." if names else "Nenhuma campanha de alta performance.")
    return lines


def _say_best(h: dict[str, Any]) -> list[str]:
    """ "Qual campanha tá indo melhor?": the top tier sorted by the 7-day CPL, the best named first (the
    mirror of `_say_worst`), not the one with most leads whatever its cost."""
    rows = sorted((c for c in h["campaigns"] if c.get("leads_7d") and c.get("cpl_7d")), key=_cpl_of)
    if not rows:
        rows = h["campaigns"]
    best = rows[0]
    lines = [
        f"A melhor campanha nos 7 dias até {br_date(h['as_of'])} (tier alta performance, pelo CPL): "
        f"{quoted(best['name'])} ({best['campaign_id']}): CPL {best['cpl_7d'] or '-'} ({best['spend_7d']} "
        f"gastos, {leads_text(best['leads_7d'])}){_why(best)}."
    ]
    return lines + _tier_list(rows, h["total"], "de alta performance (HIGH_PERFORMER), do melhor CPL ao pior")


def _best_n_lines(intent: Intent, h: dict[str, Any], listed: dict[str, Any]) -> list[str]:
    """ "As 3 melhores campanhas" (no day nor period): exactly N, the top tier first by the 7-day CPL, then
    the others with leads by the same CPL, each with its tier said; replaces `_say_best`'s tier list."""
    n = intent.limit
    if n is None or n <= 1:
        return []
    top = sorted((c for c in h["campaigns"] if c.get("leads_7d") and c.get("cpl_7d")), key=_cpl_of)
    tier_ids = {c["campaign_id"] for c in h["campaigns"]}
    rest = sorted(
        (
            c
            for c in listed.get("campaigns", [])
            if c["campaign_id"] not in tier_ids and c.get("leads_7d") and c.get("cpl_7d")
        ),
        key=_cpl_of,
    )
    picked = (top + rest)[:n]
    in_tier = sum(1 for c in picked if c["campaign_id"] in tier_ids)
    when = f"nos 7 dias até {br_date(h['as_of'])}"
    head = f"As {len(picked)} melhores campanhas {when}, pelo CPL"
    if in_tier < len(picked):
        after = "as de menor CPL" if len(picked) - in_tier != 1 else "a de menor CPL"
        head += (
            f": {'as' if in_tier != 1 else 'a'} {in_tier} do tier de alta performance (HIGH_PERFORMER) "
            f"primeiro, depois {after} fora dele"
        )
    elif h["total"] > n:
        head += f" (o tier de alta performance tem {h['total']}; estas são as {n} de menor CPL)"
    short = (
        [f"Só {len(picked)} campanhas tiveram leads {when}: não há {n} para listar."]
        if len(picked) < n
        else []
    )
    return [
        f"{head}:",
        *(f"{_campaign_line(c)}; tier {_tier(c)}{_why(c)}." for c in picked),
        *short,
    ]


def _tier_list(rows: list[dict[str, Any]], total: int, which: str) -> list[str]:
    """The tier's first five campaigns in `rows`' order after the one named, when there is more than one."""
    if len(rows) <= 1:
        return []
    lines = [f"As {total} campanhas {which}:", *(_campaign_line(c) + _why(c) + "." for c in rows[:5])]
    return lines + ([f"(mostrando 5 de {total})"] if total > 5 else [])


def _say_recommendations(intent: Intent, out: Out) -> list[str]:
    if intent.campaign_id:  # "devo pausar a campanha 3?": that campaign's tier and recommendations
        d = out["get_campaign_details"]
        if msg := failed(d):
            return [msg]
        if intent.ask == "why_advice":  # "por que você recomenda reduzir a 11?": whether it does, first
            return [*_advice_why_lines(intent, d, out), *_say_campaign_details(intent, out)[1:2]]
        if intent.metric == "scale":
            scale = _scale_answer(intent, d)
            if intent.ask == "how_much" and not scale[0].startswith("Não"):  # the step in money, first
                scale = [*_step_lines(d), *(x for x in scale if not x.startswith("Suba no máximo"))]
            # the card repeats the recommendations the verdict listed: once
            return list(dict.fromkeys([*scale, *_say_campaign_details(intent, out)[1:]]))
        tier = _tier(d)
        head = f"{quoted(d['name'])} ({d['campaign_id']}), tier {tier}: "
        if not d["active_recommendations"]:
            return [
                head + "nenhuma recomendação ativa para ela agora." + _weak_note(d),
                *_say_campaign_details(intent, out)[1:],
            ]
        return [
            *_cut_answer(intent, d),
            head + "recomendações ativas:",
            *(f"- {t}" for t in d["active_recommendations"]),
            *_say_campaign_details(intent, out)[1:2],
        ]
    r = out["get_recommendations"]
    if intent.metric == "cut":
        return _cut_lines(r, out)
    if intent.metric == "scale":
        return _scale_lines(r, out)
    if not r.get("total"):
        return ["Não há recomendações ativas para esta conta agora."]
    lines = [f"{r['total']} recomendações ativas; as principais:"]
    if intent.ask == "urgent":  # "qual a mais urgente?": the one first, the tie rule said
        lines[0:0] = _urgent_lines(r)
    for x in r["recommendations"]:
        impact = f" Impacto esperado: {x['expected_impact']}." if x.get("expected_impact") else ""
        lines.append(f"- [{x['priority']}] {x['title']} — {quoted(x['name'])}.{impact}")
    return lines


CUT_TYPES = ("PAUSE_CAMPAIGN", "BUDGET_DECREASE")
SCALE_TYPES = ("SCALE_UP", "BUDGET_INCREASE")
MAX_STEP = DEFAULT_RECOMMENDATION_CONFIG.max_budget_step_pct


def _pct(v: float) -> str:
    return f"{v:g}".replace(".", ",") + "%"


ADVICE_ASKED = {"cut": ("reduzir o orçamento nem de pausar", CUT_TYPES), "scale": ("escalar", SCALE_TYPES)}


def _advice_why_lines(intent: Intent, d: dict[str, Any], out: Out) -> list[str]:
    """ "Por que você recomenda reduzir o orçamento da 11?": the active advice of that kind and its title
    (the why the pipeline wrote) when there is one; else "não há" first, the campaigns that have it, and
    what is active for this one."""
    words, types = ADVICE_ASKED["cut" if intent.metric == "cut" else "scale"]
    rows = (out.get("get_recommendations") or {}).get("recommendations", [])
    own = [x for x in rows if x["campaign_id"] == d["campaign_id"] and x["type"] in types]
    if own:
        return [f"O pipeline recomenda para {quoted(d['name'])}: {x['title']}." for x in own]
    others = [x for x in rows if x["type"] in types]
    lines = [f"Não há recomendação de {words} para {quoted(d['name'])} ({d['campaign_id']})."]
    if others:
        lines.append(
            "Quem tem: "
            + "; ".join(f"{quoted(x['name'])} ({x['campaign_id']}): {x['title']}" for x in others)
            + "."
        )
    active = d.get("active_recommendations") or []
    lines.append(
        f"Para {quoted(d['name'])}, a recomendação ativa é: {'; '.join(active)}."
        if active
        else f"{quoted(d['name'])} não tem recomendação ativa agora.{_weak_note(d)}"
    )
    return lines


def _urgent_lines(r: dict[str, Any]) -> list[str]:
    """ "Qual recomendação é mais urgente?": the first by the stored priority (1 a 10, 10 = mais urgente,
    the seed's scale); on a tie, the pipeline's own order, the higher confidence first."""
    rows = r["recommendations"]
    top = rows[0]
    tied = [x for x in rows if x["priority"] == top["priority"]]
    impact = f" Impacto esperado: {top['expected_impact']}." if top.get("expected_impact") else ""
    lines = [
        f"A mais urgente: {top['title']} — {quoted(top['name'])} ({top['campaign_id']}), prioridade "
        f"{top['priority']} de 10.{impact}"
    ]
    if len(tied) > 1:
        conf = ", ".join(format_number(x["confidence"] or 0.0, 2) for x in tied)
        lines.append(
            f"Há {len(tied)} empatadas na prioridade {top['priority']}; desempato pela confiança do pipeline "
            f"({conf}), a ordem em que ele mesmo as guarda."
        )
    return lines


_MONEY_FIGURE = re.compile(r"\d[\d.]*(?:,\d+)?")


def _step_lines(d: dict[str, Any]) -> list[str]:
    """ "Quanto devo aumentar o orçamento da 4?": the daily budget and the step up to the 20 % cap, in
    money, first; when no daily budget is set on the campaign, said so (it may be on the ad sets)."""
    budget = d.get("daily_budget")
    m = _MONEY_FIGURE.search(budget or "")
    step = _pct(MAX_STEP)
    if m is None:
        return [
            f"{quoted(d['name'])} não tem orçamento diário definido na campanha (pode estar nos conjuntos): "
            f"onde ele estiver, suba no máximo {step} por vez."
        ]
    value = parse_number(m.group(0))
    after = budget[: m.start()] + format_number(value * (1 + MAX_STEP / 100), 2) + budget[m.end() :]
    plus = budget[: m.start()] + format_number(value * MAX_STEP / 100, 2) + budget[m.end() :]
    return [
        f"No máximo {step} por vez: de {budget} para {after} por dia (+{plus}), o passo máximo do pipeline "
        f"(max_budget_step_pct); reavalie o CPL por alguns dias antes do próximo passo."
    ]


def _cut_answer(intent: Intent, d: dict[str, Any]) -> list[str]:
    """ "Devo pausar a campanha 13?": what the active advice says first, pause or a smaller budget."""
    if intent.metric != "cut":
        return []
    types = set(d.get("active_recommendation_types") or [])
    if "PAUSE_CAMPAIGN" in types:
        return [f"Sim: o pipeline recomenda pausar {quoted(d['name'])}."]
    if "BUDGET_DECREASE" in types:
        ratio, far = d.get("cpl_vs_account"), ""
        if ratio is not None and ratio >= FAR_ABOVE:
            x = f"{ratio:.1f}".replace(".", ",")
            far = (
                f" O CPL dela ({d['cpl_7d']}) é {x}x o da conta ({d['account_cpl_7d']}): se não quiser "
                "esperar o efeito da redução, pausar também se justifica."
            )
        return [
            f"Reduzir o orçamento, não pausar: é o que o pipeline recomenda para {quoted(d['name'])}.{far}"
        ]
    if types & set(SCALE_TYPES):
        return [f"Não: o pipeline recomenda escalar {quoted(d['name'])}, não cortar."]
    return []


def _critical_problems(d: dict[str, Any]) -> tuple[int, dict[str, Any] | None]:
    """A campaign's open CRITICAL anomalies of the 7 days that are problems (not good news): how many,
    and the most recent of them among those listed (None when none is listed)."""
    listed = [
        a
        for a in d.get("open_anomalies") or []
        if a["severity"] == "CRITICAL" and a["type"] not in GOOD_NEWS_ANOMALIES
    ]
    latest = max(listed, key=lambda a: str(a["date"])) if listed else None
    return max(int(d.get("critical_problems_7d") or 0), len(listed)), latest


def _scale_answer(intent: Intent, d: dict[str, Any]) -> list[str]:
    """ "Posso aumentar o orçamento da Campanha 4 (em 50%)?": yes or no first, from its tier, its CPL
    against the account's and whether a SCALE_UP/BUDGET_INCREASE is active; the step cap when a bigger %
    is asked."""
    types = set(d.get("active_recommendation_types") or [])
    scale, cut = bool(types & set(SCALE_TYPES)), bool(types & set(CUT_TYPES))
    ratio, tier = d.get("cpl_vs_account"), d.get("tier")
    critical, latest = _critical_problems(d)
    if critical:  # a tracking break or a spend blow-up is fixed first, whatever the tier says
        verdict = "Não"
    elif scale or (tier == "HIGH_PERFORMER" and ratio is not None and ratio < 1 and not cut):
        verdict = "Sim"
    elif cut or tier in {"UNDERPERFORMER", "LOW"} or ratio is None or ratio >= 1:
        verdict = "Não"
    else:
        verdict = "Com cautela"
    x = f"{ratio:.1f}".replace(".", ",") if ratio is not None else "-"
    vs = (
        f"CPL {d['cpl_7d']} nos 7 dias, {x}x o da conta ({d['account_cpl_7d']})"
        if ratio is not None
        else f"sem leads nos 7 dias ({d.get('spend_7d') or '-'} gastos)"
    )
    rec = (
        "há recomendação ativa de escalar (SCALE_UP/BUDGET_INCREASE)"
        if scale
        else "não há recomendação ativa de escalar (SCALE_UP/BUDGET_INCREASE)"
    )
    if cut:
        rec += ", e há uma de pausa ou redução de orçamento"
    if critical:
        s = "s" if critical != 1 else ""
        what = ""
        if latest:
            kind = TYPE_PT.get(latest["type"], latest["type"])
            what = f" (a mais recente: {kind} em {br_date(str(latest['date']))})"
        rec += f"; e tem {critical} anomalia{s} crítica{s} aberta{s} nos últimos 7 dias{what}: "
        rec += "resolva antes de escalar"
    lines = [f"{verdict}: {quoted(d['name'])} ({d['campaign_id']}) está no tier {_tier(d)}, {vs}; {rec}."]
    asked = intent.threshold
    if verdict != "Não" and asked is not None and asked > MAX_STEP:
        lines.append(
            f"Mas não {_pct(asked)} de uma vez: suba no máximo {_pct(MAX_STEP)} por vez (o limite de passo "
            f"de orçamento do pipeline, max_budget_step_pct, para não reiniciar a fase de aprendizado do "
            f"Meta); depois de alguns dias, reavalie e suba mais {_pct(MAX_STEP)}."
        )
    elif verdict != "Não":
        lines.append(f"Suba no máximo {_pct(MAX_STEP)} por vez (max_budget_step_pct) e reavalie o CPL.")
    lines += [f"- Recomendação: {t}" for t in d["active_recommendations"]]
    return lines


def _scale_lines(r: dict[str, Any], out: Out) -> list[str]:
    """ "Qual campanha devo escalar?": the active SCALE_UP/BUDGET_INCREASE advice first, or that there is
    none; then the high-performer tier."""
    ups = [x for x in r.get("recommendations", []) if x["type"] in SCALE_TYPES]
    if ups:
        n = len(ups)
        which = "recomendação ativa de escalar (SCALE_UP/BUDGET_INCREASE)"
        lines = [f"{n} campanha{'s' if n != 1 else ''} com {which}:"]
        lines += [
            f"- [{x['priority']}] {quoted(x['name'])} ({x['campaign_id']}): {x['title']}."
            + (f" Impacto esperado: {x['expected_impact']}." if x.get("expected_impact") else "")
            for x in ups
        ]
    else:
        lines = ["Nenhuma campanha com recomendação ativa de escalar (SCALE_UP/BUDGET_INCREASE) agora."]
    top = out.get("get_high_performers", {}).get("campaigns", [])
    if top:
        lines.append("Tier de alta performance: " + ", ".join(quoted(c["name"]) for c in top) + ".")
    return [
        *lines,
        f"Ao escalar, suba no máximo {_pct(MAX_STEP)} do orçamento por vez (max_budget_step_pct).",
    ]


def _cut_lines(r: dict[str, Any], out: Out) -> list[str]:
    """ "Qual campanha devo pausar?": the active pause and decrease advice, then the critical tier (a
    campaign can be there without advice yet: its CPL is high but not rising, say)."""
    if (advice := cut_advice_lines(out)) is not None and "_cuts" in out:
        # the pause advice first, each cut with why it is no pause; then the critical tier left
        advised = {x["campaign_id"] for x in out["_cuts"]["rows"]}
        u = out["get_underperformers"]
        rest = [c for c in u.get("campaigns", []) if c["campaign_id"] not in advised]
        if rest:
            advice.append(
                f"Também no tier crítico em {br_date(u['as_of'])}, sem recomendação de pausa ou corte "
                "(as mais gastadoras):"
            )
            advice += [_campaign_line(c) + _why(c) + "." for c in rest]
        return advice
    cuts = [x for x in r.get("recommendations", []) if x["type"] in CUT_TYPES]
    if cuts:
        lines = [f"{len(cuts)} recomendações ativas de pausa ou redução de orçamento:"]
        lines += [f"- [{x['priority']}] {x['title']} — {quoted(x['name'])}." for x in cuts]
    else:
        lines = ["Nenhuma recomendação ativa de pausa ou redução de orçamento agora."]
    return [*lines, *_say_underperformers(Intent("underperformers"), out)]


# a campaign's CPL this many times the account's is far above it, recommendation or not
FAR_ABOVE = 2.0


def _weak_note(d: dict[str, Any]) -> str:
    """Why a campaign with no recommendation may still deserve a pause or a smaller budget: its tier is
    critical or its CPL is far above the account's (the rules recommend only on a rising CPL or no lead)."""
    ratio = d.get("cpl_vs_account")
    far = ratio is not None and ratio >= FAR_ABOVE
    if d.get("tier") != "UNDERPERFORMER" and not far:
        return ""
    why = ["está no tier crítico"] if d.get("tier") == "UNDERPERFORMER" else []
    if ratio is not None:
        x = f"{ratio:.1f}".replace(".", ",")
        why.append(f"o CPL dela ({d['cpl_7d']}) é {x}x o da conta ({d['account_cpl_7d']})")
    return f" Mas {' e '.join(why)}: vale considerar pausar ou reduzir o orçamento."


def _trend_lines(t: dict[str, Any]) -> list[str]:
    if "last_7d" not in t:
        return []
    last, prev = t["last_7d"], t["previous_7d"]
    lines = [
        f"CPL da conta: {last['cpl'] or '-'} nos 7 dias até {br_date(last['last_day'])}, contra "
        f"{prev['cpl'] or '-'} na semana anterior ({t['cpl_change'] or 'sem comparação'}); "
        f"gasto {last['spend']} ({t['spend_change'] or '-'}), "
        f"leads {count_text(last['leads'])} ({t['leads_change'] or '-'})."
    ]
    if t.get("scope", "conta") != "conta":
        lines[0] = lines[0].replace("CPL da conta", "CPL da campanha", 1)
    for m in t.get("biggest_cpl_increases", []):
        lines.append(
            f"- CPL subiu {m['cpl_trend']} em {quoted(m['name'])} ({m['campaign_id']}): {m['cpl_7d']}."
        )
    return lines


CPL_FACTOR_PT = {"cpm": "CPM", "ctr": "CTR", "cvr": "conversão (leads por clique)"}


def _why_text(drivers: list[dict[str, Any]], change: str | None, when: str, compared: str) -> list[str]:
    """The CPL is CPM / (CTR x leads per click), so its move between two periods is the sum of theirs:
    each factor's move and the one that weighed most (`cpl_drivers`); nothing when they are undefined."""
    if not drivers:
        return []
    parts = [f"{CPL_FACTOR_PT[d['factor']]} {d['before']} → {d['now']} ({d['change']})" for d in drivers]
    return [
        f"Por que o CPL mudou ({change or '-'} {when}): CPL = CPM ÷ (CTR × conversão por clique), e "
        f"{compared}: {'; '.join(parts)}. {_weighed_most(drivers)}"
    ]


def _weighed_most(drivers: list[dict[str, Any]]) -> str:
    """The factor that moved the CPL most in its direction. When all pulled the same way, its share of the
    move; when some pulled the other way a share reads "627%", so each factor's own effect on the CPL is
    said instead, and that the others offset part of it."""
    top = drivers[0]
    name = CPL_FACTOR_PT[top["factor"]]
    if all(d["share"] >= 0 for d in drivers):
        return f"O que mais pesou: {name} ({round(top['share'] * 100)}% da variação do CPL)."
    up = not top["cpl_effect"].startswith("-")
    alone = "sozinha" if top["factor"] == "cvr" else "sozinho"  # "a conversão"
    text = (
        f"O que mais pesou: {name}, que {alone} {'subiria' if up else 'baixaria'} o CPL em "
        f"{top['cpl_effect'].lstrip('-')}"
    )
    # a factor whose effect rounds to 0% moved the CPL by nothing a buyer can see: left out
    seen = [d for d in drivers[1:] if _moved(d["cpl_effect"]) != "ficou estável"]
    same, other = [d for d in seen if d["share"] > 0], [d for d in seen if d["share"] < 0]
    if same:
        text += f"; {_effects(same)} também {'o subiu' if up else 'o baixou'}"
    if not other:
        return f"{text}."
    pulled, offset = ("puxaram", "compensaram") if len(other) > 1 else ("puxou", "compensou")
    return f"{text}; {_effects(other)} {pulled} para {'baixo' if up else 'cima'} e {offset} parte disso."


def _effects(drivers: list[dict[str, Any]]) -> str:
    """ "CTR (-2%) e CPM (+1%)": each factor with its own effect on the CPL."""
    return " e ".join(f"{CPL_FACTOR_PT[d['factor']]} ({_signed(d['cpl_effect'])})" for d in drivers)


def _cpl_why_lines(intent: Intent, t: dict[str, Any]) -> list[str]:
    """ "Por que o CPL subiu?": the CPL's factors over the 7 days against the 7 before."""
    if not (intent.metric or "").startswith("cpl"):
        return []
    return _why_text(
        t.get("cpl_drivers") or [], t.get("cpl_change"), "em 7 dias", "nos 7 dias contra os 7 anteriores"
    )


def _week_why_lines(intent: Intent, out: Out) -> list[str]:
    """ "Por que o CPL subiu essa semana?": the CPL's factors over the calendar weeks `_week_change_lines`
    compares (`offline.weeks_figures`); for the leads, first their split into spend and CPL."""
    wf = out["_weeks"]
    w, ch = wf["weeks"], wf["changes"]
    now, before = br_span(w.now.first, w.now.last), br_span(w.before.first, w.before.last)
    if w.no_day_yet:
        when, compared = "na semana passada", f"de seg a dom ({now}) contra a semana retrasada ({before})"
    else:
        when, compared = (
            "esta semana",
            f"de {w.days} ({now}) contra os mesmos dias da semana passada ({before})",
        )
    split = []
    if (intent.metric or "").startswith("week_leads_"):  # leads = spend / CPL: which of the two moved them
        split = [
            f"Leads = gasto ÷ CPL: gasto {_signed(ch['spend']) or '-'}, CPL {_signed(ch['cpl']) or '-'}."
        ]
    return split + _why_text(wf["cpl_drivers"], ch["cpl"], when, compared)


def _why_parts(intent: Intent, out: Out, t: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(what is said first, the CPL's factors) of a why: over the calendar weeks when "essa semana" was
    asked (the move asked, always), else over the 7 days (the CPL's move only when it did not rise)."""
    if "_weeks" in out:
        return _week_change_lines(intent, out), _week_why_lines(intent, out)
    return _cpl_premise(intent, t), _cpl_why_lines(intent, t)


def _cpl_premise(intent: Intent, t: dict[str, Any]) -> list[str]:
    """ "Por que o CPL subiu?" when it did not rise over the 7 days: said first, with its figures."""
    change = t.get("cpl_change")
    if intent.metric != "cpl_up" or "last_7d" not in t or not change or _moved(change) == "subiu":
        return []
    whose = "da conta" if t.get("scope", "conta") == "conta" else "da campanha"
    went = "ficou estável" if _moved(change) == "ficou estável" else "caiu"
    return [
        f"O CPL {whose} não subiu nos 7 dias até {br_date(t['last_7d']['last_day'])}: {went}, de "
        f"{t['previous_7d']['cpl']} nos 7 anteriores para {t['last_7d']['cpl']} ({change})."
    ]


def _say_anomalies(intent: Intent, out: Out) -> list[str]:
    a, t = out["get_anomalies"], out["analyze_trends"]
    lines = []
    day = out.get("get_anomalies@day")
    asked = out.get("_day")  # the day the question named, when it named one
    if asked is not None:
        when = br_date(asked.isoformat())
        if day is None:  # today (not complete yet), or older than the tools read
            through = out["_through"]
            lines.append(
                f"Nenhuma anomalia em {when}: as anomalias são detectadas sobre dias completos, e o último é "
                f"{br_date(through.isoformat())}."
                if asked > through
                else f"Não consultei {when}: só leio as anomalias dos últimos 90 dias."
            )
        elif not day.get("total"):
            lines.append(f"Nenhuma anomalia em {when}.")
        else:
            n = day["total"]
            lines.append(f"{n} anomalia{'s' if n != 1 else ''} em {when}:")
            lines += anomaly_block(day)
    if moved := day_move_lines(intent, out):  # "por que o CPL subiu ontem?": that day against two others
        if (intent.metric or "").endswith("_which"):  # "qual campanha mais caiu em leads ontem?"
            return [*moved, *lines]
        return [*moved[:2], *_day_why_lines(intent, out), *moved[2:], *lines]
    premise, why = _why_parts(intent, out, t)
    # over the calendar weeks the 7 days' lines would answer another question: left out
    context = why if "_weeks" in out else [*_trend_lines(t), *why]
    since = f"desde {br_date(a.get('since'))}"
    if (period := out.get("_period")) is not None:  # "essa semana": the calendar week, with its days
        since = f"{period_in(period.label)} ({br_span(period.first, period.last)})"
    if not a.get("total"):
        week = [f"Nenhuma anomalia aberta {since}."]
    else:
        lead = "Na semana, " if asked is not None else ""
        n = a["total"]
        many = f"{n} anomalias abertas" if n != 1 else "1 anomalia aberta"
        week = [f"{lead}{many} {since}; " + ("as principais:" if n != 1 else "é esta:")]
        week += anomaly_block(a)
    if intent.metric == "list":  # "teve alguma anomalia?": the anomalies first, the week's figures after
        return [*critical_lines(intent, out), *type_lines(intent, out), *lines, *week, *context]
    return [*premise, *lines, *context, *week]


def _day_why_lines(intent: Intent, out: Out) -> list[str]:
    """ "Por que o CPL subiu ontem?": the CPL's factors on that day against the day before."""
    m = out["_day_move"]
    if not (intent.metric or "").startswith("day_cpl_"):
        return []
    day, before = m["days"]["day"], m["days"]["before"]
    change = _signed(m["changes"]["before"].get("cpl"))
    when, compared = f"em {br_date(day.isoformat())}", f"contra {br_date(before.isoformat())}"
    return _why_text(m["drivers"], change, when, compared)


def _all_invalid(f: dict[str, Any]) -> str | None:
    """When every source row of the days asked was set aside (negative spend, say), the figures are
    unknown, not zero: said so; None when some valid row is there (or there were no rows at all)."""
    aside = f.get("set_aside") or 0
    if f.get("days_with_data") or not aside:
        return None
    return (
        f"os dados que a fonte trouxe para {'esse dia' if f['days'] == 1 else 'esses dias'} vieram "
        f"inválidos e foram deixados de lado ({aside} dia(s) de campanha), então não sei o gasto nem os "
        "leads: não é zero, é desconhecido."
    )


def _day_lines(out: Out, who: str = "", first: str = "spend") -> list[str]:
    """The named day's figures from the source, or why there are none (not yet, before the data); the
    figure asked first ("leads", "cpl")."""
    day, through, status = out.get("_day"), out["_through"], out.get("_day_status")
    if day is None:
        return []
    when = br_date(day.isoformat())
    if status == "future":
        return [f"{when} ainda não chegou; o último dia completo é {br_date(through.isoformat())}."]
    if status == "before":
        first = out.get("_first_day")
        # the day is written whole: a year-less "31/12" may have been read as last year's
        return [
            f"{when}: não há dados antes de {br_date(first.isoformat())}."
            if first
            else "Não há dados desta conta."
        ]
    f = out["_day_figures"]
    if (invalid := _all_invalid(f)) is not None:
        return [f"Em {when}{who}: {invalid}"]
    if status == "today":
        return [
            f"Hoje, {when}{who} (parcial: o dia ainda não terminou): {figures_text(f, first)} até "
            f"agora. O último dia completo é {br_date(through.isoformat())}."
        ]
    return [f"Em {when}{who}: {figures_text(f, first)}."]


def _days_lines(out: Out, who: str = "", first: str = "spend") -> list[str]:
    """ "Ontem e anteontem": each day asked, as `_day_lines` says one; the one day asked otherwise."""
    days = out.get("_days_asked") or []
    if len(days) < 2:
        return _day_lines(out, who, first)
    each = ({**out, "_day": x["day"], "_day_status": x["status"], "_day_figures": x["figures"]} for x in days)
    return [line for one in each for line in _day_lines(one, who, first)]


def _seven_days_first(intent: Intent, d: dict[str, Any], out: Out) -> list[str]:
    """ "Qual o CPL da campanha 8?" (no day nor period asked): the figure asked, of the card's 7 days,
    first."""
    if intent.keyword != "performance" or not d.get("as_of") or "_day" in out and out["_day"] is not None:
        return []
    if out.get("_period") is not None or intent.metric not in {"cpl", "leads"}:
        return []
    when = f"nos 7 dias até {br_date(d['as_of'])}"
    if intent.metric == "cpl":
        return [
            f"CPL de {quoted(d['name'])} {when}: {d['cpl_7d'] or 'sem leads'} ({d['spend_7d'] or '-'} "
            f"gastos, {leads_text(d['leads_7d'])})."
        ]
    return [
        f"{quoted(d['name'])} {when}: {leads_text(d['leads_7d'])} ({d['spend_7d'] or '-'} gastos, CPL "
        f"{d['cpl_7d'] or 'sem leads'})."
    ]


def _period_lines(out: Out, who: str = "", first: str = "spend") -> list[str]:
    """The period asked (a month, last week, this week, the last N days) from the source: the days it
    covers, said partial when the period is not over or began before the data; or that there is no data
    for it. The figure asked first ("leads", "cpl")."""
    period, f, since = out.get("_period"), out.get("_period_figures"), out.get("_first_day")
    if period is None:
        return []
    if f is None:
        begins = f"os dados começam em {br_date(since.isoformat())}" if since else "não há dados desta conta"
        return [f"Não há dados de {period.label}{who}: {begins}."]
    span = f"{br_date(f['first_day'].isoformat())} a {br_date(f['last_day'].isoformat())}"
    figures = _all_invalid(f) or f"{figures_text(f, first)}, CTR {f['ctr'] or '-'}."
    if period.label.startswith("últimos"):
        return [f"De {span} ({f['days']} dias){who}: {figures}"]
    days = f"{f['days']} dias"
    if f["days"] == 1:  # "esta semana, só segunda": one day, said as one
        span, days = br_date(f["first_day"].isoformat()), "1 dia"
    notes = []
    if f["last_day"] < period.last:
        notes.append(f"parcial: o período vai até {br_date(period.last.isoformat())}")
    if f["first_day"] > period.first and period.label != ALL_TIME_LABEL:
        notes.append(f"parcial: os dados começam em {br_date(f['first_day'].isoformat())}")
    head = period.label[0].upper() + period.label[1:] + who
    return [f"{head} ({span}, {days}{''.join('; ' + n for n in notes)}): {figures}"]


def _first_figure(intent: Intent) -> str:
    """The figure a day's or period's line leads with: the leads or the CPL when asked ("e o cpl?" in a
    thread), else the spend."""
    return intent.metric if intent.metric in {"leads", "cpl"} else "spend"


def _campaign_head(d: dict[str, Any]) -> str:
    tier = _tier(d)
    return (
        f"{quoted(d['name'])} ({d['campaign_id']}), status {d['status']}, tier {tier}, orçamento diário "
        f"{d['daily_budget'] or 'não definido'}."
    )


def _say_campaign_details(intent: Intent, out: Out) -> list[str]:
    d = out["get_campaign_details"]
    if msg := failed(d):
        return [msg]
    who = f", {quoted(d['name'])}"
    # a day or period asked ("qual o CPL da campanha 12 ontem?"): its figures first, the figure asked
    # (leads, CPL) leading them as for the account, the status after
    first = _first_figure(intent)
    lines = [*_days_lines(out, who, first), *_period_lines(out, who, first), _campaign_head(d)]
    lines[0:0] = _seven_days_first(intent, d, out)
    lines[0:0] = saturation_lines(out)  # "a campanha 4 tá saturando?": yes / no / not clear first
    if "_periods" in out:  # "campanha 12 semana passada vs retrasada": its two periods first
        lines[0:0] = _periods_lines(out, who, intent.metric)
    anomalies = anomaly_block({"anomalies": d["open_anomalies"]})
    # the tool lists the first 5: the true count, and how many more
    n = max(d.get("open_anomalies_total") or 0, len(d["open_anomalies"]))
    if n > len(d["open_anomalies"]):
        anomalies.append(f"e mais {n - len(d['open_anomalies'])}.")
    if intent.keyword == "anomalies":  # "tem anomalia na campanha 76?": the yes or no first
        shown = len(d["open_anomalies"])
        lines.insert(
            0,
            f"{n} anomalia{'s' if n != 1 else ''} aberta{'s' if n != 1 else ''} para {quoted(d['name'])} "
            "nos últimos 7 dias" + (f"; as {shown} mais recentes:" if shown < n else ":")
            if n
            else f"Não há anomalias abertas para {quoted(d['name'])} nos últimos 7 dias.",
        )
        lines[1:1], anomalies = anomalies, []
        premise, why = _why_parts(intent, out, out.get("analyze_trends") or {})
        # "por que o CPL da campanha 20 subiu?" (or "e a campanha 20?" after it): the why before the list
        at = 0 if intent.metric == "cpl_up" else 1 + len(d["open_anomalies"])
        lines[at:at] = why
        lines[0:0] = premise
    if intent.keyword == "performance" and (intent.metric or "").startswith("cpl_judge") and d.get("as_of"):
        lines.insert(0, _cpl_judge(d, high=intent.metric == "cpl_judge_high"))
    if intent.keyword == "underperformers" and intent.metric == "no_leads" and d.get("as_of"):
        lines.insert(0, _no_leads_judge(d))
    if "_reactivation" in out:  # "vale reativar a 31?": the judgement first, the card after
        lines[0:0] = _reactivation_lines(d, out["_reactivation"])
    if _day_or_period_asked(out) and intent.keyword != "anomalies":
        # "quanto a campanha 22 gastou em outubro?": that period's figures and who it is; its 7 days, advice
        # and open anomalies would answer another question
        return lines
    if d.get("as_of"):  # before the first run there are no 7-day features (no None printed)
        lines.append(
            f"7 dias até {br_date(d['as_of'])}: {d['spend_7d'] or '-'} gastos, {leads_text(d['leads_7d'])}, "
            "CPL "
            f"{d['cpl_7d'] or 'sem leads'}, CTR {d['ctr_7d'] or '-'}, frequência {freq(d['frequency_7d'])}. "
            f"30 dias: {leads_text(d['leads_30d'])}, CPL {d['cpl_30d'] or '-'}."
        )
    if aside := d.get("days_set_aside_7d"):
        lines.append(
            f"Atenção: {aside} dos últimos 7 dias desta campanha ficaram de fora (linhas inválidas na "
            f"fonte); os números de 7 dias cobrem só os outros {7 - aside}."
        )
    lines += [f"- Recomendação: {t}" for t in d["active_recommendations"]]
    return lines + anomalies


NEAR_ACCOUNT_PCT = 10.0  # a paused campaign's CPL within this % of the account's is "perto da média"


def _reactivation_lines(d: dict[str, Any], r: dict[str, Any]) -> list[str]:
    """ "Vale reativar a 31?": its status, when it last spent, its last days with spend against the
    account's same days, and a judgement read from those figures only (`offline.reactivation_figures`)."""
    name, status = quoted(d["name"]), d.get("status") or "-"
    if not r["ran"]:
        return [
            f"{name} (status {status}) não gastou nos últimos {r['lookback']} dias: não há números dela "
            "rodando para comparar com a conta."
        ]
    c, a = r["campaign"], r["account"]
    span = br_span(r["first_day"], r["last_day"])
    active = status == "ACTIVE"  # nothing to reactivate: how it runs is the answer
    head = (
        f"{name} já está ativa (status {status}): não há o que reativar"
        if active
        else (f"{name} está com status {status}")
    )
    lines = [
        f"{head}; o último dia com gasto foi {br_date(r['last_day'].isoformat())}.",
        f"Nos últimos {r['days']} dias em que gastou ({span}): {c['spend']} gastos, "
        f"{leads_text(c['leads'])}, CPL {c['cpl'] or 'sem leads'}; a conta nesses mesmos dias: CPL "
        f"{a['cpl'] or 'sem leads'}.",
    ]
    gap = r["gap"]
    if gap is None:
        verdict = (
            "ela não teve lead nesses dias."
            if active
            else ("não teve lead nesses dias: pelos dados, reativar como estava não se paga.")
        )
    else:
        side = "abaixo" if gap <= 0 else "acima"
        band = -1 if gap <= -NEAR_ACCOUNT_PCT else 1 if gap >= NEAR_ACCOUNT_PCT else 0
        verdict = (
            f"o CPL dela está {r['gap_text']} {side} do da conta nesses dias: {_RUNNING[band]}"
            if active
            else f"o CPL dela era {r['gap_text']} {side} do da conta: pelos dados, {_REACTIVATE[band]}"
        )
    tail = "" if active else " É o histórico dela; como iria hoje, não dá para saber."
    return [*lines, f"{verdict[0].upper()}{verdict[1:]}{tail}"]


# what a campaign's CPL below (-1), near (0) or above (1) the account's says, paused or running
_REACTIVATE = {
    -1: "vale reativar.",
    0: "ela rendia perto da média da conta; reativar não muda muito.",
    1: "reativar como estava não compensa.",
}
_RUNNING = {
    -1: "ela rende melhor que a conta.",
    0: "ela rende perto da média da conta.",
    1: "ela rende pior que a conta.",
}


def _cpl_judge(d: dict[str, Any], high: bool = False) -> str:
    """ "Tá bom o CPL da campanha 11?": yes or no from its 7-day CPL against the account's; "tá alto?"
    (`high`) the other way round ("Não" when it is at or below the account's)."""
    ratio = d.get("cpl_vs_account")
    if ratio is None:
        return f"Não há CPL: {quoted(d['name'])} não teve leads nos 7 dias ({d['spend_7d'] or '-'} gastos)."
    x = f"{ratio:.1f}".replace(".", ",")
    level = 0 if ratio <= 1 else 1 if ratio < 1.3 else 2
    word = ("Não", "Um pouco", "Sim")[level] if high else ("Sim", "Razoável", "Não")[level]
    return f"{word}: CPL {d['cpl_7d']} nos 7 dias, {x}x o CPL da conta ({d['account_cpl_7d']})."


def _no_leads_judge(d: dict[str, Any]) -> str:
    """ "A campanha 27 tá gastando sem gerar lead?": yes or no from its 7 days."""
    leads = d.get("leads_7d") or 0
    if leads:
        when = f"em 7 dias até {br_date(d['as_of'])}"
        return f"Não: {leads_text(leads)} {when}, com {d['spend_7d'] or '-'} gastos."
    if (d.get("spend_7d") or "-") != "-" and _spent(d) > 0:
        return f"Sim: {d['spend_7d']} gastos em 7 dias até {br_date(d['as_of'])} sem nenhum lead."
    return f"Não: {quoted(d['name'])} não gastou nos 7 dias até {br_date(d['as_of'])}."


def _say_data_quality(intent: Intent, out: Out) -> list[str]:
    q = out["get_data_quality"]
    reasons = ", ".join(f"{v} por {q['reasons_explained'][k]}" for k, v in q["set_aside_by_reason"].items())
    return [
        f"Dados até {br_date(q['data_through'])} (último dia completo); último dia sincronizado: "
        f"{br_date(q['last_synced_day'])}; resultados do pipeline de {br_date(q['results_as_of'])}.",
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
    if msg := failed(r):
        return [msg]
    roas = str(r["roas"]).replace(".", ",")
    return [
        f"ROI estimado ({r['scope']}, {r['window_days']} dias): {leads_text(r['leads'])} x "
        f"{r['value_per_lead']} = "
        f"{r['estimated_revenue']} contra {r['spend']} investidos: ROI {r['roi'] or '-'}, ROAS {roas}. "
        f"CPL atual {r['cpl'] or '-'}; o ponto de equilíbrio é um CPL de {r['break_even_cpl']}.",
        r["note"],
    ]


def _say_campaign_not_found(intent: Intent, out: Out) -> list[str]:
    listed = out["list_campaigns"]
    if intent.metric == WHICH_CAMPAIGN and len(intent.match_names) > 1:  # "dela" after a comparison
        *first, last = (quoted(n) for n in intent.match_names)
        return [f"Qual delas: {', '.join(first)} ou {last}?"]
    if intent.matches:  # the name is in several campaigns: say which, let the user pick
        listed_ = "; ".join(
            f"{quoted(n)} ({c})" for c, n in zip(intent.matches, intent.match_names, strict=False)
        )
        return [
            f"Mais de uma campanha desta conta tem “{intent.names[0]}” no nome ({len(intent.matches)}): "
            f"{listed_}. Diga qual, pelo nome completo ou pelo id."
        ]
    names = ", ".join(quoted(c["name"]) for c in listed.get("campaigns", []))
    more = listed.get("total", 0) - len(listed.get("campaigns", []))
    return [
        _not_here(intent.names[:1]) or "Não encontrei campanha com esse nome nesta conta.",
        f"Campanhas da conta (mais gasto primeiro): {names}" + (f" e mais {more}." if more > 0 else "."),
    ]


def _say_list_campaigns(intent: Intent, out: Out) -> list[str]:
    if intent.metric == "spend" and (ranked := _ranking_lines(intent, out)) is not None:
        return ranked
    c = out["list_campaigns"]
    which = "campanhas ativas" if intent.metric == "active" else "campanhas"
    lines = [f"{c['total']} {which} nesta conta (mais gasto nos 7 dias até {br_date(c['as_of'])} primeiro):"]
    if intent.metric == "spend" and intent.threshold is not None:  # "gastaram mais de R$ 500?" (7 days)
        over = [x for x in c["campaigns"] if _spent(x) > intent.threshold]
        limit, n = out.get("_threshold") or str(intent.threshold), len(over)
        when = f"nos 7 dias até {br_date(c['as_of'])}"
        if not over:
            return [f"Nenhuma campanha gastou mais de {limit} {when}."]
        head = f"{n} campanha{'s' if n != 1 else ''} gast{'aram' if n != 1 else 'ou'} mais de {limit} {when}:"
        return [head, *(_campaign_line(x) for x in over), *_shown(c)]
    if intent.metric == "spend" and c["campaigns"]:  # "qual campanha gasta mais?": the answer first
        lines.insert(0, f"A campanha que mais gastou nos 7 dias: {_campaign_line(c['campaigns'][0])[2:]}.")
    for x in c["campaigns"]:
        tier = _tier(x)
        lines.append(f"{_campaign_line(x)}; {x['status'] or '-'}, tier {tier}")
    return lines + _shown(c)


def _not_here(names: tuple[str, ...]) -> str | None:
    """ "Não encontrei a Campanha 4 nesta conta.": the campaigns asked by number that the account does not
    have, named; None when no number was asked (a name not found is said as such by the caller)."""
    numbers = [n.split()[0] for n in names if n.split() and n.split()[0].isdigit()]
    if not numbers:
        return None
    listed = " nem a ".join(f"Campanha {n}" for n in numbers)
    return f"Não encontrei a {listed} nesta conta."


def _compare_asked_lines(out: Out, compared: list[dict[str, Any]]) -> list[str]:
    """The compared campaigns over the day or period asked, from the source, said before the 7 days (one
    with no row in it said so: it began later); nothing when none was asked."""
    r = out.get("_ranking")
    if r is None:
        return []
    rows = {x["campaign_id"]: x for x in r["campaigns"]}
    if out.get("_period") is not None and out.get("_day") is None:
        label = out["_period"].label
        when = f"{label[0].upper()}{label[1:]} ({br_date(r['first_day'].isoformat())} a "
        when += f"{br_date(r['last_day'].isoformat())})"
    else:
        when = f"Em {br_date(r['first_day'].isoformat())}"
    lines = [f"{when}:"]
    for c in compared:
        x = rows.get(c["campaign_id"])
        figures = (
            f"{x['spend']} gastos, {leads_text(x['leads'])}, CPL {x['cpl'] or 'sem leads'}"
            if x
            else "sem dados nesse período"
        )
        lines.append(f"- {quoted(c['name'])} ({c['campaign_id']}): {figures}")
    with_cpl = [
        rows[c["campaign_id"]] for c in compared if rows.get(c["campaign_id"], {}).get("cpl_v") is not None
    ]
    if len(compared) >= 2 and with_cpl:
        lines.append(f"Menor CPL nesse período: {quoted(min(with_cpl, key=lambda x: x['cpl_v'])['name'])}.")
    return lines


def _compare_periods_lines(intent: Intent, out: Out, c: dict[str, Any]) -> list[str]:
    """ "Campanha 3 e 5 semana passada vs retrasada": each campaign's two periods and changes, as one
    campaign's are said (`_periods_lines`), then the lowest CPL of the newer period; the 7 days' comparison
    would blur the periods asked."""
    by_campaign = out["_periods_by_campaign"]
    lines: list[str] = []
    newer: list[tuple[float, str]] = []  # (the newer period's CPL, the name) of each campaign with one
    rates: list[str] = []  # "e o ctr?" right after: each campaign's move of that rate, all first
    for x in c["campaigns"]:
        if (pf := by_campaign.get(x["campaign_id"])) is None:
            continue
        block = _periods_lines({"_periods": pf}, f", {quoted(x['name'])}", intent.metric)
        if periods_rate(intent.metric) is not None and len(pf["periods"]) == 2 and pf["changes"]:
            rates.append(block.pop(0))
        lines += block
        if len(pf["raw"]) == 2 and pf["raw"][1] and pf["raw"][1]["cpl"] is not None:
            newer.append((pf["raw"][1]["cpl"], x["name"]))
    labels = [pf["periods"][-1].label.split(",")[0] for pf in by_campaign.values() if len(pf["periods"]) == 2]
    if len(newer) >= 2 and labels:
        lines.append(f"Menor CPL {period_in(labels[0])}: {quoted(min(newer)[1])}.")
    if n := c.get("not_found"):
        lines.append(f"{n} das campanhas pedidas não {'é' if n == 1 else 'são'} desta conta.")
    return rates + lines


def _verdict_line(intent: Intent, out: Out, c: dict[str, Any]) -> list[str]:
    """ "qual delas tá melhor?" (or "pior"): the campaign with the lower (higher) CPL, with every compared
    campaign's CPL, said before the comparison; of the day or period asked (the source), else of the 7
    days the comparison shows. One that spent with no lead is the worse. Nothing when no verdict is asked
    or fewer than two campaigns are compared."""
    if intent.metric not in {"better", "worse"} or len(c["campaigns"]) < 2:
        return []
    names = {x["campaign_id"]: x["name"] for x in c["campaigns"]}
    r = out.get("_ranking")
    if r is None:  # the 7 days (ml_features): the tool ranks their CPLs
        when = "nos 7 dias"
        figures = {x["campaign_id"]: (x["cpl_7d"], x["spend_7d"]) for x in c["campaigns"]}
        best, worst = c.get("lowest_cpl"), c.get("highest_cpl")
    else:
        rows = {x["campaign_id"]: x for x in r["campaigns"] if x["campaign_id"] in names}
        period = out.get("_period") is not None and out.get("_day") is None
        when = (
            period_in(out["_period"].label.split(",")[0])
            if period
            else f"em {br_date(r['first_day'].isoformat())}"
        )
        figures = {
            cid: (rows[cid]["cpl"], rows[cid]["spend"]) if cid in rows else (None, None) for cid in names
        }
        with_cpl = sorted((x["cpl_v"], cid) for cid, x in rows.items() if x["cpl_v"] is not None)
        best, worst = (with_cpl[0][1], with_cpl[-1][1]) if with_cpl else (None, None)
    head = "Melhor" if intent.metric == "better" else "Pior"
    if best is None:
        return [f"Nenhuma delas teve leads {when}: sem CPL, não há como dizer qual está {head.lower()}."]
    # spending with no lead is worse than any CPL ("R$ 0,00" has no digit but zeros: nothing spent)
    no_leads = [
        cid for cid, (cpl, spend) in figures.items() if cpl is None and re.search(r"[1-9]", spend or "")
    ]
    pick = best if intent.metric == "better" else (no_leads[0] if no_leads else worst)

    def said(cid: str, who: str = "") -> str:
        """ "CPL R$ 40,64" ("CPL R$ 54,94 de “B”" for another), or "“B” sem leads (R$ 90,00 gastos)"."""
        cpl, spend = figures[cid]
        if cpl:
            return f"CPL {cpl}{who and ' de ' + who}"
        rest = f"sem leads ({spend} gastos)" if spend else "sem dados"
        return f"{who} {rest}" if who else rest

    others = " e ".join(said(cid, quoted(names[cid])) for cid in names if cid != pick)
    return [f"{head}: {quoted(names[pick])} ({pick}), {said(pick)} {when}, contra {others}."]


def _say_compare(intent: Intent, out: Out) -> list[str]:
    if "compare_campaigns" not in out:
        return [
            *filter(None, [_not_here(intent.names)]),
            "Para comparar, diga 2 a 5 campanhas desta conta pelo nome ou pelo id "
            "(ex.: “compare as campanhas 3 e 4”).",
            *_say_campaign_not_found(replace(intent, matches=(), names=()), out)[1:],
        ]
    c = out["compare_campaigns"]
    if "_periods_by_campaign" in out:
        return _compare_periods_lines(intent, out, c)
    lines = [*_compare_asked_lines(out, c["campaigns"]), "Comparação (7 dias):"]
    for x in c["campaigns"]:
        tier = _tier(x)
        lines.append(f"{_campaign_line(x)}, CTR {x['ctr_7d'] or '-'}; tier {tier}")
    by_id = {x["campaign_id"]: x["name"] for x in c["campaigns"]}
    if len(by_id) >= 2 and c.get("lowest_cpl"):  # one row is no comparison: no "best"
        lines.append(f"Menor CPL: {quoted(by_id[c['lowest_cpl']])}.")
    if len(by_id) >= 2 and c.get("most_leads"):
        lines.append(f"Mais leads: {quoted(by_id[c['most_leads']])}.")
    if n := c.get("not_found"):
        lines.append(
            f"{n} das campanhas pedidas não é desta conta."
            if n == 1
            else f"{n} das campanhas pedidas não são desta conta."
        )
    # "qual delas tá melhor?": the verdict first, the comparison it rests on after
    return _verdict_line(intent, out, c) + lines


def _say_trends(intent: Intent, out: Out) -> list[str]:
    t = out["analyze_trends"]
    if msg := failed(t):
        return [msg]
    if "_weeks_campaigns" in out:  # "qual campanha piorou mais essa semana?"
        account = _weeks_lines(out)[-1].replace("Variação:", "Na conta inteira, mesma comparação:", 1)
        return [*week_movers_lines(intent, out), account]
    if "_weeks" in out:
        return [*_week_change_lines(intent, out), *_weeks_lines(out)]
    if "_period_move" in out:
        return _period_move_lines(intent, out["_period_move"], out.get("_campaign_name"))
    return [*_trend_answer(intent, out, t), *_trend_lines(t)]


def _period_move_lines(intent: Intent, pm: dict[str, Any] | None, name: str | None = None) -> list[str]:
    """ "O CPL subiu em outubro?", "por que os leads caíram em novembro?": the figure asked of that period
    against the one before it (`offline.period_move_figures`), "Sim"/"Não" first when a direction was
    asked; for the leads their split into spend and CPL; then the CPL's factors over the same two spans.
    The account's, or the campaign `name`'s ("a campanha 22 piorou semana passada?")."""
    whose = f"de {quoted(name)}" if name else "da conta"
    _, metric, move = (intent.metric or "period_cpl_either").split("_")
    if pm is None:
        return [
            f"Não há dados desse período nesta conta para comparar (período pedido: {intent.period_ref})."
        ]
    now, before, nf, bf = pm["now"], pm["before"], pm["now_figures"], pm["before_figures"]
    now_side = f"{period_in(now.label)} ({br_span(nf['first_day'], nf['last_day'])})"
    if bf is None:
        return [
            f"Não tenho como comparar {now_side} com {before.label} "
            f"({br_span(before.first, before.last)}): a fonte não tem dados desses dias."
        ]
    before_side = f"{period_in(before.label)} ({br_span(bf['first_day'], bf['last_day'])})"
    notes = []
    if pm["before_first"] > before.first:
        notes.append(
            f"{before.label[0].upper()}{before.label[1:]} só tem dados a partir de "
            f"{br_date(pm['before_first'].isoformat())}: gasto e leads comparados por dia; CPL, CTR e CPM "
            "como são."
        )
    per_day = pm["per_day"] and metric in {"spend", "leads"}
    what, gender = TREND_PT[metric]
    key = f"{metric}_per_day" if per_day else metric
    none = "sem leads" if metric == "cpl" else "-"
    now_v, before_v = (count_text(f.get(key)) if metric == "leads" else f.get(key) or none for f in (nf, bf))
    unit = " por dia" if per_day else ""
    change = pm["changes"].get(metric)
    sides = f"{now_v}{unit} {now_side}, contra {before_v}{unit} {before_side}"
    cap = f"{what[0].upper()}{what[1:]}"
    if not change:
        lines = [f"{cap} {whose} não tem comparação: {sides}."]
    else:
        moved = _moved(change)
        plural = {"subiu": "subiram", "caiu": "caíram"}.get(moved, "ficaram estáveis")
        went = moved if gender != "p" else plural
        yes = _yes_no(metric, move, moved)
        head = f"{what} {whose} {went}" if yes else f"{cap} {whose} {went}"
        lines = [f"{yes}{head}: {sides} ({_signed(change)})."]
    ch = pm["changes"]
    if metric == "leads":  # leads = spend / CPL: which of the two moved them
        lines.append(
            f"Leads = gasto ÷ CPL: gasto {_signed(ch['spend']) or '-'}{unit}, "
            f"CPL {_signed(ch['cpl']) or '-'}."
        )
    why = _why_text(
        pm["cpl_drivers"],
        _signed(ch.get("cpl")),
        period_in(now.label),
        f"{now.label} ({br_span(nf['first_day'], nf['last_day'])}) contra {before.label} "
        f"({br_span(bf['first_day'], bf['last_day'])})",
    )
    return [*lines, *notes, *why]


def _weeks_lines(out: Out) -> list[str]:
    """ "Essa semana vs semana passada": which days are compared and why, each side's figures from the
    source, and the changes (`offline.weeks_figures`)."""
    wf = out["_weeks"]
    w, ch = wf["weeks"], wf["changes"]
    name = out.get("_campaign_name")
    whose = f" de {quoted(name)}" if name else ""
    now, before = (f"({br_span(p.first, p.last)})" for p in (w.now, w.before))
    if w.no_day_yet:
        today = br_date((w.now.last + dt.timedelta(days=1)).isoformat())
        head = (
            f"Hoje ({today}) é segunda: esta semana ainda não tem dia completo. Comparo então a semana "
            f"passada inteira, seg a dom {now}, com a retrasada, seg a dom {before}."
        )
        sides = (f"Semana passada{whose}, seg a dom {now}", f"Semana retrasada, seg a dom {before}")
    else:
        head = (
            f"Comparo {w.days} desta semana {now} com {w.days} da passada {before}: a semana ainda não "
            "terminou (hoje é parcial), e os mesmos dias da semana dos dois lados tornam a comparação justa."
        )
        sides = (f"Esta semana{whose}, {w.days} {now}", f"Semana passada, {w.days} {before}")
    lines = [head]
    for side, f in zip(sides, (wf["now"], wf["before"]), strict=True):
        lines.append(f"{side}: {_all_invalid(f) or figures_text(f) + '.'}")
    spend, leads, cpl = (_signed(ch[k]) for k in ("spend", "leads", "cpl"))
    lines.append(f"Variação: gasto {spend or '-'}, leads {leads or '-'}, CPL {cpl or 'sem comparação'}.")
    return lines


def _week_change_lines(intent: Intent, out: Out) -> list[str]:
    """ "O CPL subiu essa semana?": the figure asked, this week's days against the same weekdays of last
    week (on a Monday: last week whole against the one before), "Sim"/"Não" first when a direction was
    asked; `_weeks_lines` follows with the days, why those, and every figure."""
    if not (intent.metric or "").startswith("week_"):
        return []
    _, metric, move = intent.metric.split("_")
    wf = out["_weeks"]
    w, change = wf["weeks"], wf["changes"].get(metric)
    what, gender = TREND_PT[metric]
    name = out.get("_campaign_name")
    whose = f" de {quoted(name)}" if name else " da conta"
    none = "sem leads" if metric == "cpl" else "-"  # a CPL is missing only where no lead came
    now, before = wf["now"].get(metric) or none, wf["before"].get(metric) or none
    if w.no_day_yet:  # why last week is said once, in the note before or the days' lines after
        when = "na semana passada"
        sides = (
            f"{now} de seg a dom ({br_span(w.now.first, w.now.last)}), contra {before} na semana retrasada "
            f"({br_span(w.before.first, w.before.last)})"
        )
    else:
        when = "esta semana"
        sides = (
            f"{now} de {w.days} ({br_span(w.now.first, w.now.last)}), contra {before} nos mesmos dias da "
            f"semana passada ({br_span(w.before.first, w.before.last)})"
        )
    cap = f"{what[0].upper()}{what[1:]}"
    if not change:
        return [f"{cap}{whose} não tem comparação {when}: {sides}."]
    moved = _moved(change)
    went = moved if gender != "p" else {"subiu": "subiram", "caiu": "caíram"}.get(moved, "ficaram estáveis")
    yes = _yes_no(metric, move, moved)
    head = f"{what}{whose} {went}" if yes else f"{cap}{whose} {went}"
    return [f"{yes}{head} {when}: {sides} ({_signed(change)})."]


def _yes_no(metric: str, move: str, moved: str) -> str:
    """ "Sim: " when the figure moved the way asked ("up", "down", "worse", "better"), "Não: " when it
    moved the other way, "" when no direction was asked or it stayed put."""
    wanted = {"up": True, "down": False}.get(move)
    worse_up = _WORSE_UP[metric]
    if move in {"worse", "better"} and worse_up is not None:
        wanted = worse_up if move == "worse" else not worse_up
    if wanted is None or moved == "ficou estável":
        return ""
    return "Sim: " if wanted == (moved == "subiu") else "Não: "


def _signed(change: str | None) -> str | None:
    """ "7%" -> "+7%": a rise said as one ("-13%" and "0%" as they are)."""
    return f"+{change}" if change and _moved(change) == "subiu" else change


# the figures a trend question may ask about: (pt-BR name, grammatical gender, plural)
TREND_PT = {
    "cpl": ("o CPL", "m"),
    "ctr": ("o CTR", "m"),
    "cpm": ("o CPM", "m"),
    "spend": ("o gasto", "m"),
    "leads": ("os leads", "p"),
    "cpc": ("o CPC", "m"),  # asked only about "essa semana"
}
# which way is worse for each figure: a higher CPL, CPM or CPC, fewer leads or a lower CTR
_WORSE_UP = {"cpl": True, "cpm": True, "cpc": True, "ctr": False, "leads": False, "spend": None}


def _trend_answer(intent: Intent, out: Out, t: dict[str, Any]) -> list[str]:
    """ "O CPL da campanha 27 está subindo?": the figure asked, its 7 days against the 7 before and which
    way it went, "Sim"/"Não" first when the question asked a direction."""
    if not (intent.metric or "").startswith("trend_") or "last_7d" not in t:
        return []
    _, metric, move = intent.metric.split("_")
    last, prev = t["last_7d"], t["previous_7d"]
    change = t.get(f"{metric}_change")
    what, gender = TREND_PT[metric]
    name = out.get("_campaign_name")
    whose = f" de {quoted(name)}" if name else (" da conta" if t.get("scope", "conta") == "conta" else "")
    if not change:
        return [
            f"{what[0].upper()}{what[1:]}{whose} não tem comparação: sem valor nos 7 dias até "
            f"{br_date(last['last_day'])} ou nos 7 anteriores ({last.get(metric) or '-'} contra "
            f"{prev.get(metric) or '-'})."
        ]
    moved = _moved(change)
    went = {"subiu": "subindo", "caiu": "caindo"}.get(moved, "estável")
    verb = "estão" if gender == "p" else "está"
    yes = _yes_no(metric, move, moved)
    head = f"{what}{whose} {verb} {went}" if yes else f"{what[0].upper()}{what[1:]}{whose} {verb} {went}"
    return [
        f"{yes}{head}: {last.get(metric) or '-'} nos 7 dias até {br_date(last['last_day'])}, contra "
        f"{prev.get(metric) or '-'} nos 7 anteriores ({change})."
    ]


# the rates a question may ask for besides the CPL, and how each is computed
RATE_HOW = {
    "ctr": " (cliques / impressões)",
    "cpm": " (gasto por mil impressões)",
    "cpc": " (gasto / cliques)",
    "cvr": " (leads / cliques)",
}
RATE_NAME = {"cvr": "Taxa de conversão"}  # the others by their acronym ("CTR")


def _metric_asked(intent: Intent, out: Out) -> list[str]:
    """ "Qual o CTR ontem?", "o CPM dos últimos 15 dias": that rate of the day or period asked, from the
    source, first (the 7-day line follows only when no day nor period was asked)."""
    m = intent.metric
    if m not in RATE_HOW:
        return []
    day, f = out.get("_day"), None
    if day is not None and out.get("_day_figures") is not None:
        f = out["_day_figures"]
        when = f"em {br_date(day.isoformat())}"
        if out.get("_day_status") == "today":
            when += " (hoje, parcial: o dia ainda não terminou)"
    elif out.get("_period_figures") is not None:
        f, period = out["_period_figures"], out["_period"]
        span = f"{br_date(f['first_day'].isoformat())} a {br_date(f['last_day'].isoformat())}"
        when = f"{period_in(period.label)} ({span}, {f['days']} dias)"
    if f is None:
        return []
    name = RATE_NAME.get(m, m.upper())
    if (invalid := _all_invalid(f)) is not None:
        return [f"{name} da conta{RATE_HOW[m]} {when}: {invalid}"]
    left_out = excluded_text(f.get("set_aside") or 0, f.get("orphans") or 0)
    note = f" ({left_out})" if left_out else ""
    return [f"{name} da conta{RATE_HOW[m]} {when}: {f.get(m) or '-'}{note}."]


def _say_frequency(intent: Intent, out: Out) -> list[str]:
    """ "Qual a frequência média da conta? tá saturando?": the campaigns' 7-day frequency (ml_features),
    the highest named, against FREQUENCY_ALERT's threshold, and the open frequency/saturation anomalies."""
    f = out["_frequency"]
    limit = freq(f["threshold"])
    rows, open_ = f["campaigns"], f["anomalies"]
    if not rows:
        return ["Não há frequência de 7 dias calculada para as campanhas desta conta (nenhuma entrega)."]
    mean = sum(x["frequency"] for x in rows) / len(rows)
    top = rows[0]
    above = [x for x in rows if x["frequency"] > f["threshold"]]
    kinds = {t: sum(1 for a in open_ if a["type"] == t) for t in ("FREQUENCY_ALERT", "REACH_SATURATION")}
    saturating = bool(above or open_)
    n = len(rows)
    lines = [
        ("Sim, há sinal de saturação" if saturating else "Não, nada indica saturação")
        + f": frequência de 7 dias até {br_date(str(f['as_of']))} (ml_features) com média de {freq(mean)} "
        f"entre as {n} campanha{'s' if n != 1 else ''} com entrega; a mais alta é {quoted(top['name'])} "
        f"({top['campaign_id']}), com {freq(top['frequency'])}, "
        + ("acima" if top["frequency"] > f["threshold"] else "abaixo")
        + f" do limite de {limit} do alerta de frequência (FREQUENCY_ALERT)."
    ]
    if above:
        k = len(above)
        lines.append(f"{k} campanha{'s' if k != 1 else ''} acima de {limit}:")
        lines += [f"- {quoted(x['name'])} ({x['campaign_id']}): {freq(x['frequency'])}" for x in above[:5]]
        lines += [f"e mais {k - 5}."] if k > 5 else []
    else:
        lines.append(f"Nenhuma campanha acima de {limit}.")
    since = br_date(f["since"].isoformat())
    if open_:
        who = ", ".join(dict.fromkeys(quoted(a["name"]) for a in open_))
        lines.append(
            f"Anomalias abertas desde {since}: {kinds['FREQUENCY_ALERT']} de frequência alta "
            f"(FREQUENCY_ALERT) e {kinds['REACH_SATURATION']} de saturação de alcance (REACH_SATURATION), "
            f"em {who}."
        )
    else:
        lines.append(
            f"Nenhuma anomalia de frequência alta (FREQUENCY_ALERT) ou saturação de alcance "
            f"(REACH_SATURATION) aberta desde {since}."
        )
    return lines


def _periods_verdict(intent: Intent, pf: dict[str, Any]) -> list[str]:
    """ "A conta tá pior que mês passado?": Sim/Não first, by the CPL of the newer period against the older
    one's (a lead account's yardstick); nothing when no verdict was asked or a side has no CPL."""
    if intent.metric not in {"periods_worse", "periods_better"} or len(pf["periods"]) != 2:
        return []
    old, new = pf["raw"]
    if not (old and new and old["cpl"] and new["cpl"]):
        return []
    worse = new["cpl"] > old["cpl"]
    change = _signed(pf["changes"]["cpl"])
    stable = _moved(pf["changes"]["cpl"] or "0") == "ficou estável"
    if stable:
        word, tail = "Praticamente igual", "o mesmo custo por lead"
    else:
        word = "Sim" if worse == (intent.metric == "periods_worse") else "Não"
        tail = f"{'pior' if worse else 'melhor'} pelo custo por lead"
    (a, b), (fa, fb) = pf["periods"], pf["figures"]
    label = b.label.split(",")[0]
    return [
        f"{word}: o CPL {period_in(label)} até agora é {fb['cpl']}, contra {fa['cpl']} {period_in(a.label)} "
        f"({change}); {tail}."
    ]


def _periods_lines(out: Out, who: str = "", metric: str | None = None) -> list[str]:
    """ "Semana passada vs retrasada", "outubro vs novembro": each period's line as `_period_lines` writes
    one (its days, partial when not over), older first, then the changes from the older to the newer; a
    partial side also gets both sides' spend per day, the fair measure between a whole and a part."""
    pf = out["_periods"]
    periods, sides = pf["periods"], pf["figures"]
    lines = [
        line
        for p, f in zip(periods, sides, strict=True)
        for line in _period_lines({"_period": p, "_period_figures": f, "_first_day": pf["first_day"]}, who)
    ]
    if len(periods) != 2 or not pf["changes"]:
        return lines
    (old, new), ch = periods, pf["changes"]
    spend, leads, cpl = (_signed(ch[k]) for k in ("spend", "leads", "cpl"))
    span = f"{old.label.split(',')[0]} para {new.label.split(',')[0]}"
    lines.append(
        f"Variação de {span}: gasto {spend or '-'}, leads {leads or '-'}, CPL {cpl or 'sem comparação'}."
    )
    if any(f["last_day"] < p.last for p, f in zip(periods, sides, strict=True)):
        per_day = " contra ".join(f"{f['spend_per_day'] or '-'}" for f in sides)
        lines.append(f"Como um lado é parcial, o gasto por dia compara melhor: {per_day}.")
    if (rate := periods_rate(metric)) is not None:  # "e o ctr?" right after: that rate's move first
        lines.insert(
            0,
            f"{rate.upper()}{RATE_HOW[rate]}{who} de {span}: {sides[0].get(rate) or '-'} para "
            f"{sides[1].get(rate) or '-'} ({_signed(ch[rate]) or 'sem comparação'}).",
        )
    return lines


def _say_performance(intent: Intent, out: Out) -> list[str]:
    """The figures asked ("qual o CPL", "quanto gastei ontem", "esse mês"): the named day's or period's
    from the source (the 7 days' CPL move only when no day nor period was asked: then it is the answer);
    the CTR first when it is what was asked; two periods compared side by side first."""
    if "_periods" in out:
        # what was asked only: the 7 days' trends would blur the two
        return [*_periods_verdict(intent, out["_periods"]), *_periods_lines(out, metric=intent.metric)]
    if judged := cpl_judge_lines(intent, out):  # "meu CPL tá bom?": the verdict against its own history
        day = day_move_lines(replace(intent, metric="day_cpl_either"), out)[:1] if "_day_move" in out else []
        return [judged[0], *day, *_trend_lines(out["analyze_trends"])[:1], *judged[1:]]
    if (judged := rate_judge_lines(intent, out)) and (rate := rate_judged(intent.metric)):
        # "o cpm tá caro?": the verdict against its own weeks, then the rate's answer as before
        rest = _say_performance(replace(intent, metric=rate[0]), {**out, "_cpl_history": None})
        return [judged[0], *rest, *judged[1:]]
    first = _first_figure(intent)  # "qnts leads essa semana?": the leads first
    lines = [*_metric_asked(intent, out), *_days_lines(out, first=first), *_period_lines(out, first=first)]
    t = out["analyze_trends"]
    asked_when = _day_or_period_asked(out)
    # "qual o CTR de outubro?": that period's rate is the answer; the 7 days' would read as a second answer
    if intent.metric in RATE_HOW and intent.metric in PERIODS_RATES and "last_7d" in t and not asked_when:
        m, name = intent.metric, intent.metric.upper()
        change = t.get(f"{m}_change")
        how = RATE_HOW[m] if m != "ctr" else ""  # the CTR's 7-day line as it always read
        lines.append(
            f"{name} da conta{how}: {t['last_7d'].get(m) or '-'} nos 7 dias até "
            f"{br_date(t['last_7d']['last_day'])}, "
            f"contra {t['previous_7d'].get(m) or '-'} na semana anterior"
            + (f": {_moved(change)} ({change})." if change else ".")
        )
    # a day or period asked is answered by its own figures: the 7 days' CPL move would answer another
    # question (why the CPL moved is `_say_anomalies`' and `_say_trends`')
    return lines if asked_when else lines + _trend_lines(t)


def _day_or_period_asked(out: Out) -> bool:
    return any(out.get(k) is not None for k in ("_day", "_period")) or bool(out.get("_days_asked"))


def _say_daily_average(intent: Intent, out: Out) -> list[str]:
    """ "Qual a média de leads por dia?": the period's totals from the source over its days with data
    (the last 7 days unless a period was asked), saying how many days that is."""
    f = out.get("_period_figures")
    if f is None:  # a day asked alone, or a period the data does not cover
        return [*_day_lines(out), *_period_lines(out)] or ["Não há dados desta conta para calcular a média."]
    if not f["days_with_data"]:
        return [
            f"Não há dados de {br_date(f['first_day'].isoformat())} a {br_date(f['last_day'].isoformat())}."
        ]
    period = out["_period"]
    span = f"{br_date(f['first_day'].isoformat())} a {br_date(f['last_day'].isoformat())}"
    n, days = f["days_with_data"], f["days"]
    over = f"{n} dia{'s' if n != 1 else ''} com dados" + (f" de {days}" if n < days else "")
    head = f"Média diária {period_in(period.label)} ({span}, {over})"
    left_out = excluded_text(f["set_aside"], f.get("orphans") or 0)
    note = f" {left_out[0].upper()}{left_out[1:]}." if left_out else ""
    return [
        f"{head}: {f['spend_per_day'] or '-'} de gasto e {f['leads_per_day']} leads por dia "
        f"(no total, {f['spend'] or '-'} e {leads_text(f['leads'])}; CPL {f['cpl'] or 'sem leads'}).{note}"
    ]


BELOW_CAMPAIGN = (
    "Os dados desta conta não descem a conjunto de anúncios, anúncio nem criativo: a fonte traz gasto, "
    "impressões, cliques e leads por campanha e por dia. A resposta abaixo é por campanha."
)
AUDIENCE = (
    "Os dados desta conta não têm quebra por público (audiência, idade, gênero): a fonte traz gasto, "
    "impressões, cliques e leads por campanha e por dia, então só consigo comparar campanhas e dias."
)


OUT_OF_SCOPE = {
    "weather": "Desculpe, não tenho previsão do tempo: só respondo sobre os dados desta conta de anúncios.",
    "write": (
        "Desculpe, não consigo criar nem editar campanhas: só leio os dados desta conta, não altero nada "
        "no gerenciador de anúncios."
    ),
    "files": (
        "Desculpe, não consigo enviar arquivos (PDF, planilha, e-mail): respondo só aqui, em texto, "
        "com os números da conta."
    ),
}


def _say_out_of_scope(intent: Intent, out: Out) -> list[str]:
    """What the agent cannot do, in one polite sentence, then what it can."""
    return [OUT_OF_SCOPE.get(intent.metric or "", OUT_OF_SCOPE["files"]), HELP]


def _say_audience(intent: Intent, out: Out) -> list[str]:
    return [AUDIENCE]


def _moved(change: str) -> str:
    """A formatted change ("-0,4%", "+3,0%") in words."""
    if not any(ch in "123456789" for ch in change):
        return "ficou estável"
    return "caiu" if change.lstrip().startswith(("-", "−")) else "subiu"


def _say_paused(intent: Intent, out: Out) -> list[str]:
    """ "Quais campanhas estão pausadas?" names them; "a campanha 60 tá pausada?" says yes or no first."""
    if intent.campaign_id:
        d = out["get_campaign_details"]
        if msg := failed(d):
            return [msg]
        yes = "Sim" if d.get("status") in INACTIVE_STATUSES else "Não"
        return [
            f"{yes}: {quoted(d['name'])} está com status {d['status'] or '-'}.",
            *_say_campaign_details(intent, out),
        ]
    c = out["list_campaigns"]
    if not c["total"]:
        return ["Nenhuma campanha pausada (ou inativa) nesta conta."]
    lines = [
        f"{c['total']} campanha{'s' if c['total'] != 1 else ''} pausada{'s' if c['total'] != 1 else ''} "
        f"(ou inativa{'s' if c['total'] != 1 else ''}) nesta conta:"
    ]
    lines += [f"{_campaign_line(x)}; {x['status'] or '-'}" for x in c["campaigns"]]
    return lines + _shown(c)


def _cpl_limit_lines(intent: Intent, out: Out) -> list[str]:
    """ "Quais campanhas têm CPL acima de R$ 50?": exactly the campaigns past that 7-day CPL, or none;
    above it, the ones that spent with no lead are said apart (no CPL, but worse than any)."""
    c = out["list_campaigns"]
    above = intent.metric != "cpl_below"
    limit = out.get("_threshold") or str(intent.threshold)
    where = f"{'acima' if above else 'abaixo'} de {limit}"
    when = f"nos 7 dias até {br_date(c['as_of'])}"
    if not c["total"]:
        lines = [f"Nenhuma campanha teve CPL {where} {when}."]
    else:
        n = c["total"]
        lines = [f"{n} campanha{'s' if n != 1 else ''} com CPL {where} {when}:"]
        lines += [_campaign_line(x) for x in c["campaigns"]] + _shown(c)
    if above and c.get("without_leads"):
        lines.append(
            "Gastaram sem nenhum lead (sem CPL): "
            + ", ".join(quoted(x["name"]) for x in c["without_leads"])
            + "."
        )
    return lines


# what a ranking weighs, in words, and how it sorts (key, highest first)
RANK_PT = {
    "spend": ("que mais gastou", "spend_v", True),
    "leads": ("com mais leads", "leads", True),
    "cpl_high": ("com o maior CPL", "cpl_v", True),
    "cpl_low": ("com o menor CPL", "cpl_v", False),
    "ctr_high": ("com o maior CTR", "ctr_v", True),
    "ctr_low": ("com o menor CTR", "ctr_v", False),
    # "as 2 piores / melhores campanhas em outubro": by the period's CPL (its spend / its leads)
    "worst": ("com o pior CPL", "cpl_v", True),
    "best": ("com o melhor CPL", "cpl_v", False),
}


def _rank_kind(intent: Intent) -> str:
    """What a day's or period's ranking sorts by: the spend listed, the leads of a top, the CPL of the
    best or worst asked (not the tiers, which are of the last 7 days), else the rate asked."""
    if intent.metric in {"worst", "best"}:
        return intent.metric
    return {"list_campaigns": "spend", "top": "leads"}.get(intent.name, intent.metric or "cpl_high")


def _idle_lines(kind: str, rows: list[dict[str, Any]], when: str) -> list[str]:
    """The campaigns of a CPL ranking that spent with no lead in the days ranked: said apart (no CPL),
    most spent first."""
    idle = sorted((x for x in rows if not x["leads"] and x["spend_v"] > 0), key=lambda x: -x["spend_v"])
    if not idle or RANK_PT[kind][1] != "cpl_v":
        return []
    worse = "piores que qualquer CPL acima" if RANK_PT[kind][2] else "fora do ranking de CPL"
    return [
        f"Gastaram sem nenhum lead {when} (sem CPL, {worse}): "
        + ", ".join(f"{quoted(x['name'])} ({x['campaign_id']}, {x['spend']})" for x in idle)
        + "."
    ]


def _idle_first_lines(
    intent: Intent,
    campaigns: list[dict[str, Any]],
    rows: list[dict[str, Any]],
    when: str,
    line: Callable[[dict[str, Any]], str],
) -> list[str]:
    """ "As 3 piores campanhas em outubro": the ones that spent without a lead are worse than any CPL, so
    named first (most spent first), then the worst CPLs up to N in all; when they alone pass N, all are
    listed and that is said. [] when none spent without a lead (the CPL ranking as usual)."""
    idle = sorted((x for x in campaigns if not x["leads"] and x["spend_v"] > 0), key=lambda x: -x["spend_v"])
    if not idle:
        return []
    n, k = intent.limit or 5, len(idle)
    head = (
        f"{k} campanhas gastaram sem nenhum lead {when} (piores que qualquer CPL):"
        if k != 1
        else f"1 campanha gastou sem nenhum lead {when} (pior que qualquer CPL):"
    )
    names = [
        f"- “{' '.join(str(x['name']).split())[:80]}” ({x['campaign_id']}): {x['spend']} gastos, 0 leads"
        for x in idle
    ]
    left = n - k
    if left > 0 and rows:
        which = "o pior CPL" if left == 1 or len(rows) == 1 else "os piores CPL"
        return [head, *names, f"Depois, {which}:", *(f"- {line(x)}" for x in rows[:left])]
    if k > n and intent.limit is not None:
        return [
            head,
            *names,
            f"Você pediu {n}: só as que gastaram sem lead já são {k}, todas listadas acima.",
        ]
    return [head, *names]


def _ranking_lines(intent: Intent, out: Out) -> list[str] | None:
    """ "Qual campanha gastou mais ontem / esse mês?": the campaigns ranked by the figures of the day or
    period asked, read from the source; None when no day or period was asked."""
    if out.get("_day") is None and out.get("_period") is None:
        return None
    r = out.get("_ranking")
    if r is None:  # the day is not in the data (future, before it), or the period has none
        return [*_day_lines(out), *_period_lines(out)]
    kind = _rank_kind(intent)
    words, key, desc = RANK_PT[kind]
    if out.get("_day") is not None:
        when = f"em {br_date(r['first_day'].isoformat())}"
        if out.get("_day_status") == "today":
            when += " (hoje, parcial: o dia ainda não terminou)"
    else:
        period, span = (
            out["_period"],
            f"{br_date(r['first_day'].isoformat())} a {br_date(r['last_day'].isoformat())}",
        )
        notes = "".join(
            [
                f"; parcial: o período vai até {br_date(period.last.isoformat())}"
                if r["last_day"] < period.last
                else "",
                f"; parcial: os dados começam em {br_date(r['first_day'].isoformat())}"
                if r["first_day"] > period.first
                else "",
            ]
        )
        when = f"{period_in(period.label)} ({span}, {r['days']} dias{notes})"
    rows = [x for x in r["campaigns"] if x[key] is not None and (key != "spend_v" or x[key] > 0)]
    rows.sort(key=lambda x: (-x[key] if desc else x[key], x["campaign_id"]))
    aside = r.get("set_aside") or 0
    note = [f"Sem {aside} dia(s) de campanha cujos dados a fonte trouxe inválidos."] if aside else []
    idle = _idle_lines(kind, r["campaigns"], when.split(" (")[0])
    if not rows:
        what = "gasto" if kind == "spend" else "leads"
        return [f"Nenhuma campanha teve {what} {when}.", *idle, *note]

    def line(x: dict[str, Any]) -> str:
        ctr = f"CTR {x['ctr']}, " if kind.startswith("ctr") else ""  # the rate ranked, first
        return (
            f"“{' '.join(str(x['name']).split())[:80]}” ({x['campaign_id']}): {ctr}{x['spend'] or '-'} "
            f"gastos, {leads_text(x['leads'])}, CPL {x['cpl'] or 'sem leads'}"
        )

    if kind == "spend" and intent.threshold is not None:  # "quais gastaram mais de R$ 500 essa semana?"
        over = [x for x in rows if x["spend_v"] > intent.threshold]
        limit = out.get("_threshold") or str(intent.threshold)
        if not over:
            return [f"Nenhuma campanha gastou mais de {limit} {when}.", *note]
        n = len(over)
        head = f"{n} campanha{'s' if n != 1 else ''} gast{'aram' if n != 1 else 'ou'} mais de {limit} {when}:"
        return [head, *(f"- {line(x)}" for x in over), *note]

    if kind == "worst" and (worst := _idle_first_lines(intent, r["campaigns"], rows, when, line)):
        return worst + note
    lines = [f"A campanha {words} {when}: {line(rows[0])}."]
    if len(rows) > 1 and intent.limit != 1:
        lines += ["Em seguida:", *(f"- {line(x)}" for x in rows[1 : intent.limit or 5])]
    return lines + idle + note


def _ctr_rank_lines(intent: Intent, c: dict[str, Any]) -> list[str]:
    """ "Qual campanha tem o melhor CTR?": the campaigns with impressions in the 7 days by their CTR, the
    highest (or lowest) first, each with its CPL beside it (a high CTR without cheap leads is no win)."""
    rated = [x for x in c["campaigns"] if x.get("ctr_7d")]
    high = intent.metric == "ctr_high"
    rated.sort(key=lambda x: numbers_in(x["ctr_7d"])[-1], reverse=high)
    if not rated:
        return ["Nenhuma campanha teve impressões nos últimos 7 dias: não há CTR para comparar."]

    def line(x: dict[str, Any]) -> str:
        cpl = x.get("cpl_7d") or "sem leads"
        return f"{quoted(x['name'])} ({x['campaign_id']}): CTR {x['ctr_7d']}, CPL {cpl}"

    which = "maior" if high else "menor"
    lines = [f"Campanha com o {which} CTR nos 7 dias até {br_date(c['as_of'])}: {line(rated[0])}."]
    return lines + (["Em seguida:", *(f"- {line(x)}" for x in rated[1:5])] if len(rated) > 1 else [])


def _say_cpl_rank(intent: Intent, out: Out) -> list[str]:
    """The campaign with the highest (or lowest) 7-day CPL among those with leads; the ones that spent
    with no lead are said apart (their CPL is not a number)."""
    if intent.threshold is not None:
        return _cpl_limit_lines(intent, out)
    if (ranked := _ranking_lines(intent, out)) is not None:  # a day or period asked: its figures
        return ranked
    if intent.metric in {"ctr_high", "ctr_low"}:
        return _ctr_rank_lines(intent, out["list_campaigns"])
    c = out["list_campaigns"]
    priced = [x for x in c["campaigns"] if x.get("cpl_7d")]
    priced.sort(key=lambda x: numbers_in(x["cpl_7d"])[-1], reverse=intent.metric != "cpl_low")
    which = "menor" if intent.metric == "cpl_low" else "maior"
    if not priced:
        return ["Nenhuma campanha teve leads nos últimos 7 dias: não há CPL para comparar."]
    lines = [
        f"Campanha com o {which} CPL nos 7 dias até {br_date(c['as_of'])}: {_campaign_line(priced[0])[2:]}."
    ]
    lines += ["Em seguida:", *(_campaign_line(x) for x in priced[1:4])] if len(priced) > 1 else []
    # spend_7d is formatted ("R$ 0,00" is a non-empty string): read the number
    idle = [x for x in c["campaigns"] if not x.get("cpl_7d") and numbers_in(x.get("spend_7d") or "0")[-1] > 0]
    if idle and which == "maior":  # no CPL to rank, but worse than any: said with what they spent
        lines.append(
            "Gastaram sem nenhum lead (sem CPL, piores que qualquer CPL acima): "
            + ", ".join(f"{quoted(x['name'])} ({x['spend_7d']})" for x in idle)
            + "."
        )
    return lines


def _say_analyze(intent: Intent, out: Out) -> list[str]:
    """A whole analysis: the campaign's (details, trend, forecast), or the account's (figures, tiers,
    anomalies, recommendations and forecast), each part in the words of its own answer."""
    if intent.campaign_id:
        details = _say_campaign_details(intent, out)
        if not_found(out["get_campaign_details"]):
            return details
        return [*details, *_trend_lines(out["analyze_trends"]), *say_forecast(intent, out)]
    top = out["get_high_performers"]
    best = ", ".join(quoted(c["name"]) for c in top.get("campaigns", []))
    return [
        "Análise da conta.",
        *_say_summary(intent, out),
        *_trend_lines(out["analyze_trends"]),
        *_say_underperformers(intent, out),
        f"Tier de alta performance: {best}." if best else "Nenhuma campanha de alta performance.",
        *_say_anomalies(intent, {**out, "analyze_trends": {}}),
        *_say_recommendations(intent, out),
        *say_forecast(intent, out),
    ]


def _source_lines(out: Out) -> list[str]:
    """Figures read from the source itself, which hold before the pipeline's first run."""
    t = out.get("analyze_trends") or {}
    if "last_7d" not in t:
        return []
    last = t["last_7d"]
    return [
        f"Da fonte: {last['spend']} investidos, {leads_text(last['leads'])}, CPL {last['cpl'] or '-'} "
        f"nos 7 dias até {br_date(last['last_day'])}. Tiers, anomalias, recomendações e previsões vêm do "
        "pipeline."
    ]


_SAY = {
    "help": _say_help,
    "summary": _say_summary,
    "underperformers": _say_underperformers,
    "top": _say_top,
    "recommendations": _say_recommendations,
    "anomalies": _say_anomalies,
    "forecast": say_forecast,
    "campaign_details": _say_campaign_details,
    "data_quality": _say_data_quality,
    "roi": _say_roi,
    "analyze": _say_analyze,
    "campaign_not_found": _say_campaign_not_found,
    "compare": _say_compare,
    "list_campaigns": _say_list_campaigns,
    "trends": _say_trends,
    "performance": _say_performance,
    "cpl_rank": _say_cpl_rank,
    "paused": _say_paused,
    "daily_average": _say_daily_average,
    "weekday": say_weekday,
    "audience": _say_audience,
    "tracking": say_tracking,
    "best_day": say_best_day,
    "frequency": _say_frequency,
    "budget": lambda intent, out: (
        daily_budget_lines(out["_daily_budget"]) if intent.ask == "budget_total" else say_budget(intent, out)
    ),
    "learning": lambda intent, out: learning_lines(out),
    "tier": say_tier,
    "out_of_scope": _say_out_of_scope,
    "explain": say_explain,
    "decisions": say_decisions,
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
    # "essa semana" asked on a Monday: why the answer is about last week, said first
    if (period := out.get("_period")) is not None and period.note:
        head.append(period.note)
    if NO_RESULTS in notes and intent.name in PIPELINE_INTENTS:
        rest = [n for n in notes if n != NO_RESULTS]
        d = out.get("get_campaign_details")
        if intent.name == "campaign_details" and d is not None:
            if msg := failed(d):
                return "\n".join([msg, *rest])
            card = [_campaign_head(d), *_day_lines(out, f", {quoted(d['name'])}")]
            return "\n".join([*head, NO_RESULTS, *card, *_source_lines(out), *rest])
        return "\n".join([*head, NO_RESULTS, *_source_lines(out), *rest])
    return "\n".join([*head, *_SAY[intent.name](intent, out), *notes])
