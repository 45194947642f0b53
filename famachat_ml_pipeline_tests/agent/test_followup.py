"""The follow-up resolver on its own (pure): what an elliptical question carries from the last one."""

from __future__ import annotations

import pytest

from famachat_ml_pipeline.agent.followup import is_elliptical, resolve_followup
from famachat_ml_pipeline.agent.intents import classify_intent
from famachat_ml_pipeline.agent.types import ChatTurn


def _thread(*questions: str) -> list[ChatTurn]:
    """A thread of these questions, each followed by some answer (the answers carry nothing)."""
    return [t for q in questions for t in (ChatTurn("user", q), ChatTurn("assistant", "Resposta."))]


@pytest.mark.parametrize(
    "message",
    ["e da campanha 5?", "e anteontem?", "e o gasto?", "e o CTR?", "e pra campanha 5?", "e semana passada?"]
    + ["E a Campanha 3?", "anteontem?", "campanha 5?", "e quantos leads?"],
)
def test_elliptical_questions(message: str) -> None:
    assert is_elliptical(message)


@pytest.mark.parametrize(
    "message",
    [
        "quais campanhas estão pausadas?",
        "e quais campanhas estão pausadas?",  # its own intent, after "e"
        "e o CTR caiu?",  # the CTR's move: its own question
        "qual o CPL da campanha 12 ontem?",
        "oi",
        "e aí?",  # names nothing to carry
        "como está a conta no mês passado comparada?",
    ],
)
def test_questions_of_their_own_are_not_elliptical(message: str) -> None:
    assert not is_elliptical(message)


def test_the_campaign_then_the_day_then_the_figure_are_replaced() -> None:
    first = "qual o CPL da campanha 12 ontem?"
    second = resolve_followup("e da campanha 5?", _thread(first))
    assert second is not None
    assert (second.name, second.keyword, second.names, second.day_ref) == (
        "campaign_details",
        "performance",
        ("5",),
        "ontem",
    )
    third = resolve_followup("e anteontem?", _thread(first, "e da campanha 5?"))
    assert third is not None and (third.names, third.day_ref) == (("5",), "anteontem")
    fourth = resolve_followup("e o gasto?", _thread(first, "e da campanha 5?", "e anteontem?"))
    assert fourth is not None
    assert (fourth.name, fourth.names, fourth.day_ref, fourth.metric) == (
        "campaign_details",
        ("5",),
        "anteontem",
        "cpl_high",
    )


def test_a_period_replaces_the_day_and_an_account_question_becomes_the_campaigns() -> None:
    first = "quantos leads essa semana?"
    week = resolve_followup("e semana passada?", _thread(first))
    assert week is not None
    assert (week.name, week.metric, week.period_ref, week.day_ref) == (
        "performance",
        "leads",
        "semana passada",
        None,
    )
    campaign = resolve_followup("e a campanha 3?", _thread(first, "e semana passada?"))
    assert campaign is not None
    assert (campaign.name, campaign.keyword, campaign.names, campaign.period_ref, campaign.metric) == (
        "campaign_details",
        "performance",
        ("3",),
        "semana passada",
        "leads",
    )
    day = resolve_followup("e ontem?", _thread("qual o gasto do mes passado?"))
    assert day is not None and (day.day_ref, day.period_ref) == ("ontem", None)


def test_a_figure_swaps_the_move_asked_or_leads_the_figures() -> None:
    move = resolve_followup("e o CTR?", _thread("o CPL subiu essa semana?"))
    assert move is not None and (move.name, move.metric) == ("trends", "week_ctr_up")
    figures = resolve_followup("e o CTR?", _thread("quanto gastei ontem?"))
    assert figures is not None and (figures.name, figures.metric, figures.day_ref) == (
        "performance",
        "ctr",
        "ontem",
    )
    leads = resolve_followup("e quantos leads?", _thread("qual o CPL ontem?"))
    assert leads is not None and (leads.metric, leads.day_ref) == ("leads", "ontem")


def test_a_campaign_question_that_keeps_its_campaign_keeps_its_intent() -> None:
    recs = resolve_followup("e da campanha 7?", _thread("quais as recomendações da campanha 4?"))
    assert recs is not None and (recs.name, recs.names) == ("recommendations", ("7",))


def test_a_question_of_its_own_and_no_history_are_read_as_they_stand() -> None:
    thread = _thread("qual o CPL da campanha 12 ontem?")
    assert resolve_followup("quais campanhas estão pausadas?", thread) is None
    assert resolve_followup("e quais campanhas estão pausadas?", thread) is None
    assert resolve_followup("e anteontem?", []) is None


@pytest.mark.parametrize(
    "thread",
    [
        [ChatTurn("assistant", "Olá! Pergunte sobre a sua conta.")],  # no question before
        _thread("oi"),  # the help menu's: nothing to carry
    ],
)
def test_an_elliptical_question_with_nothing_before_reads_as_it_stands(thread: list[ChatTurn]) -> None:
    assert resolve_followup("e ontem?", thread) is None


def test_a_follow_up_of_a_follow_up_is_bounded() -> None:
    # 30 follow-ups in a row: read back at most MAX_DEPTH, the oldest read as it stands
    questions = ["qual o CPL da campanha 12 ontem?", *(["e anteontem?", "e ontem?"] * 15)]
    resolved = resolve_followup("e o gasto?", _thread(*questions))
    assert resolved is not None and resolved.day_ref == "ontem"
    # past the bound the oldest follow-up read is taken as it stands: the account's day, no campaign
    assert classify_intent("e ontem?").name == "performance" and resolved.names == ()


def test_dela_is_the_campaign_whose_status_line_follows_the_days_figures() -> None:
    """A campaign asked for a day leads with that day's figures, its status line (with its id) after:
    "dela" is that campaign, not the words of the question ("12 fez ontem")."""
    answer = (
        "Em 29/11/2026, “[LEAD] Campanha 12 - Público 5”: R$ 85,61 investidos, 18 leads, CPL R$ 4,76.\n"
        "“[LEAD] Campanha 12 - Público 5” (120200000110000012), status ACTIVE, tier moderado."
    )
    thread = [ChatTurn("user", "quantos leads a campanha 12 fez ontem?"), ChatTurn("assistant", answer)]
    resolved = resolve_followup("pq o cpl dela subiu?", thread)
    assert resolved is not None and resolved.campaign_id == "120200000110000012", resolved
    assert resolved.day_ref is None  # the question's "ontem" is not carried into the why


def test_dela_after_a_list_is_no_one_campaign() -> None:
    """A list's first campaign is not "dela": only a campaign's own status line names it."""
    answer = (
        "5 campanhas estão com baixa performance (UNDERPERFORMER) em 29/11/2026:\n"
        "- “[LEAD] Campanha 3 - Público 3” (120200000070000003): R$ 812,84 gastos, 20 leads, CPL R$ 40,64."
    )
    thread = [ChatTurn("user", "quais campanhas estão indo mal?"), ChatTurn("assistant", answer)]
    resolved = resolve_followup("pq o cpl dela subiu?", thread)
    assert resolved is None or resolved.campaign_id != "120200000070000003", resolved
