"""The figures of a day or period asked, read from the source: one day (or each of several), a period
(its days said, partial when it is not over or began before the data), two periods side by side with
their changes; or why there are none (not yet, before the data, every row set aside)."""

from __future__ import annotations

from typing import Any

from famachat_ml_pipeline.agent.facts_forecast import CPL_STABLE_PCT
from famachat_ml_pipeline.agent.intents import Intent
from famachat_ml_pipeline.agent.intents_periods import ALL_TIME_LABEL, WEEKDAYS_NAMED, periods_rate
from famachat_ml_pipeline.agent.wording import (
    Out,
    br_date,
    br_span,
    days_text,
    figures_text,
    leads_text,
    period_in,
    signed,
)
from famachat_ml_pipeline.core.recommendations.text_ptbr import format_money, format_number, format_pct


def all_invalid(f: dict[str, Any]) -> str | None:
    """When every source row of the days asked was set aside (negative spend, say), the figures are
    unknown, not zero: said so; None when some valid row is there (or there were no rows at all)."""
    aside = f.get("set_aside") or 0
    if f.get("days_with_data") or not aside:
        return None
    return (
        f"os dados que a fonte trouxe para {'esse dia' if f['days'] == 1 else 'esses dias'} vieram "
        f"inválidos e foram deixados de lado ({days_text(aside)} de campanha), então não sei o gasto nem os "
        "leads: não é zero, é desconhecido."
    )


def day_lines(out: Out, who: str = "", first: str = "spend") -> list[str]:
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
    if (invalid := all_invalid(f)) is not None:
        return [f"Em {when}{who}: {invalid}"]
    if status == "today":
        return [
            f"Hoje, {when}{who} (parcial: o dia ainda não terminou): {figures_text(f, first)} até "
            f"agora. O último dia completo é {br_date(through.isoformat())}."
        ]
    return [f"Em {when}{who}: {figures_text(f, first)}."]


def days_lines(out: Out, who: str = "", first: str = "spend") -> list[str]:
    """ "Ontem e anteontem": each day asked, as `day_lines` says one; the one day asked otherwise."""
    days = out.get("_days_asked") or []
    if len(days) < 2:
        return day_lines(out, who, first)
    each = ({**out, "_day": x["day"], "_day_status": x["status"], "_day_figures": x["figures"]} for x in days)
    lines = [line for one in each for line in day_lines(one, who, first)]
    if change := out.get("_days_change"):  # "ontem vs o mesmo dia da semana passada": the change first
        ch = change["changes"]
        spend, leads, cpl = (signed(ch[k]) for k in ("spend", "leads", "cpl"))
        lines.insert(
            0,
            f"Variação de {br_date(change['old'].isoformat())} ({WEEKDAYS_NAMED[change['old'].weekday()]}) "
            f"para {br_date(change['new'].isoformat())} ({WEEKDAYS_NAMED[change['new'].weekday()]}): "
            f"gasto {spend or '-'}, leads {leads or '-'}, CPL {cpl or 'sem comparação'}.",
        )
    return lines


def day_judged_lines(ask: str | None, out: Out) -> list[str]:
    """ "Ontem foi melhor que anteontem?": Sim/Não by the CPL of the first day asked against the other's
    (a change within `CPL_STABLE_PCT` is "Praticamente igual"), both CPLs and leads said; "pior" reversed."""
    change, days = out.get("_days_change"), out.get("_days_asked") or []
    if ask not in {"days_melhor", "days_pior"} or change is None or len(days) != 2:
        return []
    currency = out.get("_currency") or "BRL"
    asked, other = (days[0]["day"], days[1]["day"])
    first, second = (change["raw"][0], change["raw"][1]) if asked == change["old"] else change["raw"][::-1]
    a, b = br_date(asked.isoformat()), br_date(other.isoformat())
    if first["cpl"] is None or second["cpl"] is None:
        return [f"Não dá para dizer pelo CPL: {a if first['cpl'] is None else b} não teve lead."]
    moved = (first["cpl"] - second["cpl"]) / second["cpl"] * 100
    better = moved < 0
    if abs(moved) <= CPL_STABLE_PCT:
        verdict = "Praticamente igual"
    else:
        verdict = "Sim" if better == (ask == "days_melhor") else "Não"
    return [
        f"{verdict}, pelo CPL: {format_money(first['cpl'], currency)} em {a} contra "
        f"{format_money(second['cpl'], currency)} em {b} ({signed(format_pct(moved, 0)) or '-'}; até ±"
        f"{format_number(CPL_STABLE_PCT, 0)}% conto como igual), com {leads_text(first['leads'])} contra "
        f"{leads_text(second['leads'])}."
    ]


def period_lines(out: Out, who: str = "", first: str = "spend") -> list[str]:
    """The period asked (a month, last week, this week, the last N days) from the source: the days it
    covers, said partial when the period is not over or began before the data; or that there is no data
    for it. The figure asked first ("leads", "cpl")."""
    period, f, since = out.get("_period"), out.get("_period_figures"), out.get("_first_day")
    if period is None:
        return []
    if f is None:
        begins = f"os dados começam em {br_date(since.isoformat())}" if since else "não há dados desta conta"
        return [f"Não há dados de {period.label}{who}: {begins}."]
    span = br_span(f["first_day"], f["last_day"])
    if (idle := _outside_its_life(out, who.removeprefix(", "), span)) is not None:
        return [idle]
    figures = all_invalid(f) or f"{figures_text(f, first)}, CTR {f['ctr'] or '-'}."
    if period.label.startswith("últimos"):
        return [f"De {span} ({days_text(f['days'])}){who}: {figures}"]
    days = days_text(f["days"])  # "esta semana, só segunda": one day, said as one
    notes = []
    if f["last_day"] < period.last:
        notes.append(f"parcial: o período vai até {br_date(period.last.isoformat())}")
    if f["first_day"] > period.first and period.label != ALL_TIME_LABEL:
        notes.append(f"parcial: os dados começam em {br_date(f['first_day'].isoformat())}")
    head = period.label[0].upper() + period.label[1:] + who
    return [f"{head} ({span}, {days}{''.join('; ' + n for n in notes)}): {figures}"]


