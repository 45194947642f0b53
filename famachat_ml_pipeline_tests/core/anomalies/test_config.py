import numpy as np

from famachat_ml_pipeline.core.anomalies import severity_from_pct, severity_from_z


def test_severity_tables():
    assert severity_from_z(np.array([2.9, -3.0, 3.99, 4.0, 5.0, 5.01])).tolist() == [
        "LOW",
        "MEDIUM",
        "MEDIUM",
        "HIGH",
        "HIGH",
        "CRITICAL",
    ]
    assert severity_from_pct(np.array([29.0, -30.0, 49.9, 50.0, 80.0, -100.0])).tolist() == [
        "LOW",
        "MEDIUM",
        "MEDIUM",
        "HIGH",
        "HIGH",
        "CRITICAL",
    ]
