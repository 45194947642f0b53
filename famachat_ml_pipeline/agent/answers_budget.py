"""Spend against money decided: the active campaigns' spend against their daily budgets, and what pausing
a campaign saves a week and costs in leads."""

from __future__ import annotations

from famachat_ml_pipeline.agent.intents import Intent
from famachat_ml_pipeline.agent.wording import (
    Out,
    about_leads_text,
    br_date,
    br_span,
    change_of,
    count_text,
    days_left_text,
    days_text,
    leads_text,
    period_in,
    quoted,
)
from famachat_ml_pipeline.core.forecasting.common import BUDGET_OVERSPEND
from famachat_ml_pipeline.core.recommendations import format_number
from famachat_ml_pipeline.core.recommendations.config import DEFAULT_CONFIG as DEFAULT_RECOMMENDATION_CONFIG


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{format_number(value, 0)}%"


def pacing_lines(out: Out, verdict: bool = True) -> list[str]:
    """ "O gasto está dentro do orçamento?": the last complete day's spend against the active campaigns'
    daily budgets, and the 7 days' against those budgets x 7; the campaigns budgeted per ad set apart.
    `verdict`: lead with "No total, sim/não" (left out when another ask's verdict was said first)."""
    p = out["_pacing"]
    day, span = br_date(p["through"].isoformat()), br_span(p["first_day"], p["through"])
    if not p["with_budget"]:
        return [
            "Nenhuma campanha ativa tem orçamento diário na campanha (fica no conjunto de anúncios): não dá "
            "para comparar o gasto com o orçamento."
        ]
    within = p["day_pct"] is not None and p["day_pct"] <= 100 and (p["week_pct"] or 0) <= 100
    said = ("No total, sim: em" if within else "No total, não: em") if verdict else "Em"
    lines = [
        f"{said} {day}, as {p['with_budget']} campanhas ativas com orçamento diário gastaram "
        f"{p['day']} de "
        f"{p['budget']} de orçamento ({_pct(p['day_pct'])}); nos 7 dias ({span}), {p['week']} de "
        f"{p['week_budget']} "
        f"(orçamento de hoje × 7, {_pct(p['week_pct'])}).",
    ]
    if p["unbudgeted"]:
        names = ", ".join(quoted(n) for n in p["unbudgeted"])
        lines.append(
            f"Sem orçamento na campanha (fica no conjunto de anúncios, que não tenho): {names}; gastaram "
            f"{p['other']} nos 7 dias, fora da conta acima."
        )
    return lines


def no_budget_lines(out: Out) -> list[str]:
    """ "Quais campanhas tão sem orçamento?": the active ones with no daily budget on the campaign (set per
    ad set, which the source lacks) named first, then the pacing of those that have one."""
    p = out["_pacing"]
    names = p["unbudgeted"]
    if not names:
        head = f"Nenhuma: as {p['active']} campanhas ativas têm orçamento diário na campanha."
    else:
        listed = ", ".join(quoted(n) for n in names)
        spent = "gastou" if len(names) == 1 else "gastaram"
        head = (
            f"{len(names)} de {p['active']} campanhas ativas sem orçamento diário na campanha (o orçamento "
            f"fica no conjunto de anúncios ou é vitalício, que não tenho): {listed}; {spent} "
            f"{p['other']} nos "
            "7 dias."
        )
    rest = pacing_lines(out, verdict=False) if p["with_budget"] else []
    return [head, *(x for x in rest if not x.startswith("Sem orçamento na campanha"))]


def spending_much_lines(out: Out, little: bool = False) -> list[str]:
    """ "Tô gastando muito?": against the budgets first (over them is the "sim"), then the 7 days' spend
    against the 7 before; the pacing's lines after. `little` ("tô gastando pouco?"): the "sim" is the 7
    days under the share of the budgets below which the budget is not what limits delivery."""
    p, w = out["_pacing"], out["_spend_weeks"]
    now, before = w["now"], w["before"]
    head = _little_head(p) if little else _much_head(p)
    moved = change_of(w["change_text"], "gasto") if w["change"] is not None else None
    lines = [
        f"{head}: nos 7 dias ({br_span(now['first'], now['last'])}) a conta gastou {now['spend']}, "
        f"{leads_text(now['leads'])}, CPL {now['cpl'] or 'sem leads'}; nos 7 dias anteriores "
        f"({br_span(before['first'], before['last'])}), {before['spend']}"
        + (f" ({moved})." if moved else ".")
    ]
    return lines + pacing_lines(out, verdict=False)


