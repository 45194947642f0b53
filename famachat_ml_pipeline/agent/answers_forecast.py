"""The forecast answers: the next days, one future day ("amanhã"), and up to the month's end, from the
pipeline's stored forecasts."""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Callable

from famachat_ml_pipeline.agent.answers_savings import saved_a_week
from famachat_ml_pipeline.agent.answers_talk import left_to_spend_lines
from famachat_ml_pipeline.agent.intents import Intent
from famachat_ml_pipeline.agent.intents_asks import month_end_asked
from famachat_ml_pipeline.agent.intents_numbers import parse_number
from famachat_ml_pipeline.agent.intents_periods import month_label
from famachat_ml_pipeline.agent.tools.forecasts import range_note
from famachat_ml_pipeline.agent.wording import (
    Out,
    about_leads,
    about_leads_text,
    about_money,
    br_date,
    br_span,
    count_text,
    counted,
    days_left_text,
    failed,
    figures_text,
    leads_text,
    quoted,
)
from famachat_ml_pipeline.core.forecasting.fleet import IDLE_DAYS
from famachat_ml_pipeline.core.recommendations import format_money, format_number, format_pct
from famachat_ml_pipeline.core.recommendations.config import DEFAULT_CONFIG as DEFAULT_RECOMMENDATION_CONFIG

_FIGURE = re.compile(r"\d[\d.]*(?:,\d+)?")


def _forecast_day_lines(intent: Intent, out: Out) -> list[str]:
    """One future day asked ("amanhã"): the forecast's values of that day alone, not the horizon's sum."""
    day = out.get("_day")
    if day is None or day <= out["_through"]:
        return []
    when = br_date(day.isoformat())
    if intent.campaign_id:
        found = [
            (out[n]["metric"], x)
            for n in ("predict_campaign_leads", "predict_campaign_cpl")
            if "days" in out[n]
            for x in out[n]["days"]
            if x["date"] == day.isoformat()  # the tools' outputs are JSON: their dates are ISO strings
        ]
        return [  # "CPL previsto de R$ 13,61" (was "R$ 13,61 de CPL previstos")
            f"Em {when}: {x['predicted']} leads previstos ({x['low']} a {x['high']})."
            if m == "leads"
            else f"Em {when}: CPL previsto de {x['predicted']} ({x['low']} a {x['high']})."
            for m, x in found
        ]
    f = out.get("get_forecasts@day") or {}
    if not f.get("total"):
        return [f"A previsão guardada não cobre {when}."]
    totals = f["account_totals"]
    # a forecast, said as one ("cerca de"), as the week's forecast is
    leads = about_leads_text(totals.get("leads", "-"))
    spend = f"{about_money(totals.get('spend', '-'))} de gasto"
    # "quanto vou gastar amanhã?": the spend asked, said first
    first, second = (spend, leads) if intent.metric == "spend" else (leads, spend)
    lines = [f"Previsão para {when} (só esse dia): {first} e {second} na conta."]
    if c := out.get("_cpl_day"):  # "cpl previsto pra amanhã?": the day's ratio of the two, first
        lines.insert(
            0,
            f"CPL previsto da conta para {when}: {about_money(c['cpl'])} (gasto previsto ÷ leads previstos "
            "do dia: a razão de duas previsões, não uma previsão do CPL).",
        )
    return lines


def _plus(done: str, ahead: str) -> str:
    """Two pt-BR figures summed, written as the first one is ("R$ 41.525,16" + "R$ 1.127,20" ->
    "R$ 42.652,36"; "1.802" + "35,0" -> "1.837"): its unit and its decimals."""
    m = _FIGURE.search(done)
    if m is None or not _FIGURE.search(ahead):
        return "-"
    decimals = len(m.group(0).split(",")[1]) if "," in m.group(0) else 0
    total = parse_number(m.group(0)) + parse_number(_FIGURE.search(ahead).group(0))
    text = format_number(total, decimals)
    return done[: m.start()] + text + done[m.end() :]


def _forecast_span(f: dict) -> tuple[str, str] | None:
    """The first and last day (ISO) of the stored forecast `get_forecasts` returned, None without one."""
    rows = [x for x in f.get("forecasts", []) if x["first_day"] and x["last_day"]]
    if not rows:
        return None
    return min(str(x["first_day"]) for x in rows), max(str(x["last_day"]) for x in rows)


def _month_close(out: Out, leads_first: bool) -> list[str]:
    """ "Novembro deve fechar em R$ X (R$ a a R$ b)": the figure asked first, the month so far plus the
    forecast of the days left, with the forecast's interval added to the month so far, each part said.
    When the stored forecast ends before the month does, the sum is said up to its last day only ("Novembro
    até 27/11/2026"), never a guess of the days after. Nothing when the forecast does not start the day
    after the month so far (a stale forecast: a sum would skip or repeat days)."""
    done, f, period = out.get("_period_figures"), out.get("get_forecasts") or {}, out["_period"]
    if done is None or not f.get("total") or (span := _forecast_span(f)) is None:
        return []
    first, last = span
    if first != (done["last_day"] + dt.timedelta(days=1)).isoformat():
        return []
    so_far = br_span(done["first_day"], done["last_day"])
    ahead = br_date(first) if first == last else f"{br_date(first)} a {br_date(last)}"
    month = f"{period.label[0].upper()}{period.label[1:]}"
    whole = last >= period.last.isoformat()
    spend, leads = done["spend"] or "-", count_text(done["leads"])
    totals, low, high = f["account_totals"], f.get("account_low") or {}, f.get("account_high") or {}

    def total(done_: str, key: str) -> str:
        value = _plus(done_, totals.get(key, "-"))
        if key in low and key in high:
            value += f" ({_plus(done_, low[key])} a {_plus(done_, high[key])})"
        return value

    spend_head = f"{month} deve fechar em" if whole else f"{month} até {br_date(last)} deve somar"
    leads_head = f"{month} deve fechar com" if whole else f"{month} até {br_date(last)} deve somar"
    lines = [
        f"{spend_head} {total(spend, 'spend')} de gasto: {spend} já investidos ({so_far}) + "
        f"{totals.get('spend', '-')} previstos ({ahead}).",
        f"{leads_head} {total(leads, 'leads')} leads: {leads} já realizados ({so_far}) + "
        f"{totals.get('leads', '-')} previstos ({ahead}).",
    ]
    return lines[::-1] if leads_first else lines


