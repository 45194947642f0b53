"""The day or period a question names, read from its normalized text: "ontem", "26/11", "black friday",
this month or a month's name, the last N days, last week, "essa semana" (the calendar week so far, and
against the same weekdays of the week before), two periods compared ("outubro vs novembro"), and the
period a named one is weighed against. Pure functions: no database."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

# "essa semana vs a passada": the calendar week asked, not the last 7 days
THIS_WEEK = re.compile(r"\b(essa|esta|nessa|nesta|dessa|desta) semana\b")


def weeks_asked(metric: str | None) -> bool:
    """Whether an intent's metric is answered with `weeks_compared` ("calendar_week", "week_cpl_up")."""
    return metric == "calendar_week" or (metric or "").startswith("week_")


# "ontem", "hoje" ("hj", as buyers type it), "anteontem", "amanha", "26/11", "26/11/2026", "sexta" (not
# "quarta campanha")
DAY_REF = re.compile(
    r"\b(anteontem|ontem|hoje|hj|amanha)\b|\b(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?\b"
    # "a segunda melhor", "a quarta maior": an ordinal, not a weekday
    r"|\b(segunda|terca|quarta|quinta|sexta|sabado|domingo)(?:[- ]feira)?\b"
    r"(?!\s+(?:campanha|melhor|pior|maior|menor|mais|menos|colocad|lugar|posicao|opcao))"
    r"|(?<!campanha )\b(black friday)\b"  # the day after the 4th Thursday of November
    r"|\bdia (\d{1,2})\b(?![/\d])"  # "dia 15": the latest day 15 up to today
)
# a day word as typed in a hurry or in English: read as the pt-BR word, so that the day asked is answered,
# not the 7 days (was "qnto gastei ontm?": the week's spend) nor the day before ("antes de ontem": ontem)
_DAY_WORD_TYPED = (
    (
        "anteontem",
        re.compile(r"\b(?:antes de ontem|antes de ontm|anteontm|antiontem|day before yesterday)\b", re.I),
    ),
    ("ontem", re.compile(r"\b(?:ontm|onten|yesterday)\b", re.I)),
    ("hoje", re.compile(r"\btoday\b", re.I)),
    ("amanhã", re.compile(r"\btomorrow\b", re.I)),
)


def day_words_spelled(message: str, names: Sequence[str] = ()) -> str:
    """`message` with each day word of _DAY_WORD_TYPED written as the agent reads it ("ontm" -> "ontem");
    a word that is a word of one of the account's campaign `names` ("Promo Today") is left as it is: the
    question may be quoting it, as buyers do, without the rest of the name."""
    named = " ".join(names).lower()
    for word, typed in _DAY_WORD_TYPED:
        message = typed.sub(
            lambda m, w=word: m.group(0) if m.group(0).lower() in named else w,
            message,
        )
    return message


