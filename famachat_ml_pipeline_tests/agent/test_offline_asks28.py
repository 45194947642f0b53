"""The twelfth buyer review (agent32): a campaign's CPL against the account's ("quanto custa um lead na N
comparado com a média?", "tá acima da média?", also as a follow-up); which campaigns fell in leads ("quais
campanhas mais caíram em leads?") or moved their spend; the account's forecast CPL ("qual o cpl previsto?");
the campaigns above the account's CPL; a campaign's share of the account; the spenders with no lead; two
months judged ("novembro foi melhor q outubro?"); two campaigns' CPL gap; "devo pausar a N?" with no cut
advised; "vale a pena aumentar a N?"; "qnto to pagando por lead?". Figures from the cleaned source and the
ml_* tables, read here on their own."""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.core.recommendations import format_money, format_number, format_pct
from famachat_ml_pipeline_tests.agent.conftest import DemoDb, leads_of
from famachat_ml_pipeline_tests.agent.test_offline_asks8 import _d
from famachat_ml_pipeline_tests.agent.test_offline_asks14 import _source, _sums
from famachat_ml_pipeline_tests.agent.test_offline_asks16 import _numbered, _times
from famachat_ml_pipeline_tests.agent.test_offline_asks17 import _sum
from famachat_ml_pipeline_tests.agent.test_offline_asks18 import _one
from famachat_ml_pipeline_tests.agent.test_offline_asks21 import _names, _quoted
from famachat_ml_pipeline_tests.agent.test_offline_asks22 import DAY
from famachat_ml_pipeline_tests.agent.test_offline_followups import ACCOUNT, _thread

pytestmark = pytest.mark.timeout(1200)
MONTHS_PT = (
    *("janeiro", "fevereiro", "março", "abril", "maio", "junho"),
    *("julho", "agosto", "setembro", "outubro", "novembro", "dezembro"),
)


def _week(db: DemoDb) -> tuple[dict[str, dict], dict]:
    """Each campaign's and the account's spend, leads and CPL over the last 7 complete days, summed here."""
    first, last = db.as_of - 6 * DAY, db.as_of
    src = _source(db, ACCOUNT, first, last, db.now)
    per = {
        cid: _sums(src.filter(pl.col("campaign_id") == cid), first, last)
        for cid in src["campaign_id"].unique().sort().to_list()
    }
    return per, _sums(src, first, last)


def _by_number(db: DemoDb) -> dict[str, int]:
    return {cid: n for n, cid in _numbered(db).items()}


def _pct(value: float) -> str:
    return format_pct(value, 0)


# ------------------------------------------------------------ 1. a campaign's CPL against the account's
def _vs_line(name: str, own: dict, acct: dict, first: dt.date, last: dt.date, side: str | None) -> str:
    """The first line the answer must give, written here from the figures summed here."""
    gap = own["cpl"] / acct["cpl"] * 100 - 100
    times = f" ({format_number(own['cpl'] / acct['cpl'], 1)}x)" if gap >= 100 else ""
    pct = _pct(abs(gap))
    when = f"nos 7 dias de {_d(first)} a {_d(last)}"
    if side is None:
        word = f"{pct}{times} mais caro que a conta" if gap > 0 else f"{pct} mais barato que a conta"
        against = f"contra {format_money(acct['cpl'])} de CPL da conta no mesmo período"
    else:
        word = "Sim" if (gap > 0) == (side == "above") else "Não"
        where = f"{pct}{times} acima do" if gap > 0 else f"{pct} abaixo do"
        against = f"{where} CPL da conta no mesmo período ({format_money(acct['cpl'])})"
    return f"{word}: um lead em {_quoted(name)} custou {format_money(own['cpl'])} {when}, {against}."


def _cheap_and_dear(db: DemoDb) -> tuple[str, str]:
    """A numbered campaign below the account's 7-day CPL and one above it (both with leads)."""
    per, acct = _week(db)
    numbered = _by_number(db)
    priced = sorted(
        (
            c
            for c in numbered
            if c in per and per[c]["cpl"] is not None and abs(per[c]["cpl"] / acct["cpl"] - 1) > 0.02
        ),
        key=lambda c: per[c]["cpl"],
    )
    assert priced and per[priced[0]]["cpl"] < acct["cpl"] < per[priced[-1]]["cpl"]
    return priced[0], priced[-1]


