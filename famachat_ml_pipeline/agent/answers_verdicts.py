"""The answers that weigh a figure: one day's move against the day before and the same weekday a week
earlier, with the campaigns that moved it ("por que o CPL subiu ontem?", "o que aconteceu ontem?"); the
account's CPL against its own history ("meu custo por lead tá bom?"); and the pause and cut advice, each
with why it is a pause or only a cut ("quais campanhas devo pausar?"). Facts from `facts_verdicts`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from famachat_ml_pipeline.agent.intents import Intent
from famachat_ml_pipeline.agent.intents_trends import day_move_metric
from famachat_ml_pipeline.agent.intents_verdicts import rate_judged
from famachat_ml_pipeline.agent.wording import (
    Out,
    br_date,
    br_span,
    count_text,
    counted,
    days_text,
    figures_text,
    leads_text,
    quoted,
    times_text,
)
from famachat_ml_pipeline.core.recommendations.text_ptbr import (
    WEEKDAYS_PT,
    format_money,
    format_number,
    format_pct,
)

# the figures a day's move may ask about: (pt-BR name, plural), which way is worse
_FIGURE_PT = {"cpl": ("o CPL", False), "leads": ("os leads", True), "spend": ("o gasto", False)}
_WORSE_UP = {"cpl": True, "leads": False, "spend": None}
MAX_MOVERS = 3  # the campaigns named as having moved the day


def _d(day: dt.date) -> str:
    return br_date(day.isoformat())


def _signed(text: str | None, value: float | None) -> str:
    """ "+7%" for a rise, "-13%" and "0%" as they are; "-" without a comparison."""
    if text is None or value is None:
        return "-"
    return f"+{text}" if value > 0 and any(ch in "123456789" for ch in text) else text


def _went(value: float | None, text: str | None) -> str | None:
    """ "subiu", "caiu" or "ficou estável" for a formatted change (stable when it rounds to 0%)."""
    if value is None or text is None:
        return None
    if not any(ch in "123456789" for ch in text):
        return "ficou estável"
    return "subiu" if value > 0 else "caiu"


def _yes_no(figure: str, move: str, went: str | None) -> str:
    wanted = {"up": True, "down": False}.get(move)
    worse_up = _WORSE_UP[figure]
    if move in {"worse", "better"} and worse_up is not None:
        wanted = worse_up if move == "worse" else not worse_up
    if wanted is None or went in {None, "ficou estável"}:
        return ""
    return "Sim: " if wanted == (went == "subiu") else "Não: "


def _value(side: dict[str, Any] | None, figure: str) -> str:
    if side is None:
        return "sem dados"
    if figure == "cpl":
        return side["cpl"] or "sem leads"
    return count_text(side["leads"]) if figure == "leads" else side["spend"] or "-"


def _move_line(m: dict[str, Any], figure: str, move: str) -> str:
    """ "Sim: o CPL da conta subiu em 29/11/2026 (domingo): R$ 16,42, contra R$ 14,10 em 28/11/2026 (+16%)
    e R$ 15,00 em 22/11/2026, o mesmo dia da semana anterior (+9%)."."""
    days, sides, ch, raw = m["days"], m["sides"], m["changes"], m["changes_v"]
    what, plural = _FIGURE_PT[figure]
    went = _went(raw["before"].get(figure), ch["before"].get(figure))
    yes = _yes_no(figure, move, went)
    day = f"{_d(days['day'])} ({WEEKDAYS_PT[days['day'].weekday()]})"
    if went is None:
        head = f"{what} da conta em {day}: {_value(sides['day'], figure)}, sem comparação com "
        head += f"{_d(days['before'])} ({_value(sides['before'], figure)})"
    else:
        if plural:
            went = {"subiu": "subiram", "caiu": "caíram"}.get(went, "ficaram estáveis")
        head = (
            f"{what} da conta {went} em {day}: {_value(sides['day'], figure)}, contra "
            f"{_value(sides['before'], figure)} em {_d(days['before'])} "
            f"({_signed(ch['before'].get(figure), raw['before'].get(figure))})"
        )
    week = (
        f" e {_value(sides['week'], figure)} em {_d(days['week'])}, o mesmo dia da semana anterior "
        f"({_signed(ch['week'].get(figure), raw['week'].get(figure))})"
        if sides["week"] is not None
        else f"; sem dados em {_d(days['week'])}, o mesmo dia da semana anterior"
    )
    text = f"{head}{week}."
    return f"{yes}{text}" if yes else text[0].upper() + text[1:]


