"""Pure parts of the offline agent (no database): pt-BR numbers, intents, reason texts."""

from __future__ import annotations

from famachat_ml_pipeline.agent.tools.quality import REASONS_PT
from famachat_ml_pipeline.source.clean import REJECT_REASONS


def test_every_reject_reason_has_a_pt_br_text() -> None:
    # an answer must never show a raw English key such as `bad_date`
    assert set(REJECT_REASONS) <= set(REASONS_PT)
    assert all(REASONS_PT[k] and "_" not in REASONS_PT[k] for k in REJECT_REASONS)