@pytest.mark.parametrize("which", ["cheap", "dear"])
def test_a_lead_of_a_campaign_against_the_average_is_its_cpl_against_the_accounts(
    demo_db: DemoDb, which: str
) -> None:
    """Was "Para comparar, diga 2 a 5 campanhas". Now the campaign's 7-day CPL against the account's (its
    spend over its leads) over the same days, the gap in % first."""
    cheap, dear = _cheap_and_dear(demo_db)
    cid = cheap if which == "cheap" else dear
    per, acct = _week(demo_db)
    name, n = _names(demo_db)[cid], _by_number(demo_db)[cid]
    intent, lines = _one(demo_db, f"quanto custa um lead na {n} comparado com a média?")
    assert intent == "campaign_details", lines
    first, last = demo_db.as_of - 6 * DAY, demo_db.as_of
    assert lines[0] == _vs_line(name, per[cid], acct, first, last, None), lines
    assert lines[1] == (
        f"CPL = gasto ÷ leads: a campanha {format_money(per[cid]['spend'])} ÷ {leads_of(per[cid]['leads'])}; "
        f"a conta inteira {format_money(acct['spend'])} ÷ {leads_of(acct['leads'])} (todas as campanhas, "
        "não a média dos CPLs delas)."
    ), lines


@pytest.mark.parametrize("side", ["above", "below"])
def test_a_campaign_asked_above_the_average_says_yes_or_no_first(demo_db: DemoDb, side: str) -> None:
    cheap, dear = _cheap_and_dear(demo_db)
    per, acct = _week(demo_db)
    first, last = demo_db.as_of - 6 * DAY, demo_db.as_of
    word = "acima" if side == "above" else "abaixo"
    for cid in (cheap, dear):
        n = _by_number(demo_db)[cid]
        intent, lines = _one(demo_db, f"o cpl da {n} ta {word} da media?")
        assert intent == "campaign_details", lines
        assert lines[0] == _vs_line(_names(demo_db)[cid], per[cid], acct, first, last, side), lines


def test_the_average_asked_after_a_campaign_is_that_campaigns_cpl_against_the_accounts(
    demo_db: DemoDb,
) -> None:
    """ "como tá a N?" then "e comparado com a média?" (was "diga 2 a 5 campanhas"), and "qual o cpl da N?"
    then "tá acima da média?" (was "Não entendi")."""
    _, dear = _cheap_and_dear(demo_db)
    per, acct = _week(demo_db)
    first, last = demo_db.as_of - 6 * DAY, demo_db.as_of
    name, n = _names(demo_db)[dear], _by_number(demo_db)[dear]
    _, (intent, lines) = _thread(demo_db, demo_db.now, [f"como ta a {n}?", "e comparado com a media?"])
    assert intent == "campaign_details", lines
    assert lines[0] == _vs_line(name, per[dear], acct, first, last, None), lines
    _, (intent, lines) = _thread(demo_db, demo_db.now, [f"qual o cpl da {n}?", "ta acima da media?"])
    assert intent == "campaign_details", lines
    assert lines[0] == _vs_line(name, per[dear], acct, first, last, "above"), lines


def test_the_campaigns_above_the_average_are_those_past_the_accounts_cpl(demo_db: DemoDb) -> None:
    """Was the account's 7-day trends. Now exactly the campaigns whose 7-day CPL is above the account's."""
    per, acct = _week(demo_db)
    above = {c for c, x in per.items() if x["cpl"] is not None and x["cpl"] > acct["cpl"]}
    assert above
    intent, lines = _one(demo_db, "quais campanhas tao acima da media de cpl?")
    assert intent == "cpl_rank", lines
    assert lines[0] == (
        f"{len(above)} campanha{'s' if len(above) != 1 else ''} com CPL acima do CPL da conta "
        f"({format_money(acct['cpl'])}, gasto total ÷ leads totais) nos 7 dias até {_d(demo_db.as_of)}:"
    ), lines
    listed = {re.search(r"\((\d+)\): ", x).group(1) for x in lines if x.startswith("- ")}
    assert listed == above, (listed, above)


def test_a_campaigns_share_is_its_part_of_the_accounts_spend_and_leads(demo_db: DemoDb) -> None:
    """Was the campaign's card alone. Now its share of the account's 7-day spend and leads."""
    _, dear = _cheap_and_dear(demo_db)
    per, acct = _week(demo_db)
    name, n = _names(demo_db)[dear], _by_number(demo_db)[dear]
    own = per[dear]
    spend = (
        f"{_pct(own['spend'] / acct['spend'] * 100)} do gasto ({format_money(own['spend'])} de "
        f"{format_money(acct['spend'])})"
    )
    leads = (
        f"{_pct(own['leads'] / acct['leads'] * 100)} dos leads ({own['leads']} de {leads_of(acct['leads'])})"
    )
    when = f"nos 7 dias de {_d(demo_db.as_of - 6 * DAY)} a {_d(demo_db.as_of)}"
    intent, lines = _one(demo_db, f"qual a participacao da {n} no gasto total?")
    assert intent == "campaign_details", lines
    assert lines[0] == f"{_quoted(name)} {when}: {spend} e {leads} da conta.", lines
    _, lines = _one(demo_db, f"quantos % dos leads vem da {n}?")
    assert lines[0] == f"{_quoted(name)} {when}: {leads} e {spend} da conta.", lines