def _target_lines(out: Out) -> list[str]:
    """ "Quanto posso gastar por dia pra fechar em R$ 50 mil?": the spend left per day to the month's end,
    or that the month already spent more than the target; nothing when no target was asked."""
    t, done = out.get("_target"), out.get("_period_figures")
    if t is None or not t["days_left"]:
        return []
    month = out["_period"].label
    # the month's 1st: no complete day, nothing spent yet
    so_far = "nenhum dia completo ainda" if done is None else br_span(done["first_day"], done["last_day"])
    ahead = br_span(t["first_left"], t["last"])
    if t["over"]:
        return [
            f"Para fechar {month} em {t['target']} não sobra verba: o mês já soma {t['spent']} "
            f"({so_far}), {t['gap']} acima da meta, antes d{days_left_text(t['days_left'])} ({ahead})."
        ]
    return [
        f"Para fechar {month} em {t['target']}: até {t['per_day']} por dia n{days_left_text(t['days_left'])} "
        f"({ahead}; o gasto de hoje até agora conta nesse valor), pois o mês já soma {t['spent']} "
        f"({so_far}) e faltam {t['gap']}."
    ]


def _leads_target_lines(out: Out, target: float | None) -> list[str]:
    """ "Vou bater 2000 leads no mês?": Sim/Não first, with the day the forecast's pace reaches the goal (or
    how far the month's close falls short), then the leads left and the leads a day they take against the
    forecast's pace; nothing when no target was asked."""
    done, period = out.get("_period_figures"), out.get("_period")
    if target is None or period is None:
        return []
    if (other := out.get("_goal_month")) is not None:
        return _other_month_goal_lines(other, target)
    month, goal = period.label, count_text(round(target))
    if done is not None and target <= int(done["leads"]):
        return [
            f"A meta de {goal} leads em {month} já foi batida: o mês soma {leads_text(done['leads'])} "
            f"({br_span(done['first_day'], done['last_day'])})."
        ]
    days_left = (period.last - out["_through"]).days
    left = target - (int(done["leads"]) if done else 0)
    # the month's 1st: nothing done yet, the whole goal is left
    so_far = (
        f"o mês soma {leads_text(done['leads'])} ({br_span(done['first_day'], done['last_day'])})"
        if done is not None
        else "o mês ainda não tem dia completo"
    )
    need = f"{format_number(left / days_left, 1)} leads por dia n{days_left_text(days_left)}"
    reach = _reach(out, target)
    pace = f"; a previsão faz {format_number(reach['per_day'], 1)} por dia" if reach else ""
    left_text = count_text(round(left)) if done is not None else f"todos os {goal}"
    left_line = f"Para bater {goal} leads em {month} faltam {left_text}: {so_far}; são {need}{pace}."
    return [*_reach_lines(out, reach, target), left_line]


def _reach(out: Out, target: float) -> dict[str, object] | None:
    """The month's leads carried at the stored forecast's pace (`_projection`): the day the goal is reached
    (None when not in the month), the pace a day, the month's close and the forecast's last day; None without
    a forecast that starts the day after the month so far."""
    if (span := _fresh_span(out)) is None:
        return None
    first, last = span
    so_far, _, per_day, _, total = _projection(out, first, last)
    days = math.ceil((target - so_far.get("leads", 0.0)) / per_day["leads"]) if per_day["leads"] > 0 else None
    day = dt.date.fromisoformat(first) + dt.timedelta(days=days - 1) if days else None
    return {
        "day": day if day is not None and day <= out["_period"].last else None,
        "per_day": per_day["leads"],
        "close": total["leads"],
        "last": dt.date.fromisoformat(last),
    }


def _reach_lines(out: Out, reach: dict[str, object] | None, target: float) -> list[str]:
    """Sim/Não: the day the goal is reached, by the forecast itself within its days, at its pace after them
    (an extrapolation, said); with a forecast that reaches the month's end, its close and range."""
    if reach is None:
        return []
    period, goal = out["_period"], count_text(round(target))
    month = period.label
    close = _month_close(out, leads_first=True)
    ranged = re.search(r"deve fechar com ([\d.]+) \(([\d.]+) a ([\d.]+)\) leads", close[0]) if close else None
    closing = (
        f"o mês fecha com {ranged.group(1)} leads (faixa {ranged.group(2)} a {ranged.group(3)})"
        if ranged
        else f"o mês fecha com cerca de {format_number(reach['close'], 0)} leads"
    )
    day = reach["day"]
    after = f" (uma extrapolação depois de {br_date(reach['last'].isoformat())})"
    if day is None:
        extrapolated = "" if ranged else after
        short = count_text(round(target - reach["close"]))
        return [
            f"Não, no ritmo da previsão{extrapolated}: {closing}, {short} abaixo da meta de {goal} em "
            f"{month}."
        ]
    how = "pela previsão do pipeline" if day <= reach["last"] else f"no ritmo da previsão{after}"
    return [
        f"Sim, {how}: a conta chega a {goal} leads em {month} por volta de {br_date(day.isoformat())}, "
        f"e {closing}."
    ]


def _goal_basis_lines(out: Out) -> list[str]:
    """The month's leads a goal's verdict rests on: the month so far plus the stored forecast (with its
    range when it reaches the month's end), or carried at its pace after it, said as the extrapolation."""
    if out.get("_goal_month"):
        return []
    f, period = out["get_forecasts"], out["_period"]
    first, last = _forecast_span(f)
    if last < period.last.isoformat():
        leads, _, note = _to_month_end(out, first, last, leads_first=True)
        return [leads, note]
    return [
        *_month_close(out, leads_first=True)[:1],
        f"Entre parênteses, somada nas campanhas, a {range_note('leads')}.",
    ]


