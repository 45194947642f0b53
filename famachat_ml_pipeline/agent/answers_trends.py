"""The answers about a figure's move and why: the 7 days against the 7 before ("o CPL tá subindo?"),
this calendar week against the same days of the last ("o CPL subiu essa semana?"), a named period
against the one before it ("os leads caíram em novembro?"), and the CPL's move split into its factors
(CPM, CTR, conversion)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from famachat_ml_pipeline.agent.answers_gap import gap_line
from famachat_ml_pipeline.agent.answers_growth import growth_lines
from famachat_ml_pipeline.agent.answers_periods import all_invalid
from famachat_ml_pipeline.agent.answers_verdicts import week_movers_lines
from famachat_ml_pipeline.agent.intents import Intent
from famachat_ml_pipeline.agent.wording import (
    Out,
    br_date,
    br_span,
    count_text,
    failed,
    figures_text,
    leads_text,
    moved_word,
    period_in,
    quoted,
    signed,
)


def trend_lines(t: dict[str, Any]) -> list[str]:
    if "last_7d" not in t:
        return []
    last, prev = t["last_7d"], t["previous_7d"]
    lines = [
        f"CPL da conta: {last['cpl'] or '-'} nos 7 dias até {br_date(last['last_day'])}, contra "
        f"{prev['cpl'] or '-'} na semana anterior ({_moved(t['cpl_change']) or 'sem comparação'}); "
        f"gasto {last['spend']} ({_moved(t['spend_change']) or '-'}), "
        f"leads {count_text(last['leads'])} ({_moved(t['leads_change']) or '-'})."
    ]
    if t.get("scope", "conta") != "conta":
        lines[0] = lines[0].replace("CPL da conta", "CPL da campanha", 1)
    for m in t.get("biggest_cpl_increases", []):
        lines.append(
            f"- CPL subiu {m['cpl_trend']} em {quoted(m['name'])} ({m['campaign_id']}): {m['cpl_7d']}."
        )
    return lines


CPL_FACTOR_PT = {"cpm": "CPM", "ctr": "CTR", "cvr": "conversão (leads por clique)"}


def _why_text(drivers: list[dict[str, Any]], change: str | None, when: str, compared: str) -> list[str]:
    """The CPL is CPM / (CTR x leads per click), so its move between two periods is the sum of theirs:
    each factor's move and the one that weighed most (`cpl_drivers`); nothing when they are undefined."""
    if not drivers:
        return []
    parts = [
        f"{CPL_FACTOR_PT[d['factor']]} {d['before']} → {d['now']} ({_moved(d['change'])})" for d in drivers
    ]
    return [
        f"Por que o CPL mudou ({signed(change) or '-'} {when}): CPL = CPM ÷ (CTR × conversão por clique), e "
        f"{compared}: {'; '.join(parts)}. {_weighed_most(drivers)}"
    ]


def _moved(change: str | None) -> str | None:
    """ "-15%", or "estável" for a change that rounds to 0 (was "0%", "-0%"); None stays None."""
    if not change:
        return change
    return "estável" if moved_word(change) == "ficou estável" else signed(change)


def _weighed_most(drivers: list[dict[str, Any]]) -> str:
    """The factor that moved the CPL most in its direction. When all pulled the same way, its share of the
    move; when some pulled the other way a share reads "627%", so each factor's own effect on the CPL is
    said instead, and that the others offset part of it."""
    top = drivers[0]
    name = CPL_FACTOR_PT[top["factor"]]
    if all(d["share"] >= 0 for d in drivers):
        return f"O que mais pesou: {name} ({round(top['share'] * 100)}% da variação do CPL)."
    up = not top["cpl_effect"].startswith("-")
    alone = "sozinha" if top["factor"] == "cvr" else "sozinho"  # "a conversão"
    text = (
        f"O que mais pesou: {name}, que {alone} {'subiria' if up else 'baixaria'} o CPL em "
        f"{top['cpl_effect'].lstrip('-')}"
    )
    # a factor whose effect rounds to 0% moved the CPL by nothing a buyer can see: left out
    seen = [d for d in drivers[1:] if moved_word(d["cpl_effect"]) != "ficou estável"]
    same, other = [d for d in seen if d["share"] > 0], [d for d in seen if d["share"] < 0]
    if same:
        text += f"; {_effects(same)} também {'o subiu' if up else 'o baixou'}"
    if not other:
        return f"{text}."
    pulled, offset = ("puxaram", "compensaram") if len(other) > 1 else ("puxou", "compensou")
    return f"{text}; {_effects(other)} {pulled} para {'baixo' if up else 'cima'} e {offset} parte disso."


