"""anomaly_inputs: the fingerprint of each campaign's input at its last anomaly detection (migration 0003).

The pipeline's own bookkeeping, never read by FamaChat, kept apart from the ml_* tables (which stay the
seed's DDL). Written in the same transaction as the ml_anomalies rows it vouches for, so a fingerprint
never claims a detection that was not stored (see `core.anomalies.inputs`).
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

anomaly_inputs = sa.Table(
    "anomaly_inputs",
    metadata,
    sa.Column("config_id", sa.Integer, primary_key=True),
    sa.Column("campaign_id", sa.String(100), primary_key=True),
    sa.Column("settings", sa.String(64), nullable=False),  # as_of, lookback, thresholds, versions (digest)
    sa.Column("fingerprint", sa.BigInteger, nullable=False),
)

ANOMALY_INPUT_TABLES = (anomaly_inputs,)