def _other_month_goal_lines(other: dict[str, object], target: float) -> list[str]:
    """A goal of a month other than today's: a month over ("bati 400 leads em novembro?") is its leads
    against the goal; another is one the stored forecast does not reach (it covers the days ahead only)."""
    goal, label = count_text(round(target)), other["label"]
    figures = other.get("figures")
    if not other["over"] or figures is None:
        return [
            f"Só projeto o mês corrente: a previsão guardada cobre os próximos dias, não {label}. Pergunte "
            f"“vou bater {goal} leads esse mês?”."
        ]
    leads = int(figures["leads"])
    gap = count_text(abs(leads - round(target)))
    verdict = "Sim" if leads >= target else "Não"
    side = "acima" if leads >= target else "abaixo"
    return [f"{verdict}: {label} fechou com {leads_text(leads)}, {gap} {side} da meta de {goal}."]


def _amount(text: object) -> float:
    """The number in a pt-BR figure as written ("R$ 28.863,09" -> 28863.09; "-" -> 0)."""
    m = _FIGURE.search(str(text or ""))
    return parse_number(m.group(0)) if m else 0.0


Sums = dict[str, float]


def _projection(out: Out, first: str, last: str) -> tuple[Sums, Sums, Sums, int, Sums]:
    """The month's spend and leads: so far, the stored forecast (first..last, clipped to the month by the
    plan), its pace per day, the days after it to the month's end, and the month's total at that pace."""
    period, done, totals = out["_period"], out.get("_period_figures"), out["get_forecasts"]["account_totals"]
    start, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    n, rest = (end - start).days + 1, max((period.last - end).days, 0)
    ahead = {k: _amount(totals.get(k)) for k in ("spend", "leads")}
    per_day = {k: v / n for k, v in ahead.items()}
    so_far = {"spend": _amount(done["spend"]), "leads": float(done["leads"])} if done else {}
    total = {k: so_far.get(k, 0.0) + ahead[k] + per_day[k] * rest for k in ahead}
    return so_far, ahead, per_day, rest, total


def _fresh_span(out: Out) -> tuple[str, str] | None:
    """The stored forecast's first and last day when it starts the day after the month so far; None
    otherwise, or without one (a stale forecast would skip or repeat days)."""
    f, done = out.get("get_forecasts") or {}, out.get("_period_figures")
    if not f.get("total") or (span := _forecast_span(f)) is None or out.get("_period") is None:
        return None
    expected = (done["last_day"] if done else out["_through"]) + dt.timedelta(days=1)
    return span if span[0] == expected.isoformat() else None


def _month_total(out: Out) -> tuple[Sums, bool] | None:
    """The month's projected close (`_projection`) and whether it is extrapolated past the stored forecast;
    None without a fresh forecast (`_fresh_span`)."""
    if (span := _fresh_span(out)) is None:
        return None
    first, last = span
    return _projection(out, first, last)[4], last < out["_period"].last.isoformat()


def _overspend_lines(out: Out, cap: float, fits: bool = False) -> list[str]:
    """ "Vou estourar a verba de 40 mil?": Sim/Não first, by the month's projected spend (the month so far
    plus the stored forecast, carried at its pace to the month's end) against the amount named; `fits`
    ("minha verba mensal é 35k, dá pra fechar o mês?"): the verdict the other way round."""
    projected, t = _month_total(out), out.get("_target")
    currency, month = out.get("_currency") or "BRL", out["_period"].label
    if t is not None and t["over"]:
        verdict = "Não" if fits else "Sim"
        return [f"{verdict}: {month} já passou de {t['target']}: o mês soma {t['spent']}, {t['gap']} acima."]
    if projected is None:
        return [
            f"Não sei dizer: não há previsão guardada recente para projetar {month} (rode `famachat-ml run`)."
        ]
    total, extrapolated = projected
    spend, gap, cap_text = total["spend"], abs(total["spend"] - cap), format_money(cap, currency)
    side = "abaixo" if spend <= cap else "acima"
    verdict = "Sim" if (spend <= cap) == fits else "Não"
    how = "no ritmo da previsão" if extrapolated else "pela previsão do pipeline"
    return [
        f"{verdict}, {how}: {month} deve fechar em cerca de {format_money(spend, currency)}, "
        f"{format_money(gap, currency)} {side} de {cap_text}."
    ]


def _to_month_end(out: Out, first: str, last: str, leads_first: bool) -> list[str]:
    """The month to its last day when the stored forecast (first..last) ends before it: the month so far,
    plus the forecast, plus its spend and leads per day over the days after it (an extrapolation, not the
    pipeline's forecast), each part said, the figure asked first."""
    period, done = out["_period"], out.get("_period_figures")
    currency = out.get("_currency") or "BRL"
    so_far, ahead, per_day, rest, total = _projection(out, first, last)
    end = dt.date.fromisoformat(last)
    month = f"{period.label[0].upper()}{period.label[1:]}"
    after = f"{br_date((end + dt.timedelta(days=1)).isoformat())} a {br_date(period.last.isoformat())}"
    forecast = f"{br_date(first)} a {br_date(last)}"

    def parts(key: str, word: str) -> str:
        shown = (lambda v: format_money(v, currency)) if key == "spend" else (lambda v: format_number(v, 0))
        span = br_span(done["first_day"], done["last_day"]) if done else ""
        done_part = f"{shown(so_far[key])} {word} ({span}) + " if done else ""
        return (
            f"{done_part}{shown(ahead[key])} previstos pelo pipeline ({forecast}) + "
            f"{shown(per_day[key] * rest)} nos {rest} dias seguintes ({after}), no ritmo da previsão "
            f"({shown(per_day[key]) if key == 'spend' else format_number(per_day[key], 1)} por dia)"
        )

    lines = [
        f"{month} deve fechar com cerca de {format_number(total['leads'], 0)} leads até "
        f"{br_date(period.last.isoformat())}: {parts('leads', 'já realizados')}.",
        f"{month} deve fechar em cerca de {format_money(total['spend'], currency)} de gasto até "
        f"{br_date(period.last.isoformat())}: {parts('spend', 'já investidos')}.",
    ]
    note = (
        f"A previsão guardada cobre só até {br_date(last)}; o mês vai até {br_date(period.last.isoformat())}"
        ": "
        f"os {rest} dias depois dela seguem o ritmo por dia da previsão, uma extrapolação, não uma previsão "
        "do pipeline."
    )
    return [*(lines if leads_first else lines[::-1]), note]


