"""A change asked of the chat ("pausa a campanha 13 pra mim", "aumenta o orçamento da 8"): the chat reads the
data and changes nothing, so it says so before the advice the question also gets (was the advice alone, as
if the pause had been taken in hand)."""

from __future__ import annotations

import re

from famachat_ml_pipeline.agent.intents_talk import normalize

_DO = (
    r"(?:pausa|pause|despausa|despause|aumenta|aumente|sobe|suba|reduz|reduza|diminui|diminua|corta|corte"
    r"|desliga|desligue|liga|ligue|ativa|ative|reativa|reative|escala|escale|dobra|dobre|muda|mude|altera"
    r"|altere|ajusta|ajuste)"
)
_TO_DO = (
    r"(?:pausar|despausar|aumentar|subir|reduzir|diminuir|cortar|desligar|ligar|ativar|reativar|escalar"
    r"|dobrar|mudar|alterar|ajustar)"
)
# an imperative that opens the message and is no question, one asked "pra mim", or "você pode pausar ...?"
_CHANGE_ASKED = re.compile(
    rf"^(?:(?:por favor|pfv|pf|ok|entao|beleza|blz)[, ]+)?{_DO}\b(?!.*\?)"
    rf"|\b(?:{_DO}|{_TO_DO})\b.*\b(?:pra|para|por) mim\b"
    rf"|\b(?:voce|vc|tu) (?:pode|consegue|poderia|conseguiria) {_TO_DO}\b"
    rf"|^(?:pode|consegue|poderia) {_TO_DO}\b"
)
CHANGE_NOTE = (
    "Não consigo mudar nada na conta por aqui: o chat só lê os dados. Faça a mudança no Gerenciador de "
    "Anúncios da Meta e depois marque a recomendação como aplicada no FamaChat, para o pipeline não "
    "repeti-la. O que os dados dizem:"
)


def change_note(message: str) -> str | None:
    """CHANGE_NOTE when the message asks the chat to change the account itself, else None."""
    return CHANGE_NOTE if _CHANGE_ASKED.search(normalize(message).strip()) else None
