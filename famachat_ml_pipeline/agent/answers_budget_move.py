"""Money moved from one campaign to another ("posso tirar verba da 11 e colocar na 4?"): whether the data
back it (the CPL of each over the 7 days), what R$ 100 bought on each side as plain arithmetic, and the
step to move it in; the comparison follows."""

from __future__ import annotations

from typing import Any

from famachat_ml_pipeline.agent.wording import br_span, leads_text, quoted, times_text
from famachat_ml_pipeline.core.recommendations import format_number
from famachat_ml_pipeline.core.recommendations.config import DEFAULT_CONFIG as DEFAULT_RECOMMENDATION_CONFIG

MAX_STEP = DEFAULT_RECOMMENDATION_CONFIG.max_budget_step_pct  # the largest budget step at a time


def _ratio(cpl: float | None, account: float | None) -> str:
    return f", {times_text(cpl / account)} o da conta" if cpl and account else ""


def _said(x: dict[str, Any], account: float | None) -> str:
    """ "“B” (id): CPL R$ 14,45 (0,7x o da conta)" or "“B” (id): R$ 90,00 gastos sem nenhum lead"."""
    who = f"{quoted(x['name'])} ({x['campaign_id']})"
    if x["cpl_v"] is None:
        return f"{who}: {x['spend']} gastos sem nenhum lead" if x["spend_v"] else f"{who}: sem gasto"
    return f"{who}: CPL {x['cpl']} ({leads_text(x['leads'])}{_ratio(x['cpl_v'], account)})"


def budget_move_lines(m: dict[str, Any]) -> list[str]:
    """The verdict from the two CPLs (no lead at all counts as the dearest), each side's figures, R$ 100 in
    leads on each side at its own CPL, and to move it in steps."""
    src, dst, acct = m["from"], m["to"], m["account_cpl_v"]
    when = f"nos 7 dias ({br_span(m['first'], m['last'])})"
    a, b = src["cpl_v"], dst["cpl_v"]
    if b is None:
        head = "Pelos dados, não: a campanha que receberia a verba não teve lead"
    elif a is None and src["spend_v"]:
        head = "Sim, pelos dados faz sentido: a campanha de onde sai a verba gastou sem gerar lead"
    elif a is not None and b < a:
        head = "Sim, pelos dados faz sentido: a que recebe tem CPL menor"
    else:
        head = "Pelos dados, não: a que recebe tem CPL maior ou igual ao da que perde"
    lines = [
        f"{head} {when}. De {_said(src, acct)}; para {_said(dst, acct)}. CPL da conta: {m['account_cpl']}."
    ]
    if b is not None:
        got = f"cerca de {_leads(src)} em {quoted(src['name'])}" if a else "nenhum lead na de origem"
        lines.append(
            f"Conta proporcional, não previsão: cada {m['per_money']} {when} comprou {got} e cerca de "
            f"{_leads(dst)} em {quoted(dst['name'])}, cada uma ao próprio CPL."
        )
    if head.startswith("Sim"):
        lines.append(
            "Na prática o CPL de quem recebe costuma subir quando o orçamento sobe (a Meta volta à fase "
            f"de aprendizado): mova no máximo {format_number(MAX_STEP, 0)}% do orçamento dela por vez e "
            "reavalie."
        )
    return lines


def _leads(x: dict[str, Any]) -> str:
    """ "0,9 lead", "6,9 leads": what R$ 100 bought on one side."""
    return f"{x['per']} lead{'s' if (x['per_v'] or 0) >= 2 else ''}"
