"""Keep each instance of an expensive, parametrised, shared fixture on one xdist worker.

`--dist loadgroup` hands ungrouped tests out one by one, so both workers met every shared demo database
(a whole pipeline run each) and built it twice. Grouping the tests by the fixture's parameter builds each
once; the groups are still spread over the workers, largest first."""

from __future__ import annotations

from pathlib import Path

import pytest


def group_by_fixture_param(items: list[pytest.Item], here: Path, fixtures: tuple[str, ...]) -> None:
    """Mark the tests under `here` that use one of `fixtures` with xdist_group("<fixture>-<param>")."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is None or not item.path.is_relative_to(here):
            continue
        name = next((f for f in fixtures if f in callspec.params), None)
        if name is not None:
            item.add_marker(pytest.mark.xdist_group(f"{name}-{callspec.params[name]}"))
