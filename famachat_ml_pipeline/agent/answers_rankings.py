"""The campaigns listed and ranked: the tiers ("quais estão indo mal?", "a pior", "as 3 melhores"), the
ones that spent with no lead, the list by spend, the ranking by a day's or period's figures ("qual
campanha gastou mais ontem?"), by the 7-day CPL or CTR, and past a CPL asked ("CPL acima de R$ 50")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from famachat_ml_pipeline.agent.answers_campaigns import (
    campaign_line,
    shown_note,
    spend_value,
    tier_word,
    vs_account_note,
)
from famachat_ml_pipeline.agent.answers_idle import idle_lines
from famachat_ml_pipeline.agent.answers_periods import day_lines, period_lines
from famachat_ml_pipeline.agent.answers_vs_account import delivery_lines, stopped_which_lines
from famachat_ml_pipeline.agent.intents import Intent
from famachat_ml_pipeline.agent.intents_numbers import numbers_in
from famachat_ml_pipeline.agent.wording import Out, br_date, br_span, days_text, leads_text, period_in, quoted
from famachat_ml_pipeline.core.recommendations.text_ptbr import format_money, format_number, format_pct


def _worst_first(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Worst 7-day CPL first: the ones that spent with no lead (most spent first), then the highest CPL."""
    idle = sorted(
        (c for c in rows if not c.get("leads_7d") and spend_value(c) > 0), key=lambda c: -spend_value(c)
    )
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
        + (
            vs_account_note(worst)
            if worst.get("leads_7d")
            else f" (CPL da conta: {worst.get('account_cpl_7d') or '-'})"
        )
        + "."
    ]
    return lines + _tier_list(rows, u["total"], "do tier crítico (UNDERPERFORMER), do pior CPL ao melhor")


def zero_run_lines(runs: list[dict[str, Any]] | None) -> list[str]:
    """The campaigns with leads in the 7 days whose last days spent with none (`zero_lead_runs`)."""
    if not runs:
        return []
    return [
        "Com lead nos 7 dias, mas gastando sem lead nos últimos dias:",
        *(
            f"- {quoted(x['name'])} ({x['campaign_id']}): sem lead desde {br_date(x['since'].isoformat())} "
            f"({days_text(x['days'])}), {x['spend']} gastos nesses dias (CPL dos 7 dias: {x['cpl_7d']})"
            for x in runs
        ),
    ]


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
        f"{x['status'] or '-'}, tier {tier_word(x)}"
        for x in c["campaigns"]
    ]
    return lines + shown_note(c)


def say_underperformers(intent: Intent, out: Out) -> list[str]:
    if intent.metric == "no_leads" and out.get("_idle"):
        return idle_lines(out["_idle"])
    if intent.metric == "no_leads":
        return [*_say_no_leads(out["list_campaigns"]), *zero_run_lines(out.get("_zero_runs"))]
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
        lines.append(campaign_line(c) + vs_account_note(c) + ".")
    return lines


def say_top(intent: Intent, out: Out) -> list[str]:
    if (ranked := _ranking_lines(intent, out)) is not None:
        return ranked
    t, h = out["get_top_campaigns"], out["get_high_performers"]
    if intent.metric == "best" and h.get("campaigns"):
        if best_n := _best_n_lines(intent, h, out.get("list_campaigns") or {}):
            return [*_say_best(h)[:1], *best_n]
        return _say_best(h)
    lines = [f"Campanhas com mais leads nos 7 dias até {br_date(t['as_of'])}:"]
    lines += [campaign_line(c) for c in t["campaigns"]]
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
        f"gastos, {leads_text(best['leads_7d'])}){vs_account_note(best)}."
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
        *(f"{campaign_line(c)}; tier {tier_word(c)}{vs_account_note(c)}." for c in picked),
        *short,
    ]


def _tier_list(rows: list[dict[str, Any]], total: int, which: str) -> list[str]:
    """The tier's first five campaigns in `rows`' order after the one named, when there is more than one."""
    if len(rows) <= 1:
        return []
    lines = [
        f"As {total} campanhas {which}:",
        *(campaign_line(c) + vs_account_note(c) + "." for c in rows[:5]),
    ]
    return lines + ([f"(mostrando 5 de {total})"] if total > 5 else [])


