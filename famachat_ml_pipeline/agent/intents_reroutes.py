"""Asks whose keywords point the table (intents_keywords) elsewhere, re-routed once the question is read
(`reroute`): a campaign's budget or what pausing it saves, the room to scale it, the newest or oldest
campaign, the paused ones back, the hour of day, the forecast's reliability, clicks or impressions, the
campaigns that got worse in a month, a month's summary, a month still to come and the spend against the
budgets. Pure functions: no database."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from famachat_ml_pipeline.agent.intents_asks import CUT, SCALE, month_end_asked
from famachat_ml_pipeline.agent.intents_campaigns import REACTIVATE
from famachat_ml_pipeline.agent.intents_periods import DAY_REF, SAME_WEEKDAY_BEFORE, WEEK_EARLIER
from famachat_ml_pipeline.agent.intents_trends import WHY, cpl_asked, leads_asked, spend_asked

if TYPE_CHECKING:  # intents imports this module
    from famachat_ml_pipeline.agent.intents import Intent

# "que horas meus leads chegam?": the hour of day, which a daily source does not hold
_HOURS = re.compile(
    r"\b(que|q|quais|qual|em que|a que) (horas?|horarios?)\b|\bhoras? do dia\b|\bpor hora\b"
    r"|\bhorarios?\b|\b(melhor|pior) hora\b"  # "melhor horário pra anunciar": the hour, whatever the words
)
# "qual o orçamento diário da campanha 3?": its budget asked, no advice
_BUDGET_ASKED = re.compile(
    # "qnto tá o orçamento dela", "qto é a verba": the buyers' short words too
    r"\b(qual|quanto|qnto|qto|quanto e|ver)\b.*\b(orcamento|verba)\b|\borcamento diario\b"
    r"|\bsem (orcamento|budget)\b"
)
# "quais tão sem orçamento?": the active campaigns with no daily budget on the campaign (set per ad set)
_NO_BUDGET = re.compile(r"\bsem (orcamento|budget)\b")
# "se eu pausar a campanha 13, quanto economizo?": the spend a pause saves and the leads it loses
_PAUSE_SAVES = re.compile(
    r"\bse (eu )?(pausar|parar|desligar|desativar|cortar)\b|\beconomiz\w*|\bquanto (eu )?(poupo|salvo)\b"
)
# "quanto eu perdi com a 20?", "qto joguei fora na 14?": the money that brought no lead or dear ones
_LOST = re.compile(
    r"\b(?:quanto|qto|qnto)\b.*\b(?:perdi|perdemos|joguei fora|jogamos fora|desperdicei|queimei|rasguei)\b"
)
# "quanto posso aumentar na campanha 22?": the room to scale, with or without the word budget
# ("quanto aumento na 7?", "qto subo a 7?": the step asked in the first person too; was her card alone)
_SCALE_ROOM = re.compile(
    r"\b(?:quanto|qto|qnto) (eu )?(?:(posso|da pra|consigo|devo|daria pra) (aumentar|escalar|subir)"
    r"|aumento|escalo|subo)\b"
)
# "qual a campanha mais nova?", "a mais antiga", "desde quando a 76 está ativa?"
_NEWEST = re.compile(r"\bmais (nova|novas|recente|recentes)\b")
_OLDEST = re.compile(r"\bmais (antiga|antigas|velha|velhas)\b")
_SINCE = re.compile(
    r"\bdesde quando\b|\bha quanto tempo\b|\bquando (ela )?(comecou|foi criada|subiu|entrou no ar|iniciou)\b"
)
# "as campanhas pausadas voltaram?": paused ones that spent again
_BACK = re.compile(
    r"\b(voltar\w*|voltou|reativad\w*|rodando|gastando|gastaram|gastou|religad\w*|ativas de novo)\b"
)
# "quanto preciso investir para 1000 leads?": the money a leads goal takes at the recent CPL (group: N)
_COST_ASKED = (
    r"\b(quanto|qto|qnto|qnt)\b.*\b(preciso|precisaria|tenho que|teria que|devo|deveria)\b.*"
    r"\b(investir|gastar|colocar|por)\b"
)
_LEADS_COST = re.compile(rf"{_COST_ASKED}.*?\b(?P<n>\d[\d.]*)\s*(?:novos\s+)?leads?\b")
# "quero 400 leads esse mês, quanto preciso investir?": the goal said before the ask, after a goal word (not
# "gerei 50 leads ontem, quanto preciso investir pra ter 100?": a count of the past)
_GOAL_THEN_COST = re.compile(
    r"\b(?:quero|queria|quer|meta (?:de|e|eh)|objetivo (?:de|e|eh)|preciso de|precisamos de)\s+"
    r"(?:fazer |ter |bater |gerar |chegar a |chegar em )?"
    rf"(?P<n>\d[\d.]*)\s*(?:novos\s+)?leads?\b.*{_COST_ASKED}"
)
_THIS_MONTH = re.compile(r"\b(?:n?esse|n?este|no|do) mes\b(?! passado| que vem)")
# "a campanha 11 está queimando dinheiro?": is its CPL too high (the verdict of "o CPL dela tá alto?")
_BURNING = re.compile(
    r"\b(queimando|torrando|jogando fora|desperdicando|rasgando|perdendo|sangrando)\b"
    r".*\b(dinheiro|grana|verba)\b"
    r"|\bdinheiro (no lixo|jogado fora|pelo ralo)\b|\bjogando (dinheiro|grana|verba) fora\b"
)
# "tem alguma campanha pausada que vale religar?", "qual vale reativar?": which of the paused ones
# "alguma pausada vale voltar?": worth reactivating (not whether they spent again)
_WORTH_BACK = re.compile(
    r"\b(vale|valeria|compensa|compensaria)\b( a pena)? (voltar|religar|ligar|reativar|despausar)\b"
)
_WHICH_PAUSED = re.compile(r"\bpausad|\bparad[ao]s?\b|\bdesligad|\b(qual|quais|alguma|algum)\b")
# "a previsão de leads é confiável?", "a previsão tá certa?": how the forecast is checked
_TRUST = re.compile(
    # "é precisa?", not "preciso de 300 leads" (I need)
    r"\bconfi\w*|\b(?:e|eh|ser|seja|sao|tao|bem|muito|pouco) precis[ao]s?\b|\bprecisao\b|\bacert\w*"
    r"|\bmargem de erro\b|\berr(a|am|ou)\b"
    r"|\bprevis\w* (?:\w+ ){0,3}cert[ao]s?\b"
)
# "quantos cliques tive hoje?", "quantas impressões ontem?", "qual o alcance?"
_DELIVERY = (
    ("clicks", re.compile(r"\bcliques?\b|\bclicks?\b")),
    ("impressions", re.compile(r"\bimpress\w*")),
    ("reach", re.compile(r"\balcance\b|\breach\b")),
)
_HOW_MANY = re.compile(r"\b(quant[oa]s?|qnt[oa]?s?|qts?|qual|quais|total)\b")
# "qual campanha piorou em novembro?": the campaigns by their move over a named period
_WHICH_CAMPAIGN = re.compile(r"\b(qual|quais)\b.*\bcampanhas?\b")
_WELL_OFF_LEADS = re.compile(r"\b(bem|mal)\s+de\s+leads?\b")
_WORSE = re.compile(r"\bpior\w*|\bsubiu\b|\bencareceu\b")
_BETTER = re.compile(r"\bmelhor(ou|aram)\b|\bcaiu\b|\bbarateou\b")
# "quanto vou gastar em dezembro?": a month ahead (the month itself resolved against the data's last day)
_FUTURE = re.compile(
    r"\b(vou|vamos|vai|vao|deve|devo|irei|iremos)\s+(\w+\s+)?(gastar|investir|ter|gerar|fazer|trazer|fechar|conseguir|bater)\b"
)
# "o gasto está dentro do orçamento?": spend against the daily budgets
_PACING = re.compile(
    r"\bdentro do (orcamento|budget)\b|\b(ritmo|pacing)\b|\babaixo do (orcamento|budget)\b"
    # "quantos % do orçamento eu gastei ontem?": the day's spend over the budgets
    r"|(%|\bpor ?cento\b|\bporcentagem\b|\bpercentual\b|\bquanto\b) d[oa] (orcamento|budget|verba)\b"
    r"|\bgast\w* (esta|ta|tao|estao)? ?(batendo|de acordo) com o (orcamento|budget)\b"
)


# "tirar verba da 11 e colocar na 4", "passar orçamento da campanha 3 pra 5": money moved between campaigns
_MOVE = re.compile(
    r"\b(tir\w*|pass\w*|mov\w*|mud\w*|transfer\w*|realoc\w*|remanej\w*|jog\w*|bot\w*|coloc\w*)\b"
    r".*\b(verba|orcamento|budget|grana|dinheiro|investimento)\b"
    r"|\b(verba|orcamento|budget|grana|dinheiro|investimento)\b.*\b(tir\w*|pass\w*|mov\w*|transfer\w*"
    r"|realoc\w*|remanej\w*)\b"
)
_FROM = re.compile(r"\b(?:da|de|do)\s+campanha\s+(\d{1,6})\b")
_TO = re.compile(r"\b(?:pra|para|na|no|pro|em)\s+(?:a\s+)?campanha\s+(\d{1,6})\b")


# "qual campanha tem o cpl mais estável?", "qual varia menos?", "qual a mais instável?"
_STEADY = re.compile(
    r"\b(mais|menos) (?:estave(?:l|is)|constantes?|consistentes?|regular(?:es)?|previsive(?:l|is))\b"
    r"|\b(instave(?:l|is))\b|\b(?:varia|oscila)(?:m)? (mais|menos)\b"
)


def budget_move_asked(text: str) -> tuple[str, str] | None:
    """(the campaign money leaves, the one it goes to) when a normalized question moves budget between two
    campaigns named by number; None otherwise."""
    if not _MOVE.search(text):
        return None
    source, target = _FROM.search(text), _TO.search(text)
    if not (source and target) or source.group(1) == target.group(1):
        return None
    return source.group(1), target.group(1)


# "a 3 tá boa?", "a campanha 3 tá indo bem?", "a 4 anda mal?": one campaign judged, with no figure named
_CAMPAIGN_JUDGE = re.compile(
    r"\b(?:ta|esta|tao|anda|vai|e)\s+(?:indo\s+|performando\s+|rodando\s+)?"
    r"(bem|boa|bom|ok|otima|mal|ruim|pessima|cara|caro)\b"  # "a 14 tá cara?": its CPL (was its card alone)
)


def _campaign_judged(text: str, intent: Intent) -> str | None:
    """ "cpl_judge" ("tá boa?") or "cpl_judge_high" ("tá ruim?": its "Sim" is the bad news) when a named
    campaign is judged as a whole, over the 7 days (no day, period or other ask)."""
    m = _CAMPAIGN_JUDGE.search(text)
    plain = intent.keyword in {None, "help", "top", "underperformers"} and intent.metric in {None, "cpl_high"}
    if not m or not plain or intent.day_ref or intent.period_ref:
        return None
    return "cpl_judge_high" if m.group(1) in {"mal", "ruim", "pessima", "cara", "caro"} else "cpl_judge"


# "tá valendo a pena a 0?", "a 13 vale a pena manter?": whether the campaign is worth it (not an action on it)
_WORTH = re.compile(r"\bvale(ndo)? a pena\b|\bcompensa(ndo)?\b(?! (aumentar|escalar|subir|pausar|reduzir))")
_ACTION = re.compile(r"\b(aument|escal|dobr|paus|reduz|cort|deslig|desativ|reativ|religar|subir)\w*")
# "a 5 parou de gastar?", "a 5 tá parada?": whether it still spends
# ("a 11 parou?", "por que a 9 parou?": "parou" ending the question asks the same)
# "a 8 tá rodando?", "ainda tá gastando?": the same facts, asked the other way round (Sim when it spends)
# "ontem foi melhor que anteontem?", "hoje tá pior q ontem?": a verdict asked of one day against another
_DAY_JUDGED = re.compile(r"\b(melhor|pior)(?:es)? (?:do )?(?:q|que)\b")
DAYS_COMPARED = frozenset({"days_compared", "days_melhor", "days_pior"})
_RUNNING = re.compile(
    # the question, asked last or first ("a 5 tá rodando? parece que parou": "Não", was "Sim")
    r"\b(?:ainda )?(?:ta|esta) (?:gastando|rodando|entregando|veiculando|funcionando|no ar)\b(?:\W*$|\s*\?)"
)
_STOPPED = re.compile(
    r"\bpar(ou|aram) de (gastar|rodar|entregar|veicular|gerar|trazer)\b|\bpar(ou|aram)\W*$"
    rf"|\b(ta|esta|tao|estao) (parad[ao]s?|sem gastar)\b|{_RUNNING.pattern}"
)


# "tem alguma campanha ativa sem gastar?", "quais campanhas pararam de gastar?", "quais campanhas estão sem
# entrega?", "tem campanha sem gasto?", "alguma campanha não está entregando?"
_STOPPED_WHICH = re.compile(
    r"\bcampanhas?\b.*\b(ativas? (sem gastar|que (nao|n) (gasta|gastou|gastaram|ta gastando|esta gastando))"
    r"|par(ou|aram) de (gastar|rodar|entregar)|parad[ao]s?\b(?! de)"
    r"|(?<!gastando )(?<!gastou )(?<!gastaram )sem (gasto|gastar|entrega|entregar|veicular|veiculacao|rodar"
    r"|impress(ao|oes))\b(?! (de )?(resultado|lead|conversa))"
    r"|(nao|n) (ta|esta|tao|estao) (gastando|entregando|rodando|veiculando)\b(?! (o|a|todo|toda|tudo)\b))"
)


# "tá entregando?", "as campanhas estão rodando?": the last complete day's delivery, not a campaign list
_DELIVERING = re.compile(
    r"^(?!.*\b(?:qual|quais|quant\w*)\b)(?:.*\b)?(?:entregando|veiculando)\b"
    r"|^(?!.*\b(?:qual|quais|quant\w*)\b)(?:.*\b)?(?:ta|esta|tao|estao|to) (?:rodando|no ar)\W*$"
)


# "tô gastando muito?", "estou gastando demais?": the spend's level, not a figure of a day
_SPENDING_MUCH = re.compile(
    r"\b(gastando|gastei|gastamos|gasto|gastou)\s+(muito|demais|mto|pra caramba|pouco|de menos)\b\W*$"
)


# "meu pior mês?", "qual foi o melhor mês?", "qual mês teve o melhor cpl?": the months ranked
_MONTH_RANK = re.compile(r"\b(melhor|pior) mes\b|\bqual (?:foi o )?mes\b.*\b(melhor|pior)\b")
# "qual mês teve mais leads?", "em que mês gastei menos?", "mês com maior gasto": the months by a figure
_MONTH_MOST = re.compile(
    r"\b(?:qual|que|em que) (?:foi o )?mes\b.*\b(mais|menos|maior|menor)\b"
    r"|\bmes (?:com|de) (mais|menos|maior|menor)\b"
)


def _month_figure(text: str) -> str | None:
    """The figure a months' ranking weighs: "leads" or "spend" when named (the CPL's is `_MONTH_RANK`'s)."""
    if re.search(r"\bcpl\b|\bcust|barat|car[oa]\b", text):
        return None
    if re.search(r"\blead", text):
        return "leads"
    return "spend" if re.search(r"\bgast|\binvest", text) else None