def _figures_line(m: dict[str, Any]) -> str:
    """Each of the three days' spend, leads and CPL."""
    parts = [
        f"{_d(m['days'][k])}{' (' + label + ')' if label else ''}: "
        + (figures_text(m["sides"][k]) if m["sides"][k] is not None else "sem dados")
        for k, label in (("day", ""), ("before", "dia anterior"), ("week", "mesmo dia da semana anterior"))
    ]
    return "Em " + "; em ".join(parts) + "."


def _changes_line(m: dict[str, Any]) -> str:
    """ "Contra 28/11/2026: gasto +3%, leads -10%, CPL +15%; contra 22/11/2026 (...): ..."."""
    parts = []
    for side, label in (("before", ""), ("week", ", o mesmo dia da semana anterior")):
        ch, raw = m["changes"][side], m["changes_v"][side]
        if not ch:
            parts.append(f"sem dados em {_d(m['days'][side])}{label}")
            continue
        named = (("spend", "gasto"), ("leads", "leads"), ("cpl", "CPL"))
        moves = ", ".join(f"{name} {_signed(ch.get(k), raw.get(k))}" for k, name in named)
        parts.append(f"contra {_d(m['days'][side])}{label}: {moves}")
    text = "; ".join(parts) + "."
    return text[0].upper() + text[1:]


_MOVE_KEY = {"cpl": "effect_v", "leads": "d_leads", "spend": "d_spend_v"}  # a campaign's move, by figure


def _ranked(m: dict[str, Any], key: str, up: bool) -> list[dict[str, Any]]:
    """The campaigns whose `key` moved the way asked (up or down) against the day before, largest first."""
    rows = [x for x in m["campaigns"] if x[key] is not None and (x[key] > 0 if up else x[key] < 0)]
    return sorted(rows, key=lambda x: (-x[key] if up else x[key], x["campaign_id"]))


def _movers(m: dict[str, Any], figure: str) -> list[str]:
    """The campaigns that moved the account's figure most in the direction it went, against the day
    before: their effect on the account's CPL (they add up to its move), their leads or their spend."""
    raw = m["changes_v"]["before"].get("cpl" if figure == "what" else figure)
    if raw is None or raw == 0:
        return []
    up = raw > 0
    key = _MOVE_KEY["cpl" if figure == "what" else figure]
    rows = _ranked(m, key, up)
    if not rows:
        return []
    day, before = _d(m["days"]["day"]), _d(m["days"]["before"])
    if key == "effect_v":
        what = f"{'subiram' if up else 'baixaram'} o CPL da conta"
    elif figure == "leads":
        what = f"{'somaram' if up else 'perderam'} leads"
    else:
        what = f"{'aumentaram' if up else 'reduziram'} o gasto"
    head = f"Campanhas que mais {what} em {day} (contra {before}):"

    def line(x: dict[str, Any]) -> str:
        figures = (
            f"CPL {x['cpl0'] or 'sem leads'} → {x['cpl1'] or 'sem leads'}, "
            f"gasto {x['spend0']} → {x['spend1']}, "
            f"leads {count_text(x['leads0'])} → {count_text(x['leads1'])}"
        )
        if key == "effect_v":
            return f"{figures}: {'+' if up else '-'}{x['effect']} no CPL da conta"
        return figures

    return [head, *(f"- {quoted(x['name'])} ({x['campaign_id']}): {line(x)}." for x in rows[:MAX_MOVERS])]


