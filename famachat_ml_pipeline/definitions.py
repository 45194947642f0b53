"""Dagster entry point: `dagster dev -m famachat_ml_pipeline.definitions`, workspace.yaml, `dg check defs`.

Every module under defs/ is loaded by `dg.load_from_defs_folder` (the layout `dg` expects, declared in
pyproject.toml's [tool.dg]): a new asset, job, schedule or sensor only has to be defined in its stage's
folder. The resources are configured in defs/shared/resources.py from environment variables, which are
first filled from the validated settings here, so this process (the UI's code server) and the CLI resolve
the same values, defaults included.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from famachat_ml_pipeline.settings import export_resource_environment, get_settings

PROJECT_ROOT = Path(__file__).resolve().parents[1]  # where pyproject.toml's [tool.dg] lives

export_resource_environment(get_settings())
defs = dg.load_from_defs_folder(project_root=PROJECT_ROOT)