WEEKDAYS = ("segunda", "terca", "quarta", "quinta", "sexta", "sabado", "domingo")  # Monday first
MONTHS = (
    "janeiro",
    "fevereiro",
    "marco",
    "abril",
    "maio",
    "junho",
    "julho",
    "agosto",
    "setembro",
    "outubro",
    "novembro",
    "dezembro",
)
# a period other than the tools' 7 days: this month, last month, a month's name (and year), the last N
# days, last calendar week, this calendar week ("essa semana")
_DATE = r"\d{1,2}/\d{1,2}(?:/\d{2,4})?"
# a range's ends: "de 01/11 a 15/11", "do dia 1 ao dia 15" (or "ao 15"), "de segunda até domingo"
# "de seg a sex": the buyers' short weekdays too
_WEEKDAY_END = (
    r"(?:segunda|terca|quarta|quinta|sexta)(?:[- ]feira)?|sabado|domingo|seg|ter|qua|qui|sex|sab|dom"
)
_SHORT_WEEKDAYS = {"seg": "segunda", "ter": "terca", "qua": "quarta", "qui": "quinta", "sex": "sexta"}
_SHORT_WEEKDAYS.update(sab="sabado", dom="domingo")
# "de seg a sex semana passada": a weekday range inside last calendar week (a period ref's suffix)
LAST_WEEK_RANGE = " da semana passada"
_RANGE_FROM = rf"{_DATE}|dia \d{{1,2}}(?![/\d])|{_WEEKDAY_END}|(?:(?<=dia )|(?<=dias ))\d{{1,2}}(?![/\d.,])"
_RANGE_TO = rf"{_DATE}|dia \d{{1,2}}(?![/\d])|{_WEEKDAY_END}|\d{{1,2}}(?![/\d.,])"
PERIOD_REF = re.compile(
    r"\b(mes passado|ultimo mes)\b|\b(?:esse|este|neste|nesse|desse|deste|do|no|o) mes\b(?! passado| que vem)"
    r"|\bultimos (\d{1,3}) dias\b|\blast (\d{1,3}) days\b|\b(semana passada)\b"
    rf"|\b({'|'.join(MONTHS)})\b(?:\s+(?:de\s+)?(\d{{4}}))?"
    rf"|\b(?:de|do dia|do|entre(?: os dias| o dia)?|dos dias)\s+({_RANGE_FROM})\s+"
    rf"(?:a|ate|e|ao dia|ao|ate o dia|ate dia)\s+({_RANGE_TO})\b"
    rf"|({THIS_WEEK.pattern})"
    r"|\b(fim de semana|final de semana|fds)\b"  # "fds": as buyers type it
    # "desde segunda", "desde o dia 15", "desde 10/11": from that day up to the last complete day
    r"|\bdesde (?:(?:a|o)\s+)?(ontem|anteontem|(?:segunda|terca|quarta|quinta|sexta)(?:[- ]feira)?|sabado"
    rf"|domingo|dia \d{{1,2}}|{_DATE})\b"
)
# "qual o gasto total desde o início?", "quanto gastei no total?": from the first day of data, when no other
# period or day is asked
ALL_TIME = re.compile(
    r"\bdesde o (inicio|comeco)\b|\bdesde sempre\b|\b(no|em) total\b|\btotal (geral|acumulado)\b"
    r"|\btodo o (periodo|historico)\b|\bhistoricamente\b|\bde todos os tempos\b|\bdesde que "
    r"(comecei|comecou)\b|\bhistorico (todo|inteiro|completo)\b"
)


# "semana passada vs retrasada": the calendar week before last (not in `PERIOD_REF`: asked only compared)
WEEK_BEFORE_LAST = re.compile(r"\b(?:semana )?retrasada\b")
WEEK_BEFORE_LAST_REF = "semana retrasada"
# "o mês fechou bem?": the month before last month, the month the closed one is weighed against
MONTH_BEFORE_LAST_REF = "mes retrasado"
# "o mês fechou bem?", "como fechou o mês?", "fechamento do mês": the last closed month against the one before
MONTH_CLOSED = re.compile(
    r"\bmes (?:passado )?(?:fechou|terminou|acabou|encerrou|fechado)\b|\bfechamento do mes\b"
    r"|\b(?:fechou|terminou|acabou|encerrou) o mes\b|\bcomo (?:foi o )?fechamento\b"
)
# two periods weighed against each other: "compara", "vs", "x", "contra", "com"
_PERIODS_VERSUS = re.compile(
    r"\bcompar\w*|\b(?:vs|versus|x|contra|com|ou)\b|\b(?:melhor|pior)\w*\s+(?:do\s+)?(?:que|q)\b"
    # "esse mês tá gastando mais que o passado?", "quantos leads a mais que mês passado?"
    r"|\b(?:mais|menos)\b.*\b(?:do\s+)?(?:que|q)\b"
)
# "o cpl de novembro foi melhor q outubro?": two periods, the first asked judged against the second
PERIODS_JUDGED = re.compile(r"\b(melhor|pior)\w*\s+(?:do\s+|no\s+|em\s+)?(?:que|q)\b")
ALL_TIME_REF = "desde o inicio"
# "quanto gastei no ano?", "leads em 2026": the calendar year of the last complete day, so far
THIS_YEAR = re.compile(r"\b(?:no|esse|este|neste|nesse|deste|desse|do) ano\b(?! passado| que vem)")
YEAR_REF = "esse ano"


ALL_TIME_LABEL = "desde o início dos dados"


# a year-less day up to this far ahead is this year's ("30/11" asked on 29/11 is tomorrow, not last year)
FUTURE_DAYS = 31