_WHICH_PT = {  # (figure, up) -> what the campaign did
    ("cpl", True): "subiu o CPL da conta",
    ("cpl", False): "baixou o CPL da conta",
    ("leads", True): "ganhou leads",
    ("leads", False): "perdeu leads",
    ("spend", True): "aumentou o gasto",
    ("spend", False): "reduziu o gasto",
}


def _which_moved(m: dict[str, Any], figure: str, up: bool, judged: str | None = None) -> list[str]:
    """ "Qual campanha mais caiu em leads ontem?": the campaign that moved the figure most the way asked
    against the day before (whatever the account did), named first, the next two after, then the account's
    move as context. `judged` ("worse"/"better"): "qual campanha mais caiu ontem?" with no figure named,
    said as what it is measured by."""
    key = _MOVE_KEY[figure]
    rows = _ranked(m, key, up)
    day, before = _d(m["days"]["day"]), _d(m["days"]["before"])
    did = _WHICH_PT[figure, up]
    if judged is not None:
        did = f"{'piorou' if judged == 'worse' else 'melhorou'} pelo CPL (a que mais {did})"
    account = _move_line(m, figure, "either")
    if not rows:
        return [f"Nenhuma campanha {did} em {day} (contra {before}).", account]

    def line(x: dict[str, Any]) -> str:
        text = (
            f"{quoted(x['name'])} ({x['campaign_id']}): "
            f"leads {count_text(x['leads0'])} → {count_text(x['leads1'])}, "
            f"gasto {x['spend0']} → {x['spend1']}, "
            f"CPL {x['cpl0'] or 'sem leads'} → {x['cpl1'] or 'sem leads'}"
        )
        return text + (f"; {'+' if up else '-'}{x['effect']} no CPL da conta" if key == "effect_v" else "")

    lines = [f"A campanha que mais {did} em {day} (contra {before}): {line(rows[0])}."]
    if len(rows) > 1:
        lines += ["Em seguida:", *(f"- {line(x)}" for x in rows[1:MAX_MOVERS])]
    return [*lines, account]


def day_move_lines(intent: Intent, out: Out) -> list[str]:
    """ "Por que o CPL subiu ontem?" / "os leads caíram ontem?" / "o que aconteceu ontem?": the day asked
    against the day before and a week earlier, the figure asked first (Sim/Não when a move was asked),
    then the three days' figures, and the campaigns that moved it; nothing without those facts."""
    m, asked = out.get("_day_move"), day_move_metric(intent.metric)
    if m is None or asked is None:
        return []
    figure, move = asked
    if m["sides"]["day"] is None:
        return [f"Não há dados de {_d(m['days']['day'])} na fonte."]
    if (intent.metric or "").endswith("_which") and move in {"up", "down"}:
        return _which_moved(m, figure, move == "up")
    if (intent.metric or "").endswith("_which") and move in {"worse", "better"}:
        # worse = a higher CPL, fewer leads or (spend) more money
        up = (move == "worse") == (figure != "leads")
        return _which_moved(m, figure, up, move if figure == "cpl" else None)
    if figure == "what":
        head = (
            f"Em {_d(m['days']['day'])} ({WEEKDAYS_PT[m['days']['day'].weekday()]}): "
            f"{figures_text(m['sides']['day'])}."
        )
        return [head, _changes_line(m), *_movers(m, "what")]
    lines = [_move_line(m, figure, move), _figures_line(m)]
    if figure == "leads" and m["changes"]["before"]:  # leads = spend / CPL: which of the two moved them
        ch, raw = m["changes"]["before"], m["changes_v"]["before"]
        lines.append(
            f"Leads = gasto ÷ CPL: gasto {_signed(ch.get('spend'), raw.get('spend'))}, "
            f"CPL {_signed(ch.get('cpl'), raw.get('cpl'))} contra {_d(m['days']['before'])}."
        )
    return lines + _movers(m, figure)