def _much_head(p: dict) -> str:
    """ "Tô gastando muito?"'s verdict: a day up to 25 % over its budget is Meta's pacing, not overspending
    (was "Sim, acima do orçamento" for a day at 101 % beside 7 days at 94 %): over is the 7 days past 7
    budgets, or a day past that margin."""
    if not p["with_budget"]:
        return "Sem orçamento"
    slack = (BUDGET_OVERSPEND - 1.0) * 100.0
    day_pct = p["day_pct"] or 0
    if (p["week_pct"] or 0) > 100 or day_pct > 100 + slack:
        return "Sim, acima do orçamento"
    if day_pct > 100:
        return (
            f"Pelo orçamento, não (em {br_date(p['through'].isoformat())} passou um pouco, {_pct(day_pct)}, "
            f"dentro dos {_pct(slack)} a mais que o Meta pode gastar num dia)"
        )
    return "Pelo orçamento, não"


def _little_head(p: dict) -> str:
    """ "Tô gastando pouco?"'s verdict (was the help menu): the 7 days' share of the budgets x 7 against
    the share below which the rules say the budget is not what limits delivery (`increase_min_budget_use`)."""
    if not p["with_budget"]:
        return "Sem orçamento"
    bar = DEFAULT_RECOMMENDATION_CONFIG.increase_min_budget_use * 100.0
    week = p["week_pct"] or 0
    side = "Sim, abaixo do orçamento" if week < bar else "Pelo orçamento, não"
    return (
        f"{side} ({_pct(week)} dos orçamentos nos 7 dias; abaixo de {_pct(bar)} o orçamento não é o limite)"
    )


def say_pause_savings(intent: Intent, out: Out) -> list[str]:
    """ "Se eu pausar a campanha 13, quanto economizo por semana?": its last 7 days' spend (and the stored
    forecast of its next days' spend), the leads it brought (and is forecast to), then the advice."""
    s = out.get("_pause_savings")
    if s is None:
        return ["Não encontrei essa campanha nesta conta."]
    who = f"{quoted(s['name'])} ({s['campaign_id']})"
    span = br_span(s["first_day"], s["through"])
    if not s["active"]:
        return [
            f"{who} já está pausada (ou inativa): pausar não economiza nada; nos 7 dias ({span}) "
            f"gastou {s['spend']}."
        ]
    if intent.ask == "lost":  # "quanto perdi com a 20?": the money, plainly, before her advice
        when = f"{period_in(s['label'])} ({span})" if s.get("label") else f"nos últimos 7 dias ({span})"
        return [_lost_line(s, who, when)]
    idle = not s.get("spend_v")
    if idle:
        # active but spending nothing (was "a economia seria de cerca de R$ 0,00", then "pausar só corta
        # gasto"): the verdict first, nothing to save
        lines = [
            f"Nada a economizar: {who} está ativa, mas não gastou nada nos últimos 7 dias ({span}), "
            "então pausar não corta gasto agora; veja por que ela parou de entregar (orçamento, "
            "veiculação, pagamento)."
        ]
    else:
        lines = [
            f"Pausando {who}, a economia seria de cerca de {s['spend']} por semana: o que ela gastou "
            f"nos últimos 7 dias ({span}); em troca, deixaria{'m' if s['leads'] != 1 else ''} de vir "
            f"{leads_text(s['leads'])} por semana "
            f"nesse ritmo (CPL {s['cpl'] or 'sem leads'})."
        ]
    fs, fl = s["forecast_spend"], s["forecast_leads"]
    if fs or fl:
        parts = []
        if fs:
            parts.append(f"{fs['value']} de gasto ({fs['low']} a {fs['high']})")
        if fl:
            parts.append(f"{about_leads_text(fl['value'])} ({fl['low']} a {fl['high']})")
        first = fs or fl
        lines.append(
            f"Pela previsão guardada do pipeline para {br_date(str(first['first_day']))} a "
            f"{br_date(str(first['last_day']))}: {' e '.join(parts)} que a pausa deixaria de ter"
            + (" se ela voltasse a gastar." if idle else ".")
        )
    if not s["leads"] and not idle:
        lines.append(
            "Sem nenhum lead nos 7 dias, pausar só corta gasto: antes, confira o rastreamento (pixel)."
        )
    return lines


