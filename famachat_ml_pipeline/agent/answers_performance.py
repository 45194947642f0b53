"""The account's figures asked ("qual o CPL?", "quanto gastei ontem?", "o CTR de outubro", "a conta tá
pior que mês passado?", "qual a média de leads por dia?"): the day's or period's from the source, the
rate asked first, the 7 days' move when no day nor period was asked."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from famachat_ml_pipeline.agent.answers_days import weekend_judged_lines
from famachat_ml_pipeline.agent.answers_gap import gap_line
from famachat_ml_pipeline.agent.answers_ideal import ideal_cpl_lines
from famachat_ml_pipeline.agent.answers_periods import (
    RATE_HOW,
    all_invalid,
    day_judged_lines,
    day_lines,
    day_or_period_asked,
    days_lines,
    first_figure,
    period_lines,
    periods_lines,
)
from famachat_ml_pipeline.agent.answers_trends import trend_lines
from famachat_ml_pipeline.agent.answers_verdicts import cpl_judge_lines, day_move_lines, rate_judge_lines
from famachat_ml_pipeline.agent.intents import Intent
from famachat_ml_pipeline.agent.intents_periods import PERIODS_RATES, resolve_periods
from famachat_ml_pipeline.agent.intents_verdicts import rate_judged
from famachat_ml_pipeline.agent.tools.analysis import excluded_text
from famachat_ml_pipeline.agent.wording import (
    Out,
    br_date,
    br_span,
    days_text,
    leads_text,
    moved_word,
    period_in,
    signed,
)
from famachat_ml_pipeline.core.recommendations import format_number

RATE_NAME = {"cvr": "Taxa de conversão"}  # the others by their acronym ("CTR")


def _day_or_period_figures(out: Out, day_count: bool) -> tuple[dict[str, Any], str] | None:
    """The source's figures of the day or the period asked, and how to say when ("em 29/11/2026", "em
    outubro de 2026 (01/10/2026 a 31/10/2026[, 31 dias])"); None when neither was asked."""
    day = out.get("_day")
    if day is not None and out.get("_day_figures") is not None:
        when = f"em {br_date(day.isoformat())}"
        if out.get("_day_status") == "today":
            when += " (hoje, parcial: o dia ainda não terminou)"
        return out["_day_figures"], when
    if out.get("_period_figures") is None:
        return None
    f, period = out["_period_figures"], out["_period"]
    span = br_span(f["first_day"], f["last_day"])
    days = f", {days_text(f['days'])}" if day_count else ""
    return f, f"{period_in(period.label)} ({span}{days})"


def metric_asked(intent: Intent, out: Out, whose: str = "da conta") -> list[str]:
    """ "Qual o CTR ontem?", "o CPM dos últimos 15 dias": that rate of the day or period asked, from the
    source, first (the 7-day line follows only when no day nor period was asked). `whose`: "da conta", or
    the campaign's ("de “Campanha 4”") when its figures were read."""
    if intent.metric not in RATE_HOW:
        return []
    asked = _day_or_period_figures(out, day_count=True)
    if asked is None:
        return []
    f, when = asked
    lines = []
    for m in (intent.metric, *intent.rates):  # "o ctr e o cpm": each rate named, in turn
        name = RATE_NAME.get(m, m.upper())
        if (invalid := all_invalid(f)) is not None:
            return [f"{name} {whose}{RATE_HOW[m]} {when}: {invalid}"]
        left_out = excluded_text(f.get("set_aside") or 0, f.get("orphans") or 0)
        note = f" ({left_out})" if left_out else ""
        lines.append(f"{name} {whose}{RATE_HOW[m]} {when}: {f.get(m) or '-'}{note}.")
    return lines


def _which_period(intent: Intent, pf: dict[str, Any]) -> list[str]:
    """ "Quanto gastei em outubro?", "e em setembro?", "qual foi melhor?": the period with the lower CPL
    (the higher when the worse is asked) named first, both CPLs said."""
    (a, b), (fa, fb) = pf["periods"], pf["figures"]
    old, new = pf["raw"]
    if old["cpl"] == new["cpl"]:
        return [f"Empate: o mesmo CPL {period_in(a.label)} e {period_in(b.label)} ({fa['cpl']})."]
    newer_lower = new["cpl"] < old["cpl"]
    lower, higher = ((b, fb), (a, fa)) if newer_lower else ((a, fa), (b, fb))
    (pick, fp), (other, fo) = (higher, lower) if intent.metric == "periods_worse" else (lower, higher)
    word = "pior" if intent.metric == "periods_worse" else "melhor"
    label = pick.label.split(",")[0]
    return [
        f"{label[0].upper()}{label[1:]} foi {word} pelo custo por lead: CPL {fp['cpl']} "
        f"{period_in(pick.label)}, contra {fo['cpl']} {period_in(other.label)}."
    ]