def black_friday(year: int) -> dt.date:
    """The Friday after the 4th Thursday of November (Thanksgiving): 2026-11-27."""
    first = dt.date(year, 11, 1)
    thursday = first + dt.timedelta(days=(3 - first.weekday()) % 7 + 21)
    return thursday + dt.timedelta(days=1)


# "gasto de ontem vs o mesmo dia da semana passada": the day asked and the same weekday a week before it
SAME_WEEKDAY_BEFORE = re.compile(
    r"\bmesmo dia (?:da |na |de )?semana (?:passada|anterior)\b"
    r"|\bsemana (?:passada|anterior),? no mesmo dia\b|\bmesmo dia (?:uma |1 )?semana antes\b"
)
WEEK_EARLIER = " uma semana antes"  # a day ref's suffix: that day, 7 days earlier


# "5 de novembro", "1 a 11 de novembro", "1 de nov a 5 de dez de 2026": days named with the month's word,
# written as the numbers the patterns read ("5/11", "1/11 a 11/11"); abbreviations as buyers type them
_MONTH_WORD = r"((?:jan|fev|mar|abr|mai|jun|jul|ago|set|out|nov|dez)[a-z]*)"
_YEAR = r"(?:\s+de\s+(\d{4}))?"
_DAY_OF_MONTH = re.compile(rf"\b(\d{{1,2}})\s+de\s+{_MONTH_WORD}\b{_YEAR}")
_DAYS_OF_MONTH = re.compile(rf"\b(\d{{1,2}})\s+(a|ate|e|ao)\s+(\d{{1,2}})\s+de\s+{_MONTH_WORD}\b{_YEAR}")


def _month_number(word: str) -> int | None:
    """The month a word names, whole ("novembro") or cut to its first three letters ("nov"); None for any
    other word ("marketing", "outros")."""
    return next((i + 1 for i, m in enumerate(MONTHS) if word in {m, m[:3]}), None)


def dates_in_words(text: str) -> str:
    """A normalized text with the days it names by the month's word written as dates: "de 1 a 11 de
    novembro" -> "de 1/11 a 11/11", "em 5 de novembro de 2025" -> "em 5/11/2025" ("3 de marketing" is no
    date: left)."""

    def days(m: re.Match[str]) -> str:
        if (month := _month_number(m.group(4))) is None:
            return m.group(0)
        year = f"/{m.group(5)}" if m.group(5) else ""
        return f"{m.group(1)}/{month}{year} {m.group(2)} {m.group(3)}/{month}{year}"

    def day(m: re.Match[str]) -> str:
        if (month := _month_number(m.group(2))) is None:
            return m.group(0)
        return f"{m.group(1)}/{month}" + (f"/{m.group(3)}" if m.group(3) else "")

    return _DAY_OF_MONTH.sub(day, _DAYS_OF_MONTH.sub(days, text))


def resolve_day(ref: str | None, today: dt.date) -> dt.date | None:
    """The day a question names ("ontem", "26/11"), `today` being the account's today; None if none."""
    if ref and ref.endswith(WEEK_EARLIER):  # "ontem uma semana antes": the same weekday a week before
        day = resolve_day(ref.removesuffix(WEEK_EARLIER), today)
        return day - dt.timedelta(days=7) if day else None
    m = DAY_REF.search(ref or "")
    if not m:
        return None
    if m.group(1):
        return today - dt.timedelta(
            days={"amanha": -1, "hoje": 0, "hj": 0, "ontem": 1, "anteontem": 2}[m.group(1)]
        )
    if m.group(6):  # Black Friday: this year's, unless it is more than FUTURE_DAYS ahead
        found = black_friday(today.year)
        return found if found <= today + dt.timedelta(days=FUTURE_DAYS) else black_friday(today.year - 1)
    if m.group(7):  # "dia 15": this month's when it has come, else last month's
        n, month_start = int(m.group(7)), today.replace(day=1)
        month = month_start if n <= today.day else (month_start - dt.timedelta(days=1)).replace(day=1)
        try:
            return month.replace(day=n)
        except ValueError:
            return None
    if m.group(5):  # a weekday: the last such day before today ("sexta" asked on a Friday: a week ago)
        back = (today.weekday() - WEEKDAYS.index(m.group(5))) % 7 or 7
        return today - dt.timedelta(days=back)
    day, month, year = int(m.group(2)), int(m.group(3)), m.group(4)
    y = int(year) + (2000 if year and len(year) == 2 else 0) if year else today.year
    try:
        found = dt.date(y, month, day)
    except ValueError:
        return None
    if not year and found > today + dt.timedelta(days=FUTURE_DAYS):  # "26/12" asked in January: last year's
        found = found.replace(year=y - 1)
    return found