def _month_end_lines(out: Out, leads_first: bool = False) -> list[str]:
    """ "Quanto vou gastar até o fim do mês?": the stored forecast summed from the day after the last
    complete day to the month's last day, with its range, then the month so far plus that."""
    through, period, done = out["_through"], out.get("_period"), out.get("_period_figures")
    month = period.label if period else "o mês"
    if period is None or period.last <= through:
        return [
            f"{month[0].upper()}{month[1:]} já terminou: o último dia completo é "
            f"{br_date(through.isoformat())}."
        ]
    f, target = out.get("get_forecasts") or {}, _target_lines(out)  # the target needs no forecast
    if not f.get("total"):
        return [*target, "Ainda não há previsões guardadas para esta conta: rode `famachat-ml run`."]
    first, last = _forecast_span(f)
    totals, low, high = f["account_totals"], f.get("account_low", {}), f.get("account_high", {})
    days = br_date(first) if first == last else f"{br_date(first)} a {br_date(last)}"
    lines = [
        *target,
        *_month_close(out, leads_first),
        # the stored forecast's days alone are no "fim do mês" when it ends before the month does
        f"{'Até o fim do mês' if last >= period.last.isoformat() else 'Nos dias da previsão'} ({days}), "
        "pela previsão do pipeline "
        f"feita com dados até {br_date(str(f['made_on']))}: {totals.get('spend', '-')} de gasto "
        f"({low.get('spend', '-')} a {high.get('spend', '-')}) e "
        f"{about_leads_text(totals.get('leads', '-'))} "
        f"({low.get('leads', '-')} a {high.get('leads', '-')}) na conta.",
    ]
    if last < period.last.isoformat():
        # "até o fim do mês" asked on the 1st: the stored forecast ends before the month does; the month
        # is carried to its last day at the forecast's pace per day, said as the extrapolation it is
        # the month's close said first, before the sums up to the forecast's last day (`_month_close`)
        lines[len(target) : len(target)] = _to_month_end(out, first, last, leads_first)
    if done is not None:
        lines.append(
            f"Já realizado em {month} ({br_span(done['first_day'], done['last_day'])}): {figures_text(done)}."
        )
    return [*lines, f"Entre parênteses, somada nas campanhas, a {range_note('leads')}."]


MAX_STEP = DEFAULT_RECOMMENDATION_CONFIG.max_budget_step_pct  # this product's largest budget step


def _scaled_lines(pct: float, who: str, leads: str, span: str, whole: bool = False) -> list[str]:
    """ "Se eu aumentar 20% o orçamento, quantos leads?": the forecast is at the current budget (said
    first, with its range), the budget's change applied to it only as arithmetic at a constant CPL, and
    why the CPL seldom stays: never presented as a forecast."""
    factor = 1 + pct / 100
    value = _FIGURE.search(leads)
    # the account's sum in whole leads, as its forecast is said ("cerca de 393"); a campaign's keeps a decimal
    base = parse_number(value.group(0)) if value else None
    scaled = format_number(base * factor, 0 if whole else 1) if base is not None else "-"
    # "quantos leads perco?": the difference said too
    diff = format_number(abs(base * (factor - 1)), 0 if whole else 1) if base is not None else ""
    gap = f", {diff} {'a mais' if pct >= 0 else 'a menos'}" if base is not None else ""
    step = format_pct(MAX_STEP, 0)
    size = format_pct(abs(pct), 0)
    steps = f"; {size} de uma vez passa disso" if abs(pct) > MAX_STEP else ""
    more = "a mais" if pct >= 0 else "a menos"
    practice = (
        "Na prática o CPL costuma subir quando o orçamento é escalado (a Meta volta à fase de aprendizado), "
        f"então espere menos que isso; a recomendação aqui é subir no máximo {step} por vez{steps}."
        if pct >= 0
        else "Ao reduzir, o CPL costuma ficar igual ou cair um pouco (com menos verba, o leilão entrega "
        "primeiro as oportunidades mais baratas), então espere um pouco mais que isso; corte no máximo "
        f"{step} por vez, que cortes maiores também reiniciam a fase de aprendizado{steps}."
    )
    return [
        f"A previsão do pipeline para {who} é com o orçamento atual (não há previsão com outro "
        f"orçamento): {leads} {span}.",
        f"Se o CPL se mantiver, {size} {more} de orçamento daria cerca de {scaled} leads "
        f"({value.group(0) if value else '-'} × {format_number(factor, 2)}){gap}: uma conta proporcional, "
        "não uma previsão.",
        practice,
    ]


def _budget_change(intent: Intent, out: Out, who: str, whole: bool) -> tuple[float | None, list[str]]:
    """The change in % a what-if asks and the line that says it in money: an amount ("pra 300 por dia",
    "subir 50 reais") read against the daily budget now, a percentage quoted on it when there is one. The %
    is None when an amount meets no daily budget (the line then asks for a %)."""
    now, currency = out.get("_budget_now") or {}, out.get("_currency") or "BRL"
    budget, without = now.get("budget"), now.get("without", 0)
    money = functools.partial(format_money, currency=currency)
    whose = (
        "O orçamento diário das campanhas ativas da conta soma" if whole else f"O orçamento diário de {who} é"
    )
    apart = (
        f" ({counted(without, 'campanha ativa', 'campanhas ativas')} sem orçamento na campanha fica"
        f"{'m' if without > 1 else ''} de fora: a conta é só dos orçamentos conhecidos)"
        if whole and without
        else ""
    )
    if intent.ask not in {"budget_to", "budget_by"}:
        pct = intent.threshold or 0.0
        if not budget:
            return pct, []
        to = budget * (1 + pct / 100)
        saved = _saved(budget, to, money)
        return pct, [f"{whose} {money(budget)} hoje{apart}; {_signed(pct)} são {money(to)} por dia{saved}."]
    if not budget:
        where = "nas campanhas ativas" if whole else "na campanha"
        return None, [
            f"Não há orçamento diário {where} (pode estar nos conjuntos de anúncios, que a fonte não traz), "
            "então não sei quanto esse valor por dia muda: diga a mudança em % (ex.: “e se eu aumentar 20% "
            "o orçamento?”)."
        ]
    amount = intent.threshold or 0.0
    to = budget + amount if intent.ask == "budget_by" else amount
    if to < 0:
        return None, [f"{whose} {money(budget)} hoje: tirar {money(-amount)} por dia passa de zero."]
    pct = (to / budget - 1) * 100
    saved = _saved(budget, to, money)
    return pct, [f"{whose} {money(budget)} hoje{apart}; {money(to)} por dia são {_signed(pct)}{saved}."]