def _periods_verdict(intent: Intent, pf: dict[str, Any], through: dt.date | None = None) -> list[str]:
    """ "A conta tá pior que mês passado?": Sim/Não first, by the CPL of the newer period against the older
    one's (a lead account's yardstick); nothing when no verdict was asked or a side has no CPL."""
    if intent.metric not in {"periods_worse", "periods_better"} or len(pf["periods"]) != 2:
        return []
    old, new = pf["raw"]
    if not (old and new and old["cpl"] and new["cpl"]):
        return []
    if intent.ask == "which":  # "qual foi melhor?" after two periods asked: that one named, not Sim/Não
        return _which_period(intent, pf)
    worse = new["cpl"] > old["cpl"]
    change = signed(pf["changes"]["cpl"])
    stable = moved_word(pf["changes"]["cpl"] or "0") == "ficou estável"
    (a, b), (fa, fb) = pf["periods"], pf["figures"]
    # "outubro foi melhor que novembro?" judges the older period: asking it better is asking the newer worse
    judged_first = intent.ask == "first_judged" and intent.period_refs and through
    # as the pair was read (`resolve_periods`: on the 1st "mês passado" beside "esse mês" is the month before)
    first = resolve_periods(intent.period_refs, through)[0] if judged_first else None
    older_judged = first is not None and first.first == a.first
    asked_worse = (intent.metric == "periods_worse") != older_judged
    if stable:
        word, tail = "Praticamente igual", "o mesmo custo por lead"
    else:
        word = "Sim" if worse == asked_worse else "Não"
        tail = f"{b.label.split(',')[0]} saiu {'pior' if worse else 'melhor'} pelo custo por lead"
    label = b.label.split(",")[0]
    # "até agora" only of a period not over yet (this month); a closed one "foi"
    partial = through is None or b.last > through
    is_now = "até agora é" if partial else "foi"
    return [
        f"{word}: o CPL {period_in(label)} {is_now} {fb['cpl']}, contra {fa['cpl']} {period_in(a.label)} "
        f"({change}); {tail}."
    ]


DELIVERY = {"clicks": "cliques", "impressions": "impressões", "reach": "alcance"}


def _delivery_lines(intent: Intent, out: Out) -> list[str]:
    """ "Quantos cliques tive hoje?", "quantas impressões ontem?": that count of the day or period asked
    (the 7 days when none), from the source, first; the reach said as the campaigns' sum it is."""
    m = intent.metric or ""
    if m not in DELIVERY:
        return []
    asked = _day_or_period_figures(out, day_count=False)
    if asked is None:
        return []
    f, when = asked
    value = f.get(m)
    shown = "-" if value is None else format_number(value, 0)
    line = f"{DELIVERY[m][0].upper()}{DELIVERY[m][1:]} da conta {when}: {shown}."
    if m == "reach":
        line += (
            " É a soma do alcance de cada campanha em cada dia: quem viu duas campanhas (ou em dois "
            "dias) conta "
            "duas vezes, e o alcance único da conta não está nos dados."
        )
    elif m == "clicks" and f.get("ctr"):
        line = line[:-1] + f" (CTR {f['ctr']}; {format_number(f.get('impressions') or 0, 0)} impressões)."
    return [line]


def _move_verdict(intent: Intent, change: str | None) -> str:
    """ "Sim: " / "Não: " when a rate's move was asked ("o ctr ta caindo?": ask "move_down") and it moved,
    "" when none was asked or it stayed put."""
    if intent.ask not in {"move_up", "move_down"} or not change or moved_word(change) == "ficou estável":
        return ""
    return "Sim: " if (moved_word(change) == "subiu") == (intent.ask == "move_up") else "Não: "


