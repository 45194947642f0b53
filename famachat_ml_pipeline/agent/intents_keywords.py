"""The keywords' intent of a question (`keyword_intent`): the first row of `_PATTERNS` whose pattern its
normalized text matches, its negated mentions taken out; and the kind of the rows that ask more than one
thing (the tiers, what is out of scope). Pure functions: no database."""

from __future__ import annotations

import re

from famachat_ml_pipeline.agent.intents_campaigns import BARE_NUMBER
from famachat_ml_pipeline.agent.intents_numbers import MAGNITUDE
from famachat_ml_pipeline.agent.intents_trends import LEADS_HOW

# "CPL acima de R$ 50", "custo por lead menor que 20": the campaigns past a CPL asked (group 2 is the number)
CPL_LIMIT = re.compile(
    r"(?:\bcpl\b|custo por lead)\s+(?:(?:esta|estao|ta|tao|e|for)\s+)?"
    r"(acima|abaixo|maior|menor|superior|inferior|mais alto|mais baixo|passando|passa)\s+"
    r"(?:de|do que|que|a|dos|das)?\s*(?:r\$\s*)?(\d[\d.,]*\d|\d)"
)
# "o cpl tá a 30?", "o cpl chegou a 30?", "o cpl passou de 30?": the account's CPL against a level named with
# no direction word, read as "acima de" (at or past it); not "subiu 30%" nor "em 30 dias"
CPL_AT = re.compile(
    r"(?:\bcpl\b|custo por lead)\s+(?:ja\s+)?(?:esta|ta|chegou|bateu|passou|foi|subiu|foi pra)\s+"
    r"(?:(?:a|em|de|pra|para|nos|no)\s+"
    # "cpl ta 30?" with no "a"/"em": only a level alone at the end ("o cpl tá 30% acima" is no level)
    r"|(?=(?:r\$\s*)?(?:\d[\d.,]*\d|\d)\s*(?:reais|conto|pila)?\s*\??\s*$))"
    r"(?:r\$\s*)?(\d[\d.,]*\d|\d)\b(?!\s*(?:%|por ?cento|dias?\b))"
)
MONTH_END = re.compile(
    r"\b(?:ate|no|ao|pro|para o) (?:o )?(?:fim|final) (?:do|desse|deste) mes\b|\bfechar o mes\b"
    r"|\bfechamento do mes\b"
)


# "quanto vou gastar esse mês?", "quantos leads vou ter esse mês?", "o mês vai fechar em quanto?": the month
# asked in the future, a projection (the month so far plus the stored forecast of the days left)
MONTH_AHEAD = re.compile(
    r"\b(?:vou|vamos|vai|vao|deve|devem|devo|irei|iremos)\s+(?:\w+\s+)?"
    r"(?:gastar|investir|ter|fazer|gerar|trazer|fechar|terminar|dar|chegar)\b"
    r".*\b(?:esse|este|neste|nesse|deste|desse|no|o) mes\b(?! passado| que vem)"
    r"|\b(?:esse|este|o) mes\b(?! passado| que vem).*\b(?:vai|deve) (?:fechar|terminar)\b"
    # "previsão pro mês", "previsão do mês" (was the next 7 days' forecast)
    r"|\bprevis\w*\s+(?:d[oe]|pr[oa]|para o|pra)\s+(?:esse |este )?mes\b(?! passado| que vem)"
)

# "previsão do mês que vem", "próximos 30 dias", "próximas 2 semanas": a span past the stored forecast's days
_BEYOND = re.compile(
    r"\b(?:mes que vem|proximo mes|mes seguinte|proximo trimestre|ano que vem|proximo ano)\b"
    r"|\bproxim[oa]s (\d+) (dias|semanas|meses)\b"
)
_DAYS_PER = {"dias": 1, "semanas": 7, "meses": 30}