# "teve algum pico de gasto?", "o ctr caiu em alguma?": an anomaly type in the buyers' words, with no
# "alerta" (was the account's spend, or its CTR's move)
_TYPE_IN_WORDS = (
    (re.compile(r"\bpicos? de gasto|\bgasto (?:disparou|explodiu)|\bdisparo de gasto"), "SPEND_SPIKE"),
    (re.compile(r"\bpicos? de cpl|\bcpl (?:disparou|explodiu)"), "CPL_SPIKE"),
    (
        re.compile(
            r"\b(?:queda|caiu|despencou) (?:de |do |no )?ctr\b.*\b(?:alguma|qual|quais)\b"
            r"|\bctr (?:caiu|despencou)\b.*\b(?:alguma|qual|quais)\b"
            r"|\b(?:alguma|qual|quais)\b.*\b(?:queda (?:de |do )?ctr|ctr (?:caiu|despencou))\b"
        ),
        "CTR_DROP",
    ),
)


# the tracking named ("o pixel tá funcionando?"): a question of the pixel, not of a campaign's delivery
TRACKING_ASKED = re.compile(r"\bpixel|rastreamento|rastreio|\bformulario|tracking")


def delivery_asked(text: str) -> bool:
    """ "tá parada?", "tá entregando?", "desde quando parou?": a campaign's delivery asked (normalized)."""
    return bool(_STOPPED.search(text))