def _signed(pct: float) -> str:
    return f"{format_pct(abs(pct), 0)} {'a mais' if pct >= 0 else 'a menos'}"


def _saved(budget: float, to: float, money: Callable[[float], str]) -> str:
    """ "Quanto economizo?" of a cut: the budget taken off, a bound on the spend saved (spend may run below
    the budget), a day and a week."""
    if to >= budget:
        return ""
    return f": até {money(budget - to)} por dia a menos de gasto ({money(7 * (budget - to))} em 7 dias)"


def _budget_lines(intent: Intent, out: Out) -> list[str]:
    """A what-if of the budget: the change said in money against the daily budget now, then
    `_scaled_lines` for the campaign asked (its forecast of leads) or the whole account's."""
    if intent.campaign_id:
        p = out["predict_campaign_leads"]
        if msg := failed(p):
            return [msg]
        if off := _not_delivering(out):  # paused or idle: no budget scales a forecast of nothing
            return [*off, "Mudar o orçamento não muda essa previsão enquanto ela não voltar a entregar."]
        who, whole = quoted(p["name"]), False
        leads, span = f"{p['value']} leads ({p['low']} a {p['high']})", f"nos próximos {len(p['days'])} dias"
    else:
        f = out["get_forecasts"]
        if not f.get("total"):
            return ["Ainda não há previsões para esta conta."]
        first, who, whole = f["forecasts"][0], "a conta", True
        span = f"de {br_date(first['first_day'])} a {br_date(first['last_day'])}"
        leads = f"{about_leads(f['account_totals'].get('leads', '-'))} leads"
    pct, said = _budget_change(intent, out, who, whole)
    if pct is None:
        return [*said, f"A previsão do pipeline para {who} é com o orçamento atual: {leads} {span}."]
    if abs(pct) < 0.5:
        return [*said, f"É o orçamento atual: a previsão do pipeline vale, {leads} {span}."]
    lines = _scaled_lines(pct, who, leads, span, whole=whole)
    if intent.ask in {"budget_to", "budget_by"}:  # an amount: its % said before the leads it scales
        return [lines[0], *said, *lines[1:]]
    return [*lines, *said]  # a %: what it is in money, after


def _campaign_spend_lines(intent: Intent, out: Out) -> list[str]:
    """A campaign's spend asked of its forecast ("qnto gastei ontem na campanha 4?" then "e amanhã?"): the
    pipeline's stored forecast of spend, the day asked and the next days, said first; when none is stored,
    that per campaign only leads and CPL are forecast (fresh, below). Nothing when the spend was not asked."""
    if intent.metric != "spend" or "get_forecasts" not in out:
        return []
    rows = [x for x in (out["get_forecasts"].get("forecasts") or []) if x["metric"] == "spend"]
    if not rows:
        return ["Não há previsão de gasto guardada para esta campanha; aqui, por campanha, só leads e CPL."]
    r = rows[0]
    made_on = br_date(str(out["get_forecasts"]["made_on"])[:10])
    lines = []
    day = out.get("_day")
    one = [x for x in (out.get("get_forecasts@day") or {}).get("forecasts") or [] if x["metric"] == "spend"]
    if day is not None and one:
        d = one[0]
        lines.append(
            f"Em {br_date(day.isoformat())}: {d['value']} de gasto previstos ({d['low']} a {d['high']})."
        )
    span = f"{br_date(str(r['first_day']))} a {br_date(str(r['last_day']))}"
    lines.append(
        f"{quoted(r['name'])}: {r['value']} de gasto no total de {span} ({r['low']} a {r['high']}; "
        f"previsão do pipeline feita com dados até {made_on}); {range_note('spend')}."
    )
    return lines


def _goal(target: float) -> str:
    return format_number(target, 0) if float(target).is_integer() else format_number(target, 1)


def _span(first: dt.date | None, last: dt.date | None) -> str:
    return br_span(first, last) if first and last else "-"


SUMMED_BOUNDS = (
    "a soma dos limites de 95% de cada campanha e dia, que não é um intervalo de 95% {of} (o pipeline "
    "guarda intervalos por campanha e dia)"
)


def _target_verdict_lines(out: Out) -> list[str]:
    """ "Qual a chance de passar de 100 leads essa semana?": the verdict first (`target_verdict`), the
    forecast's point against the target, the rule that gave the verdict, and the week's days already done."""
    t = out.get("_leads_target")
    if t is None:
        return []
    if t["verdict"] is None:
        return ["Ainda não há previsão de leads guardada para responder: rode `famachat-ml run`."]
    who = quoted(t["name"]) if t["name"] else "a conta"
    sh, goal = t["shown"], _goal(t["target"])
    span = _span(t["week"][0], t["week"][1]) if t["week"] else _span(t["first"], t["last"])
    when = (
        f"esta semana ({span})"
        if t["week"]
        else f"nos próximos {(t['last'] - t['first']).days + 1} dias ({span})"
    )
    side = "acima" if t["point"] >= t["target"] else "abaixo"
    verdict = t["verdict"][0].upper() + t["verdict"][1:]
    lines = [
        f"{verdict}: pela previsão do pipeline, {who} deve fazer cerca de {sh['point']} leads {when}, "
        f"{side} dos {goal}."
    ]
    of = "da campanha na semana" if t["name"] else "da conta"
    rule = {
        "improvável": f"{goal} está acima até da soma dos limites superiores ({sh['high']})",
        "quase certo": f"{goal} está abaixo até da soma dos limites inferiores ({sh['low']})",
    }.get(
        t["verdict"],
        f"{goal} fica entre as somas dos limites, então decide a previsão central",
    )
    lines.append(
        f"Como leio: {rule}; a faixa {sh['low']} a {sh['high']} é {SUMMED_BOUNDS.format(of=of)}, por isso "
        "só digo “improvável” acima da soma dos superiores e “quase certo” abaixo da soma dos inferiores."
    )
    if t["done_first"] is not None:
        lines.append(
            f"Já realizados na semana: {leads_text(t['done'])} ({_span(t['done_first'], out['_through'])}), "
            "somados à previsão dos dias que faltam."
        )
    return lines