def _lost_line(s: dict, who: str, when: str) -> str:
    """What a campaign's days (the 7, or the period asked) cost with nothing to show for it: all its spend
    when it brought no lead, else what its leads cost over the account's CPL of the same days (was her
    card)."""
    if not s["spend_v"]:
        return f"Nada: {who} não gastou {when}."
    if not s["leads"]:
        return (
            f"{s['spend']}: tudo o que {who} gastou {when}, sem nenhum lead "
            "(se o rastreamento estiver certo)."
        )
    if s["over_v"] is None or s["over_v"] <= 0:
        return (
            f"Nada pelo CPL: {who} gastou {s['spend']} {when} e trouxe "
            f"{leads_text(s['leads'])}, CPL {s['cpl']}, abaixo do CPL da conta ({s['account_cpl']})."
        )
    return (
        f"Cerca de {s['over']} pagos a mais: {who} gastou {s['spend']} {when} por "
        f"{leads_text(s['leads'])} (CPL {s['cpl']}); ao CPL da conta nos mesmos dias ({s['account_cpl']}), "
        f"esses leads custariam {s['at_account']}."
    )


MAX_STEP = DEFAULT_RECOMMENDATION_CONFIG.max_budget_step_pct


def say_leads_cost(intent: Intent, out: Out) -> list[str]:
    """ "quanto preciso investir para 1000 leads?": the goal at the recent CPL, as an estimate."""
    c = out["_leads_cost"]
    goal = count_text(round(c["target"]))
    known = [s for s in c["spans"] if s["cost"]]
    if not known:
        return [f"Não dá para estimar o custo de {goal} leads: a conta não teve leads nos últimos 28 dias."]
    first = known[0]
    if (month := c.get("month")) is not None:
        return _month_goal_lines(c, month, goal, known)
    daily = intent.ask == "per_day"  # "40 leads por dia": the spend a day, against the spend a day now
    a_day = " por dia" if daily else ""
    lines = [
        f"Cerca de {first['cost']}{a_day} para {goal} leads{a_day}, ao CPL dos últimos {first['days']} dias "
        f"({first['cpl']}, {br_span(first['first'], c['through'])})."
    ]
    for s in c["spans"]:
        if not s["cost"]:
            continue
        if daily:
            pace = f" por dia; nesses dias a conta gastou {s['per_day']}/dia" if s["per_day"] else " por dia"
        elif s["days_needed"]:
            days = days_text(max(1, round(s["days_needed"])))  # "cerca de 1 dia" (was "1 dias")
            pace = f"; no ritmo de gasto desses dias ({s['per_day']}/dia), cerca de {days}"
        else:
            pace = ""
        lines.append(
            f"- CPL dos últimos {s['days']} dias, {s['cpl']} ({count_text(s['leads'])} leads): "
            f"{s['cost']}{pace}."
        )
    return [*lines, _CONSTANT_CPL]


_CONSTANT_CPL = (
    "É uma estimativa a CPL constante: aumentar o orçamento costuma subir o CPL (público mais caro e "
    f"nova fase de aprendizado), então suba aos poucos, no máximo {format_number(MAX_STEP, 0)}% por vez "
    "(a orientação da própria Meta), e reavalie."
)


def _month_goal_lines(c: Out, month: Out, goal: str, known: list[Out]) -> list[str]:
    """ "Quero 400 leads esse mês, quanto preciso investir?": the leads the month already has count; what is
    left is costed at each span's CPL and spread over the days left, beside what those days spent a day."""
    label = month["label"]
    done = (
        f"o mês soma {leads_text(month['leads_done'])} ({br_span(month['done_first'], c['through'])})"
        if month["done_first"]
        else "o mês ainda não tem dia completo"
    )
    if month["leads_left"] <= 0:
        return [f"A meta de {goal} leads em {label} já foi batida: {done}."]
    days = f"n{days_left_text(month['days_left'])} ({br_span(month['first_left'], month['last'])})"
    left, first = count_text(round(month["leads_left"])), known[0]
    lines = [
        f"Para {goal} leads em {label} faltam {left}: {done}. Ao CPL dos últimos {first['days']} dias "
        f"({first['cpl']}, {br_span(first['first'], c['through'])}), são cerca de {first['cost']}: "
        f"{first['month_per_day']} por dia {days}."
    ]
    lines += [
        f"- CPL dos últimos {s['days']} dias, {s['cpl']} ({count_text(s['leads'])} leads): {s['cost']} "
        f"({s['month_per_day']}/dia; nesses dias a conta gastou {s['per_day']}/dia)."
        for s in known
    ]
    return [*lines, _CONSTANT_CPL]