# ------------------------------------------------------------ 2. which campaigns fell in leads / spend
def _spans(line: str) -> tuple[tuple[dt.date, dt.date], tuple[dt.date, dt.date]]:
    found = re.findall(r"\((\d\d/\d\d/\d{4}) a (\d\d/\d\d/\d{4})\)", line)
    days = [tuple(dt.datetime.strptime(x, "%d/%m/%Y").date() for x in pair) for pair in found[:2]]
    return days[0], days[1]


def _moves(db: DemoDb, line: str, key: str) -> tuple[dict[str, tuple[float, float]], tuple]:
    """Each campaign's (newer, older) `key` summed here over the two spans the answer states."""
    (nf, nl), (of, ol) = spans = _spans(line)
    assert (nl - nf).days == (ol - of).days and nf - of == dt.timedelta(days=7)
    src = _source(db, ACCOUNT, of, nl, db.now)
    out = {}
    for cid in src["campaign_id"].unique().to_list():
        c = src.filter(pl.col("campaign_id") == cid)
        new, old = _sums(c, nf, nl), _sums(c, of, ol)
        if new["rows"] and old["rows"]:
            out[cid] = (float(new[key]), float(old[key]))
    return out, spans


@pytest.mark.parametrize(
    "question",
    [
        "quais campanhas mais caíram em leads?",
        "qual campanha mais caiu em leads?",
        "quais campanhas perderam mais leads?",
    ],
)
def test_the_campaigns_that_fell_most_in_leads_are_ranked_by_that_fall(
    demo_db: DemoDb, question: str
) -> None:
    """Was "Não entendi" (and "mais caiu em leads" ranked the CPL's fall). Now the campaign that lost the
    most leads between the two weeks stated, ties broken by the larger fall in %."""
    intent, lines = _one(demo_db, question)
    assert intent == "trends", lines
    assert lines[0].startswith("A campanha que mais perdeu leads "), lines
    moves, _ = _moves(demo_db, lines[0], "leads")
    fell = {c: (new - old, (new - old) / old) for c, (new, old) in moves.items() if new < old}
    assert fell
    pick = min(fell, key=lambda c: fell[c])
    new, old = moves[pick]
    assert f"{_quoted(_names(demo_db)[pick])} ({pick}): " in lines[0], (lines, fell)
    assert (
        f"leads {int(old)} → {int(new)} ({int(new - old)}, -{_pct(abs(fell[pick][1]) * 100)})" in lines[0]
    ), lines


def test_the_campaign_with_the_largest_rise_in_spend_is_named(demo_db: DemoDb) -> None:
    """Was the account's trends. Now the campaign whose spend rose most between the weeks stated."""
    intent, lines = _one(demo_db, "qual campanha teve o maior aumento de gasto?")
    assert intent == "trends", lines
    assert lines[0].startswith("A campanha que mais aumentou o gasto "), lines
    moves, _ = _moves(demo_db, lines[0], "spend")
    pick = max(moves, key=lambda c: moves[c][0] - moves[c][1])
    new, old = moves[pick]
    assert new > old
    assert (
        f"{_quoted(_names(demo_db)[pick])} ({pick}): gasto {format_money(old)} → {format_money(new)} "
        in (lines[0])
    ), lines
    assert f"(+{format_money(new - old)}, +{_pct((new / old - 1) * 100)})" in lines[0], lines


def test_campaigns_that_fell_with_no_figure_named_are_those_that_got_worse(demo_db: DemoDb) -> None:
    """ "quais campanhas caíram?" reads as worse (the CPL up), not as the CPL falling (good news)."""
    intent, lines = _one(demo_db, "quais campanhas cairam?")
    assert intent == "trends", lines
    assert lines[0].startswith("A campanha que mais piorou pelo CPL "), lines


