"""The answer to "estou gastando sem lead desde sexta?": the campaigns that spent with no lead over exactly
the day or period asked (`facts_idle`), or that none did; when the data covers none of those days, that
there is no data for them and which days it covers (never the 7 days instead)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from famachat_ml_pipeline.agent.wording import br_date, leads_text, quoted


def _d(day: dt.date) -> str:
    return br_date(day.isoformat())


def _missing(idle: dict[str, Any]) -> list[str]:
    """No day asked is in the data: which days were asked, and which the data covers."""
    asked, first_day, through = idle["asked"], idle["first_day"], idle["through"]
    if first_day is None:
        return ["Não há dados desta conta: nenhuma campanha com gasto na fonte."]
    if asked.label == "since":  # "desde 10/12", a day after the last complete one
        days = f"de {_d(asked.first)} em diante"
    elif asked.first == asked.last:
        days = f"de {_d(asked.first)}"
    else:
        days = f"de {asked.label} ({_d(asked.first)} a {_d(asked.last)})"
    one = asked.first == asked.last and asked.label != "since"
    those = "nesse dia" if one else "nesses dias"
    why = (
        "ainda não terminou"
        if asked.first == through + dt.timedelta(days=1)
        else "ainda não chegou"
        if asked.first > through
        else "é antes do primeiro dia dos dados"
    )
    return [
        f"Não há dados {days}: {why}. Os dados desta conta vão de {_d(first_day)} a {_d(through)} (último "
        f"dia completo), então não sei quais campanhas gastaram sem lead {those}."
    ]


def idle_lines(idle: dict[str, Any]) -> list[str]:
    """The campaigns that spent with no lead over the days asked, most spent first, or that there is none,
    with the account's figures of them; said partial when the days asked begin before the data."""
    if "invalid" in idle:
        return [f"{idle['invalid']} não é uma data válida: diga o dia de outro jeito (por exemplo, 10/11)."]
    if idle.get("missing"):
        return _missing(idle)
    first, last = br_date(idle["first"].isoformat()), br_date(idle["last"].isoformat())
    days = (idle["last"] - idle["first"]).days + 1
    named = idle["label"].removeprefix("o período ").split(",")[0]  # "desde sexta", "semana passada"
    named = "" if not named or named.startswith("últimos") else f"{named}, "
    partial = f"; parcial: os dados começam em {_d(idle['data_first'])}" if idle.get("data_first") else ""
    when = f"em {first}" if days == 1 else f"de {first} a {last} ({named}{days} dias{partial})"
    account = f"a conta gastou {idle['spend']} e teve {leads_text(idle['leads'])}"
    if not idle["campaigns"]:
        return [f"Nenhuma campanha gastou sem gerar lead {when}: {account}."]
    n = len(idle["campaigns"])
    lines = [
        f"{n} campanha{'s' if n != 1 else ''} gast{'aram' if n != 1 else 'ou'} sem gerar nenhum lead "
        f"{when}, {idle['idle_spend']} no total ({account})."
    ]
    lines += [
        f"- {quoted(x['name'])} ({x['campaign_id']}): {x['spend']} gastos, 0 leads; {x['status'] or '-'}"
        for x in idle["campaigns"]
    ]
    return lines