def _worst_case_lines(out: Out) -> list[str]:
    """ "Quantos leads na próxima semana, no pior caso?": the sum of the daily lower bounds, said as the
    pessimistic figure it is (not the account's 95 % interval), then the point."""
    w = out.get("_worst_case")
    if w is None:
        return []
    s, sh = w["sums"], w["shown"]
    if not s.campaigns:
        return ["Ainda não há previsão de leads guardada para responder: rode `famachat-ml run`."]
    who = f" em {quoted(w['name'])}" if w["name"] else ""
    return [
        f"No pior caso, cerca de {sh['low']} leads{who} de {_span(s.first, s.last)}: a soma dos limites "
        "inferiores de 95% de cada campanha, dia a dia. É um número pessimista (cada campanha, em cada dia, "
        "no seu piso ao mesmo tempo), não um intervalo de 95% do total: o pipeline guarda intervalos por "
        "campanha e dia.",
        f"Previsão central: {sh['point']} leads (soma dos limites superiores: {sh['high']}).",
    ]


def _normal_lines(intent: Intent, out: Out) -> list[str]:
    """ "Quando vai normalizar?": no date can be given (was the help menu), the stored forecast's days said
    first; its CPL against the last 7 days' follows (`_cpl_next_lines`)."""
    c = out.get("_cpl_next")
    if intent.ask != "cpl_normal" or c is None:
        return []
    days = f" ({_span(c['spend'].first, c['spend'].last)})" if c["move"] is not None else ""
    return [
        "Não dá para dar uma data: o pipeline só prevê os próximos 7 dias"
        f"{days}, e o que ele diz para eles é isto (o efeito de um ajuste de orçamento leva de 3 a 7 dias "
        "para aparecer nos dados):"
    ]


def _cpl_next_lines(out: Out) -> list[str]:
    """ "O CPL vai subir?": sobe / cai / fica estável first, the forecast's CPL over its horizon (stored
    spend over stored leads) against the last 7 days', the band said; the campaign's stored CPL forecast."""
    c = out.get("_cpl_next")
    if c is None:
        return []
    whose = f"de {quoted(c['name'])}" if c["name"] else "da conta"
    sh, now = c["shown"], c["now"]
    seven = f"{_span(now['first_day'], now['last_day'])}"
    if c["move"] is None:
        return [
            f"Não consigo dizer se o CPL {whose} vai subir: falta a previsão guardada de gasto e leads, ou "
            f"não houve lead nos 7 dias ({seven})."
        ]
    s = c["spend"]
    change = format_pct(c["change"], 0) if c["change"] is not None else "-"
    if c["change"] is not None and c["change"] > 0:
        change = "+" + change
    lines = [
        f"{c['move'][0].upper()}{c['move'][1:]}: pela previsão do pipeline, o CPL {whose} deve ficar em "
        f"{sh['ahead']} de {_span(s.first, s.last)}, contra {sh['now']} nos 7 dias de {seven} ({change}; "
        f"até ±{format_number(c['band'], 0)}% conto como estável).",
        f"CPL previsto = gasto previsto ({sh['spend']}) ÷ leads previstos ({sh['leads']}), as previsões "
        f"guardadas somadas {'nos dias' if c['name'] else 'nas campanhas e dias'}; a média dos CPLs diários "
        "não se compara com um CPL de 7 dias.",
    ]
    if c["cpl_mean"] is not None:
        lines.append(f"A previsão de CPL guardada para ela (média dos dias): {sh['cpl_mean']}.")
    return lines


def _cpl_target_lines(intent: Intent, out: Out) -> list[str]:
    """ "Consigo um CPL de 18 semana que vem?": Sim/Não by the forecast's CPL over its days (its spend over
    its leads) against the CPL asked, and the leads that CPL takes at the forecast's spend."""
    c = out.get("_cpl_ahead")
    if intent.ask != "cpl_target" or c is None or intent.threshold is None:
        return []
    currency, target = out.get("_currency") or "BRL", intent.threshold
    whose = f"de {quoted(c['name'])}" if c["name"] else "da conta"
    if c["ahead"] is None:
        return [f"Não sei dizer: falta a previsão guardada de gasto e leads {whose}."]
    s, ahead = c["spend"], c["ahead"]
    side = "abaixo" if ahead <= target else "acima"
    verdict = "Sim" if ahead <= target else "Não"
    lines = [
        f"{verdict}, pela previsão do pipeline: o CPL {whose} de {_span(s.first, s.last)} deve ficar em "
        f"cerca de {format_money(ahead, currency)}, {side} de {format_money(target, currency)}."
    ]
    if ahead > target and target > 0:
        need, leads = s.point / target, c["leads"].point
        lines.append(
            f"Com o gasto previsto ({format_money(s.point, currency)}), {format_money(target, currency)} por "
            f"lead seriam {format_number(need, 0)} leads, {format_number(need - leads, 0)} a mais que os "
            f"{format_number(leads, 0)} previstos; ou o mesmo número de leads com "
            f"{format_money(s.point - target * leads, currency)} a menos de gasto."
        )
    return lines


