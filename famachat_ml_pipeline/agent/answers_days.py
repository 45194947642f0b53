"""The answers read from the source by day: the best weekday ("qual o melhor dia da semana?") and the best or
worst day ("qual foi o dia com mais leads?")."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import polars as pl

from famachat_ml_pipeline.agent.intents import Intent
from famachat_ml_pipeline.agent.intents_weekend import weekend_parts
from famachat_ml_pipeline.agent.tools.analysis import excluded_text
from famachat_ml_pipeline.agent.wording import Out, br_date, br_span, days_text, leads_text, period_in, quoted
from famachat_ml_pipeline.core.recommendations.text_ptbr import (
    WEEKDAYS_PT,
    format_money,
    format_number,
    format_pct,
)


def say_weekday(intent: Intent, out: Out) -> list[str]:
    """ "Qual o melhor dia da semana?": CPL and leads per weekday over the last 4 full weeks, from the
    source, best first (lowest CPL; most leads or worst first when that is asked)."""
    w = out["_weekdays"]
    if w is None:
        return [f"Não encontrei a campanha {intent.campaign_id} nesta conta."]
    if intent.ask == "hour":  # "que horas meus leads chegam?": the source is daily, said first
        hour = [
            "Não tenho a hora do dia: a fonte traz gasto, cliques e leads por campanha e por dia, "
            "sem horário. "
            "O mais próximo é o dia da semana:"
        ]
        return [*hour, *say_weekday(replace(intent, ask=None), out)]
    span = br_span(w["first_day"], w["last_day"])
    rows = w["weekdays"]
    of = f"de {quoted(w['name'])} " if w.get("name") else ""  # one campaign's weekdays
    when = f"{of}nas últimas 4 semanas completas ({span}, {_weekday_span(w)})"
    if not rows:
        return [f"Não há dados {of or 'desta conta '}nas últimas 4 semanas ({span})."]
    if not any(x["leads"] for x in rows):
        return [f"Nenhum lead {when}: não há CPL por dia da semana para comparar."]
    if (intent.ask or "").startswith("weekend"):
        return weekend_lines(rows, when, out.get("_currency") or "BRL", intent.ask or "")
    if intent.metric == "leads":
        rows = sorted(rows, key=lambda x: (-x["leads"], x["weekday"]))
        head, what = "Dia da semana com mais leads", "do que mais trouxe leads ao que menos trouxe"
    elif intent.metric in {"cpm_low", "cpm_high"}:  # "qual dia da semana o cpm é mais barato?"
        dear = intent.metric == "cpm_high"
        # a weekday with no impressions has no CPM: last either way
        rows = sorted(
            rows,
            key=lambda x: (
                x["cpm_v"] is None,
                (x["cpm_v"] or 0.0) * (-1 if dear else 1),
                x["weekday"],
            ),
        )
        head = "Dia da semana com o maior CPM" if dear else "Dia da semana com o menor CPM"
        what = "do mais caro ao mais barato" if dear else "do mais barato ao mais caro"
    else:
        worst = intent.metric == "cpl_high"
        big = float("inf")
        rows = sorted(
            rows,
            key=lambda x: (
                (
                    -(x["cpl_v"] if x["cpl_v"] is not None else big)
                    if worst
                    else (x["cpl_v"] if x["cpl_v"] is not None else big)
                ),
                x["weekday"],
            ),
        )
        head = "Pior dia da semana (maior CPL)" if worst else "Melhor dia da semana (menor CPL)"
        what = "do pior ao melhor" if worst else "do melhor ao pior"
    best = rows[0]

    uneven = len({x["n_days"] for x in rows}) > 1 or len(rows) < 7

    def line(x: dict[str, Any]) -> str:
        n = x["n_days"]
        times = f" (em {days_text(n)})" if uneven else ""
        cpm = f"CPM {x.get('cpm') or 'sem impressões'}, " if (intent.metric or "").startswith("cpm") else ""
        return (
            f"{cpm}CPL {x['cpl'] or 'sem leads'}, {leads_text(x['leads'])}, {x['spend'] or '-'} gastos{times}"
        )

    aside = w.get("set_aside") or 0
    note = [f"Sem {days_text(aside)} de campanha cujos dados a fonte trouxe inválidos."] if aside else []
    if (fewest := min(x["leads"] for x in rows)) < FEW_LEADS and intent.metric not in {"cpm_low", "cpm_high"}:
        # a campaign's weekday has a handful of leads: one lead more or less reorders the CPLs
        note.append(
            f"Poucos leads por dia da semana ({fewest} a {max(x['leads'] for x in rows)}): com tão poucos, "
            "uma diferença assim pode ser acaso."
        )
    if (intent.ask or "").startswith("weekday:") and intent.metric != "leads":
        head_line = _one_weekday(
            int((intent.ask or "").split(":")[1]), rows, when, out.get("_currency") or "BRL"
        )
    elif (intent.ask or "").startswith("weekdays:"):
        a, b = (int(x) for x in (intent.ask or "").split(":")[1:])
        head_line = _two_weekdays(a, b, rows, when)
    else:
        head_line = f"{head} {when}: {WEEKDAYS_PT[best['weekday']]}, {line(best)}."
    return [
        head_line,
        f"Por dia da semana, {what}:",
        *(f"- {WEEKDAYS_PT[x['weekday']]}: {line(x)}" for x in rows),
        *note,
    ]


# under this many leads on a weekday in the 4 weeks, its CPL moves by a tenth or more with one lead
FEW_LEADS = 10
WEEKEND = (5, 6)  # Saturday, Sunday (Monday = 0)


def _side(rows: list[dict[str, Any]], days: tuple[int, ...]) -> dict[str, Any]:
    """Spend, leads, impressions, days, CPL and CPM of the weekdays `days` summed (the rates of the sums,
    not a mean of rates), and the spend and leads per day (the sides have 2 and 5 days a week: their
    totals do not compare, their per-day figures do)."""
    picked = [x for x in rows if x["weekday"] in days]
    spend, leads = sum(x["spend_v"] for x in picked), sum(x["leads"] for x in picked)
    imps, n = sum(x.get("impressions") or 0 for x in picked), sum(x["n_days"] for x in picked)
    clicks = sum(x.get("clicks") or 0 for x in picked)
    return {
        "spend": spend,
        "leads": leads,
        "impressions": imps,
        "days": n,
        "cpl": spend / leads if leads else None,
        "cpm": spend / imps * 1000.0 if imps else None,
        "ctr": clicks / imps * 100.0 if imps else None,
        "spend_day": spend / n if n else None,
        "leads_day": leads / n if n else None,
    }


# the figure a weekend question weighs: its key in `_side`, its name, and the verdict's words when the
# weekend's is higher or lower (None: the CPL's own wording, kept as it was)
_WEEKEND_FIGURE = {
    "cpl": ("cpl", "CPL", None),
    "cpm": ("cpm", "CPM", ("mais caro", "mais barato")),
    "ctr": ("ctr", "CTR", ("mais alto", "mais baixo")),
    "spend": ("spend_day", "gasto por dia", ("gasta mais por dia", "gasta menos por dia")),
    "leads": (
        "leads_day",
        "número de leads por dia",
        ("traz mais leads por dia", "traz menos leads por dia"),
    ),
}


def weekend_lines(rows: list[dict[str, Any]], when: str, currency: str = "BRL", asked: str = "") -> list[str]:
    """ "O CPL do fim de semana tá pior que dia de semana?", "o cpm do fds é mais caro?", "final de semana
    gasta mais que dia útil?": Saturday and Sunday summed against Monday to Friday over the same 4 weeks,
    the verdict by the figure asked first (the CPL unless another is named), then each side per day.
    `asked`: the intent's ask ("weekend_worse:cpm", `weekend_parts`): the side asked ("worse", "better",
    "more", "less": "Sim"/"Não" first, "" for the verdict alone) and the figure."""
    side, figure = weekend_parts(asked)
    end, work = _side(rows, WEEKEND), _side(rows, tuple(d for d in range(7) if d not in WEEKEND))
    if not end["days"] or not work["days"]:
        return [f"Não há dados de fim de semana e de dias úteis {when} para comparar."]

    def money(v: float | None) -> str:
        return format_money(v, currency) if v is not None else "sem leads"

    def per_day(x: dict[str, Any]) -> str:
        cpm = format_money(x["cpm"], currency) if x["cpm"] is not None else "sem impressões"
        ctr = format_pct(x["ctr"], 2) if x["ctr"] is not None else "sem impressões"
        parts = {
            "cpm": f"CPM {cpm}",
            "ctr": f"CTR {ctr}",
            "cpl": f"CPL {money(x['cpl'])}",
            "leads": f"{format_number(x['leads_day'], 1)} leads/dia",
            "spend": f"{format_money(x['spend_day'], currency)}/dia de gasto",
        }
        # the figure asked first ("gasta mais?": the spend per day); the CPM only when asked
        order = [figure, *(k for k in ("cpl", "leads", "spend") if k != figure)]
        return (
            ", ".join(parts[k] for k in order)
            + f" ({x['days']} dias, {leads_text(x['leads'])}, {format_money(x['spend'], currency)})"
        )

    return [
        f"{_weekend_verdict(end, work, figure, side, currency)} {when}.",
        f"- Sábado e domingo: {per_day(end)}.",
        f"- Segunda a sexta: {per_day(work)}.",
    ]


def _weekend_verdict(end: dict[str, Any], work: dict[str, Any], figure: str, side: str, currency: str) -> str:
    """The weekend's figure against the weekdays': "Sim"/"Não" first when a side was asked, "Praticamente
    igual" within 5%."""
    key, name, words = _WEEKEND_FIGURE[figure]
    if end[key] is None or work[key] is None:
        return f"Sem {name} de um dos lados para comparar"
    if not work[key]:
        return f"Sem {name} nos dias úteis para comparar"
    gap = (end[key] - work[key]) / work[key] * 100.0
    where = "acima" if gap > 0 else "abaixo"
    if abs(gap) < 5:
        values = "" if figure == "cpl" else f" ({_weekend_value(end, figure, currency)})"
        against = "" if figure == "cpl" else f" ({_weekend_value(work, figure, currency)})"
        return (
            f"Praticamente igual: o {name} do fim de semana{values} fica {format_pct(abs(gap))} {where} "
            f"do de segunda a sexta{against}"
        )
    # a dearer lead or thousand impressions is worse; fewer leads a day or a lower CTR is worse
    worse = gap < 0 if figure in {"leads", "ctr"} else gap > 0
    yes = {"worse": worse, "better": not worse, "more": gap > 0, "less": gap < 0}.get(side)
    first = "" if yes is None else "Sim: o" if yes else "Não: o"
    if words is None:  # the CPL's verdict, as it always read
        word = "pior (mais caro)" if gap > 0 else "melhor (mais barato)"
        return (
            f"{first or 'O'} fim de semana está {word} que os dias úteis, CPL {format_pct(abs(gap))} {where}"
        )
    word = words[0] if gap > 0 else words[1]
    both = f"{_weekend_value(end, figure, currency)} contra {_weekend_value(work, figure, currency)}"
    rate = figure in {"cpm", "ctr"}
    what = f"{name} do fim de semana é" if rate else "fim de semana"
    than = "o dos dias úteis" if rate else "os dias úteis"
    return f"{first or 'O'} {what} {word} que {than}: {both}, {format_pct(abs(gap))} {where}"


