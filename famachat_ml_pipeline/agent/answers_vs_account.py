"""One campaign's CPL against the account's ("quanto custa um lead na 4 comparado com a média?", "o cpl
da 8 tá acima da média?"): the verdict first, both CPLs over the same days, the gap in %."""

from __future__ import annotations

import datetime as dt
from typing import Any

from famachat_ml_pipeline.agent.intents import Intent
from famachat_ml_pipeline.agent.wording import br_span, days_text, leads_text, quoted, times_text
from famachat_ml_pipeline.core.recommendations import format_number, format_pct

NEAR_PCT = 0.5  # a gap that rounds to 0%: the same CPL as the account's


def _days_asked(v: dict[str, Any]) -> str:
    """ "nos 7 dias de 23/11 a 29/11", or the period asked with its label."""
    span = br_span(v["first"], v["last"])
    return f"nos 7 dias de {span}" if v["label"] is None else f"de {span} ({v['label']})"


def vs_account_lines(intent: Intent, v: dict[str, Any] | None) -> list[str]:
    """The campaign's CPL against the account's over the days asked (the 7 days unless a period is):
    "Sim"/"Não" first when a side was asked ("acima da média?"), the gap in % and how each CPL is made."""
    if v is None:
        return []
    when = _days_asked(v)
    own, acct, gap = v["own"], v["account"], v["gap"]
    name = quoted(v["name"])
    above_asked = intent.ask == "vs_account_above"
    asked_side = intent.ask in {"vs_account_above", "vs_account_below"}
    if acct["cpl_v"] is None:
        return [f"A conta não teve leads {when}: não há CPL da conta para comparar."]
    if own["cpl_v"] is None:  # no lead: spent with none is above any CPL, no spend is no CPL at all
        if not own["spend_v"]:
            return [
                f"{'Não: ' if asked_side else ''}{name} não gastou {when}; o CPL da conta foi {acct['cpl']}."
            ]
        word = ("Sim: " if above_asked else "Não: ") if asked_side else ""
        return [
            f"{word}{name} gastou {own['spend']} {when} sem nenhum lead; o CPL da conta foi {acct['cpl']}."
        ]
    above = gap is not None and gap >= NEAR_PCT
    below = gap is not None and gap <= -NEAR_PCT
    pct = format_pct(abs(gap or 0.0), 0)
    # "436% acima" reads better with the multiple beside it ("5,4x")
    times = f" ({times_text(own['cpl_v'] / acct['cpl_v'])})" if gap is not None and gap >= 100 else ""
    where = f"{pct}{times} acima do" if above else f"{pct} abaixo do" if below else "igual ao"
    # the verdict first: "Sim"/"Não" to the side asked ("tá acima da média?"), else the gap itself
    if asked_side:
        word = "Sim" if (above if above_asked else below) else "Não"
    else:
        word = (
            f"{pct}{times} mais caro que a conta"
            if above
            else f"{pct} mais barato que a conta"
            if below
            else "Igual à conta"
        )
    against = (
        f"{where} CPL da conta no mesmo período ({acct['cpl']})"
        if asked_side
        else f"contra {acct['cpl']} de CPL da conta no mesmo período"
    )
    return [
        f"{word}: um lead em {name} custou {own['cpl']} {when}, {against}.",
        f"CPL = gasto ÷ leads: a campanha {own['spend']} ÷ {leads_text(own['leads'])}; a conta inteira "
        f"{acct['spend']} ÷ {leads_text(acct['leads'])} (todas as campanhas, não a média dos CPLs delas).",
    ]


def share_lines(intent: Intent, v: dict[str, Any] | None) -> list[str]:
    """ "Qual a participação da 4 no gasto?": the campaign's share of the account's spend and of its leads
    over the days asked (the 7 days unless a period is), the figure asked first."""
    if v is None:
        return []
    when = _days_asked(v)
    own, acct = v["own"], v["account"]

    def part(mine: float, total: float) -> str:
        return format_pct(mine / total * 100, 0) if total else "-"

    spend = f"{part(own['spend_v'], acct['spend_v'])} do gasto ({own['spend']} de {acct['spend']})"
    leads = f"{part(own['leads'], acct['leads'])} dos leads ({own['leads']} de {leads_text(acct['leads'])})"
    first, second = (leads, spend) if intent.metric == "leads" else (spend, leads)
    return [f"{quoted(v['name'])} {when}: {first} e {second} da conta."]


