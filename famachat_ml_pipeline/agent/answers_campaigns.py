"""One campaign's answers: its line in a list (7-day figures, tier, CPL against the account's), its card
(status, budget, the day or period asked, 7 and 30 days, advice, open anomalies), whether to reactivate
it, yes/no judgements of its CPL and leads, whether it is paused, and a name not found."""

from __future__ import annotations

from typing import Any

from famachat_ml_pipeline.agent.answers_anomalies import anomaly_block, serious_lines
from famachat_ml_pipeline.agent.answers_campaign_day import day_judged_lines
from famachat_ml_pipeline.agent.answers_history import paused_back_lines, reactivations_lines
from famachat_ml_pipeline.agent.answers_performance import metric_asked
from famachat_ml_pipeline.agent.answers_periods import (
    day_or_period_asked,
    days_lines,
    first_figure,
    period_lines,
    periods_lines,
)
from famachat_ml_pipeline.agent.answers_trends import why_parts
from famachat_ml_pipeline.agent.answers_verdicts import saturation_lines
from famachat_ml_pipeline.agent.answers_vs_account import (
    leads_stopped_lines,
    share_lines,
    stopped_lines,
    stopped_why_lines,
    vs_account_lines,
    without_lines,
)
from famachat_ml_pipeline.agent.intents import WHICH_CAMPAIGN, Intent
from famachat_ml_pipeline.agent.intents_numbers import numbers_in
from famachat_ml_pipeline.agent.wording import (
    Out,
    br_date,
    br_span,
    failed,
    freq,
    leads_text,
    period_in,
    quoted,
    times_text,
)
from famachat_ml_pipeline.core.recommendations.text_ptbr import format_money
from famachat_ml_pipeline.core.vocab import INACTIVE_STATUSES

TIER_PT = {
    "HIGH_PERFORMER": "alta performance",
    "MODERATE": "moderado",
    "LOW": "baixo",
    "UNDERPERFORMER": "crítico",
}


def campaign_line(c: dict[str, Any]) -> str:
    cpl = c.get("cpl_7d") or "sem leads"
    return (
        f"- {quoted(c['name'])} ({c['campaign_id']}): {c.get('spend_7d') or '-'} gastos, "
        f"{leads_text(c.get('leads_7d'))}, CPL {cpl}"
    )


def tier_word(x: dict[str, Any]) -> str:
    return TIER_PT.get(x["tier"] or "", "sem classificação")


def shown_note(c: dict[str, Any]) -> list[str]:
    """ "(mostrando 20 de 35)" under a list the tool cut."""
    return [f"(mostrando {len(c['campaigns'])} de {c['total']})"] if c["total"] > len(c["campaigns"]) else []


def spend_value(c: dict[str, Any]) -> float:
    """A row's 7-day spend as a number (it arrives formatted: "R$ 0,00" is a non-empty string)."""
    found = numbers_in(c.get("spend_7d") or "0")
    return found[-1] if found else 0.0


def vs_account_note(c: dict[str, Any]) -> str:
    if not c.get("leads_7d") and c.get("spend_7d"):
        return f". Gastou sem gerar leads (CPL da conta: {c.get('account_cpl_7d') or '-'})"
    if c.get("cpl_vs_account"):
        return f". CPL {times_text(c['cpl_vs_account'])} o da conta ({c.get('account_cpl_7d') or '-'})"
    return ""


def seven_days_first(intent: Intent, d: dict[str, Any], out: Out) -> list[str]:
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


def campaign_head(d: dict[str, Any]) -> str:
    tier = tier_word(d)
    return (
        f"{quoted(d['name'])} ({d['campaign_id']}), status {d['status']}, tier {tier}, orçamento diário "
        f"{d['daily_budget'] or 'não definido'}."
    )