def _weekend_value(x: dict[str, Any], figure: str, currency: str) -> str:
    """A side's figure as said in a verdict: "R$ 22,59" (CPM), "R$ 1.457,04/dia", "63,8 leads/dia"."""
    if figure == "spend":
        return f"{format_money(x['spend_day'], currency)}/dia"
    if figure == "leads":
        return f"{format_number(x['leads_day'], 1)} leads/dia"
    if figure == "ctr":
        return format_pct(x["ctr"], 2)
    return format_money(x[_WEEKEND_FIGURE[figure][0]], currency)


def _one_weekday(day: int, rows: list[dict[str, Any]], when: str, currency: str = "BRL") -> str:
    """ "Sábado é bom dia pra anunciar?": its place by CPL among the weekdays (rows sorted best first), its
    CPL against the 4 weeks' (all spend over all leads): one of the best (the best two), of the worst (the
    worst two) or in the middle."""
    found = next((i for i, x in enumerate(rows) if x["weekday"] == day and x["cpl_v"] is not None), None)
    name = WEEKDAYS_PT[day]
    if found is None:
        return f"Não há CPL de {name} {when}: sem leads nesse dia da semana."
    x, n = rows[found], len(rows)
    leads = sum(r["leads"] for r in rows)
    overall = sum(r["spend_v"] for r in rows) / leads if leads else None
    # said the same whichever way it was asked ("é bom dia?", "é dia ruim?")
    word = "Um dos melhores" if found < 2 else "Um dos piores" if found >= n - 2 else "No meio"
    gap = (
        f", contra {format_money(overall, currency)} no total das 4 semanas" if overall else ""
    )  # was R$ always
    return (
        f"{word}: pelo CPL, {name} é o {found + 1}º de {n} dias da semana {when}: CPL {x['cpl']}{gap} "
        f"({leads_text(x['leads'])}, {x['spend']} gastos)."
    )


