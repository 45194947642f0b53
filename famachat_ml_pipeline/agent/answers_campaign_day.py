"""One campaign's day judged against its own 7 days before it ("o que aconteceu com a campanha 9
ontem?"): the verdict line said before its card (`facts_campaign_day.campaign_day_judged`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from famachat_ml_pipeline.agent.wording import br_date, br_span, leads_text, quoted, signed
from famachat_ml_pipeline.core.recommendations.text_ptbr import format_money, format_number, format_pct

# a day's spend or CPL within this % of the campaign's 7 days before is its usual (daily noise is wider
# than a week's: the 10% used between weeks would call most days unusual)
NORMAL_PCT = 30.0
BEFORE_DAYS = 7


def _pct(now: float, before: float) -> tuple[str, bool]:
    """ "+42%" and whether it is beyond NORMAL_PCT."""
    change = (now / before - 1.0) * 100.0
    return signed(format_pct(change)) or "-", abs(change) > NORMAL_PCT


def day_judged_lines(name: str, j: dict[str, Any]) -> list[str]:
    """ "Dia normal para “X” em 29/11/2026, contra os 7 dias antes (...): gasto ..., CPL ...." or "Fora
    do normal ..." (spend or CPL beyond NORMAL_PCT, no spend, or leads where there were none); "Sem
    novidade ..." when it spent nothing that day nor the day before (stopped, since when it is)."""
    who, cur = quoted(name), j["currency"]
    day, span = br_date(j["day"].isoformat()), br_span(j["before_first"], j["before_last"])
    spend, leads, b_spend, b_leads = j["spend"], j["leads"], j["before_spend"], j["before_leads"]
    per_day = b_spend / BEFORE_DAYS
    if not spend and not b_spend:
        return [f"Sem novidade para {who}: não gastou em {day}, como nos 7 dias antes ({span})."]
    if not spend and j["last_spent"] < j["before_last"]:  # stopped before the day before: nothing new
        since = br_date((j["last_spent"] + dt.timedelta(days=1)).isoformat())
        last = br_date(j["last_spent"].isoformat())
        return [f"Sem novidade para {who}: não gastou em {day}, parada desde {since} (último gasto: {last})."]
    if not spend:
        return [
            f"Fora do normal para {who}: não gastou em {day}, contra {format_money(per_day, cur)} por dia "
            f"nos 7 dias antes ({span})."
        ]
    if not b_spend:
        return [
            f"Fora do normal para {who}: gastou {format_money(spend, cur)} em {day} ({leads_text(leads)}), "
            f"sem gasto nos 7 dias antes ({span})."
        ]
    spend_pct, off = _pct(spend, per_day)
    if leads and b_leads:
        cpl, b_cpl = spend / leads, b_spend / b_leads
        cpl_pct, cpl_off = _pct(cpl, b_cpl)
        rest = f"CPL {format_money(cpl, cur)} contra {format_money(b_cpl, cur)} ({cpl_pct})"
    elif b_leads:  # no lead that day: unusual when it makes one or more a day
        cpl_off = b_leads / BEFORE_DAYS >= 1.0
        rest = f"nenhum lead, contra {format_number(b_leads / BEFORE_DAYS, 1)} por dia"
    else:  # leads where the 7 days had none, or none on either
        cpl_off = bool(leads)
        rest = f"{leads_text(leads)}, contra nenhum nos 7 dias" if leads else "nenhum lead, como nos 7 dias"
    verdict = "Fora do normal" if off or cpl_off else "Dia normal"
    return [
        f"{verdict} para {who} em {day}, contra os 7 dias antes ({span}): gasto {format_money(spend, cur)} "
        f"contra {format_money(per_day, cur)} por dia ({spend_pct}), {rest}."
    ]
