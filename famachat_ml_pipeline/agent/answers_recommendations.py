"""The advice answers: the active recommendations (the most urgent first when asked), the pause and cut
advice, the campaigns to scale, and one campaign's ("devo pausar a 13?", "posso aumentar o orçamento da 4
em 50%?", "quanto devo aumentar?", "por que você recomenda reduzir a 11?"), yes or no first."""

from __future__ import annotations

import re
from typing import Any

from famachat_ml_pipeline.agent.answers_anomalies import TYPE_PT, anomaly_line
from famachat_ml_pipeline.agent.answers_campaigns import (
    campaign_line,
    say_campaign_details,
    tier_word,
    vs_account_note,
)
from famachat_ml_pipeline.agent.answers_rankings import say_underperformers
from famachat_ml_pipeline.agent.answers_savings import savings_lines
from famachat_ml_pipeline.agent.answers_verdicts import cut_advice_lines
from famachat_ml_pipeline.agent.intents import Intent
from famachat_ml_pipeline.agent.intents_asks import WHY_ADVICE_ASKS
from famachat_ml_pipeline.agent.intents_numbers import parse_number
from famachat_ml_pipeline.agent.wording import Out, br_date, failed, leads_text, quoted, times_text
from famachat_ml_pipeline.core.recommendations import format_number
from famachat_ml_pipeline.core.recommendations.config import DEFAULT_CONFIG as DEFAULT_RECOMMENDATION_CONFIG
from famachat_ml_pipeline.core.vocab import GOOD_NEWS_ANOMALIES, INACTIVE_STATUSES, RECOMMENDATION_TYPES

# "e se eu não fizer nada?", where cuts are advised (without any, the savings answer says so alone)
INACTION_HEAD = "Se você não fizer nada, deixa de economizar o que as recomendações de corte estimam:"


def say_recommendations(intent: Intent, out: Out) -> list[str]:
    if intent.ask == "savings" and not failed(r := out.get("get_recommendations") or {}):
        # "quanto eu economizo se seguir as recomendações?": the cuts' weekly savings summed, first
        rows, currency = r.get("recommendations", []), out.get("_currency") or "BRL"
        d = out.get("get_campaign_details") or {}
        if intent.campaign_id and (msg := failed(d)):  # another account's, or none: said as the card says it
            return [msg]
        name = d.get("name")
        lines = savings_lines(rows, r.get("total", 0), currency, intent.campaign_id, name)
        if intent.metric == "inaction" and lines[0].startswith("Cerca de"):  # what doing nothing forgoes
            return [INACTION_HEAD, *lines]
        return lines
    if intent.campaign_id:  # "devo pausar a campanha 3?": that campaign's tier and recommendations
        d = out["get_campaign_details"]
        if msg := failed(d):
            return [msg]
        d = {**d, "cut_blockers": out.get("_cut_blockers") or []}
        if intent.ask in WHY_ADVICE_ASKS:  # "por que você recomenda reduzir a 11?": whether it does, first
            return [*_advice_why_lines(intent, d, out), *say_campaign_details(intent, out)[1:2]]
        if intent.metric == "scale":
            scale = _scale_answer(intent, d)
            if intent.ask == "how_much" and not scale[0].startswith("Não"):  # the step in money, first
                scale = [*_step_lines(d), *(x for x in scale if not x.startswith("Suba no máximo"))]
            elif intent.ask == "how_much":  # "quanto posso aumentar?" with a "Não": the cap said, for later
                later = [f"Quando for escalar: {x[0].lower()}{x[1:]}" for x in _step_lines(d)]
                scale = [scale[0], *later, *scale[1:]]
            # the card repeats the recommendations the verdict listed: once
            return list(dict.fromkeys([*scale, *say_campaign_details(intent, out)[1:]]))
        tier = tier_word(d)
        head = f"{quoted(d['name'])} ({d['campaign_id']}), tier {tier}: "
        if not d["active_recommendations"]:
            cut = _cut_answer(intent, d)  # "devo pausar a 11?": the verdict first, then no advice said
            return [
                *cut,
                head + "nenhuma recomendação ativa para ela agora." + ("" if cut else _weak_note(d)),
                *say_campaign_details(intent, out)[1:],
            ]
        return [
            *_cut_answer(intent, d),
            head + "recomendações ativas:",
            *(f"- {t}" for t in d["active_recommendations"]),
            *say_campaign_details(intent, out)[1:2],
        ]
    r = out["get_recommendations"]
    if intent.metric == "cut":
        return [*_first_cut_lines(out), *_all_cut_lines(intent, r), *_cut_lines(r, out)]
    if intent.metric == "scale" and intent.ask == "how_much" and "_budgets" in out:
        # "quanto devo aumentar?": the step in money of each campaign advised to scale, first
        ups = [x for x in r.get("recommendations", []) if x["type"] in SCALE_TYPES]
        steps = [
            f"- {line}"
            for x in ups
            for line in _step_lines(
                {"name": x["name"], "daily_budget": out["_budgets"].get(x["campaign_id"]), "named": True}
            )
        ]
        return [*steps, *_scale_lines(r, out)]
    if intent.metric == "scale":
        return _scale_lines(r, out)
    worry = intent.ask == "urgent" and intent.metric == "worry"
    alerts = worry_alert_lines(out.get("get_critical_anomalies")) if worry else []
    if not r.get("total"):  # "o que mais preocupa?" with no advice: its alerts still said
        return [*alerts, "Não há recomendações ativas para esta conta agora."]
    lines = [f"{r['total']} recomendações ativas; as principais:"]
    if intent.ask == "urgent":  # "qual a mais urgente?": the one first, the tie rule said
        lines[0:0] = [*alerts, *_urgent_lines(r, worry=worry, after_alerts=bool(alerts))]
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
    rows = (out.get("get_recommendations") or {}).get("recommendations", [])
    if intent.ask == "why_pause":  # "por que você recomenda pausar a 13?": a pause, not a budget cut
        return _pause_why_lines(d, rows)
    # no kind named ("por que você recomenda isso?"): any of its advice
    words, types = ADVICE_ASKED.get(intent.metric or "", ("", set(RECOMMENDATION_TYPES)))
    own = [x for x in rows if x["campaign_id"] == d["campaign_id"] and x["type"] in types]
    if own:
        return [f"O pipeline recomenda para {quoted(d['name'])}: {x['title']}." for x in own]
    if not words:
        return [f"{quoted(d['name'])} ({d['campaign_id']}) não tem recomendação ativa agora.{_weak_note(d)}"]
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