def _two_weekdays(a: int, b: int, rows: list[dict[str, Any]], when: str) -> str:
    """ "Segunda é melhor que sexta?": the two weekdays' CPLs over the 4 weeks, the cheaper said better."""
    by_day = {x["weekday"]: x for x in rows if x["cpl_v"] is not None}
    if a not in by_day or b not in by_day:
        missing = WEEKDAYS_PT[a if a not in by_day else b]
        return f"Não há CPL de {missing} {when}: sem leads nesse dia da semana."
    first, second = (a, b) if by_day[a]["cpl_v"] <= by_day[b]["cpl_v"] else (b, a)  # the better one first
    x, y = by_day[first], by_day[second]
    tie = round(x["cpl_v"], 2) == round(y["cpl_v"], 2)
    verdict = "empatam pelo CPL" if tie else f"saiu melhor que {WEEKDAYS_PT[second]} pelo CPL"
    if tie:
        verdict = f"{WEEKDAYS_PT[first]} e {WEEKDAYS_PT[second]} {verdict}"
    else:
        verdict = f"{WEEKDAYS_PT[first]} {verdict}"
    return (
        f"{verdict[0].upper()}{verdict[1:]} {when}: CPL {x['cpl']} ({leads_text(x['leads'])}) contra "
        f"{y['cpl']} ({leads_text(y['leads'])}) de {WEEKDAYS_PT[second]}."
    )


