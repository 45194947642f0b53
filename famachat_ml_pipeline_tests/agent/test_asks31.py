"""The agent on the first day of a month (edge7): the demo's last day Monday 30/11/2026, today Tuesday 1/12
noon in São Paulo. "Mês passado" is November (was October); "esse mês", "como foi o mês?", "dezembro" say
December has no complete day yet and give November closed (was November, silently); "esse mês vs mês
passado" is November against October (was November against itself, "praticamente igual"); "até o fim do
mês" and a month's spend target look at December, all of it ahead (was "novembro já terminou"). The weeks
and days of that Tuesday are checked too. Figures from the cleaned source, summed here on their own."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from famachat_ml_pipeline.agent.intents_periods import resolve_period
from famachat_ml_pipeline.core.recommendations import format_money
from famachat_ml_pipeline_tests.agent.conftest import DemoDb, _build, clock_at, leads_of
from famachat_ml_pipeline_tests.agent.test_offline_asks14 import _source, _sums
from famachat_ml_pipeline_tests.agent.test_offline_asks18 import _budgets
from famachat_ml_pipeline_tests.agent.test_offline_followups import ACCOUNT, _thread

pytestmark = pytest.mark.timeout(1200)

END = dt.date(2026, 11, 30)  # Monday, the demo's last day; today is Tuesday 1/12, a month's 1st
NOV = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
OCT = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
NOTE = (
    "Hoje (01/12/2026) é dia 1: dezembro de 2026 ainda não tem dia completo, então respondo com novembro "
    "de 2026, fechado."
)


@pytest.fixture(scope="module")
def day1_db(tmp_path_factory: pytest.TempPathFactory) -> DemoDb:
    """The demo up to Monday 30/11/2026, the clock at Tuesday 1/12 noon (São Paulo)."""
    tmp = tmp_path_factory.mktemp("day1")
    return _build(f"sqlite:///{tmp / 'famachat_ml.db'}", tmp, END, clock_at(END))


def _d(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _head(db: DemoDb, label: str, first: dt.date, last: dt.date, leads_first: bool = False) -> str:
    """ "Novembro de 2026 (01/11/2026 a 30/11/2026, 30 dias): R$ X investidos, N leads", summed here."""
    s = _sums(_source(db, ACCOUNT, first, last, db.now), first, last)
    days = (last - first).days + 1
    span = f"{_d(first)}, 1 dia" if days == 1 else f"{_d(first)} a {_d(last)}, {days} dias"
    money, leads = f"{format_money(s['spend'])} investidos", leads_of(s["leads"])
    return f"{label} ({span}): " + (f"{leads}, {money}" if leads_first else f"{money}, {leads}")


def _one(db: DemoDb, question: str) -> tuple[str, list[str]]:
    ((intent, lines),) = _thread(db, db.now, [question])
    return intent, lines


def test_the_clock_is_a_months_first(day1_db: DemoDb) -> None:
    assert day1_db.as_of == END and day1_db.now.date() == dt.date(2026, 12, 1)


# ------------------------------------------------------------ 1. "mês passado" is the month just closed
@pytest.mark.parametrize(
    "question", ["mês passado", "quanto gastei mês passado?", "qnts leads no mes passado"]
)
def test_last_month_on_the_first_is_the_month_just_closed(day1_db: DemoDb, question: str) -> None:
    """Was October (the month before the last complete day's): on 1 December the buyer means November."""
    intent, lines = _one(day1_db, question)
    assert intent == "performance", lines
    leads_first = "leads" in question
    assert lines[0].startswith(_head(day1_db, "Novembro de 2026", *NOV, leads_first)), lines
    assert not any("outubro" in line.lower() for line in lines), lines


# ------------------------------------------------------------ 2. "esse mês" has no complete day yet
@pytest.mark.parametrize(
    "question",
    [
        "esse mês",
        "quanto gastei esse mês?",
        "como foi o mês?",
        "resumo do mês",
        "quantos leads esse mês?",
        "meta do mês",
        "quanto gastei em dezembro?",
    ],
)
def test_this_month_on_the_first_says_so_and_gives_the_month_closed(day1_db: DemoDb, question: str) -> None:
    """Was November silently (or "Não há dados de dezembro de 2025" for "dezembro"): now one sentence that
    December has no complete day, then November closed, summed here."""
    intent, lines = _one(day1_db, question)
    assert intent in {"performance", "summary"}, lines
    assert lines[0] == NOTE, lines
    assert lines[1].startswith(_head(day1_db, "Novembro de 2026", *NOV, "leads" in question)), lines


@pytest.mark.parametrize(
    "question",
    [
        "esse mês vs mês passado",
        "compara mês passado com esse mês",
        "a conta tá melhor que mês passado?",
        # "o passado": the month understood (was the campaigns' comparison, "diga 2 a 5 campanhas")
        "compara esse mês com o passado",
        "esse mes vs o anterior",
    ],
)
def test_this_month_against_last_on_the_first_is_the_closed_month_against_the_one_before(
    day1_db: DemoDb, question: str
) -> None:
    """Was November against November ("Praticamente igual ... 0%"): now November closed against October,
    the note first; the verdict by their CPLs, summed here."""
    intent, lines = _one(day1_db, question)
    assert intent == "performance", lines
    assert lines[0] == NOTE, lines
    body = lines[1:]
    nov = _sums(_source(day1_db, ACCOUNT, *NOV, day1_db.now), *NOV)
    octo = _sums(_source(day1_db, ACCOUNT, *OCT, day1_db.now), *OCT)
    if "melhor" in question:
        verdict = "Sim" if nov["cpl"] < octo["cpl"] else "Não"
        assert body[0].startswith(
            f"{verdict}: o CPL em novembro de 2026 foi {format_money(nov['cpl'])}, contra "
            f"{format_money(octo['cpl'])} em outubro de 2026"
        ), lines
        body = body[1:]
    assert body[1].startswith(_head(day1_db, "Outubro de 2026", *OCT)), lines
    assert body[2].startswith(_head(day1_db, "Novembro de 2026", *NOV)), lines
    # 31 days against 30: compared per day, not by the totals (agent38), said before the months (agent42)
    assert body[0].startswith(
        "Como os períodos têm tamanhos diferentes (31 contra 30 dias com dados), comparo por dia, não pelos "
        "totais. De outubro de 2026 para novembro de 2026: "
    ), lines


# ------------------------------------------------------------ 3. the month's end is December's
@pytest.mark.parametrize("question", ["quanto vou gastar até o fim do mês?", "qnts leads ate o fim do mes?"])
def test_the_months_end_on_the_first_is_this_months(day1_db: DemoDb, question: str) -> None:
    """Was "Novembro de 2026 já terminou": on 1 December all of December is ahead."""
    intent, lines = _one(day1_db, question)
    assert intent == "forecast", lines
    assert not any("já terminou" in line for line in lines), lines
    # the whole of December: the stored forecast, then its pace per day to the 31st (agent38)
    assert re.match(r"Dezembro de 2026 deve (fechar em|fechar com) cerca de .* até 31/12/2026: ", lines[0]), (
        lines
    )
    assert any("o mês vai até 31/12/2026" in line for line in lines), lines


def test_a_month_target_on_the_first_is_spread_over_the_whole_month(day1_db: DemoDb) -> None:
    """Was "Novembro de 2026 já terminou" and no target: now the target over December's 31 days."""
    intent, lines = _one(day1_db, "quanto posso gastar por dia pra fechar o mês em 30 mil?")
    assert intent == "forecast", lines
    assert lines[0].startswith(
        f"Para fechar dezembro de 2026 em {format_money(30000)}: até {format_money(30000 / 31)} por dia nos "
        "31 dias que faltam (01/12/2026 a 31/12/2026"
    ), lines


def test_the_budgets_pace_on_the_first_is_over_the_whole_month(day1_db: DemoDb) -> None:
    """ "quanto falta gastar no mês?": the daily budgets' pace over December's 31 days (was left out: 0 days
    left, the month of the last complete day being over)."""
    total = sum(_budgets(day1_db)[0].values())
    intent, lines = _one(day1_db, "quanto falta gastar no mês?")
    assert intent == "forecast", lines
    assert lines[1] == (
        f"- No ritmo dos orçamentos diários das campanhas ativas ({format_money(total)}/dia), os 31 dias que "
        f"faltam no mês (01/12/2026 a 31/12/2026): até {format_money(total * 31)}."
    ), lines


def test_december_ahead_is_this_decembers(day1_db: DemoDb) -> None:
    intent, lines = _one(day1_db, "quanto vou gastar em dezembro?")
    assert intent == "month_ahead", lines
    assert "dezembro de 2026" in lines[0] and "2025" not in "\n".join(lines), lines


# ------------------------------------------------------------ 4. the week and the days of that Tuesday
@pytest.mark.parametrize(
    ("question", "label", "first", "last"),
    [
        (
            "semana passada",
            "Semana passada, de segunda a domingo",
            dt.date(2026, 11, 23),
            dt.date(2026, 11, 29),
        ),
        ("essa semana", "Esta semana, só segunda", END, END),
        ("desde segunda", "O período desde segunda", END, END),
    ],
)
def test_the_weeks_on_a_tuesday(
    day1_db: DemoDb, question: str, label: str, first: dt.date, last: dt.date
) -> None:
    intent, lines = _one(day1_db, question)
    assert intent == "performance", lines
    assert lines[0].startswith(_head(day1_db, label, first, last)), lines


def test_yesterday_is_the_months_last_day(day1_db: DemoDb) -> None:
    s = _sums(_source(day1_db, ACCOUNT, END, END, day1_db.now), END, END)
    intent, lines = _one(day1_db, "ontem")
    assert intent == "performance", lines
    assert lines[0].startswith(
        f"Em 30/11/2026: {format_money(s['spend'])} investidos, {leads_of(s['leads'])}"
    )


def test_follow_ups_on_the_first(day1_db: DemoDb) -> None:
    """ "quanto gastei mês passado?" then "e esse mês?" then "e ontem?": November, the note and November
    again, then 30/11."""
    (_, a), (_, b), (_, c) = _thread(
        day1_db, day1_db.now, ["quanto gastei mês passado?", "e esse mês?", "e ontem?"]
    )
    head = _head(day1_db, "Novembro de 2026", *NOV)
    assert a[0].startswith(head), a
    assert b[0] == NOTE and b[1].startswith(head), b
    assert c[0].startswith("Em 30/11/2026: "), c


# ------------------------------------------------------------ 5. the rule itself, at a year's turn too
@pytest.mark.parametrize(
    ("ref", "through", "first", "last", "noted"),
    [
        ("mes passado", dt.date(2026, 11, 30), dt.date(2026, 11, 1), dt.date(2026, 11, 30), False),
        ("esse mes", dt.date(2026, 11, 30), dt.date(2026, 11, 1), dt.date(2026, 11, 30), True),
        ("dezembro", dt.date(2026, 11, 30), dt.date(2026, 11, 1), dt.date(2026, 11, 30), True),
        ("mes passado", dt.date(2026, 12, 31), dt.date(2026, 12, 1), dt.date(2026, 12, 31), False),
        ("esse mes", dt.date(2026, 12, 31), dt.date(2026, 12, 1), dt.date(2026, 12, 31), True),
        ("janeiro", dt.date(2026, 12, 31), dt.date(2026, 12, 1), dt.date(2026, 12, 31), True),
        ("dezembro", dt.date(2026, 12, 31), dt.date(2026, 12, 1), dt.date(2026, 12, 31), False),
        # not a 1st: unchanged
        ("mes passado", dt.date(2026, 11, 29), dt.date(2026, 10, 1), dt.date(2026, 10, 31), False),
        ("esse mes", dt.date(2026, 11, 29), dt.date(2026, 11, 1), dt.date(2026, 11, 30), False),
        ("dezembro", dt.date(2026, 11, 29), dt.date(2025, 12, 1), dt.date(2025, 12, 31), False),
    ],
)
def test_months_are_read_by_todays_calendar(
    ref: str, through: dt.date, first: dt.date, last: dt.date, noted: bool
) -> None:
    p = resolve_period(ref, through)
    assert p is not None and (p.first, p.last, bool(p.note)) == (first, last, noted), p


def test_this_month_vs_last_on_a_years_first_day() -> None:
    """On 1/1/2027: December 2026 closed against November 2026, not December against itself."""
    from famachat_ml_pipeline.agent.intents_periods import resolve_periods  # new: imported here, so the
    # other tests run (and fail by their answers) on the code before it

    before, now = sorted(
        resolve_periods(["esse mes", "mes passado"], dt.date(2026, 12, 31)), key=lambda p: p.first
    )
    assert (before.first, before.last, now.first, now.last) == (
        dt.date(2026, 11, 1),
        dt.date(2026, 11, 30),
        dt.date(2026, 12, 1),
        dt.date(2026, 12, 31),
    )
    assert (now.first, now.last) != (before.first, before.last)


def test_a_first_that_is_a_monday_has_no_complete_day_of_either() -> None:
    """Monday 1/2/2027: this week and this month both have no complete day: last week and January, each
    with its note."""
    through = dt.date(2027, 1, 31)
    week, month = resolve_period("essa semana", through), resolve_period("esse mes", through)
    assert week is not None and (week.first, week.last) == (dt.date(2027, 1, 25), through) and week.note
    assert month is not None and (month.first, month.last) == (dt.date(2027, 1, 1), through) and month.note


# ------------------------------------------------------------ 6. a Monday (the default demo: today 30/11)
@pytest.mark.parametrize("question", ["essa semana", "quanto gastei essa semana?", "desde segunda"])
def test_this_week_on_a_monday_is_last_week(demo_db: DemoDb, question: str) -> None:
    """Today Monday 30/11, the last complete day Sunday 29/11: "essa semana" has no complete day (said
    first) and is last week, Monday to Sunday; "desde segunda" is last Monday's, 23/11 to 29/11."""
    today = demo_db.now.date()
    assert today.weekday() == 0
    first, last = today - dt.timedelta(days=7), today - dt.timedelta(days=1)
    intent, lines = _one(demo_db, question)
    assert intent == "performance", lines
    if question == "desde segunda":
        assert lines[0].startswith(_head(demo_db, "O período desde segunda", first, last)), lines
        return
    assert lines[0] == (
        f"Hoje ({_d(today)}) é segunda: esta semana ainda não tem dia completo, então respondo com a semana "
        "passada, de segunda a domingo."
    ), lines
    assert lines[1].startswith(_head(demo_db, "Semana passada, de segunda a domingo", first, last)), lines