def invalid_day(ref: str | None, today: dt.date) -> bool:
    """Whether a day written as numbers is no date ("29/02" in a non-leap year, "31/04", "12/13"), read
    as `resolve_day` reads it: said so, rather than silently answering the week."""
    m = DAY_REF.search(ref or "")
    return bool(m and (m.group(2) or m.group(7))) and resolve_day(ref, today) is None


@dataclass(frozen=True)
class Period:
    """A period asked, as the calendar names it: `last` may be after the data (a month not over yet)."""

    first: dt.date
    last: dt.date
    label: str  # "outubro de 2026", "semana passada, de segunda a domingo", "últimos 30 dias"
    note: str = ""  # said before the answer: why this period ("essa semana" asked on a Monday)


WEEKDAYS_SHORT = ("seg", "ter", "qua", "qui", "sex", "sáb", "dom")
WEEKDAYS_NAMED = ("segunda", "terça", "quarta", "quinta", "sexta", "sábado", "domingo")


def _this_monday(through: dt.date) -> dt.date:
    """The Monday of today's week, today being the day after `through` (`through` < it on a Monday)."""
    today = through + dt.timedelta(days=1)
    return today - dt.timedelta(days=today.weekday())


def this_week(through: dt.date) -> Period:
    """ "Essa semana" alone: the calendar week, Monday up to the last complete day (not the last 7 days).
    On a Monday this week has no complete day yet: last week, Monday to Sunday, and the note says so."""
    today, monday = through + dt.timedelta(days=1), _this_monday(through)
    if through < monday:  # today is Monday
        note = (
            f"Hoje ({today:%d/%m/%Y}) é segunda: esta semana ainda não tem dia completo, então respondo com "
            "a semana passada, de segunda a domingo."
        )
        return Period(monday - dt.timedelta(days=7), through, "semana passada, de segunda a domingo", note)
    days = "só segunda" if through == monday else f"de segunda a {WEEKDAYS_NAMED[through.weekday()]}"
    return Period(monday, through, f"esta semana, {days}")


def this_week_asked(ref: str | None, through: dt.date) -> Period | None:
    """The calendar week `this_week` reads when the question's period is "essa semana", else None."""
    m = PERIOD_REF.search(ref or "")
    return this_week(through) if m and m.group(9) else None


@dataclass(frozen=True)
class WeeksCompared:
    """ "Essa semana vs semana passada": the days of this calendar week up to the last complete day
    against the same weekdays of the week before (the week is not over: a whole week against part of
    one would not be fair). On a Monday this week has no complete day yet: last week, Monday to Sunday,
    against the week before it, and `no_day_yet` says so."""

    now: Period
    before: Period
    days: str  # "seg a sex", "seg", "seg a dom"
    no_day_yet: bool


def weeks_compared(through: dt.date) -> WeeksCompared:
    monday = _this_monday(through)
    week = dt.timedelta(days=7)
    if through < monday:  # today is Monday
        now = Period(monday - week, through, "semana passada")
        before = Period(monday - 2 * week, through - week, "semana retrasada")
    else:
        now = Period(monday, through, "esta semana")
        before = Period(monday - week, through - week, "semana passada")
    first, last = WEEKDAYS_SHORT[now.first.weekday()], WEEKDAYS_SHORT[now.last.weekday()]
    return WeeksCompared(now, before, first if first == last else f"{first} a {last}", through < monday)


# the rates "e o ctr?" may ask of two periods just compared (metric "periods_ctr"/"periods_cpm")
PERIODS_RATES = ("ctr", "cpm", "cpc")