# ------------------------------------------------------------ 3. the account's forecast CPL
@pytest.mark.parametrize("question", ["qual o cpl previsto?", "cpl previsto pra semana?"])
def test_the_accounts_forecast_cpl_is_the_forecast_spend_over_the_forecast_leads(
    demo_db: DemoDb, question: str
) -> None:
    """Was the leads and spend forecast with no CPL. Now the stored spend over the stored leads of the
    horizon, "cerca de", said as the ratio of two forecasts, with the 7 days' CPL beside it."""
    through = demo_db.as_of
    first, last = through + DAY, through + 7 * DAY
    spend, leads = _sum(demo_db, "spend", first, last)[0], _sum(demo_db, "leads", first, last)[0]
    now = _sums(
        _source(demo_db, ACCOUNT, through - 6 * DAY, through, demo_db.now), through - 6 * DAY, through
    )
    intent, lines = _one(demo_db, question)
    assert intent == "forecast", lines
    assert lines[0] == (
        f"CPL previsto da conta de {_d(first)} a {_d(last)}: cerca de {format_money(spend / leads)}; "
        f"nos 7 dias de {_d(through - 6 * DAY)} a {_d(through)} foi {format_money(now['cpl'])}."
    ), lines
    assert lines[1] == (
        "É a razão de duas previsões, não uma previsão do CPL: gasto previsto "
        f"(cerca de {format_money(spend)}) ÷ leads previstos (cerca de {format_number(round(leads), 0)}), "
        "somados nas campanhas e dias."
    ), lines


# ------------------------------------------------------------ 4. the spenders with no lead
@pytest.mark.parametrize(
    "question",
    ["qual a campanha que mais gastou sem trazer lead?", "qual campanha torrou mais grana sem converter?"],
)
def test_the_top_spender_with_no_lead_is_one_with_no_lead(demo_db: DemoDb, question: str) -> None:
    """Was the top spender of the 7 days, whatever its leads. Now only those that spent with no lead."""
    per, _ = _week(demo_db)
    idle = {c for c, x in per.items() if x["spend"] > 0 and x["leads"] == 0}
    intent, lines = _one(demo_db, question)
    assert intent == "underperformers", lines
    if not idle:
        assert lines[0].startswith("Nenhuma campanha gastou sem gerar lead nos 7 dias"), lines
    else:
        named = set(re.findall(r"\((\d{6,})\)", "\n".join(lines)))
        assert named and named <= idle, (named, idle)


# ------------------------------------------------------------ 5. two months judged
def _month_cpl(db: DemoDb, year: int, month: int) -> float:
    first = dt.date(year, month, 1)
    last = min((first + 32 * DAY).replace(day=1) - DAY, db.as_of)
    return _sums(_source(db, ACCOUNT, first, last, db.now), first, last)["cpl"]


@pytest.mark.parametrize("newer_first", [True, False])
def test_a_month_judged_better_than_another_says_yes_or_no_first(demo_db: DemoDb, newer_first: bool) -> None:
    """Was the campaigns ranked in the first month named. Now the two months, the verdict first, of the
    month asked first."""
    this = demo_db.as_of.replace(day=1)
    prev = (this - DAY).replace(day=1)
    new_cpl, old_cpl = _month_cpl(demo_db, this.year, this.month), _month_cpl(demo_db, prev.year, prev.month)
    a, b = (this, prev) if newer_first else (prev, this)
    question = f"o cpl de {MONTHS_PT[a.month - 1]} foi melhor q {MONTHS_PT[b.month - 1]}?"
    intent, lines = _one(demo_db, question)
    assert intent == "performance", lines
    change = (new_cpl / old_cpl - 1) * 100
    if round(change) == 0:
        assert lines[0].startswith("Praticamente igual: "), lines
        return
    asked_better = (new_cpl < old_cpl) if newer_first else (old_cpl < new_cpl)
    assert lines[0].startswith(("Sim: " if asked_better else "Não: ") + "o CPL em "), lines
    assert f"{format_money(new_cpl)}, contra {format_money(old_cpl)}" in lines[0], lines


# ------------------------------------------------------------ 6. two campaigns' CPL gap
def test_the_cpl_difference_of_two_campaigns_is_said_first(demo_db: DemoDb) -> None:
    """Was the first campaign's card alone. Now both compared, the gap in money and % first."""
    cheap, dear = _cheap_and_dear(demo_db)
    per, _ = _week(demo_db)
    num = _by_number(demo_db)
    names = _names(demo_db)
    low, high = round(per[cheap]["cpl"], 2), round(per[dear]["cpl"], 2)
    intent, lines = _one(demo_db, f"qual a diferenca de cpl entre a {num[dear]} e a {num[cheap]}?")
    assert intent == "compare", lines
    assert lines[0] == (
        f"Diferença de CPL nos 7 dias: {_quoted(names[cheap])} sai {format_money(high - low)} mais barato "
        f"por lead que {_quoted(names[dear])} ({format_money(low)} contra {format_money(high)}, "
        f"{_pct((1 - low / high) * 100)} a menos)."
    ), lines


# ------------------------------------------------------------ 7. "devo pausar a N?" with no cut advised
def _advice(db: DemoDb) -> dict[str, set[str]]:
    with db.engine.connect() as c:
        rows = c.execute(
            sa.text(
                "select entity_id, recommendation_type from ml_recommendations where config_id = :a "
                "and is_active and not dismissed"
            ),
            {"a": ACCOUNT},
        ).all()
    out: dict[str, set[str]] = {}
    for cid, kind in rows:
        out.setdefault(cid, set()).add(kind)
    return out


