"""How a question's form shapes its answer's opening: a change asked of the chat ("pausa a campanha 13 pra
mim") is said not done here before the advice (was the advice alone, as if the pause had been taken in hand);
one side or the other asked ("melhor ou pior?") gets no "Sim"/"Não"."""

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


# "tá melhor ou pior que a média?", "acima ou abaixo?": both sides asked, so a "Sim"/"Não" answers neither
_EITHER = re.compile(
    r"\b(?:melhor|pior|acima|abaixo|maior|menor|subiu|caiu|mais car[oa]|mais barat[oa]|bom|boa|ruim)"
    r" ou (?:melhor|pior|acima|abaixo|maior|menor|subiu|caiu|mais car[oa]|mais barat[oa]|bom|boa|ruim)\b"
)


def without_yes_no(message: str, text: str) -> str:
    """`text` without its opening "Sim: "/"Não: " when the message asks one side or the other: the sentence
    after it says which ("... 27% abaixo do CPL da conta"; "... saiu melhor pelo custo por lead")."""
    if not _EITHER.search(normalize(message)) or not text.startswith(("Sim: ", "Não: ")):
        return text
    rest = text[len("Sim: ") :]
    return rest[:1].upper() + rest[1:]