def reroute(text: str, intent: Intent) -> Intent:
    """The intent a normalized question asks when one of this module's asks is in it; `intent` otherwise
    (`classify_intent`'s own reading)."""
    cid = intent.campaign_id or (intent.names[0] if intent.names and intent.name_like else None)
    named = bool(cid)
    kind = next((t for words, t in _TYPE_IN_WORDS if words.search(text)), None)
    ranked = re.search(r"\b(?:mais|maior|menor|menos)\b", text)  # "qual campanha o ctr caiu mais?": a ranking
    if kind and not named and not WHY.search(text) and not ranked:
        return replace(
            intent, name="anomalies", keyword="anomalies", ask=f"anomaly_type:{kind}", metric="list", names=()
        )
    if (most := _MONTH_MOST.search(text)) and not named and (figure := _month_figure(text)):
        # "qual mês teve mais leads?": the months by that figure per day, not the 7 days' top campaigns
        low = "" if (most.group(1) or most.group(2)) in {"mais", "maior"} else "_low"
        return replace(intent, name="month_rank", keyword="month_rank", metric=figure + low, names=())
    if (rank := _MONTH_RANK.search(text)) and not named:
        # "qual foi meu pior mês?": the months side by side, not the worst campaign of the 7 days
        best = "melhor" in (rank.group(1) or rank.group(2) or "")
        return replace(
            intent, name="month_rank", keyword="month_rank", metric="best" if best else "worst", names=()
        )
    if (steady := _STEADY.search(text)) and not named:
        # "qual campanha tem o cpl mais estável?": the daily CPL's variation over 14 days
        least = steady.group(1) == "menos" or bool(steady.group(2)) or steady.group(3) == "mais"
        metric = "least" if least else "most"
        return replace(intent, name="cpl_stability", keyword="cpl_stability", metric=metric, names=())
    if (goal := _LEADS_COST.search(text) or _GOAL_THEN_COST.search(text)) and not named:
        target = float(goal.group("n").replace(".", ""))
        # "pra fazer 40 leads/dia", "40 leads por dia": a daily goal, its spend a day (was 40 in all); "400
        # leads esse mês": the month's goal, less the leads it has (was 400 from zero)
        daily = re.match(r"\s*(?:novos\s+)?leads?\s*(?:/|por |ao |a cada )\s*dia\b", text[goal.end("n") :])
        ask = "per_day" if daily else "month" if _THIS_MONTH.search(text) else None
        return replace(intent, name="leads_cost", keyword="leads_cost", threshold=target, names=(), ask=ask)
    days = tuple(dict.fromkeys(m.group(0) for m in DAY_REF.finditer(text)))
    if days and not named and SAME_WEEKDAY_BEFORE.search(text):
        # "gasto de ontem vs o mesmo dia da semana passada": that day and the same weekday a week before
        days = (days[0], days[0] + WEEK_EARLIER)
    same_weekday = len(days) > 1 and days[1].endswith(WEEK_EARLIER)  # whatever "dia da semana" read as
    # a range's two ends ("compara a 3 com a 5 de 01/11 a 15/11") are its period, not two days compared
    ranged = intent.name == "compare" and intent.period_ref is not None
    # "ontem foi melhor que anteontem?": the first day judged against the second (was the day's best campaign)
    judged = _DAY_JUDGED.search(text) if intent.name in {"top", "underperformers", "compare"} else None
    if (
        (same_weekday or (intent.name == "compare" and not ranged) or judged)
        and not intent.campaign_ids
        and not named
        and len(days) > 1
    ):
        # "cpl de ontem vs anteontem": days compared, not campaigns; each day's figures, in the order asked,
        # then the change from the older to the newer
        metric = (
            "cpl"
            if cpl_asked(text)
            else "leads"
            if leads_asked(text)
            else "spend"
            if spend_asked(text)
            else "cpl_high"
        )
        # "quanto a campanha 4 gastou ontem comparado com anteontem?": the comparison's names hold the days
        # too; the one campaign left is the one asked (two or more: no one campaign, the account's days)
        campaigns = tuple(n for n in intent.names if not DAY_REF.fullmatch(n))
        return replace(
            intent,
            name="campaign_details" if len(campaigns) == 1 else "performance",
            keyword="performance",
            metric=metric,
            day_ref=days[0],
            day_refs=days,
            period_ref=None,
            ask=f"days_{judged.group(1)}" if judged else "days_compared",
            names=campaigns if len(campaigns) == 1 else (),
        )
    if (move := budget_move_asked(text)) is not None:
        # "posso tirar verba da 11 e colocar na 4?": the two campaigns, the one money leaves first
        return replace(
            intent, name="compare", keyword="compare", metric="budget_move", names=move, campaign_ids=()
        )
    if not named and _STOPPED_WHICH.search(text) and not (intent.day_ref or intent.period_ref):
        # "tem alguma campanha ativa sem gastar?": the active ones that stopped spending, not the whole list
        # (before the delivery: "alguma campanha não está entregando?" asks which)
        return replace(
            intent,
            name="list_campaigns",
            keyword="list_campaigns",
            metric=None,
            ask="stopped_which",
            names=(),
        )
    if not named and _DELIVERING.search(text) and not (intent.day_ref or intent.period_ref):
        return replace(
            intent, name="list_campaigns", keyword="list_campaigns", metric=None, ask="delivering", names=()
        )
    tracking = TRACKING_ASKED.search(text)  # "o pixel da 5 tá funcionando?": not her delivery
    if named and _STOPPED.search(text) and not (intent.day_ref or intent.period_ref or tracking):
        # "a 5 parou de gastar?": yes or no from its last days' spend, not its card; "por que a 9 parou?":
        # since when, and what its status says of why
        why = "stopped_why" if WHY.search(text) else "running" if _RUNNING.search(text) else "stopped"
        if why == "stopped" and re.search(r"\bdesde quando\b|\bha quanto tempo\b", text):
            why = "stopped_since"  # "desde quando tá parada?": the day, no Sim first
        if re.search(r"\blead", text):
            why = "stopped_leads"  # "a 12 parou de gerar lead?", "os leads da 14 pararam?": its leads
        return replace(intent, name="campaign_details", keyword="performance", metric=None, ask=why)
    if (
        named
        and _WORTH.search(text)
        and not _ACTION.search(text)
        and not (intent.day_ref or intent.period_ref)
    ):
        # "tá valendo a pena a 0?", "a 13 vale a pena manter?": its CPL judged against the account's, first
        return replace(intent, name="campaign_details", keyword="performance", metric="cpl_judge")
    if named and intent.name == "campaign_details" and (judged := _campaign_judged(text, intent)):
        # "a 3 tá boa?", "a campanha 3 tá indo mal?": the verdict of its CPL against the account's, first
        return replace(intent, keyword="performance", metric=judged)
    if named and _LOST.search(text) and not intent.day_ref:
        return replace(intent, name="pause_savings", keyword="pause_savings", ask="lost")
    if _BURNING.search(text) or (_LOST.search(text) and not named):  # "quanto perdi?": as "queimando"
        if named:
            return replace(intent, name="campaign_details", keyword="performance", metric="cpl_judge_high")
        # the account: where the money goes without return, the campaigns of the lowest tier
        return replace(intent, name="underperformers", keyword="underperformers", metric=None, names=())
    if _HOURS.search(text) and not named:
        return replace(intent, name="weekday", keyword="weekday", ask="hour", metric="cpl_low")
    if named and _PAUSE_SAVES.search(text) and not re.search(r"\brecomend", text):
        # (a saving "seguindo a recomendação da 14" is that advice's, not a pause's)
        return replace(intent, name="pause_savings", keyword="pause_savings")
    if named and _SCALE_ROOM.search(text):
        return replace(
            intent, name="recommendations", keyword="recommendations", metric="scale", ask="how_much"
        )
    if named and _BUDGET_ASKED.search(text) and not (SCALE.search(text) or CUT.search(text)):
        return replace(intent, name="campaign_details", ask="daily_budget")
    if named and _SINCE.search(text):
        return replace(intent, name="campaign_age", keyword="campaign_age", metric="since")
    if not named and re.search(r"\bcampanhas?\b", text) and (_NEWEST.search(text) or _OLDEST.search(text)):
        kind = "newest" if _NEWEST.search(text) else "oldest"
        return replace(intent, name="campaign_age", keyword="campaign_age", metric=kind, names=())
    if named and REACTIVATE.search(text) and intent.name in {"recommendations", "paused", "campaign_details"}:
        # "a campanha 31 tá pausada? vale religar?": her reactivation weighed (was "devo pausar?")
        return replace(
            intent, name="campaign_details", keyword="campaign_details", metric="reactivate", ask=None
        )
    if not named and (REACTIVATE.search(text) or _WORTH_BACK.search(text)) and _WHICH_PAUSED.search(text):
        # "tem alguma pausada que vale religar?": each paused campaign's last days against the account's
        return replace(intent, name="paused", keyword="paused", metric="reactivate_which", names=())
    # (a day or period asked is their figures of it: "quanto as pausadas gastaram em outubro?")
    if (
        not named
        and re.search(r"\bpausad", text)
        and _BACK.search(text)
        and not (intent.day_ref or intent.period_ref)
    ):
        return replace(intent, name="paused", keyword="paused", metric="back", names=())
    if not named and (off := _WELL_OFF_LEADS.search(text)):
        # "a conta tá bem de leads?": the leads' move, "Sim" when they rose (was the health verdict);
        # "tô mal de leads?": "Sim" when they fell
        metric = "trend_leads_better" if off.group(1) == "bem" else "trend_leads_worse"
        return replace(intent, name="trends", keyword="trends", metric=metric, ask=None, names=())
    if "frequency" in {intent.name, intent.keyword} and not named and _WHICH_CAMPAIGN.search(text):
        # "qual campanha tem mais frequência?": the campaign first, not "Sim, há sinal de saturação"
        return replace(intent, name="frequency", keyword="frequency", metric=None, ask="which", names=())
    if intent.name == "forecast" and _TRUST.search(text):
        return replace(intent, ask="trust")
    rate = re.search(r"custo por clique|\bcpc\b|\bctr\b|\btaxa\b|\bcusto\b", text)  # a rate, not a count
    delivery = next((k for k, p in _DELIVERY if p.search(text)), None)
    if (
        delivery in {"clicks", "impressions"}
        and not rate
        and not intent.campaign_id
        and _WHICH_CAMPAIGN.search(text)
        and re.search(r"\bmais\b", text)
    ):
        # "qual campanha teve mais impressão ontem?": the campaigns ranked by that count (the 7 days when no
        # day nor period is named), not the account's figures
        period = intent.period_ref or (None if intent.day_ref else "ultimos 7 dias")
        return replace(
            intent, name="cpl_rank", keyword="cpl_rank", metric=delivery, names=(), period_ref=period
        )
    if intent.name in {"performance", "summary", "help"} and _HOW_MANY.search(text) and not rate:
        delivery = next((k for k, p in _DELIVERY if p.search(text)), None)
        if delivery:
            return replace(intent, name="performance", keyword="performance", metric=delivery)
    if not named and _NO_BUDGET.search(text):
        return replace(intent, name="budget", keyword="budget", ask="no_budget", names=())
    scenario = intent.metric == "budget_scaled"  # "se eu cortar 30% da verba, quantos leads?": no pacing
    if not named and _PACING.search(text) and not month_end_asked(intent.metric) and not scenario:
        # ("tô no ritmo pra bater 2000 leads no mês?" is the month's forecast against that goal, not the
        # daily budgets' pacing)
        return replace(intent, name="budget", keyword="budget", ask="pacing")
    if not named and (much := _SPENDING_MUCH.search(text)) and not (intent.day_ref or intent.period_ref):
        # "tô gastando muito?": the 7 days' spend against the 7 before, then against the budgets; "tô
        # gastando pouco?" the same figures, its "sim" the budgets left unused (was the help menu)
        ask = "spending_little" if much.group(2) in {"pouco", "de menos"} else "spending_much"
        return replace(intent, name="budget", keyword="budget", ask=ask, names=())
    return _period_reroute(text, intent, named)


def _period_reroute(text: str, intent: Intent, named: bool) -> Intent:
    """The asks about a named month or period: the campaigns that moved in it, its summary, a month ahead."""
    ref = intent.period_ref
    if ref is None or named:
        return intent
    month = re.search(
        r"\b(janeiro|fevereiro|marco|abril|maio|junho|julho|agosto|setembro|outubro|novembro|dezembro)\b", ref
    )
    if month is None:  # the weeks and spans keep their own answers ("qual campanha piorou essa semana?")
        return intent
    if _FUTURE.search(text):
        return replace(intent, name="month_ahead", keyword="forecast", ask=month.group(1))
    if _WHICH_CAMPAIGN.search(text) and (_WORSE.search(text) or _BETTER.search(text)):
        kind = "worse" if _WORSE.search(text) else "better"
        return replace(intent, name="period_campaigns", keyword="trends", metric=kind, names=())
    if intent.name == "summary" or re.search(r"\b(resumo|relatorio|balanco|panorama)\b", text):
        return replace(intent, name="period_summary", keyword="summary")
    return intent
