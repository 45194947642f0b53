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


WORTH_PCT = 10.0  # a paused campaign's CPL this % or more below the account's: worth reactivating


def _reactivation_key(r: dict[str, Any]) -> tuple[int, float]:
    """Those with a CPL first (lowest against the account's first), then those with spend and no lead,
    then those that did not spend in the lookback."""
    if not r["ran"]:
        return (2, 0.0)
    return (0, r["gap"]) if r["gap"] is not None else (1, 0.0)


def _reactivation_row(r: dict[str, Any]) -> str:
    head = f"- {quoted(r['name'])} ({r['campaign_id']}), {r['status'] or '-'}: "
    if not r["ran"]:
        return head + f"não gastou nos últimos {r['lookback']} dias."
    c, a = r["campaign"], r["account"]
    span = f"{r['days']} dias com gasto, {_d(r['first_day'])} a {_d(r['last_day'])}"
    if r["gap"] is None:
        return head + f"{c['spend']} gastos sem nenhum lead nos últimos {span} (CPL da conta: {a['cpl']})."
    side = "abaixo" if r["gap"] <= 0 else "acima"
    return (
        head + f"CPL {c['cpl']} contra {a['cpl']} da conta nos mesmos dias ({r['gap_text']} {side}), "
        f"{leads_text(c['leads'])} nos últimos {span}."
    )


def reactivations_lines(out: Out) -> list[str]:
    """ "Tem alguma campanha pausada que vale religar?": those whose CPL, over their last days with spend,
    was well below the account's over the same days, said first; then each paused one, best first."""
    rows = sorted(out["_reactivations"], key=_reactivation_key)
    if not rows:
        return ["Nenhuma campanha pausada (ou inativa) nesta conta."]
    worth = [r for r in rows if r["ran"] and r["gap"] is not None and r["gap"] <= -WORTH_PCT]
    n, total = len(worth), len(rows)
    if worth:
        names = ", ".join(quoted(r["name"]) for r in worth)
        head = (
            f"Sim: {n} das {total} campanhas pausadas (ou inativas) tinha{'m' if n != 1 else ''} CPL pelo "
            f"menos {WORTH_PCT:.0f}% abaixo do da conta nos últimos dias em que gastou: {names}."
        )
    else:
        head = (
            f"Pelos dados, nenhuma das {total} campanhas pausadas (ou inativas) vale reativar como estava: "
            f"nenhuma tinha CPL pelo menos {WORTH_PCT:.0f}% abaixo do da conta nos últimos dias em que "
            "gastou."
        )
    tail = "É o histórico delas (até 30 dias com gasto cada); como iriam hoje, não dá para saber."
    return [head, *(_reactivation_row(r) for r in rows), tail]
