"""The anomalies in pt-BR: each type's words, one anomaly's line, the anomalies' answer ("teve alguma
anomalia?", "por que o CPL subiu?": the week's or the day's, with the move explained first) and the
tracking answer ("tem campanha com problema de rastreamento?") read from the zero-lead anomalies."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from famachat_ml_pipeline.agent.answers_today import today_cpl_lines
from famachat_ml_pipeline.agent.answers_trends import day_why_lines, trend_lines, why_parts
from famachat_ml_pipeline.agent.answers_verdicts import day_move_lines, week_movers_lines
from famachat_ml_pipeline.agent.intents import Intent
from famachat_ml_pipeline.agent.wording import (
    Out,
    br_date,
    br_span,
    days_text,
    failed,
    period_in,
    quoted,
    signed,
)
from famachat_ml_pipeline.core.anomalies.config import DEFAULT_CONFIG as DEFAULT_ANOMALY_CONFIG
from famachat_ml_pipeline.core.recommendations import format_number
from famachat_ml_pipeline.core.vocab import GOOD_NEWS_ANOMALIES

# How each anomaly type reads in pt-BR, and the ones that are good news (more leads, cheaper leads, more
# clicks): those are not problems and are not listed as such.
TYPE_PT = {
    "SPEND_SPIKE": "alta de gasto",
    "SPEND_DROP": "queda de gasto",
    "CPL_SPIKE": "alta do CPL",
    "CPL_DROP": "queda do CPL",
    "CTR_SPIKE": "alta do CTR",
    "CTR_DROP": "queda do CTR",
    "PERFORMANCE_DROP": "queda de leads",
    "PERFORMANCE_SPIKE": "alta de leads",
    "FREQUENCY_ALERT": "frequência alta",
    "REACH_SATURATION": "saturação de alcance",
    "ZERO_SPEND": "gasto zerado",
    "ZERO_IMPRESSIONS": "impressões zeradas",
}
METRIC_PT = {"spend": "gasto", "cpl": "CPL", "ctr": "CTR", "leads": "leads", "impressions": "impressões"}
# Types whose observed value is not that day's own figure (core/anomalies/campaign.py): the lead change
# point compares the mean of the last `change_recent_days` days; frequency and reach are 7-day figures.
_RECENT, _FREQ = DEFAULT_ANOMALY_CONFIG.change_recent_days, DEFAULT_ANOMALY_CONFIG.frequency_window_days
WINDOW_PT = {
    "PERFORMANCE_SPIKE": f"média diária de leads dos {_RECENT} dias até esse dia",
    "PERFORMANCE_DROP": f"média diária de leads dos {_RECENT} dias até esse dia",
    "FREQUENCY_ALERT": f"frequência dos {_FREQ} dias até esse dia",
    "REACH_SATURATION": f"alcance dos {_FREQ} dias até esse dia",
}


def anomaly_line(x: dict[str, Any]) -> str:
    """One anomaly in pt-BR: what moved and which way, a window mean said as such, good news as such."""
    kind = x["type"]
    what = METRIC_PT.get(x["metric"], x["metric"])
    window = WINDOW_PT.get(kind)
    if kind == "PERFORMANCE_DROP" and x["observed"] in {"0", "0,00"}:
        window = None  # the zero-lead detector: days with spend and no lead at all, no mean
        what = "leads (com gasto, nenhum lead)"
    value = f"{window}: {x['observed']}" if window else f"{what} {x['observed']}"
    when = br_date(x["date"])
    if x.get("repeats", 1) > 1:  # its open days said once: "(28/11/2026; em 4 dias, de 28/11 a 01/12/2026)"
        when += f"; em {days_text(x['repeats'])}, de {br_date(x['first_date'])} a {br_date(x['last_date'])}"
    head = f"- {TYPE_PT.get(kind, kind)} em {quoted(x['name'])} ({when}): {value} contra "
    tail = f"{x['expected']} esperado ({signed(x['change']) or '-'})"  # "+215%", as every change
    if kind in GOOD_NEWS_ANOMALIES:
        return head + tail + "; boa notícia, não um problema."
    return f"{head}{tail}; severidade {x['severity']}."


def anomaly_block(a: dict[str, Any]) -> list[str]:
    rows = a.get("anomalies", [])
    bad = [anomaly_line(x) for x in rows if x["type"] not in GOOD_NEWS_ANOMALIES]
    good = [anomaly_line(x) for x in rows if x["type"] in GOOD_NEWS_ANOMALIES]
    return bad + good


def campaign_alert_lines(intent: Intent, out: Out) -> list[str]:
    """ "O CTR da 17 despencou, o que houve?": after her move, her open alerts of the 7 days (or none)."""
    d = out.get("get_campaign_details")
    if intent.ask != "what_happened" or not d or failed(d):
        return []
    if not d["open_anomalies"]:
        return [f"Nenhum alerta aberto para {quoted(d['name'])} nos últimos 7 dias."]
    n = max(d.get("open_anomalies_total") or 0, len(d["open_anomalies"]))
    return [
        f"Alertas abertos de {quoted(d['name'])} nos últimos 7 dias ({n}):",
        *anomaly_block({"anomalies": d["open_anomalies"]}),
    ]


def _cause(c: dict[str, Any]) -> str:
    """What a run of days without leads points to: few clicks (0 leads likely at the leads per click of the
    28 days before) or the tracking (clicks enough for leads, and none came)."""
    now, before, expected = c["clicks_day"], c["clicks_day_before"], c["leads_by_clicks"]
    if expected is None or now is None or before is None:
        return "; provável quebra de rastreamento"
    clicks = f"{format_number(now, 1)} cliques/dia contra {format_number(before, 1)} nos 28 dias antes"
    by_clicks = f"pelos cliques, eram esperados {format_number(expected, 1)} leads"
    if c["clicks_explain"]:
        return f"; os cliques caíram ({clicks}; {by_clicks}): não parece o pixel, e sim o anúncio"
    return f"; provável quebra de rastreamento ({clicks}; {by_clicks} e não veio nenhum)"


def say_tracking(intent: Intent, out: Out) -> list[str]:
    """ "Tem campanha com problema de rastreamento?": the campaigns with zero-lead anomalies in the last 7
    days, their days in a row with spend and no lead, and a tracking check advised from the 2nd day (the
    detector's tracking break: CRITICAL from the 2nd day in a row)."""
    t = out["_tracking"]
    span = br_span(t["since"], t["through"])
    if not t["campaigns"]:
        return [
            f"Nenhuma campanha com leads zerados nos últimos 7 dias ({span}): o detector de anomalias não "
            "sinalizou nenhum dia com gasto e nenhum lead fora do esperado para a campanha, então nada "
            "indica problema de rastreamento (pixel ou formulário)."
        ]
    n = len(t["campaigns"])
    lines = [
        f"{n} campanha{'s' if n != 1 else ''} com leads zerados (dias com gasto e nenhum lead, improváveis "
        f"pelo histórico da campanha) nas anomalias dos últimos 7 dias ({span}):"
    ]
    for c in t["campaigns"]:
        first, last, run = br_date(c["first_day"].isoformat()), br_date(c["last_day"].isoformat()), c["run"]
        days = (
            f"{run} dias seguidos com gasto e nenhum lead ({first} a {last}), {c['spend']} gastos nesses dias"
            if run > 1
            else f"1 dia com gasto e nenhum lead ({last}), {c['spend']} gastos"
        )
        if c["leads_back"] is not None:
            now = f"; voltou a gerar leads em {br_date(c['leads_back'].isoformat())}"
        elif c["last_day"] == t["through"]:
            now = "; segue sem lead no último dia completo"
        else:
            now = ""
        mark = _cause(c) if run >= 2 else ""
        lines.append(
            f"- {quoted(c['name'])} ({c['campaign_id']}): {days}; severidade {c['severity']}{now}{mark}."
        )
    few_clicks = any(c["run"] >= 2 and c["clicks_explain"] for c in t["campaigns"])
    if few_clicks:
        lines.append(
            "Onde os cliques caíram, 0 lead é o que poucos cliques trazem: olhe o anúncio (criativo, "
            "público, CTR) antes do pixel."
        )
    if any(c["run"] >= 2 and not c["clicks_explain"] for c in t["campaigns"]):
        which = "das demais campanhas" if few_clicks else "das campanhas"
        lines.append(
            f"Vale checar o rastreamento (pixel ou formulário) {which} com 2 ou mais dias seguidos: a "
            "partir do 2º dia o detector trata como quebra de rastreamento."
        )
    if any(c["run"] < 2 for c in t["campaigns"]):
        lines.append("Um dia só pode ser acaso; se repetir, vale checar o rastreamento.")
    return lines


# What an alert of each type usually means for a buyer, said after the alert itself
MEANING_PT = {
    "ZERO_SPEND": "a campanha parou de entregar (nenhum gasto e nenhuma impressão) num dia em que devia "
    "rodar e vinha rodando nos dias anteriores; o alerta sai no primeiro dia da parada. Costuma ser pausa, "
    "orçamento ou limite de gasto da conta esgotado, pagamento recusado ou anúncios reprovados: vale "
    "conferir no Gerenciador de Anúncios",
    "ZERO_IMPRESSIONS": "a fonte registrou gasto sem nenhuma impressão: uma falha de relatório, não uma "
    "parada de entrega",
    "SPEND_SPIKE": "a campanha gastou bem acima do que o histórico dela previa para o dia",
    "SPEND_DROP": "a campanha gastou bem abaixo do que o histórico dela previa para o dia",
    "CPL_SPIKE": "o custo por lead do dia ficou bem acima do esperado pelo histórico da campanha",
    "CTR_DROP": "a taxa de cliques do dia ficou bem abaixo do esperado: criativo cansado ou público errado",
    "PERFORMANCE_DROP": "os leads caíram bem abaixo do esperado pelo histórico da campanha",
    "FREQUENCY_ALERT": "o mesmo público está vendo o anúncio muitas vezes: sinal de saturação",
    "REACH_SATURATION": "o alcance parou de crescer: o público está se esgotando",
}


def critical_lines(intent: Intent, out: Out) -> list[str]:
    """ "Teve algum problema crítico?": the CRITICAL anomalies of the window that are problems, first, or
    that there are none (the rest follows in the anomalies' list)."""
    c = out.get("get_critical_anomalies")
    if intent.ask not in {"critical", "gravest"} or c is None:
        return []
    since = br_date(c.get("since"))
    bad = [x for x in c.get("anomalies", []) if x["type"] not in GOOD_NEWS_ANOMALIES]
    # "qual a mais grave?" asks which, not whether: no "Sim"/"Não" before the answer
    yes, no = ("Sim: ", "Não: nenhuma") if intent.ask == "critical" else ("", "Nenhuma")
    if not bad:
        return [f"{no} anomalia de severidade CRITICAL desde {since}."]
    n = sum(x.get("repeats", 1) for x in bad)
    s = "s" if n != 1 else ""
    runs = f", em {len(bad)} alertas (campanha e tipo)" if len(bad) < n else ""
    return [
        f"{yes}{n} anomalia{s} de severidade CRITICAL desde {since}{runs}:",
        *(anomaly_line(x) for x in bad),
    ]


def _run(line: str) -> str:
    """An anomaly line's kind and campaign ("- gasto zerado em “X”"): a grouped line and a day's match. Cut
    at the quote's end, not at the first " (": a name may hold one ("Imóveis (SP)", "Imóveis (RJ)")."""
    return line.split("” (", 1)[0]


def _not_again(week: list[str], critical: list[str]) -> list[str]:
    """The open anomalies' list after the critical ones were listed ("tem algum alerta crítico?"): those
    not said again (was the same 5 lines twice), the count kept; `week` as it is when none were listed."""
    said = {_run(x) for x in critical[1:]}
    if not said or not week or not week[0].endswith(("principais:", "é esta:", "só):")):
        return week
    rest = [x for x in week[1:] if _run(x) not in said]
    head = week[0].removesuffix(":")
    for tail in ("; as principais", "; os principais", "; é esta"):
        head = head.removesuffix(tail)
    n = len(said)
    # grouped, the list counts alerts (campaign and kind): the critical ones said as alerts too
    grouped = "alertas (campanha e tipo" in head
    head += (
        f", entre eles {'o crítico' if n == 1 else f'os {n} críticos'} acima"
        if grouped
        else f", entre elas {'a crítica' if n == 1 else f'as {n} críticas'} acima"
    )
    return [f"{head}; {'outros' if grouped else 'outras'}:" if rest else f"{head}.", *rest]


def type_lines(intent: Intent, out: Out) -> list[str]:
    """ "Por que o alerta de gasto zerado?": that type's alerts of the last 30 days first (campaign, day,
    observed against expected) and what the alert means, before anything else."""
    a = out.get("get_anomalies_by_type")
    kind = (intent.ask or "").removeprefix("anomaly_type:")
    if a is None or not kind:
        return []
    name = TYPE_PT.get(kind, kind)
    if not a.get("total"):
        return [f"Nenhum alerta de {name} ({kind}) aberto desde {br_date(a.get('since'))}."]
    n = a["total"]
    head = f"O alerta de {name} ({kind})" if n == 1 else f"{n} alertas de {name} ({kind})"
    k = a.get("distinct") or n  # one line a campaign, its days in it
    runs = f", em {k} campanha{'s' * (k > 1)}" if k < n else ""
    lines = [f"{head} desde {br_date(a.get('since'))}{runs}:", *(anomaly_line(x) for x in a["anomalies"])]
    if kind in MEANING_PT:
        lines.append(f"O que significa: {MEANING_PT[kind]}.")
    return lines


# the severities the pipeline gives that ask for action now (MEDIUM and LOW can wait for the next days)
_SERIOUS_SEVERITIES = ("CRITICAL", "HIGH")


def serious_lines(intent: Intent, a: dict[str, Any], when: str) -> list[str]:
    """ "O alerta de ontem é sério?", "esse alerta é grave?": "Sim" when some anomaly of that day (or of
    the open ones, `when` "desde 23/11/2026") that is a problem (not good news) has CRITICAL or HIGH
    severity, with how many of each, counted over every row (the list stops at its limit); "Não" when
    none does."""
    if intent.ask != "serious":
        return []
    bad = [x for x in a.get("anomalies", []) if x["type"] not in GOOD_NEWS_ANOMALIES]
    kinds = a.get("by_severity_type") or {}
    counts = {
        s: sum(n for k, n in kinds.get(s, {}).items() if k not in GOOD_NEWS_ANOMALIES)
        if kinds
        else sum(x["severity"] == s for x in bad)
        for s in _SERIOUS_SEVERITIES
    }
    parts = [f"{n} de severidade {s}" for s, n in counts.items() if n]
    if parts:
        many = next(n for n in counts.values() if n) != 1  # "1 anomalia de ... e 1 de ...", not "1 anomalias"
        head = parts[0].replace(" de ", f" anomalia{'s' if many else ''} de ", 1)
        return [f"Sim: {when} houve {' e '.join([head, *parts[1:]])}: é o nível que pede ação já."]
    return [f"Não: nenhuma anomalia de severidade CRITICAL ou HIGH {when}."]


_SEVERITY_ORDER = ("CRITICAL", "HIGH", "MEDIUM", "LOW")


def problems_lines(a: dict[str, Any], through: Any) -> list[str]:
    """ "Teve algum problema essa semana?": the open anomalies of the last 7 days that are problems (good
    news aside), Sim/Não first, counted by severity and then by type (over every one, not only the rows
    listed), the worst severity first, and the worst one itself."""
    span = f"últimos 7 dias ({br_date(a.get('since'))} a {br_date(through)})"
    counts = {
        sev: {k: n for k, n in sorted(kinds.items(), key=lambda kv: -kv[1]) if k not in GOOD_NEWS_ANOMALIES}
        for sev, kinds in (a.get("by_severity_type") or {}).items()
    }
    good = a.get("total", 0) - sum(n for kinds in counts.values() for n in kinds.values())
    tail = (
        [f"Fora isso, {good} anomalia{'s' if good != 1 else ''} de boa notícia (não é problema)."]
        if good
        else []
    )
    n = sum(n for kinds in counts.values() for n in kinds.values())
    if not n:
        return [f"Não: nenhuma anomalia que seja problema nos {span}.", *tail]
    order = [s for s in _SEVERITY_ORDER if counts.get(s)] + [
        s for s in counts if s not in _SEVERITY_ORDER and counts[s]
    ]
    total = ", ".join(f"{sum(counts[s].values())} {s}" for s in order)
    lines = [
        f"Sim: {n} anomalia{'s' if n != 1 else ''} que {'são' if n != 1 else 'é'} problema nos {span}: "
        f"{total}."
    ]
    rows = [x for x in a.get("anomalies", []) if x["type"] not in GOOD_NEWS_ANOMALIES]
    for sev in order:
        parts = []
        for kind, k in counts[sev].items():
            names = dict.fromkeys(
                quoted(x["name"]) for x in rows if x["severity"] == sev and x["type"] == kind
            )
            parts.append(f"{k}x {TYPE_PT.get(kind, kind)}" + (f" ({', '.join(names)})" if names else ""))
        lines.append(f"- {sev}: {'; '.join(parts)}.")
    if rows:
        lines.append(f"A mais grave: {anomaly_line(rows[0])[2:]}")
    return [*lines, *tail]


def say_anomalies(intent: Intent, out: Out) -> list[str]:
    a, t = out["get_anomalies"], out["analyze_trends"]
    if (today := out.get("_today_cpl")) is not None:  # "por que o cpl subiu hoje?": today so far
        move = (intent.metric or "").rpartition("_")[2]
        return today_cpl_lines(move, today, out.get("_currency") or "BRL")
    if intent.ask == "problems":  # "teve algum problema essa semana?": the 7 days' problems, counted
        return [
            *problems_lines(a, t.get("last_7d", {}).get("last_day") or out["_through"]),
            *trend_lines(t)[:1],
        ]
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
            # "o alerta de ontem é sério?" on a day with none: the Não first, as on a day with some
            # "teve alerta ontem?" (the list asked) too
            verdict = intent.ask == "serious" or intent.metric == "list"
            lines.append(f"{'Não: nenhuma' if verdict else 'Nenhuma'} anomalia em {when}.")
        else:
            n = day["total"]
            lines += serious_lines(intent, day, f"em {when}")
            lines.append(f"{n} anomalia{'s' if n != 1 else ''} em {when}:")
            lines += anomaly_block(day)
    if moved := day_move_lines(intent, out):  # "por que o CPL subiu ontem?": that day against two others
        if (intent.metric or "").endswith("_which"):  # "qual campanha mais caiu em leads ontem?"
            return [*moved, *lines]
        return [*moved[:2], *day_why_lines(intent, out), *moved[2:], *lines]
    premise, why = why_parts(intent, out, t)
    if "_weeks_campaigns" in out and (intent.metric or "").count("_") == 2:
        # "por que o gasto caiu?": the campaigns that moved the spend (or the leads) most, after the move
        premise = [*premise, *week_movers_lines(replace(intent, metric=f"{intent.metric}_which"), out)]
    # over the calendar weeks the 7 days' lines would answer another question: left out
    context = why if "_weeks" in out else [*trend_lines(t), *why]
    since = f"desde {br_date(a.get('since'))}"
    if (period := out.get("_period")) is not None:  # "essa semana": the calendar week, with its days
        since = f"{period_in(period.label)} ({br_span(period.first, period.last)})"
    if not a.get("total"):
        # "esse alerta é grave?", "tem algum alerta?" with none open: the Não first, as with some open
        serious = asked is None and (intent.ask == "serious" or intent.metric == "list")
        week = [f"{'Não: nenhuma' if serious else 'Nenhuma'} anomalia aberta {since}."]
    else:
        lead = "Na semana, " if asked is not None else ""
        n = a["total"]
        many = f"{n} anomalias abertas" if n != 1 else "1 anomalia aberta"
        week = [f"{lead}{many} {since}; " + ("as principais:" if n != 1 else "é esta:")]
        if (k := a.get("distinct")) is not None and k < n:  # grouped: one line a campaign and kind
            shown = len(a.get("anomalies", []))
            week = [
                f"{lead}{many} {since}, em {k} alerta{'s' * (k > 1)} (campanha e tipo, os dias "
                f"repetidos numa linha só)" + ("; os principais:" if k > shown else ":")
            ]
        week += anomaly_block(a)
    if asked is None and a.get("total"):  # "esse alerta é grave?": the open ones judged, Sim/Não first
        week = [*serious_lines(intent, a, since), *week]
    if intent.metric == "list":  # "teve alguma anomalia?": the anomalies first, the week's figures after
        crit = critical_lines(intent, out)
        return [*crit, *type_lines(intent, out), *lines, *_not_again(week, crit), *context]
    return [*premise, *lines, *context, *week]
