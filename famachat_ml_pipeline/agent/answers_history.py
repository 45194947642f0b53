"""A campaign's life in the source: the newest and the oldest by their first day with spend, since when one
runs, and whether the paused ones spent again."""

from __future__ import annotations

from typing import Any

from famachat_ml_pipeline.agent.intents import Intent
from famachat_ml_pipeline.agent.wording import Out, br_date, leads_text, quoted

_NO_LAUNCH = (
    "a data de criação da fonte não é confiável aqui, então a idade é contada pelo primeiro dia com gasto"
)


def _d(day: Any) -> str:
    return br_date(day.isoformat()) if day else "-"


def say_campaign_age(intent: Intent, out: Out) -> list[str]:
    """ "Qual a campanha mais nova?" / "a mais antiga?" / "desde quando a 76 está ativa?"."""
    a = out["_campaign_age"]
    rows, start = a["campaigns"], a["first_day"]
    if not rows:
        return ["Nenhuma campanha desta conta tem dia com gasto nos dados."]
    if intent.metric == "since":
        row = next((r for r in rows if r["campaign_id"] == intent.campaign_id), None)
        if row is None:
            return [f"Essa campanha não tem nenhum dia com gasto nos dados (desde {_d(start)})."]
        since = (
            f"pelo menos desde {_d(row['first'])}: já gastava no 1º dia dos dados (antes disso não tenho)"
            if row["first"] == start
            else f"desde {_d(row['first'])} (primeiro dia com gasto)"
        )
        lines = [f"{quoted(row['name'])} ({row['campaign_id']}) entrega {since}."]
        status = row["status"] or "-"
        last = "" if row["last"] == a["through"] else f"; o último dia com gasto foi {_d(row['last'])}"
        lines.append(f"Status hoje: {status}{last}; {_NO_LAUNCH}.")
        return lines
    newest = intent.metric == "newest"
    pick = rows[0]["first"] if newest else rows[-1]["first"]
    tied = [r for r in rows if r["first"] == pick]
    names = ", ".join(f"{quoted(r['name'])} ({r['campaign_id']}, {r['status'] or '-'})" for r in tied[:5])
    names += f" e mais {len(tied) - 5}" if len(tied) > 5 else ""
    word = "mais nova" if newest else "mais antiga"
    if not newest and pick == start:
        n = len(tied)
        return [
            f"{n} campanha{'s' if n != 1 else ''} já gastava{'m' if n != 1 else ''} no primeiro dia "
            f"dos dados "
            f"({_d(start)}), então não sei qual é a {word}: {names}.",
            f"Os dados começam em {_d(start)}; {_NO_LAUNCH}.",
        ]
    plural = len(tied) > 1
    lines = [
        f"A{'s' if plural else ''} campanha{'s' if plural else ''} {word}{'s' if plural else ''}, "
        f"pelo primeiro "
        f"dia com gasto ({_d(pick)}): {names}.",
        f"Os dados começam em {_d(start)}; {_NO_LAUNCH}.",
    ]
    if newest:
        nxt = [r for r in rows if r["first"] < pick][:3]
        lines += [
            f"- depois: {quoted(r['name'])} ({r['campaign_id']}), desde {_d(r['first'])}"
            for r in nxt
            if r["first"] != start
        ]
    return lines


def paused_back_lines(out: Out) -> list[str]:
    """ "As campanhas pausadas voltaram?": yes (those that spent in the last 7 days) or "nenhuma voltou"
    first, each paused one with its last day with spend."""
    p = out["_paused_back"]
    rows = p["campaigns"]
    span = f"{_d(p['first_day'])} a {_d(p['through'])}"
    if not rows:
        return ["Nenhuma campanha pausada (ou inativa) nesta conta."]
    back = [r for r in rows if r["spend"] not in (None, "-") and p["back"] and rows.index(r) < p["back"]]
    if back:
        n = len(back)
        lines = [
            f"Sim: {n} campanha{'s' if n != 1 else ''} pausada{'s' if n != 1 else ''} "
            f"gast{'aram' if n != 1 else 'ou'} nos 7 dias ({span}):"
        ]
        lines += [
            f"- {quoted(r['name'])} ({r['campaign_id']}): {r['spend']}, {leads_text(r['leads'])}; "
            f"status {r['status'] or '-'}"
            for r in back
        ]
    else:
        lines = [
            f"Não: nenhuma das {len(rows)} campanhas pausadas (ou inativas) voltou a gastar nos 7 "
            f"dias ({span})."
        ]
    rest = rows[len(back) :]
    if rest:
        lines.append("Último dia com gasto das que seguem paradas:")
        lines += [
            f"- {quoted(r['name'])} ({r['campaign_id']}): "
            + (f"{_d(r['last'])}" if r["last"] else f"nenhum desde {_d(p['data_first'])}")
            for r in rest
        ]
    return lines