def beyond_week(asked: str) -> str | None:
    """The span asked past the stored forecast's 7 days, as the answer says it ("next_month" for the
    calendar month after this one), or None ("próximos 7 dias" is the forecast itself)."""
    m = _BEYOND.search(asked)
    if m is None:
        return None
    if m.group(1) is None:
        said = m.group(0).replace("proximo", "próximo")
        return "next_month" if re.search(r"\bmes\b", said) else f"o {said}"
    n, unit = int(m.group(1)), m.group(2)
    said = f"as próximas {n} semanas" if unit == "semanas" else f"os próximos {n} {unit}"
    return said if n * _DAYS_PER[unit] > 7 else None


# the tiers by their labels, as the product shows them, or the word "tier"/"classificada"
_TIER_ASK = re.compile(
    r"\btiers?\b|\bhigh[_ ]?performers?\b|\bmoderate\b|\blow\b|\bunderperformer\b|\bclassificad[ao]s?\b"
    # "qnts campanhas tão no crítico?", "quais campanhas críticas?": the critical tier by its pt-BR word
    r"|\b(?:no|nos|do|dos) (?:tier )?critico\b|\bcampanhas? criticas?\b"
    # "por que a campanha 4 tá como alta performance?": the tier's reason asked in its pt-BR words
    r"|\b(?:por ?que|pq)\b.*\b(?:como|de|no|na|em|e|ta|esta) (?:alta performance|moderad[ao]|critic[ao])\b"
    # "quais campanhas são de alta performance?": that tier listed, not the most leads
    r"|\b(?:quais|quantas)\b.*\b(?:de|em|sao|estao|tao|com) (?:alta performance|moderad[ao]s?)\b"
)
# the tier a question names (its label or the answers' pt-BR word), to check the question's premise
_TIER_NAMED = {
    "HIGH_PERFORMER": r"\bhigh[_ ]?performers?\b|\balta performance\b",
    "MODERATE": r"\bmoderate\b|\bmoderad[ao]\b",
    "LOW": r"\blow\b",
    "UNDERPERFORMER": r"\bunderperformer\b|\bcritic[ao]s?\b",
}
# "o que falta pra virar HIGH_PERFORMER?": the tier named is a goal, not the question's premise
_TIER_GOAL = re.compile(r"\b(virar|vire|chegar|chegue|subir|suba|passar|passe|falta|faltam|ir para|ir pra)\b")
_TIER_FALL = re.compile(r"\b(cai\w*|cair|descend\w*|descer|rebaix\w*|piorar\w*|perder\w*)\b")


def tier_metric(text: str) -> str:
    """ "tier_fall" for "quais campanhas estão caindo de tier?", "tier_is_<TIER>" when a tier is named as
    the premise ("por que a 11 está como MODERATE?"), "tier_to_<TIER>" as a goal ("o que falta pra virar
    HIGH_PERFORMER?"), else "tier"."""
    if _TIER_FALL.search(text):
        return "tier_fall"
    named = next((t for t, p in _TIER_NAMED.items() if re.search(p, text)), None)
    if named is None:
        return "tier"
    return f"tier_to_{named}" if _TIER_GOAL.search(text) else f"tier_is_{named}"


