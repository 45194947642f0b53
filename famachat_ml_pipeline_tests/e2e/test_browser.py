"""The served UI in Debian's headless Chromium: the asset graph, the partitions of campaign_features and
the materialisations' metadata render our assets. Screenshots go to docs/screenshots/ (README)."""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

import pytest

from famachat_ml_pipeline_tests.e2e.served import Served

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# page, what its text must contain (asset names, our metadata keys), screenshot name
PAGES = [
    # the graph draws only the nodes in view, so its text check is the stage groups (the sidebar); the
    # catalog lists every asset by name
    (
        "/asset-groups",
        ["ingest", "features", "classification", "anomalies", "forecasts", "recommendations"],
        "asset_graph",
    ),
    (
        "/assets",
        [
            "ad_insights",
            "campaign_features",
            "classifier_model",
            "campaign_classifications",
            "campaign_anomalies",
            "campaign_forecasts",
            "forecast_accuracy",
            "campaign_recommendations",
        ],
        "asset_catalog",
    ),
    (
        "/assets/campaign_features?view=partitions",
        ["campaign_features", "partition"],
        "campaign_features_partitions",
    ),
    ("/assets/campaign_classifications?view=events", ["tier_distribution"], "classifications_metadata"),
    ("/assets/campaign_anomalies?view=events", ["by_severity"], "anomalies_metadata"),
    ("/assets/forecast_accuracy?view=events", ["accuracy_by_metric"], "forecast_accuracy_metadata"),
    ("/assets/campaign_recommendations?view=events", ["top_5"], "recommendations_metadata"),
]

PAGES_WANTED = {path: wanted for path, wanted, _ in PAGES}


def _show(page, path: str) -> None:  # noqa: ANN001 - playwright's Page
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.wait_for_load_state("networkidle", timeout=90_000)
    skip = page.get_by_role("button", name="Skip")  # Dagster's one-time "join the community" dialog
    if skip.count():
        skip.click()
    if path == "/asset-groups":
        page.mouse.click(1200, 700)  # focus the graph, then its shortcut: expand all groups
        page.keyboard.press("Alt+e")
    # the page renders after its GraphQL answers; the test's assertion says what was missing
    with contextlib.suppress(PlaywrightTimeout):
        page.get_by_text(PAGES_WANTED[path][0]).first.wait_for(timeout=60_000)
    page.wait_for_timeout(2_000)


pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.xdist_group("served")]


@pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (.ci/run installs it)"
)
@pytest.mark.timeout(600)
def test_the_ui_shows_our_assets_and_their_metadata(served: Served, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    # FAMACHAT_SCREENSHOT_DIR=docs/screenshots refreshes the committed ones; a plain run leaves the tree clean
    shots = Path(os.environ.get("FAMACHAT_SCREENSHOT_DIR", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    missing: dict[str, list[str]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            for path, wanted, name in PAGES:
                page.goto(served.base + path)
                _show(page, path)
                text = page.inner_text("body").lower()
                page.screenshot(path=str(shots / f"{name}.png"), full_page=False)
                missing[name] = [w for w in wanted if w.lower() not in text]
        finally:
            browser.close()
    assert not any(missing.values()), missing