def _outside_its_life(out: Out, name: str, span: str) -> str | None:
    """ "cpl da 12 mês passado" when campaign 12 first spent later (or had stopped before): nothing to sum,
    said with its first (or last) day with spend; None otherwise (`_campaign_span` is only read for a
    campaign's period with no row at all)."""
    first, last = out.get("_campaign_span") or (None, None)
    period = out["_period"]
    when = f"{period_in(period.label)} ({span})"
    if first is not None and first > period.last:
        day = br_date(first.isoformat())
        return f"Nada: {name} ainda não gastava {when}; o primeiro dia com gasto dela é {day}."
    if last is not None and last < period.first:
        day = br_date(last.isoformat())
        return f"Nada: {name} já não gastava {when}; o último dia com gasto dela é {day}."
    return None


def first_figure(intent: Intent) -> str:
    """The figure a day's or period's line leads with: the leads or the CPL when asked ("e o cpl?" in a
    thread), else the spend."""
    return intent.metric if intent.metric in {"leads", "cpl"} else "spend"


# the rates a question may ask for besides the CPL, and how each is computed
RATE_HOW = {
    "ctr": " (cliques / impressões)",
    "cpm": " (gasto por mil impressões)",
    "cpc": " (gasto / cliques)",
    "cvr": " (leads / cliques)",
}


def periods_lines(out: Out, who: str = "", metric: str | None = None) -> list[str]:
    """ "Semana passada vs retrasada", "outubro vs novembro": each period's line as `period_lines` writes
    one (its days, partial when not over), older first, after the changes from the older to the newer (how
    much it moved is the answer, said first); a partial side also gets both sides' spend per day, the fair
    measure between a whole and a part."""
    pf = out["_periods"]
    periods, sides = pf["periods"], pf["figures"]
    lines = [
        line
        for p, f in zip(periods, sides, strict=True)
        for line in period_lines({"_period": p, "_period_figures": f, "_first_day": pf["first_day"]}, who)
    ]
    if len(periods) != 2 or not pf["changes"]:
        return lines
    (old, new), ch = periods, pf["changes"]
    spend, leads, cpl = (signed(ch[k]) for k in ("spend", "leads", "cpl"))
    # the campaign's name with it: said first, the change would otherwise read as the account's
    between = f"{old.label.split(',')[0]} para {new.label.split(',')[0]}"
    span = f"{between}{who}"
    # a side cut short at either end (not over yet, or before the data's first day): its totals cover fewer
    # days, so their raw % change (gasto +201% against a 10-day month) misleads; per day compares fairly
    if any(f["last_day"] < p.last or f["first_day"] > p.first for p, f in zip(periods, sides, strict=True)):
        lines.insert(0, partial_line(span, sides, pf.get("raw") or (None, None), cpl))
    elif len({f.get("days_with_data") for f in sides}) > 1:
        # whole periods of different lengths (October's 31 days against November's 30): per day as well
        raw = pf.get("raw") or (None, None)
        lines.insert(0, partial_line(span, sides, raw, cpl, "os períodos têm tamanhos diferentes"))
    else:
        change = f"gasto {spend or '-'}, leads {leads or '-'}, CPL {cpl or 'sem comparação'}"
        lines.insert(0, f"Variação de {span}: {change}.")
    if (rate := periods_rate(metric)) is not None:  # "e o ctr?" right after: that rate's move first
        lines.insert(
            0,
            f"{rate.upper()}{RATE_HOW[rate]}{who} de {between}: {sides[0].get(rate) or '-'} para "
            f"{sides[1].get(rate) or '-'} ({signed(ch[rate]) or 'sem comparação'}).",
        )
    return lines


def _pct_change(old: float | None, new: float | None) -> str:
    if old is None or new is None or not old:
        return "sem comparação"
    change = (new - old) / old * 100.0
    return ("+" if round(change) > 0 else "-" if round(change) < 0 else "") + format_pct(abs(change))


def partial_line(
    span: str, sides: list[dict[str, Any]], raw: Any, cpl: str | None, why: str = "um lado é parcial"
) -> str:
    """Two periods of which one is partial (or of different lengths: `why`): spend and leads per day with
    data and their % change, then the CPL's (a rate: it compares as it is); no change of the raw totals,
    which cover different days."""
    days = [f.get("days_with_data") or 0 for f in sides]
    per = [
        (r["spend"] / n, r["leads"] / n) if r is not None and n else (None, None)
        for r, n in zip(raw, days, strict=True)
    ]
    leads = [format_number(p[1], 1) if p[1] is not None else "-" for p in per]
    return (
        f"Como {why} ({days[0]} contra {days[1]} dias com dados), comparo por dia, não pelos "
        f"totais. De {span}: gasto por dia {sides[0]['spend_per_day'] or '-'} contra "
        f"{sides[1]['spend_per_day'] or '-'} ({_pct_change(per[0][0], per[1][0])}), leads por dia {leads[0]} "
        f"contra {leads[1]} ({_pct_change(per[0][1], per[1][1])}), CPL {cpl or 'sem comparação'}."
    )


def day_or_period_asked(out: Out) -> bool:
    return any(out.get(k) is not None for k in ("_day", "_period")) or bool(out.get("_days_asked"))