def _pause_why_lines(d: dict[str, Any], rows: list[dict[str, Any]]) -> list[str]:
    """ "Por que você recomenda pausar a 13?": the pause advice and its why when there is one; else that
    no pause is advised first, then the advice that is active for it (its why is its title)."""
    name = quoted(d["name"])
    own = [x for x in rows if x["campaign_id"] == d["campaign_id"]]
    if pauses := [x for x in own if x["type"] == "PAUSE_CAMPAIGN"]:
        return [f"O pipeline recomenda para {name}: {x['title']}." for x in pauses]
    who = f"{name} ({d['campaign_id']})"
    active = [x["title"] for x in own] or list(d.get("active_recommendations") or [])
    if not active and d.get("status") in INACTIVE_STATUSES:  # "por que pausar a 11?" of a paused one
        return [
            f"Não recomendo pausar {who}: ela já está parada (status {d['status']}) e não tem recomendação "
            "ativa."
        ]
    if not active:
        return [f"Não recomendo pausar {who}: ela não tem recomendação ativa agora.{_weak_note(d)}"]
    said = "; ".join(f"{t[0].lower()}{t[1:]}" for t in active)
    return [f"Não recomendo pausar {who}: a recomendação ativa é {said}."]


# advice that seizes a chance rather than fixing a problem: no worry ("o que mais preocupa?")
_CHANCES = {"BUDGET_INCREASE", "SCALE_UP", "REACTIVATE"}


WORRY_HEAD = "O que mais preocupa"
AFTER_ALERTS_HEAD = "Entre as recomendações, a mais urgente"


def worry_alert_lines(c: dict[str, Any] | None) -> list[str]:
    """The campaigns with an open CRITICAL alert that is a problem, each by its gravest and latest (the
    runs come so, each with its days), at most 5; [] when there is none."""
    latest: dict[str, dict[str, Any]] = {}
    for x in (c or {}).get("anomalies", []):
        if x["type"] not in GOOD_NEWS_ANOMALIES:
            latest.setdefault(x["campaign_id"], x)
    if not latest:
        return []
    n, shown = len(latest), list(latest.values())[:5]
    many = f"{n} campanhas com alerta" if n > 1 else "1 campanha com alerta"
    first = " (as 5 primeiras)" if n > 5 else ""
    return [
        f"{WORRY_HEAD}: {many} de severidade CRITICAL aberto desde {br_date(c['since'])}{first}:",
        *(anomaly_line(x) for x in shown),
    ]


