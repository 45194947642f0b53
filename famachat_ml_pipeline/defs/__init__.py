"""Dagster definitions, one folder per stage, loaded by `dg.load_from_defs_folder` (definitions.py).

- shared/: partitions, resources (the only place configuration enters, via dg.EnvVar), the frame IO
  manager, AccountRun (accounts, the run's one as_of, timer) and schedule helpers. Imports core/db/source.
- ingest/, features/, classification/, anomalies/, forecasts/, recommendations/: each stage's assets and
  its own jobs, schedules and sensors. A stage imports shared/, core/, db/ and source/, never another
  stage: cross-stage dependencies are asset keys.
- pipeline/: the daily job (the whole graph except training) and its 02:00 schedule.
- orchestration/: cross-stage sensors (new accounts, restated data, critical anomalies, failed runs) and
  the alert webhook resource; it may import the pipeline job it requests runs of.
Nothing here reads the global settings: configuration comes in through shared/resources.py.
"""