def week_movers_lines(intent: Intent, out: Out) -> list[str]:
    """ "Qual campanha piorou mais essa semana?": the campaigns by their move over the weeks compared (this
    week's days against the same weekdays of last week; on a Monday last week against the one before), the
    CPL's (a campaign that had leads and now spent with none is the worst) or the leads', named first."""
    _, figure, move, _ = (intent.metric or "week_cpl_worse_which").split("_")
    w = out["_weeks"]["weeks"]
    old, new = ({x["campaign_id"]: x for x in side["campaigns"]} for side in out["_weeks_campaigns"])
    currency = out["_weeks_campaigns"][-1].get("currency") or "BRL"
    worse = move in {"worse", "up"} if figure == "cpl" else move in {"worse", "down"}
    moved = []
    # a campaign that spent the week before and has no row now stopped: its spend and leads went to zero
    # (campaign 9 of the demo: -R$ 757,76, the largest cut, was left out)
    stopped = {
        cid: {
            **y,
            "spend": format_money(0.0, currency),
            "spend_v": 0.0,
            "leads": 0,
            "cpl": None,
            "cpl_v": None,
        }
        for cid, y in old.items()
        if cid not in new
    }
    for cid, x in {**new, **stopped}.items():
        y = old.get(cid)
        if y is None:
            continue
        if figure == "leads":
            if x["leads"] != y["leads"]:
                moved.append((float(x["leads"] - y["leads"]), x, y))
        elif figure == "spend":  # "qual campanha teve o maior aumento de gasto?": the change in money
            if x["spend_v"] != y["spend_v"]:
                moved.append((x["spend_v"] - y["spend_v"], x, y))
        elif x["cpl_v"] is not None and y["cpl_v"] is not None:
            moved.append(((x["cpl_v"] / y["cpl_v"] - 1) * 100, x, y))
        elif x["cpl_v"] is None and x["spend_v"] > 0 and y["cpl_v"] is not None:
            moved.append((float("inf"), x, y))  # had leads, now spends with none: the worst CPL move
    up = worse if figure == "cpl" else move == "up" if figure == "spend" else not worse

    def rel(m: tuple[float, dict[str, Any], dict[str, Any]]) -> float:
        """The leads' move in % of the week before (a tie in leads goes to the larger move in %)."""
        before = float(m[2]["leads"] if figure == "leads" else m[2]["spend_v"])
        return m[0] / before * 100.0 if figure in {"leads", "spend"} and before else 0.0

    rows = sorted(
        (m for m in moved if (m[0] > 0 if up else m[0] < 0)),
        key=lambda m: (-m[0], -rel(m)) if up else (m[0], rel(m)),
    )
    now, before = f"({br_span(w.now.first, w.now.last)})", f"({br_span(w.before.first, w.before.last)})"
    when = (
        f"na semana passada, seg a dom {now}, contra a retrasada {before}"
        if w.no_day_yet
        else f"de {w.days} desta semana {now} contra os mesmos dias da semana passada {before}"
    )
    if figure == "cpl":
        did = f"{'piorou' if worse else 'melhorou'} pelo CPL"
    elif figure == "spend":
        did = "aumentou o gasto" if up else "reduziu o gasto"
    else:
        did = "perdeu leads" if worse else "ganhou leads"
    if not rows:
        return [f"Nenhuma campanha {did} {when}."]

    def line(m: tuple[float, dict[str, Any], dict[str, Any]]) -> str:
        change, x, y = m
        pct = (
            "sem leads agora"
            if change == float("inf")
            else f"{'+' if change > 0 else ''}{format_pct(change)}"
        )
        if figure == "leads":
            pct = f"{'+' if change > 0 else ''}{round(change)}"
            if y["leads"]:  # "-7, -21%": the % orders a tie in leads
                pct += f", {'+' if change > 0 else '-'}{format_pct(abs(rel(m)))}"
        cpl = f"CPL {y['cpl'] or 'sem leads'} → {x['cpl'] or 'sem leads'}"
        leads = f"leads {count_text(y['leads'])} → {count_text(x['leads'])}"
        spend = f"gasto {y['spend']} → {x['spend']}"
        if figure == "spend":  # the money moved first, then its % of the week before
            sign = "+" if change > 0 else "-"
            moved_pct = f", {sign}{format_pct(abs(rel(m)))}" if y["spend_v"] else ""
            spend += f" ({sign}{format_money(abs(change), currency)}{moved_pct})"
            return f"{quoted(x['name'])} ({x['campaign_id']}): {spend}, {leads}, {cpl}"
        if figure == "leads":
            leads += f" ({pct})"
        else:
            cpl += f" ({pct})"
        return f"{quoted(x['name'])} ({x['campaign_id']}): {cpl}, {leads}, {spend}"

    lines = [f"A campanha que mais {did} {when}: {line(rows[0])}."]
    if len(rows) > 1:
        lines += ["Em seguida:", *(f"- {line(m)}" for m in rows[1:MAX_MOVERS])]
    return lines