def say_list_campaigns(intent: Intent, out: Out) -> list[str]:
    if "_stopped_which" in out:  # "tem campanha ativa sem gastar?": those, not the whole list
        return stopped_which_lines(out["_stopped_which"])
    if "_delivering" in out:  # "tá entregando?": the last complete day's delivery, the stopped named
        return delivery_lines(out["_delivering"])
    if intent.metric in {"spend", "spend_low"} and (ranked := _ranking_lines(intent, out)) is not None:
        return ranked
    c = out["list_campaigns"]
    which = "campanhas ativas" if intent.metric == "active" else "campanhas"
    lines = [f"{c['total']} {which} nesta conta (mais gasto nos 7 dias até {br_date(c['as_of'])} primeiro):"]
    if intent.metric == "spend" and intent.threshold is not None:  # "gastaram mais de R$ 500?" (7 days)
        over = [x for x in c["campaigns"] if spend_value(x) > intent.threshold]
        limit, n = out.get("_threshold") or str(intent.threshold), len(over)
        when = f"nos 7 dias até {br_date(c['as_of'])}"
        if not over:
            return [f"Nenhuma campanha gastou mais de {limit} {when}."]
        head = f"{n} campanha{'s' if n != 1 else ''} gast{'aram' if n != 1 else 'ou'} mais de {limit} {when}:"
        return [head, *(campaign_line(x) for x in over), *shown_note(c)]
    if intent.metric == "spend" and c["campaigns"]:  # "qual campanha gasta mais?": the answer first
        lines.insert(0, f"A campanha que mais gastou nos 7 dias: {campaign_line(c['campaigns'][0])[2:]}.")
    for x in c["campaigns"]:
        tier = tier_word(x)
        lines.append(f"{campaign_line(x)}; {x['status'] or '-'}, tier {tier}")
    return lines + shown_note(c)


def _cpl_limit_lines(intent: Intent, out: Out) -> list[str]:
    """ "Quais campanhas têm CPL acima de R$ 50?": exactly the campaigns past that 7-day CPL, or none;
    above it, the ones that spent with no lead are said apart (no CPL, but worse than any)."""
    c = out["list_campaigns"]
    above = intent.metric != "cpl_below"
    limit = out.get("_threshold") or str(intent.threshold)
    where = f"{'acima' if above else 'abaixo'} de {limit}"
    if intent.ask == "vs_account":  # "acima da média": the account's own 7-day CPL is the line
        where = f"{'acima' if above else 'abaixo'} do CPL da conta ({limit}, gasto total ÷ leads totais)"
    elif (intent.ask or "").startswith("vs_account:"):  # "acima do dobro da média": that multiple of it
        times = intent.ask.partition(":")[2].replace(".", ",")
        acct = out.get("_account_cpl")
        of = f"; CPL da conta {acct[1]}, gasto total ÷ leads totais" if acct else ""
        where = f"{'acima' if above else 'abaixo'} de {times}x o CPL da conta ({limit}{of})"
    when = f"nos 7 dias até {br_date(c['as_of'])}"
    if not c["total"]:
        lines = [f"Nenhuma campanha teve CPL {where} {when}."]
    else:
        n = c["total"]
        lines = [f"{n} campanha{'s' if n != 1 else ''} com CPL {where} {when}:"]
        lines += [campaign_line(x) for x in c["campaigns"]] + shown_note(c)
    if intent.ask == "account_too" and (acct := out.get("_account_cpl")):
        # "o cpl tá acima de 25?": the account's own CPL answers it, the campaigns past it after
        past = acct[0] > intent.threshold if above else acct[0] < intent.threshold
        word = "Sim" if past else "Não"
        side = (
            "acima" if acct[0] > intent.threshold else "abaixo" if acct[0] < intent.threshold else "igual a"
        )
        lines.insert(0, f"{word}: o CPL da conta {when} foi {acct[1]}, {side} de {limit}. Por campanha:")
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
    # "qual campanha gastou menos?": among those that spent (one that did not run is no answer)
    "spend_low": ("que menos gastou (entre as que gastaram)", "spend_v", False),
    "leads": ("com mais leads", "leads", True),
    "leads_low": ("com menos leads (entre as que gastaram)", "leads", False),
    "cpl_high": ("com o maior CPL", "cpl_v", True),
    "cpl_low": ("com o menor CPL", "cpl_v", False),
    "ctr_high": ("com o maior CTR", "ctr_v", True),
    "ctr_low": ("com o menor CTR", "ctr_v", False),
    "cpm_high": ("com o maior CPM (gasto por mil impressões)", "cpm_v", True),
    "cpm_low": ("com o menor CPM (gasto por mil impressões)", "cpm_v", False),
    "cpc_high": ("com o maior CPC (gasto por clique)", "cpc_v", True),
    "cpc_low": ("com o menor CPC (gasto por clique)", "cpc_v", False),
    "impressions": ("com mais impressões", "impressions", True),
    "clicks": ("com mais cliques", "clicks", True),
    # "as 2 piores / melhores campanhas em outubro": by the period's CPL (its spend / its leads)
    "worst": ("com o pior CPL", "cpl_v", True),
    "best": ("com o melhor CPL", "cpl_v", False),
}