def _effects(drivers: list[dict[str, Any]]) -> str:
    """ "CTR (-2% no CPL) e CPM (+1% no CPL)": each factor with its own effect on the CPL, said as such (a
    CTR that fell 7 % read "CTR (+7%) também o subiu", as if it had risen)."""
    return " e ".join(f"{CPL_FACTOR_PT[d['factor']]} ({signed(d['cpl_effect'])} no CPL)" for d in drivers)


def _cpl_why_lines(intent: Intent, t: dict[str, Any]) -> list[str]:
    """ "Por que o CPL subiu?": the CPL's factors over the 7 days against the 7 before."""
    if not (intent.metric or "").startswith("cpl"):
        return []
    return _why_text(
        t.get("cpl_drivers") or [], t.get("cpl_change"), "em 7 dias", "nos 7 dias contra os 7 anteriores"
    )


def _week_why_lines(intent: Intent, out: Out) -> list[str]:
    """ "Por que o CPL subiu essa semana?": the CPL's factors over the calendar weeks `_week_change_lines`
    compares (`offline.weeks_figures`); for the leads, first their split into spend and CPL."""
    wf = out["_weeks"]
    w, ch = wf["weeks"], wf["changes"]
    now, before = br_span(w.now.first, w.now.last), br_span(w.before.first, w.before.last)
    if w.no_day_yet:
        when, compared = "na semana passada", f"de seg a dom ({now}) contra a semana retrasada ({before})"
    else:
        when, compared = (
            "esta semana",
            f"de {w.days} ({now}) contra os mesmos dias da semana passada ({before})",
        )
    split = []
    if (intent.metric or "").startswith("week_leads_"):  # leads = spend / CPL: which of the two moved them
        split = [f"Leads = gasto ÷ CPL: gasto {signed(ch['spend']) or '-'}, CPL {signed(ch['cpl']) or '-'}."]
    return split + _why_text(wf["cpl_drivers"], ch["cpl"], when, compared)