def periods_asked(metric: str | None) -> bool:
    """Whether the metric compares two periods ("periods", or with a rate asked after: "periods_ctr", or
    a verdict asked: "periods_worse" / "periods_better")."""
    return metric in {"periods", *PERIODS_VERDICTS} or periods_rate(metric) is not None


# "a conta tá pior que mês passado?": this month so far against last month, the verdict first (by the CPL)
PERIODS_VERDICTS = ("periods_worse", "periods_better")
VS_LAST_MONTH = re.compile(
    r"\b(pior|melhor)\w*\s+(?:do\s+)?(?:que|q)\s+(?:o\s+|no\s+|em\s+)?"
    r"(?:mes passado|ultimo mes|mes anterior)\b"
    # "o mês tá melhor que o passado?": this month named first, "o passado" is the month before it
    r"|\bmes\b(?! passado| anterior| retrasado).*\b(pior|melhor)\w*\s+(?:do\s+)?(?:que|q)\s+(?:o\s+)?"
    r"(?:passado|anterior)\b"
    # "o mês tá pior?", "esse mês tá melhor?": this month judged, against the month before it
    r"|^(?!.*\b(?:qual|quais|campanhas?)\b)(?:.*\b)?(?:o|esse|este) mes (?:\w+ ){0,2}(pior|melhor)\b\W*$"
)


# "a conta tá melhor que semana passada?": the calendar weeks' CPL (`weeks_compared`), the verdict first
# "essa semana tá melhor que a passada?" (was the best campaign of last week): "a passada" is last week,
# unless the week before last is the one judged ("a semana retrasada foi melhor que a passada?")
VS_LAST_WEEK = re.compile(
    r"^(?!.*\bretrasad).*?\b(pior|melhor)\w*\s+(?:do\s+)?(?:que|q)\s+(?:a\s+|na\s+|em\s+)?"
    r"(?:semana passada|ultima semana|semana anterior|passada\b(?<=\ba passada))\b"
)


def periods_rate(metric: str | None) -> str | None:
    """The rate asked of two periods compared ("periods_ctr" -> "ctr"), else None."""
    kind, _, rate = (metric or "").partition("_")
    return rate if kind == "periods" and rate in PERIODS_RATES else None


# "esse mês com o passado", "x o anterior": the period before the one just named, its noun understood
# ("gastei mais esse mês ou no passado?": "ou" weighs the two as well)
THE_ONE_BEFORE = re.compile(r"\b(?:com|vs|versus|x|contra|ou|que|q)\s+(?:o\s+|no\s+)?(?:passado|anterior)\b")


# "vs os 30 anteriores", "x anteriores", "com os 30 dias anteriores": the days right before the last N
_DAYS_BEFORE = re.compile(
    r"\b(?:vs|versus|x|com|contra|ou|e)\s+(?:os\s+)?(?:(\d{1,3})\s+)?(?:dias\s+)?anteriores\b"
)
DAYS_BEFORE_SUFFIX = " dias anteriores"  # a period ref "30 dias anteriores": the 30 days before the last 30
BEFORE_LAST_N = " aos ultimos "  # "7 dias anteriores aos ultimos 14": the 7 days before the last 14