def _urgent_lines(r: dict[str, Any], worry: bool = False, after_alerts: bool = False) -> list[str]:
    """ "Qual recomendação é mais urgente?": the first by the stored priority (1 a 10, 10 = mais urgente,
    the seed's scale); on a tie, the pipeline's own order, the higher confidence first. `worry` ("o que
    mais preocupa?"): the first that fixes a problem (a budget increase was said to worry), headed as
    the advice after the alerts when `worry_alert_lines` led."""
    rows = r["recommendations"]
    problems = [x for x in rows if x["type"] not in _CHANCES] if worry else rows
    rows = problems or rows
    top = rows[0]
    tied = [x for x in rows if x["priority"] == top["priority"]]
    impact = f" Impacto esperado: {top['expected_impact']}." if top.get("expected_impact") else ""
    head = AFTER_ALERTS_HEAD if after_alerts else WORRY_HEAD if worry and problems else "A mais urgente"
    lines = [
        f"{head}: {top['title']} — {quoted(top['name'])} ({top['campaign_id']}), prioridade "
        f"{top['priority']} de 10.{impact}"
    ]
    if worry and not problems:
        lines.append("Nenhuma recomendação ativa corrige um problema: todas são para escalar ou reativar.")
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
    who = f"{quoted(d['name'])}: no" if d.get("named") else "No"
    return [
        f"{who} máximo {step} por vez: de {budget} para {after} por dia (+{plus}), o passo máximo do "
        "pipeline (a orientação da própria Meta); reavalie o CPL por alguns dias antes do próximo passo."
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
            x = times_text(ratio)
            far = (
                f" O CPL dela ({d['cpl_7d']}) é {x} o da conta ({d['account_cpl_7d']}): se não quiser "
                "esperar o efeito da redução, pausar também se justifica."
            )
        return [
            f"Reduzir o orçamento, não pausar: é o que o pipeline recomenda para {quoted(d['name'])}.{far}"
        ]
    if types & set(SCALE_TYPES):
        return [f"Não: o pipeline recomenda escalar {quoted(d['name'])}, não cortar."]
    return _no_cut_answer(d)


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
        verdict = "Com cautela" if d.get("scale_blockers") and not scale else "Sim"
    elif cut or tier in {"UNDERPERFORMER", "LOW"} or ratio is None or ratio >= 1:
        verdict = "Não"
    else:
        verdict = "Com cautela"
    vs = (
        f"CPL {d['cpl_7d']} nos 7 dias, {times_text(ratio)} o da conta ({d['account_cpl_7d']})"
        if ratio is not None
        else f"sem leads nos 7 dias ({d.get('spend_7d') or '-'} gastos)"
    )
    rec = (
        "há recomendação ativa de escalar (SCALE_UP/BUDGET_INCREASE)"
        if scale
        else "não há recomendação ativa de escalar (SCALE_UP/BUDGET_INCREASE)"
    )
    if not scale and d.get("scale_blockers"):
        rec += " porque " + "; ".join(d["scale_blockers"])
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
    lines = [f"{verdict}: {quoted(d['name'])} ({d['campaign_id']}) está no tier {tier_word(d)}, {vs}; {rec}."]
    asked = intent.threshold
    if verdict != "Não" and asked is not None and asked > MAX_STEP:
        lines.append(
            f"Mas não {_pct(asked)} de uma vez: suba no máximo {_pct(MAX_STEP)} por vez (o limite de passo "
            f"de orçamento do pipeline, para não reiniciar a fase de aprendizado da "
            f"Meta); depois de alguns dias, reavalie e suba mais {_pct(MAX_STEP)}."
        )
    elif verdict != "Não":
        lines.append(f"Suba no máximo {_pct(MAX_STEP)} por vez e reavalie o CPL.")
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
        f"Ao escalar, suba no máximo {_pct(MAX_STEP)} do orçamento por vez (a orientação da própria Meta).",
    ]