# --------------------------------------------------------------------------- the CPL against its history
_GOOD, _MID, _BAD = "good", "mid", "bad"
_ANSWER = {  # (the question asks if it is good, if it is high) -> the verdict's first word
    True: {_GOOD: "Sim", _MID: "Razoável", _BAD: "Não"},
    False: {_GOOD: "Não", _MID: "Um pouco", _BAD: "Sim"},
}
_WHERE = {
    _GOOD: "na metade mais barata do histórico da própria conta",
    _MID: "acima da mediana do histórico da própria conta, mas fora do quarto mais caro",
    _BAD: "no quarto mais caro do histórico da própria conta",
}
NO_BENCHMARK = (
    "Comparo com o histórico da própria conta: não tenho referência de mercado (benchmark) nos dados."
)


def _level(cheaper: int, n: int) -> str:
    share = cheaper / n
    return _GOOD if share <= 0.5 else _MID if share <= 0.75 else _BAD


def cpl_judge_lines(intent: Intent, out: Out) -> list[str]:
    """ "Meu custo por lead tá bom?" (or "o CPL de ontem tá alto?"): the account's 7-day CPL (or that
    day's) against the CPL of each of its weeks (days) before, said as where it sits: how many were
    cheaper, their median and range; nothing without those facts."""
    h = out.get("_cpl_history")
    if h is None or h.get("figure", "cpl") != "cpl":
        return []
    day = h["day"]
    if day is not None:
        when, units = f"em {_d(day)} ({WEEKDAYS_PT[day.weekday()]})", "dias"
        if h.get("partial"):  # today: the day is not over, its CPL is the one so far
            when = f"hoje, {_d(day)} ({WEEKDAYS_PT[day.weekday()]}, parcial: o dia ainda não terminou),"
    else:
        when, units = f"nos 7 dias até {_d(h['last_day'])}", "semanas"
    if h["now"]["cpl"] is None:
        return [f"Não há CPL {when}: a conta não teve leads ({h['now']['spend'] or '-'} gastos)."]
    if not h["enough"]:
        return [
            f"CPL da conta {when}: {h['now']['cpl']}. Não há histórico suficiente para julgar: preciso de "
            f"pelo menos 4 {units} anteriores com gasto, e a conta tem {h.get('n', 0)}.",
            NO_BENCHMARK,
        ]
    n, cheaper = h["n"], h["cheaper"]
    level = _level(cheaper, n)
    good_asked = intent.metric != "cpl_judge_high"
    top = " (o mais alto de todos)" if cheaper == n else " (o mais baixo de todos)" if cheaper == 0 else ""
    per = "diário" if day is not None else "semanal"
    span = f"{_d(h['history_first'])} a {_d(h['history_last'])}"
    which = "deles" if day is not None else "delas"
    idle = h.get("no_leads") or 0
    without = f"; {idle} sem nenhum lead" if idle else ""
    verb = "teve" if cheaper == 1 else "tiveram"
    counted = f"{cheaper} {which} {verb}"
    was = "foi"
    if h.get("partial"):
        was = f"é, até agora ({h['now']['spend'] or '-'} gastos, {leads_text(h['now']['leads'])}),"
    return [
        f"{_ANSWER[good_asked][level]}: o CPL da conta {when} {was} {h['now']['cpl']}, {_WHERE[level]}{top}. "
        f"{'Nos' if day is not None else 'Nas'} {n} {units} anteriores ({span}), o CPL {per} foi de "
        f"{h['low']} a {h['high']}, mediana {h['median'] or '-'}; {counted} CPL mais "
        f"baixo{without}.",
        NO_BENCHMARK,
        *([WORTH_NOTE] if intent.ask == "worth" else []),
    ]