def _tiers(db: DemoDb) -> dict[str, str]:
    with db.engine.connect() as c:
        rows = c.execute(
            sa.text(
                "select campaign_id, tier from ml_campaign_classifications where config_id = :a and "
                "classified_at = (select max(classified_at) from ml_campaign_classifications "
                "where config_id = :a)"
            ),
            {"a": ACCOUNT},
        ).all()
    return {r[0]: r[1] for r in rows}


def test_a_pause_asked_with_no_cut_advised_gives_the_verdict_first(demo_db: DemoDb) -> None:
    """Was the campaign's advice list (or "nenhuma recomendação") with no verdict. Now "Vale considerar..."
    for a critical campaign or one far above the account's CPL, else "Não", the ratio said as x."""
    advice, tiers = _advice(demo_db), _tiers(demo_db)
    per, acct = _week(demo_db)
    cut = {"PAUSE_CAMPAIGN", "BUDGET_DECREASE", "SCALE_UP", "BUDGET_INCREASE"}
    seen = set()
    for cid, n in sorted(_by_number(demo_db).items(), key=lambda x: x[1]):
        if advice.get(cid, set()) & cut or cid not in per or per[cid]["cpl"] is None:
            continue
        ratio = per[cid]["cpl"] / acct["cpl"]
        weak = tiers.get(cid) == "UNDERPERFORMER" or ratio >= 2.0
        intent, lines = _one(demo_db, f"devo pausar a {n}?")
        assert intent == "recommendations", lines
        name = _quoted(_names(demo_db)[cid])
        x = _times(ratio).removesuffix("x")  # one rounding everywhere (agent33)
        if weak:
            assert lines[0].startswith(
                "Vale considerar pausar ou reduzir o orçamento: o pipeline não recomenda pausar "
                f"{name} agora, mas ela "
            ), lines
        else:
            assert lines[0] == (
                f"Não: o pipeline não recomenda pausar nem reduzir {name}; o CPL dela "
                f"({format_money(per[cid]['cpl'])}) é {x}x o da conta ({format_money(acct['cpl'])})."
            ), lines
        seen.add(weak)
    assert seen, "no campaign without cut or scale advice"


def test_worth_raising_a_campaign_is_the_scale_verdict(demo_db: DemoDb) -> None:
    """ "vale a pena aumentar a N?" was the advice list; now the scale verdict ("Sim"/"Não") first."""
    _, dear = _cheap_and_dear(demo_db)
    intent, lines = _one(demo_db, f"vale a pena aumentar a {_by_number(demo_db)[dear]}?")
    assert intent == "recommendations", lines
    assert lines[0].startswith(("Sim: ", "Não: ")), lines


# ------------------------------------------------------------ 8. the CPL in a buyer's words
@pytest.mark.parametrize("question", ["qnto to pagando por lead?", "quanto ta saindo o lead?"])
def test_paying_per_lead_is_the_cpl(demo_db: DemoDb, question: str) -> None:
    """Was "Não entendi". Now the account's 7-day CPL first."""
    _, acct = _week(demo_db)
    intent, lines = _one(demo_db, question)
    assert intent == "performance", lines
    assert lines[0].startswith(
        f"CPL da conta: {format_money(acct['cpl'])} nos 7 dias até {_d(demo_db.as_of)}"
    ), lines


# ------------------------------------------------------------ 9. whether campaigns still spend
INACTIVE = {"PAUSED", "DELETED", "ARCHIVED", "CAMPAIGN_PAUSED", "ADSET_PAUSED"}


def _spent_on(db: DemoDb, day: dt.date) -> dict[str, float]:
    """Each campaign's valid spend of one day in the cleaned source (no row: no spend)."""
    d = _source(db, ACCOUNT, day, day, db.now)
    return {c: float(d.filter(pl.col("campaign_id") == c)["spend"].sum()) for c in d["campaign_id"].unique()}


def _active(db: DemoDb) -> set[str]:
    with db.engine.connect() as c:
        rows = c.execute(
            sa.text(
                "select campaign_id, status, effective_status from sistema_facebook_ads_campaigns "
                "where config_id = :a"
            ),
            {"a": ACCOUNT},
        ).all()
    return {r[0] for r in rows if r[1] not in INACTIVE and r[2] not in INACTIVE}


