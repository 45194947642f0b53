"""RecommendationConfig."""

from __future__ import annotations

import dataclasses

import pytest

from famachat_ml_pipeline_tests.core.recommendations.builders import CFG


def test_config_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        CFG.max_budget_step_pct = 50.0  # type: ignore[misc]