# "qual foi o dia com mais leads?": what ranks the days, in words, and how (key, highest first)
DAY_RANK_PT = {
    "leads": ("Dia com mais leads", "leads", True),
    "leads_low": ("Dia com menos leads", "leads", False),
    "spend": ("Dia com maior gasto", "spend_v", True),
    "spend_low": ("Dia com menor gasto", "spend_v", False),
    "cpl_high": ("Pior dia (maior CPL)", "cpl_v", True),
    "cpl_low": ("Melhor dia (menor CPL)", "cpl_v", False),
}


def say_best_day(intent: Intent, out: Out) -> list[str]:
    """ "Qual foi o dia com mais leads?" / "dia com maior gasto" / "pior dia": the account's day that
    ranks first over the period (the last 30 complete days unless one was asked), from the source, with
    its leads, spend and CPL; a day of spend with no lead is the worst CPL of all."""
    period, f = out["_period"], out.get("_days")
    if f is None:
        first = out.get("_first_day")
        since = f"os dados começam em {br_date(first.isoformat())}" if first else "não há dados desta conta"
        return [f"Não há dados de {period.label}: {since}."]
    if intent.ask == "week":
        return _week_lines(intent, period, f, out.get("_currency") or "BRL")
    head, key, desc = DAY_RANK_PT[intent.metric or "leads"]
    rows = f["rows"]
    if key == "cpl_v":  # a day that spent with no lead has no CPL but is worse than any
        idle = [x for x in rows if x["cpl_v"] is None and x["spend_v"] > 0]
        priced = sorted((x for x in rows if x["cpl_v"] is not None), key=lambda x: x["cpl_v"], reverse=desc)
        ranked = (sorted(idle, key=lambda x: -x["spend_v"]) + priced) if desc else priced
    else:
        ranked = sorted(rows, key=lambda x: -x[key] if desc else x[key])  # stable: the earlier day on a tie
    span = br_span(f["first_day"], f["last_day"])
    n = len(rows)
    notes = []
    if f["last_day"] < period.last:
        notes.append(f"parcial: o período vai até {br_date(period.last.isoformat())}")
    if f["first_day"] > period.first:
        notes.append(f"parcial: os dados começam em {br_date(f['first_day'].isoformat())}")
    when = f"{period_in(period.label)} ({span}, {days_text(n)} com dados{''.join('; ' + x for x in notes)})"
    if not ranked:
        return [f"Nenhum dia com leads {when}: não há CPL por dia para comparar."]

    def line(x: dict[str, Any]) -> str:
        day = x["date"]
        return (
            f"{br_date(day.isoformat())} ({WEEKDAYS_PT[day.weekday()]}): {leads_text(x['leads'])}, "
            f"{x['spend'] or '-'} gastos, CPL {x['cpl'] or 'sem leads'}"
        )

    left_out = excluded_text(f["set_aside"], f.get("orphans") or 0)
    return [
        f"{head} {when}: {line(ranked[0])}.",
        *(["Em seguida:", *(f"- {line(x)}" for x in ranked[1:4])] if len(ranked) > 1 else []),
        *([f"{left_out[0].upper()}{left_out[1:]}."] if left_out else []),
    ]