def _first_cut_lines(out: Out) -> list[str]:
    """ "Qual eu pauso primeiro?": the campaign that cost the most beyond its leads' worth at the account's
    CPL, first; the advice follows (a pause may be held behind an alert: said there)."""
    if "_first_cut" not in out:
        return []
    f = out["_first_cut"]
    if f is None:
        return [
            "Nenhuma campanha ativa gastou mais do que os leads dela custariam ao CPL da conta nos 7 dias."
        ]
    day = br_date(str(f["as_of"]))
    return [
        f"Primeiro: {quoted(f['name'])} ({f['campaign_id']}), {f['spend']} nos 7 dias até {day} com "
        f"{leads_text(f['leads'])}, {f['excess']} a mais do que esses leads custariam ao CPL da conta "
        f"({f['account_cpl']}), o maior excesso entre as ativas. As recomendações:"
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
            advice += [campaign_line(c) + vs_account_note(c) + _no_cut_why(c) + "." for c in rest]
        return advice
    cuts = [x for x in r.get("recommendations", []) if x["type"] in CUT_TYPES]
    if cuts:
        lines = [f"{len(cuts)} recomendações ativas de pausa ou redução de orçamento:"]
        lines += [f"- [{x['priority']}] {x['title']} — {quoted(x['name'])}." for x in cuts]
    else:
        lines = ["Nenhuma recomendação ativa de pausa ou redução de orçamento agora."]
    return [*lines, *say_underperformers(Intent("underperformers"), out)]


def _all_cut_lines(intent: Intent, r: dict[str, Any]) -> list[str]:
    """ "Devo desligar tudo?": Não first, with the pauses the pipeline does advise (none, or which)."""
    if intent.ask != "all" or failed(r):
        return []
    pauses = [x for x in r.get("recommendations", []) if x["type"] == "PAUSE_CAMPAIGN"]
    if not pauses:
        return [
            "Não: nenhuma campanha tem recomendação de pausa agora; desligar tudo cortaria também os leads "
            "das que rendem. O que os dados indicam cortar:"
        ]
    n = len(pauses)
    which = ", ".join(quoted(x["name"]) for x in pauses)
    return [
        f"Não tudo: o pipeline recomenda pausar {n} campanha{'s' if n != 1 else ''} ({which}), "
        "não a conta inteira. O que os dados indicam cortar:"
    ]


def _no_cut_why(c: dict[str, Any]) -> str:
    """ " Sem pausa nem corte: ..." from the tool's cut_blockers; "" when it names none."""
    why = c.get("cut_blockers") or []
    return f". Sem pausa nem corte: {'; '.join(why)}" if why else ""


# a campaign's CPL this many times the account's is far above it, recommendation or not
FAR_ABOVE = 2.0


def _weak_why(d: dict[str, Any]) -> str:
    """Why a campaign with no cut advice may still deserve a pause or a smaller budget: its tier is
    critical or its CPL is far above the account's (the rules recommend only on a rising CPL or no lead);
    "" when neither."""
    ratio = d.get("cpl_vs_account")
    far = ratio is not None and ratio >= FAR_ABOVE
    if d.get("tier") != "UNDERPERFORMER" and not far:
        return ""
    why = ["está no tier crítico"] if d.get("tier") == "UNDERPERFORMER" else []
    if ratio is not None:
        why.append(f"o CPL dela ({d['cpl_7d']}) é {_times(ratio)} o da conta ({d['account_cpl_7d']})")
    return " e ".join(why)


def _times(ratio: float) -> str:
    return times_text(ratio)


def _weak_note(d: dict[str, Any]) -> str:
    why = _weak_why(d)
    if why and (held := d.get("cut_blockers")):  # what the pause list says of it: no "vale considerar"
        return f" Mas {why}; sem pausa nem corte: {'; '.join(held)}."
    return f" Mas {why}: vale considerar pausar ou reduzir o orçamento." if why else ""


def _no_cut_answer(d: dict[str, Any]) -> list[str]:
    """ "Devo pausar a 2?" with no pause nor budget cut advised: the verdict first, "vale considerar" when
    the campaign is critical or far above the account's CPL, else "Não" with its CPL against the account's."""
    name = quoted(d["name"])
    if (why := _weak_why(d)) and (held := d.get("cut_blockers")):
        # held back as the pause list says ("sem pausa nem corte"): not yet, and why
        return [
            f"Ainda não: o pipeline não recomenda pausar {name} agora; ela {why}, mas sem pausa nem corte: "
            f"{'; '.join(held)}."
        ]
    if why:
        return [
            f"Vale considerar pausar ou reduzir o orçamento: o pipeline não recomenda pausar {name} agora, "
            f"mas ela {why}."
        ]
    ratio = d.get("cpl_vs_account")
    cpl = (
        f"; o CPL dela ({d['cpl_7d']}) é {_times(ratio)} o da conta ({d['account_cpl_7d']})"
        if ratio is not None
        else ""
    )
    return [f"Não: o pipeline não recomenda pausar nem reduzir {name}{cpl}."]