# "tá valendo a pena?": whether the leads pay is the buyer's to say, the source holds no revenue
WORTH_NOTE = (
    "Se os leads se pagam depende de quanto vale um lead para você: a fonte não traz receita "
    "(diga, por exemplo, “ROI com R$ 80 por lead”)."
)


# a rate against the account's own weeks: which way is better, and how it is named
_RATE_PT = {  # figure -> (name, short name with its article, a higher value is better, the direction said)
    "cpm": ("o CPM (gasto por mil impressões)", "o CPM", False, "CPM alto é ruim: encarece cada lead"),
    "ctr": ("o CTR", "o CTR", True, "CTR alto é bom"),
    "cvr": ("a conversão (leads por clique)", "a conversão", True, "conversão alta é boa"),
}
_WHERE_RATE = {
    _GOOD: "na metade melhor das semanas da própria conta",
    _MID: "pior que a mediana das semanas da própria conta, mas fora do quarto pior",
    _BAD: "no quarto pior das semanas da própria conta",
}


def rate_judge_lines(intent: Intent, out: Out) -> list[str]:
    """ "O cpm tá caro?", "meu ctr tá bom?", "a conversão tá boa?": the account's 7-day rate against the
    same rate of each of its weeks before, graded as the CPL's verdict is (`_level`) but by how many weeks
    were better, which is lower for the CPM and higher for the CTR and the conversion."""
    h, judged = out.get("_cpl_history"), rate_judged(intent.metric)
    if h is None or judged is None or h.get("figure") != judged[0]:
        return []
    figure, bad_asked = judged
    name, short, high_good, direction = _RATE_PT[figure]
    when = f"nos 7 dias até {_d(h['last_day'])}"
    value = h["now"][figure]
    if value is None:
        return [f"Não há {short[2:]} da conta {when}: sem impressões ou cliques."]
    if not h["enough"]:
        return [
            f"{name[0].upper()}{name[1:]} da conta {when}: {value}. Não há histórico suficiente para julgar: "
            f"preciso de pelo menos 4 semanas anteriores com gasto, e a conta tem {h.get('n', 0)}.",
            NO_BENCHMARK,
        ]
    n = h["n"]
    better = h["higher"] if high_good else h["cheaper"]
    level = _level(better, n)
    top = "a melhor de todas; " if better == 0 else "a pior de todas; " if better == n else ""
    span = f"{_d(h['history_first'])} a {_d(h['history_last'])}"
    verb = "teve" if better == 1 else "tiveram"
    return [
        f"{_ANSWER[not bad_asked][level]}: {name} da conta {when} foi {value}, {_WHERE_RATE[level]} "
        f"({top}{direction}). Nas {n} semanas anteriores ({span}), {short} semanal foi de {h['low']} a "
        f"{h['high']}, mediana {h['median'] or '-'}; {better} delas {verb} {short[2:]} "
        f"{'mais alt' if high_good else 'mais baix'}{short[0]}, ou seja, melhor.",
        NO_BENCHMARK,
    ]