# "qual foi a pior semana do mês?": what ranks the weeks, in words
WEEK_RANK_PT = {
    "leads": ("Semana com mais leads", "pelos leads"),
    "leads_low": ("Semana com menos leads", "pelos leads"),
    "spend": ("Semana com maior gasto", "pelo gasto"),
    "spend_low": ("Semana com menor gasto", "pelo gasto"),
    "cpl_high": ("Pior semana (maior CPL)", "pelo CPL"),
    "cpl_low": ("Melhor semana (menor CPL)", "pelo CPL"),
}


def _week_lines(intent: Intent, period: Any, f: dict[str, Any], currency: str) -> list[str]:
    """The calendar weeks (Monday to Sunday) of the period ranked by the figure asked (`DAY_RANK_PT`'s):
    only the weeks whole inside the period and the data compete (a week of 1 day beside weeks of 7 is no
    comparison); those cut short are named apart. Each with its dates, spend, leads and CPL."""
    rows = pl.DataFrame(
        [{"date": x["date"], "spend": x["spend_v"], "leads": x["leads"]} for x in f["rows"]],
        schema={"date": pl.Date, "spend": pl.Float64, "leads": pl.Int64},
    )
    weeks = (
        rows.group_by(monday=pl.col("date").dt.truncate("1w"))
        .agg(pl.col("spend").sum(), pl.col("leads").sum(), days=pl.len())
        .with_columns(
            sunday=pl.col("monday") + pl.duration(days=6),
            cpl=pl.when(pl.col("leads") > 0).then(pl.col("spend") / pl.col("leads")),
        )
        .sort("monday")
    )
    inside = pl.col("monday").is_between(max(period.first, f["first_day"]), min(period.last, f["last_day"]))
    whole = weeks.filter(
        inside & (pl.col("sunday") <= min(period.last, f["last_day"])) & (pl.col("days") == 7)
    )
    head, by = WEEK_RANK_PT[intent.metric or "cpl_low"]
    span = br_span(f["first_day"], f["last_day"])
    when = f"{period_in(period.label)} ({span})"
    if whole.is_empty():
        return [f"Nenhuma semana inteira (segunda a domingo) com dados {when}: não há semanas a comparar."]
    metric = intent.metric or "cpl_low"
    key = "cpl" if metric.startswith("cpl") else metric.removesuffix("_low")
    high_first = metric in {"cpl_high", "leads", "spend"}
    # a week that spent with no lead has no CPL but is the worst of all
    ranked = whole.sort(
        [key, "spend"], descending=[high_first, True], nulls_last=not (key == "cpl" and high_first)
    )
    ranked = ranked.to_dicts()

    def line(w: dict[str, Any]) -> str:
        cpl = format_money(w["cpl"], currency) if w["cpl"] is not None else "sem leads"
        return (
            f"{br_span(w['monday'], w['sunday'])}: "
            f"{format_money(w['spend'], currency)} gastos, {leads_text(w['leads'])}, CPL {cpl}"
        )

    def days_of(w: dict[str, Any]) -> str:
        first, last = max(w["monday"], period.first), min(w["sunday"], period.last, f["last_day"])
        span = br_date(first.isoformat()) + ("" if first == last else f" a {br_date(last.isoformat())}")
        return f"{span} ({days_text(w['days'])} com dados)"

    cut = weeks.filter(~pl.col("monday").is_in(whole["monday"].implode()))
    apart = [
        "Fora do ranking, por não serem semanas inteiras no período: "
        + "; ".join(days_of(w) for w in cut.to_dicts())
        + "."
    ]
    apart = apart if not cut.is_empty() else []
    return [
        f"{head} {when}, entre as {len(ranked)} semanas inteiras (segunda a domingo), {by}: "
        f"{line(ranked[0])}.",
        *(["Em seguida:", *(f"- {line(w)}" for w in ranked[1:])] if len(ranked) > 1 else []),
        *apart,
    ]