def why_parts(intent: Intent, out: Out, t: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(what is said first, the CPL's factors) of a why: over the calendar weeks when "essa semana" was
    asked (the move asked, always), else over the 7 days (the CPL's move only when it did not rise)."""
    if "_weeks" in out:
        return _week_change_lines(intent, out), _week_why_lines(intent, out)
    return _cpl_premise(intent, t), _cpl_why_lines(intent, t)


def _cpl_premise(intent: Intent, t: dict[str, Any]) -> list[str]:
    """ "Por que o CPL subiu?" when it did not rise over the 7 days: said first, with its figures."""
    change = t.get("cpl_change")
    if intent.metric != "cpl_up" or "last_7d" not in t or not change:
        return []
    if moved_word(change) == "subiu":
        return _cpl_rose(t, change, why=intent.ask == "why")
    whose = "da conta" if t.get("scope", "conta") == "conta" else "da campanha"
    went = "ficou estável" if moved_word(change) == "ficou estável" else "caiu"
    return [
        f"O CPL {whose} não subiu nos 7 dias até {br_date(t['last_7d']['last_day'])}: {went}, de "
        f"{t['previous_7d']['cpl']} nos 7 anteriores para {t['last_7d']['cpl']} ({change})."
    ]


def _cpl_rose(t: dict[str, Any], change: str, why: bool = False) -> list[str]:
    """ "Por que o CPL subiu?" (no period) when it rose: Sim first, with the two 7-day spans said, for
    "por que o gasto caiu?" answers over the calendar weeks and the CPL keeps the 7 days (a ratio of
    whole days, the span its anomalies and factors are read over; a calendar week can hold one day)."""
    if t.get("scope", "conta") != "conta":
        return []  # a campaign's why keeps its card's order
    last, prev = t["last_7d"], t["previous_7d"]
    span = {
        k: br_span(*(dt.date.fromisoformat(str(p[d])) for d in ("first_day", "last_day")))
        for k, p in (("last", last), ("prev", prev))
    }
    rise = change if change.startswith(("+", "-")) else f"+{change}"
    if why:  # "pq o cpl subiu?" asks the cause, not whether: no "Sim", the factor that pushed it first
        return [
            f"O CPL da conta subiu {rise.lstrip('+')} nos últimos 7 dias{_pushed_by(t.get('cpl_drivers'))}: "
            f"{last['cpl']} de {span['last']}, contra {prev['cpl']} nos 7 dias antes ({span['prev']})."
        ]
    return [
        f"Sim: o CPL da conta subiu nos últimos 7 dias: {last['cpl']} de {span['last']}, contra "
        f"{prev['cpl']} nos 7 dias antes ({span['prev']}) ({rise})."
    ]


def _pushed_by(drivers: list[dict[str, Any]] | None) -> str:
    """ ", puxado pelo CTR (1,15% → 0,98%)": the factor that raised the CPL most, when one did."""
    top = (drivers or [None])[0]
    if top is None or top["cpl_effect"].startswith("-"):
        return ""
    article = "pela" if top["factor"] == "cvr" else "pelo"
    return f", puxado {article} {CPL_FACTOR_PT[top['factor']]} ({top['before']} → {top['now']})"


def day_why_lines(intent: Intent, out: Out) -> list[str]:
    """ "Por que o CPL subiu ontem?": the CPL's factors on that day against the day before."""
    m = out["_day_move"]
    if not (intent.metric or "").startswith("day_cpl_"):
        return []
    day, before = m["days"]["day"], m["days"]["before"]
    change = signed(m["changes"]["before"].get("cpl"))
    when, compared = f"em {br_date(day.isoformat())}", f"contra {br_date(before.isoformat())}"
    return _why_text(m["drivers"], change, when, compared)


def today_why_lines(m: dict[str, Any], change: str) -> list[str]:
    """ "Por que o CPL subiu hoje?": the CPL's factors today so far against the days before it
    (`today_cpl_figures`): rates, which a partial day already has."""
    when = f"hoje, {br_date(m['today'].isoformat())}"
    compared = f"contra os {m['usual_days']} dias anteriores"
    return _why_text(m["drivers"], change, when, compared)


def say_trends(intent: Intent, out: Out) -> list[str]:
    t = out["analyze_trends"]
    if msg := failed(t):
        return [msg]
    if "_growth" in out:  # "qual campanha mais cresceu esse mês / essa semana?": by their gain per day
        return growth_lines(out)
    if "_weeks_campaigns" in out:  # "qual campanha piorou mais essa semana?"
        account = f"Na conta inteira, mesma comparação: {_weeks_change(out)}"
        return [*week_movers_lines(intent, out), account]
    if "_weeks" in out:
        w, (before, now) = out["_weeks"]["weeks"], out["_weeks"]["raw"]
        labels = tuple(f"{p.label} ({br_span(p.first, p.last)})" for p in (w.before, w.now))
        gap = gap_line(intent.ask, labels, (before, now), out.get("_currency") or "BRL")
        return [*gap, *_week_change_lines(intent, out), *_weeks_lines(out)]
    if "_period_move" in out:
        return _period_move_lines(intent, out["_period_move"], out.get("_campaign_name"))
    return [*_trend_answer(intent, out, t), *trend_lines(t)]


def _period_move_lines(intent: Intent, pm: dict[str, Any] | None, name: str | None = None) -> list[str]:
    """ "O CPL subiu em outubro?", "por que os leads caíram em novembro?": the figure asked of that period
    against the one before it (`offline.period_move_figures`), "Sim"/"Não" first when a direction was
    asked; for the leads their split into spend and CPL; then the CPL's factors over the same two spans.
    The account's, or the campaign `name`'s ("a campanha 22 piorou semana passada?")."""
    whose = f"de {quoted(name)}" if name else "da conta"
    _, metric, move = (intent.metric or "period_cpl_either").split("_")
    if pm is None:
        return [
            f"Não há dados desse período nesta conta para comparar (período pedido: {intent.period_ref})."
        ]
    now, before, nf, bf = pm["now"], pm["before"], pm["now_figures"], pm["before_figures"]
    now_side = f"{period_in(now.label)} ({br_span(nf['first_day'], nf['last_day'])})"
    if bf is None:
        return [
            f"Não tenho como comparar {now_side} com {before.label} "
            f"({br_span(before.first, before.last)}): a fonte não tem dados desses dias."
        ]
    before_side = f"{period_in(before.label)} ({br_span(bf['first_day'], bf['last_day'])})"
    notes = []
    if pm["before_first"] > before.first:
        notes.append(
            f"{before.label[0].upper()}{before.label[1:]} só tem dados a partir de "
            f"{br_date(pm['before_first'].isoformat())}: gasto e leads comparados por dia; CPL, CTR e CPM "
            "como são."
        )
    per_day = pm["per_day"] and metric in {"spend", "leads"}
    what, gender = TREND_PT[metric]
    key = f"{metric}_per_day" if per_day else metric
    none = "sem leads" if metric == "cpl" else "-"
    now_v, before_v = (count_text(f.get(key)) if metric == "leads" else f.get(key) or none for f in (nf, bf))
    unit = " por dia" if per_day else ""
    change = pm["changes"].get(metric)
    sides = f"{now_v}{unit} {now_side}, contra {before_v}{unit} {before_side}"
    cap = f"{what[0].upper()}{what[1:]}"
    if not change:
        lines = [f"{cap} {whose} não tem comparação: {sides}."]
    else:
        moved = moved_word(change)
        plural = {"subiu": "subiram", "caiu": "caíram"}.get(moved, "ficaram estáveis")
        went = moved if gender != "p" else plural
        yes = _yes_no(metric, move, moved)
        head = f"{what} {whose} {went}" if yes else f"{cap} {whose} {went}"
        lines = [f"{yes}{head}: {sides} ({signed(change)})."]
    ch = pm["changes"]
    if metric == "leads":  # leads = spend / CPL: which of the two moved them
        lines.append(
            f"Leads = gasto ÷ CPL: gasto {signed(ch['spend']) or '-'}{unit}, CPL {signed(ch['cpl']) or '-'}."
        )
    why = _why_text(
        pm["cpl_drivers"],
        signed(ch.get("cpl")),
        period_in(now.label),
        f"{now.label} ({br_span(nf['first_day'], nf['last_day'])}) contra {before.label} "
        f"({br_span(bf['first_day'], bf['last_day'])})",
    )
    return [*lines, *notes, *why]


def _weeks_lines(out: Out) -> list[str]:
    """ "Essa semana vs semana passada": the changes first (how much it moved is the answer), then which
    days are compared and why, and each side's figures from the source (`offline.weeks_figures`)."""
    wf = out["_weeks"]
    w = wf["weeks"]
    name = out.get("_campaign_name")
    whose = f" de {quoted(name)}" if name else ""
    now, before = (f"({br_span(p.first, p.last)})" for p in (w.now, w.before))
    if w.no_day_yet:
        today = br_date((w.now.last + dt.timedelta(days=1)).isoformat())
        head = (
            f"Hoje ({today}) é segunda: esta semana ainda não tem dia completo. Comparo então a semana "
            f"passada inteira, seg a dom {now}, com a retrasada, seg a dom {before}."
        )
        sides = (f"Semana passada{whose}, seg a dom {now}", f"Semana retrasada, seg a dom {before}")
        change = "Variação da semana retrasada para a passada"
    else:
        head = (
            f"Comparo {w.days} desta semana {now} com {w.days} da passada {before}: a semana ainda não "
            "terminou (hoje é parcial), e os mesmos dias da semana dos dois lados tornam a comparação justa."
        )
        sides = (f"Esta semana{whose}, {w.days} {now}", f"Semana passada, {w.days} {before}")
        change = f"Variação da semana passada para esta ({w.days})"
    lines = [f"{change}{whose}: {_weeks_change(out)}", head]
    for side, f in zip(sides, (wf["now"], wf["before"]), strict=True):
        lines.append(f"{side}: {all_invalid(f) or figures_text(f) + '.'}")
    return lines


def _weeks_change(out: Out) -> str:
    """ "gasto -18%, leads -26%, CPL +11%.": the changes of the weeks compared (`_weeks_lines`)."""
    ch = out["_weeks"]["changes"]
    spend, leads, cpl = (signed(ch[k]) for k in ("spend", "leads", "cpl"))
    return f"gasto {spend or '-'}, leads {leads or '-'}, CPL {cpl or 'sem comparação'}."


def _week_change_lines(intent: Intent, out: Out) -> list[str]:
    """ "O CPL subiu essa semana?": the figure asked, this week's days against the same weekdays of last
    week (on a Monday: last week whole against the one before), "Sim"/"Não" first when a direction was
    asked; `_weeks_lines` follows with the days, why those, and every figure."""
    if not (intent.metric or "").startswith("week_"):
        return []
    _, metric, move = intent.metric.split("_")
    wf = out["_weeks"]
    w, change = wf["weeks"], wf["changes"].get(metric)
    what, gender = TREND_PT[metric]
    name = out.get("_campaign_name")
    whose = f" de {quoted(name)}" if name else " da conta"
    none = "sem leads" if metric == "cpl" else "-"  # a CPL is missing only where no lead came
    now, before = wf["now"].get(metric) or none, wf["before"].get(metric) or none
    if w.no_day_yet:  # why last week is said once, in the note before or the days' lines after
        when = "na semana passada"
        sides = (
            f"{now} de seg a dom ({br_span(w.now.first, w.now.last)}), contra {before} na semana retrasada "
            f"({br_span(w.before.first, w.before.last)})"
        )
    else:
        when = "esta semana"
        sides = (
            f"{now} de {w.days} ({br_span(w.now.first, w.now.last)}), contra {before} nos mesmos dias da "
            f"semana passada ({br_span(w.before.first, w.before.last)})"
        )
    cap = f"{what[0].upper()}{what[1:]}"
    if not change:
        return [f"{cap}{whose} não tem comparação {when}: {sides}."]
    moved = moved_word(change)
    went = moved if gender != "p" else {"subiu": "subiram", "caiu": "caíram"}.get(moved, "ficaram estáveis")
    yes = _yes_no(metric, move, moved)
    head = f"{what}{whose} {went}" if yes else f"{cap}{whose} {went}"
    gap = wf.get("leads_gap") if metric == "leads" else None
    if gap:  # "quantos leads eu perdi?": the count lost (or gained) first, then both weeks and the %
        who = quoted(name) if name else "a conta" if yes else "A conta"
        did = f"{'perdeu' if gap < 0 else 'ganhou'} {leads_text(abs(gap))}"
        return [f"{yes}{who} {did} {when}: {sides} ({signed(change)})."]
    return [f"{yes}{head} {when}: {sides} ({signed(change)})."]


def _yes_no(metric: str, move: str, moved: str) -> str:
    """ "Sim: " when the figure moved the way asked ("up", "down", "worse", "better"), "Não: " when it
    moved the other way, "" when no direction was asked or it stayed put."""
    wanted = {"up": True, "down": False}.get(move)
    worse_up = _WORSE_UP[metric]
    if move in {"worse", "better"} and worse_up is not None:
        wanted = worse_up if move == "worse" else not worse_up
    if wanted is None or moved == "ficou estável":
        return ""
    return "Sim: " if wanted == (moved == "subiu") else "Não: "


# the figures a trend question may ask about: (pt-BR name, grammatical gender, plural)
TREND_PT = {
    "cpl": ("o CPL", "m"),
    "ctr": ("o CTR", "m"),
    "cpm": ("o CPM", "m"),
    "spend": ("o gasto", "m"),
    "leads": ("os leads", "p"),
    "cpc": ("o CPC", "m"),  # asked only about "essa semana"
}
# which way is worse for each figure: a higher CPL, CPM or CPC, fewer leads or a lower CTR
_WORSE_UP = {"cpl": True, "cpm": True, "cpc": True, "ctr": False, "leads": False, "spend": None}


def _trend_answer(intent: Intent, out: Out, t: dict[str, Any]) -> list[str]:
    """ "O CPL da campanha 27 está subindo?": the figure asked, its 7 days against the 7 before and which
    way it went, "Sim"/"Não" first when the question asked a direction."""
    if not (intent.metric or "").startswith("trend_") or "last_7d" not in t:
        return []
    _, metric, move = intent.metric.split("_")
    last, prev = t["last_7d"], t["previous_7d"]
    change = t.get(f"{metric}_change")
    what, gender = TREND_PT[metric]
    name = out.get("_campaign_name")
    whose = f" de {quoted(name)}" if name else (" da conta" if t.get("scope", "conta") == "conta" else "")
    if not change:
        return [
            f"{what[0].upper()}{what[1:]}{whose} não tem comparação: sem valor nos 7 dias até "
            f"{br_date(last['last_day'])} ou nos 7 anteriores ({last.get(metric) or '-'} contra "
            f"{prev.get(metric) or '-'})."
        ]
    moved = moved_word(change)
    went = {"subiu": "subindo", "caiu": "caindo"}.get(moved, "estável")
    verb = "estão" if gender == "p" else "está"
    yes = _yes_no(metric, move, moved)
    head = f"{what}{whose} {verb} {went}" if yes else f"{what[0].upper()}{what[1:]}{whose} {verb} {went}"
    return [
        f"{yes}{head}: {last.get(metric) or '-'} nos 7 dias até {br_date(last['last_day'])}, contra "
        f"{prev.get(metric) or '-'} nos 7 anteriores ({change})."
    ]