def learning_lines(out: Out) -> list[str]:
    """ "Quais campanhas estão em fase de aprendizado?": the source has no learning status, said in one
    line; then the proxy, named as one: the campaigns under Meta's ~50 results in 7 days, fewest first."""
    g = out["_learning"]
    span = f"{_d(g['first_day'])} a {_d(g['last_day'])}"
    bar, under = g["bar"], g["under"]
    lines = [
        "Não sei dizer quais estão em aprendizado: a fonte (FamaChat) não traz o status de aprendizado "
        "do Meta.",
        f"Uma aproximação (proxy): o Meta sai do aprendizado com cerca de {bar} resultados em 7 dias (por "
        "conjunto de anúncios; aqui conto por campanha). "
        + (
            f"Nos 7 dias ({span}), {len(under)} campanha{'s' if len(under) != 1 else ''} com gasto "
            f"{'tiveram' if len(under) != 1 else 'teve'} menos de {bar} leads:"
            if under
            else f"Nos 7 dias ({span}), nenhuma campanha com gasto teve menos de {bar} leads."
        ),
    ]
    lines += [
        f"- {quoted(x['name'])} ({x['campaign_id']}): {leads_text(x['leads'])}, {x['spend']} gastos."
        for x in under
    ]
    if g["over"]:
        lines.append(
            f"{counted(g['over'], 'campanha com gasto chegou', 'campanhas com gasto chegaram')} a {bar} "
            "leads ou mais nesses dias."
        )
    return lines


def _pct_signed(value: float) -> str:
    return f"{'+' if value > 0 else ''}{value:.0f}%"


_SATURATION = {
    "yes": "Sim, sinal de saturação",
    "no": "Não, sem sinal de saturação",
    "unclear": "Não está claro",
}


def saturation_lines(out: Out, value_first: bool = False) -> list[str]:
    """ "A campanha 4 tá saturando?": yes / no / not clear first, by the rule in `saturation_figures`
    (frequency up and CTR down, each by 5 % or more, last 7 days against the 7 before), then the figures;
    `value_first` ("qual a frequência da 4?"): its frequency first, the verdict after."""
    s = out.get("_saturation")
    if s is None:
        return []
    who = f"{quoted(s['name'])} ({s['campaign_id']})"
    now, before = s["now"], s["before"]
    spans = " contra ".join(br_span(w["first_day"], w["last_day"]) for w in (now, before))
    if s["verdict"] == "no_data":
        return [f"Não dá para dizer: {who} não teve entrega nas duas semanas comparadas ({spans})."]
    fc, cc = s["freq_change"], s["ctr_change"]
    move = format_pct(s["move"])
    freq_up = "subiu" if fc >= s["move"] else "não subiu"
    ctr_down = "caiu" if cc <= -s["move"] else "não caiu"

    def num(value: float) -> str:
        return format_number(value, 2)

    limit = num(s["threshold"])
    side = "acima" if now["frequency"] > s["threshold"] else "abaixo"
    value = (
        [
            f"Frequência de {who} nos 7 dias ({br_span(now['first_day'], now['last_day'])}): "
            f"{num(now['frequency'])}, {side} do limite de {limit} do alerta de frequência."
        ]
        if value_first
        else []
    )
    return value + [
        f"{_SATURATION[s['verdict']]} em {who}: a frequência {freq_up} e o CTR {ctr_down} ({spans}).",
        f"Frequência {num(before['frequency'])} → {num(now['frequency'])} ({_pct_signed(fc)}), "
        f"CTR {num(before['ctr'])}% → {num(now['ctr'])}% ({_pct_signed(cc)}); a frequência está {side} "
        f"do limite de {limit} do alerta de frequência (FREQUENCY_ALERT).",
        f"Regra: saturação é a frequência subindo ({move} ou mais) com o CTR caindo ({move} ou mais) na "
        "mesma comparação; só um dos dois é sinal não claro.",
    ]


# ----------------------------------------------------------------------------- pause or cut, and why
FAR_ABOVE = 2.0  # a CPL this many times the account's: a pause is also defensible, advice or not


