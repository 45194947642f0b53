"""Campaigns compared ("compare as campanhas 3 e 4", "qual delas tá melhor?"): over the 7 days, the day
or period asked, or two periods each ("campanha 3 e 5 semana passada vs retrasada"), the verdict first
when one is asked."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from famachat_ml_pipeline.agent.answers_budget_move import budget_move_lines
from famachat_ml_pipeline.agent.answers_campaigns import (
    campaign_line,
    not_here,
    say_campaign_not_found,
    tier_word,
)
from famachat_ml_pipeline.agent.answers_gap import gap_line
from famachat_ml_pipeline.agent.answers_periods import periods_lines
from famachat_ml_pipeline.agent.intents import Intent
from famachat_ml_pipeline.agent.intents_numbers import numbers_in
from famachat_ml_pipeline.agent.intents_periods import periods_rate
from famachat_ml_pipeline.agent.wording import Out, br_date, leads_text, period_in, quoted
from famachat_ml_pipeline.core.recommendations import format_number, format_pct


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
    campaign's are said (`periods_lines`), then the lowest CPL of the newer period; the 7 days' comparison
    would blur the periods asked."""
    by_campaign = out["_periods_by_campaign"]
    lines: list[str] = []
    newer: list[tuple[float, str]] = []  # (the newer period's CPL, the name) of each campaign with one
    rates: list[str] = []  # "e o ctr?" right after: each campaign's move of that rate, all first
    for x in c["campaigns"]:
        if (pf := by_campaign.get(x["campaign_id"])) is None:
            continue
        block = periods_lines({"_periods": pf}, f", {quoted(x['name'])}", intent.metric)
        if periods_rate(intent.metric) is not None and len(pf["periods"]) == 2 and pf["changes"]:
            rates.append(block.pop(0))
        lines += block
        if len(pf["raw"]) == 2 and pf["raw"][1] and pf["raw"][1]["cpl"] is not None:
            newer.append((pf["raw"][1]["cpl"], x["name"]))
    labels = [pf["periods"][-1].label.split(",")[0] for pf in by_campaign.values() if len(pf["periods"]) == 2]
    if len(newer) >= 2 and labels:  # the verdict first, each campaign's move after
        lines.insert(0, f"Menor CPL {period_in(labels[0])}: {quoted(min(newer)[1])}.")
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


def say_compare(intent: Intent, out: Out) -> list[str]:
    if "compare_campaigns" not in out:
        return [
            *filter(None, [not_here(intent.names)]),
            "Para comparar, diga 2 a 5 campanhas desta conta pelo nome ou pelo id "
            "(ex.: “compare as campanhas 3 e 4”).",
            *say_campaign_not_found(replace(intent, matches=(), names=()), out)[1:],
        ]
    c = out["compare_campaigns"]
    if move := out.get("_budget_move"):  # "posso tirar verba da 11 e colocar na 4?": the move's verdict first
        return [
            *budget_move_lines(move),
            *say_compare(replace(intent, metric=None), {**out, "_budget_move": None}),
        ]
    if "_periods_by_campaign" in out:
        return _compare_periods_lines(intent, out, c)
    # a day or period asked: its figures are the comparison (the 7 days' after them named another better)
    lines = _compare_asked_lines(out, c["campaigns"]) or _seven_days_lines(c)
    if n := c.get("not_found"):
        lines.append(
            f"{n} das campanhas pedidas não é desta conta."
            if n == 1
            else f"{n} das campanhas pedidas não são desta conta."
        )
    # "qual delas tá melhor?": the verdict first, the comparison it rests on after; "compara a 12 com a 17"
    # asks it as well (was the lowest CPL said last): the better by the CPL first
    asked = _verdict_line(intent, out, c) + _difference_line(intent, out, c) + _sum_line(intent, out, c)
    asked += _figure_line(intent, out, c)
    if not asked and intent.metric is None and intent.ask is None and len(c["campaigns"]) >= 2:
        # with no id: the line names no one campaign for "dela" next (the two compared stay the subject)
        asked = [
            re.sub(r" \(\d{6,30}\)", "", x).replace("Melhor: ", "Melhor pelo CPL: ", 1)
            for x in _verdict_line(replace(intent, metric="better"), out, c)
        ]
    if any(x.startswith(("Melhor", "Diferença de CPL")) for x in asked):  # the cheaper said first: not again
        lines = [x for x in lines if not x.startswith("Menor CPL: ")]
    return asked + lines


def _seven_days_lines(c: dict[str, Any]) -> list[str]:
    """The compared campaigns' 7 days (the stored features), the lowest CPL and the most leads named."""
    lines = ["Comparação (7 dias):"]
    lines += [f"{campaign_line(x)}, CTR {x['ctr_7d'] or '-'}; tier {tier_word(x)}" for x in c["campaigns"]]
    by_id = {x["campaign_id"]: x["name"] for x in c["campaigns"]}
    if len(by_id) >= 2 and c.get("lowest_cpl"):  # one row is no comparison: no "best"
        lines.append(f"Menor CPL: {quoted(by_id[c['lowest_cpl']])}.")
    if len(by_id) >= 2 and c.get("most_leads"):
        lines.append(f"Mais leads: {quoted(by_id[c['most_leads']])}.")
    return lines