def say_campaign_details(intent: Intent, out: Out) -> list[str]:
    d = out["get_campaign_details"]
    if msg := failed(d):
        return [msg]
    if "_leads_stopped" in out:  # "a 12 parou de gerar lead?": its leads' last day, and who it is
        return [*leads_stopped_lines(out["_leads_stopped"]), campaign_head(d)]
    if "_stopped" in out and intent.ask == "stopped_why":
        # "por que a 9 parou?": what its status says of why, and its open alerts (a "gasto zerado")
        anomalies = anomaly_block({"anomalies": d["open_anomalies"]})
        return [*stopped_why_lines(out["_stopped"], d["status"]), campaign_head(d), *anomalies]
    if "_stopped" in out:  # "a 5 parou de gastar?": yes or no from its last days, and who it is
        said = stopped_lines(out["_stopped"], running=intent.ask == "running")
        if intent.ask == "stopped_since" and said and said[0].startswith("Sim: "):
            said[0] = said[0].removeprefix("Sim: ")  # "desde quando tá parada?" asks a day, not a Sim
        return [*said, campaign_head(d)]
    if "_vs_account" in out:  # "quanto custa um lead na 4 comparado com a média?": that, and who it is
        said = {"share": share_lines, "without": without_lines}.get(intent.ask or "", vs_account_lines)
        return [*said(intent, out["_vs_account"]), campaign_head(d)]
    who = f", {quoted(d['name'])}"
    # a day or period asked ("qual o CPL da campanha 12 ontem?"): its figures first, the figure asked
    # (leads, CPL) leading them as for the account, the status after
    first = first_figure(intent)
    lines = [*days_lines(out, who, first), *period_lines(out, who, first), campaign_head(d)]
    # "qual o cpm da campanha 4?": that rate of its days asked (its 7 days when none was), said first
    # (a period's CTR is in its figures' line already; a day's line has none: "qual o ctr da campanha 4
    # ontem?" says that day's)
    day_ctr = intent.metric == "ctr" and out.get("_day_figures") is not None and not out.get("_days_asked")
    if intent.metric in {"cpm", "cpc", "cvr"} or day_ctr:
        lines[0:0] = metric_asked(intent, out, f"de {quoted(d['name'])}")
    lines[0:0] = seven_days_first(intent, d, out)
    # "a campanha 4 tá saturando?": yes / no / not clear first; "qual a frequência da 4?": the figure first
    lines[0:0] = saturation_lines(out, value_first=intent.ask == "frequency_value")
    if intent.ask == "daily_budget":  # "qual o orçamento diário da campanha 3?": the budget first
        budget = d.get("daily_budget")
        lines[0:0] = [
            f"Orçamento diário de {quoted(d['name'])}: {budget}."
            if budget and budget != "-"
            else f"{quoted(d['name'])} não tem orçamento diário na campanha (fica no conjunto de "
            f"anúncios ou é "
            "vitalício), que não tenho."
        ]
    if "_periods" in out:  # "campanha 12 semana passada vs retrasada": its two periods first
        lines[0:0] = periods_lines(out, who, intent.metric)
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
        # "o alerta da 12 é grave?" (or "é grave?" after her alerts): Sim/Não by their severity, first
        among = f" (nas {shown} mais recentes das {n} abertas)" if shown < n else ""
        lines[0:0] = serious_lines(
            intent, {"anomalies": d["open_anomalies"]}, f"em {quoted(d['name'])}{among}"
        )
        premise, why = why_parts(intent, out, out.get("analyze_trends") or {})
        # "por que o CPL da campanha 20 subiu?", "por que a 13 está tão cara?" (or "e a campanha 20?" after
        # it): the why before the list
        at = 0 if intent.metric in {"cpl_up", "cpl_high"} else 1 + len(d["open_anomalies"])
        lines[at:at] = why
        lines[0:0] = premise
    if intent.keyword == "performance" and (intent.metric or "").startswith("cpl_judge") and d.get("as_of"):
        lines.insert(0, _cpl_judge(d, high=intent.metric == "cpl_judge_high"))
    if intent.keyword == "underperformers" and intent.metric == "no_leads" and d.get("as_of"):
        lines.insert(0, _no_leads_judge(d))
    if "_reactivation" in out:  # "vale reativar a 31?": the judgement first, the card after
        lines[0:0] = _reactivation_lines(d, out["_reactivation"])
    if "_day_judged" in out:  # "o que aconteceu com a campanha 9 ontem?": the day against its own, first
        lines[0:0] = day_judged_lines(d["name"], out["_day_judged"])
    if day_or_period_asked(out) and intent.keyword != "anomalies":
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
            else f"o CPL dela era {r['gap_text']} {side} do da conta nesses mesmos dias: pelos dados, "
            f"{_REACTIVATE[band]}"
        )
    tail = "" if active else " É o histórico dela; como iria hoje, não dá para saber."
    if active:
        return [*lines, f"{verdict[0].upper()}{verdict[1:]}{tail}"]
    # "vale a pena reativar a 13?": Sim/Não first, from the same band the verdict reads
    yes = gap is not None and gap <= -NEAR_ACCOUNT_PCT
    return [f"{'Sim' if yes else 'Não'}: {verdict}{tail}", *lines, *_advice_window_line(r)]


def _advice_window_line(r: dict[str, Any]) -> list[str]:
    """The REACTIVATE advice's "x% abaixo da média" weighs the same CPL against the account's last 30 days,
    not the days she ran: that comparison said with its window, so the two percentages do not read as a
    contradiction (was "23% abaixo" beside the advice's "28% abaixo da média", unexplained)."""
    now, gap = r["account_now"], r.get("gap_now")
    if gap is None or not now.get("cpl"):
        return []
    side = "abaixo" if gap <= 0 else "acima"
    span = br_span(now["first_day"], now["last_day"])
    return [
        f"Contra o CPL atual da conta (últimos 30 dias, {span}: {now['cpl']}), a referência da "
        f"recomendação do pipeline, o dela fica {r['gap_now_text']} {side}."
    ]


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
    level = 0 if ratio <= 1 else 1 if ratio < 1.3 else 2
    word = ("Não", "Um pouco", "Sim")[level] if high else ("Sim", "Razoável", "Não")[level]
    x = times_text(ratio)
    return f"{word}: CPL {d['cpl_7d']} nos 7 dias, {x} o CPL da conta ({d['account_cpl_7d']})."