def test_a_campaign_asked_if_it_stopped_spending_is_yes_or_no_from_its_days(demo_db: DemoDb) -> None:
    """Was its card. Now "Não" with its spend of the last complete day (or "Sim" with its last spend)."""
    spent = _spent_on(demo_db, demo_db.as_of)
    numbered = _by_number(demo_db)
    cid = max((c for c in numbered if spent.get(c, 0) > 0), key=lambda c: spent[c])
    intent, lines = _one(demo_db, f"a {numbered[cid]} parou de gastar?")
    assert intent == "campaign_details", lines
    assert lines[0].startswith(
        f"Não: {_quoted(_names(demo_db)[cid])} gastou {format_money(spent[cid])} em {_d(demo_db.as_of)}, "
        "o último dia completo."
    ), lines
    idle = [c for c in numbered if spent.get(c, 0) <= 0]
    for cid in idle[:2]:  # stopped ones: the last day with spend, read here back over 14 days
        src = _source(demo_db, ACCOUNT, demo_db.as_of - 13 * DAY, demo_db.as_of, demo_db.now)
        mine = src.filter((pl.col("campaign_id") == cid) & (pl.col("spend") > 0))
        _, lines = _one(demo_db, f"a {numbered[cid]} parou de gastar?")
        name = _quoted(_names(demo_db)[cid])
        if mine.height == 0:
            assert lines[0].startswith(f"Sim: {name} não gastou nada de "), lines
        else:
            last = mine["date"].max()
            assert lines[0].startswith(
                f"Sim: {name} não gasta desde {_d(last + DAY)}; o último gasto foi "
            ), lines


def test_active_campaigns_without_spend_are_those_with_none_on_the_last_day(demo_db: DemoDb) -> None:
    """Was the whole list of campaigns. Now the active ones with no spend on the last complete day."""
    spent = _spent_on(demo_db, demo_db.as_of)
    active = _active(demo_db)
    stopped = {c for c in active if spent.get(c, 0) <= 0}
    intent, lines = _one(demo_db, "tem alguma campanha ativa sem gastar?")
    assert intent == "list_campaigns", lines
    if not stopped:
        assert lines[0].startswith(
            f"Não: as {len(active)} campanhas ativas gastaram em {_d(demo_db.as_of)}"
        ), lines
        return
    verb = "não gastou" if len(stopped) == 1 else "não gastaram"
    assert lines[0] == (
        f"Sim: {len(stopped)} de {len(active)} campanhas ativas {verb} em {_d(demo_db.as_of)}, "
        "o último dia completo:"
    ), lines
    listed = {re.search(r"\((\d+)\): ", x).group(1) for x in lines[1:] if x.startswith("- ")}
    assert listed == stopped, (listed, stopped)


def test_worth_it_asked_of_a_campaign_is_its_cpl_verdict(demo_db: DemoDb) -> None:
    """ "tá valendo a pena a N?" was the card; now the verdict "a N tá boa?" gives, first."""
    cheap, dear = _cheap_and_dear(demo_db)
    for cid in (cheap, dear):
        n = _by_number(demo_db)[cid]
        _, good = _one(demo_db, f"a {n} ta boa?")
        intent, lines = _one(demo_db, f"ta valendo a pena a {n}?")
        assert intent == "campaign_details", lines
        assert lines[0] == good[0] and lines[0].startswith(("Sim: CPL", "Não: CPL", "Razoável: CPL")), lines


def test_the_cpl_above_a_number_asked_of_the_account_says_the_accounts_first(demo_db: DemoDb) -> None:
    """ "o cpl tá acima de N?" listed only campaigns; now the account's 7-day CPL against N first."""
    _, acct = _week(demo_db)
    for limit in (int(acct["cpl"]) + 5, max(int(acct["cpl"]) - 5, 1)):
        intent, lines = _one(demo_db, f"o cpl ta acima de {limit}?")
        assert intent == "cpl_rank", lines
        word, side = ("Sim", "acima") if acct["cpl"] > limit else ("Não", "abaixo")
        assert lines[0] == (
            f"{word}: o CPL da conta nos 7 dias até {_d(demo_db.as_of)} foi {format_money(acct['cpl'])}, "
            f"{side} de {format_money(limit)}. Por campanha:"
        ), lines


@pytest.mark.parametrize(
    ("question", "key"),
    [("quantos leads eu perdi essa semana?", "leads"), ("quanto gastei a mais essa semana?", "spend")],
)
def test_what_was_lost_or_spent_beyond_this_week_is_the_weeks_move(
    demo_db: DemoDb, question: str, key: str
) -> None:
    """Was the week's figures alone. Now the week against the one before, yes or no first."""
    intent, lines = _one(demo_db, question)
    assert intent == "trends", lines
    (nf, nl), (of, ol) = _spans(lines[0])
    src = _source(demo_db, ACCOUNT, of, nl, demo_db.now)
    new, old = _sums(src, nf, nl)[key], _sums(src, of, ol)[key]
    assert new != old
    if key == "leads":
        gap = leads_of(abs(new - old))
        word = f"Sim: a conta perdeu {gap}" if new < old else f"Não: a conta ganhou {gap}"
        assert lines[0].startswith(word), lines
        assert f"{new} de " in lines[0] and f"contra {old} " in lines[0], lines
    else:
        word = "Sim: o gasto da conta subiu" if new > old else "Não: o gasto da conta caiu"
        assert lines[0].startswith(word), lines
        assert f"{format_money(new)} de " in lines[0] and f"contra {format_money(old)} " in lines[0], lines