def periods_compared(text: str) -> tuple[str, str] | None:
    """The two periods a normalized question compares ("semana passada vs retrasada" -> ("semana passada",
    "semana retrasada")), in the order asked; None unless two different periods and a comparison word are
    there. This week against last is `weeks_compared`'s (the same weekdays on both sides), not this."""
    found = [(m.start(), m.group(0)) for m in PERIOD_REF.finditer(text)]
    found += [(m.start(), WEEK_BEFORE_LAST_REF) for m in WEEK_BEFORE_LAST.finditer(text)]
    refs = list(dict.fromkeys(ref for _, ref in sorted(found)))
    if len(refs) == 1 and refs[0].endswith(" mes") and THE_ONE_BEFORE.search(text):
        refs.append("mes passado")  # "compara esse mês com o passado": the month named is understood
    if refs == ["mes passado"] and (
        THE_ONE_BEFORE.search(text) or re.search(r"\bmes (?:anterior|retrasado)\b|\bretrasado\b", text)
    ):
        refs.append(MONTH_BEFORE_LAST_REF)  # "o mês passado foi melhor que o anterior?": the month before it
    if refs == ["mes passado"] and re.search(
        r"\b(?:com|vs|versus|x|contra|ou|que|q)\s+(?:o\s+)?(?:esse|este|atual)\s*(?:\?|$)", text
    ):
        # "o mês passado foi melhor q esse?": this month, its noun understood (was last month's campaigns)
        refs.append("esse mes")
    last_n = re.fullmatch(r"ultimos (\d{1,3}) dias", refs[0]) if len(refs) == 1 else None
    before = _DAYS_BEFORE.search(text) if last_n else None
    if last_n and before and before.group(1) in {None, last_n.group(1)} and last_n.group(1) != "7":
        # "últimos 30 dias vs os 30 anteriores": as many days right before them (was a campaign comparison,
        # or "Campanha 30" not found); the 7 days against the 7 before are the rolling week's trend, kept
        refs.append(f"{last_n.group(1)}{DAYS_BEFORE_SUFFIX}")
    elif last_n and before and before.group(1) not in {None, last_n.group(1)}:
        # "últimos 14 dias vs os 7 anteriores": the 7 days right before the last 14 (was "Campanha 7")
        refs.append(f"{int(before.group(1))}{DAYS_BEFORE_SUFFIX}{BEFORE_LAST_N}{int(last_n.group(1))}")
    if refs == [WEEK_BEFORE_LAST_REF] and re.search(
        r"\b(?:com|vs|versus|x|contra|ou|e|que|q|do que)\s+(?:a\s+|na\s+)?(?:semana\s+)?passada\b", text
    ):
        # "semana retrasada vs passada": "passada" after the week before last is last week (was read as no
        # second period, and the comparison as one of campaigns)
        refs.append("semana passada")
    if refs == ["semana passada"] and re.search(
        r"\b(?:com|vs|versus|x|contra|ou|e|que|q)\s+(?:a\s+|na\s+)?(?:semana\s+)?anterior\b", text
    ):
        # "quanto gastei semana passada vs a anterior?": the week before it (was a campaign comparison)
        refs.append(WEEK_BEFORE_LAST_REF)
    if not refs and re.search(r"\bmes anterior\b", text):
        refs = ["mes passado", "esse mes"]  # "comparado ao mês anterior, como estamos?": this month is meant
    if refs == ["mes passado"] and re.search(
        r"\b(?:mais|menos)\b.*\b(?:do\s+)?(?:que|q) (?:o |no )?mes passado", text
    ):
        refs.append("esse mes")  # "quantos leads a mais que mês passado?": this month is the other side
    if len(refs) != 2 or not _PERIODS_VERSUS.search(text) or any(THIS_WEEK.search(r) for r in refs):
        return None
    return refs[0], refs[1]


def without_periods(text: str) -> str:
    """A normalized text with the periods it names taken out ("campanha 3 e 5 semana passada vs retrasada"
    -> "campanha 3 e 5 vs"), so that their words and numbers are not read as campaigns' names."""
    return WEEK_BEFORE_LAST.sub(" ", PERIOD_REF.sub(" ", text))