def _cpl_ahead_lines(out: Out) -> list[str]:
    """ "Qual o CPL previsto?" (the account's): the forecast's spend over its leads over the stored horizon,
    "cerca de", said as the ratio of two forecasts it is, with the last 7 days' CPL beside it."""
    c = out.get("_cpl_ahead")
    if c is None:
        return []
    s, sh, now = c["spend"], c["shown"], c["now"]
    if c["ahead"] is None:
        return ["Não há CPL previsto: falta a previsão guardada de gasto ou de leads da conta."]
    seven = _span(now["first_day"], now["last_day"])
    last = f"; nos 7 dias de {seven} foi {sh['now']}" if now["cpl"] is not None else ""
    return [
        f"CPL previsto da conta de {_span(s.first, s.last)}: {about_money(sh['ahead'])}{last}.",
        f"É a razão de duas previsões, não uma previsão do CPL: gasto previsto ({about_money(sh['spend'])}) "
        f"÷ leads previstos ({about_leads(sh['leads'])}), somados nas campanhas e dias.",
    ]


def invest_lines(out: Out) -> list[str]:
    """ "Quanto devo investir amanhã?": no budget target is stored, so no amount is advised as right; said
    first, then what the data hold: the active campaigns' daily budgets and what the active cuts save a
    day (the pipeline's own weekly estimate / 7). Tomorrow's forecast follows."""
    lines = [
        "Não há orçamento-alvo nos dados, então não tenho um valor certo para amanhã. O que os dados "
        "mostram (a previsão de amanhã, no ritmo atual, vem depois):"
    ]
    b = out.get("_daily_budget")
    if b and b["with_budget"]:
        lines.append(f"- Orçamentos diários das campanhas ativas: {b['total']}/dia no total.")
    rows = (out.get("get_recommendations") or {}).get("recommendations") or []
    currency = out.get("_currency") or "BRL"
    saved = [v for x in rows if (v := saved_a_week(x.get("expected_impact"))) is not None]
    if saved:
        n = len(saved)
        which = "a recomendação de corte ativa" if n == 1 else f"as {n} recomendações de corte ativas"
        lines.append(
            f"- Seguindo {which}, cerca de {format_money(sum(saved) / 7, currency)} a menos por dia "
            f"(estimativa do pipeline: {format_money(sum(saved), currency)}/semana); pergunte “quanto "
            "economizo?” para o detalhe."
        )
    else:
        lines.append("- Nenhuma recomendação ativa de cortar orçamento agora.")
    return lines


def say_forecast(intent: Intent, out: Out) -> list[str]:
    # a verdict asked of the forecast (a leads target, the worst case, the CPL ahead): said first
    first = [*_beyond_lines(intent, out), *_target_verdict_lines(out), *_worst_case_lines(out)]
    first += _cpl_target_lines(intent, out)
    first += [*_normal_lines(intent, out), *_cpl_next_lines(out)]
    if intent.ask == "invest":  # "quanto devo investir amanhã?": that no target exists, said first
        first = [*invest_lines(out), *first]
    target = out.get("_leads_target")
    if intent.campaign_id and target is not None and target["verdict"] is not None:
        # "qnd a campanha 7 vai bater 100 leads?": the stored forecast's verdict is the answer; the fresh
        # prediction after it gave a second, different range for the same leads
        return first
    return [*first, *_say_forecast(intent, out)] if first else _say_forecast(intent, out)


def _next_month(day: dt.date) -> str:
    return month_label((day.replace(day=28) + dt.timedelta(days=4)).replace(day=1))


def _beyond_lines(intent: Intent, out: Out) -> list[str]:
    """ "Previsão do mês que vem", "próximos 30 dias": that the stored forecast covers fewer days is said
    first (its 7 days followed unsaid), then what it has."""
    f = out.get("get_forecasts") or {}
    if not (intent.ask or "").startswith("beyond:") or not f.get("total"):
        return []
    asked = (intent.ask or "").removeprefix("beyond:")
    first, last = _forecast_span(f)
    n = (dt.date.fromisoformat(last) - dt.date.fromisoformat(first)).days + 1
    span = _next_month(out["_through"] + dt.timedelta(days=1)) if asked == "next_month" else asked
    return [
        f"A previsão guardada do pipeline cobre só {n} dias ({br_date(first)} a {br_date(last)}): não há "
        f"previsão para {span}. O que ela tem:"
    ]


# the forecaster's business rules that forecast nothing (core.forecasting.fleet): paused, or idle
_OFF_METHODS = {"inactive": "está pausada", "idle": f"não gastou nada nos últimos {IDLE_DAYS} dias completos"}


def _not_delivering(out: Out) -> list[str]:
    """A campaign the forecaster expects to deliver nothing (paused, or no spend on its last days): said
    as such, with no CPL (was "0,0 leads" beside "R$ 0,00 de CPL ... nos próximos 0 dias")."""
    p = out.get("predict_campaign_leads") or {}
    if failed(p) or (why := _OFF_METHODS.get(p.get("method", ""))) is None:
        return []
    as_of = dt.date.fromisoformat(str(p["as_of"]))
    since = f" ({br_span(as_of - dt.timedelta(days=IDLE_DAYS - 1), as_of)})" if p["method"] == "idle" else ""
    return [
        f"{quoted(p['name'])} {why}{since}: a previsão do pipeline para os próximos {len(p['days'])} dias é "
        "de 0 leads e nenhum gasto, e sem gasto não há CPL previsto. Se ela voltar a entregar, a próxima "
        "execução do pipeline prevê a partir dos novos dias."
    ]