# asks out of the agent's scope, each said apart (`out_of_scope_kind`)
_WEATHER = re.compile(
    r"previsao do tempo|\bclima\b|\bvai chover\b|\bchuv(a|oso|e)\b|\btemperatura\b|\bmeteorolog"
)
# "me conta uma piada", "quem ganhou o jogo?": small talk beyond a greeting (was the account's summary)
# (not "esse cpl tá uma piada", nor a campaign "Escolinha de Futebol")
_CHAT = re.compile(
    r"\b(?:conta|conte|manda|mande|fala|fale|sabe|conhece) (?:uma |alguma |umas )?(?:piadas?|charadas?)\b"
    r"|\bhoroscopo\b|\bquem ganhou o jogo\b"
)
# "quantos leads do google ads?", "e no tiktok?": another ad platform (the source is Meta's alone)
_PLATFORM = re.compile(
    r"\bgoogle(?: ads)?\b|\badwords\b|\btik ?tok\b|\blinkedin\b|\bkwai\b|\btaboola\b|\bpinterest\b"
    r"|\byoutube\b|\bbing ads\b"
)
# "quantas conversas chegaram no whats?", "mensagens no zap essa semana": the conversations are FamaChat's
# inbox, not these data (was the leads, said as if they were the conversations)
_MESSAGES = r"(?:conversas?|mensagens?|msgs?)"
_CONVERSATIONS = re.compile(
    rf"\b(?:quant[ao]s|qnt[ao]?s|qtas?|qtos?)\b.*\b{_MESSAGES}\b"
    rf"|\b{_MESSAGES}\b.*\b(?:whats\w*|zap|wpp|direct|inbox|chegar\w*|receb\w*)\b"
    rf"|\b(?:whats\w*|zap|wpp)\b.*\b{_MESSAGES}\b"
)
_WRITE = re.compile(
    r"\b(cria|crie|criar|monta|monte|montar|sobe|suba|subir|lanca|lance|lancar|duplica|duplique|duplicar"
    r"|edita|edite|editar|exclui|exclua|excluir|apaga|apague|apagar|deleta|delete|deletar|faz|faca|fazer)"
    r"\b( (uma|a|as|essa|esta|minha|nova|novas))*\s+campanhas?\b"
    r"|\b(renomei\w*|troqu?e o nome)\b"
)
# "como baixar o cpl?", "como reduzir o custo por lead?": what lowers it is the whole advice (was the CPL's
# trend, the cut advice alone for "reduzir", or for "baixar" a refusal to send files)
LOWER_CPL = (
    r"\b(?:baixar|abaixar|reduzir|diminuir|melhorar)\s+(?:o |meu |esse )?(?:cpl|custo (?:por|do) lead)\b"
)
_FILES = re.compile(
    r"\bpdf\b|\bexcel\b|\bplanilha|\bcsv\b|\barquivo|\bexport\w*|\bdownload\b"
    # "baixar o cpl" lowers it: no file asked
    r"|\bbaixar\b(?!\s+(?:o |a |os |as |meu |minha |esse |essa )?"
    r"(?:cpl|custo|cpm|cpc|gasto|orcamento|verba)\b)"
    r"|\b(manda|mande|envia|envie|enviar|mandar)\b.*\b(relatorio|e-?mail|whatsapp|anexo)"
    r"|\bpor (e-?mail|whatsapp)\b"
)


# "compara a conta 1 com a conta 2", "minha conta tá melhor que a conta 3?": one account is read at a time
_VERSUS_ACCOUNT = re.compile(
    r"\bcompar\w*|\b(vs|versus|x|contra)\b|\b(melhor|pior|maior|menor)(es)? (do )?(que|q)\b"
)


def accounts_compared(text: str, named: tuple[int, ...]) -> bool:
    """Whether a normalized question weighs accounts against each other: two named, or one named with a
    comparison ("minha conta tá melhor que a conta 3?")."""
    return len(named) >= 2 or (len(named) == 1 and bool(_VERSUS_ACCOUNT.search(text)))


def out_of_scope_kind(text: str) -> str:
    """Which out-of-scope ask a normalized question is: "weather", "chat", "platform", "conversations",
    "write" or "files"."""
    if _WEATHER.search(text):
        return "weather"
    if _CHAT.search(text):
        return "chat"
    if _PLATFORM.search(text):
        return "platform"
    if _CONVERSATIONS.search(text):
        return "conversations"
    return "write" if _WRITE.search(text) else "files"