def _no_leads_judge(d: dict[str, Any]) -> str:
    """ "A campanha 27 tá gastando sem gerar lead?": yes or no from its 7 days."""
    leads = d.get("leads_7d") or 0
    if leads:
        when = f"em 7 dias até {br_date(d['as_of'])}"
        return f"Não: {leads_text(leads)} {when}, com {d['spend_7d'] or '-'} gastos."
    if (d.get("spend_7d") or "-") != "-" and spend_value(d) > 0:
        return f"Sim: {d['spend_7d']} gastos em 7 dias até {br_date(d['as_of'])} sem nenhum lead."
    return f"Não: {quoted(d['name'])} não gastou nos 7 dias até {br_date(d['as_of'])}."


def say_campaign_not_found(intent: Intent, out: Out) -> list[str]:
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
        not_here(intent.names[:1]) or "Não encontrei campanha com esse nome nesta conta.",
        f"Campanhas da conta (mais gasto primeiro): {names}" + (f" e mais {more}." if more > 0 else "."),
    ]


def not_here(names: tuple[str, ...]) -> str | None:
    """ "Não encontrei a Campanha 4 nesta conta.": the campaigns asked by number that the account does not
    have, named; None when no number was asked (a name not found is said as such by the caller)."""
    numbers = [n.split()[0] for n in names if n.split() and n.split()[0].isdigit()]
    if not numbers:
        return None
    listed = " nem a ".join(f"Campanha {n}" for n in numbers)
    return f"Não encontrei a {listed} nesta conta."


def _paused_in_period(c: dict[str, Any], out: Out) -> list[str] | None:
    """ "Quanto gastei com as pausadas esse mês?": the paused campaigns' spend and leads of the day or
    period asked (from the source: one paused since counts the days it ran), their total first; None when
    no day or period was read."""
    ranking = out.get("_ranking")
    period = out.get("_period")
    if ranking is None:
        return None
    span = br_span(ranking["first_day"], ranking["last_day"])
    when = f"{period_in(period.label)} ({span})" if period is not None else f"em {span}"
    by_id = {r["campaign_id"]: r for r in ranking["campaigns"]}
    spent = [(x, r) for x in c["campaigns"] if (r := by_id.get(x["campaign_id"])) and r["spend_v"] > 0]
    total = format_money(sum(r["spend_v"] for _, r in spent), ranking["currency"])
    leads = leads_text(sum(r["leads"] for _, r in spent))
    n = c["total"]
    who = f"As {n} campanhas pausadas (ou inativas) gastaram" if n != 1 else "A campanha pausada gastou"
    lines = [f"{who} {total} {when}, com {leads}."]
    lines += [
        f"- {quoted(x['name'])} ({x['campaign_id']}): {r['spend']} gastos, {leads_text(r['leads'])}, CPL "
        f"{r['cpl'] or 'sem leads'}; {x['status'] or '-'}"
        for x, r in spent
    ]
    return lines


def say_paused(intent: Intent, out: Out) -> list[str]:
    """ "Quais campanhas estão pausadas?" names them; "a campanha 60 tá pausada?" says yes or no first;
    "as pausadas voltaram?" whether any spent again (answers_history)."""
    if "_paused_back" in out:
        return paused_back_lines(out)
    if "_reactivations" in out:  # "tem alguma pausada que vale religar?"
        return reactivations_lines(out)
    if intent.campaign_id:
        d = out["get_campaign_details"]
        if msg := failed(d):
            return [msg]
        yes = "Sim" if d.get("status") in INACTIVE_STATUSES else "Não"
        return [
            f"{yes}: {quoted(d['name'])} está com status {d['status'] or '-'}.",
            *say_campaign_details(intent, out),
        ]
    c = out["list_campaigns"]
    if not c["total"]:
        return ["Nenhuma campanha pausada (ou inativa) nesta conta."]
    if (period := _paused_in_period(c, out)) is not None:
        return period
    lines = [
        f"{c['total']} campanha{'s' if c['total'] != 1 else ''} pausada{'s' if c['total'] != 1 else ''} "
        f"(ou inativa{'s' if c['total'] != 1 else ''}) nesta conta:"
    ]
    lines += [f"{campaign_line(x)}; {x['status'] or '-'}" for x in c["campaigns"]]
    return lines + shown_note(c)
