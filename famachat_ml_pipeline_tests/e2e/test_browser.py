"""The served UI in Debian's headless Chromium: the asset graph, the partitions of campaign_features and
the materialisations' metadata render our assets. Screenshots go to docs/screenshots/ (README)."""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

import dagster as dg
import pytest

from famachat_ml_pipeline_tests.e2e.served import Served
from famachat_ml_pipeline_tests.test_definitions import SCHEDULES

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

VIEWPORT = {"width": 1440, "height": 1100}
GRAPH = "/asset-groups"
GROUPS = ["ingest", "features", "classification", "anomalies", "forecasts", "recommendations"]
# asset names Dagster draws whole at any zoom (it shortens the long ones when zoomed out)
SHORT_NAMES = ["ad_insights", "classifier_model", "forecast_accuracy", "campaign_features"]

FEATURES_PARTITION = "/assets/campaign_features?view=partitions&partition={figures_on}"

# page, what its text must contain (asset names, our metadata keys), screenshot name
PAGES = [
    # the whole graph, zoomed out until it fits: Dagster then draws each asset as its name alone and
    # shortens the long ones ("campaign…fications"), so the check is the groups and the short names
    (GRAPH, [*GROUPS, *SHORT_NAMES], "asset_graph"),
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
    # one materialised partition selected, so the page shows its run and metadata: the one whose event
    # carries the run's figures (the last of the ranged run, {figures_on}: defs/shared/run_metadata.py)
    (
        FEATURES_PARTITION,
        ["campaign_features", "Latest materialization", "ml_pipeline", "rows_written", "run_figures_on"],
        "campaign_features_partitions",
    ),
    ("/automation", [*sorted(SCHEDULES), "new_accounts_sensor", "source_data_sensor"], "automation"),
    ("/assets/campaign_classifications?view=events", ["tier_distribution"], "classifications_metadata"),
    ("/assets/campaign_anomalies?view=events", ["by_severity"], "anomalies_metadata"),
    ("/assets/forecast_accuracy?view=events", ["accuracy_by_metric"], "forecast_accuracy_metadata"),
    # where the intervals' calibration came from (a run of a few accounts borrows the fleet's)
    ("/assets/campaign_forecasts?view=events", ["calibration", "own: a pool of"], "forecasts_metadata"),
    ("/assets/campaign_recommendations?view=events", ["top_5", "priority"], "recommendations_metadata"),
]

PAGES_WANTED = {path: wanted for path, wanted, _ in PAGES}
# what a page must not say once it rendered what we asked for
CONFUSING = ["No partition selected"]
ZOOM_OUT_CLICKS = 15  # at most; the graph usually fits after about 8


def _skip_join_dialog(page) -> None:  # noqa: ANN001 - playwright's Page
    """Dagster's one-time "Join the Dagster community" dialog: it opens a few seconds after a fresh
    instance's first page loaded, over whatever is under it, so it is dismissed before each click and
    each screenshot."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    skip = page.get_by_role("button", name="Skip", exact=True)
    if skip.count() and skip.first.is_visible():
        with contextlib.suppress(PlaywrightTimeout):  # it may close between the look and the click
            skip.first.click(timeout=5_000)
        page.wait_for_timeout(300)


def _in_view(page, text: str) -> bool:  # noqa: ANN001 - playwright's Page
    """Drawn inside the graph's area: below the toolbar (its search box) and above the window's bottom."""
    search = "Search and filter assets"  # an input's placeholder, or a div standing in for one
    toolbar = page.get_by_placeholder(search).or_(page.get_by_text(search)).first.bounding_box(timeout=5_000)
    top = toolbar["y"] + toolbar["height"] + 24 if toolbar else 0  # the toolbar's band ends below its box
    boxes = [el.bounding_box() for el in page.get_by_text(text, exact=True).all()]
    return bool(boxes) and all(
        b is not None and b["y"] >= top and b["y"] + b["height"] <= VIEWPORT["height"] for b in boxes
    )


def _fit_graph(page) -> None:  # noqa: ANN001 - playwright's Page
    """Every group expanded, the asset tree beside the graph hidden, then zoomed out until every group is
    in view (Dagster opens an expanded graph at a fixed zoom, centred, whatever its size)."""
    _skip_join_dialog(page)
    page.mouse.click(VIEWPORT["width"] - 300, VIEWPORT["height"] - 250)  # focus the graph
    page.keyboard.press("Alt+e")  # Dagster's shortcut: expand all groups
    page.wait_for_timeout(1_500)
    tree_search = page.get_by_placeholder("Jump to")
    _skip_join_dialog(page)
    if tree_search.count():  # the button that hides the tree sits just right of its search box
        box = tree_search.bounding_box()
        page.mouse.click(box["x"] + box["width"] + 24, box["y"] + box["height"] / 2)
        page.wait_for_timeout(500)
    for _ in range(ZOOM_OUT_CLICKS):
        if all(_in_view(page, t) for t in [*GROUPS, *SHORT_NAMES]):
            break
        # the zoom-out button under the graph's zoom slider (bottom right)
        _skip_join_dialog(page)
        page.mouse.click(VIEWPORT["width"] - 27, VIEWPORT["height"] - 148)
        page.wait_for_timeout(600)


def _figures_on(served: Served) -> str:
    """The partition of campaign_features' latest materialisation: the one that carries its run's figures
    (the last partition of a ranged run, the only one of a one-account run)."""
    event = served.instance.get_latest_materialization_event(dg.AssetKey("campaign_features"))
    assert event is not None and event.asset_materialization is not None
    meta = event.asset_materialization.metadata
    assert "rows_written" in meta, meta
    return event.asset_materialization.partition


def _show(page, path: str) -> None:  # noqa: ANN001 - playwright's Page
    """`path` is the PAGES entry (a template for the partitions page); the page is already open."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.wait_for_load_state("networkidle", timeout=90_000)
    _skip_join_dialog(page)
    # the page renders after its GraphQL answers; the test's assertion says what was missing
    with contextlib.suppress(PlaywrightTimeout):
        page.get_by_text(PAGES_WANTED[path][0]).first.wait_for(timeout=60_000)
    if path == GRAPH:
        _fit_graph(page)
    with contextlib.suppress(PlaywrightTimeout):
        page.get_by_text(PAGES_WANTED[path][-1]).first.wait_for(timeout=30_000)
    page.wait_for_timeout(2_000)
    _skip_join_dialog(page)


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
            page = browser.new_page(viewport=VIEWPORT)
            figures_on = _figures_on(served)
            for path, wanted, name in PAGES:
                page.goto(served.base + path.format(figures_on=figures_on))
                _show(page, path)
                text = page.inner_text("body").lower()
                page.screenshot(path=str(shots / f"{name}.png"), full_page=False)
                missing[name] = [w for w in wanted if w.lower() not in text]
                missing[name] += [f"says {c!r}" for c in CONFUSING if c.lower() in text]
                if path == GRAPH:  # drawn, not merely listed: every group inside the viewport
                    drawn = [*GROUPS, *SHORT_NAMES]
                    missing[name] += [f"{t} out of view" for t in drawn if not _in_view(page, t)]
        finally:
            browser.close()
    assert not any(missing.values()), missing