def say_performance(intent: Intent, out: Out) -> list[str]:
    """The figures asked ("qual o CPL", "quanto gastei ontem", "esse mês"): the named day's or period's
    from the source (the 7 days' CPL move only when no day nor period was asked: then it is the answer);
    the CTR first when it is what was asked; two periods compared side by side first."""
    if "_periods" in out:
        # what was asked only: the 7 days' trends would blur the two
        pf = out["_periods"]
        verdict = _periods_verdict(intent, pf, out.get("_through"))
        # "qual a diferença?", "somando os dois?" right after: that answer first
        labels = tuple(p.label.split(",")[0] for p in pf["periods"])
        gap = (
            gap_line(intent.ask, labels, tuple(pf["raw"]), out.get("_currency") or "BRL")
            if len(labels) == 2
            else []
        )
        return [*gap, *verdict, *periods_lines(out, metric=intent.metric)]
    if intent.ask == "ideal":  # "qual o cpl ideal?": no target stored, said so, then what the data hold
        return ideal_cpl_lines(out)
    if judged := cpl_judge_lines(intent, out):  # "meu CPL tá bom?": the verdict against its own history
        day = day_move_lines(replace(intent, metric="day_cpl_either"), out)[:1] if "_day_move" in out else []
        return [judged[0], *day, *trend_lines(out["analyze_trends"])[:1], *judged[1:]]
    if (judged := rate_judge_lines(intent, out)) and (rate := rate_judged(intent.metric)):
        # "o cpm tá caro?": the verdict against its own weeks, then the rate's answer as before
        rest = say_performance(replace(intent, metric=rate[0]), {**out, "_cpl_history": None})
        return [judged[0], *rest, *judged[1:]]
    if (judged := out.get("_weekend_judged")) is not None:
        # "o fds foi bom?": the verdict against the weekends before it, then the weekend's figures
        verdict = weekend_judged_lines(intent.ask or "", judged, out.get("_currency") or "BRL")
        return [*verdict, *say_performance(replace(intent, ask=None), {**out, "_weekend_judged": None})]
    first = first_figure(intent)  # "qnts leads essa semana?": the leads first
    if (change := out.get("_days_change")) is not None:  # "ontem vs anteontem", then "qual a diferença?"
        labels = (br_date(change["old"].isoformat()), br_date(change["new"].isoformat()))
        first_lines = gap_line(intent.ask, labels, change["raw"], out.get("_currency") or "BRL")
        first_lines += day_judged_lines(intent.ask, out)
    else:
        first_lines = []
    lines = [
        *first_lines,
        *_delivery_lines(intent, out),
        *metric_asked(intent, out),
        *days_lines(out, first=first),
        *period_lines(out, first=first),
    ]
    t = out["analyze_trends"]
    asked_when = day_or_period_asked(out)
    # "qual o CTR de outubro?": that period's rate is the answer; the 7 days' would read as a second answer
    if intent.metric in RATE_HOW and intent.metric in PERIODS_RATES and "last_7d" in t and not asked_when:
        m, name = intent.metric, intent.metric.upper()
        change = t.get(f"{m}_change")
        how = RATE_HOW[m] if m != "ctr" else ""  # the CTR's 7-day line as it always read
        # "o cpm tá subindo?": its Sim/Não first, then the figures (was "CPM da conta (...): Não: R$ 21,34")
        verdict = _move_verdict(intent, change)
        head = f"{verdict}o {name} da conta{how} foi " if verdict else f"{name} da conta{how}: "
        lines.append(
            f"{head}{t['last_7d'].get(m) or '-'} nos 7 dias até {br_date(t['last_7d']['last_day'])}, "
            f"contra {t['previous_7d'].get(m) or '-'} na semana anterior"
            + (f": {moved_word(change)} ({signed(change)})." if change else ".")
        )
    # a day or period asked is answered by its own figures: the 7 days' CPL move would answer another
    # question (why the CPL moved is `say_anomalies`' and `say_trends`')
    return lines if asked_when else lines + _seven_days_asked(intent, t) + trend_lines(t)


_SEVEN_DAYS_FIGURE = {"spend": ("Gasto", "spend_change"), "leads": ("Leads", "leads_change")}


def _seven_days_asked(intent: Intent, t: dict[str, Any]) -> list[str]:
    """ "Quanto gastei?", "quantos leads?" with no day nor period: the 7 days' spend (leads) said first,
    against the week before; the CPL's move line that follows led the answer before, the spend in its tail."""
    if intent.metric not in _SEVEN_DAYS_FIGURE or "last_7d" not in t or intent.campaign_id:
        return []
    name, change = _SEVEN_DAYS_FIGURE[intent.metric]
    key = intent.metric
    last, prev = t["last_7d"], t["previous_7d"]
    shown = (lambda v: leads_text(v)) if key == "leads" else (lambda v: v or "-")
    moved = f", {signed(t[change])}" if t.get(change) else ""
    return [
        f"{name} da conta nos 7 dias até {br_date(last['last_day'])}: {shown(last[key])} (contra "
        f"{shown(prev[key])} nos 7 dias anteriores{moved})."
    ]


def say_daily_average(intent: Intent, out: Out) -> list[str]:
    """ "Qual a média de leads por dia?": the period's totals from the source over its days with data
    (the last 7 days unless a period was asked), saying how many days that is."""
    f = out.get("_period_figures")
    if f is None:  # a day asked alone, or a period the data does not cover
        return [*day_lines(out), *period_lines(out)] or ["Não há dados desta conta para calcular a média."]
    if not f["days_with_data"]:
        return [f"Não há dados de {br_span(f['first_day'], f['last_day'])}."]
    period = out["_period"]
    span = br_span(f["first_day"], f["last_day"])
    n, days = f["days_with_data"], f["days"]
    over = f"{days_text(n)} com dados" + (f" de {days}" if n < days else "")
    head = f"Média diária {period_in(period.label)} ({span}, {over})"
    left_out = excluded_text(f["set_aside"], f.get("orphans") or 0)
    note = f" {left_out[0].upper()}{left_out[1:]}." if left_out else ""
    return [
        f"{head}: {f['spend_per_day'] or '-'} de gasto e {f['leads_per_day']} leads por dia "
        f"(no total, {f['spend'] or '-'} e {leads_text(f['leads'])}; CPL {f['cpl'] or 'sem leads'}).{note}"
    ]