def _rank_kind(intent: Intent) -> str:
    """What a day's or period's ranking sorts by: the spend listed, the leads of a top, the CPL of the
    best or worst asked (not the tiers, which are of the last 7 days), else the rate asked."""
    if intent.metric in {"worst", "best"}:
        return intent.metric
    if intent.name == "top" and intent.metric == "leads_low":
        return "leads_low"
    if intent.name == "list_campaigns" and intent.metric == "spend_low":
        return "spend_low"
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
        return [*day_lines(out), *period_lines(out)]
    kind = _rank_kind(intent)
    words, key, desc = RANK_PT[kind]
    if out.get("_day") is not None:
        when = f"em {br_date(r['first_day'].isoformat())}"
        if out.get("_day_status") == "today":
            when += " (hoje, parcial: o dia ainda não terminou)"
    else:
        period, span = out["_period"], br_span(r["first_day"], r["last_day"])
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
        when = f"{period_in(period.label)} ({span}, {days_text(r['days'])}{notes})"
    rows = [x for x in r["campaigns"] if x[key] is not None and (key != "spend_v" or x[key] > 0)]
    if kind == "leads_low":  # a campaign that spent nothing brought no lead by not running: left out
        rows = [x for x in rows if x["spend_v"] > 0]
    rows.sort(key=lambda x: (-x[key] if desc else x[key], x["campaign_id"]))
    aside = r.get("set_aside") or 0
    note = [f"Sem {days_text(aside)} de campanha cujos dados a fonte trouxe inválidos."] if aside else []
    idle = _idle_lines(kind, r["campaigns"], when.split(" (")[0])
    if not rows:
        what = "gasto" if kind == "spend" else "leads"
        return [f"Nenhuma campanha teve {what} {when}.", *idle, *note]

    def line(x: dict[str, Any]) -> str:
        ctr = f"CTR {x['ctr']}, " if kind.startswith("ctr") else ""  # the rate ranked, first
        ctr = f"CPM {x['cpm']}, " if kind.startswith("cpm") else ctr
        ctr = f"CPC {x['cpc']}, " if kind.startswith("cpc") else ctr
        if kind in {"impressions", "clicks"}:  # the count ranked, first
            ctr = f"{format_number(x[kind], 0)} {'impressões' if kind == 'impressions' else 'cliques'}, "
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

    if intent.ask == "each":  # "gasto por campanha ontem": every campaign that spent, the account's sum first
        return [*_each_lines(r, when), *(f"- {line(x)}" for x in rows), *note]
    if kind == "worst" and (worst := _idle_first_lines(intent, r["campaigns"], rows, when, line)):
        return worst + note
    lines = [f"A campanha {words} {when}: {line(rows[0])}."]
    if len(rows) > 1 and intent.limit != 1:
        lines += ["Em seguida:", *(f"- {line(x)}" for x in rows[1 : intent.limit or 5])]
    return lines + idle + _account_rate_line(kind, rows, r["campaigns"], r.get("currency") or "BRL") + note