# "gastaram mais de R$ 500", "gastou acima de 1 mil": the campaigns past a spend ("mil"/"k" x1000)
SPEND_OVER = re.compile(
    r"\bgast\w*\s+(?:mais|acima)\s+(?:de|do que|que)\s*(?:r\$\s*)?(\d[\d.,]*\d|\d)(?![\d.,])\s*"
    rf"{MAGNITUDE}?"
)
# ("gastando mais que o orçamento" is the budget blown, not the top spender)
SPEND_MOST = (
    r"\b(gasta|gastam|gastou|gastaram|gastando) mais\b(?!\s+(?:do\s+)?(?:que|q)\s+o\s+(?:orcamento|budget))"
    r"|\bmais gast(o|ou|aram)\b|\bmaior gasto"
)
# Checked in order: the first intent with a matching pattern wins. Patterns run on accent-free lowercase,
# after the negated mentions are taken out ("não quero previsão" is not a forecast question). The order
# matters: the specific asks (help, data quality, ROI, a whole analysis, compare, list, trend, forecast)
# come before the broad ones; anomalies ("por que o CPL subiu") before recommendations ("devo pausar"),
# the tiers ("mal", "bem") before the plain figures ("qual o CPL"), and the summary ("conta") last.
# An intent may appear twice: "o CTR caiu?" is the CTR's trend (performance), so that row comes before
# the anomalies' "caiu"; "quais estão pausadas?" lists the paused ones before "paus" means "should I pause".
_PATTERNS: tuple[tuple[str, str], ...] = (
    # what the agent cannot do (the weather, create or edit campaigns, send files): said so, then the menu
    ("out_of_scope", _WEATHER.pattern),
    ("out_of_scope", _CHAT.pattern),
    ("out_of_scope", _PLATFORM.pattern),
    ("out_of_scope", _CONVERSATIONS.pattern),
    ("out_of_scope", _WRITE.pattern),
    ("out_of_scope", _FILES.pattern),
    ("help", r"\b(ajuda|help|o que (voce|vc) (sabe|faz|pode)|como (te )?uso|comandos)\b"),
    # "tem campanha com problema de rastreamento?", "o pixel parou?", "leads zerados": the zero-lead
    # anomalies (days of spend without a single lead), the detector's tracking breaks
    (
        "tracking",
        r"rastreamento|rastreio|\bpixel|tracking|\btag(ueamento)?\b|leads? zerad|zerou (os )?leads?"
        r"|par(ou|aram) de (gerar|trazer|entrar|chegar|dar) leads?"
        r"|leads? (pararam|parou) de (entrar|chegar|cair)"
        # "os leads pararam?": the same ask, said short
        r"|\bleads? (pararam|parou)\W*$|\bpararam (os )?leads\b",
    ),
    (
        "data_quality",
        r"qualidade|sincroniz|descartad|set aside|dados (estao |tao |ta |sao )?atualizad|ultima atualiza"
        r"|problemas? (nos|com os|nos meus|com meus) dados|\berros? (nos|com os) dados"
        r"|dados (estao |tao )?(errados|quebrados|faltando|inconsistentes|incompletos)"
        r"|dados (estao |tao |ta |sao )?(ok|certos|corretos|confiaveis|batendo)\b",
    ),
    # "CPL por público", "qual audiência performa melhor?": the source has no audience breakdown
    (
        "audience",
        r"\bpor (publico|audiencia|segmentacao|idade|genero|faixa etaria)\b|\baudiencias?\b"
        r"|\b(qual|quais|melhor|melhores|pior|piores|que)( o| os)? publicos?\b|\bpublico-alvo\b"
        # "o público feminino converte melhor que o masculino?", "homens ou mulheres?" (not a "Moda Feminina")
        r"|\b(feminino|masculino)\b.*\b(convert\w*|melhor|pior|cpl|leads?|barat\w*|car[oa])\b"
        r"|\b(mulheres|homens|genero|sexo)\b",
    ),
    # "quanto faturei?", "qual a receita?": no revenue in the source, said as the ROAS is
    ("roi", r"\broi\b|\broas\b|retorno|\blucro|\bfatur\w*|\breceita\b|\bvendas?\b|\bvendi\b"),
    # "por que a campanha 11 está como MODERATE?", "o que falta pra virar HIGH_PERFORMER?", "quais campanhas
    # estão caindo de tier?": the tiers' rule and the model's next week, before "por que" reads as anomalies
    ("tier", _TIER_ASK.pattern),
    # "quanto vou gastar até o fim do mês?": the stored forecasts up to the month's last day
    ("forecast", MONTH_END.pattern),
    ("forecast", MONTH_AHEAD.pattern),
    # "qual o melhor dia da semana?": CPL and leads per weekday over the last 4 full weeks
    ("weekday", r"\bdias? da semana\b(?! passada| retrasada)"),  # not "o melhor dia da semana passada"
    # "qual o dia mais barato da semana?": the weekdays by their cost, not this week's single days
    ("weekday", r"\bdias? (mais |menos )?(barat|car)[oa]s? da semana\b(?! passada| retrasada)"),
    # "média de leads por dia", "média diária", "quanto gasto por dia em média": the daily average
    (
        "daily_average",
        r"\bmedia diaria|\bdiaria media|\bmedia\b.*\b(por|ao|/) ?dia\b|\b(por|ao) dia\b.*\bmedia\b"
        # "quantos leads a conta fez por dia essa semana?": a count per day is the daily average too
        r"|\b(quantos|qnts|qtos|quanto|qnto|qto)\b.*\b(leads?|gast\w*|invest\w*|invisto)\b.*"
        r"\bpor dia\b(?! da semana)"
        # "qual o gasto diário?", "investimento diário", "leads diários": per day, not the 7 days' total
        r"|\b(gastos?|investimentos?|leads?) diarios?\b",
    ),
    # "qual foi o dia com mais leads?", "dia com maior gasto", "pior dia": one day of the account, ranked
    (
        "best_day",
        r"\b(melhor|pior) dia\b|\bdias? (com|de|que|em que) (teve |tive |tivemos |houve |deu )?(o |a )?"
        r"(mais|menos|maior|menor)\b|\bdias? (que |em que )?(mais|menos) (gastei|gastou|gastamos|gerou"
        r"|veio|vieram|entrou|entraram|converteu|trouxe)\b|\bdia mais (caro|barato)\b"
        r"|\b(qual|que) dia\b(?! da semana).*\b(mais|menos|maior|menor)\b",
    ),
    (
        "analyze",
        r"\banalise (completa|geral|detalhada|em detalhe)"
        r"|\banalis[ae]r? (a|minha|esta|essa) (conta|campanha)",
    ),
    ("cpl_rank", CPL_LIMIT.pattern),
    ("cpl_rank", CPL_AT.pattern),
    # "essa semana comparada com a passada": the calendar week so far against the same weekdays of the
    # last (`weeks_compared`); "últimos 7 dias vs 7 anteriores": the 7 days against the 7 before
    # ("essa semana vs a passada": the second week said by "a passada" alone)
    (
        "trends",
        r"semana.*\b(compar\w*|versus|vs|contra|x)\b.*(semana|\b(a|da|na|com a) passada\b)"
        r"|\bcompar\w* (essa|esta) semana",
    ),
    ("trends", r"\bultimos 7 dias\b.*\b(compar\w*|versus|vs|contra|x)\b.*\banteriores\b"),
    # "campanha 0 ou campanha 8, qual é melhor?" compares too
    # "qual das duas tá melhor, 46 ou 55?": two campaign numbers weighed against each other
    (
        "compare",
        r"\bcompar|\bversus\b|\bvs\b|\bcampanha \S+ ou (a )?campanha\b|\b(qual|quem) das (duas|tres)\b"
        # "qual a diferença de cpl entre a 4 e a 8?", "diferença da campanha 3 pra 4": two campaigns weighed
        r"|\bdiferenca\b.*\bentre\b.*\bcampanha\b"
        # "a 8 tá melhor (ou pior) que a 9?": two campaigns weighed against each other
        r"|\bcampanha \S+ (?:\w+ ){0,2}(?:melhor|pior)(?: ou (?:melhor|pior))? (?:do )?(?:que|q) "
        r"(?:a )?campanha \d"
        # "a campanha 4 gastou mais que a 8?", "a 4 traz menos lead q a 8?": more or less of a figure, weighed
        r"|\bcampanha \S+ (?:\w+ ){1,3}(?:mais|menos|maior|menor)(?: \w+)? (?:do )?(?:que|q) "
        r"(?:a )?campanha \d"
        r"|\bdiferenca\b.*\bcampanha \S+ (pra|para|e) (a )?(campanha )?\d"
        r"|\b(melhor|pior)\b.*" + BARE_NUMBER + r" ou (a )?" + BARE_NUMBER,
    ),
    (
        "list_campaigns",
        r"\blist\w*( as| todas as)?( minhas)? campanhas"
        r"|quais (sao )?(as )?(minhas )?campanhas( que)?( eu)? tenho|todas as (minhas )?campanhas"
        r"|campanhas (que )?(estao |tao |sao )?ativas|quantas campanhas"
        # "como estão as campanhas?", "como tão minhas campanhas": each one's week (was the help menu)
        # ("como estão as campanhas ruins?" is a tier's, not this)
        r"|\bcomo (?:estao|tao|vao|andam|ficaram) (?:as |todas as )?(?:minhas )?campanhas\b"
        r"(?!\s+(?:de (?:alta|baixa)|ruins?|boas?|criticas?|pausad|ativas|com\b|que\b|do tier|no tier"
        r"|moderad))",
    ),
    ("trends", r"tendenc|evolu(cao|iu|indo)"),
    # "qual campanha gasta mais?": the campaigns by spend, which is how the list is sorted
    ("list_campaigns", SPEND_MOST),
    # the campaign with the highest (or lowest) CPL: a ranking, not the account's CPL
    (
        "cpl_rank",
        r"\b(maior|menor|pior|melhor) (cpl|custo por lead)|(cpl|custo por lead) mais (alto|caro|baixo|barato)"
        r"|campanha mais (cara|barata)|\blead mais (caro|barato)\b",
    ),
    (
        "forecast",
        r"previs|prevsao|prever|preve|proxima semana|semana que vem|proximos (7 )?dias|vai gerar|projec"
        r"|forecast|\b(vou|vamos) (ter|fechar|fazer|gerar|conseguir|bater|gastar|investir)\b"
        # "quantos leads a 20 vai trazer essa semana?": a campaign's (or the account's) days ahead
        r"|\b(vai|vao) (trazer|ter|render|gastar)\b",
    ),
    # the CTR moved: its trend (7 days vs the 7 before), not the list of anomalies
    (
        "performance",
        r"\b(ctr|cpm)\b.*\b(caiu|cai|caindo|subiu|sobe|subindo|piorou|melhorou|baixou|aumentou)\b",
    ),
    # "qual a frequência média da conta? tá saturando?": the campaigns' 7-day frequency against the alert's
    # threshold, and the open frequency and saturation anomalies
    # "o criativo tá cansado?", "fadiga de anúncio": the same signal, in the buyers' words
    (
        "frequency",
        r"^(?!.*\b(alertas?|anomalias?)\b).*\bfrequencia\b|\bsaturand|\bsaturad|\bsaturacao\b"
        r"|\b(criativos?|anuncios?|publicos?) (?:\w+ ){0,2}(cansad|queimad|saturad)|\bfadiga\b",
    ),
    # "quais campanhas estão em fase de aprendizado?": the source has no learning status; a proxy instead
    ("learning", r"\baprendizado\b|\blearning\b|\baprendendo\b"),
    # "tem campanha estourando o orçamento?": each day's spend against the campaign's daily budget
    (
        "budget",
        r"\bestour\w*|\b(passou|passando|passaram|acima|ultrapass\w*) (d[oa] |o )?(orcamento|budget|verba)\b"
        r"|\bgast\w* mais (do )?(que|q) o (orcamento|budget)\b",
    ),
    # "quais campanhas tão pausadas?", "a campanha 60 tá pausada?": a status asked, not an action
    ("paused", r"^(?!.*\b(reativ|vale|devo|deveria|deslig))(?=.*\bpausad)"),
    (
        "anomalies",
        r"anomal|por ?que|\bpq\b|subiu|disparou|pulou|aumentou|caiu|queda|alerta|estranh|cpl (alto|jump)"
        r"|aconteceu|frequencia alta|cade os leads|\bpor causa d[oae]s?\b"
        # "oq houve com a 12 ontem": "houve" and "rolou" ask what happened as "aconteceu" does
        r"|\b(?:o que|oq|oque) (?:houve|rolou)\b",
    ),
    (
        "recommendations",
        r"recomend|sugest|\b(o que|oq|oque|q) (devo|eu devo|fazer|eu faco|faco)|\bacao|\bacoes"
        r"|proximos passos"
        r"|paus|orcamento|escal|vale a pena|\bdevo\b|deveria|deslig|\bverba\b"
        # "qual campanha eu corto?", "tá valendo a pena investir mais?": cutting and scaling in other words
        r"|\bcort(o|ar|a|e|amos|aria)\b|valendo a pena|\binvestir mais\b"
        rf"|{LOWER_CPL}",
    ),
    (
        "underperformers",
        r"\bmal\b|pior|piores|ruim|ruins|baixa performance|underperform|problema|perdendo"
        r"|queima|torra|sangr|sem (gerar )?leads?\b|gastando sem|zerad|budget alto|poucos leads"
        r"|\bnenhum lead|\b(zero|0) leads?\b|\bgast\w* sem\b",
    ),
    (
        "top",
        r"(?<!tudo )\bbem\b|melhor|melhores|\btop\b|destaque|alta performance|high perform"
        r"|mais (leads?|trouxe)\b|\branking\b.*\bleads?\b|\bleads?\b.*\branking\b"
        # "qual campanha tá bombando?": the buyers' slang for the best
        r"|\b(bombando|arrebentando|voando|performando bem)\b",
    ),
    (
        "performance",
        r"\bcpl\b|custo por lead|\bcust(ou|a) cada lead|\bctr\b|\bcpm\b|custo por mil|\bspend\b"
        r"|\bcpc\b|custo por clique|\btaxa de conversao\b|\bconversao (da conta|media|geral)\b"
        r"|quanto (eu )?(gastei|gastamos|investi|investimos|gasto)|\bgastei\b|\bgasto\b"
        r"|\b(quanto|qnto|qto|qnt) (custou|custa|custaram)|\bcusto do lead"
        # "qnts lead a conta fez": the singular typed too
        r"|(quantos|qnts|qtos|qts) leads?\b|leads (eu )?(tive|tivemos|gerei|geramos|gerou|entraram)"
        rf"|{LEADS_HOW}"
        # "qnto to pagando por lead?", "quanto tá saindo o lead?": the CPL in a buyer's words
        r"|\b(pag\w*|gast\w*|invest\w*) por lead\b|\b(saindo|custando|sai) (o|cada|um) lead\b",
    ),
    (
        "summary",
        r"resumo|visao geral|como (esta|vai) a conta|panorama|overview|conta|tudo (certo|bem|ok)|relatorio"
        r"|\baccount\b",
    ),
)
# "não quero previsão", "não preciso de recomendações": the thing negated is not what is asked
NEGATED = re.compile(r"\bnao (quero|preciso|e|pedi|perguntei)( de| sobre)?( uma| um| a| o| as| os)? \w+")


def keyword_intent(text: str) -> str | None:
    """The intent the keywords of a normalized question name (the first row of `_PATTERNS` that matches,
    its negated mentions taken out), before a day or a campaign decides; None when no keyword does."""
    asked = NEGATED.sub(" ", text)
    return next((n for n, pattern in _PATTERNS if re.search(pattern, asked)), None)
