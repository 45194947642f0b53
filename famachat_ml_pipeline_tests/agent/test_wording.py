from __future__ import annotations

import pytest

from famachat_ml_pipeline.agent.wording import leads_text


@pytest.mark.parametrize(
    ("count", "text"),
    [(1, "1 lead"), ("1", "1 lead"), (0, "0 leads"), (7, "7 leads"), (None, "- leads"), ("1,0", "1,0 leads")],
)
def test_a_count_of_leads_is_singular_only_for_one(count: object, text: str) -> None:
    assert leads_text(count) == text