def _each_lines(r: dict[str, Any], when: str) -> list[str]:
    """The head of "gasto por campanha ontem": the account's sum of the campaigns listed under it, and how
    many spent nothing (left out of the list)."""
    spent = [x for x in r["campaigns"] if (x["spend_v"] or 0) > 0]
    spend = sum(x["spend_v"] for x in spent)
    leads = sum(int(x["leads"] or 0) for x in r["campaigns"])
    currency = r.get("currency") or "BRL"
    cpl = format_money(spend / leads, currency) if leads else "sem leads"
    idle = len(r["campaigns"]) - len(spent)
    rest = f"; {idle} sem gasto, fora da lista" if idle else ""
    return [
        f"Por campanha {when}, {len(spent)} com gasto, mais gasto primeiro (a conta: "
        f"{format_money(spend, currency)} investidos, "
        f"{leads_text(leads)}, CPL {cpl}{rest}):"
    ]


def _account_rate_line(
    kind: str, rows: list[dict[str, Any]], campaigns: list[dict[str, Any]], currency: str
) -> list[str]:
    """ "CPM da conta no mesmo período: R$ 21,36; 5 de 14 campanhas acima dele.": the reference a
    campaign's CPM (CPC) is dear or cheap against (all the account's spend over all its impressions, or
    clicks), for a CPM or CPC ranking only."""
    rate = kind[:3]
    if rate not in {"cpm", "cpc"}:
        return []
    base, per, what = ("impressions", 1000.0, "impressões") if rate == "cpm" else ("clicks", 1.0, "cliques")
    count = sum(x[base] for x in campaigns)
    if not count:
        return []
    account = sum(x["spend_v"] for x in campaigns) / count * per
    above = sum(1 for x in rows if x[f"{rate}_v"] > account)
    return [
        f"{rate.upper()} da conta no mesmo período: {format_money(account, currency)}; {above} de "
        f"{len(rows)} campanhas com {what} acima dele."
    ]


def _ctr_rank_lines(intent: Intent, c: dict[str, Any], trends: dict[str, Any] | None = None) -> list[str]:
    """ "Qual campanha tem o melhor CTR?": the campaigns with impressions in the 7 days by their CTR, the
    highest (or lowest) first, each with its CPL beside it (a high CTR without cheap leads is no win); the
    account's CTR of the same 7 days after, the reference a campaign's CTR is "ruim" or "bom" against."""
    rated = [x for x in c["campaigns"] if x.get("ctr_7d")]
    high = intent.metric == "ctr_high"
    rated.sort(key=lambda x: numbers_in(x["ctr_7d"])[-1], reverse=high)
    if not rated:
        return ["Nenhuma campanha teve impressões nos últimos 7 dias: não há CTR para comparar."]
    if intent.threshold is not None:
        return _ctr_limit_lines(intent, rated, c) + _account_ctr_line(rated, c, trends)

    def line(x: dict[str, Any]) -> str:
        cpl = x.get("cpl_7d") or "sem leads"
        return f"{quoted(x['name'])} ({x['campaign_id']}): CTR {x['ctr_7d']}, CPL {cpl}"

    which = "maior" if high else "menor"
    lines = [f"Campanha com o {which} CTR nos 7 dias até {br_date(c['as_of'])}: {line(rated[0])}."]
    lines += ["Em seguida:", *(f"- {line(x)}" for x in rated[1:5])] if len(rated) > 1 else []
    return lines + _account_ctr_line(rated, c, trends)