# ------------------------------------------------------------ 10. follow-ups: by pronoun, after a comparison
def test_dela_against_the_average_after_the_worst_campaign_is_that_campaigns(demo_db: DemoDb) -> None:
    """ "qual a pior campanha?" then "quanto custa o lead dela comparado com a média?" was "Não encontrei a
    Campanha <its id> nesta conta"; now that campaign's CPL against the account's."""
    (_, first), (intent, lines) = _thread(
        demo_db, demo_db.now, ["qual a pior campanha?", "quanto custa o lead dela comparado com a media?"]
    )
    cid = re.search(r"\((\d{6,})\)", first[0]).group(1)
    per, acct = _week(demo_db)
    assert intent == "campaign_details", lines
    name = _names(demo_db)[cid]
    assert lines[0] == _vs_line(name, per[cid], acct, demo_db.as_of - 6 * DAY, demo_db.as_of, None), lines
    _, (intent, lines) = _thread(
        demo_db,
        demo_db.now,
        [f"quanto gastei na {_by_number(demo_db)[cid]} esse mes?", "e o cpl dela ta acima da media?"],
    )
    assert lines[0] == _vs_line(name, per[cid], acct, demo_db.as_of - 6 * DAY, demo_db.as_of, "above"), lines


def test_the_difference_asked_after_a_comparison_is_the_cpl_gap(demo_db: DemoDb) -> None:
    """ "compara a N com a M" then "qual a diferença de cpl?" was the account's trends."""
    cheap, dear = _cheap_and_dear(demo_db)
    num = _by_number(demo_db)
    (_, alone), (intent, lines) = _thread(
        demo_db, demo_db.now, [f"compara a {num[cheap]} com a {num[dear]}", "qual a diferenca de cpl?"]
    )
    assert intent == "compare", lines
    assert lines[0].startswith(f"Diferença de CPL nos 7 dias: {_quoted(_names(demo_db)[cheap])} sai "), lines
    # the gap asked replaces the plain comparison's verdict by the CPL (agent42)
    assert alone[0].startswith("Melhor pelo CPL: "), alone
    assert lines[1:] == alone[1:], (lines, alone)


# ------------------------------------------------------------ 11. two days; the critical tier; A vs B
def test_a_campaigns_day_against_the_day_before_does_not_crash(demo_db: DemoDb) -> None:
    """ "quanto a N gastou ontem comparado com anteontem?" raised ValueError (two names, the day read as
    one); now that campaign's two days, from the source."""
    _, dear = _cheap_and_dear(demo_db)
    y, b = demo_db.as_of, demo_db.as_of - DAY
    src = _source(demo_db, ACCOUNT, b, y, demo_db.now).filter(pl.col("campaign_id") == dear)
    name = _quoted(_names(demo_db)[dear])
    intent, lines = _one(
        demo_db, f"quanto a {_by_number(demo_db)[dear]} gastou ontem comparado com anteontem?"
    )
    assert intent == "campaign_details", lines
    for i, day in enumerate((y, b), start=1):  # after the change (agent42)
        assert lines[i].startswith(
            f"Em {_d(day)}, {name}: {format_money(_sums(src, day, day)['spend'])} investidos"
        ), lines


def test_the_critical_campaigns_asked_in_pt_br_are_the_critical_tier(demo_db: DemoDb) -> None:
    """ "qnts campanhas tão no crítico?" was "Não entendi"; now the campaigns of the critical tier."""
    tiers = _tiers(demo_db)
    critical = {c for c, t in tiers.items() if t == "UNDERPERFORMER"}
    assert critical
    intent, lines = _one(demo_db, "qnts campanhas tao no critico?")
    assert intent == "tier", lines
    assert lines[0].startswith(
        f"{len(critical)} campanha{'s' if len(critical) != 1 else ''} no tier crítico (UNDERPERFORMER)"
    ), lines
    listed = {re.search(r"\((\d+)\): ", x).group(1) for x in lines if x.startswith("- ")}
    assert listed == critical, (listed, critical)


