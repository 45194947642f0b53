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
# an imperative on a campaign or a budget that opens the message and is no question ("pausa a 13"), one
# asked "pra mim" right after its object ("aumenta o orçamento da 8 pra mim"), or "você pode pausar a 13?";
# not "aumenta o cpl se eu pausar a 4", "qual devo pausar? explica pra mim", "pode pausar sem problema?"
_OBJECT = r"(?:[ao]s? )?(?:campanha|orcamento|verba|budget|\d)"
_CHANGE_ASKED = re.compile(
    rf"^(?:(?:por favor|pfv|pf|ok|entao|beleza|blz)[, ]+)?{_DO} {_OBJECT}(?!.*\?)"
    rf"|\b(?:{_DO}|{_TO_DO}) {_OBJECT}(?:\S* ){{0,5}}?(?:pra|para|por) mim\b"
    rf"|\b(?:voce|vc|tu) (?:pode|consegue|poderia|conseguiria) {_TO_DO} {_OBJECT}"
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
    r"\b(?:melhor|pior|acima|abaixo|maior|menor|subiu|caiu|aumentou|diminuiu|alt[oa]|baix[oa]|car[oa]"
    r"|barat[oa]|mais car[oa]|mais barat[oa]|bom|boa|ruim) ou (?:melhor|pior|acima|abaixo|maior|menor|subiu"
    r"|caiu|aumentou|diminuiu|alt[oa]|baix[oa]|car[oa]|barat[oa]|mais car[oa]|mais barat[oa]|bom|boa|ruim)\b"
)


def without_yes_no(message: str, text: str) -> str:
    """`text` without its opening "Sim: "/"Não: " when the message asks one side or the other: the sentence
    after it says which ("... 27% abaixo do CPL da conta"; "... saiu melhor pelo custo por lead")."""
    if not _EITHER.search(normalize(message)) or not text.startswith(("Sim: ", "Não: ")):
        return text
    rest = text[len("Sim: ") :]
    return rest[:1].upper() + rest[1:]


# "quantos leads viraram cliente?", "esses leads são bons?": what happens after the lead is in FamaChat's CRM,
# not in the ads data (was "404 leads", as if they had all been sales)
_AFTER_THE_LEAD = re.compile(
    r"\bvir(ou|aram|am|a) (client|venda|compra)\w*|\bfech(ou|aram) (negocio|venda|compra|contrato)\w*"
    r"|\bqualidade d[aoe]s? leads?\b"
    # "esses leads são bons?", "os leads da campanha 3 estão bons?"; not "os custos dos leads estão bons?"
    r"|(?<!dos )(?<!de )\bleads (?:\w+ ){0,3}?(?:sao|tao|estao) (?:bons|boas|qualificad\w*)"
    r"|\bconvert\w* em (client|venda)\w*|\bquantos? (client|compr)\w*"
)
AFTER_THE_LEAD_NOTE = (
    "Os dados de anúncios param no lead: não sei quantos viraram cliente ou venda, nem a qualidade deles "
    "(isso fica no atendimento e no CRM do FamaChat). O que os dados mostram:"
)


def after_the_lead_note(message: str) -> str | None:
    """AFTER_THE_LEAD_NOTE when the message asks what became of the leads, else None."""
    return AFTER_THE_LEAD_NOTE if _AFTER_THE_LEAD.search(normalize(message)) else None