def _sum_line(intent: Intent, out: Out, c: dict[str, Any]) -> list[str]:
    """ "Somando as duas?" right after two campaigns compared: their 7 days' spend and leads added, the
    CPL of the sum; the amounts as shown (`campaign_line`), so the sum is theirs to check."""
    if intent.ask != "sum" or len(c["campaigns"]) != 2 or out.get("_ranking") is not None:
        return []
    sides = tuple(
        {"spend": (numbers_in(x.get("spend_7d") or "0") or [0.0])[-1], "leads": x.get("leads_7d") or 0}
        for x in c["campaigns"]
    )
    labels = tuple(quoted(x["name"]) for x in c["campaigns"])
    return gap_line("sum", labels, sides, out.get("_currency") or "BRL", " nos 7 dias")


def _difference_line(intent: Intent, out: Out, c: dict[str, Any]) -> list[str]:
    """ "Qual a diferença de cpl entre a 4 e a 8?": the two 7-day CPLs' gap in money and in %, of the
    figures shown (a day or period asked has its own lines); nothing unless two campaigns with leads."""
    if intent.ask != "difference" or len(c["campaigns"]) != 2 or out.get("_ranking") is not None:
        return []
    a, b = c["campaigns"]
    if not (a.get("cpl_7d") and b.get("cpl_7d") and a.get("leads_7d") and b.get("leads_7d")):
        return ["Sem CPL de uma das duas nos 7 dias (nenhum lead): não há diferença de CPL a dar."]
    va, vb = numbers_in(a["cpl_7d"])[-1], numbers_in(b["cpl_7d"])[-1]
    if va == vb:
        return [f"Mesmo CPL nos 7 dias: {a['cpl_7d']} nas duas."]
    cheap, dear = (a, b) if va < vb else (b, a)
    low, high = min(va, vb), max(va, vb)
    # the account's currency, as the CPLs show it ("R$ ")
    symbol = m.group(0) if (m := re.match(r"[^\d-]*", cheap["cpl_7d"])) else ""
    gap = f"{symbol}{format_number(high - low, 2)}"
    return [
        f"Diferença de CPL nos 7 dias: {quoted(cheap['name'])} sai {gap} mais barato por lead que "
        f"{quoted(dear['name'])} ({cheap['cpl_7d']} contra {dear['cpl_7d']}, "
        f"{format_pct((1 - low / high) * 100, 0)} a menos)."
    ]


# the figure two campaigns are compared by: its raw value and its text in a 7-day row (`compare_campaigns`)
# and in a row of the day or period asked (`campaign_figures`), and how a campaign is said to have it
_FIGURES = {
    "spend": ("spend_7d", "spend", "gastou {}", ("Gastou mais", "Gastou menos")),
    "leads": ("leads_7d", "leads", "teve {}", ("Mais leads", "Menos leads")),
    "ctr": ("ctr_7d", "ctr", "teve CTR {}", ("Maior CTR", "Menor CTR")),
    "cpl": ("cpl_7d", "cpl", "teve CPL {}", ("Maior CPL", "Menor CPL")),
}


def _figure_of(figure: str, row: dict[str, Any] | None, period: bool) -> tuple[float, str] | None:
    """(value, text) of a compared campaign's spend, leads or CTR; None when it has none."""
    if row is None:
        return None
    key = _FIGURES[figure][1 if period else 0]
    shown = row.get(key)
    if shown is None:
        return None
    if figure == "leads":
        return float(shown), leads_text(shown)
    return (numbers_in(str(shown)) or [0.0])[-1], str(shown)


def _figure_line(intent: Intent, out: Out, c: dict[str, Any]) -> list[str]:
    """ "a 12 gastou mais que a 17?": Sim/Não on the first campaign named, its figure against the
    second's; "qual gastou mais, a 12 ou a 17?": the one named. Of the day or period asked (the source),
    else of the 7 days the comparison shows; nothing for another ask or other than two campaigns."""
    m = re.fullmatch(r"(which_)?(more|less)_(spend|leads|ctr|cpl)", intent.ask or "")
    if m is None or len(c["campaigns"]) != 2:
        return []
    which, side, figure = m.groups()
    r = out.get("_ranking")
    rows = {x["campaign_id"]: x for x in r["campaigns"]} if r is not None else {}
    when = "nos 7 dias" if r is None else _asked_when(out, r)
    pair = [
        (x, _figure_of(figure, rows.get(x["campaign_id"]) if r is not None else x, r is not None))
        for x in c["campaigns"]
    ]
    (a, va), (b, vb) = pair
    if va is None or vb is None:
        return []
    said = _FIGURES[figure][2]
    if which:
        if va[0] == vb[0]:
            return [f"Empate {when}: as duas com {va[1]}."]
        top, other = (pair[0], pair[1]) if (va[0] > vb[0]) == (side == "more") else (pair[1], pair[0])
        head = _FIGURES[figure][3][side == "less"]
        return [
            f"{head}: {quoted(top[0]['name'])} ({top[0]['campaign_id']}), {top[1][1]} {when}, contra "
            f"{other[1][1]} de {quoted(other[0]['name'])}."
        ]
    yes = va[0] > vb[0] if side == "more" else va[0] < vb[0]
    return [
        f"{'Sim' if yes else 'Não'}: {quoted(a['name'])} {said.format(va[1])} {when}, contra {vb[1]} de "
        f"{quoted(b['name'])}."
    ]


def _asked_when(out: Out, r: dict[str, Any]) -> str:
    """ "em 25/11/2026", "na semana passada": the day or period a comparison was asked of."""
    if out.get("_period") is not None and out.get("_day") is None:
        return period_in(out["_period"].label.split(",")[0])
    return f"em {br_date(r['first_day'].isoformat())}"