def _ctr_limit_lines(intent: Intent, rated: list[dict[str, Any]], c: dict[str, Any]) -> list[str]:
    """ "Alguma campanha com ctr abaixo de 1%?": those past the limit over the 7 days, each with its CPL
    beside it; none said so, with the nearest one."""
    limit, above = intent.threshold or 0.0, intent.metric == "ctr_high"
    past = [
        x
        for x in rated
        if (numbers_in(x["ctr_7d"])[-1] > limit if above else numbers_in(x["ctr_7d"])[-1] < limit)
    ]
    side, when = ("acima" if above else "abaixo"), f"nos 7 dias até {br_date(c['as_of'])}"
    limit_text = format_pct(limit, 2)

    def line(x: dict[str, Any]) -> str:
        cpl = x.get("cpl_7d") or "sem leads"
        return f"{quoted(x['name'])} ({x['campaign_id']}): CTR {x['ctr_7d']}, CPL {cpl}"

    if not past:
        return [f"Nenhuma campanha com CTR {side} de {limit_text} {when}; a mais perto: {line(rated[0])}."]
    n = len(past)
    head = f"{n} campanha{'s' if n != 1 else ''} com CTR {side} de {limit_text} {when}:"
    return [head, *(f"- {line(x)}" for x in past)]


def _account_ctr_line(
    rated: list[dict[str, Any]], c: dict[str, Any], trends: dict[str, Any] | None
) -> list[str]:
    """ "CTR da conta nos mesmos 7 dias: 1,15%; 5 de 14 campanhas abaixo dele.": only when the trends' 7
    days are the campaigns' (both end on the same day), else no reference rather than a mismatched one."""
    last = (trends or {}).get("last_7d") or {}
    if not last.get("ctr") or str(last.get("last_day")) != str(c.get("as_of")):
        return []
    account = numbers_in(last["ctr"])[-1]
    below = sum(1 for x in rated if numbers_in(x["ctr_7d"])[-1] < account)
    return [
        f"CTR da conta nos mesmos 7 dias: {last['ctr']}; {below} de {len(rated)} campanhas com impressões "
        f"abaixo dele."
    ]


def say_cpl_rank(intent: Intent, out: Out) -> list[str]:
    """The campaign with the highest (or lowest) 7-day CPL among those with leads; the ones that spent
    with no lead are said apart (their CPL is not a number)."""
    ctr = intent.metric in {"ctr_high", "ctr_low"}
    if ctr and intent.threshold is not None:  # "alguma campanha com ctr abaixo de 1%?": the 7 days'
        return _ctr_rank_lines(intent, out["list_campaigns"], out.get("analyze_trends"))
    if intent.threshold is not None:
        return _cpl_limit_lines(intent, out)
    if (ranked := _ranking_lines(intent, out)) is not None:  # a day or period asked: its figures
        return ranked
    if ctr:
        return _ctr_rank_lines(intent, out["list_campaigns"], out.get("analyze_trends"))
    c = out["list_campaigns"]
    priced = [x for x in c["campaigns"] if x.get("cpl_7d")]
    priced.sort(key=lambda x: numbers_in(x["cpl_7d"])[-1], reverse=intent.metric != "cpl_low")
    which = "menor" if intent.metric == "cpl_low" else "maior"
    if not priced:
        return ["Nenhuma campanha teve leads nos últimos 7 dias: não há CPL para comparar."]
    lines = [
        f"Campanha com o {which} CPL nos 7 dias até {br_date(c['as_of'])}: {campaign_line(priced[0])[2:]}."
    ]
    lines += ["Em seguida:", *(campaign_line(x) for x in priced[1:4])] if len(priced) > 1 else []
    # spend_7d is formatted ("R$ 0,00" is a non-empty string): read the number
    idle = [x for x in c["campaigns"] if not x.get("cpl_7d") and numbers_in(x.get("spend_7d") or "0")[-1] > 0]
    if idle and which == "maior":  # no CPL to rank, but worse than any: said with what they spent
        lines.append(
            "Gastaram sem nenhum lead (sem CPL, piores que qualquer CPL acima): "
            + ", ".join(f"{quoted(x['name'])} ({x['spend_7d']})" for x in idle)
            + "."
        )
    return lines