def without_lines(intent: Intent, v: dict[str, Any] | None) -> list[str]:
    """ "Qual o CPL se eu tirar a 26?": the account's CPL over the days asked (the 7 days unless a period
    is) with that campaign's spend and leads taken out, against the account's as it was; arithmetic on
    the same days, not a forecast of the others once it is paused."""
    if v is None:
        return []
    when = _days_asked(v)
    own, acct, rest = v["own"], v["account"], v["without"]
    name = quoted(v["name"])
    if rest["cpl_v"] is None:
        return [f"Sem {name}, a conta não teria nenhum lead {when} ({rest['spend']} gastos)."]
    change = (
        f" ({'+' if rest['cpl_v'] > acct['cpl_v'] else '-'}"
        f"{format_pct(abs(rest['cpl_v'] / acct['cpl_v'] * 100 - 100), 0)})"
        if acct["cpl_v"]
        else ""
    )
    return [
        f"Sem {name}, o CPL da conta {when} seria {rest['cpl']}{change}: {rest['spend']} gastos e "
        f"{leads_text(rest['leads'])}, contra {acct['cpl'] or 'sem leads'} com ela ({acct['spend']}, "
        f"{leads_text(acct['leads'])}); ela gastou {own['spend']} e trouxe {leads_text(own['leads'])}.",
        "Conta feita tirando o gasto e os leads dela dos mesmos dias; se ela for pausada, as outras não "
        "rendem necessariamente igual.",
    ]


def _day(day: dt.date) -> str:
    return f"{day:%d/%m/%Y}"


def stopped_lines(v: dict[str, Any] | None, running: bool = False) -> list[str]:
    """ "A 5 parou de gastar?": "Não" with its spend on the last complete day (and the days of the 7 with
    none, when any), or "Sim" with the last day it spent (none in the days read: said so). `running` ("a 8
    tá rodando?"): the same, the verdict the other way round (was "Não" for one that spent every day)."""
    if v is None:
        return []
    if running:
        said = stopped_lines(v)
        flipped = "Sim: " if said[0].startswith("Não: ") else "Não: "
        return [flipped + said[0][len("Não: ") :], *said[1:]]
    name, through = quoted(v["name"]), v["through"]
    unknown = (
        f" A fonte trouxe dados inválidos de {', '.join(_day(d) for d in v['aside'])}: nesses dias o gasto é "
        "desconhecido."
        if v["aside"]
        else ""
    )
    if v["last_day"] is None:
        return [f"Sim: {name} não gastou nada de {_day(v['first'])} a {_day(through)}.{unknown}"]
    if v["last_day"] < through:
        return [
            f"Sim: {name} não gasta desde {_day(v['last_day'] + dt.timedelta(days=1))}; o último gasto foi "
            f"{v['last_spend']} em {_day(v['last_day'])} (dados até {_day(through)}).{unknown}"
        ]
    idle = v["idle_7d"]
    gaps = (
        f" Nos 7 dias até {_day(through)}, {days_text(len(idle))} sem gasto: "
        + ", ".join(_day(d) for d in idle)
        + "."
        if idle
        else f" Gastou todos os 7 dias até {_day(through)} ({v['spend_7d']} no total)."
        if not v["aside_7d"]
        else f" Gastou em todos os dias válidos dos 7 até {_day(through)} ({v['spend_7d']} no total)."
    )
    if v["aside_7d"]:  # a day set aside is no day without spend, nor one with it
        gaps += f" Dados inválidos na fonte em {', '.join(_day(d) for d in v['aside_7d'])}."
    return [f"Não: {name} gastou {v['last_spend']} em {_day(through)}, o último dia completo.{gaps}"]


def leads_stopped_lines(v: dict[str, Any]) -> list[str]:
    """ "A 12 parou de gerar lead?": "Não" with its leads of the last complete day, or "Sim" with its last
    day with leads and what it spent since (none in the days read: said so)."""
    name, through = quoted(v["name"]), _day(v["through"])
    if v["last_day"] == v["through"]:
        return [f"Não: {name} teve {leads_text(v['last_leads'])} em {through}, o último dia completo."]
    spent = f"gastou {v['spend_after']} sem lead" if v["spend_after"] else "também não gastou"
    if v["last_day"] is None:
        return [f"Sim: {name} não teve nenhum lead de {_day(v['first'])} a {through}; nesses dias {spent}."]
    return [
        f"Sim: {name} não tem lead desde {_day(v['last_day'] + dt.timedelta(days=1))} (último: "
        f"{leads_text(v['last_leads'])} em {_day(v['last_day'])}; dados até {through}); desde então {spent}."
    ]