@pytest.mark.parametrize("word", ["melhor", "pior"])
def test_one_campaign_better_than_another_is_their_comparison_verdict_first(
    demo_db: DemoDb, word: str
) -> None:
    """ "a N tá melhor que a M?" was N's card alone; now both compared, the better (worse) one first."""
    cheap, dear = _cheap_and_dear(demo_db)
    num, names = _by_number(demo_db), _names(demo_db)
    intent, lines = _one(demo_db, f"a {num[dear]} ta {word} que a {num[cheap]}?")
    assert intent == "compare", lines
    pick = cheap if word == "melhor" else dear
    assert lines[0].startswith(f"{word.capitalize()}: {_quoted(names[pick])} ({pick}), CPL "), lines


# ------------------------------------------------------------ 12. a multiple of the average; a period kept
@pytest.mark.parametrize(
    ("question", "factor"),
    [
        ("tem campanha com cpl acima do dobro da media?", 2),
        ("quais campanhas tao 3 vezes acima da media?", 3),
    ],
)
def test_a_multiple_of_the_average_is_that_multiple_of_the_accounts_cpl(
    demo_db: DemoDb, question: str, factor: int
) -> None:
    """ "acima do dobro da média" listed every campaign above the account's CPL; now those above 2x it."""
    per, acct = _week(demo_db)
    line = acct["spend"] / acct["leads"] * factor
    above = {c for c, x in per.items() if x["cpl"] is not None and x["cpl"] > line}
    intent, lines = _one(demo_db, question)
    assert intent == "cpl_rank", lines
    if not above:
        assert lines[0].startswith("Nenhuma campanha teve CPL acima de "), lines
        return
    assert lines[0].startswith(
        f"{len(above)} campanha{'s' if len(above) != 1 else ''} com CPL acima de {factor}x o CPL da conta "
        f"({format_money(line)}; CPL da conta {format_money(acct['cpl'])}"
    ), lines
    listed = {re.search(r"\((\d+)\): ", x).group(1) for x in lines if x.startswith("- ")}
    assert listed == above, (listed, above)


def test_a_campaign_against_the_account_over_a_month_asked_keeps_the_month(demo_db: DemoDb) -> None:
    """ "qual o cpl da campanha N esse mes comparado com a conta?" answered over the 7 days; now the month."""
    _, dear = _cheap_and_dear(demo_db)
    first, last = demo_db.as_of.replace(day=1), demo_db.as_of  # the demo's 70 days hold the whole month
    src = _source(demo_db, ACCOUNT, first, last, demo_db.now)
    own, acct = _sums(src.filter(pl.col("campaign_id") == dear), first, last), _sums(src, first, last)
    intent, lines = _one(
        demo_db, f"qual o cpl da campanha {_by_number(demo_db)[dear]} esse mes comparado com a conta?"
    )
    assert intent == "campaign_details", lines
    assert f"custou {format_money(own['cpl'])} de {_d(first)} a {_d(last)} (" in lines[0], lines
    assert f"contra {format_money(acct['cpl'])} de CPL da conta no mesmo período." in lines[0], lines


def test_more_spend_and_fewer_leads_is_the_highest_cpl(demo_db: DemoDb) -> None:
    """ "qual campanha tem mais gasto e menos lead?" was the top spender; now the highest 7-day CPL."""
    per, _ = _week(demo_db)
    pick = max((c for c, x in per.items() if x["cpl"] is not None), key=lambda c: per[c]["cpl"])
    intent, lines = _one(demo_db, "qual campanha tem mais gasto e menos lead?")
    assert intent == "cpl_rank", lines
    assert lines[0].startswith(f"Campanha com o maior CPL nos 7 dias até {_d(demo_db.as_of)}: "), lines
    assert f"({pick}): " in lines[0], lines


def test_leads_per_day_asked_is_the_daily_average(demo_db: DemoDb) -> None:
    """ "quantos leads a conta fez por dia essa semana?" gave the week's totals; now the daily average."""
    intent, lines = _one(demo_db, "quantos leads a conta fez por dia essa semana?")
    assert intent == "daily_average", lines
    assert any(x.startswith("Média diária ") for x in lines), lines


def test_tomorrows_forecast_cpl_is_that_days_spend_over_its_leads(demo_db: DemoDb) -> None:
    """ "cpl previsto pra amanhã?" gave the day's leads and spend with no CPL; now their ratio first."""
    tomorrow = demo_db.now.date() + DAY
    spend, leads = (
        _sum(demo_db, "spend", tomorrow, tomorrow)[0],
        _sum(demo_db, "leads", tomorrow, tomorrow)[0],
    )
    intent, lines = _one(demo_db, "cpl previsto pra amanha?")
    assert intent == "forecast", lines
    assert lines[0] == (
        f"CPL previsto da conta para {_d(tomorrow)}: cerca de {format_money(spend / leads)} (gasto previsto "
        "÷ leads previstos do dia: a razão de duas previsões, não uma previsão do CPL)."
    ), lines
