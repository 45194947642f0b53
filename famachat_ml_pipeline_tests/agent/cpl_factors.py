"""The "O que mais pesou" sentence of a CPL's why, written here on its own from two periods' figures
(shared by the agent tests that check a why)."""

from __future__ import annotations

import math

from famachat_ml_pipeline.core.recommendations import format_pct

FACTOR = {"cpm": "CPM", "ctr": "CTR", "cvr": "conversão (leads por clique)"}


def _signed(value: float) -> str:
    """A % change as the answers write a move: "+4%", "-2%", "0%"."""
    text = format_pct(value, 0)
    return "+" + text if any(ch in "123456789" for ch in text) and not text.startswith("-") else text


def weighed_most(now_f: dict, before_f: dict) -> str:
    """The "O que mais pesou" sentence for two periods' figures, written here on its own. CPL = CPM / (CTR x
    leads per click): each factor's share of the CPL's log change; when one pulled the other way, each
    factor's own effect on the CPL ((now/before)^sign - 1) instead of a share over 100 %."""
    total = math.log(now_f["cpl"] / before_f["cpl"])
    rows = []
    for factor, sign in (("cpm", 1), ("ctr", -1), ("cvr", -1)):
        ratio = now_f[factor] / before_f[factor]
        rows.append((round(sign * math.log(ratio) / total, 3), factor, (ratio**sign - 1) * 100))
    rows.sort(key=lambda r: -r[0])
    share, top, effect = rows[0]
    if all(r[0] >= 0 for r in rows):
        return f"O que mais pesou: {FACTOR[top]} ({round(share * 100)}% da variação do CPL)."
    up = not format_pct(effect, 0).startswith("-")
    alone = "sozinha" if top == "cvr" else "sozinho"
    text = (
        f"O que mais pesou: {FACTOR[top]}, que {alone} {'subiria' if up else 'baixaria'} o CPL em "
        f"{format_pct(abs(effect), 0)}"
    )
    seen = [r for r in rows[1:] if any(ch in "123456789" for ch in format_pct(r[2], 0))]  # 0% left out
    same, other = [r for r in seen if r[0] > 0], [r for r in seen if r[0] < 0]

    def effects(rs: list) -> str:
        return " e ".join(f"{FACTOR[f]} ({_signed(e)} no CPL)" for _, f, e in rs)

    if same:
        text += f"; {effects(same)} também {'o subiu' if up else 'o baixou'}"
    if not other:
        return f"{text}."
    many = len(other) > 1
    return (
        f"{text}; {effects(other)} {'puxaram' if many else 'puxou'} para {'baixo' if up else 'cima'} e "
        f"{'compensaram' if many else 'compensou'} parte disso."
    )


def opposed(now_f: dict, before_f: dict) -> bool:
    """Whether a factor pulled the CPL the other way (a share below zero)."""
    total = math.log(now_f["cpl"] / before_f["cpl"])
    return any(
        round(sign * math.log(now_f[f] / before_f[f]) / total, 3) < 0
        for f, sign in (("cpm", 1), ("ctr", -1), ("cvr", -1))
    )