def stopped_why_lines(v: dict[str, Any] | None, status: str) -> list[str]:
    """ "Por que a 9 parou?": a paused status is the why, said first with since when; an active one is no
    pause on the campaign, so the why is not in the data read (the source stops at the campaign): said so,
    with where to look. One that did not stop: "Não parou", with its last day's spend."""
    if v is None:
        return []
    said = stopped_lines(v)
    name, through = quoted(v["name"]), v["through"]
    if v["last_day"] == through:
        return [said[0].replace("Não: ", "Não parou: ", 1)]
    since = (
        f"não gastou nada de {_day(v['first'])} a {_day(through)}"
        if v["last_day"] is None
        else f"não gasta desde {_day(v['last_day'] + dt.timedelta(days=1))} (último gasto: {v['last_spend']} "
        f"em {_day(v['last_day'])}; dados até {_day(through)})"
    )
    if not v.get("active", True):
        return [f"Porque está pausada: {name} tem status {status} e {since}."]
    return [
        f"Não foi pausa na campanha: {name} tem status {status}, mas {since}. O motivo não está nos dados "
        "que leio (a fonte para na campanha): confira no Gerenciador de Anúncios se os conjuntos ou anúncios "
        "estão pausados ou reprovados, o pagamento da conta e a programação."
    ]


def stopped_which_lines(v: dict[str, Any]) -> list[str]:
    """ "Tem campanha ativa sem gastar?": the active campaigns that did not spend on the last complete day,
    the longest stopped first, each with its last spend; "Não" when every active one spent."""
    through, n = _day(v["through"]), len(v["stopped"])
    if not n:
        return [f"Não: as {v['active']} campanhas ativas gastaram em {through}, o último dia completo."]
    verb = "não gastou" if n == 1 else "não gastaram"  # "1 de 12 campanhas ativas não gastou"
    lines = [f"Sim: {n} de {v['active']} campanhas ativas {verb} em {through}, o último dia completo:"]
    for r in v["stopped"]:
        since = (
            f"nada de {_day(r['first'])} a {through}"
            if r["last_day"] is None
            else f"sem gasto desde {_day(r['last_day'] + dt.timedelta(days=1))} (último: {r['last_spend']} "
            f"em {_day(r['last_day'])})"
        )
        unknown = f"; dados inválidos em {', '.join(_day(d) for d in r['aside'])}" if r["aside"] else ""
        lines.append(f"- {quoted(r['name'])} ({r['campaign_id']}): {since}{unknown}")
    return lines


def delivery_lines(v: dict[str, Any]) -> list[str]:
    """ "Tá entregando?": whether the account delivered (spend or impressions) on the last complete day, the
    campaigns that did, then the active ones that stopped (as `stopped_which_lines` names them)."""
    through, delivered, total = _day(v["through"]), v["delivered"], v["total"]
    if not delivered:
        return [f"Não: a conta não entregou em {through}, o último dia completo: nenhum gasto nem impressão."]
    n, stopped = len(delivered), len(v["stopped"])
    head = "Sim" if not stopped else "Sim, mas não todas"
    lines = [
        f"{head}: a conta entregou em {through}, o último dia completo: {total['spend']} de gasto e "
        f"{format_number(total['impressions'], 0)} impressões em {n} campanha{'s' if n != 1 else ''}:",
        *(
            f"- {quoted(r['name'])} ({r['campaign_id']}): {r['spend']}, "
            f"{format_number(r['impressions'], 0)} impressões"
            for r in delivered
        ),
    ]
    if not stopped:
        return [*lines, f"Todas as {v['active']} campanhas ativas entregaram nesse dia."]
    parou = "parou" if stopped == 1 else "pararam"
    return [
        *lines,
        f"{stopped} de {v['active']} campanhas ativas {parou} de entregar:",
        *stopped_which_lines(v)[1:],
    ]