def cut_advice_lines(out: Out) -> list[str]:
    """ "Quais campanhas devo pausar?": the pause advice first (or that there is none, with the rule that
    gives one), then each budget cut with its figures and why it is no pause; nothing without facts."""
    c = out.get("_cuts")
    if c is None:
        return []
    when = f"nos 7 dias até {br_date(str(c['as_of'])[:10])}" if c["as_of"] else "nos 7 dias"
    mult = format_number(c["pause_multiple"], 1).replace(",0", "")
    pauses = [x for x in c["rows"] if x["type"] == "PAUSE_CAMPAIGN"]
    cuts = [x for x in c["rows"] if x["type"] == "BUDGET_DECREASE"]
    if pauses:
        n = len(pauses)
        lines = [f"Pausar ({n} campanha{'s' if n != 1 else ''}, recomendação PAUSE_CAMPAIGN do pipeline):"]
        lines += [
            f"- {quoted(x['name'])} ({x['campaign_id']}): {x['spend_7d'] or '-'} gastos {when} sem nenhum "
            f"lead (CPL da conta: {x['account_cpl_7d'] or '-'}); tier crítico."
            for x in pauses
        ]
    else:
        lines = [
            "Pausar: nenhuma campanha tem recomendação de pausa (PAUSE_CAMPAIGN) agora. O pipeline recomenda "
            f"pausar só campanha ativa do tier crítico que gastou {when} pelo menos {mult}x o CPL da conta "
            "sem nenhum lead."
        ]
    if cuts:
        n = len(cuts)
        lines.append(f"Reduzir orçamento, não pausar ({n} campanha{'s' if n != 1 else ''}, BUDGET_DECREASE):")
        for x in cuts:
            action = x["title"].split(":")[0]
            ratio = x["ratio"]
            vs = f", {times_text(ratio)} o da conta ({x['account_cpl_7d']})" if ratio is not None else ""
            trend = x["trend_v"]
            sign = "+" if trend and trend > 0 else ""
            moved = f", {sign}{x['cpl_trend']} sobre os 7 dias anteriores" if x["cpl_trend"] else ""
            why = (
                f" Não é pausa porque teve {leads_text(x['leads_7d'])} {when}: a pausa do pipeline é só para "
                "quem gastou sem nenhum lead"
            )
            far = (
                f"; com o CPL {times_text(ratio)} o da conta, pausar também se justifica se você não "
                "quiser esperar o efeito da redução"
                if ratio is not None and ratio >= FAR_ABOVE
                else ""
            )
            lines.append(
                f"- {quoted(x['name'])} ({x['campaign_id']}): {action}. CPL {x['cpl_7d'] or 'sem leads'} "
                f"{when}{vs}{moved}.{why}{far}."
            )
    return lines


def say_budget(intent: Intent, out: Out) -> list[str]:
    """ "Tem campanha estourando o orçamento?": Sim/Não first, by the days of the last 7 whose spend passed
    the campaign's daily budget by more than the 25 % Meta may spend over on a day; each such campaign with
    its worst day and its 7 days against 7 budgets."""
    b = out["_budget"]
    span = f"{_d(b['first_day'])} a {_d(b['last_day'])}"
    slack = f"{round(b['slack'] * 100)}%"
    why = (
        f"o Meta pode gastar até {slack} acima do orçamento diário num dia, então só conto o que passou disso"
    )
    rows = b["campaigns"]
    if not rows:
        lines = [
            f"Não: nenhuma campanha gastou mais de {slack} acima do orçamento diário nos 7 dias ({span}); "
            f"{why}."
        ]
        if b["within_days"]:
            lines.append(
                f"Acima do orçamento, mas dentro dessa margem: {days_text(b['within_days'])} de campanha."
            )
    else:
        n = len(rows)
        lines = [
            f"Sim: {n} campanha{'s' if n != 1 else ''} gast{'aram' if n != 1 else 'ou'} mais de {slack} "
            f"acima do orçamento diário em algum dos 7 dias ({span}); {why}:"
        ]
        for x in rows:
            days = f"{days_text(x['days'])}"
            lines.append(
                f"- {quoted(x['name'])} ({x['campaign_id']}): orçamento {x['budget']}/dia; em {_d(x['day'])} "
                f"gastou {x['spend']} ({x['above']} acima); {days} acima da margem; nos 7 dias, "
                f"{x['spend_7d']} de {x['budget_7d']} de orçamento."
            )
    if b["no_budget"]:
        lines.append(
            f"{counted(b['no_budget'], 'campanha com gasto não tem', 'campanhas com gasto não têm')} "
            "orçamento na campanha (fica no conjunto de anúncios): não dá para comparar."
        )
    return lines