def _times(n: int) -> str:
    return f"{n} {'vez' if n == 1 else 'vezes'}"


def _weekday_span(w: dict[str, Any]) -> str:
    """How many days the weekday figures hold, and each weekday how many times: 28 days, each weekday 4
    times, on an account with 4 full weeks of data; fewer, said as such, when its data begins later."""
    n = w.get("days_with_data", w["days"])
    counts = {x["weekday"]: x["n_days"] for x in w["weekdays"]}
    if n == w["days"] and set(counts.values()) == {w["days"] // 7} and len(counts) == 7:
        return f"{n} dias: cada dia da semana {_times(w['days'] // 7)}"
    start = w.get("data_first_day")
    since = f"os dados começam em {br_date(start.isoformat())}; " if start and start > w["first_day"] else ""
    if len(counts) == 7 and len(set(counts.values())) == 1:
        each = f"cada dia da semana {_times(next(iter(counts.values())))}"
    else:
        each = ", ".join(f"{WEEKDAYS_PT[d]} {_times(k)}" for d, k in sorted(counts.items()))
    return f"{since}{days_text(n)} com dados: {each}"


def _change(new: float, old: float) -> float:
    return (new - old) / old * 100.0


def weekend_judged_lines(asked: str, v: dict[str, Any], currency: str = "BRL") -> list[str]:
    """ "O fds foi bom?": last weekend's CPL and leads per day against the usual weekend's (the weekends
    before it summed). Good: a cheaper lead (5% or more) without 10% fewer leads a day, or 10% more leads a
    day at no dearer lead; weak the other way round; "Em parte" when one is better and the other worse, "Na
    média" when neither moved. "Sim"/"Não" to the side asked ("bom": good, "ruim": weak), "Bom"/"Fraco" when
    none is ("como foi o fds?"). Nothing to judge when a side has no leads."""
    last, usual = v.get("last"), v.get("usual")
    if not last or not usual or last["cpl"] is None or usual["cpl"] is None:
        return []
    span = br_span(v["saturday"], v["sunday"])
    before = br_span(usual["first_day"], usual["last_day"])
    cpl_gap = _change(last["cpl"], usual["cpl"])
    leads_gap = _change(last["leads_day"], usual["leads_day"])
    cheaper, dearer = cpl_gap <= -5, cpl_gap >= 5
    more, fewer = leads_gap >= 10, leads_gap <= -10
    good = (cheaper and not fewer) or (more and not dearer)
    weak = (dearer and not more) or (fewer and not cheaper)

    def signed_pct(x: float) -> str:
        return ("+" if x > 0 else "-" if round(x) < 0 else "") + format_pct(abs(x))

    figures = (
        f"CPL {format_money(last['cpl'], currency)} contra {format_money(usual['cpl'], currency)} "
        f"({signed_pct(cpl_gap)}) e {format_number(last['leads_day'], 1)} leads por dia contra "
        f"{format_number(usual['leads_day'], 1)} ({signed_pct(leads_gap)}), nos {v['weekends']} fins de "
        f"semana anteriores ({before})"
    )
    who = f"o fim de semana ({span})"
    if good == weak:  # neither moved, or one better and the other worse
        mixed = (cheaper or more) and (dearer or fewer)
        word = (
            "Em parte: "
            + who
            + " teve "
            + ("lead mais barato, mas menos leads" if cheaper else "mais leads, mas lead mais caro")
        )
        head = word if mixed else f"Na média: {who} ficou perto do normal"
    elif not asked.endswith(("better", "worse")):  # "como foi o fds?": the verdict, no side to say Sim to
        head = f"{'Bom' if good else 'Fraco'}: {who} foi {'melhor' if good else 'mais fraco'} que o normal"
    else:
        yes = good == asked.endswith("better")
        head = f"{'Sim' if yes else 'Não'}: {who} foi {'melhor' if good else 'mais fraco'} que o normal"
    return [f"{head}: {figures}."]