def _say_forecast(intent: Intent, out: Out) -> list[str]:
    if intent.metric == "budget_scaled":
        return _budget_lines(intent, out)
    if month_end_asked(intent.metric) and not intent.campaign_id:
        goal = intent.threshold if intent.metric == "month_end_leads" else None
        # "quanto falta gastar no mês?": no monthly budget exists, said first, with the daily budgets' pace
        left = left_to_spend_lines(out.get("_daily_budget")) if intent.ask == "left_to_spend" else []
        asked = intent.ask in {"overspend", "fits"} and intent.threshold
        over = _overspend_lines(out, intent.threshold or 0.0, intent.ask == "fits") if asked else []
        if goal is not None and (out.get("_goal_month") or _reach(out, goal)):
            # a goal answered: its verdict, and the month's leads it rests on (not the spend's close)
            return [*over, *left, *_leads_target_lines(out, goal), *_goal_basis_lines(out)]
        return [
            *over,
            *left,
            *_leads_target_lines(out, goal),
            *_month_end_lines(out, leads_first=intent.metric == "month_end_leads"),
        ]
    if intent.campaign_id and (off := _not_delivering(out)):
        return off
    if intent.campaign_id:
        lines = [*_campaign_spend_lines(intent, out), *_forecast_day_lines(intent, out)]
        # "qual o cpl previsto da campanha 4?": the CPL asked, said before the leads
        order = ("predict_campaign_cpl", "predict_campaign_leads") if intent.metric == "cpl" else None
        for name in order or ("predict_campaign_leads", "predict_campaign_cpl"):
            p = out[name]
            if msg := failed(p):
                return [msg]
            what = "leads no total" if p["metric"] == "leads" else "de CPL médio por dia"
            lines.append(
                f"{quoted(p['name'])}: {p['value']} {what} nos próximos {len(p['days'])} dias "
                f"({p['low']} a {p['high']}); {range_note(p['metric'])}."
            )
        return lines
    f = out["get_forecasts"]
    if not f.get("total"):
        return ["Ainda não há previsões para esta conta."]
    first = f["forecasts"][0]
    spend = out["get_account_summary"].get("forecast_spend") or "-"
    leads = f["account_totals"].get("leads", "-")
    # "quanto vou gastar essa semana?": the spend asked comes first; both are forecasts, each "cerca de"
    both = (
        f"{about_money(spend)} de gasto e {about_leads_text(leads)}"
        if intent.metric == "spend"
        else f"{about_leads_text(leads)} e {about_money(spend)} de gasto"
    )
    lines = [
        *_trust_lines(intent, out),
        *_cpl_ahead_lines(out),
        *_forecast_day_lines(intent, out),
        *_weekend_lines(intent, out),
        f"Previsão do pipeline (feita com dados até {br_date(f['made_on'])}) para "
        f"{br_date(first['first_day'])} a {br_date(first['last_day'])}: {both} na conta.",
    ]
    if "_cpl_ahead" in out or out.get("_cpl_day"):  # the CPL asked: its two forecasts, not the campaigns
        return lines
    lines.append("Campanhas com mais leads previstos:")
    top = sorted(f["forecasts"], key=lambda x: -parse_number(x["value"]))[:5]
    lines += [f"- {quoted(x['name'])}: {x['value']} leads ({x['low']} a {x['high']})" for x in top]
    return [*lines, f"Entre parênteses, a {range_note('leads')}."]


def _weekend_lines(intent: Intent, out: Out) -> list[str]:
    """ "Quanto vou gastar no fim de semana?": the next weekend's stored forecast, said before the 7 days'
    (was the 7 days' alone, the weekend asked unanswered)."""
    w = out.get("_weekend_forecast")
    if w is None:
        return []
    days = br_span(w["first"], w["last"]) if w["first"] != w["last"] else br_date(w["first"].isoformat())
    when = f"o fim de semana ({days})" if w["first"] != w["last"] else f"o domingo ({days})"
    if not w.get("total"):
        return [f"A previsão guardada não cobre {when}."]
    totals = w["account_totals"]
    spend = f"{about_money(totals.get('spend', '-'))} de gasto"
    leads = about_leads_text(totals.get("leads", "-"))
    both = f"{spend} e {leads}" if intent.metric == "spend" else f"{leads} e {spend}"
    return [f"Previsão para {when}: {both} na conta."]


def _trust_lines(intent: Intent, out: Out) -> list[str]:
    """ "A previsão de leads é confiável?": the last weeks forecast again from the days before each only
    and set against what happened (`facts_forecast_record`), measured here since the pipeline stores no
    accuracy figure."""
    if intent.ask != "trust":
        return []
    r = out.get("_forecast_record") or {}
    if not r.get("weeks"):
        return [
            "Ainda não dá para medir o acerto: a conta não tem semanas completas com histórico antes "
            "delas. O pipeline calibra os intervalos de 95% de cada campanha e dia com os erros que "
            "previsões feitas no passado teriam cometido (backtest)."
        ]
    n = len(r["weeks"])
    lines = [
        f"Medi o acerto nas últimas {n} semanas: refiz a previsão de 7 dias do pipeline com os dados até a "
        "véspera de cada semana (o mesmo método) e comparei com o realizado pelas campanhas que já "
        "tinham dias antes dela:"
    ]
    for w in r["weeks"]:
        lines.append(
            f"- {br_date(w['first'])} a {br_date(w['last'])}: {count_text(w['leads_predicted'])} leads "
            f"previstos, {count_text(w['leads_actual'])} realizados{_off(w['leads_error'])}; gasto "
            f"{w['spend_predicted']} previsto, {w['spend_actual']} realizado{_off(w['spend_error'])}"
            + (
                f"; fora da comparação, {count_text(w['leads_launched'])} leads de campanhas lançadas na "
                "semana."
                if w["leads_launched"]
                else "."
            )
        )
    summary = [
        f"{label} {format_number(r[key], 0)}%"
        for label, key in (("leads", "leads_mae"), ("gasto", "spend_mae"))
        if r[key] is not None
    ]
    if summary:
        lines.append(f"Erro médio do total da semana: {' e '.join(summary)}.")
    if r["days"]:
        lines.append(
            f"Dos {count_text(r['days'])} dias de campanha previstos (gasto e leads), "
            f"{count_text(r['inside'])} ({format_number(100 * r['inside'] / r['days'], 0)}%) caíram no "
            f"intervalo de 95% da campanha. {n} semanas são poucas: leia como ordem de grandeza, e uma "
            "semana com incidente (rastreamento parado, campanha pausada) pesa nesse erro."
        )
    return lines


def _off(error: float | None) -> str:
    if error is None:
        return ""
    if round(error) == 0:
        return " (no alvo)"
    side = "acima" if error > 0 else "abaixo"
    return f" (previsão {format_number(abs(error), 0)}% {side})"
