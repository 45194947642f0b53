"""An "ideal" CPL asked ("qual o cpl ideal pra essa conta?"): the data hold no target and no market
benchmark, so none is invented. What they do hold is said instead: the account's recent CPL against its own
weeks, its move over the 7 days, and the CPL range of its cheapest campaigns with enough leads to count.
Pure: the facts already gathered."""

from __future__ import annotations

import datetime as dt
from typing import Any

from famachat_ml_pipeline.agent.answers_trends import trend_lines
from famachat_ml_pipeline.agent.intents_numbers import numbers_in
from famachat_ml_pipeline.agent.wording import Out, br_date, quoted

NO_TARGET = (
    "Não há meta de CPL guardada para esta conta, nem referência de mercado (benchmark) nos dados: não "
    "tenho um CPL ideal para dizer. O que os dados da própria conta mostram:"
)
MIN_LEADS = (
    5  # a campaign's CPL counts for the range only with this many leads in the 7 days (1 lead is luck)
)
BEST_N = 3


def _d(day: dt.date) -> str:
    return br_date(day.isoformat())


def best_campaigns(campaigns: list[dict[str, Any]], n: int = BEST_N) -> list[dict[str, Any]]:
    """The `n` campaigns of lowest 7-day CPL among those with at least `MIN_LEADS` leads in the 7 days."""
    counted = [x for x in campaigns if x.get("cpl_7d") and (x.get("leads_7d") or 0) >= MIN_LEADS]
    return sorted(counted, key=lambda x: numbers_in(x["cpl_7d"])[-1])[:n]


def ideal_cpl_lines(out: Out) -> list[str]:
    """The honest answer to a CPL target asked: no target, then the account's figures that bound one."""
    lines = [NO_TARGET]
    h = out.get("_cpl_history")
    if h and h.get("now", {}).get("cpl"):
        history = ""
        if h.get("enough"):
            history = (
                f"; nas {h['n']} semanas anteriores ({_d(h['history_first'])} a "
                f"{_d(h['history_last'])}), o CPL semanal foi de {h['low']} a {h['high']}, mediana "
                f"{h['median'] or '-'}"
            )
        lines.append(f"- CPL da conta nos 7 dias até {_d(h['last_day'])}: {h['now']['cpl']}{history}.")
    if trend := trend_lines(out.get("analyze_trends") or {})[:1]:
        lines.append(f"- {trend[0]}")
    c = out.get("list_campaigns") or {}
    best = best_campaigns(c.get("campaigns") or [])
    if best:
        cpls = [x["cpl_7d"] for x in best]
        span = cpls[0] if len(cpls) == 1 else f"de {cpls[0]} a {cpls[-1]}"
        names = ", ".join(f"{quoted(x['name'])} ({x['cpl_7d']}, {x['leads_7d']} leads)" for x in best)
        which = "A campanha" if len(best) == 1 else f"As {len(best)} campanhas"
        lines.append(
            f"- {which} de menor CPL nos mesmos 7 dias (com pelo menos {MIN_LEADS} leads): {span}: {names}."
        )
    lines.append("Se você tem uma meta de CPL, me diga o valor e comparo a conta e as campanhas com ela.")
    return lines