def range_days(start: str, end: str, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """The first and last day of a range as asked ("dia 1" .. "15", "segunda" .. "domingo"). The end is
    the latest such day; a weekday start is the latest one on or before the end (Monday to Sunday of last
    week, asked on a Monday); "dia N" starts in the end's month ("do dia 1 ao dia 15" asked on the 1st
    is the month before's 1st to 15th), or the month before it ("do dia 25 ao dia 5")."""
    start, end = (f"dia {x}" if x.isdigit() else _SHORT_WEEKDAYS.get(x, x) for x in (start, end))
    last = resolve_day(end, today)
    if last is None:
        return None, None
    if start.split("-")[0].split()[0] in WEEKDAYS:
        back = (last.weekday() - WEEKDAYS.index(start.split("-")[0].split()[0])) % 7
        return last - dt.timedelta(days=back), last
    if start.startswith("dia ") and end.startswith("dia "):
        # "do dia 1 ao dia 15": both in the end's month; "do dia 25 ao dia 5": from the month before
        n = int(start.split()[1])
        month = last.replace(day=1) if n <= last.day else (last.replace(day=1) - dt.timedelta(days=1))
        try:
            return month.replace(day=n), last
        except ValueError:
            return None, last
    return resolve_day(start, today), last


def _weekday_index(word: str) -> int | None:
    """Monday = 0 of "sex", "sexta-feira", "sabado"; None when `word` is no weekday ("dia 5", "15/11")."""
    word = word.replace("-", " ").split()[0]
    word = _SHORT_WEEKDAYS.get(word, word)
    return WEEKDAYS.index(word) if word in WEEKDAYS else None


def _last_week_range(ref: str, start: str, end: str, today: dt.date) -> Period | None:
    """ "De seg a sex semana passada": the weekdays start..end of last calendar week (Monday to Sunday
    before this week's Monday), not the latest such days; None unless both ends are weekdays and the ref
    names last week (`LAST_WEEK_RANGE`)."""
    first_day, last_day = _weekday_index(start), _weekday_index(end)
    if not ref.endswith(LAST_WEEK_RANGE) or first_day is None or last_day is None or last_day < first_day:
        return None
    monday = today - dt.timedelta(days=today.weekday() + 7)
    label = f"semana passada, de {WEEKDAYS_NAMED[first_day]} a {WEEKDAYS_NAMED[last_day]}"
    return Period(monday + dt.timedelta(days=first_day), monday + dt.timedelta(days=last_day), label)


def _month(year: int, month: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, month, 1)
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return first, nxt - dt.timedelta(days=1)


def resolve_period(ref: str | None, through: dt.date) -> Period | None:
    """The period a question names, `through` being the last complete day: this month, last month, a
    month's name (the latest one already begun; "outubro de 2025" as written), the last N days, last
    week as the calendar week before the current one (Monday to Sunday, the way people say it), or this
    week as `this_week` reads it."""
    if ref == ALL_TIME_REF:  # from the first day of data: the caller clips to the days the source covers
        return Period(dt.date(1900, 1, 1), through, ALL_TIME_LABEL)
    if ref == YEAR_REF:  # the year so far: the caller clips to the days the source covers
        return Period(dt.date(through.year, 1, 1), dt.date(through.year, 12, 31), f"o ano de {through.year}")
    if ref == WEEK_BEFORE_LAST_REF:  # the calendar week before last week, Monday to Sunday
        monday = _this_monday(through) - dt.timedelta(days=14)
        return Period(monday, monday + dt.timedelta(days=6), "semana retrasada, de segunda a domingo")
    if ref == MONTH_BEFORE_LAST_REF:  # the month before "mês passado"'s
        last_month = resolve_period("mes passado", through)
        before = last_month.first - dt.timedelta(days=1) if last_month else None
        return month_period(before.year, before.month, through) if before else None
    before_ref = rf"(\d{{1,3}}){DAYS_BEFORE_SUFFIX}(?:{BEFORE_LAST_N}(\d{{1,3}}))?"
    if ref and (before := re.fullmatch(before_ref, ref)):
        n = max(int(before.group(1)), 1)  # the n days before the last `after` (n when not said) complete days
        after = max(int(before.group(2) or n), 1)
        last = through - dt.timedelta(days=after)
        label = f"{n} dias anteriores" + (f" aos últimos {after}" if before.group(2) else "")
        return Period(last - dt.timedelta(days=n - 1), last, label)
    m = PERIOD_REF.search(ref or "")
    if not m:
        return None
    today = through + dt.timedelta(days=1)
    if m.group(9):  # "essa semana": the calendar week so far
        return this_week(through)
    if m.group(11):  # "fim de semana" (group 10 is inside "essa semana"): the last Saturday and Sunday
        sunday = through - dt.timedelta(days=(through.weekday() - 6) % 7)
        return Period(sunday - dt.timedelta(days=1), sunday, "fim de semana, sábado e domingo")
    if m.group(7) and (week := _last_week_range(ref or "", m.group(7), m.group(8), today)):
        return week  # "de seg a sex semana passada": those days of last calendar week
    if m.group(7):  # "de 01/11 a 15/11", "do dia 1 ao 15", "de segunda a domingo": the days between
        first, last = range_days(m.group(7), m.group(8), today)
        if first is None or last is None or last < first:
            return None
        return Period(first, last, "o período pedido")
    if m.group(12):  # "desde segunda": that day (the last one before today) up to the last complete day
        first = resolve_day(m.group(12), today)
        if first is None or first > through:
            return None
        return Period(first, through, f"o período desde {m.group(12)}")
    if m.group(2) or m.group(3):
        n = max(int(m.group(2) or m.group(3)), 1)
        return Period(through - dt.timedelta(days=n - 1), through, f"últimos {n} dias")
    if m.group(4):
        monday = today - dt.timedelta(days=today.weekday() + 7)
        return Period(monday, monday + dt.timedelta(days=6), "semana passada, de segunda a domingo")
    # months are today's calendar's: on the 1st "mês passado" is the month that just closed, not the one
    # before the last complete day's
    if m.group(1):
        before = today.replace(day=1) - dt.timedelta(days=1)
        year, month = before.year, before.month
    elif m.group(5):
        month = MONTHS.index(m.group(5)) + 1
        year = int(m.group(6)) if m.group(6) else today.year - (month > today.month)
    else:  # "esse mes", "resumo do mes": today's month
        year, month = today.year, today.month
    return month_period(year, month, through)


def month_label(first: dt.date) -> str:
    return f"{MONTHS[first.month - 1].replace('marco', 'março')} de {first.year}"


def this_month(through: dt.date) -> Period:
    """Today's month, whole, as is (on its 1st it has no complete day): "até o fim do mês" looks ahead in
    it. A month asked of the data is `month_period`'s."""
    today = through + dt.timedelta(days=1)
    first, last = _month(today.year, today.month)
    return Period(first, last, month_label(first))


def month_period(year: int, month: int, through: dt.date) -> Period:
    """A month asked, whole. Today's month on its 1st has no complete day yet: the month before, whole
    (it just closed), and the note says so, as `this_week` does on a Monday."""
    first, last = _month(year, month)
    today = through + dt.timedelta(days=1)
    if first == today:  # today is the 1st of the month asked
        closed, _ = _month(through.year, through.month)
        note = (
            f"Hoje ({today:%d/%m/%Y}) é dia 1: {month_label(first)} ainda não tem dia completo, então "
            f"respondo com {month_label(closed)}, fechado."
        )
        return Period(closed, through, month_label(closed), note)
    return Period(first, last, month_label(first))


def resolve_periods(refs: Sequence[str], through: dt.date) -> list[Period]:
    """Each period `refs` name (`resolve_period`; those that name none left out). On the 1st "esse mês vs
    mês passado" would be the month just closed twice: the side that names the closed month ("mês
    passado") is then the month before it, as `weeks_compared` does on a Monday."""
    periods = [p for r in refs if (p := resolve_period(r, through))]
    # a month moved back (a week moved back on a Monday is `weeks_compared`'s, never asked here)
    moved = [p for p in periods if p.note and (p.first, p.last) == _month(p.first.year, p.first.month)]
    if not moved:
        return periods
    return [
        month_period((p.first - dt.timedelta(days=1)).year, (p.first - dt.timedelta(days=1)).month, through)
        if not p.note and (p.first, p.last) == (moved[0].first, moved[0].last)
        else p
        for p in periods
    ]


def previous_period(asked: Period, first: dt.date, last: dt.date) -> tuple[Period, Period]:
    """(the period asked as covered, first..last; the one it is compared with): a whole month against the
    whole month before; a month not over yet against the same days of the month before; any other span
    (last week, the last N days) against as many days right before it."""
    month_first, month_last = _month(asked.first.year, asked.first.month)
    if asked.first == month_first and asked.last == month_last and first == month_first:
        prev_first, prev_last = _month(
            (first - dt.timedelta(days=1)).year, (first - dt.timedelta(days=1)).month
        )
        name = month_label(prev_first)
        if last == month_last:
            return asked, Period(prev_first, prev_last, name)
        end = min(prev_first + (last - first), prev_last)
        now = Period(first, last, f"{asked.label} até {last:%d/%m}")
        return now, Period(prev_first, end, f"os mesmos dias de {name}")
    days = (last - first).days + 1
    before = Period(
        first - dt.timedelta(days=days), first - dt.timedelta(days=1), f"os {days} dias anteriores"
    )
    if asked.label.startswith("semana passada"):
        before = replace(before, label="semana retrasada, de segunda a domingo")
    return Period(first, last, asked.label), before
